"""Vietnamese pages in Vietnamese: notes, publishers, the map credit and the province list.

Every note in ``data/`` exists in both languages (``note_vi``/``note_en`` in the CSV files,
``note: {vi, en}`` in sources.yaml); a note in one language only is a warning naming the
file, row and column; a Vietnamese page never shows an English note, publisher
description or map credit.
"""

from __future__ import annotations

import csv
import html
import re

import pytest
import yaml

from dashboard.briefing import build_briefing_html
from dashboard.maps import load_geo
from dashboard.present import (
    NOTE_LANG_MARK,
    note_text,
    producer_text,
    source_short,
    source_text,
)
from tests.conftest import DATA, ROOT
from tests.test_escaping import PAGES, markdown_texts, visible

#: Letters only Vietnamese uses among Latin scripts (base letters and tone marks).
VI_LETTERS = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE)
#: English publisher descriptions that sources.yaml used to carry in `producer` (source
#: titles stay as published, so pages are checked for the descriptions only).
ENGLISH_PUBLISHER_WORDS = ("(news report)", "(provincial broadcaster)", "Provincial People's Committee",
                           "English edition", "mirrored in GitHub", "(realtor)", "(aggregator)")
PRODUCER_ENGLISH = ENGLISH_PUBLISHER_WORDS + ("(English)", "machine translation", "Statistics Office",
                                              "Ministry of", "Voice of Vietnam", "News Agency")


def _csv(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _sources() -> list[dict]:
    return yaml.safe_load((DATA / "sources.yaml").read_text(encoding="utf-8"))["sources"]


def english_notes() -> set[str]:
    notes = {r["note_en"] for r in _csv("values.csv") + _csv("industrial_zones.csv")}
    notes |= {s["note"]["en"] for s in _sources() if s.get("note")}
    return {n for n in notes if n}


# ----------------------------------------------------------------------------- shipped data

def test_every_shipped_note_has_both_languages():
    for name in ("values.csv", "industrial_zones.csv"):
        rows = _csv(name)
        assert "note" not in rows[0] and {"note_vi", "note_en"} <= set(rows[0]), name
        for i, r in enumerate(rows, start=2):
            assert bool(r["note_vi"]) == bool(r["note_en"]), (name, i)
    for s in _sources():
        if s.get("note") is not None:
            assert isinstance(s["note"], dict) and s["note"].get("vi") and s["note"].get("en"), s["id"]
    notes = [r for r in _csv("values.csv") if r["note_en"]]
    assert len(notes) >= 170  # the 176 notes of the article's and later figures


def test_vietnamese_notes_are_vietnamese():
    """Each note_vi with words in it is written with Vietnamese letters and is not the English note."""
    for name in ("values.csv", "industrial_zones.csv"):
        for i, r in enumerate(_csv(name), start=2):
            vi, en = r["note_vi"], r["note_en"]
            if not vi:
                continue
            assert vi != en, (name, i, vi)
            if len(re.findall(r"[^\W\d_]{3,}", vi)) >= 2:  # "≈3.746 USD." has no words to mark
                assert VI_LETTERS.search(vi), (name, i, vi)
    for s in _sources():
        if s.get("note"):
            assert VI_LETTERS.search(s["note"]["vi"]), s["id"]


def test_shipped_data_has_no_missing_translation_warning(ds):
    missing = [p for p in ds.problems if p.code in ("note_vi_missing", "note_en_missing")]
    assert missing == []


def test_publishers_read_in_the_page_language(ds):
    for src in ds.sources.values():
        for text in (producer_text(src, "vi"), source_short(src, "vi")):
            assert not [w for w in PRODUCER_ENGLISH if w in text], (src.id, text)
    src = ds.sources["baohaiduong_en_ip_2022"]
    assert producer_text(src, "vi") == "Báo Hải Dương (bản tiếng Anh)"
    assert producer_text(src, "en") == "Báo Hải Dương (English edition)"
    gov = ds.sources["haiduong_gov_grdp"]
    assert producer_text(gov, "vi").startswith("UBND tỉnh Hải Dương")
    assert producer_text(gov, "en").startswith("Hải Dương Provincial People's Committee")
    meeting = ds.sources["exchange_meeting_2023"]
    assert source_short(meeting, "vi") == "Minh Anh (bài tường thuật, 2023)"
    assert source_text(meeting, "vi").endswith(meeting.title)  # titles stay as published


def test_map_credit_in_vietnamese(ds):
    from dashboard.config import get_config
    from dashboard.maps import map_model

    geo = load_geo(DATA)
    for vintage in ("2024", "2025"):
        vi = map_model(ds, geo, get_config(), ["thai-nguyen", "hai-duong"], "vi", vintage).attribution
        en = map_model(ds, geo, get_config(), ["thai-nguyen", "hai-duong"], "en", vintage).attribution
        assert vi and len(vi) == len(en) and all(v != e for v, e in zip(vi, en))
        assert all(VI_LETTERS.search(v) and "boundaries" not in v for v in vi), vi
        assert any("Province boundaries" in e for e in en)


# ----------------------------------------------------------------------------- display helper

def test_note_text_falls_back_with_a_visible_marker():
    both = {"note_vi": "Ghi chú", "note_en": "Note"}
    assert note_text(both, "vi") == "Ghi chú" and note_text(both, "en") == "Note"
    assert note_text({"note_vi": "", "note_en": "Only English"}, "vi") == "Only English " + NOTE_LANG_MARK["en"]
    assert note_text({"note_vi": "Chỉ tiếng Việt", "note_en": ""}, "en") == "Chỉ tiếng Việt (tiếng Việt)"
    assert note_text({"note": "Legacy"}, "en") == "Legacy"  # the deprecated single column
    assert note_text({"note_vi": "", "note_en": ""}, "vi") == ""
    assert note_text({"note_vi": float("nan"), "note_en": float("nan")}, "vi") == ""


# ----------------------------------------------------------------------------- validation

def _warnings(problems, code):
    return [p for p in problems if p.code == code]


def test_a_note_in_one_language_is_a_warning_naming_the_column(data_copy):
    base = "hai-duong,party_orgs_private_enterprises,2019,100,,,,,,exchange_meeting_2023,,,,,,"
    en_only = data_copy.append_row("values.csv", base + ",Only in English")
    vi_only = data_copy.append_row("values.csv", base.replace("2019", "2018") + "Chỉ có tiếng Việt,")
    loaded = data_copy.load()
    [w] = _warnings(loaded.problems, "note_vi_missing")
    assert (w.file, w.row, w.column, w.is_error) == ("data/values.csv", en_only, "note_vi", False)
    assert "thêm bản tiếng Việt của ghi chú" in w.line("vi") and "note_vi" in w.line("vi")
    [w] = _warnings(loaded.problems, "note_en_missing")
    assert (w.row, w.column) == (vi_only, "note_en") and "English translation" in w.line("en")
    # a warning, never an error: both figures still load, the English one with its note
    rows = loaded.values[loaded.values["row"].isin([en_only, vi_only]) & (loaded.values["file"] == "values.csv")]
    assert len(rows) == 2
    assert note_text(rows[rows["row"] == en_only].iloc[0], "vi") == "Only in English (English)"


def test_zone_and_source_notes_are_checked_too(data_copy):
    path = data_copy.file("industrial_zones.csv")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["note_vi"] = ""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    data_copy.replace("sources.yaml", "    vi: Số liệu do các tỉnh tự báo cáo; chưa rõ tên báo và địa chỉ bài.\n", "")
    loaded = data_copy.load()
    zone = [w for w in _warnings(loaded.problems, "note_vi_missing") if w.file.endswith("industrial_zones.csv")]
    assert [(w.row, w.column) for w in zone] == [(2, "note_vi")]
    src = [w for w in _warnings(loaded.problems, "note_vi_missing") if w.file.endswith("sources.yaml")]
    assert [w.column for w in src] == ["note.vi"] and src[0].row is not None
    assert "exchange_meeting_2023" in loaded.sources  # the source itself still loads


def test_the_old_single_note_column_is_read_as_english(data_copy):
    data_copy.replace("values.csv", ",note_vi,note_en\n", ",note,note_vi_old\n")
    loaded = data_copy.load()
    assert not [p for p in loaded.errors if p.code == "unknown_column" and p.column == "note"]
    row = loaded.values.iloc[0]
    assert row["note_en"] and not row["note_vi"]  # the first cell (Vietnamese) read as the legacy note


# ----------------------------------------------------------------------------- pages and briefing

@pytest.fixture(scope="module")
def vi_pages():
    """(page, texts) of every page in Vietnamese, with a park focused on the map."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "vi"
    at.query_params["provinces"] = "thai-nguyen,hai-duong"
    at.run()
    out = {}
    for page in PAGES:
        if page != "pages/tong_quan.py":
            if page == "pages/ban_do.py":
                at.query_params["focus"] = "tn-song-cong-1"
            at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        out[page] = [visible(body) for _, body in markdown_texts(at)]
        if page == "pages/tong_quan.py":
            # the province list: no "Select all", a Vietnamese placeholder
            [ms] = [m for m in at.multiselect if m.key == "w_provinces"]
            assert ms.proto.select_all == 0 and ms.proto.placeholder == "Chọn tỉnh"
    return out


def test_no_page_in_vietnamese_shows_an_english_note(vi_pages):
    english = english_notes()
    for page, texts in vi_pages.items():
        for text in texts:
            leaked = [n for n in english if n in text]
            assert not leaked, (page, leaked[:1])
            words = [w for w in ENGLISH_PUBLISHER_WORDS if w in text]
            assert not words, (page, words, text[:200])


def test_vietnamese_pages_show_the_vietnamese_notes(vi_pages, ds):
    """The notes are there, in Vietnamese: card popovers, the park details and the map credit."""
    notes_vi = {n for n in ds.values["note_vi"] if n}
    shown = [n for texts in vi_pages.values() for n in notes_vi if any(n in s for s in texts)]
    assert len(set(shown)) >= 1
    zone_note = note_text(ds.zones[ds.zones["id"] == "tn-song-cong-1"].iloc[0], "vi")
    assert any(zone_note in s for s in vi_pages["pages/ban_do.py"])
    assert any("Dữ liệu bản đồ: Ranh giới tỉnh" in s for s in vi_pages["pages/ban_do.py"])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_briefing_notes_in_the_page_language(ds, cfg, lang):
    doc = build_briefing_html(ds, cfg, ["thai-nguyen", "hai-duong"], lang)
    other = "en" if lang == "vi" else "vi"
    mine = {html.escape(n, quote=True) for n in ds.values[f"note_{lang}"] if n}
    theirs = {html.escape(n, quote=True) for n in ds.values[f"note_{other}"] if n}
    assert any(n in doc for n in mine)
    assert not [n for n in theirs if n in doc]
    if lang == "vi":
        assert not [w for w in ENGLISH_PUBLISHER_WORDS if html.escape(w, quote=True) in doc]
