"""Web pages: rowspan/colspan grids, encodings, traditional script, titles, paragraphs, 信息公开年报."""

from __future__ import annotations

from pathlib import Path

from analysis.clean.pipeline import clean

from .conftest import assert_table_cells_conserved, facts_by
from .writers import html_table

PENALTY = html_table(
    [
        ["地区", "行政处罚", None, "罚没款（万元）"],
        [None, "立案", "结案", None],
        ["银川市", "12", "", "3.5"],
        ["吴忠市", "8", "7", "1.25"],
        ["合计", "20", "7", "4.75"],
    ],
    attrs={(0, 0): 'rowspan="2"', (0, 1): 'colspan="2"', (0, 3): 'rowspan="2"'},
    header_rows=2,
)


def _page(body: str, title: str = "宁夏回族自治区2024年行政处罚情况", charset: str = "utf-8") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title>'
            f"<script>var n = 99999;</script></head><body>{body}</body></html>")


def test_rowspan_colspan_become_merges(tmp_path: Path, read_doc):
    path = tmp_path / "page.html"
    path.write_text(_page("<h1>宁夏回族自治区2024年行政处罚情况</h1><p>说明文字。</p>" + PENALTY), "utf-8")
    wb, report = read_doc(path)
    assert report.codes() == []
    sheet = wb.sheets[0]
    assert sheet.name == "表1" and sheet.kind == "html"
    assert sheet.values[0] == ["地区", "行政处罚", None, "罚没款（万元）"]
    assert sheet.values[1] == [None, "立案", "结案", None]
    assert sheet.values[2] == ["银川市", "12", None, "3.5"]  # an empty <td> is a blank cell
    assert sorted(sheet.merged) == [(0, 0, 1, 0), (0, 1, 0, 2), (0, 3, 1, 3)]
    assert sheet.ref(2, 1) == "R3C2"
    assert sheet.title_lines[0] == "宁夏回族自治区2024年行政处罚情况"
    assert [p.text for p in wb.paragraphs] == ["宁夏回族自治区2024年行政处罚情况", "说明文字。"]  # no script text


def test_html_table_cleans_to_facts(tmp_path: Path):
    raw = tmp_path / "raw"
    (raw / "web").mkdir(parents=True)
    (raw / "web" / "page.htm").write_text(_page("<h1>宁夏回族自治区2024年行政处罚情况</h1>" + PENALTY), "utf-8")
    facts, report, _ = clean(raw)
    assert facts_by(facts, region_name="银川市") == {"cases_filed": 12.0, "fines_collected": 3.5}
    assert facts_by(facts, region_name="吴忠市") == {"cases_filed": 8.0, "cases_closed": 7.0, "fines_collected": 1.25}
    assert set(facts["year"]) == {2024}  # from the page title
    row = facts[(facts["region_name"] == "吴忠市") & (facts["indicator"] == "cases_closed")].iloc[0]
    assert (row["source_sheet"], row["source_cell"]) == ("表1", "R4C3")
    assert "missing_value" in report.codes()
    assert assert_table_cells_conserved(raw) == 8  # 12, 3.5, 8, 7, 1.25 and the 合计 row 20, 7, 4.75


def test_gbk_page_in_traditional_script(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    table = html_table([["地區", "立案數量", "罰沒金額（萬元）"], ["銀川市", "5", "2.5"]])
    page = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">'
            f"<title>2023年執法統計</title></head><body>{table}</body></html>")
    (raw / "big5ish.html").write_bytes(page.encode("gbk"))
    facts, report, _ = clean(raw)
    assert facts_by(facts, region_code="640100") == {"cases_filed": 5.0, "fines_collected": 2.5}
    assert set(facts["year"]) == {2023}
    enc = [f for f in report.findings if f.code == "encoding_detected"]
    assert enc and "gb18030" in enc[0].message_en


def test_page_saved_with_another_extension_is_sniffed(tmp_path: Path, read_doc):
    path = tmp_path / "export.aspx"
    path.write_text(_page(PENALTY), "utf-8")
    wb, report = read_doc(path)
    assert wb is not None and wb.kind == "html" and report.codes() == []
    assert wb.sheets[0].values[3][0] == "吴忠市"


def test_layout_table_of_tables_reads_the_inner_table(tmp_path: Path, read_doc):
    path = tmp_path / "framed.html"
    path.write_text(_page(f"<table><tr><td><p>正文第一段。</p>{PENALTY}</td></tr></table>"), "utf-8")
    wb, _ = read_doc(path)
    assert len(wb.sheets) == 1 and wb.sheets[0].values[2][0] == "银川市"
    assert "正文第一段。" in [p.text for p in wb.paragraphs]


def test_page_with_text_only_is_info_and_keeps_paragraphs(tmp_path: Path, read_doc):
    path = tmp_path / "news.html"
    path.write_text(_page("<p>2024年全区立案查处违法案件214起。</p><p>收缴罚没款9172.05万元。</p>"), "utf-8")
    wb, report = read_doc(path)
    assert report.codes() == ["document_no_table"]
    assert report.findings[0].severity == "info" and report.findings[0].file == "news.html"
    assert [p.location for p in wb.paragraphs] == ["P1", "P2", "P3"]
    assert wb.paragraphs[2].text == "收缴罚没款9172.05万元。"


def test_page_with_neither_table_nor_figures(tmp_path: Path, read_doc):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>通知</title></head><body><p>暂无内容。</p></body></html>", "utf-8")
    wb, report = read_doc(path)
    assert wb is None
    assert report.codes() == ["document_no_figures"]
    assert report.findings[0].severity == "error" and report.findings[0].file == "empty.html"


def test_hostile_spans_are_clipped(tmp_path: Path, read_doc):
    path = tmp_path / "span.html"
    table = '<table><tr><td rowspan="99999">地区</td><td colspan="abc">立案</td></tr><tr><td>1</td></tr></table>'
    path.write_text(_page(table), "utf-8")
    wb, _ = read_doc(path)
    sheet = wb.sheets[0]
    assert sheet.values == [["地区", "立案"], [None, "1"]]
    assert sheet.merged == [(0, 0, 1, 0)]


DISCLOSURE_2021 = [
    html_table([["第二十条第（一）项", None, None, None], ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                ["规章", "0", "0", "0"], ["行政规范性文件", "3", "1", "12"]], attrs={(0, 0): 'colspan="4"'},
               header_rows=0),
    html_table([["第二十条第（五）项", None], ["信息内容", "本年处理决定数量"], ["行政许可", "1,256"]],
               attrs={(0, 0): 'colspan="2"'}, header_rows=0),
    html_table([["第二十条第（六）项", None], ["信息内容", "本年处理决定数量"], ["行政处罚", "87"], ["行政强制", "4"]],
               attrs={(0, 0): 'colspan="2"'}, header_rows=0),
    html_table([["第二十条第（八）项", None], ["信息内容", "本年收费金额（单位：万元）"], ["行政事业性收费", "15.6"]],
               attrs={(0, 0): 'colspan="2"'}, header_rows=0),
]


def test_disclosure_report_2021_template(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    title = "固原市原州区自然资源局2023年政府信息公开工作年度报告"
    body = f"<h1>{title}</h1><p>二、主动公开政府信息情况</p>" + "".join(DISCLOSURE_2021)
    (raw / "xxgk.html").write_text(_page(body, title=title), "utf-8")
    facts, report, _ = clean(raw)
    got = facts_by(facts, region_code="640402", year=2023)
    assert got == {"rules_issued": 0.0, "normative_documents_issued": 3.0, "license_decisions": 1256.0,
                   "penalty_decisions": 87.0, "coercion_decisions": 4.0, "administrative_fees": 15.6}
    assert set(facts["agency"]) == {"固原市原州区自然资源局"}
    row = facts[facts["indicator"] == "license_decisions"].iloc[0]
    assert (row["source_sheet"], row["source_cell"]) == ("表2", "R3C2")
    not_used = {f.cell for f in report.findings if f.code == "figure_not_used" and f.sheet == "表1"}
    assert not_used == {"R3C3", "R3C4", "R4C3", "R4C4"}  # 本年废止件数 and 现行有效件数 are not the year's figures
    assert assert_table_cells_conserved(raw) == 10  # 6 in 表1, one each in 表2 and 表4, two in 表3


def test_disclosure_report_older_template_uses_only_the_decisions_column(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    head = ["信息内容", "上一年项目数量(指2019年事项数)", "本年增/减(指2020年增加或减少的事项数)", "处理决定数量(指2020年办件量)"]
    tables = html_table([["第二十条第（五）项", None, None, None], head, ["行政许可", "8", "5", "93"]],
                        attrs={(0, 0): 'colspan="4"'}, header_rows=0)
    tables += html_table([head, ["行政处罚", "90", "-3", "22"], ["行政强制", "4", "4", "-"]], header_rows=0)
    title = "石嘴山市自然资源局2020年政府信息公开工作年度报告"
    (raw / "old.html").write_text(_page(f"<h1>{title}</h1>{tables}", title=title), "utf-8")
    facts, report, _ = clean(raw)
    assert facts_by(facts, region_code="640200", year=2020) == {"license_decisions": 93.0, "penalty_decisions": 22.0}
    assert {f.cell for f in report.findings if f.code == "missing_value"} == {"R3C4"}  # 行政强制 "-"
    reasons = {f.cell: f.message_zh for f in report.findings if f.code == "figure_not_used" and f.sheet == "表2"}
    assert set(reasons) == {"R2C2", "R2C3", "R3C2", "R3C3"}
    assert "本年增" in reasons["R2C3"]
    assert_table_cells_conserved(raw)
