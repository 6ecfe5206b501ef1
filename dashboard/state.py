"""The view state in the URL (permalinks).

A link reopens exactly the view that was discussed: language, provinces, indicator,
period, normalisation mode, map vintage, selected item and slide are all query
parameters. :func:`parse_view` reads them leniently — unknown or invalid values fall back
to defaults and are reported as notices, never errors; :func:`view_params` writes every
parameter explicitly, so a recipient with another browser language or a later release
sees the same view.

A link is input from anyone: every parameter is read behind one guard
(:func:`_guarded`), so whatever a link holds — a huge value, a unicode digit, thousands of
unknown ids — the page opens with at most one notice per parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Mapping, NamedTuple, Sequence
from urllib.parse import urlencode

from .compare import ABSOLUTE, MODES
from .fmt import number
from .i18n import DEFAULT_LANG, LANGS, t

PARAMS = ("lang", "provinces", "ref", "indicator", "period", "mode", "vintage", "focus", "measure", "slide", "year", "peers", "asof", "section", "data")
VINTAGES = ("2024", "2025")
SELECTABLE_VINTAGE = "2024"  # the provinces that can be compared (the sidebar's options)

MAX_CHARS = 2000  # a parameter value is cut to this length before it is parsed
SLIDE_MAX = 999
LATEST = "latest"  # asof: the newest figures (else a snapshot id from config.yaml)
DEFAULT_MAX_PROVINCES = 8
NOTICE_CHARS = 40  # a value from the link is shown at most this long in a notice
NOTICE_VALUES = 3  # at most this many ignored values are listed in a notice

_DATA_VERSION = re.compile(r"[0-9a-f]{8,64}")  # dashboard.store.data_version
_SLIDE = re.compile(r"0*([1-9][0-9]{0,2})")  # ASCII digits only, 1..999


class Notice(NamedTuple):
    """What was wrong with one parameter of the link (at most one notice per parameter).

    ``given``: the value as the link gave it (cut to :data:`NOTICE_CHARS`); for
    ``provinces`` the first few ignored values. ``ignored``: how many values were left
    out; ``limit``: the number of provinces kept when the link named more; ``cut``: a
    value was longer than :data:`MAX_CHARS` and only its start was read.
    """

    param: str
    given: str
    ignored: int = 1
    limit: int | None = None
    cut: bool = False


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
    year: str | None = None  # the national map's year (map page, "Cả nước")
    peers: str | None = None  # the peer rule of the national context: "region" (default) or "nearest"
    slide: int = 1
    asof: str = LATEST  # "latest" or the id of a snapshot (config.yaml, snapshots)
    section: str | None = None  # the open tab of a topic page (config.yaml, topic_pages … sections)
    ref: str | None = None  # the reference province of differences (None: the first province)
    data: str | None = None  # the data version the view was seen with (a shared link says when figures changed since)
    notices: list[Notice] = field(default_factory=list)

    def with_(self, **changes) -> "View":
        return replace(self, **changes)

    def notice(self, param: str) -> Notice | None:
        return next((n for n in self.notices if n.param == param), None)

    @property
    def reference(self) -> str | None:
        """The province differences are shown against: ``ref`` when it is one of the
        compared provinces, else the first province."""
        return reference(self.provinces, self.ref)


def reference(provinces: Sequence[str], ref: str | None) -> str | None:
    """``ref`` when it is among ``provinces``, else the first of them (None: no province)."""
    if ref is not None and ref in provinces:
        return ref
    return provinces[0] if provinces else None


# ----------------------------------------------------------------------------- provinces

def selectable_provinces(ds) -> tuple[str, ...]:
    """The provinces a view can compare: current boundaries (2024) with figures in ``data/``.

    These are the options of the sidebar's province picker; a link can name no other.
    When no province has figures yet (a broken ``values.csv``), every 2024 province.
    """
    current = [p for p, prov in ds.provinces.items() if prov.vintage == SELECTABLE_VINTAGE]
    with_data = set(ds.values["province"]) if len(ds.values) else set()
    return tuple([p for p in current if p in with_data] or current)


def province_names(ds, selectable: Iterable[str]) -> dict[str, str]:
    """Every spelling that names a selectable province -> its id: the id, and its name in
    each language (a display name that reached a widget or a link is mapped back)."""
    out: dict[str, str] = {}
    for pid in selectable:
        for lang in LANGS:
            out.setdefault(ds.province_name(pid, lang), pid)
    out.update({pid: pid for pid in selectable})
    return out


def clean_provinces(values: Iterable[object], ds, limit: int = DEFAULT_MAX_PROVINCES,
                    selectable: Sequence[str] | None = None) -> list[str]:
    """``values`` as selectable province ids (display names mapped back), without
    duplicates, at most ``limit``; anything else is dropped."""
    kept, _ignored, _over = _pick_provinces([str(v) for v in values], ds, limit, selectable)
    return kept


def _pick_provinces(items: list[str], ds, limit: int, selectable: Sequence[str] | None = None):
    """``(kept ids, ignored values, valid ids beyond the limit)``."""
    selectable = selectable_provinces(ds) if selectable is None else selectable
    names = province_names(ds, selectable)
    kept: list[str] = []
    ignored: list[str] = []
    over = 0
    for item in items:
        pid = names.get(item)
        if pid is None:
            ignored.append(item)
        elif pid in kept:
            continue
        elif len(kept) < limit:
            kept.append(pid)
        else:
            over += 1
    return kept, ignored, over


# ----------------------------------------------------------------------------- parsing

def _shown(text: str) -> str:
    """A value from the link, short enough for a notice."""
    text = " ".join(str(text).split())
    return text if len(text) <= NOTICE_CHARS else text[: NOTICE_CHARS - 1] + "…"


def _read(params: Mapping[str, object], key: str) -> tuple[list[str], bool]:
    """The parameter's values (``a,b`` and repeated parameters), each value cut to
    :data:`MAX_CHARS` before it is split; and whether a value was cut."""
    raw = params.get(key)
    if raw is None:
        return [], False
    occurrences = list(raw) if isinstance(raw, (list, tuple)) else [raw]
    out: list[str] = []
    cut = False
    for item in occurrences:
        text = item if isinstance(item, str) else str(item)
        if len(text) > MAX_CHARS:
            text, cut = text[:MAX_CHARS], True
        out += [p.strip() for p in text.split(",") if p.strip()]
    return out, cut


def _guarded(params: Mapping[str, object], key: str, notices: list[Notice],
             parse: Callable[[list[str], bool], tuple[object, Notice | None]]) -> object:
    """The one guard every parameter is read behind.

    ``parse(values, cut)`` returns ``(value or None, notice or None)``. Any exception —
    in reading or in converting — becomes a notice for that parameter and the default
    applies. At most one notice per parameter.
    """
    values: list[str] = []
    try:
        values, cut = _read(params, key)
        if not values and not cut:
            return None
        value, notice = parse(values, cut)
    except Exception:  # noqa: BLE001 - a shared link must never take the app down
        value, notice = None, Notice(key, _shown(values[0] if values else ""))
    if notice is not None:
        notices.append(notice)
    return value


def _one(key: str, accept: Callable[[str], object]) -> Callable[[list[str], bool], tuple[object, Notice | None]]:
    """A parser of a single-valued parameter: the first value, accepted or noted."""

    def parse(values: list[str], cut: bool) -> tuple[object, Notice | None]:
        first = values[0] if values else ""
        value = accept(first) if first else None
        return value, (None if value is not None else Notice(key, _shown(first), cut=cut))

    return parse


def slide_number(text: str) -> int | None:
    """``text`` as a slide number 1..999 (ASCII digits only), else None."""
    m = _SLIDE.fullmatch(text)
    return int(m.group(1)) if m else None


def snapshot_ids() -> tuple[str, ...]:
    """The snapshot ids of ``config.yaml`` (the values ``asof`` accepts besides ``latest``)."""
    from .config import get_config

    return tuple(s.id for s in get_config().snapshots)


#: The tabs of the page "Dữ liệu & nguồn": data checks, sources, indicators, licences.
DATA_SECTIONS = ("kiem-tra", "nguon", "chi-tieu", "giay-phep")


def section_ids() -> tuple[str, ...]:
    """Every topic-page section id of ``config.yaml``, the automatic "Khác" and the data
    page's tabs (the values ``section`` accepts; ids are unique across pages)."""
    from .config import OTHER_SECTION, get_config

    return (*(s.id for page in get_config().topic_pages.values() for s in page.sections), OTHER_SECTION,
            *DATA_SECTIONS)


def parse_view(params: Mapping[str, object], ds, default_provinces: Sequence[str],
               default_lang: str = DEFAULT_LANG, max_provinces: int = DEFAULT_MAX_PROVINCES,
               snapshots: Sequence[str] | None = None, sections: Sequence[str] | None = None) -> View:
    """Read a view from query parameters (``{name: value or [values]}``); never raises.

    ``provinces`` accepts ``a,b`` and repeated parameters; only selectable provinces
    (:func:`selectable_provinces`) are kept, the first ``max_provinces`` of them. ``asof``
    is ``latest`` or one of ``snapshots`` (default: the snapshot ids of ``config.yaml``).
    Values that cannot be used are dropped and noted (one notice per parameter); with no
    valid province the defaults apply.
    """
    notices: list[Notice] = []
    limit = max(1, int(max_provinces))
    selectable = selectable_provinces(ds)

    view = View(lang=default_lang if default_lang in LANGS else DEFAULT_LANG)
    view.lang = _guarded(params, "lang", notices, _one("lang", lambda v: v if v in LANGS else None)) or view.lang

    def provinces(values: list[str], cut: bool) -> tuple[object, Notice | None]:
        kept, ignored, over = _pick_provinces(values, ds, limit, selectable)
        if not ignored and not over and not cut:
            return kept, None
        shown = ", ".join(_shown(v) for v in ignored[:NOTICE_VALUES])
        if len(ignored) > NOTICE_VALUES:
            shown += ", …"
        return kept, Notice("provinces", shown, len(ignored), limit if over else None, cut)

    chosen = _guarded(params, "provinces", notices, provinces)
    defaults = [p for p in dict.fromkeys(default_provinces) if p in selectable][:limit]
    view.provinces = list(chosen or defaults)
    # the reference province: one of the compared provinces (else the first, with a notice)
    view.ref = _guarded(params, "ref", notices, _one("ref", lambda v: v if v in view.provinces else None))

    view.indicator = _guarded(params, "indicator", notices,
                              _one("indicator", lambda v: v if v in ds.indicators else None))

    def period(v: str) -> str | None:
        rows = ds.values if view.indicator is None else ds.rows(view.indicator)
        return v if v in set(rows["period"]) else None

    def focus(v: str) -> str | None:
        zones = set(ds.zones["id"]) if not ds.zones.empty else set()
        return v if v in ds.provinces or v in zones else None

    view.period = _guarded(params, "period", notices, _one("period", period))
    view.mode = _guarded(params, "mode", notices, _one("mode", lambda v: v if v in MODES else None)) or view.mode
    view.vintage = _guarded(params, "vintage", notices,
                            _one("vintage", lambda v: v if v in VINTAGES else None)) or view.vintage
    view.focus = _guarded(params, "focus", notices, _one("focus", focus))
    view.measure = _guarded(params, "measure", notices, _one(
        "measure", lambda v: v if v in {i.concept for i in ds.indicators.values()} else None))
    view.slide = _guarded(params, "slide", notices, _one("slide", slide_number)) or view.slide
    view.year = _guarded(params, "year", notices, _one(
        "year", lambda v: v if re.fullmatch(r"(19|20)[0-9]{2}", v) else None))
    view.peers = _guarded(params, "peers", notices, _one("peers", lambda v: v if v in ("region", "nearest") else None))
    known = {LATEST, *(snapshot_ids() if snapshots is None else snapshots)}
    view.asof = _guarded(params, "asof", notices, _one("asof", lambda v: v if v in known else None)) or view.asof
    known_sections = set(section_ids() if sections is None else sections)
    view.section = _guarded(params, "section", notices, _one("section", lambda v: v if v in known_sections else None))
    view.data = _guarded(params, "data", notices, _one("data", lambda v: v if _DATA_VERSION.fullmatch(v) else None))

    view.notices = notices
    return view


def notice_text(notice: Notice, lang: str, escape: Callable[[str], str] = str) -> str:
    """The notice as shown on the page; ``escape`` (Markdown escaping) is applied to the
    link's values, which are already cut short."""
    if notice.param != "provinces":
        return t("state.invalid_param", lang, param=notice.param, value=escape(notice.given))
    parts = []
    if notice.ignored:
        parts.append(t("state.ignored_values", lang, n=number(notice.ignored, lang, 0), param=notice.param,
                       values=escape(notice.given)))
    if notice.limit is not None:
        parts.append(t("state.too_many", lang, max=notice.limit))
    if notice.cut:
        parts.append(t("state.cut", lang, max=number(MAX_CHARS, lang, 0)))
    return " ".join(parts)


# ----------------------------------------------------------------------------- writing

def view_params(view: View) -> dict[str, str]:
    """Every parameter of ``view``, explicitly (defaults included), for the URL."""
    out = {
        "lang": view.lang,
        "provinces": ",".join(view.provinces),
        "mode": view.mode,
        "vintage": view.vintage,
        "slide": str(view.slide),
        "asof": view.asof,
    }
    if view.indicator:
        out["indicator"] = view.indicator
    if view.period:
        out["period"] = view.period
    if view.focus:
        out["focus"] = view.focus
    if view.measure:
        out["measure"] = view.measure
    if view.year:
        out["year"] = view.year
    if view.peers:
        out["peers"] = view.peers
    if view.section:
        out["section"] = view.section
    if view.data:
        out["data"] = view.data
    if len(view.provinces) > 2 and view.reference:  # only meaningful with more than two
        out["ref"] = view.reference
    return out


def permalink(base_url: str, url_path: str, view: View) -> str:
    """The full link of a page in ``view``: ``{base}/{url_path}?lang=vi&provinces=…``."""
    base = (base_url or "").split("?")[0].rstrip("/")
    for suffix in ("/" + url_path,):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return f"{base}/{url_path}?{urlencode(view_params(view))}"
