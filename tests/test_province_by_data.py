"""A province added by data alone -- a provinces.yaml entry, a boundary, figures -- appears on
every surface: scorecard, topic page, explorer, map, slides, briefing and exports. No code
names the two first provinces. The province is synthetic (a fake name), in a temporary copy
of data/ only.
"""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

NAME = "Tỉnh Thử Nghiệm"
PID = "tinh-thu-nghiem"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    target = tmp_path_factory.mktemp("bydata") / "data"
    shutil.copytree(ROOT / "data", target)
    with open(target / "provinces.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"  - id: {PID}\n    gso_code: \"99\"\n    name: {{vi: {NAME}, en: Test Province}}\n"
                 "    level: province\n    vintage: \"2024\"\n    region: dong-bang-song-hong\n")
    geo = target / "geo" / "provinces_2024.geojson"
    doc = json.loads(geo.read_text(encoding="utf-8"))
    ring = [[107.60, 20.10], [107.90, 20.10], [107.90, 20.40], [107.60, 20.40], [107.60, 20.10]]
    doc["features"].append({"type": "Feature", "properties": {"code": "99", "name": NAME, "name_en": "Test Province",
                                                              "type": "Tỉnh"},
                            "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]}})
    geo.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    values = target / "values.csv"
    header = values.read_text(encoding="utf-8").splitlines()[0].split(",")
    rows = [{"province": PID, "indicator": "grdp_growth", "period": "2024", "value": "7.1", "source": "soha_tn_2024"},
            {"province": PID, "indicator": "grdp_growth", "period": "2023", "value": "6.2", "source": "soha_tn_2024"},
            {"province": PID, "indicator": "grdp_growth", "period": "2022", "value": "5.4", "source": "soha_tn_2024"}]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writerows(rows)
    with open(values, "a", encoding="utf-8") as fh:
        fh.write(buf.getvalue())
    return target


@pytest.fixture
def app(data_dir, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(data_dir))

    def run(page: str, **params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.query_params["provinces"] = f"thai-nguyen,{PID}"
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        if page != "pages/tong_quan.py":
            at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return run


def shown(at: AppTest) -> str:
    parts = [h.proto.body for h in at.get("html")]
    parts += [p.proto.spec for p in at.get("plotly_chart")]
    parts += [d.proto.json for d in at.get("deck_gl_json_chart")]
    parts += [m.label + " " + m.value for m in at.metric]
    for kind in ("markdown", "caption", "subheader", "info"):
        parts += [e.value for e in getattr(at, kind)]
    return "\n".join(parts)


def test_the_data_is_valid(data_dir):
    from dashboard.data import load_dataset

    ds = load_dataset(data_dir)
    assert PID in ds.provinces and not ds.errors, [p.line() for p in ds.errors][:3]
    assert len(ds.rows("grdp_growth", [PID])) == 3


@pytest.mark.parametrize("page,params", [
    ("pages/tong_quan.py", {}),
    ("pages/kinh_te_xa_hoi.py", {}),
    ("pages/so_sanh_chi_tieu.py", {"indicator": "grdp_growth", "period": "2024"}),
    ("pages/ban_do.py", {}),
    ("pages/trinh_chieu.py", {"slide": "1"}),
])
def test_the_province_appears_on_every_page(app, page, params):
    text = shown(app(page, **params))
    assert NAME in text, page
    if page != "pages/ban_do.py":
        assert "7,1" in text, page  # its figure, in Vietnamese style


def test_the_province_is_in_the_briefing_and_the_export(data_dir):
    from dashboard import export
    from dashboard.briefing import build_briefing_html
    from dashboard.config import load_config
    from dashboard.data import load_dataset

    ds = load_dataset(data_dir)
    html = build_briefing_html(ds, load_config(ROOT / "config.yaml"), ["thai-nguyen", PID], "vi")
    assert NAME in html and "7,1" in html
    table = export.figures_frame(ds, ds.rows("grdp_growth", [PID]), "vi")
    assert set(table.iloc[:, 0]) == {NAME}
    assert NAME in export.to_csv_bytes(table).decode("utf-8-sig")
