"""Browser tests: every slide fits one screen on a projector; the map's legend sits beside it.

Slides are opened with ``embed=true`` (how they are projected) at 1920×1080 and 1366×768;
a few also without it. A slide fits when the page does not scroll; its title and counter
are inside the window, below Streamlit's header, and not clipped.
"""

from __future__ import annotations

import pytest

from dashboard import maps
from tests.e2e.conftest import make_page, open_app, screenshot, wait_ready

SIZES = [(1920, 1080), (1366, 768)]

MEASURE = """() => {
  const r = e => { if (!e) return null; const b = e.getBoundingClientRect();
                   return {top: b.top, bottom: b.bottom, left: b.left, right: b.right, h: b.height}; };
  const main = document.querySelector('[data-testid="stMain"]');
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  const header = document.querySelector('[data-testid="stHeader"]');
  const visible = header && getComputedStyle(header).display !== 'none' ? r(header) : null;
  // the smallest text of the slide's figures and chart
  let minFont = 1000;
  for (const el of document.querySelectorAll('[data-testid="slide-figures"] *, [data-testid="stMain"] .main-svg text')) {
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    if (!el.getClientRects().length) continue;
    minFont = Math.min(minFont, parseFloat(getComputedStyle(el).fontSize));
  }
  return {scroll: main.scrollHeight, client: main.clientHeight, inner: innerHeight, width: innerWidth,
          h1: r(h1), h1Clipped: h1.scrollWidth > h1.clientWidth + 1 || h1.scrollHeight > h1.clientHeight + 1,
          counter: r(document.querySelector('.pres-counter')),
          counterText: document.querySelector('.pres-counter').innerText.trim(),
          header: visible, minFont};
}"""


def _check_slide(pg, n: int, total: int, min_font: float, label: str) -> None:
    pg.locator(".pres-counter").wait_for(state="visible")
    pg.wait_for_function("document.querySelectorAll('[data-testid=\"slide-figures\"]').length > 0")
    m = pg.evaluate(MEASURE)
    assert m["counterText"].replace(" ", "") == f"{n}/{total}", label
    assert m["scroll"] <= m["client"] + 1, f"{label}: the slide scrolls ({m['scroll']} > {m['client']} px)"
    top = m["header"]["bottom"] if m["header"] else 0
    for part in ("h1", "counter"):
        box = m[part]
        assert box["top"] >= top - 1 and box["bottom"] <= m["inner"], f"{label}: {part} {box} (header ends {top})"
        assert 0 <= box["left"] and box["right"] <= m["width"], f"{label}: {part} {box}"
    assert not m["h1Clipped"], f"{label}: the title is clipped"
    assert m["minFont"] >= min_font, f"{label}: text of {m['minFont']} px on the slide"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_embedded_slide_fits_one_screen(browser, app_url, cfg, size):
    ctx, pg = make_page(browser, *size)
    total = len(cfg.slides)
    try:
        open_app(pg, app_url, "trinh-chieu", slide="1", embed="true")
        for n in range(1, total + 1):
            if n > 1:  # the presenter's key (a clicker sends Page Down): no page reload
                pg.locator("body").press("ArrowRight")
                pg.wait_for_function(f"document.querySelector('.pres-counter')?.innerText.replace(/ /g, '') === '{n}/{total}'")
                wait_ready(pg)
            _check_slide(pg, n, total, 20, f"slide {n} at {size}")
            if n in (1, 4):
                screenshot(pg, f"slide-{n}-embed-{size[0]}x{size[1]}")
        assert pg.outside_requests == []
    finally:
        ctx.close()


def test_slides_fit_with_the_app_header_and_sidebar(browser, app_url, cfg):
    """Without embed=true the title and counter sit below Streamlit's header (they were
    under it at 1920×1080, and at 1366×768 in English, the longest titles)."""
    size, lang = (1366, 768), "en"
    ctx, pg = make_page(browser, *size)
    try:
        for n in (1, next(i for i, s in enumerate(cfg.slides, start=1) if s.group)):
            open_app(pg, app_url, "trinh-chieu", slide=str(n), lang=lang)
            _check_slide(pg, n, len(cfg.slides), 20, f"slide {n} at {size} ({lang})")
        assert pg.outside_requests == []
    finally:
        ctx.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_map_legend_beside_the_map_and_map_large_enough_for_its_fit(browser, app_url, size):
    ctx, pg = make_page(browser, *size)
    try:
        open_app(pg, app_url, "ban-do")
        canvas = pg.locator('[data-testid="stDeckGlJsonChart"]').first
        canvas.wait_for(state="visible")
        legend = pg.locator('[data-testid="map-legend"]').first
        legend.wait_for(state="visible")
        c, g = canvas.bounding_box(), legend.bounding_box()
        # beside: to the right of the map, starting within the map's height, inside the window
        assert g["x"] >= c["x"] + c["width"] - 1 and g["y"] < c["y"] + c["height"] and g["y"] >= c["y"] - 40
        assert g["x"] + g["width"] <= size[0]
        # the initial view is fitted to a map of VIEW_WIDTH × VIEW_HEIGHT: the map is at least that
        assert c["width"] >= maps.VIEW_WIDTH - 2 and c["height"] >= maps.VIEW_HEIGHT - 2
        # legend text readable on a projector
        fonts = pg.evaluate("""() => [...document.querySelectorAll('[data-testid="map-legend"] *')]
            .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => parseFloat(getComputedStyle(e).fontSize))""")
        assert fonts and min(fonts) >= 14
        pg.wait_for_timeout(800)
        screenshot(pg, f"map-legend-{size[0]}x{size[1]}")
        assert pg.outside_requests == []
    finally:
        ctx.close()
