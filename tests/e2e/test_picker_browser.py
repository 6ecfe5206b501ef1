"""The province search box in a real browser: typed without diacritics, picked, in the URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.e2e.conftest import open_app, screenshot, wait_ready

SIDEBAR = '[data-testid="stSidebar"]'


def test_typing_quang_ninh_without_diacritics_adds_it(page, app_url):
    open_app(page, app_url, "tong-quan", lang="vi")
    sidebar = page.locator(SIDEBAR)
    box = sidebar.get_by_label("Tìm tỉnh (gõ không dấu cũng được)")
    box.fill("quang ninh")
    box.press("Enter")
    wait_ready(page)
    pill = sidebar.locator('[data-testid="stButtonGroup"] button', has_text="Quảng Ninh")
    expect(pill).to_have_count(1)
    pill.click()
    page.wait_for_url("**provinces=thai-nguyen%2Chai-duong%2Cquang-ninh**")
    wait_ready(page)
    query = parse_qs(urlparse(page.url).query)
    assert query["provinces"] == ["thai-nguyen,hai-duong,quang-ninh"]
    assert query["ref"] == ["thai-nguyen"]
    expect(sidebar.locator('[data-testid="stMultiSelect"]')).to_contain_text("Quảng Ninh")
    expect(sidebar.get_by_text("Tỉnh tham chiếu")).to_be_visible()  # more than two provinces
    expect(page.locator('[data-testid="scorecard"] th.prov')).to_have_count(3)
    screenshot(page, "picker-1366")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.outside_requests == []
