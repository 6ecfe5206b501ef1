"""Browser tests: one Streamlit server and one headless Debian Chromium per test session.

Chromium comes from Debian's ``chromium`` package (``/usr/bin/chromium``, or
``CHROMIUM_PATH``); Playwright drives it. Every request to a host other than the local
server is aborted and recorded, so each test can assert that nothing outside was even
attempted (the meeting room has no internet).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(log_name: str, env: dict | None = None):
    """Run the app (``python -m dashboard.serve``, as ``make run`` does) on a free port."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / log_name, "w", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard.serve", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"the Streamlit server did not start; see test-artifacts/{log_name}")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


#: The shared server has editing on with one local editor account (tests/e2e/test_editor_browser.py
#: signs in); its data is the shipped data/, which no browser test ever saves to.
EDITOR_NAME, EDITOR_PASSWORD = "kiem-thu", "mat-khau-kiem-thu-123"


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """One app server for the whole test session."""
    import yaml

    from dashboard import auth

    folder = tmp_path_factory.mktemp("editing")
    accounts = folder / "editors.toml"
    auth.add_editor(accounts, EDITOR_NAME, EDITOR_PASSWORD)
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["editing"] = {**(raw.get("editing") or {}), "enabled": True, "accounts_file": str(accounts)}
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    # a copy of data/: the editing page records the history of what it shows (data/.history/)
    # on the server's data folder, which must not be the repository's
    data = folder / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns(".history", "raw"))
    with serve("streamlit-server.log", {"DASHBOARD_CONFIG": str(config), "DASHBOARD_DATA_DIR": str(data)}) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `apt-get install -y chromium` "
                    "(or `make test`, which installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"])
        yield b
        b.close()


def _is_local(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about", "file"):
        return True
    return (parsed.hostname or "") in LOCAL_HOSTS


def make_page(browser, width: int = 1366, height: int = 768):
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    outside: list[str] = []

    def guard(route):
        if _is_local(route.request.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    ctx.route("**/*", guard)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.outside_requests = outside  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    return ctx, page


@pytest.fixture
def page(browser):
    ctx, pg = make_page(browser)
    yield pg
    ctx.close()


@pytest.fixture
def phone(browser):
    ctx, pg = make_page(browser, 390, 844)
    yield pg
    ctx.close()


def open_app(page, base: str, path: str = "", **params) -> None:
    """Open ``base/path?params`` and wait until the script has finished running."""
    query = ("?" + urlencode(params)) if params else ""
    page.goto(f"{base}/{path}{query}")
    wait_ready(page)


def wait_ready(page) -> None:
    """Wait until the page's script has run: the app is idle and the page title is drawn."""
    page.wait_for_selector(READY, timeout=90_000)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
    page.wait_for_timeout(300)
    page.wait_for_selector(READY, timeout=90_000)


def texts_of(page, selector: str, at_least: int) -> list[str]:
    """Texts of ``selector`` once at least ``at_least`` of them are drawn (no fixed sleeps)."""
    page.locator(selector).nth(at_least - 1).wait_for(state="visible")
    wait_ready(page)
    return page.locator(selector).all_inner_texts()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
