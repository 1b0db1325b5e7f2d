"""Figures in sentences: each quirk with a small hand-written text (fixtures written here)."""

from __future__ import annotations

import re
import shutil
from importlib import resources

import pytest

from analysis.catalog import load_catalog
from analysis.catalog.text_patterns import load_text_patterns
from analysis.clean.findings import QualityReport
from analysis.clean.text_figures import extract_text_figures

CAT = load_catalog()
TITLE = ("P1", "宁夏回族自治区自然资源厅关于2024年度行政执法工作情况的报告")


def run(*paras, file="letters/letter.txt", manifest=None, catalog=CAT, title=True):
    rep = QualityReport()
    paragraphs = [TITLE, *paras] if title else list(paras)
    rows = extract_text_figures(paragraphs, file, catalog, rep, manifest)
    return rows, rep


def one(rows, indicator):
    hits = [r for r in rows if r["indicator"] == indicator]
    assert len(hits) == 1, (indicator, rows)
    return hits[0]


def codes(rep):
    return [f.code for f in rep.findings]


def test_approximations_are_flagged():
    rows, _ = run(("P2", "开展日常执法巡查110余次，受理投诉举报违法线索近5000条，收缴罚没款约47.10万元。"))
    assert one(rows, "patrols")["value"] == 110 and one(rows, "patrols")["approx"]
    assert one(rows, "complaint_leads")["value"] == 5000 and one(rows, "complaint_leads")["approx"]
    fines = one(rows, "fines_collected")
    assert fines["value"] == pytest.approx(47.10) and fines["approx"]


def test_exact_figure_is_not_approx_and_money_converts_to_wanyuan():
    rows, _ = run(("P2", "立案查处违法案件214起，收缴罚没款1.2亿元。"), ("P3", "全年罚没款5000元。"))
    assert one(rows, "cases_filed")["approx"] is False
    fines = [r["value"] for r in rows if r["indicator"] == "fines_collected"]
    assert fines == [pytest.approx(12000.0), pytest.approx(0.5)]  # 1.2亿元 = 12000万元; 5000元 = 0.5万元


def test_chinese_numerals_count():
    rows, _ = run(("P2", "立案查处违法案件二十三起。"))
    assert one(rows, "cases_filed")["value"] == 23


def test_truncated_number_is_never_a_fact():
    rows, rep = run(("P2", "立案查处违法案件12起，收缴罚没款4076."))
    assert [r["indicator"] for r in rows] == ["cases_filed"]
    trunc = [f for f in rep.findings if f.code == "text_number_truncated"]
    assert len(trunc) == 1 and trunc[0].raw_value == "4076." and trunc[0].severity == "warning"


def test_number_at_the_end_of_an_unfinished_text_is_truncated():
    rows, rep = run(("P2", "立案查处违法案件12起，收缴罚没款40"))
    assert [r["indicator"] for r in rows] == ["cases_filed"]
    assert "text_number_truncated" in codes(rep)


def test_figure_stated_in_title_summary_and_body_is_one_fact():
    rows, rep = run(("P2", "全年立案查处违法案件214起。"), ("P3", "一是严查违法行为。立案查处违法案件214起。"))
    assert len([r for r in rows if r["indicator"] == "cases_filed"]) == 1
    rep_rows = [f for f in rep.findings if f.code == "text_figure_repeated"]
    assert len(rep_rows) == 1 and rep_rows[0].sheet == "P3"


def test_not_figures_each_get_their_reason():
    rows, rep = run(("P2", "按照国办公开办函〔2021〕30号要求，自2025年1月1日起施行《2024年工作方案》，"
                           "一是召开会议5次，办结率100%。"))
    assert rows == []
    got = sorted((f.code, f.raw_value) for f in rep.findings)
    assert got == sorted([
        ("text_number_reference", "〔2021〕30号"), ("text_number_date", "2025年1月1日"),
        ("text_number_date", "2024年"), ("text_number_ordinal", "一是"), ("text_number_unmatched", "5次"),
        ("text_percent_unmatched", "100%"), ("text_number_date", "2024年度"),  # the last one: the title's year
    ])
    assert all(re.fullmatch(r"S\d+:\d+-\d+", f.cell) for f in rep.findings)


def test_percentage_with_a_rate_pattern_is_a_fact():
    rows, _ = run(("P2", "全区行政执法人员持证率达98.5%。"))
    assert one(rows, "certified_officer_rate")["value"] == pytest.approx(98.5)


def test_part_year_figure_is_not_a_yearly_fact():
    rows, rep = run(("P2", "1-9月立案查处违法案件12起。"))
    assert rows == []
    assert "text_figure_partial_period" in codes(rep)


def test_year_from_this_year_and_the_dateline():
    rows, rep = run(("P1", "关于行政执法工作情况的报告"), ("P2", "今年以来，立案查处违法案件12起。"),
                    ("P3", "宁夏回族自治区自然资源厅"), ("P4", "2025年1月10日"), title=False)
    assert one(rows, "cases_filed")["year"] == 2025
    assert one(rows, "cases_filed")["region_code"] == "640000"


def test_letter_with_no_year_gets_a_clear_finding():
    rows, rep = run(("P1", "关于行政执法工作情况的报告"), ("P2", "立案查处违法案件12起。"),
                    ("P3", "宁夏回族自治区自然资源厅"), title=False)
    assert rows == []
    assert codes(rep).count("text_year_unknown") == 1
    assert "text_figure_not_used" in codes(rep)


def test_year_from_the_manifest_or_the_folder_and_conflicts():
    body = ("P2", "立案查处违法案件12起。")
    plain = ("P1", "宁夏回族自治区自然资源厅行政执法工作情况")
    rows, _ = run(plain, body, file="2023/letter.txt", title=False)
    assert one(rows, "cases_filed")["year"] == 2023
    rows, _ = run(plain, body, file="x/letter.txt", manifest={"x/letter.txt": 2022}, title=False)
    assert one(rows, "cases_filed")["year"] == 2022
    rows, rep = run(body, file="2023/letter.txt")  # the title says 2024年度
    assert rows == [] and "text_year_conflict" in codes(rep)


def test_region_from_the_agency_and_from_places_in_the_clause():
    rows, _ = run(("P2", "固原市立案查处违法案件12起，石嘴山市立案查处违法案件15起。"))
    assert sorted((r["region_code"], r["value"]) for r in rows) == [("640200", 15.0), ("640400", 12.0)]
    rows, _ = run(("P1", "固原市自然资源局2024年度行政执法工作总结"), ("P2", "立案查处违法案件12起。"), title=False)
    assert one(rows, "cases_filed")["region_code"] == "640400"
    assert one(rows, "cases_filed")["agency"] == "固原市自然资源局"


def test_several_places_fall_back_to_the_agency_region():
    rows, _ = run(("P2", "组织灵武市和泾源县依法处置非住宅类房屋存量问题1693个。"))
    assert one(rows, "rural_nonresidential_disposed")["region_code"] == "640000"


def test_a_scene_setting_sentence_names_the_place_of_the_next():
    rows, _ = run(("P2", "对固原市开展自然资源督察。督察发现违法违规问题246个。"))
    assert one(rows, "inspection_issues_found")["region_code"] == "640400"


def test_unknown_region_is_a_finding():
    rows, rep = run(("P1", "2024年度工作情况"), ("P2", "立案查处违法案件12起。"), title=False)
    assert rows == []
    assert "text_region_unknown" in codes(rep)


def test_scope_agency_for_the_bureaus_own_work():
    rows, _ = run(("P2", "厅本级现有行政执法人员45名。全区立案查处违法案件12起。"))
    assert one(rows, "enforcement_officers")["scope"] == "agency"
    assert one(rows, "cases_filed")["scope"] == "region"


@pytest.mark.parametrize("pattern", load_text_patterns(CAT), ids=lambda p: f"{p.indicator}-{p.line}")
def test_every_catalogue_example_yields_its_indicator(pattern):
    rows, _ = run(("P2", pattern.example))
    assert pattern.indicator in [r["indicator"] for r in rows]


def test_a_new_phrase_needs_no_code_change(tmp_path):
    data = resources.files("analysis").joinpath("catalog", "data")
    for name in ("indicators.csv", "text_patterns.csv"):
        shutil.copyfile(str(data / name), tmp_path / name)
    with open(tmp_path / "indicators.csv", "a", encoding="utf-8") as fh:
        fh.write("illegal_land_area,违法占地面积,Illegal land area,平方米,count,enforcement,neutral,0,\n")
    with open(tmp_path / "text_patterns.csv", "a", encoding="utf-8") as fh:
        fh.write("illegal_land_area,违法占地面积|违法占地,before,平方米,,查处违法占地31.63万平方米。,\n")
    cat = load_catalog(tmp_path)
    rows, _ = run(("P2", "查处违法占地31.63万平方米，约1.5万平方米已复垦。"), catalog=cat)
    area = one(rows, "illegal_land_area")
    assert area["value"] == pytest.approx(316300.0) and area["unit"] == "平方米"
    rows, _ = run(("P2", "查处违法占地31.63万平方米。"))  # the packaged catalogue has no such pattern
    assert rows == []
