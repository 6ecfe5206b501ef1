"""Streamlit rendering of the map page (Bản đồ) and a reusable map panel.

The decks are built by :mod:`dashboard.maps` (pure); this module adds the controls (province
switch, boundary vintage, party measure), the KPI beside the map, the details panel of
the clicked item, the attribution, and the tables with their CSV downloads.
"""

from __future__ import annotations

import html

from pathlib import Path

import pandas as pd
import streamlit as st

from . import export, maps
from .i18n import pick, t
from .present import escape_md, md, md_join, period_text, source_text, value_text
from .ui import Context, bound, comparability_note, context, data_dir, page_header

MAP_HEIGHT = 560


# ----------------------------------------------------------------------------- cached data

@st.cache_resource(show_spinner=False, max_entries=4)
def _geo(path: str, signature: tuple) -> maps.Geo:  # noqa: ARG001 - signature is the cache key
    return maps.load_geo(path)


def geo_for(ctx: Context) -> maps.Geo:
    """The parsed boundaries, once per process and file change."""
    path = str(Path(data_dir(ctx.cfg)).resolve())
    return _geo(path, maps.geo_signature(path))


@st.cache_resource(show_spinner=False, max_entries=64)
def _model_and_deck(_ds, _geo_obj, _cfg, fingerprint: str, geo_sig: tuple, provinces: tuple, lang: str,
                    vintage: str, focus: str | None, measure: str | None, token: str | None):  # noqa: ARG001
    model = maps.map_model(_ds, _geo_obj, _cfg, provinces, lang, vintage, focus, measure)
    deck = maps.build_deck(_ds, _geo_obj, _cfg, provinces, lang, vintage, focus, measure, token, model=model)
    deck.to_json()  # serialise once: every session reuses the text
    return model, deck


def _token(cfg) -> str | None:
    """The base-map token from secrets (``[map] token``), only when a base map is configured."""
    if cfg.map.base_map is None:
        return None
    try:
        return st.secrets.get("map", {}).get("token")
    except Exception:  # noqa: BLE001 - no secrets file: no token
        return None


def model_and_deck(ctx: Context, provinces: list[str], vintage: str, focus: str | None,
                   measure: str | None):
    geo = geo_for(ctx)
    path = str(Path(data_dir(ctx.cfg)).resolve())
    return _model_and_deck(ctx.ds, geo, ctx.cfg, ctx.ds.fingerprint, maps.geo_signature(path),
                           tuple(provinces), ctx.lang, vintage, focus, measure, _token(ctx.cfg))


# ----------------------------------------------------------------------------- pieces

def _legend(ctx: Context, model: maps.MapModel) -> None:
    lang = ctx.lang
    with st.expander(t("map.legend_title", lang), icon=":material/legend_toggle:", expanded=False):
        st.caption(t("map.legend_provinces", lang))
        st.caption(t("map.legend_status", lang, operating=t("map.status.operating", lang),
                     building=t("map.status.under_construction", lang), planned=t("map.status.planned", lang)))
        st.caption(t("map.legend_kind", lang))
        st.caption(t("map.legend_precision", lang))


def _party_notes(ctx: Context, model: maps.MapModel) -> None:
    lang, party = ctx.lang, model.party
    if party.measure is None:
        return
    st.markdown(f"**{escape_md(party.title)}**")
    if party.mode == "none":
        st.info(t("map.party.no_data", lang), icon=":material/info:")
    else:
        for item in party.legend:
            r, g, b = item["colour"][:3]
            # st.html sanitises its HTML; only our integers and the escaped label reach it
            st.html(f"<span style='color:rgb({int(r)},{int(g)},{int(b)});font-size:1.3em'>■</span> "
                    f"{html.escape(str(item['label']))}")
        if party.comparable:
            st.caption(t("map.party.comparable", lang))
        else:
            from .compare import Comparability

            comp = Comparability(False, party.reasons, party.rows)
            st.info(t("map.party.not_comparable", lang) + " " + comparability_note(ctx, comp),
                    icon=":material/compare_arrows:")
    if party.district_state == "none":
        st.info(t("map.party.no_district", lang), icon=":material/grid_off:")
    else:
        st.caption(t("map.party.district_present", lang))


def _kpis(ctx: Context, model: maps.MapModel) -> None:
    lang = ctx.lang
    st.markdown(f"**{t('map.kpi.title', lang)}**")
    for c in maps.zone_counts(ctx.ds, model.zones, model.no_location, model.provinces, lang):
        with st.container(border=True):
            st.metric(md_join(" · ", [c["name"], md("map.kpi.drawn", lang)]), str(c["drawn"]),
                      help=t("map.kpi.drawn_help", lang))
            st.caption(escape_md(c["note"]))


def _zone_details(ctx: Context, zone_id: str) -> None:
    ds, lang = ctx.ds, ctx.lang
    hit = ds.zones[ds.zones["id"] == zone_id]
    if hit.empty:
        return
    z = hit.iloc[0]
    geo = geo_for(ctx)
    drawn, missing = maps.zones_frame(ds, geo, lang, [z["province"]])
    rec = pd.concat([drawn, missing])
    rec = rec[rec["id"] == zone_id]
    st.subheader(escape_md(z["name"]))
    if not rec.empty:
        r = rec.iloc[0]
        body = r.get("tt_body")
        if isinstance(body, str) and body:
            for line in body.split("\n"):
                st.markdown("- " + escape_md(line))
        else:
            st.markdown(f"- {escape_md(r['kind_label'])} · {escape_md(r['province_name'])}")
            st.markdown("- " + md("map.zone.area", lang, area=r["area_text"]))
    src = ds.sources.get(z["source"])
    if src is not None and src.url:
        st.markdown(source_text(src, lang, with_link=True))
    if z.get("note"):
        st.caption(md("map.details.zone_note", lang, note=z["note"]))


def _province_details(ctx: Context, model: maps.MapModel, pid: str) -> None:
    ds, lang = ctx.ds, ctx.lang
    prov = ds.provinces.get(pid)
    if prov is None:
        return
    st.subheader(escape_md(pick(prov.name, lang)))
    n = int((model.zones["province"] == pid).sum()) if not model.zones.empty else 0
    st.markdown("- " + md("map.details.province_zones", lang, n=n))
    for ind_id in ("area", "population"):
        row = ds.latest(pid, ind_id) if ind_id in ds.indicators else None
        if row is not None:
            ind = ds.indicators[ind_id]
            st.markdown(f"- {escape_md(pick(ind.title, lang))}: {escape_md(value_text(row, ind, lang))} "
                        f"({escape_md(period_text(row['period'], lang))})")
    for item in model.party.items:
        if item["province"] == pid:
            st.markdown("- " + escape_md(item["tt_body"].replace("\n", " · ")))


def _details(ctx: Context, model: maps.MapModel, event) -> None:
    lang = ctx.lang
    objects = {}
    try:
        objects = dict(event.selection.objects or {}) if event is not None else {}
    except AttributeError:
        objects = {}
    with st.container(border=True):
        st.markdown(f"**{t('map.details.title', lang)}**")
        zone = (objects.get("zones") or [None])[0]
        prov = (objects.get("provinces") or [None])[0]
        neighbour = (objects.get("neighbours") or [None])[0]
        party = (objects.get("party") or [None])[0]
        if zone and zone.get("id"):
            _zone_details(ctx, zone["id"])
        elif prov:
            _province_details(ctx, model, (prov.get("properties") or {}).get("id", ""))
        elif party and party.get("province"):
            _province_details(ctx, model, party["province"])
        elif neighbour:
            name = (neighbour.get("properties") or {}).get("tt_title", "")
            st.caption(md("map.details.neighbour", lang, name=name))
        elif model.focus and model.focus not in ctx.ds.provinces:
            _zone_details(ctx, model.focus)
        else:
            st.caption(t("map.details.hint", lang))


def _download(df: pd.DataFrame, key: str, lang: str) -> None:
    st.download_button(t("map.download", lang), data=lambda: export.to_csv_bytes(df), file_name=f"{key}.csv",
                       mime="text/csv", key=f"csv-{key}", icon=":material/download:")


def _tables(ctx: Context, model: maps.MapModel) -> None:
    lang = ctx.lang
    if not model.no_location.empty:
        st.subheader(t("map.no_location_title", lang, n=len(model.no_location)))
        st.caption(t("map.no_location_hint", lang))
        nl = maps.zones_table(model.no_location, lang)
        st.dataframe(nl, hide_index=True, width="stretch")
        _download(nl, "map-no-location", lang)
    zt = maps.zones_table(model.zones, lang)
    with st.expander(t("map.zones_title", lang, n=len(zt)), icon=":material/factory:"):
        st.dataframe(zt, hide_index=True, width="stretch")
        _download(zt, "map-parks", lang)
    table = maps.drawn_table(model, lang)
    with st.expander(t("map.table_title", lang, n=len(table)), icon=":material/table:"):
        st.dataframe(table, hide_index=True, width="stretch")
        _download(table, "map-drawn", lang)


# ----------------------------------------------------------------------------- page

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
        _legend(ctx, model)
    with right:
        _kpis(ctx, model)
    if model.vintage == "2025":
        for note in model.merger_notes:
            st.info(md("map.vintage_note", lang, **note), icon=":material/merge:")
    _party_notes(ctx, model)
    _details(ctx, model, event)
    _tables(ctx, model)


def map_panel(ctx: Context, key: str, measure: str | None = None, height: int = 420) -> None:
    """A map of the compared provinces for another page (no controls, no selection)."""
    geo = geo_for(ctx)
    provinces = [p for p in ctx.view.provinces if maps.province_feature(ctx.ds, geo, p, "2024") is not None]
    if not provinces:
        return
    model, deck = model_and_deck(ctx, provinces, "2024", None, measure)
    st.pydeck_chart(deck, key=f"map-{key}", height=height)
    st.caption(md("map.attribution", ctx.lang, text=" · ".join(model.attribution)))
