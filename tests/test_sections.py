"""Topic-page sections (tabs, issue #9): which concepts each tab shows, the automatic
"Khác" tab, the tab a link opens, and the tab a scorecard row links to (pure, no Streamlit)."""

from __future__ import annotations

import pytest

from dashboard.config import TopicPage
from dashboard.state import parse_view, view_params
from dashboard.topic_plan import open_section, page_sections, plan_topic, section_of

PAIR = ["thai-nguyen", "hai-duong"]


def test_economy_tabs_split_the_page_without_losing_a_figure(cfg, ds):
    spec = cfg.topic_pages["economy"]
    sections = page_sections(ds, spec, PAIR)
    assert [s.id for s in sections] == [s.id for s in spec.sections], "every configured tab, no 'Khác'"
    whole = plan_topic(ds, spec.topics, PAIR, spec.compositions).shown_rows()
    parts = [plan_topic(ds, spec.topics, PAIR, spec.compositions, concepts=s.concepts).shown_rows()
             for s in sections]
    shown = [i for p in parts for i in p.index]
    assert len(shown) == len(set(shown)), "a figure is in one tab only"
    assert set(shown) == set(whole.index), "every figure of the page is in a tab"
    assert [s.id for s in sections if s.map_panel] == ["fdi-khu-cong-nghiep"]
    assert sections[0].concepts[0] == "grdp_growth", "the meeting's headline opens the page"


def test_a_tab_follows_its_configured_order(cfg, ds):
    spec = cfg.topic_pages["economy"]
    first = page_sections(ds, spec, PAIR)[0]
    plan = plan_topic(ds, spec.topics, PAIR, spec.compositions, concepts=first.concepts)
    assert [c.concept for c in plan.charts][:2] == ["grdp_growth", "grdp_growth"]  # series, then 2021–2023
    assert len(plan.charts) <= 4


def test_a_concept_no_section_names_goes_to_khac(cfg, ds):
    spec = cfg.topic_pages["economy"].model_copy(deep=True)
    spec.sections[0].concepts.remove("grdp_per_capita")
    sections = page_sections(ds, spec, PAIR)
    assert sections[-1].id == "khac" and sections[-1].concepts == ("grdp_per_capita",)
    assert sections[-1].label("vi") == "Khác" and sections[-1].label("en") == "Other"
    assert section_of(ds, spec, "grdp_per_capita") == "khac"


def test_a_tab_without_figures_for_the_compared_provinces_is_left_out(cfg, ds):
    spec = cfg.topic_pages["digital"]
    # Quảng Ninh has PCI/PAPI figures of the national tables only: no DTI, SIPAS or PAR Index
    ids = [s.id for s in page_sections(ds, spec, ["quang-ninh"])]
    assert "chuyen-doi-so" not in ids and "trong-ca-nuoc" in ids  # a panel's tab always stays
    assert "papi" in ids


def test_a_page_without_sections_is_one(cfg, ds):
    spec = cfg.topic_pages["party_enterprise"]
    [only] = page_sections(ds, spec, PAIR)
    assert only.id == "" and not only.map_panel
    assert open_section([only], "tang-truong") is only


def test_open_section_is_the_linked_one_else_the_first(cfg, ds):
    sections = page_sections(ds, cfg.topic_pages["economy"], PAIR)
    assert open_section(sections, "nang-luc-canh-tranh").id == "nang-luc-canh-tranh"
    assert open_section(sections, "papi").id == "tang-truong"  # another page's tab
    assert open_section(sections, None).id == "tang-truong"
    assert open_section([], "x") is None


def test_scorecard_rows_open_the_tab_of_their_concept(cfg, ds):
    eco = cfg.topic_pages["economy"]
    assert section_of(ds, eco, "grdp_growth") == "tang-truong"
    assert section_of(ds, eco, "industrial_parks") == "fdi-khu-cong-nghiep"  # by topic
    assert section_of(ds, eco, "pci_rank") == "nang-luc-canh-tranh"
    assert section_of(ds, eco, "dti_rank") is None  # not on this page
    assert section_of(ds, cfg.topic_pages["party_enterprise"], "party_orgs_in_enterprises") is None


@pytest.mark.parametrize("value,kept", [("tang-truong", "tang-truong"), ("kiem-tra", "kiem-tra"),
                                        ("khac", "khac"), ("Tang-Truong", None), ("<b>x</b>", None),
                                        ("tang-truong" * 300, None)])
def test_section_parameter_is_read_leniently(ds, value, kept):
    view = parse_view({"section": value}, ds, PAIR)
    assert view.section == kept
    assert (view.notice("section") is None) == (kept is not None)
    if kept:
        assert view_params(view)["section"] == kept
    else:
        assert "section" not in view_params(view)


def test_sections_of_another_config_are_accepted_when_named(ds):
    assert parse_view({"section": "mot"}, ds, PAIR, sections=("mot",)).section == "mot"
    assert parse_view({"section": "mot"}, ds, PAIR, sections=()).section is None


def test_topic_page_model_accepts_a_page_without_sections():
    page = TopicPage.model_validate({"topics": ["economy"], "map_panel": True})
    assert page.sections == [] and page.map_panel
