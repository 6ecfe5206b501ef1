"""Plotly figure builders: data in, figure out. No Streamlit here.

Every builder takes the dataset (for titles, units and sources from ``data/``), the
figures to draw, the configuration (colours, font sizes) and the language. Titles, axis
labels and numbers are in the chosen language and number style; ranks read "lower is
better" on a reversed axis; a line never runs across a change of method or a missing year.

Every text a chart draws (ticks, legend, labels, annotations) takes its size from
``config.yaml``'s ``chart.font_size`` (titles ``chart.title_size``); plotly may not
shrink text inside bars below it (``uniformtext``).

Plotly reads a few HTML tags and entities in every text it draws; text from ``data/``
(names, titles, units, figures) passes through :func:`dashboard.present.plot_text`.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from . import fmt
from .compare import ABSOLUTE, Comparability, normalise
from .i18n import pick, t
from .present import (
    flags,
    number_text,
    period_text,
    plot_text,
    sources_line,
    value_text,
)

SEPARATORS = {"vi": ",.", "en": ".,"}
#: A period of exactly one calendar year: the only periods a series draws at a year.
YEAR = re.compile(r"^[0-9]{4}\Z")
#: Characters of a title line before it wraps (a chart is ~460 px wide in a two-column grid).
TITLE_WIDTH = 28
#: Outline of points that are estimates, low-confidence or computed (filled, never hollow).
FLAG_OUTLINE = "#111111"


def chart_config(filename: str) -> dict:
    """Options for ``st.plotly_chart(config=...)``: PNG download with a meaningful name."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in filename)
    return {
        "displaylogo": False,
        "displayModeBar": "hover",
        "toImageButtonOptions": {"format": "png", "filename": safe, "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "zoom2d", "pan2d", "zoomIn2d", "zoomOut2d",
                                   "autoScale2d"],
    }


def wrap_title(text: str, width: int = TITLE_WIDTH, max_lines: int = 3) -> str:
    """``text`` in lines of at most ``width`` characters (plotly never wraps a title)."""
    lines = textwrap.wrap(text, width=width, break_long_words=False) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(" ,;:–-") + "…"
    return "<br>".join(lines)


def title_with_note(title: str, note: str, width: int = TITLE_WIDTH) -> str:
    """A wrapped title (never cut: three lines hold every indicator title) and a short
    note (``lower rank is better``), the note never split."""
    one = f"{title} · {note}"
    if len(one) <= width:
        return one
    return wrap_title(title, width, 3) + "<br>" + note


def _legend_rows(fig: go.Figure, size: int, width: int = 420) -> int:
    """Rows a horizontal legend takes in a chart about ``width`` px wide (an estimate)."""
    items = [len(str(tr.name or "")) * size * 0.55 + 50 for tr in fig.data if tr.showlegend is not False and tr.name]
    rows, used = 1 if items else 0, 0.0
    for w in items:
        if used and used + w > width:
            rows, used = rows + 1, 0.0
        used += w
    return rows


def _layout(fig: go.Figure, cfg, title: str, lang: str, height: int | None = None,
            legend: bool = True, extra_top: int = 0) -> go.Figure:
    size = cfg.chart.font_size
    bottom = 8 + (int(_legend_rows(fig, size) * size * 1.7) if legend else 0)
    lines = title.count("<br>") + 1 if title else 0
    top = (18 + int(lines * cfg.chart.title_size * 1.3) if title else 16) + extra_top
    total = (height or cfg.chart.height) + top + bottom
    # NOTE: plotly anchors a title of several lines by its first line, the others below it;
    # the first line's baseline is placed in pixels from the top so no line is ever cut off.
    first_line = 10 + cfg.chart.title_size * 1.05
    fig.update_layout(
        title={"text": title, "font": {"size": cfg.chart.title_size}, "x": 0, "xanchor": "left",
               "xref": "container", "y": 1 - first_line / total, "yref": "container", "yanchor": "bottom",
               "pad": {"l": 4}},
        font={"size": size, "color": "#1b1b1b"},
        separators=SEPARATORS.get(lang, ",."),
        height=total,
        margin={"l": 8, "r": 16, "t": top, "b": bottom},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0,
                "font": {"size": size}, "itemwidth": 30},
        showlegend=legend,
        hoverlabel={"font": {"size": size}},
        uniformtext={"minsize": size, "mode": "show"},
    )
    fig.update_xaxes(showgrid=False, linecolor="#444", automargin=True, tickfont={"size": size},
                     title_font={"size": size})
    # NOTE: ",~f" keeps grouping in the language's style (35.000, not plotly's "35k").
    fig.update_yaxes(gridcolor="#e3e3e3", zerolinecolor="#999", automargin=True, tickformat=",~f",
                     tickfont={"size": size}, title_font={"size": size})
    return fig


def significant(value: float, lang: str, digits: int = 3) -> str:
    """A computed value at ``digits`` significant figures (``0,00198``, ``12,3``, ``1.235``)."""
    if value == 0 or not math.isfinite(value):
        return fmt.number(0 if value == 0 else value, lang, 0)
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    return fmt.number(round(value, decimals), lang, decimals)


def normalised_label(row: pd.Series, value: float | None, lang: str) -> str:
    """A normalised figure: the source's bound kept (``>``/``<``/``~``), else ``≈`` (computed)."""
    if value is None:
        return ""
    sign = row.get("qualifier") or ""
    return (sign if sign in (">", "<", "~") else "≈") + significant(value, lang)


def _flag_text(row: pd.Series, lang: str) -> str:
    marks = flags(row, lang)
    return (" (" + ", ".join(marks) + ")") if marks else ""


def _is_flagged(row: pd.Series) -> bool:
    return bool(row.get("estimate")) or row.get("confidence") == "low" or bool(row.get("derived"))


def bar_comparison(ds, comp: Comparability, cfg, lang: str, mode: str = ABSOLUTE) -> go.Figure:
    """One bar (or, for ranks, one dot) per province for a comparable set of figures.

    Raises ``ValueError`` when the figures are not comparable: callers show cards instead.
    """
    if not comp.comparable:
        raise ValueError("figures are not comparable; show them as separate cards")
    rows = comp.present
    first = next(iter(rows.values()))
    ind = ds.indicators[first["indicator"]]
    names, values, labels, colours, hover = [], [], [], [], []
    for i, (pid, row) in enumerate(rows.items()):
        names.append(plot_text(ds.province_name(pid, lang)))
        colours.append(cfg.colour(pid, i))
        if mode == ABSOLUTE:
            values.append(float(row["value"]))
            labels.append(plot_text(value_text(row, ind, lang)))
        else:
            norm = normalise(ds, row, mode)
            values.append(norm.value)
            labels.append(normalised_label(row, norm.value, lang))
        hover.append(f"{names[-1]}: {labels[-1]} ({period_text(row['period'], lang)})")
    title = plot_text(f"{pick(ind.title, lang)} — {period_text(first['period'], lang)}")
    fig = go.Figure()
    if ind.kind == "rank":
        total = int(first["rank_of"]) if pd.notna(first["rank_of"]) else max(values)
        fig.add_trace(go.Scatter(
            x=values, y=names, mode="markers+text", text=labels, textposition="middle right",
            marker={"size": 26, "color": colours}, hovertext=hover, hoverinfo="text",
            showlegend=False, cliponaxis=False))
        fig.update_xaxes(range=[total + 0.5, 0.5], title=t("chart.rank_axis", lang, total=total))
        title += " · " + t("chart.lower_is_better", lang)
    else:
        unit = pick(ind.unit, lang) if mode == ABSOLUTE else t(f"mode.unit.{mode}", lang,
                                                                 unit=pick(ind.unit, lang))
        fig.add_trace(go.Bar(
            x=names, y=values, text=labels, textposition="outside", marker_color=colours,
            hovertext=hover, hoverinfo="text", showlegend=False, cliponaxis=False,
            textfont={"size": cfg.chart.font_size + 2}))
        fig.update_yaxes(title=plot_text(unit), rangemode="tozero")
        if values and all(v is not None for v in values):
            fig.update_yaxes(range=[min(0, min(values)) * 1.2, max(values) * 1.25 or 1])
    return _layout(fig, cfg, wrap_title(title, 60), lang)


def compact_comparison(ds, rows: dict, cfg, lang: str, mode: str = ABSOLUTE,
                       missing: Iterable[str] = ()) -> go.Figure:
    """One comparable single-period set as a compact horizontal chart with value labels.

    ``rows``: province -> value row, all of one indicator, period and scope (the caller
    checked them with :func:`dashboard.compare.comparability`). Bars for amounts, a dot on
    a reversed axis for ranks (labels such as ``2/6`` never clipped); provinces in
    ``missing`` are listed with "no data", never drawn as 0. Height ~90 px + 40 px a row.
    """
    first = next(iter(rows.values()))
    ind = ds.indicators[first["indicator"]]
    size = cfg.chart.font_size
    order = list(rows) + [p for p in missing if p not in rows]
    names = [plot_text(ds.province_name(p, lang)) for p in order]
    values, labels, colours, outline = [], [], [], []
    for i, pid in enumerate(order):
        row = rows.get(pid)
        colours.append(cfg.colour(pid, i))
        if row is None:
            values.append(None)
            labels.append(t("figure.missing", lang))
            outline.append(0)
            continue
        if mode == ABSOLUTE or ind.kind == "rank":
            values.append(float(row["value"]))
            marks = flags(row, lang)
            labels.append(plot_text(value_text(row, ind, lang)) + ("<br>" + ", ".join(marks) if marks else ""))
        else:
            norm = normalise(ds, row, mode)
            values.append(norm.value)
            labels.append(normalised_label(row, norm.value, lang) if norm.value is not None
                          else t(f"mode.reason.{norm.reason}", lang))
        outline.append(2.5 if _is_flagged(row) else 0)
    title = f"{pick(ind.short, lang)} · {period_text(first['period'], lang)}"
    hover = [f"{n}: {lab}" for n, lab in zip(names, labels)]
    fig = go.Figure()
    present = [v for v in values if v is not None]
    if ind.kind == "rank":
        total = int(first["rank_of"]) if pd.notna(first.get("rank_of")) else int(max(present or [1]))
        # the label sits on the side with room: left of dots in the better half, else right
        positions = ["middle left" if (v is not None and v <= (total + 1) / 2) else "middle right"
                     for v in values]
        xs = [v if v is not None else total + 0.5 for v in values]
        fig.add_trace(go.Scatter(
            x=xs, y=names, mode="markers+text", text=labels, textposition=positions,
            textfont={"size": size}, hovertext=hover, hoverinfo="text", showlegend=False, cliponaxis=False,
            marker={"size": 20, "color": [c if v is not None else "rgba(0,0,0,0)" for c, v in zip(colours, values)],
                    "line": {"color": FLAG_OUTLINE, "width": outline}}))
        fig.update_xaxes(range=[total + 0.5, 0.5], title=t("chart.rank_axis", lang, total=total),
                         showgrid=True, gridcolor="#eeeeee", nticks=6)
        title = title_with_note(plot_text(title), t("chart.lower_is_better", lang))
    else:
        fig.add_trace(go.Bar(
            x=[v if v is not None else 0 for v in values], y=names, orientation="h", text=labels,
            textposition="outside", textfont={"size": size}, marker_color=colours,
            marker_line={"color": FLAG_OUTLINE, "width": outline},
            hovertext=hover, hoverinfo="text", showlegend=False, cliponaxis=False))
        hi = max([v for v in present if v is not None] or [1])
        lo = min([0] + [v for v in present if v is not None])
        # room on the right for the longest line of a value label (a chart ~330 px wide)
        longest = max((len(line) for lab in labels for line in lab.split("<br>")), default=0)
        plot_w = max(120, 330 - max(len(n) for n in names) * size * 0.55 - 24)
        room = min(0.75, (longest * size * 0.55 + 12) / plot_w)
        fig.update_xaxes(range=[lo * 1.1, (hi or 1) / (1 - room)], showticklabels=False, showgrid=False,
                         zeroline=True, zerolinecolor="#999")
        unit = pick(ind.unit, lang) if mode == ABSOLUTE else t(f"mode.unit.{mode}", lang,
                                                                 unit=pick(ind.unit, lang))
        title = wrap_title(plot_text(title + (f" ({unit})" if unit and not unit.startswith("%") else "")))
    fig.update_yaxes(autorange="reversed", showgrid=False, tickfont={"size": size})
    two_lines = any("<br>" in lab for lab in labels)
    fig = _layout(fig, cfg, title, lang, height=50 + (50 if two_lines else 40) * len(order), legend=False)
    fig.update_layout(bargap=0.35)
    return fig


# ----------------------------------------------------------------------------- series

def series_points(ds, indicator: str, provinces: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The figures a yearly series draws, and the others of the same indicator.

    Drawn: figures of exactly one calendar year (period ``YYYY``) with the indicator's own
    scope, one per province and year. Half-years, quarters, months, days and multi-year
    periods are never drawn at a year; scoped figures never join the unscoped line. When a
    province has several figures for one year, the rule is: a figure that is not computed
    first, then the latest-dated source, then the last row in ``values.csv``. Everything
    not drawn is returned as the second frame (for the table).
    """
    df = ds.rows(indicator, list(provinces))
    if df.empty:
        return df, df
    yearly = df["period"].astype(str).str.match(YEAR) & (df["scope"] == "")
    cand = df[yearly]

    def src_date(sid: str) -> str:
        src = ds.sources.get(sid)
        return (src.date or "") if src is not None else ""

    cand = cand.assign(_d=cand["source"].map(src_date), _x=cand["derived"].astype(bool))
    cand = cand.sort_values(["province", "year_end", "_x", "_d", "row"], ascending=[True, True, False, True, True])
    kept = cand.groupby(["province", "year_end"], sort=False).tail(1)
    kept = kept.drop(columns=["_d", "_x"])
    left = df.drop(index=kept.index)
    return kept.sort_values(["province", "year_end"]), left


def series_years(ds, indicator: str, provinces: Iterable[str]) -> int:
    """Distinct calendar years a series of ``indicator`` would draw for ``provinces``."""
    pts, _ = series_points(ds, indicator, provinces)
    return int(pts["year_end"].nunique()) if not pts.empty else 0


def _segments(years: list[int], changes: list[int]) -> list[tuple[int, int]]:
    """Year ranges between method changes: a line is drawn only inside one range."""
    bounds = sorted(set(c for c in changes if min(years) < c <= max(years))) if years else []
    edges = [min(years, default=0)] + bounds + [max(years, default=0) + 1]
    return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]


def time_series(ds, indicator: str, provinces: Iterable[str], cfg, lang: str,
                height: int | None = None, legend: bool = True) -> go.Figure | None:
    """Yearly values of ``indicator`` per province; ``None`` when fewer than two years exist.

    Only figures of one calendar year are drawn (:func:`series_points`), one point per
    province and year. A missing year breaks the line (a gap, never a line across it);
    method changes (``method_changes`` in ``indicators.yaml``) split the lines and are
    marked with a dashed line and a label. Estimates, low-confidence and computed figures
    are drawn as filled diamonds with a dark outline, explained in the legend.
    """
    provinces = list(provinces)
    ind = ds.indicators[indicator]
    df, _ = series_points(ds, indicator, provinces)
    if df.empty or df["year_end"].nunique() < 2:
        return None
    changes = [int(m.period[:4]) for m in ind.method_changes]
    all_years = [int(y) for y in df["year_end"]]
    size = cfg.chart.font_size
    fig = go.Figure()
    any_flag = False
    for i, pid in enumerate(provinces):
        sub = df[df["province"] == pid]
        if sub.empty:
            continue
        name = plot_text(ds.province_name(pid, lang))
        colour = cfg.colour(pid, i)
        by_year = {int(r["year_end"]): r for _, r in sub.iterrows()}
        first_trace = True
        for lo, hi in _segments(all_years, changes):
            years = [y for y in by_year if lo <= y < hi]
            if not years:
                continue
            xs, ys, text, hover, symbols, widths = [], [], [], [], [], []
            for y in range(min(years), max(years) + 1):
                r = by_year.get(y)
                xs.append(y)
                if r is None:  # a gap: the line breaks here
                    ys.append(None)
                    text.append("")
                    hover.append("")
                    symbols.append("circle")
                    widths.append(0)
                    continue
                flagged = _is_flagged(r)
                any_flag = any_flag or flagged
                label = plot_text(value_text(r, ind, lang))
                ys.append(float(r["value"]))
                text.append(label)
                hover.append(f"{name} {r['period']}: {label}{plot_text(_flag_text(r, lang))}")
                symbols.append("diamond" if flagged else "circle")
                widths.append(2.5 if flagged else 1)
            fig.add_trace(go.Scatter(
                x=xs, y=ys, mode="lines+markers", name=name, legendgroup=pid, connectgaps=False,
                showlegend=first_trace, line={"color": colour, "width": 4},
                marker={"size": [13 if s == "diamond" else 10 for s in symbols], "color": colour,
                        "symbol": symbols,
                        "line": {"color": [FLAG_OUTLINE if s == "diamond" else "white" for s in symbols],
                                 "width": widths}},
                text=text, hovertext=hover, hoverinfo="text"))
            first_trace = False
    if any_flag and legend:
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=t("chart.flagged_point", lang), showlegend=True,
            marker={"size": 14, "symbol": "diamond", "color": "#9aa0a6", "line": {"color": FLAG_OUTLINE, "width": 2.5}},
            hoverinfo="skip"))
    title = pick(ind.short, lang) if len(pick(ind.title, lang)) > 2 * TITLE_WIDTH else pick(ind.title, lang)
    title = plot_text(title)
    if ind.kind == "rank":
        totals = sorted({int(v) for v in df["rank_of"].dropna()})
        fig.update_yaxes(autorange="reversed", title=t("chart.rank_axis", lang, total="/".join(map(str, totals))))
        title = title_with_note(title, t("chart.lower_is_better", lang))
    else:
        unit = pick(ind.unit, lang)
        fig.update_yaxes(title=plot_text(unit))
        title = wrap_title(title)
    lo_year, hi_year = min(all_years), max(all_years)
    marked = False
    for m in ind.method_changes:
        year = int(m.period[:4])
        if lo_year < year <= hi_year:
            fig.add_vline(x=year - 0.5, line_dash="dash", line_color="#666")
            right_half = year - lo_year > (hi_year - lo_year) / 2
            marked = True
            fig.add_annotation(x=year - 0.5, y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                               xanchor="right" if right_half else "left",
                               text=t("chart.method_change", lang, year=year),
                               font={"size": size, "color": "#444"})
    step = max(1, math.ceil((hi_year - lo_year) / 4))  # at most five year labels: never rotated
    ticks = list(range(hi_year, lo_year - 1, -step))[::-1]
    fig.update_xaxes(tickmode="array", tickvals=ticks, ticktext=[str(y) for y in ticks],
                     range=[lo_year - 0.5, hi_year + 0.5])
    # a method change is labelled in a band of its own above the plot, under the title
    return _layout(fig, cfg, title, lang, height=height, legend=legend, extra_top=size + 8 if marked else 0)


def composition(ds, total: str, parts: list[str], province: str, cfg, lang: str) -> tuple[go.Figure | None, str]:
    """A stacked bar of ``parts`` of ``total`` for one province, and a note.

    The note says when the parts do not add up to the total (nothing is adjusted); the
    chart says so too, in an annotation on it. Returns ``(None, "")`` when the province
    has no breakdown.
    """
    fig, notes = compositions(ds, total, parts, [province], cfg, lang)
    return fig, notes.get(province, "")


def compositions(ds, total: str, parts: list[str], provinces: Iterable[str], cfg,
                 lang: str) -> tuple[go.Figure | None, dict[str, str]]:
    """One stacked bar per province that has a breakdown of ``total`` into ``parts``.

    Returns the figure (``None`` when no province has one) and, per province, a note when
    its parts do not add up to the total; the same note is drawn on the chart.
    """
    palette = ["#1F5FA8", "#74A9CF", "#BDD7E7", "#F4A261", "#E76F51"]
    size = cfg.chart.font_size
    bars: list[tuple[str, pd.Series, list[pd.Series]]] = []
    for pid in provinces:
        tot = ds.latest(pid, total)
        if tot is None:
            continue
        rows = [ds.rows(p, [pid], period=tot["period"]) for p in parts]
        rows = [r.iloc[0] for r in rows if not r.empty]
        if rows:
            bars.append((pid, tot, rows))
    if not bars:
        return None, {}
    tind = ds.indicators[total]
    fig = go.Figure()
    notes: dict[str, str] = {}
    # NOTE: the total itself is shown by the page's comparison of the concept; the chart
    # names the period and draws the parts (never the same number twice on a page).
    names = [plot_text(f"{ds.province_name(pid, lang)} ({period_text(tot['period'], lang)})")
             for pid, tot, _ in bars]
    for k, part in enumerate(parts):
        xs, text, hover = [], [], []
        for (pid, tot, rows), name in zip(bars, names):
            r = next((r for r in rows if r["indicator"] == part), None)
            xs.append(float(r["value"]) if r is not None else None)
            text.append(plot_text(number_text(r, lang)) if r is not None else "")
            hover.append(plot_text(f"{pick(ds.indicators[part].title, lang)}: "
                                   f"{value_text(r, ds.indicators[part], lang)}") if r is not None else "")
        fig.add_trace(go.Bar(
            y=names, x=xs, orientation="h", name=plot_text(pick(ds.indicators[part].short, lang)), text=text,
            textposition="inside", insidetextanchor="middle", marker_color=palette[k % len(palette)],
            insidetextfont={"size": size, "color": "#111" if k % len(palette) in (1, 2, 3) else "white"},
            hovertext=hover, hoverinfo="text"))
    annotations = []
    for (pid, tot, rows), name in zip(bars, names):
        parts_sum = sum(float(r["value"]) for r in rows)
        if abs(parts_sum - float(tot["value"])) > 1e-9:
            notes[pid] = t("chart.parts_do_not_add_up", lang, parts=fmt.number(parts_sum, lang, 0),
                           total=number_text(tot, lang))
            annotations.append(t("chart.parts_sum_short", lang, parts=fmt.number(parts_sum, lang, 0),
                                 total=number_text(tot, lang), province=ds.province_name(pid, lang)))
    fig.update_layout(barmode="stack", bargap=0.3)
    fig.update_xaxes(title=plot_text(pick(tind.unit, lang)), rangemode="tozero")
    fig.update_yaxes(autorange="reversed", showgrid=False)
    title = wrap_title(plot_text(t("chart.composition_title", lang, title=pick(tind.short, lang))))
    fig = _layout(fig, cfg, title, lang, height=110 + 50 * len(bars) + 30 * len(annotations))
    fig.update_layout(legend={"y": -0.25 if len(bars) < 3 else -0.15})
    for i, text in enumerate(annotations):
        fig.add_annotation(x=0, xref="paper", xanchor="left", y=1.0, yref="paper", yanchor="bottom",
                           yshift=4 + 26 * i, showarrow=False, align="left",
                           text="⚠ " + plot_text(text), font={"size": size, "color": "#8a1c00"})
    if annotations:
        fig.update_layout(margin={"t": fig.layout.margin.t + 30 * len(annotations)})
    return fig, notes


def chart_sources(ds, rows: Iterable[pd.Series], lang: str, with_link: bool = False, as_md: bool = False) -> str:
    """The source line printed under a chart (Markdown, data escaped, with ``as_md``)."""
    return sources_line(ds, [r["source"] for r in rows], lang, with_link, as_md)


_PAREN = re.compile(r"\s*\([^()]*\)")


def short_sources(ds, source_ids: Iterable[str], lang: str, limit: int = 2, label: bool = True) -> str:
    """``Nguồn: publisher (date); …`` on one short line: at most ``limit`` sources, then "+n".

    The publisher without its parenthesised details (web address, kind); the full list is
    in the page's table of figures.
    """
    ids = list(dict.fromkeys(s for s in source_ids if s))
    names = []
    for sid in ids:
        src = ds.sources.get(sid)
        if src is None:
            names.append(t("figure.unknown", lang))
            continue
        name = _PAREN.sub("", src.producer).strip() or src.producer
        names.append(f"{name} ({src.date})" if src.date else name)
    names = list(dict.fromkeys(names))
    shown = "; ".join(names[:limit])
    if len(names) > limit:
        shown += " " + t("chart.more_sources", lang, n=len(names) - limit)
    if not label:
        return shown or t("figure.unknown", lang)
    return t("figure.sources", lang, sources=shown) if names else t("figure.source_unknown", lang)
