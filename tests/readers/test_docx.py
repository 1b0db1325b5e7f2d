"""Word files: gridSpan/vMerge merges, multi-level headers, unit and 合计 rows, titles, paragraphs, bad files."""

from __future__ import annotations

import zipfile
from pathlib import Path

from analysis.clean.pipeline import clean

from .conftest import assert_table_cells_conserved, facts_by
from .writers import write_docx

TITLE = "宁夏回族自治区自然资源厅2023年度行政执法工作情况报告"
TABLE = {
    "title": ["表1 2023年各市执法情况", "单位：万元"],
    "rows": [
        ["地区", "执法单位", "案件办理", None, "罚没款"],
        [None, None, "立案（起）", "结案（起）", None],
        ["银川市", "兴庆区", "5", "4", "1.5"],
        [None, "金凤区", "3", "3", "0.5"],
        ["吴忠市", "利通区", "2", "", "0.25"],
    ],
    "merges": [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 1, 4), (2, 0, 3, 0)],
}


def test_merges_become_grid_ranges(tmp_path: Path, read_doc):
    path = write_docx(tmp_path / "report.docx", [TITLE, "一、总体情况", "全年立案查处违法案件10起。"], [TABLE],
                      ["二、下一步工作"])
    wb, report = read_doc(path)
    assert report.codes() == []
    sheet = wb.sheets[0]
    assert (sheet.name, sheet.kind) == ("表1", "docx")
    assert sheet.values[0] == ["地区", "执法单位", "案件办理", None, "罚没款"]
    assert sheet.values[3] == [None, "金凤区", "3", "3", "0.5"]
    assert sorted(sheet.merged) == sorted(TABLE["merges"])
    assert sheet.title_lines == [TITLE, "表1 2023年各市执法情况", "单位：万元"]
    assert [p.text for p in wb.paragraphs] == [TITLE, "一、总体情况", "全年立案查处违法案件10起。",
                                             "表1 2023年各市执法情况", "单位：万元", "二、下一步工作"]
    assert wb.paragraphs[2].location == "P3"


def test_vertically_merged_region_labels_both_rows(tmp_path: Path):
    raw = tmp_path / "raw"
    write_docx(raw / "report.docx", [TITLE], [TABLE])
    facts, report, _ = clean(raw)
    yinchuan = facts[facts["region_code"] == "640104"]  # 兴庆区 (its agency row)
    jinfeng = facts[facts["region_code"] == "640106"]  # 金凤区, in the second row of the merged 银川市 cell
    assert facts_by(yinchuan) == {"cases_filed": 5.0, "cases_closed": 4.0, "fines_collected": 1.5}
    assert facts_by(jinfeng) == {"cases_filed": 3.0, "cases_closed": 3.0, "fines_collected": 0.5}
    assert set(facts["year"]) == {2023}  # from the document title
    cell = jinfeng[jinfeng["indicator"] == "cases_filed"].iloc[0]
    assert (cell["source_file"], cell["source_sheet"], cell["source_cell"]) == ("report.docx", "表1", "R4C3")
    assert assert_table_cells_conserved(raw) == 8  # 5 4 1.5 / 3 3 0.5 / 2 0.25


def test_total_row_and_unit_row(tmp_path: Path):
    raw = tmp_path / "raw"
    rows = [["地区", "立案", "罚没款"], [None, "起", "元"], ["银川市", "5", "15000"], ["石嘴山市", "3", "5000"],
            ["合计", "8", "20000"]]
    write_docx(raw / "2024年执法.docx", ["2024年执法数据"], [{"rows": rows}])
    facts, report, _ = clean(raw)
    assert facts_by(facts, region_code="640100") == {"cases_filed": 5.0, "fines_collected": 1.5}  # 元 -> 万元
    assert facts_by(facts, region_code="640200") == {"cases_filed": 3.0, "fines_collected": 0.5}
    assert "unit_converted" in report.codes()
    assert "total_mismatch" not in report.codes()
    assert_table_cells_conserved(raw)


def test_letter_without_tables_keeps_paragraphs(tmp_path: Path, read_doc):
    path = write_docx(tmp_path / "letter.docx", ["关于2023年度行政执法工作情况的函", "全年立案214起。"], [])
    wb, report = read_doc(path)
    assert report.codes() == ["document_no_table"] and report.findings[0].severity == "info"
    assert wb.sheets == [] and [p.text for p in wb.paragraphs][1] == "全年立案214起。"


def test_broken_docx_is_corrupt(tmp_path: Path, read_doc):
    good = write_docx(tmp_path / "good.docx", [TITLE], [TABLE])
    path = tmp_path / "broken.docx"
    path.write_bytes(good.read_bytes()[:2000])
    wb, report = read_doc(path)
    assert wb is None and report.codes() == ["file_corrupt"] and report.findings[0].file == "broken.docx"
    zpath = tmp_path / "noparts.docx"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    wb, report = read_doc(zpath)
    assert wb is None and report.codes() == ["file_corrupt"]


def test_legacy_doc_and_wps_ask_for_docx_or_pdf(tmp_path: Path, read_doc, monkeypatch):
    from analysis.clean.readers import registry

    # An OLE2 file with a WordDocument stream is what sniff_ole reports as ("ole", "DOC").
    monkeypatch.setattr(registry, "detect_format", lambda data: ("ole", "DOC"))
    for name in ("old.doc", "old.wps"):
        path = tmp_path / name
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
        wb, report = read_doc(path)
        assert wb is None and report.codes() == ["file_unsupported"]
        msg = report.findings[0].message
        assert ".docx" in msg and "PDF" in msg and ("WPS" in msg if name.endswith(".wps") else "Word 97-2003" in msg)


def test_word_document_stream_is_sniffed_as_legacy_doc(monkeypatch):
    import olefile

    from analysis.clean.readers import sniff

    class FakeOle:
        def __init__(self, *_):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *_):
            return False

        def listdir(self):
            return [["WordDocument"], ["1Table"], ["\x05SummaryInformation"]]

    monkeypatch.setattr(olefile, "OleFileIO", FakeOle)
    assert sniff.sniff_ole(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504) == ("ole", "DOC")
