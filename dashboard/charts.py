"""Plotly figure builders: data in, figure out. No Streamlit here.

Every builder takes the dataset (for titles, units and sources from ``data/``), the
figures to draw, the configuration (colours, font sizes) and the language. Titles, axis
labels and numbers are in the chosen language and number style; ranks read "lower is
better" on a reversed axis; a line never runs across a change of method.

Plotly reads a few HTML tags and entities in every text it draws; text from ``data/``
(names, titles, units, figures) passes through :func:`dashboard.present.plot_text`.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd
import plotly.graph_objects as go

from . import fmt
from .compare import ABSOLUTE, Comparability, normalise
from .i18n import pick, t
from .present import number_text, period_text, plot_text, sources_line, value_text

SEPARATORS = {"vi": ",.", "en": ".,"}


def chart_config(filename: str) -> dict:
    """Options for ``st.plotly_chart(config=...)``: PNG download with a meaningful name."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in filename)
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": safe, "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }


def _layout(fig: go.Figure, cfg, title: str, lang: str, height: int | None = None) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": cfg.chart.title_size}, "x": 0, "xanchor": "left"},
        font={"size": cfg.chart.font_size, "color": "#1b1b1b"},
        separators=SEPARATORS.get(lang, ",."),
        height=height or cfg.chart.height,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.25, "x": 0},
        hoverlabel={"font": {"size": cfg.chart.font_size}},
    )
    fig.update_xaxes(showgrid=False, linecolor="#444", automargin=True)
    # NOTE: ",~f" keeps grouping in the language's style (35.000, not plotly's "35k").
    fig.update_yaxes(gridcolor="#e3e3e3", zerolinecolor="#999", automargin=True, tickformat=",~f")
    return fig



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
            labels.append("" if norm.value is None else "≈" + fmt.number(norm.value, lang, 2))
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
    return _layout(fig, cfg, title, lang)


def _segments(years: list[int], changes: list[int]) -> list[tuple[int, int]]:
    """Year ranges between method changes: a line is drawn only inside one range."""
    bounds = sorted(set(c for c in changes if min(years) < c <= max(years))) if years else []
    edges = [min(years, default=0)] + bounds + [max(years, default=0) + 1]
    return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]


def time_series(ds, indicator: str, provinces: Iterable[str], cfg, lang: str) -> go.Figure | None:
    """Yearly values of ``indicator`` per province; ``None`` when fewer than two years exist.

    Only single-year periods are drawn. Method changes (``method_changes`` in
    ``indicators.yaml``) split the lines and are marked with a dashed line and a label.
    Estimates and low-confidence points are drawn hollow.
    """
    ind = ds.indicators[indicator]
    df = ds.rows(indicator, provinces)
    df = df[(df["year_start"] == df["year_end"]) & (df["scope"] == "")]
    if df["year_end"].nunique() < 2:
        return None
    changes = [int(m.period[:4]) for m in ind.method_changes]
    fig = go.Figure()
    for i, pid in enumerate(provinces):
        sub = df[df["province"] == pid].sort_values("year_end")
        if sub.empty:
            continue
        name = plot_text(ds.province_name(pid, lang))
        colour = cfg.colour(pid, i)
        for k, (lo, hi) in enumerate(_segments(list(df["year_end"].astype(int)), changes)):
            seg = sub[(sub["year_end"] >= lo) & (sub["year_end"] < hi)]
            if seg.empty:
                continue
            hollow = seg["estimate"] | (seg["confidence"] == "low")
            text = [plot_text(value_text(r, ind, lang)) for _, r in seg.iterrows()]
            hover = [f"{name} {r['period']}: {txt}" + (" · " + t("figure.estimate", lang) if r["estimate"] else "")
                     + (" · " + t("figure.low_confidence", lang) if r["confidence"] == "low" else "")
                     for txt, (_, r) in zip(text, seg.iterrows())]
            fig.add_trace(go.Scatter(
                x=seg["year_end"].astype(int), y=seg["value"], mode="lines+markers", name=name,
                legendgroup=pid, showlegend=k == 0 or fig.data == (),
                line={"color": colour, "width": 4},
                marker={"size": 13, "color": ["white" if h else colour for h in hollow],
                        "line": {"color": colour, "width": 3},
                        "symbol": ["circle-open" if h else "circle" for h in hollow]},
                hovertext=hover, hoverinfo="text"))
    title = plot_text(pick(ind.title, lang))
    if ind.kind == "rank":
        totals = sorted({int(v) for v in df["rank_of"].dropna()})
        fig.update_yaxes(autorange="reversed", title=t("chart.rank_axis", lang, total="/".join(map(str, totals))))
        title += " · " + t("chart.lower_is_better", lang)
    else:
        fig.update_yaxes(title=plot_text(pick(ind.unit, lang)))
    for m in ind.method_changes:
        year = int(m.period[:4])
        if df["year_end"].min() < year <= df["year_end"].max():
            fig.add_vline(x=year - 0.5, line_dash="dash", line_color="#666")
            fig.add_annotation(x=year - 0.5, y=1.02, yref="paper", showarrow=False, xanchor="left",
                               text=t("chart.method_change", lang, year=year),
                               font={"size": cfg.chart.font_size - 4, "color": "#444"})
    fig.update_xaxes(dtick=1, tickformat="d", title=t("chart.year", lang))
    return _layout(fig, cfg, title, lang)


def composition(ds, total: str, parts: list[str], province: str, cfg, lang: str) -> tuple[go.Figure | None, str]:
    """A stacked bar of ``parts`` of ``total`` for one province, and a note.

    The note says when the parts do not add up to the total (nothing is adjusted).
    Returns ``(None, "")`` when the province has no breakdown.
    """
    tot = ds.latest(province, total)
    if tot is None:
        return None, ""
    rows = [ds.rows(p, [province], period=tot["period"]) for p in parts]
    rows = [r.iloc[0] for r in rows if not r.empty]
    if not rows:
        return None, ""
    fig = go.Figure()
    palette = ["#1F5FA8", "#74A9CF", "#BDD7E7", "#F4A261", "#E76F51"]
    for i, r in enumerate(rows):
        ind = ds.indicators[r["indicator"]]
        fig.add_trace(go.Bar(
            y=[plot_text(ds.province_name(province, lang))], x=[float(r["value"])], orientation="h",
            name=plot_text(pick(ind.short, lang)), text=[plot_text(number_text(r, lang))], textposition="inside",
            marker_color=palette[i % len(palette)], insidetextfont={"size": cfg.chart.font_size + 2},
            hovertext=[plot_text(f"{pick(ind.title, lang)}: {value_text(r, ind, lang)}")], hoverinfo="text"))
    tind = ds.indicators[total]
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=plot_text(pick(tind.unit, lang)))
    title = plot_text(f"{pick(tind.title, lang)}: {value_text(tot, tind, lang)} ({period_text(tot['period'], lang)})")
    fig = _layout(fig, cfg, title, lang, height=300)
    parts_sum = sum(float(r["value"]) for r in rows)
    note = ""
    if abs(parts_sum - float(tot["value"])) > 1e-9:
        note = t("chart.parts_do_not_add_up", lang, parts=fmt.number(parts_sum, lang, 0),
                 total=number_text(tot, lang))
    return fig, note


def chart_sources(ds, rows: Iterable[pd.Series], lang: str, with_link: bool = False, as_md: bool = False) -> str:
    """The source line printed under a chart (Markdown, data escaped, with ``as_md``)."""
    return sources_line(ds, [r["source"] for r in rows], lang, with_link, as_md)
