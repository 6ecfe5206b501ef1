"""Topic pages in Chromium at projector sizes, every tab of a sectioned page: at most four
screen heights at 1366×768, at most ten charts (the economy page's map panel, in its FDI and
industrial parks tab, is one: a plotly figure, no deck.gl, every compared province whole in it), chart text ≥ 14 px at 1920×1080, no title clipped, no line with two points
in one year or a point between years (vi and en). One browser context per size."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import make_page, open_app, screenshot

TOPIC_PATHS = ["dang-doanh-nghiep", "dang-truong-hoc", "kinh-te-xa-hoi", "chuyen-doi-so"]

MEASURE = """() => {
  let scroll = document.documentElement.scrollHeight;
  for (const el of document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"], section, main')) {
    if (el.clientHeight > 0 && getComputedStyle(el).overflowY !== 'visible') scroll = Math.max(scroll, el.scrollHeight);
  }
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  let minFont = 99;
  const small = [], clipped = [], badLines = [];
  for (const p of plots) {
    const box = p.getBoundingClientRect();
    for (const t of p.querySelectorAll('svg text')) {
      if (!t.textContent.trim()) continue;
      const fs = parseFloat(getComputedStyle(t).fontSize);
      if (fs < minFont) minFont = fs;
      if (fs < 14) small.push(t.textContent + ':' + fs);
    }
    for (const t of p.querySelectorAll('.gtitle')) {
      const b = t.getBoundingClientRect();
      if (b.width && (b.left < box.left - 1 || b.right > box.right + 1 || b.top < box.top - 1)) clipped.push(t.textContent);
    }
    for (const tr of (p.data || [])) {
      if (!tr.mode || !tr.mode.includes('lines') || tr.meta === 'value-axis') continue;  // x is a value (median line, dumbbell), not years
      const xs = (tr.x || []).filter((x, i) => tr.y && tr.y[i] !== null && tr.y[i] !== undefined);
      if (new Set(xs.map(String)).size !== xs.length) badLines.push(tr.name + ': two points in one year');
      if (xs.some(x => !Number.isInteger(Number(x)))) badLines.push(tr.name + ': a point between years');
      const all = (tr.x || []).map(Number);
      for (let i = 1; i < all.length; i++) if (all[i] - all[i - 1] !== 1) badLines.push(tr.name + ': a segment across years');
      if (tr.connectgaps) badLines.push(tr.name + ': gaps connected');
    }
  }
  // the map panel (a plotly figure, issue #9): every compared province whole in its drawn ranges
  const maps = [], cut = [];
  for (const p of plots) {
    const fl = p._fullLayout;
    if (!fl || !fl.yaxis || fl.yaxis.scaleanchor !== 'x') continue;
    maps.push(p);
    const [x0, x1] = fl.xaxis.range, [y0, y1] = fl.yaxis.range;
    for (const tr of p.data) {
      if (tr.fill !== 'toself' || tr.name === 'neighbours') continue;
      const out = (tr.x || []).some((x, i) => x !== null && (x < x0 || x > x1 || tr.y[i] < y0 || tr.y[i] > y1));
      if (out) cut.push(tr.name);
    }
  }
  const decks = document.querySelectorAll('[data-testid="stDeckGlJsonChart"]').length;
  return {scroll, charts: plots.length, minFont, small: small.slice(0, 5), clipped, badLines,
          maps: maps.length, cut, decks};
}"""


def _measure(page, app_url, path, lang):
    path, _, section = path.partition("#")
    open_app(page, app_url, path, lang=lang, **({"section": section} if section else {}))
    charts = page.locator('[data-testid="stPlotlyChart"]')
    n = charts.count()
    if n:
        page.locator('.js-plotly-plot .main-svg').nth(n - 1).wait_for(state="attached")
        page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .gtitle').length >= {n}", timeout=30_000)
    page.wait_for_timeout(150)
    return page.evaluate(MEASURE)


def _tabs(path: str) -> list[str]:
    """``path#section`` for every tab of a sectioned page (only the open tab is drawn)."""
    from dashboard.config import get_config

    page = next(p.id for p in get_config().pages if p.url_path == path)
    return [f"{path}#{s.id}" for s in get_config().topic_pages[page].sections] or [path]


ECONOMY, DIGITAL = _tabs("kinh-te-xa-hoi"), _tabs("chuyen-doi-so")
#: (size, language, pages): every page and tab in Vietnamese and the two sectioned pages in
#: English at 1366×768; at 1920×1080 one sectioned page per language (keeps it fast).
RUNS = [((1366, 768), "vi", [p for path in TOPIC_PATHS for p in _tabs(path)]),
        ((1366, 768), "en", ECONOMY + DIGITAL),
        ((1920, 1080), "vi", ECONOMY), ((1920, 1080), "en", DIGITAL)]


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080)])
def test_topic_pages_fit_and_read_on_a_projector(browser, app_url, width, height):
    ctx, page = make_page(browser, width, height)
    problems = []
    try:
        for (w, _h), lang, paths in RUNS:
            if w != width:
                continue
            for path in paths:
                m = _measure(page, app_url, path, lang)
                where = f"{path} {lang} {width}×{height}"
                screens = m["scroll"] / height
                if width == 1366 and screens > 4.0:
                    problems.append(f"{where}: {screens:.2f} screen heights")
                if m["charts"] > 10:
                    problems.append(f"{where}: {m['charts']} charts")
                if width == 1920 and m["charts"] and m["minFont"] < 14:
                    problems.append(f"{where}: chart text below 14 px {m['small']}")
                if m["clipped"]:
                    problems.append(f"{where}: clipped titles {m['clipped']}")
                if m["badLines"]:
                    problems.append(f"{where}: {m['badLines']}")
                want = 1 if path == "kinh-te-xa-hoi#fdi-khu-cong-nghiep" else 0
                if m["maps"] != want or m["decks"]:
                    problems.append(f"{where}: {m['maps']} plotly map panels, {m['decks']} decks (want {want}, 0)")
                if m["cut"]:
                    problems.append(f"{where}: provinces cut off the map panel {m['cut']}")
                if lang == "vi" and width == 1366:
                    screenshot(page, f"topic-{path.replace('#', '-')}-{width}")
        assert page.outside_requests == []
    finally:
        ctx.close()
    assert not problems, problems
