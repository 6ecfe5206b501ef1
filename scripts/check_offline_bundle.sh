#!/bin/sh
# Prove that the offline bundle installs and starts without a package index.
#
#   sh scripts/check_offline_bundle.sh            # needs network once, for pip download
#
# 1. builds the full bundle (python scripts/build_offline_bundle.py) into a temporary folder;
# 2. unpacks the .zip elsewhere (what a meeting-room PC receives);
# 3. runs its install.sh: a fresh venv + pip install --no-index --find-links wheelhouse;
# 4. starts its run.sh on a free port and waits for /_stcore/health to answer "ok",
#    then fetches the presentation page;
# 5. stops the server and removes the temporary folder (KEEP=1 keeps it).
# PYTHON selects the interpreter (default: python3); the wheels are for its version.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="${PYTHON:-python3}"
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" != "1" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT INT TERM

echo "== build ($WORK)"
"$PY" "$ROOT/scripts/build_offline_bundle.py" --out "$WORK/build/offline-bundle"

echo "== unpack"
mkdir -p "$WORK/pc"
"$PY" -m zipfile -e "$WORK/build/offline-bundle.zip" "$WORK/pc"
BUNDLE="$WORK/pc/offline-bundle"
ls "$BUNDLE"

echo "== offline install (--no-index)"
# No index at all: neither PyPI nor a configured mirror can be used.
PIP_NO_INDEX=1 PIP_CONFIG_FILE=/dev/null PYTHON="$PY" sh "$BUNDLE/install.sh"
"$BUNDLE/.venv/bin/python" -m pip list --disable-pip-version-check | grep -i -E "^(streamlit|plotly|pandas) "

echo "== start"
PORT=$("$PY" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()")
PORT="$PORT" sh "$BUNDLE/run.sh" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
i=0
until [ "$(curl -fsS "http://127.0.0.1:$PORT/_stcore/health" 2>/dev/null || true)" = "ok" ]; do
  i=$((i + 1))
  if [ "$i" -gt 90 ]; then echo "FAIL: no health answer after 90 s"; cat "$WORK/server.log"; exit 1; fi
  sleep 1
done
echo "health: ok after ${i}s on port $PORT"
curl -fsS -o /dev/null -w "GET /trinh-chieu -> %{http_code}\n" "http://127.0.0.1:$PORT/trinh-chieu?embed=true"
echo "PASS: offline bundle installs without an index and serves /_stcore/health"
