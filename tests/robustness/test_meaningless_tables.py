"""Issue 6, "Meaningless tables": a title-only sheet, a header with no data rows, data rows with no
recognisable header, and 10,000 blank formatted rows below the data.

Each case has one builder (reused by ``test_nothing_lost.py`` for the conservation property), asserts
its exact finding code, that a valid sibling table is still turned into facts, and that
``python -m analysis clean`` prints no traceback.
"""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
from conftest import clean_dir, fact, findings_with, key_table, run_cli, write_csv, write_xlsx
from openpyxl.styles import Border, Font, PatternFill, Side

GOOD_VALUES = {"银川市": [50, 1200.5, 400], "石嘴山市": [30, 300, 200]}
HEADER = ["地区", "立案（起）", "罚没款（万元）", "执法巡查（次）"]


def add_good_sibling(raw: Path) -> None:
    """A valid table in another file: its facts must survive whatever else is broken."""
    write_csv(raw / "2020" / "good.csv", key_table(year=2020, values=GOOD_VALUES))


def assert_good_processed(facts) -> None:
    assert fact(facts, year=2020, region_name="银川市", indicator="cases_filed")["value"] == 50
    assert fact(facts, year=2020, region_name="石嘴山市", indicator="fines_collected")["value"] == 300
    assert fact(facts, year=2020, region_name="石嘴山市", indicator="patrols")["value"] == 200


def assert_cli_ok(raw: Path, out: Path, expect_error: bool):
    res = run_cli(raw, out)
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode == (1 if expect_error else 0), (res.returncode, res.stderr)
    for name in ("facts.parquet", "facts.csv", "quality.csv"):
        assert (out / name).is_file(), name
    return res


def _one(report, code: str):
    found = findings_with(report, code)
    assert len(found) == 1, [(f.code, f.sheet, f.cell) for f in report.findings]
    return found[0]


# --------------------------------------------------------------------------- builders


def build_title_only_file(raw: Path) -> None:
    write_xlsx(raw / "2024" / "title_only.xlsx", {"封面": [["2024年自然资源行政执法主要指标统计表"]]})


def build_title_only_sheet_beside_table(raw: Path) -> None:
    write_xlsx(
        raw / "2024" / "two_sheets.xlsx",
        {"封面": [["2024年自然资源行政执法主要指标统计表"]], "数据": key_table(year=2024)},
    )


def build_header_without_data(raw: Path) -> None:
    write_xlsx(raw / "2024" / "header_only.xlsx", {"S": [["2024年主要指标（单位：万元）"], HEADER]})


def build_data_without_header(raw: Path) -> None:
    write_csv(raw / "2024" / "no_header.csv", [["银川市", 12, 3.5, 40], ["吴忠市", 8, "1,250", 30]])


def build_blank_formatted_rows(raw: Path) -> Path:
    path = raw / "2024" / "formatted.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "主要指标"
    for row in key_table(year=2024):
        ws.append(row)
    n_data = ws.max_row
    fill = PatternFill("solid", fgColor="FFFF00")
    font = Font(bold=True)
    border = Border(bottom=Side(style="thin"))
    for r in range(n_data + 1, n_data + 10_001):
        for c in range(1, 11):
            cell = ws.cell(r, c)
            cell.fill = fill
            cell.font = font
            cell.border = border
        ws.row_dimensions[r].height = 20
    wb.save(path)
    return path


BUILDERS = {
    "title_only_file": build_title_only_file,
    "title_only_sheet_beside_table": build_title_only_sheet_beside_table,
    "header_without_data": build_header_without_data,
    "data_without_header": build_data_without_header,
    "blank_formatted_rows": build_blank_formatted_rows,
}


# --------------------------------------------------------------------------- tests


def test_sheet_with_only_a_title(raw, tmp_path):
    add_good_sibling(raw)
    build_title_only_file(raw)
    facts, report, _ = clean_dir(raw)
    skipped = _one(report, "sheet_no_table")
    assert (skipped.severity, skipped.file, skipped.sheet) == ("info", "2024/title_only.xlsx", "封面")
    no_table = _one(report, "file_no_table")  # the file holds no table at all: an error naming it
    assert (no_table.severity, no_table.file) == ("error", "2024/title_only.xlsx")
    assert "统计表" in no_table.message_zh and "statistics table" in no_table.message_en
    # the year in the title is a number outside any table: reported, not a figure
    title_num = [f for f in findings_with(report, "number_outside_table") if f.file == "2024/title_only.xlsx"]
    assert [f.cell for f in title_num] == ["A1"]
    assert set(facts["year"]) == {2020}
    assert_good_processed(facts)
    assert_cli_ok(raw, tmp_path / "out", expect_error=True)


def test_title_only_sheet_beside_a_table_is_skipped_with_info(raw, tmp_path):
    add_good_sibling(raw)
    build_title_only_sheet_beside_table(raw)
    facts, report, _ = clean_dir(raw)
    skipped = _one(report, "sheet_no_table")
    assert (skipped.severity, skipped.sheet) == ("info", "封面")
    assert findings_with(report, "file_no_table") == []
    assert not report.has_errors
    assert fact(facts, year=2024, region_name="吴忠市", indicator="patrols")["source_sheet"] == "数据"
    assert len(facts[facts["year"] == 2024]) == 15
    assert_good_processed(facts)
    assert_cli_ok(raw, tmp_path / "out", expect_error=False)


def test_header_with_no_data_rows(raw, tmp_path):
    add_good_sibling(raw)
    build_header_without_data(raw)
    facts, report, _ = clean_dir(raw)
    f = _one(report, "table_no_data")
    assert (f.severity, f.file, f.sheet, f.cell) == ("warning", "2024/header_only.xlsx", "S", "A2")
    assert "表头" in f.message_zh and "no data rows" in f.message_en
    assert findings_with(report, "file_no_table") == []  # it is a table, just an empty one
    assert set(facts["year"]) == {2020}
    assert_good_processed(facts)
    assert_cli_ok(raw, tmp_path / "out", expect_error=False)


def test_data_rows_with_no_recognisable_header(raw, tmp_path):
    add_good_sibling(raw)
    build_data_without_header(raw)
    facts, report, _ = clean_dir(raw)
    f = _one(report, "header_not_found")
    assert (f.severity, f.file, f.sheet, f.cell) == ("error", "2024/no_header.csv", "no_header", "R1C1:R2C4")
    assert "1-2" in f.message_en and "表头" in f.message_zh
    # every figure of the headless rows is named, none becomes a fact
    lost = findings_with(report, "figure_not_used")
    assert sorted(x.cell for x in lost) == ["R1C2", "R1C3", "R1C4", "R2C2", "R2C3", "R2C4"]
    assert {x.raw_value for x in lost} == {"12", "3.5", "40", "8", "1,250", "30"}
    assert set(facts["source_file"]) == {"2020/good.csv"}
    assert_good_processed(facts)
    assert_cli_ok(raw, tmp_path / "out", expect_error=True)


def test_ten_thousand_blank_formatted_rows_are_ignored_quickly(raw, tmp_path):
    add_good_sibling(raw)
    path = build_blank_formatted_rows(raw)
    assert openpyxl.load_workbook(path, read_only=True).active.max_row >= 10_000
    start = time.perf_counter()
    facts, report, _ = clean_dir(raw)
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, f"cleaning took {elapsed:.2f} s"
    mine = [f for f in report.findings if f.file == "2024/formatted.xlsx"]
    # no finding about the blank rows: only the year in the title is reported (as a number outside the table)
    assert [(f.code, f.cell) for f in mine] == [("number_outside_table", "A1")]
    got = facts[facts["source_file"] == "2024/formatted.xlsx"]
    assert len(got) == 15 and set(got["source_cell"]) == {f"{c}{r}" for c in "BCD" for r in range(3, 8)}
    assert fact(facts, year=2024, region_name="中卫市", indicator="patrols")["value"] == 50
    assert_good_processed(facts)
    start = time.perf_counter()
    assert_cli_ok(raw, tmp_path / "out", expect_error=False)
    assert time.perf_counter() - start < 30


def test_indicator_column_holding_only_dates_is_reported_not_taken_as_labels(raw, tmp_path):
    """A column with no number at all still counts as an indicator column when its header names one:
    its dates are reported as value_invalid (it once became a second label column, giving region_unknown)."""
    import datetime as dt

    add_good_sibling(raw)
    write_xlsx(raw / "2024" / "dates.xlsx", {"S": [["地区", "立案"], ["银川市", dt.datetime(2024, 3, 1)],
                                                  ["吴忠市", dt.date(2024, 1, 5)], ["固原市", "2024年1月5日"]]})
    facts, report, _ = clean_dir(raw)
    mine = sorted((f.code, f.cell) for f in report.findings if f.file == "2024/dates.xlsx")
    assert mine == [("value_invalid", "B2"), ("value_invalid", "B3"), ("value_invalid", "B4")]
    assert all("date" in f.message_en for f in findings_with(report, "value_invalid"))
    assert set(facts["year"]) == {2020}
    assert_good_processed(facts)
    assert_cli_ok(raw, tmp_path / "out", expect_error=True)
