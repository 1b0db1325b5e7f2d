"""Bad identities and kind-dependent bad values (issue 6): exact finding code, the rest still processed,
and no traceback from ``python -m analysis clean``."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest
from conftest import clean_dir, fact, findings_with, key_table, run_cli, write_csv, write_xlsx

GOOD_VALUES = {"银川市": [50, 1200.5, 400], "石嘴山市": [30, 300, 200]}


def _good(raw: Path) -> None:
    """A valid table in another file: its facts must survive whatever else is broken."""
    write_csv(raw / "2020" / "good.csv", key_table(year=2020, values=GOOD_VALUES))


def _assert_good_processed(facts) -> None:
    assert fact(facts, year=2020, region_name="银川市", indicator="cases_filed")["value"] == 50
    assert fact(facts, year=2020, region_name="石嘴山市", indicator="patrols")["value"] == 200


def _assert_cli_clean(raw: Path, tmp_path: Path, expect_error: bool) -> None:
    res = run_cli(raw, tmp_path / "out")
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode == (1 if expect_error else 0), res.stderr
    assert (tmp_path / "out" / "facts.parquet").is_file()


def _one(report, code: str):
    found = findings_with(report, code)
    assert len(found) == 1, [(f.code, f.cell) for f in report.findings]
    return found[0]


def test_unknown_region(raw, tmp_path):
    _good(raw)
    write_csv(raw / "2024" / "t.csv", [["地区", "立案"], ["银川市", 3], ["火星市", 4]])
    facts, report, _ = clean_dir(raw)
    f = _one(report, "region_unknown")
    assert (f.severity, f.file, f.cell, f.raw_value) == ("error", "2024/t.csv", "R3C1", "火星市")
    lost = _one(report, "figure_not_used")
    assert (lost.cell, lost.raw_value) == ("R3C2", "4")
    assert fact(facts, year=2024, region_name="银川市")["value"] == 3
    _assert_good_processed(facts)
    _assert_cli_clean(raw, tmp_path, expect_error=True)


def test_ambiguous_region_label(raw, tmp_path):
    _good(raw)
    # An agency label naming two cities cannot be placed: reported, not guessed.
    write_csv(raw / "2024" / "t.csv", [["单位", "立案"], ["银川市石嘴山市联合执法局", 3], ["吴忠市", 4]])
    facts, report, _ = clean_dir(raw)
    f = _one(report, "region_ambiguous")
    assert (f.severity, f.cell) == ("error", "R2C1")
    assert "640100" in f.message_en and "640200" in f.message_en
    assert fact(facts, year=2024, region_name="吴忠市")["value"] == 4
    _assert_good_processed(facts)
    _assert_cli_clean(raw, tmp_path, expect_error=True)


def test_ambiguous_short_name_in_user_catalogue(raw, tmp_path):
    cat = tmp_path / "cat"
    shutil.copytree(Path(str(resources.files("analysis").joinpath("catalog", "data"))), cat)
    with (cat / "regions.csv").open("a", encoding="utf-8") as fh:
        fh.write("330198,兴庆区,兴庆,county,330100,\n")  # 浙江/杭州 are in the national catalogue
    _good(raw)
    # 西夏区 (宁夏) and 杭州市 (浙江) share no province, so nothing in the table places 兴庆 (see tests/regions).
    write_csv(raw / "2024" / "t.csv", [["地区", "立案"], ["兴庆", 3], ["西夏区", 4], ["杭州市", 5]])
    facts, report, _ = clean_dir(raw, catalog_dir=cat)
    f = _one(report, "region_ambiguous")
    assert f.cell == "R2C1" and f.raw_value == "兴庆"
    assert fact(facts, year=2024, region_name="西夏区")["value"] == 4
    _assert_good_processed(facts)


def test_header_mapping_to_two_indicators(raw, tmp_path):
    _good(raw)
    write_csv(raw / "2024" / "t.csv", [["地区", "立案及结案数", "执法巡查"], ["银川市", 3, 9]])
    facts, report, _ = clean_dir(raw)
    f = _one(report, "header_ambiguous")
    assert (f.severity, f.cell, f.raw_value) == ("error", "R1C2", "立案及结案数")
    assert fact(facts, year=2024, indicator="patrols")["value"] == 9
    assert _one(report, "figure_not_used").cell == "R2C2"
    _assert_good_processed(facts)
    _assert_cli_clean(raw, tmp_path, expect_error=True)


def test_same_indicator_twice_in_one_table(raw, tmp_path):
    _good(raw)
    write_csv(raw / "2024" / "t.csv", [["地区", "立案", "执法巡查", "立案数量"], ["银川市", 3, 9, 4]])
    facts, report, _ = clean_dir(raw)
    dup = findings_with(report, "indicator_duplicated_in_table")
    assert {f.cell for f in dup} == {"R1C2", "R1C4"}  # both cells named
    assert all("R1C2" in f.message_en and "R1C4" in f.message_en for f in dup)
    # neither duplicated column wins; the other column is still used
    assert fact(facts, year=2024, indicator="patrols")["value"] == 9
    assert "cases_filed" not in set(facts[facts["year"] == 2024]["indicator"])
    _assert_good_processed(facts)
    _assert_cli_clean(raw, tmp_path, expect_error=True)


def test_conflicting_duplicates_across_files(raw, tmp_path):
    _good(raw)
    write_csv(raw / "2024" / "a.csv", [["地区", "立案"], ["银川市", 3], ["吴忠市", 8]])
    write_xlsx(raw / "2024" / "b.xlsx", {"S": [["地区", "立案"], ["银川市", 5]]})
    facts, report, _ = clean_dir(raw)
    conf = findings_with(report, "duplicate_conflict")
    assert {(f.file, f.cell) for f in conf} == {("2024/a.csv", "R2C2"), ("2024/b.xlsx", "B2")}
    assert len(facts[(facts["year"] == 2024) & (facts["region_name"] == "银川市")]) == 0  # neither wins
    assert fact(facts, year=2024, region_name="吴忠市")["value"] == 8
    _assert_good_processed(facts)
    _assert_cli_clean(raw, tmp_path, expect_error=True)


def test_year_contradicting_its_folder(raw, tmp_path):
    _good(raw)
    write_csv(raw / "2023" / "t.csv", key_table(year=2024))
    facts, report, _ = clean_dir(raw)
    f = _one(report, "year_conflict")
    assert f.severity == "error" and f.file == "2023/t.csv"
    assert "2023" in f.message_zh and "2024" in f.message_zh
    assert set(facts["year"]) == {2020}
    _assert_good_processed(facts)
    _assert_cli_clean(raw, tmp_path, expect_error=True)


def test_negative_count(raw, tmp_path):
    _good(raw)
    write_csv(raw / "2024" / "t.csv", [["地区", "立案"], ["银川市", -3], ["吴忠市", 8]])
    facts, report, _ = clean_dir(raw)
    f = _one(report, "value_negative")
    assert (f.severity, f.cell, f.raw_value) == ("error", "R2C2", "-3")
    assert len(facts[(facts["year"] == 2024) & (facts["region_name"] == "银川市")]) == 0
    assert fact(facts, year=2024, region_name="吴忠市")["value"] == 8
    _assert_good_processed(facts)
    _assert_cli_clean(raw, tmp_path, expect_error=True)


def test_fractional_count(raw, tmp_path):
    _good(raw)
    write_csv(raw / "2024" / "t.csv", [["地区", "立案"], ["银川市", "12.5"]])
    facts, report, _ = clean_dir(raw)
    f = _one(report, "value_fractional")
    assert (f.severity, f.cell) == ("warning", "R2C2")
    assert fact(facts, year=2024, region_name="银川市")["value"] == 12.5  # kept, flagged
    _assert_good_processed(facts)
    _assert_cli_clean(raw, tmp_path, expect_error=False)


@pytest.mark.parametrize("raw_value", ["101.5%", 101.5])
def test_rate_above_100(raw, tmp_path, raw_value):
    _good(raw)
    write_csv(raw / "2024" / "t.csv", [["地区", "持证率（%）"], ["银川市", raw_value], ["吴忠市", "99%"]])
    facts, report, _ = clean_dir(raw)
    f = _one(report, "rate_over_100")
    assert (f.severity, f.cell) == ("error", "R2C2")
    assert fact(facts, year=2024, indicator="certified_officer_rate")["value"] == 99
    _assert_good_processed(facts)
    _assert_cli_clean(raw, tmp_path, expect_error=True)
