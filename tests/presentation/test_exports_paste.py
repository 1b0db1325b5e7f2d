"""Issue 12 section 5, exports for pasting: XLSX sheets with title, unit, source, sample note, A4 fitted to width,
changes as numbers with a number format; CSV cells Excel does not read as dates; no float noise."""

from __future__ import annotations

import csv
import math
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.present import tables
from analysis.views.export import spreadsheet_fraction, write_tables

from .conftest import make_row

DATE_LIKE = re.compile(r"^\d{1,2}/\d{1,2}$")
FLOAT_NOISE = re.compile(r"\.\d{7,}")


def _key_table() -> pd.DataFrame:
    summary = pd.DataFrame([
        make_row(),  # 立案查处案件 214 vs 195
        make_row(indicator="fines_collected", name_zh="罚没款", unit="万元", kind="money",
                 value=9172.045, prev_value=8000.0),
        make_row(indicator="casefile_pass_rate", name_zh="案卷合格率", unit="%", kind="rate",
                 category="casefile", value=95.14, prev_value=92.8),
        make_row(indicator="patrols", name_zh="日常执法巡查", unit="次", value=18907.0, prev_value=math.nan,
                 pct_change_status="missing_base"),
    ])
    return tables.key_indicator_table(summary, "640000", 2024)


def _noisy_table() -> pd.DataFrame:
    return pd.DataFrame({"地区": ["银川市", "吴忠市"], "占比（%）": [42.86004672897196, 57.13995327102804],
                         "罚没款（万元）": [1234.5678, 0.125], "立案查处案件排名": ["1/5", "5/5"],
                         "报送下级数": ["3/5", "—"]})


def _header_row(ws) -> int:
    for row in range(1, 10):
        if ws.cell(row=row, column=1).value in ("指标", "地区"):
            return row
    raise AssertionError("no header row")


def test_xlsx_sheet_has_title_unit_source_and_sample_note(tmp_path):
    key = _key_table()
    key.attrs["caption"] = "表1　宁夏回族自治区2024年主要执法指标"
    paths = write_tables(tmp_path, "02_overview", {"主要指标": key, "结构": _noisy_table()}, is_sample=True)
    wb = load_workbook(paths["xlsx"])
    ws = wb["主要指标"]
    assert ws["A1"].value == "表1　宁夏回族自治区2024年主要执法指标" and ws["A1"].font.bold
    assert ws["A2"].value == "计量单位：见“单位”列"
    assert ws["A3"].value == "数据来源：行政执法统计报表（示例数据）"
    assert "示例数据" in ws["A4"].value
    assert _header_row(ws) == 5 and ws.freeze_panes == "A6"
    other = wb["结构"]
    assert other["A1"].value == "结构"  # no caption: the sheet name
    assert other["A2"].value == "计量单位：见各列标题（%、万元）"
    # real data: no sample note, the header straight after the source line
    real = load_workbook(write_tables(tmp_path / "real", "x", {"主要指标": key})["xlsx"])["主要指标"]
    assert real["A3"].value == "数据来源：行政执法统计报表" and _header_row(real) == 4


def test_xlsx_page_setup_is_a4_fitted_to_width(tmp_path):
    path = tables.to_xlsx({"主要指标": _key_table()}, tmp_path / "t.xlsx")
    ws = load_workbook(path)["主要指标"]
    assert ws.page_setup.paperSize == 9  # A4 in the OOXML paper-size list
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.orientation == "landscape"  # 7 columns
    assert ws.print_title_rows == "$4:$4"  # the header row repeats on every printed page


def test_xlsx_changes_are_numbers_with_a_number_format(tmp_path):
    ws = load_workbook(tables.to_xlsx({"主要指标": _key_table()}, tmp_path / "t.xlsx"))["主要指标"]
    header = _header_row(ws)
    col = [c.value for c in ws[header]].index("同比变化") + 1
    cells = [ws.cell(row=header + i, column=col) for i in range(1, 5)]
    # (214 - 195) / 195 = 9.74% -> +9.7% stored as 0.097
    assert cells[0].data_type == "n" and cells[0].value == pytest.approx(0.097)
    assert cells[0].number_format == "+0.0%;-0.0%;0.0%"
    # (9172.045 - 8000) / 8000 = 14.65% -> 0.147 (half up on 14.650...)
    assert cells[1].value == pytest.approx(0.147)
    # a rate: 95.14 - 92.8 = 2.34 -> +2.3 percentage points, stored as 2.3
    assert cells[2].value == pytest.approx(2.3) and "个百分点" in cells[2].number_format
    # no base: the words stay
    assert cells[3].value == "上年数据缺失"


def test_csv_ranks_are_not_dates_and_numbers_carry_no_float_noise(tmp_path):
    paths = write_tables(tmp_path, "03_regions", {"结构": _noisy_table(), "主要指标": _key_table()})
    for name in ("结构", "主要指标"):
        with open(paths[name], encoding="utf-8-sig", newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert not [c for c in cells if DATE_LIKE.match(c)], name
        assert not [c for c in cells if FLOAT_NOISE.search(c)], name
    back = pd.read_csv(paths["结构"], encoding="utf-8-sig")
    assert back["占比（%）"].tolist() == [42.9, 57.1]  # % -> one decimal
    assert back["罚没款（万元）"].tolist() == [1234.57, 0.13]  # 万元 -> two decimals, half up
    assert back["立案查处案件排名"].tolist() == ["第1位（共5个）", "第5位（共5个）"]
    assert back["报送下级数"].tolist() == ["3（共5）", "—"]
    key = pd.read_csv(paths["主要指标"], encoding="utf-8-sig")
    assert key["数值"].tolist() == [214, 9172.05, 95.1, 18907]


def test_spreadsheet_fraction_by_hand():
    assert spreadsheet_fraction("1/5", "排名") == "第1位（共5个）"
    assert spreadsheet_fraction("12/22", "立案查处案件排名") == "第12位（共22个）"
    assert spreadsheet_fraction("3/5", "报送下级数") == "3（共5）"
    assert spreadsheet_fraction("并列第2位", "排名") == "并列第2位"
    assert spreadsheet_fraction("2024/a.xlsx", "文件") == "2024/a.xlsx"


def test_export_number_rounds_with_the_formatter_decimals():
    assert tables.export_number(42.86004672897196, "%") == 42.9
    assert tables.export_number(5.125, "万元") == 5.13  # half up on the shortest decimal form
    assert tables.export_number(214.0, "起") == 214 and isinstance(tables.export_number(214.0, "起"), int)
    assert tables.export_number(2.0 / 3.0, "") == 0.67
