"""Trình chiếu (presentation mode): one comparison per slide, for the meeting room.

Slides come from ``slides`` in config.yaml. The slide number is the ``slide`` query
parameter of the view (1-based), so a link reopens the slide being discussed; a number
past the end shows slide 1 with a notice. Previous / Next buttons answer to ←/→ and to a
presentation clicker's Page Up / Page Down; an optional auto-advance runs in a fragment.
Open the page with ``&embed=true`` to hide the sidebar and toolbar.

The meeting briefing (:mod:`dashboard.briefing`) is downloadable from the options below
the slide. All Streamlit rendering of the presentation lives here; the page file
``pages/trinh_chieu.py`` only calls :func:`presentation_page`.
"""

from __future__ import annotations

import time

import plotly.graph_objects as go
import streamlit as st

from .. import charts
from ..cache import concept_bar, pair
from ..components import comparability_note, kpi_card
from ..session import Context, context, update_view
from ..briefing import briefing_file_name, build_briefing_html
from ..compare import ABSOLUTE
from ..i18n import pick, t
from ..present import difference_delta
from ..state import permalink

PAGE_ID = "presentation"
MIN_SECONDS, MAX_SECONDS, DEFAULT_SECONDS = 5, 600, 20
CHART_HEIGHT = 400

# Large type and high contrast. Scoped to this page: the style element exists only while
# the presentation page is shown. Three widths: projector (≥1400 px), laptop (1366×768),
# phone (≤640 px).
CSS = """
<style>
  [data-testid="stMain"] h1 { font-size: 3rem !important; line-height: 1.15; color: #0b1f3a;
                              margin-bottom: 0; padding-bottom: 0.2rem; }
  [data-testid="stMain"] h1 span,
  [data-testid="stMain"] [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"],
  [data-testid="stMain"] [data-testid="stMetricValue"] p { font-size: inherit !important; }
  [data-testid="stMainBlockContainer"] { max-width: 1820px; padding-top: 1.5rem; }
  [data-testid="stMain"] [data-testid="stMetricValue"] { font-size: 3.6rem; font-weight: 800; color: #000; }
  [data-testid="stMain"] [data-testid="stMetricLabel"] p { font-size: 1.6rem !important; font-weight: 700; color: #111; }
  [data-testid="stMain"] [data-testid="stCaptionContainer"],
  [data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.15rem; color: #1b1b1b; }
  [data-testid="stMain"] [data-testid="stAlert"] p { font-size: 1.3rem; }
  .pres-counter { font-size: 2.2rem; font-weight: 800; color: #0b1f3a; text-align: right;
                  font-variant-numeric: tabular-nums; white-space: nowrap; }
  .st-key-pres_pgup, .st-key-pres_pgdn { display: none; }
  @media (max-width: 1400px) {
    [data-testid="stMain"] h1 { font-size: 2.4rem !important; }
    [data-testid="stMain"] [data-testid="stMetricValue"] { font-size: 2.8rem; }
    [data-testid="stMain"] [data-testid="stMetricLabel"] p { font-size: 1.3rem !important; }
    .pres-counter { font-size: 1.8rem; }
  }
  @media (max-width: 640px) {
    [data-testid="stMainBlockContainer"] { padding-top: 3.5rem !important; }
    [data-testid="stMain"] h1 { font-size: 1.7rem !important; }
    [data-testid="stMain"] [data-testid="stMetricValue"] { font-size: 2.1rem; }
    [data-testid="stMain"] [data-testid="stMetricLabel"] p { font-size: 1.15rem !important; }
    [data-testid="stMain"] [data-testid="stCaptionContainer"],
    [data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1rem; }
    .pres-counter { font-size: 1.3rem; text-align: left; }
  }
</style>
"""

# With ``embed=true`` Streamlit hides the toolbar; the page also hides the sidebar so the
# slide has the whole screen (provinces and language are chosen before opening the link).
EMBED_CSS = """
<style>
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stExpandSidebarButton"] { display: none !important; }
  [data-testid="stMainBlockContainer"] { padding-top: 1rem; }
</style>
"""


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


# ----------------------------------------------------------------------------- slide

def _slide_body(ctx: Context, concept: str) -> None:
    ds, lang, cfg = ctx.ds, ctx.lang, ctx.cfg
    provinces = ctx.view.provinces
    comp = pair(ds, concept, provinces)
    delta = difference_delta(ds, comp, provinces, lang, as_md=True)
    if comp.comparable:
        left, right = st.columns([2, 3], gap="large")
        with left:
            for i, pid in enumerate(provinces):
                kpi_card(ctx, comp.rows.get(pid), pid, ABSOLUTE, delta if i == 0 else None)
        with right:
            first = next(iter(comp.present.values()))
            # a copy: the cached figure is shared by every session and must not change
            fig = go.Figure(concept_bar(ds, concept, provinces, lang, ABSOLUTE))
            fig.update_layout(height=CHART_HEIGHT, font={"size": cfg.chart.font_size + 2},
                              title={"font": {"size": cfg.chart.title_size + 2}})
            fig.update_xaxes(tickfont={"size": cfg.chart.font_size + 2})
            fig.update_yaxes(tickfont={"size": cfg.chart.font_size - 2})
            st.plotly_chart(fig, config=charts.chart_config(f"{concept}-{first['period']}"),
                            key=f"pres-bar-{concept}")
            st.caption(charts.chart_sources(ds, comp.present.values(), lang, as_md=True))
    else:
        cols = st.columns(max(1, len(provinces)), gap="large")
        for col, pid in zip(cols, provinces):
            with col:
                kpi_card(ctx, comp.rows.get(pid), pid, ABSOLUTE)
        st.info(comparability_note(ctx, comp), icon=":material/compare_arrows:")


def _header(ctx: Context, title: str, n: int, total: int) -> None:
    lang = ctx.lang
    head, counter = st.columns([5, 1], vertical_alignment="bottom")
    with head:
        st.title(title, anchor=False)
    with counter:
        st.html(f'<div class="pres-counter" role="status" aria-label="'
                f'{t("presentation.slide_of", lang, n=n, total=total)}">'
                f'{t("presentation.counter", lang, n=n, total=total)}</div>')
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.button(t("presentation.previous", lang), key="pres_prev", icon=":material/arrow_back:",
                  on_click=_go, args=(previous_slide(n, total),), disabled=n <= 1, shortcut="Left")
        st.button(t("presentation.next", lang), key="pres_next", icon=":material/arrow_forward:",
                  type="primary", on_click=_go, args=(next_slide(n, total),), disabled=n >= total,
                  shortcut="Right")
        # Clickers send Page Up / Page Down: hidden buttons carry those shortcuts.
        st.button("PageUp", key="pres_pgup", on_click=_go, args=(previous_slide(n, total),),
                  shortcut="PageUp")
        st.button("PageDown", key="pres_pgdn", on_click=_go, args=(next_slide(n, total),),
                  shortcut="PageDown")
        st.caption(t("presentation.keyboard_hint", lang))


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
        _slide_body(ctx, slide.concept)
    _options(ctx, total)
