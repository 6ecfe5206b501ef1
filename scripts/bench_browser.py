"""Browser-side speed of the dashboard, as ratios to an empty Streamlit page in the same run.

    python scripts/bench_browser.py [--runs 3] [--sessions 10] [--rounds 3] [--pages tong-quan,...]

Two servers start on loopback: the dashboard (``python -m dashboard.serve``) and an empty
Streamlit page (a title only). Debian's Chromium (``/usr/bin/chromium`` or CHROMIUM_PATH),
driven by Playwright, measures for each page:

- **render**: time from navigation to "rendered" in a fresh browser context at 1366×768:
  the script has finished, the page title is drawn, no element is still a placeholder,
  every plotly chart has drawn its SVG and every map its canvas (median of ``--runs``);
- **shift**: the cumulative layout shift while the page loads (0 = nothing jumps);
- **rerun p95**: ``--sessions`` browser sessions on the page rerun at once (Streamlit's
  "R" key), ``--rounds`` times; the 95th percentile of the time from the key press to the
  script being idle again;
- **KB/rerun**: bytes the server sent over the websocket for one rerun.

Absolute times depend on the machine; the ratios to the empty page are what the README
reports. The empty page is measured next to each page (its renders interleaved with the
page's, its rerun p95 right before the page's), so that a ratio compares the same minutes of
a machine whose speed drifts. It prints figures and never fails.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PAGES = ["tong-quan", "dang-doanh-nghiep", "dang-truong-hoc", "kinh-te-xa-hoi", "chuyen-doi-so",
         "so-sanh-chi-tieu", "ban-do", "trinh-chieu", "du-lieu"]
ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]

#: In-page probe: layout shifts, and the time a rerun takes from the "R" key to idle.
PROBE = """
window.__shift = 0;
new PerformanceObserver(list => { for (const e of list.getEntries()) {
  if (!e.hadRecentInput) window.__shift += e.value; } }).observe({type: 'layout-shift', buffered: true});
"""
RERUN = """() => new Promise(resolve => {
  // NOTE: a fast rerun may flip running -> notRunning within one frame, so the attribute
  // is never seen as "running": then the time of the last change on the page counts.
  const app = document.querySelector('[data-testid="stApp"]');
  const t0 = performance.now(); let started = false, last = 0, done = false;
  const finish = v => { if (!done) { done = true; obs.disconnect(); resolve(v); } };
  const obs = new MutationObserver(() => {
    last = performance.now() - t0;
    const s = app.getAttribute('data-test-script-state');
    if (s === 'running') started = true;
    if (started && s === 'notRunning') finish(last);
  });
  obs.observe(app, {attributes: true, childList: true, subtree: true, characterData: true});
  document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'r', code: 'KeyR', keyCode: 82, bubbles: true}));
  setTimeout(() => { if (!started) finish(last); }, 3000);
  setTimeout(() => finish(-1), 120000);
})"""
#: NOTE: charts, maps, tables and widgets are drawn by parts of Streamlit fetched on first
#: use; until then a grey skeleton stands in their place, without their test id. Counting
#: only the charts already mounted called a page rendered before any chart was there.
RENDERED = """() => {
  if (document.querySelector('[data-testid="stMain"] [data-testid="stSkeleton"]')) return false;
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  const drawn = document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg');
  const decks = document.querySelectorAll('[data-testid="stDeckGlJsonChart"]');
  const canvases = document.querySelectorAll('[data-testid="stDeckGlJsonChart"] canvas');
  return drawn.length >= charts.length && canvases.length >= decks.length;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], port: int, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(cmd + ["--server.headless", "true", "--server.port", str(port),
                                   "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
                                   "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"server did not start: see {log}")


def wait_rendered(page, has_title: bool = True) -> None:
    page.wait_for_selector(READY, timeout=120_000)
    if has_title:
        page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
    page.wait_for_function(RENDERED, timeout=120_000)
    page.wait_for_selector(READY, timeout=120_000)


def render_time(browser, url: str, runs: int) -> tuple[float, float]:
    times, shifts = [], []
    for _ in range(runs):
        ctx = browser.new_context(viewport={"width": 1366, "height": 768})
        page = ctx.new_page()
        page.add_init_script(PROBE)
        t0 = time.perf_counter()
        page.goto(url)
        wait_rendered(page)
        times.append(time.perf_counter() - t0)
        shifts.append(page.evaluate("window.__shift"))
        ctx.close()
    return statistics.median(times), max(shifts)


def rerun_p95(browser, url: str, sessions: int, rounds: int) -> tuple[float, float]:
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    pages, sent = [], []
    for i in range(sessions):
        page = ctx.new_page()
        page.goto(url)
        wait_rendered(page)
        pages.append(page)
    received = {"bytes": 0}

    def on_ws(ws):
        ws.on("framereceived", lambda payload: received.__setitem__(
            "bytes", received["bytes"] + len(payload if isinstance(payload, (bytes, str)) else b"")))

    one = ctx.new_page()
    one.on("websocket", on_ws)
    one.goto(url)
    wait_rendered(one)
    received["bytes"] = 0
    one.evaluate(RERUN)
    sent.append(received["bytes"] / 1024)
    one.close()
    samples: list[float] = []
    for _ in range(rounds):
        for p in pages:  # fire all reruns without waiting, then collect their timings
            p.evaluate(f"() => {{ window.__rerun = ({RERUN})(); return 1; }}")
        samples += [p.evaluate("() => window.__rerun") / 1000 for p in pages]
    ctx.close()
    samples = sorted(s for s in samples if s >= 0)
    p95 = samples[max(0, int(round(0.95 * len(samples))) - 1)] if samples else float("nan")
    return p95, statistics.median(sent)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pages", default=",".join(PAGES))
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    empty_script = tmp / "empty.py"
    empty_script.write_text('import streamlit as st\n\nst.title("Empty")\n', encoding="utf-8")
    p_app, p_empty = free_port(), free_port()
    app = start([sys.executable, "-m", "dashboard.serve"], p_app, tmp / "app.log")
    empty = start([sys.executable, "-m", "streamlit", "run", str(empty_script)], p_empty, tmp / "empty.log")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            base = f"http://127.0.0.1:{p_empty}/"
            render_time(browser, base, 1)  # warm the server and the browser's cache of nothing
            e_render, _ = render_time(browser, base, args.runs)
            e_p95, e_kb = rerun_p95(browser, base, args.sessions, args.rounds)
            print(f"empty page: render {e_render:.2f} s, rerun p95 ({args.sessions} sessions) "
                  f"{e_p95:.2f} s, {e_kb:.0f} KB/rerun", flush=True)
            print("each page is measured next to the empty page (interleaved renders; the empty page's "
                  "rerun p95 again right before the page's): a ratio compares the same minutes of a noisy machine")
            print(f"{'page':20} {'render':>8} {'×empty':>7} {'shift':>6} {'rerun p95':>10} {'×empty':>7} "
                  f"{'KB/rerun':>9} {'empty render, p95':>18}")
            for path in args.pages.split(","):
                url = f"http://127.0.0.1:{p_app}/{path}?lang=vi"
                render_time(browser, url, 1)  # first visit fills the server's caches
                times, e_times, shifts = [], [], []
                for _ in range(args.runs):  # interleaved: drift of the machine hits both alike
                    e_times.append(render_time(browser, base, 1)[0])
                    t, shift = render_time(browser, url, 1)
                    times.append(t)
                    shifts.append(shift)
                r, e_r, shift = statistics.median(times), statistics.median(e_times), max(shifts)
                e_p95, _ = rerun_p95(browser, base, args.sessions, args.rounds)
                p95, kb = rerun_p95(browser, url, args.sessions, args.rounds)
                print(f"{path:20} {r:>6.2f} s {r / e_r:>6.1f}× {shift:>6.3f} {p95:>8.2f} s "
                      f"{p95 / e_p95:>6.1f}× {kb:>9.0f} {e_r:>9.2f} s {e_p95:>5.2f} s", flush=True)
            browser.close()
    finally:
        for proc in (app, empty):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
