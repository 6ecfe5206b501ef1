"""Truth on the series path (pure): charts.time_series and series_points on a small synthetic
dataset with fake names. One point per province and year, never a sub-annual or multi-year
figure at a year, a missing year breaks the line, flagged points visibly drawn, bounds kept
in normalised values, computed figures never a headline."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard import charts
from dashboard import schema as S
from dashboard.compare import comparability, pair_for_concept
from dashboard.data import Dataset

A, B = "alpha-land", "beta-land"
COLUMNS = ["province", "indicator", "period", "value", "value_text", "qualifier", "estimate", "scope",
           "rank_of", "district", "source", "derived", "derivation", "period_inferred", "confidence",
           "note", "row", "year_start", "year_end", "topic", "concept", "scope_rank"]


def _text(vi: str, en: str | None = None) -> S.LocalText:
    return S.LocalText(vi=vi, en=en or vi)


def _indicator(ident: str, concept: str, kind: str = "amount") -> S.Indicator:
    return S.Indicator(id=ident, topic="economy", concept=concept, title=_text(f"Tên {ident}"),
                       short=_text(f"{ident}"), unit=_text("đơn vị", "units"), description=_text("mô tả"),
                       kind=kind)


def _row(n: int, province: str, indicator: str, concept: str, period: str, value: float, *,
         qualifier: str = "", derived: bool = False, scope: str = "", confidence: str = "high",
         source: str = "src-a") -> dict:
    y1, y2 = S.period_years(period)
    return {"province": province, "indicator": indicator, "period": period, "value": float(value),
            "value_text": str(value), "qualifier": qualifier, "estimate": False, "scope": scope,
            "rank_of": pd.NA, "district": "", "source": source, "derived": derived, "derivation": "",
            "period_inferred": False, "confidence": confidence, "note": "", "row": n,
            "year_start": y1, "year_end": y2, "topic": "economy", "concept": concept,
            "scope_rank": 1 if scope else 0}


@pytest.fixture(scope="module")
def synth():
    rows = [
        # a yearly series with a gap (2021 missing for alpha) and a half-year, a month, a span
        ("alpha-land", "flow", "2019", 10), ("alpha-land", "flow", "2020", 11),
        ("alpha-land", "flow", "2022", 13), ("alpha-land", "flow", "2023", 14),
        ("alpha-land", "flow", "2023-H1", 61), ("alpha-land", "flow", "2023-08", 91),
        ("alpha-land", "flow", "2021-2023", 40),
        ("beta-land", "flow", "2019", 5), ("beta-land", "flow", "2020", 6), ("beta-land", "flow", "2021", 7),
        ("beta-land", "flow", "2023-12", 81), ("beta-land", "flow", "2023-Q", None),
    ]
    data = []
    for i, (p, ind, period, value) in enumerate(rows):
        if value is None:
            continue
        data.append(_row(i + 2, p, ind, "flow", period, value))
    # two figures of one province-year (two sources): one is computed
    data.append(_row(50, A, "flow", "flow", "2024", 15, derived=True, source="src-b"))
    data.append(_row(51, A, "flow", "flow", "2024", 16, source="src-a"))
    # a scoped figure never joins the unscoped line
    data.append(_row(52, B, "flow", "flow", "2022", 99, scope="private firms only"))
    # a lower bound, for normalisation
    data.append(_row(60, A, "stock", "stock", "2023", 31, qualifier=">"))
    data.append(_row(61, B, "stock", "stock", "2023", 20))
    # a concept whose newest set holds a computed figure
    data.append(_row(70, A, "rank", "rank", "2023", 5, derived=True))
    data.append(_row(71, B, "rank", "rank", "2023", 9))
    data.append(_row(72, A, "rank", "rank", "2022", 4))
    data.append(_row(73, B, "rank", "rank", "2022", 8))
    values = pd.DataFrame(data, columns=COLUMNS)
    values["rank_of"] = values["rank_of"].astype("Int64")
    indicators = {"flow": _indicator("flow", "flow"), "stock": _indicator("stock", "stock", "count"),
                  "rank": _indicator("rank", "rank", "rank")}
    provinces = {p: S.Province(id=p, name=_text(p.title()), level="province") for p in (A, B)}
    sources = {s: S.Source(id=s, title=f"T {s}", producer=f"P {s}", licence="unknown",
                           date_published="2024", date_accessed="unknown", kind="press", confidence="high") for s in ("src-a", "src-b")}
    return Dataset(Path("."), None, provinces, indicators, sources, values, values.iloc[0:0],
                   fingerprint="synthetic")


def _points(fig):
    """(legend group, year, value) of every drawn point of every line trace."""
    out = []
    for tr in fig.data:
        if tr.mode and "lines" in tr.mode:
            out += [(tr.legendgroup, x, y) for x, y in zip(tr.x, tr.y) if y is not None]
    return out


def test_one_point_per_province_and_year(synth, cfg):
    fig = charts.time_series(synth, "flow", [A, B], cfg, "vi")
    pts = _points(fig)
    keys = [(g, x) for g, x, _ in pts]
    assert len(keys) == len(set(keys)), "two points of one province in one year"
    # the stated rule: a figure that is not computed wins over a computed one of the same year
    assert (A, 2024, 16.0) in pts and (A, 2024, 15.0) not in pts


def test_sub_annual_and_multi_year_figures_never_drawn_at_a_year(synth, cfg):
    fig = charts.time_series(synth, "flow", [A, B], cfg, "vi")
    drawn = {(g, x, y) for g, x, y in _points(fig)}
    for value in (61.0, 91.0, 40.0, 81.0):  # 2023-H1, 2023-08, 2021-2023, 2023-12
        assert not any(y == value for _, _, y in drawn), value
    assert (B, 2022, 99.0) not in drawn, "a scoped figure joined the line"
    kept, left = charts.series_points(synth, "flow", [A, B])
    assert set(left["period"]) >= {"2023-H1", "2023-08", "2021-2023", "2023-12"}
    assert len(kept) + len(left) == len(synth.rows("flow", [A, B]))


def test_a_missing_year_breaks_the_line(synth, cfg):
    fig = charts.time_series(synth, "flow", [A, B], cfg, "vi")
    alpha = [tr for tr in fig.data if tr.legendgroup == A and tr.mode and "lines" in tr.mode]
    assert alpha and all(tr.connectgaps is False for tr in alpha)
    xs = [x for tr in alpha for x in tr.x]
    ys = {x: y for tr in alpha for x, y in zip(tr.x, tr.y)}
    assert 2021 in xs and ys[2021] is None, "2021 is missing for alpha: a gap, not a line across it"
    # every line's x values are consecutive years: a solid segment joins only neighbouring years
    for tr in fig.data:
        if tr.mode and "lines" in tr.mode and len(tr.x) > 1:
            assert list(tr.x) == list(range(tr.x[0], tr.x[-1] + 1))


def test_flagged_points_are_filled_with_a_dark_outline(synth, cfg):
    fig = charts.time_series(synth, "flow", [A, B], cfg, "vi")
    for tr in fig.data:
        if not (tr.mode and "lines" in tr.mode):
            continue
        colours = tr.marker.color if isinstance(tr.marker.color, (list, tuple)) else [tr.marker.color]
        assert "white" not in colours, "never white on white"
    alpha = [tr for tr in fig.data if tr.legendgroup == A]
    assert any(tr.x[i] == 2024 and tr.marker.symbol[i] == "diamond" and tr.marker.line.color[i] == charts.FLAG_OUTLINE
               for tr in alpha for i in range(len(tr.x))) is False  # 2024 kept the non-computed figure
    assert fig.layout.xaxis.tickvals and all(float(v).is_integer() for v in fig.layout.xaxis.tickvals)


def test_single_points_of_different_years_are_not_comparable(synth):
    a = synth.rows("flow", [A], period="2023").iloc[0]
    b = synth.rows("flow", [B], period="2021").iloc[0]
    comp = comparability({A: a, B: b})
    assert not comp.comparable and "period" in comp.reasons


def test_normalised_values_keep_bounds_and_significant_figures(synth):
    row = synth.rows("stock", [A]).iloc[0]
    assert charts.normalised_label(row, 0.00198765, "vi") == ">0,00199"
    exact = synth.rows("stock", [B]).iloc[0]
    assert charts.normalised_label(exact, 0.00198765, "vi") == "≈0,00199"
    assert charts.normalised_label(exact, 1234.56, "en") == "≈1,235"
    assert charts.normalised_label(exact, 12.345, "vi") == "≈12,3"


def test_a_computed_figure_is_never_the_headline(synth):
    comp = pair_for_concept(synth, "rank", [A, B])
    assert comp.comparable
    assert not any(bool(r["derived"]) for r in comp.present.values())
    assert {r["period"] for r in comp.present.values()} == {"2022"}


def test_real_fdi_snapshots_are_not_drawn_at_a_year(ds, cfg):
    fig = charts.time_series(ds, "fdi_projects", ["thai-nguyen", "hai-duong"], cfg, "vi")
    if fig is not None:
        assert all(float(x).is_integer() for g, x, _ in _points(fig))
        keys = [(g, x) for g, x, _ in _points(fig)]
        assert len(keys) == len(set(keys))
    kept, left = charts.series_points(ds, "fdi_projects", ["thai-nguyen"])
    assert set(kept["period"]) <= {str(y) for y in range(1900, 2101)}
    assert {"2023-08", "2023-12"} <= set(left["period"])
