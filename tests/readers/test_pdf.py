"""PDF files: ruled tables with merged cells, running text per page, no text layer, encrypted, broken."""

from __future__ import annotations

from pathlib import Path

from analysis.clean.pipeline import clean

from .conftest import assert_table_cells_conserved, facts_by
from .writers import write_pdf

TABLE = {
    "rows": [
        ["地区", "行政处罚", None, "罚没款（万元）"],
        [None, "立案", "结案", None],
        ["银川市", "12", "10", "3.5"],
        ["吴忠市", "8", "", "1.25"],
    ],
    "merges": [(0, 0, 1, 0), (0, 1, 0, 2), (0, 3, 1, 3)],
}
PAGES = [
    {"lines": ["宁夏回族自治区2024年行政执法统计", "一、总体情况", "全年立案查处违法案件20起。"]},
    {"lines": ["表1 2024年行政处罚统计表"], "tables": [TABLE], "after": ["注：本表为示例数据。"]},
]


def test_ruled_table_with_merges(tmp_path: Path, read_doc):
    path = write_pdf(tmp_path / "form.pdf", PAGES)
    wb, report = read_doc(path)
    assert report.codes() == []
    sheet = wb.sheets[0]
    assert (sheet.name, sheet.kind) == ("表1（第2页）", "pdf")
    assert sheet.values == [["地区", "行政处罚", None, "罚没款（万元）"], [None, "立案", "结案", None],
                            ["银川市", "12", "10", "3.5"], ["吴忠市", "8", None, "1.25"]]
    assert sorted(sheet.merged) == sorted(TABLE["merges"])
    assert sheet.title_lines == ["宁夏回族自治区2024年行政执法统计", "表1 2024年行政处罚统计表"]
    texts = {p.location: p.text for p in wb.paragraphs}
    assert texts["page 1 P3"] == "全年立案查处违法案件20起。"
    assert texts["page 2 P2"] == "注：本表为示例数据。"
    assert not any("银川市" in t for t in texts.values())  # table text is not running text


def test_pdf_table_cleans_to_facts_and_conserves(tmp_path: Path):
    raw = tmp_path / "raw"
    write_pdf(raw / "form.pdf", PAGES)
    facts, report, _ = clean(raw)
    table_facts = facts[facts["source_sheet"] == "表1（第2页）"]
    assert facts_by(table_facts, region_code="640100") == {"cases_filed": 12.0, "cases_closed": 10.0,
                                                           "fines_collected": 3.5}
    assert facts_by(table_facts, region_code="640300") == {"cases_filed": 8.0, "fines_collected": 1.25}
    assert set(table_facts["year"]) == {2024}
    assert {f.cell for f in report.findings if f.code == "missing_value"} == {"R4C3"}
    assert assert_table_cells_conserved(raw) == 5  # 12 10 3.5 / 8 1.25


def test_scan_without_text_layer(tmp_path: Path, read_doc):
    path = write_pdf(tmp_path / "scan.pdf", [{"image_only": True}, {"image_only": True}])
    wb, report = read_doc(path)
    assert wb is None and report.codes() == ["pdf_no_text"]
    f = report.findings[0]
    assert f.file == "scan.pdf" and f.severity == "error" and "2" in f.message_zh


def test_encrypted_pdf(tmp_path: Path, read_doc):
    path = write_pdf(tmp_path / "locked.pdf", PAGES, encrypt_password="secret")
    wb, report = read_doc(path)
    assert wb is None and report.codes() == ["pdf_encrypted"] and report.findings[0].file == "locked.pdf"


def test_broken_pdf(tmp_path: Path, read_doc):
    good = write_pdf(tmp_path / "good.pdf", PAGES)
    path = tmp_path / "broken.pdf"
    path.write_bytes(good.read_bytes()[:300])
    wb, report = read_doc(path)
    assert wb is None and report.codes() == ["file_corrupt"] and report.findings[0].file == "broken.pdf"
