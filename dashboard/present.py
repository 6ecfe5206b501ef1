"""How a single figure reads on screen: qualifier, number at its stated precision, unit,
estimate flag, period, source line, confidence badge.

Pure functions of a value row (a ``pandas.Series`` from ``Dataset.values``) and the
dataset's metadata; used by KPI cards, chart labels, tables and exports alike, so a figure
reads the same everywhere.

Also the one escaping boundary for text from ``data/``: :func:`escape_md` / :func:`md`
for everything Streamlit renders as Markdown, :func:`plot_text` for plotly, and
:func:`safe_url` for the only links data may carry (source addresses).
"""

from __future__ import annotations

import re
from typing import Iterable
from urllib.parse import quote, urlsplit

import pandas as pd

from . import fmt
from .i18n import pick, t

QUALIFIER_SIGN = {"": "", ">": ">", "<": "<", "~": "~"}


def number_text(row: pd.Series, lang: str) -> str:
    """The number with its qualifier, at the precision stated: ``>31``, ``8,58``, ``~2,7``."""
    return QUALIFIER_SIGN.get(row["qualifier"], "") + fmt.number(row["value_text"], lang)


def value_text(row: pd.Series, indicator, lang: str, as_md: bool = False) -> str:
    """The figure as a KPI shows it: ``>31 tỷ USD``, ``8,58%/năm``, ``8/63``.

    Ranks read ``8/63``; percent-like units attach without a space. With ``as_md`` the unit
    (text from ``data/``) is escaped for Markdown; qualifier and number are ours.
    """
    num = number_text(row, lang)
    if indicator.kind == "rank":
        total = row.get("rank_of")
        text = f"{num}/{int(total)}" if pd.notna(total) else num
        return Md(text) if as_md else text
    unit = pick(indicator.unit, lang)
    if as_md:
        unit = escape_md(unit)
    if unit.startswith("%"):
        text = f"{num}{unit}"
    else:
        text = f"{num} {unit}" if unit else num
    return Md(text) if as_md else text


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
    if row.get("asof_fallback"):  # a snapshot's view: newest figure up to its year, not the meeting's
        out.append(t("asof.fallback", lang, year=row.get("asof_year", "")))
    return out


def period_text(period: str, lang: str) -> str:
    """``2021-2023`` -> ``2021–2023``; ``2023-H1`` -> ``6 tháng đầu 2023``."""
    if period.endswith(("-H1", "-H2")):
        year, half = period.split("-")
        return t(f"period.{half.lower()}", lang, year=year)
    if len(period) == 9 and period[4] == "-":
        return period.replace("-", "–")
    return period


def safe_url(url: object) -> str | None:
    """``url`` ready for a Markdown link or an ``href``, or ``None`` when it is not a web address.

    Only ``http``/``https`` addresses with a host pass; whitespace or control characters
    anywhere refuse the address. Characters that would end or split a Markdown link
    destination (``(``, ``)``, ``<``, ``>``, quotes, backslash, non-ASCII) are
    percent-encoded, so a ``)`` in an address cannot start a second link.
    """
    if not isinstance(url, str):
        return None
    if not url or any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or not host:
        return None
    return quote(url, safe="/:?#[]@!$&'*+,;=%~-._")


def source_text(source, lang: str, with_link: bool = False, as_md: bool = False) -> str:
    """``producer, date: title``: plain text, or Markdown (escaped) with ``as_md``.

    ``with_link`` (Markdown) links the text to the source's address when that is a safe
    web address (:func:`safe_url`); otherwise the text is shown without a link.
    """
    if source is None:
        text = t("figure.source_unknown", lang)
        return Md(text) if (as_md or with_link) else text
    text = f"{source_short(source, lang)}: {source.title}"
    if with_link:
        url = safe_url(source.url)
        return Md(f"[{escape_md(text)}]({url})") if url else escape_md(text)
    return escape_md(text) if as_md else text


def producer_text(source, lang: str) -> str:
    """The publisher in ``lang``: its name (``producer_en`` on English pages where the
    English name differs) and the channel, ``Báo Hải Dương (bản tiếng Anh)``."""
    if source is None:
        return t("figure.unknown", lang)
    name = (getattr(source, "producer_en", None) if lang == "en" else None) or source.producer
    channel = pick(getattr(source, "channel", None), lang)
    return f"{name} ({channel})" if channel else name


def source_short(source, lang: str) -> str:
    """``producer (channel, date)``: the source as a KPI card names it (details in its popover)."""
    if source is None:
        return t("figure.unknown", lang)
    name = (getattr(source, "producer_en", None) if lang == "en" else None) or source.producer
    extra = [x for x in (pick(getattr(source, "channel", None), lang), source.date) if x]
    return f"{name} ({', '.join(extra)})" if extra else name


#: Marks a note shown in the other language (its own name, so a reader sees which it is).
NOTE_LANG_MARK = {"en": "(English)", "vi": "(tiếng Việt)"}


def note_text(obj, lang: str) -> str:
    """The note of a value row, a zone row or a source in ``lang``; ``""`` when there is none.

    Reads ``note_vi``/``note_en`` (rows), a ``{vi, en}`` note (sources) or the deprecated
    single ``note`` (read as English). When only the other language exists, that text is
    shown with a visible marker: ``… (English)`` on a Vietnamese page, ``… (tiếng Việt)``
    on an English one. Plain text (escape it for Markdown or HTML where it is shown).
    """
    def get(key: str) -> str:
        if obj is None:
            return ""
        value = obj.get(key) if hasattr(obj, "get") and not hasattr(obj, "model_fields") else getattr(obj, key, None)
        return value.strip() if isinstance(value, str) else ""

    note = getattr(obj, "note", None) if hasattr(obj, "model_fields") else None
    if note is not None and not isinstance(note, str):  # a source's {vi, en} note
        texts = {"vi": (note.vi or "").strip(), "en": (note.en or "").strip()}
    else:
        texts = {"vi": get("note_vi"), "en": get("note_en") or get("note")}
    return in_language(texts, lang)


def in_language(texts: dict[str, str], lang: str) -> str:
    """``texts[lang]``; else the other language's text with its marker (``… (English)``)."""
    lang = lang if lang in texts else "vi"
    if texts[lang]:
        return texts[lang]
    other = "en" if lang == "vi" else "vi"
    return f"{texts[other]} {NOTE_LANG_MARK[other]}" if texts[other] else ""


def derivation_text(row, lang: str) -> str:
    """How a derived figure was computed, in ``lang``; ``""`` when the row has no derivation.

    Reads ``derivation_vi``/``derivation_en`` (``derivation``: the deprecated English column).
    Only the other language: shown with the marker of :func:`note_text` (``… (English)``).
    Plain text (escape it for Markdown or HTML where it is shown).
    """
    def get(key: str) -> str:
        value = row.get(key) if hasattr(row, "get") else getattr(row, key, None)
        return value.strip() if isinstance(value, str) else ""

    if row is None:
        return ""
    return in_language({"vi": get("derivation_vi"), "en": get("derivation_en") or get("derivation")}, lang)


def sources_line(ds, source_ids: Iterable[str], lang: str, with_link: bool = False, as_md: bool = False) -> str:
    """``Nguồn: A; B`` for the distinct sources behind a chart or a card.

    Plain text, or Markdown with ``as_md`` / ``with_link`` (data escaped, links to safe addresses).
    """
    as_md = as_md or with_link
    ids = list(dict.fromkeys(s for s in source_ids if s))
    texts = [source_text(ds.sources.get(s), lang, with_link, as_md) for s in ids]
    if not texts:
        text = t("figure.source_unknown", lang)
        return Md(text) if as_md else text
    if as_md:
        return Md(t("figure.sources", lang, sources=Md("; ".join(texts))))
    return t("figure.sources", lang, sources="; ".join(texts))


# ----------------------------------------------------------------------------- escaping
#
# The one boundary between text from data/ and what Streamlit renders as Markdown. Text
# from data/ (names, titles, units, notes, sources, scopes, file metadata) reaches
# Markdown only through escape_md() or md(); translations (locales/) are trusted, their
# parameters are not. Plotly text goes through plot_text(), HTML through html.escape.

class Md(str):
    """Markdown that is safe to render: trusted template text and escaped data.

    :func:`escape_md` leaves an ``Md`` unchanged, so escaped pieces can be combined
    without being escaped twice.
    """

    __slots__ = ()


#: Characters escaped wherever they stand: emphasis, code, links and images, directives
#: (``:red[…]``), math (``$``), HTML and ``<…>`` autolinks (``<``), entities (``&``),
#: strikethrough (``~``), tables (``|``), attributes (``{}``).
_MD_ALWAYS = frozenset("\\`*_{}[]()<#|~$&@!:")
#: Block markers at the start of a line: heading, quote, list, setext underline.
_MD_LEADING = re.compile(r"^(?:[>+\-=]|\d{1,9}[.)](?=\s|$))")
#: Markup that Streamlit's Markdown finds in the text *after* parsing, where a backslash
#: no longer counts: emoji, ``:material_x:`` icons and the ``:streamlit:`` logo (after
#: the colon), bare ``http://``/``www.`` links (before them) and e-mail links (after the
#: ``@``). An invisible word joiner at that place breaks each of them; the text reads
#: and prints the same.
_JOIN_AFTER = re.compile(r":(?=[A-Za-z0-9_+\-]+:|material/)|@(?=[-\w])")
_JOIN_BEFORE = re.compile(r"(?i)https?://|www\.")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
WORD_JOINER = "\u2060"


def escape_md(text: object) -> Md:
    """Text from ``data/`` as Markdown that shows exactly that text, never markup.

    Neutralises everything Streamlit's Markdown would act on: emphasis, code, links,
    images, autolinks (``http://``, ``www.``, e-mail), HTML and entities, ``$``/``$$``
    math, directives such as ``:red[…]``, ``:material/…:`` icons, ``:smile:`` emoji
    shortcodes, and block markers at the start (``#``, ``>``, ``-``, ``1.``). Line breaks
    become spaces (a value is one line), surrounding whitespace is dropped.
    """
    if isinstance(text, Md):
        return text
    s = _CONTROL.sub(" ", "" if text is None else str(text)).strip()
    if not s:
        return Md("")
    out = []
    lead = _MD_LEADING.match(s)
    start = 0
    if lead:
        # escape the marker's punctuation (the "." of "1.", the ">" of ">")
        out.append(s[:lead.end() - 1] + "\\" + s[lead.end() - 1])
        start = lead.end()
    before = {m.start() for m in _JOIN_BEFORE.finditer(s)}
    after = {m.start() for m in _JOIN_AFTER.finditer(s)}
    for i in range(start, len(s)):
        ch = s[i]
        if i in before:
            out.append(WORD_JOINER)
        out.append("\\" + ch if ch in _MD_ALWAYS else ch)
        if i in after:
            out.append(WORD_JOINER)
    return Md("".join(out))


def md(key: str, lang: str, **params: object) -> Md:
    """The translation ``key`` as Markdown with every parameter escaped (:func:`escape_md`).

    Templates come from ``locales/`` and may hold Markdown; parameters carry text from
    ``data/`` and never do. Pass an :class:`Md` parameter for already safe Markdown.
    """
    return Md(t(key, lang, **{k: escape_md(v) for k, v in params.items()}))


def md_join(sep: str, parts: Iterable[object]) -> Md:
    """Join pieces (escaped unless already :class:`Md`) with the trusted separator ``sep``."""
    return Md(sep.join(escape_md(p) for p in parts))


def plot_text(text: object) -> str:
    """Text from ``data/`` for plotly titles, labels, legends and hover texts.

    Plotly reads a few HTML tags (``<b>``, ``<br>``, ``<a href>``, …) and entities in its
    text; ``&`` and ``<`` are turned into entities, which plotly shows as the characters.
    """
    return "" if text is None else str(text).replace("&", "&amp;").replace("<", "&lt;")


def difference_delta(ds, comp, provinces: list[str], lang: str, as_md: bool = False) -> tuple[str, str] | None:
    """The computed difference first - second province, for a KPI card's delta.

    Returns ``(delta, description)``, e.g. ``("-3,7 điểm %", "so với Hải Dương (tính
    toán)")``, or ``None`` when the figures are not comparable, are bounds (``>``/``<``) or
    ranks. The difference keeps the larger precision of its two inputs. With ``as_md`` both
    are Markdown (the unit and the province name escaped).
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
    # the producer's published precision (indicators.yaml ``decimals``), else the figures' own
    decimals = ind.decimals if ind.decimals is not None else max(
        fmt.decimals_of(first["value_text"]), fmt.decimals_of(second["value_text"]))
    unit = pick(ind.unit, lang)
    unit = t("figure.points", lang) if unit.startswith("%") else (escape_md(unit) if as_md else unit)
    sign = "+" if diff > 0 else ""
    delta = f"{sign}{fmt.number(diff, lang, decimals)} {unit}"
    other = ds.province_name(provinces[1], lang)
    if as_md:
        return Md(delta), md("figure.difference", lang, other=other)
    return delta, t("figure.difference", lang, other=other)


def comparability_text(ds, comp, lang: str, as_md: bool = False) -> str:
    """Why figures are not drawn together, naming what differs for each province.

    e.g. ``Không so sánh trực tiếp: hai số đo khác nhau — Kết nạp tại DN (Thái Nguyên);
    Đảng viên DN tư nhân (Hải Dương); độ dài kỳ khác nhau — 2015–2023 (Thái Nguyên); …``
    Plain text, or Markdown with ``as_md`` (names, indicators and scopes escaped).
    """
    esc = escape_md if as_md else str

    def name(pid: str) -> str:
        return esc(ds.province_name(pid, lang))

    present = comp.present

    def each(describe) -> str:
        return "; ".join(f"{esc(describe(r))} ({name(p)})" for p, r in present.items())

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
    text = t("compare.not_comparable", lang) + " " + ". ".join(parts) + "."
    return Md(text) if as_md else text


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
        "source_producer": producer_text(src, lang) if src else "",
        "source_url": (src.url or "") if src else "",
        "note": note_text(row, lang),
    }
