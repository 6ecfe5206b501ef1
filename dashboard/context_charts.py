"""Plotly builders of the national context (pure: data in, figure out; no Streamlit).

* :func:`strip` — every province of one year on one axis (a beeswarm), the compared
  provinces in their colours and labelled, the national median and the reference
  province's region average as labelled lines (both computed).
* :func:`profile` — the index's components (PCI sub-indices, PAPI dimensions) of the
  compared provinces against the national median, one row per component.

Every text takes ``chart.font_size`` (titles ``chart.title_size``); text from ``data/``
passes through :func:`dashboard.present.plot_text`.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from . import context as C
from . import fmt
from .charts import _layout
from .i18n import pick, t
from .present import plot_text

OTHERS = "#9AA3AB"
MEDIAN = "#3B4248"
REGION = "#7A5C00"
#: characters of a title line in the full-width panel
TITLE_WIDTH = 32
#: characters of a component label line
LABEL_WIDTH = 22
#: characters of a legend line (a legend never wraps by itself; a phone is ~340 px wide)
LEGEND_WIDTH = 30
#: pixels per swarm level, and what the x axis takes below the plot
STEP_PX = 14
AXIS_PX = 70
#: characters a label line can hold across the plot on a phone (labels are staggered by it)
PLOT_CHARS = 34


def _wrap(text: str, width: int = LEGEND_WIDTH) -> str:
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False)) or text


def _stacked_legend(fig: go.Figure, size: int) -> None:
    """One legend item per line under the plot, its height reserved exactly (a horizontal
    legend wraps differently on a phone and a projector and would eat into the plot)."""
    names = [str(tr.name) for tr in fig.data if tr.showlegend is not False and tr.name]
    legend_px = int(sum((n.count("<br>") + 1) * size * 1.3 + 6 for n in names)) + 12
    margin = fig.layout.margin
    plot = int(fig.layout.height) - int(margin.t) - int(margin.b)
    fig.update_layout(legend={"orientation": "v", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0},
                      margin={"b": legend_px}, height=plot + int(margin.t) + legend_px)


def _title(text: str) -> str:
    return _wrap(text, TITLE_WIDTH)


def _short(ds, indicator: str, lang: str) -> str:
    ind = ds.indicators.get(indicator)
    return pick(ind.short, lang) if ind else indicator


def _swarm(values: list[tuple[str, float]], first: set[str], step: float) -> dict[str, int]:
    """A deterministic beeswarm: each province a level 0, 1, -1, 2, … where no other point
    of that level lies within ``step``; the provinces in ``first`` are placed first (on 0)."""
    levels: dict[int, list[float]] = {}
    out: dict[str, int] = {}
    order = sorted(values, key=lambda pv: (pv[0] not in first, pv[1], pv[0]))
    for pid, v in order:
        k = 0
        for i in range(200):
            k = (i + 1) // 2 * (1 if i % 2 else -1)
            if all(abs(v - x) >= step for x in levels.get(k, [])):
                break
        levels.setdefault(k, []).append(v)
        out[pid] = k
    return out


def strip(ds, ctx: C.Context, provinces: list[str], reference: str | None, cfg, lang: str) -> go.Figure | None:
    """All provinces of ``ctx.year`` on the index's axis; ``provinces`` highlighted."""
    values = ctx.values
    if values.empty:
        return None
    size = cfg.chart.font_size
    pairs = [(p, float(v)) for p, v in values["value"].items()]
    lo, hi = min(v for _, v in pairs), max(v for _, v in pairs)
    span = (hi - lo) or 1.0
    compared = [p for p in provinces if p in values.index]
    level = _swarm(pairs, set(compared), span / 45)
    fig = go.Figure()
    others = [p for p, _ in pairs if p not in compared]
    fig.add_trace(go.Scatter(
        x=[float(values.loc[p, "value"]) for p in others], y=[level[p] for p in others], mode="markers",
        marker={"size": 10, "color": OTHERS, "line": {"width": 0}},
        name=t("context.others", lang, n=fmt.number(len(others), lang, 0)),
        hovertext=[plot_text(f"{ds.province_name(p, lang)}: {fmt.number(values.loc[p, 'value_text'], lang)}")
                   for p in others],
        hoverinfo="text", showlegend=True))
    top = max(level.values()) if level else 0
    bottom = min(level.values()) if level else 0
    # the median and the region average: vertical lines across the swarm, named in the legend
    lines = []
    if ctx.median is not None:
        lines.append((ctx.median[0], MEDIAN, "dash",
                      t("context.median", lang, value=fmt.number(ctx.median[0], lang, 2),
                        n=fmt.number(ctx.median[1], lang, 0))))
    region = C.region_of(ds, reference) if reference else None
    if region and region in ctx.region_averages:
        avg, n = ctx.region_averages[region]
        name = pick(ds.regions[region].name, lang) if region in ds.regions else region
        lines.append((avg, REGION, "dot",
                      t("context.region_avg", lang, region=plot_text(name), value=fmt.number(avg, lang, 2),
                        n=fmt.number(n, lang, 0))))
    for x, colour, dash, name in lines:
        fig.add_trace(go.Scatter(x=[x, x], y=[bottom - 0.8, top + 0.8], mode="lines",
                                 line={"color": colour, "width": 2, "dash": dash}, name=_wrap(name),
                                 hoverinfo="skip", showlegend=True,
                                 meta="value-axis"))  # a value marker on a value axis, not a series over years
    # the compared provinces: coloured, labelled above the swarm (staggered when close)
    label_levels: list[list[tuple[float, float]]] = []
    per_char = span / PLOT_CHARS  # about one character's width in data units on a phone
    for i, p in enumerate(provinces):
        if p not in values.index:
            continue
        x = float(values.loc[p, "value"])
        label = f"{ds.province_name(p, lang)} {fmt.number(values.loc[p, 'value_text'], lang)}"
        fig.add_trace(go.Scatter(
            x=[x], y=[level[p]], mode="markers", name=plot_text(ds.province_name(p, lang)),
            marker={"size": 18, "color": cfg.colour(p, i), "line": {"width": 2, "color": "#111"}},
            hovertext=[plot_text(label)], hoverinfo="text", showlegend=False))
        width = len(label) * per_char * size / 18
        # labels near an end of the axis extend inwards, never past the plot
        anchor = "right" if x > lo + 0.75 * span else "left" if x < lo + 0.25 * span else "center"
        a0 = x - width if anchor == "right" else x if anchor == "left" else x - width / 2
        row = next((k for k, used in enumerate(label_levels)
                    if all(a0 + width < a or a0 > b for a, b in used)), len(label_levels))
        if row == len(label_levels):
            label_levels.append([])
        label_levels[row].append((a0, a0 + width))
        fig.add_annotation(x=x, y=level[p], xref="x", yref="y", text=plot_text(label), showarrow=True,
                           arrowhead=0, arrowcolor=cfg.colour(p, i), ax=0, xanchor=anchor,
                           ay=-(24 + (top - level[p]) * STEP_PX + row * (size + 10)),
                           font={"size": size, "color": cfg.colour(p, i)}, bgcolor="rgba(255,255,255,0.85)")
    rows = max(1, len(label_levels))
    ind_title = _short(ds, ctx.indicator, lang)
    title = _title(t("context.strip_title", lang, index=plot_text(ind_title), year=ctx.year,
                     n=fmt.number(len(values), lang, 0)))
    # pixels above the swarm's top for the staggered labels (text included); the plot gets
    # exactly STEP_PX per swarm level, plus the x axis (ticks, title) that plotly takes from it
    head = 24 + (rows - 1) * (size + 10) + size + 10
    height = STEP_PX * (top - bottom + 1.5) + head + AXIS_PX
    _layout(fig, cfg, title, lang, height=int(height), legend=True)
    _stacked_legend(fig, size)
    fig.update_yaxes(visible=False, range=[bottom - 1, top + 0.5 + head / STEP_PX])
    pad = span * 0.04
    fig.update_xaxes(range=[lo - pad, hi + pad], showgrid=True, gridcolor="#eeeeee", tickformat=",~f",
                     title={"text": plot_text(t("context.axis", lang, index=ind_title,
                                                    unit=pick(ds.indicators[ctx.indicator].unit, lang)))})
    fig.update_layout(hovermode="closest")
    return fig


def profile(ds, frame, indicator: str, year: int, provinces: list[str], cfg, lang: str) -> go.Figure | None:
    """The components of ``indicator`` in ``year``: one row each, the compared provinces'
    scores as coloured dots and the national median (computed) as a grey diamond, a thin
    line spanning them (a dumbbell read left to right: further right is better)."""
    if frame is None or frame.empty:
        return None
    size = cfg.chart.font_size
    comps = list(dict.fromkeys(frame["component"]))
    labels = {c: "<br>".join(textwrap.wrap(plot_text(_short(ds, c, lang)), LABEL_WIDTH, break_long_words=False))
              for c in comps}
    fig = go.Figure()
    # the spans first, under the dots
    xs, ys = [], []
    for c in comps:
        vals = frame[frame["component"] == c]["value"].astype(float)
        xs += [vals.min(), vals.max(), None]
        ys += [labels[c], labels[c], None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", meta="value-axis", line={"color": "#c8ccd0", "width": 6},
                             hoverinfo="skip", showlegend=False))
    med = frame[frame["province"] == ""]
    fig.add_trace(go.Scatter(
        x=med["value"].astype(float).tolist(), y=[labels[c] for c in med["component"]], mode="markers",
        marker={"symbol": "diamond", "size": 16, "color": MEDIAN, "line": {"width": 1, "color": "white"}},
        name=_wrap(t("context.median_profile", lang)),
        hovertext=[t("context.median_hover", lang, value=fmt.number(v, lang, 2), n=fmt.number(n, lang, 0))
                   for v, n in zip(med["value"], med["n"])],
        hoverinfo="text"))
    for i, p in enumerate(provinces):
        rows = frame[frame["province"] == p]
        if rows.empty:
            continue
        fig.add_trace(go.Scatter(
            x=rows["value"].astype(float).tolist(), y=[labels[c] for c in rows["component"]], mode="markers",
            marker={"size": 15, "color": cfg.colour(p, i), "line": {"width": 1.5, "color": "#111"}},
            name=plot_text(ds.province_name(p, lang)),
            hovertext=[plot_text(f"{ds.province_name(p, lang)} · {_short(ds, c, lang)}: {fmt.number(v, lang)}")
                       for c, v in zip(rows["component"], rows["value_text"])],
            hoverinfo="text"))
    key = "context.profile_pci" if indicator.startswith("pci") else "context.profile_papi"
    title = _title(t(key, lang, year=year, n=fmt.number(len(comps), lang, 0))) + "<br>" + _title(
        t("context.profile_hint", lang))
    lines = max(label.count("<br>") + 1 for label in labels.values())
    _layout(fig, cfg, title, lang, height=len(comps) * (16 + int(lines * size * 1.35)), legend=True)
    _stacked_legend(fig, size)
    fig.update_yaxes(categoryorder="array", categoryarray=[labels[c] for c in reversed(comps)],
                     showgrid=True, gridcolor="#f0f0f0", tickfont={"size": size})
    fig.update_xaxes(showgrid=True, gridcolor="#e3e3e3", tickformat=",~f",
                     title={"text": t("context.profile_axis", lang)})
    fig.update_layout(hovermode="closest")
    return fig
