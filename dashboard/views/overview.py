"""Tổng quan: one compact line of basics per province, then the scorecard (bảng so sánh)."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from .. import scorecard, snapshots
from ..cache import memo, pair
from ..components import page_header
from ..i18n import pick, t
from ..present import Md, escape_md, md, md_join, period_text, source_short, value_text
from ..session import Context, context
from ..state import LATEST, view_params


def _basics(ctx: Context, provinces: list[str]) -> None:
    """Per province one line: name, area, population (same period where possible), the
    July-2025 merger; then one line naming their sources and the merger's resolution."""
    ds, lang = ctx.ds, ctx.lang
    rows = {c: pair(ds, c, provinces).rows for c in ("area", "population")}
    used: list[str] = []
    lines: list[Md] = []
    resolutions: list[str] = []
    for pid in provinces:
        prov = ds.provinces[pid]
        parts = [Md(f"**{escape_md(pick(prov.name, lang))}**")]
        for ind_id in ("area", "population"):
            row = rows[ind_id].get(pid)
            label = t(f"overview.{ind_id}", lang)
            if row is None:
                parts.append(md_join(" ", [label, t("figure.missing", lang)]))
                continue
            used.append(row["source"])
            parts.append(md_join(" ", [label, value_text(row, ds.indicators[ind_id], lang, as_md=True),
                                       f"({period_text(row['period'], lang)})"]))
        m = prov.merger
        if m and m.into in ds.provinces:
            parts.append(md("scorecard.merger_short", lang, effective=m.effective.strftime("%d/%m/%Y"),
                            into=ds.province_name(m.into, lang)))
            resolutions.append(m.resolution)
        lines.append(md_join(" · ", parts))
    st.markdown(Md("  \n".join(lines)))
    notes = []
    if used:
        notes.append(md("scorecard.basics_sources", lang,
                        sources="; ".join(dict.fromkeys(source_short(ds.sources.get(s), lang) for s in used))))
    for res in dict.fromkeys(resolutions):
        notes.append(md("scorecard.merger_resolution", lang, resolution=res))
    if notes:
        st.caption(md_join(" · ", notes))


def _model(ds, provinces: tuple, lang: str, asof: str, query: str, ref: str | None = None) -> scorecard.Scorecard:
    """The scorecard of the view (pure; cached per data content and view by :func:`memo`)."""
    from ..config import get_config

    cfg = get_config()
    snaps = snapshots.from_config(cfg)
    since_ds, since_label = None, None
    if asof == LATEST and snaps:  # "since the meeting": the last meeting in config.yaml
        snap = snaps[-1]
        since_ds = snapshots.apply(ds, snap)
        year = snap.as_of_year or next(iter(since_ds.values["asof_year"]), "")
        since_label = t("scorecard.since", lang, year=year)
    return scorecard.build(ds, cfg, list(provinces), lang, query=query, since_ds=since_ds,
                           since_label=since_label, ref=ref)


def overview_page() -> None:
    """Tổng quan: basics per province, then the scorecard of the headline concepts."""
    ctx = context()
    page_header(ctx, "overview")
    provinces = [p for p in ctx.view.provinces if p in ctx.ds.provinces]
    if not provinces:
        st.info(t("figure.no_data_selection", ctx.lang))
        return
    _basics(ctx, provinces)
    query = urlencode(view_params(ctx.view))
    card = memo(_model, ctx.ds, tuple(provinces), ctx.lang, ctx.view.asof, query, ctx.view.reference)
    st.html(scorecard.render(card))
