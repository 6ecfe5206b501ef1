"""Hostile shared links, in AppTest: each opens its page with one notice, never an error.

Also the language round trip: widgets hold province ids, never display names.
"""

from __future__ import annotations

import json

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Multiselect

from dashboard.config import get_config
from dashboard.state import MAX_CHARS, selectable_provinces
from tests.test_pages import run_page

DEFAULTS = ["thai-nguyen", "hai-duong"]
LINK_ICON = ":material/link_off:"


def open_link(page: str, **params) -> AppTest:
    return run_page(page, **params)


FIGURE_BLOCKS = ("scorecard", "slide-figures", "tpSide", "tpSingle")


def figure_text(at: AppTest) -> str:
    """What a topic page's figures say: the chart specs (trace names, categories) and the
    figure tables."""
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    tables = [h.proto.body for h in at.get("html")
              if any(f'data-testid="{b}"' in h.proto.body for b in FIGURE_BLOCKS)]
    return json.dumps(specs, ensure_ascii=False) + " ".join(tables)


def link_notices(at: AppTest) -> list[str]:
    return [i.value for i in at.info if i.proto.icon == LINK_ICON]


def assert_page_is_whole(at: AppTest, charts: bool = True) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    # the overview's scorecard, a slide's figures, a topic page's figure tables (all HTML)
    figures = [h for h in at.get("html") if any(f'data-testid="{b}"' in h.proto.body for b in FIGURE_BLOCKS)]
    # (the explorer draws its comparison as one chart, without cards)
    assert at.title and (at.metric or figures or at.get("plotly_chart")), "the page and its figures are drawn"
    if charts:
        assert at.get("plotly_chart"), "charts are drawn"
    view = at.session_state["_view"]
    assert at.query_params["provinces"] == ",".join(view.provinces)


def test_five_valid_ids_open_the_page_with_one_notice(ds):
    """Was StreamlitSelectionCountExceedsMaxError (max_selections=4) on every page."""
    link = ["thai-nguyen", "hai-duong", "vietnam", "bac-kan", "hai-phong", "thai-nguyen-2025"]
    at = open_link("pages/dang_doanh_nghiep.py", provinces=",".join(link))
    assert_page_is_whole(at)
    options = selectable_provinces(ds)
    kept = [p for p in link if p in options]
    assert at.session_state["_view"].provinces == kept
    assert at.multiselect(key="w_provinces").value == kept
    shown = figure_text(at)
    assert any(ds.province_name(p, "vi") in shown for p in kept), "the kept provinces' figures are drawn"
    notices = link_notices(at)
    assert len(notices) == 1 and "thai-nguyen-2025" in notices[0]  # the one id that cannot be selected


def test_more_provinces_than_the_limit_keep_the_first(monkeypatch):
    monkeypatch.setattr(get_config().app, "max_provinces", 2)
    at = open_link("pages/kinh_te_xa_hoi.py", provinces="vietnam,thai-nguyen,hai-duong,bac-kan,hai-phong")
    assert_page_is_whole(at)
    assert at.session_state["_view"].provinces == ["vietnam", "thai-nguyen"]
    widget = at.multiselect(key="w_provinces")
    assert widget.max_selections == 2 and widget.value == ["vietnam", "thai-nguyen"]
    shown = figure_text(at)
    assert "Thái Nguyên" in shown  # the figures are those of the first two provinces only
    assert "Hải Dương" not in shown and "Bắc Kạn" not in shown and "Hải Phòng" not in shown
    notices = link_notices(at)
    assert len(notices) == 1 and "2 tỉnh đầu tiên" in notices[0]


@pytest.mark.parametrize("slide", ["²", "9" * 5000])
def test_bad_slide_opens_slide_one_with_one_notice(slide):
    """Was ValueError from int() (``²`` passes str.isdigit; 5,000 digits pass the limit)."""
    at = open_link("pages/trinh_chieu.py", slide=slide)
    assert_page_is_whole(at)
    assert at.title[0].value == get_config().slides[0].title.vi
    assert sum(h.proto.body.count('class="pres-fig"') for h in at.get("html")) == len(DEFAULTS)
    assert at.session_state["_view"].slide == 1 and at.query_params["slide"] == "1"
    notices = link_notices(at)
    assert len(notices) == 1 and len(notices[0]) < 200
    assert notices[0].startswith("Tham số “slide=")


def test_two_thousand_unknown_ids_give_one_notice():
    # One comma-separated value: Streamlit drops a query string of over 1,000 parameters.
    value = ",".join(f"unknown-{i}" for i in range(2000))
    at = open_link("pages/tong_quan.py", provinces=value, lang="en")
    assert_page_is_whole(at, charts=False)
    assert at.session_state["_view"].provinces == DEFAULTS
    notices = link_notices(at)
    assert len(notices) == 1
    read = len([v for v in value[:MAX_CHARS].split(",") if v])  # only the start of the value is read
    assert f"The link has {read} “provinces” values" in notices[0]
    assert "ignored: unknown-0, unknown-1, unknown-2, …" in notices[0] and "unknown-1999" not in notices[0]
    assert "longer than 2,000 characters" in notices[0]
    assert len(notices[0]) < 300


def test_markup_in_a_link_is_shown_as_text():
    at = open_link("pages/so_sanh_chi_tieu.py", indicator="[x](javascript:alert(1))" + "y" * 3000)
    assert_page_is_whole(at)
    (notice,) = link_notices(at)
    assert "\\[x\\]\\(javascript" in notice and len(notice) < 200


# ----------------------------------------------------------------------------- language round trip

class Browser:
    """What the browser holds for each multiselect: the labels it was last sent.

    AppTest sends a widget's value formatted with the *current* labels; the browser
    sends the labels it holds, which change only when the server sends a value
    (``set_value``). A language switch changes the labels without a new value unless
    the app sends one; this model makes AppTest answer as the browser does.
    """

    def __init__(self, monkeypatch) -> None:
        self.held: dict[str, list[str]] = {}
        browser = self

        def widget_state(node: Multiselect) -> WidgetState:
            ws = WidgetState()
            ws.id = node.id
            held = browser.held.get(node.id)
            ws.string_array_value.data[:] = list(node.values) if node._value is not None or held is None else held
            return ws

        monkeypatch.setattr(Multiselect, "_widget_state", property(widget_state))

    def receive(self, at: AppTest) -> None:
        """The browser draws the run's elements."""
        for ms in at.multiselect:
            if ms.proto.set_value:
                self.held[ms.id] = list(ms.proto.raw_values)
            elif ms.id not in self.held:
                self.held[ms.id] = [ms.proto.options[i] for i in ms.proto.default]


def test_switching_the_language_twice_keeps_province_ids(monkeypatch, ds):
    """Was: provinces=Thái+Nguyên,Hải+Dương in the URL and "Chưa có số liệu" everywhere."""
    browser = Browser(monkeypatch)
    at = open_link("pages/dang_doanh_nghiep.py", lang="vi")
    browser.receive(at)
    first = [m.value for m in at.metric]
    for lang in ("en", "vi", "en", "vi"):
        at.segmented_control(key="w_lang").set_value(lang).run()
        browser.receive(at)
        assert not at.exception, [e.value for e in at.exception]
        view = at.session_state["_view"]
        assert view.lang == lang
        assert view.provinces == DEFAULTS
        widget = at.multiselect(key="w_provinces")
        assert widget.value == DEFAULTS
        # the browser was sent the value in the new language's labels (the root cause)
        assert browser.held[widget.id] == [ds.province_name(p, lang) for p in DEFAULTS]
        assert at.query_params["provinces"] == "thai-nguyen,hai-duong"
    assert [m.value for m in at.metric] == first


def test_a_display_name_reaching_the_view_is_mapped_back_to_its_id():
    """Defence in depth: a stale label (English, on the Vietnamese page) becomes its id."""
    at = open_link("pages/dang_doanh_nghiep.py")
    at.multiselect(key="w_provinces").set_value(["Hai Duong", "thai-nguyen"]).run()
    assert not at.exception
    assert at.session_state["_view"].provinces == ["hai-duong", "thai-nguyen"]
    assert at.query_params["provinces"] == "hai-duong,thai-nguyen"
