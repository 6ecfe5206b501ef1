"""Streamlit's drop-down lists say "No results" in English; on a Vietnamese page they must not."""

from __future__ import annotations

from tests.e2e.conftest import open_app, wait_ready


def _empty_text(page) -> str:
    span = page.locator('[role="listbox"][data-empty="true"] [role="option"] > span').first
    span.wait_for(state="attached")
    return page.evaluate("""(el) => {
        const after = getComputedStyle(el, '::after').content;
        return (getComputedStyle(el).fontSize === '0px' ? '' : el.innerText) + after;
    }""", span.element_handle())


def test_a_selectbox_with_no_match_says_so_in_the_page_language(app_url, page):
    open_app(page, app_url, "so-sanh-chi-tieu", lang="vi")
    box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first
    box.click()
    page.keyboard.type("zzzzqqq")
    shown = _empty_text(page)
    assert "Không có mục nào phù hợp" in shown and "No results" not in shown
    page.keyboard.press("Escape")
    open_app(page, app_url, "so-sanh-chi-tieu", lang="en")
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
    page.keyboard.type("zzzzqqq")
    assert "No matching option" in _empty_text(page)
    wait_ready(page)


def test_the_province_list_with_no_match_says_so_in_vietnamese(app_url, page):
    open_app(page, app_url, "tong-quan", lang="vi")
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
    page.keyboard.type("zzzzqqq")
    shown = _empty_text(page)
    assert "Không có tỉnh nào khớp" in shown and "No results" not in shown
