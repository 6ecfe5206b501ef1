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
from typing import Callable, Mapping, Sequence
from urllib.parse import urlencode

from .compare import ABSOLUTE, MODES
from .i18n import DEFAULT_LANG, LANGS

PARAMS = ("lang", "provinces", "indicator", "period", "mode", "vintage", "focus", "measure", "slide")
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
    measure: str | None = None  # the map's Party layer: a concept id
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

    def take(key: str, convert: Callable[[str], object]) -> object:
        """The parameter converted, or None (absent, or invalid and noted)."""
        raw = _one(params, key)
        if raw is None:
            return None
        value = convert(raw)
        if value is None:
            notices.append((key, raw))
        return value

    view = View(lang=default_lang if default_lang in LANGS else DEFAULT_LANG)
    view.lang = take("lang", lambda v: v if v in LANGS else None) or view.lang

    known = ds.provinces
    chosen = []
    for pid in _values(params, "provinces"):
        if pid in known and pid not in chosen:
            chosen.append(pid)
        elif pid not in known:
            notices.append(("provinces", pid))
    view.provinces = chosen or [p for p in default_provinces if p in known]

    view.indicator = take("indicator", lambda v: v if v in ds.indicators else None)
    periods = set(ds.values["period"] if view.indicator is None else ds.rows(view.indicator)["period"])
    view.period = take("period", lambda v: v if v in periods else None)
    view.mode = take("mode", lambda v: v if v in MODES else None) or view.mode
    view.vintage = take("vintage", lambda v: v if v in VINTAGES else None) or view.vintage
    zone_ids = set(ds.zones["id"]) if not ds.zones.empty else set()
    view.focus = take("focus", lambda v: v if v in known or v in zone_ids else None)
    concepts = {i.concept for i in ds.indicators.values()}
    view.measure = take("measure", lambda v: v if v in concepts else None)
    view.slide = take("slide", lambda v: int(v) if v.isdigit() and int(v) >= 1 else None) or view.slide

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
    if view.measure:
        out["measure"] = view.measure
    return out


def permalink(base_url: str, url_path: str, view: View) -> str:
    """The full link of a page in ``view``: ``{base}/{url_path}?lang=vi&provinces=…``."""
    base = (base_url or "").split("?")[0].rstrip("/")
    for suffix in ("/" + url_path,):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return f"{base}/{url_path}?{urlencode(view_params(view))}"
