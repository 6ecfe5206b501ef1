"""Browser test of the national map ("Cả nước"): the deck draws, the legend says how the
classes were cut, nothing is requested outside the machine."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import make_page, open_app, screenshot


def test_national_map_from_link_renders_offline(browser, app_url):
    for width, height, name in ((1366, 768, "map-national"), (390, 844, "map-national-phone")):
        ctx, page = make_page(browser, width, height)
        try:
            open_app(page, app_url, "ban-do", measure="pci_score", year="2019")
            canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
            canvas.wait_for(state="visible")
            # deck.gl sizes its canvas after the first frame (300×150 before)
            page.wait_for_function(
                "() => { const c = document.querySelector('[data-testid=\"stDeckGlJsonChart\"] canvas');"
                " return c && c.getBoundingClientRect().width > 320 && c.getBoundingClientRect().height > 300; }",
                timeout=15_000)
            legend = page.locator('[data-testid="national-method"]')
            expect(legend).to_have_text("Chia theo ngũ phân vị, 63 tỉnh")
            main = page.locator('[data-testid="stMain"]')
            expect(main).to_contain_text("67,71–73,40")
            expect(main).to_contain_text("Cả 63 tỉnh đều có số liệu năm 2019.")
            page.wait_for_timeout(800)
            screenshot(page, name)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert "measure=pci_score" in page.url and "year=2019" in page.url
            assert page.outside_requests == [], "the national map must not request anything outside"
            assert page.js_errors == []
        finally:
            ctx.close()
