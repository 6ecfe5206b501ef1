"""A per-user disk cache of checked tables: a restarted server need not check again the
generated national files (thousands of rows) that did not change.

Where
    ``$DASHBOARD_CACHE_DIR`` when set (set but empty: no disk cache), else
    ``$XDG_CACHE_HOME/so-sanh-tinh``, else ``~/.cache/so-sanh-tinh``. Never inside the data
    folder (staff, the data package, the offline bundle and the editing history never see
    it): such a folder is not used. A folder that cannot be created or written, that
    belongs to another user or that others may write is not used either. Without a usable
    folder everything works as before, only without the disk cache.
What
    One file per name (the latest entry only, so the folder stays small). An entry is
    ``MAGIC``, a CRC-32 of the rest, the length of a JSON header, the header (the caller's
    keys and plain data) and an Arrow IPC file of one frame -- no pickle: reading an entry
    runs no code. An entry is stored only when it reads back exactly as given (frame,
    dtypes, header); a damaged, partial or foreign file reads as no entry. Writes go to a
    temporary file in the same folder, then :func:`os.replace`.
Keys
    Are the caller's (:mod:`dashboard.data`): the file's content hash, everything its check
    depends on and a hash of the code. This module only stores and verifies.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
import struct
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ENV = "DASHBOARD_CACHE_DIR"
APP = "so-sanh-tinh"
MAGIC = b"so-sanh-tinh checked table 1\n"
SUFFIX = ".arrow"
TEMP_PREFIX = ".tmp-"
TEMP_SUFFIX = SUFFIX + ".part"
#: No entry is anywhere near this (a checked national file is 1-2 MB); larger is not read.
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_HEAD = struct.Struct(">II")  # CRC-32 of header + body, header length


def directory(data_dir: Path | str | None = None) -> Path | None:
    """The cache folder, created if needed, or None when there is no usable one."""
    value = os.environ.get(ENV)
    try:
        if value is not None:
            if not value.strip():
                return None
            base = Path(value).expanduser()
        else:
            xdg = os.environ.get("XDG_CACHE_HOME", "")
            base = (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache") / APP
        base = base.resolve()
        if data_dir is not None:  # checked before anything is created
            data = Path(data_dir).resolve()
            if base == data or data in base.parents:
                return None
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = base.stat()
        if not stat.S_ISDIR(st.st_mode):
            return None
        # others may write it, or it is someone else's: their files are not read (on Windows
        # the mode bits mean nothing; the profile folder is private)
        if os.name != "nt" and (st.st_mode & 0o022 or st.st_uid != os.getuid()):
            return None
        if not os.access(base, os.W_OK | os.X_OK):
            return None
    except (OSError, RuntimeError, ValueError):  # no home, no permission, a file in its place
        return None
    return base


def entry_path(base: Path, name: str) -> Path:
    """The one file of ``name`` in ``base``: a readable part and a hash of the whole name."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[-48:].lstrip(".") or "entry"
    return base / f"{slug}-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}{SUFFIX}"


class Entry:
    """A verified entry: its header now, its frame when asked (:meth:`frame`)."""

    def __init__(self, header: dict, body: memoryview) -> None:
        self.header = header
        self._body = body

    def frame(self) -> pd.DataFrame | None:
        """The stored frame, or None when it does not decode to the columns and dtypes stored."""
        try:
            out = _decode(self._body, self.header["kinds"])
        except Exception:  # noqa: BLE001 - a damaged entry is no entry
            return None
        if [list(out.columns), _dtypes(out)] != [self.header.get("columns"), self.header.get("dtypes")]:
            return None
        return out


def load(name: str, data_dir: Path | str | None = None) -> Entry | None:
    """The entry stored under ``name``, checked (format, checksum, header); None when there
    is none, no usable folder, or the file is damaged, partial or not an entry."""
    base = directory(data_dir)
    if base is None:
        return None
    try:
        path = entry_path(base, name)
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY_BYTES:
            return None
        blob = path.read_bytes()
        if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + _HEAD.size:
            return None
        crc, hlen = _HEAD.unpack_from(blob, len(MAGIC))
        start = len(MAGIC) + _HEAD.size
        view = memoryview(blob)[start:]
        if zlib.crc32(view) != crc or hlen > len(view):
            return None
        header = json.loads(bytes(view[:hlen]).decode("utf-8"))
        if not isinstance(header, dict) or header.get("name") != name:
            return None
        return Entry(header, view[hlen:])
    except Exception:  # noqa: BLE001 - a damaged entry is no entry
        return None


def store(name: str, header: dict, frame: pd.DataFrame, data_dir: Path | str | None = None) -> bool:
    """Keep ``frame`` with ``header`` (plain JSON data) as the entry of ``name``, replacing
    the one before. Nothing is stored (False) unless both read back exactly as given."""
    base = directory(data_dir)
    if base is None:
        return False
    tmp = None
    try:
        kinds = [_kind(t) for t in frame.dtypes]
        if None in kinds or not all(type(c) is str for c in frame.columns):
            return False
        header = {**header, "name": name, "columns": list(frame.columns), "dtypes": _dtypes(frame),
                  "kinds": kinds}
        head = json.dumps(header, ensure_ascii=False, allow_nan=False, sort_keys=True).encode("utf-8")
        if json.loads(head.decode("utf-8")) != header:  # a tuple, a subclass...: not plain JSON
            return False
        body = _encode(frame)
        if not same_frame(_decode(memoryview(body), kinds), frame):
            return False
        crc = zlib.crc32(body, zlib.crc32(head))
        _remove_stale_temps(base)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=base)
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + _HEAD.pack(crc, len(head)) + head + body)
        os.replace(tmp, entry_path(base, name))
        tmp = None
        return True
    except Exception:  # noqa: BLE001 - the cache is an optimisation: never an error
        return False
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def clear(data_dir: Path | str | None = None) -> int:
    """Delete every entry (and leftover temporary file) of the cache folder; how many.
    Only files that are entries by name and content: nothing else in the folder is touched."""
    base = directory(data_dir)
    if base is None:
        return 0
    count = 0
    for path in base.iterdir():
        try:
            if _is_temp(path) or _is_entry(path):
                path.unlink()
                count += 1
        except OSError:
            pass
    return count


def _is_temp(path: Path) -> bool:
    return path.name.startswith(TEMP_PREFIX) and path.name.endswith(TEMP_SUFFIX) and path.is_file()


def _is_entry(path: Path) -> bool:
    if not path.name.endswith(SUFFIX) or path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC


def same_frame(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """The same columns, dtypes, index and values (NaN equal to NaN)."""
    return (list(a.columns) == list(b.columns) and _dtypes(a) == _dtypes(b)
            and type(a.index) is type(b.index) and a.index.equals(b.index) and a.equals(b))


def _dtypes(frame: pd.DataFrame) -> list[str]:
    return [repr(t) for t in frame.dtypes]


def _kind(dtype: Any) -> list | None:
    """How a column of ``dtype`` is rebuilt from Arrow (plain JSON), or None: not stored."""
    if isinstance(dtype, pd.StringDtype):
        return ["string", dtype.storage, "nan" if dtype.na_value is not pd.NA else "NA"]
    if isinstance(dtype, pd.Int64Dtype):
        return ["Int64"]
    if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        return ["numpy", dtype.str]
    return None


def _encode(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(None)  # rebuilt from the header's kinds, not from it
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _decode(body: memoryview, kinds: list) -> pd.DataFrame:
    """The frame of an Arrow IPC file, each column rebuilt as its kind says (only the kinds
    :func:`_kind` names: a string, a nullable integer, a plain number or flag)."""
    import pyarrow as pa

    table = pa.ipc.open_file(pa.py_buffer(body)).read_all()
    if len(kinds) != table.num_columns:
        raise ValueError("columns and kinds differ")
    columns: dict[str, Any] = {}
    for name, column, kind in zip(table.column_names, table.columns, kinds):
        if kind[0] == "string" and kind[1] in ("pyarrow", "python") and kind[2] in ("nan", "NA"):
            dtype = pd.StringDtype(kind[1], na_value=np.nan if kind[2] == "nan" else pd.NA)
            columns[name] = dtype.__from_arrow__(column)
        elif kind == ["Int64"]:
            columns[name] = pd.Int64Dtype().__from_arrow__(column)
        elif kind[0] == "numpy" and len(kind) == 2 and np.dtype(kind[1]).kind in "biuf" \
                and (column.null_count == 0 or np.dtype(kind[1]).kind == "f"):
            columns[name] = np.array(column.to_numpy(), dtype=np.dtype(kind[1]))  # a writable copy
        else:
            raise ValueError(f"unknown column kind {kind!r}")
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows), copy=False)


def _remove_stale_temps(base: Path, age_s: float = 600.0) -> None:
    """Temporary files of writes that never finished (a killed process), after ``age_s``."""
    now = time.time()
    for path in base.glob(TEMP_PREFIX + "*" + TEMP_SUFFIX):
        try:
            if _is_temp(path) and now - path.stat().st_mtime > age_s:
                path.unlink()
        except OSError:
            pass


def plain(value: Any) -> bool:
    """True when ``value`` is made of JSON's own types only (str, int, float, bool, None,
    lists and str-keyed dicts of them), so that it reads back as it was."""
    if value is None or type(value) in (str, int, bool):
        return True
    if type(value) is float:
        return math.isfinite(value)
    if type(value) is list:
        return all(plain(v) for v in value)
    if type(value) is dict:
        return all(type(k) is str and plain(v) for k, v in value.items())
    return False
