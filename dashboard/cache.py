"""The one cache of the app: the dataset, and every figure derived from it.

The dataset is loaded once per change of the data files (:func:`dashboard.data.signature`,
the one data-change signature) for all sessions. Everything derived from it -- comparisons,
plotly figures, map decks, boundaries -- is computed once per dataset content
(``Dataset.fingerprint``) and arguments with :func:`memo`, never on a plain rerun.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from . import charts
from .compare import ABSOLUTE, Comparability, pair_for_concept
from .config import Config, get_config
from .data import Dataset, load_dataset, signature


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
    return _load(str(path), signature(path))


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


def at_asof(ds: Dataset, asof: str, cfg: Config | None = None) -> Dataset:
    """The dataset a view shows for ``asof``: ``ds`` itself for ``latest``, else the
    snapshot's figures (:func:`dashboard.snapshots.apply`), built once per data content."""
    from . import snapshots

    if asof == snapshots.LATEST:
        return ds
    return memo(snapshots.apply_by_id, ds, asof, snapshots.from_config(cfg or get_config()))


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


def geo(ds: Dataset):
    """The parsed boundaries of the dataset's folder (see :func:`dashboard.maps.load_geo`)."""
    from . import maps

    return maps.load_geo(ds.data_dir)


def _deck(ds: Dataset, provinces: tuple, lang: str, vintage: str, focus, measure, token, view_size=None):
    from . import maps

    g, cfg = geo(ds), get_config()
    model = maps.map_model(ds, g, cfg, provinces, lang, vintage, focus, measure,
                           view_size or (maps.VIEW_WIDTH, maps.VIEW_HEIGHT))
    deck = maps.build_deck(ds, g, cfg, provinces, lang, vintage, focus, measure, token, model=model)
    deck.to_json()  # serialise once: every session reuses the text
    return model, deck


def model_and_deck(ds: Dataset, provinces, lang: str, vintage: str, focus: str | None,
                   measure: str | None, token: str | None, view_size: tuple | None = None):
    """The map model and its pydeck deck, built once per data content and view
    (``view_size``: the map's pixel size its initial view is fitted to)."""
    return memo(_deck, ds, tuple(provinces), lang, vintage, focus, measure, token,
                tuple(view_size) if view_size else None)
