"""Reading CSV the way staff save it: BOM, Windows-1258, semicolons, decimal commas."""

import pytest

from dashboard.csvio import DOT, VI, NumberError, decode, parse_number, read_table, sniff_delimiter


@pytest.mark.parametrize("text,style,expected", [
    ("8.58", DOT, "8.58"),
    ("3390", DOT, "3390"),
    ("-2.1", DOT, "-2.1"),
    ("10.50", DOT, "10.50"),
    ("8,58", VI, "8.58"),
    ("3.390", VI, "3390"),
    ("1.234.567,5", VI, "1234567.5"),
    ("10,50", VI, "10.50"),
    ("", DOT, None),
])
def test_parse_number_keeps_stated_precision(text, style, expected):
    assert parse_number(text, style) == expected


@pytest.mark.parametrize("text,style,code", [
    ("8,58", DOT, "number_decimal_comma"),
    ("3,390", DOT, "number_comma_ambiguous"),
    ("8.58", VI, "number_vi_style"),
    ("8,58%", VI, "number_percent_sign"),
    ("3 390", DOT, "number_spaces"),
    ("abc", DOT, "not_a_number"),
])
def test_parse_number_rejects_with_a_named_fix(text, style, code):
    with pytest.raises(NumberError) as err:
        parse_number(text, style)
    assert err.value.code == code


def test_three_thousand_three_hundred_ninety_is_never_3_39():
    assert parse_number("3.390", VI) == "3390"
    with pytest.raises(NumberError):
        parse_number("3,390", DOT)


def test_decode_bom_and_windows_1258():
    text, enc = decode("\ufeffprovince,name\n".encode("utf-8"))
    assert enc == "utf-8-sig" and text.startswith("province")
    # "Hải Dương" in Windows-1258 uses combining tone marks; decoding gives NFC text.
    raw = "Ha\u0309i Dương".encode("cp1258")
    text, enc = decode(raw)
    assert enc == "cp1258"
    assert text == "Hải Dương"


def test_sniff_delimiter():
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter("a,b,c") == ","
    assert sniff_delimiter("a\tb") == "\t"


def test_read_table_semicolon_file_uses_vietnamese_numbers(tmp_path):
    p = tmp_path / "v.csv"
    p.write_bytes("\ufeffprovince;value\nhai-duong;3.390\n".encode("utf-8"))
    table = read_table(p, "data/v.csv")
    assert table.style == VI and table.delimiter == ";"
    assert table.header == ["province", "value"]
    assert table.rows == [(2, {"province": "hai-duong", "value": "3.390"})]


def test_read_table_reports_ragged_rows_with_their_row(tmp_path):
    p = tmp_path / "v.csv"
    p.write_text("a,b\n1,2\n1,2,3\n", encoding="utf-8")
    table = read_table(p, "data/v.csv")
    assert [(pr.row, pr.code) for pr in table.problems] == [(3, "too_many_cells")]
    assert len(table.rows) == 1
