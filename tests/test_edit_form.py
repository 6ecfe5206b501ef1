"""What staff type in the editor page becomes a change set, or a message naming the cell."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import Workbook

from dashboard import edit_form as E
from dashboard.csvio import NumberError

COLUMNS = ["province", "indicator", "period", "value", "qualifier", "source", "note_vi", "scope", "district"]
ROWS = [
    {"province": "thai-nguyen", "indicator": "grdp_growth", "period": "2023", "value": "6.9", "qualifier": "",
     "source": "s1", "note_vi": "", "scope": "", "district": ""},
    {"province": "hai-duong", "indicator": "grdp_growth", "period": "2023", "value": "8.58", "qualifier": "",
     "source": "s1", "note_vi": "", "scope": "", "district": ""},
    {"province": "hai-duong", "indicator": "party_members", "period": "2023", "value": "3390", "qualifier": ">",
     "source": "s2", "note_vi": "", "scope": "", "district": ""},
]


def shown(lang="vi"):
    return E.editor_frame(COLUMNS, ROWS, "values.csv", lang)


@pytest.mark.parametrize("typed,lang,canonical", [
    ("3.390", "vi", "3390"), ("8,58", "vi", "8.58"), ("1.234,5", "vi", "1234.5"), ("-2,5", "vi", "-2.5"),
    ("3390", "en", "3390"), ("8.58", "en", "8.58"), ("12,345.6", "en", "12345.6"), ("42", "vi", "42"),
])
def test_numbers_typed_as_staff_type_them(typed, lang, canonical):
    assert E.typed_number(typed, lang) == canonical


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_comma_before_three_digits_is_refused_with_both_readings(lang):
    with pytest.raises(NumberError) as err:
        E.typed_number("3,390", lang)
    message = E.number_message(err.value, lang)
    assert "3.390" in message and "3390" in message


@pytest.mark.parametrize("typed", ["8.5", "abc", "1e5", "12%"])
def test_numbers_the_vietnamese_page_cannot_read_are_refused(typed):
    with pytest.raises(NumberError):
        E.typed_number(typed, "vi")


def test_the_grid_shows_numbers_in_the_page_style_with_every_digit():
    assert list(shown("vi")["value"]) == ["6,9", "8,58", "3.390"]
    assert list(shown("en")["value"]) == ["6.9", "8.58", "3390"]
    assert E.shown_number("1234.50", "vi") == "1.234,50"


def test_an_edited_cell_becomes_one_changed_row_in_canonical_form():
    edit = E.changes_from_delta("values.csv", COLUMNS, ROWS, shown(), {"edited_rows": {1: {"value": "8,6"}}}, "vi")
    assert edit.ok and not edit.added and not edit.removed
    [(before, after)] = edit.changed
    assert before["value"] == "8.58" and after["value"] == "8.6"
    assert {k: v for k, v in after.items() if k != "value"} == {k: v for k, v in ROWS[1].items() if k != "value"}


def test_untouched_cells_of_an_edited_row_are_not_reparsed():
    # the value is shown as "3.390" but only the note was edited: the file keeps 3390
    edit = E.changes_from_delta("values.csv", COLUMNS, ROWS, shown(), {"edited_rows": {2: {"note_vi": "mới"}}}, "vi")
    [(_, after)] = edit.changed
    assert after["value"] == "3390" and after["note_vi"] == "mới"


def test_a_filtered_grid_maps_positions_back_to_file_rows():
    frame = shown()
    only_hd = frame[frame["province"] == "hai-duong"]  # positions 0,1 = file rows 1,2
    edit = E.changes_from_delta("values.csv", COLUMNS, ROWS, only_hd,
                                {"edited_rows": {1: {"value": "3.400"}}, "deleted_rows": [0]}, "vi")
    assert edit.removed == [ROWS[1]]
    assert edit.changed[0][0] == ROWS[2] and edit.changed[0][1]["value"] == "3400"


def test_a_bad_cell_names_file_row_column_and_fix():
    edit = E.changes_from_delta("values.csv", COLUMNS, ROWS, shown(),
                                {"edited_rows": {0: {"value": "3,390"}, 1: {"note_vi": "a\nb"}}}, "vi")
    assert not edit.ok
    texts = [p.text() for p in edit.problems]
    assert any(x.startswith("values.csv:2:value:") and "3390" in x for x in texts)
    assert any(x.startswith("values.csv:3:note_vi:") for x in texts)


def test_a_new_row_needs_a_source():
    delta = {"added_rows": [{"province": "thai-nguyen", "indicator": "grdp_growth", "period": "2024", "value": "7,6"}]}
    edit = E.changes_from_delta("values.csv", COLUMNS, ROWS, shown(), delta, "vi")
    assert [p.column for p in edit.problems] == ["source"]
    delta["added_rows"][0]["source"] = "s1"
    edit = E.changes_from_delta("values.csv", COLUMNS, ROWS, shown(), delta, "vi")
    assert edit.ok and edit.added[0]["value"] == "7.6" and edit.added[0]["qualifier"] == ""


def test_the_empty_line_the_grid_adds_is_ignored():
    edit = E.changes_from_delta("values.csv", COLUMNS, ROWS, shown(), {"added_rows": [{}, {"value": None}]}, "vi")
    assert edit.empty and edit.ok


def test_excel_csv_upload_appends_and_updates_by_key():
    raw = ("\ufeffprovince;indicator;period;value;qualifier;source;note_vi;scope;district\r\n"
           "hai-duong;grdp_growth;2023;8,6;;s1;;;\r\n"
           "hai-duong;grdp_growth;2024;9,1;;s1;;;\r\n").encode("utf-8")
    rows, problems = E.read_upload("xuat.csv", raw, "values.csv", COLUMNS, "vi")
    assert problems == []
    edit = E.changes_from_upload("values.csv", COLUMNS, ROWS, rows, "append", "vi")
    assert [r["period"] for r in edit.added] == ["2024"] and edit.added[0]["value"] == "9.1"
    assert edit.changed[0][1]["value"] == "8.6" and not edit.removed
    replace = E.changes_from_upload("values.csv", COLUMNS, ROWS, rows, "replace", "vi")
    assert len(replace.removed) == 2  # the rows the upload does not have


def test_xlsx_upload_keeps_digits_and_flags_unknown_columns():
    wb = Workbook()
    ws = wb.active
    ws.append(["province", "indicator", "period", "value", "source", "extra"])
    ws.append(["thai-nguyen", "grdp_growth", 2024, 7.62, "s1", "x"])
    buf = io.BytesIO()
    wb.save(buf)
    rows, problems = E.read_upload("bang.xlsx", buf.getvalue(), "values.csv", COLUMNS, "vi")
    assert rows[0]["value"] == "7.62" and rows[0]["period"] == "2024"
    assert [p.column for p in problems] == ["extra"]


@pytest.mark.parametrize("name,raw", [("x.exe", b"MZ"), ("x.xlsx", b"not a zip"), ("x.csv", b"\x00\x01\x02" * 10)])
def test_uploads_of_the_wrong_kind_are_refused_with_a_message(name, raw):
    rows, problems = E.read_upload(name, raw, "values.csv", COLUMNS, "vi")
    assert rows == [] and problems and all(p.message for p in problems)


def test_duplicate_keys_in_an_upload_are_refused():
    uploaded = [dict(ROWS[0]), dict(ROWS[0], value="7")]
    edit = E.changes_from_upload("values.csv", COLUMNS, ROWS, uploaded, "append", "vi")
    assert [p.row for p in edit.problems] == [3]
