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
    assert list(safe["a"]) == ["'=HYPERLINK(\"x\")", "'+1", "'@SUM(A1)", "'-x", "-2.5", "ok"]
    assert list(safe["n"]) == [1, 2, 3, 4, 5, 6]


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
