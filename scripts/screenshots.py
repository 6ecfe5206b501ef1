"""Screenshots of every page for a human look: 1366×768, 1920×1080, 390×844, vi and en.

    python scripts/screenshots.py [--out test-artifacts/shots] [--pages tong-quan,...] [--full]

Starts the dashboard on a free loopback port (``python -m dashboard.serve``), opens each page
in Debian's Chromium (``/usr/bin/chromium`` or CHROMIUM_PATH) and saves
``<page>-<lang>-<width>.png`` (the first screen; ``--full`` for the whole page). Prints each
page's height in screens (scroll height ÷ window height) and the smallest font size of
visible text, the two figures a projector reader cares about.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_browser import ARGS, free_port, start, wait_rendered  # noqa: E402

SIZES = [(1366, 768), (1920, 1080), (390, 844)]
PAGES = ["tong-quan", "dang-doanh-nghiep", "dang-truong-hoc", "kinh-te-xa-hoi", "chuyen-doi-so",
         "so-sanh-chi-tieu", "ban-do", "trinh-chieu", "du-lieu"]
MIN_FONT = """() => {
  let min = 1e9, where = '';
  const walker = document.createTreeWalker(document.querySelector('[data-testid="stMain"]') || document.body,
                                           NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement; const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none') continue;
    const size = parseFloat(cs.fontSize);
    if (size < min) { min = size; where = node.textContent.trim().slice(0, 40); }
  }
  return [min, where];
}"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "test-artifacts" / "shots"))
    ap.add_argument("--pages", default=",".join(PAGES))
    ap.add_argument("--langs", default="vi,en")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--query", default="", help="extra query, e.g. asof=hop-2023")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = start([sys.executable, "-m", "dashboard.serve"], port, out / "server.log")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                         headless=True, args=ARGS)
            for path in args.pages.split(","):
                for lang in args.langs.split(","):
                    for w, h in SIZES:
                        ctx = browser.new_context(viewport={"width": w, "height": h})
                        page = ctx.new_page()
                        q = f"?lang={lang}" + (f"&{args.query}" if args.query else "")
                        page.goto(f"http://127.0.0.1:{port}/{path}{q}")
                        wait_rendered(page)
                        page.wait_for_timeout(400)
                        height = page.evaluate(
                            "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                            " return Math.max(m ? m.scrollHeight : 0, document.documentElement.scrollHeight); }")
                        size, where = page.evaluate(MIN_FONT)
                        name = f"{path}-{lang}-{w}.png"
                        page.screenshot(path=str(out / name), full_page=args.full)
                        print(f"{name:32} {height / h:5.1f} screens   min font {size:.0f} px ({where!r})",
                              flush=True)
                        ctx.close()
            browser.close()
    finally:
        proc.terminate()


if __name__ == "__main__":
    main()
