"""Reading the edit history (``data/.history/``) that :mod:`dashboard.store` writes.

Kept apart from the store so that the loader (:mod:`dashboard.data`) can ask for the last
good version of a broken file after a restart without importing the store (which imports
the loader to validate saves). Only reads; never raises on a damaged history.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Mapping

HISTORY_DIR = ".history"
INDEX = "index.jsonl"


def folder(data_dir: Path | str) -> Path:
    return Path(data_dir) / HISTORY_DIR


def entries(data_dir: Path | str) -> list[dict]:
    """The index, in the order written; a line cut by a crash is skipped."""
    try:
        text = (folder(data_dir) / INDEX).read_text(encoding="utf-8")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:  # a line cut by a crash: the entry was not completed
            continue
        if isinstance(item, dict) and "id" in item:
            out.append(item)
    return out


def blob_bytes(data_dir: Path | str, entry: Mapping[str, Any]) -> bytes | None:
    """The stored bytes of one entry (None when missing)."""
    try:
        return (folder(data_dir) / entry["blob"]).read_bytes()
    except (OSError, KeyError, TypeError):
        return None


def last_good(data_dir: Path | str, file: str) -> bytes | None:
    """The newest stored version of ``file`` that was validated (saved by the app, or found
    without a whole-file error) and whose bytes still match their hash; None otherwise."""
    for e in reversed(entries(data_dir)):
        if e.get("file") == file and e.get("checked"):
            raw = blob_bytes(data_dir, e)
            if raw is not None and hashlib.sha256(raw).hexdigest() == e.get("version"):
                return raw
    return None
