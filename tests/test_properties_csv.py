"""Properties of the CSV reader and the number parser, on generated input (hypothesis).

* ``parse_number`` raises nothing but ``NumberError``; whatever it accepts is a finite
  decimal of at most 15 significant digits that a float gives back exactly.
* ``parse_table`` never raises, and never drops a record without a problem naming its line.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.csvio import DOT, MAX_DIGITS, VI, NumberError, parse_number, parse_table, read_table

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

#: Text that looks like numbers in both styles, and everything around them.
number_like = st.one_of(
    st.text(),
    st.text(alphabet="0123456789.,+-eE %#", max_size=40),
    st.text(alphabet=st.sampled_from(list("0123456789.,") + ["４", "٤", "²", "\u00a0"]),
            max_size=30),
    st.sampled_from(["NaN", "-inf", "Infinity", "sNaN", "1e400", "1_000", "٤٨", "#N/A"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: format(d, "f")),
)


@SETTINGS
@given(number_like, st.sampled_from([DOT, VI]))
def test_parse_number_raises_only_number_error_and_accepts_only_exact_floats(text, style):
    try:
        parsed = parse_number(text, style)
    except NumberError as err:
        assert err.code  # a message code, always
        return
    if parsed is None:
        assert not text.strip().replace("\u00a0", "")
        return
    assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", parsed)
    value = Decimal(parsed)
    assert value.is_finite()
    assert len(value.normalize().as_tuple().digits) <= MAX_DIGITS
    # a float holds it exactly: back to 15 significant digits gives the same number
    assert Decimal(format(float(value), f".{MAX_DIGITS}g")) == value


@SETTINGS
@given(st.decimals(allow_nan=False, allow_infinity=False, places=4,
                   min_value=Decimal("-99999999999"), max_value=Decimal("99999999999")))
def test_parse_number_reads_every_plain_number_in_both_styles(value):
    dot = format(value, "f")
    vi = dot.replace(".", ",")
    assert Decimal(parse_number(dot, DOT)) == value
    assert Decimal(parse_number(vi, VI)) == value


HEADER = ["province", "indicator", "value", "note"]
cell = st.one_of(
    st.text(max_size=20),
    st.text(alphabet='ab,;"\n\r \t', max_size=12),
    st.sampled_from(['"', '""', '"a', 'a"', '"a"b', "\r\n", "x\ny", ",", ";"]),
)
rows = st.lists(st.lists(cell, min_size=0, max_size=6), max_size=8)


def _blank(line: str, delimiter: str) -> bool:
    """A line with nothing but blanks, delimiters and quotes: it holds no record."""
    return all(c.isspace() or c in f'{delimiter}"' for c in line)


def _physical_lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def _check_accounted(content: str, table) -> None:
    rows_at = {r for r, _ in table.rows}
    named = {p.row for p in table.problems if p.is_error}
    assert len(rows_at) == len(table.rows)  # one row per line
    for number, line in enumerate(_physical_lines(content)[1:], start=2):
        if _blank(line, table.delimiter):
            continue
        assert number in rows_at or number in named, (number, line, table.problems)


@SETTINGS
@given(records=rows, delimiter=st.sampled_from([",", ";"]), quote_all=st.booleans())
def test_read_table_never_drops_a_record_silently(tmp_path_factory, records, delimiter, quote_all):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n",
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for record in records:
        writer.writerow(record)
    content = buf.getvalue()
    path = tmp_path_factory.mktemp("csv") / "values.csv"
    path.write_text(content, encoding="utf-8")
    table = read_table(path, "data/values.csv")
    assert table.header == HEADER and table.delimiter == delimiter
    assert table.fatal == (not table.rows)
    _check_accounted(content, table)
    for _, cells in table.rows:
        assert set(cells) == set(HEADER)


@SETTINGS
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30),
                max_size=8))
def test_read_table_never_drops_a_raw_line_silently(lines):
    content = "\n".join([",".join(HEADER), *lines])
    table = parse_table(content.encode("utf-8"), "data/values.csv")
    assert table.header == HEADER
    _check_accounted(content, table)


@SETTINGS
@given(st.binary(max_size=300))
def test_parse_table_never_raises_on_any_bytes(raw):
    table = parse_table(raw, "data/values.csv")
    assert table.fatal or table.rows or table.problems or not raw.strip()
    if table.fatal:
        assert table.rows == [] and any(p.is_error for p in table.problems)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "values.csv"
        path.write_bytes(raw)
        assert read_table(path, "data/values.csv").rows == table.rows
