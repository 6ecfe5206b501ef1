"""The national map ("Cả nước"): classes, colours, missing provinces, outlines, no 2025 units."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import maps
from dashboard.state import parse_view, view_params

COMPARED = ["thai-nguyen", "hai-duong"]


@pytest.fixture(scope="module")
def geo(ds):
    return maps.load_geo(ds.data_dir)


def _model(ds, geo, cfg, indicator="pci_score", year="2019", compared=COMPARED, lang="vi"):
    return maps.national_model(ds, geo, cfg, indicator, year, compared, lang)


def _spec(model, cfg):
    return json.loads(maps.national_deck(model, cfg).to_json())


def _layer(spec, lid):
    return next(layer for layer in spec["layers"] if layer["id"] == lid)


def test_every_pci_2019_province_gets_a_class_colour(ds, geo, cfg):
    model = _model(ds, geo, cfg)
    rows = ds.rows("pci_score", period="2019")
    with_score = {p for p in rows["province"] if ds.provinces[p].vintage == "2024"}
    assert len(with_score) == 63
    spec = _spec(model, cfg)
    fills = {f["properties"]["id"]: f["properties"]["fill"] for f in _layer(spec, "national")["data"]["features"]}
    palette = [list(c) for c in maps.CHORO_PALETTE]
    assert set(fills) == with_score
    for pid in with_score:
        assert fills[pid][:3] in palette, pid
    assert model.missing == []
    assert model.method_text == "Chia theo ngũ phân vị, 63 tỉnh"
    # five classes of about a fifth of the provinces each, all five colours used
    assert len(model.classes.counts) == 5 and sum(model.classes.counts) == 63
    assert all(11 <= c <= 14 for c in model.classes.counts)


def test_classes_cover_all_values_in_order(ds, geo, cfg):
    model = _model(ds, geo, cfg)
    cls = model.classes
    for it in model.items:
        v, c = float(it["row"]["value"]), it["cls"]
        assert cls.lows[c] <= v <= cls.highs[c]
    # classes do not overlap and run low -> high; darker colours for higher scores
    for j in range(len(cls.counts) - 1):
        assert cls.highs[j] < cls.lows[j + 1]
    assert cls.colours[-1] == list(maps.CHORO_PALETTE[-1]) and cls.colours[0] == list(maps.CHORO_PALETTE[0])
    legend = maps.national_legend(model)
    assert legend[0]["label"] == "67,71–73,40"  # highest class first, published 2 decimals, Vietnamese style
    assert sum(e["count"] for e in legend) == 63


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=80),
       st.sampled_from(["quantile", "equal"]))
def test_classify_puts_every_value_in_exactly_one_class(values, method):
    idx, cls = maps.classify(values, method)
    assert len(idx) == len(values) and sum(cls.counts) == len(values)
    assert 1 <= len(cls.counts) <= maps.CLASS_COUNT
    assert all(c > 0 for c in cls.counts)
    for v, c in zip(values, idx):
        assert cls.lows[c] <= v <= cls.highs[c]
    for j in range(len(cls.counts) - 1):
        assert cls.highs[j] < cls.lows[j + 1]


def test_ranks_reversed_better_is_darker(ds, geo, cfg):
    model = _model(ds, geo, cfg, "pci_rank", "2019")
    assert model.classes.reverse and model.classes.method == "equal"
    assert model.method_text == "5 khoảng đều, 63 tỉnh"
    first = next(it for it in model.items if int(it["row"]["value"]) == 1)
    last = next(it for it in model.items if int(it["row"]["value"]) == 63)
    assert first["fill"][:3] == list(maps.CHORO_PALETTE[-1])  # rank 1: darkest
    assert last["fill"][:3] == list(maps.CHORO_PALETTE[0])
    legend = maps.national_legend(model)
    assert legend[0]["label"] == "1–13" and legend[0]["fill"][:3] == list(maps.CHORO_PALETTE[-1])


def test_missing_provinces_listed_and_hatched(ds, geo, cfg):
    model = _model(ds, geo, cfg, "papi_score", "2018")
    have = set(ds.rows("papi_score", period="2018")["province"])
    expected = [ds.province_name(p, "vi") for p, prov in ds.provinces.items()
                if prov.vintage == "2024" and prov.level != "nation" and p not in have]
    assert expected and sorted(model.missing) == sorted(expected)
    assert model.method_text == "Chia theo ngũ phân vị, 61 tỉnh"
    spec = _spec(model, cfg)
    feats = {f["properties"]["id"]: f["properties"] for f in _layer(spec, "national")["data"]["features"]}
    assert len(feats) == 63
    for it in model.items:
        if it["row"] is None:
            assert feats[it["id"]]["fill"] == maps.MISSING_FILL
            assert "Chưa có số liệu năm 2018" in feats[it["id"]]["tt_body"]
    assert _layer(spec, "national-missing")["data"], "provinces with no figure are hatched"
    assert maps.national_legend(model)[-1]["label"] == "Chưa có số liệu"


def test_compared_provinces_outlined_in_their_colours(ds, geo, cfg):
    compared = ["thai-nguyen", "hai-duong", "quang-ninh"]
    spec = _spec(_model(ds, geo, cfg, compared=compared), cfg)
    outline = _layer(spec, "national-compared")
    assert outline["getWidth"] >= 4
    colours = {d["province"]: d["colour"] for d in outline["data"]}
    assert set(colours) == set(compared)
    for i, pid in enumerate(compared):
        assert colours[pid] == maps._rgb(cfg.colour(pid, i))


def test_tooltip_value_rank_year_source(ds, geo, cfg):
    model = _model(ds, geo, cfg)
    tn = next(it for it in model.items if it["id"] == "thai-nguyen")
    body = tn["tt_body"]
    assert "67,71 điểm" in body and "Xếp hạng 12/63" in body and "Năm 2019" in body and "Nguồn: VCCI" in body
    # a computed rank (PAPI: not published) is labelled computed
    papi = _model(ds, geo, cfg, "papi_score", "2019")
    it = next(i for i in papi.items if i["row"] is not None)
    assert "tính toán" in it["rank"]
    en = _model(ds, geo, cfg, "population", "2016", lang="en")
    it = next(i for i in en.items if i["id"] == "ho-chi-minh")
    assert "people" in it["tt_body"] and "computed" in it["tt_body"] and "8,297,500" in it["tt_body"]


def test_no_2025_aggregation(ds, geo, cfg):
    """Only the 63 provinces on 2024 boundaries: no 2025 unit, no sum or average of them."""
    model = _model(ds, geo, cfg, compared=["thai-nguyen", "thai-nguyen-2025"])
    ids = {it["id"] for it in model.items}
    assert all(ds.provinces[p].vintage == "2024" for p in ids)
    assert not any(p.endswith("-2025") for p in ids)
    codes_2024 = set(geo.provinces["2024"])
    assert {it["code"] for it in model.items} <= codes_2024
    spec = _spec(model, cfg)
    outline_ids = {d["province"] for d in _layer(spec, "national-compared")["data"]}
    assert outline_ids == {"thai-nguyen"}
    # every figure drawn is a row of that province, never a total of several
    for it in model.items:
        if it["row"] is not None:
            assert it["row"]["province"] == it["id"]
    # years with only curated figures of a few provinces are no national map
    assert "2023" not in maps.national_years(ds, "pci_score")


def test_deck_offline_and_small(ds, geo, cfg):
    deck = maps.national_deck(_model(ds, geo, cfg), cfg)
    text = deck.to_json()
    spec = json.loads(text)
    assert spec["mapStyle"] == maps.MAP_STYLE_SENTINEL and "mapProvider" not in spec
    assert "http" not in text
    assert len(text) < 400_000, len(text)


def test_year_param_guarded(ds):
    view = parse_view({"measure": "pci_score", "year": "2019"}, ds, ["thai-nguyen"])
    assert view.measure == "pci_score" and view.year == "2019" and not view.notices
    assert view_params(view)["year"] == "2019"
    bad = parse_view({"year": "２０１９"}, ds, ["thai-nguyen"])
    assert bad.year is None and bad.notice("year") is not None
