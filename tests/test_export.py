"""Exports: columns with sources and qualifiers; formula-injection safety."""

import io

import openpyxl
import pandas as pd

from dashboard import export


def test_figures_frame_columns_and_qualifiers(ds):
    rows = ds.rows("export_value", ["thai-nguyen"], period="2022")
    df = export.figures_frame(ds, rows, "en")
    assert list(df.columns[:4]) == ["Province", "Indicator", "Period", "Value"]
    rec = df.iloc[0]
    assert rec["Qualifier"] == ">" and rec["Shown as"] == ">31 billion USD"
    assert rec["Source"] and rec["Period"] == "2022"


def test_formula_cells_are_neutralised():
    df = pd.DataFrame({"a": ["=HYPERLINK(\"x\")", "+1", "@SUM(A1)", "-x", "-2.5", "ok"], "n": [1, 2, 3, 4, 5, 6]})
    safe = export.sanitise(df)
    # text is text: "-2.5" in a text column is neutralised like any other leading "-"
    assert list(safe["a"]) == ["'=HYPERLINK(\"x\")", "'+1", "'@SUM(A1)", "'-x", "'-2.5", "ok"]
    assert list(safe["n"]) == [1, 2, 3, 4, 5, 6]


PAYLOADS = ["-2+3+cmd|' /C calc'!A0", "=1+1", "+1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "－2+3", "＝1+1"]


def test_minus_digit_payload_and_every_formula_start_is_neutralised():
    df = pd.DataFrame({"note": PAYLOADS + ["Thái Nguyên", "", "2-3"]})
    safe = export.sanitise(df)
    assert list(safe["note"]) == ["'" + p for p in PAYLOADS] + ["Thái Nguyên", "", "2-3"]
    raw = export.to_csv_bytes(df).decode("utf-8-sig")
    assert "\r\n'-2+3+cmd|' /C calc'!A0\r\n" in raw
    # a CR or LF inside a cell is quoted: it cannot start a row of its own ("=1")
    back = pd.read_csv(io.StringIO(raw), dtype=str, keep_default_na=False)
    assert back["note"].tolist() == safe["note"].tolist()


def test_numeric_columns_are_left_alone_in_csv_and_xlsx():
    df = pd.DataFrame({"value": [-3.5, -2.0, 8.58, 3390.0], "count": pd.array([-1, 2, None, 4], dtype="Int64"),
                       "text": ["-3.5", "-2+3", "a", "=x"]})
    safe = export.sanitise(df)
    assert safe["value"].tolist() == [-3.5, -2.0, 8.58, 3390.0]
    assert safe["count"].dtype == "Int64" and safe["count"].iloc[0] == -1
    assert safe["text"].tolist() == ["'-3.5", "'-2+3", "a", "'=x"]
    back = pd.read_csv(io.BytesIO(export.to_csv_bytes(df)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back["value"].tolist() == ["-3.5", "-2", "8.58", "3390"]  # numbers, no "'" and no ".0"
    assert back["count"].tolist() == ["-1", "2", "", "4"]
    ws = openpyxl.load_workbook(io.BytesIO(export.to_xlsx_bytes(df, "n"))).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [-3.5, -2, 8.58, 3390]
    assert [r[2] for r in rows] == ["'-3.5", "'-2+3", "a", "'=x"]


def test_figures_frame_keeps_the_value_numeric_and_neutralises_negative_text(ds):
    rows = ds.rows("grdp_growth", ["thai-nguyen"]).head(2).copy()
    rows["value"], rows["value_text"] = [-3.5, 12.0], ["-3.5", "12.0"]
    rows["note_en"] = rows["note_vi"] = ["-2+3+cmd|' /C calc'!A0", ""]
    df = export.figures_frame(ds, rows, "en")
    assert pd.api.types.is_float_dtype(df["Value"]) and df["Value"].tolist() == [-3.5, 12.0]
    assert pd.api.types.is_integer_dtype(df["Out of"])
    back = pd.read_csv(io.BytesIO(export.to_csv_bytes(df)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back["Value"].tolist() == ["-3.5", "12"]
    assert back["Note"].tolist() == ["'-2+3+cmd|' /C calc'!A0", ""]
    assert back["Shown as"].iloc[0] == "'-3.5%"  # the display text starts with "-": text, so prefixed


def test_csv_has_bom_and_round_trips(ds):
    df = export.figures_frame(ds, ds.rows("dti_rank"), "vi")
    raw = export.to_csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str)
    assert len(back) == len(df) and "Tỉnh" in back.columns


def test_xlsx_contains_the_rows_and_no_formulas(ds):
    df = export.figures_frame(ds, ds.rows("dti_rank"), "vi")
    df.loc[0, "Ghi chú"] = "=1+1"
    wb = openpyxl.load_workbook(io.BytesIO(export.to_xlsx_bytes(df, "dti")))
    ws = wb["dti"]
    assert ws.max_row == len(df) + 1
    assert all(not (isinstance(c.value, str) and c.value.startswith("=")) for row in ws.iter_rows() for c in row)
