"""Permalinks: parsing is lenient with notices; writing is explicit; no link can raise."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.i18n import LANGS
from dashboard.present import escape_md
from dashboard.state import (MAX_CHARS, NOTICE_CHARS, PARAMS, SLIDE_MAX, Notice, View, clean_provinces, notice_text,
                             parse_view, permalink, selectable_provinces, slide_number, view_params)

DEFAULTS = ["thai-nguyen", "hai-duong"]
ALL_VALID = ["thai-nguyen", "hai-duong", "vietnam", "bac-kan", "hai-phong", "thai-nguyen-2025"]


def test_defaults(ds):
    v = parse_view({}, ds, DEFAULTS)
    assert (v.lang, v.provinces, v.mode, v.vintage, v.slide) == ("vi", DEFAULTS, "absolute", "2024", 1)
    assert v.notices == []


def test_both_province_formats(ds):
    a = parse_view({"provinces": "hai-duong,thai-nguyen"}, ds, DEFAULTS)
    b = parse_view({"provinces": ["hai-duong", "thai-nguyen"]}, ds, DEFAULTS)
    assert a.provinces == b.provinces == ["hai-duong", "thai-nguyen"]


def test_invalid_values_fall_back_with_notices(ds):
    v = parse_view({"lang": "fr", "provinces": "atlantis", "indicator": "nope", "mode": "per_cat",
                    "vintage": "1999", "slide": "x", "focus": "<script>", "measure": "x"}, ds, DEFAULTS)
    assert (v.lang, v.provinces, v.indicator, v.mode, v.vintage, v.slide, v.focus) == (
        "vi", DEFAULTS, None, "absolute", "2024", 1, None)
    assert [n.param for n in v.notices] == ["lang", "provinces", "indicator", "mode", "vintage", "focus",
                                            "measure", "slide"]
    assert v.notice("focus").given == "<script>"


def test_valid_values_are_kept(ds):
    v = parse_view({"lang": "en", "indicator": "dti_rank", "period": "2021", "mode": "per_km2",
                    "vintage": "2025", "slide": "3", "focus": "hai-duong",
                    "measure": "party_orgs_in_enterprises"}, ds, DEFAULTS)
    assert (v.lang, v.indicator, v.period, v.mode, v.vintage, v.slide, v.focus, v.measure) == (
        "en", "dti_rank", "2021", "per_km2", "2025", 3, "hai-duong", "party_orgs_in_enterprises")
    assert view_params(v)["measure"] == "party_orgs_in_enterprises"


def test_period_must_exist_for_the_indicator(ds):
    v = parse_view({"indicator": "dti_rank", "period": "1990"}, ds, DEFAULTS)
    assert v.period is None and v.notice("period") == Notice("period", "1990")


def test_round_trip_is_explicit(ds):
    v = View(lang="en", provinces=["hai-duong"], indicator="dti_rank", period="2021", mode="per_1000")
    params = view_params(v)
    assert params["lang"] == "en" and params["mode"] == "per_1000" and params["vintage"] == "2024"
    back = parse_view(params, ds, DEFAULTS)
    assert view_params(back) == params


def test_permalink_replaces_the_page_path(ds):
    v = View(provinces=DEFAULTS)
    link = permalink("http://host:8501/ban-do?lang=en", "ban-do", v)
    assert link.startswith("http://host:8501/ban-do?lang=vi&provinces=thai-nguyen%2Chai-duong")
    assert permalink("http://host:8501/", "tong-quan", v).startswith("http://host:8501/tong-quan?")


# ----------------------------------------------------------------------------- provinces

def test_only_the_sidebar_options_can_be_chosen(ds):
    """A link names only provinces the picker offers: 2024 boundaries with figures."""
    options = selectable_provinces(ds)
    assert set(DEFAULTS) <= set(options)
    assert "thai-nguyen-2025" not in options  # a 2025 province: shown on the map only
    assert all(not ds.rows(provinces=[p]).empty for p in options)
    v = parse_view({"provinces": ",".join(ALL_VALID)}, ds, DEFAULTS)
    assert v.provinces == [p for p in ALL_VALID if p in options]
    dropped = [p for p in ALL_VALID if p not in options]
    assert len(v.notices) == 1 and v.notices[0].ignored == len(dropped)
    assert v.notices[0].given.split(", ")[0] == dropped[0]


def test_more_than_the_limit_keeps_the_first_with_one_notice(ds):
    options = list(selectable_provinces(ds))
    assert len(options) >= 3
    assert len(options) >= 5
    # 5+ valid ids, a known id that cannot be selected (a 2025 province) and two unknown ones
    link = options[:5] + ["thai-nguyen-2025", "atlantis", "narnia"]
    v = parse_view({"provinces": link}, ds, DEFAULTS, max_provinces=2)
    assert v.provinces == options[:2]
    assert len(v.notices) == 1
    notice = v.notices[0]
    assert notice.param == "provinces" and notice.limit == 2 and notice.ignored == 3
    text = notice_text(notice, "vi")
    assert "2 tỉnh đầu tiên" in text and "thai-nguyen-2025" in text and "atlantis" in text
    assert "only the first 2" in notice_text(notice, "en")


def test_the_limit_defaults_to_eight(ds, cfg):
    assert cfg.app.max_provinces == 8
    options = list(selectable_provinces(ds))
    assert len(options) > 8
    v = parse_view({"provinces": options[:8] * 3}, ds, DEFAULTS)
    assert v.provinces == options[:8] and v.notices == []  # repeats are not "more"
    v = parse_view({"provinces": options * 3}, ds, DEFAULTS)  # more than eight different ids
    assert v.provinces == options[:8]
    assert v.notices == [Notice("provinces", "", 0, 8, False)]  # only the limit is noted


def test_two_thousand_unknown_ids_give_one_short_notice(ds):
    for params in ({"provinces": [f"unknown-{i}" for i in range(2000)]},
                   {"provinces": ",".join(f"unknown-{i}" for i in range(2000))}):
        v = parse_view(params, ds, DEFAULTS)
        assert v.provinces == DEFAULTS
        assert len(v.notices) == 1
        notice = v.notices[0]
        assert notice.given == "unknown-0, unknown-1, unknown-2, …"
        text = notice_text(notice, "vi")
        assert len(text) < 300
    assert notice.cut  # the comma-joined value is longer than MAX_CHARS: only its start was read
    repeated = parse_view({"provinces": [f"unknown-{i}" for i in range(2000)]}, ds, DEFAULTS).notices[0]
    assert repeated.ignored == 2000 and not repeated.cut
    assert "2.000 giá trị" in notice_text(repeated, "vi") and "2,000" in notice_text(repeated, "en")


def test_display_names_map_back_to_ids(ds):
    """Links shared while widgets held display names still open the right view."""
    v = parse_view({"provinces": "Thái Nguyên,Hai Duong"}, ds, DEFAULTS)
    assert v.provinces == ["thai-nguyen", "hai-duong"] and v.notices == []
    assert clean_provinces(["Thái Nguyên", "Hải Dương", "thai-nguyen", "Atlantis"], ds) == DEFAULTS
    assert clean_provinces(["thai-nguyen-2025"], ds) == []  # a known id that cannot be selected (2025)
    assert clean_provinces(["Bắc Kạn", "bac-kan"], ds) == ["bac-kan"]  # every 2024 province with data
    assert clean_provinces(["vietnam", "thai-nguyen", "hai-duong"], ds, limit=2) == ["vietnam", "thai-nguyen"]


# ----------------------------------------------------------------------------- hostile links

def test_slide_accepts_ascii_digits_within_bounds_only():
    assert slide_number("3") == 3 and slide_number("007") == 7 and slide_number("999") == 999
    for bad in ("²", "٣", "３", "0", "-1", "+2", "1000", "1e3", " 4", "9" * 5000, ""):
        assert slide_number(bad) is None, bad


@pytest.mark.parametrize("slide", ["²", "9" * 5000, "0", "-1", "1000", "٣"])
def test_bad_slide_falls_back_with_one_notice(ds, slide):
    v = parse_view({"slide": slide}, ds, DEFAULTS)
    assert v.slide == 1
    assert len(v.notices) == 1 and v.notices[0].param == "slide"
    assert len(v.notices[0].given) <= NOTICE_CHARS


def test_huge_values_are_cut_and_shown_short(ds):
    v = parse_view({"lang": "x" * 10_000, "indicator": "[a](javascript:alert(1))" * 500}, ds, DEFAULTS)
    assert v.lang == "vi" and v.indicator is None
    assert [n.param for n in v.notices] == ["lang", "indicator"]
    assert all(len(n.given) <= NOTICE_CHARS for n in v.notices)
    assert all(n.cut for n in v.notices)
    shown = notice_text(v.notice("indicator"), "vi", escape_md)
    assert "\\[a\\]\\(javascript" in shown and "](javascript" not in shown
    assert len(shown) < 200


def test_a_value_is_cut_before_it_is_parsed(ds):
    # a valid id just inside the limit is read; the same id past the limit is not
    near = "," * (MAX_CHARS - len("hai-duong")) + "hai-duong"
    assert parse_view({"provinces": near}, ds, DEFAULTS).provinces == ["hai-duong"]
    far = "," * MAX_CHARS + "hai-duong"
    v = parse_view({"provinces": far}, ds, DEFAULTS)
    assert v.provinces == DEFAULTS and v.notice("provinces").cut


class Exploding:
    def __str__(self):
        raise RuntimeError("boom")


def test_one_guard_turns_any_exception_into_a_notice(ds):
    v = parse_view({p: [Exploding()] for p in PARAMS}, ds, DEFAULTS)
    assert [n.param for n in v.notices] == list(PARAMS)
    assert (v.lang, v.provinces, v.slide) == ("vi", DEFAULTS, 1)


@pytest.mark.parametrize("param", PARAMS)
@pytest.mark.parametrize("junk", ["\x00\ud800", "%%%", "²³", "<b>*x*</b>", "a," * 3000, "\n" * 50, "🇻🇳" * 700])
def test_junk_in_every_parameter_never_raises(ds, param, junk):
    v = parse_view({param: junk}, ds, DEFAULTS)
    assert len([n for n in v.notices if n.param == param]) <= 1
    assert v.lang in LANGS and v.provinces and 1 <= v.slide <= SLIDE_MAX


text = st.text(max_size=60) | st.sampled_from(["thai-nguyen", "hai-duong", "vietnam", "bac-kan", "Thái Nguyên",
                                               "en", "vi", "²", "0", "999", "1000", "dti_rank", "2021", ","])
junk_params = st.dictionaries(st.sampled_from(PARAMS), st.lists(text, max_size=12))


@settings(max_examples=200, deadline=None)
@given(params=junk_params, limit=st.integers(min_value=2, max_value=10))
def test_parse_view_never_raises_and_stays_within_bounds(ds, params, limit):
    v = parse_view(params, ds, DEFAULTS, max_provinces=limit)
    options = selectable_provinces(ds)
    assert v.lang in LANGS
    assert v.provinces and len(v.provinces) <= limit and set(v.provinces) <= set(options)
    assert len(set(v.provinces)) == len(v.provinces)
    assert isinstance(v.slide, int) and 1 <= v.slide <= SLIDE_MAX
    params_noted = [n.param for n in v.notices]
    assert len(params_noted) == len(set(params_noted))  # one notice per parameter at most
    for n in v.notices:
        assert len(notice_text(n, "vi", escape_md)) < 400
    assert view_params(parse_view(view_params(v), ds, DEFAULTS, max_provinces=limit)) == view_params(v)
