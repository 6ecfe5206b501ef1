"""The head of the served page (dashboard/page_head.py): CSS from the first frame and the
preloaded parts of Streamlit's frontend; the browser's side is tests/e2e/test_layout_shift.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit

from dashboard import page_head

STATIC = Path(streamlit.__file__).parent / "static"
INDEX = str(STATIC / "index.html")


def _preloaded(html: str) -> list[str]:
    """The parts the dashboard's head adds (Streamlit's own links are left out)."""
    added = html[html.index("<style>[data-testid"):html.index("</head>")]
    return re.findall(r'<link rel="modulepreload" crossorigin href="\./static/js/([^"]+)">', added)


def test_the_head_holds_the_frame_until_the_sidebar_is_drawn():
    html = page_head.page_html(INDEX, "tong-quan")
    head = html[: html.index("</head>")]
    assert page_head.HEAD_CSS in head
    assert ':not(:has(> [data-testid="stSidebar"]))' in page_head.HEAD_CSS
    # nothing stays hidden after a run without a sidebar (an error before it is drawn)
    assert page_head.HEAD_CSS.count(':not([data-test-script-state="notRunning"])') == 2
    # the shell's sizes, as specific as Streamlit's own rules
    assert '[data-testid="stMainBlockContainer"].block-container { padding-top: 2.5rem' in head


def test_every_preloaded_part_exists_with_its_imports():
    html = page_head.page_html(INDEX, "kinh-te-xa-hoi")
    files = _preloaded(html) + _preloaded(page_head.page_html(INDEX, "ban-do"))
    stems = {f.split(".")[0] for f in files}
    assert {"Html", "rehype-raw", "PlotlyChart", "DeckGlJsonChart", "Multiselect", "purify"} <= stems
    assert all((STATIC / "static" / "js" / f).is_file() for f in files)
    original = Path(INDEX).read_text(encoding="utf-8")
    assert not set(files) & set(re.findall(r'href="\./static/js/([^"]+)"', original)), "no link twice"
    assert html.replace(html[html.index("<style>[data-testid"):html.index("</head>")], "") == original


def test_the_large_parts_only_where_they_are_drawn():
    """plotly.js and deck.gl (~8 MB) cost a page without charts a second on 2 cores."""
    def stems(path):
        return {f.split(".")[0] for f in _preloaded(page_head.page_html(INDEX, path))}

    # charts, and a map panel drawn with plotly: no deck.gl
    assert "PlotlyChart" in stems("kinh-te-xa-hoi") and "DeckGlJsonChart" not in stems("kinh-te-xa-hoi")
    assert "PlotlyChart" in stems("so-sanh-chi-tieu") and "DeckGlJsonChart" not in stems("so-sanh-chi-tieu")
    assert "DeckGlJsonChart" in stems("ban-do") and "PlotlyChart" not in stems("ban-do")
    for path in ("tong-quan", "du-lieu", ""):
        assert not {"PlotlyChart", "DeckGlJsonChart"} & stems(path) and "Html" in stems(path)


def test_presentation_css_only_on_its_page():
    slides = page_head.page_html(INDEX, "trinh-chieu")
    other = page_head.page_html(INDEX, "kinh-te-xa-hoi")
    assert ".pres-counter" in slides and ".pres-counter" not in other
    embedded = page_head.page_html(INDEX, "trinh-chieu", True)
    assert 'padding-top: 1.2rem !important' in embedded and 'padding-top: 1.2rem !important' not in slides


@pytest.fixture
def served():
    """Streamlit's static handler as the server builds it, with page_head installed."""
    from starlette.testclient import TestClient
    from streamlit.web.server.starlette import starlette_static_routes as routes

    original = routes.create_streamlit_static_handler
    try:
        page_head.install()
        page_head.install()  # twice: wrapped once
        yield TestClient(routes.create_streamlit_static_handler(str(STATIC), None))
    finally:
        routes.create_streamlit_static_handler = original


@pytest.mark.parametrize("path", ["/", "/kinh-te-xa-hoi", "/trinh-chieu?embed=true&lang=vi"])
def test_the_server_answers_every_page_with_the_head(served, path):
    answer = served.get(path)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-cache"
    assert page_head.HEAD_CSS in answer.text and _preloaded(answer.text)
    assert (".pres-counter" in answer.text) == path.startswith("/trinh-chieu")


def test_other_files_are_served_unchanged(served):
    js = next((STATIC / "static" / "js").glob("Html.*.js"))
    answer = served.get(f"/static/js/{js.name}")
    assert answer.status_code == 200 and answer.content == js.read_bytes()
    assert "immutable" in answer.headers["cache-control"]
