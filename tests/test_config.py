"""config.yaml: pages exist and are named after their URL paths; concepts exist; docs cover keys."""

import re

import pytest

from tests.conftest import ROOT


def test_page_files_exist_and_url_paths_are_fixed_ascii(cfg):
    for page in cfg.pages:
        assert (ROOT / page.file).is_file(), page.file
        assert page.url_path.isascii() and page.url_path == page.url_path.lower()
        assert page.url_path.replace("-", "").isalnum()
    assert len({p.url_path for p in cfg.pages}) == len(cfg.pages)
    assert sum(p.default for p in cfg.pages) == 1


def test_configured_concepts_and_indicators_exist(cfg, ds):
    concepts = {i.concept for i in ds.indicators.values()}
    assert {r.concept for r in cfg.scorecard.rows} <= concepts
    assert {c for s in cfg.slides for c in s.concepts} <= concepts
    for spec in cfg.topic_pages.values():
        for comp in spec.compositions:
            assert comp.total in ds.indicators and set(comp.parts) <= set(ds.indicators)


def test_scorecard_rows_link_to_a_page_that_shows_them(cfg, ds):
    for row in cfg.scorecard.rows:
        topics = {i.topic for i in ds.indicators.values() if i.concept == row.concept}
        assert topics & set(cfg.topic_pages[row.page].topics), (row.concept, row.page)


def test_section_concepts_exist_on_their_page(cfg, ds):
    for spec in cfg.topic_pages.values():
        page_concepts = {i.concept for i in ds.indicators.values() if i.topic in spec.topics}
        for sec in spec.sections:
            assert set(sec.concepts) <= page_concepts, (sec.id, set(sec.concepts) - page_concepts)


def _page(**changes):
    base = {"topics": ["economy", "industry"], "sections": [
        {"id": "a", "title": {"vi": "A", "en": "A"}, "concepts": ["grdp"]},
        {"id": "b", "title": {"vi": "B", "en": "B"}, "topics": ["industry"], "map_panel": True}]}
    base.update(changes)
    return base


@pytest.mark.parametrize("changes,message", [
    ({"map_panel": True}, "set `map_panel`/`context_panel` on the section"),
    ({"sections": [{"id": "a", "title": {"vi": "A", "en": "A"}, "concepts": ["x"]},
                   {"id": "a", "title": {"vi": "B", "en": "B"}, "concepts": ["y"]}]}, "each id once"),
    ({"sections": [{"id": "a", "title": {"vi": "A", "en": "A"}, "concepts": ["x"]},
                   {"id": "b", "title": {"vi": "B", "en": "B"}, "concepts": ["x"]}]}, "more than one section"),
    ({"sections": [{"id": "a", "title": {"vi": "A", "en": "A"}, "topics": ["digital"]}]}, "not among the page's topics"),
    ({"sections": [{"id": "a", "title": {"vi": "A", "en": "A"}}]}, "shows nothing"),
    ({"sections": [{"id": "khac", "title": {"vi": "A", "en": "A"}, "concepts": ["x"]}]}, "reserved"),
    ({"sections": [{"id": "Tab 1", "title": {"vi": "A", "en": "A"}, "concepts": ["x"]}]}, "pattern"),
])
def test_a_wrong_section_is_refused_naming_the_fix(changes, message):
    from pydantic import ValidationError

    from dashboard.config import TopicPage

    TopicPage.model_validate(_page())
    with pytest.raises(ValidationError, match=re.escape(message)):
        TopicPage.model_validate(_page(**changes))


def test_a_section_id_names_one_tab_across_pages(cfg):
    from pydantic import ValidationError

    from dashboard.config import Config

    data = cfg.model_dump()
    data["topic_pages"]["digital"]["sections"][0]["id"] = data["topic_pages"]["economy"]["sections"][0]["id"]
    with pytest.raises(ValidationError, match="each section id once across all pages"):
        Config.model_validate(data)


def test_every_province_with_data_has_a_colour(cfg, ds):
    for pid in ("thai-nguyen", "hai-duong", "vietnam"):
        assert cfg.colours.get(pid), pid


def test_every_config_key_is_documented_in_readme(cfg):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key in cfg.model_dump():
        assert f"`{key}`" in readme, f"config.yaml key `{key}` is not described in README.md"


def test_every_source_is_used_and_every_indicator_has_a_source(ds):
    assert not [p for p in ds.problems if p.code == "source_unused"]
    assert set(ds.values["source"]) <= set(ds.sources)
