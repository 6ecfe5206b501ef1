#!/usr/bin/env python3
"""Build the offline meeting-room bundle: the app, its data, a wheelhouse, install/run scripts.

One command, on a machine with network (see docs/DEPLOY.md, "Offline meeting-room bundle")::

    python scripts/build_offline_bundle.py                      # dist/offline-bundle + .zip
    python scripts/build_offline_bundle.py --windows            # + wheelhouse-win for Windows
    python scripts/build_offline_bundle.py --out D:/usb/bundle  # elsewhere

The folder (and ``<out>.zip``) holds

* the app: ``app.py``, ``pages/``, ``dashboard/``, ``data/``, ``assets/``, ``config.yaml``,
  ``.streamlit/config.toml`` (never ``secrets.toml``), ``requirements.txt``, ``README.md``;
* ``wheelhouse/``: every wheel of requirements.txt for *this* machine's platform and
  Python (``pip download --only-binary=:all:``); with ``--windows`` also
  ``wheelhouse-win/`` for Windows x64 + Python 3.11 (``--platform win_amd64``);
* ``install.sh`` / ``run.sh`` and ``install.bat`` / ``run.bat``: create ``.venv`` and
  ``pip install --no-index --find-links wheelhouse -r requirements.txt`` (no network),
  then ``python -m dashboard.serve --server.headless true`` (``streamlit run app.py`` plus a first-visit routing fix);
* ``BUNDLE.txt``: what was built, when, for which Python, and how to use it.

Options for tests and special cases: ``--skip-wheels`` (layout only),
``--wheelhouse-from DIR`` (copy wheels from DIR instead of downloading),
``--requirements FILE`` (another requirements file), ``--no-zip``.
``scripts/check_offline_bundle.sh`` builds the full bundle and proves that it installs
and starts without an index.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_FILES = ["app.py", "config.yaml", "requirements.txt", "README.md"]
APP_DIRS = ["pages", "dashboard", "data", "assets"]
STREAMLIT_FILES = [".streamlit/config.toml"]  # never .streamlit/secrets.toml
#: ``data/.history/`` (the edit history of dashboard/store.py: every saved version, who saved
#: it) stays on the server: it is not data for a meeting room.
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*.tmp", "*.lock", "*~",
                                ".history")
MARKER = "BUNDLE.txt"
WINDOWS_PLATFORM = "win_amd64"
WINDOWS_PYTHON = "3.11"

INSTALL_SH = """#!/bin/sh
# Install the dashboard from this folder without network (Linux / macOS).
# Needs Python {py} (the wheels in wheelhouse/ were downloaded for it). Set PYTHON to choose
# the interpreter, e.g.  PYTHON=python3.11 sh install.sh
set -eu
cd "$(dirname "$0")"
PY="${{PYTHON:-python3}}"
"$PY" -m venv .venv
.venv/bin/python -m pip install --no-index --find-links wheelhouse -r requirements.txt
echo
echo "Installed. Start the dashboard with: sh run.sh"
"""

RUN_SH = """#!/bin/sh
# Start the dashboard: open http://localhost:8501 in a browser (PORT=... to change the port).
set -eu
cd "$(dirname "$0")"
PORT="${PORT:-8501}"
echo "Dashboard: http://localhost:$PORT  (presentation: http://localhost:$PORT/trinh-chieu?embed=true)"
exec .venv/bin/python -m dashboard.serve --server.headless true --server.port "$PORT" \\
  --browser.gatherUsageStats false
"""

INSTALL_BAT = r"""@echo off
rem Install the dashboard from this folder without network (Windows).
rem Needs Python 3.11 (64-bit) from python.org; the wheels are in wheelhouse-win\.
setlocal
cd /d "%~dp0"
set "WH=wheelhouse-win"
if not exist "%WH%" set "WH=wheelhouse"
set "PY=py -3.11"
%PY% --version >nul 2>&1 || set "PY=python"
%PY% -m venv .venv
if errorlevel 1 goto fail
".venv\Scripts\python.exe" -m pip install --no-index --find-links "%WH%" -r requirements.txt
if errorlevel 1 goto fail
echo.
echo Da cai dat xong. Chay run.bat de mo bang dieu khien. / Installed. Start with run.bat
pause
exit /b 0
:fail
echo.
echo Cai dat khong thanh cong - xem thong bao o tren. / Installation failed - see the messages above.
pause
exit /b 1
"""

RUN_BAT = r"""@echo off
rem Start the dashboard and open it in the default browser (http://localhost:8501).
setlocal
cd /d "%~dp0"
set "PORT=8501"
echo Dashboard: http://localhost:%PORT%   (trinh chieu: http://localhost:%PORT%/trinh-chieu?embed=true)
start "" "http://localhost:%PORT%"
".venv\Scripts\python.exe" -m dashboard.serve --server.headless true --server.port %PORT% --browser.gatherUsageStats false
pause
"""

BUNDLE_TXT = """Offline bundle of the province comparison dashboard
====================================================
Built: {built}
Built with: Python {py} on {plat}
Dataset version: {version}
Wheelhouses: {wheelhouses}

Windows (meeting-room PC, no network needed):
  1. Install Python 3.11 (64-bit) from python.org once ("Add python.exe to PATH").
  2. Unzip this folder, double-click install.bat (once), then run.bat.
  3. The browser opens http://localhost:8501. Presentation: /trinh-chieu?embed=true
Linux / macOS:
  sh install.sh   (PYTHON=python{py_short} if python3 is another version), then sh run.sh

Tieng Viet: cai Python 3.11 mot lan, giai nen, bam dup install.bat (mot lan), sau do run.bat.
Trinh duyet mo http://localhost:8501 ; trinh chieu: http://localhost:8501/trinh-chieu?embed=true
"""


def _log(msg: str) -> None:
    print(f"[bundle] {msg}", flush=True)


def _prepare_out(out: Path, force: bool) -> None:
    if out.exists():
        if not (out / MARKER).exists() and any(out.iterdir()) and not force:
            raise SystemExit(f"{out} exists and is not a bundle folder; choose another --out or pass --force")
        shutil.rmtree(out)
    out.mkdir(parents=True)


def copy_app(out: Path, requirements: Path) -> list[str]:
    copied = []
    for name in APP_FILES:
        src = requirements if name == "requirements.txt" else ROOT / name
        if src.is_file():
            shutil.copy2(src, out / name)
            copied.append(name)
        elif name != "README.md":
            raise SystemExit(f"missing {src}")
    for name in APP_DIRS:
        if not (ROOT / name).is_dir():
            if name == "assets":  # optional
                continue
            raise SystemExit(f"missing {ROOT / name}")
        shutil.copytree(ROOT / name, out / name, ignore=IGNORE)
        copied.append(name + "/")
    for name in STREAMLIT_FILES:
        src = ROOT / name
        if src.is_file():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, out / name)
            copied.append(name)
    return copied


def _write(path: Path, text: str, crlf: bool = False, executable: bool = False) -> None:
    data = text.replace("\n", "\r\n") if crlf else text
    path.write_bytes(data.encode("utf-8"))
    if executable:
        path.chmod(0o755)


def write_scripts(out: Path) -> None:
    py_short = f"{sys.version_info.major}.{sys.version_info.minor}"
    _write(out / "install.sh", INSTALL_SH.format(py=py_short), executable=True)
    _write(out / "run.sh", RUN_SH, executable=True)
    _write(out / "install.bat", INSTALL_BAT, crlf=True)
    _write(out / "run.bat", RUN_BAT, crlf=True)


def pip_download(requirements: Path, dest: Path, windows: bool = False) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-r", str(requirements),
           "-d", str(dest), "--only-binary=:all:"]
    if windows:
        cmd += ["--platform", WINDOWS_PLATFORM, "--python-version", WINDOWS_PYTHON, "--implementation", "cp"]
    _log(" ".join(cmd))
    subprocess.run(cmd, check=True)


def copy_wheels(src: Path, dest: Path) -> int:
    n = 0
    for f in sorted(src.iterdir()):
        if f.suffix == ".whl" or f.name.endswith((".tar.gz", ".zip")):
            shutil.copy2(f, dest / f.name)
            n += 1
    if n == 0:
        raise SystemExit(f"no wheels in {src}")
    return n


def dataset_version(out: Path) -> str:
    try:
        import yaml

        meta = yaml.safe_load((out / "data" / "dataset.yaml").read_text(encoding="utf-8")) or {}
        return str(meta.get("version", "?"))
    except Exception:  # noqa: BLE001 - informative only
        return "?"


def build(out: Path, *, requirements: Path, windows: bool = False, skip_wheels: bool = False,
          wheelhouse_from: Path | None = None, make_zip: bool = True, force: bool = False) -> Path | None:
    """Build the bundle in ``out``; returns the zip path (or None with ``make_zip=False``)."""
    out = out.resolve()
    _prepare_out(out, force)
    _log(f"app -> {out}")
    copy_app(out, requirements)
    write_scripts(out)
    wheelhouses = []
    wh = out / "wheelhouse"
    wh.mkdir()
    if wheelhouse_from is not None:
        n = copy_wheels(wheelhouse_from, wh)
        wheelhouses.append(f"wheelhouse/ ({n} files copied from {wheelhouse_from})")
    elif not skip_wheels:
        pip_download(requirements, wh)
        wheelhouses.append(f"wheelhouse/ ({platform.system()} {platform.machine()}, Python "
                           f"{sys.version_info.major}.{sys.version_info.minor})")
    if windows and not skip_wheels:
        whw = out / "wheelhouse-win"
        whw.mkdir()
        pip_download(requirements, whw, windows=True)
        wheelhouses.append(f"wheelhouse-win/ ({WINDOWS_PLATFORM}, Python {WINDOWS_PYTHON})")
    _write(out / MARKER, BUNDLE_TXT.format(
        built=dt.datetime.now().isoformat(timespec="seconds"), py=platform.python_version(),
        py_short=f"{sys.version_info.major}.{sys.version_info.minor}",
        plat=f"{platform.system()} {platform.machine()}", version=dataset_version(out),
        wheelhouses="; ".join(wheelhouses) or "none (--skip-wheels)"))
    if not make_zip:
        return None
    zip_path = Path(shutil.make_archive(str(out), "zip", root_dir=out.parent, base_dir=out.name))
    _log(f"zip -> {zip_path} ({zip_path.stat().st_size / 1e6:.1f} MB)")
    return zip_path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "dist" / "offline-bundle",
                    help="bundle folder (default dist/offline-bundle); the zip is <out>.zip")
    ap.add_argument("--windows", action="store_true",
                    help=f"also download wheelhouse-win/ for {WINDOWS_PLATFORM}, Python {WINDOWS_PYTHON}")
    ap.add_argument("--requirements", type=Path, default=ROOT / "requirements.txt")
    ap.add_argument("--skip-wheels", action="store_true", help="no wheelhouse (layout checks only)")
    ap.add_argument("--wheelhouse-from", type=Path, default=None,
                    help="copy wheels from this folder instead of downloading them")
    ap.add_argument("--no-zip", action="store_true", help="do not write <out>.zip")
    ap.add_argument("--force", action="store_true", help="replace --out even if it is not a bundle folder")
    args = ap.parse_args(argv)
    build(args.out, requirements=args.requirements.resolve(), windows=args.windows,
          skip_wheels=args.skip_wheels, wheelhouse_from=args.wheelhouse_from,
          make_zip=not args.no_zip, force=args.force)
    _log("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
