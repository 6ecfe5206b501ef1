"""Shared links in the real browser: the language round trip keeps province ids."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_app, texts_of, wait_ready

#: A topic page's figures: the cells of its HTML figure tables (value, flags, period,
#: source; "Chưa có số liệu" where a province has none).
TOPIC_FIGURES = '[data-testid="tpSide"] td:not(.reason), [data-testid="tpSingle"] td'
#: The map's figures: the lines beside it (per province: the parks drawn on the map).
MAP_FIGURES = '.st-key-map_side [data-testid="stMarkdownContainer"]:visible'
#: The explorer's figures: the value labels of its charts, the cells of its compact tables.
EXPLORER_FIGURES = ('[data-testid="stPlotlyChart"] .textpoint text, [data-testid="stPlotlyChart"] text.bartext, '
                    '[data-testid="tpSide"] td:not(.reason), [data-testid="tpSingle"] td')
FIGURES = {"so-sanh-chi-tieu": EXPLORER_FIGURES, "ban-do": MAP_FIGURES}
MISSING = "Chưa có số liệu"


def figure_texts(page, path: str, at_least: int) -> list[str]:
    """The texts of a page's figures once drawn (chart labels are SVG: their text content)."""
    if path != "so-sanh-chi-tieu":
        return texts_of(page, FIGURES[path], at_least)
    figures = page.locator(FIGURES[path])
    figures.nth(at_least - 1).wait_for(state="attached")
    wait_ready(page)
    return [" ".join(t.split()) for t in figures.all_text_contents()]


def switch_language(page, name: str, lang: str) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name=name).click()
    page.wait_for_url(f"**lang={lang}**")
    wait_ready(page)


def test_switching_the_language_twice_keeps_the_provinces(page, app_url):
    """Was: ?provinces=Thái+Nguyên,Hải+Dương and every figure "Chưa có số liệu"."""
    open_app(page, app_url, "dang-doanh-nghiep", lang="vi")
    first = texts_of(page, TOPIC_FIGURES, 2)
    assert first.count(MISSING) < len(first)

    switch_language(page, "English", "en")
    expect(page.locator("h1").first).to_have_text("Party in enterprises")
    switch_language(page, "Tiếng Việt", "vi")
    expect(page.locator("h1").first).to_have_text("Đảng trong doanh nghiệp")

    query = parse_qs(urlparse(page.url).query)
    assert query["provinces"] == ["thai-nguyen,hai-duong"]
    again = texts_of(page, TOPIC_FIGURES, len(first))
    assert again == first, "the headline figures are the same as on the first load"
    assert again.count(MISSING) == first.count(MISSING)
    chosen = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
    expect(chosen).to_contain_text("Thái Nguyên")
    expect(chosen).to_contain_text("Hải Dương")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.outside_requests == []


@pytest.mark.parametrize("path", ["so-sanh-chi-tieu", "ban-do"])
def test_page_widgets_keep_ids_through_language_switches(page, app_url, path):
    """The explorer's indicator and the map's layer picker had the same fault (an error
    box on the explorer; ``measure=Không hiển thị`` on the map)."""
    # the explorer on one period: its compact chart with value labels
    extra = {"indicator": "dti_rank", "period": "2021"} if path == "so-sanh-chi-tieu" else {}
    open_app(page, app_url, path, lang="vi", **extra)
    first = figure_texts(page, path, 1)
    assert any(f.strip() for f in first)
    for name, lang in (("English", "en"), ("Tiếng Việt", "vi"), ("English", "en"), ("Tiếng Việt", "vi")):
        switch_language(page, name, lang)
    query = parse_qs(urlparse(page.url).query)
    assert query["provinces"] == ["thai-nguyen,hai-duong"]
    assert all(v.isascii() for values in query.values() for v in values), query
    assert figure_texts(page, path, len(first)) == first
    assert page.locator('[data-testid="stException"]').count() == 0
