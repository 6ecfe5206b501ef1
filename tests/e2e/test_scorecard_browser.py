"""The overview's scorecard in Chromium: one screen at 1366×768, cards on a phone, readable text."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import make_page, open_app, screenshot, wait_ready

TABLE = '[data-testid="scorecard"]'

#: Smallest computed font size (px) of any text in the scorecard, and the height of the page.
MEASURE = """() => {
  const root = document.querySelector('[data-testid="scorecard"]');
  let min = 1e9;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;  // hidden
    if (el.closest('details:not([open]) > :not(summary)')) continue;
    min = Math.min(min, parseFloat(getComputedStyle(el).fontSize));
  }
  const main = document.querySelector('[data-testid="stMain"]');
  const vals = [...root.querySelectorAll(".val:not(.missing)")].map(e => parseFloat(getComputedStyle(e).fontSize));
  return {min, valueMin: Math.min(...vals), scroll: Math.max(main.scrollHeight, document.documentElement.scrollHeight),
          width: document.documentElement.scrollWidth, view: window.innerWidth};
}"""


def _open(browser, app_url, width, height, **params):
    ctx, page = make_page(browser, width, height)
    open_app(page, app_url, "tong-quan", **params)
    page.locator(TABLE).wait_for(state="visible")
    return ctx, page


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_fits_one_and_a_half_screens_at_1366(browser, app_url, lang):
    ctx, page = _open(browser, app_url, 1366, 768, lang=lang)
    try:
        m = page.evaluate(MEASURE)
        screenshot(page, f"scorecard-1366-{lang}")
        assert m["scroll"] / 768 <= 1.6, m
        assert m["min"] >= 14 and m["valueMin"] >= 22, m
        text = page.locator(TABLE).inner_text()
        if lang == "vi":
            assert "Tăng trưởng GRDP" in text and "So sánh" in text and "Từ buổi làm việc 2023" in text
            assert "Comparison" not in text and "missing" not in text
        else:
            assert "GRDP growth" in text and "Since the 2023 meeting" in text
        assert not page.outside_requests
    finally:
        ctx.close()


def test_meeting_snapshot_in_the_browser(browser, app_url):
    ctx, page = _open(browser, app_url, 1366, 768, lang="vi", asof="hop-2023")
    try:
        row = page.locator(f'{TABLE} tr[data-concept="grdp_growth"]').inner_text()
        assert "8,58%/năm" in row and "6,9%/năm" in row and "2021–2023" in row
        page.locator('[data-testid="asof-note"]').wait_for(state="visible")
        assert page.locator('[data-testid="asof-note"]').inner_text() == "Đang xem: Số liệu tại buổi làm việc năm 2023"
        m = page.evaluate(MEASURE)
        screenshot(page, "scorecard-1366-vi-hop-2023")
        assert m["scroll"] / 768 <= 1.6, m
    finally:
        ctx.close()


def test_rows_link_to_their_topic_page_keeping_the_view(browser, app_url):
    ctx, page = _open(browser, app_url, 1920, 1080, lang="en", asof="hop-2023")
    try:
        m = page.evaluate(MEASURE)
        screenshot(page, "scorecard-1920-en")
        assert m["min"] >= 14 and m["scroll"] <= 1.6 * 1080, m
        link = page.locator(f'{TABLE} tr[data-concept="dti_rank"] a')
        href = link.get_attribute("href")
        assert href.startswith("./chuyen-doi-so?") and "asof=hop-2023" in href and "lang=en" in href
        link.click()
        page.wait_for_url("**/chuyen-doi-so?**")
        wait_ready(page)
        note = page.locator('[data-testid="asof-note"]')
        note.wait_for(state="visible")
        assert note.inner_text() == "Viewing: Figures as presented at the 2023 meeting"
        assert note.bounding_box()["y"] >= page.locator('[data-testid="stHeader"]').bounding_box()["height"]
    finally:
        ctx.close()


def test_phone_stacks_rows_as_cards_without_horizontal_overflow(browser, app_url):
    ctx, page = _open(browser, app_url, 390, 844, lang="vi")
    try:
        m = page.evaluate(MEASURE)
        screenshot(page, "scorecard-390-vi")
        assert m["width"] <= m["view"], m
        assert m["min"] >= 14, m
        assert page.locator(f"{TABLE} thead").is_hidden()
        cell = page.locator(f'{TABLE} tr[data-concept="pci_rank"] td.cell').first
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert "Thái Nguyên" in cell.inner_text() and "/63" in cell.inner_text()
    finally:
        ctx.close()
