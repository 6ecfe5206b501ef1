"""Finding provinces for the sidebar's picker: by typing (with or without diacritics) and by
region (vùng). Pure functions — no Streamlit — used by :mod:`dashboard.shell`.

Streamlit's multiselect filters its options by the typed text as it is: "quang ninh" does
not find "Quảng Ninh" and there are no groups. :func:`matches` folds accents (NFD, combining
marks dropped, đ → d) and case, and also accepts the initials ("hcm" → Hồ Chí Minh,
"brvt" → Bà Rịa – Vũng Tàu) and the name without spaces ("quangninh").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from .i18n import pick

_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """``text`` without diacritics, in lower case, punctuation as single spaces:
    ``"Bà Rịa – Vũng Tàu"`` → ``"ba ria vung tau"``, ``"ĐẮK LẮK"`` → ``"dak lak"``."""
    text = str(text).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(_WORD.findall(text.casefold()))


def _keys(ds, pid: str) -> tuple[str, ...]:
    """Every folded spelling a province is found by: names in both languages, its id, the
    names without spaces and their initials."""
    prov = ds.provinces[pid]
    names = {fold(pick(prov.name, lang)) for lang in ("vi", "en")} | {fold(pid.replace("-", " "))}
    out = set(names)
    for name in names:
        words = name.split()
        out.add("".join(words))
        if len(words) > 1:
            out.add("".join(w[0] for w in words))
        if len(words) > 2 and words[0] == "tp":  # "TP. Hồ Chí Minh": "tphcm"
            out.add("tp" + "".join(w[0] for w in words[1:]))
    return tuple(sorted(out))


def provinces_only(ds, options: Iterable[str]) -> list[str]:
    """``options`` without the nation ("Cả nước" is context drawn beside the provinces, not a
    province to choose)."""
    return [p for p in options if p in ds.provinces and ds.provinces[p].level != "nation"]


def region_of(ds, pid: str) -> str | None:
    prov = ds.provinces.get(pid)
    return prov.region if prov is not None else None


def region_name(ds, region: str | None, lang: str) -> str:
    reg = ds.regions.get(region) if region else None
    return pick(reg.name, lang) if reg is not None else ""


def by_region(ds, options: Iterable[str], lang: str) -> list[str]:
    """``options`` grouped by region (in the order of ``regions:`` in provinces.yaml; no
    region last), by name within a region (Vietnamese names sorted without diacritics)."""
    order = {r: i for i, r in enumerate(ds.regions)}
    return sorted(options, key=lambda p: (order.get(region_of(ds, p), len(order)),
                                          fold(ds.province_name(p, lang)), p))


def matches(ds, options: Sequence[str], query: str = "", region: str | None = None,
            lang: str = "vi") -> list[str]:
    """The provinces of ``options`` (the nation left out) in ``region`` (None: every region)
    whose name or id contains ``query`` folded (accents and case ignored; initials and names
    without spaces also match). Names that begin with the query come first, then by region
    and name. An empty query: every province of the region."""
    q = fold(query)
    chosen = [p for p in provinces_only(ds, options) if region is None or region_of(ds, p) == region]
    if not q:
        return by_region(ds, chosen, lang)
    compact = q.replace(" ", "")
    found: list[tuple[int, str]] = []
    for pid in chosen:
        keys = _keys(ds, pid)
        if any(k.startswith((q, compact)) for k in keys):
            found.append((0, pid))
        elif any(q in k or compact in k for k in keys):
            found.append((1, pid))
    first = {pid: rank for rank, pid in found}
    return sorted(first, key=lambda p: (first[p], *_sort_key(ds, p, lang)))


def _sort_key(ds, pid: str, lang: str) -> tuple:
    order = {r: i for i, r in enumerate(ds.regions)}
    return order.get(region_of(ds, pid), len(order)), fold(ds.province_name(pid, lang)), pid


def label(ds, pid: str, lang: str) -> str:
    """``"Quảng Ninh · Đồng bằng sông Hồng"``: the name and, where known, its region."""
    region = region_name(ds, region_of(ds, pid), lang)
    name = ds.province_name(pid, lang)
    return f"{name} · {region}" if region else name
