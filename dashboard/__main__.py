"""Command line: ``python -m dashboard validate [DATA_DIR] [--lang vi|en]``.

Prints one line per problem, ``FILE:ROW:COLUMN: message`` (errors first), then a summary.
Exit status 1 when there is at least one error, 0 otherwise (warnings do not fail).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .data import load_dataset, problems_report
from .i18n import LANGS, t

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard")
    sub = parser.add_subparsers(dest="command", required=True)
    val = sub.add_parser("validate", help="check the data package / kiểm tra dữ liệu")
    val.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA))
    val.add_argument("--lang", choices=LANGS, default="vi")
    args = parser.parse_args(argv)

    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")  # Windows consoles
    ds = load_dataset(args.data_dir)
    for line in problems_report(ds.problems, args.lang):
        print(line)
    n_err, n_warn = len(ds.errors), len(ds.warnings)
    print(t("validation.summary", args.lang, errors=n_err, warnings=n_warn,
            values=len(ds.values), zones=len(ds.zones)))
    return 1 if n_err else 0


if __name__ == "__main__":
    sys.exit(main())
