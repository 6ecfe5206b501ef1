"""Whole-file failures: one guard per data file, the last good version kept, root cause first.

Each case breaks one file of a copy of ``data/`` the way a careless edit or a half-finished
save would. ``validate`` must exit 1 with the root cause as its first line, follow-on
errors summed up in one line and no traceback; the loader must never raise and must keep
the file's last good version when it had one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard import data as D
from dashboard.__main__ import main
from tests.conftest import ROOT

HOSTILE = ROOT / "tests" / "hostile" / "yaml"


def _nan_min(d: Path) -> None:
    p = d / "indicators.yaml"
    text = p.read_text(encoding="utf-8")
    i = text.index("    kind: count")  # the first indicator that counts something
    p.write_text(text[:i] + "    min: .nan\n" + text[i:], encoding="utf-8")


def _folder(d: Path) -> None:
    (d / "provinces.yaml").unlink()
    (d / "provinces.yaml").mkdir()


def _syntax(d: Path) -> None:
    p = d / "indicators.yaml"
    lines = p.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[19] = lines[19].rstrip("\n") + " : : [\n"
    p.write_text("".join(lines), encoding="utf-8")


def _hostile(name: str, target: str):
    def apply(d: Path) -> None:
        shutil.copy(HOSTILE / name, d / target)
    return apply


def _too_large(d: Path) -> None:
    with open(d / "sources.yaml", "ab") as fh:
        fh.write(b"#" * (D.MAX_FILE_BYTES + 1))


def _binary(d: Path) -> None:
    (d / "dataset.yaml").write_bytes(b"\xff\xfe\x00garbage\x00")


#: case -> (how to break the copy, the file named by the root cause, its message code)
CASES = {
    "nan_min": (_nan_min, "indicators.yaml", "not_finite"),
    "provinces_is_folder": (_folder, "provinces.yaml", "file_is_folder"),
    "yaml_syntax": (_syntax, "indicators.yaml", "yaml_syntax"),
    "alias_bomb": (_hostile("alias_bomb.yaml", "sources.yaml"), "sources.yaml", "yaml_syntax"),
    "list_not_mapping": (_hostile("list_not_mapping.yaml", "provinces.yaml"), "provinces.yaml",
                         "yaml_not_mapping"),
    "deep_nesting": (_hostile("deep_nesting.yaml", "provinces.yaml"), "provinces.yaml", "yaml_syntax"),
    "too_large": (_too_large, "sources.yaml", "file_too_large"),
    "not_utf8": (_binary, "dataset.yaml", "yaml_encoding"),
}


@pytest.fixture
def fresh_memory():
    """No last good versions: as after a server restart."""
    saved = dict(D._LAST_GOOD)
    D._LAST_GOOD.clear()
    yield
    D._LAST_GOOD.clear()
    D._LAST_GOOD.update(saved)


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_names_the_root_cause_first_without_traceback(case, data_copy, capsys, fresh_memory):
    breaker, file, code = CASES[case]
    breaker(data_copy.path)
    status = main(["validate", str(data_copy.path)])
    out = capsys.readouterr()
    assert status == 1
    assert "Traceback" not in out.out + out.err
    lines = out.out.splitlines()
    assert lines[0].startswith(f"data/{file}:"), lines[:3]
    ds = D.load_dataset(data_copy.path)
    roots = [p for p in ds.errors if not p.follow_on]
    assert roots[0].code == code and roots[0].file == f"data/{file}"
    # every other error line is either the follow-on summary or a genuine row error
    errors = [ln for ln in lines if not ln.startswith("(") and ":" in ln.split(" ")[0]]
    follow = [p for p in ds.problems if p.follow_on]
    if follow:
        assert sum("lỗi kéo theo" in ln for ln in lines) == 1
        assert all(p.is_error for p in follow)
    assert len([ln for ln in errors if "(cảnh báo)" not in ln]) == len(roots)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_file_keeps_its_last_good_version(case, data_copy):
    good = data_copy.load()
    breaker, file, _code = CASES[case]
    breaker(data_copy.path)
    bad = data_copy.load()
    assert file in bad.problem_files()
    if case == "nan_min":  # a record-level error: only that indicator and its rows go
        assert len(bad.indicators) == len(good.indicators) - 1
        return
    assert file in bad.stale_files
    assert len(bad.values) == len(good.values)
    assert len(bad.provinces) == len(good.provinces)
    assert bad.problem_files().count(file) == 1


def test_after_a_restart_the_file_is_missing_and_nothing_raises(data_copy, fresh_memory):
    _folder(data_copy.path)
    ds = data_copy.load()
    assert ds.provinces == {} and ds.values.empty
    assert [p.code for p in ds.errors if not p.follow_on] == ["file_is_folder"]
    assert ds.problem_files()[0] == "industrial_zones.csv" or "provinces.yaml" in ds.problem_files()


def test_an_exception_while_validating_a_file_becomes_a_problem(data_copy, monkeypatch):
    good = data_copy.load()

    def boom(*args, **kwargs):
        raise ZeroDivisionError("while checking")

    monkeypatch.setattr(D, "_check_zones", boom)
    ds = data_copy.load()
    crashed = [p for p in ds.errors if p.code == "file_crashed"]
    assert [p.file for p in crashed] == ["data/industrial_zones.csv"]
    assert "ZeroDivisionError" in crashed[0].params["detail"]
    # the last good version could not be processed either: the zones are missing, the rest stays
    assert ds.zones.empty and len(ds.values) == len(good.values)


def test_exception_messages_never_show_the_servers_path(data_copy, monkeypatch):
    def boom(*args, **kwargs):
        raise ValueError(f"cannot read {data_copy.path.resolve()}/values.csv")

    monkeypatch.setattr(D, "_check_values", boom)
    ds = data_copy.load()
    detail = next(p for p in ds.errors if p.code == "file_crashed").params["detail"]
    assert str(data_copy.path.parent) not in detail and "data/values.csv" in detail


def test_a_file_changing_while_read_is_read_again(tmp_path, monkeypatch):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n1,2\n")
    calls = {"n": 0}
    real = Path.read_bytes

    def flaky(self):
        calls["n"] += 1
        if self == path and calls["n"] == 2:  # the second read of the first attempt differs
            return b"a,b\n1,"
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", flaky)
    monkeypatch.setattr(D.time, "sleep", lambda s: None)
    assert D.read_stable(path) == b"a,b\n1,2\n"
    assert calls["n"] == 4  # two reads per attempt, the second attempt agreed


def test_a_file_that_never_settles_keeps_the_last_good_version(data_copy, monkeypatch):
    good = data_copy.load()
    target = data_copy.file("values.csv")
    real = Path.read_bytes
    counter = {"n": 0}

    def always_changing(self):
        if self == target:
            counter["n"] += 1
            return real(self) + b"#" * counter["n"]
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", always_changing)
    monkeypatch.setattr(D.time, "sleep", lambda s: None)
    ds = data_copy.load()
    assert [p.code for p in ds.errors] == ["file_unstable"]
    assert "values.csv" in ds.stale_files and len(ds.values) == len(good.values)
    assert counter["n"] == 2 * D.READ_ATTEMPTS


def test_banner_files_are_relative_and_listed_once(data_copy):
    data_copy.load()
    data_copy.file("values.csv").write_text("province;indicator\n", encoding="utf-8")
    data_copy.append_row("industrial_zones.csv", "x")
    ds = data_copy.load()
    files = ds.problem_files()
    assert files == sorted(set(files))
    assert "values.csv" in files and all(not f.startswith(("/", "data/")) for f in files)


def test_a_missing_data_folder_names_no_absolute_path(tmp_path):
    ds = D.load_dataset(tmp_path / "nowhere")
    assert all(not p.file.startswith("/") for p in ds.problems)


def test_the_check_of_generated_files_is_reused_only_while_its_inputs_are_unchanged(data_copy):
    D._FAST_CACHE.clear()
    first = data_copy.load()
    entries = len(D._FAST_CACHE)
    assert entries >= 1
    again = data_copy.load()
    assert len(D._FAST_CACHE) == entries  # reused
    assert again.values.equals(first.values) and len(again.problems) == len(first.problems)
    data_copy.replace("provinces.yaml", "{id: quang-ninh,", "{id: quang-ninh-x,")
    changed = data_copy.load()
    assert not (changed.values["province"] == "quang-ninh").any()
    assert any(p.code == "unknown_province" and p.file.startswith("data/national/") for p in changed.errors)
