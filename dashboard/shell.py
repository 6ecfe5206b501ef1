"""The app's shell: router, sidebar (language, provinces, share box), banner, footer.

``app.py`` calls :func:`run_app`; pages from ``config.yaml`` become ``st.Page`` objects and
``st.navigation`` runs the chosen one between the shared parts.
"""

from __future__ import annotations

import streamlit as st

from . import picker
from .cache import dataset, memo
from .components import lazy_expander
from .config import ROOT, Config, get_config
from .data import Dataset
from .i18n import pick, t
from .present import escape_md, md
from .session import _current_view, bound, view_lang, write_url
from .state import View, notice_text, permalink, selectable_provinces

#: NOTE: a local file; a ":material/…:" or emoji page icon makes the browser fetch the
#: favicon from a font CDN, which fails in a meeting room without internet.
ICON = ROOT / "assets" / "icon.png"
HOME_PATH = "trang-chu"  # the hidden default page that serves "/"

CSS = """
<style>
  [data-testid="stMetricValue"], [data-testid="stMetricValue"] > div {
    font-size: 2.5rem; font-weight: 700; line-height: 1.15; }
  [data-testid="stMetricLabel"] p { font-size: 1.2rem; }
  [data-testid="stMain"] h1 { font-size: 2.4rem; }
  [data-testid="stMain"] h3 { font-size: 1.5rem; }
  .block-container { padding-top: 2.5rem; max-width: 1500px; }
  /* a page's tabs (topic sections, the data page) read from the back of the room */
  [data-testid="stTabs"] [data-testid="stTab"] p { font-size: 1.1rem; font-weight: 600; }
  @media (max-width: 640px) {
    [data-testid="stMetricValue"], [data-testid="stMetricValue"] > div { font-size: 1.8rem; }
    [data-testid="stMain"] h1 { font-size: 1.8rem; }
    .block-container { padding-left: 0.8rem; padding-right: 0.8rem; }
    /* every tab in view on a phone (the open one was scrolled out of sight) */
    [data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; overflow-x: visible; column-gap: 1rem; }
  }
</style>
"""


# ----------------------------------------------------------------------------- data


def run_app() -> None:
    """The router: pages from config.yaml, the shared sidebar, banner and footer."""
    cfg = get_config()
    st.set_page_config(page_title=t("app.title", view_lang()), page_icon=str(ICON), layout="wide")
    ds = dataset(cfg)
    view = _current_view(cfg, ds)
    lang = view.lang

    # NOTE: a page file missing from a deployment is left out of the menu, not a crash.
    entries = [e for e in cfg.pages if (ROOT / e.file).is_file()]
    # The editing page is in the menu for a signed-in editor only; its path always answers
    # (with a sign-in form), and every write is checked again on the server (auth.can_write).
    editor = any(e.editors_only for e in entries) and _signed_in(cfg)
    pages = [st.Page(e.file, title=pick(e.title, lang), icon=e.icon, url_path=e.url_path,
                     visibility="hidden" if e.editors_only and not editor else "visible")
             for e in entries]
    # NOTE: Streamlit serves the default page at "/" only; its own url_path would answer
    # "page not found". A hidden default page serves "/" so that every configured path,
    # /tong-quan included, is a normal page that a link can reopen.
    home = next((e for e in entries if e.default), entries[0])
    pages.insert(0, st.Page(home.file, title=pick(home.title, lang), icon=home.icon,
                            url_path=HOME_PATH, default=True, visibility="hidden"))
    nav = st.navigation(pages)
    st.html(CSS)
    _sidebar(cfg, ds, view)
    view = st.session_state["_view"]
    _banner(ds, view.lang)
    from .session import asof_note
    asof_note(cfg, view)
    _link_version(ds, view.lang)
    _notices(view.lang)
    nav.run()
    view = st.session_state["_view"]
    share_box(view, home.url_path if nav.url_path == HOME_PATH else nav.url_path)
    _footer(ds, view.lang)
    write_url(view)


def _signed_in(cfg: Config) -> bool:
    from . import auth

    try:
        return auth.editing_enabled(cfg) and auth.current_editor(cfg) is not None
    except Exception:  # noqa: BLE001 - a broken accounts file hides the menu entry, nothing else
        return False


def _sidebar(cfg: Config, ds: Dataset, view: View) -> None:
    with st.sidebar:
        bound(st.segmented_control, "w_lang", "lang", view.lang, label=t("sidebar.language", view.lang),
              options=["vi", "en"], format_func=lambda c: {"vi": "Tiếng Việt", "en": "English"}[c],
              required=True)
        lang = st.session_state["_view"].lang
        # The same options and limit as a link may name (state.selectable_provinces).
        options = list(memo(selectable_provinces, ds))
        limit = cfg.app.max_provinces
        current = [p for p in st.session_state["_view"].provinces if p in options][:limit]
        # Grouped by region; the nation is context (drawn beside the provinces), not a
        # province to choose — a link that names it keeps it (legacy links).
        options = picker.by_region(ds, picker.provinces_only(ds, options), lang) + \
            [p for p in current if p not in picker.provinces_only(ds, options)]
        # NOTE: Streamlit's own dropdown texts are English: "Select all" is turned off, the
        # placeholder is ours, and the empty-list message ("No results", "You can only
        # select up to …") is replaced by PROVINCE_LIST_CSS with a text in ``lang``.
        bound(st.multiselect, "w_provinces", "provinces", current,
              label=t("sidebar.provinces", lang), options=options,
              format_func=lambda p: ds.province_name(p, lang), max_selections=limit,
              select_all=False, placeholder=t("figure.choose_provinces", lang))
        chosen = [p for p in st.session_state["_view"].provinces if p in options]
        message = (t("figure.provinces_limit", lang, n=limit) if len(chosen) >= limit else
                   t("figure.provinces_all_chosen", lang) if len(chosen) >= len(options) else
                   t("figure.provinces_no_match", lang))
        st.html(province_list_css(message, t("figure.no_results", lang)))
        _province_search(ds, options, limit, lang)
        _reference_picker(ds, lang)
        if cfg.snapshots:  # "as presented at the meeting" vs "latest" (the link's asof)
            asof = {"latest": t("asof.latest", lang), **{s.id: pick(s.title, lang) for s in cfg.snapshots}}
            bound(st.radio, "w_asof", "asof", st.session_state["_view"].asof, label=t("asof.label", lang),
                  options=list(asof), format_func=lambda a: asof.get(a, a))


PICK_SHOWN = 12  # at most this many matches of the search box are offered at once


def _add_province(key: str) -> None:
    """The search box's pick: added to the compared provinces; the search is cleared."""
    from .session import update_view

    ss = st.session_state
    pid = ss.get(key)
    view = ss["_view"]
    if pid and pid not in view.provinces:
        update_view(provinces=[*view.provinces, pid])
    ss[key] = None
    ss["w_province_search"] = ""


def _province_search(ds: Dataset, options: list[str], limit: int, lang: str) -> None:
    """What the multiselect lacks: a search box that ignores diacritics ("quang ninh" finds
    Quảng Ninh) and a region filter; the matches are offered as pills, a click adds one."""
    st.text_input(t("sidebar.search", lang), key="w_province_search",
                  placeholder=t("sidebar.search_placeholder", lang))
    regions = [""] + list(ds.regions)
    if st.session_state.get("w_region") not in regions:
        st.session_state["w_region"] = ""
    region = st.selectbox(t("sidebar.region", lang), regions, key="w_region",
                          format_func=lambda r: picker.region_name(ds, r, lang) or t("sidebar.all_regions", lang))
    query = st.session_state.get("w_province_search") or ""
    if not query.strip() and not region:
        return
    chosen = st.session_state["_view"].provinces
    found = [p for p in memo(picker.matches, ds, tuple(options), query, region or None, lang) if p not in chosen]
    if not found:
        st.caption(t("sidebar.no_match", lang, query=query.strip()[:40] or "—"))
        return
    if len(chosen) >= limit:
        st.caption(t("figure.provinces_limit", lang, n=limit))
        return
    shown = found[:PICK_SHOWN]
    st.pills(t("sidebar.matches", lang), shown, key="w_province_pick", selection_mode="single",
             format_func=lambda p: ds.province_name(p, lang), on_change=_add_province, args=("w_province_pick",))
    if len(found) > len(shown):
        st.caption(t("sidebar.more_matches", lang, n=len(found) - len(shown)))


def _reference_picker(ds: Dataset, lang: str) -> None:
    """"Tỉnh tham chiếu": the province differences are shown against (only with > 2)."""
    view = st.session_state["_view"]
    if len(view.provinces) <= 2:
        return
    bound(st.selectbox, "w_ref", "ref", view.reference, label=t("sidebar.ref", lang),
          options=list(view.provinces), format_func=lambda p: ds.province_name(p, lang),
          help=t("sidebar.ref_help", lang))


def _css_text(message: str) -> str:
    return message.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def province_list_css(message: str, no_match: str | None = None) -> str:
    """CSS that shows ``message`` in place of the province list's English empty-list text
    ("No results", "You can only select up to … options") and ``no_match`` in place of
    every drop-down list's "No results" — Streamlit has no parameter for either (a
    drop-down is drawn outside its widget, so the second rule covers every selectbox).
    Both are trusted translations; quotes and backslashes are escaped."""
    rules = []
    for widget, text in (("stMultiSelectDropdown", message), ("stSelectboxVirtualDropdown", no_match)):
        if text is None:
            continue
        empty = f'[data-testid="{widget}"] [role="listbox"][data-empty="true"] [role="option"] > span'
        rules.append(f"{empty} {{ font-size: 0; }} "
                     f'{empty}::after {{ content: "{_css_text(text)}"; font-size: 1rem; }}')
    return "<style>" + " ".join(rules) + "</style>"


def _banner(ds: Dataset, lang: str) -> None:
    files = ds.problem_files()
    if files:
        st.warning(t("health.banner", lang, n=len(ds.errors), files=escape_md(", ".join(files))),
                   icon=":material/report:")


def _data_version(ds: Dataset) -> str:
    """The version a link carries. The editing server also records it in the history, so
    that a link made now can later be told what changed since (viewers only read)."""
    from . import auth, store

    if auth.editing_enabled(get_config()):
        try:
            return store.note_data_version(ds.data_dir)
        except Exception:  # noqa: BLE001 - a read-only folder: the version alone still works
            pass
    return store.data_version(ds.data_dir)


def _link_version(ds: Dataset, lang: str) -> None:
    """A link carries the data version it was made with (``data=``); opened after the
    figures changed, the page says so and what changed, for the rest of the session.
    The view then carries the current version, so a link shared now names it."""
    from . import store

    current = memo(_data_version, ds)
    ss = st.session_state
    view = ss["_view"]
    # Only a version that came from a link counts: when the figures change during a
    # session, the session's own view simply moves on to the new version.
    if view.data and view.data != current and view.data != ss.get("_data_seen"):
        ss["_stale_link"] = [d for d in store.changes_since(ds.data_dir, view.data) or [] if d]
    if view.data != current:
        ss["_view"] = view.with_(data=current)
    ss["_data_seen"] = current
    stale = st.session_state.get("_stale_link")
    if stale is not None:
        summary = "; ".join(d.summary(lang) for d in stale)
        st.info(escape_md(t("editor.stale_link_changes", lang, changes=summary) if summary
                          else t("editor.stale_link", lang)), icon=":material/update:")


def _notices(lang: str) -> None:
    # One notice per parameter; the link's values are cut short by parse_view and escaped.
    for notice in st.session_state.get("_notices", []):
        st.info(notice_text(notice, lang, escape_md), icon=":material/link_off:")


def _footer(ds: Dataset, lang: str) -> None:
    st.divider()
    meta = ds.meta
    if meta is not None:
        st.caption(md("footer.dataset", lang, title=pick(meta.title, lang), version=meta.version,
                      updated=meta.updated.strftime("%d/%m/%Y") if lang == "vi" else meta.updated.isoformat()))
    st.caption(t("footer.licence", lang))


#: The session-state key of the share box (an expander drawn only once opened).
SHARE_KEY = "share-open"


def share_box(view: View, url_path: str) -> None:
    """Copy-link control (every parameter explicit) and a QR code of the link, in the sidebar.

    The link and its QR image are made and sent only while the box is open: a page's first
    view then loads neither the code block's highlighter nor an image (issue #9), and a
    rerun makes no QR code nobody looks at.
    """
    import io

    import segno

    box = lazy_expander(t("share.title", view.lang), SHARE_KEY, ":material/share:", parent=st.sidebar)
    if box is None:
        return
    link = permalink(str(st.context.url or ""), url_path, view)
    with box:
        st.caption(t("share.hint", view.lang))
        st.code(link, language=None, wrap_lines=True)
        buf = io.BytesIO()
        segno.make(link, error="m").save(buf, kind="png", scale=5, border=2)
        st.image(buf.getvalue(), caption=t("share.qr", view.lang), width=180)
