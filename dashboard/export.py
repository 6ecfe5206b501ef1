"""Exports of what is on screen: CSV and XLSX tables with sources and qualifiers.

One module for every export so that each feature downloads the same columns. Cells that
a spreadsheet would run as a formula (starting with ``=``, ``+``, ``@``, a tab, or ``-``
not followed by a digit) are prefixed with ``'`` (formula-injection safety).
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
    return df.rename(columns={c: t(f"export.col.{c}", lang) for c in COLUMNS})


def _safe_cell(value: object) -> object:
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    if first in "=+@\t\r" or (first == "-" and not (len(value) > 1 and (value[1].isdigit() or value[1] == "."))):
        return "'" + value
    return value


def sanitise(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise formula-like text cells (values stay otherwise unchanged)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_safe_cell)
    out.columns = [_safe_cell(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel opens Vietnamese text correctly), comma-delimited."""
    return sanitise(df).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        sanitise(df).to_excel(writer, index=False, sheet_name=sheet[:31] or "data")
        ws = writer.sheets[sheet[:31] or "data"]
        for col in ws.columns:
            width = max(len(str(c.value or "")) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(60, max(10, width + 2))
    return buf.getvalue()
