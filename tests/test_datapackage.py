"""Provenance: the Frictionless data package, source licences and dates, bilingual derivations.

* ``data/datapackage.json`` is generated from ``dashboard/schema.py`` and must be current;
  every resource exists, its fields are the CSV's header, its constraints and foreign keys
  hold on the shipped data; the loader ignores the package file and ``raw/``.
* Every source states ``licence`` (``unknown`` said explicitly), ``date_published`` and
  ``date_accessed``; the Data & sources page shows them.
* The method of a derived figure is in ``derivation_vi``/``derivation_en`` and a Vietnamese
  page never shows the English text.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import re

import pytest
import yaml

from dashboard import datapackage
from dashboard import schema as S
from dashboard.briefing import build_briefing_html
from dashboard.present import NOTE_LANG_MARK, derivation_text, difference_delta
from tests.conftest import DATA, ROOT
from tests.test_escaping import markdown_texts, visible


def _package() -> dict:
    return json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))


def _rows(path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _tabular() -> list[dict]:
    return [r for r in _package()["resources"] if r.get("format") == "csv"]


def _yaml(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- the data package

def test_committed_datapackage_is_up_to_date():
    assert (DATA / "datapackage.json").read_text(encoding="utf-8") == datapackage.render(DATA), (
        "data/datapackage.json is out of date: run `python -m dashboard datapackage`")


def test_every_data_file_is_a_resource_and_every_resource_exists():
    paths = {r["path"] for r in _package()["resources"]}
    for p in paths:
        assert (DATA / p).is_file(), p
    expected = {"dataset.yaml", "provinces.yaml", "indicators.yaml", "sources.yaml", "values.csv",
                "industrial_zones.csv"}
    expected |= {f"national/{p.name}" for p in (DATA / "national").glob("*.csv")}
    expected |= {f"geo/{p.name}" for p in (DATA / "geo").glob("*.geojson")}
    assert paths == expected
    assert not [p for p in paths if p.startswith("raw/") or p == "datapackage.json"]
    formats = {r["path"]: r["format"] for r in _package()["resources"]}
    assert formats["sources.yaml"] == "yaml" and formats["values.csv"] == "csv"
    assert len({r["name"] for r in _package()["resources"]}) == len(paths)


def test_fields_are_the_csv_headers_with_types_and_keys():
    for res in _tabular():
        header, _ = _rows(DATA / res["path"])
        assert [f["name"] for f in res["schema"]["fields"]] == header, res["path"]
    values = next(r for r in _tabular() if r["name"] == "values")["schema"]
    fields = {f["name"]: f for f in values["fields"]}
    assert fields["value"]["type"] == "number" and fields["rank_of"]["type"] == "integer"
    assert fields["derived"]["type"] == "boolean" and "yes" in fields["derived"]["trueValues"]
    assert fields["qualifier"]["constraints"]["enum"] == [">", "<", "~"]
    assert fields["province"]["constraints"]["required"] is True
    assert "required" not in fields.get("scope", {}).get("constraints", {})
    assert values["primaryKey"] == ["province", "indicator", "period", "scope", "district"]
    refs = {fk["fields"][0]: fk["reference"] for fk in values["foreignKeys"]}
    assert refs == {"province": {"resource": "provinces", "fields": ["id"]},
                    "indicator": {"resource": "indicators", "fields": ["id"]},
                    "source": {"resource": "sources", "fields": ["id"]}}


def test_constraints_and_foreign_keys_hold_on_the_shipped_data():
    ids = {"provinces": {p["id"] for p in _yaml("provinces.yaml")["provinces"]},
           "indicators": {i["id"] for i in _yaml("indicators.yaml")["indicators"]},
           "sources": {s["id"] for s in _yaml("sources.yaml")["sources"]}}
    for res in _tabular():
        schema = res["schema"]
        _, rows = _rows(DATA / res["path"])
        assert rows, res["path"]
        for f in schema["fields"]:
            c = f.get("constraints", {})
            cells = [r[f["name"]] for r in rows]
            if c.get("required"):
                assert all(cells), (res["path"], f["name"])
            present = [x for x in cells if x not in schema["missingValues"]]
            if "enum" in c:
                assert set(present) <= set(c["enum"]), (res["path"], f["name"])
            if "pattern" in c:
                assert all(re.fullmatch(c["pattern"], x) for x in present), (res["path"], f["name"])
            if f["type"] == "number":
                assert all(re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", x) for x in present), (res["path"], f["name"])
            if f["type"] == "boolean":
                assert set(present) <= set(f["trueValues"] + f["falseValues"]), (res["path"], f["name"])
        for fk in schema["foreignKeys"]:
            known = ids[fk["reference"]["resource"]]
            [column] = fk["fields"]
            missing = {r[column] for r in rows} - known
            assert not missing, (res["path"], fk["fields"], sorted(missing)[:3])
        key = schema["primaryKey"]
        keys = [tuple(r[k] for k in key) for r in rows]
        assert len(keys) == len(set(keys)), res["path"]


def test_yaml_resources_carry_the_json_schema_of_their_records():
    res = {r["name"]: r for r in _package()["resources"] if r["format"] == "yaml"}
    source = res["sources"]["jsonSchema"]["properties"]["sources"]["items"]
    assert {"licence", "date_published", "date_accessed"} <= set(source["required"])
    for name, (file, records) in datapackage.YAML_RESOURCES.items():
        raw = _yaml(file)
        props = res[name]["jsonSchema"]["properties"]
        for key in records:  # every record's keys are described
            allowed = set(props[key]["items"]["properties"]) | {"with"}
            for entry in raw[key]:
                assert set(entry) <= allowed, (file, entry.get("id"), set(entry) - allowed)


def test_datapackage_command_writes_and_checks(tmp_path, capsys):
    import shutil

    from dashboard.__main__ import main

    shutil.copytree(DATA, tmp_path / "data", ignore=shutil.ignore_patterns("raw", "geo"))
    d = tmp_path / "data"
    (d / "datapackage.json").write_text("{}", encoding="utf-8")
    assert main(["datapackage", str(d), "--check"]) == 1
    assert main(["datapackage", str(d)]) == 0
    assert main(["datapackage", str(d), "--check"]) == 0
    paths = [r["path"] for r in json.loads((d / "datapackage.json").read_text(encoding="utf-8"))["resources"]]
    assert paths and not [p for p in paths if p.startswith("geo/")]  # what is there, only


def test_loader_ignores_the_package_file_and_raw(data_copy, ds):
    data_copy.file("datapackage.json").write_text("{not json", encoding="utf-8")
    (data_copy.path / "raw").mkdir(exist_ok=True)
    (data_copy.path / "raw" / "junk.csv").write_text("province,value\nnowhere,x\n", encoding="utf-8")
    loaded = data_copy.load()
    assert not loaded.errors
    assert not [p for p in loaded.problems if "datapackage" in p.file or "raw" in p.file]
    assert len(loaded.values) == len(ds.values)


# ----------------------------------------------------------------------------- sources

def test_every_source_states_licence_and_dates():
    for s in _yaml("sources.yaml")["sources"]:
        for key in ("licence", "date_published", "date_accessed"):
            assert key in s and s[key] not in (None, ""), (s["id"], key)
        lic = s["licence"]
        assert lic == "unknown" or (lic["name"] and lic["url"].startswith("https://")), s["id"]
        for key in ("date_published", "date_accessed"):
            assert S.check_source_date(s[key]) == str(s[key])
        assert "date" not in s  # the citation date comes from date_published


def test_source_provenance_is_validated(ds):
    src = ds.sources["wikipedia_en_thai_nguyen"]
    assert src.licence.name == "CC BY-SA 4.0" and src.date_accessed == "unknown"
    assert ds.sources["pci_2012_data_mirror"].date_accessed == "2026-11-30"
    assert ds.sources["nq_202_2025_qh15"].date == "2025-06-12"  # what citations show
    base = {"id": "x", "title": "T", "producer": "P", "kind": "press", "confidence": "high"}
    ok = S.Source(**base, licence="unknown", date_published="2023-12", date_accessed="unknown")
    assert ok.date == "2023-12"

    def codes(**kw):
        with pytest.raises(S.ValidationError) as err:
            S.Source(**{**base, "licence": "unknown", "date_published": "2023", "date_accessed": "2024",
                        **kw})
        return {(e["loc"][0] if e["loc"] else "", e["type"]) for e in err.value.errors()}

    assert ("date_accessed", "missing") in codes(date_accessed="")
    assert ("licence", "licence_form") in codes(licence="CC BY")
    assert ("date_published", "source_date") in codes(date_published="28/12/2023")
    assert ("date_published", "source_date") in codes(date_published="2023-13")
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    assert ("date_accessed", "source_date_future") in codes(date_accessed=future)
    assert ("date_accessed", "accessed_before_published") in codes(date_published="2024-05",
                                                                    date_accessed="2024-04-30")


def test_a_source_without_provenance_is_an_error_naming_the_column(data_copy):
    data_copy.replace("sources.yaml", "  date_accessed: unknown\n", "")
    problems = [p for p in data_copy.load().errors if p.code == "required"]
    assert problems and problems[0].column == "date_accessed" and problems[0].file.endswith("sources.yaml")
    assert "date_accessed" in problems[0].message("vi")


# ----------------------------------------------------------------------------- derivations

def _english_derivations() -> set[str]:
    out = set()
    for p in [DATA / "values.csv", *sorted((DATA / "national").glob("*.csv"))]:
        header, rows = _rows(p)
        assert "derivation" not in header and {"derivation_vi", "derivation_en"} <= set(header), p
        for r in rows:
            assert bool(r["derivation_vi"]) == bool(r["derivation_en"]), (p.name, r["indicator"])
            if r["derived"] == "yes":
                assert r["derivation_vi"], (p.name, r["province"], r["indicator"], r["period"])
            out.add(r["derivation_en"])
    return out - {""}


def test_every_derivation_in_both_languages_the_vietnamese_in_vietnamese():
    english = _english_derivations()
    _, rows = _rows(DATA / "values.csv")
    for r in rows:
        if r["derivation_vi"]:
            assert r["derivation_vi"] != r["derivation_en"]
            assert re.search(r"[ạảấầậắằẳặđêếềểệịọỏốồổộơớờởợụủưứừửữự]", r["derivation_vi"]), r["derivation_vi"]
    assert len(english) > 20


def test_derivation_text_in_the_page_language():
    row = {"derivation_vi": "hạng 8 cộng 4", "derivation_en": "rank 8 plus 4"}
    assert derivation_text(row, "vi") == "hạng 8 cộng 4" and derivation_text(row, "en") == "rank 8 plus 4"
    assert derivation_text({"derivation_en": "only English"}, "vi") == f"only English {NOTE_LANG_MARK['en']}"
    assert derivation_text({"derivation_vi": "chỉ tiếng Việt"}, "en") == f"chỉ tiếng Việt {NOTE_LANG_MARK['vi']}"
    assert derivation_text({"derivation": "legacy"}, "en") == "legacy"
    assert derivation_text({"derivation_vi": "", "derivation_en": float("nan")}, "vi") == ""


def test_the_old_derivation_column_is_read_as_english(data_copy):
    text = data_copy.file("values.csv").read_text(encoding="utf-8").rstrip("\n")
    lines = text.split("\n")
    out = []
    for i, line in enumerate(csv.reader(lines)):
        j = 11
        cells = line[:j] + [line[j + 1]] + line[j + 2:] if i else line[:j] + ["derivation"] + line[j + 2:]
        out.append(cells)
    import io
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(out)
    data_copy.file("values.csv").write_text(buf.getvalue(), encoding="utf-8")
    loaded = data_copy.load()
    assert not loaded.errors
    row = loaded.values[(loaded.values["indicator"] == "dti_rank") & (loaded.values["period"] == "2020")
                        & (loaded.values["province"] == "thai-nguyen")].iloc[0]
    assert row["derivation_en"].startswith("rank 8 in 2021") and not row["derivation_vi"]
    assert derivation_text(row, "vi").endswith(NOTE_LANG_MARK["en"])
    assert [p for p in loaded.warnings if p.code == "derivation_vi_missing" and p.column == "derivation_vi"]


def test_a_derived_figure_without_method_is_an_error(data_copy):
    data_copy.append_row("values.csv", "hai-duong,party_orgs_private_enterprises,2019,100,,,,,,"
                                       "exchange_meeting_2023,yes,,,,,,")
    [p] = [p for p in data_copy.load().errors if p.code == "derivation_missing"]
    assert p.column == "derivation_vi" and "derivation_en" in p.message("vi")


def _explorer(lang: str, provinces: str, indicator: str, period: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"lang": lang, "provinces": provinces, "indicator": indicator, "period": period})
    at.run()
    at.switch_page("pages/so_sanh_chi_tieu.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return [visible(b) for _, b in markdown_texts(at)]


def test_a_vietnamese_page_never_shows_an_english_derivation(ds):
    english = _english_derivations()
    for provinces, indicator, period in (("thai-nguyen,hai-duong", "pci_rank", "2022"),
                                         ("quang-ninh,da-nang", "papi_rank", "2019")):
        texts = _explorer("vi", provinces, indicator, period)
        shown = [s for s in texts if s.startswith("Cách tính:")]
        assert len(shown) >= 2, (indicator, texts[:5])
        leaked = [(e, s) for s in texts for e in english if e in s]
        assert not leaked, leaked[:1]
        assert "(English)" not in " ".join(shown)
    mine = {r["derivation_vi"] for _, r in ds.values[ds.values["derived"]].iterrows()}
    assert any(s.removeprefix("Cách tính: ") in mine for s in shown)


def test_an_english_page_shows_the_english_derivation():
    texts = _explorer("en", "thai-nguyen,hai-duong", "pci_rank", "2022")
    assert any(s.startswith("Derived as: PCI 2023 rank 23 plus") for s in texts)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_briefing_derivations_in_the_page_language(ds, cfg, lang):
    doc = build_briefing_html(ds, cfg, ["thai-nguyen", "hai-duong"], lang)
    other = "en" if lang == "vi" else "vi"
    theirs = {html.escape(d, quote=True) for d in ds.values[f"derivation_{other}"] if d}
    assert not [d for d in theirs if d in doc]


# ----------------------------------------------------------------------------- the page, decimals

def test_data_page_shows_licence_and_dates():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "vi"
    at.query_params["section"] = "nguon"  # the page's tab of sources
    at.run()
    at.switch_page("pages/du_lieu.py").run()
    assert not at.exception
    tables = [d.value for d in at.dataframe]
    src = next(t for t in tables if "Giấy phép" in t.columns)
    assert {"Ngày công bố", "Ngày lấy số liệu"} <= set(src.columns)
    by_id = src.set_index("id")
    assert by_id.loc["wikipedia_en_hai_duong", "Giấy phép"] == "CC BY-SA 4.0"
    assert by_id.loc["exchange_meeting_2023", "Giấy phép"] == "không nêu"
    assert by_id.loc["vietnamplus_en_tn_60_years", "Ngày công bố"] == "28/12/2023"
    assert by_id.loc["pci_2012_data_mirror", "Ngày lấy số liệu"] == "30/11/2026"
    assert by_id.loc["exchange_meeting_2023", "Ngày lấy số liệu"] == "không rõ"
    assert by_id.loc["wikipedia_en_hai_duong", "licence_url"].startswith("https://creativecommons.org/")


def test_decimals_of_the_indicator_format_the_difference(ds):
    """indicators.yaml ``decimals`` (the producer's precision) formats a computed difference."""
    from dashboard.compare import pair_for_concept

    inds = [i for i in ds.indicators.values() if i.decimals is not None]
    assert inds and all(i.kind == "score" for i in inds)
    provinces = ["quang-ninh", "da-nang"]
    for ind in inds:
        comp = pair_for_concept(ds, ind.concept, provinces)
        got = difference_delta(ds, comp, provinces, "vi")
        if got is None:
            continue
        rows = [comp.rows[p] for p in provinces]
        number = got[0].split()[0].lstrip("+-")
        assert re.fullmatch(rf"[0-9.]+,[0-9]{{{ind.decimals}}}", number), (ind.id, got, rows[0]["value_text"])
        return
    pytest.fail("no comparable pair of a figure with decimals")
