"""Compare any provinces (issue #10, item 3): search without diacritics, the region filter,
the reference province (``ref``) of differences, and four provinces on every page."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import picker, scorecard
from dashboard.state import (
    View,
    notice_text,
    parse_view,
    selectable_provinces,
    view_params,
)
from tests.conftest import ROOT

FOUR = ["quang-ninh", "da-nang", "thai-nguyen", "hai-duong"]
DEFAULTS = ["thai-nguyen", "hai-duong"]


@pytest.fixture(scope="module")
def options(ds):
    return list(selectable_provinces(ds))


# ----------------------------------------------------------------------------- search

def test_fold_drops_diacritics_and_case():
    assert picker.fold("Quảng Ninh") == "quang ninh"
    assert picker.fold("ĐẮK LẮK") == "dak lak" and picker.fold("Đà Nẵng") == "da nang"
    assert picker.fold("Bà Rịa – Vũng Tàu") == "ba ria vung tau"
    assert picker.fold("TP. Hồ Chí Minh") == "tp ho chi minh"


@pytest.mark.parametrize("query", ["quang ninh", "QUANG NINH", "Quang Ninh", "Quảng Ninh", "quảng", "quangninh",
                                   "  quang   ninh "])
def test_search_finds_quang_ninh_with_or_without_diacritics(ds, options, query):
    found = picker.matches(ds, options, query)
    assert found and found[0] == "quang-ninh"
    if "ninh" in query.casefold():
        assert found == ["quang-ninh"]


@pytest.mark.parametrize("query, pid", [("hai duong", "hai-duong"), ("HCM", "ho-chi-minh"), ("tphcm", "ho-chi-minh"),
                                        ("brvt", "ba-ria-vung-tau"), ("da nang", "da-nang"), ("Hue", "thua-thien-hue"),
                                        ("dak lak", "dak-lak")])
def test_search_finds_by_id_initials_and_english_name(ds, options, query, pid):
    assert pid in ds.provinces
    assert picker.matches(ds, options, query)[0] == pid


def test_search_ranks_names_that_begin_with_the_query_first(ds, options):
    found = picker.matches(ds, options, "hai")
    assert set(found[:2]) == {"hai-duong", "hai-phong"}
    assert "quang-ninh" not in found
    assert picker.matches(ds, options, "xyz không có") == []


def test_the_nation_is_not_a_province_to_choose(ds, options):
    assert "vietnam" in options  # a legacy link may still name it …
    assert "vietnam" not in picker.matches(ds, options, "")  # … but the picker does not offer it
    assert picker.matches(ds, options, "ca nuoc") == [] and picker.matches(ds, options, "vietnam") == []
    assert "vietnam" not in picker.provinces_only(ds, options)


def test_every_2024_province_can_be_chosen(ds, options):
    provinces = [p for p, prov in ds.provinces.items() if prov.vintage == "2024" and prov.level != "nation"]
    assert len(provinces) == 63
    assert sorted(picker.matches(ds, options, "")) == sorted(provinces)


# ----------------------------------------------------------------------------- regions

def test_region_filter_keeps_one_region_grouped_and_sorted(ds, options):
    red = picker.matches(ds, options, "", "dong-bang-song-hong")
    assert {"quang-ninh", "hai-duong", "ha-noi", "hai-phong"} <= set(red)
    assert all(ds.provinces[p].region == "dong-bang-song-hong" for p in red)
    assert "thai-nguyen" not in red and "da-nang" not in red
    names = [picker.fold(ds.province_name(p, "vi")) for p in red]
    assert names == sorted(names)
    # search within a region
    assert picker.matches(ds, options, "quang", "dong-bang-song-hong") == ["quang-ninh"]
    assert "quang-ninh" not in picker.matches(ds, options, "quang", "bac-trung-bo-duyen-hai-mien-trung")
    assert {"quang-binh", "quang-tri", "quang-nam", "quang-ngai"} <= set(
        picker.matches(ds, options, "quang", "bac-trung-bo-duyen-hai-mien-trung"))


def test_options_are_grouped_by_region_and_labelled(ds, options):
    grouped = picker.by_region(ds, picker.provinces_only(ds, options), "vi")
    order = list(ds.regions)
    regions = [order.index(ds.provinces[p].region) for p in grouped]
    assert regions == sorted(regions)
    assert picker.label(ds, "quang-ninh", "vi") == "Quảng Ninh · Đồng bằng sông Hồng"
    assert picker.label(ds, "quang-ninh", "en") == "Quang Ninh · Red River Delta"


# ----------------------------------------------------------------------------- ref

def test_ref_defaults_to_the_first_province(ds):
    v = parse_view({"provinces": ",".join(FOUR)}, ds, DEFAULTS)
    assert v.ref is None and v.reference == "quang-ninh" and v.notices == []
    assert view_params(v)["ref"] == "quang-ninh"
    assert "ref" not in view_params(View(provinces=DEFAULTS))  # two provinces: no reference needed


def test_ref_among_the_provinces_is_kept(ds):
    v = parse_view({"provinces": ",".join(FOUR), "ref": "da-nang"}, ds, DEFAULTS)
    assert v.reference == "da-nang" and v.notices == []
    again = parse_view(view_params(v), ds, DEFAULTS)
    assert again.reference == "da-nang" and again.provinces == FOUR


@pytest.mark.parametrize("ref", ["ha-noi", "atlantis", "[x](javascript:alert(1))", "Đà Nẵng", "x" * 5000, "²"])
def test_a_ref_not_among_the_provinces_falls_back_with_one_notice(ds, ref):
    v = parse_view({"provinces": ",".join(FOUR), "ref": ref}, ds, DEFAULTS)
    assert v.provinces == FOUR and v.reference == "quang-ninh"
    notices = [n for n in v.notices if n.param == "ref"]
    assert len(notices) == 1 and len(v.notices) == 1
    text = notice_text(notices[0], "vi")
    assert text.startswith("Tham số “ref=") and len(text) < 200


def test_junk_ref_values_never_raise(ds):
    for params in ({"ref": ["da-nang", "quang-ninh"], "provinces": FOUR}, {"ref": "", "provinces": FOUR},
                   {"ref": ",,,", "provinces": FOUR}, {"ref": "da-nang"}):
        v = parse_view(params, ds, DEFAULTS)
        assert v.reference in v.provinces
    # a repeated ref: the first value
    assert parse_view({"ref": ["da-nang", "quang-ninh"], "provinces": FOUR}, ds, DEFAULTS).reference == "da-nang"
    # ref names a province the link does not compare (the defaults): the first, one notice
    v = parse_view({"ref": "da-nang"}, ds, DEFAULTS)
    assert v.provinces == DEFAULTS and v.reference == "thai-nguyen" and len(v.notices) == 1


def test_scorecard_differences_are_against_the_reference(ds, cfg):
    card = scorecard.build(ds, cfg, FOUR, "vi", ref="da-nang")
    assert [p for p, _, _ in card.provinces] == FOUR  # the columns keep the link's order
    others = ["Quảng Ninh", "Thái Nguyên", "Hải Dương"]
    for row in card.rows:
        assert [c.text.split(":")[0] for c in row.comparisons] == [f"So với {n}" for n in others]
    assert "Đà Nẵng" in card.labels["comparison_hint"] and card.labels["trend_of"] == "Đà Nẵng"
    pci = next(r for r in card.rows if r.concept == "pci_rank")
    values = {c.province: c.value for c in pci.cells}
    assert all(v and re.fullmatch(r"\d+/63", v) for v in values.values()), values
    leads = [c for c in pci.comparisons if c.kind == "lead"]
    assert leads and all(c.computed for c in leads)
    # every lead names either Đà Nẵng or the province compared with it, never a third one
    for c, other in zip(pci.comparisons, others):
        assert c.kind != "lead" or (c.text.split(": ", 1)[1].startswith(("Đà Nẵng", other)))
    default = scorecard.build(ds, cfg, FOUR, "vi")
    assert [c.text.split(":")[0] for c in default.rows[0].comparisons] == [
        "So với Đà Nẵng", "So với Thái Nguyên", "So với Hải Dương"]


# ----------------------------------------------------------------------------- app

def _app(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_four_provinces_on_the_overview_and_every_topic_page(cfg):
    at = _app(provinces=",".join(FOUR), ref="da-nang")
    assert not at.exception, [e.value for e in at.exception]
    card = next(h.proto.body for h in at.get("html") if 'data-testid="scorecard"' in h.proto.body)
    heads = re.findall(r'<th scope="col" class="prov"[^>]*>([^<]*)</th>', card)
    assert heads == ["Quảng Ninh", "Đà Nẵng", "Thái Nguyên", "Hải Dương"]
    assert "So với Quảng Ninh:" in card and "So với Đà Nẵng:" not in card  # differences against Đà Nẵng
    assert at.session_state["_view"].reference == "da-nang" and at.query_params["ref"] == "da-nang"
    ref = at.selectbox(key="w_ref")
    assert ref.value == "da-nang" and ref.options == ["Quảng Ninh", "Đà Nẵng", "Thái Nguyên", "Hải Dương"]
    assert at.multiselect(key="w_provinces").value == FOUR
    # choosing another reference changes the differences
    ref.select("hai-duong").run()
    card = next(h.proto.body for h in at.get("html") if 'data-testid="scorecard"' in h.proto.body)
    assert "So với Đà Nẵng:" in card and "So với Hải Dương:" not in card
    assert at.query_params["ref"] == "hai-duong"
    topic = [e for e in cfg.pages if e.id in cfg.topic_pages]
    assert len(topic) == 4
    for entry in topic:
        at.switch_page(entry.file).run()
        assert not at.exception, (entry.file, [e.value for e in at.exception])
        assert not at.error, entry.file
        assert at.session_state["_view"].provinces == FOUR
        assert at.title and (at.get("plotly_chart") or at.get("html"))


def test_the_search_box_adds_a_province(cfg):
    at = _app()
    at.text_input(key="w_province_search").input("quang ninh").run()
    pills = at.get("button_group")[-1]
    assert [o.content for o in pills.proto.options] == ["Quảng Ninh"]
    pills.set_value("quang-ninh").run()
    assert not at.exception
    assert at.session_state["_view"].provinces == ["thai-nguyen", "hai-duong", "quang-ninh"]
    assert at.query_params["provinces"] == "thai-nguyen,hai-duong,quang-ninh"
    assert at.text_input(key="w_province_search").value == ""  # the search is cleared
    assert at.selectbox(key="w_ref").value == "thai-nguyen"  # three provinces: the reference appears
    # the region filter alone offers that region's provinces not yet chosen
    at.selectbox(key="w_region").select("tay-nguyen").run()
    offered = [o.content for o in at.get("button_group")[-1].proto.options]
    assert offered and "Lâm Đồng" in offered and "Quảng Ninh" not in offered



@pytest.mark.parametrize("page", ["pages/tong_quan.py", "pages/chuyen_doi_so.py", "pages/so_sanh_chi_tieu.py",
                                  "pages/ban_do.py", "pages/trinh_chieu.py", "pages/du_lieu.py"])
def test_four_provinces_from_national_tables_open_on_every_page(page):
    """The link of issue #10: every page opens with the four provinces, no notice, no error."""
    from tests.test_pages import run_page

    params = {"provinces": ",".join(FOUR)}
    if page == "pages/so_sanh_chi_tieu.py":
        params.update(indicator="pci_score", period="2019")
    at = run_page(page, **params)
    assert not at.exception and not at.error, page
    assert not [i for i in at.info if "provinces" in i.value], "no notice: all four are valid"
    shown = "\n".join([h.proto.body for h in at.get("html")] + [p.proto.spec for p in at.get("plotly_chart")]
                      + [m.label + " " + m.value for m in at.metric] + [e.value for e in at.markdown])
    if page == "pages/so_sanh_chi_tieu.py":  # PCI 2019 from the national table, 2 decimals as published
        import json

        (bar,) = [tr for p in at.get("plotly_chart") for tr in json.loads(p.proto.spec)["data"]
                  if tr.get("type") == "bar"]
        assert list(zip(bar["y"] or bar["x"], bar["text"])) == [
            ("Quảng Ninh", "73,40 điểm"), ("Đà Nẵng", "70,15 điểm"),
            ("Thái Nguyên", "67,71 điểm"), ("Hải Dương", "63,85 điểm")]
    if page == "pages/tong_quan.py":
        assert "Quảng Ninh" in shown and "Đà Nẵng" in shown and "/63" in shown
