"""Trình chiếu (presentation mode): slide navigation, clamping, every slide renders."""

from __future__ import annotations

import html
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import pick, t
from dashboard.present import flags, number_text, period_text, value_text
from dashboard.state import View
from dashboard.views.presentation import (
    clamp_slide,
    embed_link,
    lead_text,
    leader,
    next_slide,
    previous_slide,
)
from tests.conftest import ROOT

PAGE = "pages/trinh_chieu.py"


def open_slide(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def title(at: AppTest) -> str:
    return at.title[0].value


def slide_title(cfg, n: int, lang: str = "vi") -> str:
    return pick(cfg.slides[n - 1].title.model_dump(), lang)


# ----------------------------------------------------------------------------- pure

def test_clamp_and_step():
    assert clamp_slide(3, 6) == (3, False)
    assert clamp_slide(999, 6) == (1, True)
    assert clamp_slide(0, 6) == (1, True)
    assert next_slide(6, 6) == 6 and next_slide(6, 6, wrap=True) == 1 and next_slide(2, 6) == 3
    assert previous_slide(1, 6) == 1 and previous_slide(4, 6) == 3


def test_embed_link():
    view = View(lang="en", provinces=["thai-nguyen", "hai-duong"], slide=4)
    link = embed_link("http://host:8501/trinh-chieu?slide=1", "trinh-chieu", view)
    assert link.startswith("http://host:8501/trinh-chieu?lang=en&provinces=thai-nguyen%2Chai-duong")
    assert "slide=4" in link and link.endswith("&embed=true")


# ----------------------------------------------------------------------------- AppTest

def test_opens_the_slide_of_the_link(cfg):
    at = open_slide(slide="2")
    assert title(at) == slide_title(cfg, 2)
    assert f"2 / {len(cfg.slides)}" in json.dumps([h.proto.body for h in at.get("html")])


def test_next_and_previous_buttons(cfg):
    at = open_slide(slide="2")
    at.button(key="pres_next").click().run()
    assert not at.exception
    assert title(at) == slide_title(cfg, 3)
    at.button(key="pres_prev").click().run()
    at.button(key="pres_prev").click().run()
    assert title(at) == slide_title(cfg, 1)
    assert at.button(key="pres_prev").disabled


def test_last_slide_disables_next(cfg):
    n = len(cfg.slides)
    at = open_slide(slide=str(n))
    assert title(at) == slide_title(cfg, n)
    assert at.button(key="pres_next").disabled and not at.button(key="pres_prev").disabled


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_out_of_range_clamps_with_a_notice(cfg, lang):
    at = open_slide(slide="999", lang=lang)
    assert title(at) == slide_title(cfg, 1, lang)
    notice = t("presentation.out_of_range", lang, n=999, total=len(cfg.slides))
    assert notice in [i.value for i in at.info]
    assert not at.error


def _slide_html(at: AppTest) -> str:
    return "".join(h.proto.body for h in at.get("html") if 'data-testid="slide-figures"' in h.proto.body)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_slide_renders(cfg, ds, lang):
    from dashboard.compare import pair_for_concept

    provinces = cfg.app.default_provinces
    for n, slide in enumerate(cfg.slides, start=1):
        at = open_slide(slide=str(n), lang=lang)
        assert title(at) == slide_title(cfg, n, lang)
        assert t("presentation.counter", lang, n=n, total=len(cfg.slides)) in json.dumps(
            [h.proto.body for h in at.get("html")], ensure_ascii=False)
        body = _slide_html(at)
        charts = [e for e in at.get("plotly_chart")]
        if slide.group:
            assert body.count("<tr data-concept=") == len(slide.group) and not charts
            continue
        comp = pair_for_concept(ds, slide.concept, provinces)
        assert body.count('class="pres-fig"') == len(provinces)
        for pid in provinces:
            assert html.escape(ds.province_name(pid, lang)) in body
            row = comp.rows.get(pid)
            if row is None:
                assert t("figure.missing", lang) in body
                continue
            ind = ds.indicators[row["indicator"]]
            number = number_text(row, lang)
            assert html.escape(number) in body  # with its qualifier (>, ~)
            assert html.escape(period_text(row["period"], lang)) in body
            for flag in flags(row, lang):
                assert html.escape(flag) in body
            if ind.kind != "rank":  # ranks read "8/63"
                assert html.escape(pick(ind.unit, lang)) in body
        if comp.comparable:
            assert len(charts) == 1
            spec = json.loads(charts[0].proto.spec)
            assert spec["data"], slide.concept
            # every label of the chart is large (≥ 20 px at 1366×768)
            layout = spec["layout"]
            assert layout["font"]["size"] >= 20 and layout["yaxis"]["tickfont"]["size"] >= 20
            assert all(tr.get("textfont", {}).get("size", 20) >= 20 for tr in spec["data"])
            assert not (layout.get("title") or {}).get("text")  # no chart title to clip
        else:
            assert not charts
            assert any(v.startswith(t("compare.not_comparable", lang)) for v in (i.value for i in at.info))


def test_group_slide_is_a_scorecard_table(cfg, ds):
    from dashboard.compare import pair_for_concept

    n, slide = next((n, s) for n, s in enumerate(cfg.slides, start=1) if s.group)
    at = open_slide(slide=str(n), lang="vi")
    body = _slide_html(at)
    rows = re.findall(r'<tr data-concept="([^"]+)" data-comparable="(yes|no)">(.*?)</tr>', body, flags=re.DOTALL)
    assert [r[0] for r in rows] == list(slide.group)
    provinces = cfg.app.default_provinces
    for concept, comparable, cells in rows:
        comp = pair_for_concept(ds, concept, provinces)
        assert (comparable == "yes") == comp.comparable
        for pid in provinces:
            row = comp.rows[pid]
            assert html.escape(value_text(row, ds.indicators[row["indicator"]], "vi")) in cells
            assert html.escape(period_text(row["period"], "vi")) in cells
        assert html.escape(lead_text(ds, comp, provinces, "vi")) in cells
    # ranks: lower is better -- DTI 2022: Thái Nguyên 8/63, Hải Dương 13/63
    dti = next(c for k, _, c in rows if k == "dti_rank")
    assert "Thái Nguyên xếp trên 5 bậc" in dti
    assert "Nguồn:" in body  # the sources of every figure in the table
    assert f"{n} / {len(cfg.slides)}" in json.dumps([h.proto.body for h in at.get("html")])


def test_first_slides_compare_comparable_figures(cfg, ds):
    """The meeting opens on comparisons: the first slides' figures are comparable on the
    shipped data, and every comparable slide comes before the first that is not."""
    from dashboard.compare import pair_for_concept

    provinces = cfg.app.default_provinces
    ok = [all(pair_for_concept(ds, c, provinces).comparable for c in s.concepts) for s in cfg.slides]
    assert ok[:3] == [True, True, True], ok
    first_not = ok.index(False) if False in ok else len(ok)
    assert all(ok[:first_not]) and not any(ok[first_not:]), ok


# ----------------------------------------------------------------------------- who leads

def _row(province, value, qualifier="", indicator="x", period="2023", value_text=None):
    import pandas as pd

    y = int(period[:4])
    return pd.Series({"province": province, "indicator": indicator, "period": period, "value": float(value),
                      "value_text": value_text or str(value), "qualifier": qualifier, "year_start": y,
                      "year_end": y, "scope": "", "rank_of": float("nan")})


class _Ind:
    def __init__(self, higher_is_better=True, kind="amount"):
        self.higher_is_better, self.kind = higher_is_better, kind
        self.unit = {"vi": "tỷ USD", "en": "billion USD"}


class _DS:
    def __init__(self, ind):
        self.indicators = {"x": ind}

    def province_name(self, pid, lang):
        return {"a": "Tỉnh A", "b": "Tỉnh B"}[pid]


def test_leader_follows_direction_bounds_and_comparability():
    from dashboard.compare import comparability

    up = _DS(_Ind(True))
    assert leader(up, comparability({"a": _row("a", 8.58), "b": _row("b", 6.9)}), ["a", "b"]).province == "a"
    lead = leader(up, comparability({"a": _row("a", 8.58), "b": _row("b", 6.9)}), ["a", "b"])
    assert lead.difference == pytest.approx(1.68)
    rank = _DS(_Ind(False, "rank"))
    lead = leader(rank, comparability({"a": _row("a", 8), "b": _row("b", 13)}), ["a", "b"])
    assert lead.province == "a" and lead.places == 5
    # ">31" beats 11,45 (the bound is above), but ">10,5" vs "<10,6" cannot be ordered
    lead = leader(up, comparability({"a": _row("a", 31, ">"), "b": _row("b", 11.45)}), ["a", "b"])
    assert lead.province == "a" and lead.difference is None
    lead = leader(up, comparability({"a": _row("a", 10.5, ">"), "b": _row("b", 10.6, "<")}), ["a", "b"])
    assert lead.province is None and lead.reason == "bounds_overlap"
    assert leader(_DS(_Ind(None)), comparability({"a": _row("a", 1), "b": _row("b", 2)}),
                  ["a", "b"]).reason == "no_direction"
    assert leader(up, comparability({"a": _row("a", 2), "b": _row("b", 2)}), ["a", "b"]).reason == "equal"
    # not comparable: the first reason, never a leader
    lead = leader(up, comparability({"a": _row("a", 5, period="2022"), "b": _row("b", 9)}), ["a", "b"])
    assert lead.province is None and lead.reason == "period"
    lead = leader(up, comparability({"a": _row("a", 5), "b": None}), ["a", "b"])
    assert lead.province is None and lead.reason == "missing"


def test_lead_text_marks_the_difference_computed():
    from dashboard.compare import comparability

    ds = _DS(_Ind(True))
    comp = comparability({"a": _row("a", 31, value_text="31"), "b": _row("b", 11.45, value_text="11.45")})
    assert lead_text(ds, comp, ["a", "b"], "vi") == "Tỉnh A hơn 19,55 tỷ USD (tính toán)"
    assert lead_text(ds, comp, ["a", "b"], "en") == "Tỉnh A ahead by 19.55 billion USD (computed)"
    comp = comparability({"a": _row("a", 5, period="2022"), "b": _row("b", 9)})
    assert lead_text(ds, comp, ["a", "b"], "vi") == "Khác kỳ"


# ----------------------------------------------------------------------------- config

def test_slide_config_validation():
    from pydantic import ValidationError

    from dashboard.config import GROUP_MAX, Slide

    title = {"vi": "Tiêu đề", "en": "Title"}
    assert Slide(concept="exports", title=title).concepts == ["exports"]
    assert Slide(group=["pci_rank", "dti_rank"], title=title).concepts == ["pci_rank", "dti_rank"]
    bad = [
        {"title": title},  # neither
        {"concept": "exports", "group": ["pci_rank", "dti_rank"], "title": title},  # both
        {"group": ["pci_rank"], "title": title},  # one concept is not a group
        {"group": [f"c{i}" for i in range(GROUP_MAX + 1)], "title": title},  # does not fit a screen
        {"group": ["pci_rank", "pci_rank"], "title": title},  # twice
        {"group": "pci_rank, dti_rank", "title": title},  # not a list
        {"group": ["pci_rank", "dti_rank"], "title": title, "kind": "table"},  # unknown key
    ]
    for raw in bad:
        with pytest.raises(ValidationError):
            Slide.model_validate(raw)


def test_config_file_with_a_bad_group_slide_fails_loudly(tmp_path):
    import yaml
    from pydantic import ValidationError

    from dashboard.config import load_config

    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["slides"].append({"group": [], "title": {"vi": "x", "en": "x"}})
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValidationError, match="group"):
        load_config(path)


def test_options_offer_auto_advance_and_briefing(cfg):
    at = open_slide(slide="1")
    assert at.toggle(key="pres_auto").value is False
    assert at.number_input(key="pres_seconds").value == 20
    assert at.get("download_button"), "briefing download button"
    at.toggle(key="pres_auto").set_value(True).run()
    assert not at.exception
    assert title(at) == slide_title(cfg, 1)  # a normal run does not advance the slide
