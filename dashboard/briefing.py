"""The meeting briefing: one self-contained HTML file of every comparison.

:func:`build_briefing_html` is pure (no Streamlit): dataset, configuration, provinces
and language in, an HTML document out. The document

* holds every comparison of the presentation (config.yaml ``slides``), then every other
  concept of every topic, each with the figures as the cards show them (qualifier, unit,
  period, flags, scope), the reason when they are not directly comparable, and a chart
  when they are;
* is self-contained: plotly.js is inlined once in ``<head>`` from the installed plotly
  package, there are no web fonts and no external scripts or style sheets (links to the
  sources are ordinary ``<a href>``), so it opens on a meeting-room PC without network;
* prints on A4 (print CSS); a PDF is made from the browser (Ctrl+P → Save as PDF);
* escapes every text that comes from ``data/`` with :func:`html.escape`; links only to
  source addresses that :func:`dashboard.present.safe_url` accepts (http/https).
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Iterable

from . import charts
from .compare import Comparability, pair_for_concept
from .i18n import pick, t
from .present import (
    comparability_text,
    derivation_text,
    flags,
    note_text,
    period_text,
    safe_url,
    source_text,
    value_text,
)

CSS = """
* { box-sizing: border-box; }
body { font-family: "Segoe UI", Arial, "Helvetica Neue", Helvetica, sans-serif; color: #111;
       background: #fff; margin: 0 auto; max-width: 1100px; padding: 24px; font-size: 16px;
       line-height: 1.45; }
h1 { font-size: 1.9rem; margin: 0 0 .3rem; }
h2 { font-size: 1.45rem; margin: 2rem 0 .6rem; border-bottom: 3px solid #1F5FA8; padding-bottom: .2rem; }
h3 { font-size: 1.15rem; margin: 1.4rem 0 .4rem; }
.meta { color: #333; margin: .2rem 0; }
.hint { background: #eef4fb; border: 1px solid #9dbbe0; padding: .5rem .8rem; border-radius: 4px; }
.concept { page-break-inside: avoid; break-inside: avoid; margin-bottom: 1.2rem; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0; }
th, td { border: 1px solid #888; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.value { font-size: 1.25rem; font-weight: 700; white-space: nowrap; }
.missing { color: #555; font-style: italic; font-weight: 400; }
.flag { display: inline-block; border: 1px solid #b35c00; color: #7a3e00; border-radius: 3px;
        padding: 0 .3rem; margin: 0 .2rem .1rem 0; font-size: .85rem; }
.note { border-left: 4px solid #D9480F; background: #fff4ec; padding: .4rem .7rem; margin: .4rem 0; }
.chart { width: 100%; height: 420px; }
.small { font-size: .88rem; color: #333; }
ol.toc { columns: 2; }
a { color: #0b4f9c; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  .noprint { display: none; }
  h2 { page-break-after: avoid; break-after: avoid; }
  h2.section { page-break-before: always; break-before: page; }
  h2.section.first { page-break-before: auto; break-before: auto; }
  .chart { height: 330px; }
  a { color: #111; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 8pt; word-break: break-all; }
  ol.toc { columns: 1; }
}
"""


def esc(text: object) -> str:
    """Escape text from ``data/`` (and translations) for HTML."""
    return html.escape("" if text is None else str(text), quote=True)


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The plotly.js bundle of the installed plotly package (no network)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _link(url: str | None, text: str) -> str:
    href = safe_url(url)
    if href:
        return f'<a href="{esc(href)}" rel="noopener noreferrer">{esc(text)}</a>'
    return esc(text)


def _source_html(ds, source_id: str, lang: str) -> str:
    src = ds.sources.get(source_id)
    if src is None:
        return esc(t("figure.source_unknown", lang))
    label = source_text(src, lang)
    return _link(src.url, label)



def _figures_table(ds, comp: Comparability, lang: str) -> str:
    head = "".join(f"<th>{esc(t(f'briefing.col.{c}', lang))}</th>"
                   for c in ("province", "figure", "indicator", "period", "source"))
    body = []
    for pid, row in comp.rows.items():
        name = esc(ds.province_name(pid, lang))
        if row is None:
            body.append(f'<tr><th scope="row">{name}</th><td class="value missing">'
                        f'{esc(t("figure.missing", lang))}</td><td colspan="3" class="small">'
                        f'{esc(t("figure.missing_hint", lang))}</td></tr>')
            continue
        ind = ds.indicators[row["indicator"]]
        badges = "".join(f'<span class="flag">{esc(b)}</span>' for b in flags(row, lang))
        extra = []
        if row.get("scope"):
            extra.append(esc(t("figure.scope", lang, scope=row["scope"])))
        note = note_text(row, lang)
        if note:
            extra.append(esc(note))
        derivation = derivation_text(row, lang)
        if derivation:
            extra.append(esc(t("figure.derivation", lang, text=derivation)))
        extra_html = "".join(f'<div class="small">{e}</div>' for e in extra)
        body.append(
            f'<tr><th scope="row">{name}</th>'
            f'<td class="value">{esc(value_text(row, ind, lang))}</td>'
            f'<td>{esc(pick(ind.title, lang))}{extra_html}</td>'
            f'<td>{esc(period_text(row["period"], lang))}'
            f'{"<div>" + badges + "</div>" if badges else ""}</td>'
            f'<td class="small">{_source_html(ds, row["source"], lang)}</td></tr>')
    return f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _chart_html(ds, comp: Comparability, cfg, lang: str) -> str:
    fig = charts.bar_comparison(ds, comp, cfg, lang)
    fig.update_layout(height=None, autosize=True)
    div = fig.to_html(full_html=False, include_plotlyjs=False, default_width="100%",
                      default_height="100%", config={"displaylogo": False, "responsive": True,
                                                     "staticPlot": False})
    return f'<div class="chart">{div}</div>'


def concept_html(ds, cfg, concept: str, provinces: list[str], lang: str, title: str | None = None,
                 always: bool = False) -> str:
    """One comparison: heading, figures table, chart or the not-comparable note.

    Returns ``""`` when no province has a figure, unless ``always`` (slides show
    "missing" rather than disappearing).
    """
    comp = pair_for_concept(ds, concept, provinces)
    if not comp.present and not always:
        return ""
    if title is None and not comp.present:
        title = concept
    elif title is None and comp.comparable:
        first = next(iter(comp.present.values()))
        title = pick(ds.indicators[first["indicator"]].title, lang)
    elif title is None:
        title = ds.concept_title(concept, lang)
    out = [f'<section class="concept" id="c-{esc(concept)}"><h3>{esc(title)}</h3>',
           _figures_table(ds, comp, lang)]
    if comp.comparable:
        out.append(_chart_html(ds, comp, cfg, lang))
    else:
        out.append(f'<p class="note">{esc(comparability_text(ds, comp, lang))}</p>')
    out.append("</section>")
    return "".join(out)


def _topic_order(ds, cfg) -> list[str]:
    ordered: list[str] = []
    for spec in cfg.topic_pages.values():
        ordered += spec.topics
    ordered += [i.topic for i in ds.indicators.values()]
    return list(dict.fromkeys(ordered))


def _concepts_of(ds, topic: str) -> list[str]:
    return list(dict.fromkeys(i.concept for i in ds.indicators.values() if i.topic == topic))


def _used_sources(ds, provinces: Iterable[str], concepts: Iterable[str]) -> list[str]:
    rows = ds.rows(provinces=list(provinces))
    rows = rows[rows["concept"].isin(list(concepts))]
    return list(dict.fromkeys(s for s in rows["source"] if s))


def build_briefing_html(ds, cfg, provinces: list[str], lang: str) -> str:
    """The meeting briefing for ``provinces`` in ``lang`` as one self-contained HTML page."""
    provinces = [p for p in provinces if p]
    names = ", ".join(ds.province_name(p, lang) for p in provinces)
    meta = ds.meta
    title = t("briefing.title", lang, provinces=names)

    parts: list[str] = []
    parts.append(f"<h1>{esc(title)}</h1>")
    if meta is not None:
        updated = meta.updated.strftime("%d/%m/%Y") if lang == "vi" else meta.updated.isoformat()
        parts.append(f'<p class="meta">{esc(t("footer.dataset", lang, title=pick(meta.title, lang), version=meta.version, updated=updated))}</p>')
    parts.append(f'<p class="meta">{esc(t("briefing.rules", lang))}</p>')
    parts.append(f'<p class="hint noprint">{esc(t("briefing.print_hint", lang))}</p>')

    # Table of contents
    topics = _topic_order(ds, cfg)
    slide_concepts = [c for s in cfg.slides for c in s.concepts]
    topic_sections: list[tuple[str, str]] = []
    covered = set(slide_concepts)
    for tp in topics:
        blocks = [concept_html(ds, cfg, c, provinces, lang) for c in _concepts_of(ds, tp) if c not in covered]
        blocks = [b for b in blocks if b]
        covered |= set(_concepts_of(ds, tp))
        if blocks:
            topic_sections.append((tp, "".join(blocks)))

    toc = [f'<li><a href="#slides">{esc(t("briefing.slides_section", lang))}</a></li>']
    toc += [f'<li><a href="#t-{esc(tp)}">{esc(t(f"topic.{tp}", lang))}</a></li>' for tp, _ in topic_sections]
    toc.append(f'<li><a href="#sources">{esc(t("briefing.sources_section", lang))}</a></li>')
    parts.append(f'<nav><h2 class="toc-title">{esc(t("briefing.contents", lang))}</h2>'
                 f'<ol class="toc">{"".join(toc)}</ol></nav>')

    # Slides
    parts.append(f'<h2 class="section first" id="slides">{esc(t("briefing.slides_section", lang))}</h2>')
    for i, slide in enumerate(cfg.slides, start=1):
        head = f"{i}. {pick(slide.title.model_dump(), lang)}"
        for concept in slide.concepts:  # a group slide: one section per concept
            title = head if slide.concept else f"{head} — {ds.concept_title(concept, lang)}"
            parts.append(concept_html(ds, cfg, concept, provinces, lang, title=title, always=True))

    # Topics
    for tp, blocks in topic_sections:
        parts.append(f'<h2 class="section" id="t-{esc(tp)}">{esc(t(f"topic.{tp}", lang))}</h2>{blocks}')

    # Sources
    used = _used_sources(ds, provinces, covered)
    items = "".join(f"<li>{_source_html(ds, s, lang)}</li>" for s in used)
    parts.append(f'<h2 class="section" id="sources">{esc(t("briefing.sources_section", lang))}</h2>'
                 f'<ol class="small">{items}</ol>')
    if meta is not None:
        parts.append(f'<p class="small">{esc(meta.licence)}</p>')
    parts.append(f'<p class="small">{esc(t("footer.licence", lang))}</p>')

    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style>"
        f'<script type="text/javascript">{plotly_js()}</script>'
        f"</head><body>{''.join(parts)}</body></html>\n"
    )


def briefing_file_name(provinces: list[str], lang: str, version: str | None = None) -> str:
    """``hop-thai-nguyen-hai-duong-vi-2026.11.1.html`` (ASCII only)."""
    stem = "-".join(["briefing" if lang == "en" else "tai-lieu-hop", *provinces, lang]
                    + ([version] if version else []))
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in stem) + ".html"
