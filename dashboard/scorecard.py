"""The scorecard (bảng so sánh) of the overview: one row per headline concept, one column
per compared province, a comparison column, a trend line and "since the meeting".

:func:`build` turns a dataset and a view into a :class:`Scorecard` (plain data, no
Streamlit); :func:`render` fills ``templates/scorecard.html.j2`` (Jinja2, auto-escaped: text
from ``data/`` is never markup). Numbers read as everywhere else (:mod:`dashboard.present`);
which figures may be compared is :func:`dashboard.compare.comparability`'s decision.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pandas as pd

from . import fmt, snapshots
from .compare import comparability, difference
from .i18n import pick, t
from .present import (
    comparability_text,
    flags,
    number_text,
    period_text,
    source_text,
    value_text,
)
from .topic_plan import section_of

TEMPLATES = Path(__file__).with_name("templates")
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")
_MONTH = re.compile(r"(\d{4})-(\d{2})(?:-\d{2})?$")
#: Short reason labels of the comparison column (compare's reason codes -> locale keys).
REASON = {"missing": "missing", "indicator": "indicator", "period_length": "period", "period": "period",
          "scope": "scope", "rank_base": "rank_base"}
SPARK_W, SPARK_H, SPARK_PAD = 120, 34, 4


@dataclass
class Cell:
    province: str
    name: str
    colour: str
    value: str | None  # None: missing; the whole figure: ">31 tỷ USD"
    period: str = ""
    label: str = ""  # the indicator's short title, when the row's cells differ in indicator
    badges: list[str] = field(default_factory=list)
    source: int | None = None  # the footnote number of its source
    source_title: str = ""

    @property
    def number(self) -> str:
        """The figure's number with qualifier (drawn large): ``>31``, ``8/63``, ``6,5%``."""
        if self.value is None:
            return ""
        head = self.value.split(" ", 1)[0]
        return head

    @property
    def unit(self) -> str:
        """The rest of the figure (drawn smaller): ``tỷ USD``."""
        if self.value is None or " " not in self.value:
            return ""
        return self.value.split(" ", 1)[1]


@dataclass
class Comparison:
    text: str
    kind: str  # "lead", "equal", "reason"
    computed: bool = False
    colour: str | None = None  # the leading province's colour
    detail: str = ""  # the full reason (tooltip)


@dataclass
class Spark:
    uri: str  # data:image/svg+xml (st.html keeps <img>, not inline <svg>)
    years: str  # "2015–2024"
    alt: str
    points: list[tuple[int, float]]  # (year, value), for tests
    segments: list[list[int]]  # years drawn as one line each (a missing year breaks it)


@dataclass
class Row:
    concept: str
    title: str
    subtitle: str
    href: str
    cells: list[Cell]
    comparisons: list[Comparison]
    spark: Spark | None = None
    since: str | None = None  # None: no column; "—": not comparable
    since_computed: bool = False


@dataclass
class Scorecard:
    lang: str
    provinces: list[tuple[str, str, str]]  # (id, name, colour)
    rows: list[Row]
    sources: list[tuple[int, str]]
    labels: dict[str, str]
    since_title: str | None = None


def _query_with_section(query: str, section: str | None) -> str:
    """``?query`` with the topic page's tab that shows the row (``section``), if any."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "section"]
    if section:
        pairs.append(("section", section))
    return f"?{urlencode(pairs)}" if pairs else ""


def colour(cfg, pid: str, index: int) -> str:
    value = cfg.colour(pid, index)
    return value if _HEX.fullmatch(value or "") else "#495057"


def _merger_badges(ds, row: pd.Series, lang: str) -> list[str]:
    """Figures of the July-2025 units say so; so do later figures of a merged-away province."""
    prov = ds.provinces.get(row["province"])
    if prov is None:
        return []
    if prov.merged_from or prov.vintage == "2025":
        return [t("scorecard.merged_unit", lang)]
    m = prov.merger
    if m is None:
        return []
    month = _MONTH.match(str(row["period"]))
    end = (int(month.group(1)), int(month.group(2))) if month else (int(row["year_end"]), 12)
    if end >= (m.effective.year, m.effective.month):
        return [t("scorecard.former_unit", lang, date=f"{m.effective.month}/{m.effective.year}")]
    return []


def _decimals(*rows: pd.Series) -> int:
    return max(fmt.decimals_of(r["value_text"]) for r in rows)


def _unit(ind, lang: str) -> str:
    unit = pick(ind.unit, lang)
    return t("figure.points", lang) if unit.startswith("%") else unit


def _bounds(row: pd.Series) -> tuple[float, float]:
    v = float(row["value"])
    return {">": (v, float("inf")), "<": (float("-inf"), v)}.get(row["qualifier"], (v, v))


def compare_two(ds, cfg, ref: str, other: str, rows: dict, lang: str, index: dict[str, int]) -> Comparison:
    """Who leads between ``ref`` and ``other`` and by how much, or why they cannot be compared."""
    comp = comparability({ref: rows.get(ref), other: rows.get(other)})
    if not comp.comparable:
        labels = list(dict.fromkeys(t(f"scorecard.reason.{REASON[r]}", lang) for r in comp.reasons))
        return Comparison(", ".join(labels), "reason", detail=comparability_text(ds, comp, lang))
    ra, rb = rows[ref], rows[other]
    ind = ds.indicators[ra["indicator"]]
    rank = ind.kind == "rank"
    lower_better = rank or ind.higher_is_better is False
    diff = difference(comp, ref, other)
    if diff is None:  # a bound (">", "<"): the leader only when the ranges do not overlap
        (alo, ahi), (blo, bhi) = _bounds(ra), _bounds(rb)
        higher = ref if alo > bhi else other if blo > ahi else None
        if higher is None:
            return Comparison(t("scorecard.undecided", lang), "reason")
        leader = (other if higher == ref else ref) if lower_better else higher
        return Comparison(t("scorecard.leads", lang, name=ds.province_name(leader, lang)), "lead",
                          colour=colour(cfg, leader, index[leader]))
    if diff == 0:
        return Comparison(t("scorecard.equal", lang), "equal", computed=True)
    higher = ref if diff > 0 else other
    leader = (other if higher == ref else ref) if lower_better else higher
    name = ds.province_name(leader, lang)
    amount = abs(diff)
    if rank:
        key = "rank_ahead_one" if amount == 1 else "rank_ahead"
        text = t(f"scorecard.{key}", lang, name=name, n=fmt.number(amount, lang, 0))
    else:
        shown = f"{fmt.number(amount, lang, _decimals(ra, rb))} {_unit(ind, lang)}".strip()
        key = {True: "higher_better", False: "lower_better", None: "higher"}[ind.higher_is_better]
        text = t(f"scorecard.{key}", lang, name=name, diff=shown)
    return Comparison(text, "lead", computed=True, colour=colour(cfg, leader, index[leader]))


def since_text(ds, now: pd.Series | None, then: pd.Series | None, lang: str) -> tuple[str, bool]:
    """What changed for one province since the meeting: ``(text, computed)``; "—" when the
    two figures are not comparable (another indicator, period length or scope)."""
    dash = t("scorecard.no_change_known", lang)
    if now is None or then is None:
        return dash, False
    same = (now["indicator"] == then["indicator"]
            and int(now["year_end"]) - int(now["year_start"]) == int(then["year_end"]) - int(then["year_start"])
            and (now.get("scope") or "") == (then.get("scope") or ""))
    if not same or int(now["year_end"]) < int(then["year_end"]):  # never "since" backwards in time
        return dash, False
    ind = ds.indicators[now["indicator"]]
    if now["period"] == then["period"] and now["value_text"] == then["value_text"] \
            and now["qualifier"] == then["qualifier"]:
        return t("scorecard.since_same", lang), False
    periods = f"{period_text(then['period'], lang)} → {period_text(now['period'], lang)}"
    if now["qualifier"] in (">", "<") or then["qualifier"] in (">", "<"):
        return t("scorecard.since_values", lang, then=number_text(then, lang),
                 now=value_text(now, ind, lang), periods=periods), False
    diff = float(now["value"]) - float(then["value"])
    if ind.kind == "rank":
        if diff == 0:
            return t("scorecard.since_rank_same", lang, periods=periods), True
        key = ("since_rank_up" if diff < 0 else "since_rank_down") + ("_one" if abs(diff) == 1 else "")
        return t(f"scorecard.{key}", lang, n=fmt.number(abs(diff), lang, 0), periods=periods), True
    sign = "+" if diff > 0 else ("−" if diff < 0 else "±")
    shown = f"{sign}{fmt.number(abs(diff), lang, _decimals(now, then))} {_unit(ind, lang)}".strip()
    return t("scorecard.since_change", lang, diff=shown, periods=periods), True


# ----------------------------------------------------------------------------- sparkline

def yearly_series(ds, province: str, indicator: str, scope: str = "") -> list[tuple[int, float]]:
    """One figure per calendar year (periods ``YYYY`` only, one scope), oldest first."""
    df = ds.rows(indicator, [province])
    df = df[df["period"].str.fullmatch(r"\d{4}") & (df["scope"].fillna("") == (scope or ""))]
    df = df.sort_values(["year_end", "scope_rank"]).drop_duplicates("year_end")
    return [(int(y), float(v)) for y, v in zip(df["year_end"], df["value"])]


def segments_of(points: Sequence[tuple[int, float]]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive years: a missing year breaks the line."""
    out: list[list[tuple[int, float]]] = []
    for p in points:
        if out and p[0] == out[-1][-1][0] + 1:
            out[-1].append(p)
        else:
            out.append([p])
    return out


def sparkline(points: Sequence[tuple[int, float]], colour_hex: str, invert: bool, alt: str,
              lang: str) -> Spark | None:
    """A small SVG of ``points`` (at least 3 years), as a data URI; ``invert`` puts low values
    (ranks) at the top. No line crosses a missing year; a lone year is a dot."""
    if len(points) < 3:
        return None
    years = [y for y, _ in points]
    values = [v for _, v in points]
    y0, y1 = min(years), max(years)
    lo, hi = min(values), max(values)

    def xy(y: int, v: float) -> tuple[float, float]:
        x = SPARK_PAD + (SPARK_W - 2 * SPARK_PAD) * ((y - y0) / (y1 - y0) if y1 > y0 else 0.5)
        frac = (v - lo) / (hi - lo) if hi > lo else 0.5
        if invert:
            frac = 1 - frac
        return round(x, 1), round(SPARK_H - SPARK_PAD - (SPARK_H - 2 * SPARK_PAD) * frac, 1)

    segs = segments_of(points)
    parts = []
    for seg in segs:
        if len(seg) == 1:
            x, y = xy(*seg[0])
            parts.append(f'<circle cx="{x}" cy="{y}" r="2.6" fill="{colour_hex}"/>')
        else:
            pts = " ".join(f"{x},{y}" for x, y in (xy(*p) for p in seg))
            parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour_hex}" stroke-width="2.4" '
                         'stroke-linejoin="round" stroke-linecap="round"/>')
    x, y = xy(*points[-1])
    parts.append(f'<circle cx="{x}" cy="{y}" r="3.4" fill="{colour_hex}"/>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{SPARK_W}" height="{SPARK_H}" '
           f'viewBox="0 0 {SPARK_W} {SPARK_H}">{"".join(parts)}</svg>')
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Spark(uri, f"{y0}–{y1}", alt, list(points), [[y for y, _ in s] for s in segs])


def _spark(ds, cfg, concept: str, ref: str, row: pd.Series | None, lang: str) -> Spark | None:
    order = [i for i, ind in ds.indicators.items() if ind.concept == concept]
    if row is not None:
        order = [row["indicator"]] + [i for i in order if i != row["indicator"]]
    scope = (row.get("scope") or "") if row is not None else ""
    for ind_id in order:
        points = yearly_series(ds, ref, ind_id, scope)
        if len(points) >= 3:
            ind = ds.indicators[ind_id]
            invert = ind.kind == "rank" or ind.higher_is_better is False
            alt = t("scorecard.trend_alt", lang, name=ds.province_name(ref, lang), indicator=pick(ind.short, lang),
                    years=f"{points[0][0]}–{points[-1][0]}")
            return sparkline(points, colour(cfg, ref, 0), invert, alt, lang)
    return None


# ----------------------------------------------------------------------------- model

def build(ds, cfg, provinces: Sequence[str], lang: str, *, query: str = "",
          since_ds=None, since_label: str | None = None, ref: str | None = None) -> Scorecard:
    """The scorecard of ``ds`` (the view's dataset: latest, or a snapshot's) for ``provinces``.

    ``ref``: the reference province (the link's ``ref``; default the first): the
    comparison column shows every other province against it, and its trend and change
    since the meeting are shown.

    ``since_ds``: the meeting's dataset, for the "since the meeting" column (only with the
    latest figures); ``query``: the current link's query, kept by the rows' links.
    """
    provinces = [p for p in provinces if p in ds.provinces]
    index = {p: i for i, p in enumerate(provinces)}
    heads = [(p, ds.province_name(p, lang), colour(cfg, p, i)) for i, p in enumerate(provinces)]
    ref = ref if ref in provinces else (provinces[0] if provinces else None)
    others = [p for p in provinces if p != ref]
    sources: dict[str, int] = {}
    rows: list[Row] = []
    pages = {p.id: p for p in cfg.pages}
    for entry in cfg.scorecard.rows:
        if not any(ind.concept == entry.concept for ind in ds.indicators.values()):
            continue
        comp = snapshots.pair(ds, entry.concept, provinces)
        present = comp.present
        inds = {r["indicator"] for r in present.values()}
        concept_inds = [i for i, ind in ds.indicators.items() if ind.concept == entry.concept]
        # a concept's own title, else its (only) indicator's short title: "Hạng DTI"
        title = (ds.concept_title(entry.concept, lang) if entry.concept in ds.concepts or not concept_inds
                 else pick(ds.indicators[concept_inds[0]].short, lang))
        subtitle = ""
        if len(inds) == 1 and len(concept_inds) > 1:  # which of the concept's measures is shown
            subtitle = pick(ds.indicators[next(iter(inds))].short, lang)
            subtitle = "" if subtitle.casefold() == title.casefold() else subtitle
        cells = []
        for p, name, col in heads:
            r = comp.rows.get(p)
            if r is None:
                cells.append(Cell(p, name, col, None))
                continue
            ind = ds.indicators[r["indicator"]]
            src = ds.sources.get(r["source"])
            num = sources.setdefault(r["source"], len(sources) + 1)
            cells.append(Cell(
                p, name, col, value_text(r, ind, lang), period_text(r["period"], lang),
                pick(ind.short, lang) if len(inds) > 1 else "",
                flags(r, lang) + _merger_badges(ds, r, lang), num,
                source_text(src, lang)))
        comparisons = [compare_two(ds, cfg, ref, other, comp.rows, lang, index) for other in others]
        if len(provinces) > 2:
            for c, other in zip(comparisons, others):
                c.text = t("scorecard.versus", lang, name=ds.province_name(other, lang), text=c.text)
        since, since_computed = None, False
        if since_ds is not None and ref is not None:
            then = snapshots.pair(since_ds, entry.concept, provinces).rows.get(ref)
            since, since_computed = since_text(ds, comp.rows.get(ref), then, lang)
        page = pages.get(entry.page)
        href = f"./{page.url_path}" + _query_with_section(query, section_of(
            ds, cfg.topic_pages.get(entry.page), entry.concept)) if page else ""
        rows.append(Row(entry.concept, title, subtitle, href, cells, comparisons,
                        _spark(ds, cfg, entry.concept, ref, comp.rows.get(ref), lang) if ref else None,
                        since, since_computed))
    source_list = [(n, source_text(ds.sources.get(s), lang)) for s, n in sources.items()]
    labels = {k: t(f"scorecard.{k}", lang) for k in
              ("caption", "indicator", "open_hint", "comparison", "comparison_hint", "since_hint", "trend",
               "missing", "sources", "open", "source_ref")}
    if ref is not None:  # the trend column shows the reference province
        labels["trend_of"] = ds.province_name(ref, lang)
    if len(provinces) > 2 and ref is not None:  # name the reference province in the header
        labels["comparison_hint"] = t("sidebar.ref_hint", lang, name=ds.province_name(ref, lang))
    since_title = since_label if since_ds is not None else None
    return Scorecard(lang, heads, rows, source_list, labels, since_title)


# ----------------------------------------------------------------------------- HTML

@lru_cache(maxsize=1)
def _template():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return env.get_template("scorecard.html.j2")


def render(card: Scorecard) -> str:
    """The scorecard as an HTML table (with its <style>), every text auto-escaped."""
    return _template().render(card=card)
