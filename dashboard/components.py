"""Elements shared by the views: page header, figure cards, concept blocks, mode switch,
the table of figures with its downloads.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from . import charts, export
from .cache import concept_bar, pair
from .compare import ABSOLUTE, MODES, normalise
from .data import Dataset
from .i18n import pick, t
from .present import (
    comparability_text,
    derivation_text,
    difference_delta,
    escape_md,
    flags,
    md,
    md_join,
    note_text,
    period_text,
    source_short,
    sources_line,
    value_text,
)
from .session import Context, bound, update_view


def page_header(ctx: Context, page_id: str, intro_key: str | None = None) -> None:
    entry = ctx.cfg.page(page_id)
    st.title(pick(entry.title, ctx.lang))
    if intro_key:
        st.caption(t(intro_key, ctx.lang))


def kpi_card(ctx: Context, row: pd.Series | None, province: str, mode: str = ABSOLUTE,
             delta: tuple[str, str] | None = None) -> None:
    """One province's figure: value with qualifier and unit, period, flags, source."""
    ds, lang = ctx.ds, ctx.lang
    name = escape_md(ds.province_name(province, lang))
    with st.container(border=True):
        if row is None:
            st.metric(name, t("figure.missing", lang))
            st.caption(t("figure.missing_hint", lang))
            return
        ind = ds.indicators[row["indicator"]]
        shown = value_text(row, ind, lang, as_md=True)
        # Markdown pieces: data escaped, templates kept (md, md_join)
        caption = [md_join(" · ", [pick(ind.short, lang), period_text(row["period"], lang)])]
        if mode == ABSOLUTE:
            caption.append(md("figure.sources", lang, sources=source_short(ds.sources.get(row["source"]), lang)))
        else:
            norm = normalise(ds, row, mode)
            if norm.value is not None:
                shown = escape_md(charts.normalised_label(row, norm.value, lang)) + " " + md(f"mode.unit.{mode}", lang,
                                                                          unit=pick(ind.unit, lang))
                caption.append(md("figure.computed", lang, inputs=", ".join(
                    f"{value_text(r, ds.indicators[r['indicator']], lang)} ({r['period']})" for r in norm.inputs)))
                caption.append(sources_line(ds, [r["source"] for r in norm.inputs], lang, as_md=True))
            else:
                caption.append(md(f"mode.reason.{norm.reason}", lang))
        st.metric(name, shown, delta=delta[0] if delta else None, delta_color="off",
                  delta_description=delta[1] if delta else None)
        badges = flags(row, lang)
        if badges:
            st.markdown(" ".join(f":orange-badge[{escape_md(b)}]" for b in badges))
        st.caption(md_join(" · ", caption))
        if row.get("scope"):
            st.caption(md("figure.scope", lang, scope=row["scope"]))
        src = ds.sources.get(row["source"])
        with st.popover(t("figure.details", lang), icon=":material/info:"):
            st.markdown(f"**{escape_md(pick(ind.title, lang))}**")
            st.markdown(escape_md(pick(ind.description, lang)))
            st.markdown(sources_line(ds, [row["source"]], lang, with_link=True))
            provenance(ds, row, lang)


def provenance(ds: Dataset, row, lang: str) -> None:
    """Under a figure's source (in its details): the kind of source and confidence, the
    note and how the figure was derived, each when there is one."""
    src = ds.sources.get(row["source"])
    if src is not None:
        st.caption(t("figure.source_kind", lang, kind=t(f"source_kind.{src.kind}", lang),
                     confidence=t(f"confidence.{row['confidence']}", lang)))
    note = note_text(row, lang)
    if note:
        st.caption(escape_md(note))
    derivation = derivation_text(row, lang)
    if derivation:
        st.caption(md("figure.derivation", lang, text=derivation))


def concept_block(ctx: Context, concept: str, *, mode: str = ABSOLUTE, chart: bool = True,
                  key: str = "") -> None:
    """Cards for one concept; one chart when the figures are comparable, else a note why."""
    ds, lang, provinces = ctx.ds, ctx.lang, ctx.view.provinces
    comp = pair(ds, concept, provinces)
    if not comp.present:
        return
    first = next(iter(comp.present.values()))
    ind = ds.indicators[first["indicator"]]
    st.subheader(escape_md(pick(ind.title, lang) if comp.comparable else ds.concept_title(concept, lang)))
    cols = st.columns(len(provinces))
    delta = difference_delta(ds, comp, provinces, lang, as_md=True) if mode == ABSOLUTE else None
    for i, (col, pid) in enumerate(zip(cols, provinces)):
        with col:
            kpi_card(ctx, comp.rows.get(pid), pid, mode, delta if i == 0 else None)
    if comp.comparable:
        if chart:
            fig = concept_bar(ds, concept, provinces, lang, mode)
            st.plotly_chart(fig, config=charts.chart_config(f"{concept}-{first['period']}"),
                            key=f"bar-{key}{concept}")
            st.caption(charts.chart_sources(ds, comp.present.values(), lang, as_md=True))
    else:
        st.info(comparability_note(ctx, comp), icon=":material/compare_arrows:")


def comparability_note(ctx: Context, comp) -> str:
    """Why the figures are not drawn together, as Markdown (data escaped)."""
    return comparability_text(ctx.ds, comp, ctx.lang, as_md=True)


def mode_control(ctx: Context) -> str:
    """Absolute / per 1,000 inhabitants / per km², bound to the view."""
    bound(st.segmented_control, "w_mode", "mode", ctx.view.mode, label=t("mode.label", ctx.lang),
          options=list(MODES), format_func=lambda m: t(f"mode.{m}", ctx.lang), required=True,
          help=t("mode.help", ctx.lang))
    return st.session_state["_view"].mode


_PLAIN_TABLE = """<div class="tp-wrap"><table class="tp-table tp-plain" data-testid="{{ testid }}">
<thead><tr>{% for c in columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table></div>"""


def plain_table_html(columns: list[str], rows: list[list[str]], testid: str) -> str:
    """A table of text as HTML (auto-escaped: text from data/ is never markup), in the
    topic tables' style: drawn at once, readable on a projector and by browser tests."""
    import jinja2

    return jinja2.Environment(autoescape=True).from_string(_PLAIN_TABLE).render(
        columns=columns, rows=rows, testid=testid)


def lazy_expander(label: str, key: str, icon: str | None = None, parent=st):
    """An expander, closed by default, whose content is computed and sent only once it is
    opened (Streamlit's lazy expander): the container while open, else ``None``. For the
    tables and panels that would otherwise cost every first view (issue #9). ``parent``:
    where it goes (``st.sidebar`` for the share box)."""
    box = parent.expander(label, expanded=False, key=key, icon=icon, on_change="rerun")
    return box if box.open else None


def _on_section(key: str, labels: dict) -> None:
    section = labels.get(st.session_state.get(key))
    if section is not None:
        update_view(section=section)


def section_tabs(key: str, sections: list[tuple[str, str]], current: str):
    """A row of tabs (``(id, label)`` each) bound to the view's ``section``: the URL
    reopens the tab. Only the open tab's content should be drawn (Streamlit's lazy tabs:
    with ``on_change`` the others stay empty until chosen); returns the tab containers.

    NOTE: the label follows the language; whenever it changes, the widget's value is
    written again (see :func:`dashboard.session.bound`).
    """
    labels = {label: sid for sid, label in sections}
    label = next(lab for sid, lab in sections if sid == current)
    if st.session_state.get(key) != label:
        st.session_state[key] = label
    return st.tabs(list(labels), key=key, on_change=_on_section, args=(key, labels))


def figures_table(ctx: Context, rows: pd.DataFrame, key: str, title_key: str = "table.all_figures") -> None:
    """The accessible table of figures, with CSV and XLSX downloads of exactly these rows.

    In an expander, closed by default, whose content is computed and sent only once it is
    opened (the table and the downloads cost a page's first view time: issue #9).
    """
    lang = ctx.lang
    box = lazy_expander(t(title_key, lang, n=len(rows)), f"table-open-{key}", ":material/table:")
    if box is None:
        return
    table = export.figures_frame(ctx.ds, rows, lang)
    with box:
        st.dataframe(table, hide_index=True, width="stretch")
        c1, c2 = st.columns(2)
        c1.download_button(t("export.csv", lang), data=lambda: export.to_csv_bytes(table),
                           file_name=f"{key}.csv", mime="text/csv", key=f"csv-{key}", icon=":material/download:")
        c2.download_button(t("export.xlsx", lang), data=lambda: export.to_xlsx_bytes(table, key),
                           file_name=f"{key}.xlsx", key=f"xlsx-{key}", icon=":material/download:",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# ----------------------------------------------------------------------------- topic elements
#
# The elements of a topic page (dashboard.topic_plan decides which figure goes where):
# charts in a two-column flow, one table of figures that are not directly comparable (the
# reason once per group), one table of figures only one province has. Tables are HTML from
# an auto-escaping Jinja2 template: text from data/ is never markup.

TOPIC_CSS = """
<style>
  .tp-wrap { overflow-x: auto; margin: 0.2rem 0 1rem 0; }
  .tp-table { border-collapse: collapse; width: 100%; font-size: 16px; line-height: 1.3; }
  .tp-table caption { text-align: left; font-size: 1.25rem; font-weight: 700; padding: 0.2rem 0 0.35rem 0;
                      caption-side: top; color: #1b1b1b; }
  .tp-table th { text-align: left; font-weight: 600; background: #f1f3f5; padding: 5px 8px;
                 border-bottom: 2px solid #ccd; }
  .tp-table thead th { white-space: nowrap; }
  .tp-plain td:first-child { white-space: nowrap; }
  @media (max-width: 640px) {
    .tp-side thead { display: none; }
    .tp-side tr, .tp-side th, .tp-side td { display: block; width: auto; }
    .tp-side td[data-label]::before { content: attr(data-label); display: block; font-weight: 600; color: #333; }
    .tp-side td.reason::before { content: attr(data-label); font-weight: 400; color: #555; margin-right: 6px; }
    .tp-plain thead { display: none; }
    .tp-plain tr { display: block; border-bottom: 1px solid #e3e3e8; padding: 4px 0; }
    .tp-table.tp-plain td { display: inline-block; border-bottom: none; padding: 2px 8px; }
    .tp-table.tp-plain td:last-child { display: block; }
  }
  .tp-table td { padding: 5px 8px; border-bottom: 1px solid #e3e3e8; vertical-align: top; }
  .tp-table td.reason { font-weight: 600; color: #8a3b00; background: #fff8f0; min-width: 7.5em; }
  .tp-table .v { font-weight: 700; font-size: 17px; white-space: nowrap; }
  .tp-table .m { color: #444; font-size: 15px; }
  .tp-table .also { color: #333; font-size: 15px; margin-top: 2px; }
  .tp-table .flag { display: inline-block; font-size: 14px; padding: 0 5px; border-radius: 4px;
                    background: #fff1d6; color: #6b3d00; margin-left: 4px; white-space: nowrap; }
  .tp-table .dash { color: #666; }
  .tp-h { font-size: 1.25rem; font-weight: 700; padding: 0.2rem 0 0.35rem 0; color: #1b1b1b; }
  .tp-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 430px), 1fr)); gap: 0 18px; }
  .tp-table .item { white-space: nowrap; }
  .tp-legend { display: flex; flex-wrap: wrap; gap: 4px 22px; font-size: 17px; margin: 0.1rem 0 0.2rem 0; }
  .tp-legend .sw { display: inline-block; width: 26px; height: 5px; border-radius: 2px; vertical-align: middle;
                   margin-right: 6px; }
  .tp-legend .dm { display: inline-block; width: 11px; height: 11px; transform: rotate(45deg); background: #9aa0a6;
                   border: 2px solid #111; margin: 0 8px 0 4px; vertical-align: middle; }
  .tp-note { font-size: 15px; color: #444; margin: -0.4rem 0 0.6rem 0; }
  [data-testid="stMain"] [data-testid="stCaptionContainer"] { font-size: 15px; }
</style>
"""

_TABLES = """
{% macro fig(f) -%}
<span class="v">{{ f.value }}</span>{% for b in f.flags %}<span class="flag">{{ b }}</span>{% endfor %}
<div class="m">{% if f.show_label %}{{ f.label }} · {% endif %}{{ f.period }} · {{ f.source }}</div>
{%- if f.computed %}<div class="m">{{ f.computed }}</div>{% endif %}
{%- endmacro %}
{% if side %}
<div class="tp-wrap"><table class="tp-table tp-side" data-testid="tpSide">
<caption>{{ side_title }}</caption>
<thead><tr><th scope="col">{{ col_concept }}</th>{% for n in names %}<th scope="col">{{ n }}</th>{% endfor %}<th scope="col">{{ col_reason }}</th></tr></thead>
<tbody>
{% for group in side %}{% for row in group.rows %}
<tr><th scope="row">{{ row.title }}</th>
{% for cell in row.cells %}<td data-label="{{ names[loop.index0] }}">{% if cell %}{{ fig(cell[0]) }}{% if cell|length > 1 %}<div class="also">{{ also }}
{% for f in cell[1:] %}<span class="item">{{ f.value }} ({{ f.period }}{% if f.label != cell[0].label %}, {{ f.label }}{% endif %}){% for b in f.flags %}<span class="flag">{{ b }}</span>{% endfor %}</span>{% if not loop.last %} · {% endif %}{% endfor %}</div>{% endif %}
{% else %}<span class="dash">{{ missing }}</span>{% endif %}</td>{% endfor %}
{% if loop.first %}<td class="reason" data-label="{{ col_reason }}:" rowspan="{{ group.rows|length }}">{{ group.reason }}</td>{% endif %}</tr>
{% endfor %}{% endfor %}
</tbody></table></div>
{% endif %}
{% if single %}
<section class="tp-single" data-testid="tpSingle"><div class="tp-h">{{ single_title }}</div>
<div class="tp-grid">
{% for group in single %}
<div class="tp-wrap"><table class="tp-table">
<thead><tr><th scope="col">{{ group.name }}</th><th scope="col">{{ col_value }} · {{ col_period }} · {{ col_source }}</th></tr></thead>
<tbody>
{% for f in group.rows %}
<tr><td>{{ f.label }}</td><td><span class="v">{{ f.value }}</span>{% for b in f.flags %}<span class="flag">{{ b }}</span>{% endfor %}
<div class="m">{{ f.period }} · {{ f.source }}</div>{% if f.computed %}<div class="m">{{ f.computed }}</div>{% endif %}</td></tr>
{% endfor %}
</tbody></table></div>
{% endfor %}
</div></section>
{% endif %}
"""


def _jinja():
    import jinja2

    return jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(_TABLES)


_TEMPLATE = None


def figure_item(ds, row: pd.Series, lang: str, mode: str = ABSOLUTE) -> dict:
    """One figure as the topic tables show it: value, flags, short label, period, source."""
    ind = ds.indicators[row["indicator"]]
    item = {"value": value_text(row, ind, lang), "flags": flags(row, lang),
            "label": pick(ind.short, lang), "period": period_text(row["period"], lang),
            "source": charts.short_sources(ds, [row["source"]], lang, limit=1, label=False),
            "computed": ""}
    if mode != ABSOLUTE:
        norm = normalise(ds, row, mode)
        if norm.value is not None:
            item["computed"] = (charts.normalised_label(row, norm.value, lang) + " "
                                + t(f"mode.unit.{mode}", lang, unit=pick(ind.unit, lang))
                                + " (" + t("topic.plan.computed", lang) + ")")
    return item


def topic_tables_html(ds, plan, provinces: list[str], lang: str, mode: str = ABSOLUTE) -> str:
    """The "not directly comparable" and "only one province" tables of a topic page (HTML)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = _jinja()
    holders = [p for p in provinces if p not in plan.without_data]
    groups: dict[tuple, list] = {}
    for row in plan.side:
        cells = [[figure_item(ds, r, lang, mode) for r in row.cells.get(p, [])] for p in holders]
        several = len({r["indicator"] for rows in row.cells.values() for r in rows}) > 1
        for cell in cells:
            for item in cell:
                item["show_label"] = several
        groups.setdefault(row.reasons, []).append({"title": ds.concept_title(row.concept, lang), "cells": cells})
    side = [{"reason": ", ".join(t(f"topic.plan.reason.{r}", lang) for r in reasons), "rows": rows}
            for reasons, rows in groups.items()]
    single = []
    if not plan.single.empty:
        for pid in provinces:
            sub = plan.single[plan.single["province"] == pid]
            if not sub.empty:
                single.append({"name": ds.province_name(pid, lang),
                               "rows": [figure_item(ds, r, lang, mode) for _, r in sub.iterrows()]})
    return _TEMPLATE.render(
        side=side, single=single, names=[ds.province_name(p, lang) for p in holders],
        side_title=t("topic.plan.not_comparable", lang), single_title=t("topic.plan.single", lang),
        col_concept=t("topic.plan.col_concept", lang), col_reason=t("topic.plan.col_reason", lang),
        col_province=t("topic.plan.col_province", lang), col_value=t("topic.plan.col_value", lang),
        col_period=t("topic.plan.col_period", lang), col_source=t("topic.plan.col_source", lang),
        also=t("topic.plan.also", lang), missing=t("figure.missing", lang))


def chart_flow(items: list, columns: int | None = None) -> None:
    """Charts (callables drawing one panel, with their estimated height) in columns (two,
    three from five panels), each next panel in the shorter column (stacked on a phone)."""
    if not items:
        return
    if len(items) == 1:
        items[0][1]()
        return
    columns = columns or (3 if len(items) >= 5 else 2)
    cols = st.columns(columns, gap="small")
    heights = [0] * columns
    for height, draw in items:
        k = heights.index(min(heights))
        heights[k] += height
        with cols[k]:
            draw()


_LEGEND = """<div class="tp-legend" data-testid="tpLegend">{% for n, c in items %}<span><span class="sw" style="background: {{ c }}"></span>{{ n }}</span>{% endfor %}{% if flagged %}<span><span class="dm"></span>{{ flagged }}</span>{% endif %}</div>"""


def series_legend_html(ds, cfg, provinces: list[str], lang: str, flagged: bool) -> str:
    """One legend for every line chart of a page: the provinces' colours (the same on every
    chart) and the mark of estimates, computed and low-confidence points."""
    import jinja2

    items = [(ds.province_name(p, lang), cfg.colour(p, i)) for i, p in enumerate(provinces)]
    items = [(n, c if re.fullmatch(r"#[0-9A-Fa-f]{6}", c) else "#495057") for n, c in items]
    return jinja2.Environment(autoescape=True).from_string(_LEGEND).render(
        items=items, flagged=t("chart.flagged_point", lang) if flagged else "")
