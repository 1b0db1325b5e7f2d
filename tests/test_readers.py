"""Tests for ``analysis.clean.readers``: CSV encodings, XLSX merged headers, XLS, hidden sheets, refs, discovery.

Fixtures are written into ``tmp_path`` by the tests themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pytest
import xlwt

from analysis.clean.findings import QualityReport
from analysis.clean.readers import Sheet, Workbook, column_letter, decode_text, discover_files, read_workbook

TITLE = "2024年宁夏回族自治区自然资源行政执法数据"
CSV_TEXT = (
    f"{TITLE},,\n"
    "地区,立案数量（起）,罚没款（万元）\n"
    '银川市,"1,234",15566.70\n'
    "石嘴山市,12\n"  # ragged: padded with None
    "吴忠市,,—\n"
    "注：示例数据,,\n"
)


def _read(path: Path, root: Path | None = None) -> tuple[Workbook | None, QualityReport]:
    report = QualityReport()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    wb = read_workbook(path, root or path.parent, report)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    return wb, report


def _check_csv_grid(wb: Workbook) -> Sheet:
    assert wb.kind == "csv"
    assert len(wb.sheets) == 1
    sh = wb.sheets[0]
    assert sh.kind == "csv"
    assert sh.n_rows == 6 and sh.n_cols == 3
    assert sh.values[0] == [TITLE, None, None]
    assert sh.values[1] == ["地区", "立案数量（起）", "罚没款（万元）"]
    assert sh.values[2] == ["银川市", "1,234", "15566.70"]  # raw strings, trailing zero kept
    assert sh.values[3] == ["石嘴山市", "12", None]
    assert sh.values[4] == ["吴忠市", None, "—"]
    assert sh.flags == {} and sh.merged == []
    return sh


@pytest.mark.parametrize(
    ("encoding", "detected", "extra_codes"),
    [
        ("utf-8", "utf_8", []),
        ("utf-8-sig", "utf_8_sig", []),
        ("gb18030", "gb18030", ["encoding_detected"]),
        ("gbk", "gb18030", ["encoding_detected"]),
        ("utf-16", "utf_16", ["encoding_detected"]),
    ],
)
def test_csv_encodings(tmp_path, encoding, detected, extra_codes):
    path = tmp_path / f"penalty_{encoding}.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    wb, report = _read(path)
    assert wb is not None
    assert wb.encoding == detected
    sh = _check_csv_grid(wb)
    assert sh.name == path.stem
    assert report.codes() == extra_codes
    assert not report.has_errors


def test_gb18030_only_characters(tmp_path):
    # 䶮 is outside GBK/GB2312: only GB18030 encodes it (why gb18030 is preferred).
    path = tmp_path / "gb.csv"
    path.write_bytes("地区,罚没款\n䶮镇,1\n".encode("gb18030"))
    wb, _ = _read(path)
    assert wb.encoding == "gb18030"
    assert wb.sheets[0].values[1][0] == "䶮镇"


@pytest.mark.parametrize(("delim", "name"), [("\t", "tab.tsv"), (";", "semi.csv"), (",", "comma.txt")])
def test_csv_delimiters(tmp_path, delim, name):
    path = tmp_path / name
    rows = [["地区", "立案", "结案"], ["银川市", "12", "10"], ["吴忠市", "1,234", "9"]]
    path.write_text("\n".join(delim.join(f'"{v}"' if "," in v else v for v in r) for r in rows), "utf-8")
    wb, report = _read(path)
    assert wb.sheets[0].values == rows
    assert report.codes() == []


def test_csv_quoted_newline_and_long_cell(tmp_path):
    long = "长" * 5000
    path = tmp_path / "q.csv"
    path.write_text(f'地区,说明\n银川市,"第一行\n第二行"\n吴忠市,{long}\n', "utf-8")
    wb, _ = _read(path)
    sh = wb.sheets[0]
    assert sh.values[1][1] == "第一行\n第二行"
    assert sh.values[2][1] == long  # kept whole; consumers truncate in findings
    assert sh.ref(2, 1) == "R3C2"


def test_csv_trailing_blank_rows_and_columns_trimmed(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,,,\n1,2,,,\n,,,,\n , ,,,\n", "utf-8")
    wb, _ = _read(path)
    assert wb.sheets[0].values == [["a", "b"], ["1", "2"]]


def _merged_xlsx(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2024年"
    ws["A1"] = TITLE
    ws.merge_cells("A1:F1")
    ws["A2"] = "地区"
    ws.merge_cells("A2:A3")
    ws["B2"] = "立案（起）"
    ws.merge_cells("B2:B3")
    ws["C2"] = "案卷评查"
    ws.merge_cells("C2:F2")
    for col, name in zip("CDEF", ["评查数", "优秀", "合格", "不合格"]):
        ws[f"{col}3"] = name
    ws.append(["银川市", 120, 50, 20, 28, 2])
    ws.append(["吴忠市", 80, 30, 10, 19, 1])
    hidden = wb.create_sheet("隐藏表")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "内部"
    very = wb.create_sheet("veryhidden")
    very.sheet_state = "veryHidden"
    very["B2"] = 7
    wb.save(path)


def test_xlsx_merged_two_level_header(tmp_path):
    path = tmp_path / "2024" / "key.xlsx"
    path.parent.mkdir()
    _merged_xlsx(path)
    wb, report = _read(path, tmp_path)
    assert report.codes() == []
    assert wb.kind == "xlsx" and wb.encoding is None
    assert wb.rel_path == "2024/key.xlsx"
    assert wb.path.is_absolute()
    sh = wb.sheets[0]
    assert sh.name == "2024年" and sh.kind == "xlsx" and not sh.hidden
    assert sh.n_rows == 5 and sh.n_cols == 6
    assert sorted(sh.merged) == [(0, 0, 0, 5), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 1, 5)]
    # values only in the top-left cell of each merged range
    assert sh.values[0] == [TITLE, None, None, None, None, None]
    assert sh.values[1] == ["地区", "立案（起）", "案卷评查", None, None, None]
    assert sh.values[2] == [None, None, "评查数", "优秀", "合格", "不合格"]
    assert sh.values[3] == ["银川市", 120, 50, 20, 28, 2]
    assert sh.ref(3, 1) == "B4"
    assert sh.ref(0, 0) == "A1"


def test_xlsx_hidden_sheets_are_read_and_marked(tmp_path):
    path = tmp_path / "key.xlsx"
    _merged_xlsx(path)
    wb, _ = _read(path)
    assert [(s.name, s.hidden) for s in wb.sheets] == [
        ("2024年", False),
        ("隐藏表", True),
        ("veryhidden", True),
    ]
    assert wb.sheets[2].values == [[None, None], [None, 7]]


def test_xlsx_special_cells_flagged(tmp_path):
    path = tmp_path / "flags.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["地区", "立案", "合计", "比率", "日期"])
    ws.append(["银川市", 12, "=B2*2", "#DIV/0!", dt.datetime(2024, 1, 5)])
    wb.save(path)
    book, report = _read(path)
    sh = book.sheets[0]
    assert report.codes() == []
    assert sh.values[1] == ["银川市", 12, None, "#DIV/0!", dt.datetime(2024, 1, 5)]
    assert sh.flags == {(1, 2): "formula_no_cache", (1, 3): "excel_error", (1, 4): "date"}


def test_xls_via_xlwt(tmp_path):
    path = tmp_path / "legacy.xls"
    book = xlwt.Workbook(encoding="utf-8")
    sh = book.add_sheet("行政处罚")
    sh.write_merge(0, 0, 0, 3, "2022年行政处罚实施情况统计表")
    sh.write_merge(1, 2, 0, 0, "单位名称")
    sh.write_merge(1, 1, 1, 2, "行政处罚")
    sh.write(2, 1, "警告")
    sh.write(2, 2, "罚款")
    sh.write_merge(1, 2, 3, 3, "罚没金额(万元)")
    sh.write(3, 0, "银川市自然资源局")
    sh.write(3, 1, 3)
    sh.write(3, 2, 12)
    sh.write(3, 3, 170.8115)
    sh.write(4, 0, "日期")
    sh.write(4, 1, dt.date(2024, 1, 5), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    sh.write(4, 2, True)
    sh.row(4).set_cell_error(3, "#DIV/0!")
    hidden = book.add_sheet("hidden")
    hidden.write(0, 0, "x")
    hidden.visibility = 1
    book.save(str(path))

    wb, report = _read(path)
    assert report.codes() == []
    assert wb.kind == "xls"
    s = wb.sheets[0]
    assert s.name == "行政处罚" and s.kind == "xls" and not s.hidden
    assert sorted(s.merged) == [(0, 0, 0, 3), (1, 0, 2, 0), (1, 1, 1, 2), (1, 3, 2, 3)]
    assert s.values[0] == ["2022年行政处罚实施情况统计表", None, None, None]
    assert s.values[1] == ["单位名称", "行政处罚", None, "罚没金额(万元)"]
    assert s.values[3] == ["银川市自然资源局", 3, 12, 170.8115]
    assert isinstance(s.values[3][1], int)
    assert s.values[4][1] == dt.datetime(2024, 1, 5)
    assert s.values[4][2] is True
    assert s.values[4][3] == "#DIV/0!"
    assert s.flags == {(4, 1): "date", (4, 3): "excel_error"}
    assert s.ref(3, 3) == "D4"
    assert [(x.name, x.hidden) for x in wb.sheets] == [("行政处罚", False), ("hidden", True)]


def test_ref_and_column_letters():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]
    xl = Sheet("s", [[None]], [], {}, "xlsx")
    csv_sheet = Sheet("s", [[None]], [], {}, "csv")
    assert xl.ref(6, 1) == "B7"
    assert csv_sheet.ref(6, 1) == "R7C2"
    empty = Sheet("e", [], [], {}, "csv")
    assert empty.n_rows == 0 and empty.n_cols == 0


def test_discover_files(tmp_path):
    for rel in [
        "2024/a.xlsx",
        "2024/b.csv",
        "2023/sub/c.xls",
        "README.md",
        "readme.txt",
        "2024/README_说明.md",
        "manifest.csv",
        "SAMPLE",
        ".hidden.csv",
        ".git/config",
        "2024/~$a.xlsx",
        "z.pdf",
    ]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover_files(tmp_path)]
    assert found == ["2023/sub/c.xls", "2024/a.xlsx", "2024/b.csv", "z.pdf"]
    assert discover_files(tmp_path / "missing") == []


def test_decode_text_order():
    assert decode_text(b"abc")[1] == "utf_8"
    assert decode_text("\ufeffabc".encode())[1] == "utf_8_sig"
    assert decode_text("罚没款".encode("gb18030"))[1] == "gb18030"
    for data in ("地区,罚没款\n".encode("utf-16-le"), "罚没款".encode("utf-16-le")):
        text, enc, guess = decode_text(data)
        assert text is None and enc is None and guess
