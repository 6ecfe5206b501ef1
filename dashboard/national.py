"""Import the national panels: ``python -m dashboard import-national``.

Reads the spreadsheets in ``data/raw/`` (PCI 2012–2019, PAPI 2011–2019, GSO yearbook
covariates; see ``data/raw/SOURCES.md``) and writes ``data/national/pci.csv``,
``papi.csv`` and ``gso.csv`` with the columns of ``values.csv``. The loader reads those
generated files next to ``values.csv``; it never reads ``raw/``.

Rules
    * Every province name goes through one crosswalk (:class:`Crosswalk`): the names in
      ``provinces.yaml``, the spelling list ``raw/provinces_crosswalk.csv`` and the
      abbreviations of :data:`ALIASES`. A name that matches nothing stops the import with
      a message naming the file, the sheet and the name.
    * Scores are rounded to the decimals the producer publishes (two).
    * A figure already curated in ``values.csv`` (same province, indicator and period)
      stays there; the generated file leaves it out and the import reports any
      difference larger than the rounding.
    * Ranks the producer did not publish (PAPI) are computed from the unrounded scores,
      high to low, and written as derived with the rule in ``derivation_vi``/``derivation_en``.
    * Output is sorted and written with ``\\n`` line ends: a second run gives the same bytes.

The layouts differ by year. PCI 2012–2016 give, per column pair, the provinces sorted by
that sub-index (name column, then value column), Vietnamese headers in 2012 and
2014–2016 (``Summary_VN``; the English ``Summary`` of 2014–2016 repeats the 2013 table),
English in 2013; PCI 2017–2019 give one row per province. PCI 2012 has nine sub-indices
(no policy bias). PAPI has one sheet per year, English headers in the first row and
Vietnamese in the second, province GSO codes in ``tinhid``; 2018 and 2019 have eight
dimensions and no total column.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Iterable

import yaml

RAW_DIR = "raw"
OUT_DIR = "national"
PCI_YEARS = tuple(range(2012, 2020))
PAPI_FILE = "papi_2011_2019.xlsx"
GSO_FILE = "gso_covariates.xlsx"
CROSSWALK_FILE = "provinces_crosswalk.csv"
DECIMALS = 2

#: Source ids in sources.yaml, per file and year.
PCI_SOURCES = {y: f"pci_{y}_data_mirror" for y in PCI_YEARS}
PAPI_SOURCE = "papi_2011_2019_data_mirror"
GSO_SOURCE = "gso_covariates_mirror"

#: Abbreviations and spellings in the spreadsheets that neither provinces.yaml nor the
#: crosswalk file spell out (folded keys, see :func:`fold`).
ALIASES = {
    "brvt": "ba-ria-vung-tau", "tthue": "thua-thien-hue", "hcmc": "ho-chi-minh",
    "tphcm": "ho-chi-minh", "tphochiminh": "ho-chi-minh", "hochiminh": "ho-chi-minh",
    "baccan": "bac-kan",
}

#: PCI column headers (folded, ``subindexN`` prefix removed) -> indicator id.
PCI_HEADERS = {
    "gianhapthitruong": "pci_entry_costs", "entrycosts": "pci_entry_costs",
    "tiepcandatdai": "pci_land_access", "landaccess": "pci_land_access",
    "landaccesstenure": "pci_land_access",
    "tinhminhbach": "pci_transparency", "transparency": "pci_transparency",
    "chiphithoigian": "pci_time_costs", "timecosts": "pci_time_costs",
    "chiphikhongchinhthuc": "pci_informal_charges", "informalcharges": "pci_informal_charges",
    "canhtranhbinhdang": "pci_policy_bias", "bias": "pci_policy_bias", "policybias": "pci_policy_bias",
    "tinhnangdong": "pci_proactivity", "proactivity": "pci_proactivity",
    "hotrodoanhnghiep": "pci_business_support", "businesssupportservices": "pci_business_support",
    "daotaolaodong": "pci_labour_training", "labortraining": "pci_labour_training",
    "laborpolicy": "pci_labour_training",
    "thietchephaply": "pci_legal_institutions", "legalinstitutions": "pci_legal_institutions",
    "laworder": "pci_legal_institutions",
    "xephang": "pci_rank", "rank": "pci_rank", "ranking": "pci_rank",
}
PCI_SUBINDICES = ("pci_entry_costs", "pci_land_access", "pci_transparency", "pci_time_costs",
                  "pci_informal_charges", "pci_policy_bias", "pci_proactivity", "pci_business_support",
                  "pci_labour_training", "pci_legal_institutions")

#: PAPI dimension headers (English row, folded) -> indicator id.
PAPI_HEADERS = {
    "participationatlocallevels": "papi_participation", "transparency": "papi_transparency",
    "verticalaccountability": "papi_accountability", "controlofcorruption": "papi_corruption_control",
    "publicadministrativeprocedures": "papi_admin_procedures",
    "publicservicedelivery": "papi_service_delivery",
    "environmentalgovernance": "papi_environment", "egovernance": "papi_e_governance",
    "unweighted2015papi": "papi_score",
}
PAPI_DIMENSIONS = ("papi_participation", "papi_transparency", "papi_accountability",
                   "papi_corruption_control", "papi_admin_procedures", "papi_service_delivery",
                   "papi_environment", "papi_e_governance")

#: The national total and region rows of the GSO sheets (folded) are not provinces.
GSO_TOTALS = {"tongso", "canuoc"}


class ImportError_(ValueError):
    """The spreadsheets do not say what the import expects; the message names the fix."""


class NameNotMatched(ImportError_):
    """A province name in a spreadsheet matches no province of provinces.yaml."""


def fold(text: Any) -> str:
    """Lower-case ASCII letters and digits only: ``Thừa Thiên - Huế`` -> ``thuathienhue``."""
    text = str(text or "").replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _decode_crosswalk(line: bytes) -> str:
    """A line of the crosswalk file; some are UTF-7 (``+AC0-`` for ``-``)."""
    text = line.decode("utf-8", "replace")
    if "+" in text and "-" in text:
        try:
            return line.decode("utf-7")
        except UnicodeDecodeError:
            return text
    return text


class Crosswalk:
    """Province names as written in the spreadsheets -> province ids (vintage 2024)."""

    def __init__(self, provinces: Iterable[dict], crosswalk: Path | None = None) -> None:
        self.ids: dict[str, str] = {}
        self.names: dict[str, str] = {}
        for p in provinces:
            if p.get("vintage", "2024") != "2024" or p.get("level") == "nation":
                continue
            self.names[p["id"]] = p["name"]["vi"]
            for name in (p["id"], p["name"]["vi"], p["name"]["en"]):
                self.ids[fold(name)] = p["id"]
        for key, pid in ALIASES.items():
            self.ids.setdefault(key, pid)
        if crosswalk is not None and crosswalk.is_file():
            for line in crosswalk.read_bytes().splitlines()[1:]:
                original, _, fixed = _decode_crosswalk(line).rpartition(",")
                pid = self.ids.get(fold(fixed))
                if pid and fold(original):
                    self.ids.setdefault(fold(original), pid)

    def __call__(self, name: Any, where: str) -> str:
        pid = self.ids.get(fold(name))
        if pid is None:
            raise NameNotMatched(
                f"{where}: province name {str(name)!r} matches no province in provinces.yaml — "
                f"add the spelling to {RAW_DIR}/{CROSSWALK_FILE} (original,fixed) or to ALIASES "
                f"in dashboard/national.py")
        return pid


@dataclass(frozen=True)
class Figure:
    province: str
    indicator: str
    period: str
    value: str
    source: str
    rank_of: str = ""
    derived: bool = False
    derivation_vi: str = ""
    derivation_en: str = ""


def _round(value: Any, decimals: int = DECIMALS) -> str:
    """The published precision: ``67.70999908`` -> ``67.71`` (half up, from the shortest repr)."""
    return str(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _plain(value: Any) -> str:
    """A figure written as the yearbook prints it: ``862.0`` -> ``862``, ``3526.7`` stays."""
    d = Decimal(repr(float(value))).normalize()
    return format(d, "f")


def _workbook(path: Path):
    import warnings

    import openpyxl

    if not path.is_file():
        raise ImportError_(f"{path.name}: file missing — copy it into data/{RAW_DIR}/ (see SOURCES.md)")
    # The cell styles of these files take openpyxl seconds to parse and the import needs
    # none of them: read a copy of the workbook without its stylesheet (openpyxl then uses
    # the defaults). Values are unchanged.
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            if info.filename != "xl/styles.xml":
                dst.writestr(info.filename, src.read(info))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "Unknown extension is not supported"
        return openpyxl.load_workbook(buf, read_only=True, data_only=True)


def _rows(ws) -> list[tuple]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _block(rows: list[tuple], start: int) -> list[tuple]:
    """The data rows from ``start`` up to the first empty row."""
    out = []
    for r in rows[start:]:
        if not any(c not in (None, "") for c in r):
            break
        out.append(r)
    return out


def _rank_desc(scores: dict[str, float]) -> dict[str, int]:
    """Competition ranks, highest score first (ties share the better rank)."""
    ordered = sorted(scores.values(), reverse=True)
    return {pid: ordered.index(v) + 1 for pid, v in scores.items()}


# ----------------------------------------------------------------------------- PCI

def _pci_header(text: Any, year: int) -> str | None:
    key = re.sub(r"^subindex[0-9]+", "", fold(text))
    if not key:
        return None
    if key.startswith(("pci", "theweightedpciscore")) and "tier" not in key:
        if "rank" in key:
            return "pci_rank"
        found = re.findall(r"(?:19|20)[0-9]{2}", key)
        if found and int(found[0]) != year:
            raise ImportError_(f"pci_{year}.xlsx: the score column says {text!r}, not {year} — "
                               f"the sheet repeats another year's table; use the Vietnamese sheet")
        return "pci_score"
    return PCI_HEADERS.get(key)


def read_pci(path: Path, year: int, match: Crosswalk) -> dict[tuple[str, str], float]:
    """(province, indicator) -> published value for one PCI year."""
    wb = _workbook(path)
    sheet = next((s for s in ("Summary_VN", "Summary", "Tong hop") if s in wb.sheetnames), None)
    if sheet is None:
        raise ImportError_(f"{path.name}: no summary sheet (Summary_VN, Summary, Tong hop) — "
                           f"found {', '.join(wb.sheetnames)}")
    rows = _rows(wb[sheet])
    header = rows[0]
    data = _block(rows, 1)
    where = f"{path.name}[{sheet}]"
    columns = {j: _pci_header(h, year) for j, h in enumerate(header)}
    columns = {j: ind for j, ind in columns.items() if ind}
    out: dict[tuple[str, str], float] = {}
    wide = fold(header[0]) in ("province", "tinh")
    for j, ind in columns.items():
        if wide:
            name_col = 0
        else:  # column pairs: the names are in the nearest text column to the left
            name_col = next((k for k in range(j - 1, -1, -1)
                             if all(isinstance(r[k], str) for r in data)), None)
            if name_col is None:
                raise ImportError_(f"{where}: no province names left of column {j + 1} ({header[j]!r})")
        for r in data:
            pid = match(r[name_col], where)
            value = r[j]
            if not isinstance(value, (int, float)):
                raise ImportError_(f"{where}: {pid}, {header[j]!r}: {value!r} is not a number")
            if (pid, ind) in out:
                raise ImportError_(f"{where}: {r[name_col]!r} appears twice in column {header[j]!r}")
            out[(pid, ind)] = float(value)
    subs = {ind for ind in columns.values() if ind in PCI_SUBINDICES}
    expected = 9 if year == 2012 else 10
    if len(subs) != expected or {"pci_score", "pci_rank"} - set(columns.values()):
        raise ImportError_(f"{where}: found {len(subs)} sub-indices (expected {expected}) and "
                           f"{sorted({'pci_score', 'pci_rank'} & set(columns.values()))} — check the headers")
    provinces = {pid for pid, _ in out}
    if len(provinces) != 63:
        raise ImportError_(f"{where}: {len(provinces)} provinces, expected 63")
    return out


def pci_figures(raw: Path, match: Crosswalk) -> list[Figure]:
    figs = []
    for year in PCI_YEARS:
        values = read_pci(raw / f"pci_{year}.xlsx", year, match)
        n = len({pid for pid, _ in values})
        for (pid, ind), v in values.items():
            if ind == "pci_rank":
                figs.append(Figure(pid, ind, str(year), str(int(v)), PCI_SOURCES[year], rank_of=str(n)))
            else:
                figs.append(Figure(pid, ind, str(year), _round(v), PCI_SOURCES[year]))
    return figs


# ----------------------------------------------------------------------------- PAPI

def papi_figures(raw: Path, match: Crosswalk, gso_codes: dict[str, str]) -> list[Figure]:
    wb = _workbook(raw / PAPI_FILE)
    figs: list[Figure] = []
    for sheet in wb.sheetnames:
        m = re.fullmatch(r"((?:19|20)[0-9]{2})_PAPI", sheet)
        if not m:
            continue
        year = m[1]
        rows = _rows(wb[sheet])
        where = f"{PAPI_FILE}[{sheet}]"
        header = [fold(h) for h in rows[0]]
        columns = {j: PAPI_HEADERS[h] for j, h in enumerate(header) if h in PAPI_HEADERS}
        data = [r for r in _block(rows, 2) if isinstance(r[0], int) and r[0] < 999]
        scores: dict[str, float] = {}
        for r in data:
            pid = match(r[2] or r[1], where)
            code = f"{r[0]:02d}"
            if gso_codes.get(pid) and gso_codes[pid] != code:
                raise ImportError_(f"{where}: {r[2]!r} has tinhid {code} but gso_code "
                                   f"{gso_codes[pid]} in provinces.yaml — check both")
            dims, total = {}, 0.0
            for j, ind in columns.items():
                if r[j] is None:  # not published for this province and year
                    continue
                if not isinstance(r[j], (int, float)):
                    raise ImportError_(f"{where}: {pid}, {rows[0][j]!r}: {r[j]!r} is not a number")
                if ind == "papi_score":
                    total = float(r[j])
                else:
                    dims[ind] = float(r[j])
                    figs.append(Figure(pid, ind, year, _round(r[j]), PAPI_SOURCE))
            if "papi_score" in columns.values() and dims:  # no dimension: not surveyed (total 0)
                scores[pid] = total
                figs.append(Figure(pid, "papi_score", year, _round(total), PAPI_SOURCE))
            if "papi_score" not in columns.values():
                if len(dims) != 8:  # a dimension not published: no total, no rank
                    continue
                scores[pid] = sum(dims[d] for d in PAPI_DIMENSIONS)
                figs.append(Figure(pid, "papi_score", year, _round(scores[pid]), PAPI_SOURCE, derived=True,
                                   derivation_vi=f"tổng điểm tám chỉ số nội dung PAPI {year} (chỉ số tổng hợp "
                                                 f"không trọng số, thang 10–80); trang tính không có cột tổng",
                                   derivation_en=f"sum of the eight PAPI {year} dimension scores (unweighted "
                                                 f"aggregate, 10-80 scale); the sheet has no total column"))
        if len(data) != 63 or len(scores) < 60:
            raise ImportError_(f"{where}: {len(data)} provinces, {len(scores)} with a total — expected 63")
        for pid, rank in _rank_desc(scores).items():
            figs.append(Figure(pid, "papi_rank", year, str(rank), PAPI_SOURCE, rank_of=str(len(scores)),
                               derived=True,
                               derivation_vi=f"vị trí của điểm tổng PAPI {year} (chưa làm tròn) trong "
                                             f"{len(scores)} tỉnh, xếp từ cao xuống thấp; PAPI không công bố thứ hạng",
                               derivation_en=f"position of the unrounded PAPI {year} total among the "
                                             f"{len(scores)} provinces, high to low; PAPI publishes no ranks"))
    return figs


# ----------------------------------------------------------------------------- GSO

def gso_figures(raw: Path, match: Crosswalk, regions: dict[str, str], prov_region: dict[str, str]) -> list[Figure]:
    """Area (km²) and population (persons; the yearbook gives thousands) per yearbook year.

    Region rows give each province's region; it must agree with provinces.yaml.
    """
    wb = _workbook(raw / GSO_FILE)
    figs: list[Figure] = []
    region_ids = {fold(name): rid for rid, name in regions.items()}
    for sheet in wb.sheetnames:
        rows = _rows(wb[sheet])
        where = f"{GSO_FILE}[{sheet}]"
        cols = {}
        for j, h in enumerate(rows[0]):
            m = re.fullmatch(r"(area|population|pop)_((?:19|20)[0-9]{2})", str(h or ""))
            if m:
                cols[j] = ("area" if m[1] == "area" else "population", m[2])
        region = None
        for r in _block(rows, 1):
            key = fold(r[0])
            if key in GSO_TOTALS:
                continue
            if key in region_ids:
                region = region_ids[key]
                continue
            if key in ("hatay",):  # merged into Hà Nội in 2008; only in the 2006 sheet
                continue
            pid = match(r[0], where)
            if region and prov_region.get(pid) and prov_region[pid] != region:
                raise ImportError_(f"{where}: {r[0]!r} is listed under region {region}, provinces.yaml "
                                   f"says {prov_region[pid]} — check the region in provinces.yaml")
            for j, (ind, year) in cols.items():
                v = r[j]
                if v is None:
                    continue
                if ind == "population":
                    figs.append(Figure(pid, ind, year, str(int(Decimal(repr(float(v))) * 1000)), GSO_SOURCE))
                else:
                    figs.append(Figure(pid, ind, year, _plain(v), GSO_SOURCE))
    return figs


# ----------------------------------------------------------------------------- writing

def _read_values(path: Path) -> tuple[list[str], dict[tuple[str, str, str], str]]:
    """values.csv's header and its province-level unscoped figures by (province, indicator, period)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        curated = {}
        for row in reader:
            if not (row.get("scope") or row.get("district")):
                curated[(row["province"], row["indicator"], row["period"])] = row["value"]
    return header, curated


def _write(path: Path, header: list[str], figs: list[Figure]) -> int:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for f in sorted(figs, key=lambda f: (f.indicator, f.period, f.province)):
        cells = {"province": f.province, "indicator": f.indicator, "period": f.period, "value": f.value,
                 "source": f.source, "rank_of": f.rank_of, "derived": "yes" if f.derived else "",
                 "derivation_vi": f.derivation_vi, "derivation_en": f.derivation_en,
                 "derivation": f.derivation_en}
        w.writerow([cells.get(c, "") for c in header])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return len(figs)


def run(data_dir: Path | str, raw_dir: Path | str | None = None, out_dir: Path | str | None = None,
        echo=print) -> dict[str, Any]:
    """Read ``raw_dir``, write ``out_dir``; returns row counts and the differences found."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "Unknown extension is not supported"
        return _run(data_dir, raw_dir, out_dir, echo)


def _run(data_dir: Path | str, raw_dir: Path | str | None, out_dir: Path | str | None,
         echo) -> dict[str, Any]:
    data_dir = Path(data_dir)
    raw = Path(raw_dir) if raw_dir else data_dir / RAW_DIR
    out = Path(out_dir) if out_dir else data_dir / OUT_DIR
    meta = yaml.safe_load((data_dir / "provinces.yaml").read_text(encoding="utf-8"))
    provinces = meta.get("provinces") or []
    regions = {r["id"]: r["name"]["vi"] for r in meta.get("regions") or []}
    match = Crosswalk(provinces, raw / CROSSWALK_FILE)
    gso_codes = {p["id"]: str(p["gso_code"]) for p in provinces
                 if p.get("gso_code") and p.get("vintage", "2024") == "2024"}
    prov_region = {p["id"]: p["region"] for p in provinces if p.get("region")}
    header, curated = _read_values(data_dir / "values.csv")

    result: dict[str, Any] = {"rows": {}, "skipped": [], "differences": []}
    panels = {
        "pci.csv": pci_figures(raw, match),
        "papi.csv": papi_figures(raw, match, gso_codes),
        "gso.csv": gso_figures(raw, match, regions, prov_region),
    }
    for name, figs in panels.items():
        kept = []
        for f in figs:
            key = (f.province, f.indicator, f.period)
            if key in curated:
                result["skipped"].append(key)
                if abs(Decimal(curated[key]) - Decimal(f.value)) > Decimal("0.005"):
                    result["differences"].append((*key, curated[key], f.value))
                    echo(f"difference: {f.province} {f.indicator} {f.period}: values.csv {curated[key]}, "
                         f"{name} {f.value} (values.csv kept)")
                continue
            kept.append(f)
        result["rows"][name] = _write(out / name, header, kept)
        echo(f"{OUT_DIR}/{name}: {len(kept)} rows")
    echo(f"curated figures kept from values.csv: {len(result['skipped'])}, "
         f"differences beyond rounding: {len(result['differences'])}")
    return result
