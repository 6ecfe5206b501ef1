"""Locale number formats: Vietnamese 3.390 / 8,58%; English 3,390 / 8.58%."""

import datetime as dt

from dashboard import fmt


def test_vietnamese_and_english_grouping_and_decimals():
    assert fmt.number("3390", "vi") == "3.390"
    assert fmt.number("3390", "en") == "3,390"
    assert fmt.percent("8.58", "vi") == "8,58%"
    assert fmt.percent("8.58", "en") == "8.58%"


def test_stated_precision_is_kept():
    assert fmt.number("10.50", "vi") == "10,50"
    assert fmt.number("8.58", "en") == "8.58"
    assert fmt.number("59872", "vi") == "59.872"


def test_computed_floats_and_missing():
    assert fmt.number(2 / 3, "vi") == "0,67"
    assert fmt.number(None, "vi") == ""
    assert fmt.number(float("nan"), "en") == ""
    assert fmt.number(1234.5, "en", 1) == "1,234.5"


def test_dates():
    assert fmt.date(dt.date(2025, 7, 1), "vi") == "01/07/2025"
    assert fmt.date("2025-07-01", "en") == "Jul 1, 2025"
