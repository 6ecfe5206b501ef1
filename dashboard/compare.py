"""Which figures may be compared, and how.

The single rule of comparability (:func:`comparability`) is decided by data, not by code
per indicator: two figures go into one chart only when they are the same indicator, for
the same period, with the same scope (and, for ranks, the same number of units ranked).
Otherwise they are shown side by side with the reasons as notes.

Normalisation (:func:`normalise`) divides a summable single-year figure by the population
of the same year or by the area, and says which figures and sources it used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

ABSOLUTE = "absolute"
PER_1000 = "per_1000"
PER_KM2 = "per_km2"
MODES = (ABSOLUTE, PER_1000, PER_KM2)

# Reason codes (texts in the locale files under ``compare.reason.*``).
MISSING = "missing"
INDICATOR = "indicator"
PERIOD_LENGTH = "period_length"
PERIOD = "period"
SCOPE = "scope"
RANK_BASE = "rank_base"


@dataclass
class Comparability:
    """The decision for a set of figures (one per province; ``None`` = missing)."""

    comparable: bool
    reasons: list[str] = field(default_factory=list)
    rows: dict[str, pd.Series | None] = field(default_factory=dict)

    @property
    def present(self) -> dict[str, pd.Series]:
        return {p: r for p, r in self.rows.items() if r is not None}


def comparability(rows: dict[str, pd.Series | None]) -> Comparability:
    """Decide whether the figures in ``rows`` (province -> value row) can share one chart.

    Examples
    --------
    A three-year total against one year, or private enterprises against all enterprises,
    is not comparable; the reasons say why (``period_length``, ``indicator``).
    """
    reasons: list[str] = []
    present = [r for r in rows.values() if r is not None]
    if len(present) < len(rows):
        reasons.append(MISSING)
    if len(present) >= 2:
        first = present[0]
        if any(r["indicator"] != first["indicator"] for r in present):
            reasons.append(INDICATOR)
        spans = {int(r["year_end"]) - int(r["year_start"]) for r in present}
        if len(spans) > 1:
            reasons.append(PERIOD_LENGTH)
        elif any(r["period"] != first["period"] for r in present):
            reasons.append(PERIOD)
        if any((r.get("scope") or "") != (first.get("scope") or "") for r in present):
            reasons.append(SCOPE)
        bases = {int(r["rank_of"]) for r in present if pd.notna(r.get("rank_of"))}
        if len(bases) > 1:
            reasons.append(RANK_BASE)
    comparable = len(present) >= 2 and not reasons
    return Comparability(comparable, reasons, dict(rows))


def pair_for_concept(ds, concept: str, provinces: Iterable[str],
                     indicator_order: list[str] | None = None) -> Comparability:
    """Pick the figures to show for ``concept``: a comparable set when one exists.

    First the newest (indicator, period, scope) that every province has, preferring sets
    without a computed figure (``derived``); else each province's headline figure of the
    concept (:func:`headline`). A computed figure is never the headline when the
    province has a figure of the concept that is not computed.
    """
    provinces = list(provinces)
    df = ds.rows(concept=concept, provinces=provinces)
    if indicator_order:
        df = df[df["indicator"].isin(indicator_order)]
    if df.empty:
        return comparability({p: None for p in provinces})
    if len(provinces) >= 2:
        groups = df.groupby(["indicator", "period", "scope"], sort=False)
        shared = [(k, g) for k, g in groups if set(g["province"]) >= set(provinces)]
        if shared:
            key, g = max(shared, key=lambda kg: (not kg[1]["derived"].astype(bool).any(),
                                                 int(kg[1]["year_end"].max()), kg[0][1]))
            return comparability({p: g[g["province"] == p].iloc[0] for p in provinces})
    # NOTE: by default the concept's indicators count in the order of indicators.yaml:
    # the first listed is the concept's headline measure.
    if indicator_order is None:
        indicator_order = [i for i, ind in ds.indicators.items() if ind.concept == concept]
    return comparability({p: headline(df[df["province"] == p], indicator_order) for p in provinces})


def headline(rows: pd.DataFrame, indicator_order: list[str]) -> pd.Series | None:
    """One province's headline among ``rows``: not computed first, then the concept's first
    indicator (``indicator_order``), the newest period, the indicator's own scope."""
    if rows.empty:
        return None
    order = {ind: i for i, ind in enumerate(indicator_order)}
    sub = rows.assign(_o=rows["indicator"].map(lambda i: order.get(i, len(order))),
                      _x=rows["derived"].astype(bool))
    sub = sub.sort_values(["_x", "_o", "year_end", "scope_rank"], ascending=[True, True, False, True])
    return sub.iloc[0].drop(labels=["_o", "_x"])


def comparable_sets(rows: pd.DataFrame, min_provinces: int = 2) -> list[Comparability]:
    """Every set of ``rows`` that :func:`comparability` accepts among the provinces that have it.

    ``rows`` are figures of several provinces; a set is one (indicator, period, scope) held
    by at least ``min_provinces`` provinces (one figure each), comparable by the one rule.
    Provinces without the figure are not part of the set (callers show them as missing).
    Newest first; sets without a computed figure before others of the same year.
    """
    out = []
    for _, g in rows.groupby(["indicator", "period", "scope"], sort=False):
        g = g.drop_duplicates("province")
        if g["province"].nunique() < min_provinces:
            continue
        comp = comparability({r["province"]: r for _, r in g.iterrows()})
        if comp.comparable:
            out.append(comp)
    out.sort(key=lambda c: (-max(int(r["year_end"]) for r in c.present.values()),
                            any(bool(r["derived"]) for r in c.present.values())))
    return out


@dataclass
class Normalised:
    """A computed figure: the value, and the rows it was computed from."""

    value: float | None
    mode: str
    inputs: list[pd.Series] = field(default_factory=list)
    reason: str = ""  # why it could not be computed (locale key suffix)


def can_normalise(ind, row: pd.Series) -> bool:
    """Only summable counts/amounts of a single year are divided by population or area."""
    return bool(ind.summable) and int(row["year_start"]) == int(row["year_end"])


def _denominator(ds, province: str, indicator: str, year: int | None) -> pd.Series | None:
    df = ds.rows(indicator, [province])
    if df.empty:
        return None
    df = df[df["year_start"] == df["year_end"]]
    if year is not None:
        exact = df[df["year_end"] == year]
        return exact.iloc[0] if not exact.empty else None
    return df.sort_values("year_end").iloc[0] if not df.empty else None


def normalise(ds, row: pd.Series, mode: str) -> Normalised:
    """``row``'s value per 1,000 inhabitants (population of the same year) or per km².

    Per km² uses the earliest single-year area figure of the province (the official area
    of the pre-merger boundaries), whatever the figure's year.
    """
    if mode == ABSOLUTE:
        return Normalised(float(row["value"]), mode, [row])
    ind = ds.indicators[row["indicator"]]
    if not can_normalise(ind, row):
        return Normalised(None, mode, [row], "not_normalisable")
    if mode == PER_1000:
        den = _denominator(ds, row["province"], "population", int(row["year_end"]))
        if den is None or not den["value"]:
            return Normalised(None, mode, [row], "no_population")
        return Normalised(float(row["value"]) / float(den["value"]) * 1000, mode, [row, den])
    if mode == PER_KM2:
        den = _denominator(ds, row["province"], "area", None)
        if den is None or not den["value"]:
            return Normalised(None, mode, [row], "no_area")
        return Normalised(float(row["value"]) / float(den["value"]), mode, [row, den])
    raise ValueError(f"unknown mode {mode!r}")


def difference(comp: Comparability, a: str, b: str) -> float | None:
    """``a - b`` when the two figures are comparable and neither is a bound (``>``/``<``)."""
    if not comp.comparable:
        return None
    ra, rb = comp.rows.get(a), comp.rows.get(b)
    if ra is None or rb is None:
        return None
    if ra["qualifier"] in (">", "<") or rb["qualifier"] in (">", "<"):
        return None
    return float(ra["value"]) - float(rb["value"])
