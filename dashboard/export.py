"""Exports of what is on screen: CSV and XLSX tables with sources and qualifiers.

One module for every export so that each feature downloads the same columns.

Formula-injection safety: every *text* cell that a spreadsheet could read as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed, or
their full-width forms) is prefixed with ``'`` — ``-2+3+cmd|' /C calc'!A0`` included,
digits after ``-`` or not. Numbers stay numbers: columns of a numeric dtype are written
unchanged, and the figures table keeps the canonical value (and the rank base) numeric.
"""

from __future__ import annotations

import io
from typing import Iterable

import pandas as pd

from .i18n import t
from .present import figure_record

COLUMNS = ["province", "indicator", "period", "value", "display", "qualifier", "estimate", "unit",
           "scope", "rank_of", "confidence", "source", "source_producer", "source_url", "note"]


def figures_frame(ds, rows: pd.DataFrame | Iterable[pd.Series], lang: str) -> pd.DataFrame:
    """A display-ready table of figures with translated column headers."""
    if isinstance(rows, pd.DataFrame):
        rows = [r for _, r in rows.iterrows()]
    records = [figure_record(ds, r, lang) for r in rows]
    df = pd.DataFrame(records, columns=COLUMNS)
    # The canonical figure and the rank base are numbers, not text: a spreadsheet sums
    # them, and the formula guard below never has to touch a negative value.
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype("float64")
    df["rank_of"] = pd.to_numeric(df["rank_of"].replace("", None), errors="coerce").astype("Int64")
    return df.rename(columns={c: t(f"export.col.{c}", lang) for c in COLUMNS})


#: First characters that make a spreadsheet (Excel, LibreOffice, Google Sheets) read a
#: cell as a formula, with their full-width forms.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: object) -> object:
    """``value`` with a ``'`` in front when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def sanitise(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise formula-like text cells and headers; numeric columns stay unchanged."""
    out = df.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_datetime64_any_dtype(out[col])):
            out[col] = out[col].map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel opens Vietnamese text correctly), comma-delimited.

    Lines end in CRLF (RFC 4180), so any cell holding a CR or LF is quoted and cannot
    start a new row of its own. Numbers are written without a trailing ``.0``.
    """
    return sanitise(df).to_csv(index=False, float_format="%.15g", lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        sanitise(df).to_excel(writer, index=False, sheet_name=sheet[:31] or "data")
        ws = writer.sheets[sheet[:31] or "data"]
        for col in ws.columns:
            width = max(len(str(c.value or "")) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(60, max(10, width + 2))
    return buf.getvalue()
