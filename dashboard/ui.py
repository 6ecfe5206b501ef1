"""Streamlit rendering shared by the router and the pages.

Pages stay thin: ``ctx = ui.context()`` gives the configuration, the dataset and the
view; the ``render_*`` helpers turn the pure builders' output into elements. Figures are
built by :mod:`dashboard.charts` (pure), numbers formatted by :mod:`dashboard.present`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from . import charts, export, fmt
from .compare import ABSOLUTE, MODES, Comparability, normalise, pair_for_concept
from .config import ROOT, Config, get_config

#: NOTE: a local file; a ":material/…:" or emoji page icon makes the browser fetch the
#: favicon from a font CDN, which fails in a meeting room without internet.
ICON = ROOT / "assets" / "icon.png"
HOME_PATH = "trang-chu"  # the hidden default page that serves "/"
from .data import DATA_FILES, GEO_DIR, Dataset, load_dataset
from .i18n import LANGS, pick, t
from .present import (comparability_text, difference_delta, escape_md, flags, md, md_join, period_text, safe_url,
                      source_short, sources_line, value_text)
from .state import (PARAMS, SLIDE_MAX, View, clean_provinces, notice_text, parse_view, permalink,
                    selectable_provinces, view_params)

CSS = """
<style>
  [data-testid="stMetricValue"], [data-testid="stMetricValue"] > div {
    font-size: 2.5rem; font-weight: 700; line-height: 1.15; }
  [data-testid="stMetricLabel"] p { font-size: 1.2rem; }
  [data-testid="stMain"] h1 { font-size: 2.4rem; }
  [data-testid="stMain"] h3 { font-size: 1.5rem; }
  .block-container { padding-top: 2.5rem; max-width: 1500px; }
  @media (max-width: 640px) {
    [data-testid="stMetricValue"], [data-testid="stMetricValue"] > div { font-size: 1.8rem; }
    [data-testid="stMain"] h1 { font-size: 1.8rem; }
    .block-container { padding-left: 0.8rem; padding-right: 0.8rem; }
  }
</style>
"""


# ----------------------------------------------------------------------------- data

def _signature(data_dir: Path) -> tuple:
    """Cheap change detector: (name, mtime, size) of every data file."""
    paths = [data_dir / n for n in DATA_FILES.values()] + sorted((data_dir / GEO_DIR).glob("*.geojson"))
    sig = []
    for p in paths:
        try:
            s = p.stat()
            sig.append((p.name, s.st_mtime_ns, s.st_size))
        except OSError:
            sig.append((p.name, 0, 0))
    return tuple(sig)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load(data_dir: str, signature: tuple) -> Dataset:  # noqa: ARG001 - signature is the cache key
    return load_dataset(data_dir)


def data_dir(cfg: Config) -> Path:
    """The data folder: ``DASHBOARD_DATA_DIR`` (deployments, tests) or config.yaml's."""
    env = os.environ.get("DASHBOARD_DATA_DIR")
    return Path(env) if env else cfg.data_path


def dataset(cfg: Config | None = None) -> Dataset:
    """The dataset, loaded once per content change for all sessions."""
    cfg = cfg or get_config()
    path = data_dir(cfg)
    return _load(str(path), _signature(path))


@st.cache_resource(max_entries=4096, show_spinner=False)
def _memo(name: str, fingerprint: str, args: tuple, _call):  # noqa: ARG001 - the key
    return _call()


def memo(fn, ds: Dataset, *args):
    """``fn(ds, *args)`` computed once per dataset content and arguments, for all sessions.

    Figures and comparisons are rebuilt only when the data (its fingerprint) or the
    arguments change, never on a plain rerun. Results are shared: callers must not
    mutate them. ``args`` must be hashable (strings, tuples).
    """
    name = f"{fn.__module__}.{fn.__qualname__}"
    return _memo(name, ds.fingerprint, args, lambda: fn(ds, *args))


def pair(ds: Dataset, concept: str, provinces) -> Comparability:
    return memo(pair_for_concept, ds, concept, tuple(provinces))


def _bar(ds: Dataset, concept: str, provinces: tuple, lang: str, mode: str):
    return charts.bar_comparison(ds, pair_for_concept(ds, concept, provinces), get_config(), lang, mode)


def _series(ds: Dataset, indicator: str, provinces: tuple, lang: str):
    return charts.time_series(ds, indicator, list(provinces), get_config(), lang)


def _composition(ds: Dataset, total: str, parts: tuple, province: str, lang: str):
    return charts.composition(ds, total, list(parts), province, get_config(), lang)


def concept_bar(ds: Dataset, concept: str, provinces, lang: str, mode: str = ABSOLUTE):
    """Cached bar chart of a comparable concept (see :func:`memo`)."""
    return memo(_bar, ds, concept, tuple(provinces), lang, mode)


def series_chart(ds: Dataset, indicator: str, provinces, lang: str):
    return memo(_series, ds, indicator, tuple(provinces), lang)


def composition_chart(ds: Dataset, total: str, parts, province: str, lang: str):
    return memo(_composition, ds, total, tuple(parts), province, lang)


# ----------------------------------------------------------------------------- view state

@dataclass
class Context:
    cfg: Config
    ds: Dataset
    view: View

    @property
    def lang(self) -> str:
        return self.view.lang


def _query_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params.keys()}


def _current_view(cfg: Config, ds: Dataset) -> View:
    """The session's view; re-read from the URL when the URL changed from outside."""
    ss = st.session_state
    qp = _query_params()
    flat = {k: ",".join(v) for k, v in qp.items() if k in PARAMS}
    # Re-read the URL on a session's first run, or when the URL was changed from outside
    # (a pasted link). Page navigation that drops the query keeps the session's view.
    if "_view" not in ss or (flat and flat != ss.get("_written")):
        view = parse_view(qp, ds, cfg.app.default_provinces, cfg.app.default_language, cfg.app.max_provinces)
        ss["_view"] = view
        ss["_notices"] = list(view.notices)
    return ss["_view"]


def update_view(**changes) -> None:
    """Change the session's view (from a widget callback or a page).

    Provinces are kept only as selectable ids (a display name is mapped back to its id,
    anything else dropped); a change that leaves none, or an unknown language, is ignored.
    """
    if "provinces" in changes:
        cfg = get_config()
        ds = dataset(cfg)
        ids = clean_provinces(changes["provinces"] or [], ds, cfg.app.max_provinces,
                              memo(selectable_provinces, ds))
        if ids:
            changes["provinces"] = ids
        else:
            del changes["provinces"]
    if "lang" in changes and changes["lang"] not in LANGS:
        del changes["lang"]
    if "slide" in changes:
        changes["slide"] = min(max(int(changes["slide"]), 1), SLIDE_MAX)
    st.session_state["_view"] = st.session_state["_view"].with_(**changes)
    st.session_state["_notices"] = []


def write_url(view: View) -> None:
    params = view_params(view)
    if {k: ",".join(v) for k, v in _query_params().items()} != params:
        st.query_params.from_dict(params)
    st.session_state["_written"] = params


def context() -> Context:
    """Configuration, dataset and view of the current run (set up by ``app.py``)."""
    cfg = get_config()
    ds = dataset(cfg)
    if "_view" not in st.session_state:
        _current_view(cfg, ds)
    return Context(cfg, ds, st.session_state["_view"])


def _sync(widget_key: str, field: str, cast=None) -> None:
    value = st.session_state[widget_key]
    if value is None or value == []:
        return
    # update_view keeps only known province ids (a display name is mapped back).
    update_view(**{field: cast(value) if cast else value})


def bound(widget, key: str, field: str, current, cast=None, **kwargs):
    """Render ``widget`` showing ``current`` and writing changes back to the view.

    NOTE: a keyed selectbox, multiselect or segmented control keeps its identity when its
    labels change (``format_func`` follows the language), but the browser holds the
    value as the labels it was last sent. Unless the value is sent again, the browser
    answers the next rerun with the previous language's labels, which match no option
    and come back as display names: switching the language twice turned the provinces
    into "Thái Nguyên" and emptied every figure. So whenever the labels change, the
    value is written again and the browser receives it in the current labels.
    """
    ss = st.session_state
    fmt_func = kwargs.get("format_func")
    labels = tuple(fmt_func(o) for o in kwargs.get("options", ())) if fmt_func else None
    stamp = f"_labels_{key}"
    if ss.get(key) != current or ss.get(stamp) != labels:
        ss[key] = current
    ss[stamp] = labels
    return widget(key=key, on_change=_sync, args=(key, field, cast), **kwargs)


# ----------------------------------------------------------------------------- app shell

def view_lang() -> str:
    view = st.session_state.get("_view")
    return view.lang if view is not None else "vi"


def run_app() -> None:
    """The router: pages from config.yaml, the shared sidebar, banner and footer."""
    cfg = get_config()
    st.set_page_config(page_title=t("app.title", view_lang()), page_icon=str(ICON), layout="wide")
    ds = dataset(cfg)
    view = _current_view(cfg, ds)
    lang = view.lang

    # NOTE: a page file missing from a deployment is left out of the menu, not a crash.
    entries = [e for e in cfg.pages if (ROOT / e.file).is_file()]
    pages = [st.Page(e.file, title=pick(e.title, lang), icon=e.icon, url_path=e.url_path)
             for e in entries]
    # NOTE: Streamlit serves the default page at "/" only; its own url_path would answer
    # "page not found". A hidden default page serves "/" so that every configured path,
    # /tong-quan included, is a normal page that a link can reopen.
    home = next((e for e in entries if e.default), entries[0])
    pages.insert(0, st.Page(home.file, title=pick(home.title, lang), icon=home.icon,
                            url_path=HOME_PATH, default=True, visibility="hidden"))
    nav = st.navigation(pages)
    st.html(CSS)
    _sidebar(cfg, ds, view)
    view = st.session_state["_view"]
    _banner(ds, view.lang)
    _notices(view.lang)
    nav.run()
    view = st.session_state["_view"]
    share_box(view, home.url_path if nav.url_path == HOME_PATH else nav.url_path)
    _footer(ds, view.lang)
    write_url(view)


def _sidebar(cfg: Config, ds: Dataset, view: View) -> None:
    with st.sidebar:
        bound(st.segmented_control, "w_lang", "lang", view.lang, label=t("sidebar.language", view.lang),
              options=["vi", "en"], format_func=lambda c: {"vi": "Tiếng Việt", "en": "English"}[c],
              required=True)
        lang = st.session_state["_view"].lang
        # The same options and limit as a link may name (state.selectable_provinces).
        options = list(memo(selectable_provinces, ds))
        limit = cfg.app.max_provinces
        current = [p for p in st.session_state["_view"].provinces if p in options][:limit]
        bound(st.multiselect, "w_provinces", "provinces", current,
              label=t("sidebar.provinces", lang), options=options,
              format_func=lambda p: ds.province_name(p, lang), max_selections=limit)


def _banner(ds: Dataset, lang: str) -> None:
    files = ds.problem_files()
    if files:
        st.warning(t("health.banner", lang, n=len(ds.errors), files=escape_md(", ".join(files))),
                   icon=":material/report:")


def _notices(lang: str) -> None:
    # One notice per parameter; the link's values are cut short by parse_view and escaped.
    for notice in st.session_state.get("_notices", []):
        st.info(notice_text(notice, lang, escape_md), icon=":material/link_off:")


def _footer(ds: Dataset, lang: str) -> None:
    st.divider()
    meta = ds.meta
    if meta is not None:
        st.caption(md("footer.dataset", lang, title=pick(meta.title, lang), version=meta.version,
                      updated=meta.updated.strftime("%d/%m/%Y") if lang == "vi" else meta.updated.isoformat()))
    st.caption(t("footer.licence", lang))


def page_header(ctx: Context, page_id: str, intro_key: str | None = None) -> None:
    entry = ctx.cfg.page(page_id)
    st.title(pick(entry.title, ctx.lang))
    if intro_key:
        st.caption(t(intro_key, ctx.lang))


def share_box(view: View, url_path: str) -> None:
    """Copy-link control (every parameter explicit) and a QR code of the link, in the sidebar."""
    import io

    import segno

    link = permalink(str(st.context.url or ""), url_path, view)
    with st.sidebar.expander(t("share.title", view.lang), icon=":material/share:"):
        st.caption(t("share.hint", view.lang))
        st.code(link, language=None, wrap_lines=True)
        buf = io.BytesIO()
        segno.make(link, error="m").save(buf, kind="png", scale=5, border=2)
        st.image(buf.getvalue(), caption=t("share.qr", view.lang), width=180)


# ----------------------------------------------------------------------------- figures

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


def topic_page(page_id: str) -> None:
    """A comparison page for the topics configured under ``topic_pages`` in config.yaml."""
    ctx = context()
    ds, lang, cfg = ctx.ds, ctx.lang, ctx.cfg
    spec = cfg.topic_pages[page_id]
    page_header(ctx, page_id, f"intro.{page_id}")
    mode = mode_control(ctx)
    topic_rows = ds.rows(provinces=ctx.view.provinces)
    topic_rows = topic_rows[topic_rows["topic"].isin(spec.topics)]
    if topic_rows.empty:
        st.info(t("figure.no_data_topic", lang))
        return
    concepts = [i.concept for i in ds.indicators.values() if i.topic in spec.topics]
    for concept in dict.fromkeys(concepts):
        concept_block(ctx, concept, mode=mode, key=page_id)

    for comp in spec.compositions:
        for i, pid in enumerate(ctx.view.provinces):
            fig, note = composition_chart(ds, comp.total, comp.parts, pid, lang)
            if fig is None:
                continue
            st.plotly_chart(fig, config=charts.chart_config(f"{comp.total}-{pid}"), key=f"comp-{comp.total}-{pid}")
            rows = ds.rows([comp.total] + comp.parts, [pid])
            st.caption(charts.chart_sources(ds, [r for _, r in rows.iterrows()], lang, as_md=True))
            if note:
                st.caption(escape_md(note))

    if spec.map_panel:
        from .maps_page import map_panel

        st.subheader(t("topic.map_panel", lang))
        map_panel(ctx, key=page_id)

    # NOTE: the national figure is drawn beside the provinces wherever the data has it.
    national = [p for p, prov in ds.provinces.items() if prov.level == "nation" and p not in ctx.view.provinces]
    series = [i.id for i in ds.indicators.values() if i.topic in spec.topics]
    for ind_id in series:
        fig = series_chart(ds, ind_id, list(ctx.view.provinces) + national, lang)
        if fig is None:
            continue
        st.plotly_chart(fig, config=charts.chart_config(f"{ind_id}-series"), key=f"ts-{ind_id}")
        rows = ds.rows(ind_id, ctx.view.provinces)
        st.caption(charts.chart_sources(ds, [r for _, r in rows.iterrows()], lang, as_md=True))
    figures_table(ctx, topic_rows.sort_values(["indicator", "province", "year_end"]), key=page_id)


# ----------------------------------------------------------------------------- pages

def _basics(ctx: Context, pid: str, basics: dict[str, dict]) -> None:
    """Name, capital, area and population (same year for all provinces where possible)."""
    ds, lang = ctx.ds, ctx.lang
    prov = ds.provinces[pid]
    with st.container(border=True):
        st.subheader(escape_md(pick(prov.name, lang)))
        facts = []
        if prov.capital:
            facts.append(md("overview.capital", lang, capital=pick(prov.capital, lang)))
        if prov.gso_code:
            facts.append(md("overview.gso", lang, code=prov.gso_code))
        st.caption(md_join(" · ", facts))
        for ind_id in ("area", "population"):
            row = basics[ind_id].get(pid)
            if row is None:
                st.metric(t(f"overview.{ind_id}", lang), t("figure.missing", lang))
                continue
            st.metric(t(f"overview.{ind_id}", lang), value_text(row, ds.indicators[ind_id], lang, as_md=True))
            st.caption(md_join(" · ", [period_text(row["period"], lang),
                                       sources_line(ds, [row["source"]], lang, as_md=True)]))
        st.caption(t("overview.vintage", lang))
        if prov.merger and prov.merger.into in ds.provinces:
            m = prov.merger
            partners = ", ".join(ds.province_name(w, lang) for w in m.with_)
            st.info(md("overview.merger", lang, name=pick(prov.name, lang), partners=partners,
                       into=ds.province_name(m.into, lang), resolution=m.resolution,
                       adopted=m.adopted.strftime("%d/%m/%Y"), effective=m.effective.strftime("%d/%m/%Y")),
                    icon=":material/merge:")


def overview_page() -> None:
    """Tổng quan: basics per province, then one headline figure per topic."""
    ctx = context()
    page_header(ctx, "overview", "intro.overview")
    provinces = [p for p in ctx.view.provinces if p in ctx.ds.provinces]
    basics = {c: pair(ctx.ds, c, provinces).rows for c in ("area", "population")}
    cols = st.columns(max(1, len(provinces)))
    for col, pid in zip(cols, provinces):
        with col:
            _basics(ctx, pid, basics)
    st.header(t("overview.kpis", ctx.lang))
    for concept in ctx.cfg.overview.kpis:
        concept_block(ctx, concept, chart=False, key="overview")


def explorer_page() -> None:
    """So sánh chỉ tiêu: one indicator, the chosen provinces, one or all periods."""
    ctx = context()
    ds, lang, cfg = ctx.ds, ctx.lang, ctx.cfg
    page_header(ctx, "explorer", "intro.explorer")
    available = [i for i in ds.indicators if not ds.rows(i).empty]
    if not available:
        st.info(t("figure.no_data_topic", lang))
        return
    current = ctx.view.indicator if ctx.view.indicator in available else available[0]
    topics = {i: ds.indicators[i].topic for i in available}
    bound(st.selectbox, "w_indicator", "indicator", current, label=t("explorer.indicator", lang),
          options=available, format_func=lambda i: f"{pick(ds.indicators[i].title, lang)} "
          f"[{t('topic.' + topics[i], lang)}]")
    view = st.session_state["_view"]
    ind = ds.indicators[view.indicator or current]
    periods = ds.periods(ind.id, view.provinces)
    period_options = ["all"] + periods
    current_period = view.period if view.period in periods else "all"
    bound(st.selectbox, "w_period", "period", current_period, label=t("explorer.period", lang),
          options=period_options, format_func=lambda p: t("explorer.all_periods", lang) if p == "all"
          else period_text(p, lang), cast=lambda p: None if p == "all" else p)
    view = st.session_state["_view"]
    mode = mode_control(ctx)
    st.caption(escape_md(pick(ind.description, lang)))
    rows = ds.rows(ind.id, view.provinces)
    if view.period:
        rows = rows[rows["period"] == view.period]
    if rows.empty:
        st.info(t("figure.no_data_selection", lang))
        return
    if view.period is None:
        fig = series_chart(ds, ind.id, view.provinces, lang)
        if fig is not None:
            st.plotly_chart(fig, config=charts.chart_config(f"{ind.id}-series"), key="explorer-ts")
            st.caption(charts.chart_sources(ds, [r for _, r in rows.iterrows()], lang, as_md=True))
        shown_period = ds.periods(ind.id, view.provinces)[0]
    else:
        shown_period = view.period
    from .compare import comparability

    latest = {p: (lambda s: s.iloc[0] if not s.empty else None)(
        ds.rows(ind.id, [p], period=shown_period)) for p in view.provinces}
    comp = comparability(latest)
    st.subheader(md("explorer.period_heading", lang, period=period_text(shown_period, lang)))
    cols = st.columns(len(view.provinces))
    for col, pid in zip(cols, view.provinces):
        with col:
            kpi_card(ctx, latest[pid], pid, mode)
    if comp.comparable:
        fig = charts.bar_comparison(ds, comp, cfg, lang, mode)
        st.plotly_chart(fig, config=charts.chart_config(f"{ind.id}-{shown_period}"), key="explorer-bar")
        st.caption(charts.chart_sources(ds, comp.present.values(), lang, as_md=True))
    else:
        st.info(comparability_note(ctx, comp), icon=":material/compare_arrows:")
    figures_table(ctx, rows.sort_values(["province", "year_end"]), key=f"{ind.id}", title_key="table.shown_figures")


def data_health_page() -> None:
    """Dữ liệu & nguồn: problems found in data/, sources, indicators, licences."""
    ctx = context()
    ds, lang = ctx.ds, ctx.lang
    page_header(ctx, "data_health", "intro.data_health")
    meta = ds.meta
    c1, c2, c3 = st.columns(3)
    c1.metric(t("health.figures", lang), f"{len(ds.values):,}".replace(",", "." if lang == "vi" else ","))
    c2.metric(t("health.errors", lang), str(len(ds.errors)))
    c3.metric(t("health.warnings", lang), str(len(ds.warnings)))
    if meta is not None:
        st.caption(md("footer.dataset", lang, title=pick(meta.title, lang), version=meta.version,
                      updated=meta.updated.isoformat()))
    if ds.problems:
        st.subheader(t("health.problems", lang))
        st.caption(t("health.problems_hint", lang))
        from .data import ordered

        # The root causes first, in full; errors that only follow from them in one line.
        for p in (p for p in ds.problems if p.is_root):
            st.markdown(f"**{escape_md(ds.relative(p.location()))}** — {escape_md(p.message(lang))}")
        follow = [p for p in ds.problems if p.follow_on]
        if follow:
            files = ", ".join(dict.fromkeys(ds.relative(p.file) for p in follow))
            st.caption(md("validation.follow_ons", lang, n=len(follow), files=files))
        rest = [p for p in ordered(ds.problems) if not p.is_root and not p.follow_on]
        if rest:
            table = pd.DataFrame([{
                t("health.col.severity", lang): t(f"health.{p.severity}", lang),
                t("health.col.location", lang): ds.relative(p.location()),
                t("health.col.message", lang): p.message(lang),
            } for p in rest])
            st.dataframe(table, hide_index=True, width="stretch")
    else:
        st.success(t("health.clean", lang), icon=":material/check_circle:")
    st.subheader(t("health.sources", lang))
    src = pd.DataFrame([{
        "id": s.id, t("export.col.source", lang): s.title, t("export.col.source_producer", lang): s.producer,
        t("health.col.date", lang): s.date or "", t("health.col.kind", lang): t(f"source_kind.{s.kind}", lang),
        t("health.col.confidence", lang): t(f"confidence.{s.confidence}", lang),
        t("export.col.source_url", lang): safe_url(s.url) or "",  # a link only to a web address
    } for s in ds.sources.values()])
    st.dataframe(src, hide_index=True, width="stretch",
                 column_config={t("export.col.source_url", lang): st.column_config.LinkColumn()})
    st.subheader(t("health.indicators", lang))
    inds = pd.DataFrame([{
        "id": i.id, t("health.col.title", lang): pick(i.title, lang), t("export.col.unit", lang): pick(i.unit, lang),
        t("health.col.topic", lang): t(f"topic.{i.topic}", lang), t("health.col.concept", lang): i.concept,
        t("health.col.description", lang): pick(i.description, lang),
    } for i in ds.indicators.values()])
    st.dataframe(inds, hide_index=True, width="stretch")
    st.subheader(t("health.licences", lang))
    st.markdown(t("health.licence_text", lang))
