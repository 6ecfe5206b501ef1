"""No layout jumps while a page loads (issue #9): cumulative layout shift below 0.1.

Each page opens in a fresh browser context (nothing cached, as a leader's laptop on the
day) at 1366×768 and on a phone; Chromium's ``layout-shift`` entries are summed from the
first frame until every chart and map has drawn. Before the fix a page scored 0.3–0.5:
Streamlit's empty frame pushed right by the sidebar (0.23 on every page) and CSS,
tables and widgets drawn by parts of Streamlit fetched on first use, after the page
around them (``dashboard/page_head.py``).
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import make_page, wait_ready

PAGES = ["tong-quan", "dang-doanh-nghiep", "dang-truong-hoc", "kinh-te-xa-hoi", "chuyen-doi-so",
         "so-sanh-chi-tieu", "ban-do", "trinh-chieu", "du-lieu"]

PROBE = """
window.__shifts = [];
new PerformanceObserver(list => { for (const e of list.getEntries()) {
  if (e.hadRecentInput) continue;
  window.__shifts.push({value: e.value, sources: (e.sources || []).map(s => {
    const n = s.node, el = n && n.nodeType === 1 ? n : n && n.parentElement;
    return (el && (el.getAttribute('data-testid') || el.className || el.tagName)) + ' '
      + JSON.stringify([s.previousRect.x, s.previousRect.y, s.currentRect.x, s.currentRect.y].map(Math.round));
  })});
} }).observe({type: 'layout-shift', buffered: true});
"""
DRAWN = """() => {
  if (document.querySelector('[data-testid="stMain"] [data-testid="stSkeleton"]')) return false;
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]').length;
  const svgs = document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg').length;
  const decks = document.querySelectorAll('[data-testid="stDeckGlJsonChart"]').length;
  const canvases = document.querySelectorAll('[data-testid="stDeckGlJsonChart"] canvas').length;
  return svgs >= charts && canvases >= decks;
}"""
LIMIT = 0.1


def load_shift(browser, url: str, width: int, height: int) -> tuple[float, list]:
    ctx, page = make_page(browser, width, height)
    try:
        page.add_init_script(PROBE)
        page.goto(url)
        wait_ready(page)
        page.wait_for_function(DRAWN, timeout=90_000)
        page.wait_for_timeout(800)  # late arrivals: a chart's second layout, a font
        shifts = page.evaluate("window.__shifts")
        assert page.outside_requests == []
        return sum(s["value"] for s in shifts), [s for s in shifts if s["value"] >= 0.005]
    finally:
        ctx.close()


def settled_shift(browser, url: str, width: int, height: int) -> tuple[float, list]:
    """The layout shift of a load, measured again once when it is over the limit.

    One load races Streamlit's lazily fetched parts against the script run: 16 loads of the
    data page and the phone overview scored 0.02–0.08, and now and then a load scores more
    (a row of captions drawn a frame late). A regression such as the sidebar pushing the
    page (0.23 on every load) fails both loads; both loads' entries are reported.
    """
    total, largest = load_shift(browser, url, width, height)
    if total < LIMIT:
        return total, largest
    again, more = load_shift(browser, url, width, height)
    return again, [round(total, 3), *largest, "then", *more]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_jumps(browser, app_url, path):
    url = f"{app_url}/{path}?lang=vi&provinces=thai-nguyen,hai-duong"
    total, largest = settled_shift(browser, url, 1366, 768)
    assert total < LIMIT, (path, round(total, 3), largest)


@pytest.mark.parametrize("path", ["tong-quan", "kinh-te-xa-hoi", "trinh-chieu"])
def test_page_loads_without_jumps_on_a_phone(browser, app_url, path):
    total, largest = settled_shift(browser, f"{app_url}/{path}?lang=vi", 390, 844)
    assert total < LIMIT, (path, round(total, 3), largest)


def test_presentation_with_embed_loads_without_jumps(browser, app_url):
    total, largest = settled_shift(browser, f"{app_url}/trinh-chieu?lang=vi&embed=true", 1920, 1080)
    assert total < LIMIT, (round(total, 3), largest)
