"""Every UI string exists in both languages; indicator texts too."""

import re

from dashboard.i18n import LANGS, catalogue, pick, t


def test_catalogues_have_the_same_keys():
    vi, en = set(catalogue("vi")), set(catalogue("en"))
    assert vi - en == set(), f"missing in en: {sorted(vi - en)}"
    assert en - vi == set(), f"missing in vi: {sorted(en - vi)}"


def test_placeholders_match_between_languages():
    for key, template in catalogue("vi").items():
        other = catalogue("en")[key]
        assert set(re.findall(r"{(\w+)}", template)) == set(re.findall(r"{(\w+)}", other)), key


def test_every_key_used_in_code_exists():
    from tests.conftest import ROOT

    keys = set()
    for path in list((ROOT / "dashboard").glob("*.py")) + list((ROOT / "pages").glob("*.py")):
        keys |= set(re.findall(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""", path.read_text(encoding="utf-8")))
    for lang in LANGS:
        missing = sorted(k for k in keys if k not in catalogue(lang))
        assert not missing, f"{lang}: {missing}"


def test_every_indicator_and_page_is_translated(ds, cfg):
    for ind in ds.indicators.values():
        for text in (ind.title, ind.short, ind.unit, ind.description):
            assert text.vi.strip() and text.en.strip(), ind.id
    for page in cfg.pages:
        assert page.title.vi and page.title.en


def test_t_formats_and_falls_back():
    assert t("figure.sources", "en", sources="X") == "Source: X"
    assert t("figure.sources", "fr", sources="X") == "Nguồn: X"
    assert pick({"vi": "Thái Nguyên", "en": "Thai Nguyen"}, "en") == "Thai Nguyen"
