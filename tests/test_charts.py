"""Pure plotly builders: traces, order, colours, titles, qualifiers, axes, method changes."""

import json

import pytest

from dashboard import charts
from dashboard.compare import PER_KM2, comparability, pair_for_concept

TN, HD = "thai-nguyen", "hai-duong"


def test_bar_comparison_colours_order_labels(ds, cfg):
    comp = pair_for_concept(ds, "state_budget_revenue", [TN, HD])
    fig = charts.bar_comparison(ds, comp, cfg, "vi")
    bar = fig.data[0]
    assert list(bar.x) == ["Thái Nguyên", "Hải Dương"]
    assert list(bar.marker.color) == [cfg.colour(TN), cfg.colour(HD)]
    assert all("tỷ đồng" in label for label in bar.text)
    assert comp.rows[TN]["period"] in fig.layout.title.text.replace("–", "-")
    assert fig.layout.separators == ",."


def test_bar_comparison_refuses_non_comparable(ds, cfg):
    comp = pair_for_concept(ds, "party_orgs_in_enterprises", [TN, HD])
    with pytest.raises(ValueError):
        charts.bar_comparison(ds, comp, cfg, "vi")


def test_rank_chart_reads_lower_is_better(ds, cfg):
    comp = pair_for_concept(ds, "dti_rank", [TN, HD])
    fig = charts.bar_comparison(ds, comp, cfg, "en")
    lo, hi = fig.layout.xaxis.range
    assert lo > hi  # reversed: rank 1 on the right
    assert "lower rank is better" in fig.layout.title.text
    assert all("/63" in s for s in fig.data[0].text)


def test_normalised_bars_are_marked_approximate(ds, cfg):
    a = ds.rows("industrial_parks", [TN]).iloc[0]
    rows = {TN: a, HD: a.copy()}
    rows[HD]["province"] = HD
    fig = charts.bar_comparison(ds, comparability(rows), cfg, "vi", PER_KM2)
    assert all(t.startswith("≈") for t in fig.data[0].text)
    assert "/ km²" in fig.layout.yaxis.title.text


def test_time_series_splits_at_method_change(ds, cfg):
    fig = charts.time_series(ds, "pci_score", [TN, HD], cfg, "vi")
    assert fig is not None
    tn = [tr for tr in fig.data if tr.legendgroup == TN]
    years = [[int(x) for x in tr.x] for tr in tn]
    assert len(tn) >= 2, "a PCI line must not run across the 2021 recalibration"
    assert all(max(y) < 2021 or min(y) >= 2021 for y in years)
    shapes = json.dumps(fig.to_plotly_json()["layout"].get("annotations", []), ensure_ascii=False)
    assert "2021" in shapes


def test_time_series_rank_axis_reversed(ds, cfg):
    fig = charts.time_series(ds, "pci_rank", [TN, HD], cfg, "vi")
    assert fig.layout.yaxis.autorange == "reversed"
    assert "hạng nhỏ hơn là tốt hơn" in fig.layout.title.text


def test_time_series_needs_two_years(ds, cfg):
    assert charts.time_series(ds, "e_handbook_functions", [TN, HD], cfg, "vi") is None


def test_composition_of_hai_duong_party_organisations(ds, cfg):
    fig, note = charts.composition(ds, "party_orgs_private_enterprises",
                                   ["grassroots_party_committees_private_enterprises",
                                    "grassroots_cells_private_enterprises",
                                    "cells_under_commune_committees_private_enterprises"], HD, cfg, "vi")
    assert [tr.x[0] for tr in fig.data] == [20, 51, 95]
    # the total (166) is the concept's figure, shown by the page's comparison; the chart
    # draws the parts and names the period
    assert "theo loại hình" in fig.layout.title.text and "2023" in fig.data[0].y[0]
    assert note == ""  # 20 + 51 + 95 = 166
    assert not fig.layout.annotations


def test_composition_says_on_the_chart_when_parts_do_not_add_up(data_copy, cfg):
    data_copy.replace("values.csv", "hai-duong,grassroots_cells_private_enterprises,2023,51,",
                      "hai-duong,grassroots_cells_private_enterprises,2023,50,")
    ds2 = data_copy.load()
    fig, notes = charts.compositions(ds2, "party_orgs_private_enterprises",
                                     ["grassroots_party_committees_private_enterprises",
                                      "grassroots_cells_private_enterprises",
                                      "cells_under_commune_committees_private_enterprises"], [TN, HD], cfg, "vi")
    assert HD in notes and TN not in notes
    on_chart = " ".join(a.text for a in fig.layout.annotations)
    assert "165" in on_chart and "166" in on_chart and "Hải Dương" in on_chart


def test_chart_text_sizes_follow_the_config(ds, cfg):
    fig = charts.time_series(ds, "pci_score", [TN, HD], cfg, "vi")
    size = cfg.chart.font_size
    assert size >= 14
    assert fig.layout.font.size == size and fig.layout.xaxis.tickfont.size == size
    assert fig.layout.yaxis.tickfont.size == size and fig.layout.legend.font.size == size
    assert all(a.font.size >= 14 for a in fig.layout.annotations)
    assert fig.layout.uniformtext.minsize >= 14


def test_compact_rank_chart_labels_are_not_clipped(ds, cfg):
    comp = pair_for_concept(ds, "export_value_rank", [TN, HD])
    fig = charts.compact_comparison(ds, comp.present, cfg, "vi")
    tr = fig.data[0]
    assert tr.cliponaxis is False
    lo, hi = fig.layout.xaxis.range
    assert lo > hi  # reversed: rank 1 on the right
    # a label sits on the side with room: left of a dot in the better half
    for x, pos in zip(tr.x, tr.textposition):
        assert pos == ("middle left" if x <= (lo + hi) / 2 else "middle right")
    assert fig.layout.height <= 90 + 50 * 2 + 80


def test_chart_config_png_filename():
    conf = charts.chart_config("dti rank/2021")
    assert conf["toImageButtonOptions"]["filename"] == "dti-rank-2021"
    assert conf["toImageButtonOptions"]["format"] == "png"


def test_axes_use_grouping_not_si_suffixes(ds, cfg):
    comp = pair_for_concept(ds, "state_budget_revenue", [TN, HD])
    fig = charts.bar_comparison(ds, comp, cfg, "vi")
    assert fig.layout.yaxis.tickformat == ",~f" and fig.layout.separators == ",."
