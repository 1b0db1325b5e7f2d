"""Narrative tables and their exports: HTML escaping, Markdown, Word, Excel."""

from __future__ import annotations

import math

import pandas as pd
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from analysis.present import tables

from .conftest import make_row

HOSTILE = "<script>alert(1)</script>"


def _summary() -> pd.DataFrame:
    return pd.DataFrame([
        make_row(),
        make_row(indicator="fines_collected", name_zh="罚没款", unit="万元", kind="money",
                 value=9172.045, prev_value=8000.0),
        make_row(indicator="casefile_pass_rate", name_zh="案卷合格率", unit="%", kind="rate",
                 category="casefile", value=95.14, prev_value=92.8, evaluated_year=2023),
        make_row(indicator="patrols", name_zh="日常执法巡查", unit="次", value=18907.0, prev_value=math.nan,
                 pct_change_status="missing_base", approx=True),
        make_row(region_code="640100", region_name="银川市", level="city", rank=2, n_peers=5),
    ])


def test_key_indicator_table_columns_and_values():
    t = tables.key_indicator_table(_summary(), "640000", 2024)
    assert list(t.columns) == ["指标", "数值", "单位", "上年", "同比变化", "趋势", "排名"]
    assert t["指标"].tolist() == ["立案查处案件", "罚没款", "案卷合格率", "日常执法巡查"]
    assert t["数值"].tolist() == [214.0, 9172.045, 95.14, 18907.0]
    assert t["同比变化"].tolist() == [
        f"{(214 - 195) / 195 * 100:+.1f}%",
        f"{(9172.045 - 8000) / 8000 * 100:+.1f}%",
        f"{95.14 - 92.8:+.1f}个百分点",
        "上年数据缺失",
    ]
    assert t["排名"].tolist() == ["—"] * 4
    city = tables.key_indicator_table(_summary(), "640100", 2024)
    assert city["排名"].tolist() == ["2/5"]
    chosen = tables.key_indicator_table(_summary(), "640000", 2024, indicators=["patrols", "cases_filed"])
    assert chosen["指标"].tolist() == ["日常执法巡查", "立案查处案件"]


def test_display_rounds_by_unit_and_marks_approx():
    shown = tables.display_frame(tables.key_indicator_table(_summary(), "640000", 2024))
    assert shown["数值"].tolist() == ["214", "9,172.05", "95.1", "约18,907"]
    assert shown["上年"].tolist() == ["195", "8,000.00", "92.8", "—"]


def _hostile_table() -> pd.DataFrame:
    return pd.DataFrame({"地区": [HOSTILE, "银川市 & <b>吴忠</b>"], "数值": [1.0, 2.5], "单位": ["起", "万元"]})


def test_html_escapes_markup_and_loads_nothing_external():
    out = tables.to_html(_hostile_table(), caption="各地区<em>情况</em>")
    assert "<script>" not in out and "alert(1)</script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&lt;b&gt;吴忠&lt;/b&gt;" in out and "<b>" not in out
    assert "各地区&lt;em&gt;情况&lt;/em&gt;" in out
    for bad in ("http://", "https://", "src=", "href=", "@import"):
        assert bad not in out
    assert "<table" in out and "<style" in out
    assert ">2.50<" in out  # 万元 row: two decimals


def test_html_escapes_hostile_column_headers():
    df = pd.DataFrame({HOSTILE: ["x"]})
    out = tables.to_html(df, caption="表")
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_markdown_table():
    md = tables.to_markdown(_hostile_table().assign(备注=["a|b", "line1\nline2"]))
    lines = md.strip().split("\n")
    assert lines[0] == "| 地区 | 数值 | 单位 | 备注 |"
    assert lines[1] == "| --- | ---: | --- | --- |"
    assert lines[2] == "| &lt;script&gt;alert(1)&lt;/script&gt; | 1 | 起 | a\\|b |"
    assert lines[3] == "| 银川市 &amp; &lt;b&gt;吴忠&lt;/b&gt; | 2.50 | 万元 | line1 line2 |"
    assert len(lines) == 4


def test_docx_has_heading_paragraphs_and_a_real_table(tmp_path):
    key = tables.key_indicator_table(_summary(), "640000", 2024)
    path = tables.to_docx({"表1 主要指标": key, "表2": _hostile_table()},
                          ["第一段叙述。", "第二段\x0b叙述。"], tmp_path / "report.docx", "2024年度行政执法工作总览")
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "2024年度行政执法工作总览"
    assert doc.paragraphs[0].style.name == "公文标题"  # GB/T 9704 title style (方正小标宋简体 二号)
    assert "第一段叙述。" in texts and "第二段叙述。" in texts  # control character dropped
    assert "表1 主要指标" in texts
    assert len(doc.tables) == 2
    t0 = doc.tables[0]
    assert [c.text for c in t0.rows[0].cells] == ["指标", "数值", "单位", "上年", "同比变化", "趋势", "排名"]
    assert len(t0.rows) == 1 + len(key)
    assert t0.rows[2].cells[1].text == "9,172.05"
    assert t0.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert doc.tables[1].rows[1].cells[0].text == HOSTILE  # text, not markup
    run = doc.paragraphs[texts.index("第一段叙述。")].runs[0]
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == tables.DOCX_FONTS["body"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_xlsx_formats_freezes_and_neutralises(tmp_path):
    key = tables.key_indicator_table(_summary(), "640000", 2024)
    hostile = pd.DataFrame({
        "地区": ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "@SUM(A1)", "-3", "\tTAB", "银川市"],
        "数值": [1, 2, 3, 4, 5, 6],
    })
    path = tables.to_xlsx({"主要指标": key, "危险/名称?": hostile, "主要指标 ": key}, tmp_path / "t.xlsx")
    # no sample note: title, unit and source rows, then the header in row 4 (the layout is tested in
    # test_exports_paste.py); H = the header row
    H = 4
    wb = load_workbook(str(path))
    assert wb.sheetnames[0] == "主要指标"
    assert "/" not in wb.sheetnames[1] and "?" not in wb.sheetnames[1]
    assert len(set(wb.sheetnames)) == 3
    ws = wb["主要指标"]
    assert ws.freeze_panes == f"A{H + 1}"
    assert [c.value for c in ws[H]] == ["指标", "数值", "单位", "上年", "同比变化", "趋势", "排名"]
    assert ws[f"A{H}"].font.bold
    # Numbers stay numbers; formats follow the unit.
    assert ws[f"B{H + 1}"].value == 214 and ws[f"B{H + 1}"].number_format == "#,##0"
    # rounded as displayed: 9172.045 -> 9172.05 (half up), 95.14 -> 95.1
    assert ws[f"B{H + 2}"].value == 9172.05 and ws[f"B{H + 2}"].number_format == "#,##0.00"
    assert ws[f"B{H + 3}"].value == 95.1 and ws[f"B{H + 3}"].number_format == "0.0"
    assert ws[f"D{H + 4}"].value is None  # missing previous year is an empty cell, not 0
    assert ws.column_dimensions["A"].width >= 2 * len("日常执法巡查")
    ws2 = wb[wb.sheetnames[1]]
    values = [ws2.cell(row=r, column=1).value for r in range(H + 1, H + 7)]
    assert values[0] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert values[1].startswith("'+cmd") and values[2] == "'@SUM(A1)"
    assert values[3] == "-3"  # a plain number is not touched
    assert values[4] == "'\tTAB"
    assert values[5] == "银川市"
    assert all(ws2.cell(row=r, column=1).data_type == "s" for r in range(H + 1, H + 7))
    assert ws2[f"B{H + 1}"].number_format == "#,##0"


def test_missing_values_are_left_out_by_default_and_dashed_when_asked():
    summary = pd.concat([_summary(), pd.DataFrame([make_row(indicator="stop_orders", name_zh="责令停止违法行为通知书",
                                                             unit="份", value=math.nan, missing=True)])])
    default = tables.key_indicator_table(summary, "640000", 2024)
    assert "责令停止违法行为通知书" not in default["指标"].tolist()
    asked = tables.key_indicator_table(summary, "640000", 2024, indicators=["stop_orders"])
    shown = tables.display_frame(asked)
    assert shown.iloc[0]["数值"] == "—" and shown.iloc[0]["同比变化"] == "—"
