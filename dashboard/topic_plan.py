"""Which element of a topic page shows each figure (pure: data in, plan out; no Streamlit).

One element per concept, never the same numbers twice:

* an indicator with figures in at least :data:`SERIES_MIN_YEARS` calendar years becomes
  one line chart of every compared province (:func:`dashboard.charts.time_series`);
* a comparable single-period set (by the one rule, :func:`dashboard.compare.comparable_sets`)
  of an indicator without a series becomes one compact chart;
* breakdowns configured as compositions become one stacked chart; their parts are shown
  nowhere else;
* what is left of a concept goes, when at least two provinces have figures, to one row of
  the "not directly comparable" table (side by side, the reason once), else to the table
  "Chỉ một tỉnh có số liệu".

At most ``max_charts`` charts: the series with the fewest points and then the compact
charts of the oldest sets give way first; their figures go to the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection

import pandas as pd

from . import charts
from .compare import comparability, comparable_sets, headline

SERIES_MIN_YEARS = 3
MAX_CHARTS = 10


@dataclass
class Chart:
    kind: str                      # "series" | "compare" | "composition"
    concept: str
    indicator: str                 # the indicator (composition: the total)
    rows: pd.DataFrame             # the figures drawn
    period: str = ""               # compare: the set's period
    missing: list[str] = field(default_factory=list)  # compare: compared provinces without it
    parts: list[str] = field(default_factory=list)    # composition: the parts
    weight: int = 0                # how much the chart holds (for the chart budget)


@dataclass
class SideRow:
    """One concept whose figures are not comparable: each province's figures, one reason."""

    concept: str
    cells: dict[str, list[pd.Series]]   # province -> figures, headline first
    reasons: tuple[str, ...]


@dataclass
class Plan:
    charts: list[Chart]
    side: list[SideRow]
    single: pd.DataFrame          # figures only one province has (per concept)
    without_data: list[str]       # compared provinces with no figure on the page

    def shown_rows(self) -> pd.DataFrame:
        frames = [c.rows for c in self.charts]
        frames += [pd.DataFrame([r for rows in s.cells.values() for r in rows]) for s in self.side]
        frames.append(self.single)
        frames = [f for f in frames if not f.empty]
        return pd.concat(frames) if frames else pd.DataFrame()


def plan_topic(ds, topics: list[str], provinces: list[str], compositions=(),
               max_charts: int = MAX_CHARTS, concepts: Collection[str] | None = None) -> Plan:
    """The elements of a topic page (or of one of its sections: only ``concepts``)."""
    provinces = list(provinces)
    rows = ds.rows(provinces=provinces)
    rows = rows[rows["topic"].isin(topics)]
    indicators = [i for i in ds.indicators.values() if i.topic in topics]
    if concepts is not None:  # a section: its concepts, in its order
        wanted = {c: n for n, c in enumerate(dict.fromkeys(concepts))}
        rows = rows[rows["concept"].isin(list(wanted))]
        indicators = sorted((i for i in indicators if i.concept in wanted), key=lambda i: wanted[i.concept])
        compositions = [c for c in compositions if c.total in ds.indicators
                        and ds.indicators[c.total].concept in wanted]
    concepts = list(dict.fromkeys(i.concept for i in indicators))
    used: set = set()
    found: list[Chart] = []

    # compositions first: their parts are shown there and nowhere else
    for comp in compositions:
        total = comp.total
        drawn = []
        for pid in provinces:
            tot = ds.latest(pid, total)
            if tot is None:
                continue
            parts = [ds.rows(p, [pid], period=tot["period"]) for p in comp.parts]
            parts = [p.iloc[0] for p in parts if not p.empty]
            if parts:
                drawn += parts
        if drawn:
            frame = pd.DataFrame(drawn)
            found.append(Chart("composition", ds.indicators[total].concept, total, frame,
                               parts=list(comp.parts), weight=100))
            used |= set(frame.index)

    for ind in indicators:
        pts, _ = charts.series_points(ds, ind.id, provinces)
        pts = pts[~pts.index.isin(used)]
        if not pts.empty and pts["year_end"].nunique() >= SERIES_MIN_YEARS:
            found.append(Chart("series", ind.concept, ind.id, pts, weight=len(pts)))

    series_ids = {c.indicator for c in found if c.kind == "series"}
    series_rows = {i for c in found if c.kind == "series" for i in c.rows.index}
    for ind in indicators:
        if ind.id in series_ids:
            continue
        sub = rows[(rows["indicator"] == ind.id) & ~rows.index.isin(used | series_rows)]
        sets = comparable_sets(sub)
        if sets:
            best = sets[0]
            frame = pd.DataFrame(list(best.present.values()))
            first = next(iter(best.present.values()))
            found.append(Chart("compare", ind.concept, ind.id, frame, period=first["period"],
                               missing=[p for p in provinces if p not in best.present],
                               weight=len(frame)))

    # the chart budget: compositions and compact charts stay, the shortest series go first
    keep = list(found)
    while len(keep) > max_charts:
        candidates = [c for c in keep if c.kind == "series"] or [c for c in keep if c.kind == "compare"]
        victim = min(candidates, key=lambda c: c.weight)
        keep.remove(victim)
    order = {c: i for i, c in enumerate(concepts)}
    kind_order = {"series": 0, "compare": 1, "composition": 2}
    keep.sort(key=lambda c: (order.get(c.concept, len(order)), kind_order[c.kind]))
    for c in keep:
        used |= set(c.rows.index)

    side: list[SideRow] = []
    single = []
    for concept in concepts:
        left = rows[(rows["concept"] == concept) & ~rows.index.isin(used)]
        if left.empty:
            continue
        holders = [p for p in provinces if p in set(left["province"])]
        if len(holders) >= 2:
            ind_order = [i.id for i in indicators if i.concept == concept]
            cells = {}
            heads = {}
            for p in holders:
                sub = left[left["province"] == p]
                head = headline(sub, ind_order)
                heads[p] = head
                rest = sub.drop(index=head.name).sort_values(["year_end", "period"], ascending=False)
                cells[p] = [head] + [r for _, r in rest.iterrows()]
            comp = comparability(heads)
            reasons = tuple(comp.reasons) or ("period",)
            side.append(SideRow(concept, cells, reasons))
        else:
            single.append(left.sort_values(["indicator", "year_end", "period"], ascending=[True, False, False]))
    single_df = pd.concat(single) if single else rows.iloc[0:0]
    holders_all = set(rows["province"])
    return Plan(keep, side, single_df, [p for p in provinces if p not in holders_all])


# ----------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class PageSection:
    """One tab of a topic page, resolved against the data: the concepts it shows."""

    id: str
    title: dict                    # {"vi": ..., "en": ...}
    concepts: tuple[str, ...]
    map_panel: bool = False
    context_panel: bool = False

    def label(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("vi") or self.id


#: The tab of the concepts that no section names (config.yaml: a new indicator is never lost).
OTHER_TITLE = {"vi": "Khác", "en": "Other"}


def page_sections(ds, spec, provinces: list[str]) -> list[PageSection]:
    """The tabs of a topic page for ``provinces``, in the configured order: each section
    with the page's concepts it names (its ``concepts`` and every concept of its
    ``topics``), then "Khác" with the concepts of the page's topics that no section names.

    A section is left out when the compared provinces have no figure in it and it has no
    panel; "Khác" only exists when it holds a figure. A page without ``sections`` is one
    section of all its concepts (id ``""``).
    """
    from .config import OTHER_SECTION

    page_concepts = list(dict.fromkeys(i.concept for i in ds.indicators.values() if i.topic in spec.topics))
    rows = ds.rows(provinces=list(provinces))
    with_figures = set(rows.loc[rows["topic"].isin(spec.topics), "concept"])
    if not spec.sections:
        return [PageSection("", {}, tuple(page_concepts), spec.map_panel, spec.context_panel)]
    out: list[PageSection] = []
    claimed: set[str] = set()
    for sec in spec.sections:
        by_topic = [i.concept for i in ds.indicators.values() if i.topic in sec.topics]
        concepts = tuple(c for c in dict.fromkeys([*sec.concepts, *by_topic]) if c in page_concepts)
        claimed |= set(concepts)
        if any(c in with_figures for c in concepts) or sec.map_panel or sec.context_panel:
            out.append(PageSection(sec.id, sec.title.model_dump(), concepts, sec.map_panel, sec.context_panel))
    rest = tuple(c for c in page_concepts if c not in claimed)
    if any(c in with_figures for c in rest):
        out.append(PageSection(OTHER_SECTION, dict(OTHER_TITLE), rest))
    return out


def open_section(sections: list[PageSection], wanted: str | None) -> PageSection | None:
    """The section a view opens: ``wanted`` when the page has it, else the first."""
    return next((s for s in sections if s.id == wanted), sections[0] if sections else None)


def section_of(ds, spec, concept: str) -> str | None:
    """The id of the section of topic page ``spec`` that shows ``concept`` (by the
    configuration, whatever the figures): a link from the scorecard opens that tab."""
    from .config import OTHER_SECTION

    if spec is None or not spec.sections:
        return None
    topics = {i.topic for i in ds.indicators.values() if i.concept == concept}
    if not topics & set(spec.topics):
        return None
    for sec in spec.sections:
        if concept in sec.concepts or topics & set(sec.topics):
            return sec.id
    return OTHER_SECTION
