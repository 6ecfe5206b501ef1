"""Locale-aware number and date formatting (Babel), independent of the browser's locale.

Values keep the precision they were stated with: ``8.58`` is shown as ``8,58`` in
Vietnamese and ``8.58`` in English; ``3390`` as ``3.390`` / ``3,390``.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation

from babel.dates import format_date as _babel_format_date
from babel.numbers import format_decimal

BABEL_LOCALE = {"vi": "vi_VN", "en": "en_US"}


def _locale(lang: str) -> str:
    return BABEL_LOCALE.get(lang, BABEL_LOCALE["vi"])


def decimals_of(text: str) -> int:
    """Number of digits after the decimal point in a canonical number string ``"8.58"``."""
    text = str(text).strip()
    if "." not in text or "e" in text.lower():
        return 0
    return len(text.split(".", 1)[1])


def number(value: float | int | str | Decimal | None, lang: str, decimals: int | None = None) -> str:
    """Format ``value`` with grouping, at ``decimals`` fraction digits.

    When ``decimals`` is ``None`` and ``value`` is a canonical string, its own
    precision is kept. ``None`` or NaN gives an empty string (callers show "missing").

    Examples
    --------
    >>> number("3390", "vi"), number("8.58", "vi"), number("3390", "en")
    ('3.390', '8,58', '3,390')
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, str):
        if decimals is None:
            decimals = decimals_of(value)
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            return value
    if decimals is None:
        # A computed float: show what it holds, at most 2 decimals (callers that
        # know better pass ``decimals``).
        decimals = min(2, decimals_of(repr(float(value)).rstrip("0").rstrip(".")))
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(Decimal(str(value)), format=pattern, locale=_locale(lang), decimal_quantization=True)


def percent(value: float | str | None, lang: str, decimals: int | None = None) -> str:
    """Format a value already in percent units: ``8.58`` -> ``8,58%``."""
    text = number(value, lang, decimals)
    return f"{text}%" if text else ""


def date(value: dt.date | str | None, lang: str) -> str:
    """Format a date (or ISO date string) for ``lang``: ``28/11/2026`` / ``Nov 28, 2026``."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return _babel_format_date(value, format="dd/MM/yyyy" if lang == "vi" else "medium", locale=_locale(lang))
