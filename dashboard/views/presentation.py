"""Trình chiếu (presentation mode): one comparison per slide, for the meeting room.

Slides come from ``slides`` in config.yaml: a ``concept`` (one comparison: the figures in
large type, and a chart when they are comparable) or a ``group`` of concepts (a compact
large-type table: each province's value with qualifier, unit and period, and who leads
when the figures are comparable). The slide number is the ``slide`` query parameter of
the view (1-based), so a link reopens the slide being discussed; a number past the end
shows slide 1 with a notice. Previous / Next buttons answer to ←/→ and to a presentation
clicker's Page Up / Page Down; an optional auto-advance runs in a fragment. Open the page
with ``&embed=true`` to hide the sidebar and toolbar (then F11 for full screen).

Every slide fits one screen at 1366×768 and 1920×1080, with or without ``embed=true``:
title, buttons and counter share one row below Streamlit's header, and the figures are
drawn as compact HTML (escaped by Jinja2's auto-escaping) instead of cards.

The meeting briefing (:mod:`dashboard.briefing`) is downloadable from the options below
the slide. All Streamlit rendering of the presentation lives here; the page file
``pages/trinh_chieu.py`` only calls :func:`presentation_page`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import jinja2
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from .. import charts, fmt
from ..briefing import briefing_file_name, build_briefing_html
from ..cache import concept_bar, pair
from ..compare import ABSOLUTE, Comparability, difference
from ..components import comparability_note
from ..i18n import pick, t
from ..present import (
    difference_delta,
    flags,
    number_text,
    period_text,
    source_short,
    value_text,
)
from ..session import Context, context, update_view
from ..state import permalink

PAGE_ID = "presentation"
MIN_SECONDS, MAX_SECONDS, DEFAULT_SECONDS = 5, 600, 20
CHART_HEIGHT = 360
MIN_FONT = 20  # px: the smallest text of a slide (chart labels included)

# Large type and high contrast. Scoped to this page: the style element exists only while
# the presentation page is shown. Three widths: projector (≥1400 px), laptop (1366×768),
# phone (≤640 px). Streamlit's header is 60 px high and drawn over the page: the slide
# starts below it. The footer of the app is kept to one compact block (hidden with
# embed=true) so that a slide fits one screen.
CSS = """
<style>
  [data-testid="stMainBlockContainer"] { max-width: 1820px; padding-top: 4.4rem !important;
                                         padding-bottom: 0.5rem !important; }
  [data-testid="stMain"] h1 { font-size: 2.9rem !important; line-height: 1.3; color: #0b1f3a;
                              margin: 0; padding: 0; }
  [data-testid="stMain"] h1 span { font-size: inherit !important; }
  [data-testid="stMain"] [data-testid="stAlert"] p { font-size: 1.35rem; line-height: 1.4; }
  [data-testid="stMain"] [data-testid="stCaptionContainer"],
  [data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.25rem; color: #1b1b1b; }
  .st-key-pres_head button p { font-size: 1.25rem; }
  .st-key-pres_end [data-testid="stExpander"] summary p { font-size: 1.1rem; }
  :has(> .st-key-pres_end) ~ div [data-testid="stCaptionContainer"],
  :has(> .st-key-pres_end) ~ div [data-testid="stCaptionContainer"] p { font-size: 0.95rem; color: #555; }
  :has(> .st-key-pres_end) ~ div:has(hr) { display: none; }
  .st-key-pres_pgup, .st-key-pres_pgdn { display: none; }
  .pres-counter { font-size: 2.2rem; font-weight: 800; color: #0b1f3a; text-align: right;
                  font-variant-numeric: tabular-nums; white-space: nowrap; }
  .pres-figs { display: flex; flex-direction: column; gap: 0.8rem; }
  .pres-figs.row { flex-direction: row; flex-wrap: wrap; }
  .pres-figs.row .pres-fig { flex: 1 1 18rem; }
  .pres-fig { border-left: 0.5rem solid var(--c); padding: 0.3rem 0 0.3rem 1rem; color: #111; }
  .pres-fig .name { font-size: 1.7rem; font-weight: 700; }
  .pres-fig .value { font-size: 3.6rem; font-weight: 800; line-height: 1.1; color: #000; }
  .pres-fig .value .unit { font-size: 0.6em; font-weight: 700; margin-left: 0.15em; }
  .pres-fig .value.missing { font-size: 2.2rem; color: #555; }
  .pres-fig .meta { font-size: 1.3rem; line-height: 1.35; color: #1b1b1b; }
  .pres-fig .delta { font-size: 1.3rem; font-weight: 700; color: #0b1f3a; }
  .pres-flag { display: inline-block; font-size: 1.3rem; font-weight: 700; color: #7a3a00;
               background: #ffe8cc; border: 2px solid #d9480f; border-radius: 0.4rem;
               padding: 0 0.4rem; margin-right: 0.4rem; }
  table.pres-group { width: 100%; border-collapse: collapse; color: #111; font-size: 1.45rem; }
  table.pres-group th { font-size: 1.35rem; text-align: left; color: #0b1f3a; padding: 0.2rem 0.7rem;
                        border-bottom: 3px solid #0b1f3a; }
  table.pres-group th .swatch { display: inline-block; width: 1rem; height: 1rem; margin-right: 0.4rem;
                                background: var(--c); border-radius: 0.2rem; }
  table.pres-group td { padding: 0.35rem 0.7rem; border-bottom: 1px solid #bbb; vertical-align: top; }
  table.pres-group td.concept { font-weight: 700; }
  table.pres-group .value { font-size: 2.1rem; font-weight: 800; line-height: 1.1; white-space: nowrap; }
  table.pres-group .value.missing { font-size: 1.45rem; font-weight: 600; color: #555; }
  table.pres-group .meta { font-size: 1.25rem; color: #333; }
  table.pres-group td.lead { font-weight: 700; }
  table.pres-group td.lead.nc { font-weight: 600; color: #6b3b00; }
  .pres-sources { font-size: 1.25rem; color: #333; margin-top: 0.5rem; line-height: 1.35; }
  @media (max-width: 1400px) {
    [data-testid="stMain"] h1 { font-size: 2.3rem !important; }
    .pres-counter { font-size: 1.8rem; }
    .pres-fig .name { font-size: 1.45rem; }
    .pres-fig .value { font-size: 2.8rem; }
    table.pres-group { font-size: 1.3rem; }
    table.pres-group td { padding: 0.2rem 0.7rem; }
    table.pres-group th { padding: 0.1rem 0.7rem; }
    .pres-sources { margin-top: 0.3rem; }
    table.pres-group .value { font-size: 1.7rem; }
  }
  @media (max-width: 640px) {
    [data-testid="stMainBlockContainer"] { padding-top: 3.9rem !important; }
    [data-testid="stMain"] h1 { font-size: 1.7rem !important; }
    .pres-counter { font-size: 1.4rem; text-align: left; }
    .pres-fig .value { font-size: 2.2rem; }
    table.pres-group, table.pres-group th { font-size: 1.1rem; }
    table.pres-group .value { font-size: 1.35rem; white-space: normal; }
    table.pres-group .meta, .pres-sources, .pres-fig .meta { font-size: 1rem; }
    .pres-flag { font-size: 0.95rem; }
  }
</style>
"""

# With ``embed=true`` Streamlit hides the toolbar; the page also hides the sidebar, the
# (then empty) header and the app's footer, so the slide has the whole screen
# (provinces and language are chosen before opening the link).
EMBED_CSS = """
<style>
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stExpandSidebarButton"], [data-testid="stHeader"] { display: none !important; }
  [data-testid="stMainBlockContainer"] { padding-top: 1.2rem !important; }
  :has(> .st-key-pres_end) ~ div { display: none !important; }
</style>
"""

_HTML = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)

# One province's figure in large type (single-concept slides). Every text is escaped.
FIGURES = _HTML.from_string("""
<div class="pres-figs{{ ' row' if row }}" data-testid="slide-figures">
{% for f in figures %}
  <div class="pres-fig" style="--c: {{ f.colour }}">
    <div class="name">{{ f.name }}</div>
    {% if f.value %}
    <div class="value">{{ f.number }}<span class="unit">{{ f.unit }}</span></div>
    <div class="meta">{% for b in f.flags %}<span class="pres-flag">{{ b }}</span>{% endfor %}{{ f.label }} · {{ f.period }}{% if f.scope %} · {{ f.scope }}{% endif %}</div>
    <div class="meta">{{ f.source }}</div>
    {% if f.delta %}<div class="delta">{{ f.delta }}</div>{% endif %}
    {% else %}
    <div class="value missing">{{ missing }}</div>
    {% endif %}
  </div>
{% endfor %}
</div>
""")

# A scorecard group: one row per concept, one column per province, who leads.
GROUP = _HTML.from_string("""
<table class="pres-group" data-testid="slide-figures">
  <thead><tr><th>{{ head_concept }}</th>
  {% for p in provinces %}<th><span class="swatch" style="--c: {{ p.colour }}"></span>{{ p.name }}</th>{% endfor %}
  <th>{{ head_lead }}</th></tr></thead>
  <tbody>
  {% for r in rows %}
  <tr data-concept="{{ r.concept }}" data-comparable="{{ 'yes' if r.comparable else 'no' }}">
    <td class="concept">{{ r.label }}</td>
    {% for c in r.cells %}
    <td>{% if c.value %}<div class="value">{{ c.value }}</div>
        <div class="meta">{{ c.period }}{% for b in c.flags %} <span class="pres-flag">{{ b }}</span>{% endfor %}</div>
        {% else %}<div class="value missing">{{ missing }}</div>{% endif %}</td>
    {% endfor %}
    <td class="lead{{ '' if r.comparable else ' nc' }}">{{ r.lead }}</td>
  </tr>
  {% endfor %}
  </tbody>
</table>
<div class="pres-sources">{{ sources }}</div>
""")


# ----------------------------------------------------------------------------- navigation

def clamp_slide(n: int, total: int) -> tuple[int, bool]:
    """``(slide to show, whether n was out of range)``: outside 1..total shows slide 1.

    ``n`` comes from the link (see ``state.parse_view``, which keeps it within 1..999);
    anything that is not a whole number also shows slide 1.
    """
    if total <= 0:
        return 1, False
    if not isinstance(n, int) or isinstance(n, bool):
        return 1, True
    if 1 <= n <= total:
        return n, False
    return 1, True


def next_slide(n: int, total: int, wrap: bool = False) -> int:
    if n >= total:
        return 1 if wrap else total
    return n + 1


def previous_slide(n: int, total: int) -> int:
    return max(1, n - 1)


def _go(n: int) -> None:
    update_view(slide=n)
    st.session_state["_pres_shown_at"] = time.monotonic()


def _restart_timer() -> None:
    st.session_state["_pres_shown_at"] = time.monotonic()


# ----------------------------------------------------------------------------- who leads

def _bounds(row: pd.Series) -> tuple[float, float]:
    """The interval a figure stands for: ``>31`` is (31, ∞), ``<10,6`` is (−∞, 10,6)."""
    v = float(row["value"])
    q = row.get("qualifier") or ""
    if q == ">":
        return v, float("inf")
    if q == "<":
        return float("-inf"), v
    return v, v


@dataclass
class Lead:
    """Who leads one comparison: the province, or why no one is named (``reason``)."""

    province: str | None = None
    reason: str = ""  # "equal", "no_direction", "bounds_overlap", or a compare reason code
    difference: float | None = None  # leader minus runner-up (two provinces, no bounds)
    places: int | None = None  # ranks: how many places ahead
    reasons: list[str] = field(default_factory=list)


def leader(ds, comp: Comparability, provinces: list[str]) -> Lead:
    """Who leads when ``comp`` is comparable; else the first reason why not.

    Direction from the indicator's ``higher_is_better`` (ranks: lower is better, already
    ``false`` in indicators.yaml); no direction (``null``) names no leader. A figure with
    a bound (``>``/``<``) leads only when the intervals do not overlap.
    """
    if not comp.comparable:
        return Lead(reason=(comp.reasons or ["missing"])[0], reasons=list(comp.reasons))
    rows = {p: comp.rows[p] for p in provinces if comp.rows.get(p) is not None}
    first = next(iter(rows.values()))
    ind = ds.indicators[first["indicator"]]
    if ind.higher_is_better is None:
        return Lead(reason="no_direction")
    sign = 1 if ind.higher_is_better else -1
    best = max(rows, key=lambda p: sign * float(rows[p]["value"]))
    others = [p for p in rows if p != best]
    lo_best, hi_best = _bounds(rows[best])
    for p in others:
        lo, hi = _bounds(rows[p])
        if float(rows[p]["value"]) == float(rows[best]["value"]) and (lo, hi) == (lo_best, hi_best):
            return Lead(reason="equal")
        ahead = lo_best > hi if sign > 0 else hi_best < lo
        if not ahead:
            return Lead(reason="bounds_overlap")
    lead = Lead(province=best)
    if len(rows) == 2:
        other = others[0]
        if ind.kind == "rank":
            lead.places = int(abs(float(rows[best]["value"]) - float(rows[other]["value"])))
        else:
            diff = difference(comp, best, other)
            lead.difference = None if diff is None else abs(diff)
    return lead


def lead_text(ds, comp: Comparability, provinces: list[str], lang: str) -> str:
    """``Hải Dương dẫn trước, hơn 3,7 điểm % (tính toán)`` or ``Khác kỳ`` (plain text)."""
    lead = leader(ds, comp, provinces)
    if lead.province is None:
        return t(f"presentation.group.reason.{lead.reason}", lang)
    name = ds.province_name(lead.province, lang)
    if lead.places is not None:
        return t("presentation.group.rank_ahead", lang, name=name, n=lead.places)
    if lead.difference is None:
        return t("presentation.group.leads", lang, name=name)
    row = comp.rows[lead.province]
    ind = ds.indicators[row["indicator"]]
    others = [comp.rows[p] for p in provinces if p != lead.province and comp.rows.get(p) is not None]
    decimals = max(fmt.decimals_of(str(r["value_text"])) for r in [row, *others])
    unit = pick(ind.unit, lang)
    unit = t("figure.points", lang) if unit.startswith("%") else unit
    diff = f"{fmt.number(lead.difference, lang, decimals)} {unit}".strip()
    return t("presentation.group.leads_by", lang, name=name, diff=diff)


# ----------------------------------------------------------------------------- slide parts

def _figure(ds, cfg, row: pd.Series | None, pid: str, i: int, lang: str) -> dict:
    rec = {"name": ds.province_name(pid, lang), "colour": cfg.colour(pid, i)}
    if row is None:
        return rec
    ind = ds.indicators[row["indicator"]]
    # the number in the largest type, its unit (or rank base) smaller on the same line
    number, shown = number_text(row, lang), value_text(row, ind, lang)
    unit = shown[len(number):] if shown.startswith(number) else ""
    if not unit.startswith((" ", "/")):  # "6,5%" stays whole
        number, unit = shown, ""
    rec.update(value=shown, number=number, unit=unit,
               flags=flags(row, lang), label=pick(ind.short, lang),
               period=period_text(row["period"], lang), scope=row.get("scope") or "",
               source=t("figure.sources", lang, sources=source_short(ds.sources.get(row["source"]), lang)))
    return rec


def figures_html(ctx: Context, comp: Comparability, row_layout: bool) -> str:
    """Each province's figure in large type, as HTML (data escaped by the template)."""
    ds, lang, provinces = ctx.ds, ctx.lang, list(ctx.view.provinces)
    delta = difference_delta(ds, comp, provinces, lang)
    figures = [_figure(ds, ctx.cfg, comp.rows.get(p), p, i, lang) for i, p in enumerate(provinces)]
    if delta and figures:
        figures[0]["delta"] = f"{delta[0]} {delta[1]}"
    return FIGURES.render(figures=figures, row=row_layout, missing=t("figure.missing", lang))


def group_html(ctx: Context, concepts: list[str]) -> str:
    """A scorecard group as a large-type HTML table (data escaped by the template)."""
    ds, cfg, lang, provinces = ctx.ds, ctx.cfg, ctx.lang, list(ctx.view.provinces)
    rows, source_ids = [], []
    for concept in concepts:
        comp = pair(ds, concept, provinces)
        first = next(iter(comp.present.values()), None)
        label = (pick(ds.indicators[first["indicator"]].short, lang) if comp.comparable and first is not None
                 else ds.concept_title(concept, lang))
        cells = []
        for pid in provinces:
            row = comp.rows.get(pid)
            if row is None:
                cells.append({})
                continue
            ind = ds.indicators[row["indicator"]]
            period = period_text(row["period"], lang)
            if not comp.comparable:
                period = f"{pick(ind.short, lang)} · {period}"
            cells.append({"value": value_text(row, ind, lang), "period": period, "flags": flags(row, lang)})
            source_ids.append(row["source"])
        rows.append({"concept": concept, "label": label, "cells": cells, "comparable": comp.comparable,
                     "lead": lead_text(ds, comp, provinces, lang)})
    names = [source_short(ds.sources.get(s), lang) for s in dict.fromkeys(source_ids)]
    sources = t("figure.sources", lang, sources="; ".join(dict.fromkeys(names))) if names else ""
    heads = [{"name": ds.province_name(p, lang), "colour": cfg.colour(p, i)} for i, p in enumerate(provinces)]
    return GROUP.render(provinces=heads, rows=rows, sources=sources, missing=t("figure.missing", lang),
                        head_concept=t("presentation.group.col_concept", lang),
                        head_lead=t("presentation.group.col_lead", lang))


def _concept_slide(ctx: Context, concept: str) -> None:
    ds, lang, cfg = ctx.ds, ctx.lang, ctx.cfg
    provinces = list(ctx.view.provinces)
    comp = pair(ds, concept, provinces)
    if comp.comparable:
        left, right = st.columns([1, 1], gap="large")
        with left:
            st.html(figures_html(ctx, comp, row_layout=False))
        with right:
            first = next(iter(comp.present.values()))
            # a copy: the cached figure is shared by every session and must not change
            fig = go.Figure(concept_bar(ds, concept, provinces, lang, ABSOLUTE))
            # The slide's title and the figures beside the chart name the indicator and
            # period: no chart title (a long one would be clipped at 1366 px).
            size = max(cfg.chart.font_size + 2, MIN_FONT)
            fig.update_layout(height=CHART_HEIGHT, font={"size": size}, title=None, margin={"t": 24, "b": 40})
            fig.update_xaxes(tickfont={"size": size + 2}, title_font={"size": size})
            fig.update_yaxes(tickfont={"size": size}, title_font={"size": size})
            fig.update_traces(textfont={"size": size + 2})
            fig.update_annotations(font={"size": size})
            fig.update_layout(legend={"font": {"size": size}}, hoverlabel={"font": {"size": size}})
            st.plotly_chart(fig, config=charts.chart_config(f"{concept}-{first['period']}"),
                            key=f"pres-bar-{concept}")
    else:
        st.html(figures_html(ctx, comp, row_layout=True))
        st.info(comparability_note(ctx, comp), icon=":material/compare_arrows:")


def _slide_body(ctx: Context, slide) -> None:
    if slide.group:
        st.html(group_html(ctx, list(slide.group)))
    else:
        _concept_slide(ctx, slide.concept)


def _header(ctx: Context, title: str, n: int, total: int) -> None:
    """Title, Previous / Next and the counter in one row (one screen for the slide)."""
    lang = ctx.lang
    with st.container(key="pres_head"):
        head, nav, counter = st.columns([5.5, 4.5, 1.1], vertical_alignment="center")
        with head:
            st.title(title, anchor=False)
        with nav, st.container(horizontal=True, horizontal_alignment="right", gap="small"):
            st.button(t("presentation.previous", lang), key="pres_prev", icon=":material/arrow_back:",
                      on_click=_go, args=(previous_slide(n, total),), disabled=n <= 1,
                      shortcut="Left", help=t("presentation.keyboard_hint", lang))
            st.button(t("presentation.next", lang), key="pres_next", icon=":material/arrow_forward:",
                      type="primary", on_click=_go, args=(next_slide(n, total),), disabled=n >= total,
                      shortcut="Right", help=t("presentation.keyboard_hint", lang))
            # Clickers send Page Up / Page Down: hidden buttons carry those shortcuts.
            st.button("PageUp", key="pres_pgup", on_click=_go, args=(previous_slide(n, total),),
                      shortcut="PageUp")
            st.button("PageDown", key="pres_pgdn", on_click=_go, args=(next_slide(n, total),),
                      shortcut="PageDown")
        with counter:
            st.html(f'<div class="pres-counter" role="status" aria-label="'
                    f'{t("presentation.slide_of", lang, n=n, total=total)}">'
                    f'{t("presentation.counter", lang, n=n, total=total)}</div>')


# ----------------------------------------------------------------------------- options

def _auto_advance(total: int, seconds: int) -> None:
    """Every ``seconds``: move to the next slide (after the last, back to 1)."""

    @st.fragment(run_every=seconds)
    def _tick() -> None:
        ss = st.session_state
        started = ss.get("_pres_shown_at")
        if started is None:
            ss["_pres_shown_at"] = time.monotonic()
            return
        # The fragment also runs with every full run: only a full interval advances.
        if time.monotonic() - started >= seconds - 0.5:
            view = ss["_view"]
            _go(next_slide(min(view.slide, total), total, wrap=True))
            st.rerun()

    _tick()


def _options(ctx: Context, total: int) -> None:
    lang, view = ctx.lang, ctx.view
    with st.expander(t("presentation.controls", lang), icon=":material/tune:"):
        st.caption(t("presentation.keyboard_hint", lang))
        c1, c2 = st.columns(2)
        with c1:
            auto = st.toggle(t("presentation.auto", lang), key="pres_auto", on_change=_restart_timer)
        with c2:
            seconds = st.number_input(t("presentation.seconds", lang), min_value=MIN_SECONDS,
                                      max_value=MAX_SECONDS, value=DEFAULT_SECONDS, step=5,
                                      key="pres_seconds", on_change=_restart_timer)
        st.caption(t("presentation.auto_hint", lang))

        st.markdown(f"**{t('presentation.embed_title', lang)}**")
        st.caption(t("presentation.embed_hint", lang))
        link = embed_link(str(st.context.url or ""), ctx.cfg.page(PAGE_ID).url_path, view)
        st.code(link, language=None, wrap_lines=True)
        st.link_button(t("presentation.embed_open", lang), link, icon=":material/open_in_new:")

        st.divider()
        ds, cfg, provinces = ctx.ds, ctx.cfg, list(view.provinces)
        st.download_button(
            t("briefing.download", lang),
            data=lambda: build_briefing_html(ds, cfg, provinces, lang).encode("utf-8"),
            file_name=briefing_file_name(provinces, lang, ds.meta.version if ds.meta else None),
            mime="text/html", key="pres_briefing", icon=":material/description:", on_click="ignore")
        st.caption(t("briefing.download_help", lang))
    if auto:
        _auto_advance(total, int(seconds or DEFAULT_SECONDS))


def embed_link(base_url: str, url_path: str, view) -> str:
    """The permalink of the slide with ``embed=true`` (no sidebar, no toolbar)."""
    return permalink(base_url, url_path, view) + "&embed=true"


# ----------------------------------------------------------------------------- page

def presentation_page() -> None:
    ctx = context()
    lang, slides = ctx.lang, ctx.cfg.slides
    st.html(CSS)
    if st.context.is_embedded:
        st.html(EMBED_CSS)
    total = len(slides)
    if total == 0:
        st.info(t("presentation.no_slides", lang), icon=":material/slideshow:")
        return
    n, out_of_range = clamp_slide(ctx.view.slide, total)
    if out_of_range:
        st.info(t("presentation.out_of_range", lang, n=ctx.view.slide, total=total),
                icon=":material/info:")
        update_view(slide=n)
        ctx = context()
    ss = st.session_state
    if ss.get("_pres_seen") != n:
        ss["_pres_seen"] = n
        ss["_pres_shown_at"] = time.monotonic()
    slide = slides[n - 1]
    _header(ctx, pick(slide.title.model_dump(), lang), n, total)
    # One container per slide body: the options below keep their place (and their
    # expanded state) whatever layout the slide uses.
    with st.container():
        _slide_body(ctx, slide)
    # The options close the slide (the key marks its end: the app's footer follows, kept
    # compact by the CSS and hidden with embed=true).
    with st.container(key="pres_end"):
        _options(ctx, total)
