"""Shared fixtures: the real data package, and editable copies of it for bad-input tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="session", autouse=True)
def _disk_cache(tmp_path_factory):
    """The checked national tables are cached on disk (dashboard/diskcache.py): tests (and the
    browser tests' server, which inherits the environment) use a folder of their own."""
    import os

    old = os.environ.get("DASHBOARD_CACHE_DIR")
    os.environ["DASHBOARD_CACHE_DIR"] = str(tmp_path_factory.mktemp("diskcache"))
    yield
    if old is None:
        os.environ.pop("DASHBOARD_CACHE_DIR", None)
    else:
        os.environ["DASHBOARD_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def ds():
    """The shipped dataset (loaded once per test session)."""
    from dashboard.data import load_dataset

    return load_dataset(DATA)


@pytest.fixture(scope="session")
def cfg():
    from dashboard.config import load_config

    return load_config(ROOT / "config.yaml")


class DataCopy:
    """A copy of ``data/`` in a temporary folder, with helpers to break it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def file(self, name: str) -> Path:
        return self.path / name

    def replace(self, name: str, old: str, new: str, count: int = 1) -> None:
        p = self.file(name)
        text = p.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        p.write_text(text.replace(old, new, count), encoding="utf-8")

    def append_row(self, name: str, row: str) -> int:
        """Append a CSV line; returns its spreadsheet row number."""
        p = self.file(name)
        text = p.read_text(encoding="utf-8")
        if not text.endswith("\n"):
            text += "\n"
        p.write_text(text + row + "\n", encoding="utf-8")
        return len([ln for ln in (text + row).splitlines()])

    def load(self):
        from dashboard.data import load_dataset

        return load_dataset(self.path)


@pytest.fixture
def data_copy(tmp_path) -> DataCopy:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return DataCopy(target)
