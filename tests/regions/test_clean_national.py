"""Tables published outside 宁夏 clean with the packaged national catalogue (fixtures written here)."""

from __future__ import annotations

import pytest
from conftest import clean_dir, codes_of, fact, findings_with, write_csv, write_xlsx

from analysis.stats.summary import build_summary


def _facts_of(facts, code):
    return facts[facts["region_code"] == code]


def test_shandong_county_bureau_table(raw):
    # 山东 曲阜: the county bureau publishes its own row, named as the agency writes it.
    write_xlsx(raw / "2023" / "曲阜市执法统计.xlsx", {"统计表": [
        ["曲阜市自然资源和规划局2023年执法统计表"],
        ["单位", "立案", "执法巡查"],
        ["曲阜市自然资源和规划局", 12, 30],
    ]})
    facts, report, _ = clean_dir(raw)
    assert "region_unknown" not in codes_of(report)
    row = fact(facts, region_code="370881", indicator="cases_filed")
    assert (row["year"], row["value"], row["region_name"], row["level"]) == (2023, 12, "曲阜市", "county")
    assert row["region_code_reported"] == "曲阜市自然资源和规划局"
    assert fact(facts, region_code="370881", indicator="patrols")["value"] == 30


def test_jilin_changchun_chaoyang_by_title_and_by_rows(raw):
    # 吉林 长春: 朝阳区 is also a district of 北京; the title places it.
    write_csv(raw / "2023" / "changchun.csv", [
        ["长春市2023年自然资源执法统计表"],
        ["地区", "立案"],
        ["朝阳区", 7],
        ["宽城区", 4],
    ])
    # Another file with no title: the table's other rows (南关区, 二道区 are only in 长春) place it.
    write_csv(raw / "2024" / "t.csv", [["地区", "立案"], ["南关区", 1], ["朝阳区", 2], ["二道区", 3]])
    facts, report, _ = clean_dir(raw)
    assert "region_ambiguous" not in codes_of(report)
    assert fact(facts, year=2023, region_code="220104")["value"] == 7
    assert fact(facts, year=2023, region_code="220103")["value"] == 4
    assert fact(facts, year=2024, region_code="220104")["value"] == 2
    assert "110105" not in set(facts["region_code"])


def test_parent_column_and_parent_rows(raw):
    write_csv(raw / "2023" / "a.csv", [["地市", "区县", "立案"], ["北京市", "朝阳区", 5], ["长春市", "朝阳区", 7]])
    write_csv(raw / "2023" / "b.csv", [["地区", "执法巡查"], ["北京市", 50], ["朝阳区", 9], ["长春市", 70], ["朝阳区", 8]])
    facts, report, _ = clean_dir(raw)
    assert "region_ambiguous" not in codes_of(report)
    assert fact(facts, region_code="110105", indicator="cases_filed")["value"] == 5
    assert fact(facts, region_code="220104", indicator="cases_filed")["value"] == 7
    assert fact(facts, region_code="110105", indicator="patrols")["value"] == 9
    assert fact(facts, region_code="220104", indicator="patrols")["value"] == 8


def test_ambiguous_name_without_context_is_reported(raw):
    write_csv(raw / "2023" / "t.csv", [["地区", "立案"], ["朝阳区", 7]])
    facts, report, _ = clean_dir(raw)
    (f,) = findings_with(report, "region_ambiguous")
    assert f.cell == "R2C1" and f.raw_value == "朝阳区"
    assert "北京市朝阳区(110105)" in f.message_zh and "长春市朝阳区(220104)" in f.message_zh
    assert [x.cell for x in findings_with(report, "figure_not_used")] == ["R2C2"]
    assert facts.empty


def test_zhejiang_linan_becomes_a_district_one_series(raw):
    # 浙江 临安: 临安市 (330185) became 临安区 (330112) in 2017 with the same territory.
    write_csv(raw / "2016" / "hz.csv", [["杭州市2016年执法统计"], ["地区", "立案"], ["临安市", 20], ["桐庐县", 5]])
    write_csv(raw / "2017" / "hz.csv", [["杭州市2017年执法统计"], ["地区", "立案"], ["临安区", 26], ["桐庐县", 6]])
    facts, report, _ = clean_dir(raw)
    (mapped,) = findings_with(report, "region_code_mapped")
    assert mapped.severity == "info" and "330185" in mapped.message_zh and "330112" in mapped.message_zh
    linan = facts[facts["region_code"] == "330112"]
    assert sorted(linan["year"]) == [2016, 2017]
    assert set(linan["region_code_reported"]) == {"临安市", "临安区"}
    summary = build_summary(facts)
    s = summary[(summary["region_code"] == "330112") & (summary["indicator"] == "cases_filed")]
    assert sorted(s["year"]) == [2016, 2017] and set(s["region_name"]) == {"临安区"}
    row2017 = s[s["year"] == 2017].iloc[0]
    assert (row2017["prev_value"], row2017["abs_change"]) == (20, 6)  # 26 - 20: one series across the change
    assert row2017["pct_change"] == pytest.approx(30.0)  # 6 / 20


def test_henan_mengjin_merge_is_a_finding_not_a_guess(raw):
    # 河南 孟津: 孟津县 and 吉利区 were merged into 孟津区 (410308) in 2021; 偃师市 became 偃师区 the same year.
    write_csv(raw / "2020" / "ly.csv", [["洛阳市2020年执法统计"], ["地区", "立案"], ["孟津县", 9], ["偃师市", 4],
                                         ["吉利区", 2]])
    write_csv(raw / "2022" / "ly.csv", [["洛阳市2022年执法统计"], ["地区", "立案"], ["孟津区", 12], ["偃师区", 5]])
    facts, report, _ = clean_dir(raw)
    merged = findings_with(report, "region_change_not_one_to_one")
    assert {f.raw_value for f in merged} == {"孟津县", "吉利区"}
    assert all("孟津区(410308)" in f.message_zh for f in merged)
    assert {f.cell for f in findings_with(report, "figure_not_used")} == {"R3C2", "R5C2"}
    assert sorted(_facts_of(facts, "410308")["year"]) == [2022]  # no silent 2020 value for the merged district
    assert sorted(_facts_of(facts, "410307")["year"]) == [2020, 2022]  # 偃师市 -> 偃师区 is one-to-one
    assert fact(facts, year=2022, region_code="410308")["value"] == 12


def test_bad_codes_and_names_each_get_a_finding(raw):
    write_csv(raw / "2023" / "codes.csv", [
        ["区划代码", "地区", "立案"],
        ["640104", "兴庆区", 1],
        ["640104", "固原市", 2],   # the code is 兴庆区
        ["649999", "某某县", 3],   # no such code
        ["330185", "临安市", 4],   # abolished in 2017, before 2023
        ["", "火星市", 5],         # unknown name
    ])
    facts, report, _ = clean_dir(raw)
    assert fact(facts, region_code="640104")["value"] == 1
    assert fact(facts, region_code="640104")["region_code_reported"] == "640104"
    (mm,) = findings_with(report, "region_code_name_mismatch")
    assert mm.cell == "R3C2" and "兴庆区(640104)" in mm.message_zh and "固原市(640400)" in mm.message_zh
    (unk,) = findings_with(report, "region_code_unknown")
    assert unk.cell == "R4C2" and "649999" in unk.message_zh
    (ab,) = findings_with(report, "region_abolished")
    assert ab.cell == "R5C2" and "2017" in ab.message_zh and "临安区(330112)" in ab.message_zh
    (mars,) = findings_with(report, "region_unknown")
    assert mars.cell == "R6C2" and mars.raw_value == "火星市"
    assert {f.cell for f in findings_with(report, "figure_not_used")} == {"R3C3", "R4C3", "R5C3", "R6C3"}
    # A region code is not a figure: no "number outside the table" for the code column.
    assert not [f for f in findings_with(report, "number_outside_table") if f.cell.endswith("C1")]
    assert not report.findings or all(f.message_zh for f in report.findings)
