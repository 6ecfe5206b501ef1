"""The single comparability rule and normalisation, on the real budget and enterprise cases."""

import pandas as pd
import pytest

from dashboard import compare as C

TN, HD = "thai-nguyen", "hai-duong"


def fake_row(**kw):
    base = dict(province=TN, indicator="x", period="2022", value=1.0, value_text="1", qualifier="",
                scope="", rank_of=pd.NA, year_start=2022, year_end=2022, source="s")
    base.update(kw)
    return pd.Series(base)


def test_same_indicator_period_scope_is_comparable():
    comp = C.comparability({TN: fake_row(), HD: fake_row(province=HD)})
    assert comp.comparable and comp.reasons == []


@pytest.mark.parametrize("change,reason", [
    (dict(indicator="y"), C.INDICATOR),
    (dict(period="2021", year_start=2021, year_end=2021), C.PERIOD),
    (dict(period="2021-2023", year_start=2021, year_end=2023), C.PERIOD_LENGTH),
    (dict(scope="private firms only"), C.SCOPE),
    (dict(rank_of=61), C.RANK_BASE),
])
def test_each_difference_is_a_reason(change, reason):
    base = dict(rank_of=63)
    comp = C.comparability({TN: fake_row(**base), HD: fake_row(province=HD, **{**base, **change})})
    assert not comp.comparable and reason in comp.reasons


def test_missing_province_is_a_reason():
    comp = C.comparability({TN: fake_row(), HD: None})
    assert not comp.comparable and comp.reasons == [C.MISSING]


def test_budget_revenue_pairs_single_years_never_the_cumulative_total(ds):
    comp = C.pair_for_concept(ds, "state_budget_revenue", [TN, HD])
    assert comp.comparable
    assert {r["indicator"] for r in comp.rows.values()} == {"state_budget_revenue"}
    assert comp.rows[TN]["period"] == comp.rows[HD]["period"]


def test_budget_revenue_cumulative_never_drawn_with_one_year(ds):
    cum = ds.rows("state_budget_revenue_cumulative", [HD]).iloc[0]
    one = ds.rows("state_budget_revenue", [TN], period="2022").iloc[0]
    comp = C.comparability({TN: one, HD: cum})
    assert not comp.comparable
    assert {C.INDICATOR, C.PERIOD_LENGTH} <= set(comp.reasons)


def test_private_vs_all_enterprises_is_not_comparable(ds):
    comp = C.pair_for_concept(ds, "party_orgs_in_enterprises", [TN, HD])
    assert not comp.comparable
    assert comp.rows[HD]["indicator"] == "party_orgs_private_enterprises"
    assert comp.rows[TN]["indicator"] == "grassroots_party_orgs_enterprises"
    assert C.INDICATOR in comp.reasons


def test_dti_rank_pairs_on_a_shared_year(ds):
    comp = C.pair_for_concept(ds, "dti_rank", [TN, HD])
    assert comp.comparable
    assert comp.rows[TN]["period"] == comp.rows[HD]["period"]


def test_difference_only_for_comparable_exact_figures():
    comp = C.comparability({TN: fake_row(value=10.0), HD: fake_row(province=HD, value=4.0)})
    assert C.difference(comp, TN, HD) == 6.0
    bound = C.comparability({TN: fake_row(value=10.0, qualifier=">"), HD: fake_row(province=HD)})
    assert C.difference(bound, TN, HD) is None
    not_comp = C.comparability({TN: fake_row(), HD: fake_row(province=HD, indicator="y")})
    assert C.difference(not_comp, TN, HD) is None


def test_normalise_per_1000_uses_population_of_the_same_year(ds):
    rows = ds.rows("party_members_private_enterprises", [HD])
    row = rows.iloc[0]
    pop = ds.rows("population", [HD], period=row["period"])
    norm = C.normalise(ds, row, C.PER_1000)
    if pop.empty:
        assert norm.value is None and norm.reason == "no_population"
    else:
        assert norm.value == pytest.approx(row["value"] / pop.iloc[0]["value"] * 1000)
        assert [r["indicator"] for r in norm.inputs] == ["party_members_private_enterprises", "population"]


def test_normalise_per_km2_uses_area(ds):
    row = ds.rows("party_orgs_private_enterprises", [HD]).iloc[0]
    area = C.normalise(ds, row, C.PER_KM2)
    assert area.value == pytest.approx(row["value"] / area.inputs[1]["value"])
    assert area.inputs[1]["indicator"] == "area"


def test_never_normalise_ranks_ratios_or_multi_year_totals(ds):
    rank = ds.rows("dti_rank", [TN]).iloc[0]
    share = ds.rows("teachers_party_member_share", [TN]).iloc[0]
    total = ds.rows("state_budget_revenue_cumulative", [HD]).iloc[0]
    for r in (rank, share, total):
        norm = C.normalise(ds, r, C.PER_1000)
        assert norm.value is None and norm.reason == "not_normalisable"
