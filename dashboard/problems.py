"""Problems found in ``data/``: data, never exceptions.

A :class:`Problem` names the file, the row (the line a spreadsheet or editor shows; the
header is row 1; ``None`` for a whole-file problem), the column (or YAML field), a
message code and its parameters. The text is produced in the reader's language from the
``validation.*`` entries of the locale catalogues, so the same problem reads
``data/values.csv:14:value: "8,58" không phải là số …`` in Vietnamese and in English with
``--lang en``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .i18n import t

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (``error``) or worth a look (``warning``) in a data file."""

    file: str
    row: int | None
    column: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    severity: str = ERROR
    #: True when the problem only repeats a whole-file failure elsewhere (a row naming a
    #: province of a provinces.yaml that could not be read): reported as one summary line.
    follow_on: bool = False
    #: True for the error that made a whole file unusable (broken YAML on line 20, a folder
    #: in place of the file): the first thing to fix.
    root: bool = False

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def is_root(self) -> bool:
        """An error about a file as a whole: the first thing to fix."""
        return self.is_error and (self.root or self.row is None) and not self.follow_on

    def message(self, lang: str = "vi") -> str:
        """The plain-language message with the fix, in ``lang``."""
        params = {k: _show(v) for k, v in self.params.items()}
        return t(f"validation.{self.code}", lang, **params)

    def location(self) -> str:
        row = "-" if self.row is None else str(self.row)
        col = self.column or "-"
        return f"{self.file}:{row}:{col}"

    def line(self, lang: str = "vi") -> str:
        """``FILE:ROW:COLUMN: message`` — the form the validate command prints."""
        prefix = "" if self.is_error else t("validation.warning_prefix", lang)
        return f"{self.location()}: {prefix}{self.message(lang)}"


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value)
    return str(value)
