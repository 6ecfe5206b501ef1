"""Map components: the map panel of other pages and the parts of the map page.

The decks are built by :mod:`dashboard.maps` (pure) and cached in :mod:`dashboard.cache`;
this module renders the KPI beside the map, the legend, the details panel of the clicked
item, the attribution, and the tables with their CSV downloads.
"""

from __future__ import annotations

import html


import pandas as pd
import streamlit as st

from . import charts, export, map_figure, maps
from .i18n import pick, t
from .present import escape_md, md, md_join, note_text, period_text, plot_text, source_text, value_text
from . import cache
from .components import TOPIC_CSS, comparability_note, lazy_expander, plain_table_html
from .session import Context

MAP_HEIGHT = maps.VIEW_HEIGHT
#: map | legend and side panel. maps.VIEW_WIDTH is the map's width at 1366×768 with the
#: sidebar open (the narrowest projector layout): the initial view is fitted to it.
MAP_COLUMNS = [2.8, 1.2]
#: a map panel narrower than this (px) has its legend under the map, not beside it
LEGEND_BESIDE_MIN = 480


def _token(cfg) -> str | None:
    """The base-map token from secrets (``[map] token``), only when a base map is configured."""
    if cfg.map.base_map is None:
        return None
    try:
        return st.secrets.get("map", {}).get("token")
    except Exception:  # noqa: BLE001 - no secrets file: no token
        return None


def model_and_deck(ctx: Context, provinces: list[str], vintage: str, focus: str | None,
                   measure: str | None, view_size: tuple[int, int] = (maps.VIEW_WIDTH, maps.VIEW_HEIGHT)):
    """The map (cached), its initial view fitted to a map of ``view_size`` pixels, at most
    a phone's map wide (:func:`dashboard.maps.fit_size`)."""
    return cache.model_and_deck(ctx.ds, provinces, ctx.lang, vintage, focus, measure, _token(ctx.cfg),
                                maps.fit_size(view_size))


def geo_for(ctx: Context) -> maps.Geo:
    return cache.geo(ctx.ds)


# ----------------------------------------------------------------------------- pieces

#: The legend beside the map (st.html sanitises it; every label is escaped here).
LEGEND_CSS = """
<style>
  .map-legend { font-size: 15px; line-height: 1.45; color: #1b1b1b; }
  .map-legend .head { font-weight: 700; font-size: 16px; margin-bottom: 2px; }
  .map-legend .row { margin: 0 0 4px 0; }
  .map-legend .item { display: inline-flex; align-items: center; gap: 4px; margin-right: 10px;
                      white-space: nowrap; }
  .map-legend .sw { display: inline-block; width: 14px; height: 14px; box-sizing: border-box; flex: none; }
  .map-legend .area { border: 2px solid; border-radius: 2px; }
  .map-legend .line { height: 0; border-top: 2px solid; width: 18px; }
  .map-legend .dash { height: 0; border-top: 2px dashed; width: 18px; }
  .map-legend .dot, .map-legend .ring { border-radius: 50%; border: 2px solid; }
  .map-legend .letter { font-weight: 700; width: auto; height: auto; }
</style>
"""


def _css_rgba(c) -> str:
    r, g, b, *a = [int(x) for x in c] + [255]
    return f"rgba({r},{g},{b},{round(a[0] / 255, 2)})"


def legend_html(ctx: Context, model: maps.MapModel, letters: bool = True) -> str:
    """The legend as HTML: swatches in the layers' colours, short labels (escaped).
    ``letters=False``: without the parks' kind letters (K, C, IT), for a map that draws
    no letters on its markers (the panel of a topic page)."""
    head = html.escape(t("map.legend_title", ctx.lang))
    out = [f'<div class="map-legend" data-testid="map-legend"><div class="head">{head}</div>']
    for row in maps.legend_rows(model, ctx.cfg, ctx.lang):
        items = []
        for e in row:
            if not letters and e["shape"] == "letter":
                continue
            label = html.escape(str(e["label"]))
            shape = e["shape"]
            if shape == "text":
                items.append(f'<span class="item">{label}</span>')
                continue
            if shape == "letter":
                sw = f'<span class="sw letter">{html.escape(e["mark"])}</span>'
            else:
                style = []
                if "fill" in e and shape not in ("line", "dash"):
                    style.append(f"background:{_css_rgba(e['fill'])}")
                if "line" in e:
                    style.append(f"border-color:{_css_rgba(e['line'])}")
                sw = f'<span class="sw {shape}" style="{";".join(style)}"></span>'
            items.append(f'<span class="item">{sw}{label}</span>')
        out.append(f'<div class="row">{"".join(items)}</div>')
    out.append("</div>")
    return LEGEND_CSS + "".join(out)


def legend(ctx: Context, model: maps.MapModel, letters: bool = True) -> None:
    """The legend, visible beside the map."""
    st.html(legend_html(ctx, model, letters))


def legend_details(ctx: Context) -> None:
    """The legend in full sentences (inside the "Chi tiết" expander)."""
    lang = ctx.lang
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


#: The side panel beside the map shows at most this many lines (title included); the
#: rest goes into its "Chi tiết" expander.
PANEL_LINES = 5


def kpis(ctx: Context, model: maps.MapModel) -> None:
    """Beside the map: the parks drawn per province (≤ PANEL_LINES lines), then "Chi tiết"
    with what each count means, the official counts and the legend in full."""
    lang = ctx.lang
    counts = maps.zone_counts(ctx.ds, model.zones, model.no_location, model.provinces, lang)
    with st.container(key="map_side"):
        lines = [f"**{t('map.kpi.title', lang)}**"]
        lines += [md_join(" · ", [c["name"], md("map.kpi.drawn", lang)]) + f": **{int(c['drawn'])}**"
                  for c in counts][:PANEL_LINES - 1]
        st.markdown("  \n".join(lines), help=t("map.kpi.drawn_help", lang))
        with st.expander(t("map.more", lang), icon=":material/info:"):
            for c in counts:
                st.markdown(md_join(" · ", [c["name"], md("map.kpi.drawn", lang)]) + f": **{int(c['drawn'])}**")
                st.caption(escape_md(c["note"]))
            legend_details(ctx)


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
    note = note_text(z, lang)
    if note:
        st.caption(md("map.details.zone_note", lang, note=note))


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
    if not model.no_location.empty:  # a few rows: a table drawn at once (no data grid to load)
        st.subheader(t("map.no_location_title", lang, n=len(model.no_location)))
        st.caption(t("map.no_location_hint", lang))
        nl = maps.zones_table(model.no_location, lang)
        st.html(TOPIC_CSS + plain_table_html(list(nl.columns), nl.astype(str).values.tolist(), "map-no-location"))
        _download(nl, "map-no-location", lang)
    # the two full tables: computed and sent only once opened (issue #9)
    box = lazy_expander(t("map.zones_title", lang, n=len(model.zones)), "map-zones-open", ":material/factory:")
    if box is not None:
        with box:
            zt = maps.zones_table(model.zones, lang)
            st.dataframe(zt, hide_index=True, width="stretch")
            _download(zt, "map-parks", lang)
    table = maps.drawn_table(model, lang)
    box = lazy_expander(t("map.table_title", lang, n=len(table)), "map-table-open", ":material/table:")
    if box is not None:
        with box:
            st.dataframe(table, hide_index=True, width="stretch")
            _download(table, "map-drawn", lang)


# ----------------------------------------------------------------------------- page

def _panel(ds, provinces: tuple, lang: str, width: int, height: int, title: str):
    """The panel's map model (legend, credit) and its plotly figure (:mod:`dashboard.map_figure`)."""
    from .config import get_config

    cfg = get_config()
    model = map_figure.panel_model(ds, cache.geo(ds), cfg, provinces, lang, width, height)
    fig = map_figure.panel_figure(ds, cache.geo(ds), cfg, provinces, lang, width, height, title, model)
    return model, fig


def map_page_link(ctx: Context) -> str:
    """Markdown link to the map page in the current view (the full interactive map)."""
    from urllib.parse import urlencode

    from .state import view_params

    page = next((e for e in ctx.cfg.pages if e.id == "map"), None)
    if page is None:
        return ""
    return f"[{md('map.open_full', ctx.lang)}](./{page.url_path}?{urlencode(view_params(ctx.view))})"


def map_panel(ctx: Context, key: str, height: int = maps.PANEL_HEIGHT, width: int = maps.PANEL_WIDTH,
              title: str = "") -> None:
    """A static map of the compared provinces for another page: a plotly figure (SVG,
    no deck.gl/WebGL: issue #9), its legend, the boundaries' credit and a link to the map
    page for the interactive map.

    ``width``: the panel's width in pixels at 1366×768 with the sidebar open (the narrowest
    projector layout; the default is a third of the main column). The initial ranges
    contain the compared provinces; labels and markers are sized for the narrower of
    ``width`` and a phone's map. A panel at least LEGEND_BESIDE_MIN px wide has its legend
    beside the map; a narrower one, right under it. ``title`` (plain text) is the figure's.
    """
    geo = geo_for(ctx)
    provinces = tuple(p for p in ctx.view.provinces if maps.province_feature(ctx.ds, geo, p, "2024") is not None)
    if not provinces:
        return
    beside = width >= LEGEND_BESIDE_MIN
    map_width = int((width - 16) * MAP_COLUMNS[0] / sum(MAP_COLUMNS)) if beside else width
    fit_width, _ = maps.fit_size((map_width, height))
    model, fig = cache.memo(_panel, ctx.ds, provinces, ctx.lang, fit_width, int(height),
                             charts.wrap_title(plot_text(title)) if title else "")
    if fig is None:
        return

    def draw():
        st.plotly_chart(fig, config=charts.chart_config(f"map-{key}"), key=f"map-{key}")

    if beside:
        left, right = st.columns(MAP_COLUMNS, gap="small")
        with left:
            draw()
        with right:
            legend(ctx, model, letters=False)
    else:
        draw()
        legend(ctx, model, letters=False)
    st.caption(md("map.attribution", ctx.lang, text=" · ".join(model.attribution)))
    link = map_page_link(ctx)
    if link:
        st.markdown(link)


# ----------------------------------------------------------------------------- national map

def _national(ds, indicator: str, year: str, provinces: tuple, lang: str, view_size: tuple, token):
    from .config import get_config

    cfg = get_config()
    model = maps.national_model(ds, cache.geo(ds), cfg, indicator, year, provinces, lang, view_size)
    deck = maps.national_deck(model, cfg, token)
    deck.to_json()  # serialise once: every session reuses the text
    return model, deck


def national_model_and_deck(ctx: Context, indicator: str, year: str, view_size=(maps.VIEW_WIDTH, MAP_HEIGHT)):
    """The national choropleth, built once per (data, indicator, year, provinces, lang)."""
    return cache.memo(_national, ctx.ds, indicator, year, tuple(ctx.view.provinces), ctx.lang,
                      maps.fit_size(view_size), _token(ctx.cfg))


def national_measures(ctx: Context) -> list[str]:
    return cache.memo(maps.national_measures, ctx.ds)


def national_years(ctx: Context, indicator: str) -> list[str]:
    return cache.memo(maps.national_years, ctx.ds, indicator)


def national_legend_html(ctx: Context, model: maps.NationalMap) -> str:
    """The choropleth's legend: title, how the classes were cut, one swatch per class
    (range and number of provinces), missing provinces, the compared provinces' outlines."""
    lang = ctx.lang
    esc = html.escape
    head = esc(t("map.national.legend_title", lang, indicator=model.title, year=model.year))
    out = [f'<div class="map-legend" data-testid="national-legend"><div class="head">{head}</div>',
           f'<div class="row" data-testid="national-method">{esc(model.method_text)}</div>']
    for e in maps.national_legend(model):
        cls = "sw area hatch" if e.get("missing") else "sw area"
        style = f"background:{_css_rgba(e['fill'])};border-color:rgba(120,120,120,1)"
        if e.get("missing"):
            style += (";background-image:repeating-linear-gradient(135deg,rgba(110,110,110,1) 0 1px,"
                      "transparent 1px 4px)")
        out.append(f'<div class="row"><span class="item"><span class="{cls}" style="{style}"></span>'
                   f'{esc(e["label"])} ({esc(str(e["count"]))})</span></div>')
    note = "map.national.rank_note" if model.classes.reverse else "map.national.value_note"
    out.append(f'<div class="row">{esc(t(note, lang))}</div>')
    if model.compared:
        items = []
        for i, pid in enumerate(model.compared):
            colour = maps._rgb(ctx.cfg.colour(pid, i))
            items.append(f'<span class="item"><span class="sw area" style="border:3px solid {_css_rgba(colour)}">'
                         f'</span>{esc(ctx.ds.province_name(pid, lang))}</span>')
        out.append(f'<div class="row">{esc(t("map.national.compared", lang))}</div><div class="row">{"".join(items)}</div>')
    out.append("</div>")
    return LEGEND_CSS + "".join(out)


def national_map(ctx: Context, indicator: str, year: str) -> None:
    """The map page in "Cả nước" mode: the choropleth, its legend, missing provinces,
    sources, attribution and the table of the 63 figures."""
    from .present import sources_line

    lang = ctx.lang
    st.caption(t("map.national.intro", lang))
    if ctx.view.vintage == "2025":
        st.info(t("map.national.vintage_note", lang), icon=":material/merge:")
    model, deck = national_model_and_deck(ctx, indicator, year)
    left, right = st.columns(MAP_COLUMNS, gap="small")
    with left:
        st.pydeck_chart(deck, key="map-national", height=MAP_HEIGHT)
    with right:
        st.html(national_legend_html(ctx, model))
    if model.missing:
        st.markdown(md("map.national.missing", lang, names=", ".join(model.missing)))
    else:
        st.caption(t("map.national.missing_none", lang, n=len(model.items), year=year))
    st.caption(sources_line(ctx.ds, model.sources, lang, as_md=True))
    st.caption(md("map.attribution", lang, text=" · ".join(model.attribution)))
    table = maps.national_table(model)
    with st.expander(t("map.national.table", lang, n=len(table)), icon=":material/table:"):
        st.dataframe(table, hide_index=True, width="stretch")
        _download(table, f"map-national-{indicator}-{year}", lang)
