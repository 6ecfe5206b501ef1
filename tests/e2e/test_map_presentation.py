"""Browser tests of the map, the presentation mode and the offline HTML briefing."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, open_app, screenshot, wait_ready


def test_map_renders_offline_and_switches_province(page, app_url):
    open_app(page, app_url, "ban-do")
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.wait_for(state="visible")
    box = canvas.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300
    page.wait_for_timeout(1500)
    screenshot(page, "map-all")
    assert page.outside_requests == [], "the map must not request tiles or anything outside"
    page.get_by_role("radio", name="Hải Dương").first.click()
    page.wait_for_url("**focus=hai-duong**")
    wait_ready(page)
    page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(state="visible")
    page.get_by_role("radio", name="Thái Nguyên").first.click()
    page.wait_for_url("**focus=thai-nguyen**")
    wait_ready(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.outside_requests == []


def test_map_2025_boundaries_and_party_layer_from_link(page, app_url):
    open_app(page, app_url, "ban-do", vintage="2025", measure="party_orgs_in_enterprises")
    page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(state="visible")
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("202/2025/QH15")
    expect(main).to_contain_text("Tổ chức đảng trong doanh nghiệp")
    assert "vintage=2025" in page.url and "measure=party_orgs_in_enterprises" in page.url
    assert page.outside_requests == []


def test_presentation_advances_slides(page, app_url):
    open_app(page, app_url, "trinh-chieu", slide="1")
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text(re.compile(r"(?<!\d)1\s*/\s*\d+"))
    page.get_by_role("button", name="Trang sau").first.click()
    page.wait_for_url("**slide=2**")
    wait_ready(page)
    expect(main).to_contain_text(re.compile(r"(?<!\d)2\s*/\s*\d+"))
    screenshot(page, "presentation-slide-2")


def test_presentation_at_projector_and_laptop_sizes(browser, app_url):
    from tests.e2e.conftest import make_page

    for width, height in ((1920, 1080), (1366, 768)):
        ctx, pg = make_page(browser, width, height)
        open_app(pg, app_url, "trinh-chieu", slide="3", embed="true")
        overflow = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        screenshot(pg, f"presentation-{width}x{height}")
        ctx.close()


def test_briefing_opens_offline_with_charts_numbers_and_sources(browser, tmp_path):
    from dashboard.briefing import build_briefing_html
    from dashboard.config import load_config
    from dashboard.data import load_dataset
    from tests.e2e.conftest import make_page

    ds = load_dataset(ROOT / "data")
    cfg = load_config(ROOT / "config.yaml")
    html = build_briefing_html(ds, cfg, ["thai-nguyen", "hai-duong"], "vi")
    path = tmp_path / "briefing.html"
    path.write_text(html, encoding="utf-8")
    ctx, pg = make_page(browser, 1280, 900)
    pg.goto(path.as_uri())
    pg.wait_for_selector(".plotly .main-svg")
    n_divs = pg.locator(".plotly-graph-div").count()
    assert n_divs > 0
    pg.wait_for_function(f"document.querySelectorAll('.plotly-graph-div .main-svg').length >= {n_divs}")
    text = pg.locator("body").inner_text()
    assert "Nguồn" in text and ">31" in text and "3.390" in text
    assert pg.outside_requests == []
    screenshot(pg, "briefing")
    ctx.close()
