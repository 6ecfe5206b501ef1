"""Property-based tests of the YAML side of the loader (hypothesis, bounded, pure functions).

Whatever text a staff member saves, parsing never raises; and an entry of a YAML list is
either loaded or named by a problem on one of its lines, never dropped silently.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import schema as S
from dashboard.data import _Loader

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)


@SETTINGS
@given(st.text(max_size=400))
def test_parse_yaml_never_raises_on_any_text(text):
    ld = _Loader(Path("data"))
    parsed = _Loader.parse_yaml(text.encode("utf-8", "surrogatepass"), "data/x.yaml", ld)
    assert parsed is None or isinstance(parsed, dict)
    if parsed is None:
        assert ld.problems, "an unusable file is always named"


@SETTINGS
@given(st.binary(max_size=300))
def test_parse_yaml_never_raises_on_any_bytes(raw):
    ld = _Loader(Path("data"))
    parsed = _Loader.parse_yaml(raw, "data/x.yaml", ld)
    assert parsed is not None or ld.problems


province_entry = st.fixed_dictionaries(
    {"id": st.one_of(st.sampled_from(["thai-nguyen", "hai-duong", "x"]), st.text(max_size=6))},
    optional={
        "name": st.one_of(values, st.fixed_dictionaries({"vi": st.text(max_size=8), "en": st.text(max_size=8)})),
        "level": st.one_of(st.sampled_from(["province", "city", "nation"]), values),
        "gso_code": st.one_of(st.sampled_from(["19", "30", 19]), values),
        "vintage": st.one_of(st.sampled_from(["2024", "2025"]), values),
        "extra": values,
    })


@SETTINGS
@given(st.lists(province_entry, max_size=6))
def test_every_yaml_entry_is_loaded_or_named(entries):
    text = yaml.safe_dump({"provinces": entries}, allow_unicode=True, sort_keys=False)
    ld = _Loader(Path("data"))
    parsed = _Loader.parse_yaml(text.encode("utf-8", "surrogatepass"), "data/provinces.yaml", ld)
    assert parsed is not None, ld.problems
    raw_entries = parsed["provinces"]
    loaded = ld.records("data/provinces.yaml", raw_entries, S.Province, "provinces")
    starts = [e["__line__"] for e in raw_entries] + [10**9]
    for i, entry in enumerate(raw_entries):
        ident = entry.get("id")
        name = entry.get("name")
        if isinstance(ident, str) and ident in loaded and isinstance(name, dict) \
                and loaded[ident].name.vi == str(name.get("vi")).strip():
            continue
        lines = range(starts[i], starts[i + 1])
        assert any(p.row in lines for p in ld.problems), (entry, ld.problems)
