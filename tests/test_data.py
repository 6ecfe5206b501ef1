"""Loading data/ and every validation rule, each with a bad-input fixture.

Each test breaks a copy of the shipped data in one way and checks that the problem names
the file, the row (spreadsheet row / YAML line) and the column, and that every valid
record is still loaded.
"""

import re

import pandas as pd
import pytest

from dashboard.data import load_dataset

VALUE_ROW = "{province},{indicator},{period},{value},{qualifier},,,{rank_of},,{source},,,,,,"


def row(**kw):
    base = dict(province="hai-duong", indicator="party_orgs_private_enterprises", period="2019",
                value="100", qualifier="", rank_of="", source="exchange_meeting_2023")
    base.update(kw)
    return VALUE_ROW.format(**base)


def only(problems, code):
    found = [p for p in problems if p.code == code]
    assert found, f"no {code} in {[(p.code, p.location()) for p in problems]}"
    return found


# ----------------------------------------------------------------------------- shipped data

def test_shipped_data_is_valid(ds):
    assert ds.errors == [], [p.line("en") for p in ds.errors]
    assert len(ds.values) > 200
    assert {"thai-nguyen", "hai-duong", "vietnam"} <= set(ds.provinces)


def test_values_keep_their_stated_precision(ds):
    growth = ds.rows("grdp_growth_avg", ["hai-duong"], period="2021-2023").iloc[0]
    assert growth["value_text"] == "8.58"
    members = ds.rows("party_members_private_enterprises", ["hai-duong"]).iloc[0]
    assert members["value_text"] == "3390" and members["value"] == 3390


def test_qualifier_and_estimate_are_separate(ds):
    rev = ds.rows("state_budget_revenue_cumulative", ["hai-duong"]).iloc[0]
    assert bool(rev["estimate"]) is True and rev["qualifier"] == ""
    exports = ds.rows("export_value", ["thai-nguyen"], period="2022").iloc[0]
    assert exports["qualifier"] == ">" and exports["value_text"] == "31"


def test_latest_prefers_newest_period(ds):
    row_ = ds.latest("thai-nguyen", "dti_rank")
    assert row_ is not None
    assert row_["year_end"] == ds.rows("dti_rank", ["thai-nguyen"])["year_end"].max()


def test_every_rank_has_its_denominator(ds):
    ranks = ds.values[ds.values["indicator"].map(lambda i: ds.indicators[i].kind == "rank")]
    assert not ranks.empty and ranks["rank_of"].notna().all()


# ----------------------------------------------------------------------------- CSV rules

def test_unknown_province_names_row_and_column(data_copy):
    n = data_copy.append_row("values.csv", row(province="ha-noi-x"))
    ds = data_copy.load()
    p = only(ds.problems, "unknown_province")[0]
    assert (p.file, p.row, p.column) == ("data/values.csv", n, "province")
    assert "thai-nguyen" in p.message("vi")


def test_invalid_row_is_left_out_and_the_rest_kept(data_copy, ds):
    data_copy.append_row("values.csv", row(indicator="no_such_indicator"))
    bad = data_copy.load()
    assert len(bad.values) == len(ds.values)
    only(bad.problems, "unknown_indicator")


def test_unknown_source(data_copy):
    data_copy.append_row("values.csv", row(source="nowhere"))
    assert only(data_copy.load().problems, "unknown_source")[0].column == "source"


@pytest.mark.parametrize("qualifier", ["?", "hơn", ">="])
def test_qualifier_must_be_allowed(data_copy, qualifier):
    data_copy.append_row("values.csv", row(qualifier=qualifier))
    p = only(data_copy.load().problems, "not_allowed")[0]
    assert p.column == "qualifier"


@pytest.mark.parametrize("period,code", [("2023/24", "period"), ("2023-2021", "period_order"),
                                         ("2023-13", "period"), ("2023-02-30", "period")])
def test_period_well_formed(data_copy, period, code):
    data_copy.append_row("values.csv", row(period=period))
    assert only(data_copy.load().problems, code)[0].column == "period"


def test_decimal_comma_in_comma_file_is_rejected_with_fix(data_copy):
    n = data_copy.append_row("values.csv", row(indicator="party_members_share_of_private_enterprise_workforce",
                                               value='"8,58"'))
    p = only(data_copy.load().problems, "number_decimal_comma")[0]
    assert (p.row, p.column) == (n, "value")
    assert "8.58" in p.message("vi")


def test_dot_grouped_count_is_never_read_as_decimal(data_copy):
    data_copy.append_row("values.csv", row(value="3.390"))
    p = only(data_copy.load().problems, "number_looks_grouped")[0]
    assert "3390" in p.message("en")


def test_counts_must_be_whole(data_copy):
    data_copy.append_row("values.csv", row(value="12.5"))
    only(data_copy.load().problems, "not_whole")


def test_range_per_indicator(data_copy):
    data_copy.append_row("values.csv", row(indicator="schools_with_party_org_share", value="150"))
    data_copy.append_row("values.csv", row(value="-4", period="2018"))
    problems = data_copy.load().problems
    only(problems, "above_max")
    only(problems, "below_min")


def test_negative_growth_is_allowed(data_copy):
    data_copy.append_row("values.csv", row(indicator="grdp_growth", value="-2.5", period="2012"))
    ds = data_copy.load()
    assert not ds.errors
    assert ds.rows("grdp_growth", ["hai-duong"], period="2012").iloc[0]["value"] == -2.5


def test_rank_needs_denominator_and_fits_it(data_copy):
    data_copy.append_row("values.csv", row(indicator="dti_rank", value="9", period="2019"))
    data_copy.append_row("values.csv", row(indicator="dti_rank", value="70", period="2018", rank_of="63"))
    problems = data_copy.load().problems
    assert only(problems, "rank_of_missing")[0].column == "rank_of"
    only(problems, "rank_above_total")


def test_duplicated_rows_and_keys(data_copy):
    text = data_copy.file("values.csv").read_text(encoding="utf-8").splitlines()
    data_copy.append_row("values.csv", text[1])
    changed = text[1].replace(",48,", ",49,")
    data_copy.append_row("values.csv", changed)
    problems = data_copy.load().problems
    assert only(problems, "duplicate_row")[0].params["first"] == 2
    assert only(problems, "duplicate_key")[0].params["first"] == 2


def test_derived_needs_derivation(data_copy):
    data_copy.append_row("values.csv", "hai-duong,party_orgs_private_enterprises,2019,100,,,,,,"
                                       "exchange_meeting_2023,yes,,,,")
    assert only(data_copy.load().problems, "derivation_missing")[0].column == "derivation_vi"


def test_unknown_district(data_copy):
    data_copy.append_row("values.csv", "hai-duong,party_orgs_private_enterprises,2019,10,,,,,999,"
                                       "exchange_meeting_2023,,,,,")
    assert only(data_copy.load().problems, "unknown_district")[0].column == "district"


def test_html_in_a_note_is_rejected(data_copy):
    data_copy.append_row("values.csv", row() + "<script>alert(1)</script>")
    assert only(data_copy.load().problems, "html")[0].column == "note_vi"


def test_unknown_column_is_named(data_copy):
    data_copy.replace("values.csv", "province,indicator,period,value,",
                      "province,indicator,period,value,")
    data_copy.replace("values.csv", ",note_en\n", ",note_en,remark\n")
    p = only(data_copy.load().problems, "unknown_column")[0]
    assert (p.row, p.column) == (1, "remark")


def test_missing_column_keeps_last_good_version(data_copy):
    good = data_copy.load()  # remembered as the last good version in this process
    data_copy.replace("values.csv", "province,indicator,period,value,", "province,indicatr,period,value,")
    bad = data_copy.load()
    p = only(bad.problems, "column_missing")[0]
    assert (p.row, p.column) == (1, "indicator")
    only(bad.problems, "file_kept_last_good")
    assert "values.csv" in bad.stale_files
    assert len(bad.values) == len(good.values)


def test_excel_export_semicolon_bom_decimal_comma(data_copy, ds):
    """Excel (Vietnamese locale) saves ';', a BOM, decimal commas and dot thousands."""
    df = pd.read_csv(data_copy.file("values.csv"), dtype=str, keep_default_na=False)
    df["value"] = df["value"].map(lambda v: f"{float(v):,.{len(v.split('.')[1]) if '.' in v else 0}f}"
                                  .replace(",", "_").replace(".", ",").replace("_", "."))
    data_copy.file("values.csv").write_bytes(df.to_csv(index=False, sep=";").encode("utf-8-sig"))
    loaded = data_copy.load()
    assert loaded.errors == [], [p.line("en") for p in loaded.errors[:3]]
    members = loaded.rows("party_members_private_enterprises", ["hai-duong"]).iloc[0]
    assert members["value"] == 3390 and members["value_text"] == "3390"
    growth = loaded.rows("grdp_growth_avg", ["hai-duong"], period="2021-2023").iloc[0]
    assert growth["value_text"] == "8.58"
    assert len(loaded.values) == len(ds.values)


def test_dot_decimal_in_semicolon_file_is_rejected(data_copy):
    df = pd.read_csv(data_copy.file("values.csv"), dtype=str, keep_default_na=False)
    data_copy.file("values.csv").write_bytes(df.to_csv(index=False, sep=";").encode("utf-8"))
    problems = data_copy.load().problems
    p = only(problems, "number_vi_style")[0]
    assert p.column == "value" and p.row >= 2


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters precomposed, tone marks combining."""
    import unicodedata

    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out += base.encode("cp1258") + "".join(c for c in parts if c in TONE_MARKS).encode("cp1258")
    return bytes(out)


def test_windows_1258_file_is_read(data_copy, ds):
    text = data_copy.file("industrial_zones.csv").read_text(encoding="utf-8")
    data_copy.file("industrial_zones.csv").write_bytes(to_cp1258(text))
    loaded = data_copy.load()
    only(loaded.problems, "encoding_cp1258")
    assert list(loaded.zones["name"]) == list(ds.zones["name"])


def test_zone_coordinates_inside_vietnam(data_copy):
    data_copy.append_row("industrial_zones.csv",
                         "fake-zone-1,hai-duong,KCN Giả Định,KCN,,100,,planned,,,,105.1,20.9,approximate,"
                         "exchange_meeting_2023,")
    problems = data_copy.load().problems
    assert only(problems, "lat_outside")[0].column == "lat"


def test_zone_lat_without_lon(data_copy):
    data_copy.append_row("industrial_zones.csv",
                         "fake-zone-2,hai-duong,KCN Giả Định,KCN,,100,,planned,,,,20.9,,approximate,"
                         "exchange_meeting_2023,")
    only(data_copy.load().problems, "latlon_pair")


def test_zone_status_from_fixed_list(data_copy):
    data_copy.append_row("industrial_zones.csv",
                         "fake-zone-3,hai-duong,KCN Giả Định,KCN,,100,,sắp xây,,,,,,none,exchange_meeting_2023,")
    assert only(data_copy.load().problems, "not_allowed")[0].column == "status"


# ----------------------------------------------------------------------------- YAML rules

def test_broken_yaml_keeps_last_good_version(data_copy):
    good = data_copy.load()
    data_copy.replace("indicators.yaml", "  - id: area\n", "  - id: area\n   bad: [\n")
    bad = data_copy.load()
    p = only(bad.problems, "yaml_syntax")[0]
    assert p.file == "data/indicators.yaml" and p.row is not None
    assert "indicators.yaml" in bad.stale_files
    assert set(bad.indicators) == set(good.indicators)
    assert len(bad.values) == len(good.values)


def test_broken_yaml_without_backup_loses_only_that_file(tmp_path):
    import shutil

    from tests.conftest import DATA

    target = tmp_path / "fresh"
    shutil.copytree(DATA, target)
    (target / "sources.yaml").write_text("sources: [\n", encoding="utf-8")
    ds = load_dataset(target)
    only(ds.problems, "yaml_syntax")
    assert ds.sources == {}
    assert ds.values.empty  # every value names a source that is now unknown
    assert ds.indicators and ds.provinces  # the other files still load


def test_html_in_a_province_name(data_copy):
    data_copy.replace("provinces.yaml", "name: {vi: Hải Dương, en: Hai Duong}",
                      "name: {vi: <b>Hải Dương</b>, en: Hai Duong}")
    p = only(data_copy.load().problems, "html")[0]
    assert p.file == "data/provinces.yaml" and p.column == "name.vi" and p.row > 1


def test_unknown_field_and_duplicate_id_in_yaml(data_copy):
    data_copy.replace("indicators.yaml", "  - id: area\n", "  - id: area\n    colour: red\n")
    data_copy.replace("indicators.yaml", "  - id: population\n", "  - id: area\n")
    problems = data_copy.load().problems
    p = only(problems, "unknown_field")[0]
    assert p.column == "colour" and p.row is not None
    only(problems, "duplicate_id")


def test_gso_code_must_be_a_quoted_string(data_copy):
    data_copy.replace("provinces.yaml", 'gso_code: "19"', "gso_code: 19")
    assert only(data_copy.load().problems, "gso_code")[0].column == "gso_code"


def test_source_url_and_kind(data_copy):
    text = data_copy.file("sources.yaml").read_text(encoding="utf-8")
    indent = re.search(r"^( *)- id:", text, re.M).group(1)
    data_copy.file("sources.yaml").write_text(
        text.rstrip("\n") + "\n" + indent + "- {id: fake_src, title: T, producer: P, url: ftp://x, kind: blog, confidence: high}\n",
        encoding="utf-8")
    problems = data_copy.load().problems
    assert any(p.code == "url" for p in problems)
    assert any(p.code == "not_allowed" and p.column == "kind" for p in problems)


def test_low_confidence_is_a_warning_not_an_error(ds):
    low = [p for p in ds.problems if p.code == "low_confidence"]
    assert low and all(not p.is_error for p in low)
    assert (ds.values["confidence"] == "low").sum() == len(low)


def test_concept_titles_and_unknown_concept(data_copy, ds):
    assert ds.concept_title("party_members_in_enterprises", "vi") == "Đảng viên trong doanh nghiệp"
    assert ds.concept_title("dti_rank", "en") == ds.indicators["dti_rank"].title.en  # fallback
    data_copy.replace("indicators.yaml", "  - {id: grdp_growth, title:", "  - {id: grdp_growht, title:")
    p = only(data_copy.load().problems, "unknown_concept")[0]
    assert p.file == "data/indicators.yaml" and p.column == "id" and not p.is_error


# ----------------------------------------------------------------------------- reuse between loads

def _reads_of_data_files(monkeypatch, root):
    """Count the reads of files under ``root`` other than the boundaries (``geo/``)."""
    from pathlib import Path

    real = Path.read_bytes
    seen = []

    def counting(self):
        if str(self).startswith(str(root)) and "/geo/" not in str(self):
            seen.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    return seen


def test_an_unchanged_settled_file_is_not_read_again(data_copy, monkeypatch):
    from dashboard import data as D

    monkeypatch.setattr(D, "SETTLE_NS", 0)  # the copy's files count as settled at once
    first = data_copy.load()
    reads = _reads_of_data_files(monkeypatch, data_copy.path)
    again = data_copy.load()
    assert reads == []
    assert again.values.equals(first.values) and again.fingerprint == first.fingerprint
    assert [p.line("en") for p in again.problems] == [p.line("en") for p in first.problems]
    # an edit changes the file's times: that file alone is read again, and its new figure shown
    before = data_copy.load().rows("party_orgs_private_enterprises", ["hai-duong"], period="1999")
    assert before.empty
    data_copy.append_row("values.csv", row(period="1999", value="7"))
    edited = data_copy.load()
    assert sorted(set(reads)) == ["values.csv"]
    assert edited.rows("party_orgs_private_enterprises", ["hai-duong"], period="1999")["value"].tolist() == [7.0]
    assert edited.fingerprint != first.fingerprint


def test_a_file_rewritten_with_the_same_size_and_modification_time_is_read_again(data_copy, monkeypatch):
    import os

    from dashboard import data as D

    monkeypatch.setattr(D, "SETTLE_NS", 0)
    first = data_copy.load()
    target = data_copy.file("values.csv")
    st = target.stat()
    text = target.read_text(encoding="utf-8")
    old = "hai-duong,new_party_orgs_non_state_enterprises,2015-2023,48,"
    assert old in text
    target.write_text(text.replace(old, old.replace(",48,", ",47,")), encoding="utf-8")
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same modification time
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    got = data_copy.load().rows("new_party_orgs_non_state_enterprises", ["hai-duong"])
    assert got["value"].tolist() == [47.0]
    assert first.rows("new_party_orgs_non_state_enterprises", ["hai-duong"])["value"].tolist() == [48.0]


def test_a_curated_figure_added_later_wins_over_the_reused_check_of_a_national_table(data_copy, monkeypatch):
    from dashboard import data as D

    monkeypatch.setattr(D, "SETTLE_NS", 0)
    data_copy.load()
    data_copy.load()  # the generated tables' checks are now reused
    curated = ("quang-ninh,pci_score,2015,65.75,,,,,,pci_2015_data_mirror,,,,,,,")
    line = data_copy.append_row("values.csv", curated)
    ds = data_copy.load()
    dup = [p for p in ds.errors if p.code == "duplicate_key" and p.file == "data/national/pci.csv"]
    assert len(dup) == 1 and dup[0].params["first"] == f"data/values.csv:{line}"
    assert ds.rows("pci_score", ["quang-ninh"], period="2015")["file"].tolist() == ["values.csv"]
    # a line inserted above it moves it: the message follows the line, not a remembered one
    text = data_copy.file("values.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    data_copy.file("values.csv").write_text(header + "\n" + row(period="1998") + "\n" + rest, encoding="utf-8")
    moved = [p for p in data_copy.load().errors if p.code == "duplicate_key" and p.file == "data/national/pci.csv"]
    assert [p.params["first"] for p in moved] == [f"data/values.csv:{line + 1}"]
    # taken out again: the national row is back, without an error
    data_copy.file("values.csv").write_text(text.replace(curated + "\n", ""), encoding="utf-8")
    back = data_copy.load()
    assert not [p for p in back.errors if p.code == "duplicate_key"]
    assert back.rows("pci_score", ["quang-ninh"], period="2015")["file"].tolist() == ["national/pci.csv"]


def test_a_status_is_trusted_only_once_the_file_has_settled(tmp_path):
    from dashboard import data as D

    path = tmp_path / "x.csv"
    path.write_bytes(b"a\n")
    st = path.stat()
    changed = max(st.st_mtime_ns, st.st_ctime_ns)
    assert D._stamp(st, now_ns=changed + D.SETTLE_NS - 1) is None  # two writes in one tick look alike
    assert D._stamp(st, now_ns=changed + D.SETTLE_NS) == (st.st_dev, st.st_ino, st.st_size,
                                                          st.st_mtime_ns, st.st_ctime_ns)
    assert D._stamp(tmp_path.stat(), now_ns=changed + 10 * D.SETTLE_NS) is None  # a folder: never
    assert D.SETTLE_NS >= 2_000_000_000  # file systems with 2-second times


def test_sources_cited_by_provinces_yaml_are_checked_and_count_as_used(data_copy):
    assert not [p for p in data_copy.load().problems if p.code == "source_unused"]
    data_copy.replace("provinces.yaml", "sources: [qd_19_2025_ttg]", "sources: [qd_19_2025_ttg, qd_nowhere]")
    bad = only(data_copy.load().errors, "unknown_source")
    assert bad[0].file == "data/provinces.yaml" and bad[0].column == "sources" and bad[0].params["text"] == "qd_nowhere"
    data_copy.replace("provinces.yaml", "sources: [qd_19_2025_ttg, qd_nowhere]", "sources: []")
    unused = only(data_copy.load().warnings, "source_unused")
    assert [p.params["text"] for p in unused] == ["qd_19_2025_ttg"]


@pytest.mark.parametrize("text", [b"", b"a", b"ab\n", b"ab\ncde\n", b"abc\nd", b"\n\n", b"x" * 1001 + b"\n", b"a\n" + b"y" * 1200])
def test_longest_line_of_a_generated_file(text):
    from dashboard.data import _longest_line

    assert _longest_line(text) == max(len(line) for line in text.split(b"\n"))
