"""The "Trong bối cảnh cả nước" panel: an index figure among all provinces.

A component (views call it; it imports no view): the index and year choice, the strip of
all provinces, the rank line ("Thái Nguyên: 12/63 · Hải Dương: 47/63 (2019)"), the changes
since the previous year and the start of the term, the peer group (URL parameter
``peers``) and the components profile. Everything computed is cached with
:func:`dashboard.cache.memo`; the numbers come from :mod:`dashboard.context`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from . import context as C
from . import context_charts, fmt
from .cache import memo
from .charts import chart_config, short_sources
from .components import lazy_expander
from .config import get_config
from .i18n import t
from .present import Md, escape_md, md, md_join
from .session import Context, bound


def _build(ds, indicator: str, year: int, provinces: tuple, term_start: int):
    return C.build(ds, indicator, year, provinces, term_start)


def _strip(ds, indicator: str, year: int, provinces: tuple, reference: str, term_start: int, lang: str):
    ctx = C.build(ds, indicator, year, provinces, term_start)
    return context_charts.strip(ds, ctx, list(provinces), reference, get_config(), lang)


def _profile(ds, indicator: str, year: int, provinces: tuple, lang: str):
    frame = C.profile(ds, indicator, year, provinces)
    return context_charts.profile(ds, frame, indicator, year, list(provinces), get_config(), lang)


def _peers(ds, indicator: str, year: int, province: str, rule: str) -> pd.DataFrame:
    ids = C.peers(ds, indicator, year, province, rule)
    values, ranks = C.year_values(ds, indicator, year), C.ranks(ds, indicator, year)
    rows = [province] + ids
    rows.sort(key=lambda p: (-float(values.loc[p, "value"]), p))
    return pd.DataFrame({"province": rows,
                         "value_text": [str(values.loc[p, "value_text"]) for p in rows],
                         "rank": [ranks[p].rank if p in ranks else None for p in rows],
                         "of": [ranks[p].of if p in ranks else None for p in rows],
                         "computed": [bool(ranks[p].computed) if p in ranks else False for p in rows]})


def _signed(value: float, lang: str) -> str:
    text = fmt.number(abs(value), lang, 2)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _ranks_text(ch: C.Change, lang: str) -> str:
    if ch.ranks is None:
        return t("context.change_no_rank", lang)
    if ch.ranks > 0:
        text = t("context.change_up", lang, n=ch.ranks)
    elif ch.ranks < 0:
        text = t("context.change_down", lang, n=-ch.ranks)
    else:
        text = t("context.change_same", lang)
    return text + (f" ({t('context.rank_computed_short', lang)})" if ch.rank_computed else "")


def _change_line(ds, st_: C.Standing, ch: C.Change | None, since: int, lang: str) -> Md:
    name = ds.province_name(st_.province, lang)
    if ch is None:
        return md("context.change_none", lang, province=name, since=since)
    if ch.method_change:
        return md("context.change_method", lang, province=name, since=ch.since, period=ch.method_change)
    return md("context.change_item", lang, province=name, since=ch.since, points=_signed(ch.points, lang),
              ranks=_ranks_text(ch, lang))


def context_panel(ctx: Context, key: str = "context", expander: bool = True) -> None:
    """The national-context panel for the compared provinces of ``ctx``: in an expander,
    closed by default (the page keeps its height; its content is computed and sent only
    once opened), or, with ``expander=False``, drawn in place (a topic page's tab)."""
    if not expander:  # the tab's label is its heading
        _context_body(ctx, key)
        return
    box = lazy_expander(t("context.title", ctx.lang), f"{key}-open")
    if box is not None:
        with box:
            _context_body(ctx, key)


def _context_body(ctx: Context, key: str) -> None:
    ds, lang, cfg = ctx.ds, ctx.lang, ctx.cfg
    provinces = tuple(ctx.view.provinces)
    term_start = int(cfg.context.term_start)
    indices = [i for i in C.INDICES if i in ds.indicators and memo(C.national_years, ds, i)]
    if not indices:
        st.info(t("context.no_data", lang))
        return
    st.caption(t("context.intro", lang))
    c1, c2, c3 = st.columns([2, 1, 2])
    with c1:
        indicator = st.radio(t("context.index", lang), indices, horizontal=True, key=f"{key}-index",
                             format_func=lambda i: t(f"context.index_{i}", lang))
    years = memo(C.national_years, ds, indicator)
    with c2:
        year = st.selectbox(t("context.year", lang), years, index=0, key=f"{key}-year-{indicator}",
                            format_func=str)
    rule = ctx.view.peers or C.DEFAULT_PEERS
    with c3:
        bound(st.radio, f"{key}-peers", "peers", rule, label=t("context.peers", lang),
              options=list(C.PEER_RULES), horizontal=True,
              format_func=lambda r: t(f"context.peers_{r}", lang))
    year = int(year)
    data = memo(_build, ds, indicator, year, provinces, term_start)
    reference = getattr(ctx.view, "reference", None) or (provinces[0] if provinces else None)
    index_name = t(f"context.index_{indicator}", lang)

    # the rank line: "Thái Nguyên: 12/63 · Hải Dương: 47/63 (2019)"
    items = [md("context.rank_item_computed" if s.rank.computed else "context.rank_item", lang,
                province=ds.province_name(s.province, lang), rank=s.rank.rank, of=s.rank.of)
             for s in data.standings if s.rank is not None]
    computed = any(s.rank is not None and s.rank.computed for s in data.standings)
    if items:
        line = md_join(" · ", items)
        heading = escape_md(t("context.rank_heading", lang, index=index_name))
        if computed:  # a computed rank is never a headline: a plain caption, marked
            st.caption(Md(f"{heading} — {line} {md('context.rank_year', lang, year=year)}"))
        else:
            st.markdown(Md(f"**{heading}** — {line} {md('context.rank_year', lang, year=year)}"))
    if computed:
        of = next(s.rank.of for s in data.standings if s.rank is not None and s.rank.computed)
        st.caption(t("context.rank_computed_note", lang, index=index_name, of=of))
    if data.missing:
        st.caption(md("context.no_value", lang, index=index_name, year=year,
                      provinces=", ".join(ds.province_name(p, lang) for p in data.missing)))

    fig = memo(_strip, ds, indicator, year, provinces, reference or "", term_start, lang)
    if fig is not None:
        st.plotly_chart(fig, config=chart_config(f"{indicator}-{year}-context"), key=f"{key}-strip")

    # changes since the previous year and the start of the term (computed)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{escape_md(t('context.previous_heading', lang))}**")
        st.markdown(md_join("  \n", [_change_line(ds, s, s.previous, year - 1, lang) for s in data.standings]))
    with right:
        st.markdown(f"**{escape_md(t('context.term_heading', lang, term=term_start))}**")
        if term_start >= year:
            st.caption(t("context.term_after", lang, term=term_start, year=year))
        else:
            st.markdown(md_join("  \n", [_change_line(ds, s, s.term, term_start, lang)
                                         for s in data.standings]))

    # the peer group of the reference province
    if reference and reference in data.values.index:
        peers = memo(_peers, ds, indicator, year, reference, rule)
        st.markdown(md("context.peers_heading", lang, province=ds.province_name(reference, lang),
                       rule=t(f"context.peers_{rule}", lang)))
        table = pd.DataFrame({
            t("context.col_province", lang): [ds.province_name(p, lang) + (" ◀" if p == reference else "")
                                              for p in peers["province"]],
            t("context.col_score", lang): [fmt.number(v, lang) for v in peers["value_text"]],
            t("context.col_rank", lang): [f"{r}/{o}" + ("*" if c else "") if r is not None else ""
                                          for r, o, c in zip(peers["rank"], peers["of"], peers["computed"])],
        })
        st.dataframe(table, hide_index=True, width="stretch", key=f"{key}-peers-table")

    fig = memo(_profile, ds, indicator, year, provinces, lang)
    if fig is not None:
        st.plotly_chart(fig, config=chart_config(f"{indicator}-{year}-components"), key=f"{key}-profile")
    sources = sorted(set(data.values["source"]))
    st.caption(t("context.computed_note", lang))
    st.caption(md("figure.sources", lang, sources=short_sources(ds, sources, lang, limit=2, label=False)))
