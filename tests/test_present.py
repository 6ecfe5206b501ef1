"""How one figure reads: qualifier, stated precision, unit, rank, estimate flag."""

from dashboard.present import escape_md, flags, period_text, sources_line, value_text

TN, HD = "thai-nguyen", "hai-duong"


def test_lower_bound_in_billions(ds):
    row = ds.rows("export_value", [TN], period="2022").iloc[0]
    assert value_text(row, ds.indicators["export_value"], "vi") == ">31 tỷ USD"


def test_about_percent(ds):
    row = ds.rows("party_members_share_of_private_enterprise_workforce", [HD]).iloc[0]
    assert value_text(row, ds.indicators[row["indicator"]], "vi") == "~2,7%"
    assert value_text(row, ds.indicators[row["indicator"]], "en") == "~2.7%"


def test_grouping_and_precision(ds):
    row = ds.rows("party_members_private_enterprises", [HD]).iloc[0]
    assert value_text(row, ds.indicators[row["indicator"]], "vi").startswith("3.390 ")
    growth = ds.rows("grdp_growth_avg", [HD], period="2021-2023").iloc[0]
    assert value_text(growth, ds.indicators["grdp_growth_avg"], "vi").startswith("8,58%")


def test_rank_reads_of_total(ds):
    row = ds.rows("dti_rank", [TN], period="2021").iloc[0]
    assert value_text(row, ds.indicators["dti_rank"], "vi") == "8/63"


def test_estimate_and_inferred_period_flags(ds):
    rev = ds.rows("state_budget_revenue_cumulative", [HD]).iloc[0]
    assert "ước tính" in flags(rev, "vi")
    growth = ds.rows("grdp_growth_avg", [HD], period="2021-2023").iloc[0]
    assert "period inferred" in flags(growth, "en")


def test_period_and_sources(ds):
    assert period_text("2021-2023", "vi") == "2021–2023"
    assert period_text("2023-H1", "en") == "first half of 2023"
    line = sources_line(ds, ["exchange_meeting_2023", "exchange_meeting_2023"], "vi")
    assert line.startswith("Nguồn: ") and line.count(";") == 0


def test_markdown_is_escaped():
    # ":alert" would be read as a text directive: the colon is escaped too
    assert escape_md("[x](javascript:alert(1))") == "\\[x\\]\\(javascript\\:alert\\(1\\)\\)"


def test_difference_delta_keeps_precision_and_says_points(ds):
    from dashboard.compare import comparability
    from dashboard.present import difference_delta

    tn = ds.rows("grdp_growth", [TN]).iloc[0].copy()
    hd = tn.copy()
    tn["value"], tn["value_text"] = 6.5, "6.5"
    hd["province"], hd["value"], hd["value_text"] = HD, 10.2, "10.2"
    delta, description = difference_delta(ds, comparability({TN: tn, HD: hd}), [TN, HD], "vi")
    assert delta == "-3,7 điểm %"
    assert description == "so với Hải Dương (tính toán)"
    bound = hd.copy()
    bound["qualifier"] = ">"
    assert difference_delta(ds, comparability({TN: tn, HD: bound}), [TN, HD], "vi") is None


def test_comparability_text_names_what_differs(ds):
    from dashboard.compare import pair_for_concept
    from dashboard.present import comparability_text

    text = comparability_text(ds, pair_for_concept(ds, "party_members_in_enterprises", [TN, HD]), "vi")
    assert text.startswith("Không so sánh trực tiếp: hai số đo khác nhau — ")
    assert "(Thái Nguyên)" in text and "(Hải Dương)" in text
    assert "2015–2023 (Thái Nguyên); 2023 (Hải Dương)" in text
    missing = comparability_text(ds, pair_for_concept(ds, "e_handbook_functions", [TN, HD]), "en")
    assert missing == "Not directly comparable: no figure for Hai Duong."
