"""Reading CSV files the way staff save them.

Staff edit ``data/*.csv`` in a text editor or in Excel. Excel on a Vietnamese Windows
writes a UTF-8 byte-order mark or Windows-1258 text, ``;`` between columns, decimal commas
(``8,58``) and dot thousands separators (``3.390`` = three thousand three hundred and
ninety). This module reads all of that correctly, or says exactly what to change; it never
silently misreads a number (``3.390`` never becomes ``3.39`` in a ``;`` file).

NOTE: the number style follows the delimiter. A ``,``-delimited file uses the package's own
convention (dot decimals, no grouping); a ``;``-delimited file uses Vietnamese style, parsed
strictly with Babel, so ``8.58`` in such a file is rejected instead of guessed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from babel.numbers import NumberFormatError, parse_decimal

from .problems import WARNING, Problem

DOT = "dot"  # 8.58, 3390
VI = "vi"  # 8,58, 3.390

_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_COMMA_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DOT_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")


class NumberError(ValueError):
    """A cell that is not a number in the file's style; ``code`` names the message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Table:
    """A CSV file read into strings, with the line number of every record."""

    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    style: str = DOT
    delimiter: str = ","
    encoding: str = "utf-8"
    problems: list[Problem] = field(default_factory=list)


def decode(raw: bytes) -> tuple[str, str]:
    """Decode file bytes: UTF-8 (with or without BOM), else Windows-1258. NFC-normalised."""
    if raw.startswith(b"\xef\xbb\xbf"):
        text, enc = raw[3:].decode("utf-8"), "utf-8-sig"
    else:
        try:
            text, enc = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, enc = raw.decode("cp1258", errors="replace"), "cp1258"
    return unicodedata.normalize("NFC", text), enc


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of a header line: the most frequent of ``,``, ``;`` and tab."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(path: Path, display: str) -> Table:
    """Read ``path`` into a :class:`Table`; raises ``OSError`` / ``UnicodeError`` only for I/O.

    Problems with the file's shape (ragged rows, empty header) are in ``Table.problems``.
    """
    raw = path.read_bytes()
    text, encoding = decode(raw)
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    delimiter = sniff_delimiter(first)
    style = VI if delimiter == ";" else DOT
    problems: list[Problem] = []
    if encoding == "cp1258":
        problems.append(Problem(display, None, None, "encoding_cp1258", severity=WARNING))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    for record_no, record in enumerate(reader, start=1):
        if not header:
            header = [h.strip().lstrip("\ufeff") for h in record]
            continue
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            problems.append(
                Problem(display, record_no, None, "too_many_cells",
                        {"n": len(record), "m": len(header), "delimiter": delimiter})
            )
            continue
        record = record + [""] * (len(header) - len(record))
        rows.append((record_no, {h: c.strip() for h, c in zip(header, record)}))
    if not header:
        problems.append(Problem(display, None, None, "empty_file"))
    return Table(display, header, rows, style, delimiter, encoding, problems)


def parse_number(text: str, style: str = DOT) -> str | None:
    """Parse a number cell into a canonical dot-decimal string, keeping its precision.

    Returns ``None`` for an empty cell; raises :class:`NumberError` otherwise.

    Examples
    --------
    >>> parse_number("8.58"), parse_number("8,58", VI), parse_number("3.390", VI)
    ('8.58', '8.58', '3390')
    """
    text = (text or "").strip().replace("\u00a0", " ")
    if not text:
        return None
    if text.endswith("%"):
        raise NumberError("number_percent_sign", text=text, fix=text.rstrip("%").strip())
    if " " in text:
        raise NumberError("number_spaces", text=text, fix=text.replace(" ", ""))
    if style == VI:
        try:
            value = parse_decimal(text, locale="vi_VN", strict=True)
        except NumberFormatError:
            raise NumberError("number_vi_style", text=text) from None
        if "," in text:
            digits = len(text.split(",", 1)[1])
            return f"{value:.{digits}f}"
        return str(value.quantize(Decimal(1)))
    if _PLAIN.match(text):
        return text.lstrip("+")
    if _COMMA_GROUPED.match(text):
        # "3,390" is either 3390 (grouped) or 3.39 (decimal comma): ask, never guess.
        raise NumberError("number_comma_ambiguous", text=text, grouped=text.replace(",", ""),
                          decimal=text.replace(",", ".", 1) if text.count(",") == 1 else "")
    if _DECIMAL_COMMA.match(text):
        raise NumberError("number_decimal_comma", text=text, fix=text.replace(",", "."))
    raise NumberError("not_a_number", text=text)


def looks_dot_grouped(text: str) -> bool:
    """True for ``3.390``-shaped cells: in a dot-decimal file they may be a misread thousands."""
    return bool(_DOT_GROUPED.match((text or "").strip()))
