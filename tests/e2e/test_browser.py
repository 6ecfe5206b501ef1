"""What a person sees, in Debian's Chromium: pages, charts, URL state, phone layout, offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_app, screenshot, texts_of, wait_ready

def test_a_direct_link_opened_first_shows_the_page_without_a_dialog(page, app_url):
    """First visit after the server starts (streamlit#9992 workaround in dashboard.serve)."""
    open_app(page, app_url, "ban-do")
    expect(page.locator("h1").first).to_have_text("Bản đồ")
    assert page.get_by_text("Page not found").count() == 0
    open_app(page, app_url, "tong-quan")
    expect(page.locator("h1").first).to_have_text("Tổng quan")
    assert page.get_by_text("Page not found").count() == 0
    assert "/tong-quan" in page.url


PAGES = [  # (url path, the page's figures expected: charts, the scorecard, a figure table)
    ("", "scorecard"),  # the overview's HTML scorecard
    ("dang-doanh-nghiep", "stPlotlyChart"),
    ("dang-truong-hoc", "tpSingle"),  # no comparable figure yet: the "only one province" table
    ("kinh-te-xa-hoi", "stPlotlyChart"),
    ("chuyen-doi-so", "stPlotlyChart"),
    ("so-sanh-chi-tieu", "stPlotlyChart"),
    ("du-lieu", "health-problems"),  # the data checks tab: every problem as a table
]


def no_error_boxes(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


@pytest.mark.parametrize("path,testid", PAGES, ids=[p or "root" for p, _ in PAGES])
def test_page_renders_its_charts_offline(page, app_url, path, testid):
    open_app(page, app_url, path)
    locator = page.locator(f'[data-testid="{testid}"]').first
    locator.wait_for(state="visible")
    if testid == "stPlotlyChart":
        page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(state="attached")
    no_error_boxes(page)
    screenshot(page, f"page-{path or 'root'}")
    assert page.outside_requests == [], "nothing outside the machine may even be requested"


def chart_labels(page, at_least: int) -> list[str]:
    """The value labels drawn on the page's plotly charts (SVG text: no innerText)."""
    labels = page.locator('[data-testid="stPlotlyChart"] .textpoint text, [data-testid="stPlotlyChart"] text.bartext')
    labels.nth(at_least - 1).wait_for(state="attached")
    wait_ready(page)
    return [t.strip() for t in labels.all_text_contents() if t.strip()]


def test_url_restores_language_indicator_period(page, app_url):
    open_app(page, app_url, "so-sanh-chi-tieu", lang="en", provinces="thai-nguyen,hai-duong",
             indicator="dti_rank", period="2021", mode="absolute")
    expect(page.locator("h1").first).to_have_text("Indicator explorer")
    assert sorted(chart_labels(page, 2)) == ["14/63", "8/63"]
    assert "lang=en" in page.url and "indicator=dti_rank" in page.url


def test_repeated_province_parameters(page, app_url):
    page.goto(f"{app_url}/so-sanh-chi-tieu?provinces=hai-duong&provinces=thai-nguyen&indicator=dti_rank&period=2021")
    wait_ready(page)
    chart_labels(page, 2)
    # the chart lists the provinces in the link's order, top to bottom
    names = page.locator('[data-testid="stPlotlyChart"] .ytick text')
    tops = {n.text_content(): n.bounding_box()["y"] for n in names.all()}
    assert tops["Hải Dương"] < tops["Thái Nguyên"]


def test_mode_parameter_restores_normalisation(page, app_url):
    open_app(page, app_url, "so-sanh-chi-tieu", indicator="industrial_parks", mode="per_km2")
    values = texts_of(page, '[data-testid="tpSingle"] td, [data-testid="tpSide"] td', 1)
    assert any("≈" in v for v in values)


def test_changing_a_control_updates_the_url(page, app_url):
    open_app(page, app_url, "kinh-te-xa-hoi")
    page.get_by_role("radio", name="English").click()
    page.wait_for_url("**lang=en**")
    wait_ready(page)
    expect(page.locator("h1").first).to_have_text("Economy and society")
    page.get_by_role("radio", name="Per km²").click()
    page.wait_for_url("**mode=per_km2**")


def test_a_tab_draws_its_charts_and_its_link_reopens_it(page, app_url):
    """Issue #9: only the open tab of a topic page is drawn; choosing another draws it,
    writes ``section`` into the link, and the link reopens that tab."""
    open_app(page, app_url, "kinh-te-xa-hoi")
    titles = lambda: [t.strip() for t in page.locator('[data-testid="stPlotlyChart"] .gtitle').all_text_contents()]
    page.locator('[data-testid="stPlotlyChart"] .gtitle').first.wait_for(state="attached")
    assert any("Tốc độ tăng trưởng GRDP" in t for t in titles())
    page.get_by_role("tab", name="Năng lực cạnh tranh (PCI)").click()
    page.wait_for_url("**section=nang-luc-canh-tranh**")
    wait_ready(page)
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .gtitle')]
        .some(t => t.textContent.includes('PCI'))""", timeout=30_000)
    assert titles() and all("PCI" in t for t in titles()), titles()
    url = page.url
    page.goto(url)
    wait_ready(page)
    page.locator('[data-testid="stPlotlyChart"] .gtitle').first.wait_for(state="attached")
    assert all("PCI" in t for t in titles()), titles()
    assert page.get_by_role("tab", name="Năng lực cạnh tranh (PCI)").get_attribute("aria-selected") == "true"
    no_error_boxes(page)
    assert page.outside_requests == []


def test_invalid_parameter_shows_default_view_and_notice(page, app_url):
    open_app(page, app_url, "so-sanh-chi-tieu", indicator="khong-ton-tai", lang="xx")
    expect(page.locator("h1").first).to_have_text("So sánh chỉ tiêu")
    notice = page.locator('[data-testid="stAlert"]').filter(has_text="khong-ton-tai")
    expect(notice.first).to_contain_text("không hợp lệ")
    no_error_boxes(page)


@pytest.mark.parametrize("path", ["", "dang-doanh-nghiep", "dang-truong-hoc", "kinh-te-xa-hoi", "chuyen-doi-so",
                                  "so-sanh-chi-tieu", "ban-do", "trinh-chieu", "du-lieu"])
def test_phone_has_no_horizontal_page_scroll(phone, app_url, path):
    open_app(phone, app_url, path)
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    screenshot(phone, f"phone-{path or 'root'}")
