"""In Chromium: Markdown in data/ shows as the text it is, never as markup.

A Streamlit server of its own (module scope) serves a copy of data/ whose province name,
dataset title, map attribution and one source address are hostile Markdown (see
``tests/test_escaping.make_hostile``). The overview, a topic page, the explorer and the map must show
those texts literally, draw no image, no coloured text and no math from them, and the
browser must not even try to fetch the image at 127.0.0.1:9.
"""

from __future__ import annotations

import shutil
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, make_page, open_app, screenshot, serve, wait_ready
from tests.test_escaping import ATTRIBUTION, NAME, TITLE, make_hostile

WORD_JOINER = "\u2060"


def shown(page, selector: str) -> list[str]:
    """Inner texts of ``selector`` once drawn. The escaping may add invisible word joiners
    (U+2060) that break a bare link or a shortcode; they are not seen and are dropped."""
    page.locator(selector).first.wait_for(state="visible")
    return [t.replace(WORD_JOINER, "") for t in page.locator(selector).all_inner_texts()]


class _Copy:  # the interface of tests.conftest.DataCopy that make_hostile uses
    def __init__(self, path):
        self.path = path

    def replace(self, name: str, old: str, new: str) -> None:
        p = self.path / name
        text = p.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        p.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    """A server of its own on a hostile copy of data/ (``DASHBOARD_DATA_DIR``)."""
    target = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(ROOT / "data", target)
    make_hostile(_Copy(target))
    with serve("streamlit-server-markdown.log", {"DASHBOARD_DATA_DIR": str(target)}) as url:
        yield url


@pytest.fixture
def page9(browser):
    """A page that also records every request to port 9 (the conftest allows local hosts)."""
    ctx, pg = make_page(browser, 1400, 900)
    port9: list[str] = []

    def record(request):
        if urlparse(request.url).port == 9:
            port9.append(request.url)

    ctx.on("request", record)
    pg.port9 = port9  # type: ignore[attr-defined]
    yield pg
    ctx.close()


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text().replace(WORD_JOINER, "")


def assert_no_markup_from_data(page) -> None:
    assert page.locator('img[src*="px.png"], img[src*="attr.png"], img[src*="127.0.0.1:9/"]').count() == 0, "an image from data/ was drawn"
    assert page.locator("a[href*='127.0.0.1:9/t']").count() == 0, "a link from data/ was drawn"
    assert page.locator(".katex, .katex-display").count() == 0, "math from data/ was drawn"
    coloured = page.locator(".stMarkdownColoredText, .stMarkdownColoredBackground").all_inner_texts()
    assert not [c for c in coloured if c.strip() in ("R", "A", "tỉnh")], coloured
    # :material/home: and :smile: from the dataset title stay text (no icon, no emoji)
    assert page.locator('[role="img"][aria-label="home icon"]').count() == 0
    assert "😄" not in page.locator("body").inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.port9 == [], "the browser requested the image named in data/"
    assert page.outside_requests == []


def test_overview_shows_the_name_as_text(page9, hostile_url):
    open_app(page9, hostile_url, "tong-quan", provinces="thai-nguyen,hai-duong", lang="vi")
    # the basics line (Markdown) and the scorecard's column head (auto-escaped HTML)
    assert any(line.startswith(f"{NAME} · ") for line in shown(page9, '[data-testid="stMain"] [data-testid="stMarkdownContainer"]'))
    assert NAME in shown(page9, '[data-testid="scorecard"] thead th.prov')
    text = main_text(page9)
    assert NAME in text and TITLE in text
    screenshot(page9, "markdown-text-overview")
    assert_no_markup_from_data(page9)


def test_topic_page_notes_and_source_link(page9, hostile_url):
    open_app(page9, hostile_url, "dang-doanh-nghiep", provinces="thai-nguyen,hai-duong", lang="vi")
    # The table of figures that are not directly comparable names the province as written.
    (table,) = shown(page9, '[data-testid="tpSide"]')
    assert "Không so sánh trực tiếp" in table
    assert NAME in shown(page9, '[data-testid="tpSide"] thead th')
    screenshot(page9, "markdown-text-topic")
    assert_no_markup_from_data(page9)


def test_source_link_is_one_link_to_the_encoded_address(page9, hostile_url):
    """The topic pages cite sources as text; the explorer's card details link them."""
    open_app(page9, hostile_url, "so-sanh-chi-tieu", provinces="thai-nguyen,hai-duong", lang="vi",
             indicator="party_orgs_private_enterprises")  # Hải Dương's figure cites that source
    # The source whose address holds ")(http://127.0.0.1:9/…": one link, to the encoded address.
    page9.locator('[data-testid="stMain"] [data-testid="stPopover"] button').first.click()
    link = page9.locator('[data-testid="stPopoverBody"] a[href^="https://example.vn/"]').first
    expect(link).to_have_attribute("href", "https://example.vn/a%29%28http://127.0.0.1:9/evil.png")
    assert page9.locator('[data-testid="stPopoverBody"] a[href*="127.0.0.1"]:not([href^="https://example.vn/"])').count() == 0
    assert_no_markup_from_data(page9)


def test_map_switch_attribution_and_tooltip_are_text(page9, hostile_url):
    open_app(page9, hostile_url, "ban-do", provinces="thai-nguyen,hai-duong", lang="vi", focus="thai-nguyen")
    canvas = page9.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.wait_for(state="visible")
    assert NAME in shown(page9, '[data-testid="stButtonGroup"] button')
    text = main_text(page9)
    assert ATTRIBUTION in text
    # Hover the province the map is fitted to: its tooltip names it as text.
    box = canvas.bounding_box()
    page9.wait_for_timeout(1000)
    tooltip = page9.locator(".deck-tooltip")
    for dx, dy in ((0, 0), (-60, -40), (60, 40), (-80, 60), (80, -60)):
        page9.mouse.move(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy)
        page9.wait_for_timeout(400)
        if tooltip.count() and NAME in tooltip.first.inner_text().replace(WORD_JOINER, ""):
            break
    else:
        pytest.fail("no tooltip naming the province")
    assert tooltip.first.locator("img").count() == 0
    screenshot(page9, "markdown-text-map")
    wait_ready(page9)
    assert_no_markup_from_data(page9)
