"""Load and validate the data package (``data/``) into one :class:`Dataset`.

Load
    Each file is read on its own. A file that cannot be parsed at all (broken YAML, a CSV
    without its required columns) is replaced by the last version of it that parsed in
    this process, and a problem says so; with no such version its records are missing.
Process
    Every record is checked (:mod:`dashboard.schema`), then the rules across records and
    files: unique keys, references, ranges per indicator, whole counts, ranks with their
    denominator, coordinates inside Vietnam. Invalid records are left out; everything
    valid is kept.
Result
    A :class:`Dataset` with the problems as data. Nothing here raises on bad content.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError

from . import schema as S
from .csvio import DOT, Table, looks_dot_grouped, read_table
from .problems import ERROR, WARNING, Problem

DATA_FILES = {
    "dataset": "dataset.yaml",
    "provinces": "provinces.yaml",
    "indicators": "indicators.yaml",
    "sources": "sources.yaml",
    "values": "values.csv",
    "zones": "industrial_zones.csv",
}
GEO_DIR = "geo"
DISTRICT_FILES = ("districts_thai_nguyen.geojson", "districts_hai_duong.geojson")

#: NOTE: last version of each file that parsed, per absolute path, for this process.
_LAST_GOOD: dict[str, Any] = {}
_LAST_GOOD_LOCK = threading.Lock()


# ----------------------------------------------------------------------------- Dataset

@dataclass
class Dataset:
    """Everything in ``data/`` that passed validation, plus the problems found."""

    data_dir: Path
    meta: S.DatasetMeta | None
    provinces: dict[str, S.Province]
    indicators: dict[str, S.Indicator]
    sources: dict[str, S.Source]
    values: pd.DataFrame
    zones: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    stale_files: list[str] = field(default_factory=list)
    districts: dict[str, dict[str, str]] = field(default_factory=dict)
    fingerprint: str = ""
    concepts: dict[str, S.Concept] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def rows(self, indicator: str | Iterable[str] | None = None,
             provinces: Iterable[str] | None = None, *, topic: str | None = None,
             concept: str | None = None, period: str | None = None,
             district: bool = False) -> pd.DataFrame:
        """Values filtered by indicator(s), provinces, topic, concept, period.

        Province-level rows only unless ``district`` is true.
        """
        df = self.values
        if not district:
            df = df[df["district"] == ""]
        if indicator is not None:
            ids = [indicator] if isinstance(indicator, str) else list(indicator)
            df = df[df["indicator"].isin(ids)]
        if provinces is not None:
            df = df[df["province"].isin(list(provinces))]
        if topic is not None:
            df = df[df["topic"] == topic]
        if concept is not None:
            df = df[df["concept"] == concept]
        if period is not None:
            df = df[df["period"] == period]
        return df

    def latest(self, province: str, indicator: str) -> pd.Series | None:
        """The most recent province-level value of ``indicator`` (unscoped first), or None."""
        df = self.rows(indicator, [province])
        if df.empty:
            return None
        df = df.sort_values(["year_end", "year_start", "scope_rank", "period"],
                            ascending=[False, False, True, False])
        return df.iloc[0]

    def periods(self, indicator: str, provinces: Iterable[str] | None = None) -> list[str]:
        """Periods with a value of ``indicator``, newest first."""
        df = self.rows(indicator, provinces)
        df = df.sort_values(["year_end", "year_start", "period"], ascending=False)
        return list(dict.fromkeys(df["period"]))

    def province_name(self, province: str, lang: str) -> str:
        """The province's name in ``lang``; its id when the province is unknown."""
        from .i18n import pick

        prov = self.provinces.get(province)
        return pick(prov.name, lang) if prov else province

    def concept_title(self, concept: str, lang: str) -> str:
        """The concept's title, else the title of its first indicator in indicators.yaml."""
        from .i18n import pick

        if concept in self.concepts:
            return pick(self.concepts[concept].title, lang)
        first = next((i for i in self.indicators.values() if i.concept == concept), None)
        return pick(first.title, lang) if first else concept


# ----------------------------------------------------------------------------- helpers

def fingerprint(data_dir: Path | str) -> str:
    """Hash of every data file's bytes: changes exactly when content changes."""
    data_dir = Path(data_dir)
    h = hashlib.sha256()
    paths = [data_dir / n for n in DATA_FILES.values()]
    geo = data_dir / GEO_DIR
    if geo.is_dir():
        paths += sorted(geo.glob("*.geojson"))
    for p in paths:
        h.update(p.name.encode())
        try:
            h.update(p.read_bytes())
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()[:16]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping and key (1-based)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[str, int] = {}
    dupes: list[tuple[str, int]] = []
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            if key_node.value in seen:
                dupes.append((key_node.value, key_node.start_mark.line + 1))
            seen[key_node.value] = key_node.start_mark.line + 1
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__lines__"] = seen
    if dupes:
        mapping["__dupes__"] = dupes
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if not str(k).startswith("__")}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def _line_of(entry: dict, loc: tuple) -> int:
    line = entry.get("__line__", 1)
    node: Any = entry
    for part in loc:
        if isinstance(node, dict):
            line = node.get("__lines__", {}).get(str(part).rstrip("_"), line)
            node = node.get(str(part).rstrip("_"), None)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            if isinstance(node, dict):
                line = node.get("__line__", line)
        else:
            break
    return line


def _remember(path: Path, parsed: Any) -> None:
    with _LAST_GOOD_LOCK:
        _LAST_GOOD[str(path.resolve())] = parsed


def _recall(path: Path) -> Any:
    with _LAST_GOOD_LOCK:
        return _LAST_GOOD.get(str(path.resolve()))


class _Loader:
    """Holds the problems and stale files while one dataset is loaded."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.problems: list[Problem] = []
        self.stale: list[str] = []

    def display(self, name: str) -> str:
        return f"{self.data_dir.name}/{name}"

    def add(self, file: str, row: int | None, column: str | None, code: str,
            severity: str = ERROR, **params: Any) -> None:
        self.problems.append(Problem(file, row, column, code, params, severity))

    # ---- whole-file parsing with fallback to the last good version

    def _fallback(self, path: Path, name: str, empty: Any) -> Any:
        kept = _recall(path)
        if kept is not None:
            self.stale.append(name)
            self.add(self.display(name), None, None, "file_kept_last_good", WARNING)
            return kept
        return empty

    def yaml_file(self, name: str) -> Any:
        path = self.data_dir / name
        file = self.display(name)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            self.add(file, None, None, "file_missing")
            return self._fallback(path, name, None)
        except UnicodeDecodeError:
            self.add(file, None, None, "yaml_encoding")
            return self._fallback(path, name, None)
        try:
            parsed = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            line = mark.line + 1 if mark else None
            detail = getattr(err, "problem", None) or str(err).splitlines()[0]
            self.add(file, line, None, "yaml_syntax", detail=detail)
            return self._fallback(path, name, None)
        if not isinstance(parsed, dict):
            self.add(file, None, None, "yaml_not_mapping")
            return self._fallback(path, name, None)
        _remember(path, parsed)
        return parsed

    def csv_file(self, name: str, required: list[str], known: list[str]) -> Table | None:
        path = self.data_dir / name
        file = self.display(name)
        try:
            table = read_table(path, file)
        except FileNotFoundError:
            self.add(file, None, None, "file_missing")
            return self._fallback(path, name, None)
        except OSError as err:
            self.add(file, None, None, "file_unreadable", detail=str(err))
            return self._fallback(path, name, None)
        self.problems.extend(table.problems)
        missing = [c for c in required if c not in table.header]
        if missing:
            for col in missing:
                near = _nearest(col, table.header)
                self.add(file, 1, col, "column_missing", found=near or "-")
            if table.delimiter == "," and any(";" in h for h in table.header):
                self.add(file, 1, None, "delimiter_mixed")
            return self._fallback(path, name, None)
        for col in table.header:
            if col not in known:
                near = _nearest(col, known)
                self.add(file, 1, col or "?", "unknown_column", near=near or "-",
                         allowed=", ".join(known))
        _remember(path, table)
        return table

    # ---- records

    def records(self, file: str, entries: Any, model: type[BaseModel], key: str,
                defaults: dict | None = None) -> dict[str, Any]:
        """Validate YAML list entries into models keyed by id; duplicates are errors."""
        out: dict[str, Any] = {}
        seen: set[str] = set()
        if entries is None:
            return out
        if not isinstance(entries, list):
            self.add(file, None, key, "yaml_not_list", field=key)
            return out
        for entry in entries:
            if not isinstance(entry, dict):
                self.add(file, None, key, "yaml_not_mapping")
                continue
            for dup, line in entry.get("__dupes__", []):
                self.add(file, line, dup, "duplicate_field", field=dup)
            ident = entry.get("id")
            if isinstance(ident, str):
                if ident in seen:
                    self.add(file, entry.get("__line__"), "id", "duplicate_id", text=ident)
                    continue
                seen.add(ident)
            merged = {**(defaults or {}), **_strip(entry)}
            try:
                obj = model.model_validate(merged)
            except ValidationError as err:
                self.problems.extend(
                    S.problems_from_error(err, file, lambda loc, e=entry: _line_of(e, loc)))
                continue
            out[obj.id] = obj  # type: ignore[attr-defined]
        return out


def _nearest(word: str, options: Iterable[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word.strip().lower(), [o for o in options if o], n=1, cutoff=0.6)
    return found[0] if found else None


def _district_index(data_dir: Path) -> dict[str, dict[str, str]]:
    """GSO district code -> {name, province_code} from the district GeoJSON files."""
    out: dict[str, dict[str, str]] = {}
    for name in DISTRICT_FILES:
        path = data_dir / GEO_DIR / name
        try:
            feats = json.loads(path.read_text(encoding="utf-8")).get("features", [])
        except (OSError, ValueError):
            continue
        for f in feats:
            p = f.get("properties", {})
            if p.get("code"):
                out[str(p["code"])] = {"name": p.get("name", ""), "province_code": p.get("province_code", "")}
    return out


# ----------------------------------------------------------------------------- loading

def load_dataset(data_dir: Path | str) -> Dataset:
    """Load, validate and assemble ``data_dir``. Never raises on bad content.

    Parameters
    ----------
    data_dir : path of the data package (the folder holding ``values.csv``).

    Returns
    -------
    Dataset
        Valid records only; ``Dataset.problems`` lists the rest.
    """
    data_dir = Path(data_dir)
    ld = _Loader(data_dir)
    if not data_dir.is_dir():
        ld.add(str(data_dir), None, None, "dir_missing")

    # ---- load
    raw_meta = ld.yaml_file(DATA_FILES["dataset"])
    raw_prov = ld.yaml_file(DATA_FILES["provinces"])
    raw_ind = ld.yaml_file(DATA_FILES["indicators"])
    raw_src = ld.yaml_file(DATA_FILES["sources"])
    values_t = ld.csv_file(DATA_FILES["values"], S.REQUIRED_VALUE_COLUMNS, S.VALUE_COLUMNS)
    zones_t = ld.csv_file(DATA_FILES["zones"], S.REQUIRED_ZONE_COLUMNS, S.ZONE_COLUMNS)
    districts = _district_index(data_dir)

    # ---- process: records of each YAML file
    meta = None
    if raw_meta is not None:
        file = ld.display(DATA_FILES["dataset"])
        try:
            meta = S.DatasetMeta.model_validate(_strip(raw_meta))
        except ValidationError as err:
            ld.problems.extend(S.problems_from_error(err, file, lambda loc: _line_of(raw_meta, loc)))
    sources = ld.records(ld.display(DATA_FILES["sources"]), (raw_src or {}).get("sources"),
                         S.Source, "sources")
    defaults = _strip((raw_ind or {}).get("definitions") or {})
    indicators = ld.records(ld.display(DATA_FILES["indicators"]), (raw_ind or {}).get("indicators"),
                            S.Indicator, "indicators", defaults)
    concepts = ld.records(ld.display(DATA_FILES["indicators"]), (raw_ind or {}).get("concepts"),
                          S.Concept, "concepts")
    for cid in concepts:
        if cid not in {i.concept for i in indicators.values()}:
            ld.add(ld.display(DATA_FILES["indicators"]), _entry_line(raw_ind, "concepts", cid), "id",
                   "unknown_concept", WARNING, text=cid)
    provinces = ld.records(ld.display(DATA_FILES["provinces"]), (raw_prov or {}).get("provinces"),
                           S.Province, "provinces")
    _check_provinces(ld, raw_prov, provinces, sources)
    _check_indicators(ld, raw_ind, indicators)

    values = _check_values(ld, values_t, provinces, indicators, sources, districts)
    zones = _check_zones(ld, zones_t, provinces, sources, districts)

    used = set(values["source"]) | set(zones["source"]) | {
        p.merger.source for p in provinces.values() if p.merger}
    for sid in sources:
        if sid not in used:
            ld.add(ld.display(DATA_FILES["sources"]), _entry_line(raw_src, "sources", sid), "id",
                   "source_unused", WARNING, text=sid)

    return Dataset(data_dir, meta, provinces, indicators, sources, values, zones,
                   ld.problems, ld.stale, districts, fingerprint(data_dir), concepts)


def _entry_line(raw: Any, key: str, ident: str) -> int | None:
    for e in (raw or {}).get(key) or []:
        if isinstance(e, dict) and e.get("id") == ident:
            return e.get("__line__")
    return None


def _check_provinces(ld: _Loader, raw: Any, provinces: dict, sources: dict) -> None:
    file = ld.display(DATA_FILES["provinces"])
    for pid, p in provinces.items():
        line = _entry_line(raw, "provinces", pid)
        if p.merger:
            if p.merger.into not in provinces:
                ld.add(file, line, "merger.into", "unknown_province", text=p.merger.into,
                       known=", ".join(provinces))
            if p.merger.source not in sources:
                ld.add(file, line, "merger.source", "unknown_source", text=p.merger.source)
            if p.merger.effective < p.merger.adopted:
                ld.add(file, line, "merger.effective", "merger_dates")
        for old in p.merged_from:
            if old not in provinces:
                ld.add(file, line, "merged_from", "unknown_province", WARNING, text=old,
                       known=", ".join(provinces))


def _check_indicators(ld: _Loader, raw: Any, indicators: dict) -> None:
    file = ld.display(DATA_FILES["indicators"])
    for iid, ind in indicators.items():
        if ind.min is not None and ind.max is not None and ind.min > ind.max:
            ld.add(file, _entry_line(raw, "indicators", iid), "min", "range_inverted",
                   min=ind.min, max=ind.max)


class _RowProblems:
    """Records a row's problems; ``bad`` once any of them is an error (the row is left out)."""

    def __init__(self, ld: _Loader, file: str, row: int) -> None:
        self.ld, self.file, self.row, self.bad = ld, file, row, False

    def __call__(self, column: str, code: str, severity: str = ERROR, **params: Any) -> None:
        self.ld.add(self.file, self.row, column, code, severity, **params)
        self.bad = self.bad or severity == ERROR


def _rows(ld: _Loader, table: Table, model: type[BaseModel]) -> list[tuple[int, Any, dict]]:
    out = []
    known = set(model.model_fields)
    for row_no, cells in table.rows:
        data = {k: v for k, v in cells.items() if k in known}
        try:
            obj = model.model_validate(data, context={"style": table.style})
        except ValidationError as err:
            ld.problems.extend(S.problems_from_error(err, table.file, lambda loc, r=row_no: r))
            continue
        out.append((row_no, obj, cells))
    return out


_VALUE_FRAME_COLUMNS = [
    "province", "indicator", "period", "value", "value_text", "qualifier", "estimate", "scope",
    "rank_of", "district", "source", "derived", "derivation", "period_inferred", "confidence",
    "note", "row", "year_start", "year_end", "topic", "concept", "scope_rank",
]


def _check_values(ld: _Loader, table: Table | None, provinces: dict, indicators: dict,
                  sources: dict, districts: dict) -> pd.DataFrame:
    if table is None:
        return pd.DataFrame(columns=_VALUE_FRAME_COLUMNS)
    file = table.file
    records = []
    seen_keys: dict[tuple, int] = {}
    seen_rows: dict[tuple, int] = {}
    for row_no, r, cells in _rows(ld, table, S.ValueRow):
        err = _RowProblems(ld, file, row_no)
        if r.province not in provinces:
            err("province", "unknown_province", text=r.province, known=", ".join(provinces))
        ind = indicators.get(r.indicator)
        if ind is None:
            near = _nearest(r.indicator, indicators)
            err("indicator", "unknown_indicator", text=r.indicator, near=near or "-")
        src = sources.get(r.source)
        if src is None:
            err("source", "unknown_source", text=r.source)
        if r.district and r.district not in districts:
            err("district", "unknown_district", text=r.district)
        if r.derived and not r.derivation:
            err("derivation", "derivation_missing")
        full = tuple(sorted(cells.items()))
        if full in seen_rows:
            err("-", "duplicate_row", first=seen_rows[full])
        else:
            key = (r.province, r.indicator, r.period, r.scope, r.district)
            if key in seen_keys:
                err("period", "duplicate_key", first=seen_keys[key])
            seen_keys.setdefault(key, row_no)
        seen_rows.setdefault(full, row_no)
        value = Decimal(r.value)
        if ind is not None:
            if ind.is_whole and value != value.to_integral_value():
                if table.style == DOT and looks_dot_grouped(cells.get("value", "")):
                    err("value", "number_looks_grouped", text=cells["value"],
                        fix=cells["value"].replace(".", ""))
                else:
                    err("value", "not_whole", text=r.value)
            if ind.min is not None and value < Decimal(str(ind.min)):
                err("value", "below_min", text=r.value, min=ind.min, max=_open(ind.max))
            if ind.max is not None and value > Decimal(str(ind.max)):
                err("value", "above_max", text=r.value, min=_open(ind.min), max=ind.max)
            if ind.is_rank:
                if r.rank_of is None:
                    err("rank_of", "rank_of_missing")
                elif value > r.rank_of:
                    err("value", "rank_above_total", text=r.value, total=r.rank_of)
        if err.bad:
            continue
        confidence = r.confidence or (src.confidence if src else "low")
        if confidence == "low":
            ld.add(file, row_no, "confidence", "low_confidence", WARNING,
                   province=r.province, indicator=r.indicator, period=r.period)
        y1, y2 = S.period_years(r.period)
        records.append({
            **r.model_dump(), "value": float(value), "value_text": r.value,
            "confidence": confidence, "row": row_no, "year_start": y1, "year_end": y2,
            "topic": ind.topic, "concept": ind.concept, "scope_rank": 1 if r.scope else 0,
        })
    df = pd.DataFrame(records, columns=_VALUE_FRAME_COLUMNS)
    df["rank_of"] = df["rank_of"].astype("Int64")
    return df


def _open(bound: float | None) -> str:
    return "…" if bound is None else str(bound)


_ZONE_FRAME_COLUMNS = S.ZONE_COLUMNS + ["row", "area", "occupancy", "latitude", "longitude"]


def _check_zones(ld: _Loader, table: Table | None, provinces: dict, sources: dict,
                 districts: dict) -> pd.DataFrame:
    if table is None:
        return pd.DataFrame(columns=_ZONE_FRAME_COLUMNS)
    file = table.file
    records = []
    seen: dict[str, int] = {}
    for row_no, z, _cells in _rows(ld, table, S.ZoneRow):
        err = _RowProblems(ld, file, row_no)
        if z.id in seen:
            err("id", "duplicate_id", text=z.id)
        seen.setdefault(z.id, row_no)
        if z.province not in provinces:
            err("province", "unknown_province", text=z.province, known=", ".join(provinces))
        if z.source not in sources:
            err("source", "unknown_source", text=z.source)
        for code in filter(None, z.districts.split(";")):
            if code not in districts:
                err("districts", "unknown_district", text=code)
        has_lat, has_lon = z.lat is not None, z.lon is not None
        if has_lat != has_lon:
            err("lon" if has_lat else "lat", "latlon_pair")
        if has_lat and has_lon:
            lat, lon = float(z.lat), float(z.lon)
            if not S.VN_LAT[0] <= lat <= S.VN_LAT[1]:
                err("lat", "lat_outside", text=z.lat)
            if not S.VN_LON[0] <= lon <= S.VN_LON[1]:
                err("lon", "lon_outside", text=z.lon)
            if z.location_precision == "none":
                err("location_precision", "precision_needs_none", WARNING)
        elif z.location_precision != "none":
            err("location_precision", "precision_without_point", text=z.location_precision)
        if z.occupancy_pct is not None and not 0 <= float(z.occupancy_pct) <= 100:
            err("occupancy_pct", "above_max", text=z.occupancy_pct, min=0, max=100)
        if z.area_ha is not None and float(z.area_ha) <= 0:
            err("area_ha", "below_min", text=z.area_ha, min=0, max="…")
        if err.bad:
            continue
        records.append({
            **z.model_dump(), "row": row_no,
            "area": float(z.area_ha) if z.area_ha is not None else float("nan"),
            "occupancy": float(z.occupancy_pct) if z.occupancy_pct is not None else float("nan"),
            "latitude": float(z.lat) if z.lat is not None else float("nan"),
            "longitude": float(z.lon) if z.lon is not None else float("nan"),
        })
    return pd.DataFrame(records, columns=_ZONE_FRAME_COLUMNS)


def problems_report(problems: list[Problem], lang: str = "vi") -> list[str]:
    """Lines ``FILE:ROW:COLUMN: message``, errors first, in file and row order."""
    order: Callable[[Problem], tuple] = lambda p: (not p.is_error, p.file, p.row or 0, p.column or "")
    return [p.line(lang) for p in sorted(problems, key=order)]
