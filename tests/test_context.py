"""National context of index figures (issue #10 item 4): rank among all provinces, median,
region average, peers, changes, the strip and the sub-index profile — on the real data."""

from __future__ import annotations

import json
import statistics

import pytest

from dashboard import context as C
from dashboard import context_charts
from tests.test_pages import run_page

FOUR = "quang-ninh,da-nang,thai-nguyen,hai-duong"


def test_all_provinces_are_the_63_of_2024(ds):
    provs = C.all_provinces(ds)
    assert len(provs) == 63
    assert "vietnam" not in provs and not any(p.endswith("-2025") for p in provs)


def test_pci_2019_ranks_are_the_published_ones(ds):
    ranks = C.ranks(ds, "pci_score", 2019)
    assert len(ranks) == 63
    assert ranks["thai-nguyen"] == C.Rank(12, 63, False, "")
    assert ranks["hai-duong"] == C.Rank(47, 63, False, "")
    values = C.year_values(ds, "pci_score", 2019)
    assert values.loc["thai-nguyen", "value_text"] == "67.71"
    assert values.loc["hai-duong", "value_text"] == "63.85"


def test_median_and_region_average_are_computed_over_the_right_provinces(ds):
    values = C.year_values(ds, "pci_score", 2019)
    med, n = C.median(ds, "pci_score", 2019)
    assert n == 63 and med == pytest.approx(statistics.median(values["value"]))
    region = ds.provinces["thai-nguyen"].region
    members = [p for p in values.index if ds.provinces[p].region == region]
    avg, n = C.region_average(ds, "pci_score", 2019, region)
    assert n == len(members) == 14
    assert avg == pytest.approx(values.loc[members, "value"].mean())


def test_peers_same_region_and_nearest_five(ds):
    values = C.year_values(ds, "pci_score", 2019)
    region = C.peers(ds, "pci_score", 2019, "hai-duong", "region")
    assert "hai-duong" not in region and region
    assert all(ds.provinces[p].region == ds.provinces["hai-duong"].region for p in region)
    nearest = C.peers(ds, "pci_score", 2019, "thai-nguyen", "nearest")
    assert len(nearest) == 5 and "thai-nguyen" not in nearest
    ref = values.loc["thai-nguyen", "value"]
    gaps = sorted(abs(values.loc[p, "value"] - ref) for p in values.index if p != "thai-nguyen")
    assert max(abs(values.loc[p, "value"] - ref) for p in nearest) == pytest.approx(gaps[4])
    scores = [values.loc[p, "value"] for p in nearest]
    assert scores == sorted(scores, reverse=True)


def test_change_since_previous_year_and_term(ds):
    ch = C.change(ds, "pci_score", 2019, "thai-nguyen", 2018)
    v18 = C.year_values(ds, "pci_score", 2018).loc["thai-nguyen", "value"]
    r18 = C.ranks(ds, "pci_score", 2018)["thai-nguyen"].rank
    assert ch.points == pytest.approx(67.71 - v18)
    assert ch.ranks == r18 - 12 and not ch.rank_computed and ch.method_change is None
    ctx = C.build(ds, "pci_score", 2019, ("thai-nguyen", "hai-duong"), term_start=2016)
    tn = ctx.standings[0]
    assert tn.previous == ch and tn.term.since == 2016
    # a term starting after the year has no change
    assert C.build(ds, "pci_score", 2019, ("thai-nguyen",), term_start=2021).standings[0].term is None
    # a change across PAPI's 2018 method change is flagged
    assert C.change(ds, "papi_score", 2019, "thai-nguyen", 2016).method_change == "2018"


def test_papi_ranks_are_marked_computed(ds):
    ranks = C.ranks(ds, "papi_score", 2019)
    assert len(ranks) == 63 and all(r.computed for r in ranks.values())
    assert all(r.of == 63 for r in ranks.values())


def test_profile_has_ten_pci_sub_indices_nine_in_2012(ds):
    prof = C.profile(ds, "pci_score", 2019, ("thai-nguyen", "hai-duong"))
    assert prof["component"].nunique() == 10
    assert C.profile(ds, "pci_score", 2012, ("thai-nguyen",))["component"].nunique() == 9
    med = prof[(prof["province"] == "") & (prof["component"] == "pci_entry_costs")]["value"].iloc[0]
    assert med == pytest.approx(statistics.median(C.year_values(ds, "pci_entry_costs", 2019)["value"]))
    assert C.profile(ds, "papi_score", 2019, ("thai-nguyen",))["component"].nunique() == 8


def _fonts(spec: dict) -> list[float]:
    sizes = [spec["layout"]["font"]["size"], spec["layout"]["legend"]["font"]["size"]]
    sizes += [a["font"]["size"] for a in spec["layout"].get("annotations", [])]
    for ax in ("xaxis", "yaxis"):
        sizes.append(spec["layout"][ax]["tickfont"]["size"])
    return sizes


def test_strip_highlights_the_compared_provinces_and_marks_the_median(ds, cfg):
    provinces = ["quang-ninh", "da-nang", "thai-nguyen", "hai-duong"]
    ctx = C.build(ds, "pci_score", 2019, tuple(provinces), 2021)
    fig = context_charts.strip(ds, ctx, provinces, "thai-nguyen", cfg, "vi")
    spec = json.loads(fig.to_json())
    names = [tr.get("name", "") for tr in spec["data"]]
    for i, p in enumerate(provinces):
        tr = next(tr for tr in spec["data"] if tr.get("name") == ds.province_name(p, "vi"))
        assert tr["marker"]["color"] == cfg.colour(p, i)
    labels = [a["text"] for a in spec["layout"]["annotations"]]
    assert "Thái Nguyên 67,71" in labels and "Hải Dương 63,85" in labels
    assert any(n.startswith("Trung vị cả nước 65,13") for n in names)
    assert any(n.startswith("Trung bình vùng Trung du") for n in names)
    others = next(tr for tr in spec["data"] if tr["name"].startswith("Các tỉnh"))
    assert len(others["x"]) == 59
    assert min(_fonts(spec)) >= 14


def test_profile_chart_readable(ds, cfg):
    frame = C.profile(ds, "pci_score", 2019, ("thai-nguyen", "hai-duong"))
    fig = context_charts.profile(ds, frame, "pci_score", 2019, ["thai-nguyen", "hai-duong"], cfg, "vi")
    spec = json.loads(fig.to_json())
    med = next(tr for tr in spec["data"] if tr.get("name", "").startswith("Trung vị"))
    assert len(med["x"]) == 10
    tn = next(tr for tr in spec["data"] if tr.get("name") == "Thái Nguyên")
    assert tn["marker"]["color"] == cfg.colour("thai-nguyen", 0) and len(tn["x"]) == 10
    assert min(_fonts(spec)) >= 14
    assert "10 chỉ số thành phần PCI 2019" in spec["layout"]["title"]["text"].replace("<br>", " ")


def _panel_charts(at) -> list[dict]:
    specs = [json.loads(p.proto.spec) for p in at.get("plotly_chart")]
    return [s for s in specs if "PCI 2019: 63" in s["layout"]["title"]["text"]
            or "chỉ số thành phần PCI" in s["layout"]["title"]["text"]]


@pytest.mark.parametrize("provinces", [None, FOUR])
def test_digital_page_shows_the_context_panel(ds, provinces):
    at = run_page("pages/chuyen_doi_so.py", section="trong-ca-nuoc", **({"provinces": provinces} if provinces else {}))
    assert not at.exception, [e.value for e in at.exception]
    assert "Trong cả nước" in [t.label for t in at.tabs]  # the panel is the page's last tab
    assert len(at.get("plotly_chart")) <= 10
    charts = _panel_charts(at)
    assert len(charts) == 2, "the strip and the sub-index profile"
    strip, profile = charts
    shown = (provinces or "thai-nguyen,hai-duong").split(",")
    names = {tr.get("name") for tr in strip["data"]} | {tr.get("name") for tr in profile["data"]}
    assert {ds.province_name(p, "vi") for p in shown} <= names
    rank_line = next(m.value for m in at.markdown if m.value.startswith("**Xếp hạng Điểm PCI**"))
    assert "Thái Nguyên: 12/63" in rank_line and "Hải Dương: 47/63" in rank_line and "(2019)" in rank_line
    if provinces:
        assert "Quảng Ninh: 1/63" in rank_line


def test_the_panel_is_drawn_only_in_its_tab():
    """Issue #9: the panel's strip, table and profile cost the page's first view; they are
    computed and sent only when its tab is open."""
    at = run_page("pages/chuyen_doi_so.py")
    assert not at.exception
    assert not _panel_charts(at) and not at.dataframe
    assert not any(r.key == "ctx-digital-index" for r in at.radio)


def test_peers_parameter_from_the_link():
    at = run_page("pages/chuyen_doi_so.py", peers="nearest", section="trong-ca-nuoc")
    assert not at.exception
    radio = at.radio(key="ctx-digital-peers")
    assert radio.value == "nearest"
    assert any(m.value.startswith("Nhóm so sánh của Thái Nguyên: 5 tỉnh gần điểm nhất") for m in at.markdown)


def test_computed_papi_ranks_are_no_headline():
    at = run_page("pages/chuyen_doi_so.py", section="trong-ca-nuoc")
    at.radio(key="ctx-digital-index").set_value("papi_score").run()
    assert not at.exception
    assert not any(m.value.startswith("**Xếp hạng Điểm tổng PAPI") for m in at.markdown)
    line = next(c.value for c in at.caption if c.value.startswith("Xếp hạng Điểm tổng PAPI"))
    assert "Thái Nguyên: 39/63 (hạng tính toán)" in line
    assert any(c.value.startswith("Hạng tính toán: Điểm tổng PAPI không công bố thứ hạng") for c in at.caption)
    titles = [json.loads(p.proto.spec)["layout"]["title"]["text"] for p in at.get("plotly_chart")]
    assert "PAPI 2019: 63 tỉnh, thành phố" in titles
