"""Reading CSV files the way staff save them, and refusing what cannot be read safely.

Staff edit ``data/*.csv`` in a text editor or in Excel. Excel on a Vietnamese Windows
writes a UTF-8 byte-order mark or Windows-1258 text, ``;`` between columns, decimal commas
(``8,58``) and dot thousands separators (``3.390`` = three thousand three hundred and
ninety). This module reads all of that correctly, or says exactly what to change; it never
silently misreads a number (``3.390`` never becomes ``3.39`` in a ``;`` file).

NOTE: the number style follows the delimiter. A ``,``-delimited file uses the package's own
convention (dot decimals, no grouping); a ``;``-delimited file uses Vietnamese style, parsed
strictly with Babel, so ``8.58`` in such a file is rejected instead of guessed.

Records are lines
    Our data files never contain a line break inside a cell, so every physical line
    (``\\n``, ``\\r\\n`` or ``\\r``) is read as exactly one record, with the :mod:`csv`
    module doing the quoting rules of that line. A line whose quote (``"``) is still open
    at its end is an error named by that line, and the line is left out. The lines after
    it are read on their own: with CSV's usual rule (a quoted cell runs on until its
    closing quote) one stray ``"`` would swallow every following row into one giant cell,
    and an Excel cell with a line break (Alt+Enter) would hide its record. Reading line by
    line loses only the line with the open quote; the continuation lines of a real
    multi-line cell then show up as rows with their own problems, never silently. Row
    numbers are physical line numbers: the header is row 1.

Nothing about a file's content raises
    :func:`parse_table` turns everything it finds (an unreadable line, a cell over
    :data:`CELL_LIMIT` characters, duplicated or empty column names, no records) into
    :class:`~dashboard.problems.Problem` s. When nothing sensible can be read (empty file,
    not a text file, a header that cannot be used, no records) :attr:`Table.fatal` is set
    and ``Table.rows`` is empty: the loader then keeps the last good version of the file.

Numbers
    :func:`parse_number` accepts only ASCII digits 0–9, finite values written out in full
    (no ``NaN``, ``Infinity``, ``#DIV/0!``, ``1E+15``), at most :data:`MAX_DIGITS` digits
    from the first non-zero one, and sizes from 10^-15 to below 10^15, so every accepted
    value is exactly what a float gives back.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from pathlib import Path

from babel.numbers import NumberFormatError, parse_decimal

from .problems import ERROR, WARNING, Problem

DOT = "dot"  # 8.58, 3390
VI = "vi"  # 8,58, 3.390

#: Longest cell accepted, in characters; a longer one is almost always a stray quote.
CELL_LIMIT = 5000
#: Significant digits a float keeps exactly (IEEE 754 double: 15 decimal digits).
MAX_DIGITS = 15
#: Longest text quoted back in a message.
_SHOW = 60

_PLAIN = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")
_COMMA_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")
_DOT_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(\.[0-9]{3})+")
#: Shapes a Vietnamese-style cell may have before Babel checks the grouping.
_VI_SHAPE = re.compile(r"[+-]?[0-9]+(\.[0-9]{3})*(,[0-9]+)?")
_EXPONENT = re.compile(r"[+-]?[0-9]*[.,]?[0-9]+[eE][+-]?[0-9]+")
#: What Excel or a program writes instead of a figure (lower-cased, sign removed).
_NOT_FINITE = {"nan", "snan", "qnan", "inf", "infinity", "∞", "1.#inf", "1.#qnan"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class NumberError(ValueError):
    """A cell that is not a number in the file's style; ``code`` names the message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Table:
    """A CSV file read into strings, with the line number of every record.

    ``fatal`` is true when the file as a whole cannot be used (see the module docstring);
    ``rows`` is then empty and ``problems`` says why.
    """

    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    style: str = DOT
    delimiter: str = ","
    encoding: str = "utf-8"
    problems: list[Problem] = field(default_factory=list)
    fatal: bool = False


# ----------------------------------------------------------------------------- helpers

def clip(text: str, limit: int = _SHOW) -> str:
    """``text`` cut to ``limit`` characters (with "…") for quoting in a message."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def non_ascii_digits(text: str) -> bool:
    """True when ``text`` has a digit that is not 0–9 (full-width ``４``, Arabic-Indic …)."""
    return any(not c.isascii() and unicodedata.digit(c, None) is not None for c in text or "")


def ascii_version(text: str) -> str:
    """``text`` with every digit (and full-width ``．``, ``，``, ``－``…) typed as ASCII."""
    out = []
    for c in text:
        if c.isascii():
            out.append(c)
            continue
        d = unicodedata.digit(c, None)
        if d is not None:
            out.append(str(d))
            continue
        compat = unicodedata.normalize("NFKC", c)
        out.append(compat if compat.isascii() and len(compat) == 1 else c)
    return "".join(out)


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based index: 0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(ord("A") + rem) + name
    return name


def decode(raw: bytes) -> tuple[str, str]:
    """Decode file bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1258.

    NFC-normalised.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        text, enc = raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, enc = raw.decode("utf-16", errors="replace"), "utf-16"
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


class _OneLine:
    """An iterator over one line that notes whether the csv reader asked for more."""

    def __init__(self, line: str) -> None:
        self.line: str | None = line
        self.wanted_more = False

    def __iter__(self) -> "_OneLine":
        return self

    def __next__(self) -> str:
        if self.line is None:
            self.wanted_more = True
            raise StopIteration
        line, self.line = self.line, None
        return line


def split_line(line: str, delimiter: str) -> tuple[list[str], bool]:
    """The cells of one physical line and whether a quote is still open at its end.

    Raises :class:`csv.Error` (e.g. a cell over the csv module's field limit).
    """
    source = _OneLine(line)
    record = next(csv.reader(source, delimiter=delimiter), None)
    return (record or []), source.wanted_more


# ----------------------------------------------------------------------------- tables

def read_table(path: Path, display: str) -> Table:
    """Read ``path`` into a :class:`Table`; raises ``OSError`` only, for I/O.

    Everything about the content is in ``Table.problems`` (see :func:`parse_table`).
    """
    return parse_table(path.read_bytes(), display)


def parse_table(raw: bytes, display: str) -> Table:
    """Parse CSV bytes into a :class:`Table`; never raises on any content."""
    try:
        return _parse(raw, display)
    except Exception as err:  # noqa: BLE001 - last line of defence: content never crashes
        problem = Problem(display, None, None, "csv_unreadable",
                          {"detail": clip(f"{type(err).__name__}: {err}", 160)})
        return Table(display, [], [], problems=[problem], fatal=True)


def _parse(raw: bytes, display: str) -> Table:
    problems: list[Problem] = []

    def add(row: int | None, column: str | None, code: str, severity: str = ERROR,
            **params: object) -> None:
        problems.append(Problem(display, row, column, code, params, severity))

    def fatal(table: Table) -> Table:
        table.fatal, table.rows = True, []
        return table

    if _looks_binary(raw):
        add(None, None, "file_binary")
        return fatal(Table(display, [], [], problems=problems))
    text, encoding = decode(raw)
    if encoding == "cp1258":
        add(None, None, "encoding_cp1258", WARNING)
    elif encoding == "utf-16":
        add(None, None, "encoding_utf16", WARNING)
    lines = _LINE_BREAK.split(text)
    if "\ufffd" in text:
        damaged = next(i for i, ln in enumerate(lines, start=1) if "\ufffd" in ln)
        add(damaged, None, "encoding_damaged", WARNING)
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        add(None, None, "empty_file")
        return fatal(Table(display, [], [], problems=problems, encoding=encoding))
    delimiter = sniff_delimiter(lines[first])
    style = VI if delimiter == ";" else DOT
    table = Table(display, [], [], style, delimiter, encoding, problems)

    # ---- header
    header_row = first + 1
    cells, open_quote = _cells(lines[first], delimiter, header_row, add)
    if cells is None:
        return fatal(table)
    if open_quote:
        add(header_row, None, "quote_unclosed", column_no=len(cells),
            letter=column_letter(max(len(cells) - 1, 0)))
        return fatal(table)
    header = [h.strip().lstrip("\ufeff") for h in cells]
    table.header = header
    seen: dict[str, int] = {}
    broken = False
    for i, name in enumerate(header):
        if len(name) > CELL_LIMIT:
            add(header_row, None, "cell_too_long", limit=CELL_LIMIT)
            return fatal(table)
        if not name:
            add(header_row, None, "header_empty", column_no=i + 1, letter=column_letter(i))
        elif name in seen:
            j = seen[name]
            add(header_row, name, "header_duplicate", name=name, first=j + 1,
                first_letter=column_letter(j), second=i + 1, second_letter=column_letter(i))
            broken = True
        else:
            seen[name] = i
    if broken:
        return fatal(table)

    # ---- records: one per physical line
    for row_no in range(header_row + 1, len(lines) + 1):
        line = lines[row_no - 1]
        if not line.strip():
            continue
        if "\x00" in line:
            add(row_no, None, "nul_character")
            continue
        record, open_quote = _cells(line, delimiter, row_no, add)
        if record is None:
            continue
        if open_quote:
            idx = max(len(record) - 1, 0)
            add(row_no, header[idx] if idx < len(header) else None, "quote_unclosed",
                column_no=idx + 1, letter=column_letter(idx))
            continue
        if not any(cell.strip() for cell in record):
            continue
        too_long = next((i for i, c in enumerate(record) if len(c) > CELL_LIMIT), None)
        if too_long is not None:
            add(row_no, header[too_long] if too_long < len(header) else None, "cell_too_long",
                limit=CELL_LIMIT)
            continue
        if len(record) > len(header):
            add(row_no, None, "too_many_cells", n=len(record), m=len(header), delimiter=delimiter)
            continue
        record = record + [""] * (len(header) - len(record))
        table.rows.append((row_no, {h: c.strip() for h, c in zip(header, record)}))
    if not table.rows:
        # Nothing usable: say so when no line problem already explains it.
        if not any(p.is_error and p.row is not None and p.row > header_row for p in problems):
            add(None, None, "no_records")
        return fatal(table)
    return table


def _looks_binary(raw: bytes) -> bool:
    """An Excel workbook (.xlsx zip, old .xls) or other non-text saved under a .csv name."""
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return True
    if b"\x00" not in raw or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if raw.count(b"\x00") * 10 > len(raw):  # UTF-16 without its mark, or binary
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _cells(line: str, delimiter: str, row_no: int, add) -> tuple[list[str] | None, bool]:
    """Split one line; a csv error becomes a problem on that line and ``None``."""
    try:
        return split_line(line, delimiter)
    except csv.Error as err:
        if "field limit" in str(err):
            add(row_no, None, "cell_too_long", limit=CELL_LIMIT)
        else:
            add(row_no, None, "line_unreadable", detail=clip(str(err), 120))
        return None, False


# ----------------------------------------------------------------------------- numbers

def parse_number(text: str, style: str = DOT) -> str | None:
    """Parse a number cell into a canonical dot-decimal string, keeping its precision.

    Returns ``None`` for an empty cell; raises :class:`NumberError` (only) otherwise.
    Refused besides the wrong style: non-ASCII digits, ``NaN``/``Infinity``/Excel error
    values, exponent notation, more than :data:`MAX_DIGITS` significant digits.

    Examples
    --------
    >>> parse_number("8.58"), parse_number("8,58", VI), parse_number("3.390", VI)
    ('8.58', '8.58', '3390')
    """
    text = (text or "").strip().replace("\u00a0", " ")
    if not text:
        return None
    shown = clip(text)
    if non_ascii_digits(text):
        raise NumberError("non_ascii_digits", text=shown, fix=clip(ascii_version(text)))
    if text.endswith("%"):
        raise NumberError("number_percent_sign", text=shown, fix=clip(text.rstrip("%").strip()))
    if " " in text:
        raise NumberError("number_spaces", text=shown, fix=clip(text.replace(" ", "")))
    if text.lstrip("+-").lower() in _NOT_FINITE or text.startswith("#"):
        raise NumberError("number_not_finite", text=shown)
    if _EXPONENT.fullmatch(text):
        raise NumberError("number_exponent", text=shown)
    if style == VI:
        canonical = _parse_vi(text, shown)
    elif _PLAIN.fullmatch(text):
        canonical = text.lstrip("+")
    elif _COMMA_GROUPED.fullmatch(text):
        # "3,390" is either 3390 (grouped) or 3.39 (decimal comma): ask, never guess.
        raise NumberError("number_comma_ambiguous", text=shown, grouped=clip(text.replace(",", "")),
                          decimal=clip(text.replace(",", ".", 1)) if text.count(",") == 1 else "")
    elif _DECIMAL_COMMA.fullmatch(text):
        raise NumberError("number_decimal_comma", text=shown, fix=clip(text.replace(",", ".")))
    else:
        raise NumberError("not_a_number", text=shown)
    _check_digits(canonical, shown, style)
    return canonical


def _parse_vi(text: str, shown: str) -> str:
    """A Vietnamese-style cell (``1.234,5``) as a canonical dot-decimal string."""
    if not _VI_SHAPE.fullmatch(text):
        raise NumberError("number_vi_style", text=shown)
    try:
        value = parse_decimal(text, locale="vi_VN", strict=True)
    except (NumberFormatError, ArithmeticError, ValueError):
        raise NumberError("number_vi_style", text=shown) from None
    canonical = text.lstrip("+").replace(".", "").replace(",", ".")
    if Decimal(canonical) != value:  # Babel and the shape must agree, or we do not guess
        raise NumberError("number_vi_style", text=shown)
    return canonical


def _check_digits(canonical: str, shown: str, style: str) -> None:
    """Refuse a value a float cannot hold exactly: > 15 significant digits or out of range."""
    try:
        value = Decimal(canonical)
    except (InvalidOperation, ValueError):
        raise NumberError("not_a_number", text=shown) from None
    if not value.is_finite():
        raise NumberError("number_not_finite", text=shown)
    if value and not -MAX_DIGITS <= value.adjusted() < MAX_DIGITS:
        raise NumberError("number_out_of_range", text=shown, limit=MAX_DIGITS)
    digits = len(value.as_tuple().digits)
    if digits > MAX_DIGITS:
        with localcontext() as ctx:
            ctx.prec, ctx.rounding = MAX_DIGITS, ROUND_HALF_UP
            rounded = (+value).normalize()
        fix = format(rounded, "f")
        if style == VI:
            fix = fix.replace(".", ",")
        raise NumberError("number_too_precise", text=shown, n=digits, limit=MAX_DIGITS,
                          fix=clip(fix))


def looks_dot_grouped(text: str) -> bool:
    """True for ``3.390``-shaped cells: in a dot-decimal file they may be a misread thousands."""
    return bool(_DOT_GROUPED.fullmatch((text or "").strip()))
