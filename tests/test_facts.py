"""Every figure of the 2023 article is in data/ and shown on a page with qualifier and period."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from dashboard import fmt
from dashboard.i18n import pick
from tests.conftest import ROOT
from tests.test_pages import run_page, table_open

FACTS = yaml.safe_load((ROOT / "tests" / "fixtures" / "seed_facts.yaml").read_text(encoding="utf-8"))["facts"]
NUMERIC = [f for f in FACTS if f.get("kind") != "names"]
QUALIFIER = {"": "", ">": ">", "~": "~", "est": ""}
PAGE_ID = {"pages/dang_doanh_nghiep.py": "party_enterprise", "pages/dang_truong_hoc.py": "party_school",
           "pages/kinh_te_xa_hoi.py": "economy", "pages/chuyen_doi_so.py": "digital"}
PAGE_OF_TOPIC = {
    "party_enterprise": "pages/dang_doanh_nghiep.py", "party_school": "pages/dang_truong_hoc.py",
    "party_membership": "pages/dang_truong_hoc.py", "economy": "pages/kinh_te_xa_hoi.py",
    "industry": "pages/kinh_te_xa_hoi.py", "digital": "pages/chuyen_doi_so.py",
    "administration": "pages/chuyen_doi_so.py",
}


def test_there_are_40_numeric_facts():
    assert len(NUMERIC) == 40


@pytest.mark.parametrize("fact", NUMERIC, ids=lambda f: f"{f['province']}-{f['indicator']}-{f['period']}")
def test_fact_is_in_the_data(ds, fact):
    rows = ds.rows(fact["indicator"], [fact["province"]], period=str(fact["period"]))
    assert len(rows) == 1, "stored exactly once"
    row = rows.iloc[0]
    assert Decimal(row["value_text"]) == Decimal(str(fact["value"]))
    assert row["qualifier"] == QUALIFIER[fact["qualifier"]]
    assert bool(row["estimate"]) == (fact["qualifier"] == "est")
    assert bool(row["period_inferred"]) == bool(fact.get("period_inferred"))
    assert bool(row["derived"]) == bool(fact.get("derived"))


@pytest.fixture(scope="module")
def page_tables():
    tables = {}
    for page in set(PAGE_OF_TOPIC.values()):
        at = run_page(page, state=table_open(PAGE_ID[page]))  # the figures table, opened
        assert not at.exception
        tables[page] = at.dataframe[-1].value
    return tables


@pytest.mark.parametrize("fact", NUMERIC, ids=lambda f: f"{f['province']}-{f['indicator']}-{f['period']}")
def test_fact_is_shown_with_qualifier_and_period(ds, page_tables, fact):
    ind = ds.indicators[fact["indicator"]]
    table = page_tables[PAGE_OF_TOPIC[ind.topic]]
    hits = table[(table["Chỉ tiêu"] == pick(ind.title, "vi")) & (table["Kỳ"] == str(fact["period"]))
                 & (table["Tỉnh"] == pick(ds.provinces[fact["province"]].name, "vi"))]
    assert len(hits) == 1
    shown = hits.iloc[0]["Hiển thị"]
    expected = QUALIFIER[fact["qualifier"]] + fmt.number(str(fact["value"]), "vi")
    assert shown.startswith(expected), (shown, expected)
    if fact["qualifier"] == "est":
        assert bool(hits.iloc[0]["Ước tính"])
