"""The disk cache of the generated national files' checks (dashboard/diskcache.py).

A restarted process whose files are byte-identical to a previous run's takes their checks
from disk: the same dataset as without the cache (frames with their dtypes, problems with
their rows, codes and parameters), never a crash on a damaged entry, never a file in the
data folder.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard import data as D
from dashboard import diskcache as C

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
NATIONAL = [p.name for p in D.national_files(DATA)]
N = len(NATIONAL)  # pci, papi, gso today


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder of this test; every cache of the process forgotten before and after."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(C.ENV, str(folder))
    D.clear_caches()
    yield folder
    D.clear_caches()


@pytest.fixture
def calls(monkeypatch):
    """How often generated files were read into a frame and checked."""
    counts = {"read": 0, "check": 0}
    real_read, real_check = D._read_plain_values, D._check_values_fast

    def read(*a, **k):
        counts["read"] += 1
        return real_read(*a, **k)

    def check(*a, **k):
        counts["check"] += 1
        return real_check(*a, **k)

    monkeypatch.setattr(D, "_read_plain_values", read)
    monkeypatch.setattr(D, "_check_values_fast", check)
    return counts


def without_disk_cache(data_dir: Path, monkeypatch) -> D.Dataset:
    """A first load with no disk cache at all (the reference result)."""
    folder = os.environ.get(C.ENV)
    monkeypatch.setenv(C.ENV, "")
    D.clear_caches()
    try:
        return D.load_dataset(data_dir)
    finally:
        monkeypatch.setenv(C.ENV, folder or "")
        D.clear_caches()


def problems(ds: D.Dataset) -> list[str]:
    # Problem's equality leaves out params: compare every field, with the params' types
    return [repr((p.file, p.row, p.column, p.code, sorted(p.params.items()), p.severity, p.follow_on, p.root))
            for p in ds.problems]


def assert_same(got: D.Dataset, want: D.Dataset) -> None:
    pd.testing.assert_frame_equal(got.values, want.values, check_dtype=True, check_exact=True)
    assert [repr(t) for t in got.values.dtypes] == [repr(t) for t in want.values.dtypes]
    assert C.same_frame(got.values, want.values)
    pd.testing.assert_frame_equal(got.zones, want.zones, check_dtype=True, check_exact=True)
    assert problems(got) == problems(want)
    assert got.stale_files == want.stale_files and got.fingerprint == want.fingerprint


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*" + C.SUFFIX))


def test_a_restart_takes_the_national_checks_from_disk_with_the_same_result(cache, calls, monkeypatch):
    assert N >= 3 and "pci.csv" in NATIONAL
    want = without_disk_cache(DATA, monkeypatch)
    calls.update(read=0, check=0)
    cold = D.load_dataset(DATA)
    assert calls == {"read": N, "check": N}
    assert len(entries(cache)) == N
    assert_same(cold, want)

    D.clear_caches()  # as after a restart: memory empty, disk kept
    calls.update(read=0, check=0)
    restarted = D.load_dataset(DATA)
    assert calls == {"read": 0, "check": 0}  # read and hashed, never parsed or checked again
    assert_same(restarted, want)
    assert len(restarted.values) > 10_000 and set(restarted.values["file"]) >= {f"national/{n}" for n in NATIONAL}

    again = D.load_dataset(DATA)  # a reload after it: the memory caches as filled from disk
    assert calls == {"read": 0, "check": 0}
    assert_same(again, want)
    # what a page gets must not be the cached frame itself
    again.values.loc[0, "value_text"] = "changed"
    assert_same(D.load_dataset(DATA), want)


def broken_copy(data_copy) -> list[int]:
    """Rows the check refuses in national/pci.csv: an unknown province, a figure of a year to
    come, not a number, and a key that values.csv already holds (the curated figure wins)."""
    rows = ["nowhere,pci_business_support,2012,4.91,,,,,,pci_2012_data_mirror,,,,,,,",
            f"an-giang,pci_business_support,{dt.date.today().year + 5},4.91,,,,,,pci_2012_data_mirror,,,,,,,",
            "an-giang,pci_business_support,2011,abc,,,,,,pci_2012_data_mirror,,,,,,,",
            "thai-nguyen,pci_score,2015,61.21,,,,,,pci_2012_data_mirror,,,,,,,"]
    return [data_copy.append_row("national/pci.csv", row) for row in rows]


def test_broken_national_rows_give_the_same_problems_with_the_disk_cache(data_copy, cache, calls, monkeypatch):
    rows = broken_copy(data_copy)
    want = without_disk_cache(data_copy.path, monkeypatch)
    national = {(p.row, p.code) for p in want.errors if p.file == "data/national/pci.csv"}
    assert {(rows[0], "unknown_province"), (rows[3], "duplicate_key")} <= national
    assert {r for r, _ in national} >= set(rows)
    curated = 1 + next(i for i, line in enumerate(data_copy.file("values.csv").read_text(encoding="utf-8").splitlines())
                       if line.startswith("thai-nguyen,pci_score,2015,"))
    assert any(p.row == rows[3] and p.params.get("first") == f"data/values.csv:{curated}" for p in want.errors)

    assert_same(D.load_dataset(data_copy.path), want)
    # rows checked one by one may depend on today's date: the entry says which day it holds
    head = C.load("values:national/pci.csv", data_copy.path).header
    assert head["date"] == dt.date.today().isoformat() and head["dropped"] == [rows[3]]

    D.clear_caches()
    calls.update(read=0, check=0)
    restarted = D.load_dataset(data_copy.path)
    assert calls == {"read": 0, "check": 0}
    assert_same(restarted, want)


def test_a_stored_check_of_another_day_is_not_used_for_rows_checked_one_by_one(data_copy, cache, calls, monkeypatch):
    broken_copy(data_copy)
    want = without_disk_cache(data_copy.path, monkeypatch)
    D.load_dataset(data_copy.path)
    name = "values:national/pci.csv"
    entry = C.load(name, data_copy.path)
    header = {k: v for k, v in entry.header.items() if k not in ("name", "columns", "dtypes", "kinds")}
    assert C.store(name, {**header, "date": "2000-01-01"}, entry.frame(), data_copy.path)
    D.clear_caches()
    calls.update(read=0, check=0)
    assert_same(D.load_dataset(data_copy.path), want)
    assert calls == {"read": 1, "check": 1}  # pci.csv only: the others were checked whole
    assert C.load(name, data_copy.path).header["date"] == dt.date.today().isoformat()


def test_damaged_entries_are_ignored_and_replaced(cache, calls, monkeypatch):
    want = without_disk_cache(DATA, monkeypatch)
    D.load_dataset(DATA)
    files = entries(cache)
    assert len(files) == N >= 3
    blob = bytearray(files[0].read_bytes())
    blob[len(blob) // 2] ^= 0x01  # one bit flipped in the frame
    files[0].write_bytes(bytes(blob))
    files[1].write_bytes(files[1].read_bytes()[: len(blob) // 3])  # cut short
    files[2].write_bytes(b"\x80\x04not an entry at all")  # something else
    D.clear_caches()
    calls.update(read=0, check=0)
    assert_same(D.load_dataset(DATA), want)
    assert calls == {"read": N, "check": N}
    # written again, whole
    assert all(C.load(f"values:national/{n}", DATA).frame() is not None for n in NATIONAL)
    D.clear_caches()
    calls.update(read=0, check=0)
    assert_same(D.load_dataset(DATA), want)
    assert calls == {"read": 0, "check": 0}


def test_a_change_of_code_or_of_the_files_it_refers_to_checks_again(data_copy, cache, calls, monkeypatch):
    D.load_dataset(data_copy.path)
    real = D._CODE_VERSION
    monkeypatch.setattr(D, "_CODE_VERSION", "another version of the code")
    D.clear_caches()
    calls.update(read=0, check=0)
    D.load_dataset(data_copy.path)
    assert calls == {"read": N, "check": N}
    monkeypatch.setattr(D, "_CODE_VERSION", real)
    D.clear_caches()
    D.load_dataset(data_copy.path)  # stored again by the real code

    # after a restart (tables not parsed, checks from disk), a source's confidence changes:
    # the national rows of that source are checked again, as a process without cache does
    D.clear_caches()
    calls.update(read=0, check=0)
    D.load_dataset(data_copy.path)
    assert calls == {"read": 0, "check": 0}
    path = data_copy.file("sources.yaml")
    text = path.read_text(encoding="utf-8")
    at = text.index("confidence: medium", text.index("- id: pci_2012_data_mirror"))
    path.write_text(text[:at] + "confidence: low" + text[at + len("confidence: medium"):], encoding="utf-8")
    changed = D.load_dataset(data_copy.path)
    assert calls["check"] >= 1
    assert any(p.code == "low_confidence" and p.file == "data/national/pci.csv" for p in changed.problems)
    assert_same(changed, without_disk_cache(data_copy.path, monkeypatch))


def test_the_cache_folder_is_never_in_the_data_folder_and_may_be_absent(data_copy, tmp_path, monkeypatch):
    before = sorted(p.relative_to(data_copy.path) for p in data_copy.path.rglob("*"))
    want = without_disk_cache(data_copy.path, monkeypatch)
    for inside in (data_copy.path / "cache", data_copy.path, data_copy.path / "national"):
        monkeypatch.setenv(C.ENV, str(inside))
        assert C.directory(data_copy.path) is None
        D.clear_caches()
        assert_same(D.load_dataset(data_copy.path), want)
    assert sorted(p.relative_to(data_copy.path) for p in data_copy.path.rglob("*")) == before

    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    for unusable in (str(a_file), str(shared), ""):
        monkeypatch.setenv(C.ENV, unusable)
        assert C.directory(data_copy.path) is None
        D.clear_caches()
        assert_same(D.load_dataset(data_copy.path), want)
    assert not list(shared.iterdir())

    monkeypatch.delenv(C.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert C.directory(data_copy.path) == (tmp_path / "xdg" / C.APP).resolve()


def test_one_entry_per_file_and_clearing(data_copy, cache):
    D.load_dataset(data_copy.path)
    assert len(entries(cache)) == N
    for year in (2012, 2013):  # a new version of the file replaces its entry
        data_copy.append_row("national/gso.csv", f"nowhere,population,{year},1,,,,,,x,,,,,,,")
        D.load_dataset(data_copy.path)
        assert len(entries(cache)) == N
        assert C.load("values:national/gso.csv", data_copy.path).header["sha"] == \
            D.hashlib.sha256(data_copy.file("national/gso.csv").read_bytes()).hexdigest()
    D.clear_caches()
    assert len(entries(cache)) == N  # memory only
    (cache / "notes.txt").write_text("mine")
    (cache / "not-an-entry.arrow").write_bytes(b"ARROW1")
    D.clear_caches(disk=True)
    assert sorted(p.name for p in cache.iterdir()) == ["not-an-entry.arrow", "notes.txt"]  # only entries go


def test_store_keeps_only_what_reads_back_exactly(cache):
    good = pd.DataFrame({"s": pd.array(["a", "", "ç"], dtype="str"), "n": pd.array([1, None, 3], dtype="Int64"),
                         "f": [1.5, np.nan, 0.0], "b": [True, False, True], "i": np.array([1, 2, 3])})
    assert C.store("t", {"k": [1, "x", None, 2.5, True]}, good)
    entry = C.load("t")
    assert entry.header["k"] == [1, "x", None, 2.5, True]
    assert C.same_frame(entry.frame(), good)
    assert C.load("other") is None  # an entry answers only to its own name

    assert not C.store("t2", {}, pd.DataFrame({"o": np.array([1, "a"], dtype=object)}))  # no pickle, no objects
    assert not C.store("t3", {"k": (1, 2)}, good)  # a tuple would read back as a list
    assert not C.store("t4", {"k": float("nan")}, good)
    assert not C.store("t5", {}, good.set_index("i"))  # the index would be lost
    assert [p.name for p in entries(cache)] == [C.entry_path(cache, "t").name]
    assert not list(cache.glob(C.TEMP_PREFIX + "*"))
