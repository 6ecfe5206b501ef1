"""Map components: the map panel of other pages and the parts of the map page.

The decks are built by :mod:`dashboard.maps` (pure) and cached in :mod:`dashboard.cache`;
this module renders the KPI beside the map, the legend, the details panel of the clicked
item, the attribution, and the tables with their CSV downloads.
"""

from __future__ import annotations

import html


import pandas as pd
import streamlit as st

from . import export, maps
from .i18n import pick, t
from .present import escape_md, md, md_join, period_text, source_text, value_text
from . import cache
from .components import comparability_note
from .session import Context

MAP_HEIGHT = 560


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
    return cache.model_and_deck(ctx.ds, provinces, ctx.lang, vintage, focus, measure, _token(ctx.cfg))


def geo_for(ctx: Context) -> maps.Geo:
    return cache.geo(ctx.ds)


# ----------------------------------------------------------------------------- pieces

def legend(ctx: Context, model: maps.MapModel) -> None:
    lang = ctx.lang
    with st.expander(t("map.legend_title", lang), icon=":material/legend_toggle:", expanded=False):
        st.caption(t("map.legend_provinces", lang))
        st.caption(t("map.legend_status", lang, operating=t("map.status.operating", lang),
                     building=t("map.status.under_construction", lang), planned=t("map.status.planned", lang)))
        st.caption(t("map.legend_kind", lang))
        st.caption(t("map.legend_precision", lang))


def party_notes(ctx: Context, model: maps.MapModel) -> None:
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


def kpis(ctx: Context, model: maps.MapModel) -> None:
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


def details(ctx: Context, model: maps.MapModel, event) -> None:
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


def tables(ctx: Context, model: maps.MapModel) -> None:
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

def map_panel(ctx: Context, key: str, measure: str | None = None, height: int = 420) -> None:
    """A map of the compared provinces for another page (no controls, no selection)."""
    geo = geo_for(ctx)
    provinces = [p for p in ctx.view.provinces if maps.province_feature(ctx.ds, geo, p, "2024") is not None]
    if not provinces:
        return
    model, deck = model_and_deck(ctx, provinces, "2024", None, measure)
    st.pydeck_chart(deck, key=f"map-{key}", height=height)
    st.caption(md("map.attribution", ctx.lang, text=" · ".join(model.attribution)))
