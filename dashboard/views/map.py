"""Bản đồ: the compared provinces, their districts, industrial parks and party figures."""

from __future__ import annotations

import streamlit as st

from .. import maps
from ..components import page_header
from ..i18n import t
from ..map_parts import (
    MAP_COLUMNS,
    MAP_HEIGHT,
    details,
    geo_for,
    kpis,
    legend,
    model_and_deck,
    national_map,
    national_measures,
    national_years,
    party_notes,
    tables,
)
from ..present import escape_md, md
from ..session import bound, context, update_view


def _set_mode(key: str, national: list[str]) -> None:
    value = st.session_state.get(key)
    if value == "national" and national:
        update_view(measure=national[0], year=None)
    elif value == "provinces":
        update_view(measure=None, year=None)


def _national_mode(ctx) -> bool:
    """The scope control ("Tỉnh đang so sánh" | "Cả nước"); in national mode, its controls and
    the national choropleth (:func:`dashboard.map_parts.national_map`). True when drawn."""
    lang, view = ctx.lang, ctx.view
    national = national_measures(ctx)
    mode = "national" if view.measure in national else "provinces"
    key = "w_map_mode"
    labels = (t("map.national.mode_provinces", lang), t("map.national.mode_national", lang))
    if st.session_state.get(key) != mode or st.session_state.get(f"_labels_{key}") != labels:
        st.session_state[key] = mode
    st.session_state[f"_labels_{key}"] = labels
    if mode == "provinces":
        st.segmented_control(t("map.national.mode", lang), ["provinces", "national"], key=key, required=True,
                             format_func=lambda m: t(f"map.national.mode_{m}", lang),
                             on_change=_set_mode, args=(key, national))
        return False
    c0, c1, c2, c3 = st.columns([4, 5, 4, 2])
    with c0:
        st.segmented_control(t("map.national.mode", lang), ["provinces", "national"], key=key, required=True,
                             format_func=lambda m: t(f"map.national.mode_{m}", lang),
                             on_change=_set_mode, args=(key, national))
    with c1:
        bound(st.segmented_control, "w_map_vintage", "vintage", view.vintage, label=t("map.vintage", ctx.lang),
              options=["2024", "2025"], required=True, format_func=lambda v: t(f"map.vintage_{v}", lang))
    with c2:
        bound(st.selectbox, "w_map_national", "measure", view.measure, label=t("map.national.indicator", lang),
              options=national, format_func=lambda m: maps.measure_title(ctx.ds, m, lang))
    view = st.session_state["_view"]
    indicator = view.measure if view.measure in national else national[0]
    years = national_years(ctx, indicator)
    year = view.year if view.year in years else years[0]
    with c3:
        bound(st.selectbox, "w_map_year", "year", year, label=t("map.national.year", lang), options=years)
    view = st.session_state["_view"]
    year = view.year if view.year in years else years[0]
    ctx.view = view
    national_map(ctx, indicator, year)
    return True


def map_page() -> None:
    """Bản đồ: compared provinces, districts, industrial parks, party figures."""
    ctx = context()
    ds, lang = ctx.ds, ctx.lang
    page_header(ctx, "map", None)
    if _national_mode(ctx):
        return
    st.caption(t("map.intro", lang))
    geo = geo_for(ctx)
    provinces = [p for p in ctx.view.provinces if maps.province_feature(ds, geo, p, "2024") is not None]
    if not provinces:
        st.info(t("map.no_provinces", lang), icon=":material/map:")
        return
    # NOTE: a segmented control does not wrap: the province switch (up to max_provinces + 1
    # buttons) has a row of its own, and the boundary switch a column wide enough for its
    # longer English labels, so that no label is cut at 1366×768.
    c1 = st.container()
    c2, c3 = st.columns([3, 2])
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
    model, deck = model_and_deck(ctx, provinces, view.vintage, focus, measure, (maps.VIEW_WIDTH, MAP_HEIGHT))

    # The legend and a short panel beside the map; the initial view frames the provinces
    # in the map's width at 1366×768 (maps.VIEW_WIDTH), so every projector shows them whole.
    left, right = st.columns(MAP_COLUMNS, gap="small")
    with left:
        event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key="map",
                                height=MAP_HEIGHT)
    with right:
        legend(ctx, model)
        kpis(ctx, model)
    st.caption(md("map.attribution", lang, text=" · ".join(model.attribution)))
    if model.vintage == "2025":
        for note in model.merger_notes:
            st.info(md("map.vintage_note", lang, **note), icon=":material/merge:")
    party_notes(ctx, model)
    details(ctx, model, event)
    tables(ctx, model)
