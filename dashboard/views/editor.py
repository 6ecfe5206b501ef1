"""Cập nhật dữ liệu (/cap-nhat): staff edit the curated figures, with history and restore.

What a visitor sees: one line when editing is off on this server; otherwise a sign-in form
and nothing editable. A signed-in editor edits ``values.csv`` and ``industrial_zones.csv``
in a grid, adds a figure with its source (an existing one or a new one in the same form),
uploads a CSV/XLSX with a preview of the difference, and browses and restores history.

Every write goes through :func:`dashboard.store.save` with ``allowed=`` the server-side
right of this session at the moment of writing (:func:`dashboard.auth.can_write`), so a
hidden page is not the only guard. The page never writes a file itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from .. import auth, edit_form, store
from ..cache import data_dir
from ..components import page_header
from ..edit_form import CellProblem, Edit
from ..i18n import pick, t
from ..present import escape_md
from ..session import context

FILES = ("values.csv", "industrial_zones.csv")
SHOWN_DIFF_ROWS = 50
NEW_SOURCE = "__new__"


# ----------------------------------------------------------------------------- entry

def editor_page() -> None:
    ctx = context()
    cfg, lang = ctx.cfg, ctx.lang
    page_header(ctx, "editor", "editor.intro")
    # Streamlit's own hint under form fields ("Press Enter to submit form") is English only.
    st.html("<style>[data-testid='InputInstructions'] { display: none; }</style>")
    editor = auth.sign_in_panel(cfg, lang)  # editing off, sign-in form, or who is signed in
    if editor is None:
        return
    folder = data_dir(cfg)
    _flash(lang)
    tabs = st.tabs([t("editor.tab_add", lang), t("editor.tab_values", lang), t("editor.tab_zones", lang),
                    t("editor.tab_upload", lang), t("editor.tab_history", lang)])
    with tabs[0]:
        _add_figure(ctx, folder, editor)
    with tabs[1]:
        _grid(ctx, folder, editor, "values.csv")
    with tabs[2]:
        _grid(ctx, folder, editor, "industrial_zones.csv")
    with tabs[3]:
        _upload(ctx, folder, editor)
    with tabs[4]:
        _history(ctx, folder, editor)


# ----------------------------------------------------------------------------- feedback

def _flash(lang: str) -> None:
    """The outcome of the last save, shown once after the rerun that reloads the data."""
    msg = st.session_state.pop("_ed_flash", None)
    if msg:
        st.success(msg)


def _code(text: str) -> str:
    """``file:row:column`` as a code span: shown literally (a column name from an upload
    is text, never markdown)."""
    return "`" + " ".join(str(text).replace("`", "'").split())[:200] + "`"


def _problems(problems: list[CellProblem], lang: str) -> None:
    lines = [f"- {_code(p.location())} — {escape_md(p.message)}" for p in problems[:30]]
    more = len(problems) - 30
    if more > 0:
        lines.append(f"- {t('editor.more_problems', lang, n=more)}")
    st.warning(t("editor.not_saved", lang) + "\n\n" + "\n".join(lines))


def _refused(err: store.Refused, lang: str) -> None:
    """A save the store refused: invalid data, someone else's change, or no right."""
    head, *lines = err.message(lang).split("\n")
    shown = [f"- {escape_md(line)}" for line in lines[:30]]
    if len(lines) > 30:
        shown.append(f"- {t('editor.more_problems', lang, n=len(lines) - 30)}")
    st.warning("\n\n".join([escape_md(head), "\n".join(shown)]) if shown else escape_md(head))
    other = getattr(err, "other", None)
    if other is not None:
        _diff_tables(other, lang, key="conflict")


def _save(ctx, folder, editor, edit: Edit, base_version: str, note: str = "") -> bool:
    """One write through the store, checked against this session's right when it writes."""
    lang = ctx.lang
    if edit.problems:
        _problems(edit.problems, lang)
        return False
    if edit.empty:
        st.info(t("editor.nothing", lang))
        return False
    cfg = ctx.cfg
    try:
        result = store.save(folder, edit.file, edit,
                            base_version=base_version, editor=editor.id,
                            allowed=lambda: auth.can_write(cfg), note=note)
    except store.Refused as err:
        _refused(err, lang)
        return False
    d = result.diff
    st.session_state["_ed_flash"] = t("editor.saved", lang, file=edit.file, added=len(d.added),
                                      changed=len(d.changed), removed=len(d.removed))
    return True


# ----------------------------------------------------------------------------- add a figure

def _add_figure(ctx, folder, editor) -> None:
    ds, lang = ctx.ds, ctx.lang
    st.caption(t("editor.add_hint", lang))
    compared = [p for p in ctx.view.provinces if p in ds.provinces]  # the view's provinces first
    provinces = compared + sorted((p for p in ds.provinces if p not in compared),
                                  key=lambda p: ds.province_name(p, lang))
    indicators = sorted(ds.indicators, key=lambda i: pick(ds.indicators[i].title, lang))
    c1, c2 = st.columns(2)
    province = c1.selectbox(t("editor.province", lang), provinces, key="ed_add_province",
                            format_func=lambda p: ds.province_name(p, lang))
    indicator = c2.selectbox(t("editor.indicator", lang), indicators, key="ed_add_indicator",
                             format_func=lambda i: f"{pick(ds.indicators[i].title, lang)} ({pick(ds.indicators[i].unit, lang) or '—'})")
    c3, c4, c5 = st.columns([1, 1, 1])
    period = c3.text_input(t("editor.period", lang), key="ed_add_period", placeholder="2024", max_chars=32)
    value = c4.text_input(t("editor.value", lang), key="ed_add_value",
                          placeholder="3.390" if lang == "vi" else "3390", max_chars=40)
    qualifier = c5.selectbox(t("editor.qualifier", lang), ["", ">", "<", "~"], key="ed_add_qualifier",
                             format_func=lambda q: t(f"editor.qualifier_{ {'': 'none', '>': 'gt', '<': 'lt', '~': 'about'}[q] }", lang))
    estimate = st.checkbox(t("editor.estimate", lang), key="ed_add_estimate")
    sources = sorted(ds.sources)
    source = st.selectbox(t("editor.source", lang), [""] + sources + [NEW_SOURCE], key="ed_add_source",
                          format_func=lambda s: (t("editor.choose_source", lang) if s == "" else
                                                 t("editor.new_source", lang) if s == NEW_SOURCE else
                                                 f"{ds.sources[s].title[:80]} — {ds.sources[s].producer[:40]}"))
    new_source: dict[str, str] | None = None
    if source == NEW_SOURCE:
        new_source = _new_source_fields(lang)
    note_vi = st.text_input(t("editor.note_vi", lang), key="ed_add_note_vi", max_chars=500)
    note_en = st.text_input(t("editor.note_en", lang), key="ed_add_note_en", max_chars=500)
    if not st.button(t("editor.add_button", lang), key="ed_add_save", type="primary"):
        return
    problems: list[CellProblem] = []
    if new_source is not None:
        source_id = new_source.get("id", "")
        if source_id in ds.sources:
            problems.append(CellProblem("sources.yaml", None, "id", t("editor.source_exists", lang, id=source_id)))
    else:
        source_id = source
    row = {"province": province, "indicator": indicator, "period": period, "value": value,
           "qualifier": qualifier, "estimate": "yes" if estimate else "", "source": source_id,
           "note_vi": note_vi, "note_en": note_en}
    snap = store.read(folder, "values.csv")
    shown = edit_form.editor_frame(snap.columns, snap.rows, "values.csv", lang)
    edit = edit_form.changes_from_delta("values.csv", snap.columns, snap.rows, shown,
                                        {"added_rows": [row]}, lang)
    if not period.strip():
        edit.problems.append(CellProblem("values.csv", None, "period", t("editor.period_required", lang)))
    if not value.strip():
        edit.problems.append(CellProblem("values.csv", None, "value", t("editor.value_required", lang)))
    edit.problems[:0] = problems
    if new_source is not None and not edit.problems:
        src_snap = store.read(folder, "sources.yaml")
        src_edit = Edit("sources.yaml", [new_source], [], [], [])
        if not _save(ctx, folder, editor, src_edit, src_snap.version, note=t("editor.note_new_source", lang)):
            return
    if _save(ctx, folder, editor, edit, snap.version):
        st.rerun()


def _new_source_fields(lang: str) -> dict[str, str]:
    with st.container(border=True):
        st.caption(t("editor.new_source_hint", lang))
        a, b = st.columns(2)
        src = {
            "id": a.text_input(t("editor.src_id", lang), key="ed_src_id", placeholder="baohaiduong_2025_01",
                               max_chars=60).strip(),
            "title": b.text_input(t("editor.src_title", lang), key="ed_src_title", max_chars=300).strip(),
        }
        c, d = st.columns(2)
        src["producer"] = c.text_input(t("editor.src_producer", lang), key="ed_src_producer", max_chars=120).strip()
        src["url"] = d.text_input(t("editor.src_url", lang), key="ed_src_url", max_chars=500).strip()
        e, f, g, h = st.columns(4)
        src["date_published"] = e.text_input(t("editor.src_published", lang), key="ed_src_published",
                                             placeholder="2025-06-12", max_chars=10).strip() or "unknown"
        src["date_accessed"] = f.text_input(t("editor.src_accessed", lang), key="ed_src_accessed",
                                            value=dt.date.today().isoformat(), max_chars=10).strip() or "unknown"
        src["kind"] = g.selectbox(t("editor.src_kind", lang), ["official", "press", "dataset", "secondary"],
                                  key="ed_src_kind", format_func=lambda k: t(f"editor.kind_{k}", lang))
        src["confidence"] = h.selectbox(t("editor.src_confidence", lang), ["high", "medium", "low"], index=1,
                                        key="ed_src_confidence", format_func=lambda k: t(f"editor.confidence_{k}", lang))
        src["licence"] = "unknown"
    if not src["url"]:
        src.pop("url")
    return src


# ----------------------------------------------------------------------------- grid

def _base(folder, file: str) -> Any:
    """The version of ``file`` this session is editing: kept until a save or a reload, so
    that someone else's save in between is merged or reported, never overwritten."""
    key = f"_ed_base_{file}"
    snap = st.session_state.get(key)
    if snap is None:
        snap = store.read(folder, file)
        st.session_state[key] = snap
    return snap


def _grid(ctx, folder, editor, file: str) -> None:
    ds, lang = ctx.ds, ctx.lang
    snap = _base(folder, file)
    current = store.version_of(folder, file)
    if current != snap.version:
        st.info(t("editor.changed_meanwhile", lang, file=file))
    cols = st.columns([3, 1], vertical_alignment="bottom")
    provinces = sorted({r.get("province", "") for r in snap.rows})
    only = cols[0].multiselect(t("editor.filter_province", lang), provinces, key=f"ed_filter_{file}",
                               placeholder=t("figure.choose_provinces", lang), format_func=lambda p: ds.province_name(p, lang) if p in ds.provinces else p)
    if cols[1].button(t("editor.reload", lang), key=f"ed_reload_{file}"):
        st.session_state.pop(f"_ed_base_{file}", None)
        st.session_state[f"_ed_gen_{file}"] = st.session_state.get(f"_ed_gen_{file}", 0) + 1
        st.rerun()
    frame = edit_form.editor_frame(snap.columns, snap.rows, file, lang)
    if only:
        frame = frame[frame["province"].isin(only)]
    choices = edit_form.choices(ds, file)
    config = {}
    for c in snap.columns:
        if c in choices:
            config[c] = st.column_config.SelectboxColumn(c, options=choices[c])
        else:
            config[c] = st.column_config.TextColumn(c, max_chars=5000)
    key = f"ed_grid_{file}_{st.session_state.get(f'_ed_gen_{file}', 0)}"
    st.data_editor(frame, key=key, column_config=config, num_rows="dynamic", hide_index=True,
                   width="stretch", height=420)
    st.caption(t("editor.grid_hint", lang))
    if st.button(t("editor.save", lang), key=f"ed_save_{file}", type="primary"):
        edit = edit_form.changes_from_delta(file, snap.columns, snap.rows, frame, grid_delta(key), lang)
        if _save(ctx, folder, editor, edit, snap.version):
            st.session_state.pop(f"_ed_base_{file}", None)
            st.session_state[f"_ed_gen_{file}"] = st.session_state.get(f"_ed_gen_{file}", 0) + 1
            st.rerun()


def grid_delta(key: str) -> dict:
    """The grid's edits (``edited_rows``, ``added_rows``, ``deleted_rows``) for ``key``."""
    return dict(st.session_state.get(key) or {})


# ----------------------------------------------------------------------------- upload

def _upload(ctx, folder, editor) -> None:
    lang = ctx.lang
    st.caption(t("editor.upload_hint", lang, mb=edit_form.MAX_UPLOAD_BYTES // (1024 * 1024)))
    a, b = st.columns(2)
    file = a.selectbox(t("editor.upload_target", lang), FILES, key="ed_up_file")
    mode = b.radio(t("editor.upload_mode", lang), ["append", "replace"], key="ed_up_mode", horizontal=True,
                   format_func=lambda m: t(f"editor.mode_{m}", lang))
    up = st.file_uploader(t("editor.upload_file", lang), type=list(edit_form.UPLOAD_TYPES),
                          key=f"ed_up_{st.session_state.get('_ed_up_gen', 0)}")
    if up is None:
        return
    snap = store.read(folder, file)
    rows, problems = edit_form.read_upload(up.name, up.getvalue(), file, snap.columns, lang)
    edit = edit_form.changes_from_upload(file, snap.columns, snap.rows, rows, mode, lang, problems)
    st.markdown(t("editor.preview", lang, added=len(edit.added), changed=len(edit.changed), removed=len(edit.removed)))
    _diff_tables(edit, lang, key="upload")
    if edit.problems:
        _problems(edit.problems, lang)
        return
    if st.button(t("editor.upload_apply", lang), key="ed_up_apply", type="primary"):
        if _save(ctx, folder, editor, edit, snap.version, note=t("editor.note_upload", lang, name=up.name)):
            st.session_state["_ed_up_gen"] = st.session_state.get("_ed_up_gen", 0) + 1  # an empty uploader
            st.rerun()


def _diff_tables(diff, lang: str, key: str) -> None:
    """Rows added, changed (before → after, changed cells only) and removed."""
    parts = []
    for row in diff.added[:SHOWN_DIFF_ROWS]:
        parts.append({t("editor.change", lang): "+", **row})
    for before, after in diff.changed[:SHOWN_DIFF_ROWS]:
        cells = {c: f"{before.get(c, '')} → {after.get(c, '')}" if before.get(c, "") != after.get(c, "") else after.get(c, "")
                 for c in after}
        parts.append({t("editor.change", lang): "~", **cells})
    for row in diff.removed[:SHOWN_DIFF_ROWS]:
        parts.append({t("editor.change", lang): "−", **row})
    if parts:
        st.dataframe(pd.DataFrame(parts).astype("string"), hide_index=True, key=f"ed_diff_{key}",
                     height=min(38 + 35 * len(parts), 320))


# ----------------------------------------------------------------------------- history

def _when(iso: str, lang: str) -> str:
    """``2026-11-30T05:58:10.246814Z`` -> ``30/11/2026 05:58:10`` (vi) / ``2026-11-30 05:58:10`` (en), UTC."""
    try:
        when = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return str(iso)
    return when.strftime("%d/%m/%Y %H:%M:%S" if lang == "vi" else "%Y-%m-%d %H:%M:%S")


def _history(ctx, folder, editor) -> None:
    lang = ctx.lang
    entries = store.history(folder)
    if not entries:
        st.markdown(t("editor.no_history", lang))
        return
    entries = list(reversed(entries))  # newest first
    table = pd.DataFrame([{
        t("editor.h_time", lang): _when(e.time, lang), t("editor.h_editor", lang): e.editor, t("editor.h_file", lang): e.file,
        "+": e.added, "~": e.changed, "−": e.removed, t("editor.h_note", lang): e.note or "",
    } for e in entries]).astype({"+": int, "~": int, "−": int})
    st.dataframe(table, hide_index=True, key="ed_history_table", height=min(38 + 35 * len(entries), 300))
    labels = {e.id: f"{_when(e.time, lang)} · {e.file} · {e.editor}" for e in entries}
    chosen = st.selectbox(t("editor.h_choose", lang), list(labels), key="ed_history_entry",
                          format_func=lambda i: labels[i])
    if chosen is None:
        return
    _diff_tables(store.history_diff(folder, chosen), lang, key="history")
    entry = next(e for e in entries if e.id == chosen)
    confirm = st.checkbox(t("editor.restore_confirm", lang, file=entry.file), key="ed_restore_ok")
    if st.button(t("editor.restore", lang), key="ed_restore", disabled=not confirm):
        try:
            store.restore(folder, chosen, editor=editor.id, allowed=lambda: auth.can_write(ctx.cfg),
                          base_version=store.version_of(folder, entry.file))
        except store.Refused as err:
            _refused(err, lang)
            return
        st.session_state.pop(f"_ed_base_{entry.file}", None)
        st.session_state["_ed_flash"] = t("editor.restored", lang, file=entry.file, time=_when(entry.time, lang))
        st.rerun()
