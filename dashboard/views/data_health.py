"""Dữ liệu & nguồn: problems found in data/, sources, indicators, licences."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..components import page_header
from ..i18n import pick, t
from ..present import escape_md, md, producer_text, safe_url
from ..schema import UNKNOWN
from ..session import context


def _licence_name(source, lang: str) -> str:
    lic = source.licence
    return t("health.licence_unknown", lang) if lic == UNKNOWN or lic is None else lic.name


def _licence_url(source) -> str:
    lic = source.licence
    return "" if lic == UNKNOWN or lic is None else (safe_url(lic.url) or "")


def _date(text: str, lang: str) -> str:
    """``2023-12-28`` -> ``28/12/2023`` (vi) / ``2023-12-28`` (en); ``unknown`` said in words."""
    if not text or text == UNKNOWN:
        return t("health.date_unknown", lang)
    if lang == "vi":
        return "/".join(reversed(text.split("-")))
    return text


def data_health_page() -> None:
    """Dữ liệu & nguồn: problems found in data/, sources, indicators, licences."""
    ctx = context()
    ds, lang = ctx.ds, ctx.lang
    page_header(ctx, "data_health", "intro.data_health")
    meta = ds.meta
    c1, c2, c3 = st.columns(3)
    c1.metric(t("health.figures", lang), f"{len(ds.values):,}".replace(",", "." if lang == "vi" else ","))
    c2.metric(t("health.errors", lang), str(len(ds.errors)))
    c3.metric(t("health.warnings", lang), str(len(ds.warnings)))
    if meta is not None:
        st.caption(md("footer.dataset", lang, title=pick(meta.title, lang), version=meta.version,
                      updated=meta.updated.isoformat()))
    if ds.problems:
        st.subheader(t("health.problems", lang))
        st.caption(t("health.problems_hint", lang))
        from ..data import ordered

        # The root causes first, in full; errors that only follow from them in one line.
        for p in (p for p in ds.problems if p.is_root):
            st.markdown(f"**{escape_md(ds.relative(p.location()))}** — {escape_md(p.message(lang))}")
        follow = [p for p in ds.problems if p.follow_on]
        if follow:
            files = ", ".join(dict.fromkeys(ds.relative(p.file) for p in follow))
            st.caption(md("validation.follow_ons", lang, n=len(follow), files=files))
        rest = [p for p in ordered(ds.problems) if not p.is_root and not p.follow_on]
        if rest:
            table = pd.DataFrame([{
                t("health.col.severity", lang): t(f"health.{p.severity}", lang),
                t("health.col.location", lang): ds.relative(p.location()),
                t("health.col.message", lang): p.message(lang),
            } for p in rest])
            st.dataframe(table, hide_index=True, width="stretch")
    else:
        st.success(t("health.clean", lang), icon=":material/check_circle:")
    st.subheader(t("health.sources", lang))
    st.caption(t("health.provenance_hint", lang))
    src = pd.DataFrame([{
        "id": s.id, t("export.col.source", lang): s.title, t("export.col.source_producer", lang): producer_text(s, lang),
        t("health.col.licence", lang): _licence_name(s, lang),
        t("health.col.published", lang): _date(s.date_published, lang),
        t("health.col.accessed", lang): _date(s.date_accessed, lang),
        t("health.col.kind", lang): t(f"source_kind.{s.kind}", lang),
        t("health.col.confidence", lang): t(f"confidence.{s.confidence}", lang),
        t("export.col.source_url", lang): safe_url(s.url) or "",  # a link only to a web address
        "licence_url": _licence_url(s),
    } for s in ds.sources.values()])
    st.dataframe(src, hide_index=True, width="stretch", column_config={
        t("export.col.source", lang): st.column_config.TextColumn(width="medium"),
        t("export.col.source_producer", lang): st.column_config.TextColumn(width="medium"),
        t("export.col.source_url", lang): st.column_config.LinkColumn(),
        "licence_url": st.column_config.LinkColumn(t("health.col.licence", lang) + " ↗"),
    })
    st.subheader(t("health.indicators", lang))
    inds = pd.DataFrame([{
        "id": i.id, t("health.col.title", lang): pick(i.title, lang), t("export.col.unit", lang): pick(i.unit, lang),
        t("health.col.topic", lang): t(f"topic.{i.topic}", lang), t("health.col.concept", lang): i.concept,
        t("health.col.description", lang): pick(i.description, lang),
    } for i in ds.indicators.values()])
    st.dataframe(inds, hide_index=True, width="stretch")
    st.subheader(t("health.licences", lang))
    st.markdown(t("health.licence_text", lang))
