"""AppTest runs of every page, asserting what each one shows (both languages)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.present import escape_md
from tests.conftest import ROOT

TOPIC_PAGES = ["pages/dang_doanh_nghiep.py", "pages/dang_truong_hoc.py", "pages/kinh_te_xa_hoi.py",
               "pages/chuyen_doi_so.py"]
ALL_PAGES = ["pages/tong_quan.py", *TOPIC_PAGES, "pages/so_sanh_chi_tieu.py", "pages/du_lieu.py"]


def run_page(page: str, state: dict | None = None, **params) -> AppTest:
    """Run ``page`` with query ``params``; ``state``: session-state values set before the
    page's run (e.g. an expander opened: :func:`table_open`)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    for k, v in (state or {}).items():
        at.session_state[k] = v
    if page != "pages/tong_quan.py":
        at.switch_page(page).run()
    elif state:
        at.run()
    return at


#: The session state of an open share box ("Chia sẻ liên kết": the link and its QR code).
SHARE_OPEN = {"share-open": True}


def table_open(key: str) -> dict:
    """The session state of a page whose figures table (an expander drawn only once
    opened) is open; ``key``: the topic page's id or the explorer's indicator."""
    return {f"table-open-{key}": True}


def texts(at: AppTest) -> str:
    parts = [m.label + " " + m.value for m in at.metric]
    for kind in ("caption", "info", "warning", "markdown", "subheader", "title", "header"):
        parts += [e.value for e in getattr(at, kind)]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_page_renders_without_exception(page, lang):
    at = run_page(page, lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "each page has a title"
    assert not at.error, "no error boxes for the meeting room"
    # the share box is drawn only once opened (issue #9): no link or QR image before
    assert [e.label for e in at.sidebar.expander] and not [c for c in at.code if "provinces=" in c.value]
    at = run_page(page, state=SHARE_OPEN, lang=lang)
    links = [c.value for c in at.code if "provinces=" in c.value]
    assert links, "every page has the copy-link control"
    assert all(p in links[0] for p in (f"lang={lang}", "mode=", "vintage=", "slide="))
    assert len(at.sidebar.get("image")) == 1, "and the link's QR code"


def test_overview_shows_both_provinces_with_basics_and_merger():
    at = run_page("pages/tong_quan.py")
    shown = texts(at)
    assert "Thái Nguyên" in shown and "Hải Dương" in shown
    assert "km²" in shown  # the basics line above the scorecard (tests/test_scorecard.py)
    assert "202/2025/QH15" in shown and "01/07/2025" in shown
    assert "phiên bản dữ liệu 2026.11.1" in shown  # dataset version on every page
    assert at.title[0].value == "Tổng quan"


def test_overview_in_english():
    at = run_page("pages/tong_quan.py", lang="en")
    assert at.title[0].value == "Overview"
    assert "data version" in texts(at)


def test_party_enterprise_kpis_and_not_comparable_note():
    at = run_page("pages/dang_doanh_nghiep.py")
    # the figures side by side in the "not directly comparable" table (HTML), the reason once
    html = " ".join(h.value for h in at.get("html"))
    assert "166 tổ chức" in html and "3.390 đảng viên" in html and "&gt;2.700 đảng viên" in html
    assert "Không so sánh trực tiếp" in html
    assert "Đảng viên trong doanh nghiệp" in html  # the concept's neutral title
    assert "2015–2023" in html and "Minh Anh" in html  # period and source of each figure
    plotly = at.get("plotly_chart")
    assert plotly, "composition chart of 20/51/95"
    spec = json.dumps([json.loads(p.proto.spec) for p in plotly], ensure_ascii=False)
    assert "Hải Dương" in spec


def test_economy_budget_chart_only_for_same_year():
    at = run_page("pages/kinh_te_xa_hoi.py", state=table_open("economy"), section="ngan-sach-xuat-khau")
    assert "59.872 tỷ đồng" in at.dataframe[0].value.to_string()  # the 3-year total, in the table
    figs = [json.loads(p.proto.spec) for p in at.get("plotly_chart")]
    titles = [f["layout"]["title"]["text"] for f in figs]
    assert any(t.startswith("Thu ngân sách nhà nước") for t in titles), titles
    assert not any("2021–2023" in t and "Thu ngân sách" in t for t in titles)  # the 3-year total is not drawn
    assert any("Nguồn:" in c.value for c in at.caption)


def test_digital_page_shows_rank_of_63():
    at = run_page("pages/chuyen_doi_so.py")
    figs = [json.loads(p.proto.spec) for p in at.get("plotly_chart")]
    assert any(str(tx).endswith("/63") for f in figs for tr in f["data"] for tx in tr.get("text") or [])
    assert any(f["layout"].get("yaxis", {}).get("autorange") == "reversed" for f in figs)


def chart_labels(at: AppTest) -> list[str]:
    """The value labels of every plotly chart on the page."""
    return [str(tx) for f in at.get("plotly_chart") for tr in json.loads(f.proto.spec)["data"]
            for tx in (tr.get("text") or []) if tx]


def test_explorer_restores_indicator_and_period_from_url():
    at = run_page("pages/so_sanh_chi_tieu.py", indicator="dti_rank", period="2021")
    assert sorted(chart_labels(at)) == ["14/63", "8/63"]
    assert at.selectbox(key="w_indicator").value == "dti_rank"
    assert at.selectbox(key="w_period").value == "2021"
    assert not at.get("download_button"), "the figures table and its downloads wait until it is opened"
    at = run_page("pages/so_sanh_chi_tieu.py", state=table_open("dti_rank"), indicator="dti_rank", period="2021")
    assert len(at.get("download_button")) == 2 and len(at.dataframe) == 1


def _texts_outside_popovers(node) -> list[str]:
    if getattr(node, "type", "") == "popover":
        return []
    out = []
    if getattr(node, "type", "") in ("markdown", "caption", "metric", "subheader", "info"):
        out.append(str(getattr(node, "value", "")))
    if getattr(node, "type", "") == "html":
        out.append(node.proto.body)
    for child in getattr(node, "children", {}).values():
        out += _texts_outside_popovers(child)
    return out


def test_explorer_shows_each_figure_once():
    """Issue #9: the explorer showed metric cards and a chart of the same numbers. Now one
    element (the chart with value labels), its sources in one short line, no value again."""
    at = run_page("pages/so_sanh_chi_tieu.py", indicator="dti_rank", period="2021")
    assert not at.metric
    assert len(at.get("plotly_chart")) == 1
    texts = " ".join(_texts_outside_popovers(at.main))  # a popover's notes may quote a figure
    assert "Nguồn:" in texts and "Kỳ 2021" in texts
    assert "8/63" not in texts and "14/63" not in texts
    assert sum(c.value.startswith("Nguồn:") for c in at.caption) == 1
    assert len(at.get("popover")) == 1  # the figures' sources, notes and derivations, no value


def test_explorer_not_comparable_is_one_table():
    """A figure only one province has: one compact table, no chart, no card pair."""
    at = run_page("pages/so_sanh_chi_tieu.py", indicator="industrial_parks", period="2025")
    tables = [h.proto.body for h in at.get("html") if "tpSingle" in h.proto.body or "tpSide" in h.proto.body]
    assert len(tables) == 1 and "Chỉ một tỉnh có số liệu" in tables[0] and "20" in tables[0]
    assert not at.metric and not at.get("plotly_chart")


def test_explorer_per_km2_marks_computed():
    at = run_page("pages/so_sanh_chi_tieu.py", indicator="industrial_parks", mode="per_km2")
    tables = " ".join(h.proto.body for h in at.get("html") if "tp-" in h.proto.body)
    assert "≈" in tables and "tính toán" in tables


def test_invalid_parameter_shows_default_and_notice():
    at = run_page("pages/so_sanh_chi_tieu.py", indicator="no_such_thing")
    assert not at.exception
    assert any(escape_md("indicator=no_such_thing") in i.value for i in at.info)


def test_switching_language_updates_titles():
    at = run_page("pages/tong_quan.py")
    at.segmented_control(key="w_lang").set_value("en").run()
    assert at.title[0].value == "Overview"


def test_broken_data_folder_shows_health_banner(tmp_path, monkeypatch):
    import shutil

    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    with open(target / "values.csv", "a", encoding="utf-8") as fh:
        fh.write("atlantis,party_orgs_private_enterprises,2019,1,,,,,,exchange_meeting_2023,,,,,\n")
    (target / "dataset.yaml").write_text("title: [broken\n", encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(target))
    at = run_page("pages/du_lieu.py")
    assert not at.exception
    banner = " ".join(w.value for w in at.warning)
    assert "values.csv" in banner
    # the data checks are the first tab: every problem with its file:row:column, as a table
    table = next(h.value for h in at.get("html") if 'data-testid="health-problems"' in h.value)
    assert "values.csv:" in table and ":province" in table
    # the valid figures still render on a topic page
    at2 = run_page("pages/dang_doanh_nghiep.py")
    assert "166 tổ chức" in " ".join(h.value for h in at2.get("html"))


def test_an_edit_shows_on_the_next_rerun_without_restart(tmp_path, monkeypatch):
    import os
    import shutil

    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(target))
    at = run_page("pages/so_sanh_chi_tieu.py", indicator="dti_rank", period="2021")
    assert sorted(chart_labels(at)) == ["14/63", "8/63"]
    values = target / "values.csv"
    text = values.read_text(encoding="utf-8")
    old = "hai-duong,dti_rank,2021,14,"
    assert old in text
    values.write_text(text.replace(old, "hai-duong,dti_rank,2021,13,"), encoding="utf-8")
    stat = values.stat()
    os.utime(values, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    at.run()
    assert sorted(chart_labels(at)) == ["13/63", "8/63"]


def test_economy_page_has_map_panel_and_national_growth():
    at = run_page("pages/kinh_te_xa_hoi.py", section="fdi-khu-cong-nghiep")
    assert len(at.get("deck_gl_json_chart")) == 0  # the map panel is a plotly figure (issue #9)
    figs = [json.loads(p.proto.spec) for p in at.get("plotly_chart")]
    maps_ = [f for f in figs if any(tr.get("name") == "zones" for tr in f["data"])]
    assert len(maps_) == 1 and "geo" not in maps_[0]["layout"]
    at = run_page("pages/kinh_te_xa_hoi.py")  # the first tab: GRDP growth, with the country's line
    figs = [json.loads(p.proto.spec) for p in at.get("plotly_chart")]
    assert not [f for f in figs if any(tr.get("name") == "zones" for tr in f["data"])]
    growth = [f for f in figs if f["layout"]["title"]["text"] == "Tốc độ tăng trưởng GRDP"]
    assert growth and any(tr.get("name") == "Cả nước" for tr in growth[0]["data"])
