"""Command line: ``python -m dashboard validate [DATA_DIR] [--lang vi|en] [--warnings]``
(also ``import-national``, ``datapackage [--check]``, and the local editor accounts:
``add-editor NAME [--replace]`` asks for the password twice and stores only its argon2id
hash, ``remove-editor NAME``; both take ``--accounts-file PATH`` and ``--lang``).

Prints one line per problem, ``FILE:ROW:COLUMN: message``: the root cause first (a file
that cannot be used as a whole), then the other errors, one line summing up the errors
that only follow from the root cause, then warnings (summarised in one line when there
are errors, unless ``--warnings``), then a summary. Exit status 1 when there is at least
one error, 0 otherwise (warnings do not fail). Never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
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
    for command, text in (("add-editor", "add a local editor account / thêm tài khoản biên tập"),
                          ("remove-editor", "remove a local editor account / xóa tài khoản biên tập")):
        acc = sub.add_parser(command, help=text)
        acc.add_argument("name")
        acc.add_argument("--accounts-file", help="default: config.yaml editing.accounts_file")
        acc.add_argument("--lang", choices=LANGS, default="vi")
        if command == "add-editor":
            acc.add_argument("--replace", action="store_true",
                             help="set a new password for an existing account / đổi mật khẩu")
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
    if args.command in ("add-editor", "remove-editor"):
        return editor_account(args.command, args.name, args.accounts_file, args.lang,
                              replace=getattr(args, "replace", False))
    return validate(args.data_dir, args.lang, args.warnings)


def editor_account(command: str, name: str, accounts_file: str | None, lang: str = "vi",
                   replace: bool = False) -> int:
    """``add-editor`` / ``remove-editor``: one line saying what was done or why not."""
    from . import auth
    from .config import get_config

    cfg = get_config()
    path = Path(accounts_file) if accounts_file else cfg.editing.accounts_path
    login = auth.normalise_name(name)
    try:
        if command == "remove-editor":
            auth.remove_editor(path, login)
            print(t("auth.cli.removed", lang, name=login, path=path))
            return 0
        if not auth.valid_name(login):
            raise auth.AccountsError("auth.cli.bad_name", name=login)
        # a damaged file or a taken name: say so before asking for a password
        if login in auth.load_accounts(path) and not replace:
            raise auth.AccountsError("auth.cli.exists", name=login)
        try:
            password = getpass.getpass(t("auth.cli.password_prompt", lang, name=login, min=auth.MIN_PASSWORD))
            auth.check_new_password(password)
            again = getpass.getpass(t("auth.cli.password_repeat", lang))
        except (EOFError, KeyboardInterrupt):
            print()
            print(t("auth.cli.cancelled", lang))
            return 1
        if password != again:
            print(t("auth.cli.mismatch", lang))
            return 1
        replaced = auth.add_editor(path, login, password, replace=replace)
    except auth.AccountsError as err:
        print(err.message(lang))
        return 1
    except OSError as err:
        print(t("auth.accounts_unreadable", lang, path=path, detail=err.strerror or type(err).__name__))
        return 1
    print(t("auth.cli.replaced" if replaced else "auth.cli.added", lang, name=login, path=path))
    if not auth.editing_enabled(cfg):
        print(t("auth.cli.editing_off", lang))
    return 0


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
