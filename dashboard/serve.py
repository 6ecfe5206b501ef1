"""Start the dashboard: ``python -m dashboard.serve [streamlit run options]``.

Equivalent to ``streamlit run app.py``, with two fixes. First, the page's CSS and the
preloading of Streamlit's lazily loaded parts go into the head of the page Streamlit serves
(:mod:`dashboard.page_head`), so nothing jumps while a page loads. Second, NOTE: when a ``pages/`` folder sits
next to the main script, Streamlit 1.67 treats the process's very first script run as a
legacy (v1) multipage app: a direct link such as ``/ban-do`` opened first after the server
starts shows a "Page not found" dialog over the right page (streamlit/streamlit#9992).
``st.navigation`` switches that legacy handling off, but only after the first run. Setting
the same flag before the server starts removes the dialog; nothing else changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: list[str] | None = None) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web.cli import main as streamlit_main

    from .page_head import install

    PagesManager.uses_pages_directory = False
    install()  # the page's CSS in the served page's head from the first frame (no layout jumps)
    args = list(sys.argv[1:] if argv is None else argv)
    sys.argv = ["streamlit", "run", str(APP), *args]
    streamlit_main()


if __name__ == "__main__":
    main()
