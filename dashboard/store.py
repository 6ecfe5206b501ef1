"""Saving staff edits to the curated data files without losing anything.

The editing page (built elsewhere) reads a file (:func:`read`), lets staff change rows and
hands the change set to :func:`save`. Everything here is plain Python; no Streamlit.

What a save guarantees
    * One writer at a time, across processes and threads: ``data/.history/.lock``
      (:mod:`filelock`). ``allowed()`` is the first thing called under the lock; ``False``
      writes nothing (:class:`NotAllowed`).
    * Row-level merge: the change set is applied to the file *as it is now*. A changed or
      removed row must still equal its ``before``, an added key must not exist yet; otherwise
      :class:`Conflict` says what the other edit did to those rows. Edits to other rows
      (by the app or by hand) are kept.
    * The whole dataset is validated first: the candidate file is placed in a temporary
      copy of the data folder and loaded with :func:`dashboard.data.load_dataset`. The save
      is refused (:class:`Refused`, code ``invalid``) when the candidate has an error the
      current files do not have (see :func:`_new_errors`); errors that were already there do
      not block it. A refused save leaves every data file byte-identical.
    * Atomic replace: temporary file in the same folder, flush, fsync, ``os.replace``, fsync
      of the folder. A process killed at any moment leaves the old file or the new one, whole.
    * History (``data/.history/``): ``index.jsonl`` (one JSON object a line) and the full
      bytes of every version (``<stem>/<UTC time>-<sha12>.<ext>``). The version before the
      first save is recorded first, and a version changed outside the app (by hand) is
      recorded, as editor :data:`OUTSIDE`, the first time the store sees it. Nothing is
      ever deleted (retention: everything).

Text is kept as it is
    CSV: only the changed lines are rewritten (``csv`` module, ``,``, minimal quoting, the
    file's own line ending); every other line stays byte-identical. ``sources.yaml``: an
    entry is a ``- id: …`` block; only the changed blocks are rewritten (PyYAML dump) and
    the result is parsed again and compared with what was intended. Comments stay.

Rows are ``dict[str, str]``. In ``sources.yaml`` nested fields are flattened with dots
(``channel.vi``, ``licence.name``, ``note.en``); an empty cell means "field absent".
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock, Timeout

from . import data as D
from .csvio import NumberError, clip, parse_number, sniff_delimiter, split_line
from .i18n import t
from . import history as _hist
from .problems import Problem

#: Files staff may edit in the app: file name -> key columns.
EDITABLE: dict[str, tuple[str, ...]] = {
    "values.csv": ("province", "indicator", "period", "scope", "district"),
    "industrial_zones.csv": ("id",),
    "sources.yaml": ("id",),
}
HISTORY_DIR = _hist.HISTORY_DIR
INDEX = _hist.INDEX
LOCK = ".lock"
#: Seconds a save waits for another one before giving up (``Refused``, code ``busy``).
LOCK_TIMEOUT = 60
#: Editor recorded for a version found on disk that the app did not write.
OUTSIDE = "ngoài ứng dụng / outside the app"
BASELINE_NOTE = "phiên bản trước lần lưu đầu tiên trong ứng dụng / version before the first save in the app"
OUTSIDE_NOTE = "sửa trực tiếp trong tệp / edited directly in the file"
#: Cells that must be written as canonical numbers (see :func:`dashboard.csvio.parse_number`).
NUMBER_COLUMNS = {"values.csv": ("value", "rank_of"),
                  "industrial_zones.csv": ("area_ha", "occupancy_pct", "lat", "lon")}
_TMP_SUFFIX = ".store.tmp"
_BOM = b"\xef\xbb\xbf"
_CSV_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_YAML_BREAKS = "\r\n\x85\u2028\u2029"
_YAML_LINE = re.compile(rf"[^{_YAML_BREAKS}]*(?:\r\n|[{_YAML_BREAKS}])|[^{_YAML_BREAKS}]+\Z")
_YAML_WIDTH = 100


# ----------------------------------------------------------------------------- results

Row = dict[str, str]


@dataclass
class RowChange:
    """One row: added (``before`` None), removed (``after`` None) or changed.

    ``key``: the row's key values in :data:`EDITABLE` order (a tuple, or a dict by column);
    ``None`` takes it from ``before`` (else ``after``).
    """

    key: Any
    before: Row | None
    after: Row | None


@dataclass
class Diff:
    file: str
    added: list[Row] = field(default_factory=list)
    changed: list[tuple[Row, Row]] = field(default_factory=list)
    removed: list[Row] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self, lang: str = "vi") -> str:
        return t("store.summary", lang, file=self.file, added=len(self.added),
                 changed=len(self.changed), removed=len(self.removed))

    def changes(self) -> list[RowChange]:
        """The diff as a change set for :func:`save`."""
        key = EDITABLE.get(self.file, ())
        return ([RowChange(_key_of(r, key), None, r) for r in self.added]
                + [RowChange(_key_of(b, key), b, a) for b, a in self.changed]
                + [RowChange(_key_of(r, key), r, None) for r in self.removed])


@dataclass
class Snapshot:
    file: str
    version: str  # sha256 hex of the file's bytes
    rows: list[Row]
    columns: list[str]


@dataclass
class SaveResult:
    version: str
    diff: Diff
    history_id: str | None
    #: Warnings (not errors) the loader reports on the rows just written.
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class HistoryEntry:
    id: str
    file: str
    editor: str
    time: str  # UTC, ISO 8601
    note: str
    added: int
    changed: int
    removed: int
    version: str
    restored_from: str | None = None
    previous: str | None = None  # version of the file before this one (None: first seen)
    kind: str = "save"  # save | restore | baseline | outside
    data_version: str = ""  # data_version() right after this entry
    checked: bool = False  # validated (saved by the app, or loaded without a whole-file error)
    blob: str = ""  # path of the stored bytes, relative to .history


class StoreProblem(Problem):
    """A problem of a change set (not of a file on disk): its text is under ``store.``."""

    def message(self, lang: str = "vi") -> str:
        params = {k: str(v) for k, v in self.params.items()}
        return t(f"store.{self.code}", lang, **params)


class Refused(Exception):
    """The save did not happen; no data file changed. ``code`` names the reason."""

    def __init__(self, code: str, problems: Sequence[Problem] = (), **params: Any) -> None:
        self.code = code
        self.problems = list(problems)
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "vi") -> str:
        params = {k: str(v) for k, v in self.params.items()}
        if "reason" in params:
            params["why"] = t(f"store.why.{params['reason']}", lang)
        head = t(f"store.refused.{self.code}", lang, **params)
        return "\n".join([head] + [p.line(lang) for p in self.problems])


class Conflict(Refused):
    """Someone else changed the same rows since ``base_version``; ``other`` shows how."""

    def __init__(self, other: Diff, problems: Sequence[Problem] = ()) -> None:
        self.other = other
        super().__init__("conflict", problems, file=other.file, summary=other.summary("vi"))

    def message(self, lang: str = "vi") -> str:
        head = t("store.refused.conflict", lang, file=self.other.file, summary=self.other.summary(lang))
        return "\n".join([head] + [p.line(lang) for p in self.problems])


class NotAllowed(Refused):
    def __init__(self) -> None:
        super().__init__("not_allowed")


# ----------------------------------------------------------------------------- small helpers

def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _key_of(row: Mapping[str, str] | None, key: Sequence[str]) -> tuple[str, ...]:
    return tuple(str((row or {}).get(k, "") or "").strip() for k in key)


def _same(a: Mapping[str, str] | None, b: Mapping[str, str] | None) -> bool:
    if a is None or b is None:
        return a is b
    return all((a.get(k) or "") == (b.get(k) or "") for k in set(a) | set(b))


def _display(data_dir: Path, file: str) -> str:
    return f"{data_dir.name}/{file}"


def _check_file(file: str) -> None:
    if file in EDITABLE:
        return
    parts = file.replace("\\", "/").split("/")
    if parts[0] == D.NATIONAL_DIR:
        reason = "generated"
    elif parts[0] in ("raw", D.GEO_DIR):
        reason = "source_files"
    elif file in D.DATA_FILES.values():
        reason = "definitions"
    else:
        reason = "unknown"
    raise Refused("not_editable", file=file, reason=reason)


def _history(data_dir: Path) -> Path:
    return Path(data_dir) / HISTORY_DIR


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    hist = _history(data_dir)
    hist.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(hist / LOCK), timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except Timeout as err:
        raise Refused("busy") from err
    try:
        yield
    finally:
        lock.release()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(str(folder), os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open a folder
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, raw: bytes) -> None:
    """Replace ``path`` with ``raw`` so that a crash leaves the old or the new file, whole."""
    path = Path(path)
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=_TMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


def _clean_leftovers(data_dir: Path) -> None:
    """Temporary files of a save that was killed (only ours; called under the lock)."""
    for p in list(Path(data_dir).glob(f".*{_TMP_SUFFIX}")):
        with contextlib.suppress(OSError):
            p.unlink()
    for p in list(_history(data_dir).glob("check-*")):
        shutil.rmtree(p, ignore_errors=True)


# ----------------------------------------------------------------------------- CSV text

class _CsvDoc:
    """A CSV file as its physical lines; records keyed, every other line kept as it is."""

    shown = ""

    def __init__(self, raw: bytes, file: str, key: Sequence[str]) -> None:
        self.file = file
        self.key = tuple(key)
        self.bom = raw.startswith(_BOM)
        try:
            text = raw[3 if self.bom else 0:].decode("utf-8")
        except UnicodeDecodeError as err:
            raise Refused("format", file=file) from err
        self.lines: list[str] = _CSV_LINE.findall(text)
        first = next((i for i, ln in enumerate(self.lines) if ln.strip()), None)
        if first is None:
            raise Refused("format", file=file)
        term = self.lines[first][len(self.lines[first].rstrip("\r\n")):]
        self.newline = term or "\n"
        head = self.lines[first].rstrip("\r\n")
        if sniff_delimiter(head) != ",":
            raise Refused("format", file=file)
        cells, open_quote = split_line(head, ",")
        if open_quote:
            raise Refused("format", file=file)
        self.header = [h.strip().lstrip("\ufeff") for h in cells]
        if any(k not in self.header for k in self.key):
            raise Refused("format", file=file)
        self.header_line = first
        self.records: list[tuple[int, Row]] = []  # (line index, row)
        self.where: dict[tuple[str, ...], int] = {}  # key -> line index of its first record
        for i in range(first + 1, len(self.lines)):
            content = self.lines[i].rstrip("\r\n")
            if not content.strip() or "\x00" in content:
                continue
            try:
                rec, open_quote = split_line(content, ",")
            except csv.Error:
                continue
            if open_quote or len(rec) > len(self.header):
                continue
            rec = rec + [""] * (len(self.header) - len(rec))
            row = {h: c.strip() for h, c in zip(self.header, rec)}
            self.records.append((i, row))
            self.where.setdefault(_key_of(row, self.key), i)
        self._by_line = dict(self.records)

    def rows(self) -> list[Row]:
        return [row for _, row in self.records]

    def row(self, key: tuple[str, ...]) -> Row | None:
        i = self.where.get(key)
        return None if i is None else self._by_line[i]

    def line_of(self, key: tuple[str, ...]) -> int | None:
        i = self.where.get(key)
        return None if i is None else i + 1

    def next_line(self) -> int:
        return len(self.lines) + 1

    def render(self, row: Row) -> str:
        buf = io.StringIO()
        csv.writer(buf, delimiter=",", lineterminator="", quoting=csv.QUOTE_MINIMAL).writerow(
            [row.get(h, "") for h in self.header])
        return buf.getvalue()

    def apply(self, changes: list[tuple[tuple[str, ...], RowChange]]) -> tuple[bytes, set[int]]:
        """New bytes and the (1-based) lines written, after applying checked changes."""
        lines: list[str | None] = list(self.lines)
        marks: dict[int, bool] = {}
        added: list[str] = []
        for key, ch in changes:
            i = self.where.get(key)
            if ch.after is None:
                lines[i] = None  # type: ignore[index]
            elif ch.before is None:
                added.append(self.render(ch.after))
            else:
                old = lines[i] or ""
                lines[i] = self.render(ch.after) + old[len(old.rstrip("\r\n")):]
                marks[i] = True
        kept: list[str] = []
        touched: set[int] = set()
        for i, ln in enumerate(lines):
            if ln is None:
                continue
            kept.append(ln)
            if marks.get(i):
                touched.add(len(kept))
        if added:
            if kept and not kept[-1].endswith(("\n", "\r")):
                kept[-1] += self.newline
            for text in added:
                kept.append(text + self.newline)
                touched.add(len(kept))
        out = "".join(kept).encode("utf-8")
        return (_BOM + out if self.bom else out), touched


# ----------------------------------------------------------------------------- YAML text

def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, dict)):
        raise ValueError("nested list")
    return str(value)


def _flatten(entry: Mapping[str, Any], prefix: str = "") -> Row:
    out: Row = {}
    for k, v in entry.items():
        if isinstance(v, Mapping):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = _scalar(v)
    return out


def _unflatten(row: Row, order: Sequence[str], file: str, line: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    keys = [k for k in order if k in row] + [k for k in row if k not in order]
    for k in keys:
        value = row[k]
        if value == "":
            continue
        node = entry
        parts = k.split(".")
        for p in parts[:-1]:
            child = node.setdefault(p, {})
            if not isinstance(child, dict):
                raise Refused("cells", [StoreProblem(file, line, k, "yaml_shape", {"field": k})])
            node = child
        if isinstance(node.get(parts[-1]), dict):
            raise Refused("cells", [StoreProblem(file, line, k, "yaml_shape", {"field": k})])
        node[parts[-1]] = value
    return entry


def _prune(row: Row) -> Row:
    return {k: v for k, v in row.items() if v != ""}


class _YamlDoc:
    """``sources.yaml`` as text: the header, then one ``- id: …`` block per entry."""

    LIST = "sources"
    shown = ""

    def __init__(self, raw: bytes, file: str, key: Sequence[str] = ("id",)) -> None:
        self.file = file
        self.key = tuple(key)
        self.bom = raw.startswith(_BOM)
        try:
            text = raw[3 if self.bom else 0:].decode("utf-8")
            parsed = yaml.safe_load(text)
        except (UnicodeDecodeError, yaml.YAMLError) as err:
            raise Refused("format", file=file) from err
        if not isinstance(parsed, dict) or not isinstance(parsed.get(self.LIST), list):
            raise Refused("format", file=file)
        self.parsed = parsed
        self.lines: list[str] = _YAML_LINE.findall(text)
        first_term = next((ln[len(ln.rstrip(_YAML_BREAKS)):] for ln in self.lines
                           if ln.rstrip(_YAML_BREAKS) != ln), "\n")
        self.newline = first_term
        start = [i for i, ln in enumerate(self.lines) if re.match(rf"{self.LIST}:\s*(#.*)?$", ln.rstrip(_YAML_BREAKS))]
        if len(start) != 1:
            raise Refused("format", file=file)
        end = len(self.lines)
        for i in range(start[0] + 1, len(self.lines)):
            ln = self.lines[i].rstrip(_YAML_BREAKS)
            if ln and not ln[0].isspace() and not ln.startswith(("#", "-")):
                end = i
                break
        item = re.compile(r"( *)- ")
        starts = [i for i in range(start[0] + 1, end) if item.match(self.lines[i])]
        self.indent = item.match(self.lines[starts[0]]).group(1) if starts else ""
        starts = [i for i in starts if item.match(self.lines[i]).group(1) == self.indent]
        self.blocks: list[tuple[int, int]] = []
        for n, s in enumerate(starts):
            e = starts[n + 1] if n + 1 < len(starts) else end
            while e > s + 1 and (not self.lines[e - 1].strip() or self.lines[e - 1].lstrip().startswith("#")):
                e -= 1
            self.blocks.append((s, e))
        self.list_end = self.blocks[-1][1] if self.blocks else start[0] + 1
        entries = parsed[self.LIST]
        if len(entries) != len(self.blocks):
            raise Refused("format", file=file)
        self.records: list[tuple[int, Row]] = []
        self.order: dict[int, list[str]] = {}
        self.where: dict[tuple[str, ...], int] = {}
        for n, ((s, e), entry) in enumerate(zip(self.blocks, entries)):
            block = "".join(ln[len(self.indent):] for ln in self.lines[s:e])
            try:
                alone = yaml.safe_load(block)
                row = _flatten(entry) if isinstance(entry, dict) else None
            except (yaml.YAMLError, ValueError) as err:
                raise Refused("format", file=file) from err
            if row is None or alone != [entry]:
                raise Refused("format", file=file)
            self.records.append((n, row))
            self.order[n] = list(row)
            self.where.setdefault(_key_of(row, self.key), n)
        self.columns = list(dict.fromkeys(k for _, r in self.records for k in r))

    def rows(self) -> list[Row]:
        return [{c: r.get(c, "") for c in self.columns} for _, r in self.records]

    def row(self, key: tuple[str, ...]) -> Row | None:
        n = self.where.get(key)
        return None if n is None else {c: self.records[n][1].get(c, "") for c in self.columns}

    def line_of(self, key: tuple[str, ...]) -> int | None:
        n = self.where.get(key)
        return None if n is None else self.blocks[n][0] + 1

    def next_line(self) -> int:
        return self.list_end + 1

    def render(self, row: Row, order: Sequence[str], line: int | None) -> str:
        entry = _unflatten(row, order, self.shown, line)
        dumped = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=_YAML_WIDTH)
        return "".join(self.indent + ln + self.newline for ln in dumped.splitlines())

    def apply(self, changes: list[tuple[tuple[str, ...], RowChange]]) -> tuple[bytes, set[int]]:
        replace: dict[int, str | None] = {}
        expected = {n: _prune(r) for n, r in self.records}
        added: list[str] = []
        new_entries: list[Row] = []
        for key, ch in changes:
            n = self.where.get(key)
            if ch.after is None:
                replace[n] = None  # type: ignore[index]
                expected.pop(n)  # type: ignore[arg-type]
            elif ch.before is None:
                added.append(self.render(ch.after, self.columns, None))
                new_entries.append(_prune(ch.after))
            else:
                replace[n] = self.render(ch.after, self.order[n], self.blocks[n][0] + 1)  # type: ignore[index]
                expected[n] = _prune(ch.after)  # type: ignore[index]
        out: list[str] = []
        touched: set[int] = set()

        def put(text: str, mark: bool) -> None:
            first = len(out) + 1
            pieces = _YAML_LINE.findall(text)
            out.extend(pieces)
            if mark:
                touched.update(range(first, first + len(pieces)))

        starts = {s: n for n, (s, _e) in enumerate(self.blocks)}
        i = 0
        while i < len(self.lines):
            if i == self.list_end and added:
                if out and not out[-1].endswith(tuple(_YAML_BREAKS)):
                    out[-1] += self.newline
                for text in added:
                    put(text, True)
                added = []
            n = starts.get(i)
            if n is not None and n in replace:
                if replace[n] is not None:
                    put(replace[n], True)  # type: ignore[arg-type]
                i = self.blocks[n][1]
                continue
            out.append(self.lines[i])
            i += 1
        if added:
            if out and not out[-1].endswith(tuple(_YAML_BREAKS)):
                out[-1] += self.newline
            for text in added:
                put(text, True)
        text = "".join(out)
        # the text must mean exactly what was intended: parse it again
        try:
            again = yaml.safe_load(text)
            got = [_prune(_flatten(e)) for e in again[self.LIST]]
        except Exception as err:  # noqa: BLE001 - any doubt refuses the save
            raise Refused("format", file=self.file) from err
        want = [expected[n] for n in sorted(expected)] + new_entries
        if got != want:
            raise Refused("format", file=self.file)
        raw = text.encode("utf-8")
        return (_BOM + raw if self.bom else raw), touched


def _doc(raw: bytes, file: str, shown: str | None = None) -> _CsvDoc | _YamlDoc:
    key = EDITABLE[file]
    doc = _YamlDoc(raw, file, key) if file.endswith(".yaml") else _CsvDoc(raw, file, key)
    doc.shown = shown or file
    return doc


def _doc_rows(raw: bytes | None, file: str) -> list[Row] | None:
    if raw is None:
        return None
    try:
        return _doc(raw, file).rows()
    except Refused:
        return None


# ----------------------------------------------------------------------------- reading, diffs

def read(data_dir: Path | str, file: str) -> Snapshot:
    """The file's rows (records as ``dict[str, str]`` in column order) and its version."""
    _check_file(file)
    path = Path(data_dir) / file
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise Refused("missing", file=file) from err
    doc = _doc(raw, file)
    columns = list(doc.columns) if isinstance(doc, _YamlDoc) else list(doc.header)
    return Snapshot(file, _sha(raw), doc.rows(), columns)


def version_of(data_dir: Path | str, file: str) -> str:
    """sha256 of the file's bytes as they are now (also when :func:`read` cannot parse it,
    e.g. a file broken by hand that is to be restored); ``""`` for a missing file."""
    _check_file(file)
    try:
        return _sha((Path(data_dir) / file).read_bytes())
    except OSError:
        return ""


def diff(old_rows: Iterable[Mapping[str, str]], new_rows: Iterable[Mapping[str, str]],
         key: Sequence[str], file: str = "") -> Diff:
    """Rows added, changed (same key, other cells) and removed, matched by ``key``."""
    old = {}
    for r in old_rows:
        old.setdefault(_key_of(r, key), dict(r))
    new = {}
    for r in new_rows:
        new.setdefault(_key_of(r, key), dict(r))
    out = Diff(file)
    for k, r in new.items():
        if k not in old:
            out.added.append(r)
        elif not _same(old[k], r):
            out.changed.append((old[k], r))
    out.removed = [r for k, r in old.items() if k not in new]
    return out


def data_version(data_dir: Path | str) -> str:
    """12 hex digits over every file the loader reads (name and bytes); changes on any edit."""
    data_dir = Path(data_dir)
    paths = [data_dir / n for n in D.DATA_FILES.values()] + D.national_files(data_dir)
    geo = data_dir / D.GEO_DIR
    if geo.is_dir():
        paths += sorted(geo.glob("*.geojson"))
    h = hashlib.sha256()
    for p in paths:
        h.update(p.relative_to(data_dir).as_posix().encode() + b"\0")
        try:
            h.update(hashlib.sha256(p.read_bytes()).digest())
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()[:12]


# ----------------------------------------------------------------------------- history

def _entries(data_dir: Path) -> list[dict]:
    return _hist.entries(data_dir)


def _append_entry(data_dir: Path, entry: dict) -> None:
    path = _history(data_dir) / INDEX
    line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
    with open(path, "ab") as fh:
        if fh.tell():  # a line cut by an earlier crash must not swallow this one
            with open(path, "rb") as last:
                last.seek(-1, os.SEEK_END)
                if last.read(1) != b"\n":
                    fh.write(b"\n")
        fh.write(line.encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())


def _blob_bytes(data_dir: Path, entry: Mapping[str, Any]) -> bytes | None:
    return _hist.blob_bytes(data_dir, entry)


def _bytes_of_version(data_dir: Path, file: str, version: str, entries: list[dict]) -> bytes | None:
    for e in reversed(entries):
        if e.get("file") == file and e.get("version") == version:
            raw = _blob_bytes(data_dir, e)
            if raw is not None and _sha(raw) == version:
                return raw
    return None


def _latest(entries: list[dict], file: str) -> dict | None:
    return next((e for e in reversed(entries) if e.get("file") == file and e.get("kind") != "mark"), None)


def _state(data_dir: Path) -> dict[str, str]:
    out = {}
    for f in EDITABLE:
        try:
            out[f] = _sha((Path(data_dir) / f).read_bytes())
        except OSError:
            out[f] = ""
    return out


def _record(data_dir: Path, file: str, raw: bytes, *, editor: str, note: str, kind: str,
            previous: str | None, counts: Diff | None, restored_from: str | None, checked: bool,
            entries: list[dict]) -> dict:
    """Store ``raw`` (unless this version is already stored) and append its index entry."""
    when = _now()
    version = _sha(raw)
    stamp = when.strftime("%Y%m%dT%H%M%S%fZ")
    stem, ext = os.path.splitext(file)
    existing = next((e["blob"] for e in reversed(entries) if e.get("file") == file
                     and e.get("version") == version and _blob_bytes(data_dir, e) == raw), None)
    blob = existing or f"{stem}/{stamp}-{version[:12]}{ext}"
    if existing is None:
        target = _history(data_dir) / blob
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, raw)
    entry = {
        "id": f"{stamp}-{stem}-{version[:12]}", "file": file, "editor": editor, "time": _iso(when),
        "note": note, "added": len(counts.added) if counts else 0,
        "changed": len(counts.changed) if counts else 0, "removed": len(counts.removed) if counts else 0,
        "version": version, "previous": previous, "restored_from": restored_from, "kind": kind,
        "data_version": data_version(data_dir), "state": _state(data_dir), "checked": checked, "blob": blob,
    }
    _append_entry(data_dir, entry)
    entries.append(entry)
    return entry


def _sync(data_dir: Path, broken: set[str] | None = None) -> list[dict]:
    """Record every editable file whose current version the history does not end with.

    The first time: the version before any save (``baseline``); later: a version written
    outside the app. ``broken``: files with a whole-file error (or kept at their last good
    version) in the current load; their version is not marked ``checked`` (not a last good
    version). Loaded here when not given and something is to be recorded. Also remembers
    the current data version. Call under the lock. Returns the index entries.
    """
    entries = _entries(data_dir)
    for file in EDITABLE:
        try:
            raw = (Path(data_dir) / file).read_bytes()
        except OSError:
            continue
        last = _latest(entries, file)
        if last is not None and last.get("version") == _sha(raw):
            continue
        if broken is None:  # something to record: is it usable as a last good version?
            broken = _root_broken(D.load_dataset(data_dir))
        checked = file not in broken
        if last is None:
            _record(data_dir, file, raw, editor=OUTSIDE, note=BASELINE_NOTE, kind="baseline", previous=None,
                    counts=None, restored_from=None, checked=checked, entries=entries)
            continue
        old = _doc_rows(_blob_bytes(data_dir, last), file)
        new = _doc_rows(raw, file)
        counts = diff(old, new, EDITABLE[file], file) if old is not None and new is not None else None
        _record(data_dir, file, raw, editor=OUTSIDE, note=OUTSIDE_NOTE, kind="outside",
                previous=last.get("version"), counts=counts, restored_from=None, checked=checked,
                entries=entries)
    current = data_version(data_dir)
    if not any(e.get("data_version") == current for e in entries):
        entry = {"id": f"{_now().strftime('%Y%m%dT%H%M%S%fZ')}-mark-{current}", "kind": "mark",
                 "time": _iso(_now()), "data_version": current, "state": _state(data_dir)}
        _append_entry(data_dir, entry)
        entries.append(entry)
    return entries


def note_data_version(data_dir: Path | str) -> str:
    """Record the current files (hand edits included) and return :func:`data_version`.

    For the share-link code: a link carrying this version can later be answered by
    :func:`changes_since`. Takes the lock; does not validate.
    """
    data_dir = Path(data_dir)
    with _locked(data_dir):
        _sync(data_dir)
    return data_version(data_dir)


def _entry_obj(e: Mapping[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        id=e["id"], file=e["file"], editor=e.get("editor", ""), time=e.get("time", ""),
        note=e.get("note", ""), added=int(e.get("added") or 0), changed=int(e.get("changed") or 0),
        removed=int(e.get("removed") or 0), version=e.get("version", ""),
        restored_from=e.get("restored_from"), previous=e.get("previous"), kind=e.get("kind", "save"),
        data_version=e.get("data_version", ""), checked=bool(e.get("checked")), blob=e.get("blob", ""))


def history(data_dir: Path | str, file: str | None = None) -> list[HistoryEntry]:
    """Every recorded version, newest first (of ``file`` only when given).

    Hand edits not yet recorded are recorded first (when the history folder is writable).
    """
    data_dir = Path(data_dir)
    if file is not None:
        _check_file(file)
    try:
        with _locked(data_dir):
            entries = _sync(data_dir)
    except (OSError, Refused):
        entries = _entries(data_dir)
    out = [_entry_obj(e) for e in entries if e.get("kind") != "mark" and (file is None or e.get("file") == file)]
    return out[::-1]


def _find(data_dir: Path, entry_id: str) -> tuple[dict, list[dict]]:
    entries = _entries(data_dir)
    for e in entries:
        if e.get("id") == entry_id and e.get("kind") != "mark":
            return e, entries
    raise Refused("unknown_entry", id=entry_id)


def history_diff(data_dir: Path | str, entry_id: str) -> Diff:
    """What this entry changed compared with the version before it (empty for the first)."""
    data_dir = Path(data_dir)
    e, entries = _find(data_dir, entry_id)
    file = e["file"]
    new = _doc_rows(_blob_bytes(data_dir, e), file) or []
    if not e.get("previous"):
        return Diff(file)
    old = _doc_rows(_bytes_of_version(data_dir, file, e["previous"], entries), file) or []
    return diff(old, new, EDITABLE[file], file)


def last_good(data_dir: Path | str, file: str) -> bytes | None:
    """The newest stored version of ``file`` that was validated (saved by the app, or
    found without a whole-file error); None when there is none."""
    return _hist.last_good(data_dir, file)


def changes_since(data_dir: Path | str, version: str) -> list[Diff] | None:
    """What changed in the editable files since data version ``version`` (one Diff per
    changed file); ``[]`` when nothing did; None when that version was never recorded."""
    data_dir = Path(data_dir)
    if version == data_version(data_dir):
        return []
    entries = _entries(data_dir)
    then = next((e for e in reversed(entries) if e.get("data_version") == version and e.get("state")), None)
    if then is None:
        return None
    out = []
    for file, sha in then["state"].items():
        if file not in EDITABLE:
            continue
        try:
            now_raw = (data_dir / file).read_bytes()
        except OSError:
            now_raw = None
        if now_raw is not None and _sha(now_raw) == sha:
            continue
        old = _doc_rows(_bytes_of_version(data_dir, file, sha, entries), file) if sha else []
        new = _doc_rows(now_raw, file) if now_raw is not None else []
        if old is None or new is None:
            continue
        d = diff(old, new, EDITABLE[file], file)
        if d:
            out.append(d)
    return out


# ----------------------------------------------------------------------------- validation

def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _relative_file(ds: D.Dataset, file: str) -> str:
    return ds.relative(file)


def _signature(ds: D.Dataset, p: Problem) -> tuple:
    return (_relative_file(ds, p.file), p.column or "", p.code)


def _new_errors(current: D.Dataset, candidate: D.Dataset, file: str, touched: set[int]) -> list[Problem]:
    """Errors the candidate brings.

    Rows move when lines are added or removed, so errors are compared by kind: (file,
    column, code) counted in both datasets. A kind that occurs more often in the candidate
    is new; every candidate error of that kind not at the same (file, row) in the current
    dataset is reported. Besides, any error on a line just written is new (a fixed error
    and a new one of the same kind would otherwise cancel out).
    """
    cur_count: dict[tuple, int] = {}
    for p in current.errors:
        k = _signature(current, p)
        cur_count[k] = cur_count.get(k, 0) + 1
    cand_count: dict[tuple, int] = {}
    for p in candidate.errors:
        k = _signature(candidate, p)
        cand_count[k] = cand_count.get(k, 0) + 1
    grown = {k for k, n in cand_count.items() if n > cur_count.get(k, 0)}
    old_at = {(_relative_file(current, p.file), p.row, p.column or "", p.code) for p in current.errors}
    out = []
    for p in candidate.errors:
        rel = _relative_file(candidate, p.file)
        on_touched = rel == file and p.row in touched
        if on_touched or (_signature(candidate, p) in grown and (rel, p.row, p.column or "", p.code) not in old_at):
            out.append(p)
    if not out and grown:  # a new error of a kind at a place that had one: report them all
        out = [p for p in candidate.errors if _signature(candidate, p) in grown]
    return out


def _load_candidate(data_dir: Path, file: str, raw: bytes) -> D.Dataset:
    """Load the dataset with ``raw`` in place of ``file`` (a linked copy under .history)."""
    work = Path(tempfile.mkdtemp(prefix="check-", dir=_history(data_dir)))
    copy = work / data_dir.name
    try:
        shutil.copytree(data_dir, copy, copy_function=_link_or_copy, symlinks=True,
                        ignore=lambda d, names: [n for n in names if (Path(d) == data_dir and n == HISTORY_DIR)
                                                 or n.endswith(_TMP_SUFFIX)])
        target = copy / file
        with contextlib.suppress(FileNotFoundError):
            target.unlink()  # a hard link to the real file: never write through it
        target.write_bytes(raw)
        return D.load_dataset(copy)
    finally:
        # NOTE: data.py remembers the last good parse per absolute path; this copy is gone.
        prefix = str(copy.resolve())
        with D._LAST_GOOD_LOCK:
            for k in [k for k in D._LAST_GOOD if k.startswith(prefix)]:
                D._LAST_GOOD.pop(k, None)
        shutil.rmtree(work, ignore_errors=True)


def _root_broken(ds: D.Dataset) -> set[str]:
    return {ds.relative(p.file) for p in ds.errors if p.row is None or p.root} | set(ds.stale_files)


def _check_cells(data_dir: Path, file: str, changes: list[tuple[tuple[str, ...], RowChange]],
                 doc: _CsvDoc | _YamlDoc) -> None:
    shown = _display(data_dir, file)
    columns = set(doc.header if isinstance(doc, _CsvDoc) else [])
    problems: list[Problem] = []
    extra = doc.next_line()
    for key, ch in changes:
        if ch.after is None:
            continue
        line = doc.line_of(key) if ch.before is not None else None
        if line is None:
            line, extra = extra, extra + 1
        for col, cell in ch.after.items():
            if not isinstance(cell, str):
                problems.append(StoreProblem(shown, line, col, "not_text", {"column": col}))
                continue
            if "\r" in cell or "\n" in cell or any(c in cell for c in "\x85\u2028\u2029"):
                problems.append(StoreProblem(shown, line, col, "line_break", {"column": col}))
            elif "\x00" in cell:
                problems.append(StoreProblem(shown, line, col, "nul", {"column": col}))
            elif columns and col not in columns:
                problems.append(StoreProblem(shown, line, col, "unknown_column",
                                             {"column": col, "known": ", ".join(doc.header)}))  # type: ignore[union-attr]
            elif col in NUMBER_COLUMNS.get(file, ()) and cell != "":
                try:
                    canonical = parse_number(cell)
                except NumberError as err:
                    problems.append(Problem(shown, line, col, err.code, err.params))
                    continue
                if canonical != cell:
                    problems.append(StoreProblem(shown, line, col, "not_canonical",
                                                 {"text": clip(cell), "fix": canonical}))
    if problems:
        raise Refused("cells", problems)


def _normalise(file: str, changes: list[RowChange] | Diff) -> list[tuple[tuple[str, ...], RowChange]]:
    key = EDITABLE[file]
    items = changes.changes() if isinstance(changes, Diff) else list(changes)
    out = []
    seen: set[tuple[str, ...]] = set()
    for ch in items:
        if ch.before is None and ch.after is None:
            continue
        if ch.key is None:
            k = _key_of(ch.before if ch.before is not None else ch.after, key)
        elif isinstance(ch.key, Mapping):
            k = _key_of(ch.key, key)
        else:
            k = tuple(str(v) for v in (ch.key if isinstance(ch.key, (tuple, list)) else (ch.key,)))
        if k in seen:
            raise Refused("duplicate_change", key=" / ".join(k))
        seen.add(k)
        out.append((k, ch))
    return out


def _conflicts(file: str, doc: _CsvDoc | _YamlDoc,
               changes: list[tuple[tuple[str, ...], RowChange]]) -> Diff:
    """What the current file has in place of each ``before`` that no longer holds."""
    other = Diff(file)
    key = EDITABLE[file]
    for k, ch in changes:
        now = doc.row(k)
        targets = [(k, ch.before, now)]
        if ch.before is not None and ch.after is not None:
            moved = _key_of(ch.after, key)
            if moved != k:  # the key itself is changed: the new key must be free
                targets.append((moved, None, doc.row(moved)))
        for _kk, before, current in targets:
            if _same(before, current):
                continue
            if before is None:
                other.added.append(current)  # type: ignore[arg-type]
            elif current is None:
                other.removed.append(before)
            else:
                other.changed.append((before, current))
    return other


def _write_checked(data_dir: Path, file: str, new_raw: bytes, touched: set[int]) -> tuple[list[Problem], set[str]]:
    """Validate ``new_raw`` as ``file`` against the whole dataset; raise Refused if it adds errors.

    Returns the candidate's warnings on the touched lines and the files broken now.
    """
    current = D.load_dataset(data_dir)
    candidate = _load_candidate(data_dir, file, new_raw)
    new = _new_errors(current, candidate, file, touched)
    if new:
        raise Refused("invalid", D.ordered(new), file=file)
    warnings = [p for p in candidate.warnings if candidate.relative(p.file) == file and p.row in touched]
    return warnings, _root_broken(current)


# ----------------------------------------------------------------------------- save, restore

def save(data_dir: Path | str, file: str, changes: list[RowChange] | Diff, *, base_version: str,
         editor: str, allowed: Callable[[], bool], note: str = "") -> SaveResult:
    """Apply a row-level change set to the current ``file`` (see the module docstring).

    Raises :class:`NotAllowed`, :class:`Conflict` or :class:`Refused`; then no data file
    changed.
    """
    data_dir = Path(data_dir)
    _check_file(file)
    items = _normalise(file, changes)
    path = data_dir / file
    with _locked(data_dir):
        if not allowed():
            raise NotAllowed()
        _clean_leftovers(data_dir)
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise Refused("missing", file=file) from err
        doc = _doc(raw, file, _display(data_dir, file))
        _check_cells(data_dir, file, items, doc)
        other = _conflicts(file, doc, items)
        if other:
            raise Conflict(other)
        # a column left out of ``after`` keeps its current cell (never blanked by omission)
        items = [(k, RowChange(ch.key, ch.before, {**(doc.row(k) or {}), **ch.after}))
                 if ch.before is not None and ch.after is not None else (k, ch) for k, ch in items]
        new_raw, touched = doc.apply(items)
        done = diff(doc.rows(), _doc(new_raw, file).rows(), EDITABLE[file], file)
        if new_raw == raw:
            return SaveResult(_sha(raw), done, None)
        warnings, broken = _write_checked(data_dir, file, new_raw, touched)
        entries = _sync(data_dir, broken)
        atomic_write(path, new_raw)
        entry = _record(data_dir, file, new_raw, editor=editor, note=note, kind="save", previous=_sha(raw),
                        counts=done, restored_from=None, checked=True, entries=entries)
    return SaveResult(entry["version"], done, entry["id"], warnings)


def restore(data_dir: Path | str, entry_id: str, *, editor: str, allowed: Callable[[], bool],
            base_version: str, note: str = "") -> SaveResult:
    """Write back the bytes of history entry ``entry_id`` exactly; a new history entry.

    ``base_version`` is the version of the file the person was looking at: when the file
    changed since, :class:`Conflict` shows what changed (nothing is overwritten unseen).
    """
    data_dir = Path(data_dir)
    with _locked(data_dir):
        if not allowed():
            raise NotAllowed()
        _clean_leftovers(data_dir)
        e, entries = _find(data_dir, entry_id)
        file = e["file"]
        _check_file(file)
        target = _blob_bytes(data_dir, e)
        if target is None or _sha(target) != e.get("version"):
            raise Refused("unknown_entry", id=entry_id)
        path = data_dir / file
        try:
            raw = path.read_bytes()
        except OSError:
            raw = b""
        if (_sha(raw) if raw or path.exists() else "") != base_version:
            base = _doc_rows(_bytes_of_version(data_dir, file, base_version, entries), file) or []
            raise Conflict(diff(base, _doc_rows(raw, file) or [], EDITABLE[file], file))
        now_rows = _doc_rows(raw, file) or []
        done = diff(now_rows, _doc_rows(target, file) or [], EDITABLE[file], file)
        if target == raw:
            return SaveResult(_sha(raw), done, None)
        warnings, broken = _write_checked(data_dir, file, target, _changed_lines(raw, target))
        entries = _sync(data_dir, broken)
        atomic_write(path, target)
        entry = _record(data_dir, file, target, editor=editor, note=note, kind="restore", previous=_sha(raw),
                        counts=done, restored_from=entry_id, checked=True, entries=entries)
    return SaveResult(entry["version"], done, entry["id"], warnings)


def _changed_lines(old: bytes, new: bytes) -> set[int]:
    """1-based lines of ``new`` that are not in ``old`` (by text)."""
    import difflib

    a = old.decode("utf-8", "replace").splitlines()
    b = new.decode("utf-8", "replace").splitlines()
    out: set[int] = set()
    for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("replace", "insert"):
            out.update(range(j1 + 1, j2 + 1))
    return out
