"""The editing page (/cap-nhat) driven as a visitor and as an editor, on a copy of data/."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from dashboard import auth, store
from tests.conftest import ROOT

PASSWORD = "mat-khau-dai-du-10"
PAGE = "pages/cap_nhat.py"


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".history" not in p.parts}


@pytest.fixture
def site(tmp_path, data_copy, monkeypatch):
    """A deployment with editing on: its own config.yaml, accounts file and data folder."""
    accounts = tmp_path / "editors.toml"
    auth.add_editor(accounts, "lan", PASSWORD)
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["editing"] = {"enabled": True, "accounts_file": str(accounts),
                      "lockout": {"free_attempts": 3, "base_seconds": 60, "max_seconds": 900}}
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_CONFIG", str(config))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(data_copy.path))
    monkeypatch.delenv("DASHBOARD_EDITING", raising=False)
    auth.reset_throttle()
    return data_copy


def open_page(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    return at.switch_page(PAGE).run()


def sign_in(at: AppTest, password: str = PASSWORD) -> AppTest:
    at.text_input(key="auth_name").input("lan")
    at.text_input(key="auth_password").input(password)
    return next(b for b in at.button if b.label in ("Đăng nhập", "Sign in")).click().run()


def page_text(at: AppTest) -> str:
    parts = []
    for kind in ("caption", "info", "warning", "success", "markdown", "title"):
        parts += [e.value for e in getattr(at, kind)]
    return "\n".join(parts)


def button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def test_with_editing_off_the_path_says_so_in_one_line_and_offers_nothing(monkeypatch):
    monkeypatch.delenv("DASHBOARD_CONFIG", raising=False)
    monkeypatch.delenv("DASHBOARD_EDITING", raising=False)
    at = open_page()
    assert not at.exception
    assert at.title[0].value == "Cập nhật dữ liệu"
    assert "chức năng cập nhật dữ liệu đang tắt" in page_text(at)
    assert not at.main.text_input and not at.get("arrow_data_editor") and not at.error


def test_a_visitor_sees_a_sign_in_form_and_nothing_editable(site):
    at = open_page()
    assert not at.exception and not at.error
    assert [w.key for w in at.main.text_input] == ["auth_name", "auth_password"]
    assert not [b for b in at.button if (b.key or "").startswith("ed_")]
    before = digests(site.path)
    at = sign_in(at, "sai mật khẩu rồi")
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page_text(at)
    assert digests(site.path) == before


def add_figure(at: AppTest, value: str, period: str = "2025", source: str = "exchange_meeting_2023") -> AppTest:
    at.selectbox(key="ed_add_province").set_value("thai-nguyen")
    at.selectbox(key="ed_add_indicator").set_value("grdp_growth")
    at.text_input(key="ed_add_period").input(period)
    at.text_input(key="ed_add_value").input(value)
    at.selectbox(key="ed_add_source").set_value(source)
    return button(at, "ed_add_save").click().run()


def test_an_editor_adds_a_figure_typed_the_vietnamese_way(site):
    at = sign_in(open_page())
    assert not at.exception
    assert "lan" in page_text(at)
    at = add_figure(at, "7,62")
    assert not at.exception, [e.value for e in at.exception]
    lines = site.file("values.csv").read_text(encoding="utf-8").splitlines()
    assert lines[-1].startswith("thai-nguyen,grdp_growth,2025,7.62,")
    assert "Đã lưu values.csv: thêm 1" in page_text(at)
    [entry] = [e for e in store.history(site.path) if e.editor == "local:lan"]
    assert (entry.file, entry.added, entry.changed, entry.removed) == ("values.csv", 1, 0, 0)


def test_an_ambiguous_number_is_refused_with_both_readings_and_nothing_changes(site):
    at = sign_in(open_page())
    before = digests(site.path)
    at = add_figure(at, "3,390")
    shown = page_text(at)
    assert "Chưa lưu gì" in shown and "3.390" in shown and "3390" in shown
    assert digests(site.path) == before


def test_a_figure_without_a_source_is_refused(site):
    at = sign_in(open_page())
    before = digests(site.path)
    at = add_figure(at, "7,62", source="")
    assert "values.csv:+:source" in page_text(at)
    assert digests(site.path) == before


def test_a_figure_that_breaks_the_dataset_is_refused_with_file_row_column(site):
    at = sign_in(open_page())
    before = digests(site.path)
    at = add_figure(at, "7,62", period="2099")  # a future period: values.csv refuses it
    assert not at.exception
    assert "values.csv" in page_text(at) and "period" in page_text(at)
    assert digests(site.path) == before


def test_the_grid_saves_an_edited_cell(site, monkeypatch):
    from dashboard.views import editor

    rows = store.read(site.path, "values.csv").rows
    target = next(i for i, r in enumerate(rows) if r["province"] == "hai-duong" and r["indicator"] == "grdp_growth_avg")
    monkeypatch.setattr(editor, "grid_delta", lambda key: {"edited_rows": {target: {"note_vi": "Đã kiểm tra lại"}}}
                        if key.startswith("ed_grid_values.csv") else {})
    at = sign_in(open_page())
    at = button(at, "ed_save_values.csv").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = store.read(site.path, "values.csv").rows
    assert after[target]["note_vi"] == "Đã kiểm tra lại" and after[target]["value"] == rows[target]["value"]
    assert [r for i, r in enumerate(after) if i != target] == [r for i, r in enumerate(rows) if i != target]


def test_signing_out_ends_the_right_to_write(site):
    at = sign_in(open_page())
    at = button(at, "auth_sign_out").click().run()
    assert [w.key for w in at.main.text_input] == ["auth_name", "auth_password"]


def test_an_old_link_says_the_figures_changed_since(site):
    at = open_page()
    old = at.session_state["_view"].data
    assert old and old == store.data_version(site.path)
    site.replace("values.csv", "hai-duong,grdp_growth_avg,2021-2023,8.58", "hai-duong,grdp_growth_avg,2021-2023,8.6")
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    again.query_params["data"] = old
    again.run()
    assert "Số liệu đã được cập nhật sau khi chia sẻ liên kết này" in page_text(again)
    assert again.session_state["_view"].data == store.data_version(site.path) != old
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    fresh.query_params["data"] = store.data_version(site.path)
    fresh.run()
    assert "đã được cập nhật" not in page_text(fresh)


def test_editing_turned_off_on_the_server_stops_the_next_click(site, monkeypatch):
    at = sign_in(open_page())
    before = digests(site.path)
    monkeypatch.setenv("DASHBOARD_EDITING", "0")  # editing turned off after the form was drawn
    at = add_figure(at, "7,62")
    assert not at.exception
    assert digests(site.path) == before
    assert "chức năng cập nhật dữ liệu đang tắt" in page_text(at)
    assert not [b for b in at.button if (b.key or "").startswith("ed_")]


def test_a_forged_write_without_a_signed_in_editor_is_refused(site):
    from dashboard.config import get_config

    cfg = get_config()
    snap = store.read(site.path, "values.csv")
    row = dict(snap.rows[0], period="2025", value="1")
    before = digests(site.path)
    with pytest.raises(store.NotAllowed):
        store.save(site.path, "values.csv", [store.RowChange(None, None, row)], base_version=snap.version,
                   editor="local:lan", allowed=auth.editor_right(cfg, state={}))
    assert digests(site.path) == before


def test_a_figure_with_a_new_source_created_in_the_same_form(site):
    at = sign_in(open_page())
    at.selectbox(key="ed_add_source").set_value("__new__").run()
    at.text_input(key="ed_src_id").input("baothainguyen_2025_grdp")
    at.text_input(key="ed_src_title").input("GRDP Thái Nguyên năm 2025 <b>ước</b>")
    at.text_input(key="ed_src_producer").input("Báo Thái Nguyên")
    at.text_input(key="ed_src_url").input("https://baothainguyen.vn/grdp-2025")
    at.text_input(key="ed_src_published").input("2025-12-30")
    at.selectbox(key="ed_add_province").set_value("thai-nguyen")
    at.selectbox(key="ed_add_indicator").set_value("grdp_growth")
    at.text_input(key="ed_add_period").input("2025")
    at.text_input(key="ed_add_value").input("8,2")
    before = digests(site.path)
    at = button(at, "ed_add_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # HTML in a text field is refused with the file and field named; nothing is written
    assert "sources.yaml" in page_text(at) and "HTML" in page_text(at)
    assert digests(site.path) == before
    at.text_input(key="ed_src_title").input("GRDP Thái Nguyên năm 2025")
    at = button(at, "ed_add_save").click().run()
    from dashboard.data import load_dataset

    ds = load_dataset(site.path)
    assert ds.sources["baothainguyen_2025_grdp"].producer == "Báo Thái Nguyên"
    row = ds.rows("grdp_growth", ["thai-nguyen"], period="2025")
    assert list(row["value"]) == [8.2] and list(row["source"]) == ["baothainguyen_2025_grdp"]
    assert not ds.errors
