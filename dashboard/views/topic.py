"""A topic page: the concepts of the topics configured under ``topic_pages`` in config.yaml.

One element per concept (:mod:`dashboard.topic_plan` decides): line charts of series,
compact charts of comparable single-period sets, compositions, then one table of figures
that are not directly comparable (side by side, the reason once) and one table of figures
only one province has; the economy page's map panel; the figures table with downloads.
"""

from __future__ import annotations

import streamlit as st

from .. import charts
from ..cache import memo
from ..components import (
    TOPIC_CSS,
    chart_flow,
    figures_table,
    mode_control,
    page_header,
    section_tabs,
    series_legend_html,
    topic_tables_html,
)
from ..config import get_config
from ..context_panel import context_panel
from ..i18n import t
from ..map_parts import map_panel
from ..present import md
from ..session import context
from ..topic_plan import open_section, page_sections, plan_topic

#: Height of the economy page's map panel (px): modest, it shares the page with the charts.
MAP_HEIGHT = 220
#: The map panel alone in its tab: as high as a chart, as wide as the page's main column at
#: 1366×768 with the sidebar open (the narrowest projector layout).
MAP_ALONE_HEIGHT, MAIN_WIDTH = 400, 900


def _plan(ds, page_id: str, provinces: tuple, concepts: tuple | None = None):
    spec = get_config().topic_pages[page_id]
    return plan_topic(ds, spec.topics, list(provinces), spec.compositions, concepts=concepts)


def _sections(ds, page_id: str, provinces: tuple):
    return page_sections(ds, get_config().topic_pages[page_id], list(provinces))


def _national(ds, provinces) -> list[str]:
    return [p for p, prov in ds.provinces.items() if prov.level == "nation" and p not in provinces]


def _figure(ds, kind: str, indicator: str, provinces: tuple, lang: str, mode: str, extra: tuple):
    """The plotly figure of one planned chart (built once per data content, see cache.memo)."""
    cfg = get_config()
    if kind == "series":
        return charts.time_series(ds, indicator, list(provinces) + list(extra), cfg, lang, legend=False)
    if kind == "composition":
        return charts.compositions(ds, indicator, list(extra), list(provinces), cfg, lang)[0]
    period, missing = extra
    rows = {p: r.iloc[0] for p in provinces
            if not (r := ds.rows(indicator, [p], period=period)).empty and r.iloc[0]["scope"] == ""}
    rows = {p: r for p, r in rows.items()}
    return charts.compact_comparison(ds, rows, cfg, lang, mode, missing)


def topic_page(page_id: str) -> None:
    """A comparison page for the topics configured under ``topic_pages`` in config.yaml:
    one page, or a row of tabs (its ``sections``) of which only the open one is drawn."""
    ctx = context()
    ds, lang, cfg = ctx.ds, ctx.lang, ctx.cfg
    spec = cfg.topic_pages[page_id]
    page_header(ctx, page_id, f"intro.{page_id}")
    st.html(TOPIC_CSS)
    provinces = tuple(ctx.view.provinces)
    topic_rows = ds.rows(provinces=provinces)
    topic_rows = topic_rows[topic_rows["topic"].isin(spec.topics)]
    if topic_rows.empty:
        mode_control(ctx)
        st.info(t("figure.no_data_topic", lang))
        return
    sections = memo(_sections, ds, page_id, provinces)
    current = open_section(sections, ctx.view.section)
    concepts = current.concepts if spec.sections else None
    plan = memo(_plan, ds, page_id, provinces, concepts)
    series = [c for c in plan.charts if c.kind == "series"]
    # the mode switch and the one legend of every line chart share a row
    left, right = st.columns([2, 3], vertical_alignment="bottom")
    with left:
        mode = mode_control(ctx)
    if series:
        national_all = _national(ds, provinces)
        drawn = {p for c in series for p in c.rows["province"]}
        nat = [p for p in national_all if any(not ds.rows(c.indicator, [p]).empty for c in series)]
        flagged = any(bool(r["estimate"]) or r["confidence"] == "low" or bool(r["derived"])
                      for c in series for _, r in c.rows.iterrows())
        with right:
            st.html(series_legend_html(ds, cfg, [p for p in provinces if p in drawn] + nat, lang, flagged))
    if spec.sections:
        tabs = section_tabs(f"tp-sections-{page_id}", [(s.id, s.label(lang)) for s in sections], current.id)
        with tabs[sections.index(current)]:
            _section_body(ctx, page_id, current, plan, mode)
    else:
        _section_body(ctx, page_id, current, plan, mode)
    figures_table(ctx, topic_rows.sort_values(["indicator", "province", "year_end"]), key=page_id)


def _section_body(ctx, page_id: str, section, plan, mode: str) -> None:
    """What one section (or a page without sections) shows: its charts (and map panel),
    the national context panel, the "not directly comparable" and "only one province" tables."""
    ds, lang = ctx.ds, ctx.lang
    provinces = tuple(ctx.view.provinces)
    if plan.without_data and (plan.charts or plan.side or not plan.single.empty):
        st.caption(t("topic.plan.none_for", lang,
                     provinces=", ".join(ds.province_name(p, lang) for p in plan.without_data)))
    shown = tuple(p for p in provinces if p not in plan.without_data)
    national = tuple(_national(ds, provinces))

    items = []
    for i, chart in enumerate(plan.charts):
        if chart.kind == "series":
            extra, fig_mode = national, "absolute"
        elif chart.kind == "composition":
            extra, fig_mode = tuple(chart.parts), "absolute"
        else:
            extra, fig_mode = (chart.period, tuple(p for p in chart.missing if p in shown)), mode
        fig = memo(_figure, ds, chart.kind, chart.indicator, shown, lang, fig_mode, extra)
        if fig is None:
            continue
        sources = md("figure.sources", lang, sources=charts.short_sources(ds, chart.rows["source"], lang,
                                                                           limit=1, label=False))

        def draw(fig=fig, chart=chart, i=i, sources=sources):
            st.plotly_chart(fig, config=charts.chart_config(f"{chart.indicator}-{chart.period or chart.kind}"),
                            key=f"tp-{page_id}-{chart.indicator}-{chart.kind}-{chart.period}")
            st.caption(sources)

        items.append((int(fig.layout.height or 300) + 70, draw))  # + the source line
    if section.map_panel and not items:  # the tab's only figure: the width of the page, its legend beside
        map_panel(ctx, key=page_id, height=MAP_ALONE_HEIGHT, width=MAIN_WIDTH, title=t("topic.map_panel", lang))
    elif section.map_panel:
        def draw_map():  # a plotly figure (SVG), titled like the charts: no deck.gl on this page (issue #9)
            map_panel(ctx, key=page_id, height=MAP_HEIGHT, title=t("topic.map_panel", lang))

        items.insert(0, (MAP_HEIGHT + 600, draw_map))  # map, its legend and credit  # the tallest panel first: the columns even out
    chart_flow(items)
    if any(c.kind == "series" for c in plan.charts):
        st.caption(t("topic.plan.series_rule", lang))
    if section.context_panel:  # PCI and PAPI among all provinces (issue #10)
        in_tab = bool(section.id)  # a tab is its own heading; a page without tabs keeps it closed
        context_panel(ctx, key=f"ctx-{page_id}", expander=not in_tab)

    html = topic_tables_html(ds, plan, list(provinces), lang, mode)
    if html.strip():
        st.html(html)
