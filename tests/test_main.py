"""The validate command staff and CI run: output format and exit codes."""

import subprocess
import sys

from tests.conftest import ROOT


def run(*args):
    return subprocess.run([sys.executable, "-m", "dashboard", "validate", *args],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8")


def test_shipped_data_exits_zero():
    res = run("data")
    assert res.returncode == 0, res.stdout[-2000:]
    assert "0 lỗi" in res.stdout


def test_bad_data_exits_one_with_file_row_column(data_copy):
    n = data_copy.append_row("values.csv", "ha-noi-x,party_orgs_private_enterprises,2019,100,,,,,,"
                                           "exchange_meeting_2023,,,,,")
    res = run(str(data_copy.path), "--lang", "en")
    assert res.returncode == 1
    line = next(ln for ln in res.stdout.splitlines() if "ha-noi-x" in ln)
    assert line.startswith(f"data/values.csv:{n}:province: ")
    assert "provinces.yaml" in line


def test_whole_file_problem_uses_dash(data_copy):
    data_copy.file("industrial_zones.csv").unlink()
    res = run(str(data_copy.path))
    assert res.returncode == 1
    assert any(ln.startswith("data/industrial_zones.csv:-:-: ") for ln in res.stdout.splitlines())


def test_messages_are_vietnamese_by_default(data_copy):
    data_copy.append_row("values.csv", "hai-duong,party_orgs_private_enterprises,2019,\"8,5\",,,,,,"
                                       "exchange_meeting_2023,,,,,")
    vi, en = run(str(data_copy.path)), run(str(data_copy.path), "--lang", "en")
    assert "không phải là số" in vi.stdout
    assert "is not a number" in en.stdout
