"""A topic page: the concepts of the topics configured under ``topic_pages`` in config.yaml."""

from __future__ import annotations

import streamlit as st

from .. import charts
from ..cache import composition_chart, series_chart
from ..map_parts import map_panel
from ..components import concept_block, figures_table, mode_control, page_header
from ..i18n import t
from ..present import escape_md
from ..session import context


def topic_page(page_id: str) -> None:
    """A comparison page for the topics configured under ``topic_pages`` in config.yaml."""
    ctx = context()
    ds, lang, cfg = ctx.ds, ctx.lang, ctx.cfg
    spec = cfg.topic_pages[page_id]
    page_header(ctx, page_id, f"intro.{page_id}")
    mode = mode_control(ctx)
    topic_rows = ds.rows(provinces=ctx.view.provinces)
    topic_rows = topic_rows[topic_rows["topic"].isin(spec.topics)]
    if topic_rows.empty:
        st.info(t("figure.no_data_topic", lang))
        return
    concepts = [i.concept for i in ds.indicators.values() if i.topic in spec.topics]
    for concept in dict.fromkeys(concepts):
        concept_block(ctx, concept, mode=mode, key=page_id)

    for comp in spec.compositions:
        for i, pid in enumerate(ctx.view.provinces):
            fig, note = composition_chart(ds, comp.total, comp.parts, pid, lang)
            if fig is None:
                continue
            st.plotly_chart(fig, config=charts.chart_config(f"{comp.total}-{pid}"), key=f"comp-{comp.total}-{pid}")
            rows = ds.rows([comp.total] + comp.parts, [pid])
            st.caption(charts.chart_sources(ds, [r for _, r in rows.iterrows()], lang, as_md=True))
            if note:
                st.caption(escape_md(note))

    if spec.map_panel:
        st.subheader(t("topic.map_panel", lang))
        map_panel(ctx, key=page_id)

    # NOTE: the national figure is drawn beside the provinces wherever the data has it.
    national = [p for p, prov in ds.provinces.items() if prov.level == "nation" and p not in ctx.view.provinces]
    series = [i.id for i in ds.indicators.values() if i.topic in spec.topics]
    for ind_id in series:
        fig = series_chart(ds, ind_id, list(ctx.view.provinces) + national, lang)
        if fig is None:
            continue
        st.plotly_chart(fig, config=charts.chart_config(f"{ind_id}-series"), key=f"ts-{ind_id}")
        rows = ds.rows(ind_id, ctx.view.provinces)
        st.caption(charts.chart_sources(ds, [r for _, r in rows.iterrows()], lang, as_md=True))
    figures_table(ctx, topic_rows.sort_values(["indicator", "province", "year_end"]), key=page_id)
