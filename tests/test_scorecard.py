"""The overview's scorecard: the model (rows, comparisons, trend lines, since the meeting),
its HTML (escaped), and the page in AppTest (vi, en, asof=hop-2023)."""

from __future__ import annotations

import base64
import dataclasses
import re

import pandas as pd
import pytest

from dashboard import scorecard, snapshots
from dashboard.config import load_config
from tests.test_snapshots import HOP

PAIR = ["thai-nguyen", "hai-duong"]


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def latest(ds, config):
    return scorecard.build(ds, config, PAIR, "vi", query="lang=vi", since_ds=snapshots.apply(ds, HOP),
                           since_label="Từ buổi làm việc 2023")


@pytest.fixture(scope="module")
def meeting(ds, config):
    return scorecard.build(snapshots.apply(ds, HOP), config, PAIR, "vi")


def pci(ds):
    """(Thái Nguyên's rank, Hải Dương's rank, leader vi, leader en, places) of the latest common PCI year."""
    comp = snapshots.pair(ds, "pci_rank", PAIR)
    assert comp.comparable
    tn, hd = (int(comp.rows[p]["value"]) for p in PAIR)
    lead = 0 if tn < hd else 1
    return tn, hd, ["Thái Nguyên", "Hải Dương"][lead], ["Thai Nguyen", "Hai Duong"][lead], abs(tn - hd)


def row(card, concept):
    return next(r for r in card.rows if r.concept == concept)


def fake(province, value, *, indicator="grdp_growth", period="2023", scope="", qualifier="", rank_of=None):
    y = [int(p) for p in period.split("-")[:2] if len(p) == 4]
    return pd.Series({"province": province, "indicator": indicator, "period": period, "value": float(value),
                      "value_text": str(value), "qualifier": qualifier, "scope": scope, "rank_of": rank_of,
                      "year_start": y[0], "year_end": y[-1], "source": "x"})


# ----------------------------------------------------------------------------- the model

def test_one_row_per_configured_concept_with_a_cell_per_province(ds, latest, config):
    assert [r.concept for r in latest.rows] == [r.concept for r in config.scorecard.rows]
    assert [p for p, _, _ in latest.provinces] == PAIR
    for r in latest.rows:
        assert [c.province for c in r.cells] == PAIR
        assert len(r.comparisons) == 1
    pci_row = row(latest, "pci_rank")
    tn, hd, *_ = pci(ds)
    assert [c.value for c in pci_row.cells] == [f"{tn}/63", f"{hd}/63"]
    assert pci_row.cells[0].period == pci_row.cells[1].period
    assert pci_row.href == "./kinh-te-xa-hoi?lang=vi&section=nang-luc-canh-tranh"  # the page's PCI tab


def test_cells_carry_qualifier_unit_period_and_marks(latest):
    exports = row(latest, "exports")
    tn, hd = exports.cells
    assert tn.value == ">31 tỷ USD" and tn.number == ">31" and tn.unit == "tỷ USD"
    assert "ước tính" in hd.badges and "độ tin cậy thấp" in hd.badges
    assert row(latest, "school_party_cells_and_committees").cells[1].value is None  # missing, shown as missing


def test_comparison_texts(ds, latest):
    _, _, leader, _, places = pci(ds)
    assert row(latest, "pci_rank").comparisons[0].text == f"{leader} xếp trên {places} bậc"  # lower is better
    grdp = row(latest, "grdp_growth").comparisons[0]
    assert re.fullmatch(r"(Thái Nguyên|Hải Dương) hơn \d+(,\d+)? điểm %", grdp.text) and grdp.computed
    assert row(latest, "fdi_capital").comparisons[0].text == "khác kỳ"
    assert row(latest, "school_party_cells_and_committees").comparisons[0].text == "thiếu số liệu"
    assert row(latest, "party_orgs_in_enterprises").comparisons[0].text == "khác chỉ tiêu, khác kỳ"
    assert row(latest, "exports").comparisons[0].text == "Thái Nguyên dẫn trước"  # >31 against 11,45: no difference


def test_comparison_rules_on_single_pairs(ds, config):
    index = {"thai-nguyen": 0, "hai-duong": 1}

    def text(a, b, lang="vi"):
        return scorecard.compare_two(ds, config, "thai-nguyen", "hai-duong", {"thai-nguyen": a, "hai-duong": b},
                                     lang, index).text

    assert text(fake("thai-nguyen", 7.5), fake("hai-duong", 8)) == "Hải Dương hơn 0,5 điểm %"
    assert text(fake("thai-nguyen", 7.5), fake("hai-duong", 8), "en") == "Hai Duong ahead by 0.5 pp"
    assert text(fake("thai-nguyen", 7), fake("hai-duong", 7.0)) == "Bằng nhau"
    assert text(fake("thai-nguyen", 7), fake("hai-duong", 8, scope="khu vực tư nhân")) == "khác phạm vi"
    assert text(fake("thai-nguyen", 7), fake("hai-duong", 8, period="2022")) == "khác kỳ"
    assert text(fake("thai-nguyen", 7), None) == "thiếu số liệu"
    assert text(fake("thai-nguyen", 7, indicator="grdp_growth_avg", period="2021-2023"),
                fake("hai-duong", 8)) == "khác chỉ tiêu, khác kỳ"
    rank = {"indicator": "pci_rank", "rank_of": 63}
    assert text(fake("thai-nguyen", 3, **rank), fake("hai-duong", 10, **rank)) == "Thái Nguyên xếp trên 7 bậc"
    assert text(fake("thai-nguyen", 10, **rank), fake("hai-duong", 3, **rank)) == "Hải Dương xếp trên 7 bậc"
    assert text(fake("thai-nguyen", 9, qualifier=">"), fake("hai-duong", 10)) == \
        "Chưa rõ bên nào hơn (số là mức trên/dưới)"


def test_more_than_two_provinces_compare_against_the_first(ds, config):
    others = [p for p in ds.provinces if p not in PAIR and ds.provinces[p].vintage == "2024"][:1]
    card = scorecard.build(ds, config, PAIR + others, "vi")
    r = row(card, "pci_rank")
    assert len(r.comparisons) == 2
    assert r.comparisons[0].text.startswith("So với Hải Dương: ")
    assert r.comparisons[1].text.startswith(f"So với {ds.province_name(others[0], 'vi')}: ")


def test_meeting_snapshot_shows_the_meetings_figures(meeting):
    grdp = row(meeting, "grdp_growth")
    assert [c.value for c in grdp.cells] == ["6,9%/năm", "8,58%/năm"]
    assert [c.period for c in grdp.cells] == ["2021–2023", "2021–2023"]
    assert grdp.comparisons[0].text == "Hải Dương hơn 1,68 điểm %"
    assert "ngoài buổi làm việc" in grdp.cells[0].badges and "ngoài buổi làm việc" not in grdp.cells[1].badges
    dti = row(meeting, "dti_rank")
    assert [c.value for c in dti.cells] == ["8/63", "14/63"] and dti.cells[0].period == "2021"
    assert meeting.since_title is None and all(r.since is None for r in meeting.rows)


def test_since_the_meeting_only_where_comparable(latest, ds):
    assert latest.since_title == "Từ buổi làm việc 2023"
    assert re.fullmatch(r"(Lên|Xuống) \d+ bậc|Giữ hạng", row(latest, "pci_rank").since.split(" (")[0])
    assert row(latest, "grdp_growth").since == "—"  # a year now, a three-year average then
    assert row(latest, "party_orgs_in_enterprises").since == "Chưa có số mới"
    now, then = fake("thai-nguyen", 8.2, period="2024"), fake("thai-nguyen", 7.0, period="2023")
    assert scorecard.since_text(ds, now, then, "vi") == ("+1,2 điểm % (2023 → 2024)", True)
    assert scorecard.since_text(ds, now, fake("thai-nguyen", 7, period="2023", scope="x"), "vi")[0] == "—"
    assert scorecard.since_text(ds, then, now, "vi")[0] == "—"  # an older figure is not "since the meeting"
    rank = {"indicator": "pci_rank", "rank_of": 63}
    up = scorecard.since_text(ds, fake("thai-nguyen", 5, period="2024", **rank),
                              fake("thai-nguyen", 6, period="2023", **rank), "en")
    assert up == ("Up 1 place (2023 → 2024)", True)


def test_merged_units_say_so(ds, config):
    row_2025 = fake("hai-phong-2025", 5, period="2025")
    row_old = fake("hai-duong", 20, period="2025")
    row_before = fake("hai-duong", 18, period="2025-03")
    assert scorecard._merger_badges(ds, row_2025, "vi") == ["đơn vị sau sáp nhập 7/2025"]
    assert scorecard._merger_badges(ds, row_old, "vi") == ["địa bàn tỉnh cũ, sáp nhập 7/2025"]
    assert scorecard._merger_badges(ds, row_before, "vi") == []


# ----------------------------------------------------------------------------- trend lines

def test_yearly_series_keeps_calendar_years_only(ds):
    years = [y for y, _ in scorecard.yearly_series(ds, "hai-duong", "export_value")]
    assert years == [2016, 2022]  # 2023-H1 is not a year
    assert scorecard.yearly_series(ds, "hai-duong", "grdp_growth_avg") == []  # 2021-2023 is not a year


def test_sparkline_needs_three_years_and_breaks_at_gaps():
    assert scorecard.sparkline([(2020, 1), (2021, 2)], "#1F5FA8", False, "x", "vi") is None
    spark = scorecard.sparkline([(2017, 1), (2019, 2), (2020, 3), (2021, 2)], "#1F5FA8", False, "alt", "vi")
    assert spark.segments == [[2017], [2019, 2020, 2021]] and spark.years == "2017–2021"
    svg = base64.b64decode(spark.uri.split(",", 1)[1]).decode()
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 2  # 2017 alone is a dot, plus the last point
    assert len(re.search(r'points="([^"]+)"', svg).group(1).split()) == 3


def test_trend_lines_in_the_scorecard(ds, latest, meeting):
    assert row(latest, "pci_rank").spark.points == scorecard.yearly_series(ds, "thai-nguyen", "pci_rank")
    assert row(latest, "party_orgs_in_enterprises").spark is None  # no yearly series
    assert row(meeting, "dti_rank").spark.years == "2020–2022"


# ----------------------------------------------------------------------------- HTML

def test_html_is_a_table_with_escaped_text(ds, config):
    # data/ refuses tags in names; the template escapes them anyway (defence in depth)
    evil = '<script>alert(1)</script><b>Thái</b> & "x"'
    prov = ds.provinces["thai-nguyen"]
    provinces = {**ds.provinces, "thai-nguyen": prov.model_copy(update={
        "name": prov.name.model_copy(update={"vi": evil})})}
    hostile = dataclasses.replace(ds, provinces=provinces)
    assert hostile.province_name("thai-nguyen", "vi") == evil
    html = scorecard.render(scorecard.build(hostile, config, PAIR, "vi", query='a="b"&c=<d>'))
    assert "<script>alert" not in html and "<b>Thái" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Thái&lt;/b&gt; &amp; &#34;x&#34;" in html
    # the link's query is URL-encoded, then HTML-escaped: nothing of it can close the attribute
    assert 'href="./chuyen-doi-so?a=%22b%22&amp;c=%3Cd%3E&amp;section=chuyen-doi-so"' in html
    assert html.count("<tr data-concept=") == len(config.scorecard.rows) and "<table>" in html


# ----------------------------------------------------------------------------- the page (AppTest)

def scorecard_text(at) -> dict[str, str]:
    """Each row's visible text (concept -> text), read from the st.html element."""
    bodies = [h.proto.body for h in at.get("html") if 'data-testid="scorecard"' in h.proto.body]
    assert len(bodies) == 1
    out = {}
    for concept, body in re.findall(r'<tr data-concept="([^"]+)">(.*?)</tr>', bodies[0], flags=re.DOTALL):
        text = re.sub(r"<[^>]+>", " ", body)
        out[concept] = " ".join(text.replace("&gt;", ">").replace("&lt;", "<").split())
    return out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_page_shows_the_scorecard(ds, lang):
    from tests.test_pages import run_page

    at = run_page("pages/tong_quan.py", lang=lang)
    assert not at.exception and not at.metric, "no big cards: the scorecard is the page"
    rows = scorecard_text(at)
    if lang == "vi":
        tn, _, leader, _, places = pci(ds)
        assert f"{leader} xếp trên {places} bậc" in rows["pci_rank"] and f"{tn}/63" in rows["pci_rank"]
        assert "khác kỳ" in rows["fdi_capital"] and "thiếu số liệu" in rows["school_party_cells_and_committees"]
        assert ">31 tỷ USD" in rows["exports"]
    else:
        _, _, _, leader, places = pci(ds)
        assert f"{leader} {places} places higher" in rows["pci_rank"]
        assert "period differs" in rows["fdi_capital"] and "figure missing" in rows["school_party_cells_and_committees"]
        assert ">31 billion USD" in rows["exports"]
    md = " ".join(m.value for m in at.markdown)
    assert ("Diện tích" if lang == "vi" else "Area") in md and "km²" in md


def test_overview_page_with_the_meeting_snapshot():
    from tests.test_pages import SHARE_OPEN, run_page

    at = run_page("pages/tong_quan.py", state=SHARE_OPEN, lang="vi", asof="hop-2023")
    assert not at.exception
    rows = scorecard_text(at)
    assert "8,58%/năm" in rows["grdp_growth"] and "6,9%/năm" in rows["grdp_growth"]
    assert "2021–2023" in rows["grdp_growth"] and "Hải Dương hơn 1,68 điểm %" in rows["grdp_growth"]
    assert "59.872 tỷ đồng" in rows["state_budget_revenue"] and ">19.100 tỷ đồng" in rows["state_budget_revenue"]
    assert "14/63" in rows["dti_rank"] and "2021" in rows["dti_rank"]
    notes = [h.proto.body for h in at.get("html") if "asof-note" in h.proto.body]
    assert notes and "Đang xem: Số liệu tại buổi làm việc năm 2023" in notes[0]
    assert "asof=hop-2023" in next(c.value for c in at.code if "provinces=" in c.value)
