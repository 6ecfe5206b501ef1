"""config.yaml: pages exist and are named after their URL paths; concepts exist; docs cover keys."""

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
