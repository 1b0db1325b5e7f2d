"""Extraction of every layout and text quirk of issue 2, from small raw files written here."""

from __future__ import annotations

import pytest
from conftest import clean_dir, codes_of, fact, findings_with, key_table, write_csv, write_xls, write_xlsx

PENALTY_14 = [
    "警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级", "吊销许可证件",
    "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留", "其他行政处罚",
]


# ----------------------------------------------------------------------------- key-indicator tables


def test_key_table_with_title_notes_and_total_as_province(raw):
    # 合计 over all five cities -> the province figure (640000); the rows above are cities.
    rows = key_table(total=[150, 2000.75, 1050], notes=["注：1. 罚没款含没收违法所得。", "说明：数据截至12月31日"])
    write_csv(raw / "key_2024.csv", rows)
    facts, report, meta = clean_dir(raw)
    # 5 cities x 3 indicators + 3 province figures from the 合计 row
    assert len(facts) == 18
    assert fact(facts, region_code="640000", indicator="cases_filed")["value"] == 150
    # 1200.5 + 300 + 250.25 + 150 + 100 = 2000.75 -> no mismatch warning
    assert "total_mismatch" not in codes_of(report)
    prov = fact(facts, region_code="640000", indicator="fines_collected")
    assert prov["value"] == pytest.approx(2000.75)
    assert prov["source_cell"] == "R8C3"  # title R1, header R2, 5 cities R3-R7, 合计 R8
    assert fact(facts, region_name="吴忠市", indicator="patrols")["source_cell"] == "R5C4"
    assert set(facts["year"]) == {2024}
    # note numbers are not facts but are reported
    notes = findings_with(report, "note_number_ignored")
    assert [f.cell for f in notes] == ["R9C1", "R10C1"]  # both notes contain digits
    assert not report.has_errors


def test_total_row_is_check_only_when_cities_incomplete(raw):
    values = {"银川市": [50, 10, 1], "石嘴山市": [30, 20, 2]}
    write_csv(raw / "key_2024.csv", key_table(values=values, total=[80, 30, 3]))
    facts, report, _ = clean_dir(raw)
    assert "640000" not in set(facts["region_code"])
    assert len(findings_with(report, "total_row_not_used")) == 3
    assert len(facts) == 6


def test_total_mismatch_warning_carries_both_numbers(raw):
    # cities sum: 50+30+40+20+10 = 150, the 合计 row says 151
    write_csv(raw / "key_2024.csv", key_table(total=[151, 2000.75, 1050]))
    facts, report, _ = clean_dir(raw)
    mism = findings_with(report, "total_mismatch")
    assert len(mism) == 1 and mism[0].severity == "warning"
    assert "151" in mism[0].message_en and "150" in mism[0].message_en
    # the published total still becomes the province figure
    assert fact(facts, region_code="640000", indicator="cases_filed")["value"] == 151


def test_province_row_present_is_the_province_figure(raw):
    values = {"全区": [150, 2000.75, 1050], "银川市": [50, 1200.5, 400]}
    write_csv(raw / "key_2024.csv", key_table(values=values))
    facts, _, _ = clean_dir(raw)
    assert fact(facts, region_code="640000", indicator="cases_filed")["value"] == 150
    assert fact(facts, region_code="640000", indicator="cases_filed")["level"] == "province"


def test_gb18030_csv_with_title_row(raw):
    write_csv(raw / "gbk.csv", key_table(year=2021), encoding="gb18030")
    facts, report, _ = clean_dir(raw)
    assert len(facts) == 15
    assert set(facts["year"]) == {2021}
    assert fact(facts, region_name="石嘴山市", indicator="cases_filed")["value"] == 30


def test_xlsx_two_level_merged_headers_side_by_side_and_unit_row(raw):
    rows = [
        ["2023年各市自然资源执法情况", None, None, None, None, None, None, None],
        ["单位：万元", None, None, None, None, None, None, None],
        ["地区", "执法情况", None, None, "案卷评查", None, None, None],
        [None, "立案", "结案", "罚没款", "评查数", "优秀", "合格", "不合格"],
        ["银川市", 10, 9, 12.5, 4, 1, 2, 1],
        ["石嘴山市", 5, 5, 100, 2, 1, 1, 0],
    ]
    write_xlsx(raw / "k.xlsx", {"Sheet1": rows}, {"Sheet1": ["A1:H1", "A3:A4", "B3:D3", "E3:H3"]})
    facts, report, _ = clean_dir(raw)
    assert len(facts) == 14
    yc = facts[facts["region_name"] == "银川市"].set_index("indicator")["value"].to_dict()
    assert yc == {
        "cases_filed": 10, "cases_closed": 9, "fines_collected": 12.5, "casefile_reviewed": 4,
        "casefile_excellent": 1, "casefile_passed": 2, "casefile_failed": 1,
    }
    assert fact(facts, region_name="石嘴山市", indicator="casefile_passed")["source_cell"] == "G6"
    assert not report.has_errors


def test_csv_two_level_group_header_without_merges(raw):
    rows = [
        ["地区", "立案", "罚没款（万元）", "案卷评查", None, None, None],
        [None, None, None, "评查数", "优秀", "合格", "不合格"],
        ["银川市", 3, 1.5, 4, 1, 2, 1],
    ]
    write_csv(raw / "2022" / "t.csv", rows)
    facts, report, _ = clean_dir(raw)
    got = facts.set_index("indicator")["value"].to_dict()
    assert got == {"cases_filed": 3, "fines_collected": 1.5, "casefile_reviewed": 4, "casefile_excellent": 1,
                   "casefile_passed": 2, "casefile_failed": 1}
    assert set(facts["year"]) == {2022}


def test_unit_row_under_header_converts_yuan(raw):
    rows = [["地区", "立案", "罚没款"], [None, "起", "元"], ["银川市", 3, 25000]]
    write_csv(raw / "2022" / "t.csv", rows)
    facts, report, _ = clean_dir(raw)
    # 25000 元 = 2.5 万元
    assert fact(facts, indicator="fines_collected")["value"] == pytest.approx(2.5)
    conv = findings_with(report, "unit_converted")
    assert len(conv) == 1 and conv[0].severity == "info"


def test_money_units_in_header_yuan_wanyuan_yiyuan(raw):
    rows = [["地区", "罚没金额（元）"], ["银川市", 10000]]
    write_csv(raw / "2020" / "a.csv", rows)
    rows = [["地区", "罚没金额（亿元）"], ["石嘴山市", 0.5]]
    write_csv(raw / "2020" / "b.csv", rows)
    rows = [["地区", "罚没金额（万元）"], ["吴忠市", 7]]
    write_csv(raw / "2020" / "c.csv", rows)
    facts, report, _ = clean_dir(raw)
    # 10000 元 = 1 万元; 0.5 亿元 = 5000 万元; 7 万元 stays 7
    assert fact(facts, region_name="银川市")["value"] == pytest.approx(1.0)
    assert fact(facts, region_name="石嘴山市")["value"] == pytest.approx(5000.0)
    assert fact(facts, region_name="吴忠市")["value"] == pytest.approx(7.0)
    assert set(facts["unit"]) == {"万元"}
    assert len(findings_with(report, "unit_converted")) == 2


def test_legacy_xls_with_traditional_characters(raw):
    rows = [["2020年行政處罰統計"], ["地區", "立案數量", "罰沒金額（萬元）"], ["銀川市", 12, 3.5]]
    write_xls(raw / "old.xls", {"表": rows})
    facts, report, _ = clean_dir(raw)
    assert fact(facts, indicator="cases_filed")["value"] == 12
    assert fact(facts, indicator="fines_collected")["value"] == 3.5
    assert set(facts["region_name"]) == {"银川市"}
    assert set(facts["year"]) == {2020}


def test_text_quirks_fullwidth_separators_approx_units_wan_spaces(raw):
    rows = [
        ["地区", "立案（起）", "罚没款（万元）", "执法巡查（次）", "行政 拘留"],
        ["银川市", "１２", "1,234.5", "约300", "2"],
        ["石嘴山市", "12起", "1.2万", "300余", "0"],
        ["吴忠市", "-", "—", "/", "无"],
        ["固原市", "", "47.10万元", "近5000", "1"],
    ]
    write_csv(raw / "2024" / "q.csv", rows)
    facts, report, _ = clean_dir(raw)
    assert fact(facts, region_name="银川市", indicator="cases_filed")["value"] == 12
    assert fact(facts, region_name="银川市", indicator="fines_collected")["value"] == pytest.approx(1234.5)
    p = fact(facts, region_name="银川市", indicator="patrols")
    assert p["value"] == 300 and bool(p["approx"]) is True
    assert fact(facts, region_name="石嘴山市", indicator="cases_filed")["value"] == 12
    # "1.2万" in a 万元 column is 12000 万元 (the multiplier is applied by the parser, the unit by the header)
    assert fact(facts, region_name="石嘴山市", indicator="fines_collected")["value"] == pytest.approx(12000)
    assert fact(facts, region_name="固原市", indicator="fines_collected")["value"] == pytest.approx(47.10)
    assert fact(facts, region_name="银川市", indicator="penalty_detention")["value"] == 2
    # 吴忠市: four missing marks; 固原市 cases_filed blank: five missing findings, no facts
    assert "640300" not in set(facts["region_code"])
    missing = {f.cell for f in findings_with(report, "missing_value")}
    assert missing == {"R4C2", "R4C3", "R4C4", "R4C5", "R5C2"}


def test_percentages_in_rate_column(raw):
    rows = [["地区", "持证率（%）", "行政执法证持证率"], ["银川市", 95.5, None], ["石嘴山市", None, "98%"]]
    write_csv(raw / "2024" / "r.csv", rows)
    facts, report, _ = clean_dir(raw)
    # the same indicator twice in one table is an error; use two tables instead
    assert "indicator_duplicated_in_table" in codes_of(report)
    write_csv(raw / "2024" / "r.csv", [["地区", "持证率（%）"], ["银川市", 95.5], ["石嘴山市", "98%"]])
    facts, report, _ = clean_dir(raw)
    assert fact(facts, region_name="银川市")["value"] == 95.5
    assert fact(facts, region_name="石嘴山市")["value"] == 98
    assert set(facts["unit"]) == {"%"}


# ----------------------------------------------------------------------------- standard forms


def _penalty_rows(headers, rows, title="2022年行政处罚实施情况统计表"):
    return [[title] + [None] * len(headers), ["单位名称", *headers], *rows]


def test_national_penalty_form_agencies_as_rows(raw):
    headers = [*PENALTY_14, "合计(宗)", "罚没金额(万元)"]
    r1 = ["银川市自然资源局", 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 12.3456]
    r2 = ["灵武市自然资源和城乡建设局", 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 5]
    r3 = ["宁夏回族自治区自然资源厅", 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0.5]
    write_xlsx(raw / "penalty.xlsx", {"表二": _penalty_rows(headers, [r1, r2, r3])})
    facts, report, _ = clean_dir(raw)
    assert len(facts) == 3 * 16
    yc = fact(facts, region_code="640100", indicator="penalties_total")
    assert yc["value"] == 4 and yc["agency"] == "银川市自然资源局"
    assert fact(facts, region_code="640181", indicator="penalty_fine")["value"] == 2
    assert fact(facts, region_code="640000", indicator="fines_collected")["value"] == 0.5
    assert fact(facts, region_code="640100", indicator="fines_collected")["value"] == pytest.approx(12.3456)
    assert not report.has_errors


def test_zhejiang_merged_categories(raw):
    headers = ["警告、通报批评", "罚款", "没收违法所得、没收非法财物", "暂扣许可证、执照,降低资质等级",
               "吊销许可证、执照", "限制开展生产经营活动", "责令停产停业、责令关闭、限制从业", "行政拘留",
               "其他行政处罚", "合计（宗）", "罚没金额（万元）"]
    row = ["银川市自然资源局", 2, 3, 1, 0, 0, 0, 1, 0, 0, 7, 20]
    write_xlsx(raw / "zj.xlsx", {"Sheet1": _penalty_rows(headers, [row])})
    facts, report, _ = clean_dir(raw)
    got = facts.set_index("indicator")["value"].to_dict()
    assert got["penalty_warning_criticism"] == 2
    assert got["penalty_confiscation"] == 1
    assert got["penalty_suspend_close_restrict"] == 1
    assert got["penalties_total"] == 7
    # parts 2+3+1+0+0+0+1+0+0 = 7 = 合计 -> no parts warning
    assert "parts_sum_mismatch" not in codes_of(report)
    assert not report.has_errors


def test_shanxi_money_in_yuan(raw):
    headers = ["警告", "通报批评", "罚款", "没收违法所得、没收非法财物", "暂扣许可证件", "降低资质等级",
               "限制开展生产经营活动", "责令停产停业", "责令关闭、限制从业", "吊销许可证件", "行政拘留",
               "其他行政处罚", "合计（宗）", "罚没金额（元）"]
    row = ["固原市自然资源局", 0, 0, 5, 1, 0, 0, 0, 0, 1, 0, 0, 0, 7, 1234567]
    write_xlsx(raw / "sx.xlsx", {"Sheet1": _penalty_rows(headers, [row], "2023年行政处罚实施情况")})
    facts, report, _ = clean_dir(raw)
    assert fact(facts, indicator="fines_collected")["value"] == pytest.approx(123.4567)
    assert fact(facts, indicator="penalty_close_restrict")["value"] == 1
    assert len(findings_with(report, "unit_converted")) == 1


def test_shandong_three_level_form_with_total_row(raw):
    h1 = ["单位名称", "立案数量", "结案数量", "行政处罚案件数量", *[None] * 14, "罚没金额（万元）", "被复议应诉数量",
          None, None, None, "移送司法机关数量"]
    h2 = [None, None, None, *PENALTY_14, "合计", None, "被行政复议数量", "被行政复议纠错数量", "被行政诉讼数量",
          "行政诉讼败诉数量", None]
    cats = [0] * 14
    r1 = ["兴庆区自然资源局", 5, 4, 1, 0, 2, *cats[3:], 3, 12.5, 1, 0, 0, 0, 1]
    r2 = ["西夏区自然资源局", 2, 2, 0, 0, 1, *cats[3:], 1, 0.5, 0, 0, 0, 0, 0]
    tot = ["合计", 7, 6, 1, 0, 3, *cats[3:], 4, 13, 1, 0, 0, 0, 1]
    rows = [["2021年行政处罚实施情况统计表"] + [None] * 24, h1, h2, r1, r2, tot]
    merges = ["A1:Y1", "A2:A3", "B2:B3", "C2:C3", "D2:R2", "S2:S3", "T2:W2", "X2:X3"]
    write_xlsx(raw / "sd.xlsx", {"表一": rows}, {"表一": merges})
    facts, report, _ = clean_dir(raw)
    assert len(facts) == 2 * 23  # two agencies, 23 value columns (2 + 15 + 1 + 4 + 1); 合计 covers 2 of 6 counties -> check only
    assert fact(facts, region_code="640104", indicator="reconsideration_cases")["value"] == 1
    assert fact(facts, region_code="640105", indicator="penalties_total")["value"] == 1
    assert fact(facts, region_code="640104", indicator="penalty_fine")["source_cell"] == "F4"
    assert len(findings_with(report, "total_row_not_used")) == 23
    assert "total_mismatch" not in codes_of(report)
    assert not report.has_errors


def test_license_form(raw):
    rows = [
        ["2024年行政许可实施情况统计表"],
        ["实施机关", "行政许可实施数量", None, None, None, "撤销许可数量"],
        [None, "申请数量", "受理数量", "许可数量", "不予许可数量", None],
        ["中卫市自然资源局", 20, 19, 18, 1, 0],
    ]
    write_xlsx(raw / "lic.xlsx", {"许可": rows}, {"许可": ["A2:A3", "B2:E2", "F2:F3"]})
    facts, report, _ = clean_dir(raw)
    got = facts.set_index("indicator")["value"].to_dict()
    assert got == {"licenses_applied": 20, "licenses_accepted": 19, "licenses_granted": 18, "licenses_refused": 1,
                   "licenses_revoked": 0}
    assert not report.has_errors


# ----------------------------------------------------------------------------- years


def test_year_precedence_manifest_then_title(raw):
    write_csv(raw / "t.csv", key_table(year=None, title="自然资源执法主要指标"))
    (raw / "manifest.csv").write_text("path,year,note\nt.csv,2019,ok\n", encoding="utf-8")
    facts, report, _ = clean_dir(raw)
    assert set(facts["year"]) == {2019}
    assert not report.has_errors


def test_year_from_sheet_name_then_folder(raw):
    write_xlsx(raw / "x" / "t.xlsx", {"2020年": key_table(year=None, title="主要指标")})
    write_csv(raw / "2018" / "u.csv", key_table(year=None, title="主要指标"))
    facts, report, _ = clean_dir(raw)
    assert set(facts[facts["source_file"] == "x/t.xlsx"]["year"]) == {2020}
    assert set(facts[facts["source_file"] == "2018/u.csv"]["year"]) == {2018}


def test_year_conflict_is_error_and_table_not_used(raw):
    write_csv(raw / "2023" / "t.csv", key_table(year=2024))
    facts, report, _ = clean_dir(raw)
    assert facts.empty
    conflict = findings_with(report, "year_conflict")
    assert len(conflict) == 1 and conflict[0].severity == "error"
    assert "2023" in conflict[0].message_en and "2024" in conflict[0].message_en
    assert len(findings_with(report, "figure_not_used")) == 15


def test_year_unknown(raw):
    write_csv(raw / "t.csv", key_table(year=None, title="主要指标"))
    facts, report, _ = clean_dir(raw)
    assert facts.empty and "year_unknown" in codes_of(report)


def test_year_range_in_title_is_not_a_year(raw):
    write_csv(raw / "2022" / "t.csv", key_table(year=None, title="2019-2024年汇总"))
    facts, report, _ = clean_dir(raw)
    assert set(facts["year"]) == {2022}


# ----------------------------------------------------------------------------- sheets without tables


def test_instruction_sheet_skipped_with_info(raw):
    write_xlsx(raw / "2024.xlsx", {"填报说明": [["填报说明"], ["请按地区填写"]], "数据": key_table(year=2024)})
    facts, report, _ = clean_dir(raw)
    assert len(facts) == 15
    skipped = findings_with(report, "sheet_no_table")
    assert [(f.sheet, f.severity) for f in skipped] == [("填报说明", "info")]
    assert not report.has_errors


def test_file_with_no_table_is_error(raw):
    write_xlsx(raw / "2024.xlsx", {"说明": [["说明"], ["本文件仅含说明"]], "封面": [["2024年统计年报"]]})
    facts, report, _ = clean_dir(raw)
    assert facts.empty
    f = findings_with(report, "file_no_table")
    assert len(f) == 1 and f[0].severity == "error" and f[0].file == "2024.xlsx"


def test_header_with_no_data_rows(raw):
    write_csv(raw / "2024.csv", [["地区", "立案", "结案"]])
    facts, report, _ = clean_dir(raw)
    assert "table_no_data" in codes_of(report)


def test_unmapped_header_is_error_and_figures_listed(raw):
    rows = [["地区", "立案", "无人机飞行架次"], ["银川市", 3, 9], ["石嘴山市", 4, 8]]
    write_csv(raw / "2024.csv", rows)
    facts, report, _ = clean_dir(raw)
    um = findings_with(report, "header_unmapped")
    assert len(um) == 1 and um[0].cell == "R1C3" and um[0].severity == "error"
    lost = {(f.cell, f.raw_value) for f in findings_with(report, "figure_not_used")}
    assert lost == {("R2C3", "9"), ("R3C3", "8")}
    assert len(facts) == 2  # the 立案 column is still used


def test_sample_marker_in_title_sets_meta(raw):
    write_csv(raw / "t.csv", key_table(year=None, title="2024年主要指标（示例数据）"))
    _, _, meta = clean_dir(raw)
    assert meta["is_sample"] is True


def test_sample_marker_file(raw):
    write_csv(raw / "t.csv", key_table(year=2024))
    _, _, meta = clean_dir(raw)
    assert meta["is_sample"] is False
    (raw / "SAMPLE").write_text("synthetic", encoding="utf-8")
    _, _, meta = clean_dir(raw)
    assert meta["is_sample"] is True


def test_agency_rename_maps_to_same_region(raw):
    rows = [["单位", "立案"], ["灵武市自然资源和规划局", 4]]
    write_csv(raw / "2020" / "a.csv", rows)
    rows = [["单位", "立案"], ["灵武市自然资源和城乡建设局", 5]]
    write_csv(raw / "2021" / "b.csv", rows)
    facts, _, _ = clean_dir(raw)
    assert set(facts["region_code"]) == {"640181"}
    assert sorted(facts["agency"]) == ["灵武市自然资源和城乡建设局", "灵武市自然资源和规划局"]


def test_subtotal_covering_a_city_becomes_the_city_figure(raw):
    # 石嘴山市 has exactly three counties: 大武口区, 惠农区, 平罗县 -> 小计 = the city (640200).
    rows = [["单位", "立案"], ["大武口区自然资源局", 1], ["惠农区自然资源局", 2], ["平罗县自然资源局", 3], ["小计", 6],
            ["兴庆区自然资源局", 4], ["小计", 4]]
    write_csv(raw / "2024" / "s.csv", rows)
    facts, report, _ = clean_dir(raw)
    assert fact(facts, region_code="640200")["value"] == 6  # 1 + 2 + 3
    assert "640100" not in set(facts["region_code"])  # 兴庆区 alone is not all of 银川市
    assert len(findings_with(report, "total_row_not_used")) == 1


def test_total_over_all_counties_is_the_province(raw):
    from analysis.catalog import load_catalog

    counties = [r for r in load_catalog().regions.values() if r.level == "county" and r.code.startswith("64")]
    assert len(counties) == 22
    rows = [["地区", "立案"]] + [[r.name, i + 1] for i, r in enumerate(counties)] + [["合计", 253]]
    write_csv(raw / "2024" / "c.csv", rows)
    facts, report, _ = clean_dir(raw)
    assert fact(facts, region_code="640000")["value"] == 253  # 1 + 2 + ... + 22 = 22 * 23 / 2 = 253
    assert "total_mismatch" not in codes_of(report)


def test_region_and_agency_columns_side_by_side(raw):
    rows = [["地区", "单位名称", "立案"], ["银川市", "银川市自然资源局", 3], ["银川市", "贺兰县自然资源局", 2]]
    write_csv(raw / "2024" / "a.csv", rows)
    facts, _, _ = clean_dir(raw)
    assert fact(facts, region_code="640122")["agency"] == "贺兰县自然资源局"
    assert fact(facts, region_code="640100")["agency"] == "银川市自然资源局"


def test_unexpected_layout_failure_is_a_finding_not_a_traceback(raw, monkeypatch):
    import analysis.clean.extract as ingest

    write_csv(raw / "2024" / "a.csv", key_table())

    def boom(*_a, **_k):
        raise ValueError("synthetic failure")

    monkeypatch.setattr(ingest, "detect_layout", boom)
    facts, report, _ = clean_dir(raw)
    f = findings_with(report, "sheet_extract_failed")
    assert len(f) == 1 and "synthetic failure" in f[0].message_en
    assert facts.empty


def test_wide_form_wrapped_into_two_blocks(raw):
    # Hubei: the 14 categories + 合计 + 罚没金额 wrapped; the second block repeats the agencies.
    first, second = PENALTY_14[:8], [*PENALTY_14[8:], "合计", "罚没金额（万元）"]
    rows = [
        ["2022年行政处罚实施情况统计表", *[None] * 8],
        ["单位名称", *first],
        ["银川市自然资源局", 1, 0, 2, 0, 0, 0, 0, 0],
        ["吴忠市自然资源局", 0, 0, 1, 0, 0, 0, 0, 0],
        [None] * 9,
        ["续表", *[None] * 8],
        ["单位名称", *second, None],
        ["银川市自然资源局", 0, 0, 0, 0, 0, 1, 4, 12.5, None],
        ["吴忠市自然资源局", 0, 0, 0, 0, 0, 0, 1, 3, None],
    ]
    write_xlsx(raw / "hubei.xlsx", {"表": rows})
    facts, report, _ = clean_dir(raw)
    assert len(facts) == 2 * 16
    yc = facts[facts["region_code"] == "640100"].set_index("indicator")
    assert yc.loc["penalty_fine", "value"] == 2 and yc.loc["penalty_fine", "source_cell"] == "D3"
    assert yc.loc["penalties_total", "value"] == 4 and yc.loc["penalties_total", "source_cell"] == "H8"
    assert yc.loc["fines_collected", "value"] == 12.5
    assert set(facts["year"]) == {2022}  # the second block keeps the first block's title year
    # parts of 银川市: 1 + 2 (block 1) + 1 (其他行政处罚) = 4 = 合计
    assert "parts_sum_mismatch" not in codes_of(report)
    assert not report.has_errors
