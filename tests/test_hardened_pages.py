"""Every page renders with the last good data and the banner, whatever is wrong in data/.

One AppTest session per failure class walks all pages (cheaper than a session per page):
no exception element, no error box, the banner naming the file once and relative to the
data folder, and the figures that were good before still on screen.
"""

from __future__ import annotations

import os
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data as D
from tests.conftest import ROOT
from tests.test_hostile_files import _folder, _syntax

PAGES = ["pages/tong_quan.py", "pages/dang_doanh_nghiep.py", "pages/dang_truong_hoc.py",
         "pages/kinh_te_xa_hoi.py", "pages/chuyen_doi_so.py", "pages/so_sanh_chi_tieu.py",
         "pages/ban_do.py", "pages/trinh_chieu.py", "pages/du_lieu.py"]


def _touch(path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def walk_pages(at: AppTest) -> dict[str, AppTest]:
    seen = {}
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
        banner = [w.value for w in at.warning if "Dữ liệu & nguồn" in w.value]
        seen[page] = banner
    return seen


@pytest.fixture
def app(tmp_path, monkeypatch):
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(target))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception
    return at, target


def test_a_file_replaced_by_a_folder_keeps_the_last_good_version_on_every_page(app):
    at, target = app
    before = sorted(m.value for m in at.metric)
    _folder(target)
    banners = walk_pages(at)
    for page, banner in banners.items():
        assert len(banner) == 1, page
        assert "provinces.yaml" in banner[0] and str(target) not in banner[0]
        assert banner[0].count("provinces.yaml") == 1
    at.switch_page("pages/tong_quan.py").run()
    assert sorted(m.value for m in at.metric) == before  # the same figures as before the break


def test_broken_yaml_after_a_restart_shows_missing_figures_not_an_error(app):
    at, target = app
    saved = dict(D._LAST_GOOD)
    D._LAST_GOOD.clear()
    try:
        _syntax(target)
        _touch(target / "indicators.yaml")
        banners = walk_pages(at)
        assert all(len(b) == 1 and "indicators.yaml" in b[0] for b in banners.values())
        at.switch_page("pages/du_lieu.py").run()
        shown = " ".join(m.value for m in at.markdown).replace("\\", "").replace("\u2060", "")
        assert "indicators.yaml:20:-" in shown  # the root cause, in full, first
        follow = [c.value for c in at.caption if "lỗi kéo theo" in c.value]
        assert len(follow) == 1  # the follow-on errors summed up in one line
    finally:
        D._LAST_GOOD.clear()
        D._LAST_GOOD.update(saved)


def test_hostile_cells_drop_only_their_rows_on_every_page(app):
    """NaN, Infinity, 29 significant digits, fullwidth digits, a future period and an
    unclosed quote: each costs its own row, named in the banner's file, never the page."""
    at, target = app
    values = target / "values.csv"
    lines = values.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    good = len(D.load_dataset(target).values)
    hostile = [
        "thai-nguyen,party_orgs_private_enterprises,2019,NaN,,,,,,exchange_meeting_2023,,,,,",
        "thai-nguyen,party_orgs_private_enterprises,2018,Infinity,,,,,,exchange_meeting_2023,,,,,",
        "thai-nguyen,party_orgs_private_enterprises,2017,12345678901234567890123456789,,,,,,"
        "exchange_meeting_2023,,,,,",
        "thai-nguyen,party_orgs_private_enterprises,2016,４８,,,,,,exchange_meeting_2023,,,,,",
        "thai-nguyen,party_orgs_private_enterprises,2031,48,,,,,,exchange_meeting_2023,,,,,",
        'thai-nguyen,party_orgs_private_enterprises,2015,48,,,,,,exchange_meeting_2023,,,,,"never closed',
    ]
    middle = len(rows) // 2
    values.write_text("\n".join([header, *rows[:middle], *hostile, *rows[middle:]]) + "\n",
                      encoding="utf-8")
    ds = D.load_dataset(target)
    assert len(ds.values) == good  # every good row survives, even after the unclosed quote
    bad_rows = {p.row for p in ds.errors if p.file.endswith("values.csv")}
    assert bad_rows == set(range(middle + 2, middle + 2 + len(hostile)))
    banners = walk_pages(at)
    assert all(len(b) == 1 and "values.csv" in b[0] for b in banners.values())
