"""What the data must mean: scope (whole region vs the bureau's own work), several sources for one figure,
and child headers that repeat their group."""

from __future__ import annotations

import pandas as pd
from conftest import write_csv, write_xlsx

from analysis.catalog import load_catalog
from analysis.clean.findings import QualityReport
from analysis.clean.pipeline import clean
from analysis.clean.validate import validate_facts
from analysis.processed import FACT_COLUMNS, FACT_DEFAULTS, preferred_scope

CAT = load_catalog()


def _codes(report) -> list[str]:
    return [f.code for f in report.findings]


def test_region_row_and_bureau_row_are_different_figures(raw):
    write_csv(raw / "2024" / "a.csv", [["2024年执法情况"], ["地区", "立案"], ["固原市", 20], ["固原市自然资源局", 7],
                                       ["银川市本级", 3], ["全区", 90]])
    facts, report, _ = clean(raw)
    got = sorted(zip(facts.region_code, facts.scope, facts.value))
    assert got == [("640000", "region", 90.0), ("640100", "agency", 3.0), ("640400", "agency", 7.0),
                   ("640400", "region", 20.0)]
    assert "duplicate_conflict" not in _codes(report)
    assert set(facts.source_kind) == {"table"} and set(facts.evidence) == {""} and set(facts.evidence_span) == {""}
    assert list(facts.columns) == FACT_COLUMNS


def test_duplicates_are_still_compared_within_one_scope(raw):
    write_csv(raw / "2024" / "a.csv", [["地区", "立案"], ["固原市", 20]])
    write_csv(raw / "2024" / "b.csv", [["地区", "立案"], ["固原市", 21]])
    facts, report, _ = clean(raw)
    assert facts.empty and _codes(report).count("duplicate_conflict") == 2


def test_reports_prefer_the_whole_region_figure():
    rows = pd.DataFrame([
        {"year": 2024, "region_code": "640400", "indicator": "cases_filed", "scope": "region", "value": 20.0},
        {"year": 2024, "region_code": "640400", "indicator": "cases_filed", "scope": "agency", "value": 7.0},
        {"year": 2024, "region_code": "640100", "indicator": "cases_filed", "scope": "agency", "value": 3.0},
    ])
    kept = preferred_scope(rows)
    assert sorted(zip(kept.region_code, kept.value)) == [("640100", 3.0), ("640400", 20.0)]


LETTER = ["宁夏回族自治区自然资源厅关于2024年度行政执法工作情况的函", "",
          "银川市立案查处违法案件{n}起。", "", "宁夏回族自治区自然资源厅", "2025年1月10日"]


def _letter(raw, n: int) -> None:
    path = raw / "2024" / "letter.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(LETTER).format(n=n), encoding="utf-8")


def test_letter_and_table_agree_merge_into_the_table_fact(raw):
    write_csv(raw / "2024" / "t.csv", [["2024年执法情况"], ["地区", "立案"], ["银川市", 12], ["石嘴山市", 5]])
    _letter(raw, 12)
    facts, report, _ = clean(raw)
    yc = facts[(facts.region_code == "640100") & (facts.indicator == "cases_filed")]
    assert len(yc) == 1 and yc.iloc[0].source_kind == "table"
    merged = [f for f in report.findings if f.code == "duplicate_identical"]
    assert len(merged) == 1 and merged[0].file == "2024/letter.txt"


def test_letter_and_table_differ_table_wins_and_the_letter_stays_traceable(raw):
    write_csv(raw / "2024" / "t.csv", [["2024年执法情况"], ["地区", "立案"], ["银川市", 12], ["石嘴山市", 5]])
    _letter(raw, 13)
    facts, report, _ = clean(raw)
    yc = facts[(facts.region_code == "640100") & (facts.indicator == "cases_filed")]
    assert yc.value.tolist() == [12.0] and yc.iloc[0].source_kind == "table"
    conflict = [f for f in report.findings if f.code == "source_conflict"]
    assert len(conflict) == 1
    c = conflict[0]
    assert c.file == "2024/letter.txt" and c.raw_value == "13起" and c.severity == "warning"
    assert "2024/t.csv" in c.message_zh and "银川市立案查处违法案件13起。" in c.message_zh  # both sources, with evidence
    assert "duplicate_conflict" not in _codes(report)


def test_validate_without_new_columns_fills_table_defaults():
    r = CAT.regions["640100"]
    row = {"year": 2024, "region_code": "640100", "region_name": r.name, "level": r.level, "agency": "",
           "indicator": "cases_filed", "value": 3.0, "unit": "起", "approx": False, "source_file": "a.csv",
           "source_sheet": "S", "source_cell": "B2"}
    out = validate_facts(pd.DataFrame([row]), CAT, QualityReport())
    assert out.iloc[0][list(FACT_DEFAULTS)].to_dict() == FACT_DEFAULTS


def test_child_headers_that_repeat_their_group(raw):
    rows = [
        ["2024年执法情况"],
        ["地区", "执法巡查", "案卷评查", None],
        [None, "巡查（次）", "评查（宗）", "优秀（宗）"],
        ["银川市", 40, 9, 2],
    ]
    write_xlsx(raw / "2024" / "g.xlsx", {"S": rows}, {"S": ["A2:A3", "C2:D2"]})
    facts, report, _ = clean(raw)
    assert "header_unmapped" not in _codes(report)
    got = dict(zip(facts.indicator, facts.value))
    assert got == {"patrols": 40.0, "casefile_reviewed": 9.0, "casefile_excellent": 2.0}
