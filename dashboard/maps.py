"""Map builders: our own GeoJSON in, a :class:`pydeck.Deck` out. No Streamlit here.

Offline by default
    No base map unless ``config.yaml`` sets ``map.base_map``. The deck is built with
    ``map_provider=None`` and pydeck's map-style *sentinel* (``"__MAP_STYLE__"``): Streamlit
    1.67's frontend drops the sentinel and draws no base map, whereas a deck whose
    ``mapStyle`` is missing (``map_style=None``) or empty is given Carto's style URL by the
    frontend, which then fetches tiles from the network.
Geometry
    :func:`load_geo` parses the GeoJSON files once per process (per path and file
    modification times), computes bounding boxes, area-weighted centroids (shoelace) and
    the district lines *inside* each province (edges shared by two districts): province
    and district outlines come from different surveys, so only inner lines are drawn.
Layers (ids)
    ``neighbours``, ``provinces``, ``old-provinces`` (2025 vintage, dashed), ``districts``,
    ``district-labels``, ``province-labels``, ``party``, ``party-districts``,
    ``party-labels``, ``zones``, ``zone-kinds``.
Tooltips
    One template for every layer: ``{tt_title}`` and ``{tt_body}`` (lines). Streamlit
    1.67 HTML-escapes every ``{field}`` value it substitutes into the tooltip template,
    so the values are plain text here (escaping them again would show ``&amp;``); only
    the template itself is HTML.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd
import pydeck as pdk

from . import fmt
from .compare import pair_for_concept
from .data import GEO_DIR, signature
from .i18n import pick, t
from .present import flags, period_text, source_short, source_text, value_text

PROVINCE_FILES = {"2024": "provinces_2024.geojson", "2025": "provinces_2025.geojson"}
#: District boundaries are every ``geo/districts_*.geojson`` (see ``data.district_files``).

MAP_STYLE_SENTINEL = "__MAP_STYLE__"  # pydeck's "no style given"; Streamlit draws no base map
DECIMALS = 4  # ~11 m: far below the 50-300 m simplification of the files
NEIGHBOUR_PAD = 0.35  # degrees around the compared provinces' box
#: The map page's map at its narrowest (1366×768 with the sidebar open: 2.8/4 of the
#: 906 px main column, ~620 px) and its height; the topic pages' map panel has the same
#: width, PANEL_HEIGHT high. Initial views are fitted to this size (a wider map shows more).
VIEW_WIDTH, VIEW_HEIGHT = 610, 480
#: The map panel of a topic page by default: a third of the main column at 1366×768
#: (the economy page lays its panels out in up to three columns), PANEL_HEIGHT high.
PANEL_WIDTH, PANEL_HEIGHT = 285, 420
#: A map on a phone (390×844): the main column less its padding, the map at full width.
#: Initial views are fitted to at most this width, so the compared provinces are whole on
#: a phone too (a wider map shows more around them).
PHONE_WIDTH = 350


def fit_size(view_size: tuple[int, int]) -> tuple[int, int]:
    """The size an initial view is fitted to: ``view_size``, at most a phone's map wide."""
    width, height = view_size
    return min(int(width), PHONE_WIDTH), int(height)

STATUS_COLOURS = {
    "operating": [27, 120, 55],
    "under_construction": [217, 140, 0],
    "planned": [117, 112, 179],
}
KIND_MARK = {"KCN": "K", "CCN": "C", "IT": "IT"}
PRECISIONS = ("surveyed", "approximate", "district_centroid")
RAMP = ([222, 235, 247], [8, 69, 148])  # choropleth: light -> dark blue
PARTY_TOPICS = ("party_enterprise", "party_school", "party_membership")

TOOLTIP_HTML = "<b>{tt_title}</b><div style='white-space:pre-line'>{tt_body}</div>"
#: The tooltip is a box in the map's lower left corner (mostly neighbours: the compared
#: provinces are fitted to the middle), as wide as its text allows and never wider
#: than the map: a tooltip that follows the pointer was cut off at the map's right edge
#: (issue #10; on a phone almost everywhere). deck.gl applies this style after placing
#: the tooltip at the pointer, so ``transform`` here replaces that placement.
TOOLTIP_STYLE = {"backgroundColor": "#ffffff", "color": "#1b1b1b", "fontSize": "15px", "lineHeight": "1.35",
                 "border": "1px solid #888", "borderRadius": "4px", "padding": "6px 9px",
                 "transform": "none", "top": "auto", "left": "8px", "bottom": "8px",
                 "maxWidth": "min(320px, calc(100% - 16px))", "whiteSpace": "normal",
                 "overflowWrap": "anywhere", "boxShadow": "0 1px 4px rgba(0,0,0,.25)"}
#: The national map's: lower right, over the sea (the south of the country is on the left).
NATIONAL_TOOLTIP_STYLE = {**TOOLTIP_STYLE, "left": "auto", "right": "8px"}


# ----------------------------------------------------------------------------- geometry

Ring = list[tuple[float, float]]
Polygon = list[Ring]


@dataclass(frozen=True)
class Feature:
    """One boundary feature, parsed."""

    code: str
    props: dict
    polygons: tuple  # tuple of polygons, each a tuple of rings of (lon, lat)
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
    centroid: tuple[float, float]
    area: float  # planar, square degrees (weights only)

    @property
    def name(self) -> str:
        return str(self.props.get("name", self.code))

    def label(self, lang: str) -> str:
        if lang == "en" and self.props.get("name_en"):
            return str(self.props["name_en"])
        return self.name


@dataclass(frozen=True)
class Geo:
    """The parsed boundary files of a data folder."""

    provinces: dict  # vintage -> {code: Feature}
    districts: dict  # code -> Feature (props: name, name_en, province_code, ...)
    inner_lines: dict  # province code -> list of paths (district lines inside the province)
    attribution: dict  # file stem -> attribution text (from the file's metadata)
    #: file stem -> Vietnamese attribution (metadata ``attribution_vi``), where the file has one
    attribution_vi: dict = field(default_factory=dict)

    def district_centroid(self, codes: Iterable[str]) -> tuple[float, float] | None:
        """Centroid of the union of ``codes`` (area-weighted; districts do not overlap)."""
        feats = [self.districts[c] for c in codes if c in self.districts]
        total = sum(f.area for f in feats)
        if not feats or total <= 0:
            return None
        lon = sum(f.centroid[0] * f.area for f in feats) / total
        lat = sum(f.centroid[1] * f.area for f in feats) / total
        return (lon, lat)


def ring_area_centroid(ring: Ring) -> tuple[float, float, float]:
    """Signed shoelace area and centroid of a closed or open ring."""
    pts = list(ring)
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    n = len(pts)
    if n < 3:
        return 0.0, (pts[0][0] if pts else 0.0), (pts[0][1] if pts else 0.0)
    a = cx = cy = 0.0
    x0, y0 = pts[0]  # shift for numerical stability
    for i in range(n):
        x1, y1 = pts[i][0] - x0, pts[i][1] - y0
        x2, y2 = pts[(i + 1) % n][0] - x0, pts[(i + 1) % n][1] - y0
        cross = x1 * y2 - x2 * y1
        a += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    a /= 2.0
    if a == 0:
        return 0.0, x0, y0
    return a, cx / (6 * a) + x0, cy / (6 * a) + y0


def polygons_area_centroid(polygons: Iterable[Polygon]) -> tuple[float, tuple[float, float]]:
    """Area and area-weighted centroid of polygons with holes (first ring = exterior)."""
    w = sx = sy = 0.0
    for poly in polygons:
        for i, ring in enumerate(poly):
            a, cx, cy = ring_area_centroid(ring)
            a = abs(a) if i == 0 else -abs(a)
            w += a
            sx += a * cx
            sy += a * cy
    if w <= 0:
        pts = [p for poly in polygons for ring in poly for p in ring]
        if not pts:
            return 0.0, (0.0, 0.0)
        return 0.0, (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
    return w, (sx / w, sy / w)


def _polygons(geometry: dict | None) -> tuple:
    if not geometry:
        return ()
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polys = coords if kind == "MultiPolygon" else [coords] if kind == "Polygon" else []
    return tuple(tuple(tuple((float(p[0]), float(p[1])) for p in ring) for ring in poly) for poly in polys)


def _feature(raw: dict) -> Feature | None:
    props = dict(raw.get("properties") or {})
    code = str(props.get("code", "")).strip()
    polys = _polygons(raw.get("geometry"))
    if not code or not polys:
        return None
    pts = [p for poly in polys for p in poly[0]]
    bbox = (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))
    area, centroid = polygons_area_centroid(polys)
    return Feature(code, props, polys, bbox, centroid, area)


def _read(path: Path) -> tuple[list[Feature], str, str]:
    """Features, the attribution and its Vietnamese version (``attribution_vi``) of a file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [], "", ""
    feats = [f for f in (_feature(r) for r in data.get("features") or []) if f is not None]
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    return feats, str(meta.get("attribution") or ""), str(meta.get("attribution_vi") or "")


def inner_lines(features: Iterable[Feature]) -> list[list[list[float]]]:
    """Edges shared by two of ``features``, chained into paths (rounded coordinates)."""
    count: dict[tuple, int] = {}
    for f in features:
        for poly in f.polygons:
            for ring in poly:
                for a, b in zip(ring, ring[1:]):
                    if a != b:
                        key = (a, b) if a < b else (b, a)
                        count[key] = count.get(key, 0) + 1
    shared = [k for k, n in count.items() if n >= 2]
    adj: dict[tuple, list[tuple]] = {}
    for a, b in shared:
        adj.setdefault(a, []).append(b)
        adj.setdefault(b, []).append(a)
    used: set[tuple] = set()
    paths: list[list[list[float]]] = []

    def walk(start: tuple, nxt: tuple) -> list[tuple]:
        path = [start]
        prev, cur = start, nxt
        used.add((prev, cur) if prev < cur else (cur, prev))
        while True:
            path.append(cur)
            if len(adj[cur]) != 2:
                break
            cand = [p for p in adj[cur] if ((cur, p) if cur < p else (p, cur)) not in used]
            if not cand:
                break
            prev, cur = cur, cand[0]
            used.add((prev, cur) if prev < cur else (cur, prev))
        return path

    starts = [p for p, nb in adj.items() if len(nb) != 2] + list(adj)
    for s in starts:
        for nb in adj[s]:
            if ((s, nb) if s < nb else (nb, s)) not in used:
                paths.append([[round(x, DECIMALS), round(y, DECIMALS)] for x, y in walk(s, nb)])
    return paths


@lru_cache(maxsize=4)
def _load_geo(path: str, signature: tuple) -> Geo:  # noqa: ARG001 - signature is the cache key
    geo_dir = Path(path) / GEO_DIR
    provinces, attribution, attribution_vi = {}, {}, {}
    for vintage, name in PROVINCE_FILES.items():
        feats, attr, attr_vi = _read(geo_dir / name)
        provinces[vintage] = {f.code: f for f in feats}
        attribution[Path(name).stem], attribution_vi[Path(name).stem] = attr, attr_vi
    districts: dict[str, Feature] = {}
    for name in (p.name for p in sorted(geo_dir.glob("districts_*.geojson"))):
        feats, attr, attr_vi = _read(geo_dir / name)
        districts.update({f.code: f for f in feats})
        attribution[Path(name).stem], attribution_vi[Path(name).stem] = attr, attr_vi
    by_province: dict[str, list[Feature]] = {}
    for f in districts.values():
        by_province.setdefault(str(f.props.get("province_code", "")), []).append(f)
    lines = {code: inner_lines(feats) for code, feats in by_province.items()}
    return Geo(provinces, districts, lines, attribution, attribution_vi)


def attribution_text(geo: Geo, stem: str, lang: str) -> str:
    """The map credit of one boundary file in ``lang``: the Vietnamese text on Vietnamese
    pages; where a file has none, its attribution marked ``(English)``."""
    text = geo.attribution.get(stem, "")
    if lang == "vi":
        return geo.attribution_vi.get(stem) or (f"{text} (English)" if text else "")
    return text


def load_geo(data_dir: Path | str) -> Geo:
    """The boundaries of ``data_dir/geo``, parsed once per process and file change."""
    path = Path(data_dir).resolve()
    return _load_geo(str(path), signature(path, geo_only=True))


# ----------------------------------------------------------------------------- helpers

def _plain(text: Any) -> str:
    """Text for a tooltip field: braces would be read as template fields by the frontend."""
    return str(text).replace("{", "(").replace("}", ")")


def _rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    h = hex_colour.lstrip("#")
    if len(h) != 6:
        return [73, 80, 87, alpha]
    return [int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), alpha]


def _round_ring(ring: Ring, step: int = 1, decimals: int = DECIMALS) -> list[list[float]]:
    pts = list(ring)
    if step > 1 and len(pts) > 60:
        pts = pts[::step] + [pts[-1]]
    return [[round(x, decimals), round(y, decimals)] for x, y in pts]


def _geometry(feature: Feature, step: int = 1, decimals: int = DECIMALS) -> dict:
    """GeoJSON geometry with rounded coordinates; ``step`` > 1 keeps every step-th vertex
    of long rings (grey context only: neighbours need no detail)."""
    return {"type": "MultiPolygon",
            "coordinates": [[_round_ring(r, step, decimals) for r in poly] for poly in feature.polygons
                            if step == 1 or abs(ring_area_centroid(poly[0])[0]) > 1e-4]}


def _outline_paths(feature: Feature, min_area: float = 1e-4) -> list[list[list[float]]]:
    """Exterior rings (islands smaller than ``min_area`` square degrees left out)."""
    return [_round_ring(poly[0]) for poly in feature.polygons if abs(ring_area_centroid(poly[0])[0]) > min_area]


def dashes(path: list[list[float]], dash: float = 0.015, gap: float = 0.01) -> list[list[list[float]]]:
    """Cut a path into dash pieces (lengths in degrees): dashed lines with no extension."""
    out: list[list[list[float]]] = []
    on, left = True, dash
    cur: list[list[float]] = [path[0]] if path else []
    for (x1, y1), (x2, y2) in zip(path, path[1:]):
        seg = math.hypot(x2 - x1, y2 - y1)
        pos = 0.0
        while seg - pos > left:
            pos += left
            f = pos / seg
            pt = [round(x1 + (x2 - x1) * f, DECIMALS), round(y1 + (y2 - y1) * f, DECIMALS)]
            if on:
                cur.append(pt)
                out.append(cur)
            cur = [pt]
            on = not on
            left = dash if on else gap
        left -= seg - pos
        if on:
            cur.append([x2, y2])
    if on and len(cur) > 1:
        out.append(cur)
    return [piece for piece in out if piece[0] != piece[-1]]


def _union_bbox(boxes: Iterable[tuple]) -> tuple | None:
    boxes = list(boxes)
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _overlaps(a: tuple, b: tuple) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


TILE_SIZE = 512  # deck.gl's world size at zoom 0, in pixels
FIT_MARGIN = 24  # pixels kept free around the fitted box
MAX_ZOOM = 14.0


def _merc_y(lat: float) -> float:
    """Web Mercator y (radians) of a latitude."""
    lat = max(min(lat, 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _merc_lat(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def fit_view(bounds: tuple, width_px: int = VIEW_WIDTH, height_px: int = VIEW_HEIGHT,
             margin_px: int = FIT_MARGIN) -> tuple[float, float, float]:
    """``(latitude, longitude, zoom)`` that shows ``bounds`` whole in a map of
    ``width_px`` × ``height_px`` pixels (deck.gl's Web Mercator view), with ``margin_px``
    free on every side.

    ``bounds`` is ``(min lon, min lat, max lon, max lat)``. The zoom is rounded *down*
    (to 0.01), so the box always fits; a wider or taller map shows more around it.
    """
    lon0, lat0, lon1, lat1 = bounds
    y0, y1 = _merc_y(lat0), _merc_y(lat1)
    w = max(width_px - 2 * margin_px, 1)
    h = max(height_px - 2 * margin_px, 1)
    dx = max(lon1 - lon0, 1e-4) / 360 * TILE_SIZE  # pixels at zoom 0
    dy = max(y1 - y0, 1e-6) / (2 * math.pi) * TILE_SIZE
    zoom = min(math.log2(w / dx), math.log2(h / dy), MAX_ZOOM)
    zoom = math.floor(max(zoom, 1.0) * 100) / 100
    lat_c = _merc_lat((y0 + y1) / 2)
    return round(lat_c, 5), round((lon0 + lon1) / 2, 5), zoom


def visible_bounds(latitude: float, longitude: float, zoom: float, width_px: int,
                   height_px: int) -> tuple[float, float, float, float]:
    """The ``(min lon, min lat, max lon, max lat)`` a map of that size shows (no pitch)."""
    scale = TILE_SIZE * 2 ** zoom
    half_lon = width_px / 2 / scale * 360
    yc = _merc_y(latitude)
    half_y = height_px / 2 / scale * 2 * math.pi
    return (longitude - half_lon, _merc_lat(yc - half_y), longitude + half_lon, _merc_lat(yc + half_y))


def view_state(bounds: tuple | None, width_px: int = VIEW_WIDTH, height_px: int = VIEW_HEIGHT) -> dict:
    """The deck's initial view: ``bounds`` fitted (:func:`fit_view`), else northern Vietnam."""
    if bounds is None:
        return {"latitude": 21.0, "longitude": 106.0, "zoom": 6.0}
    lat, lon, zoom = fit_view(bounds, width_px, height_px)
    return {"latitude": lat, "longitude": lon, "zoom": zoom}


def province_feature(ds, geo: Geo, pid: str, vintage: str = "2024") -> Feature | None:
    """The boundary of province ``pid`` in ``vintage`` (a 2024 id maps to its 2025 unit)."""
    prov = ds.provinces.get(pid)
    if prov is None:
        return None
    if vintage == "2025" and prov.vintage == "2024":
        if not (prov.merger and prov.merger.into in ds.provinces):
            return geo.provinces.get("2025", {}).get(prov.gso_code or "")
        prov = ds.provinces[prov.merger.into]
    if vintage == "2024" and prov.vintage == "2025":
        return None
    return geo.provinces.get(vintage, {}).get(prov.gso_code or "")


def _province_of_code(ds, code: str, vintage: str) -> str | None:
    for pid, p in ds.provinces.items():
        if p.gso_code == code and p.vintage == vintage:
            return pid
    return None


# ----------------------------------------------------------------------------- zones

ZONE_COLUMNS = ["id", "province", "province_name", "name", "kind", "kind_label", "district_names",
                "area", "area_text", "status", "status_label", "status_date", "occupancy_text",
                "source", "source_text", "precision", "precision_label", "longitude", "latitude",
                "radius", "fill", "line", "line_width", "mark", "tt_title", "tt_body"]


def _zone_area_text(z: pd.Series, lang: str) -> str:
    if pd.isna(z["area"]):
        return t("map.zone.area_unknown", lang)
    qual = {"": "", ">": ">", "<": "<", "~": "~"}.get(str(z.get("area_qualifier") or ""), "")
    return qual + fmt.number(str(z["area_ha"]), lang) + " ha"


def zones_frame(ds, geo: Geo, lang: str, provinces: Iterable[str] | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parks to draw (with their placement and style) and parks with no location at all.

    A park with coordinates is drawn there (``surveyed`` or ``approximate``); one without is
    placed at the centroid of its district(s) (``district_centroid``, drawn hollow, and
    its tooltip says "approximate"); one whose district is unknown too goes to the second
    frame. Parks placed at the same centroid are spread on a small circle around it.
    """
    zones = ds.zones
    if provinces is not None:
        zones = zones[zones["province"].isin(list(provinces))]
    drawn, missing = [], []
    for _, z in zones.iterrows():
        codes = [c for c in str(z["districts"] or "").split(";") if c]
        dnames = [pick(_district_name(ds, geo, c, lang), lang) for c in codes]
        src = ds.sources.get(z["source"])
        occ = "" if pd.isna(z["occupancy"]) else fmt.percent(str(z["occupancy_pct"]), lang)
        if occ and z.get("occupancy_date"):
            occ += f" ({period_text(str(z['occupancy_date']), lang)})"
        status = str(z["status"])
        rec = {
            "id": z["id"], "province": z["province"], "province_name": ds.province_name(z["province"], lang),
            "name": z["name"], "kind": z["kind"], "kind_label": t(f"map.kind.{z['kind']}", lang),
            "district_names": ", ".join(dnames), "area": None if pd.isna(z["area"]) else float(z["area"]),
            "area_text": _zone_area_text(z, lang), "status": status,
            "status_label": t(f"map.status.{status}", lang),
            "status_date": period_text(str(z["status_date"]), lang) if z.get("status_date") else "",
            "occupancy_text": occ, "source": z["source"], "source_text": source_text(src, lang),
        }
        if pd.notna(z["latitude"]) and pd.notna(z["longitude"]):
            precision = str(z["location_precision"])
            precision = precision if precision in ("surveyed", "approximate") else "approximate"
            lon, lat = float(z["longitude"]), float(z["latitude"])
        else:
            centre = geo.district_centroid(codes)
            if centre is None:
                missing.append(rec)
                continue
            precision, (lon, lat) = "district_centroid", centre
        rec.update(precision=precision, longitude=lon, latitude=lat)
        drawn.append(rec)
    _spread(drawn)
    for rec in drawn:
        _style_zone(rec, lang)
    df = pd.DataFrame(drawn, columns=ZONE_COLUMNS)
    no_loc = pd.DataFrame(missing, columns=[c for c in ZONE_COLUMNS if c in missing[0]] if missing else
                          ["id", "province", "province_name", "name", "kind", "kind_label", "district_names",
                           "area", "area_text", "status", "status_label", "status_date", "occupancy_text",
                           "source", "source_text"])
    return df, no_loc


def _district_name(ds, geo: Geo, code: str, lang: str) -> str:
    f = geo.districts.get(code)
    if f is not None:
        return f.label(lang)
    return str(ds.districts.get(code, {}).get("name", code))


def _spread(recs: list[dict], step: float = 0.012) -> None:
    groups: dict[tuple, list[dict]] = {}
    for r in recs:
        if r["precision"] == "district_centroid":
            groups.setdefault((round(r["longitude"], 5), round(r["latitude"], 5)), []).append(r)
    for (lon, lat), members in groups.items():
        n = len(members)
        if n < 2:
            continue
        radius = step * (1 + n / 6)
        for k, r in enumerate(sorted(members, key=lambda m: m["id"])):
            ang = 2 * math.pi * k / n
            r["longitude"] = lon + radius * math.cos(ang) / math.cos(math.radians(lat))
            r["latitude"] = lat + radius * math.sin(ang)


def _style_zone(rec: dict, lang: str) -> None:
    colour = STATUS_COLOURS.get(rec["status"], [90, 90, 90])
    precision = rec["precision"]
    area = rec["area"]
    rec["radius"] = round(math.sqrt(area * 10_000 / math.pi), 1) if area else 250.0
    if precision == "surveyed":
        rec["fill"], rec["line"], rec["line_width"] = colour + [235], [255, 255, 255, 255], 1.5
    elif precision == "approximate":
        rec["fill"], rec["line"], rec["line_width"] = colour + [150], [40, 40, 40, 255], 1.5
    else:
        rec["fill"], rec["line"], rec["line_width"] = colour + [40], colour + [255], 3.0
    rec["precision_label"] = (t("map.precision.district_centroid", lang, districts=rec["district_names"])
                              if precision == "district_centroid" else t(f"map.precision.{precision}", lang))
    rec["mark"] = KIND_MARK.get(rec["kind"], rec["kind"])
    rec["longitude"], rec["latitude"] = round(rec["longitude"], 5), round(rec["latitude"], 5)
    lines = [f"{rec['kind_label']} · {rec['province_name']}"]
    lines.append(t("map.zone.district", lang, districts=rec["district_names"] or "—"))
    lines.append(t("map.zone.area", lang, area=rec["area_text"]))
    status = rec["status_label"] + (f" ({rec['status_date']})" if rec["status_date"] else "")
    lines.append(t("map.zone.status", lang, status=status))
    lines.append(t("map.zone.occupancy", lang, occupancy=rec["occupancy_text"] or "—"))
    lines.append(t("map.zone.location", lang, location=rec["precision_label"]))
    lines.append(t("map.zone.source", lang, source=rec["source_text"]))
    rec["tt_title"] = _plain(rec["name"])
    rec["tt_body"] = _plain("\n".join(lines))


def zone_counts(ds, drawn: pd.DataFrame, no_location: pd.DataFrame, provinces: Iterable[str],
                lang: str) -> list[dict]:
    """Per province: parks drawn (by kind and status), parks without location, official counts.

    ``official`` holds the newest province figures of the industrial-park indicators (KCN,
    operating KCN, CCN) so the page can show them beside the count drawn, and ``note``
    explains the difference (the list includes planned and under-construction parks).
    """
    out = []
    for pid in provinces:
        d = drawn[drawn["province"] == pid] if not drawn.empty else drawn
        m = no_location[no_location["province"] == pid] if not no_location.empty else no_location
        listed = pd.concat([d[["kind", "status"]], m[["kind", "status"]]]) if len(m) else d[["kind", "status"]]
        by_status = {s: int((listed["status"] == s).sum()) for s in STATUS_COLOURS}
        by_kind = {k: int((listed["kind"] == k).sum()) for k in KIND_MARK}
        official = []
        for ind_id in ("industrial_parks", "industrial_parks_operating", "industrial_clusters"):
            if ind_id in ds.indicators:
                row = ds.latest(pid, ind_id)
                if row is not None:
                    official.append(row)
        parts = [t("map.kpi.listed", lang, n=len(listed), operating=by_status["operating"],
                   building=by_status["under_construction"], planned=by_status["planned"])]
        if len(m):
            parts.append(t("map.kpi.no_location", lang, n=len(m)))
        for row in official:
            ind = ds.indicators[row["indicator"]]
            parts.append(t("map.kpi.official", lang, title=pick(ind.short, lang) or pick(ind.title, lang),
                           value=value_text(row, ind, lang), period=period_text(row["period"], lang)))
        kcn_official = [r for r in official if r["indicator"] in ("industrial_parks", "industrial_parks_operating")]
        established = by_kind["KCN"] and int(((listed["kind"] == "KCN") & (listed["status"] == "operating")).sum())
        if kcn_official and any(int(float(r["value"])) != established for r in kcn_official):
            parts.append(t("map.kpi.differs", lang))
        elif not official:
            parts.append(t("map.kpi.no_official", lang))
        out.append({"province": pid, "name": ds.province_name(pid, lang), "drawn": len(d), "no_location": len(m),
                    "listed": len(listed), "by_status": by_status, "by_kind": by_kind,
                    "operating_kcn": established or 0, "official": official, "note": " ".join(parts)})
    return out


# ----------------------------------------------------------------------------- party layer

@dataclass
class PartyData:
    """What the party layer draws for one measure (a concept of the party topics)."""

    measure: str | None
    mode: str = "none"  # "choropleth" (comparable), "columns" (not comparable), "none"
    comparable: bool = False
    reasons: list[str] = field(default_factory=list)
    rows: dict = field(default_factory=dict)  # province -> value row or None
    items: list[dict] = field(default_factory=list)  # one per province drawn
    legend: list[dict] = field(default_factory=list)  # {label, colour}
    district_items: list[dict] = field(default_factory=list)
    district_state: str = "none"  # "none" (no district data yet) or "present"
    title: str = ""


def party_measures(ds, provinces: Iterable[str]) -> list[str]:
    """Concepts of the party topics with at least one province figure for ``provinces``."""
    provinces = list(provinces)
    out = []
    for ind in ds.indicators.values():
        if ind.topic in PARTY_TOPICS and ind.concept not in out:
            if not ds.rows(concept=ind.concept, provinces=provinces).empty:
                out.append(ind.concept)
    return out


def measure_title(ds, concept: str, lang: str) -> str:
    return ds.concept_title(concept, lang)


def _figure_lines(ds, row: pd.Series, lang: str) -> list[str]:
    ind = ds.indicators[row["indicator"]]
    lines = [f"{pick(ind.title, lang)}: {value_text(row, ind, lang)}",
             t("map.party.period", lang, period=period_text(row["period"], lang))]
    if row["qualifier"]:
        lines.append(t(f"map.party.qualifier.{row['qualifier']}", lang))
    if row.get("estimate"):
        lines.append(t("figure.estimate", lang))
    lines.append(t("map.zone.source", lang, source=source_text(ds.sources.get(row["source"]), lang)))
    return lines


def _ramp(frac: float, alpha: int = 200) -> list[int]:
    frac = min(1.0, max(0.0, frac))
    return [round(a + (b - a) * frac) for a, b in zip(*RAMP)] + [alpha]


def party_layer_data(ds, geo: Geo, cfg, provinces: Iterable[str], measure: str | None,
                     lang: str) -> PartyData:
    """Figures of ``measure`` per province (and per district where the data has one).

    Provinces share one colour scale only when :func:`dashboard.compare.comparability`
    says the figures are comparable; otherwise they are drawn as columns of one height,
    each labelled with its own figure, and ``reasons`` say why.
    """
    provinces = list(provinces)
    if not measure:
        return PartyData(None)
    comp = pair_for_concept(ds, measure, provinces)
    data = PartyData(measure, comparable=comp.comparable, reasons=list(comp.reasons), rows=dict(comp.rows),
                     title=measure_title(ds, measure, lang))
    present = comp.present
    if not present:
        data.mode = "none"
    else:
        data.mode = "choropleth" if comp.comparable else "columns"
    top = max([float(r["value"]) for r in present.values()] + [0.0])
    for i, pid in enumerate(provinces):
        row = comp.rows.get(pid)
        feat = province_feature(ds, geo, pid, "2024")
        if row is None or feat is None:
            continue
        ind = ds.indicators[row["indicator"]]
        colour = _ramp(float(row["value"]) / top if top else 1.0) if comp.comparable else _rgb(cfg.colour(pid, i), 230)
        label = f"{ds.province_name(pid, lang)}: {value_text(row, ind, lang)}"
        data.items.append({
            "province": pid, "name": ds.province_name(pid, lang), "indicator": row["indicator"],
            "period": row["period"], "value": float(row["value"]), "value_text": value_text(row, ind, lang),
            "qualifier": row["qualifier"], "source": row["source"], "colour": colour,
            "longitude": round(feat.centroid[0], 5), "latitude": round(feat.centroid[1], 5),
            "label": label, "feature": feat,
            "tt_title": _plain(ds.province_name(pid, lang)), "tt_body": _plain("\n".join(_figure_lines(ds, row, lang))),
        })
        data.legend.append({"label": f"{label} ({period_text(row['period'], lang)})", "colour": colour})
    # District figures of the same indicators and periods as the province figures shown.
    keys = {(p, r["indicator"], r["period"]) for p, r in present.items()}
    drows = ds.rows(concept=measure, provinces=provinces, district=True)
    drows = drows[drows["district"] != ""]
    drows = drows[[k in keys for k in zip(drows["province"], drows["indicator"], drows["period"])]]
    if not drows.empty:
        data.district_state = "present"
        for pid, grp in drows.groupby("province", sort=False):
            dtop = float(grp["value"].max()) or 1.0
            for _, row in grp.iterrows():
                feat = geo.districts.get(row["district"])
                if feat is None:
                    continue
                data.district_items.append({
                    "province": pid, "district": row["district"], "name": feat.label(lang),
                    "value_text": value_text(row, ds.indicators[row["indicator"]], lang),
                    "period": row["period"], "source": row["source"],
                    "colour": _ramp(float(row["value"]) / dtop), "feature": feat,
                    "tt_title": _plain(feat.label(lang)), "tt_body": _plain("\n".join(_figure_lines(ds, row, lang))),
                })
    return data


# ----------------------------------------------------------------------------- the deck

#: Labels in the app's own (bundled) font, falling back to any sans-serif; deck.gl's
#: default is a monospace font.
LABEL_FONT = '"Source Sans", "Source Sans Pro", "DejaVu Sans", sans-serif'

#: Place names are the deck's last layers, so no marker hides them, each on a light
#: background box; names that would overlap at the initial view are thinned here
#: (:func:`thin_labels`: the larger district keeps its name). NOTE: deck.gl's
#: CollisionFilterExtension is registered by Streamlit 1.67 but did not thin overlapping
#: names in Chromium (software WebGL), so the thinning is done when the deck is built.
LABEL_BACKGROUND = [255, 255, 255, 215]
LABEL_SIZE = 15  # px


def label_style(priority: int = 0) -> dict:  # noqa: ARG001 - kept for callers' readability
    """TextLayer arguments for place names drawn above markers (see LABEL_BACKGROUND)."""
    return {"background": True, "get_background_color": LABEL_BACKGROUND, "background_padding": [4, 2, 4, 2]}


def thin_labels(labels: list[dict], view: dict, size: int = LABEL_SIZE) -> list[dict]:
    """``labels`` (in priority order) without those whose box would overlap an earlier
    one at ``view``'s zoom: the box is estimated from the text length (0.55 em per
    character) and the font size, plus the background padding."""
    scale = TILE_SIZE * 2 ** float(view.get("zoom", 6.0))

    def box(lab: dict) -> tuple[float, float, float, float]:
        x = lab["longitude"] / 360 * scale
        y = -_merc_y(lab["latitude"]) / (2 * math.pi) * scale
        half_w = len(str(lab["text"])) * size * 0.55 / 2 + 5
        half_h = size * 0.75 + 3
        return (x - half_w, y - half_h, x + half_w, y + half_h)

    return keep_apart(labels, box)


def keep_apart(labels: list[dict], box_of: Callable[[dict], tuple]) -> list[dict]:
    """``labels`` in priority order without those whose box (x0, y0, x1, y1 in pixels)
    overlaps the box of a label kept before it."""
    kept, boxes = [], []
    for lab in labels:
        box = box_of(lab)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
            continue
        boxes.append(box)
        kept.append(lab)
    return kept

#: NOTE: pydeck turns every string property into a JavaScript expression ("@@=auto"); these
#: deck.gl properties take plain strings, and an expression breaks them (the TextLayer
#: then fails with "function is not iterable" and draws no Vietnamese labels).
LITERAL_PROPS = ("characterSet", "sizeUnits", "radiusUnits", "lineWidthUnits", "widthUnits",
                 "billboard", "fontFamily", "textAnchor", "alignmentBaseline")


class CompactDeck(pdk.Deck):
    """A deck whose JSON is compact (pydeck indents it: 4x the bytes) and built once.

    The deck must not be changed after its first ``to_json()``: the text is kept.
    """

    def to_json(self) -> str:
        cached = getattr(self, "_compact_json", None)
        if cached is None:
            spec = json.loads(super().to_json())
            for layer in spec.get("layers", []):
                for key in LITERAL_PROPS:
                    value = layer.get(key)
                    if isinstance(value, str) and value.startswith("@@="):
                        layer[key] = value[3:]
            cached = json.dumps(spec, separators=(",", ":"), ensure_ascii=False)
            self._compact_json = cached
        return cached


@dataclass
class MapModel:
    """Everything one map draws, for the deck and for the tables beside it."""

    provinces: list[str]
    vintage: str
    focus: str | None
    lang: str
    drawn_provinces: list[dict]  # {id, name, code, feature, colour}
    neighbours: list[Feature]
    old_provinces: list[Feature]
    zones: pd.DataFrame
    no_location: pd.DataFrame
    party: PartyData
    view: dict
    attribution: list[str]
    merger_notes: list[dict] = field(default_factory=list)


def focus_province(ds, focus: str | None, provinces: Iterable[str]) -> str | None:
    """The province the view zooms to: ``focus`` itself, or the province of a focused park."""
    provinces = list(provinces)
    if not focus:
        return None
    if focus in provinces:
        return focus
    zones = ds.zones
    if not zones.empty:
        hit = zones[zones["id"] == focus]
        if not hit.empty and hit.iloc[0]["province"] in provinces:
            return str(hit.iloc[0]["province"])
    return None


def map_model(ds, geo: Geo, cfg, provinces: Iterable[str], lang: str, vintage: str = "2024",
              focus: str | None = None, measure: str | None = None,
              view_size: tuple[int, int] = (VIEW_WIDTH, VIEW_HEIGHT)) -> MapModel:
    """What one map draws. ``view_size`` is the map's size in pixels (the narrowest it is
    drawn at): the initial view fits the compared (or focused) provinces into it."""
    provinces = [p for p in provinces if p in ds.provinces]
    vintage = vintage if vintage in PROVINCE_FILES else "2024"
    drawn, seen = [], set()
    for i, pid in enumerate(provinces):
        feat = province_feature(ds, geo, pid, vintage)
        if feat is None or feat.code in seen:
            continue
        seen.add(feat.code)
        prov = ds.provinces[pid]
        unit = pid
        if vintage == "2025" and prov.merger and prov.merger.into in ds.provinces:
            unit = prov.merger.into
        code = prov.gso_code or ""
        districts = [f for f in geo.districts.values() if str(f.props.get("province_code")) == code]
        drawn.append({"id": pid, "unit": unit, "name": ds.province_name(unit, lang), "code": feat.code,
                      "feature": feat, "colour": cfg.colour(unit, i), "districts": districts,
                      "lines": geo.inner_lines.get(code, []) if vintage == "2024" else []})
    box = _union_bbox(d["feature"].bbox for d in drawn)
    neighbours: list[Feature] = []
    if box is not None:
        pad = (box[0] - NEIGHBOUR_PAD, box[1] - NEIGHBOUR_PAD, box[2] + NEIGHBOUR_PAD, box[3] + NEIGHBOUR_PAD)
        neighbours = [f for code, f in sorted(geo.provinces.get(vintage, {}).items())
                      if code not in seen and _overlaps(f.bbox, pad)]
    old, notes = [], []
    if vintage == "2025":
        for d in drawn:
            codes = [c.strip() for c in str(d["feature"].props.get("merged_from_codes", "")).split(",") if c.strip()]
            old += [geo.provinces["2024"][c] for c in codes if c in geo.provinces.get("2024", {})]
            prov = ds.provinces[d["id"]]
            if prov.merger:
                m = prov.merger
                notes.append({"province": d["id"], "name": ds.province_name(d["id"], lang),
                              "partners": ", ".join(ds.province_name(w, lang) for w in m.with_),
                              "into": ds.province_name(m.into, lang), "resolution": m.resolution,
                              "effective": m.effective.strftime("%d/%m/%Y"),
                              "merged_from": str(d["feature"].props.get("merged_from", ""))})
    zones, no_loc = zones_frame(ds, geo, lang, provinces)
    party = party_layer_data(ds, geo, cfg, provinces, measure, lang)
    fp = focus_province(ds, focus, provinces)
    target = [d for d in drawn if d["id"] == fp] or drawn
    tbox = _union_bbox(d["feature"].bbox for d in target)
    view = view_state(tbox, *view_size)
    if party.mode == "columns":
        view["pitch"] = 40
    attribution = [attribution_text(geo, "provinces_2025" if vintage == "2025" else "provinces_2024", lang)]
    if vintage == "2025":
        attribution.append(attribution_text(geo, "provinces_2024", lang))
    else:
        attribution += [attribution_text(geo, n, lang) for n in sorted(geo.attribution) if n.startswith("districts_")]
    attribution = list(dict.fromkeys(a for a in attribution if a))
    return MapModel(provinces, vintage, focus, lang, drawn, neighbours, old, zones, no_loc, party, view,
                    attribution, notes)


def _province_tooltip(ds, d: dict, model: MapModel) -> str:
    lang = model.lang
    props = d["feature"].props
    lines = [f"{props.get('type', '')} · {t('map.province.code', lang, code=d['code'])}".strip(" ·")]
    if model.vintage == "2025" and props.get("merged_from"):
        lines.append(t("map.province.merged_from", lang, names=props["merged_from"]))
    if not model.zones.empty:
        n = int((model.zones["province"] == d["id"]).sum())
        lines.append(t("map.province.zones", lang, n=n))
    for item in model.party.items:
        if item["province"] == d["id"]:
            lines.append(item["label"])
    lines.append(t("map.province.click", lang))
    return _plain("\n".join(lines))


def base_map_args(cfg, token: str | None = None) -> dict:
    """``pdk.Deck`` arguments for the base map: none (offline) unless config.yaml sets one."""
    bm = cfg.map.base_map
    if bm is None:
        return {"map_provider": None, "map_style": MAP_STYLE_SENTINEL}
    args: dict[str, Any] = {"map_provider": bm.provider}
    if bm.style:
        args["map_style"] = bm.style
    if token:
        args["api_keys"] = {bm.provider: token}
    return args


def deck_from_model(model: MapModel, ds, cfg, token: str | None = None) -> pdk.Deck:
    lang = model.lang
    neighbour_rgb = list(cfg.map.neighbour_colour)[:3]
    layers: list[pdk.Layer] = []
    label_layers: list[pdk.Layer] = []  # text of places: appended after every marker
    neighbours_fc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": _geometry(f, step=3, decimals=3),
        "properties": {"code": f.code, "tt_title": _plain(f.label(lang)),
                       "tt_body": _plain(t("map.neighbour", lang))}} for f in model.neighbours]}
    layers.append(pdk.Layer(
        "GeoJsonLayer", neighbours_fc, id="neighbours", pickable=True, stroked=True, filled=True,
        get_fill_color=neighbour_rgb + [110], get_line_color=[255, 255, 255, 255],
        line_width_units="pixels", get_line_width=1))
    choropleth = model.party.mode == "choropleth"
    party_fill = {it["province"]: it["colour"] for it in model.party.items} if choropleth else {}
    prov_fc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": _geometry(d["feature"]),
        "properties": {"id": d["id"], "code": d["code"], "name": d["name"],
                       "fill": party_fill.get(d["id"], _rgb(d["colour"], 70)),
                       "line": _rgb(d["colour"], 255),
                       "tt_title": _plain(d["name"]), "tt_body": _province_tooltip(ds, d, model)}}
        for d in model.drawn_provinces]}
    layers.append(pdk.Layer(
        "GeoJsonLayer", prov_fc, id="provinces", pickable=True, stroked=True, filled=True,
        get_fill_color="properties.fill", get_line_color="properties.line",
        line_width_units="pixels", get_line_width=3))
    if model.vintage == "2025":
        old_paths = []
        for f in model.old_provinces:
            pid = _province_of_code(ds, f.code, "2024")
            name = ds.province_name(pid, lang) if pid else f.label(lang)
            for ring in _outline_paths(f):
                old_paths += [{"path": p, "name": name} for p in dashes(ring)]
        layers.append(pdk.Layer(
            "PathLayer", old_paths, id="old-provinces", get_path="path", get_color=[40, 40, 40, 230],
            width_units="pixels", get_width=2, pickable=False))
        old_labels = []
        for f in model.old_provinces:
            pid = _province_of_code(ds, f.code, "2024")
            old_labels.append({"text": (ds.province_name(pid, lang) if pid else f.label(lang)) + " " + t("map.old_suffix", lang),
                               "longitude": round(f.centroid[0], 5), "latitude": round(f.centroid[1], 5)})
        label_layers.append(pdk.Layer(
            "TextLayer", old_labels, id="province-labels", get_position=["longitude", "latitude"],
            get_text="text", character_set="auto", font_family=LABEL_FONT, get_size=15, get_color=[30, 30, 30, 255],
            pickable=False, **label_style(priority=50)))
    else:
        district_paths, district_labels = [], []
        for d in model.drawn_provinces:
            for p in d["lines"]:
                district_paths.append({"path": p, "province": d["id"]})
            for f in sorted(d["districts"], key=lambda f: -f.area):  # larger districts first
                district_labels.append({"text": f.label(lang), "code": f.code,
                                        "longitude": round(f.centroid[0], 5), "latitude": round(f.centroid[1], 5)})
        district_labels = thin_labels(district_labels, model.view)
        layers.append(pdk.Layer(
            "PathLayer", district_paths, id="districts", get_path="path", get_color=[60, 60, 60, 160],
            width_units="pixels", get_width=1, pickable=False))
        label_layers.append(pdk.Layer(
            "TextLayer", district_labels, id="district-labels", get_position=["longitude", "latitude"],
            get_text="text", character_set="auto", font_family=LABEL_FONT, get_size=LABEL_SIZE,
            get_color=[30, 30, 30, 255], size_units="pixels", pickable=False, **label_style(priority=10)))
    party = model.party
    if party.mode == "columns":
        cols = [{k: it[k] for k in ("province", "longitude", "latitude", "colour", "tt_title", "tt_body")}
                for it in party.items]
        layers.append(pdk.Layer(
            "ColumnLayer", cols, id="party", get_position=["longitude", "latitude"], get_elevation=20000,
            elevation_scale=1, radius=4000, extruded=True, get_fill_color="colour", pickable=True))
    elif party.mode == "choropleth":
        # The province polygons carry the colours; this layer only adds the outline and tooltips.
        fc = {"type": "FeatureCollection", "features": [{
            "type": "Feature", "geometry": _geometry(it["feature"]),
            "properties": {"province": it["province"], "tt_title": it["tt_title"], "tt_body": it["tt_body"]}}
            for it in party.items]}
        layers.append(pdk.Layer(
            "GeoJsonLayer", fc, id="party", pickable=False, stroked=False, filled=False))
    if party.district_items and model.vintage == "2024":
        fc = {"type": "FeatureCollection", "features": [{
            "type": "Feature", "geometry": _geometry(it["feature"]),
            "properties": {"district": it["district"], "fill": it["colour"], "tt_title": it["tt_title"],
                           "tt_body": it["tt_body"]}} for it in party.district_items]}
        layers.append(pdk.Layer(
            "GeoJsonLayer", fc, id="party-districts", pickable=True, stroked=False, filled=True,
            get_fill_color="properties.fill"))
    if party.items:
        labels = [{"text": it["label"], "longitude": it["longitude"], "latitude": it["latitude"]} for it in party.items]
        label_layers.append(pdk.Layer(
            "TextLayer", labels, id="party-labels", get_position=["longitude", "latitude"], get_text="text",
            character_set="auto", font_family=LABEL_FONT, get_size=16, get_color=[0, 0, 0, 255],
            get_pixel_offset=[0, -28], pickable=False, **label_style(priority=100)))
    zone_cols = ["id", "province", "name", "kind", "status", "precision", "longitude", "latitude", "radius",
                 "fill", "line", "line_width", "mark", "tt_title", "tt_body"]
    zones = model.zones[zone_cols].to_dict("records") if not model.zones.empty else []
    zones = [{k: (float(v) if isinstance(v, float) else v) for k, v in z.items()} for z in zones]
    layers.append(pdk.Layer(
        "ScatterplotLayer", zones, id="zones", get_position=["longitude", "latitude"], get_radius="radius",
        radius_units="meters", radius_min_pixels=6, radius_max_pixels=60, stroked=True, filled=True,
        get_fill_color="fill", get_line_color="line", get_line_width="line_width", line_width_units="pixels",
        pickable=True, auto_highlight=True))
    marks = [{"text": z["mark"], "longitude": z["longitude"], "latitude": z["latitude"]} for z in zones]
    layers.append(pdk.Layer(
        "TextLayer", marks, id="zone-kinds", get_position=["longitude", "latitude"], get_text="text",
        character_set="auto", font_family=LABEL_FONT, get_size=11, get_color=[0, 0, 0, 255], size_units="pixels", pickable=False))
    # Names last: drawn above the parks' markers, on a light background (see label_style).
    layers += label_layers
    return CompactDeck(layers=layers, initial_view_state=pdk.ViewState(**model.view),
                    tooltip={"html": TOOLTIP_HTML, "style": TOOLTIP_STYLE}, **base_map_args(cfg, token))


def build_deck(ds, geo: Geo, cfg, provinces: Iterable[str], lang: str, vintage: str = "2024",
               focus: str | None = None, measure: str | None = None, token: str | None = None,
               model: MapModel | None = None,
               view_size: tuple[int, int] = (VIEW_WIDTH, VIEW_HEIGHT)) -> pdk.Deck:
    """The map of ``provinces``: see the module docstring for layers and offline behaviour."""
    model = model or map_model(ds, geo, cfg, provinces, lang, vintage, focus, measure, view_size)
    return deck_from_model(model, ds, cfg, token)


# ----------------------------------------------------------------------------- tables

def legend_rows(model: MapModel, cfg, lang: str) -> list[list[dict]]:
    """The legend beside the map: at most five short rows of ``{shape, fill, line, label}``
    entries, in the colours the layers use (``shape``: area, line, dash, dot, letter).

    Rows: the provinces and their neighbours; district or former-province lines; park
    status; location precision; park kinds (with "size = area").
    """
    neighbour = list(cfg.map.neighbour_colour)[:3] + [110]
    rows = [[{"shape": "area", "fill": _rgb(d["colour"], 90), "line": _rgb(d["colour"]), "label": d["name"]}
             for d in model.drawn_provinces]
            + [{"shape": "area", "fill": neighbour, "line": [255, 255, 255, 255],
                "label": t("map.legend_short.neighbour", lang)}]]
    if model.vintage == "2025":
        rows.append([{"shape": "dash", "line": [40, 40, 40, 230], "label": t("map.legend_short.old_line", lang)}])
    else:
        rows.append([{"shape": "line", "line": [60, 60, 60, 160], "label": t("map.legend_short.district_line", lang)}])
    if not model.zones.empty:
        rows.append([{"shape": "dot", "fill": colour + [235], "line": [255, 255, 255, 255],
                      "label": t(f"map.status.{status}", lang)} for status, colour in STATUS_COLOURS.items()])
        grey = [90, 90, 90]
        rows.append([{"shape": "dot", "fill": grey + [235], "line": [255, 255, 255, 255],
                      "label": t("map.legend_short.surveyed", lang)},
                     {"shape": "dot", "fill": grey + [150], "line": [40, 40, 40, 255],
                      "label": t("map.legend_short.approximate", lang)},
                     {"shape": "ring", "fill": grey + [40], "line": grey + [255],
                      "label": t("map.legend_short.centroid", lang)}])
        kinds = [k for k in KIND_MARK if (model.zones["kind"] == k).any()]
        rows.append([{"shape": "letter", "mark": KIND_MARK[k], "label": t(f"map.kind.{k}", lang)} for k in kinds]
                    + [{"shape": "text", "label": t("map.legend_short.size", lang)}])
    return rows[:5]


def drawn_table(model: MapModel, lang: str) -> pd.DataFrame:
    """What the map draws, one row per province, neighbour, party figure and park."""
    rows = []
    layer = lambda key: t(f"map.layer.{key}", lang)  # noqa: E731
    for d in model.drawn_provinces:
        rows.append({"layer": layer("provinces"), "name": d["name"], "province": d["name"], "detail": d["code"],
                     "longitude": round(d["feature"].centroid[0], 5), "latitude": round(d["feature"].centroid[1], 5),
                     "source": "; ".join(model.attribution[:1])})
    for f in model.neighbours:
        rows.append({"layer": layer("neighbours"), "name": f.label(lang), "province": "", "detail": f.code,
                     "longitude": round(f.centroid[0], 5), "latitude": round(f.centroid[1], 5),
                     "source": "; ".join(model.attribution[:1])})
    for it in model.party.items:
        rows.append({"layer": layer("party"), "name": it["label"], "province": it["name"],
                     "detail": period_text(it["period"], lang), "longitude": it["longitude"],
                     "latitude": it["latitude"], "source": it["source"]})
    for _, z in model.zones.iterrows():
        detail = " · ".join(x for x in (z["kind_label"], z["area_text"], z["status_label"],
                                         z["occupancy_text"], z["precision_label"]) if x)
        rows.append({"layer": layer("zones"), "name": z["name"], "province": z["province_name"],
                     "detail": detail, "longitude": z["longitude"], "latitude": z["latitude"],
                     "source": z["source_text"]})
    cols = ["layer", "name", "province", "detail", "longitude", "latitude", "source"]
    df = pd.DataFrame(rows, columns=cols)
    return df.rename(columns={c: t(f"map.col.{c}", lang) for c in cols})


def zones_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Parks (drawn or without location) with translated headers."""
    cols = ["name", "kind_label", "province_name", "district_names", "area_text", "status_label",
            "status_date", "occupancy_text", "source_text"]
    if "precision_label" in frame.columns:
        cols.insert(6, "precision_label")
    df = frame.reindex(columns=cols).fillna("")
    return df.rename(columns={c: t(f"map.zcol.{c}", lang) for c in cols})


# ----------------------------------------------------------------------------- national map
#
# "Cả nước": every one of the 63 provinces (2024 boundaries) coloured by one indicator with
# national coverage in one year. Figures of the 63 provinces are never summed or averaged
# into the 34 units of July 2025: this map only ever draws the 2024 vintage.

#: Indicators a national map can show (concept ids = indicator ids), in menu order.
NATIONAL_INDICATORS = ("pci_score", "pci_rank", "papi_score", "population", "area")
#: The published (or computed, ``derived``) rank row that goes with a score.
RANK_OF = {"pci_score": "pci_rank", "papi_score": "papi_rank"}
#: A year is offered when at least this share of the 63 provinces has a figure.
NATIONAL_MIN_SHARE = 0.5
CLASS_COUNT = 5
#: ColorBrewer YlGnBu, 5 classes: sequential, colour-blind safe, light = low, dark = high.
CHORO_PALETTE = ([255, 255, 204], [161, 218, 180], [65, 182, 196], [44, 127, 184], [37, 52, 148])
MISSING_FILL = [189, 189, 189, 255]
HATCH_COLOUR = [110, 110, 110, 255]
HATCH_SPACING = 0.06  # degrees between the diagonal lines drawn over a province with no figure
NATIONAL_VIEW = (102.1, 8.4, 109.5, 23.4)  # the 63 provinces' box (lon, lat)
NATIONAL_DECIMALS = 3  # ~110 m: the national map is drawn at zoom ~5


NATIONAL_STEP = 2  # every 2nd vertex of long rings: half the JSON, invisible at the national zoom


def national_geometry(feature: Feature) -> dict:
    """The feature's geometry for the national map: every polygon kept (islands, Hoàng Sa
    and Trường Sa included), long rings thinned to every NATIONAL_STEP-th vertex, 3 decimals,
    repeated points dropped."""
    polys = []
    for poly in feature.polygons:
        rings = []
        for ring in poly:
            pts = _round_ring(ring, NATIONAL_STEP, NATIONAL_DECIMALS)
            pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
            if len(pts) >= 4:
                rings.append(pts)
        if rings:
            polys.append(rings)
    return {"type": "MultiPolygon", "coordinates": polys}


def _current_provinces(ds) -> list[str]:
    """The provinces of the 2024 vintage (the 63; the nation itself is no province)."""
    return [p for p, prov in ds.provinces.items() if prov.vintage == "2024" and prov.level != "nation"]


def national_years(ds, indicator: str) -> list[str]:
    """Years (newest first) in which at least NATIONAL_MIN_SHARE of the 2024 provinces have a
    figure of ``indicator`` (a year with two curated provinces is no national map)."""
    if indicator not in ds.indicators:
        return []
    current = _current_provinces(ds)
    rows = ds.rows(indicator, current)
    rows = rows[rows["scope"] == ""] if "scope" in rows.columns else rows
    counts = rows.groupby("period")["province"].nunique()
    need = max(1, math.ceil(NATIONAL_MIN_SHARE * len(current)))
    years = [str(p) for p, n in counts.items() if n >= need and len(str(p)) == 4 and str(p).isdigit()]
    return sorted(years, reverse=True)


def national_measures(ds) -> list[str]:
    """The NATIONAL_INDICATORS present in the data with at least one national year."""
    return [i for i in NATIONAL_INDICATORS if national_years(ds, i)]


@dataclass(frozen=True)
class Classes:
    """How the values were cut: ``method`` ``quantile`` or ``equal``; per class (low to
    high value) its colour, its members' lowest and highest value and their number."""

    method: str
    n: int  # provinces with a figure
    reverse: bool  # ranks: a low value (better) is drawn darker
    colours: tuple  # per class, [r, g, b]
    lows: tuple  # per class: the lowest member value
    highs: tuple
    counts: tuple
    breaks: tuple  # upper bounds of every class but the last


def classify(values: list[float], method: str = "quantile", k: int = CLASS_COUNT,
             reverse: bool = False) -> tuple[list[int], Classes]:
    """The class (0 = lowest values) of each of ``values`` and the classes.

    ``quantile``: nearest-rank quintile breaks (each class about a fifth of the provinces;
    ties stay in one class, so there may be fewer classes); ``equal``: ``k`` intervals of
    equal width between the lowest and highest value. Empty classes are dropped; every
    value is in exactly one class. With ``reverse`` the colours run dark -> light.
    """
    vals = sorted(values)
    n = len(vals)
    if n == 0:
        return [], Classes(method, 0, reverse, (), (), (), (), ())
    lo, hi = vals[0], vals[-1]
    if method == "equal":
        width = (hi - lo) / k
        raw = [lo + width * i for i in range(1, k)] if width > 0 else []
    else:
        raw = [vals[max(0, math.ceil(i * n / k) - 1)] for i in range(1, k)]
    breaks = sorted(set(raw))
    idx = [bisect.bisect_left(breaks, v) for v in values]
    used = sorted(set(idx))
    remap = {c: j for j, c in enumerate(used)}
    idx = [remap[c] for c in idx]
    m = len(used)
    # colours spread over the palette: 5 classes use all five, fewer skip evenly
    picks = [round(j * (len(CHORO_PALETTE) - 1) / (m - 1)) if m > 1 else len(CHORO_PALETTE) - 1 for j in range(m)]
    if reverse:
        picks = picks[::-1]
    colours = tuple(list(CHORO_PALETTE[p]) for p in picks)
    lows = tuple(min(v for v, c in zip(values, idx) if c == j) for j in range(m))
    highs = tuple(max(v for v, c in zip(values, idx) if c == j) for j in range(m))
    counts = tuple(sum(1 for c in idx if c == j) for j in range(m))
    kept_breaks = tuple(b for b in breaks if b < hi)
    return idx, Classes(method, n, reverse, colours, lows, highs, counts, kept_breaks)


def hatch_lines(feature: Feature, spacing: float = HATCH_SPACING) -> list[list[list[float]]]:
    """Diagonal lines (``/``) clipped to the feature: the pattern of a province with no figure."""
    edges = []
    for poly in feature.polygons:
        for ring in poly:
            edges += [(x1, y1, x2, y2) for (x1, y1), (x2, y2) in itertools.pairwise(ring)]
    if not edges:
        return []
    vs = [x - y for e in edges for x, y in ((e[0], e[1]), (e[2], e[3]))]
    out = []
    c = math.floor(min(vs) / spacing) * spacing + spacing / 2
    while c < max(vs):
        hits = []
        for x1, y1, x2, y2 in edges:
            v1, v2 = x1 - y1, x2 - y2
            if (v1 < c) != (v2 < c):
                f = (c - v1) / (v2 - v1)
                hits.append((x1 + (x2 - x1) * f, y1 + (y2 - y1) * f))
        hits.sort(key=lambda p: p[0] + p[1])
        for a, b in zip(hits[::2], hits[1::2]):
            out.append([[round(a[0], NATIONAL_DECIMALS), round(a[1], NATIONAL_DECIMALS)],
                        [round(b[0], NATIONAL_DECIMALS), round(b[1], NATIONAL_DECIMALS)]])
        c += spacing
    return out


def _rank_of(values: dict[str, float], pid: str, higher_first: bool) -> int:
    v = values[pid]
    return 1 + sum(1 for w in values.values() if (w > v if higher_first else w < v))


@dataclass
class NationalMap:
    """Everything the national map draws, for the deck, the legend and the table."""

    indicator: str
    year: str
    lang: str
    compared: list[str]
    title: str
    items: list[dict]  # per 2024 province: id, name, code, feature, row, cls, fill, value, rank, tt_*
    classes: Classes
    missing: list[str]  # names of provinces with no figure
    sources: list[str]  # source ids of the figures drawn
    attribution: list[str]
    view: dict

    @property
    def method_text(self) -> str:
        key = "map.national.method_quantile" if self.classes.method == "quantile" else "map.national.method_equal"
        return t(key, self.lang, n=self.classes.n, k=len(self.classes.counts))


def national_model(ds, geo: Geo, cfg, indicator: str, year: str, compared: Iterable[str], lang: str,
                   view_size: tuple[int, int] = (VIEW_WIDTH, VIEW_HEIGHT)) -> NationalMap:
    """The 63 provinces (2024 boundaries) coloured by ``indicator`` in ``year``.

    Only rows of 2024 provinces, province level, unscoped, of exactly ``year``; a rank is
    classed in equal intervals and drawn reversed (1 = darkest), anything else in
    quintiles. The rank beside a score is the published one (or a ``derived`` rank,
    labelled computed); area and population ranks are computed here and labelled so.
    """
    ind = ds.indicators[indicator]
    current = _current_provinces(ds)
    rows = ds.rows(indicator, current, period=year)
    rows = rows[rows["scope"] == ""]
    by_pid = {r["province"]: r for _, r in rows.iterrows()}
    is_rank = ind.kind == "rank"
    pids = [p for p in current if p in by_pid]
    values = {p: float(by_pid[p]["value"]) for p in pids}
    idx, classes = classify([values[p] for p in pids], "equal" if is_rank else "quantile", reverse=is_rank)
    cls_of = dict(zip(pids, idx))
    rank_rows = {}
    if indicator in RANK_OF and RANK_OF[indicator] in ds.indicators:
        rr = ds.rows(RANK_OF[indicator], current, period=year)
        rank_rows = {r["province"]: r for _, r in rr[rr["scope"] == ""].iterrows()}
    title = pick(ind.title, lang)
    short = pick(ind.short, lang) if getattr(ind, "short", None) else title  # tooltips: short names
    items, missing = [], []
    for pid in current:
        prov = ds.provinces[pid]
        feat = geo.provinces.get("2024", {}).get(prov.gso_code or "")
        if feat is None:
            continue
        name = ds.province_name(pid, lang)
        row = by_pid.get(pid)
        item = {"id": pid, "name": name, "code": feat.code, "feature": feat, "row": row, "cls": None,
                "value": "", "rank": "", "source": ""}
        if row is None:
            missing.append(name)
            item["fill"] = MISSING_FILL
            lines = [t("map.national.no_data", lang, year=year)]
        else:
            c = cls_of[pid]
            item["cls"], item["fill"] = c, classes.colours[c] + [235]
            item["value"] = value_text(row, ind, lang)
            marks = flags(row, lang)
            lines = [f"{short}: {item['value']}" + (f" ({', '.join(marks)})" if marks else "")]
            if row["qualifier"]:
                lines.append(t(f"map.party.qualifier.{row['qualifier']}", lang))
            if not is_rank:
                rrow = rank_rows.get(pid)
                if rrow is not None and pd.notna(rrow.get("rank_of")):
                    rank = f"{int(rrow['value'])}/{int(rrow['rank_of'])}"
                    key = "map.national.rank_computed" if rrow.get("derived") else "map.national.rank"
                    item["rank"] = t(key, lang, rank=rank, indicator=short, n=int(rrow["rank_of"]))
                elif not rank_rows:
                    rank = f"{_rank_of(values, pid, True)}/{len(values)}"
                    item["rank"] = t("map.national.rank_computed", lang, rank=rank, indicator=short,
                                     n=len(values))
                if item["rank"]:
                    lines.append(item["rank"])
            lines.append(t("map.national.year_line", lang, year=period_text(str(row["period"]), lang)))
            src = ds.sources.get(row["source"])
            item["source"] = source_short(src, lang)
            lines.append(t("map.national.source", lang, source=item["source"]))
        item["tt_title"] = _plain(name)
        item["tt_body"] = _plain("\n".join(lines))
        items.append(item)
    sources = list(dict.fromkeys(str(r["source"]) for r in by_pid.values()))
    view = view_state(NATIONAL_VIEW, *view_size)
    attribution = [a for a in [attribution_text(geo, "provinces_2024", lang)] if a]
    return NationalMap(indicator, year, lang, [p for p in compared if p in ds.provinces], title, items, classes,
                       missing, sources, attribution, view)


def national_deck(model: NationalMap, cfg, token: str | None = None) -> pdk.Deck:
    """The national choropleth: layers ``national`` (fills, tooltips), ``national-missing``
    (hatching over provinces with no figure), ``national-compared`` (white halo and thick
    outline in each compared province's colour)."""
    fc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": national_geometry(it["feature"]),
        "properties": {"id": it["id"], "fill": it["fill"], "tt_title": it["tt_title"], "tt_body": it["tt_body"]}}
        for it in model.items]}
    layers = [pdk.Layer(
        "GeoJsonLayer", fc, id="national", pickable=True, stroked=True, filled=True, auto_highlight=True,
        get_fill_color="properties.fill", get_line_color=[255, 255, 255, 255], line_width_units="pixels",
        get_line_width=0.6)]
    hatch = [{"path": p} for it in model.items if it["row"] is None for p in hatch_lines(it["feature"])]
    layers.append(pdk.Layer(
        "PathLayer", hatch, id="national-missing", get_path="path", get_color=HATCH_COLOUR,
        width_units="pixels", get_width=1, pickable=False))
    outlines = []
    by_id = {it["id"]: it for it in model.items}
    for i, pid in enumerate(model.compared):
        # a 2025 unit is never drawn here; a 2024 province by its own boundary
        it = by_id.get(pid)
        if it is None:
            continue
        colour = _rgb(cfg.colour(pid, i))
        for ring in _outline_paths(it["feature"]):
            outlines.append({"path": [[round(x, NATIONAL_DECIMALS), round(y, NATIONAL_DECIMALS)] for x, y in ring],
                             "colour": colour, "province": pid})
    layers.append(pdk.Layer(
        "PathLayer", outlines, id="national-compared-halo", get_path="path", get_color=[255, 255, 255, 255],
        width_units="pixels", get_width=7, pickable=False))
    layers.append(pdk.Layer(
        "PathLayer", outlines, id="national-compared", get_path="path", get_color="colour",
        width_units="pixels", get_width=4, pickable=False))
    return CompactDeck(layers=layers, initial_view_state=pdk.ViewState(**model.view),
                       tooltip={"html": TOOLTIP_HTML, "style": NATIONAL_TOOLTIP_STYLE}, **base_map_args(cfg, token))


def national_legend(model: NationalMap) -> list[dict]:
    """Legend entries, high to low for values (best first for ranks): ``{fill, label, count}``,
    then the missing grey if any province has no figure. Class bounds are the lowest and
    highest figures in the class, at the precision published."""
    lang, cls = model.lang, model.classes
    ind_rows = [it["row"] for it in model.items if it["row"] is not None]
    dec = max((fmt.decimals_of(str(r["value_text"])) for r in ind_rows), default=0)
    out = []
    for j in range(len(cls.counts)):
        lo, hi = fmt.number(cls.lows[j], lang, dec), fmt.number(cls.highs[j], lang, dec)
        label = lo if lo == hi else f"{lo}–{hi}"
        out.append({"fill": list(cls.colours[j]) + [235], "label": label, "count": cls.counts[j]})
    out = out if cls.reverse else out[::-1]
    if model.missing:
        out.append({"fill": MISSING_FILL, "label": t("map.national.missing_short", lang),
                    "count": len(model.missing), "missing": True})
    return out


def national_table(model: NationalMap) -> pd.DataFrame:
    """One row per province: name, figure, rank, year, source (translated headers)."""
    lang = model.lang
    rows = [{"province": it["name"], "value": it["value"] or t("map.national.missing_short", lang),
             "rank": it["rank"], "year": model.year, "source": it["source"]} for it in model.items]
    cols = ["province", "value", "rank", "year", "source"]
    df = pd.DataFrame(rows, columns=cols)
    return df.rename(columns={c: t(f"map.national.col.{c}", lang) for c in cols})
