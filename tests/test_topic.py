"""Topic pages (AppTest): one element per concept, at most ten charts, no number shown twice,
one "Chỉ một tỉnh có số liệu" table, reasons not repeated, every article figure reachable."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from dashboard import fmt
from dashboard.config import load_config
from dashboard.topic_plan import MAX_CHARTS, plan_topic
from tests.conftest import ROOT
from tests.test_pages import SHARE_OPEN, TOPIC_PAGES, run_page

FACTS = [f for f in yaml.safe_load((ROOT / "tests" / "fixtures" / "seed_facts.yaml").read_text(encoding="utf-8"))["facts"]
         if f.get("kind") != "names"]
QUALIFIER = {"": "", ">": ">", "~": "~", "est": ""}
PAGE_IDS = dict(zip(TOPIC_PAGES, ["party_enterprise", "party_school", "economy", "digital"]))
TAG = re.compile(r"<[^>]+>")


def _plot_texts(spec: dict) -> list[str]:
    out = [spec["layout"].get("title", {}).get("text", "")]
    for tr in spec["data"]:
        for key in ("text", "hovertext"):
            value = tr.get(key)
            if isinstance(value, list):
                out += [str(v) for v in value if v]
            elif value:
                out.append(str(value))
    return out


def page_texts(at) -> str:
    """Everything a reader sees on the page except the figures table (an expander's dataframe)."""
    parts = [m.label + " " + m.value for m in at.metric]
    for kind in ("caption", "info", "warning", "markdown", "subheader", "title", "header"):
        parts += [e.value for e in getattr(at, kind)]
    parts += [TAG.sub(" ", h.value).replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")
              for h in at.get("html")]
    for p in at.get("plotly_chart"):
        parts += [t.replace("&lt;", "<").replace("&amp;", "&") for t in _plot_texts(json.loads(p.proto.spec))]
    return "\n".join(parts)


def section_ids(page: str) -> list[str]:
    """The tabs of a topic page (config.yaml ``sections``); ``[""]`` for a page without."""
    spec = load_config(ROOT / "config.yaml").topic_pages[PAGE_IDS[page]]
    return [s.id for s in spec.sections] or [""]


def run_sections(page: str, **params) -> list:
    """One AppTest run per tab of ``page`` (only the open tab is drawn)."""
    out = []
    for sid in section_ids(page):
        at = run_page(page, **params, **({"section": sid} if sid else {}))
        assert not at.exception, [e.value for e in at.exception]
        out.append(at)
    return out


@pytest.fixture(scope="module")
def pages():
    """page -> the AppTest runs of its tabs."""
    return {page: run_sections(page) for page in TOPIC_PAGES}


@pytest.mark.parametrize("page", TOPIC_PAGES)
def test_at_most_ten_charts_and_no_cards(pages, page):
    for at in pages[page]:
        assert len(at.get("plotly_chart")) <= MAX_CHARTS
        assert len(at.metric) == 0, "no metric cards on a topic page: one element per concept"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_chart_title_is_cut(pages, lang):
    """A title wrapped to its column is never cut short with "…" (words lost on screen)."""
    runs = [at for page in TOPIC_PAGES for at in pages[page]] if lang == "vi" else \
        [at for page in TOPIC_PAGES for at in run_sections(page, lang="en")]
    titles = [json.loads(p.proto.spec)["layout"].get("title", {}).get("text", "")
              for at in runs for p in at.get("plotly_chart")]
    assert titles and not [t for t in titles if "…" in t]


def test_only_the_open_tab_is_drawn(pages):
    """Issue #9: a sectioned page computes and sends its open tab only; each tab draws
    something, no chart is drawn in two tabs, and the tab is the link's ``section``."""
    for page in ("pages/kinh_te_xa_hoi.py", "pages/chuyen_doi_so.py"):
        runs = pages[page]
        assert len(runs) == len(section_ids(page)) >= 3
        seen = []
        for at in runs:
            tabs = at.tabs
            assert [t.label for t in tabs] == [t.label for t in runs[0].tabs]
            filled = [t for t in tabs if t.children]
            assert len(filled) == 1, "exactly one tab has content"
            titles = [json.loads(p.proto.spec)["layout"].get("title", {}).get("text", "") for p in at.get("plotly_chart")]
            assert titles or at.get("html"), "every tab shows something"
            seen += titles
        assert len(seen) == len(set(seen)), "a chart is in one tab only"
    first = run_page("pages/kinh_te_xa_hoi.py")
    growth = pages["pages/kinh_te_xa_hoi.py"][0]
    assert [json.loads(p.proto.spec) for p in first.get("plotly_chart")] == \
        [json.loads(p.proto.spec) for p in growth.get("plotly_chart")], "without `section` the first tab opens"
    shared = run_page("pages/kinh_te_xa_hoi.py", state=SHARE_OPEN, section="tang-truong")
    links = [c.value for c in shared.code if "provinces=" in c.value]
    assert "section=tang-truong" in links[0]


def test_unknown_section_opens_the_first_tab_with_a_notice():
    at = run_page("pages/kinh_te_xa_hoi.py", section="<b>khong-co</b>")
    assert not at.exception
    assert any("section" in i.value for i in at.info)
    titles = [json.loads(p.proto.spec)["layout"]["title"]["text"] for p in at.get("plotly_chart")]
    assert "Tốc độ tăng trưởng GRDP" in titles


def test_the_linked_tab_survives_a_language_switch():
    """(Choosing a tab by clicking is a browser test: AppTest cannot click a tab.)"""
    at = run_page("pages/kinh_te_xa_hoi.py", section="nang-luc-canh-tranh")
    assert not at.exception
    titles = [json.loads(p.proto.spec)["layout"]["title"]["text"] for p in at.get("plotly_chart")]
    assert titles and all("PCI" in t for t in titles), titles
    assert at.session_state["tp-sections-economy"] == "Năng lực cạnh tranh (PCI)"
    # the language switch keeps the tab, its label now in English
    at.segmented_control(key="w_lang").set_value("en").run()
    assert not at.exception
    assert at.session_state["tp-sections-economy"] == "Competitiveness (PCI)"
    titles = [json.loads(p.proto.spec)["layout"]["title"]["text"] for p in at.get("plotly_chart")]
    assert titles and all("PCI" in t for t in titles), titles


@pytest.mark.parametrize("page", TOPIC_PAGES)
def test_no_figure_is_shown_twice(ds, page):
    """Each figure of the page goes to exactly one element (the plan), and every figure to one."""
    cfg = load_config(ROOT / "config.yaml")
    spec = cfg.topic_pages[PAGE_IDS[page]]
    provinces = cfg.app.default_provinces
    plan = plan_topic(ds, spec.topics, provinces, spec.compositions)
    shown = plan.shown_rows()
    assert not shown.index.duplicated().any()
    rows = ds.rows(provinces=provinces)
    rows = rows[rows["topic"].isin(spec.topics)]
    assert set(shown.index) == set(rows.index), "every figure of the page is in one element"


def test_charts_and_tables_hold_different_numbers(pages, ds):
    runs = pages["pages/kinh_te_xa_hoi.py"]
    tables = " ".join(TAG.sub(" ", h.value) for at in runs for h in at.get("html"))
    # the line chart's figures (GRDP growth 2022 of Hải Dương: 9,12%) are not repeated in the tables
    assert "9,12" in page_texts(runs[0]) and "9,12" not in tables
    # the meeting's own figure is in a chart of its own (the first tab), not only in the figures table
    specs = [json.loads(p.proto.spec) for p in runs[0].get("plotly_chart")]
    avg = [s for s in specs if "2021–2023" in s["layout"]["title"]["text"] and "GRDP" in s["layout"]["title"]["text"]]
    assert avg and any("8,58" in t for t in _plot_texts(avg[0])) and any("6,9" in t for t in _plot_texts(avg[0]))


@pytest.mark.parametrize("page", TOPIC_PAGES)
def test_one_only_one_province_table_and_reasons_once(pages, page):
    for at in pages[page]:
        _one_table_and_reasons_once(at)


def _one_table_and_reasons_once(at):
    html = " ".join(h.value for h in at.get("html"))
    assert html.count('data-testid="tpSingle"') <= 1
    assert html.count("Chỉ một tỉnh có số liệu") <= 1
    assert html.count('data-testid="tpSide"') <= 1
    side = html.split('data-testid="tpSide"', 1)[1].split("</table>", 1)[0] if 'data-testid="tpSide"' in html else ""
    reasons = re.findall(r'<td class="reason"[^>]*>([^<]+)</td>', side)
    assert len(reasons) == len(set(reasons)), "each reason once: identical reasons are grouped"
    assert not [i for i in at.info if "Không so sánh trực tiếp" in i.value], "no repeated not-comparable boxes"
    # a province without any figure on the page is named once, not under every concept
    assert " ".join(c.value for c in at.caption).count("Chưa có số liệu") <= 1


def test_schools_page_has_the_single_table_and_no_repeated_note(pages):
    [at] = pages["pages/dang_truong_hoc.py"]
    html = " ".join(h.value for h in at.get("html"))
    assert "Chỉ một tỉnh có số liệu" in html
    assert page_texts(at).count("Không so sánh trực tiếp") <= 1


def test_party_enterprise_shows_the_headline_side_by_side(pages):
    [at] = pages["pages/dang_doanh_nghiep.py"]
    html = " ".join(h.value for h in at.get("html"))
    side = html.split('data-testid="tpSide"', 1)[1]
    assert "166" in side and "516" in side and "Thái Nguyên" in side and "Hải Dương" in side


@pytest.mark.parametrize("fact", FACTS, ids=lambda f: f"{f['province']}-{f['indicator']}-{f['period']}")
def test_every_article_figure_is_in_a_topic_element(pages, fact):
    text = "\n".join(page_texts(at) for runs in pages.values() for at in runs)
    expected = QUALIFIER[fact["qualifier"]] + fmt.number(str(fact["value"]), "vi")
    assert re.search(r"(?<![\d.,])" + re.escape(expected) + r"(?![\d])", text), expected


def test_many_provinces_keep_the_limits():
    provinces = "thai-nguyen,hai-duong,bac-ninh,hai-phong,quang-ninh,bac-giang,vinh-phuc,hung-yen"
    for at in run_sections("pages/kinh_te_xa_hoi.py", provinces=provinces):
        assert len(at.get("plotly_chart")) <= MAX_CHARTS
        assert len(at.metric) == 0
        html = " ".join(h.value for h in at.get("html"))
        assert html.count('data-testid="tpSingle"') <= 1


def test_english_page_has_no_vietnamese_table_titles():
    runs = run_sections("pages/kinh_te_xa_hoi.py", lang="en")
    html = " ".join(h.value for at in runs for h in at.get("html"))
    assert "Not directly comparable" in html or "Only one province" in html
    assert "Chỉ một tỉnh" not in html and "Không so sánh" not in html
