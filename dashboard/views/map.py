"""Bản đồ: the compared provinces, their districts, industrial parks and party figures."""

from __future__ import annotations

import streamlit as st

from .. import maps
from ..components import page_header
from ..i18n import t
from ..map_parts import MAP_HEIGHT, details, kpis, legend, party_notes, tables, geo_for, model_and_deck
from ..present import escape_md, md
from ..session import bound, context


def map_page() -> None:
    """Bản đồ: compared provinces, districts, industrial parks, party figures."""
    ctx = context()
    ds, lang = ctx.ds, ctx.lang
    page_header(ctx, "map", None)
    st.caption(t("map.intro", lang))
    geo = geo_for(ctx)
    provinces = [p for p in ctx.view.provinces if maps.province_feature(ds, geo, p, "2024") is not None]
    if not provinces:
        st.info(t("map.no_provinces", lang), icon=":material/map:")
        return
    c1, c2, c3 = st.columns([5, 5, 3])
    view = ctx.view
    fp = maps.focus_province(ds, view.focus, provinces)
    with c1:
        bound(st.segmented_control, "w_map_focus", "focus", fp or "all", label=t("map.switch", lang),
              options=["all"] + provinces, required=True,
              # segmented-control labels are Markdown: province names escaped
              format_func=lambda p: t("map.switch_all", lang) if p == "all" else escape_md(ds.province_name(p, lang)),
              cast=lambda p: None if p == "all" else p)
    with c2:
        bound(st.segmented_control, "w_map_vintage", "vintage", view.vintage, label=t("map.vintage", lang),
              options=["2024", "2025"], required=True, format_func=lambda v: t(f"map.vintage_{v}", lang))
    measures = maps.party_measures(ds, provinces)
    with c3:
        current = view.measure if view.measure in measures else "none"
        bound(st.selectbox, "w_map_measure", "measure", current, label=t("map.measure", lang),
              options=["none"] + measures, cast=lambda m: None if m == "none" else m,
              format_func=lambda m: t("map.measure_none", lang) if m == "none"
              else maps.measure_title(ds, m, lang))
    view = st.session_state["_view"]
    measure = view.measure if view.measure in measures else None
    focus = view.focus
    model, deck = model_and_deck(ctx, provinces, view.vintage, focus, measure)

    left, right = st.columns([3, 1])
    with left:
        event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key="map",
                                height=MAP_HEIGHT)
        st.caption(md("map.attribution", lang, text=" · ".join(model.attribution)))
        legend(ctx, model)
    with right:
        kpis(ctx, model)
    if model.vintage == "2025":
        for note in model.merger_notes:
            st.info(md("map.vintage_note", lang, **note), icon=":material/merge:")
    party_notes(ctx, model)
    details(ctx, model, event)
    tables(ctx, model)
