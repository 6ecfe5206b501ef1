"""``data/datapackage.json``: a Frictionless Data Package describing every file in ``data/``.

Generated from the pydantic models of :mod:`dashboard.schema` (``python -m dashboard
datapackage``), never edited by hand; a test fails when the committed file is out of date.

* CSV files (``values.csv``, ``industrial_zones.csv``, ``national/*.csv``) are tabular data
  resources: each column's type, its constraints (``required``, ``enum``, ``pattern``,
  ``minimum``/``maximum``), the primary key and the foreign keys into the YAML files
  (``values.province -> provinces.id``, ``values.indicator -> indicators.id``,
  ``values.source -> sources.id``).
* The YAML files are resources with ``format: yaml`` and a JSON Schema of their records
  (``jsonSchema``, from the same models).
* Boundaries (``geo/*.geojson``) are listed with their format; their licences are in
  ``geo/SOURCES.md``.

What it describes is the shape of the files, not their content: adding a figure or a source
leaves it unchanged; changing a model, adding a generated file or a boundary file changes it.
``raw/`` (the producers' spreadsheets) and ``datapackage.json`` itself are not resources, and
the loader never reads either.
"""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import schema as S
from .data import DATA_FILES, GEO_DIR, NATIONAL_DIR

FILE_NAME = "datapackage.json"
#: Columns still read from older files but no longer written (see ``dashboard.schema``).
DEPRECATED = {"note", "derivation"}
#: Cells that hold numbers written as text in the model (parsed by ``csvio.parse_number``).
NUMBER_FIELDS = {"value", "area_ha", "occupancy_pct", "lat", "lon"}
#: Frictionless ``pattern`` (XML Schema regex: whole value, no named groups).
PERIOD_PATTERN = r"[0-9]{4}(-[0-9]{4}|-(0[1-9]|1[0-2])(-[0-9]{2})?|-H[12])?"
ID_PATTERN = r"[a-z0-9]+([_\-][a-z0-9]+)*"
PATTERNS = {
    ("values", "period"): PERIOD_PATTERN,
    ("values", "district"): r"[0-9]{3}",
    ("zones", "id"): ID_PATTERN,
    ("zones", "status_date"): PERIOD_PATTERN,
    ("zones", "occupancy_date"): PERIOD_PATTERN,
    ("zones", "districts"): r"[0-9]{3}(;[0-9]{3})*",
}
RANGES = {("zones", "lat"): S.VN_LAT, ("zones", "lon"): S.VN_LON, ("values", "rank_of"): (1, None)}
TRUE_VALUES = ["yes", "y", "true", "1", "x", "có", "co"]
FALSE_VALUES = ["no", "n", "false", "0", "không", "khong"]
VALUE_KEY = ["province", "indicator", "period", "scope", "district"]
DIALECT = {"delimiter": ",", "doubleQuote": True, "header": True, "lineTerminator": "\n"}

#: YAML files: resource name -> (file, {top-level key: record model}).
YAML_RESOURCES: dict[str, tuple[str, dict[str, type[BaseModel]]]] = {
    "dataset": (DATA_FILES["dataset"], {}),
    "provinces": (DATA_FILES["provinces"], {"regions": S.Region, "provinces": S.Province}),
    "indicators": (DATA_FILES["indicators"], {"concepts": S.Concept, "indicators": S.Indicator}),
    "sources": (DATA_FILES["sources"], {"sources": S.Source}),
}
TITLES = {
    "dataset": "Title, version, date and licences of the data package",
    "provinces": "Provinces (63 units of 2024, 34 units from July 2025) and regions",
    "indicators": "Indicator definitions: topic, concept, titles and units in Vietnamese and English, range",
    "sources": "Sources: producer, link, licence, date published, date accessed, kind, confidence",
    "values": "Figures curated from the sources: one row per province, indicator and period",
    "industrial_zones": "Industrial parks and clusters: area, status, occupancy, location",
}


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """``Optional[X]`` -> ``(X, True)``; anything else -> ``(annotation, False)``."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if (origin is typing.Union or origin is types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else annotation), True
    return annotation, False


def _field(kind: str, name: str, info: Any) -> dict:
    """One Frictionless field descriptor from a pydantic field of a CSV row model."""
    annotation, _optional = _unwrap(info.annotation)
    out: dict[str, Any] = {"name": name}
    constraints: dict[str, Any] = {}
    if name in NUMBER_FIELDS:
        out["type"] = "number"
    elif annotation is bool:
        out.update(type="boolean", trueValues=TRUE_VALUES, falseValues=FALSE_VALUES)
    elif annotation is int:
        out["type"] = "integer"
    elif typing.get_origin(annotation) is typing.Literal:
        out["type"] = "string"
        constraints["enum"] = [v for v in typing.get_args(annotation) if v != ""]
    else:
        out["type"] = "string"
    required = info.is_required() or any(getattr(m, "min_length", 0) for m in info.metadata)
    if required:
        constraints["required"] = True
    if (kind, name) in PATTERNS:
        constraints["pattern"] = PATTERNS[(kind, name)]
    low, high = RANGES.get((kind, name), (None, None))
    if low is not None:
        constraints["minimum"] = low
    if high is not None:
        constraints["maximum"] = high
    if constraints:
        out["constraints"] = constraints
    return out


def table_schema(kind: str, model: type[BaseModel]) -> dict:
    """Frictionless Table Schema of a CSV row model (deprecated columns left out)."""
    fields = [_field(kind, n, f) for n, f in model.model_fields.items() if n not in DEPRECATED]
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if kind == "values":
        schema["primaryKey"] = VALUE_KEY
        schema["foreignKeys"] = [
            {"fields": ["province"], "reference": {"resource": "provinces", "fields": ["id"]}},
            {"fields": ["indicator"], "reference": {"resource": "indicators", "fields": ["id"]}},
            {"fields": ["source"], "reference": {"resource": "sources", "fields": ["id"]}},
        ]
    else:
        schema["primaryKey"] = ["id"]
        schema["foreignKeys"] = [
            {"fields": ["province"], "reference": {"resource": "provinces", "fields": ["id"]}},
            {"fields": ["source"], "reference": {"resource": "sources", "fields": ["id"]}},
        ]
    return schema


def _csv_resource(name: str, path: str, kind: str, model: type[BaseModel], title: str) -> dict:
    return {"name": name, "path": path, "profile": "tabular-data-resource", "title": title,
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "dialect": DIALECT,
            "schema": table_schema(kind, model)}


def _yaml_resource(name: str) -> dict:
    path, records = YAML_RESOURCES[name]
    if records:
        props = {key: {"type": "array", "items": model.model_json_schema(mode="validation")}
                 for key, model in records.items()}
    else:
        props = S.DatasetMeta.model_json_schema(mode="validation")["properties"]
    json_schema = {"type": "object", "properties": props}
    if records:
        json_schema["required"] = [k for k in records if k != "regions"]
    return {"name": name, "path": path, "profile": "data-resource", "title": TITLES[name],
            "format": "yaml", "mediatype": "application/yaml", "encoding": "utf-8",
            "jsonSchema": json_schema}


def build(data_dir: Path | str) -> dict:
    """The package descriptor for ``data_dir`` (files found there; shapes from the models)."""
    from .data import national_files

    data_dir = Path(data_dir)
    resources = [_yaml_resource(n) for n in YAML_RESOURCES]
    resources.append(_csv_resource("values", DATA_FILES["values"], "values", S.ValueRow, TITLES["values"]))
    for p in national_files(data_dir):
        resources.append(_csv_resource(
            f"national-{p.stem}", f"{NATIONAL_DIR}/{p.name}", "values", S.ValueRow,
            f"Generated by `python -m dashboard import-national` from raw/: national {p.stem.upper()} figures "
            "(same columns and rules as values.csv)"))
    resources.append(_csv_resource("industrial_zones", DATA_FILES["zones"], "zones", S.ZoneRow,
                                   TITLES["industrial_zones"]))
    geo = data_dir / GEO_DIR
    for p in sorted(geo.glob("*.geojson")) if geo.is_dir() else []:
        resources.append({"name": f"geo-{p.stem.replace('_', '-')}", "path": f"{GEO_DIR}/{p.name}",
                          "profile": "data-resource", "format": "geojson",
                          "mediatype": "application/geo+json", "encoding": "utf-8",
                          "description": f"Boundaries; licence and attribution in {GEO_DIR}/SOURCES.md"})
    return {
        "profile": "data-package",
        "name": "so-sanh-tinh",
        "title": "So sánh tỉnh — Vietnamese province comparison data",
        "description": ("Figures compiled from public sources, each row naming its source in sources.yaml "
                        "(licence, date published, date accessed). Generated from dashboard/schema.py by "
                        "`python -m dashboard datapackage`; do not edit by hand."),
        "licenses": [{"name": "other-at", "path": "sources.yaml",
                      "title": "Rights in the figures stay with their publishers; each source's licence "
                               "is in sources.yaml; boundaries: geo/SOURCES.md"}],
        "resources": resources,
    }


def render(data_dir: Path | str) -> str:
    """The descriptor as the committed text (stable: same input, same bytes)."""
    return json.dumps(build(data_dir), ensure_ascii=False, indent=2) + "\n"


def write(data_dir: Path | str) -> Path:
    path = Path(data_dir) / FILE_NAME
    path.write_bytes(render(data_dir).encode("utf-8"))
    return path


def is_current(data_dir: Path | str) -> bool:
    path = Path(data_dir) / FILE_NAME
    return path.is_file() and path.read_text(encoding="utf-8") == render(data_dir)
