"""The editing page in a browser: a visitor sees a sign-in form only; a local editor signs in
and gets the editor. Nothing is saved here (saving is tested with AppTest on a copy of the
data, tests/test_editor_page.py), so the shared server's data never changes."""

from __future__ import annotations

from tests.e2e.conftest import EDITOR_NAME, EDITOR_PASSWORD, open_app, wait_ready

NAV = '[data-testid="stSidebarNav"]'


def test_a_visitor_gets_a_sign_in_form_and_no_menu_entry(app_url, page):
    open_app(page, app_url, "cap-nhat")
    main = page.locator('[data-testid="stMain"]')
    assert main.locator("h1").first.inner_text() == "Cập nhật dữ liệu"
    assert main.get_by_label("Tên đăng nhập").is_visible()
    assert main.get_by_label("Mật khẩu").is_visible()
    assert page.locator('[data-testid="stDataFrame"], [data-testid="stDataEditor"]').count() == 0
    assert "Cập nhật dữ liệu" not in page.locator(NAV).inner_text()
    assert page.outside_requests == []


def test_an_editor_signs_in_and_sees_the_editor(app_url, page):
    open_app(page, app_url, "cap-nhat")
    main = page.locator('[data-testid="stMain"]')
    main.get_by_label("Tên đăng nhập").fill(EDITOR_NAME)
    main.get_by_label("Mật khẩu").fill(EDITOR_PASSWORD)
    main.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text(f"Đang đăng nhập để cập nhật dữ liệu: {EDITOR_NAME}").wait_for()
    wait_ready(page)
    assert "Cập nhật dữ liệu" in page.locator(NAV).inner_text()  # now in the menu
    main.get_by_role("tab", name="Bảng số liệu").click()
    page.locator('[data-testid="stDataFrame"]').first.wait_for(state="visible")
    assert main.get_by_role("button", name="Lưu thay đổi").is_visible()
    assert page.outside_requests == [] and page.js_errors == []
    main.get_by_role("button", name="Đăng xuất").click()
    main.get_by_label("Tên đăng nhập").wait_for()
