""""As presented at the meeting" vs "latest": a dataset as it stood at one meeting.

A snapshot (``config.yaml``, ``snapshots:``) names the sources of what a meeting was shown
and/or the year it was held. :func:`apply` gives the dataset a view shows for it
(``asof=<id>`` in the link): figures dated after the year are left out, and for every
province and indicator that the snapshot's sources cover, only the snapshot's own figures
are kept. Other figures stay, marked ``asof_fallback`` (the newest figure up to that year,
not presented at the meeting). :func:`pair` picks a concept's figures preferring the
snapshot's own indicators. Pure: no Streamlit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from .compare import Comparability, comparability, pair_for_concept
from .i18n import pick

LATEST = "latest"


@dataclass(frozen=True)
class Snapshot:
    """One meeting's figures (hashable: it is a cache key)."""

    id: str
    title_vi: str
    title_en: str
    sources: tuple[str, ...] = ()
    as_of_year: int | None = None

    def title(self, lang: str) -> str:
        return pick({"vi": self.title_vi, "en": self.title_en}, lang)


def from_config(cfg) -> tuple[Snapshot, ...]:
    """The snapshots declared in ``config.yaml``, in order."""
    return tuple(Snapshot(s.id, s.title.vi, s.title.en, tuple(s.sources), s.as_of_year)
                 for s in getattr(cfg, "snapshots", []) or [])


def find(snapshots: Iterable[Snapshot], asof: str | None) -> Snapshot | None:
    return next((s for s in snapshots if s.id == asof), None)


def apply(ds, snapshot: Snapshot):
    """A new dataset with the figures of ``snapshot`` (``ds`` is left unchanged).

    - rows dated after ``as_of_year`` (their first year) are dropped;
    - ``in_snapshot``: the row's source is one of the snapshot's sources;
    - for each (province, indicator, district) with a snapshot row, the rows from other
      sources are dropped (the meeting's own figure is preferred);
    - ``asof_fallback``: a kept row that is not the meeting's (shown with a mark);
      ``asof_year``: the snapshot's year, for that mark.

    The fingerprint gets the snapshot id, so every cache keyed on it stays correct.
    """
    df = ds.values
    if snapshot.as_of_year is not None and len(df):
        df = df[df["year_start"] <= snapshot.as_of_year]
    df = df.copy()
    df["in_snapshot"] = df["source"].isin(list(snapshot.sources)) if len(df) else pd.Series(dtype=bool)
    if snapshot.sources and len(df):
        key = ["province", "indicator", "district"]
        covered = df.groupby(key, sort=False)["in_snapshot"].transform("any").astype(bool)
        df = df[df["in_snapshot"] | ~covered].copy()
        df["asof_fallback"] = ~df["in_snapshot"].astype(bool)
    else:
        df["asof_fallback"] = False
    year = snapshot.as_of_year
    if year is None and len(df):
        years = df.loc[df["in_snapshot"], "year_end"]
        year = int(years.max()) if len(years) else None
    df["asof_year"] = "" if year is None else str(year)
    return dataclasses.replace(ds, values=df, fingerprint=f"{ds.fingerprint}:{snapshot.id}")


def apply_by_id(ds, asof: str | None, snapshots: Sequence[Snapshot]):
    """``ds`` at snapshot ``asof``; ``ds`` itself for ``latest`` or an unknown id."""
    snap = find(snapshots, asof)
    return ds if snap is None else apply(ds, snap)


def is_snapshot(ds) -> bool:
    """Whether ``ds`` was made by :func:`apply`."""
    return "in_snapshot" in ds.values.columns


def pair(ds, concept: str, provinces: Iterable[str]) -> Comparability:
    """The figures ``concept`` shows for ``provinces``.

    For a snapshot dataset, the meeting's own figures first: a set of one indicator and
    period that every province has, among the indicators the meeting stated for this
    concept (e.g. average GRDP growth 2021–2023, stated for Hải Dương, with Thái Nguyên's
    figure of the same period); otherwise each province's own meeting figure, then its
    newest. For the latest dataset, :func:`dashboard.compare.pair_for_concept`.
    """
    provinces = list(provinces)
    if not is_snapshot(ds):
        return pair_for_concept(ds, concept, provinces)
    df = ds.rows(concept=concept, provinces=provinces)
    own = df[df["in_snapshot"].astype(bool)]
    if own.empty:
        return pair_for_concept(ds, concept, provinces)
    order = [i for i, ind in ds.indicators.items() if ind.concept == concept]
    rank = {ind: i for i, ind in enumerate(order)}
    stated = set(own["indicator"])
    if len(provinces) >= 2:
        groups = df[df["indicator"].isin(stated)].groupby(["indicator", "period", "scope"], sort=False)
        shared = [g for _k, g in groups if set(g["province"]) >= set(provinces) and g["in_snapshot"].any()]
        if shared:
            best = max(shared, key=lambda g: (int(g["in_snapshot"].sum()), int(g["year_end"].max()),
                                              -rank.get(g["indicator"].iloc[0], len(rank))))
            return comparability({p: best[best["province"] == p].iloc[0] for p in provinces})
    rows: dict[str, pd.Series | None] = {}
    for p in provinces:
        sub = df[df["province"] == p]
        if sub.empty:
            rows[p] = None
            continue
        sub = sub.assign(_own=~sub["in_snapshot"].astype(bool),
                         _o=sub["indicator"].map(lambda i: rank.get(i, len(rank))))
        sub = sub.sort_values(["_own", "_o", "year_end", "scope_rank"], ascending=[True, True, False, True])
        rows[p] = sub.iloc[0].drop(labels=["_own", "_o"])
    return comparability(rows)
