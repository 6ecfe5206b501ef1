"""Tổng quan: the compared provinces side by side, then one headline figure per topic."""

from __future__ import annotations

import streamlit as st

from ..cache import pair
from ..components import concept_block, page_header
from ..i18n import pick, t
from ..present import escape_md, md, md_join, period_text, sources_line, value_text
from ..session import Context, context


def _basics(ctx: Context, pid: str, basics: dict[str, dict]) -> None:
    """Name, capital, area and population (same year for all provinces where possible)."""
    ds, lang = ctx.ds, ctx.lang
    prov = ds.provinces[pid]
    with st.container(border=True):
        st.subheader(escape_md(pick(prov.name, lang)))
        facts = []
        if prov.capital:
            facts.append(md("overview.capital", lang, capital=pick(prov.capital, lang)))
        if prov.gso_code:
            facts.append(md("overview.gso", lang, code=prov.gso_code))
        st.caption(md_join(" · ", facts))
        for ind_id in ("area", "population"):
            row = basics[ind_id].get(pid)
            if row is None:
                st.metric(t(f"overview.{ind_id}", lang), t("figure.missing", lang))
                continue
            st.metric(t(f"overview.{ind_id}", lang), value_text(row, ds.indicators[ind_id], lang, as_md=True))
            st.caption(md_join(" · ", [period_text(row["period"], lang),
                                       sources_line(ds, [row["source"]], lang, as_md=True)]))
        st.caption(t("overview.vintage", lang))
        if prov.merger and prov.merger.into in ds.provinces:
            m = prov.merger
            partners = ", ".join(ds.province_name(w, lang) for w in m.with_)
            st.info(md("overview.merger", lang, name=pick(prov.name, lang), partners=partners,
                       into=ds.province_name(m.into, lang), resolution=m.resolution,
                       adopted=m.adopted.strftime("%d/%m/%Y"), effective=m.effective.strftime("%d/%m/%Y")),
                    icon=":material/merge:")


def overview_page() -> None:
    """Tổng quan: basics per province, then one headline figure per topic."""
    ctx = context()
    page_header(ctx, "overview", "intro.overview")
    provinces = [p for p in ctx.view.provinces if p in ctx.ds.provinces]
    basics = {c: pair(ctx.ds, c, provinces).rows for c in ("area", "population")}
    cols = st.columns(max(1, len(provinces)))
    for col, pid in zip(cols, provinces):
        with col:
            _basics(ctx, pid, basics)
    st.header(t("overview.kpis", ctx.lang))
    for concept in ctx.cfg.overview.kpis:
        concept_block(ctx, concept, chart=False, key="overview")
