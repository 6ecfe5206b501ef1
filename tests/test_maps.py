"""Unit tests of the pure map builders (dashboard.maps): real data/ and synthetic fixtures."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pytest

from dashboard import maps
from dashboard.config import BaseMap, get_config
from dashboard.data import load_dataset

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PAIR = ["thai-nguyen", "hai-duong"]
URL = re.compile(r"https?://", re.I)


@pytest.fixture(scope="module")
def real():
    return load_dataset(DATA), maps.load_geo(DATA), get_config()


def _deck(ds, geo, cfg, **kw):
    kw.setdefault("lang", "en")
    deck = maps.build_deck(ds, geo, cfg, kw.pop("provinces", PAIR), kw.pop("lang"), **kw)
    return json.loads(deck.to_json())


def _layer(spec, lid):
    return next(layer for layer in spec["layers"] if layer["id"] == lid)


def _objects(layer):
    data = layer["data"]
    if isinstance(data, dict):
        return [f["properties"] for f in data["features"]]
    return data


# ----------------------------------------------------------------------------- real data

def test_geo_loaded_once_per_process(real):
    _, geo, _ = real
    assert maps.load_geo(DATA) is geo
    assert len(geo.provinces["2024"]) == 63 and len(geo.provinces["2025"]) == 34
    assert len(geo.districts) == 21


def test_layers_present_offline(real):
    ds, geo, cfg = real
    spec = _deck(ds, geo, cfg)
    ids = [layer["id"] for layer in spec["layers"]]
    for lid in ("neighbours", "provinces", "districts", "district-labels", "zones", "zone-kinds"):
        assert lid in ids
    assert spec["mapStyle"] == maps.MAP_STYLE_SENTINEL
    assert "mapProvider" not in spec
    assert not URL.search(json.dumps(spec))
    for layer in spec["layers"]:
        if layer["@@type"] == "TextLayer":
            assert layer["characterSet"] == "auto"


def test_provinces_in_their_colours_and_neighbours_grey(real):
    ds, geo, cfg = real
    spec = _deck(ds, geo, cfg)
    provs = {p["id"]: p for p in _objects(_layer(spec, "provinces"))}
    assert set(provs) == set(PAIR)
    assert provs["thai-nguyen"]["line"][:3] == maps._rgb(cfg.colour("thai-nguyen"))[:3]
    assert provs["hai-duong"]["line"][:3] == maps._rgb(cfg.colour("hai-duong"))[:3]
    neigh = _layer(spec, "neighbours")
    codes = {f["properties"]["code"] for f in neigh["data"]["features"]}
    assert codes and not codes & {"19", "30"}
    assert {"06", "31"} <= codes  # Bắc Kạn and Hải Phòng border the pair
    assert len(codes) < 25  # only those near the compared provinces
    assert neigh["getFillColor"][:3] == list(cfg.map.neighbour_colour)


def test_district_lines_are_inner_and_labels_vietnamese(real):
    ds, geo, cfg = real
    spec = _deck(ds, geo, cfg, lang="vi")
    paths = _objects(_layer(spec, "districts"))
    assert paths and all(len(p["path"]) >= 2 for p in paths)
    labels = {d["text"] for d in _objects(_layer(spec, "district-labels"))}
    assert "Phổ Yên" in labels and "Cẩm Giàng" in labels
    names = {f.label("vi") for f in geo.districts.values()}
    assert len(names) == 21 and labels <= names
    assert len(labels) >= 8  # thinned where names would overlap (see the next tests)
    assert _layer(spec, "districts")["getWidth"] == 1


def test_tooltip_template_and_fields(real):
    ds, geo, cfg = real
    deck = maps.build_deck(ds, geo, cfg, PAIR, "en", measure="party_orgs_in_enterprises")
    assert deck._tooltip["html"] == maps.TOOLTIP_HTML
    fields = set(re.findall(r"{(\w+)}", maps.TOOLTIP_HTML))
    spec = json.loads(deck.to_json())
    for layer in spec["layers"]:
        if layer.get("pickable"):
            for obj in _objects(layer):
                assert fields <= set(obj), layer["id"]
    zone = next(z for z in _objects(_layer(spec, "zones")) if z["id"] == "hd-dai-an-mr")
    body = zone["tt_body"]
    for word in ("Industrial park", "District:", "Area:", ">416 ha", "Status: operating", "Occupancy:",
                 "Location: surveyed", "Source:"):
        assert word in body


def test_zone_sizes_colours_precision(real):
    ds, geo, _ = real
    drawn, missing = maps.zones_frame(ds, geo, "en", PAIR)
    assert len(drawn) + len(missing) == len(ds.zones[ds.zones["province"].isin(PAIR)])
    for _, z in drawn.iterrows():
        assert z["fill"][:3] == maps.STATUS_COLOURS[z["status"]]
        if z["area"] and not math.isnan(z["area"]):
            assert z["radius"] == pytest.approx(math.sqrt(z["area"] * 10_000 / math.pi), abs=0.1)
        if z["precision"] == "district_centroid":
            assert "approximate" in z["tt_body"]
            assert z["fill"][3] < 100 and z["line_width"] == 3.0
        elif z["precision"] == "surveyed":
            assert z["fill"][3] > 200
    styles = {p: tuple(drawn[drawn["precision"] == p].iloc[0][["line_width"]]) + (drawn[drawn["precision"] == p].iloc[0]["fill"][3],)
              for p in set(drawn["precision"])}
    assert len(set(styles.values())) == len(styles)  # each precision looks different
    # Parks without district go to the "no location" table, never onto the map.
    for _, z in missing.iterrows():
        row = ds.zones[ds.zones["id"] == z["id"]].iloc[0]
        assert not row["districts"] and math.isnan(row["latitude"])


def test_kinds_distinguishable(real):
    ds, geo, cfg = real
    spec = _deck(ds, geo, cfg)
    marks = {m["text"] for m in _objects(_layer(spec, "zone-kinds"))}
    kinds = set(ds.zones[ds.zones["province"].isin(PAIR)]["kind"])
    assert marks == {maps.KIND_MARK[k] for k in kinds}


def test_kpi_counts_match_drawn(real):
    ds, geo, cfg = real
    model = maps.map_model(ds, geo, cfg, PAIR, "en")
    counts = maps.zone_counts(ds, model.zones, model.no_location, PAIR, "en")
    assert sum(c["drawn"] for c in counts) == len(model.zones) == len(_objects(_layer(_deck(ds, geo, cfg), "zones")))
    tn = next(c for c in counts if c["province"] == "thai-nguyen")
    # 7 KCN officially vs 5 operating KCN listed: the note explains the difference.
    assert "planned" in tn["note"] and "differs" in tn["note"]


def test_focus_fits_province(real):
    ds, geo, cfg = real
    both = _deck(ds, geo, cfg)["initialViewState"]
    hd = _deck(ds, geo, cfg, focus="hai-duong")["initialViewState"]
    assert hd["zoom"] > both["zoom"]
    lon0, lat0, lon1, lat1 = geo.provinces["2024"]["30"].bbox
    assert lon0 < hd["longitude"] < lon1 and lat0 < hd["latitude"] < lat1
    zone = _deck(ds, geo, cfg, focus="tn-yen-binh")["initialViewState"]
    lon0, lat0, lon1, lat1 = geo.provinces["2024"]["19"].bbox
    assert lon0 < zone["longitude"] < lon1


def test_vintage_2025(real):
    ds, geo, cfg = real
    spec = _deck(ds, geo, cfg, vintage="2025")
    ids = [layer["id"] for layer in spec["layers"]]
    assert "old-provinces" in ids and "districts" not in ids and "district-labels" not in ids
    provs = _objects(_layer(spec, "provinces"))
    assert {p["code"] for p in provs} == {"19", "31"}
    assert all("Merged from" in p["tt_body"] for p in provs)
    assert len(_objects(_layer(spec, "old-provinces"))) > 20  # dashes
    neigh = {f["properties"]["code"] for f in _layer(spec, "neighbours")["data"]["features"]}
    assert not neigh & {"19", "31"}
    model = maps.map_model(ds, geo, cfg, PAIR, "en", vintage="2025")
    assert {n["province"] for n in model.merger_notes} == set(PAIR)
    assert not URL.search(json.dumps(spec))


def test_party_not_comparable_columns(real):
    ds, geo, cfg = real
    data = maps.party_layer_data(ds, geo, cfg, PAIR, "party_orgs_in_enterprises", "en")
    assert data.mode == "columns" and not data.comparable and data.reasons
    assert data.district_state == "none"
    spec = _deck(ds, geo, cfg, measure="party_orgs_in_enterprises")
    party = _layer(spec, "party")
    assert party["@@type"] == "ColumnLayer"
    assert len({json.dumps(c["colour"]) for c in _objects(party)}) == 2  # province colours, no shared scale
    labels = [x["text"] for x in _objects(_layer(spec, "party-labels"))]
    assert any("516" in s for s in labels) and any("166" in s for s in labels)
    body = next(c for c in _objects(party) if c["province"] == "thai-nguyen")["tt_body"]
    assert "Period: 2015–2023" in body and "Source:" in body


def test_base_map_only_when_configured(real):
    _, _, cfg = real
    assert maps.base_map_args(cfg) == {"map_provider": None, "map_style": maps.MAP_STYLE_SENTINEL}
    online = cfg.model_copy(deep=True)
    online.map.base_map = BaseMap(provider="mapbox", style="light")
    args = maps.base_map_args(online, token="tok")
    assert args["map_provider"] == "mapbox" and args["api_keys"] == {"mapbox": "tok"}


def test_drawn_table(real):
    ds, geo, cfg = real
    model = maps.map_model(ds, geo, cfg, PAIR, "vi")
    table = maps.drawn_table(model, "vi")
    assert len(table) == len(model.drawn_provinces) + len(model.neighbours) + len(model.zones)
    assert "Lớp" in table.columns


# ----------------------------------------------------------------------------- geometry

def test_shoelace_centroid_with_hole():
    square = [(0, 0), (4, 0), (4, 4), (0, 4), (0, 0)]
    hole = [(0, 0), (0, 2), (2, 2), (2, 0), (0, 0)]  # clockwise
    area, (cx, cy) = maps.polygons_area_centroid([[square]])
    assert area == pytest.approx(16) and (cx, cy) == pytest.approx((2, 2))
    area, (cx, cy) = maps.polygons_area_centroid([[square, hole]])
    assert area == pytest.approx(12)
    assert cx == pytest.approx((16 * 2 - 4 * 1) / 12) and cy == pytest.approx((16 * 2 - 4 * 1) / 12)


def test_dashes_cut_a_line():
    pieces = maps.dashes([[0.0, 0.0], [0.1, 0.0]], dash=0.01, gap=0.01)
    assert 4 <= len(pieces) <= 6
    assert all(p[0][0] < p[-1][0] for p in pieces)


def test_fit_view_zooms_in_for_smaller_box():
    big = maps.fit_view((105, 20, 107, 22), 600, 400)
    small = maps.fit_view((105, 20, 105.5, 20.5), 600, 400)
    assert small[2] > big[2]
    assert small[0] == pytest.approx(20.25, abs=0.01) and small[1] == pytest.approx(105.25)


def _contains(outer, inner):
    return (outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3])


@pytest.mark.parametrize("size", [(610, 560), (610, 420), (1000, 560), (300, 800), (900, 200)])
@pytest.mark.parametrize("box", [(105.5, 21.2, 106.6, 22.1), (106.0, 20.7, 106.6, 21.2), (104.0, 20.5, 106.9, 22.9),
                                 (106.1, 20.9, 106.1001, 20.9001)])
def test_fit_view_contains_the_bounds_and_is_tight(box, size):
    lat, lon, zoom = maps.fit_view(box, *size)
    seen = maps.visible_bounds(lat, lon, zoom, *size)
    assert _contains(seen, box)
    if zoom < maps.MAX_ZOOM:
        # a little closer and the box no longer fits inside the margins: no needless zoom-out
        inner = (size[0] - 2 * maps.FIT_MARGIN, size[1] - 2 * maps.FIT_MARGIN)
        assert _contains(maps.visible_bounds(lat, lon, zoom, *inner), box)
        assert not _contains(maps.visible_bounds(lat, lon, zoom + 0.03, *inner), box)


def _province_box(ds, geo, provinces):
    return maps._union_bbox(maps.province_feature(ds, geo, p).bbox for p in provinces)


@pytest.mark.parametrize("provinces", [["thai-nguyen"], PAIR, PAIR + ["bac-ninh"], ["hai-duong", "bac-kan"]])
@pytest.mark.parametrize("size", [(maps.VIEW_WIDTH, maps.VIEW_HEIGHT), (maps.PANEL_WIDTH, maps.PANEL_HEIGHT),
                                  (maps.PANEL_WIDTH, 240)])
def test_initial_view_of_page_and_panel_frames_every_compared_province(real, provinces, size):
    """The map page (VIEW_*) and the topic pages' panel (PANEL_*, or lower) at the map's
    narrowest width (1366×768, sidebar open): every compared province whole. A wider
    map (1920×1080) at the same zoom and centre shows more around them."""
    ds, geo, cfg = real
    width, height = size
    model = maps.map_model(ds, geo, cfg, provinces, "vi", view_size=size)
    view = model.view
    box = _province_box(ds, geo, provinces)
    for w in (width, int(width * 1340 / 906)):  # the map's width at 1366×768 and at 1920×1080
        seen = maps.visible_bounds(view["latitude"], view["longitude"], view["zoom"], w, height)
        assert _contains(seen, box), (provinces, w, height)
    # fitted, not needlessly far out
    assert not _contains(maps.visible_bounds(view["latitude"], view["longitude"], view["zoom"],
                                             width * 0.7, height * 0.7), box)
    # and the deck carries exactly that view
    spec = json.loads(maps.deck_from_model(model, ds, cfg).to_json())
    assert spec["initialViewState"]["zoom"] == view["zoom"]


def test_page_and_panel_decks_are_fitted_to_their_own_size(real):
    """The panel is lower than the page's map: its zoom is never larger."""
    ds, geo, cfg = real
    page = maps.map_model(ds, geo, cfg, PAIR, "vi", view_size=(maps.VIEW_WIDTH, maps.VIEW_HEIGHT)).view
    panel = maps.map_model(ds, geo, cfg, PAIR, "vi", view_size=(maps.VIEW_WIDTH, maps.PANEL_HEIGHT)).view
    assert panel["zoom"] <= page["zoom"]


def test_place_names_are_drawn_after_every_marker(real):
    ds, geo, cfg = real
    for kw in ({}, {"vintage": "2025"}, {"measure": "party_orgs_in_enterprises"}):
        spec = _deck(ds, geo, cfg, lang="vi", **kw)
        ids = [layer["id"] for layer in spec["layers"]]
        markers = [i for i, lid in enumerate(ids) if lid in ("zones", "zone-kinds", "party", "party-districts")]
        names = [i for i, lid in enumerate(ids) if lid in ("district-labels", "province-labels", "party-labels")]
        assert names and markers and min(names) > max(markers), ids
        for i in names:
            layer = spec["layers"][i]
            assert layer["background"] is True and layer["getBackgroundColor"][3] >= 200
            assert layer["characterSet"] == "auto"


def _label_boxes(labels, zoom, size=maps.LABEL_SIZE):
    scale = maps.TILE_SIZE * 2 ** zoom
    out = []
    for lab in labels:
        x = lab["longitude"] / 360 * scale
        y = -maps._merc_y(lab["latitude"]) / (2 * math.pi) * scale
        w, h = len(lab["text"]) * size * 0.55 / 2, size * 0.6
        out.append((x - w, y - h, x + w, y + h))
    return out


@pytest.mark.parametrize("kw", [{}, {"focus": "hai-duong"}, {"view_size": (maps.PANEL_WIDTH, 240)}])
def test_district_names_do_not_overlap_at_the_initial_view(real, kw):
    ds, geo, cfg = real
    model = maps.map_model(ds, geo, cfg, PAIR, "vi", **kw)
    spec = json.loads(maps.deck_from_model(model, ds, cfg).to_json())
    labels = _objects(_layer(spec, "district-labels"))
    assert labels
    boxes = _label_boxes(labels, model.view["zoom"])
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), labels
    # the larger district keeps its name; closer in, more names fit
    assert maps.thin_labels(labels, model.view) == labels
    closer = maps.thin_labels(labels + [{"text": "X", "longitude": labels[0]["longitude"],
                                         "latitude": labels[0]["latitude"]}], model.view)
    assert closer == labels


def test_more_district_names_when_zoomed_in(real):
    ds, geo, cfg = real
    n = {}
    for key, kw in {"page": {}, "focus": {"focus": "hai-duong"}, "panel": {"view_size": (maps.PANEL_WIDTH, 240)}}.items():
        spec = json.loads(maps.deck_from_model(maps.map_model(ds, geo, cfg, PAIR, "vi", **kw), ds, cfg).to_json())
        n[key] = len(_objects(_layer(spec, "district-labels")))
    assert n["panel"] < n["page"] < n["focus"] <= 21


def test_legend_rows_are_short_and_use_the_layer_colours(real):
    ds, geo, cfg = real
    for vintage in ("2024", "2025"):
        model = maps.map_model(ds, geo, cfg, PAIR, "vi", vintage)
        rows = maps.legend_rows(model, cfg, "vi")
        assert 1 <= len(rows) <= 5
        first = rows[0]
        assert [e["line"][:3] for e in first[:2]] == [maps._rgb(cfg.colour(p))[:3] for p in PAIR] or vintage == "2025"
        labels = [e["label"] for row in rows for e in row]
        assert all(labels) and "Tỉnh lân cận" in labels
        if not model.zones.empty:
            dots = [e["fill"][:3] for row in rows for e in row if e["shape"] == "dot"]
            for colour in maps.STATUS_COLOURS.values():
                assert colour in dots
        assert ("Ranh giới tỉnh cũ" in labels) == (vintage == "2025")


# ----------------------------------------------------------------------------- synthetic data

def _square(x0, y0, x1, y1):
    return {"type": "MultiPolygon", "coordinates": [[[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]]}


def _fc(features, attribution="FAKE attribution"):
    return {"type": "FeatureCollection", "metadata": {"attribution": attribution}, "features": features}


def _feat(props, geom):
    return {"type": "Feature", "properties": props, "geometry": geom}


ZONES_HEADER = ("id,province,name,kind,districts,area_ha,area_qualifier,status,status_date,occupancy_pct,"
                "occupancy_date,lat,lon,location_precision,source,note\n")


@pytest.fixture()
def fake(tmp_path):
    """A copy of data/ with FAKE boundaries (squares) and FAKE parks; data/ is never written."""
    d = tmp_path / "data"
    shutil.copytree(DATA, d, ignore=shutil.ignore_patterns("geo"))
    geo = d / "geo"
    geo.mkdir()
    prov24 = [_feat({"code": "19", "name": "Tỉnh Giả Một", "name_en": "Fake One", "type": "Tỉnh"}, _square(105, 21, 105.6, 21.4)),
              _feat({"code": "30", "name": "Tỉnh Giả Hai", "name_en": "Fake Two", "type": "Tỉnh"}, _square(106, 20.5, 106.5, 21)),
              _feat({"code": "06", "name": "Láng Giềng", "name_en": "Near", "type": "Tỉnh"}, _square(105, 21.4, 105.6, 21.8)),
              _feat({"code": "01", "name": "Xa Xôi", "name_en": "Far", "type": "Tỉnh"}, _square(100, 10, 100.5, 10.5))]
    (geo / "provinces_2024.geojson").write_text(json.dumps(_fc(prov24)), encoding="utf-8")
    prov25 = [_feat({"code": "19", "name": "Hợp Nhất Giả", "name_en": "Fake Merged", "type": "Tỉnh",
                     "merged_from": "Láng Giềng + Tỉnh Giả Một", "merged_from_codes": "06,19"}, _square(105, 21, 105.6, 21.8)),
              _feat({"code": "31", "name": "Thành Phố Giả", "name_en": "Fake City", "type": "Thành phố",
                     "merged_from": "Tỉnh Giả Hai", "merged_from_codes": "30"}, _square(106, 20.5, 106.5, 21))]
    (geo / "provinces_2025.geojson").write_text(json.dumps(_fc(prov25)), encoding="utf-8")
    tn = [_feat({"code": "164", "name": "Huyện Giả A", "name_en": "Fake A", "province_code": "19"}, _square(105, 21, 105.2, 21.2)),
          _feat({"code": "165", "name": "Huyện Giả B", "name_en": "Fake B", "province_code": "19"}, _square(105.2, 21, 105.6, 21.2))]
    (geo / "districts_thai_nguyen.geojson").write_text(json.dumps(_fc(tn)), encoding="utf-8")
    hd = [_feat({"code": "288", "name": "Huyện Giả C", "name_en": "Fake C", "province_code": "30"}, _square(106, 20.5, 106.5, 21))]
    (geo / "districts_hai_duong.geojson").write_text(json.dumps(_fc(hd)), encoding="utf-8")
    src = "vietnammoi_tn_kcn_plan_2023"
    (d / "industrial_zones.csv").write_text(ZONES_HEADER + "\n".join([
        f"fake-span,thai-nguyen,KCN Giả & Co {{tt_body}},KCN,164;165,100,,operating,2023,,,,,none,{src},",
        f"fake-one,thai-nguyen,CCN Giả Một,CCN,164,50,,planned,2023,,,,,none,{src},",
        f"fake-two,thai-nguyen,CCN Giả Hai,CCN,164,,,under_construction,2023,,,,,none,{src},",
        f"fake-point,hai-duong,KCN Giả Điểm,KCN,288,200,~,operating,2023,50,2023,20.7,106.2,surveyed,{src},",
        f"fake-nowhere,hai-duong,KCN Giả Không Rõ,IT,,,,planned,2023,,,,,none,{src},",
    ]) + "\n", encoding="utf-8")
    with open(d / "values.csv", "a", encoding="utf-8") as fh:
        fh.write("thai-nguyen,party_orgs_private_enterprises,2023,300,,,,,164,vietnammoi_tn_kcn_plan_2023,,,,,\n")
    return d


def test_synthetic_centroid_placement(fake):
    ds = load_dataset(fake)
    assert not [p for p in ds.errors if "industrial_zones" in p.file], ds.errors
    geo = maps.load_geo(fake)
    drawn, missing = maps.zones_frame(ds, geo, "en", PAIR)
    span = drawn[drawn["id"] == "fake-span"].iloc[0]
    # Union of A (0.04 sq deg, centre 105.1) and B (0.08 sq deg, centre 105.4): 105.3, 21.1.
    assert span["longitude"] == pytest.approx(105.3, abs=1e-4) and span["latitude"] == pytest.approx(21.1, abs=1e-4)
    assert span["precision"] == "district_centroid" and "approximate" in span["tt_body"]
    # Two parks at the centroid of A are spread around it, not stacked.
    a = drawn[drawn["id"].isin(["fake-one", "fake-two"])]
    assert a[["longitude", "latitude"]].drop_duplicates().shape[0] == 2
    for _, z in a.iterrows():
        assert math.hypot(z["longitude"] - 105.1, z["latitude"] - 21.1) < 0.05
    point = drawn[drawn["id"] == "fake-point"].iloc[0]
    assert (point["longitude"], point["latitude"]) == (106.2, 20.7) and point["precision"] == "surveyed"
    assert list(missing["id"]) == ["fake-nowhere"]
    # Names from data go into the tooltip as text (the frontend escapes them); braces cannot
    # be read as template fields.
    assert "Giả & Co" in span["tt_title"] and "&amp;" not in span["tt_title"] and "{" not in span["tt_title"]


def test_synthetic_inner_lines_and_deck(fake):
    ds = load_dataset(fake)
    geo = maps.load_geo(fake)
    assert geo.inner_lines["19"] == [[[105.2, 21.0], [105.2, 21.2]]] or \
        geo.inner_lines["19"] == [[[105.2, 21.2], [105.2, 21.0]]]
    assert geo.inner_lines.get("30", []) == []
    cfg = get_config()
    spec = _deck(ds, geo, cfg, lang="vi")
    neigh = {f["properties"]["code"] for f in _layer(spec, "neighbours")["data"]["features"]}
    assert neigh == {"06"}  # the far province is left out
    assert {d["text"] for d in _objects(_layer(spec, "district-labels"))} == {"Huyện Giả A", "Huyện Giả B", "Huyện Giả C"}
    assert not URL.search(json.dumps(spec))
    spec25 = _deck(ds, geo, cfg, vintage="2025")
    labels = {x["text"] for x in _objects(_layer(spec25, "province-labels"))}
    assert any("Bac Kan" in s for s in labels)  # the old provinces named inside the merged unit


def test_synthetic_party_district_state(fake):
    ds = load_dataset(fake)
    geo = maps.load_geo(fake)
    cfg = get_config()
    # Only a district row for Thái Nguyên, of another indicator than its province figure.
    data = maps.party_layer_data(ds, geo, cfg, PAIR, "party_orgs_in_enterprises", "en")
    assert data.mode == "columns" and data.district_state == "none"
    # Add the province figure of the same indicator and period: comparable, one scale.
    with open(fake / "values.csv", "a", encoding="utf-8") as fh:
        fh.write("thai-nguyen,party_orgs_private_enterprises,2023,500,,,,,,vietnammoi_tn_kcn_plan_2023,,,,,\n")
    ds = load_dataset(fake)
    data = maps.party_layer_data(ds, geo, cfg, PAIR, "party_orgs_in_enterprises", "en")
    assert data.mode == "choropleth" and data.comparable
    assert data.district_state == "present" and [d["district"] for d in data.district_items] == ["164"]
    colours = {it["province"]: it["colour"] for it in data.items}
    assert sum(colours["thai-nguyen"][:3]) < sum(colours["hai-duong"][:3])  # 500 darker than 166
    spec = _deck(ds, geo, cfg, measure="party_orgs_in_enterprises")
    provs = {p["id"]: p for p in _objects(_layer(spec, "provinces"))}
    assert provs["thai-nguyen"]["fill"] == colours["thai-nguyen"]
    assert "party-districts" in [layer["id"] for layer in spec["layers"]]
    assert "Period: 2023" in _objects(_layer(spec, "party-districts"))[0]["tt_body"]


def test_text_layers_take_plain_string_properties():
    """pydeck would send characterSet/fontFamily as JS expressions ("@@=auto"), which breaks them."""
    from dashboard.config import load_config
    from tests.conftest import DATA, ROOT

    ds = load_dataset(DATA)
    deck = maps.build_deck(ds, maps.load_geo(DATA), load_config(ROOT / "config.yaml"),
                           ["thai-nguyen", "hai-duong"], "vi")
    texts = [layer for layer in json.loads(deck.to_json())["layers"] if layer["@@type"] == "TextLayer"]
    assert texts
    for layer in texts:
        assert layer["characterSet"] == "auto"
        assert layer["fontFamily"] == maps.LABEL_FONT
        assert not str(layer.get("sizeUnits", "")).startswith("@@=")


def test_initial_views_are_fitted_to_at_most_a_phones_map():
    """Issue #10: a view fitted to the projector's map cut Hải Dương off on a phone."""
    assert maps.fit_size((maps.VIEW_WIDTH, 480)) == (maps.PHONE_WIDTH, 480)
    assert maps.fit_size((maps.PANEL_WIDTH, 420)) == (maps.PANEL_WIDTH, 420)
    assert maps.PHONE_WIDTH <= 390 - 2 * 12  # a 390 px phone less the page's side padding


@pytest.mark.parametrize("style", [maps.TOOLTIP_STYLE, maps.NATIONAL_TOOLTIP_STYLE])
def test_tooltip_stays_inside_the_map(style):
    """The tooltip is a box in a lower corner, never wider than the map, its text wrapped
    (it followed the pointer and was cut off at the map's right edge)."""
    assert style["transform"] == "none" and style["bottom"] == "8px"
    assert "calc(100% - 16px)" in style["maxWidth"]
    assert style["whiteSpace"] == "normal" and style["overflowWrap"] == "anywhere"
    assert (style["left"], style.get("right")) in {("8px", None), ("auto", "8px")}


# ----------------------------------------------------------------------------- panel figure
# The topic page's map panel as a plotly figure (dashboard.map_figure, issue #9).

def _panel(real, provinces=PAIR, lang="vi", **kw):
    from dashboard import map_figure

    ds, geo, cfg = real
    return map_figure.panel_figure(ds, geo, cfg, provinces, lang, **kw)


@pytest.mark.parametrize("provinces", [PAIR, ["thai-nguyen", "hai-duong", "bac-ninh"], ["hai-duong"]])
def test_panel_initial_ranges_contain_every_compared_province(real, provinces):
    ds, geo, _ = real
    fig = _panel(real, provinces)
    xr, yr = fig.layout.xaxis.range, fig.layout.yaxis.range
    for p in provinces:
        lon0, lat0, lon1, lat1 = maps.province_feature(ds, geo, p, "2024").bbox
        assert xr[0] < lon0 and lon1 < xr[1] and yr[0] < lat0 and lat1 < yr[1], p
    box = maps._union_bbox(maps.province_feature(ds, geo, p, "2024").bbox for p in provinces)
    # fitted: a small margin, not a far-out view
    side = max(box[2] - box[0], box[3] - box[1])
    assert xr[1] - xr[0] < (box[2] - box[0]) + 0.2 * side and yr[1] - yr[0] < (box[3] - box[1]) + 0.2 * side
    # equal-area look: y scaled by 1/cos(mean latitude) against x
    mid = (box[1] + box[3]) / 2
    assert fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.yaxis.scaleratio == pytest.approx(1 / math.cos(math.radians(mid)))
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert axis.visible is False and axis.showgrid is False and axis.showticklabels is False


def test_panel_is_offline_small_and_one_trace_per_kind(real):
    fig = _panel(real, title="Bản đồ")
    spec = json.loads(fig.to_json())
    assert "geo" not in spec["layout"] and "mapbox" not in spec["layout"] and "map" not in spec["layout"]
    assert all(tr["type"] == "scatter" for tr in spec["data"])  # no scattergeo / scattermapbox
    assert not URL.search(fig.to_json())
    assert len(fig.to_json().encode()) < 150_000
    names = [tr.name for tr in fig.data]
    # neighbours, one per compared province, district lines, parks, district names
    assert names == ["neighbours", "Thái Nguyên", "Hải Dương", "districts", "zones", "district-labels"]
    assert None in fig.data[0].x  # polygons joined with None separators
    assert fig.layout.title.text == "Bản đồ"


def test_panel_draws_provinces_in_their_colours_and_parks_by_status(real):
    ds, geo, cfg = real
    fig = _panel(real)
    by_name = {tr.name: tr for tr in fig.data}
    for i, p in enumerate(PAIR):
        tr = by_name[ds.province_name(p, "vi")]
        r, g, b = maps._rgb(cfg.colour(p, i))[:3]
        assert tr.fill == "toself" and tr.line.color == f"rgba({r},{g},{b},1.0)"
        assert tr.fillcolor.startswith(f"rgba({r},{g},{b},") and float(tr.fillcolor.split(",")[-1][:-1]) < 0.3
    model = maps.map_model(ds, geo, cfg, PAIR, "vi")
    zones = by_name["zones"]
    # only parks with a location (or a district) are drawn: the model's drawn parks, no more
    assert len(zones.x) == len(model.zones) and len(model.zones) + len(model.no_location) == \
        int(ds.zones["province"].isin(PAIR).sum())
    for status, colour in zip(model.zones["status"], zones.marker.color):
        r, g, b = maps.STATUS_COLOURS[status]
        assert colour.startswith(f"rgba({r},{g},{b},")
    labels = by_name["district-labels"]
    assert labels.textfont.size >= 14 and labels.textfont.size >= min(cfg.chart.font_size, 16)
    assert labels.text and all(isinstance(x, str) and x for x in labels.text)


def test_panel_hover_texts_escape_markup(real):
    from dataclasses import replace

    ds, geo, cfg = real
    zones = ds.zones.copy()
    first = zones.index[zones["province"] == "thai-nguyen"][0]
    zones.loc[first, "name"] = "<b>KCN</b> <a href='x'>A&B</a>"
    hostile = replace(ds, zones=zones)
    fig = _panel((hostile, geo, cfg))
    texts = next(tr for tr in fig.data if tr.name == "zones").hovertext
    hover = [h for h in texts if "href" in h]
    assert len(hover) == 1
    lines = hover[0].split("<br>")
    # the data's markup is shown as text: only our own <b> around the name is markup
    assert lines[0] == "<b>&lt;b>KCN&lt;/b> &lt;a href='x'>A&amp;B&lt;/a></b>"
    # then kind, area (with its qualifier) and status
    assert lines[1].startswith("Khu công nghiệp · Thái Nguyên")
    assert lines[2].startswith("Diện tích: ") and lines[2].endswith(" ha") or lines[2] == "Diện tích: chưa rõ"
    assert lines[3].startswith("Tình trạng: ")
