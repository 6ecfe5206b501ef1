"""So sánh chỉ tiêu: one indicator, the chosen provinces, one or all periods."""

from __future__ import annotations

import streamlit as st

from .. import charts
from ..cache import memo, series_chart
from ..components import (
    comparability_note,
    figures_table,
    kpi_card,
    mode_control,
    page_header,
)
from ..i18n import pick, t
from ..present import escape_md, md, period_text
from ..session import bound, context


def _compact(ds, figures: tuple, lang: str, mode: str):
    """The compact comparison chart of a comparable set (province, indicator, period)."""
    from ..config import get_config

    rows = {}
    for p, i, period, scope in figures:
        found = ds.rows(i, [p], period=period)
        rows[p] = found[found["scope"] == scope].iloc[0]
    return charts.compact_comparison(ds, rows, get_config(), lang, mode)


def explorer_page() -> None:
    """So sánh chỉ tiêu: one indicator, the chosen provinces, one or all periods."""
    ctx = context()
    ds, lang = ctx.ds, ctx.lang
    page_header(ctx, "explorer", "intro.explorer")
    available = [i for i in ds.indicators if not ds.rows(i).empty]
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
    rows = ds.rows(ind.id, view.provinces)
    if view.period:
        rows = rows[rows["period"] == view.period]
    if rows.empty:
        st.info(t("figure.no_data_selection", lang))
        return
    if view.period is None:
        fig = series_chart(ds, ind.id, view.provinces, lang)
        if fig is not None:
            st.plotly_chart(fig, config=charts.chart_config(f"{ind.id}-series"), key="explorer-ts")
            st.caption(md("figure.sources", lang, sources=charts.short_sources(ds, rows["source"], lang, label=False)))
        shown_period = ds.periods(ind.id, view.provinces)[0]
    else:
        shown_period = view.period
    from ..compare import comparability

    latest = {p: (lambda s: s.iloc[0] if not s.empty else None)(
        ds.rows(ind.id, [p], period=shown_period)) for p in view.provinces}
    comp = comparability(latest)
    st.subheader(md("explorer.period_heading", lang, period=period_text(shown_period, lang)))
    cols = st.columns(len(view.provinces))
    for col, pid in zip(cols, view.provinces):
        with col:
            kpi_card(ctx, latest[pid], pid, mode)
    if comp.comparable:
        fig = memo(_compact, ds, tuple((p, r["indicator"], r["period"], r["scope"]) for p, r in comp.present.items()), lang, mode)
        st.plotly_chart(fig, config=charts.chart_config(f"{ind.id}-{shown_period}"), key="explorer-bar")
        st.caption(md("figure.sources", lang, sources=charts.short_sources(
            ds, [r["source"] for r in comp.present.values()], lang, label=False)))
    else:
        st.info(comparability_note(ctx, comp), icon=":material/compare_arrows:")
    figures_table(ctx, rows.sort_values(["province", "year_end"]), key=f"{ind.id}", title_key="table.shown_figures")
