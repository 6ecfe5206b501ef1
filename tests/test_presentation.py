"""Trình chiếu (presentation mode): slide navigation, clamping, every slide renders."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import pick, t
from dashboard.views.presentation import clamp_slide, embed_link, next_slide, previous_slide
from dashboard.state import View
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


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_slide_renders(cfg, ds, lang):
    from dashboard.compare import pair_for_concept

    provinces = cfg.app.default_provinces
    for n, slide in enumerate(cfg.slides, start=1):
        at = open_slide(slide=str(n), lang=lang)
        assert title(at) == slide_title(cfg, n, lang)
        comp = pair_for_concept(ds, slide.concept, provinces)
        assert len(at.metric) == len(provinces)
        charts = [e for e in at.get("plotly_chart")]
        if comp.comparable:
            assert len(charts) == 1
            spec = json.loads(charts[0].proto.spec)
            assert spec["data"], slide.concept
        else:
            assert not charts
            assert any(v.startswith(t("compare.not_comparable", lang)) for v in (i.value for i in at.info))
        if not comp.present:
            assert all(m.value == t("figure.missing", lang) for m in at.metric)


def test_options_offer_auto_advance_and_briefing(cfg):
    at = open_slide(slide="1")
    assert at.toggle(key="pres_auto").value is False
    assert at.number_input(key="pres_seconds").value == 20
    assert at.get("download_button"), "briefing download button"
    at.toggle(key="pres_auto").set_value(True).run()
    assert not at.exception
    assert title(at) == slide_title(cfg, 1)  # a normal run does not advance the slide
