"""The shape of every file in ``data/``, as pydantic models.

Why pydantic: one model per record type gives types, required fields, allowed values and
unknown-field detection in one place, with structured errors (``loc``, ``type``, ``ctx``)
that :func:`problems_from_error` turns into plain-language messages naming the column and
the fix. Rules that span rows or files (unique keys, references, ranges per indicator) live
in :mod:`dashboard.data`, next to the loading code that knows the row numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal, Optional

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, field_validator,
                      model_validator)
from pydantic_core import PydanticCustomError

from .csvio import DOT, NumberError, ascii_version, clip, non_ascii_digits, parse_number
from .problems import Problem

TOPICS = ("basics", "party_enterprise", "party_school", "party_membership", "economy",
          "industry", "digital", "administration", "index_components")
KINDS = ("count", "amount", "percent", "growth", "rank", "score", "ratio", "order", "area",
         "population")
WHOLE_KINDS = ("count", "rank", "order", "population")
QUALIFIERS = ("", ">", "<", "~")
CONFIDENCE = ("high", "medium", "low")
SOURCE_KINDS = ("official", "press", "dataset", "secondary", "derived")
ZONE_KINDS = ("KCN", "CCN", "IT")
ZONE_STATUS = ("operating", "under_construction", "planned")
PRECISION = ("surveyed", "approximate", "none")
#: NOTE: generous box around Vietnam's mainland and islands (Hoàng Sa, Trường Sa).
VN_LAT = (8.0, 23.5)
VN_LON = (102.0, 117.5)

_ID = re.compile(r"^[a-z0-9]+([_-][a-z0-9]+)*$")
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
#: NOTE: ASCII digits only ([0-9]; ``\d`` would also take ``２０２３``), whole text (``\Z``).
PERIOD_RE = re.compile(
    r"^(?P<y1>[0-9]{4})(?:-(?P<y2>[0-9]{4})|-(?P<m>0[1-9]|1[0-2])(?:-(?P<d>[0-9]{2}))?"
    r"|-(?P<h>H[12]))?\Z",
    re.ASCII,
)
_YES = {"yes", "y", "true", "1", "x", "có", "co"}
_NO = {"", "no", "n", "false", "0", "không", "khong"}


def _check_text(value: Any) -> Any:
    if isinstance(value, str) and _HTML.search(value):
        raise PydanticCustomError("html", "HTML in text", {"text": value[:60]})
    return value


def check_ascii_digits(value: Any) -> Any:
    """Refuse digits other than 0–9 (full-width ``２０２３``…), naming the ASCII version."""
    text = str(value or "")
    if non_ascii_digits(text):
        raise PydanticCustomError("non_ascii_digits", "non-ASCII digits",
                                  {"text": clip(text), "fix": clip(ascii_version(text))})
    return value


def check_period(text: str) -> str:
    """Validate a period string (``2022``, ``2021-2023``, ``2023-06``, ``2023-12-31``, ``2023-H1``)."""
    text = check_ascii_digits((text or "").strip())
    m = PERIOD_RE.match(text)
    if not m:
        raise PydanticCustomError("period", "bad period", {"text": text})
    y1 = int(m["y1"])
    if not 1900 <= y1 <= 2100:
        raise PydanticCustomError("period", "bad period", {"text": text})
    if m["y2"] and int(m["y2"]) <= y1:
        raise PydanticCustomError("period_order", "bad span", {"text": text})
    if m["d"]:
        try:
            dt.date(y1, int(m["m"]), int(m["d"]))
        except ValueError:
            raise PydanticCustomError("period", "bad date", {"text": text}) from None
    return text


def period_years(text: str) -> tuple[int, int]:
    """First and last calendar year a (valid) period covers."""
    m = PERIOD_RE.match(text)
    if not m:
        raise ValueError(text)
    y1 = int(m["y1"])
    return y1, int(m["y2"]) if m["y2"] else y1


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise PydanticCustomError("boolean", "not yes/empty", {"text": value})


class Strict(BaseModel):
    """Base: unknown fields are errors; every string is checked for HTML."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_html(cls, value: Any) -> Any:
        return _check_text(value)


class LocalText(Strict):
    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)


def _check_id(value: str) -> str:
    if not _ID.match(value or ""):
        raise PydanticCustomError("bad_id", "bad id", {"text": value})
    return value


class DatasetMeta(Strict):
    title: LocalText
    version: str
    updated: dt.date
    maintainer: str = ""
    licence: str = ""
    code_licence: str = ""


class Merger(Strict):
    into: str
    with_: list[str] = Field(default_factory=list, alias="with")
    resolution: str
    adopted: dt.date
    effective: dt.date
    source: str


class Province(Strict):
    id: str
    gso_code: Optional[str] = None
    name: LocalText
    level: Literal["province", "city", "nation"]
    vintage: Literal["2024", "2025"] = "2024"
    capital: Optional[LocalText] = None
    iso_3166_2: Optional[str] = None
    merger: Optional[Merger] = None
    merged_from: list[str] = Field(default_factory=list)
    #: One of the six GSO regions (``regions:`` in provinces.yaml); a 2025 unit has the
    #: region its former provinces share (none when they differ).
    region: Optional[str] = None

    _id = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))

    @field_validator("gso_code", mode="before")
    @classmethod
    def _gso(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, int):
            raise PydanticCustomError("gso_code", "gso as number", {"text": value})
        check_ascii_digits(value)
        if not re.fullmatch(r"[0-9]{2}", str(value)):
            raise PydanticCustomError("gso_code", "bad gso", {"text": value})
        return str(value)


class Region(Strict):
    """A GSO socio-economic region (vùng), grouping provinces for comparison."""

    id: str
    name: LocalText

    _id = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))


class MethodChange(Strict):
    period: str
    note: LocalText

    _p = field_validator("period")(classmethod(lambda cls, v: check_period(v)))


class Indicator(Strict):
    id: str
    topic: Literal[TOPICS]  # type: ignore[valid-type]
    concept: str
    title: LocalText
    short: LocalText
    unit: LocalText
    description: LocalText
    kind: Literal[KINDS]  # type: ignore[valid-type]
    higher_is_better: Optional[bool] = True
    summable: bool = False
    min: Optional[float] = None
    max: Optional[float] = None
    decimals: Optional[int] = None
    method_changes: list[MethodChange] = Field(default_factory=list)

    _id = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))

    @field_validator("min", "max")
    @classmethod
    def _finite(cls, value: Optional[float]) -> Optional[float]:
        if value is not None and not math.isfinite(value):
            raise PydanticCustomError("not_finite", "not finite", {"text": value})
        return value

    @property
    def is_whole(self) -> bool:
        return self.kind in WHOLE_KINDS

    @property
    def is_rank(self) -> bool:
        return self.kind == "rank"


class Concept(Strict):
    """A title for a group of indicators measuring the same thing in different ways."""

    id: str
    title: LocalText

    _id = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))


class Note(Strict):
    """A note in both languages; a missing half is a warning (see ``dashboard.data``)."""

    vi: str = ""
    en: str = ""


def _legacy_note(value: Any) -> Any:
    """A plain-text ``note`` (the format before notes had two languages) is the English note."""
    return {"en": value} if isinstance(value, str) else value


UNKNOWN = "unknown"
_SOURCE_DATE = re.compile(r"[0-9]{4}(-(0[1-9]|1[0-2])(-[0-9]{2})?)?")


def check_source_date(value: Any) -> str:
    """``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (a real date, not after today) or ``unknown``."""
    text = str(value).strip()
    if text.lower() == UNKNOWN:
        return UNKNOWN
    check_ascii_digits(text)
    if not _SOURCE_DATE.fullmatch(text):
        raise PydanticCustomError("source_date", "bad date", {"text": text})
    try:
        day = dt.date(int(text[:4]), int(text[5:7] or 1), int(text[8:10] or 1))
    except ValueError:
        raise PydanticCustomError("source_date", "bad date", {"text": text}) from None
    if day > dt.date.today():
        raise PydanticCustomError("source_date_future", "date in the future", {"text": text})
    return text


def check_url(value: Optional[str]) -> Optional[str]:
    """An ``http(s)://`` address without spaces, quotes or angle brackets, or ``None``."""
    if value and not re.match(r"^https?://[^\s<>\"]+$", value):
        raise PydanticCustomError("url", "bad url", {"text": value})
    return value or None


class Licence(Strict):
    """A licence as the publisher states it: a name and, where there is one, its text's address."""

    name: str = Field(min_length=1)
    url: Optional[str] = None

    _url = field_validator("url")(classmethod(lambda cls, v: check_url(v)))


def _check_licence(value: Any) -> Any:
    """``unknown`` (no licence stated: said explicitly) or ``{name, url}``; any other text is refused."""
    if isinstance(value, str):
        if value.strip().lower() == UNKNOWN:
            return UNKNOWN
        raise PydanticCustomError("licence_form", "licence form", {"text": clip(value)})
    if value is None:
        raise PydanticCustomError("licence_form", "licence form", {"text": ""})
    return value


SourceLicence = Annotated[Literal["unknown"] | Licence, BeforeValidator(_check_licence)]


class Source(Strict):
    id: str
    title: str = Field(min_length=1)
    #: The organisation's name as published (``Báo Hải Dương``, ``VCCI``, ``UBND tỉnh Hải
    #: Dương``); ``producer_en`` only where its English name differs.
    producer: str = Field(min_length=1)
    producer_en: Optional[str] = None
    #: How the figure reached us, in both languages: an edition, a mirror, the kind of
    #: publisher (``{vi: bản tiếng Anh, en: English edition}``).
    channel: Optional[LocalText] = None
    url: Optional[str] = None
    #: Deprecated: the date shown with a citation. Older files wrote it here; it now comes
    #: from ``date_published`` (kept for the code that reads it).
    date: Optional[str] = None
    #: Provenance (required): the licence as published, or ``unknown``; the date the source
    #: was published and the date the figure was taken from it: ``YYYY``, ``YYYY-MM`` or
    #: ``YYYY-MM-DD`` as precisely as known, or ``unknown`` (said, never left empty).
    licence: SourceLicence
    date_published: str
    date_accessed: str
    kind: Literal[SOURCE_KINDS]  # type: ignore[valid-type]
    confidence: Literal[CONFIDENCE]  # type: ignore[valid-type]
    note: Optional[Note] = None

    _note = field_validator("note", mode="before")(classmethod(lambda cls, v: _legacy_note(v)))

    _id = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))

    _url = field_validator("url")(classmethod(lambda cls, v: check_url(v)))

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        value = str(value)
        check_ascii_digits(value)
        if not re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value):
            raise PydanticCustomError("source_date", "bad date", {"text": value})
        return value

    @field_validator("date_published", "date_accessed", mode="before")
    @classmethod
    def _provenance_date(cls, value: Any) -> Any:
        if value in (None, ""):
            raise PydanticCustomError("missing", "empty", {})
        return check_source_date(value)

    @model_validator(mode="after")
    def _citation_date(self) -> Source:
        if self.date is None and self.date_published != UNKNOWN:
            self.date = self.date_published
        return self

    @field_validator("date_accessed")
    @classmethod
    def _accessed_after_published(cls, acc: str, info: ValidationInfo) -> str:
        pub = info.data.get("date_published")
        if pub and UNKNOWN not in (pub, acc) and acc[:len(pub)] < pub[:len(acc)]:
            raise PydanticCustomError("accessed_before_published", "accessed before published",
                                      {"published": pub, "accessed": acc})
        return acc


def _move_legacy_note(row: Any) -> Any:
    """``note`` (deprecated single column) fills ``note_en`` when that is empty."""
    if row.note and not row.note_en:
        row.note_en = row.note
    row.note = ""
    return row


def _move_legacy_derivation(row: Any) -> Any:
    """``derivation`` (deprecated single English column) fills ``derivation_en`` when that is empty."""
    row.derivation_en = row.derivation_en or row.derivation
    row.derivation = row.derivation_en
    return row


def _number(value: Any, info: ValidationInfo) -> Optional[str]:
    style = (info.context or {}).get("style", DOT)
    try:
        return parse_number(str(value or ""), style)
    except NumberError as err:
        raise PydanticCustomError(err.code, "number", dict(err.params)) from None


class ValueRow(Strict):
    """One row of ``values.csv`` (all cells arrive as strings)."""

    province: str = Field(min_length=1)
    indicator: str = Field(min_length=1)
    period: str
    value: str
    qualifier: Literal[QUALIFIERS] = ""  # type: ignore[valid-type]
    estimate: bool = False
    scope: str = ""
    rank_of: Optional[int] = None
    district: str = ""
    source: str = Field(min_length=1)
    derived: bool = False
    #: How a derived figure was computed, in both languages (like the notes).
    derivation_vi: str = ""
    derivation_en: str = ""
    period_inferred: bool = False
    confidence: Literal[("",) + CONFIDENCE] = ""  # type: ignore[valid-type]
    note_vi: str = ""
    note_en: str = ""
    #: Deprecated: the single ``note`` column of older files, read as ``note_en``.
    note: str = ""
    #: Deprecated: the single English ``derivation`` column of older files, read as
    #: ``derivation_en``; after loading it holds the English text (what older readers use).
    derivation: str = ""

    _b = field_validator("estimate", "derived", "period_inferred", mode="before")(
        classmethod(lambda cls, v: parse_bool(v)))
    _legacy = model_validator(mode="after")(lambda self: _move_legacy_derivation(_move_legacy_note(self)))

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        """A valid period whose first year is not after this calendar year.

        Targets and plans will live in a file of their own; values.csv holds what happened.
        """
        value = check_period(value)
        first, now = period_years(value)[0], dt.date.today().year
        if first > now:
            raise PydanticCustomError("period_future", "period in the future",
                                      {"text": value, "year": first, "now": now})
        return value

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, value: Any, info: ValidationInfo) -> str:
        parsed = _number(value, info)
        if parsed is None:
            raise PydanticCustomError("missing", "empty", {})
        return parsed

    @field_validator("rank_of", mode="before")
    @classmethod
    def _rank_of(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        check_ascii_digits(value)
        if not re.fullmatch(r"[0-9]{1,6}", str(value).strip()):
            raise PydanticCustomError("rank_of", "bad rank_of", {"text": value})
        return int(value)

    @field_validator("district")
    @classmethod
    def _district(cls, value: str) -> str:
        check_ascii_digits(value)
        if value and not re.fullmatch(r"[0-9]{3}", value):
            raise PydanticCustomError("district_code", "bad district", {"text": value})
        return value


class ZoneRow(Strict):
    """One row of ``industrial_zones.csv``."""

    id: str
    province: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: Literal[ZONE_KINDS]  # type: ignore[valid-type]
    districts: str = ""
    area_ha: Optional[str] = None
    area_qualifier: Literal[QUALIFIERS] = ""  # type: ignore[valid-type]
    status: Literal[ZONE_STATUS]  # type: ignore[valid-type]
    status_date: str = ""
    occupancy_pct: Optional[str] = None
    occupancy_date: str = ""
    lat: Optional[str] = None
    lon: Optional[str] = None
    location_precision: Literal[PRECISION] = "none"  # type: ignore[valid-type]
    source: str = Field(min_length=1)
    note_vi: str = ""
    note_en: str = ""
    #: Deprecated: the single ``note`` column of older files, read as ``note_en``.
    note: str = ""

    _id = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))
    _legacy = model_validator(mode="after")(lambda self: _move_legacy_note(self))
    _n = field_validator("area_ha", "occupancy_pct", "lat", "lon", mode="before")(
        classmethod(lambda cls, v, info: _number(v, info)))

    @field_validator("status_date", "occupancy_date")
    @classmethod
    def _dates(cls, value: str) -> str:
        return check_period(value) if value else value

    @field_validator("districts")
    @classmethod
    def _districts(cls, value: str) -> str:
        codes = [c.strip() for c in value.split(";") if c.strip()]
        for code in codes:
            check_ascii_digits(code)
            if not re.fullmatch(r"[0-9]{3}", code):
                raise PydanticCustomError("district_code", "bad district", {"text": code})
        return ";".join(codes)


VALUE_COLUMNS = list(ValueRow.model_fields)
ZONE_COLUMNS = list(ZoneRow.model_fields)
REQUIRED_VALUE_COLUMNS = ["province", "indicator", "period", "value", "source"]
REQUIRED_ZONE_COLUMNS = ["id", "province", "name", "kind", "status", "source"]


def problems_from_error(err: ValidationError, file: str, row_of: Any, prefix: str = "") -> list[Problem]:
    """Turn a pydantic error into :class:`Problem` s.

    ``row_of(loc)`` maps an error location to a line number (CSV: the record's row; YAML:
    the line of the field).
    """
    out: list[Problem] = []
    for e in err.errors():
        loc = tuple(e.get("loc", ()))
        column = prefix + ".".join(str(p) for p in loc if not isinstance(p, int)) if loc else None
        column = (column or "").replace("with_", "with") or None
        kind = e["type"]
        ctx = dict(e.get("ctx") or {})
        given = e.get("input")
        if kind == "missing":
            code, params = "required", {"field": column}
        elif kind == "extra_forbidden":
            code, params = "unknown_field", {"field": column}
        elif kind == "literal_error":
            code, params = "not_allowed", {"text": given, "allowed": ctx.get("expected", "")}
        elif kind in ("string_too_short",):
            code, params = "required", {"field": column}
        elif kind.startswith(("int_", "float_", "bool_", "date_")):
            code, params = "wrong_type", {"text": given, "field": column}
        elif kind in _CUSTOM_CODES:
            code, params = kind, ctx
        else:
            code, params = "invalid", {"text": given, "detail": e.get("msg", "")}
        out.append(Problem(file, row_of(loc), column, code, params))
    return out


_CUSTOM_CODES = {
    "not_finite", "html", "period", "period_order", "boolean", "bad_id", "gso_code", "url", "source_date",
    "source_date_future", "licence_form", "accessed_before_published",
    "rank_of", "district_code", "number_percent_sign", "number_spaces", "number_vi_style",
    "number_decimal_comma", "number_comma_ambiguous", "not_a_number",
    # CSV hardening: numbers, digits, periods
    "non_ascii_digits", "number_not_finite", "number_exponent", "number_too_precise",
    "number_out_of_range", "period_future",
}
