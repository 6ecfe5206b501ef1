"""AppTest of the map page (pages/ban_do.py): deck JSON, controls, notes, tables."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import maps

APP = str(Path(__file__).resolve().parent.parent / "app.py")
URL = re.compile(r"https?://", re.I)


def _run(**params):
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page("pages/ban_do.py").run()
    assert not at.exception, at.exception
    return at


def _spec(at):
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    return json.loads(decks[0].proto.json)


def _ids(spec):
    return [layer["id"] for layer in spec["layers"]]


def test_map_page_renders_offline_deck():
    at = _run(lang="en")
    spec = _spec(at)
    for lid in ("neighbours", "provinces", "districts", "district-labels", "zones", "zone-kinds"):
        assert lid in _ids(spec)
    assert spec["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in spec
    assert not URL.search(at.get("deck_gl_json_chart")[0].proto.json)
    tooltip = json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)
    assert "{tt_title}" in tooltip["html"]
    # The short panel beside the map: parks drawn per province (≤ 5 lines), the rest in "Details".
    zones = next(layer for layer in spec["layers"] if layer["id"] == "zones")["data"]
    side = next(m.value for m in at.markdown if m.value.startswith("**Industrial parks and clusters**"))
    lines = side.split("  \n")
    assert len(lines) <= 5
    drawn = sum(int(re.search(r"\*\*(\d+)\*\*$", line).group(1)) for line in lines[1:])
    assert drawn == len(zones)
    assert "Details" in [e.label for e in at.expander]
    # The legend beside the map: swatches in the layers' colours, short labels.
    legend = next(h.proto.body for h in at.get("html") if 'data-testid="map-legend"' in h.proto.body)
    for label in ("Neighbouring province", "District boundary", "operating", "Surveyed location"):
        assert label in legend
    r, g, b = maps.STATUS_COLOURS["operating"]
    assert f"rgba({r},{g},{b}," in legend
    captions = " ".join(c.value for c in at.caption)
    assert "Map data:" in captions and "Open Development" in captions


def test_province_switch_fits_province():
    at = _run(lang="en")
    both = _spec(at)["initialViewState"]
    switch = at.button_group(key="w_map_focus")
    switch.set_value("hai-duong").run()
    assert not at.exception
    hd = _spec(at)["initialViewState"]
    assert hd["zoom"] > both["zoom"]
    assert at.session_state["_view"].focus == "hai-duong"
    at.button_group(key="w_map_focus").set_value("all").run()
    assert _spec(at)["initialViewState"] == both


def test_vintage_2025_from_url():
    at = _run(lang="en", vintage="2025")
    spec = _spec(at)
    assert "old-provinces" in _ids(spec) and "districts" not in _ids(spec)
    infos = " ".join(i.value for i in at.info)
    assert "From 1 July 2025" in infos and "former provinces" in infos


def test_party_measure_layer_and_notes():
    at = _run(lang="en")
    at.selectbox(key="w_map_measure").set_value("party_orgs_in_enterprises").run()
    assert not at.exception
    spec = _spec(at)
    assert "party" in _ids(spec) and "party-labels" in _ids(spec)
    infos = " ".join(i.value for i in at.info)
    assert "not comparable" in infos
    assert "No district data yet" in infos


def test_vietnamese_labels_and_zone_focus():
    at = _run(lang="vi", focus="hd-dai-an-mr")
    spec = _spec(at)
    labels = {d["text"] for d in next(layer for layer in spec["layers"] if layer["id"] == "district-labels")["data"]}
    assert "Cẩm Giàng" in labels
    zones = next(layer for layer in spec["layers"] if layer["id"] == "zones")["data"]
    assert any("Tình trạng" in z["tt_body"] for z in zones)
    # The focused park's details panel is shown without a click.
    assert any("KCN Đại An mở rộng" in h.value for h in at.subheader)


def test_tables_and_downloads():
    at = _run(lang="en")
    heads = " ".join(e.label for e in at.expander)
    assert "What the map shows" in heads and "Industrial parks and clusters on the map" in heads
    assert any("No location" in s.value for s in at.subheader)
    # the parks without a location: a table drawn at once, with its download
    table = next(h.value for h in at.get("html") if 'data-testid="map-no-location"' in h.value)
    assert "<td>" in table and "<script" not in table
    # the two full tables wait until opened (issue #9): no data grid on the first view
    assert not at.dataframe
    at.session_state["map-zones-open"] = True
    at.session_state["map-table-open"] = True
    at.run()
    assert len(at.dataframe) == 2
    assert len(at.get("download_button")) == 3


def test_party_measure_from_url_and_back_to_url():
    at = _run(lang="vi", measure="party_orgs_in_enterprises")
    assert "party" in _ids(_spec(at))
    assert at.selectbox(key="w_map_measure").value == "party_orgs_in_enterprises"
    at.selectbox(key="w_map_measure").set_value("none").run()
    assert "party" not in _ids(_spec(at))
    assert at.session_state["_view"].measure is None  # and so dropped from the written URL


def _framed(view, box, width, height):
    seen = maps.visible_bounds(view["latitude"], view["longitude"], view["zoom"], width, height)
    return seen[0] <= box[0] and seen[1] <= box[1] and seen[2] >= box[2] and seen[3] >= box[3]


def _box(provinces):
    from dashboard.data import load_dataset

    root = Path(APP).parent / "data"
    ds, geo = load_dataset(root), maps.load_geo(root)
    return maps._union_bbox(maps.province_feature(ds, geo, p).bbox for p in provinces)


def test_map_page_initial_view_frames_the_compared_provinces():
    provinces = ["thai-nguyen", "hai-duong", "bac-ninh"]
    at = _run(lang="vi", provinces=",".join(provinces))
    view = _spec(at)["initialViewState"]
    assert _framed(view, _box(provinces), maps.VIEW_WIDTH, maps.VIEW_HEIGHT)
    # whole on a phone too (390×844: the map is maps.PHONE_WIDTH wide), and fitted, not far out
    assert _framed(view, _box(provinces), maps.PHONE_WIDTH, maps.VIEW_HEIGHT)
    assert not _framed(view, _box(provinces), maps.PHONE_WIDTH * 0.7, maps.VIEW_HEIGHT * 0.7)


@pytest.mark.parametrize("provinces", [["thai-nguyen", "hai-duong"], ["quang-ninh", "da-nang", "thai-nguyen", "hai-duong"]])
def test_map_page_shows_every_compared_province_whole_on_a_phone(provinces):
    """Issue #10: at 390×844 Hải Dương was cut at the map's edge (the view was fitted to
    the projector's wider map)."""
    at = _run(lang="vi", provinces=",".join(provinces))
    view = _spec(at)["initialViewState"]
    for p in provinces:
        assert _framed(view, _box([p]), maps.PHONE_WIDTH, maps.VIEW_HEIGHT), p


def test_economy_map_panel_frames_both_provinces_with_its_legend():
    """The economy page's map panel is a plotly figure (SVG), not a deck (issue #9): its
    initial ranges contain both provinces, tightly; legend, credit and a link to the map
    page under it."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "vi"
    at.query_params["section"] = "fdi-khu-cong-nghiep"  # the tab of FDI and industrial parks
    at.switch_page("pages/kinh_te_xa_hoi.py").run()
    assert not at.exception, at.exception
    assert len(at.get("deck_gl_json_chart")) == 0  # no deck.gl on the page
    charts = [c for c in at.get("plotly_chart") if json.loads(c.proto.spec)["layout"].get("title", {})
              .get("text", "").startswith("Bản đồ khu, cụm công nghiệp")]
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert "geo" not in spec["layout"] and not URL.search(charts[0].proto.spec)
    xr, yr = spec["layout"]["xaxis"]["range"], spec["layout"]["yaxis"]["range"]
    for p in ("thai-nguyen", "hai-duong"):
        box = _box([p])
        assert xr[0] < box[0] and box[2] < xr[1] and yr[0] < box[1] and box[3] < yr[1], p
    box = _box(["thai-nguyen", "hai-duong"])
    assert (xr[1] - xr[0]) < 1.2 * (box[2] - box[0]) and (yr[1] - yr[0]) < 1.2 * (box[3] - box[1])
    assert {tr.get("name") for tr in spec["data"]} >= {"Thái Nguyên", "Hải Dương", "zones", "neighbours"}
    legend = [h.proto.body for h in at.get("html") if 'data-testid="map-legend"' in h.proto.body]
    assert len(legend) == 1 and "Tỉnh lân cận" in legend[0] and "Chú giải" in legend[0]
    assert 'class="sw letter"' not in legend[0]  # the panel draws no kind letters on its markers
    captions = " ".join(c.value for c in at.caption)
    assert "Dữ liệu bản đồ" in captions and "CC BY-SA 4.0" in captions  # the boundaries' licence
    links = [m.value for m in at.markdown if "](./ban-do?" in m.value]
    assert len(links) == 1 and "provinces=thai-nguyen%2Chai-duong" in links[0] and "lang=vi" in links[0]
