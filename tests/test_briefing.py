"""The meeting briefing (dashboard.briefing): pure HTML, self-contained, every figure, escaped."""

from __future__ import annotations

import html
import re

import pytest

from dashboard.briefing import briefing_file_name, build_briefing_html, plotly_js
from dashboard.compare import pair_for_concept
from dashboard.i18n import pick, t
from dashboard.present import flags, period_text, value_text
from tests.conftest import DATA

PROVINCES = ["thai-nguyen", "hai-duong"]


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def without_plotly(doc: str) -> str:
    """The document with the inlined plotly.js bundle taken out (it is third-party code)."""
    js = plotly_js()
    assert doc.count(js) == 1, "plotly.js must be inlined exactly once"
    return doc.replace(js, "")


@pytest.fixture(scope="module", params=["vi", "en"])
def briefing(request, ds, cfg):
    lang = request.param
    return lang, build_briefing_html(ds, cfg, PROVINCES, lang)


def test_every_slide_figure_with_qualifier_period_flags_and_source(briefing, ds, cfg):
    lang, doc = briefing
    for i, slide, concept in ((i, s, c) for i, s in enumerate(cfg.slides, start=1) for c in s.concepts):
        assert esc(f"{i}. {pick(slide.title.model_dump(), lang)}") in doc
        comp = pair_for_concept(ds, concept, PROVINCES)
        for pid, row in comp.rows.items():
            if row is None:
                continue
            ind = ds.indicators[row["indicator"]]
            shown = value_text(row, ind, lang)
            assert esc(shown) in doc, (concept, pid, shown)
            if row["qualifier"] in (">", "<", "~"):
                assert esc(row["qualifier"]) + shown[1:].split(" ")[0][:1] in esc(shown)
            assert esc(period_text(row["period"], lang)) in doc
            for flag in flags(row, lang):
                assert f'<span class="flag">{esc(flag)}</span>' in doc
            src = ds.sources.get(row["source"])
            if src is not None:
                assert esc(src.title) in doc
                if src.url and src.url.startswith(("http://", "https://")):
                    assert f'href="{esc(src.url)}"' in doc


def test_chart_when_comparable_note_otherwise(briefing, ds, cfg):
    lang, doc = briefing
    sections = dict(re.findall(r'<section class="concept" id="c-([^"]+)">(.*?)</section>', doc, flags=re.S))
    for concept in (c for s in cfg.slides for c in s.concepts):
        comp = pair_for_concept(ds, concept, PROVINCES)
        body = sections[concept]
        if comp.comparable:
            assert 'class="chart"' in body and "Plotly.newPlot" in body
        else:
            assert 'class="note"' in body and esc(t("compare.not_comparable", lang)) in body
            assert "Plotly.newPlot" not in body
        if not comp.present:
            assert esc(t("figure.missing", lang)) in body


def test_every_topic_concept_with_data_is_included(briefing, ds):
    _, doc = briefing
    rows = ds.rows(provinces=PROVINCES)
    for concept in set(rows["concept"]):
        assert f'id="c-{esc(concept)}"' in doc, concept


def test_dataset_version_and_date(briefing, ds):
    lang, doc = briefing
    assert esc(ds.meta.version) in doc
    updated = ds.meta.updated.strftime("%d/%m/%Y") if lang == "vi" else ds.meta.updated.isoformat()
    assert updated in doc


def test_self_contained_and_printable(briefing):
    _, doc = briefing
    assert doc.startswith("<!DOCTYPE html>")
    rest = without_plotly(doc)
    assert "<script src" not in rest.lower()
    assert "https://cdn" not in rest
    assert "<link" not in rest.lower() and "@import" not in rest and "url(" not in rest
    assert "fonts.googleapis" not in rest
    # plotly.js sits in <head>, before any chart.
    assert doc.index(plotly_js()) < doc.index("</head>") < doc.index("Plotly.newPlot")
    assert "@page" in rest and "size: A4" in rest and "@media print" in rest


def test_missing_figure_is_shown_as_missing(data_copy, cfg, ds):
    from dashboard.data import load_dataset

    gone = {i.id for i in ds.indicators.values() if i.concept == "grdp_growth"}
    path = data_copy.file("values.csv")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if not (ln.startswith("hai-duong,") and ln.split(",")[1] in gone)]
    path.write_text("".join(kept), encoding="utf-8")
    ds2 = load_dataset(data_copy.path)
    assert ds2.rows(concept="grdp_growth", provinces=["hai-duong"]).empty
    doc = build_briefing_html(ds2, cfg, PROVINCES, "vi")
    body = re.search(r'<section class="concept" id="c-grdp_growth">(.*?)</section>', doc, flags=re.S).group(1)
    assert esc(t("figure.missing", "vi")) in body
    assert esc(t("compare.reason.missing", "vi", provinces="Hải Dương")) in body
    assert "Plotly.newPlot" not in body


def _assert_escaped(doc: str, raw: str) -> None:
    rest = without_plotly(doc)
    assert esc(raw) in rest
    # Outside scripts (chart data is JSON inside a script, where plotly escapes "<").
    markup = re.sub(r"<script[^>]*>.*?</script>", "", rest, flags=re.S)
    assert raw not in markup
    # The only scripts are plotly.js (removed above) and one Plotly.newPlot per chart.
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", rest, flags=re.S)
    assert scripts and all(s == "" or "Plotly.newPlot" in s for s in scripts)


def test_special_characters_from_a_loaded_dataset_are_escaped(data_copy, cfg):
    """A valid name with &, quotes and angle brackets, through load_dataset."""
    from dashboard.data import load_dataset

    raw = 'Thái Nguyên & "Bắc" <2025>'
    data_copy.replace("provinces.yaml", "name: {vi: Thái Nguyên, en: Thai Nguyen}",
                      "name: {vi: '%s', en: 'Thai Nguyen & Co'}" % raw)
    ds2 = load_dataset(data_copy.path)
    assert pick(ds2.provinces["thai-nguyen"].name, "vi") == raw
    _assert_escaped(build_briefing_html(ds2, cfg, PROVINCES, "vi"), raw)
    _assert_escaped(build_briefing_html(ds2, cfg, PROVINCES, "en"), "Thai Nguyen & Co")


def test_markup_in_a_name_is_escaped(data_copy, cfg):
    """load_dataset refuses HTML in names; the briefing escapes it anyway (defence in depth)."""
    from dashboard.data import load_dataset

    data_copy.replace("provinces.yaml", "name: {vi: Thái Nguyên, en: Thai Nguyen}",
                      'name: {vi: "<b>Thái</b> Nguyên", en: "<b>Thai</b> Nguyen"}')
    refused = load_dataset(data_copy.path)
    assert any(p.code == "html" for p in refused.errors)

    ds2 = load_dataset(DATA)  # a fresh copy of the shipped data, changed in memory
    prov = ds2.provinces["thai-nguyen"]
    fake = {"vi": "<b>Thái</b> Nguyên <script>alert(1)</script>", "en": "<b>Thai</b> Nguyen"}
    ds2.provinces["thai-nguyen"] = prov.model_copy(update={"name": fake})
    for lang in ("vi", "en"):
        doc = build_briefing_html(ds2, cfg, PROVINCES, lang)
        _assert_escaped(doc, fake[lang])
        rest = without_plotly(doc)
        assert "<b>" not in rest and "<script>alert" not in rest


def test_file_name_is_ascii():
    name = briefing_file_name(PROVINCES, "vi", "2026.11.1")
    assert name == "tai-lieu-hop-thai-nguyen-hai-duong-vi-2026.11.1.html"
    assert name.isascii()
