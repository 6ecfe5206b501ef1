"""The session's view of the app: configuration, dataset and view state (the URL).

``ctx = context()`` is what a view needs; :func:`bound` ties a widget to a field of the
view so that the URL always reopens what is on screen.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import streamlit as st

from .cache import at_asof, dataset, memo
from .config import Config, get_config
from .data import Dataset
from .i18n import LANGS, pick, t
from .state import LATEST, PARAMS, SLIDE_MAX, View, clean_provinces, parse_view, selectable_provinces, view_params


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
        view = parse_view(qp, ds, cfg.app.default_provinces, cfg.app.default_language, cfg.app.max_provinces,
                          snapshots=tuple(s.id for s in cfg.snapshots))
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
    # the reference province stays one of the compared provinces (else: the first)
    provinces = changes.get("provinces", st.session_state["_view"].provinces)
    if "ref" in changes and changes["ref"] not in provinces:
        del changes["ref"]
    if "ref" not in changes and st.session_state["_view"].ref not in provinces:
        changes["ref"] = None
    if "asof" in changes and changes["asof"] not in (LATEST, *(s.id for s in get_config().snapshots)):
        del changes["asof"]
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
    """Configuration, dataset and view of the current run (set up by ``app.py``).

    ``ds`` is the dataset of the view's ``asof``: with a snapshot (``asof=hop-2023``),
    the figures as presented at that meeting (:func:`dashboard.cache.at_asof`), so every
    view, chart, map, slide and briefing follows the link's ``asof``.
    """
    cfg = get_config()
    ds = dataset(cfg)
    if "_view" not in st.session_state:
        _current_view(cfg, ds)
    view = st.session_state["_view"]
    return Context(cfg, at_asof(ds, view.asof, cfg), view)


def asof_note(cfg: Config, view: View) -> None:
    """One short line at the top of every page while a snapshot is shown.

    NOTE: drawn below the app's header bar (60 px, over the first 40 px of the page).
    """
    snap = next((s for s in cfg.snapshots if s.id == view.asof), None)
    if snap is not None:
        text = html.escape(t("asof.viewing", view.lang, title=pick(snap.title, view.lang)))
        st.html(f'<div data-testid="asof-note" style="margin-top:24px;display:inline-block;padding:2px 10px;'
                f'border-radius:6px;background:rgba(230,119,0,.14);color:#8a4a00;font-size:15px">{text}</div>')


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




def view_lang() -> str:
    view = st.session_state.get("_view")
    return view.lang if view is not None else "vi"
