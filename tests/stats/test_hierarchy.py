"""Hierarchy roll-up (counties -> city -> province) and mismatch detection, by hand."""

from __future__ import annotations

import pytest

from analysis.stats.hierarchy import check_hierarchy, rollup, rollup_derived

from .conftest import facts_from

YINCHUAN_COUNTIES = ["640104", "640105", "640106", "640121", "640122", "640181"]


def _status(check, code, indicator, year=2023):
    row = check[(check.region_code == code) & (check.indicator == indicator) & (check.year == year)]
    assert len(row) == 1
    return row.iloc[0]


def test_rollup_sums_children_and_detects_mismatch():
    rows = [(2023, c, "cases_filed", i + 1) for i, c in enumerate(YINCHUAN_COUNTIES)]  # 1+..+6 = 21
    rows += [(2023, c, "fines_collected", 2.5) for c in YINCHUAN_COUNTIES]  # 15.0
    rows += [(2023, "640100", "cases_filed", 21), (2023, "640100", "fines_collected", 16.0)]
    check = check_hierarchy(facts_from(rows))
    ok = _status(check, "640100", "cases_filed")
    assert ok.status == "match" and ok.rolled_up == 21 and ok.n_children == 6 and ok.n_children_expected == 6
    bad = _status(check, "640100", "fines_collected")
    assert bad.status == "mismatch"
    assert bad.difference == pytest.approx(1.0) and bad.rel_difference == pytest.approx(1.0 / 16.0)


def test_incomplete_children_and_no_reported_total():
    rows = [(2023, "640104", "cases_filed", 4), (2023, "640105", "cases_filed", 6),
            (2023, "640100", "cases_filed", 30),
            (2023, "640104", "patrols", 3), (2023, "640105", "patrols", 3)]
    check = check_hierarchy(facts_from(rows))
    part = _status(check, "640100", "cases_filed")
    assert part.status == "incomplete_children" and part.difference == 20 and part.n_children == 2
    none = _status(check, "640100", "patrols")
    assert none.status == "no_reported_total" and none.rolled_up == 6


def test_cities_roll_up_to_province():
    rows = [(2023, "640100", "cases_filed", 10), (2023, "640200", "cases_filed", 20),
            (2023, "640300", "cases_filed", 30), (2023, "640400", "cases_filed", 40),
            (2023, "640500", "cases_filed", 50), (2023, "640000", "cases_filed", 150)]
    r = rollup(facts_from(rows))
    prov = r[r.region_code == "640000"].iloc[0]
    assert prov.value == 150 and prov.level == "province" and prov.child_level == "city"
    assert _status(check_hierarchy(facts_from(rows)), "640000", "cases_filed").status == "match"


def test_rates_re_derived_from_summed_counts():
    rows = [(2023, "640104", "casefile_reviewed", 10), (2023, "640104", "casefile_excellent", 1),
            (2023, "640104", "casefile_passed", 9),
            (2023, "640105", "casefile_reviewed", 40), (2023, "640105", "casefile_excellent", 2),
            (2023, "640105", "casefile_passed", 18),
            (2023, "640106", "casefile_reviewed", 0), (2023, "640106", "casefile_excellent", 0),
            (2023, "640106", "casefile_passed", 0)]
    r = rollup_derived(facts_from(rows))
    city = r[(r.region_code == "640100") & (r.indicator == "casefile_pass_rate")].iloc[0]
    # (10 + 20 + 0) / (10 + 40 + 0) = 60 %, while the mean of the rates 100 % and 50 % would be 75 %
    assert city.value == pytest.approx(60.0)
    assert (city.numerator, city.denominator) == (30, 50)
