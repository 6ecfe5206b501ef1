"""The view state in the URL (permalinks).

A link reopens exactly the view that was discussed: language, provinces, indicator,
period, normalisation mode, map vintage, selected item and slide are all query
parameters. :func:`parse_view` reads them leniently — unknown or invalid values fall back
to defaults and are reported as notices, never errors; :func:`view_params` writes every
parameter explicitly, so a recipient with another browser language or a later release
sees the same view.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence
from urllib.parse import urlencode

from .compare import ABSOLUTE, MODES
from .i18n import DEFAULT_LANG, LANGS

PARAMS = ("lang", "provinces", "indicator", "period", "mode", "vintage", "focus", "slide")
VINTAGES = ("2024", "2025")


@dataclass
class View:
    """Everything that decides what a page shows."""

    lang: str = DEFAULT_LANG
    provinces: list[str] = field(default_factory=list)
    indicator: str | None = None
    period: str | None = None
    mode: str = ABSOLUTE
    vintage: str = "2024"
    focus: str | None = None
    slide: int = 1
    notices: list[tuple[str, str]] = field(default_factory=list)  # (param, given value)

    def with_(self, **changes) -> "View":
        return replace(self, **changes)


def _values(params: Mapping[str, object], key: str) -> list[str]:
    raw = params.get(key)
    if raw is None:
        return []
    items = list(raw) if isinstance(raw, (list, tuple)) else [raw]
    out: list[str] = []
    for item in items:
        out += [p.strip() for p in str(item).split(",") if p.strip()]
    return out


def _one(params: Mapping[str, object], key: str) -> str | None:
    vals = _values(params, key)
    return vals[0] if vals else None


def parse_view(params: Mapping[str, object], ds, default_provinces: Sequence[str],
               default_lang: str = DEFAULT_LANG) -> View:
    """Read a view from query parameters (``{name: value or [values]}``).

    ``provinces`` accepts ``a,b`` and repeated parameters. Values that do not exist in
    the data are dropped and noted; with fewer than one valid province the defaults apply.
    """
    notices: list[tuple[str, str]] = []
    view = View(lang=default_lang if default_lang in LANGS else DEFAULT_LANG)

    lang = _one(params, "lang")
    if lang is not None:
        if lang in LANGS:
            view.lang = lang
        else:
            notices.append(("lang", lang))

    known = ds.provinces
    chosen = []
    for pid in _values(params, "provinces"):
        if pid in known and pid not in chosen:
            chosen.append(pid)
        elif pid not in known:
            notices.append(("provinces", pid))
    defaults = [p for p in default_provinces if p in known]
    view.provinces = chosen or defaults

    ind = _one(params, "indicator")
    if ind is not None:
        if ind in ds.indicators:
            view.indicator = ind
        else:
            notices.append(("indicator", ind))

    period = _one(params, "period")
    if period is not None:
        ok = period in set(ds.values["period"]) if view.indicator is None else \
            period in set(ds.rows(view.indicator)["period"])
        if ok:
            view.period = period
        else:
            notices.append(("period", period))

    mode = _one(params, "mode")
    if mode is not None:
        if mode in MODES:
            view.mode = mode
        else:
            notices.append(("mode", mode))

    vintage = _one(params, "vintage")
    if vintage is not None:
        if vintage in VINTAGES:
            view.vintage = vintage
        else:
            notices.append(("vintage", vintage))

    focus = _one(params, "focus")
    if focus is not None:
        zone_ids = set(ds.zones["id"]) if not ds.zones.empty else set()
        if focus in known or focus in zone_ids:
            view.focus = focus
        else:
            notices.append(("focus", focus))

    slide = _one(params, "slide")
    if slide is not None:
        if slide.isdigit() and int(slide) >= 1:
            view.slide = int(slide)
        else:
            notices.append(("slide", slide))

    view.notices = notices
    return view


def view_params(view: View) -> dict[str, str]:
    """Every parameter of ``view``, explicitly (defaults included), for the URL."""
    out = {
        "lang": view.lang,
        "provinces": ",".join(view.provinces),
        "mode": view.mode,
        "vintage": view.vintage,
        "slide": str(view.slide),
    }
    if view.indicator:
        out["indicator"] = view.indicator
    if view.period:
        out["period"] = view.period
    if view.focus:
        out["focus"] = view.focus
    return out


def permalink(base_url: str, url_path: str, view: View) -> str:
    """The full link of a page in ``view``: ``{base}/{url_path}?lang=vi&provinces=…``."""
    base = (base_url or "").split("?")[0].rstrip("/")
    for suffix in ("/" + url_path,):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return f"{base}/{url_path}?{urlencode(view_params(view))}"
