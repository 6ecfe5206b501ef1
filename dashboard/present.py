"""How a single figure reads on screen: qualifier, number at its stated precision, unit,
estimate flag, period, source line, confidence badge.

Pure functions of a value row (a ``pandas.Series`` from ``Dataset.values``) and the
dataset's metadata; used by KPI cards, chart labels, tables and exports alike, so a figure
reads the same everywhere.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from . import fmt
from .i18n import pick, t

QUALIFIER_SIGN = {"": "", ">": ">", "<": "<", "~": "~"}


def number_text(row: pd.Series, lang: str) -> str:
    """The number with its qualifier, at the precision stated: ``>31``, ``8,58``, ``~2,7``."""
    return QUALIFIER_SIGN.get(row["qualifier"], "") + fmt.number(row["value_text"], lang)


def value_text(row: pd.Series, indicator, lang: str) -> str:
    """The figure as a KPI shows it: ``>31 tỷ USD``, ``8,58%/năm``, ``8/63``.

    Ranks read ``8/63``; percent-like units attach without a space.
    """
    num = number_text(row, lang)
    if indicator.kind == "rank":
        total = row.get("rank_of")
        return f"{num}/{int(total)}" if pd.notna(total) else num
    unit = pick(indicator.unit, lang)
    if unit.startswith("%"):
        return f"{num}{unit}"
    return f"{num} {unit}" if unit else num


def flags(row: pd.Series, lang: str) -> list[str]:
    """Short labels a reader must see next to the figure (estimate, inferred period, derived)."""
    out = []
    if row.get("estimate"):
        out.append(t("figure.estimate", lang))
    if row.get("period_inferred"):
        out.append(t("figure.period_inferred", lang))
    if row.get("derived"):
        out.append(t("figure.derived", lang))
    if row.get("confidence") == "low":
        out.append(t("figure.low_confidence", lang))
    return out


def period_text(period: str, lang: str) -> str:
    """``2021-2023`` -> ``2021–2023``; ``2023-H1`` -> ``6 tháng đầu 2023``."""
    if period.endswith(("-H1", "-H2")):
        year, half = period.split("-")
        return t(f"period.{half.lower()}", lang, year=year)
    if len(period) == 9 and period[4] == "-":
        return period.replace("-", "–")
    return period


def source_text(source, lang: str, with_link: bool = False) -> str:
    """``producer, date: title`` (plus the link in Markdown when ``with_link``)."""
    if source is None:
        return t("figure.source_unknown", lang)
    parts = source.producer
    if source.date:
        parts += f" ({source.date})"
    text = f"{parts}: {source.title}"
    if with_link and source.url:
        text = f"[{escape_md(text)}]({source.url})"
    elif with_link:
        text = escape_md(text)
    return text


def source_short(source, lang: str) -> str:
    """``producer (date)``: the source as a KPI card names it (details in its popover)."""
    if source is None:
        return t("figure.unknown", lang)
    return f"{source.producer} ({source.date})" if source.date else source.producer


def sources_line(ds, source_ids: Iterable[str], lang: str, with_link: bool = False) -> str:
    """``Nguồn: A; B`` for the distinct sources behind a chart or a card."""
    ids = list(dict.fromkeys(s for s in source_ids if s))
    texts = [source_text(ds.sources.get(s), lang, with_link) for s in ids]
    return t("figure.sources", lang, sources="; ".join(texts)) if texts else t("figure.source_unknown", lang)


_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>$~"


def escape_md(text: str) -> str:
    """Escape Markdown so text from ``data/`` is shown as written, never as markup."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


def difference_delta(ds, comp, provinces: list[str], lang: str) -> tuple[str, str] | None:
    """The computed difference first - second province, for a KPI card's delta.

    Returns ``(delta, description)``, e.g. ``("-3,7 điểm %", "so với Hải Dương (tính
    toán)")``, or ``None`` when the figures are not comparable, are bounds (``>``/``<``) or
    ranks. The difference keeps the larger precision of its two inputs.
    """
    from .compare import difference

    if len(provinces) != 2 or not comp.comparable:
        return None
    first, second = comp.rows.get(provinces[0]), comp.rows.get(provinces[1])
    if first is None or second is None:
        return None
    ind = ds.indicators[first["indicator"]]
    diff = difference(comp, provinces[0], provinces[1]) if ind.kind != "rank" else None
    if diff is None:
        return None
    decimals = max(fmt.decimals_of(first["value_text"]), fmt.decimals_of(second["value_text"]))
    unit = pick(ind.unit, lang)
    unit = t("figure.points", lang) if unit.startswith("%") else unit
    sign = "+" if diff > 0 else ""
    return (f"{sign}{fmt.number(diff, lang, decimals)} {unit}",
            t("figure.difference", lang, other=ds.province_name(provinces[1], lang)))


def comparability_text(ds, comp, lang: str) -> str:
    """Why figures are not drawn together, naming what differs for each province.

    e.g. ``Không so sánh trực tiếp: hai số đo khác nhau — Kết nạp tại DN (Thái Nguyên);
    Đảng viên DN tư nhân (Hải Dương); độ dài kỳ khác nhau — 2015–2023 (Thái Nguyên); …``
    """
    def name(pid: str) -> str:
        return ds.province_name(pid, lang)

    present = comp.present

    def each(describe) -> str:
        return "; ".join(f"{describe(r)} ({name(p)})" for p, r in present.items())

    describe = {
        "indicator": lambda r: pick(ds.indicators[r["indicator"]].short, lang),
        "period_length": lambda r: period_text(r["period"], lang),
        "period": lambda r: period_text(r["period"], lang),
        "scope": lambda r: r.get("scope") or t("figure.scope_default", lang),
        "rank_base": lambda r: f"/{int(r['rank_of'])}" if pd.notna(r.get("rank_of")) else "–",
    }
    parts = []
    for reason in comp.reasons:
        if reason == "missing":
            missing = [name(p) for p, r in comp.rows.items() if r is None]
            parts.append(t("compare.reason.missing", lang, provinces=", ".join(missing)))
        else:
            parts.append(t(f"compare.reason.{reason}", lang, details=each(describe[reason])))
    return t("compare.not_comparable", lang) + " " + ". ".join(parts) + "."


def figure_record(ds, row: pd.Series, lang: str) -> dict:
    """A flat, display-ready record of one figure (tables and exports use this)."""
    ind = ds.indicators[row["indicator"]]
    src = ds.sources.get(row["source"])
    return {
        "province": ds.province_name(row["province"], lang),
        "indicator": pick(ind.title, lang),
        "period": row["period"],
        "value": row["value_text"],
        "display": value_text(row, ind, lang),
        "qualifier": row["qualifier"],
        "estimate": bool(row["estimate"]),
        "unit": pick(ind.unit, lang),
        "scope": row.get("scope", ""),
        "rank_of": "" if pd.isna(row.get("rank_of")) else str(int(row["rank_of"])),
        "confidence": row["confidence"],
        "source": src.title if src else row["source"],
        "source_producer": src.producer if src else "",
        "source_url": (src.url or "") if src else "",
        "note": row.get("note", ""),
    }
