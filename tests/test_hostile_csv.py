"""Hostile CSV input: every case is refused with a message naming file, line and fix,
or read correctly — and never takes the app or the validate command down.

Each file in ``tests/hostile/csv/`` is one case, built from the real ``data/values.csv``
header and a few real rows (rows 2–4 are clean, the hostile content is on the row given
below). Large cases (cells over the limits) are generated here instead of stored.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from dashboard.__main__ import main
from dashboard.csvio import CELL_LIMIT, VI, parse_table, read_table
from dashboard.i18n import catalogue
from tests.conftest import DATA

HOSTILE = Path(__file__).resolve().parent / "hostile" / "csv"
HEADER = (DATA / "values.csv").read_text(encoding="utf-8").splitlines()[0]
ROWS = (DATA / "values.csv").read_text(encoding="utf-8").splitlines()[1:4]

#: case -> (row, column, problem code) the validate command must print; row/column
#: None print as "-". Every case is refused (exit status 1).
REFUSED = {
    # numbers
    "nan_semicolon": (5, "value", "number_not_finite"),
    "nan_comma": (5, "value", "number_not_finite"),
    "infinity_semicolon": (6, "value", "number_not_finite"),
    "excel_error_semicolon": (5, "value", "number_not_finite"),
    "too_precise": (5, "value", "number_too_precise"),
    "too_large": (5, "value", "number_out_of_range"),
    "exponent": (5, "value", "number_exponent"),
    "exponent_semicolon": (5, "value", "number_exponent"),
    "fullwidth_value": (5, "value", "non_ascii_digits"),
    "arabic_indic_value_semicolon": (5, "value", "non_ascii_digits"),
    # digits and periods
    "fullwidth_period": (5, "period", "non_ascii_digits"),
    "fullwidth_rank_of": (5, "rank_of", "non_ascii_digits"),
    "fullwidth_district": (5, "district", "non_ascii_digits"),
    "period_future": (5, "period", "period_future"),
    # quotes and line breaks
    "unclosed_quote": (3, "note", "quote_unclosed"),
    "unclosed_quote_cr": (3, "note", "quote_unclosed"),
    "multiline_cell": (2, "note", "quote_unclosed"),
    "header_unclosed_quote": (1, None, "quote_unclosed"),
    "ragged": (5, None, "too_many_cells"),
    # header and file shape
    "header_only": (None, None, "no_records"),
    "header_only_blank_lines": (None, None, "no_records"),
    "duplicate_header": (1, "value", "header_duplicate"),
    "empty_header_cell": (1, None, "header_empty"),
    "empty": (None, None, "empty_file"),
    "blank_lines": (None, None, "empty_file"),
    "binary_xlsx": (None, None, "file_binary"),
}
#: Read in full with a warning (exit status 0).
READ_WITH_WARNING = {
    "utf16_semicolon": (None, None, "encoding_utf16"),
    "damaged_encoding": (4, None, "encoding_damaged"),
}
#: Cases whose whole file cannot be used: no rows, ``Table.fatal``.
FATAL = {"header_only", "header_only_blank_lines", "duplicate_header", "empty", "blank_lines",
         "binary_xlsx", "header_unclosed_quote"}


def fragment(code: str, lang: str = "vi") -> str:
    """The longest fixed part of a message template: proof that this message was printed."""
    parts = re.split(r"\{[^}]*\}", catalogue(lang)[f"validation.{code}"])
    return max(parts, key=len).strip()


def validate(tmp_path: Path, content: bytes, capsys) -> tuple[int, list[str]]:
    """Run ``python -m dashboard validate`` on a copy of data/ with ``content`` as values.csv."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    (target / "values.csv").write_bytes(content)
    code = main(["validate", str(target)])
    return code, capsys.readouterr().out.splitlines()


def printed(lines: list[str], row, column, code: str) -> str:
    where = f"data/values.csv:{'-' if row is None else row}:{column or '-'}: "
    hits = [ln for ln in lines if ln.startswith(where) and fragment(code) in ln]
    assert hits, f"no line {where}… {code} in:\n" + "\n".join(lines[:20])
    return hits[0]


def test_every_stored_case_is_listed():
    stored = {p.stem for p in HOSTILE.glob("*.csv")}
    assert stored == set(REFUSED) | set(READ_WITH_WARNING)


@pytest.mark.parametrize("case,status", [(c, 1) for c in sorted(REFUSED)]
                         + [(c, 0) for c in sorted(READ_WITH_WARNING)])
def test_validate_names_file_and_line_of_each_case(case, status, tmp_path, capsys):
    """Refused cases exit 1; cases read with a warning exit 0 and keep every row."""
    row, column, code = {**REFUSED, **READ_WITH_WARNING}[case]
    got, lines = validate(tmp_path, (HOSTILE / f"{case}.csv").read_bytes(), capsys)
    assert got == status
    printed(lines, row, column, code)
    if status == 0:
        table = read_table(HOSTILE / f"{case}.csv", "data/values.csv")
        assert [r for r, _ in table.rows] == [2, 3, 4]


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_read_table_never_raises_and_flags_only_whole_file_cases(case):
    table = read_table(HOSTILE / f"{case}.csv", "data/values.csv")
    assert table.fatal == (case in FATAL)
    if table.fatal:
        assert table.rows == []
        assert any(p.is_error for p in table.problems)


def test_nan_and_infinity_in_semicolon_file_are_refused_every_one():
    table = read_table(HOSTILE / "infinity_semicolon.csv", "data/values.csv")
    assert table.style == VI
    assert [cells["value"] for _, cells in table.rows[3:]] == ["Infinity", "-Infinity", "inf"]


def test_unclosed_quote_loses_only_its_own_line():
    table = read_table(HOSTILE / "unclosed_quote.csv", "data/values.csv")
    assert [r for r, _ in table.rows] == [2, 4]
    [problem] = table.problems
    assert (problem.row, problem.column, problem.code) == (3, "note", "quote_unclosed")
    assert problem.params["letter"] == "O"


def test_cr_line_ends_keep_physical_line_numbers():
    lf = read_table(HOSTILE / "unclosed_quote.csv", "data/values.csv")
    cr = read_table(HOSTILE / "unclosed_quote_cr.csv", "data/values.csv")
    assert cr.rows == lf.rows


def test_multiline_cell_reports_its_first_line_and_reads_the_rest_on_their_own():
    table = read_table(HOSTILE / "multiline_cell.csv", "data/values.csv")
    assert [(p.row, p.code) for p in table.problems] == [(2, "quote_unclosed")]
    # the continuation line is a row of its own (it fails validation there, visibly) and
    # the following records are untouched
    assert [r for r, _ in table.rows] == [3, 4, 5]
    assert table.rows[0][1]["province"].startswith("Second part")
    assert table.rows[1][1]["province"] == "hai-duong"


def test_duplicate_header_names_both_positions():
    table = read_table(HOSTILE / "duplicate_header.csv", "data/values.csv")
    [problem] = table.problems
    assert problem.code == "header_duplicate"
    assert (problem.params["first"], problem.params["second"]) == (4, 14)
    assert (problem.params["first_letter"], problem.params["second_letter"]) == ("D", "N")


def test_period_in_next_year_is_refused(tmp_path, capsys):
    next_year = dt.date.today().year + 1
    this_year = dt.date.today().year
    rows = [ROWS[0].replace("2015-2023", f"{next_year}", 1),
            ROWS[1].replace("2015-2023", f"{this_year}", 1)]
    status, lines = validate(tmp_path, "\n".join([HEADER, *rows]).encode(), capsys)
    assert status == 1
    printed(lines, 2, "period", "period_future")
    assert not [ln for ln in lines if ln.startswith("data/values.csv:3:")]


def _long_note(n: int) -> bytes:
    row = ROWS[0].rsplit(",", 1)[0] + "," + "x" * n
    return "\n".join([HEADER, row, ROWS[1]]).encode()


def test_cell_over_the_limit_is_one_error_with_row_and_column(tmp_path, capsys):
    table = parse_table(_long_note(CELL_LIMIT + 1), "data/values.csv")
    assert [(p.row, p.column, p.code) for p in table.problems] == [(2, "note_en", "cell_too_long")]
    assert [r for r, _ in table.rows] == [3]
    ok = parse_table(_long_note(CELL_LIMIT), "data/values.csv")
    assert ok.problems == [] and len(ok.rows) == 2
    status, lines = validate(tmp_path, _long_note(CELL_LIMIT + 1), capsys)
    assert status == 1
    assert str(CELL_LIMIT) in printed(lines, 2, "note_en", "cell_too_long")


def test_stray_quote_before_128_kb_never_raises(tmp_path, capsys):
    row = ROWS[0].rsplit(",", 1)[0] + ',"' + "y" * 140_000
    content = "\n".join([HEADER, row, ROWS[1], ROWS[2]]).encode()
    table = parse_table(content, "data/values.csv")
    assert [(p.row, p.code) for p in table.problems] == [(2, "cell_too_long")]
    assert [r for r, _ in table.rows] == [3, 4]
    status, lines = validate(tmp_path, content, capsys)
    assert status == 1
    printed(lines, 2, None, "cell_too_long")


def test_cell_over_the_csv_field_limit_never_raises():
    content = "\n".join([HEADER, ROWS[0].rsplit(",", 1)[0] + "," + "z" * 200_000]).encode()
    table = parse_table(content, "data/values.csv")
    assert [(p.row, p.code) for p in table.problems] == [(2, "cell_too_long")]
    assert table.rows == [] and table.fatal
