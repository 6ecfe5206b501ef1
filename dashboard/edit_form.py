"""What staff type in the editor page, turned into a change set for :mod:`dashboard.store`.

Pure functions (no Streamlit): the page shows a file as a table of strings, staff edit it
(or upload a CSV/XLSX), and :func:`changes_from_delta` / :func:`changes_from_upload` turn
the edit into row changes plus the problems that stop it, each naming file, row, column and
the fix in the page's language. Nothing here writes a file.

Numbers are typed as staff type them: ``3.390`` and ``8,58`` on a Vietnamese page,
``3390`` and ``8.58`` on an English one; the file always holds the canonical dot-decimal
form. A shape that reads as two different numbers in the two conventions (``3,390``: 3.39
or 3390) is refused with both readings, never guessed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

import pandas as pd
from babel.numbers import format_decimal

from . import csvio
from .csvio import DOT, VI, NumberError
from .i18n import t
from .schema import CONFIDENCE, PRECISION, QUALIFIERS, ZONE_KINDS, ZONE_STATUS, ValueRow, ZoneRow
from .store import EDITABLE, NUMBER_COLUMNS, Diff

#: Upload limits: anything larger or of another kind is refused before it is read.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_TYPES = ("csv", "xlsx")
MAX_UPLOAD_ROWS = 20000

_AMBIGUOUS = re.compile(r"[+-]?[0-9]{1,3},[0-9]{3}")
_BREAK = re.compile(r"[\r\n\x00\u2028\u2029]")


@dataclass(frozen=True)
class CellProblem:
    """A cell that stops a save: ``file:row:column`` and the message with its fix."""

    file: str
    row: int | None  # the line in the file (header = 1); None for a row not yet in the file
    column: str
    message: str

    def location(self) -> str:
        return f"{self.file}:{self.row if self.row is not None else '+'}:{self.column}"

    def text(self) -> str:
        return f"{self.location()}: {self.message}"


@dataclass
class Edit(Diff):
    """A change set (rows added, changed, removed: a :class:`dashboard.store.Diff`, saved as
    it is) and the problems that stop it."""

    problems: list[CellProblem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self

    @property
    def ok(self) -> bool:
        return not self.problems


# ----------------------------------------------------------------------------- numbers

def shown_number(canonical: str, lang: str) -> str:
    """A canonical file number as staff type it in ``lang`` (``3390`` -> ``3.390``), every digit kept."""
    text = (canonical or "").strip()
    if not text:
        return ""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    pattern = ("#,##0" if lang == "vi" else "0") + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale="vi_VN" if lang == "vi" else "en_US")


def typed_number(text: str, lang: str) -> str:
    """What a person typed in ``lang`` as the canonical file form; raises :class:`NumberError`.

    >>> typed_number("3.390", "vi"), typed_number("8,58", "vi"), typed_number("8.58", "en")
    ('3390', '8.58', '8.58')
    """
    raw = (text or "").strip()
    if _AMBIGUOUS.fullmatch(raw):
        # "3,390": 3,39 in Vietnamese, 3390 in English -- ask, never guess.
        raise NumberError("editor_ambiguous", text=raw, vi=raw.replace(",", "."), en=raw.replace(",", ""))
    if lang == "vi":
        return csvio.parse_number(raw, VI) or ""
    return csvio.parse_number(raw.replace(",", "") if re.fullmatch(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", raw)
                              else raw, DOT) or ""


def number_message(err: NumberError, lang: str) -> str:
    if err.code == "editor_ambiguous":
        return t("editor.ambiguous", lang, **err.params)
    if err.code == "number_vi_style":
        return t("editor.vi_style", lang, **err.params)
    return t(f"validation.{err.code}", lang, **err.params)


# ----------------------------------------------------------------------------- table <-> frame

def editor_frame(columns: Iterable[str], rows: Iterable[Mapping[str, str]], file: str, lang: str) -> pd.DataFrame:
    """The table staff edit: every cell a string, numbers in the page's style, the index
    the row's position in the file (0 = the first record)."""
    columns = list(columns)
    numbers = NUMBER_COLUMNS.get(file, ())
    records = []
    for row in rows:
        rec = {c: str(row.get(c, "") or "") for c in columns}
        for c in numbers:
            if c in rec:
                rec[c] = shown_number(rec[c], lang)
        records.append(rec)
    return pd.DataFrame(records, columns=columns, dtype="string").fillna("")


def choices(ds, file: str) -> dict[str, list[str]]:
    """Dropdown choices per column, from the schema and the dataset (ids, not names)."""
    provinces = sorted(ds.provinces)
    sources = sorted(ds.sources)
    common = {"province": provinces, "source": sources}
    if file == "values.csv":
        return {**common, "indicator": sorted(ds.indicators), "qualifier": list(QUALIFIERS),
                "confidence": [""] + list(CONFIDENCE)}
    if file == "industrial_zones.csv":
        return {**common, "kind": list(ZONE_KINDS), "status": list(ZONE_STATUS),
                "area_qualifier": list(QUALIFIERS), "location_precision": list(PRECISION)}
    return common


# ----------------------------------------------------------------------------- edits

def _clean_row(file: str, line: int | None, row: Mapping[str, Any], columns: list[str], lang: str,
               problems: list[CellProblem], typed: Iterable[str]) -> dict[str, str]:
    """A row as it will be written: strings, stripped; numbers in ``typed`` converted from
    the page's style; line breaks refused; a figure without a source refused."""
    numbers = set(NUMBER_COLUMNS.get(file, ()))
    out: dict[str, str] = {}
    for c in columns:
        v = row.get(c, "")
        text = "" if v is None or (isinstance(v, float) and v != v) or v is pd.NA else str(v)
        if _BREAK.search(text):
            problems.append(CellProblem(file, line, c, t("editor.line_break", lang)))
            text = _BREAK.sub(" ", text)
        text = text.strip()
        if c in numbers and c in typed and text:
            try:
                text = typed_number(text, lang)
            except NumberError as err:
                problems.append(CellProblem(file, line, c, number_message(err, lang)))
        out[c] = text
    if "source" in columns and not out.get("source"):
        problems.append(CellProblem(file, line, "source", t("editor.source_required", lang)))
    return out


def changes_from_delta(file: str, columns: list[str], rows: list[dict[str, str]], shown: pd.DataFrame,
                       delta: Mapping[str, Any] | None, lang: str) -> Edit:
    """The change set of an ``st.data_editor`` edit.

    ``rows`` are the file's records (canonical strings); ``shown`` the frame given to the
    editor (its index = the row's position in ``rows``, numbers in the page's style);
    ``delta`` the editor's state: ``edited_rows`` {position in ``shown``: {column: value}},
    ``added_rows`` [{column: value}], ``deleted_rows`` [position in ``shown``].
    """
    delta = delta or {}
    problems: list[CellProblem] = []
    index = list(shown.index)
    changed, removed, added = [], [], []
    deleted = {int(p) for p in delta.get("deleted_rows", []) or []}
    for pos in sorted(deleted):
        if 0 <= pos < len(index):
            removed.append(dict(rows[int(index[pos])]))
    for pos, cells in sorted((int(k), v) for k, v in (delta.get("edited_rows") or {}).items()):
        if pos in deleted or not 0 <= pos < len(index):
            continue
        at = int(index[pos])
        before = dict(rows[at])
        merged = {**before, **{c: v for c, v in (cells or {}).items() if c in columns}}
        after = _clean_row(file, at + 2, merged, columns, lang, problems, typed=(cells or {}).keys())
        if after != before:
            changed.append((before, after))
    for i, cells in enumerate(delta.get("added_rows") or []):
        if not any(str(v or "").strip() for v in (cells or {}).values()):
            continue  # an empty new line the grid adds by itself
        after = _clean_row(file, None, {c: (cells or {}).get(c, "") for c in columns}, columns, lang,
                           problems, typed=columns)
        added.append(after)
    return Edit(file, added, changed, removed, problems)


def key_of(file: str, row: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(str(row.get(c, "") or "") for c in EDITABLE[file])


def changes_from_upload(file: str, columns: list[str], rows: list[dict[str, str]],
                        uploaded: list[dict[str, str]], mode: str, lang: str,
                        problems: list[CellProblem] | None = None) -> Edit:
    """Rows of an uploaded table against the file: ``append`` adds new keys and updates
    existing ones; ``replace`` also removes the rows the upload does not have."""
    problems = list(problems or [])
    current = {key_of(file, r): r for r in rows}
    seen: dict[tuple, int] = {}
    added, changed = [], []
    for n, row in enumerate(uploaded, start=2):
        clean = _clean_row(file, n, row, columns, lang, problems, typed=())
        key = key_of(file, clean)
        if key in seen:
            problems.append(CellProblem(file, n, EDITABLE[file][0],
                                        t("editor.upload_duplicate", lang, first=seen[key])))
            continue
        seen[key] = n
        old = current.get(key)
        if old is None:
            added.append(clean)
        elif {c: old.get(c, "") for c in columns} != clean:
            changed.append((dict(old), clean))
    removed = [dict(r) for k, r in current.items() if k not in seen] if mode == "replace" else []
    return Edit(file, added, changed, removed, problems)


# ----------------------------------------------------------------------------- uploads

def read_upload(name: str, raw: bytes, file: str, columns: list[str], lang: str
                ) -> tuple[list[dict[str, str]], list[CellProblem]]:
    """An uploaded CSV (any export: BOM, ``;``, decimal commas) or XLSX as rows of strings
    in the file's canonical form, with the problems that stop it."""
    shown = f"{name}"
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in UPLOAD_TYPES:
        return [], [CellProblem(shown, None, "-", t("editor.upload_type", lang, types=", ".join(UPLOAD_TYPES)))]
    if len(raw) > MAX_UPLOAD_BYTES:
        return [], [CellProblem(shown, None, "-", t("editor.upload_size", lang, mb=MAX_UPLOAD_BYTES // (1024 * 1024)))]
    if ext == "xlsx":
        header, records, problems = _read_xlsx(raw, shown, lang)
        style = DOT
    else:
        table = csvio.parse_table(raw, shown)
        problems = [CellProblem(shown, p.row, p.column or "-", p.message(lang)) for p in table.problems
                    if p.is_error]
        header, records, style = list(table.header), [dict(r) for _, r in table.rows], table.style
    missing = [c for c in columns if c not in header and c in _required(file)]
    unknown = [c for c in header if c not in columns]
    if missing:
        problems.append(CellProblem(shown, 1, ", ".join(missing), t("editor.upload_missing", lang, columns=", ".join(missing))))
    if unknown:
        problems.append(CellProblem(shown, 1, ", ".join(unknown), t("editor.upload_unknown", lang, columns=", ".join(unknown))))
    if len(records) > MAX_UPLOAD_ROWS:
        problems.append(CellProblem(shown, None, "-", t("editor.upload_rows", lang, n=MAX_UPLOAD_ROWS)))
        records = records[:MAX_UPLOAD_ROWS]
    numbers = NUMBER_COLUMNS.get(file, ())
    out = []
    for n, rec in enumerate(records, start=2):
        row = {c: str(rec.get(c, "") or "").strip() for c in columns}
        for c in numbers:
            if row.get(c):
                try:
                    row[c] = csvio.parse_number(row[c], style) or ""
                except NumberError as err:
                    problems.append(CellProblem(shown, n, c, t(f"validation.{err.code}", lang, **err.params)))
        out.append(row)
    return out, problems


def _required(file: str) -> tuple[str, ...]:
    """The columns an upload must have: the record model's required fields."""
    model = {"values.csv": ValueRow, "industrial_zones.csv": ZoneRow}.get(file)
    return tuple(n for n, f in model.model_fields.items() if f.is_required()) if model else ()


def _read_xlsx(raw: bytes, shown: str, lang: str) -> tuple[list[str], list[dict[str, str]], list[CellProblem]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a damaged or disguised file is a message, not a crash
        return [], [], [CellProblem(shown, None, "-", t("editor.upload_unreadable", lang))]
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        head = next(it, None) or ()
        header = [str(h).strip() if h is not None else "" for h in head]
        records = []
        for i, values in enumerate(it):
            if i >= MAX_UPLOAD_ROWS + 1:
                break
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            records.append({h: _xlsx_cell(v) for h, v in zip(header, values) if h})
        return header, records, []
    finally:
        wb.close()


def _xlsx_cell(value: Any) -> str:
    """A spreadsheet cell as text: numbers keep the digits Excel stores (no float noise)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)
