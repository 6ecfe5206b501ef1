"""Permalinks: parsing is lenient with notices; writing is explicit."""

from dashboard.state import View, parse_view, permalink, view_params

DEFAULTS = ["thai-nguyen", "hai-duong"]


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
    assert {p for p, _ in v.notices} == {"lang", "provinces", "indicator", "mode", "vintage", "slide", "focus",
                                         "measure"}


def test_valid_values_are_kept(ds):
    v = parse_view({"lang": "en", "indicator": "dti_rank", "period": "2021", "mode": "per_km2",
                    "vintage": "2025", "slide": "3", "focus": "hai-duong",
                    "measure": "party_orgs_in_enterprises"}, ds, DEFAULTS)
    assert (v.lang, v.indicator, v.period, v.mode, v.vintage, v.slide, v.focus, v.measure) == (
        "en", "dti_rank", "2021", "per_km2", "2025", 3, "hai-duong", "party_orgs_in_enterprises")
    assert view_params(v)["measure"] == "party_orgs_in_enterprises"


def test_period_must_exist_for_the_indicator(ds):
    v = parse_view({"indicator": "dti_rank", "period": "1990"}, ds, DEFAULTS)
    assert v.period is None and ("period", "1990") in v.notices


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
