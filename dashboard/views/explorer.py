"""So sánh chỉ tiêu: one indicator, the chosen provinces, one or all periods."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import charts
from ..cache import memo, series_chart
from ..compare import ABSOLUTE, comparability
from ..components import (
    TOPIC_CSS,
    figures_table,
    mode_control,
    page_header,
    provenance,
    topic_tables_html,
)
from ..i18n import pick, t
from ..present import escape_md, md, period_text, sources_line
from ..session import bound, context
from ..topic_plan import Plan, SideRow


def _compact(ds, figures: tuple, lang: str, mode: str):
    """The compact comparison chart of a comparable set (province, indicator, period)."""
    from ..config import get_config

    rows = {}
    for p, i, period, scope in figures:
        found = ds.rows(i, [p], period=period)
        rows[p] = found[found["scope"] == scope].iloc[0]
    return charts.compact_comparison(ds, rows, get_config(), lang, mode)


def _table(ds, ind, comp, provinces: list[str], lang: str, mode: str) -> str:
    """Figures that cannot share a chart, as one compact table: side by side with the reason
    once, or "only one province has figures" (the topic pages' tables)."""
    present = comp.present
    without = [p for p in provinces if p not in present]
    if len(present) == 1:
        (row,) = present.values()
        plan = Plan([], [], pd.DataFrame([row]), without)
    else:
        cells = {p: [present[p]] if p in present else [] for p in provinces}
        plan = Plan([], [SideRow(ind.concept, cells, tuple(comp.reasons))], pd.DataFrame(), [])
    return topic_tables_html(ds, plan, provinces, lang, mode)


def _available(ds) -> tuple[str, ...]:
    """Indicators with at least one province-level figure (once per data content: with the
    national tables a filter of every indicator over every row each rerun was the page's
    largest cost)."""
    having = set(ds.values.loc[ds.values["district"] == "", "indicator"].unique())
    return tuple(i for i in ds.indicators if i in having)


def _details(ctx, ind, rows: dict) -> None:
    """What the figures rest on, behind one button: per province its source (linked), the
    kind of source and confidence, the note and how it was derived. No value again."""
    ds, lang = ctx.ds, ctx.lang
    with st.popover(t("figure.details", lang), icon=":material/info:"):
        st.markdown(f"**{escape_md(pick(ind.title, lang))}**")
        for pid, row in rows.items():
            st.markdown(f"**{escape_md(ds.province_name(pid, lang))}** · "
                        + sources_line(ds, [row["source"]], lang, with_link=True))
            provenance(ds, row, lang)


def explorer_page() -> None:
    """So sánh chỉ tiêu: one indicator, the chosen provinces, one or all periods.

    One element per view (issue #9: never the same numbers twice): all periods, a line
    chart; one period, the compact chart with value labels when the figures are
    comparable, else one compact table with the reason once; sources in one short line,
    the rest behind "Chi tiết" and in the table of figures.
    """
    ctx = context()
    ds, lang = ctx.ds, ctx.lang
    page_header(ctx, "explorer", "intro.explorer")
    st.html(TOPIC_CSS)
    available = list(memo(_available, ds))
    if not available:
        st.info(t("figure.no_data_topic", lang))
        return
    current = ctx.view.indicator if ctx.view.indicator in available else available[0]
    topics = {i: ds.indicators[i].topic for i in available}
    bound(st.selectbox, "w_indicator", "indicator", current, label=t("explorer.indicator", lang),
          options=available, format_func=lambda i: f"{pick(ds.indicators[i].title, lang)} "
          f"[{t('topic.' + topics[i], lang)}]")
    view = st.session_state["_view"]
    ind = ds.indicators[view.indicator or current]
    periods = ds.periods(ind.id, view.provinces)
    period_options = ["all"] + periods
    current_period = view.period if view.period in periods else "all"
    bound(st.selectbox, "w_period", "period", current_period, label=t("explorer.period", lang),
          options=period_options, format_func=lambda p: t("explorer.all_periods", lang) if p == "all"
          else period_text(p, lang), cast=lambda p: None if p == "all" else p)
    view = st.session_state["_view"]
    mode = mode_control(ctx)
    st.caption(escape_md(pick(ind.description, lang)))
    provinces = list(view.provinces)
    rows = ds.rows(ind.id, provinces)
    if view.period:
        rows = rows[rows["period"] == view.period]
    if rows.empty:
        st.info(t("figure.no_data_selection", lang))
        return
    series = None
    if view.period is None:
        series = series_chart(ds, ind.id, provinces, lang)
        if series is not None:
            st.plotly_chart(series, config=charts.chart_config(f"{ind.id}-series"), key="explorer-ts")
            st.caption(md("figure.sources", lang, sources=charts.short_sources(ds, rows["source"], lang, label=False)))
        shown_period = ds.periods(ind.id, provinces)[0]
    else:
        shown_period = view.period
    latest = {p: (lambda s: s.iloc[0] if not s.empty else None)(
        ds.rows(ind.id, [p], period=shown_period)) for p in provinces}
    comp = comparability(latest)
    # the line chart already shows the newest year's figures (as they are: not per 1,000
    # inhabitants or km²): no second element for the same numbers
    in_series = (series is not None and mode == ABSOLUTE
                 and all(str(r["period"]).isdigit() for r in comp.present.values()))
    if not in_series:
        st.subheader(md("explorer.period_heading", lang, period=period_text(shown_period, lang)))
        if comp.comparable:
            fig = memo(_compact, ds, tuple((p, r["indicator"], r["period"], r["scope"])
                                           for p, r in comp.present.items()), lang, mode)
            st.plotly_chart(fig, config=charts.chart_config(f"{ind.id}-{shown_period}"), key="explorer-bar")
            st.caption(md("figure.sources", lang, sources=charts.short_sources(
                ds, [r["source"] for r in comp.present.values()], lang, label=False)))
        elif comp.present:
            st.html(_table(ds, ind, comp, provinces, lang, mode))
    if comp.present:
        _details(ctx, ind, comp.present)
    figures_table(ctx, rows.sort_values(["province", "year_end"]), key=f"{ind.id}", title_key="table.shown_figures")
