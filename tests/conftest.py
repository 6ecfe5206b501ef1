"""Shared fixtures: the real data package, and editable copies of it for bad-input tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


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
