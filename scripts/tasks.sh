#!/usr/bin/env bash
# One entry point for the README's commands; `make run` / `make test` call it.
#   bash scripts/tasks.sh run       set up (runtime) and serve the dashboard on the bundled data
#   bash scripts/tasks.sh test      set up (runtime + tests + Chromium) and run every test
#   bash scripts/tasks.sh validate  check data/ (staff)
#   bash scripts/tasks.sh bench     print speed and memory figures
# System packages (python3-venv, chromium) are installed when run as root, otherwise the
# exact command to run is printed and the script stops.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
PORT=${PORT:-8501}

as_root_or_say() {  # $1 = apt package(s)
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo ">> installing system package(s): $1"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $1 >/dev/null
  else
    echo "Missing system package(s). Run:  sudo apt-get update && sudo apt-get install -y $1" >&2
    exit 1
  fi
}

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c "import ensurepip" >/dev/null 2>&1; then
      as_root_or_say python3-venv
    fi
    "$PYTHON" -m venv "$VENV"
  fi
}

install_reqs() {  # $1 = requirements file
  local stamp="$VENV/.installed-$(basename "$1" .txt)"
  if [ ! -f "$stamp" ] || [ "$1" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$1"
    touch "$stamp"
  fi
}

ensure_chromium() {
  local chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
  if [ ! -x "$chromium" ]; then
    as_root_or_say "chromium fonts-dejavu-core"
  fi
}

case "${1:-}" in
  run)
    ensure_venv
    install_reqs requirements.txt
    "$VENV/bin/python" -m dashboard validate data || echo ">> data problems above: the app shows valid figures and lists the rest on 'Dữ liệu & nguồn'"
    exec "$VENV/bin/python" -m dashboard.serve --server.port "$PORT"
    ;;
  test)
    ensure_venv
    install_reqs requirements-dev.txt
    ensure_chromium
    "$VENV/bin/python" -m dashboard validate data >/dev/null
    exec "$VENV/bin/python" -m pytest "${@:2}"
    ;;
  validate)
    ensure_venv
    install_reqs requirements.txt
    exec "$VENV/bin/python" -m dashboard validate "${2:-data}" "${@:3}"
    ;;
  bench)
    ensure_venv
    install_reqs requirements-dev.txt
    exec "$VENV/bin/python" scripts/benchmark.py "${@:2}"
    ;;
  *)
    echo "usage: bash scripts/tasks.sh run|test|validate|bench" >&2
    exit 2
    ;;
esac
