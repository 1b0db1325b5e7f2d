"""Domain rules and the pandera schema over hand-made tidy facts."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.catalog import load_catalog
from analysis.clean.findings import QualityReport
from analysis.clean.validate import validate_facts
from analysis.processed import FACT_COLUMNS, FACT_DEFAULTS, FACTS_SCHEMA

CAT = load_catalog()


def f(region, indicator, value, year=2024, cell="B2", file="a.csv", agency=""):
    r = CAT.regions[region]
    return {
        "year": year, "region_code": region, "region_name": r.name, "level": r.level, "agency": agency,
        "indicator": indicator, "value": float(value), "unit": CAT.indicators[indicator].unit, "approx": False,
        "source_file": file, "source_sheet": "S", "source_cell": cell, "raw_value": str(value), **FACT_DEFAULTS,
    }


def run(rows):
    rep = QualityReport()
    out = validate_facts(pd.DataFrame(rows), CAT, rep)
    return out, rep


def codes(rep):
    return [x.code for x in rep.findings]


def test_valid_facts_pass_schema_and_keep_columns():
    out, rep = run([f("640100", "cases_filed", 3), f("640100", "fines_collected", 1.5, cell="C2")])
    assert list(out.columns) == FACT_COLUMNS
    assert len(out) == 2 and not rep.findings
    FACTS_SCHEMA.validate(out)


def test_negative_count_dropped_fractional_kept():
    out, rep = run([f("640100", "cases_filed", -2), f("640200", "cases_filed", 12.5, cell="B3")])
    assert codes(rep) == ["value_negative", "value_fractional"]
    assert rep.findings[0].severity == "error" and rep.findings[1].severity == "warning"
    assert out["region_code"].tolist() == ["640200"]


def test_rate_over_100():
    out, rep = run([f("640100", "certified_officer_rate", 101.5), f("640200", "certified_officer_rate", 100)])
    assert codes(rep) == ["rate_over_100"]
    assert out["value"].tolist() == [100.0]


def test_penalty_parts_sum_mismatch_carries_both_numbers():
    rows = [
        f("640100", "penalty_warning", 2, cell="B2"),
        f("640100", "penalty_fine", 5, cell="C2"),
        f("640100", "penalty_confiscation", 1, cell="D2"),
        f("640100", "penalties_total", 9, cell="E2"),  # 2 + 5 + 1 = 8, not 9
    ]
    _, rep = run(rows)
    mism = [x for x in rep.findings if x.code == "parts_sum_mismatch"]
    assert len(mism) == 1 and mism[0].cell == "E2" and mism[0].severity == "warning"
    assert " 9 " in mism[0].message_en and " 8;" in mism[0].message_en


def test_penalty_parts_that_add_up_are_silent():
    rows = [f("640100", "penalty_warning", 2, cell="B2"), f("640100", "penalties_total", 2, cell="E2")]
    assert codes(run(rows)[1]) == []


def test_casefile_parts():
    rows = [
        f("640000", "casefile_reviewed", 39, cell="B2"),
        f("640000", "casefile_excellent", 10, cell="C2"),
        f("640000", "casefile_passed", 27, cell="D2"),
        f("640000", "casefile_failed", 3, cell="E2"),  # 10 + 27 + 3 = 40 != 39
    ]
    _, rep = run(rows)
    assert codes(rep) == ["parts_sum_mismatch"]
    assert "39" in rep.findings[0].message_zh and "40" in rep.findings[0].message_zh


def test_city_vs_counties_hierarchy():
    kids = [r.code for r in CAT.children("640200")]  # 大武口区, 惠农区, 平罗县
    assert len(kids) == 3
    rows = [f(k, "cases_filed", 10, cell=f"B{i + 3}") for i, k in enumerate(kids)]
    rows.append(f("640200", "cases_filed", 31, cell="B2"))  # 10 + 10 + 10 = 30
    _, rep = run(rows)
    assert codes(rep) == ["hierarchy_mismatch"]
    assert "31" in rep.findings[0].message_en and "30" in rep.findings[0].message_en
    # one county missing -> no comparison
    _, rep = run(rows[1:])
    assert codes(rep) == []


def test_money_hierarchy_tolerates_rounding():
    kids = [r.code for r in CAT.children("640200")]
    rows = [f(k, "fines_collected", 1.11, cell=f"B{i + 3}") for i, k in enumerate(kids)]
    rows.append(f("640200", "fines_collected", 3.33, cell="B2"))
    assert codes(run(rows)[1]) == []


def test_identical_duplicates_merged():
    out, rep = run([f("640100", "cases_filed", 3, file="a.csv"), f("640100", "cases_filed", 3, file="b.xlsx")])
    assert len(out) == 1 and out.iloc[0]["source_file"] == "a.csv"
    assert codes(rep) == ["duplicate_identical"]
    assert rep.findings[0].file == "b.xlsx" and "a.csv" in rep.findings[0].message_en


def test_conflicting_duplicates_both_dropped_and_both_named():
    out, rep = run([
        f("640100", "cases_filed", 3, file="a.csv", cell="B2"),
        f("640100", "cases_filed", 4, file="b.csv", cell="C9"),
        f("640200", "cases_filed", 5, file="a.csv", cell="B3"),
    ])
    assert out["region_code"].tolist() == ["640200"]
    conf = [x for x in rep.findings if x.code == "duplicate_conflict"]
    assert {(x.file, x.cell) for x in conf} == {("a.csv", "B2"), ("b.csv", "C9")}
    assert all(x.severity == "error" for x in conf)
    assert "b.csv!S!C9" in conf[0].message_en


def test_schema_violation_becomes_finding():
    bad = f("640100", "cases_filed", 3)
    bad["unit"] = "次"  # catalogue unit is 起
    out, rep = run([bad, f("640200", "cases_filed", 1, cell="B3")])
    assert codes(rep) == ["schema_violation"]
    assert out["region_code"].tolist() == ["640200"]


def test_empty_frame():
    out, rep = run([])
    assert out.empty and not rep.findings


@pytest.mark.parametrize("col,val", [("region_code", "6401"), ("level", "town"), ("indicator", "nope")])
def test_schema_rejects(col, val):
    import pandera.errors as pe

    row = f("640100", "cases_filed", 3)
    row[col] = val
    with pytest.raises(pe.SchemaError):
        FACTS_SCHEMA.validate(pd.DataFrame([row])[FACT_COLUMNS])
