"""Load and validate the data package (``data/``) into one :class:`Dataset`.

Load
    Each file goes through one guard (:meth:`_Loader.stage`): it is read only when its
    modification time, size and content are the same before and after reading (else
    it is read again, :data:`READ_ATTEMPTS` times in all), then parsed and validated.
    A file whose status (device, inode, size, modification and change times) is the same
    as at its last successful read in this process is not read again: that parsed version
    is validated again instead. Files changed less than :data:`SETTLE_NS` before they were
    read are always read again (file times are coarse; an editor may still be writing).
    Anything that goes wrong with a file as a whole -- a missing file, a folder in its
    place, broken YAML, YAML aliases, a CSV without its columns, any exception at all while
    reading or validating it -- is a problem for that file, and the last version of it that
    loaded in this process is used instead; with no such version its records are missing.
    The check of a generated file (``national/*.csv``) is also kept on disk, outside the
    data folder (:mod:`dashboard.diskcache`): after a restart a file whose bytes, whose
    inputs (the provinces, indicators, sources and rows it is checked against) and whose
    code are those of a stored check is read and hashed as always, but not parsed and
    checked again.
Process
    Every record is checked (:mod:`dashboard.schema`), then the rules across records and
    files: unique keys, references, ranges per indicator, whole counts, ranks with their
    denominator, coordinates inside Vietnam. Invalid records are left out; everything
    valid is kept.
Result
    A :class:`Dataset` with the problems as data: root causes (whole-file errors) first,
    and the errors that only follow from them marked ``follow_on`` so that reports sum
    them up in one line. Nothing here raises on bad content.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import hashlib
import json
import re
import stat
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError

from . import schema as S
from . import csvio, diskcache
from .csvio import DOT, Table, looks_dot_grouped
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
#: No data file is anywhere near this; a larger one is refused, not read.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Reads of a file that keeps changing (an editor still writing it) before giving up.
READ_ATTEMPTS = 3
#: District boundaries: every ``geo/districts_*.geojson`` (a province is added by data alone).
DISTRICT_GLOB = "districts_*.geojson"
#: Generated value files (``python -m dashboard import-national``), same columns as values.csv.
#: ``raw/`` (the spreadsheets they are made from) is never read by the loader.
NATIONAL_DIR = "national"

#: A file whose status changed less than this before it was read is read again on every
#: load, even when its status looks the same (timestamps are coarse on some file systems:
#: 1-2 s; within one tick two writes of the same size would look alike).
SETTLE_NS = 3_000_000_000

#: NOTE: last version of each file that parsed and validated (a :class:`_Read`), per
#: absolute path, for this process.
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
    regions: dict[str, S.Region] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def relative(self, file: str) -> str:
        """A problem's file relative to the data folder (``values.csv``, ``geo/x.geojson``)."""
        prefix = self.data_dir.name + "/"
        return file[len(prefix):] if file.startswith(prefix) else file

    def problem_files(self) -> list[str]:
        """Files with an error or kept at their last good version: each once, relative."""
        files = [self.relative(p.file) for p in self.errors] + list(self.stale_files)
        return sorted(dict.fromkeys(files))

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

def signature(data_dir: Path | str, geo_only: bool = False) -> tuple:
    """The one data-change signature: (name, mtime, size) of every data file.

    Cheap (no file is read); the dataset is reloaded, and the boundaries reparsed, when it
    changes. Derived figures are keyed by ``Dataset.fingerprint`` (the content hash).
    """
    data_dir = Path(data_dir)
    paths = [] if geo_only else [data_dir / n for n in DATA_FILES.values()] + national_files(data_dir)
    geo = data_dir / GEO_DIR
    if geo.is_dir():
        paths += sorted(geo.glob("*.geojson"))
    sig = []
    for p in paths:
        try:
            st = p.stat()
            sig.append((p.name, st.st_mtime_ns, st.st_size))
        except OSError:
            sig.append((p.name, 0, 0))
    return tuple(sig)


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


@dataclass
class _Read:
    """One successful read of a file: its status then, its hash, what parsing gave."""

    stamp: tuple | None  # see :func:`_stamp`; None: never reused without reading
    sha: bytes
    parsed: Any
    problems: list[Problem]  # added while parsing (warnings), replayed on reuse


def _stamp(st: Any, now_ns: int | None = None) -> tuple | None:
    """The status that identifies a file's content, or None while it is not yet settled."""
    if not stat.S_ISREG(st.st_mode):
        return None
    now_ns = time.time_ns() if now_ns is None else now_ns
    if now_ns - max(st.st_mtime_ns, st.st_ctime_ns) < SETTLE_NS:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _remember(path: Path, read: _Read) -> None:
    with _LAST_GOOD_LOCK:
        _LAST_GOOD[str(path.resolve())] = read


def _recall(path: Path) -> _Read | None:
    """The file's last good version, or None."""
    with _LAST_GOOD_LOCK:
        return _LAST_GOOD.get(str(path.resolve()))


def _unchanged(path: Path) -> _Read | None:
    """The last good read of ``path`` when the file's status is still the same, else None."""
    with _LAST_GOOD_LOCK:
        read = _LAST_GOOD.get(str(path.resolve()))
    if read is None or read.stamp is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return read if _stamp(st) == read.stamp else None


def clear_caches(disk: bool = False) -> None:
    """Forget every file read and check of this process (as after a restart); with ``disk``
    also the checks kept on disk for the next process (:mod:`dashboard.diskcache`)."""
    with _LAST_GOOD_LOCK:
        _LAST_GOOD.clear()
        _FAST_CACHE.clear()
        _DIGESTS.clear()
        _JOINED.clear()
    if disk:
        diskcache.clear()


class FileUnstable(OSError):
    """The file kept changing while it was read (an editor still writing it)."""


class FileTooLarge(OSError):
    """The file is larger than any data file should be."""


def read_stable(path: Path, attempts: int = READ_ATTEMPTS) -> bytes:
    """The file's bytes, taken only when they did not change while being read.

    Modification time and size (before and after) and the content (of two reads) must
    agree; otherwise the file is read again, ``attempts`` times in all, then
    :class:`FileUnstable` is raised. A folder, a missing file or a file over
    :data:`MAX_FILE_BYTES` raise ``OSError`` subclasses.
    """
    return _read_stable(path, attempts)[0]


def _read_stable(path: Path, attempts: int = READ_ATTEMPTS) -> tuple[bytes, Any]:
    """:func:`read_stable`, with the file's status at the start of the read that was taken."""
    for attempt in range(attempts):
        now = time.time_ns()
        before = path.stat()
        if stat.S_ISDIR(before.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file")
        if before.st_size > MAX_FILE_BYTES:
            raise FileTooLarge(errno.EFBIG, "file too large")
        first = path.read_bytes()
        second = path.read_bytes()
        after = path.stat()
        same_stat = (before.st_mtime_ns, before.st_size) == (after.st_mtime_ns, after.st_size)
        if same_stat and len(first) == after.st_size and first == second:
            return first, _stamp(before, now)
        time.sleep(0.05 * (attempt + 1))
    raise FileUnstable(errno.EAGAIN, "file changed while it was read")


def parse_table(raw: bytes, file: str) -> Table:
    """Parse CSV bytes (see :mod:`dashboard.csvio`)."""
    return csvio.parse_table(raw, file)


class _NoAliasLoader(_LineLoader):
    """Line-remembering SafeLoader that refuses anchors and aliases (no "billion laughs")."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not allowed",
                                              event.start_mark)
        return super().compose_node(parent, index)


if getattr(yaml, "__with_libyaml__", False):
    class _CLineLoader(yaml.CSafeLoader):  # type: ignore[name-defined,misc]
        """libyaml's SafeLoader that remembers lines like :class:`_LineLoader` (about ten times faster)."""

    _CLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
else:  # pragma: no cover - PyYAML built without libyaml
    _CLineLoader = None  # type: ignore[assignment,misc]

#: Something that may be an alias (``*name``): such text takes the pure-Python loader,
#: which refuses aliases with its own message.
_MAYBE_ALIAS = re.compile(r"(?:^|[\s\[{,])\*(?!\s)", re.M)


def _load_yaml(text: str) -> Any:
    """Parse YAML text: libyaml for plain files, else (or on any error) the pure-Python
    loader, so every refusal and message stays that of :class:`_NoAliasLoader`."""
    if _CLineLoader is not None and not _MAYBE_ALIAS.search(text):
        try:
            return yaml.load(text, Loader=_CLineLoader)  # noqa: S506 - SafeLoader subclass
        except Exception:  # noqa: BLE001 - the pure-Python loader says what is wrong
            pass
    return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - SafeLoader subclass


def _short_error(err: BaseException, data_dir: Path) -> str:
    """An exception as one short line, without the server's paths."""
    if isinstance(err, OSError) and err.strerror:
        text = err.strerror
    else:
        text = f"{type(err).__name__}: {err}"
    for path in {str(data_dir.resolve()), str(data_dir)}:
        text = text.replace(path, data_dir.name)
    text = " ".join(text.split())
    return text if len(text) <= 160 else text[:159] + "…"


#: Problem codes that name something defined in another file, and that file's key.
_REFERENCE_CODES = {
    "unknown_province": "provinces", "unknown_indicator": "indicators",
    "unknown_source": "sources", "unknown_concept": "indicators",
    "source_unused": ("values", "zones"), "unknown_district": "geo",
}


class _Loader:
    """Holds the problems and stale files while one dataset is loaded.

    Every data file goes through :meth:`stage`: one guard around reading, parsing and
    validating it. Whatever goes wrong with a file as a whole becomes a problem for that
    file and the last good version of it (from this process) is used instead.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.problems: list[Problem] = []
        self.stale: list[str] = []
        self.failed: set[str] = set()  # DATA_FILES keys with no usable content at all
        self.invalid: dict[str, set[str]] = {}  # ids of YAML entries left out, per list
        self.digest = hashlib.sha256()
        #: digests of the inputs of the generated files' check, computed once per load
        self.check_keys: dict[tuple, bytes] = {}
        #: hash of the content each file was processed from (b"": none), by name
        self.used: dict[str, bytes] = {}
        #: hash of the contents the reference objects (provinces, indicators, sources,
        #: district codes) of this load were made from; set once they are all loaded
        self.inputs: bytes = b""
        #: id(checked frame) -> (that frame, a key of its content): the digest of its rows
        self.frame_keys: dict[int, tuple[pd.DataFrame, bytes]] = {}
        #: generated file -> its disk cache entry found when it was read (None: none fitted)
        self.disk_entries: dict[str, Any] = {}
        #: the bytes being parsed and their hash (the parser need not hash them again)
        self.read_sha: tuple[bytes | None, bytes] = (None, b"")
        #: generated files with rows checked one by one (their check may depend on the date)
        self.dated: set[str] = set()

    def display(self, name: str) -> str:
        return f"{self.data_dir.name}/{name}"

    def add(self, file: str, row: int | None, column: str | None, code: str,
            severity: str = ERROR, **params: Any) -> None:
        self.problems.append(Problem(file, row, column, code, params, severity))

    # ---- one guard per file

    def stage(self, key: str, parse: Callable[[bytes, str], Any], process: Callable[[Any], Any],
              empty: Callable[[], Any], name: str | None = None) -> Any:
        """Read, parse and process ``DATA_FILES[key]`` behind one guard.

        ``parse(raw, file)`` returns the parsed content, or ``None`` after adding the
        problem that makes the whole file unusable. ``process(parsed)`` validates the
        records (row problems drop rows). Any exception is a problem of this file. On a
        whole-file problem the last good parsed version is processed instead (its old row
        problems are not repeated), else ``empty()`` is returned.
        """
        name = name or DATA_FILES[key]
        path = self.data_dir / name
        file = self.display(name)
        parsed = None
        start = len(self.problems)
        self.digest.update(name.encode())
        try:
            read = _unchanged(path)
            if read is not None:  # the same file as at its last good read: not read again
                self.problems.extend(read.problems)
                self.digest.update(read.sha)
                parsed = read.parsed
            else:
                raw, stamp = _read_stable(path)
                sha = hashlib.sha256(raw).digest()
                self.digest.update(sha)
                self.read_sha = (raw, sha)
                parsed = parse(raw, file)
                self.read_sha = (None, b"")
                read = _Read(stamp, sha, parsed, list(self.problems[start:]))
        except FileNotFoundError:
            self.digest.update(b"<missing>")
            self.add(file, None, None, "file_missing")
        except FileUnstable:
            self.add(file, None, None, "file_unstable")
        except IsADirectoryError:
            self.add(file, None, None, "file_is_folder")
        except FileTooLarge:
            self.add(file, None, None, "file_too_large", limit=MAX_FILE_BYTES // (1024 * 1024))
        except OSError as err:
            self.add(file, None, None, "file_unreadable", detail=_short_error(err, self.data_dir))
        except Exception as err:  # noqa: BLE001 - the guard: nothing about a file may crash the app
            self.add(file, None, None, "file_crashed", detail=_short_error(err, self.data_dir))
        if parsed is not None:
            mark = len(self.problems)
            try:
                result = process(parsed)
            except Exception as err:  # noqa: BLE001 - the guard
                del self.problems[mark:]
                self.add(file, None, None, "file_crashed", detail=_short_error(err, self.data_dir))
            else:
                _remember(path, read)
                self.used[name] = read.sha
                return result
        self.problems[start:] = [dataclasses.replace(p, root=True) if p.is_error else p
                                 for p in self.problems[start:]]
        kept = _recall(path) or self._from_history(name, parse, file)
        if kept is not None:
            mark = len(self.problems)
            try:
                result = process(kept.parsed)
            except Exception:  # noqa: BLE001 - the kept version no longer fits the other files
                result = None
            del self.problems[mark:]
            if result is not None:
                self.used[name] = kept.sha
                self.stale.append(name)
                self.add(file, None, None, "file_kept_last_good", WARNING)
                return result
        self.failed.add(key)
        self.used[name] = b""
        return empty()

    def _from_history(self, name: str, parse: Callable[[bytes, str], Any], file: str) -> _Read | None:
        """After a restart there is no last good version in memory: the newest version the
        editing history (``data/.history/``, :func:`dashboard.history.last_good`) holds of a
        file that is broken now. None when there is none or it no longer parses."""
        try:
            from .history import last_good

            raw = last_good(self.data_dir, name)
            if raw is None:
                return None
            mark = len(self.problems)
            parsed = parse(raw, file)
            del self.problems[mark:]  # its own old problems are not repeated
        except Exception:  # noqa: BLE001 - the guard: a damaged history is no history
            return None
        return None if parsed is None else _Read(None, hashlib.sha256(raw).digest(), parsed, [])

    # ---- parsers

    @staticmethod
    def parse_yaml(raw: bytes, file: str, ld: "_Loader") -> Any:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            ld.add(file, None, None, "yaml_encoding")
            return None
        try:
            parsed = _load_yaml(text)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            line = mark.line + 1 if mark else None
            detail = getattr(err, "problem", None) or str(err).splitlines()[0]
            ld.add(file, line, None, "yaml_syntax", detail=detail)
            return None
        except RecursionError:
            ld.add(file, None, None, "yaml_syntax", detail="nested too deeply / lồng quá sâu")
            return None
        if not isinstance(parsed, dict):
            ld.add(file, None, None, "yaml_not_mapping")
            return None
        return parsed

    @staticmethod
    def parse_csv(raw: bytes, file: str, ld: "_Loader", required: list[str], known: list[str]) -> Table | None:
        table = parse_table(raw, file)
        ld.problems.extend(table.problems)
        if getattr(table, "fatal", False):
            return None
        missing = [c for c in required if c not in table.header]
        if missing:
            for col in missing:
                near = _nearest(col, table.header)
                ld.add(file, 1, col, "column_missing", found=near or "-")
            if table.delimiter == "," and any(";" in h for h in table.header):
                ld.add(file, 1, None, "delimiter_mixed")
            return None
        for col in table.header:
            if col and col not in known:  # an empty header cell is csvio's own problem
                near = _nearest(col, known)
                ld.add(file, 1, col or "?", "unknown_column", near=near or "-",
                       allowed=", ".join(known))
        return table

    def mark_follow_ons(self) -> None:
        """Problems that only repeat a whole-file failure elsewhere become follow-ons."""
        out = []
        for p in self.problems:
            cause = _REFERENCE_CODES.get(p.code)
            causes = (cause,) if isinstance(cause, str) else (cause or ())
            if p.is_error and p.row is not None and any(
                    c in self.failed or p.params.get("text") in self.invalid.get(c, ())
                    for c in causes):
                p = dataclasses.replace(p, follow_on=True)
            out.append(p)
        self.problems = out

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
                if isinstance(ident, str):
                    self.invalid.setdefault(key, set()).add(ident)
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
    for path in district_files(data_dir):
        try:
            feats = json.loads(path.read_text(encoding="utf-8")).get("features", [])
        except (OSError, ValueError):
            continue
        for f in feats:
            p = f.get("properties", {})
            if p.get("code"):
                out[str(p["code"])] = {"name": p.get("name", ""), "province_code": p.get("province_code", "")}
    return out


def district_files(data_dir: Path | str) -> list[Path]:
    """District boundary files: ``geo/districts_*.geojson``, by name (no list in code)."""
    geo = Path(data_dir) / GEO_DIR
    return sorted(geo.glob(DISTRICT_GLOB)) if geo.is_dir() else []


def national_files(data_dir: Path | str) -> list[Path]:
    """Generated value files ``national/*.csv`` (never ``raw/``), sorted by name."""
    folder = Path(data_dir) / NATIONAL_DIR
    return sorted(p for p in folder.glob("*.csv") if p.is_file()) if folder.is_dir() else []


# ----------------------------------------------------------------------------- fast path
#
# Generated files hold thousands of rows written by a program. They are read with pandas
# and checked column by column; a row that is not plainly valid (any doubt at all) goes
# through the per-row validator of values.csv, so every message is the same as there.

_FAST_VALUE = r"-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,3})?"
_FAST_PERIOD = r"[12][0-9]{3}"
_FAST_BOOL = ("", "yes")
#: Columns a plainly valid row has only as a known id, a number, a flag or empty: no "<",
#: no edge spaces, nothing long (the other columns are looked at for those).
_FAST_STRICT = frozenset({"province", "indicator", "source", "value", "period", "rank_of", "confidence",
                          "estimate", "derived", "period_inferred", "district", "note"})


class _FastTable:
    """A generated file that pandas reads as it is: its bytes and (read on first use) a
    frame of every cell as a string, ``row`` the physical line number."""

    def __init__(self, file: str, frame: pd.DataFrame | None, raw: bytes, sha: bytes = b"") -> None:
        self.file, self.raw, self.sha = file, raw, sha or hashlib.sha256(raw).digest()
        self._frame = frame

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:  # its check was on the disk cache; now it is needed after all
            df = _read_plain_values(self.raw.decode("utf-8"))
            if df is None:  # pragma: no cover - the same bytes and code read plainly before
                raise RuntimeError("generated file no longer reads as a plain table")
            self._frame = df
        return self._frame


def _read_plain_values(text: str) -> pd.DataFrame | None:
    """pandas' reading of a plain generated file (see :func:`_parse_values_fast`), or None."""
    import io

    header = text[:text.find("\n")].split(",")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False,
                         skip_blank_lines=False, engine="c")
    except Exception:  # noqa: BLE001 - whatever pandas dislikes, the CSV reader explains
        return None
    if list(df.columns) != header or len(df) != text.count("\n") - 1 or len(df) == 0:
        return None
    df = df.fillna("")
    df["row"] = range(2, len(df) + 2)
    return df


def _parse_values_fast(raw: bytes, file: str, ld: _Loader) -> Any:
    """A plain UTF-8, comma-separated file with known columns: a :class:`_FastTable`; else
    the CSV reader's table. When the disk cache holds this file's check (same bytes, same
    code) it is not read into a frame now: the check is taken from there (see
    :func:`_check_values_cached`) unless something it depends on changed."""
    def slow() -> Any:
        return _Loader.parse_csv(raw, file, ld, S.REQUIRED_VALUE_COLUMNS, S.VALUE_COLUMNS)

    sha = ld.read_sha[1] if ld.read_sha[0] is raw else hashlib.sha256(raw).digest()
    entry = ld.disk_entries[file] = _disk_entry(ld, file, sha)
    if entry is not None:  # these bytes passed every test below with this code before
        return _FastTable(file, None, raw, sha)
    if b"\r" in raw or b"\x00" in raw or raw.startswith(b"\xef\xbb\xbf") or not raw.endswith(b"\n"):
        return slow()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return slow()
    header = text[:text.find("\n")].split(",")
    if (len(set(header)) != len(header) or any(c not in S.VALUE_COLUMNS for c in header)
            or any(c not in header for c in S.REQUIRED_VALUE_COLUMNS) or "\n\n" in text or '"\n' in text):
        return slow()
    df = _read_plain_values(text)
    return slow() if df is None else _FastTable(file, df, raw, sha)


#: Validated generated files, keyed by the hash of every byte they were checked against.
#: NOTE: the national tables are large and rarely change; staff edit values.csv or the YAML
#: files. When those change, the key changes too; a reload after an edit elsewhere (say a
#: new source) re-checks only what changed. Bounded, per process.
_FAST_CACHE: dict[str, tuple[pd.DataFrame, list[Problem]]] = {}
_FAST_CACHE_SIZE = 24


def _check_values_cached(ld: _Loader, parsed: Any, provinces: dict, indicators: dict, sources: dict,
                         districts: dict, earlier: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """:func:`_check_values_fast`, reused while the file and everything it refers to is unchanged.

    The key hashes exactly the inputs of the check as used: this file's bytes, the provinces,
    indicators and sources (possibly last good versions), the district codes and the keys of
    the files loaded before it (curated figures win). Its problems are replayed. After a
    restart the check is taken from the disk cache under the same key (plus a hash of the
    code); a check made here is stored there.
    """
    if not isinstance(parsed, _FastTable):
        return _check_values_fast(ld, parsed, provinces, indicators, sources, districts, earlier)
    refs = _refs_digest(ld, provinces, indicators, sources, districts)
    # what else the check reads: the file's name (in its problems), which reference files
    # failed as a whole (their misses are then reported in one go) and this year (no figure
    # after it)
    context = repr((parsed.file, sorted(ld.failed & {"provinces", "indicators", "sources"}),
                    dt.date.today().year)).encode()
    # two keys: the file's own check (its bytes and the reference objects), and that plus
    # the rows of the files before it (curated figures win): a figure added to values.csv
    # re-runs only the cheap second step
    own = hashlib.sha256(parsed.sha + refs + context)
    digest = own.copy()
    for name, frame in earlier:
        digest.update(name.encode() + _keys_digest(ld, frame))
    own_key, key = "own:" + own.hexdigest(), digest.hexdigest()
    mark = len(ld.problems)
    hit = _cached_check(key)
    if hit is not None:
        ld.problems.extend(hit[1])
        frame = hit[0].copy()
    else:
        mine = _cached_check(own_key)
        # after a restart: the check of the same bytes against the same inputs, kept on disk
        stored = _stored_check(ld, parsed, own_key) if mine is None else None
        if stored is not None:  # a frame of its own: kept as it is (the cache only copies it)
            mine = stored[:2]
            _cache_check(own_key, *mine, copy=False)
        if mine is not None:
            ld.problems.extend(mine[1])
            frame = mine[0].copy()
        else:
            frame = _check_values_fast(ld, parsed, provinces, indicators, sources, districts, [])
            _cache_check(own_key, frame, ld.problems[mark:])
        checked, middle = frame, len(ld.problems)
        if stored is not None and stored[2].get("full") == key:  # the same rows before it too
            dropped = stored[2]["dropped"]
            ld.problems.extend(stored[3])
            if dropped:
                frame = frame[~frame["row"].isin(dropped)].reset_index(drop=True)
            _cache_check(key, frame if dropped else stored[0], ld.problems[mark:], copy=bool(dropped))
        else:
            frame = _drop_curated(ld, frame, earlier, parsed.file, own_key.encode())
            _cache_check(key, frame, ld.problems[mark:])
        if mine is None:
            _store_check(ld, parsed, own_key, key, checked, ld.problems[mark:middle], frame,
                         ld.problems[middle:])
    # the frame's rows are a function of this key: a later file's check need not hash them
    ld.frame_keys[id(frame)] = (frame, key.encode())
    return frame


# ---- the disk cache of checks (see :mod:`dashboard.diskcache`)

def _source_hash() -> str | None:
    """A hash of the code a check is made by (this module, the schema, the CSV reader, the
    problems) and of the libraries' versions: any change makes every stored check useless."""
    try:
        import sys

        import pyarrow
        import pydantic

        h = hashlib.sha256()
        for module in (__name__, S.__name__, csvio.__name__, Problem.__module__):
            h.update(Path(sys.modules[module].__file__ or "").read_bytes())
        h.update(repr((sys.version, pd.__version__, np.__version__, pyarrow.__version__,
                       pydantic.__version__, yaml.__version__)).encode())
        return h.hexdigest()
    except Exception:  # noqa: BLE001 - no source to hash (a frozen app): no disk cache
        return None


#: Taken once, when the module is imported: the code that runs is the code hashed.
_CODE_VERSION = _source_hash()


def _disk_name(ld: _Loader, file: str) -> str:
    """The disk cache keeps one entry per file name (``national/pci.csv``)."""
    return "values:" + _relative_name(ld, file)


def _disk_entry(ld: _Loader, file: str, sha: bytes) -> Any:
    """The disk cache's entry for this file when it was made from these bytes by this code
    (and, for a check that depended on the date, today), else None."""
    if _CODE_VERSION is None:
        return None
    entry = diskcache.load(_disk_name(ld, file), ld.data_dir)
    if entry is None:
        return None
    head = entry.header
    if (head.get("version"), head.get("sha"), head.get("file")) != (_CODE_VERSION, sha.hex(), file):
        return None
    if head.get("date") not in (None, dt.date.today().isoformat()):
        return None
    return entry


def _stored_check(ld: _Loader, parsed: _FastTable, own_key: str) -> tuple | None:
    """(frame, problems, header, problems of the drop) of the check stored for ``own_key``, or None."""
    entry = ld.disk_entries.pop(parsed.file, False)
    if entry is False:  # not looked for when the file was read (it was not read this time)
        entry = _disk_entry(ld, parsed.file, parsed.sha)
    if entry is None or entry.header.get("own") != own_key:
        return None
    problems = _problems_from_json(entry.header.get("problems"))
    dropped_problems = _problems_from_json(entry.header.get("drop_problems"))
    dropped = entry.header.get("dropped")
    if problems is None or dropped_problems is None or not isinstance(dropped, list) \
            or not all(type(r) is int for r in dropped):
        return None
    frame = entry.frame()
    return None if frame is None else (frame, problems, entry.header, dropped_problems)


def _store_check(ld: _Loader, parsed: _FastTable, own_key: str, key: str, checked: pd.DataFrame,
                 problems: list[Problem], kept: pd.DataFrame, drop_problems: list[Problem]) -> None:
    """Keep the check of a generated file on disk for the next process (never an error)."""
    if _CODE_VERSION is None:
        return
    mine, theirs = _problems_to_json(problems), _problems_to_json(drop_problems)
    if mine is None or theirs is None:
        return
    dropped = [] if kept is checked else sorted(
        int(r) for r in checked["row"][~checked["row"].isin(kept["row"])])
    header = {"version": _CODE_VERSION, "sha": parsed.sha.hex(), "file": parsed.file, "own": own_key,
              "full": key, "dropped": dropped, "problems": mine, "drop_problems": theirs,
              "date": dt.date.today().isoformat() if parsed.file in ld.dated else None}
    diskcache.store(_disk_name(ld, parsed.file), header, checked, ld.data_dir)


def _problems_to_json(problems: list[Problem]) -> list | None:
    out = [[p.file, p.row, p.column, p.code, p.params, p.severity, p.follow_on, p.root] for p in problems]
    return out if diskcache.plain(out) else None


def _problems_from_json(data: Any) -> list[Problem] | None:
    """Problems as :func:`_problems_to_json` wrote them; None for anything else."""
    if not isinstance(data, list):
        return None
    out = []
    for item in data:
        if not (isinstance(item, list) and len(item) == 8):
            return None
        file, row, column, code, params, severity, follow_on, root = item
        if not (isinstance(file, str) and (row is None or type(row) is int)
                and (column is None or isinstance(column, str)) and isinstance(code, str)
                and isinstance(params, dict) and severity in (ERROR, WARNING)
                and type(follow_on) is bool and type(root) is bool):
            return None
        out.append(Problem(file, row, column, code, params, severity, follow_on, root))
    return out


def _refs_digest(ld: _Loader, provinces: dict, indicators: dict, sources: dict, districts: dict) -> bytes:
    """What a check of values reads of the YAML files and the district codes, digested.

    NOTE: the inputs as used (a file may stand in at its last good version), not as read;
    a source's title or a province's name are not among them. The same for every file of
    one load (keyed by the objects of this load), and kept between loads by the hashes of
    the contents those objects were made from.
    """
    refs = (id(provinces), id(indicators), id(sources), id(districts))
    if refs not in ld.check_keys:
        def digest() -> bytes:
            d = hashlib.sha256()
            # in their order: a problem lists the known provinces as provinces.yaml has them
            d.update(repr([(k, p.vintage, p.level) for k, p in provinces.items()]).encode())
            d.update(_indicators_json(dict(sorted(indicators.items()))))
            d.update(repr(sorted((k, src.confidence) for k, src in sources.items())).encode())
            d.update(repr(sorted(districts)).encode())
            return d.digest()
        ld.check_keys[refs] = _memo(("refs", ld.inputs), digest) if ld.inputs else digest()
    return ld.check_keys[refs]


def _indicators_json(indicators: dict) -> bytes:
    """Every field of every indicator, as JSON (one call: the schema's own serializer)."""
    global _INDICATORS_ADAPTER
    if _INDICATORS_ADAPTER is None:
        from pydantic import TypeAdapter

        _INDICATORS_ADAPTER = TypeAdapter(dict[str, S.Indicator])
    return _INDICATORS_ADAPTER.dump_json(indicators)


_INDICATORS_ADAPTER: Any = None


def _cached_check(key: str) -> tuple[pd.DataFrame, list[Problem]] | None:
    with _LAST_GOOD_LOCK:
        return _FAST_CACHE.get(key)


def _cache_check(key: str, frame: pd.DataFrame, problems: list[Problem], copy: bool = True) -> None:
    """Keep a check; ``copy=False`` for a frame nothing else holds (it is only ever copied)."""
    with _LAST_GOOD_LOCK:
        _FAST_CACHE[key] = (frame.copy() if copy else frame, list(problems))
        while len(_FAST_CACHE) > _FAST_CACHE_SIZE:
            _FAST_CACHE.pop(next(iter(_FAST_CACHE)))


#: Small digests worth keeping between loads, keyed by the hashes of what they are made from.
_DIGESTS: dict[tuple, Any] = {}
_DIGESTS_SIZE = 64


def _memo(key: tuple, make: Callable[[], Any]) -> Any:
    with _LAST_GOOD_LOCK:
        if key in _DIGESTS:
            return _DIGESTS[key]
    value = make()
    with _LAST_GOOD_LOCK:
        _DIGESTS[key] = value
        while len(_DIGESTS) > _DIGESTS_SIZE:
            _DIGESTS.pop(next(iter(_DIGESTS)))
    return value


def _keys_digest(ld: _Loader, frame: pd.DataFrame) -> bytes:
    """A digest of the frame's keys (province, indicator, period, scope, district) and rows."""
    known = ld.frame_keys.get(id(frame))
    if known is not None and known[0] is frame:
        return known[1]
    if not len(frame):
        return b"0"
    keys = frame[["province", "indicator", "period", "scope", "district", "row"]]
    return str(int(pd.util.hash_pandas_object(keys, index=False).sum())).encode()


def _check_values_fast(ld: _Loader, parsed: Any, provinces: dict, indicators: dict, sources: dict,
                       districts: dict, earlier: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """Validate a generated value file with the rules (and messages) of values.csv.

    Also refuses a row whose key (province, indicator, period, scope, district) is already
    in values.csv or an earlier generated file: curated figures win, the generated file
    must leave them out.
    """
    if not isinstance(parsed, _FastTable):  # the CSV reader's table: the per-row validator
        out = _check_values(ld, parsed, provinces, indicators, sources, districts)
        return _drop_curated(ld, out, earlier, parsed.file if parsed is not None else "")
    df = parsed.frame
    cells = list(df.columns.drop("row"))
    absent = [col for col in S.VALUE_COLUMNS if col not in df.columns]
    if absent:  # a new frame: the parsed one may be checked again at the next load
        df = df.assign(**{col: "" for col in absent})
    # indicator attributes per row: one factorize, then plain array lookups
    codes, uniques = pd.factorize(df["indicator"])
    meta = [indicators.get(i) for i in uniques]
    known_ind = pd.Series(np.array([m is not None for m in meta] + [False])[codes], index=df.index)

    def attr_of(get: Callable[[Any], Any], default: Any, dtype: Any = object) -> pd.Series:
        table = np.array([get(m) if m is not None else default for m in meta] + [default], dtype=dtype)
        return pd.Series(table[codes], index=df.index)

    nan = float("nan")
    attr = {
        "topic": attr_of(lambda m: m.topic, None), "concept": attr_of(lambda m: m.concept, None),
        "min": attr_of(lambda m: nan if m.min is None else m.min, nan, float),
        "max": attr_of(lambda m: nan if m.max is None else m.max, nan, float),
        "is_whole": attr_of(lambda m: m.is_whole, False, bool), "is_rank": attr_of(lambda m: m.is_rank, False, bool),
    }
    value = pd.to_numeric(df["value"].where(df["value"].str.fullmatch(_FAST_VALUE), ""), errors="coerce")
    rank_of = pd.to_numeric(df["rank_of"].where(df["rank_of"].str.fullmatch(r"[1-9][0-9]{0,5}"), ""),
                            errors="coerce")
    year = pd.to_numeric(df["period"].where(df["period"].str.fullmatch(_FAST_PERIOD), ""), errors="coerce")
    ok = (
        df["province"].isin(list(provinces)) & known_ind & df["source"].isin(list(sources))
        & value.notna() & year.notna() & (year <= dt.date.today().year)
        & df["qualifier"].isin(S.QUALIFIERS) & df["confidence"].isin(("",) + S.CONFIDENCE)
        & df["estimate"].isin(_FAST_BOOL) & df["derived"].isin(_FAST_BOOL)
        & df["period_inferred"].isin(_FAST_BOOL) & (df["district"] == "")
        & ((df["derived"] == "") | (df["derivation_vi"] != "") | (df["derivation_en"] != "")
           | (df["derivation"] != ""))
        & ((df["derivation_vi"] == "") == ((df["derivation_en"] == "") & (df["derivation"] == "")))
        & ((df["rank_of"] == "") | rank_of.notna())
        & (df["note"] == "") & ((df["note_vi"] == "") == (df["note_en"] == ""))
    )
    text = parsed.raw
    # whole-file look first: a cell with "<", edge spaces or great length sends its row to the
    # per-row validator (HTML, whitespace and cell-length rules); generated files have none
    if b"<" in text or b"\t" in text or (b" " in text and any(m in text for m in (b" ,", b", ", b" \n", b"\n "))) \
            or _longest_line(text) > 1000:
        for c in cells:
            if c in _FAST_STRICT:
                continue
            col = df[c]
            # free text repeats (a derivation per indicator): each distinct value looked at once
            bad = [v for v in col.unique() if "<" in v or len(v) > 1000 or v != v.strip()]
            if bad:
                ok &= ~col.isin(bad)
    whole = attr["is_whole"]
    ok &= ~(whole & df["value"].str.contains(".", regex=False))
    ok &= attr["min"].isna() | (value >= attr["min"])
    ok &= attr["max"].isna() | (value <= attr["max"])
    rank = attr["is_rank"]
    ok &= ~rank | (rank_of.notna() & (value <= rank_of))
    # duplicates, as the per-row validator reports them (the first occurrence is kept)
    key = ["province", "indicator", "period", "scope", "district"]
    full_dup = df.duplicated(subset=cells, keep="first")
    key_dup = df.duplicated(subset=key, keep="first") & ~full_dup
    if full_dup.any() or key_dup.any():
        full_first = df.groupby(cells, sort=False)["row"].transform("first")
        first_row = df.groupby(key, sort=False)["row"].transform("first")
        for r, f in zip(df.loc[full_dup, "row"], full_first[full_dup]):
            ld.add(parsed.file, int(r), "-", "duplicate_row", first=int(f))
        for r, f in zip(df.loc[key_dup, "row"], first_row[key_dup]):
            ld.add(parsed.file, int(r), "period", "duplicate_key", first=int(f))
    dup = full_dup | key_dup
    refmiss = pd.Series(False, index=df.index)
    if ld.failed & {"provinces", "indicators", "sources"}:
        # a whole reference file is unusable: its misses here only follow from that root
        # cause (reported once, summed up in one line); thousands of rows need not go
        # through the per-row validator to say so
        refmiss = _reference_misses(ld, parsed.file, df, provinces, indicators, sources)
        dup |= refmiss
    frames = []
    slow = ~ok & ~refmiss
    if slow.any():  # a duplicate's other problems too, as values.csv reports them; never its figure
        ld.dated.add(parsed.file)
        rows = df.loc[slow, ["row"] + cells].to_dict("records")
        table = csvio.Table(parsed.file, cells, [(int(r.pop("row")), r) for r in rows])
        checked = _check_values(ld, table, provinces, indicators, sources, districts)
        checked = checked[~checked["row"].isin(set(df.loc[dup, "row"]))]
        if len(checked) or not (ok & ~dup).any():  # no rows: nothing to add (untyped columns)
            frames.append(checked)
    good = ok & ~dup
    if good.any():
        g = df.loc[good]
        scodes, suniq = pd.factorize(g["source"])
        src_conf = np.array([sources[x].confidence if x in sources else "low" for x in suniq], dtype=object)
        conf = g["confidence"].where(g["confidence"] != "", pd.Series(src_conf[scodes], index=g.index))
        for r in g.loc[conf == "low", ["row", "province", "indicator", "period"]].itertuples(index=False):
            ld.add(parsed.file, int(r.row), "confidence", "low_confidence", WARNING,
                   province=r.province, indicator=r.indicator, period=r.period)
        years = year[good].astype(int)
        derivation_en = g["derivation_en"].where(g["derivation_en"] != "", g["derivation"])
        # NOTE: every column has the index of ``g``: plain arrays, no alignment to do
        columns = {
            "province": g["province"], "indicator": g["indicator"], "period": g["period"],
            "value": value[good].astype(float), "value_text": g["value"].str.lstrip("+"),
            "qualifier": g["qualifier"], "estimate": g["estimate"] == "yes", "scope": g["scope"],
            "rank_of": rank_of[good].astype("Int64"), "district": g["district"],
            "source": g["source"], "derived": g["derived"] == "yes",
            "derivation": derivation_en, "derivation_vi": g["derivation_vi"], "derivation_en": derivation_en,
            "period_inferred": g["period_inferred"] == "yes", "confidence": conf,
            "note_vi": g["note_vi"], "note_en": g["note_en"], "row": g["row"].astype(int),
            "year_start": years, "year_end": years,
            "topic": attr["topic"][good], "concept": attr["concept"][good],
            "scope_rank": (g["scope"] != "").astype(int),
        }
        frames.append(pd.DataFrame({c: columns[c].array for c in _VALUE_FRAME_COLUMNS}, index=g.index))
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else (
        frames[0].reset_index(drop=True) if frames else _empty_values())
    if len(frames) > 1:
        out = out.sort_values("row", kind="stable").reset_index(drop=True)
    out["rank_of"] = out["rank_of"].astype("Int64")
    return _drop_curated(ld, out, earlier, parsed.file)


def _longest_line(text: bytes) -> int:
    """The length of the longest line of ``text`` (without its line end)."""
    ends = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == 0x0A)
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(text)]))
    return int((stops - starts).max())


def _reference_misses(ld: _Loader, file: str, df: pd.DataFrame, provinces: dict, indicators: dict,
                      sources: dict) -> pd.Series:
    """Rows naming an unknown province, indicator or source: reported (as values.csv does) and marked."""
    bad = pd.Series(False, index=df.index)
    known = ", ".join(provinces)
    near: dict[str, str] = {}
    for col, table, code in (("province", provinces, "unknown_province"), ("indicator", indicators,
                             "unknown_indicator"), ("source", sources, "unknown_source")):
        miss = ~df[col].isin(list(table))
        for r, text in zip(df.loc[miss, "row"], df.loc[miss, col]):
            if code == "unknown_province":
                ld.add(file, int(r), col, code, text=text, known=known)
            elif code == "unknown_indicator":
                if text not in near:
                    near[text] = _nearest(text, indicators) or "-"
                ld.add(file, int(r), col, code, text=text, near=near[text])
            else:
                ld.add(file, int(r), col, code, text=text)
        bad |= miss
    return bad


_KEY_COLUMNS = ["province", "indicator", "period", "scope", "district"]


def _by_indicator(frame: pd.DataFrame, token: bytes | None) -> dict[str, np.ndarray]:
    """Indicator -> positions of its rows in ``frame``; kept between loads when ``token``
    names the frame's content (see ``_Loader.frame_keys``)."""
    def build() -> dict[str, np.ndarray]:
        codes, uniques = pd.factorize(frame["indicator"])
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        return {str(u): order[bounds[i]:bounds[i + 1]] for i, u in enumerate(uniques)}

    return _memo(("by_indicator", token), build) if token else build()


def _key_rows(frame: pd.DataFrame, positions: np.ndarray) -> dict[tuple, tuple[int, ...]]:
    """Key (province, indicator, period, scope, district) -> the rows (line numbers) holding
    it, for the rows of ``frame`` at ``positions``."""
    keys = list(zip(*(map(str, frame[c].to_numpy(dtype=object)[positions].tolist()) for c in _KEY_COLUMNS)))
    rows = frame["row"].to_numpy(dtype="int64")[positions].tolist()
    out = dict(zip(keys, zip(rows)))  # a checked file's keys are unique
    if len(out) < len(keys):
        out = {}
        for key, row in zip(keys, rows):
            out[key] = out.get(key, ()) + (row,)
    return out


def _drop_curated(ld: _Loader, out: pd.DataFrame, earlier: list[tuple[str, pd.DataFrame]],
                  file: str, token: bytes | None = None) -> pd.DataFrame:
    """Rows whose key is already in an earlier file (values.csv first: curated figures win)
    are ``duplicate_key`` errors naming that file and row, and are left out. ``token`` names
    the content of ``out`` (its rows by indicator are then found once per process)."""
    if out.empty:
        return out
    dropped: set[int] = set()
    mine_by = _by_indicator(out, token)
    for where, frame in earlier:
        if frame.empty:
            continue
        # only rows that share an indicator and a province can share a key (cheap to find);
        # the generated files hold other indicators than each other: nothing to compare
        known = ld.frame_keys.get(id(frame))
        their_by = _by_indicator(frame, known[1] if known is not None and known[0] is frame else None)
        shared = [i for i in their_by if i in mine_by]
        if not shared:
            continue
        mine_pos = np.concatenate([mine_by[i] for i in shared])
        their_pos = np.concatenate([their_by[i] for i in shared])
        theirs = set(frame["province"].to_numpy(dtype=object)[their_pos].tolist())
        mine_prov = out["province"].to_numpy(dtype=object)[mine_pos]
        mine_pos = mine_pos[np.fromiter((p in theirs for p in mine_prov), dtype=bool, count=len(mine_prov))]
        if not len(mine_pos):
            continue
        mine_rows, their_rows = _key_rows(out, mine_pos), _key_rows(frame, their_pos)
        hits = sorted((row, k) for k in mine_rows.keys() & their_rows.keys() for row in mine_rows[k])
        for row, k in hits:
            if row not in dropped:
                ld.add(file, row, "period", "duplicate_key", first=f"{where}:{their_rows[k][0]}")
                dropped.add(row)
    if not dropped:
        return out
    return out[~out["row"].isin(list(dropped))].reset_index(drop=True)


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
        ld.add(data_dir.name or str(data_dir), None, None, "dir_missing")

    def yaml_parse(raw: bytes, file: str) -> Any:
        return _Loader.parse_yaml(raw, file, ld)

    def csv_parse(required: list[str], known: list[str]) -> Callable[[bytes, str], Any]:
        return lambda raw, file: _Loader.parse_csv(raw, file, ld, required, known)

    # ---- dataset.yaml
    def process_meta(raw: Any) -> S.DatasetMeta | None:
        try:
            return S.DatasetMeta.model_validate(_strip(raw))
        except ValidationError as err:
            ld.problems.extend(S.problems_from_error(
                err, ld.display(DATA_FILES["dataset"]), lambda loc: _line_of(raw, loc)))
            return None

    meta = ld.stage("dataset", yaml_parse, process_meta, lambda: None)

    # ---- sources.yaml
    raws: dict[str, Any] = {}

    def process_sources(raw: Any) -> dict:
        raws["sources"] = raw
        file = ld.display(DATA_FILES["sources"])
        out = ld.records(file, raw.get("sources"), S.Source, "sources")
        for entry in raw.get("sources") or []:
            src = out.get(entry.get("id")) if isinstance(entry, dict) else None
            if src is not None and src.note is not None:
                _check_note(ld, file, _line_of(entry, ("note",)), src.note, "note.")
        return out

    sources = ld.stage("sources", yaml_parse, process_sources, dict)

    # ---- indicators.yaml (indicators and concepts)
    def process_indicators(raw: Any) -> tuple[dict, dict]:
        raws["indicators"] = raw
        file = ld.display(DATA_FILES["indicators"])
        defaults = _strip(raw.get("definitions") or {})
        if not isinstance(defaults, dict):
            ld.add(file, raw.get("__lines__", {}).get("definitions"), "definitions", "yaml_not_mapping")
            defaults = {}
        inds = ld.records(file, raw.get("indicators"), S.Indicator, "indicators", defaults)
        concepts = ld.records(file, raw.get("concepts"), S.Concept, "concepts")
        for cid in concepts:
            if cid not in {i.concept for i in inds.values()}:
                ld.add(file, _entry_line(raw, "concepts", cid), "id", "unknown_concept", WARNING, text=cid)
        _check_indicators(ld, raw, inds)
        return inds, concepts

    indicators, concepts = ld.stage("indicators", yaml_parse, process_indicators, lambda: ({}, {}))

    # ---- provinces.yaml
    regions: dict[str, S.Region] = {}

    cited: list[str] = []  # sources cited by provinces.yaml as a whole (``sources:``)

    def process_provinces(raw: Any) -> dict:
        regions.clear()
        regions.update(ld.records(ld.display(DATA_FILES["provinces"]), raw.get("regions"), S.Region, "regions"))
        provs = ld.records(ld.display(DATA_FILES["provinces"]), raw.get("provinces"), S.Province, "provinces")
        _check_provinces(ld, raw, provs, sources, regions)
        cited[:] = _file_sources(ld, DATA_FILES["provinces"], raw, sources)
        return provs

    provinces = ld.stage("provinces", yaml_parse, process_provinces, dict)
    try:
        districts = _district_index(data_dir)
    except Exception:  # noqa: BLE001 - the guard; boundaries are optional
        districts = {}
    if not districts:
        ld.failed.add("geo")
    ld.inputs = hashlib.sha256(b"\0".join(
        [ld.used.get(DATA_FILES[k], b"") for k in ("provinces", "indicators", "sources")]
        + [repr(sorted(districts)).encode()])).digest()

    # ---- the two CSV files
    values = ld.stage("values", csv_parse(S.REQUIRED_VALUE_COLUMNS, S.VALUE_COLUMNS),
                      lambda t: _check_values(ld, t, provinces, indicators, sources, districts),
                      lambda: _empty_values())
    generated = national_files(data_dir)
    if generated:
        # values.csv's checked rows are made from its content and what the check reads of the
        # other files: known both, known rows (the generated files' checks need not hash them)
        values_key = hashlib.sha256(b"values.csv\0" + ld.used.get(DATA_FILES["values"], b"") + _refs_digest(
            ld, provinces, indicators, sources, districts)).hexdigest().encode()
        ld.frame_keys[id(values)] = (values, values_key)
    national = [values]
    loaded = [(ld.display(DATA_FILES["values"]), values)]
    for path in generated:
        rel = f"{NATIONAL_DIR}/{path.name}"
        national.append(ld.stage(
            "national", lambda raw, file: _parse_values_fast(raw, file, ld),
            lambda t: _check_values_cached(ld, t, provinces, indicators, sources, districts, list(loaded)),
            lambda: _empty_values(), name=rel))
        loaded.append((ld.display(rel), national[-1]))
    # ``row`` is the line in its own file; ``file`` says which (values.csv, national/pci.csv)
    for (where, frame) in loaded:
        frame["file"] = _relative_name(ld, where)
    if len(national) > 1:
        values = _joined(ld, loaded)
    zones = ld.stage("zones", csv_parse(S.REQUIRED_ZONE_COLUMNS, S.ZONE_COLUMNS),
                     lambda t: _check_zones(ld, t, provinces, sources, districts),
                     lambda: pd.DataFrame(columns=_ZONE_FRAME_COLUMNS))

    used = set(values["source"].unique()) | set(zones["source"]) | set(cited) | {
        p.merger.source for p in provinces.values() if p.merger}
    for sid in sources if not ld.failed & {"values", "zones", "provinces"} else ():
        if sid not in used:
            ld.add(ld.display(DATA_FILES["sources"]), _entry_line(raws.get("sources"), "sources", sid), "id",
                   "source_unused", WARNING, text=sid)
    ld.mark_follow_ons()
    return Dataset(data_dir, meta, provinces, indicators, sources, values, zones,
                   ld.problems, ld.stale, districts, _fingerprint(ld, data_dir), concepts, dict(regions))


#: The joined frame of values.csv and the generated files, by the keys of their checks.
_JOINED: dict[bytes, pd.DataFrame] = {}
_JOINED_SIZE = 2


def _joined(ld: _Loader, loaded: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """values.csv and the generated files as one frame; reused while every part is the same."""
    def join() -> pd.DataFrame:
        frames = [f for _, f in loaded]
        out = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
        out["rank_of"] = out["rank_of"].astype("Int64")
        return out

    tokens = [ld.frame_keys.get(id(f)) for _, f in loaded]
    if not all(t is not None and t[0] is f for t, (_, f) in zip(tokens, loaded)):
        return join()
    key = hashlib.sha256(b"\0".join(w.encode() + t[1] for t, (w, _) in zip(tokens, loaded))).digest()
    with _LAST_GOOD_LOCK:
        hit = _JOINED.get(key)
    if hit is not None:
        return hit.copy()
    out = join()
    with _LAST_GOOD_LOCK:
        _JOINED[key] = out.copy()
        while len(_JOINED) > _JOINED_SIZE:
            _JOINED.pop(next(iter(_JOINED)))
    return out


def _fingerprint(ld: _Loader, data_dir: Path) -> str:
    """Hash of the bytes that were loaded plus the boundary files."""
    h = ld.digest.copy()
    geo = data_dir / GEO_DIR
    if geo.is_dir():
        for p in sorted(geo.glob("*.geojson")):
            h.update(p.name.encode())
            try:
                h.update(p.read_bytes())
            except OSError:
                h.update(b"<missing>")
    return h.hexdigest()[:16]


def _entry_line(raw: Any, key: str, ident: str) -> int | None:
    for e in (raw or {}).get(key) or []:
        if isinstance(e, dict) and e.get("id") == ident:
            return e.get("__line__")
    return None


def _check_provinces(ld: _Loader, raw: Any, provinces: dict, sources: dict, regions: dict | None = None) -> None:
    file = ld.display(DATA_FILES["provinces"])
    for pid, p in provinces.items():
        line = _entry_line(raw, "provinces", pid)
        if p.region and regions is not None and p.region not in regions:
            ld.add(file, line, "region", "not_allowed", text=p.region, allowed=", ".join(regions) or "-")
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


def _file_sources(ld: _Loader, name: str, raw: Any, sources: dict) -> list[str]:
    """The ``sources:`` list of a YAML file (sources of its codes that no figure cites):
    ids of sources.yaml; anything else is an error on that line."""
    file = ld.display(name)
    entries = raw.get("sources")
    line = raw.get("__lines__", {}).get("sources")
    if entries is None:
        return []
    if not isinstance(entries, list):
        ld.add(file, line, "sources", "yaml_not_list", field="sources")
        return []
    out = []
    for sid in entries:
        if not isinstance(sid, str) or sid not in sources:
            ld.add(file, line, "sources", "unknown_source", text=str(sid))
        else:
            out.append(sid)
    return out


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
    "rank_of", "district", "source", "derived", "derivation", "derivation_vi", "derivation_en",
    "period_inferred", "confidence", "note_vi", "note_en", "row", "year_start", "year_end", "topic", "concept", "scope_rank",
]


def _relative_name(ld: _Loader, shown: str) -> str:
    """``data/national/pci.csv`` -> ``national/pci.csv``."""
    prefix = ld.data_dir.name + "/"
    return shown[len(prefix):] if shown.startswith(prefix) else shown


def _empty_values() -> pd.DataFrame:
    df = pd.DataFrame(columns=_VALUE_FRAME_COLUMNS + ["file"])
    df["rank_of"] = df["rank_of"].astype("Int64")
    return df


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
        if r.derived and not (r.derivation_vi or r.derivation_en):
            err("derivation_vi", "derivation_missing")
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
        _check_note(ld, file, row_no, r)
        _check_note(ld, file, row_no, r, "derivation_")
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


def _check_note(ld: _Loader, file: str, row: int | None, obj: Any, prefix: str = "note_") -> None:
    """A note in one language only is a warning naming the missing column (``note_vi``)."""
    vi, en = (getattr(obj, prefix + "vi", None), getattr(obj, prefix + "en", None)) if prefix in (
        "note_", "derivation_") else (obj.vi, obj.en)
    kind = "derivation" if prefix == "derivation_" else "note"
    if en and not vi:
        ld.add(file, row, prefix + "vi", kind + "_vi_missing", WARNING, field=prefix + "vi")
    elif vi and not en:
        ld.add(file, row, prefix + "en", kind + "_en_missing", WARNING, field=prefix + "en")


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
        _check_note(ld, file, row_no, z)
        records.append({
            **z.model_dump(), "row": row_no,
            "area": float(z.area_ha) if z.area_ha is not None else float("nan"),
            "occupancy": float(z.occupancy_pct) if z.occupancy_pct is not None else float("nan"),
            "latitude": float(z.lat) if z.lat is not None else float("nan"),
            "longitude": float(z.lon) if z.lon is not None else float("nan"),
        })
    return pd.DataFrame(records, columns=_ZONE_FRAME_COLUMNS)


def ordered(problems: list[Problem]) -> list[Problem]:
    """Root causes (whole-file errors) first, then row errors, follow-ons, warnings."""
    def key(p: Problem) -> tuple:
        rank = 0 if p.is_root else 1 if p.is_error and not p.follow_on else 2 if p.is_error else 3
        return (rank, p.file, p.row or 0, p.column or "")
    return sorted(problems, key=key)


def problems_report(problems: list[Problem], lang: str = "vi", warnings: bool = True) -> list[str]:
    """Lines ``FILE:ROW:COLUMN: message``: root causes first, then the other errors.

    Problems that only repeat a whole-file failure (follow-ons) are summarised in one line;
    with errors present, warnings are summarised in one line unless ``warnings`` is true.
    """
    from .i18n import t

    lines: list[str] = []
    follow = [p for p in problems if p.follow_on]
    rest = [p for p in ordered(problems) if not p.follow_on]
    errors = [p for p in rest if p.is_error]
    lines += [p.line(lang) for p in errors]
    if follow:
        files = ", ".join(dict.fromkeys(p.file for p in follow))
        lines.append(t("validation.follow_ons", lang, n=len(follow), files=files))
    warns = [p for p in rest if not p.is_error]
    if warns and (warnings or not errors):
        lines += [p.line(lang) for p in warns]
    elif warns:
        lines.append(t("validation.warnings_hidden", lang, n=len(warns)))
    return lines
