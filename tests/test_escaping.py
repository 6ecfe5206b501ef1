"""Data text is text: the one escaping boundary between data/ and what Streamlit renders.

Unit tests of :func:`dashboard.present.escape_md` (every hostile pattern, and a property
over arbitrary text), of the link check, of the plotly and HTML boundaries, and an
AppTest of every page on a copy of data/ whose texts are hostile Markdown.
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.present import (WORD_JOINER, Md, escape_md, md, md_join, plot_text, safe_url, source_text,
                               sources_line)

#: Characters that open Markdown (or a Streamlit extension) anywhere in a line.
SPECIAL = set("\\`*_{}[]()<#|~$&@!:")
ASCII_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def visible(text: str) -> str:
    """What a CommonMark renderer shows for escaped text: backslash escapes resolved."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace(WORD_JOINER, "")


def unescaped_specials(text: str) -> list[str]:
    """Special characters that are not preceded by an escaping backslash."""
    found, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            assert i + 1 < len(text) and text[i + 1] in ASCII_PUNCT, f"dangling backslash in {text!r}"
            i += 2
            continue
        if ch in SPECIAL:
            found.append(ch)
        i += 1
    return found


def assert_inert(raw: str) -> str:
    out = escape_md(raw)
    assert unescaped_specials(out) == [], out
    assert not re.match(r"\s*(?:[>+\-=]|\d{1,9}[.)](?:\s|$))", out), out  # no block marker first
    # What Streamlit finds in the parsed text, where backslashes no longer count, is
    # broken up by an invisible word joiner: shortcodes (emoji, :material_x:, :streamlit:),
    # bare web links (the joiner stands before them) and e-mail links (after the "@").
    parsed = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", out)  # backslash escapes resolved (CommonMark)
    assert not re.search(r":[A-Za-z0-9_+\-]+:", parsed), out
    assert ":material/" not in out
    assert not re.search(r"(?i)(?<!\u2060)(?:https?://|www\.)", parsed), out
    assert not re.search(r"@[-\w]", parsed), out
    return out


# ----------------------------------------------------------------------------- escape_md

HOSTILE = {
    "image": "![x](http://127.0.0.1:9/px.png)",
    "link": "[click](https://example.com)",
    "colour directive": ":red[R]",
    "badge directive": ":orange-badge[new]",
    "display math": "$$x$$",
    "inline math": "$x^2$ costs $5",
    "material icon": ":material/home:",
    "material icon (parsed form)": ":material_home:",
    "emoji shortcode": ":smile: :+1:",
    "streamlit logo": ":streamlit:",
    "html": "<img src=x onerror=alert(1)> <b>bold</b>",
    "entity": "&lt;b&gt; &amp;",
    "autolink": "<http://127.0.0.1:9/>",
    "bare url": "http://127.0.0.1:9/px.png",
    "www link": "www.example.com",
    "e-mail": "someone@example.com",
    "heading": "# Heading",
    "quote": "> quoted",
    "bullet list": "- item",
    "plus list": "+ item",
    "ordered list": "1. first",
    "ordered list paren": "1) first",
    "setext underline": "===",
    "emphasis": "*a* _b_ **c** __d__",
    "code": "`code` ```fence```",
    "strikethrough": "~~gone~~ ~gone~",
    "table": "| a | b |",
    "footnote": "[^1]",
    "attributes": ":span[x]{style=color:red}",
    "backslash": "C:\\path\\*",
}


@pytest.mark.parametrize("raw", HOSTILE.values(), ids=HOSTILE.keys())
def test_each_hostile_pattern_is_inert_and_reads_as_written(raw):
    out = assert_inert(raw)
    assert visible(out) == raw


def test_the_hostile_province_name():
    raw = "Thái Nguyên ![x](http://127.0.0.1:9/px.png) :red[R] $$x$$"
    out = assert_inert(raw)
    assert "![x](" not in out and ":red[" not in out and "$$" not in out and "](" not in out
    assert visible(out) == raw
    assert out.count(WORD_JOINER) == 1 and WORD_JOINER + "http" in out  # only the bare link is broken


def test_shortcodes_get_an_invisible_break_only_where_needed():
    assert escape_md(":smile:") == "\\:" + WORD_JOINER + "smile\\:"
    assert escape_md(":material/home:") == "\\:" + WORD_JOINER + "material/home\\:"
    assert WORD_JOINER not in escape_md("10:30, tỷ lệ 1:2, Nguồn: báo cáo")


def test_line_breaks_cannot_start_a_block():
    out = assert_inert("Tên\n# Heading\r\n> quote\n\n- item")
    assert "\n" not in out and "\r" not in out
    assert visible(out) == "Tên # Heading > quote - item"


def test_ordinary_text_is_left_as_it_is():
    for text in ("Thái Nguyên", "202/2025/QH15", "2026.11.1", "Hải Dương", "3.390 đảng viên"):
        assert escape_md(text) == text


def test_escaping_is_done_once():
    once = escape_md("a*b")
    assert isinstance(once, Md) and escape_md(once) == once == "a\\*b"
    assert md_join(" · ", [once, "c_d"]) == "a\\*b · c\\_d"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_any_text_is_inert_and_reads_as_written(raw):
    out = assert_inert(raw)
    expected = re.sub(r"[\x00-\x1f\x7f\x85\u2028\u2029]+", " ", raw).strip()
    assert visible(out) == expected.replace(WORD_JOINER, "")


# ----------------------------------------------------------------------------- md(): templates and parameters

def test_md_escapes_every_parameter_and_keeps_the_template():
    out = md("figure.scope", "vi", scope=":red[R] ![x](http://127.0.0.1:9/px.png)")
    assert isinstance(out, Md)
    assert out.startswith("Phạm vi") and ":red[" not in out and "![x](" not in out
    assert ":red[R] ![x](http://127.0.0.1:9/px.png)" in visible(out)
    assert md("figure.scope", "vi", scope=Md("**ours**")).endswith("**ours**")  # safe Markdown passes


# ----------------------------------------------------------------------------- links

@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "data:text/html,x", "mailto:a@b.vn", "ftp://x.vn/f", "http:///path",
    "https://", "//x.vn/a", "https://x.vn/a b", "https://x.vn/\x01", "https://x.vn/\n", " ", "", None,
    "https://[::1/",
])
def test_only_web_addresses_pass(url):
    assert safe_url(url) is None


def test_a_closing_parenthesis_cannot_split_the_link():
    url = "https://example.vn/a)(http://127.0.0.1:9/evil.png"
    assert safe_url(url) == "https://example.vn/a%29%28http://127.0.0.1:9/evil.png"
    src = SimpleNamespace(producer="Báo [A]", date="2023", title="Tin :red[x]", url=url)
    link = source_text(src, "vi", with_link=True)
    assert link == "[Báo \\[A\\] \\(2023\\)\\: Tin \\:red\\[x\\]](https://example.vn/a%29%28http://127.0.0.1:9/evil.png)"
    assert link.count("](") == 1 and link.endswith(")") and ")(" not in link


def test_a_bad_address_shows_the_text_without_a_link():
    src = SimpleNamespace(producer="P", date=None, title="T", url="javascript:alert(1)")
    assert source_text(src, "vi", with_link=True) == "P\\: T"
    assert safe_url("https://x.vn/Thái Nguyên".replace(" ", "_")) == "https://x.vn/Th%C3%A1i_Nguy%C3%AAn"


def test_sources_line_markdown_escapes_plain_does_not(ds):
    plain = sources_line(ds, ["exchange_meeting_2023"], "vi")
    marked = sources_line(ds, ["exchange_meeting_2023"], "vi", as_md=True)
    assert plain.startswith("Nguồn: ") and marked.startswith("Nguồn: ")
    assert "\\(" in marked and "\\(" not in plain and visible(marked) == plain


# ----------------------------------------------------------------------------- plotly and HTML

def test_plot_text_turns_tags_and_entities_into_text():
    assert plot_text("<b>A</b> & <br> B") == "&lt;b>A&lt;/b> &amp; &lt;br> B"


def test_charts_escape_data_text(ds, cfg):
    from dashboard import charts
    from dashboard.compare import pair_for_concept

    fake = ds.provinces["thai-nguyen"].model_copy(update={"name": {"vi": "<b>Thái</b> & Nguyên", "en": "x"}})
    old = ds.provinces["thai-nguyen"]
    ds.provinces["thai-nguyen"] = fake
    try:
        comp = pair_for_concept(ds, "grdp_growth", ["thai-nguyen", "hai-duong"])
        fig = charts.bar_comparison(ds, comp, cfg, "vi")
        series = charts.time_series(ds, "grdp_growth", ["thai-nguyen", "hai-duong"], cfg, "vi")
    finally:
        ds.provinces["thai-nguyen"] = old
    assert "&lt;b>Thái&lt;/b> &amp; Nguyên" in list(fig.data[0].x)
    texts = [str(fig.data[0].x), str(fig.data[0].hovertext)] + [str(tr.name) + str(tr.hovertext) for tr in series.data]
    assert all("<b>" not in s for s in texts)
    assert any("&lt;b>Thái" in str(tr.name) for tr in series.data)


# ----------------------------------------------------------------------------- every page, hostile data

NAME = "Thái Nguyên ![x](http://127.0.0.1:9/px.png) :red[R] $$x$$"
NAME_EN = "Thai Nguyen ![x](http://127.0.0.1:9/px.png) :red[R] $$x$$"
TITLE = "So sánh :blue[tỉnh] $$y$$ :material/home: :smile: [link](http://127.0.0.1:9/t)"
ATTRIBUTION = "Ranh giới ![a](http://127.0.0.1:9/attr.png) :red[A] # tỉnh"
EVIL_URL = "https://example.vn/a)(http://127.0.0.1:9/evil.png"
#: Raw sequences that would be markup if they reached Streamlit unescaped.
RAW_MARKUP = ("![x](", "![a](", ":red[", ":blue[", "$$", ":material/home:", ":smile:", "[link](", ")(http")
PAGES = ["pages/tong_quan.py", "pages/dang_doanh_nghiep.py", "pages/dang_truong_hoc.py", "pages/kinh_te_xa_hoi.py",
         "pages/chuyen_doi_so.py", "pages/so_sanh_chi_tieu.py", "pages/du_lieu.py", "pages/ban_do.py",
         "pages/trinh_chieu.py"]
MARKDOWN_ELEMENTS = {"markdown", "caption", "title", "header", "subheader", "info", "warning", "success", "error"}


def make_hostile(data_copy) -> None:
    """Hostile Markdown in names, the dataset title, the map attribution and a source link."""
    data_copy.replace("provinces.yaml", "name: {vi: Thái Nguyên, en: Thai Nguyen}",
                      f"name: {{vi: '{NAME}', en: '{NAME_EN}'}}")
    data_copy.replace("dataset.yaml", "  vi: So sánh tỉnh – Thái Nguyên và Hải Dương", f"  vi: '{TITLE}'")
    data_copy.replace("geo/provinces_2024.geojson", '"attribution":"Province boundaries:',
                      f'"attribution":"{ATTRIBUTION} Province boundaries:')
    data_copy.replace("geo/provinces_2024.geojson", '"attribution_vi":"Ranh giới tỉnh:',
                      f'"attribution_vi":"{ATTRIBUTION} Ranh giới tỉnh:')
    data_copy.replace("sources.yaml", "  producer: Minh Anh\n",
                      f"  producer: Minh Anh\n  url: '{EVIL_URL}'\n")


def walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def markdown_texts(at) -> list[tuple[str, str]]:
    """(element type, source) of everything the frontend renders as Markdown."""
    out = []
    for node in walk(at._tree):
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        if kind in MARKDOWN_ELEMENTS:
            out.append((kind, proto.body))
        elif kind == "metric":
            out += [(kind, getattr(proto, f)) for f in ("label", "body", "delta", "help")]
            if hasattr(proto, "delta_description"):
                out.append((kind, proto.delta_description))
        elif kind in ("button_group",):
            out += [(kind, o.content) for o in proto.options]
        elif kind in ("radio",):
            out += [(kind, o) for o in proto.options]
        elif kind == "expander":
            out.append((kind, node.label))
        elif kind == "popover":
            out.append((kind, proto.popover.label))
    return out


@pytest.fixture
def hostile_app(data_copy, monkeypatch):
    make_hostile(data_copy)
    loaded = data_copy.load()
    assert "thai-nguyen" in loaded.provinces and loaded.province_name("thai-nguyen", "vi") == NAME
    assert not [p for p in loaded.errors if p.file.endswith(("provinces.yaml", "dataset.yaml", "sources.yaml"))]
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(data_copy.path))
    return data_copy


def test_every_page_shows_hostile_data_as_text(hostile_app):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "vi"
    at.query_params["provinces"] = "thai-nguyen,hai-duong"
    # the explorer's card for Hải Dương cites the source with the hostile address (its popover links it)
    at.query_params["indicator"] = "party_orgs_private_enterprises"
    at.run()
    seen: dict[str, list[tuple[str, str]]] = {}
    htmls: dict[str, list[str]] = {}
    for page in PAGES:
        if page != "pages/tong_quan.py":
            at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        texts = markdown_texts(at)
        seen[page] = texts
        htmls[page] = [h.value for h in at.get("html")]  # topic tables, scorecard, slide figures
        fetched = [b for b in htmls[page] if re.search(r"(?i)(?:src|href)\s*=\s*[\"']?https?://127\.0\.0\.1", b)]
        assert not fetched, (page, "data became an HTML image or link")
        for kind, body in texts:
            leaked = [raw for raw in RAW_MARKUP if raw in body]
            assert not leaked, (page, kind, body)
        shown = [visible(body) for _, body in texts]
        assert any(TITLE in s for s in shown), f"{page}: the footer shows the dataset title as written"

    def kinds_with(page: str, text: str) -> set[str]:
        return {kind for kind, body in seen[page] if text in visible(body)}

    # The name, as written, in the basics line, the topic table, the slide figure, the map's KPI
    # lines and its province switch.
    assert "markdown" in kinds_with("pages/tong_quan.py", NAME)  # the basics line (the scorecard is HTML)
    # st.html reads no Markdown: the name stands in the auto-escaped HTML as text
    assert any(NAME in b for b in htmls["pages/dang_doanh_nghiep.py"])  # the not-comparable table names it
    slide = [b for b in htmls["pages/trinh_chieu.py"] if 'data-testid="slide-figures"' in b]
    assert any(f'<div class="name">{html.escape(NAME)}</div>' in b for b in slide)  # the slide's large figure
    assert {"button_group", "markdown"} <= kinds_with("pages/ban_do.py", NAME)  # the switch and the KPI lines
    assert "caption" in kinds_with("pages/ban_do.py", ATTRIBUTION)
    # The source link with ")" in its address is one link to the percent-encoded address.
    popover_links = [body for page in seen for kind, body in seen[page]
                     if "](https://example.vn/" in body]
    assert popover_links and all("](https://example.vn/a%29%28http://127.0.0.1:9/evil.png)" in b
                                 for b in popover_links)
