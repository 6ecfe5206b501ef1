"""Dữ liệu & nguồn: problems found in data/, sources, indicators, licences."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import export
from ..components import TOPIC_CSS, page_header, plain_table_html, section_tabs
from ..fmt import number
from ..i18n import pick, t
from ..present import escape_md, md, producer_text, safe_url
from ..schema import UNKNOWN
from ..session import context
from ..state import DATA_SECTIONS


#: Problems listed on the page (all of them in the CSV download).
PROBLEM_ROWS = 200


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
    """Dữ liệu & nguồn: problems found in data/, sources, indicators, licences — one tab
    each, bound to the link (``section``); only the open tab is computed and drawn."""
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
    current = ctx.view.section if ctx.view.section in DATA_SECTIONS else DATA_SECTIONS[0]
    tabs = section_tabs("data-sections", [(sid, t(_TABS[sid][0], lang)) for sid in DATA_SECTIONS], current)
    with tabs[DATA_SECTIONS.index(current)]:
        _TABS[current][1](ds, lang)


def _checks(ds, lang: str) -> None:
    if not ds.problems:
        st.success(t("health.clean", lang), icon=":material/check_circle:")
        return
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
        columns = [t("health.col.severity", lang), t("health.col.location", lang), t("health.col.message", lang)]
        rows = [[t(f"health.{p.severity}", lang), ds.relative(p.location()), p.message(lang)] for p in rest]
        st.html(TOPIC_CSS + plain_table_html(columns, rows[:PROBLEM_ROWS], "health-problems"))
        if len(rows) > PROBLEM_ROWS:  # the whole list as a file: a page of thousands of rows helps nobody
            st.caption(t("health.more_problems", lang, n=number(len(rows) - PROBLEM_ROWS, lang, 0)))
            st.download_button(t("export.csv", lang), key="health-problems-csv", file_name="van-de-du-lieu.csv",
                               mime="text/csv", icon=":material/download:",
                               data=lambda: export.to_csv_bytes(pd.DataFrame(rows, columns=columns)))


def _sources(ds, lang: str) -> None:
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


def _indicators(ds, lang: str) -> None:
    inds = pd.DataFrame([{
        "id": i.id, t("health.col.title", lang): pick(i.title, lang), t("export.col.unit", lang): pick(i.unit, lang),
        t("health.col.topic", lang): t(f"topic.{i.topic}", lang), t("health.col.concept", lang): i.concept,
        t("health.col.description", lang): pick(i.description, lang),
    } for i in ds.indicators.values()])
    st.dataframe(inds, hide_index=True, width="stretch")


def _licences(ds, lang: str) -> None:
    st.markdown(t("health.licence_text", lang))


#: Each tab of the page (ids: :data:`dashboard.state.DATA_SECTIONS`): its label and what it draws.
_TABS = {"kiem-tra": ("health.checks", _checks), "nguon": ("health.sources", _sources),
         "chi-tieu": ("health.indicators", _indicators), "giay-phep": ("health.licences", _licences)}
