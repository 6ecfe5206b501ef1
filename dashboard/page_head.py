"""What the browser receives before the first script run: the head of Streamlit's page.

Streamlit serves one static ``index.html`` for every path. Two things about it made every
page jump while loading (layout shift 0.3–0.5 in ``scripts/bench_browser.py``):

- before the first run the browser draws Streamlit's empty frame full width; the sidebar
  then pushes it 300 px to the right (0.23 on its own, for any Streamlit app with a
  sidebar, even with nothing drawn yet);
- the parts of Streamlit that draw ``st.html``, HTML in markdown, widgets and charts are
  fetched on first use, a few hundred ms after the elements around them, so CSS and
  tables sent with them arrived under a page already on screen.

:func:`install` makes the served page carry, in its ``<head>``, a few lines of CSS that keep
the empty frame hidden until the sidebar is there (or the first run has ended), and
``modulepreload`` links for those parts, fetched while the first run is computed. Nothing
else of Streamlit's page changes. Called by ``python -m dashboard.serve`` before the server
starts.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs

#: Before the first run the frame has no sidebar; it is shown once the sidebar exists or
#: the run has ended (an error before the sidebar is drawn is never hidden). Streamlit's
#: own attributes: ``data-test-script-state`` is set by its frontend in production too.
#: In the sidebar, the page menu is drawn a frame after the widgets under it: they wait
#: for it the same way. In the page, what follows an element whose part of Streamlit is
#: still being fetched (drawn meanwhile as a grey skeleton, often shorter) waits for it.
HEAD_CSS = (
    '[data-testid="stApp"]:not([data-test-script-state="notRunning"]) '
    '[data-testid="stAppViewContainer"]:not(:has(> [data-testid="stSidebar"])) '
    '> :has(> [data-testid="stMain"]) { visibility: hidden; }\n'
    '[data-testid="stApp"]:not([data-test-script-state="notRunning"]) '
    '[data-testid="stSidebarContent"]:not(:has([data-testid="stSidebarNav"])) '
    '[data-testid="stSidebarUserContent"] { visibility: hidden; }\n'
    '[data-testid="stMain"] [data-testid="stVerticalBlock"] > :has([data-testid="stSkeleton"]) ~ * '
    '{ visibility: hidden; }'
)


#: Lazily loaded parts of Streamlit's frontend that every page uses (file-name stems; the
#: hashed names are looked up in the installed Streamlit): st.html and HTML in markdown,
#: the sidebar's widgets (the share box's code block and QR image only load once it is
#: opened). Small once Streamlit's main bundle is in.
PRELOAD = ("Html", "rehype-raw", "ButtonGroup", "Multiselect", "TextInput", "Selectbox", "Radio")
#: The large parts (plotly.js ~4.7 MB, deck.gl ~3 MB) only for the pages that draw them:
#: fetched and compiled on a page without charts they cost the 2-core machine a second.
CHARTS, MAPS = "PlotlyChart", "DeckGlJsonChart"

_IMPORT = re.compile(r'(?:from|import)\s*"\./([\w.\-]+\.js)"')


def _modules(js_dir: Path, stems: tuple[str, ...]) -> list[str]:
    """The chunk files for ``stems`` and every module they import statically."""
    seen: list[str] = []
    todo = [p.name for stem in stems for p in sorted(js_dir.glob(f"{stem}.*.js"))
            if re.fullmatch(rf"{re.escape(stem)}\.[\w\-]+\.js", p.name)]
    while todo:
        name = todo.pop(0)
        if name in seen or not (js_dir / name).is_file():
            continue
        seen.append(name)
        head = (js_dir / name).read_text(encoding="utf-8", errors="replace")[:20_000]
        # static imports sit at the top of a chunk, before its first statement
        todo += [m for m in _IMPORT.findall(head.split(";var ", 1)[0]) if m not in seen]
    return seen


def _css(block: str) -> str:
    return block.replace("<style>", "").replace("</style>", "").strip()


def _head_css(url_path: str, embedded: bool) -> str:
    """CSS the page would otherwise receive with its first run, for the page at ``url_path``.

    In the head it holds from the first frame instead of arriving a frame or more after
    the elements it sizes (a title that shrinks, a padding that changes: the page moves):
    the shell's page-wide rules, the topic tables' classes, and the presentation's rules on
    its page only (they are scoped to it, as in :mod:`dashboard.views.presentation`).
    The ``.block-container`` rules are made as specific as Streamlit's own.
    """
    from .components import TOPIC_CSS
    from .config import get_config
    from .shell import CSS

    parts = [_css(CSS).replace(".block-container", '[data-testid="stMainBlockContainer"].block-container'),
             _css(TOPIC_CSS)]
    page = next((e.id for e in get_config().pages if e.url_path == url_path), None)
    if page == "presentation":
        from .views import presentation

        parts.append(_css(presentation.CSS))
        if embedded:
            parts.append(_css(presentation.EMBED_CSS))
    return "\n".join(parts)


def page_parts(url_path: str) -> tuple[str, ...]:
    """The lazily loaded parts the page at ``url_path`` draws: :data:`PRELOAD`, plus plotly
    on the pages with charts (topic pages, explorer, slides) and deck.gl on the map page,
    as configured in config.yaml."""
    from .config import get_config

    cfg = get_config()
    page = next((e.id for e in cfg.pages if e.url_path == url_path), None)
    topic = cfg.topic_pages.get(page) if page else None
    parts = list(PRELOAD)
    if topic is not None or page in ("explorer", "presentation"):
        parts.append(CHARTS)
    if page == "map":  # a topic page's map panel is a plotly figure (dashboard/map_figure.py)
        parts.append(MAPS)
    return tuple(parts)


def _preloads(index: Path, html: str, parts: tuple[str, ...]) -> str:
    already = set(re.findall(r'src="\./static/js/([\w.\-]+\.js)"', html))
    already |= set(re.findall(r'href="\./static/js/([\w.\-]+\.js)"', html))
    return "".join(f'<link rel="modulepreload" crossorigin href="./static/js/{m}">'
                   for m in _modules(index.parent / "static" / "js", parts) if m not in already)


@lru_cache(maxsize=64)
def page_html(index_path: str, url_path: str = "", embedded: bool = False) -> str:
    """Streamlit's ``index.html`` with the dashboard's head for the page at ``url_path``."""
    index = Path(index_path)
    html = index.read_text(encoding="utf-8")
    extra = (f"<style>{HEAD_CSS}\n{_head_css(url_path, embedded)}</style>"
             f"{_preloads(index, html, page_parts(url_path))}")
    return html.replace("</head>", extra + "</head>", 1) if "</head>" in html else html


def _paths() -> frozenset[str]:
    from .config import get_config

    return frozenset(e.url_path for e in get_config().pages)


def install() -> None:
    """Serve :func:`page_html` wherever Streamlit serves its ``index.html``.

    NOTE: Streamlit 1.67 builds its static handler in
    ``starlette_static_routes.create_streamlit_static_handler`` when the server starts;
    the wrapped handler answers exactly as before except for the page's head.
    """
    from starlette.responses import FileResponse, HTMLResponse
    from streamlit.web.server.starlette import starlette_static_routes as routes

    original = routes.create_streamlit_static_handler
    if getattr(original, "_dashboard_head", False):
        return

    def create(directory: str, base_url: str | None):
        handler = original(directory, base_url)
        get_response = handler.get_response

        async def with_head(path, scope):
            response = await get_response(path, scope)
            if isinstance(response, FileResponse) and Path(response.path).name == "index.html" \
                    and response.status_code == 200:
                headers = {"Cache-Control": response.headers.get("Cache-Control", "no-cache")}
                url_path = str(scope.get("path", "")).strip("/").split("/")[-1]
                query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
                embedded = query.get("embed", [""])[-1].lower() == "true"
                html = page_html(str(response.path), url_path if url_path in _paths() else "", embedded)
                return HTMLResponse(html, headers=headers)
            return response

        handler.get_response = with_head
        return handler

    create._dashboard_head = True  # type: ignore[attr-defined]
    routes.create_streamlit_static_handler = create
