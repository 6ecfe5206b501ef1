"""dashboard/store.py: staff edits saved without losing anything (issue #11).

Every test works on a copy of data/ in tmp_path (the ``data_copy`` fixture), never on data/.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dashboard import store
from dashboard.store import Conflict, NotAllowed, Refused, RowChange
from tests.conftest import DATA, ROOT

YES = lambda: True


@pytest.fixture
def data_copy(data_copy):
    """The shared copy of data/, without any edit history a run of the app left in data/."""
    import shutil

    shutil.rmtree(data_copy.path / store.HISTORY_DIR, ignore_errors=True)
    return data_copy


def tree(path: Path) -> dict[str, str]:
    """sha256 of every file under ``path`` except the history."""
    return {p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file() and store.HISTORY_DIR not in p.parts}


def row_where(snap, **cells):
    return next(r for r in snap.rows if all(r[k] == v for k, v in cells.items()))


def edited(row, **cells):
    return {**row, **cells}


def first_values(snap, n=2):
    """``n`` rows of values.csv with a value, from different lines."""
    return [r for r in snap.rows if r["value"]][:n]


# ----------------------------------------------------------------------------- text kept as it is

@pytest.mark.parametrize("name", ["values.csv", "industrial_zones.csv"])
def test_todays_csv_files_round_trip_through_the_writer(name):
    raw = (DATA / name).read_bytes()
    doc = store._CsvDoc(raw, name, store.EDITABLE[name])
    lines = raw.decode("utf-8").split("\n")
    assert len(doc.records) == len(lines) - 2  # header, final empty piece
    for i, row in doc.records:
        assert doc.render(row) == lines[i], f"{name}:{i + 1}"


def test_csv_edit_rewrites_only_the_changed_line(data_copy):
    d = data_copy.path
    before = (d / "values.csv").read_bytes().split(b"\n")
    snap = store.read(d, "values.csv")
    r = first_values(snap, 1)[0]
    res = store.save(d, "values.csv", [RowChange(None, r, edited(r, note_en="Checked, again."))],
                     base_version=snap.version, editor="tester", allowed=YES)
    after = (d / "values.csv").read_bytes().split(b"\n")
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert len(before) == len(after) and len(changed) == 1
    assert after[changed[0]].endswith(b',"Checked, again."')
    assert res.version == hashlib.sha256((d / "values.csv").read_bytes()).hexdigest()


def test_sources_append_and_edit_keep_every_other_line(data_copy):
    d = data_copy.path
    old_lines = (d / "sources.yaml").read_text(encoding="utf-8").splitlines()
    snap = store.read(d, "sources.yaml")
    new = {c: "" for c in snap.columns}
    new.update({"id": "test_new_source", "title": "Báo cáo: 2024", "producer": "UBND tỉnh",
                "licence": "unknown", "date_published": "2024", "date_accessed": "2025-01-02",
                "kind": "official", "confidence": "high", "note.vi": "Ghi chú", "note.en": "A note"})
    target = snap.rows[3]
    res = store.save(d, "sources.yaml", [RowChange(None, None, new),
                                         RowChange(None, target, edited(target, confidence="low"))],
                     base_version=snap.version, editor="tester", allowed=YES)
    assert (len(res.diff.added), len(res.diff.changed)) == (1, 1)
    new_lines = (d / "sources.yaml").read_text(encoding="utf-8").splitlines()
    import difflib
    ops = [op for op in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes()
           if op[0] != "equal"]
    assert [op[0] for op in ops] == ["replace", "insert"], ops
    assert old_lines[ops[0][1]:ops[0][2]] == [f"  confidence: {target['confidence']}"] != ["  confidence: low"]
    assert new_lines[ops[0][3]:ops[0][4]] == ["  confidence: low"]
    assert new_lines[ops[1][3]] == "- id: test_new_source" and ops[1][1] == len(old_lines)
    again = store.read(d, "sources.yaml")
    assert row_where(again, id="test_new_source")["date_published"] == "2024"  # a string, not a number
    assert row_where(again, id="test_new_source")["note.en"] == "A note"


# ----------------------------------------------------------------------------- refusals

def test_invalid_edit_refused_and_every_file_byte_identical(data_copy):
    d = data_copy.path
    before = tree(d)
    snap = store.read(d, "values.csv")
    r = first_values(snap, 1)[0]
    with pytest.raises(Refused) as err:
        store.save(d, "values.csv", [RowChange(None, r, edited(r, source="no_such_source"))],
                   base_version=snap.version, editor="tester", allowed=YES)
    assert err.value.code == "invalid"
    assert [(p.code, p.column) for p in err.value.problems] == [("unknown_source", "source")]
    line = store._CsvDoc((d / "values.csv").read_bytes(), "values.csv", store.EDITABLE["values.csv"]).line_of(
        store._key_of(r, store.EDITABLE["values.csv"]))
    assert err.value.problems[0].row == line
    text = err.value.message("vi")
    assert text.startswith("Chưa lưu") and f"data/values.csv:{line}:source" in text
    assert "Not saved" in err.value.message("en")
    assert tree(d) == before
    # removing a source still used elsewhere: errors on rows nobody touched
    src = store.read(d, "sources.yaml")
    used = row_where(src, id=r["source"])
    with pytest.raises(Refused) as err:
        store.save(d, "sources.yaml", [RowChange(None, used, None)], base_version=src.version,
                   editor="tester", allowed=YES)
    assert err.value.code == "invalid" and {p.code for p in err.value.problems} == {"unknown_source"}
    assert tree(d) == before


def test_existing_errors_do_not_block_but_a_new_one_of_the_same_kind_does(data_copy):
    d = data_copy.path
    snap = store.read(d, "values.csv")
    broken, other, third = first_values(snap, 3)
    # a hand edit leaves one row with an unknown source: an error that is already there
    data_copy.replace("values.csv", _line(d, broken), _line(d, edited(broken, source="typo_source")))
    assert any(p.code == "unknown_source" for p in data_copy.load().errors)
    snap = store.read(d, "values.csv")
    o = row_where(snap, **{k: other[k] for k in store.EDITABLE["values.csv"]})
    store.save(d, "values.csv", [RowChange(None, o, edited(o, note_vi="Đã kiểm tra."))],
               base_version=snap.version, editor="tester", allowed=YES)
    # fixing the old error while making the same kind of error on another row: refused
    snap = store.read(d, "values.csv")
    b = row_where(snap, source="typo_source")
    t3 = row_where(snap, **{k: third[k] for k in store.EDITABLE["values.csv"]})
    before = tree(d)
    with pytest.raises(Refused) as err:
        store.save(d, "values.csv", [RowChange(None, b, edited(b, source=broken["source"])),
                                     RowChange(None, t3, edited(t3, source="other_typo"))],
                   base_version=snap.version, editor="tester", allowed=YES)
    assert err.value.code == "invalid"
    assert [p.params.get("text") for p in err.value.problems] == ["other_typo"]
    assert tree(d) == before


def _line(d: Path, row: dict) -> str:
    doc = store._CsvDoc((d / "values.csv").read_bytes(), "values.csv", store.EDITABLE["values.csv"])
    return doc.render(row)


@pytest.mark.parametrize("cell", ["two\nlines", "two\r\nlines", "cr\ronly", "nul\x00char"])
def test_line_break_or_nul_refused_naming_file_row_column(data_copy, cell):
    d = data_copy.path
    before = tree(d)
    snap = store.read(d, "values.csv")
    r = first_values(snap, 1)[0]
    with pytest.raises(Refused) as err:
        store.save(d, "values.csv", [RowChange(None, r, edited(r, note_vi=cell))],
                   base_version=snap.version, editor="tester", allowed=YES)
    assert err.value.code == "cells"
    (p,) = err.value.problems
    line = _doc_line(d, r)
    assert (p.file, p.row, p.column) == ("data/values.csv", line, "note_vi")
    assert p.line("vi").startswith(f"data/values.csv:{line}:note_vi: ô “note_vi” có ")
    assert tree(d) == before


def _doc_line(d: Path, row: dict) -> int:
    doc = store._CsvDoc((d / "values.csv").read_bytes(), "values.csv", store.EDITABLE["values.csv"])
    return doc.line_of(store._key_of(row, store.EDITABLE["values.csv"]))


@pytest.mark.parametrize("typed, code", [("8,58", "number_decimal_comma"), ("+5", "not_canonical"),
                                         ("1E+3", "number_exponent")])
def test_value_must_be_canonical(data_copy, typed, code):
    d = data_copy.path
    snap = store.read(d, "values.csv")
    r = first_values(snap, 1)[0]
    with pytest.raises(Refused) as err:
        store.save(d, "values.csv", [RowChange(None, r, edited(r, value=typed))],
                   base_version=snap.version, editor="tester", allowed=YES)
    assert [(p.code, p.column) for p in err.value.problems] == [(code, "value")]


@pytest.mark.parametrize("file, reason", [("national/pci.csv", "generated"), ("provinces.yaml", "definitions"),
                                          ("indicators.yaml", "definitions"), ("raw/pci_2019.xlsx", "source_files"),
                                          ("../config.yaml", "unknown")])
def test_files_that_are_not_editable_are_refused(data_copy, file, reason):
    d = data_copy.path
    before = tree(d)
    with pytest.raises(Refused) as err:
        store.save(d, file, [RowChange(("x",), None, {"id": "x"})], base_version="", editor="t", allowed=YES)
    assert err.value.code == "not_editable" and err.value.params["reason"] == reason
    assert file in err.value.message("vi") and "không sửa được" in err.value.message("vi").lower()
    with pytest.raises(Refused):
        store.read(d, file)
    assert tree(d) == before and not (d / store.HISTORY_DIR).exists()


def test_forged_write_refused_nothing_written(data_copy):
    d = data_copy.path
    before = tree(d)
    snap = store.read(d, "values.csv")
    r = first_values(snap, 1)[0]
    calls = []
    with pytest.raises(NotAllowed) as err:
        store.save(d, "values.csv", [RowChange(None, r, edited(r, note_en="forged"))], base_version=snap.version,
                   editor="intruder", allowed=lambda: calls.append(1) or False)
    assert calls == [1] and err.value.code == "not_allowed"
    assert tree(d) == before
    assert not (d / store.HISTORY_DIR / store.INDEX).exists()


# ----------------------------------------------------------------------------- concurrent edits

def test_two_saves_from_the_same_base_on_different_rows_both_land(data_copy):
    d = data_copy.path
    base = store.read(d, "values.csv")
    a, b = first_values(base, 2)
    store.save(d, "values.csv", [RowChange(None, a, edited(a, note_en="first editor"))],
               base_version=base.version, editor="one", allowed=YES)
    store.save(d, "values.csv", [RowChange(None, b, edited(b, note_en="second editor"))],
               base_version=base.version, editor="two", allowed=YES)
    now = store.read(d, "values.csv")
    key = store.EDITABLE["values.csv"]
    assert row_where(now, **{k: a[k] for k in key})["note_en"] == "first editor"
    assert row_where(now, **{k: b[k] for k in key})["note_en"] == "second editor"
    assert [h.editor for h in store.history(d, "values.csv")][:2] == ["two", "one"]


def test_same_row_second_save_is_a_conflict_showing_the_first(data_copy):
    d = data_copy.path
    base = store.read(d, "values.csv")
    a = first_values(base, 1)[0]
    store.save(d, "values.csv", [RowChange(None, a, edited(a, note_en="first editor"))],
               base_version=base.version, editor="one", allowed=YES)
    after_first = tree(d)
    with pytest.raises(Conflict) as err:
        store.save(d, "values.csv", [RowChange(None, a, edited(a, note_en="second editor"))],
                   base_version=base.version, editor="two", allowed=YES)
    other = err.value.other
    assert other.changed == [(a, edited(a, note_en="first editor"))] and not other.added and not other.removed
    assert "sửa 1 dòng" in err.value.message("vi")
    assert tree(d) == after_first  # the first change is still there, nothing else written
    # an added row whose key someone else added meanwhile: also a conflict
    fresh = edited(a, period="2011", note_en="new")
    store.save(d, "values.csv", [RowChange(None, None, fresh)], base_version=base.version, editor="one",
               allowed=YES)
    with pytest.raises(Conflict) as err:
        store.save(d, "values.csv", [RowChange(None, None, edited(fresh, note_en="mine"))],
                   base_version=base.version, editor="two", allowed=YES)
    assert err.value.other.added == [fresh]


def _save_in_process(data_dir: str, key: tuple, note: str, barrier) -> str:
    from dashboard import store as st

    snap = st.read(data_dir, "values.csv")
    row = next(r for r in snap.rows if st._key_of(r, st.EDITABLE["values.csv"]) == key)
    barrier.wait(timeout=60)
    res = st.save(data_dir, "values.csv", [st.RowChange(None, row, {**row, "note_en": note})],
                  base_version=snap.version, editor=note, allowed=lambda: True)
    return res.version


def test_two_processes_saving_at_once_both_land(data_copy):
    d = data_copy.path
    snap = store.read(d, "values.csv")
    key = store.EDITABLE["values.csv"]
    a, b = (store._key_of(r, key) for r in first_values(snap, 2))
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(2)
        with ctx.Pool(2) as pool:
            jobs = [pool.apply_async(_save_in_process, (str(d), k, note, barrier))
                    for k, note in ((a, "process A"), (b, "process B"))]
            versions = [j.get(timeout=180) for j in jobs]
    assert len(set(versions)) == 2
    now = store.read(d, "values.csv")
    notes = {store._key_of(r, key): r["note_en"] for r in now.rows}
    assert notes[a] == "process A" and notes[b] == "process B"
    ds = data_copy.load()
    assert not ds.errors
    saves = [h for h in store.history(d, "values.csv") if h.kind == "save"]
    assert sorted(h.editor for h in saves) == ["process A", "process B"]
    assert now.version in {h.version for h in saves}


# ----------------------------------------------------------------------------- crashes

def test_killed_mid_save_leaves_the_previous_file_whole(data_copy, tmp_path):
    d = data_copy.path
    path = d / "values.csv"
    old = path.read_bytes()
    big = old + old.split(b"\n", 1)[1] * 50  # a few MB
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from dashboard import store
        real = os.fsync
        def slow_fsync(fd):
            print("writing", flush=True)
            time.sleep(60)
            real(fd)
        os.fsync = slow_fsync
        store.atomic_write(__import__("pathlib").Path({str(path)!r}), open({str(tmp_path / "big")!r}, "rb").read())
    """), encoding="utf-8")
    (tmp_path / "big").write_bytes(big)
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        leftovers = list(d.glob(".values.csv.*" + store._TMP_SUFFIX))
        assert leftovers and leftovers[0].stat().st_size == len(big)  # the new bytes, not yet in place
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert path.read_bytes() == old
    # the next save clears the leftover and works
    snap = store.read(d, "values.csv")
    r = first_values(snap, 1)[0]
    store.save(d, "values.csv", [RowChange(None, r, edited(r, note_en="after the crash"))],
               base_version=snap.version, editor="t", allowed=YES)
    assert not list(d.glob("*" + store._TMP_SUFFIX))


def test_failed_replace_leaves_file_and_history_unchanged(data_copy, monkeypatch):
    d = data_copy.path
    before = tree(d)
    snap = store.read(d, "values.csv")
    r = first_values(snap, 1)[0]

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    real = os.replace
    monkeypatch.setattr(os, "replace", lambda s, t: broken(s, t) if str(t).endswith("values.csv") else real(s, t))
    with pytest.raises(OSError):
        store.save(d, "values.csv", [RowChange(None, r, edited(r, note_en="lost?"))],
                   base_version=snap.version, editor="t", allowed=YES)
    monkeypatch.undo()
    assert tree(d) == before
    assert [h.kind for h in store.history(d, "values.csv")] == ["baseline"]
    assert not list(d.glob("*" + store._TMP_SUFFIX))


# ----------------------------------------------------------------------------- history

def test_restore_brings_back_an_earlier_version_byte_exactly(data_copy):
    d = data_copy.path
    original = (d / "values.csv").read_bytes()
    snap = store.read(d, "values.csv")
    a, b = first_values(snap, 2)
    s1 = store.save(d, "values.csv", [RowChange(None, a, edited(a, note_en="one"))],
                    base_version=snap.version, editor="one", allowed=YES)
    v1 = (d / "values.csv").read_bytes()
    s2 = store.save(d, "values.csv", [RowChange(None, b, None)], base_version=s1.version, editor="two",
                    allowed=YES)
    assert store.history_diff(d, s2.history_id).removed == [b]
    baseline = next(h for h in store.history(d, "values.csv") if h.kind == "baseline")
    assert baseline.version == hashlib.sha256(original).hexdigest()
    # restoring from an outdated view is refused: it would overwrite the second save unseen
    with pytest.raises(Conflict):
        store.restore(d, baseline.id, editor="three", allowed=YES, base_version=s1.version)
    with pytest.raises(NotAllowed):
        store.restore(d, baseline.id, editor="three", allowed=lambda: False, base_version=s2.version)
    res = store.restore(d, baseline.id, editor="three", allowed=YES, base_version=s2.version)
    assert (d / "values.csv").read_bytes() == original
    top = store.history(d, "values.csv")[0]
    assert (top.id, top.kind, top.restored_from, top.editor) == (res.history_id, "restore", baseline.id, "three")
    assert (top.added, top.changed) == (1, 1)
    back = store.restore(d, s1.history_id, editor="four", allowed=YES, base_version=res.version)
    assert (d / "values.csv").read_bytes() == v1 and back.version == s1.version
    assert len(store.history(d, "values.csv")) == 5
    assert store.last_good(d, "values.csv") == v1


def test_hand_edit_is_recorded_and_never_lost(data_copy):
    d = data_copy.path
    snap = store.read(d, "values.csv")
    a, b = first_values(snap, 2)
    store.save(d, "values.csv", [RowChange(None, a, edited(a, note_en="in the app"))],
               base_version=snap.version, editor="app", allowed=YES)
    hand = _line(d, edited(b, note_en="by hand"))
    data_copy.replace("values.csv", _line(d, b), hand)
    by_hand = (d / "values.csv").read_bytes()
    top = store.history(d, "values.csv")[0]
    assert (top.editor, top.kind, top.changed, top.added, top.removed) == (store.OUTSIDE, "outside", 1, 0, 0)
    assert store.history_diff(d, top.id).changed == [(b, edited(b, note_en="by hand"))]
    assert top.checked and store.last_good(d, "values.csv") == by_hand  # loads without a whole-file error
    # an app save from the old view still merges with the hand edit
    c = first_values(snap, 3)[2]
    store.save(d, "values.csv", [RowChange(None, c, edited(c, note_en="app again"))],
               base_version=snap.version, editor="app", allowed=YES)
    now = {store._key_of(r, store.EDITABLE["values.csv"]): r["note_en"] for r in store.read(d, "values.csv").rows}
    key = store.EDITABLE["values.csv"]
    assert [now[store._key_of(x, key)] for x in (a, b, c)] == ["in the app", "by hand", "app again"]


def test_last_good_skips_versions_not_validated(data_copy):
    d = data_copy.path
    assert store.last_good(d, "values.csv") is None
    snap = store.read(d, "values.csv")
    a = first_values(snap, 1)[0]
    store.save(d, "values.csv", [RowChange(None, a, edited(a, note_en="ok"))], base_version=snap.version,
               editor="app", allowed=YES)
    good = (d / "values.csv").read_bytes()
    (d / "values.csv").write_bytes(b"province;indicator\n")  # broken by hand
    store.history(d)  # records it, not validated
    assert store.history(d, "values.csv")[0].checked is False
    assert store.last_good(d, "values.csv") == good


def test_changes_since_an_old_data_version(data_copy):
    d = data_copy.path
    v0 = store.data_version(d)
    assert store.changes_since(d, v0) == []
    assert store.changes_since(d, "0123456789ab") is None
    snap = store.read(d, "industrial_zones.csv")
    z = snap.rows[0]
    store.save(d, "industrial_zones.csv", [RowChange(None, z, edited(z, status_date="2024-01"))],
               base_version=snap.version, editor="app", allowed=YES)
    v1 = store.data_version(d)
    (diff_,) = store.changes_since(d, v0)
    assert diff_.file == "industrial_zones.csv" and diff_.changed == [(z, edited(z, status_date="2024-01"))]
    assert store.changes_since(d, v1) == []
    src = store.read(d, "sources.yaml")
    s = src.rows[0]
    store.save(d, "sources.yaml", [RowChange(None, s, edited(s, confidence="high"))], base_version=src.version,
               editor="app", allowed=YES)
    assert sorted(x.file for x in store.changes_since(d, v0)) == ["industrial_zones.csv", "sources.yaml"]
    assert [x.file for x in store.changes_since(d, v1)] == ["sources.yaml"]
    assert "1" in store.changes_since(d, v1)[0].summary("vi")


def test_data_version_changes_on_any_edit_and_is_stable(data_copy):
    d = data_copy.path
    v = store.data_version(d)
    assert len(v) == 12 and v == store.data_version(d)
    seen = {v}
    for name in ["values.csv", "national/pci.csv", "provinces.yaml", "geo/provinces_2024.geojson",
                 "indicators.yaml", "dataset.yaml", "sources.yaml", "industrial_zones.csv"]:
        p = d / name
        p.write_bytes(p.read_bytes() + b"\n")
        now = store.data_version(d)
        assert now not in seen, name
        seen.add(now)
    import shutil
    shutil.copytree(d, d.parent / "copy" / d.name)  # other times, other folder: same content, same version
    assert store.data_version(d.parent / "copy" / d.name) == now
    (d / store.HISTORY_DIR).mkdir()
    (d / store.HISTORY_DIR / "x.csv").write_text("a\n")
    (d / "raw" / "SOURCES.md").write_text("changed")  # the loader never reads raw/
    assert store.data_version(d) in seen


def test_history_folder_is_invisible_to_loader_package_and_bundle(data_copy):
    d = data_copy.path
    fingerprint = data_copy.load().fingerprint
    snap = store.read(d, "values.csv")
    a = first_values(snap, 1)[0]
    store.save(d, "values.csv", [RowChange(None, a, edited(a, note_en="x"))], base_version=snap.version,
               editor="app", allowed=YES)
    store.save(d, "values.csv", [RowChange(None, edited(a, note_en="x"), a)],
               base_version=store.read(d, "values.csv").version, editor="app", allowed=YES)
    hist = d / store.HISTORY_DIR
    assert (hist / store.INDEX).is_file() and list((hist / "values").glob("*.csv"))
    assert data_copy.load().fingerprint == fingerprint
    from dashboard import datapackage
    assert not [r for r in datapackage.build(d)["resources"] if ".history" in r["path"]]
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_offline_bundle
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert store.HISTORY_DIR in build_offline_bundle.IGNORE(str(d), os.listdir(d))
    assert "values.csv" not in build_offline_bundle.IGNORE(str(d), os.listdir(d))


def test_diff_and_summary():
    old = [{"id": "a", "x": "1"}, {"id": "b", "x": "2"}]
    new = [{"id": "b", "x": "3"}, {"id": "c", "x": "4"}]
    d = store.diff(old, new, ("id",), "industrial_zones.csv")
    assert d.added == [{"id": "c", "x": "4"}] and d.removed == [{"id": "a", "x": "1"}]
    assert d.changed == [({"id": "b", "x": "2"}, {"id": "b", "x": "3"})]
    assert d.summary("en") == "industrial_zones.csv: 1 rows added, 1 changed, 1 removed."
    assert [(c.key, c.before is None, c.after is None) for c in d.changes()] == [
        (("c",), True, False), (("b",), False, False), (("a",), False, True)]
    assert not store.diff(old, old, ("id",))


def test_threads_of_one_server_saving_at_once_and_partial_rows(data_copy):
    """Streamlit sessions are threads of one process: the lock holds between them too; a
    column left out of ``after`` keeps its cell."""
    import threading

    d = data_copy.path
    snap = store.read(d, "values.csv")
    rows = first_values(snap, 3)
    errors = []

    def go(i, r):
        try:
            store.save(d, "values.csv", [RowChange(None, r, {"note_en": f"thread {i}"})],
                       base_version=snap.version, editor=f"thread {i}", allowed=YES)
        except Exception as err:  # noqa: BLE001 - reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=go, args=(i, r)) for i, r in enumerate(rows)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert errors == []
    key = store.EDITABLE["values.csv"]
    now = {store._key_of(r, key): r for r in store.read(d, "values.csv").rows}
    for i, r in enumerate(rows):
        assert now[store._key_of(r, key)] == edited(r, note_en=f"thread {i}")
    assert sorted(h.editor for h in store.history(d, "values.csv") if h.kind == "save") == [
        "thread 0", "thread 1", "thread 2"]


def test_restore_repairs_a_file_broken_by_hand(data_copy):
    d = data_copy.path
    original = (d / "industrial_zones.csv").read_bytes()
    store.note_data_version(d)  # the page records the versions it shows
    (d / "industrial_zones.csv").write_bytes(b"PK\x03\x04 an Excel workbook saved under the CSV name")
    with pytest.raises(Refused) as err:
        store.read(d, "industrial_zones.csv")
    assert err.value.code == "format" and "industrial_zones.csv" in err.value.message("vi")
    entries = store.history(d, "industrial_zones.csv")
    assert [(h.kind, h.checked) for h in entries] == [("outside", False), ("baseline", True)]
    assert store.last_good(d, "industrial_zones.csv") == original
    res = store.restore(d, entries[1].id, editor="admin", allowed=YES,
                        base_version=store.version_of(d, "industrial_zones.csv"))
    assert (d / "industrial_zones.csv").read_bytes() == original
    assert res.version == entries[1].version and not data_copy.load().errors


def test_yaml_field_both_value_and_parent_is_refused_with_its_place(data_copy):
    d = data_copy.path
    snap = store.read(d, "sources.yaml")
    s = next(r for r in snap.rows if r["licence"] == "unknown")
    with pytest.raises(Refused) as err:
        store.save(d, "sources.yaml", [RowChange(None, s, edited(s, **{"licence.name": "CC BY 4.0"}))],
                   base_version=snap.version, editor="t", allowed=YES)
    (p,) = err.value.problems
    assert (p.file, p.column, p.code) == ("data/sources.yaml", "licence.name", "yaml_shape")
    assert p.row == (d / "sources.yaml").read_text(encoding="utf-8").splitlines().index(f"- id: {s['id']}") + 1


def test_after_a_restart_a_broken_file_shows_its_last_saved_version(tmp_path):
    """The loader keeps no memory across a restart; the history supplies the last good version."""
    import shutil

    from dashboard import data as D

    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder, ignore=shutil.ignore_patterns(".history", "raw"))
    store.history(folder)  # the first look records the current, valid files
    good = (folder / "values.csv").read_bytes()
    (folder / "values.csv").write_text("province;indicator\n\x00broken", encoding="utf-8")
    D._LAST_GOOD.clear()  # a restarted server: nothing in memory
    ds = D.load_dataset(folder)
    assert "values.csv" in ds.stale_files
    assert len(ds.values) == len(D.load_dataset(ROOT / "data").values)
    assert any(p.code == "file_kept_last_good" for p in ds.problems)
    assert (folder / "values.csv").read_bytes() != good  # the broken file itself is left as it is
