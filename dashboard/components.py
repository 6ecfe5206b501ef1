"""Elements shared by the views: page header, figure cards, concept blocks, mode switch,
the table of figures with its downloads.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from . import charts, export, fmt
from .cache import concept_bar, pair
from .compare import ABSOLUTE, MODES, normalise
from .i18n import pick, t
from .present import (comparability_text, difference_delta, escape_md, flags, md, md_join, period_text,
                      source_short, sources_line, value_text)
from .session import Context, bound


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
                shown = "≈" + fmt.number(norm.value, lang, 2) + " " + md(f"mode.unit.{mode}", lang,
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
            if src is not None:
                st.caption(t("figure.source_kind", lang, kind=t(f"source_kind.{src.kind}", lang),
                             confidence=t(f"confidence.{row['confidence']}", lang)))
            if row.get("note"):
                st.caption(escape_md(row["note"]))
            if row.get("derivation"):
                st.caption(md("figure.derivation", lang, text=row["derivation"]))


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


def figures_table(ctx: Context, rows: pd.DataFrame, key: str, title_key: str = "table.all_figures") -> None:
    """The accessible table of figures, with CSV and XLSX downloads of exactly these rows."""
    lang = ctx.lang
    table = export.figures_frame(ctx.ds, rows, lang)
    with st.expander(t(title_key, lang, n=len(table)), icon=":material/table:"):
        st.dataframe(table, hide_index=True, width="stretch")
        c1, c2 = st.columns(2)
        c1.download_button(t("export.csv", lang), data=lambda: export.to_csv_bytes(table),
                           file_name=f"{key}.csv", mime="text/csv", key=f"csv-{key}", icon=":material/download:")
        c2.download_button(t("export.xlsx", lang), data=lambda: export.to_xlsx_bytes(table, key),
                           file_name=f"{key}.xlsx", key=f"xlsx-{key}", icon=":material/download:",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
