"""In Chromium: the province list on a Vietnamese page shows no English UI text."""

from __future__ import annotations

from tests.e2e.conftest import open_app, screenshot

LIST = '[data-testid="stSidebar"] [data-testid="stMultiSelect"]'
DROPDOWN = '[data-testid="stMultiSelectDropdown"]'
EMPTY = DROPDOWN + ' [role="listbox"][data-empty="true"] [role="option"] > span'


def test_province_list_has_no_english_text(page, app_url):
    open_app(page, app_url, "tong-quan", lang="vi", provinces="thai-nguyen")
    box = page.locator(LIST)
    box.locator("input").click()
    dropdown = page.locator(DROPDOWN)
    dropdown.wait_for(state="visible")
    listed = dropdown.inner_text()
    assert "Hải Dương" in listed and "Select" not in listed  # no "Select all" row
    page.keyboard.type("zzqx")  # matches no province: Streamlit's "No results" is replaced
    empty = page.locator(EMPTY)
    empty.wait_for(state="attached")
    after = empty.evaluate("e => getComputedStyle(e, '::after').content")
    assert after == '"Không có tỉnh nào khớp"'
    assert empty.evaluate("e => getComputedStyle(e).fontSize") == "0px"  # the English text is not seen
    screenshot(page, "vietnamese-province-list")
