"""Every index figure in national context: pure functions of the Dataset (no Streamlit).

For an index (PCI score, PAPI total) and a year: the values of all provinces of 2024
(level province/city, vintage 2024, never the nation), the rank among all with that year's
denominator, the national median, the region's average, a peer group and the change since
the previous year and since the first year of the term; and the index's components
(PCI sub-indices, PAPI dimensions) against the national median.

Published ranks are used where a non-derived rank row exists; otherwise the rank is
computed (``computed=True``): from a derived rank row of the data (computed from the
unrounded scores, its derivation stated there) or, failing that, from the scores here.
Medians, averages and changes are computed numbers; callers label them so.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

import pandas as pd

#: The indices with national coverage: score indicator -> (rank indicator, component prefix).
INDICES: dict[str, tuple[str, str]] = {
    "pci_score": ("pci_rank", "pci_"),
    "papi_score": ("papi_rank", "papi_"),
}
#: Peer rules (the URL parameter ``peers``).
PEER_RULES = ("region", "nearest")
DEFAULT_PEERS = "region"
#: How many provinces the ``nearest`` rule shows.
NEAREST = 5
#: A year has national coverage when at least this share of the 2024 provinces has a value.
COVERAGE = 0.5


def all_provinces(ds) -> list[str]:
    """The provinces of 2024 (province or city level, vintage 2024): the 63 ranked units."""
    return [p for p, prov in ds.provinces.items()
            if prov.level in ("province", "city") and prov.vintage == "2024"]


def region_of(ds, province: str) -> str | None:
    prov = ds.provinces.get(province)
    return prov.region if prov is not None else None


def year_values(ds, indicator: str, year: int | str) -> pd.DataFrame:
    """One row per 2024 province with a value of ``indicator`` in ``year`` (unscoped,
    province level), indexed by province; the rows of the Dataset (source, qualifier, …)."""
    rows = ds.rows(indicator, all_provinces(ds), period=str(year))
    rows = rows[(rows["scope"] == "") & rows["value"].notna()]
    rows = rows.sort_values(["province", "scope_rank", "source"]).drop_duplicates("province")
    return rows.set_index("province", drop=False)


def national_years(ds, indicator: str) -> list[int]:
    """Years (newest first) in which ``indicator`` covers most provinces of 2024."""
    n = len(all_provinces(ds))
    rows = ds.rows(indicator, all_provinces(ds))
    rows = rows[(rows["scope"] == "") & (rows["year_start"] == rows["year_end"])]
    counts = rows.groupby("year_end")["province"].nunique()
    return sorted((int(y) for y, c in counts.items() if n and c >= COVERAGE * n), reverse=True)


@dataclass(frozen=True)
class Rank:
    rank: int
    of: int
    computed: bool  #: not a published rank: never a headline
    derivation: str = ""  #: how a computed rank was obtained ("scores", or the data's derivation)


def ranks(ds, indicator: str, year: int | str) -> dict[str, Rank]:
    """The rank of every province in ``year`` among all provinces with a score.

    A published rank row (not derived) wins; else a derived rank row of the data
    (computed, with its own derivation); else a rank computed here from the scores
    (competition ranking: ties share the best place; direction from ``higher_is_better``).
    """
    values = year_values(ds, indicator, year)
    out: dict[str, Rank] = {}
    if values.empty:
        return out
    ind = ds.indicators.get(indicator)
    higher = True if ind is None or ind.higher_is_better is None else bool(ind.higher_is_better)
    computed_rank = values["value"].rank(method="min", ascending=not higher).astype(int)
    n = len(values)
    rank_ind = INDICES.get(indicator, (None,))[0]
    published = year_values(ds, rank_ind, year) if rank_ind else pd.DataFrame()
    for p in values.index:
        row = published.loc[p] if p in published.index else None
        if row is not None:
            of = int(row["rank_of"]) if pd.notna(row["rank_of"]) else n
            derived = bool(row["derived"])
            out[p] = Rank(int(row["value"]), of, derived, "data" if derived else "")
        else:
            out[p] = Rank(int(computed_rank[p]), n, True, "scores")
    return out


def median(ds, indicator: str, year: int | str) -> tuple[float, int] | None:
    """The national median (computed) over the 2024 provinces with a value, and how many."""
    values = year_values(ds, indicator, year)["value"]
    if values.empty:
        return None
    return float(statistics.median(values)), len(values)


def region_average(ds, indicator: str, year: int | str, region: str | None) -> tuple[float, int] | None:
    """The region's average (computed, unweighted) over its provinces with a value, and how many."""
    if not region:
        return None
    values = year_values(ds, indicator, year)
    members = [p for p in values.index if region_of(ds, p) == region]
    if not members:
        return None
    return float(values.loc[members, "value"].mean()), len(members)


def peers(ds, indicator: str, year: int | str, province: str, rule: str = DEFAULT_PEERS) -> list[str]:
    """The peer group of ``province`` (itself excluded), best score first.

    ``region``: the other provinces of its region with a value; ``nearest``: the
    :data:`NEAREST` provinces whose score is closest to its score (ties by id).
    """
    values = year_values(ds, indicator, year)
    if province not in values.index:
        return []
    others = values.drop(index=province)
    if rule == "nearest":
        ref = float(values.loc[province, "value"])
        dist = sorted(others.index, key=lambda p: (abs(float(others.loc[p, "value"]) - ref), p))
        chosen = dist[:NEAREST]
    else:
        region = region_of(ds, province)
        chosen = [p for p in others.index if region and region_of(ds, p) == region]
    return sorted(chosen, key=lambda p: (-float(values.loc[p, "value"]), p))


@dataclass(frozen=True)
class Change:
    since: int
    points: float  #: computed: value(year) - value(since)
    ranks: int | None  #: places gained (positive = better): rank(since) - rank(year)
    rank_computed: bool  #: either rank computed
    method_change: str | None = None  #: period of a method change between the two years


def change(ds, indicator: str, year: int | str, province: str, since: int | str) -> Change | None:
    """The change of ``province`` from ``since`` to ``year`` (``since`` < ``year``), or None
    when either year has no value."""
    year, since = int(year), int(since)
    if since >= year:
        return None
    now, then = year_values(ds, indicator, year), year_values(ds, indicator, since)
    if province not in now.index or province not in then.index:
        return None
    points = round(float(now.loc[province, "value"]) - float(then.loc[province, "value"]), 6)
    r_now, r_then = ranks(ds, indicator, year).get(province), ranks(ds, indicator, since).get(province)
    gained = r_then.rank - r_now.rank if r_now and r_then else None
    computed = bool((r_now and r_now.computed) or (r_then and r_then.computed))
    ind = ds.indicators.get(indicator)
    method = next((m.period for m in (ind.method_changes if ind else [])
                   if m.period[:4].isdigit() and since < int(m.period[:4]) <= year), None)
    return Change(since, points, gained, computed, method)


@dataclass(frozen=True)
class Standing:
    """One compared province in context (for the rank line and the table)."""

    province: str
    value: float
    value_text: str
    rank: Rank | None
    region: str | None
    previous: Change | None
    term: Change | None
    source: str


@dataclass(frozen=True)
class Context:
    indicator: str
    year: int
    values: pd.DataFrame  #: every province's row of that year
    median: tuple[float, int] | None
    standings: list[Standing]
    region_averages: dict[str, tuple[float, int]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  #: compared provinces without a value


def build(ds, indicator: str, year: int | str, provinces: tuple, term_start: int | None = None) -> Context:
    """Everything the panel shows for ``indicator`` in ``year`` and the compared provinces."""
    year = int(year)
    values = year_values(ds, indicator, year)
    rk = ranks(ds, indicator, year)
    standings, missing, regions = [], [], {}
    for p in provinces:
        if p not in values.index:
            missing.append(p)
            continue
        row = values.loc[p]
        region = region_of(ds, p)
        if region and region not in regions:
            avg = region_average(ds, indicator, year, region)
            if avg is not None:
                regions[region] = avg
        term = change(ds, indicator, year, p, term_start) if term_start is not None else None
        standings.append(Standing(p, float(row["value"]), str(row["value_text"]), rk.get(p), region,
                                  change(ds, indicator, year, p, year - 1), term, str(row["source"])))
    return Context(indicator, year, values, median(ds, indicator, year), standings, regions, missing)


def components(ds, indicator: str) -> list[str]:
    """The component indicators of an index (PCI sub-indices, PAPI dimensions), in the
    order of indicators.yaml."""
    prefix = INDICES.get(indicator, (None, None))[1]
    if not prefix:
        return []
    return [i for i, ind in ds.indicators.items() if ind.topic == "index_components" and i.startswith(prefix)]


def profile(ds, indicator: str, year: int | str, provinces: tuple) -> pd.DataFrame:
    """The components with a value in ``year``: one row per component and province
    (``province`` = ``""`` for the national median, computed), columns
    ``component, province, value, value_text, n``."""
    out = []
    for comp in components(ds, indicator):
        values = year_values(ds, comp, year)
        if values.empty:
            continue
        med = float(statistics.median(values["value"]))
        out.append({"component": comp, "province": "", "value": med, "value_text": "", "n": len(values)})
        for p in provinces:
            if p in values.index:
                out.append({"component": comp, "province": p, "value": float(values.loc[p, "value"]),
                            "value_text": str(values.loc[p, "value_text"]), "n": len(values)})
    return pd.DataFrame(out, columns=["component", "province", "value", "value_text", "n"])
