"""Command line: ``python -m dashboard validate [DATA_DIR] [--lang vi|en] [--warnings]``
(also ``import-national`` and ``datapackage [--check]``).

Prints one line per problem, ``FILE:ROW:COLUMN: message``: the root cause first (a file
that cannot be used as a whole), then the other errors, one line summing up the errors
that only follow from the root cause, then warnings (summarised in one line when there
are errors, unless ``--warnings``), then a summary. Exit status 1 when there is at least
one error, 0 otherwise (warnings do not fail). Never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .i18n import LANGS, t

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard")
    sub = parser.add_subparsers(dest="command", required=True)
    val = sub.add_parser("validate", help="check the data package / kiểm tra dữ liệu")
    val.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA))
    val.add_argument("--lang", choices=LANGS, default="vi")
    val.add_argument("--warnings", action="store_true",
                     help="list every warning even when there are errors / liệt kê mọi cảnh báo")
    imp = sub.add_parser("import-national", help="data/raw -> data/national/*.csv / nhập bảng toàn quốc")
    imp.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA))
    pkg = sub.add_parser("datapackage", help="schema -> data/datapackage.json / mô tả gói dữ liệu")
    pkg.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA))
    pkg.add_argument("--check", action="store_true", help="exit 1 when the file is out of date / chỉ kiểm tra")
    args = parser.parse_args(argv)

    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")  # Windows consoles
    if args.command == "import-national":
        from .national import ImportError_, run

        try:
            run(args.data_dir)
        except ImportError_ as err:
            print(f"import-national: {err}")
            return 1
        return 0
    if args.command == "datapackage":
        from . import datapackage

        if args.check:
            current = datapackage.is_current(args.data_dir)
            print(f"datapackage.json: {'up to date' if current else 'out of date — run python -m dashboard datapackage'}")
            return 0 if current else 1
        print(f"datapackage: wrote {datapackage.write(args.data_dir)}")
        return 0
    return validate(args.data_dir, args.lang, args.warnings)


def validate(data_dir: str, lang: str = "vi", warnings: bool = False) -> int:
    from .data import load_dataset, problems_report

    try:
        ds = load_dataset(data_dir)
    except Exception as err:  # noqa: BLE001 - staff get a line, never a traceback
        detail = " ".join(f"{type(err).__name__}: {err}".split())[:200]
        print(f"{Path(data_dir).name}:-:-: " + t("validation.validate_crashed", lang, detail=detail))
        return 1
    for line in problems_report(ds.problems, lang, warnings=warnings):
        print(line)
    n_err, n_warn = len(ds.errors), len(ds.warnings)
    print(t("validation.summary", lang, errors=n_err, warnings=n_warn,
            values=len(ds.values), zones=len(ds.zones)))
    return 1 if n_err else 0


if __name__ == "__main__":
    sys.exit(main())
