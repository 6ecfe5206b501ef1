"""The map panel of a topic page as a plotly figure (SVG): no deck.gl, no WebGL (issue #9).

:func:`panel_figure` is pure: the dataset, the parsed boundaries and the configuration in,
a :class:`plotly.graph_objects.Figure` out. It draws what the map page's deck draws for the
compared provinces (2024 boundaries, :func:`dashboard.maps.map_model`): the provinces filled
lightly in their colours with a solid outline, neighbouring provinces in light grey,
district lines and names, and the industrial parks coloured by status (the deck's palette
and precision styles; parks without a location are not drawn). No base map and no
``layout.geo`` (plotly's geo fetches its topojson from a CDN): x = longitude, y = latitude,
the y axis scaled by 1/cos(mean latitude) so areas look right. One trace per kind of
element (polygons joined with ``None``), so the figure stays small.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import plotly.graph_objects as go

from . import maps
from .i18n import t
from .present import plot_text

#: degrees of margin around the compared provinces' box (a fraction of its larger side)
MARGIN_FRACTION = 0.04
#: the smallest text of the figure (px): place names are readable on a projector
MIN_FONT = 14
#: marker diameter bounds (px) of a park: its area at the fitted scale, within these
MARKER_MIN, MARKER_MAX = 9, 24


def _rgba(c: Iterable, alpha: float | None = None) -> str:
    r, g, b, *a = [int(x) for x in c] + [255]
    return f"rgba({r},{g},{b},{round((a[0] / 255) if alpha is None else alpha, 3)})"


def _xy(paths: Iterable[Iterable]) -> tuple[list, list]:
    """x and y of ``paths`` joined with ``None`` separators (one trace for all)."""
    xs: list = []
    ys: list = []
    for path in paths:
        pts = list(path)
        if len(pts) < 2:
            continue
        if xs:
            xs.append(None)
            ys.append(None)
        xs += [round(float(p[0]), 4) for p in pts]
        ys += [round(float(p[1]), 4) for p in pts]
    return xs, ys


def _exteriors(feature: maps.Feature, step: int = 1, decimals: int = maps.DECIMALS,
               min_area: float = 1e-4) -> list:
    """Exterior rings of ``feature`` (islands under ``min_area`` square degrees left out)."""
    return [maps._round_ring(poly[0], step, decimals) for poly in feature.polygons
            if abs(maps.ring_area_centroid(poly[0])[0]) > min_area]


def ranges(bounds: tuple, margin: float = MARGIN_FRACTION) -> tuple[list[float], list[float]]:
    """The initial x (lon) and y (lat) ranges: ``bounds`` with a small margin on every side."""
    lon0, lat0, lon1, lat1 = bounds
    pad = max(lon1 - lon0, lat1 - lat0, 0.05) * margin
    return [lon0 - pad, lon1 + pad], [lat0 - pad, lat1 + pad]


def px_per_degree(xr: list[float], yr: list[float], ratio: float, width: int, height: int) -> float:
    """Pixels per degree of longitude once plotly has fitted both ranges into the plot
    area (``scaleanchor`` widens one range: the smaller of the two scales wins)."""
    return min(width / (xr[1] - xr[0]), height / ((yr[1] - yr[0]) * ratio))


def thin(labels: list[dict], scale: float, ratio: float, size: int) -> list[dict]:
    """``labels`` (priority order) without those whose box would overlap an earlier one at
    ``scale`` px per degree of longitude (0.55 em per character, as maps.thin_labels)."""
    def box(lab: dict) -> tuple[float, float, float, float]:
        x, y = lab["lon"] * scale, lab["lat"] * scale * ratio
        half_w, half_h = len(lab["text"]) * size * 0.55 / 2 + 3, size * 0.65 + 2
        return (x - half_w, y - half_h, x + half_w, y + half_h)

    return maps.keep_apart(labels, box)


def zone_hover(rec, lang: str) -> str:
    """A park's hover text: name, kind, area (with its qualifier), status; data text escaped."""
    status = str(rec["status_label"]) + (f" ({rec['status_date']})" if rec.get("status_date") else "")
    lines = [f"<b>{plot_text(rec['name'])}</b>",
             plot_text(f"{rec['kind_label']} · {rec['province_name']}"),
             plot_text(t("map.zone.area", lang, area=rec["area_text"])),
             plot_text(t("map.zone.status", lang, status=status))]
    return "<br>".join(lines)


def panel_figure(ds, geo: maps.Geo, cfg, provinces: Iterable[str], lang: str,
                 width: int = maps.PANEL_WIDTH, height: int = maps.PANEL_HEIGHT,
                 title: str = "", model: maps.MapModel | None = None) -> go.Figure | None:
    """The map panel of ``provinces`` (2024 boundaries) as a plotly figure whose map is
    ``height`` px high (``title``: plotly text, escaped and wrapped by the caller, adds its
    lines); ``width`` is the narrowest it is drawn at (labels are thinned and markers sized
    for it, a wider map shows more around the provinces). ``None`` when no compared
    province has a boundary. ``model``: :func:`panel_model` of the same arguments, if at hand."""
    model = model or panel_model(ds, geo, cfg, provinces, lang, width, height)
    if not model.drawn_provinces:
        return None
    box = maps._union_bbox(d["feature"].bbox for d in model.drawn_provinces)
    xr, yr = ranges(box)
    lat_mid = (box[1] + box[3]) / 2
    ratio = 1 / math.cos(math.radians(lat_mid))
    size = max(MIN_FONT, int(cfg.chart.font_size))
    small = max(MIN_FONT, size - 2)  # district names: the smaller text, never under 14 px
    scale = px_per_degree(xr, yr, ratio, width, height)
    traces: list = []

    grey = list(cfg.map.neighbour_colour)[:3]
    nx, ny = _xy(r for f in model.neighbours for r in _exteriors(f, step=3, decimals=3))
    if nx:
        traces.append(go.Scatter(x=nx, y=ny, mode="lines", fill="toself", fillcolor=_rgba(grey, 0.45),
                                 line={"color": "white", "width": 1}, hoverinfo="skip", name="neighbours", meta="value-axis"))
    for d in model.drawn_provinces:
        colour = maps._rgb(d["colour"])
        px, py = _xy(_exteriors(d["feature"]))
        traces.append(go.Scatter(x=px, y=py, mode="lines", fill="toself", fillcolor=_rgba(colour, 0.16),
                                 line={"color": _rgba(colour), "width": 2.5}, hoverinfo="skip",
                                 name=plot_text(d["name"]), meta="value-axis"))
    lx, ly = _xy(p for d in model.drawn_provinces for p in d["lines"])
    if lx:
        traces.append(go.Scatter(x=lx, y=ly, mode="lines", line={"color": "rgba(60,60,60,0.55)", "width": 0.8},
                                 hoverinfo="skip", name="districts", meta="value-axis"))
    labels = [{"text": f.label(lang), "lon": f.centroid[0], "lat": f.centroid[1]}
              for d in model.drawn_provinces for f in sorted(d["districts"], key=lambda f: -f.area)]
    labels = thin(labels, scale, ratio, small)
    zones = model.zones
    if not zones.empty:
        diam = []
        px_per_m = scale / (111_320 * math.cos(math.radians(lat_mid)))
        for r in zones["radius"]:
            diam.append(round(min(max(2 * float(r) * px_per_m, MARKER_MIN), MARKER_MAX), 1))
        traces.append(go.Scatter(
            x=[round(float(v), 4) for v in zones["longitude"]], y=[round(float(v), 4) for v in zones["latitude"]],
            mode="markers", name="zones",
            marker={"size": diam, "color": [_rgba(c) for c in zones["fill"]],
                    "line": {"color": [_rgba(c) for c in zones["line"]],
                             "width": [float(w) for w in zones["line_width"]]}},
            hovertext=[zone_hover(rec, lang) for _, rec in zones.iterrows()], hoverinfo="text"))
    if labels:
        traces.append(go.Scatter(
            x=[round(lab["lon"], 4) for lab in labels], y=[round(lab["lat"], 4) for lab in labels],
            mode="text", text=[plot_text(lab["text"]) for lab in labels],
            textfont={"size": small, "color": "#1b1b1b"}, hoverinfo="skip", name="district-labels"))
    fig = go.Figure(traces)
    axis = {"visible": False, "showgrid": False, "zeroline": False, "showticklabels": False, "fixedrange": True}
    fig.update_layout(
        height=height, margin={"l": 2, "r": 2, "t": 2, "b": 2}, showlegend=False, dragmode=False,
        plot_bgcolor="white", paper_bgcolor="white", font={"size": size, "color": "#1b1b1b"},
        hoverlabel={"font": {"size": size}, "bgcolor": "white", "align": "left"}, hovermode="closest",
        xaxis={**axis, "range": xr}, yaxis={**axis, "range": yr, "scaleanchor": "x", "scaleratio": ratio},
    )
    if title:
        lines = title.count("<br>") + 1
        top = 14 + int(lines * cfg.chart.title_size * 1.3)
        total = height + top + 4
        first_line = 10 + cfg.chart.title_size * 1.05
        fig.update_layout(
            height=total, margin={"l": 2, "r": 2, "t": top, "b": 4},
            title={"text": title, "font": {"size": cfg.chart.title_size}, "x": 0, "xanchor": "left",
                   "xref": "container", "y": 1 - first_line / total, "yref": "container",
                   "yanchor": "bottom", "pad": {"l": 4}})
    return fig


def panel_model(ds, geo: maps.Geo, cfg, provinces: Iterable[str], lang: str,
                width: int = maps.PANEL_WIDTH, height: int = maps.PANEL_HEIGHT) -> maps.MapModel:
    """The map model the panel draws (for its legend, counts and attribution)."""
    return maps.map_model(ds, geo, cfg, provinces, lang, "2024", None, None, (width, height))
