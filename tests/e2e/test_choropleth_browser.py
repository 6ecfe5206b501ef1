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


def test_national_tooltip_stays_inside_the_map(browser, app_url):
    """Issue #10: hovering a province near the map's right edge showed a tooltip cut off by
    the map's edge (on a phone, almost everywhere)."""
    for width, height in ((1366, 768), (390, 844)):
        ctx, page = make_page(browser, width, height)
        try:
            open_app(page, app_url, "ban-do", measure="pci_score", year="2019")
            canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
            canvas.scroll_into_view_if_needed()
            page.wait_for_function(
                "() => { const c = document.querySelector('[data-testid=\"stDeckGlJsonChart\"] canvas');"
                " return c && c.getBoundingClientRect().width > 320; }", timeout=15_000)
            page.wait_for_timeout(500)
            box = canvas.bounding_box()
            tooltip = page.locator(".deck-tooltip")
            # the country's east coast and the north-east: provinces close to the right edge
            for fx, fy in ((0.62, 0.52), (0.6, 0.5), (0.64, 0.55), (0.58, 0.2), (0.66, 0.6)):
                page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
                page.wait_for_timeout(400)
                if tooltip.count() and tooltip.first.is_visible() and tooltip.first.inner_text().strip():
                    break
            else:
                raise AssertionError(f"no tooltip at {width}×{height}")
            tip = tooltip.first.bounding_box()
            assert tip["x"] >= box["x"] - 1 and tip["x"] + tip["width"] <= box["x"] + box["width"] + 1, (tip, box)
            assert tip["y"] >= box["y"] - 1 and tip["y"] + tip["height"] <= box["y"] + box["height"] + 1, (tip, box)
            assert "PCI" in tooltip.first.inner_text()
        finally:
            ctx.close()
