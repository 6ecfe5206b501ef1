"""'As presented at the meeting' vs 'latest': snapshots.apply, the snapshot-aware pick, the
``asof`` parameter of a link, and the snapshot entries of config.yaml."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml
from pydantic import ValidationError

from dashboard import snapshots
from dashboard.config import Config, load_config
from dashboard.present import flags
from dashboard.state import LATEST, Notice, View, parse_view, view_params
from tests.conftest import ROOT

HOP = snapshots.Snapshot("hop-2023", "Số liệu tại buổi làm việc năm 2023", "Figures as presented at the 2023 meeting",
                         ("exchange_meeting_2023",), 2023)
DEFAULTS = ["thai-nguyen", "hai-duong"]
FACTS = [f for f in yaml.safe_load((ROOT / "tests" / "fixtures" / "seed_facts.yaml").read_text(encoding="utf-8"))[
    "facts"] if f.get("kind") != "names"]


@pytest.fixture(scope="module")
def hop(ds):
    return snapshots.apply(ds, HOP)


def _one(ds, province, indicator, period):
    rows = ds.rows(indicator, [province], period=period)
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_figures_dated_after_the_meeting_are_dropped(ds, hop):
    assert (ds.values["year_start"] > 2023).any(), "the shipped data has later figures"
    assert (hop.values["year_start"] <= 2023).all()
    assert ds.rows("grdp_growth", ["hai-duong"], period="2024").shape[0] == 1
    assert hop.rows("grdp_growth", ["hai-duong"], period="2024").empty


def test_the_meetings_own_figure_is_preferred(ds, hop):
    # Thái Nguyên's budget revenue: 2017 and 2023 from other sources, 2022 from the meeting.
    assert set(ds.rows("state_budget_revenue", ["thai-nguyen"])["period"]) >= {"2017", "2022", "2023"}
    kept = hop.rows("state_budget_revenue", ["thai-nguyen"])
    assert list(kept["period"]) == ["2022"] and list(kept["source"]) == ["exchange_meeting_2023"]
    # Hải Dương's DTI 2022 (another source) goes: the meeting stated Hải Dương's DTI rank.
    assert set(hop.rows("dti_rank", ["hai-duong"])["period"]) == {"2020", "2021"}


def test_other_figures_stay_marked_as_fallback(hop):
    own = _one(hop, "hai-duong", "grdp_growth_avg", "2021-2023")
    other = _one(hop, "thai-nguyen", "grdp_growth_avg", "2021-2023")  # not stated at the meeting
    assert own["in_snapshot"] and not own["asof_fallback"]
    assert not other["in_snapshot"] and other["asof_fallback"]
    assert "ngoài buổi làm việc" in flags(other, "vi") and "not from the meeting" in flags(other, "en")
    assert not any("buổi làm việc" in f for f in flags(own, "vi"))


def test_fingerprint_differs_and_the_dataset_is_left_unchanged(ds, hop):
    before = len(ds.values)
    again = snapshots.apply(ds, HOP)
    assert hop.fingerprint != ds.fingerprint and hop.fingerprint == again.fingerprint
    assert hop.fingerprint.endswith(":hop-2023")
    assert len(ds.values) == before and "in_snapshot" not in ds.values.columns
    assert hop is not ds and hop.values is not ds.values


def test_latest_is_the_dataset_itself(ds):
    assert snapshots.apply_by_id(ds, LATEST, (HOP,)) is ds
    assert snapshots.apply_by_id(ds, "no-such-meeting", (HOP,)) is ds
    assert snapshots.apply_by_id(ds, "hop-2023", (HOP,)).fingerprint.endswith(":hop-2023")


def test_a_snapshot_of_a_year_only_marks_nothing_as_fallback(ds):
    by_year = snapshots.apply(ds, snapshots.Snapshot("y2020", "Năm 2020", "Year 2020", (), 2020))
    assert (by_year.values["year_start"] <= 2020).all()
    assert not by_year.values["asof_fallback"].any()


def test_every_article_figure_is_in_the_meeting_snapshot(hop):
    assert len(FACTS) == 40
    for fact in FACTS:
        row = _one(hop, fact["province"], fact["indicator"], str(fact["period"]))
        assert Decimal(row["value_text"]) == Decimal(str(fact["value"]))
        assert row["in_snapshot"] and not row["asof_fallback"]


def test_pair_prefers_the_meetings_indicator(ds, hop):
    latest = snapshots.pair(ds, "grdp_growth", DEFAULTS)
    assert latest.comparable and {r["indicator"] for r in latest.present.values()} == {"grdp_growth"}
    meeting = snapshots.pair(hop, "grdp_growth", DEFAULTS)
    assert meeting.comparable
    assert {p: r["value_text"] for p, r in meeting.present.items()} == {"hai-duong": "8.58", "thai-nguyen": "6.9"}
    assert {r["period"] for r in meeting.present.values()} == {"2021-2023"}
    # Each province's own meeting figure when no common one exists: not comparable, and why.
    budget = snapshots.pair(hop, "state_budget_revenue", DEFAULTS)
    assert budget.rows["hai-duong"]["indicator"] == "state_budget_revenue_cumulative"
    assert budget.rows["thai-nguyen"]["period"] == "2022"
    assert not budget.comparable and "indicator" in budget.reasons


# ----------------------------------------------------------------------------- the asof parameter

def test_asof_is_read_from_the_link(ds):
    assert parse_view({}, ds, DEFAULTS).asof == LATEST
    v = parse_view({"asof": "hop-2023"}, ds, DEFAULTS)
    assert v.asof == "hop-2023" and not v.notices
    assert parse_view({"asof": "latest"}, ds, DEFAULTS).asof == LATEST
    assert parse_view({"asof": ["hop-2023", "latest"]}, ds, DEFAULTS).asof == "hop-2023"


@pytest.mark.parametrize("junk", ["hop-2024", "HOP-2023", "<b>x</b>", "\x00\ud800", "a," * 3000, "🇻🇳" * 700, " "])
def test_unknown_asof_falls_back_with_one_notice(ds, junk):
    v = parse_view({"asof": junk}, ds, DEFAULTS)
    assert v.asof == LATEST
    assert len([n for n in v.notices if n.param == "asof"]) <= 1
    if junk.strip(", "):
        assert v.notice("asof") is not None and len(v.notice("asof").given) <= 40


def test_asof_accepts_only_the_configured_snapshots(ds):
    assert parse_view({"asof": "hop-2023"}, ds, DEFAULTS, snapshots=()).notice("asof") == Notice("asof", "hop-2023")
    assert parse_view({"asof": "hop-2027"}, ds, DEFAULTS, snapshots=("hop-2027",)).asof == "hop-2027"


def test_asof_is_written_and_round_trips(ds):
    assert view_params(View())["asof"] == "latest"
    params = view_params(View(provinces=DEFAULTS, asof="hop-2023"))
    assert params["asof"] == "hop-2023"
    assert view_params(parse_view(params, ds, DEFAULTS)) == params


# ----------------------------------------------------------------------------- config.yaml

def _config(**changes) -> dict:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw.update(changes)
    return raw


def test_config_declares_the_meeting_snapshot_and_the_scorecard(ds):
    cfg = load_config()
    concepts = {i.concept for i in ds.indicators.values()}
    assert {r.concept for r in cfg.scorecard.rows} <= concepts
    snap = snapshots.find(snapshots.from_config(cfg), "hop-2023")
    assert snap == HOP
    assert len(cfg.scorecard.rows) >= 8 and {r.page for r in cfg.scorecard.rows} <= {p.id for p in cfg.pages}


@pytest.mark.parametrize("bad", [
    {"snapshots": [{"id": "x", "title": {"vi": "a", "en": "b"}}]},  # neither sources nor year
    {"snapshots": [{"id": "latest", "title": {"vi": "a", "en": "b"}, "as_of_year": 2023}]},
    {"snapshots": [{"id": "Hop 2023", "title": {"vi": "a", "en": "b"}, "as_of_year": 2023}]},
    {"snapshots": [{"id": "a", "title": {"vi": "a", "en": "b"}, "as_of_year": 2023}] * 2},
    {"scorecard": {"rows": [{"concept": "grdp_growth", "page": "no-such-page"}]}},
])
def test_bad_snapshot_or_scorecard_config_fails_loudly(bad):
    with pytest.raises(ValidationError):
        Config.model_validate(_config(**bad))
