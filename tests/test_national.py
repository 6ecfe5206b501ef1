"""The national import (data/raw -> data/national) and the loader's handling of its files."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest

from dashboard import national
from dashboard.data import district_files, load_dataset, national_files, signature

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """One run of the import on the real spreadsheets, into a temporary folder."""
    out = tmp_path_factory.mktemp("national")
    messages: list[str] = []
    result = national.run(DATA, out_dir=out, echo=messages.append)
    return out, result, messages


def test_files_and_columns(imported):
    out, result, _ = imported
    assert sorted(p.name for p in out.iterdir()) == ["gso.csv", "papi.csv", "pci.csv"]
    header = (DATA / "values.csv").read_text(encoding="utf-8").splitlines()[0]
    for name, n in result["rows"].items():
        lines = (out / name).read_text(encoding="utf-8").splitlines()
        assert lines[0] == header
        assert len(lines) - 1 == n > 0


def test_pci_row_counts_per_year(imported):
    out, _, _ = imported
    rows = _read(out / "pci.csv")
    curated = [r for r in _read(DATA / "values.csv") if r["indicator"].startswith("pci_")]
    for year in range(2012, 2020):
        for ind in ("pci_score", "pci_rank"):
            provs = {r["province"] for r in rows + curated if r["indicator"] == ind and r["period"] == str(year)}
            assert len(provs) == 63, (ind, year)
        subs = {r["indicator"] for r in rows if r["period"] == str(year)} - {"pci_score", "pci_rank"}
        assert len(subs) == (9 if year == 2012 else 10), year
        assert ("pci_policy_bias" in subs) is (year != 2012)
    ranks = [r for r in rows if r["indicator"] == "pci_rank"]
    assert {r["rank_of"] for r in ranks} == {"63"} and not any(r["derived"] for r in ranks)
    # published precision: two decimals for every score
    assert all(len(r["value"].split(".")[1]) == 2 for r in rows if r["indicator"] != "pci_rank")


def test_papi_row_counts_as_published(imported):
    out, _, _ = imported
    rows = _read(out / "papi.csv") + [r for r in _read(DATA / "values.csv") if r["indicator"] == "papi_score"
                                      and r["period"] <= "2019"]
    totals = Counter(r["period"] for r in rows if r["indicator"] == "papi_score")
    # 2014: Bắc Giang and Đồng Tháp not published; 2018: Quảng Ninh and Đồng Tháp lack two dimensions
    assert totals == {"2011": 63, "2012": 63, "2013": 63, "2014": 61, "2015": 63, "2016": 63,
                      "2017": 63, "2018": 61, "2019": 63}
    dims = Counter(r["period"] for r in rows if r["indicator"] == "papi_environment")
    assert set(dims) == {"2018", "2019"}
    ranks = [r for r in _read(out / "papi.csv") if r["indicator"] == "papi_rank"]
    assert ranks and all(r["derived"] == "yes" and r["derivation_vi"] and r["derivation_en"] for r in ranks)
    assert {r["rank_of"] for r in ranks if r["period"] == "2014"} == {"61"}
    computed = [r for r in _read(out / "papi.csv") if r["indicator"] == "papi_score" and r["derived"]]
    assert {r["period"] for r in computed} == {"2018", "2019"}


def test_curated_rows_stay_and_agree(imported):
    out, result, messages = imported
    curated = {(r["province"], r["indicator"], r["period"]) for r in _read(DATA / "values.csv")}
    generated = {(r["province"], r["indicator"], r["period"]) for name in ("pci.csv", "papi.csv", "gso.csv")
                 for r in _read(out / name)}
    assert not curated & generated
    # the two provinces' curated PCI 2015-2019 and PAPI 2015-2019 figures were all seen
    skipped = set(result["skipped"])
    assert ("thai-nguyen", "pci_score", "2019") in skipped and ("hai-duong", "papi_rank", "2016") in skipped
    assert len(skipped) >= 36
    assert result["differences"] == [], result["differences"]
    assert any("differences beyond rounding: 0" in m for m in messages)


def test_generated_files_match_committed_and_are_stable(imported, tmp_path):
    out, _, _ = imported
    again = tmp_path / "again"
    national.run(DATA, out_dir=again, echo=lambda _m: None)
    for name in ("pci.csv", "papi.csv", "gso.csv"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
        assert (DATA / "national" / name).read_bytes() == (out / name).read_bytes(), (
            f"data/national/{name} is out of date: run python -m dashboard import-national")


def test_crosswalk_abbreviations_and_refusal():
    import yaml

    provinces = yaml.safe_load((DATA / "provinces.yaml").read_text(encoding="utf-8"))["provinces"]
    match = national.Crosswalk(provinces, DATA / "raw" / national.CROSSWALK_FILE)
    assert match("BRVT", "x") == "ba-ria-vung-tau"
    assert match("TT-Hue", "x") == match("TT.Huế", "x") == "thua-thien-hue"
    assert match("HCMC", "x") == match("TPHồ Chí Minh", "x") == match("Tp.HCM", "x") == "ho-chi-minh"
    assert match("Đăk Lăk", "x") == match("Dak Lak", "x") == "dak-lak"
    assert match("Bắc Cạn", "x") == "bac-kan"
    with pytest.raises(national.NameNotMatched, match=r"pci_2099\.xlsx\[Summary\].*'Atlantis'.*crosswalk"):
        match("Atlantis", "pci_2099.xlsx[Summary]")


def test_unmatched_name_in_a_spreadsheet_stops_the_import(tmp_path):
    import zipfile

    raw = tmp_path / "raw"
    shutil.copytree(DATA / "raw", raw)
    src, dst = DATA / "raw" / "pci_2017.xlsx", raw / "pci_2017.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/sharedStrings.xml":
                assert b">Bac Giang<" in data
                data = data.replace(b">Bac Giang<", b">Atlantis<")
            zout.writestr(info, data)
    with pytest.raises(national.NameNotMatched, match="Atlantis"):
        national.run(DATA, raw_dir=raw, out_dir=tmp_path / "out", echo=lambda _m: None)
    assert not (tmp_path / "out" / "pci.csv").exists()


def test_repeated_english_summary_is_refused():
    # pci_2014.xlsx's English "Summary" repeats the 2013 table
    with pytest.raises(national.ImportError_, match="2013.*not 2014"):
        national._pci_header("PCI 2013", 2014)
    assert national._pci_header("PCI 2014", 2014) == "pci_score"
    assert national._pci_header("Sub-Index 10: Law & Order", 2019) == "pci_legal_institutions"


def test_dataset_loads_national_files_without_errors():
    ds = load_dataset(DATA)
    assert not ds.errors, [p.line("en") for p in ds.errors[:5]]
    assert {p.name for p in national_files(DATA)} == {"gso.csv", "papi.csv", "pci.csv"}
    assert set(ds.values["file"]) == {"values.csv", "national/pci.csv", "national/papi.csv", "national/gso.csv"}
    qn = ds.rows("pci_score", ["quang-ninh"])
    assert set(qn["period"]) == {str(y) for y in range(2012, 2020)}
    assert ds.latest("thai-nguyen", "pci_score")["period"] == "2024"  # curated rows still there
    tn = ds.rows("pci_score", ["thai-nguyen"])
    assert tn.loc[tn["period"] == "2019", "source"].tolist() == ["pcivietnam_subindices_2019"]
    assert ds.indicators["pci_entry_costs"].topic == "index_components"
    assert len([p for p in ds.provinces.values() if p.vintage == "2024" and p.level != "nation"]) == 63
    assert len([p for p in ds.provinces.values() if p.vintage == "2025"]) == 34
    assert ds.provinces["quang-ninh"].region == "dong-bang-song-hong" and len(ds.regions) == 6


def test_loader_ignores_raw(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("*.xlsx"))
    before, sig = load_dataset(data), signature(data)
    (data / "raw" / "values.csv").write_text("not,a,values,file\n<b>x</b>\n", encoding="utf-8")
    (data / "raw" / "national").mkdir()
    (data / "raw" / "national" / "pci.csv").write_text("garbage\n", encoding="utf-8")
    after = load_dataset(data)
    assert not after.errors and len(after.values) == len(before.values)
    assert not any("raw" in p.file for p in after.problems)
    assert signature(data) == sig  # a change under raw/ never reloads the dataset
    assert after.fingerprint == before.fingerprint


def test_bad_generated_rows_get_the_values_csv_messages(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("raw"))
    extra = ("atlantis,pci_score,2019,50.00,,,,,,pci_2019_data_mirror,,,,,,\n"
             "quang-ninh,pci_entry_costs,2011,11.50,,,,,,pci_2019_data_mirror,,,,,,\n"
             "thai-nguyen,pci_score,2019,67.71,,,,,,pci_2019_data_mirror,,,,,,\n"
             "vietnam,pci_rank,2019,1,,,,,,pci_2019_data_mirror,,,,,,\n"
             "quang-ninh,papi_rank,2019,1,,,,63,,papi_2011_2019_data_mirror,yes,x,,,,\n")
    path = data / "national" / "pci.csv"  # read last: values.csv, gso.csv and papi.csv come first
    n = len(path.read_text(encoding="utf-8").splitlines())
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    ds = load_dataset(data)
    got = {(p.row, p.column, p.code) for p in ds.errors}
    assert got == {(n + 1, "province", "unknown_province"), (n + 2, "value", "above_max"),
                   (n + 3, "period", "duplicate_key"), (n + 4, "rank_of", "rank_of_missing"),
                   (n + 5, "period", "duplicate_key")}
    assert {p.file for p in ds.errors} == {"data/national/pci.csv"}
    firsts = {p.row: str(p.params.get("first")) for p in ds.errors if p.code == "duplicate_key"}
    assert firsts[n + 3].startswith("data/values.csv:") and firsts[n + 5].startswith("data/national/papi.csv:")
    # the good rows of every file are kept
    assert len(ds.values) == len(load_dataset(DATA).values)
    # the same rows in values.csv get the same codes from the per-row validator
    values = data / "values.csv"
    lines = extra.splitlines()
    values.write_text(values.read_text(encoding="utf-8") + "\n".join([lines[0], lines[1], lines[3]]) + "\n",
                      encoding="utf-8")
    codes = {p.code for p in load_dataset(data).errors if p.file.endswith("values.csv")}
    assert codes == {"unknown_province", "above_max", "rank_of_missing"}


def test_broken_generated_file_is_its_own_problem(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("raw"))
    (data / "national" / "papi.csv").write_bytes(b"PK\x03\x04 not a csv")
    ds = load_dataset(data)
    roots = [p for p in ds.errors if p.is_root]
    assert [p.file for p in roots] == ["data/national/papi.csv"]
    assert ds.rows("papi_participation").empty
    assert ds.rows("pci_score", ["quang-ninh"]).shape[0] == 8


def test_district_files_found_by_name():
    names = [p.name for p in district_files(DATA)]
    assert names == sorted(names) and {"districts_thai_nguyen.geojson", "districts_hai_duong.geojson"} <= set(names)


# ----------------------------------------------------------------------------- the 34 units of July 2025

def test_every_unit_of_july_2025_has_its_published_code(ds):
    units = {pid: p for pid, p in ds.provinces.items() if p.vintage == "2025"}
    assert len(units) == 34
    codes = [p.gso_code for p in units.values()]
    assert all(c and len(c) == 2 for c in codes) and len(set(codes)) == 34
    # Decision 19/2025/QĐ-TTg: a merged unit keeps the code of the province where its
    # People's Committee sits, so every new code is the 2024 code of one of its parts
    for pid, p in units.items():
        assert p.gso_code in {ds.provinces[m].gso_code for m in p.merged_from}, pid
    assert units["lao-cai-2025"].gso_code == ds.provinces["yen-bai"].gso_code  # seat in the former Yên Bái
    assert units["hai-phong-2025"].gso_code == "31" and units["ha-noi-2025"].gso_code == "01"
    assert "qd_19_2025_ttg" in ds.sources and ds.sources["qd_19_2025_ttg"].url.startswith("https://baochinhphu.vn/")


def test_a_unit_of_july_2025_has_the_region_its_parts_share_or_none(ds):
    units = [p for p in ds.provinces.values() if p.vintage == "2025"]
    without = []
    for p in units:
        parts = {ds.provinces[m].region for m in p.merged_from}
        assert p.region == (next(iter(parts)) if len(parts) == 1 else None), p.id
        if p.region is None:
            without.append(p.id)
    assert sorted(without) == ["bac-ninh-2025", "dak-lak-2025", "gia-lai-2025", "lam-dong-2025",
                               "phu-tho-2025", "quang-ngai-2025", "tay-ninh-2025"]


def test_free_text_in_a_generated_file_is_checked_as_in_values_csv(tmp_path):
    """HTML, edge spaces or a long text in a note: the row goes through the per-row
    validator of values.csv (HTML refused, edge spaces trimmed); a qualifier is kept."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("raw"))
    long = "x" * 1200
    extra = ("quang-ninh,pci_score,2005,60.00,,,,,,pci_2019_data_mirror,,,,,,<b>ghi chú</b>,note\n"
             "quang-ninh,pci_score,2006,60.00,,,,,,pci_2019_data_mirror,,,,,,ghi chú ,note\n"
             f"quang-ninh,pci_score,2007,60.00,,,,,,pci_2019_data_mirror,,,,,,{long},note\n"
             "quang-ninh,pci_score,2008,60.00,~,,,,,pci_2019_data_mirror,,,,,,ghi chú,note\n")
    path = data / "national" / "gso.csv"
    n = len(path.read_text(encoding="utf-8").splitlines())
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    ds = load_dataset(data)
    assert [(p.row, p.column, p.code) for p in ds.errors] == [(n + 1, "note_vi", "html")]
    kept = ds.rows("pci_score", ["quang-ninh"]).set_index("period")
    assert "2005" not in kept.index
    assert kept.at["2006", "note_vi"] == "ghi chú"  # trimmed, as in values.csv
    assert kept.at["2007", "note_vi"] == long and kept.at["2008", "qualifier"] == "~"
