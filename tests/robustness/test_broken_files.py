"""Issue 6, "Broken files": each bad file gets its exact finding code, no exception escapes,
nothing reaches stderr, and the raw bytes are unchanged (checked by the ``read_one`` fixture)."""

from __future__ import annotations

import os
import random
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill

from analysis.clean.findings import QualityReport, finding_codes
from analysis.clean.readers import discover_files, read_workbook

from .conftest import UNDECODABLE_CSV, encrypted_xlsx_bytes, sha256, xlsx_bytes

ROWS = [["地区", "立案数量（起）", "罚没款（万元）"], ["银川市", 12, 3.5], ["吴忠市", 8, 1.25]]


def _only(report: QualityReport, code: str, severity: str = "error") -> None:
    assert report.codes() == [code], [(f.code, f.message) for f in report.findings]
    f = report.findings[0]
    assert f.severity == severity == finding_codes()[code].severity
    assert f.file  # the finding names the file
    assert f.message_zh and f.message_en
    assert "{" not in f.message  # every placeholder filled


def test_every_reader_code_is_catalogued():
    codes = finding_codes()
    for code in [
        "file_empty",
        "file_corrupt",
        "file_encrypted",
        "file_unreadable",
        "file_unsupported",
        "encoding_undetected",
        "encoding_detected",
        "format_mismatch",
        "sheet_unreadable",
    ]:
        assert code in codes
    assert codes["format_mismatch"].severity == "warning"
    assert codes["encoding_detected"].severity == "info"


@pytest.mark.parametrize("name", ["empty.csv", "zero.xlsx", "zero.xls"])
def test_zero_byte_files(tmp_path, read_one, name):
    path = tmp_path / name
    path.write_bytes(b"")
    wb, report = read_one(path)
    assert wb is None
    _only(report, "file_empty")
    assert report.findings[0].file == name


@pytest.mark.parametrize("content", [b"   \r\n\r\n", b"\xef\xbb\xbf", b",,,\n,,\n", "\u3000\n".encode()])
def test_blank_text_file_is_empty(tmp_path, read_one, content):
    path = tmp_path / "blank.csv"
    path.write_bytes(content)
    wb, report = read_one(path)
    assert wb is None
    _only(report, "file_empty")


def test_truncated_xlsx(tmp_path, read_one):
    data = xlsx_bytes(ROWS * 50)
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    wb, report = read_one(path)
    assert wb is None
    _only(report, "file_corrupt")


def test_corrupt_xlsx_random_bytes(tmp_path, read_one):
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(random.Random(6).randbytes(4096))
    wb, report = read_one(path)
    assert wb is None
    _only(report, "file_corrupt")


def test_zip_missing_workbook_parts(tmp_path, read_one):
    """A ZIP that claims to be a workbook but lacks its parts (xl/workbook.xml present, rest gone)."""
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    wb, report = read_one(path)
    assert wb is None
    _only(report, "file_corrupt")


def test_password_protected_xlsx(tmp_path, read_one):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(encrypted_xlsx_bytes(ROWS))
    assert path.read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")  # an OLE2 container
    wb, report = read_one(path)
    assert wb is None
    _only(report, "file_encrypted")
    assert "密码" in report.findings[0].message_zh


def test_csv_in_no_supported_encoding(tmp_path, read_one):
    for data in (UNDECODABLE_CSV,):
        for enc in ("utf-8", "gb18030"):
            with pytest.raises(UnicodeDecodeError):
                data.decode(enc)
    path = tmp_path / "garbled.csv"
    path.write_bytes(UNDECODABLE_CSV)
    wb, report = read_one(path)
    assert wb is None
    _only(report, "encoding_undetected")


def test_utf16_without_bom_is_undetected(tmp_path, read_one):
    path = tmp_path / "utf16.csv"
    path.write_bytes("地区,立案\n银川市,12\n".encode("utf-16-le"))
    wb, report = read_one(path)
    assert wb is None
    _only(report, "encoding_undetected")


def test_xlsx_name_that_is_really_csv(tmp_path, read_one):
    path = tmp_path / "really_csv.xlsx"
    path.write_text("地区,立案数量（起）\n银川市,12\n", "utf-8")
    wb, report = read_one(path)
    _only(report, "format_mismatch", "warning")
    assert wb is not None and wb.kind == "csv" and wb.encoding == "utf_8"
    assert wb.sheets[0].values == [["地区", "立案数量（起）"], ["银川市", "12"]]
    assert wb.sheets[0].ref(1, 1) == "R2C2"


def test_csv_name_that_is_really_xlsx(tmp_path, read_one):
    path = tmp_path / "really_xlsx.csv"
    path.write_bytes(xlsx_bytes(ROWS))
    wb, report = read_one(path)
    _only(report, "format_mismatch", "warning")
    assert wb is not None and wb.kind == "xlsx" and wb.encoding is None
    assert wb.sheets[0].values == ROWS
    assert wb.sheets[0].ref(1, 1) == "B2"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("chart.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32),
        ("notes.md", "# 说明\n".encode()),
    ],
)
def test_unsupported_files(tmp_path, read_one, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    wb, report = read_one(path)
    assert wb is None
    _only(report, "file_unsupported")


def test_truncated_pdf_is_corrupt(tmp_path, read_one):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    wb, report = read_one(path)
    assert wb is None
    _only(report, "file_corrupt")


def test_docx_without_its_parts_is_corrupt(tmp_path, read_one):
    path = tmp_path / "letter.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    wb, report = read_one(path)
    assert wb is None
    _only(report, "file_corrupt")


def test_web_page_saved_as_xls_is_read_as_html(tmp_path, read_one):
    path = tmp_path / "fake.xls"
    path.write_bytes("<html><body><table><tr><th>地区</th><th>立案</th></tr><tr><td>银川市</td><td>1</td></tr>"
                     "</table></body></html>".encode())
    wb, report = read_one(path)
    _only(report, "format_mismatch", "warning")
    assert wb.kind == "html"
    assert wb.sheets[0].values == [["地区", "立案"], ["银川市", "1"]]


def test_unreadable_path(tmp_path, read_one):
    path = tmp_path / "a_folder.csv"
    path.mkdir()
    report = QualityReport()
    assert read_workbook(path, tmp_path, report) is None
    assert report.codes() == ["file_unreadable"]


def test_ten_thousand_blank_formatted_rows_are_trimmed_quickly(tmp_path, read_one):
    path = tmp_path / "formatted.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in ROWS:
        ws.append(row)
    fill = PatternFill("solid", fgColor="FFFF00")
    bold = Font(bold=True)
    for r in range(len(ROWS) + 1, len(ROWS) + 10_001):
        for c in range(1, 13):
            cell = ws.cell(r, c)
            cell.fill = fill
            cell.font = bold
        ws.row_dimensions[r].height = 18
    wb.save(path)
    assert openpyxl.load_workbook(path, read_only=True).active.max_row >= 10_000

    start = time.perf_counter()
    book, report = read_one(path)
    elapsed = time.perf_counter() - start
    assert report.codes() == []
    sheet = book.sheets[0]
    assert (sheet.n_rows, sheet.n_cols) == (3, 3)
    assert sheet.values == ROWS
    assert elapsed < 2.0, f"reading took {elapsed:.2f} s"


def test_blank_formatted_columns_are_trimmed(tmp_path, read_one):
    path = tmp_path / "wide.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in ROWS:
        ws.append(row)
    for c in range(4, 200):
        ws.cell(1, c).fill = PatternFill("solid", fgColor="00FF00")
        ws.cell(2, c).value = ""  # empty strings count as blank for trimming
    wb.save(path)
    book, _ = read_one(path)
    assert book.sheets[0].n_cols == 3


def test_path_like_names_are_data_only(tmp_path, read_one):
    """Sheet and file names that look like paths are kept as text; nothing is created from them."""
    name = "..%2F..%2Fetc 表\u0007.xlsx"
    path = tmp_path / name
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "..'etc'passwd"
    ws.append(["地区", "立案"])
    wb.create_sheet("a..b~c").append([1])
    wb.save(path)
    before = sorted(p.name for p in tmp_path.iterdir())
    book, report = read_one(path)
    assert report.codes() == []
    assert book.rel_path == name
    assert [s.name for s in book.sheets] == ["..'etc'passwd", "a..b~c"]
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_bad_file_does_not_stop_the_others(tmp_path):
    (tmp_path / "a_empty.csv").write_bytes(b"")
    (tmp_path / "b_locked.xlsx").write_bytes(encrypted_xlsx_bytes(ROWS))
    (tmp_path / "c_good.xlsx").write_bytes(xlsx_bytes(ROWS))
    (tmp_path / "d_garbled.csv").write_bytes(UNDECODABLE_CSV)
    (tmp_path / "e_good.csv").write_text("地区,立案\n银川市,1\n", "utf-8")
    digests = {p.name: sha256(p) for p in tmp_path.iterdir()}
    report = QualityReport()
    books = [read_workbook(p, tmp_path, report) for p in discover_files(tmp_path)]
    assert [b.rel_path for b in books if b is not None] == ["c_good.xlsx", "e_good.csv"]
    assert report.codes() == ["file_empty", "file_encrypted", "encoding_undetected"]
    assert [f.file for f in report.findings] == ["a_empty.csv", "b_locked.xlsx", "d_garbled.csv"]
    assert {p.name: sha256(p) for p in tmp_path.iterdir()} == digests


def test_read_only_permissions_are_enough(tmp_path, read_one):
    path = tmp_path / "ro.xlsx"
    path.write_bytes(xlsx_bytes(ROWS))
    os.chmod(path, 0o444)
    try:
        wb, report = read_one(path)
        assert wb is not None and report.codes() == []
    finally:
        os.chmod(path, 0o644)


def test_finding_paths_are_relative_posix(tmp_path, read_one):
    sub = tmp_path / "2024" / "银川"
    sub.mkdir(parents=True)
    path = sub / "x.csv"
    path.write_bytes(b"")
    report = QualityReport()
    read_workbook(path, tmp_path, report)
    assert report.findings[0].file == "2024/银川/x.csv"
    assert not Path(report.findings[0].file).is_absolute()


def _xls_bytes(tmp_path: Path) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sh = book.add_sheet("表1")
    for r, row in enumerate(ROWS):
        for c, v in enumerate(row):
            sh.write(r, c, v)
    p = tmp_path / "_src.xls.tmp"
    book.save(str(p))
    data = p.read_bytes()
    p.unlink()
    return data


@pytest.mark.parametrize(("name", "real"), [("really_xls.xlsx", "xls"), ("really_xlsx.xls", "xlsx")])
def test_excel_formats_swapped(tmp_path, read_one, name, real):
    path = tmp_path / name
    path.write_bytes(_xls_bytes(tmp_path) if real == "xls" else xlsx_bytes(ROWS))
    wb, report = read_one(path)
    _only(report, "format_mismatch", "warning")
    assert wb.kind == real
    assert wb.sheets[0].values == ROWS


def test_one_bad_sheet_does_not_stop_the_others(tmp_path, read_one, monkeypatch):
    import openpyxl as _ox

    from analysis.clean.readers import excel

    book = _ox.Workbook()
    book.active.title = "好表"
    book.active.append(["地区", "立案"])
    book.create_sheet("坏表").append(["x"])
    path = tmp_path / "two.xlsx"
    book.save(path)
    real = excel._xlsx_sheet

    def flaky(ws, fws):
        if ws.title == "坏表":
            raise ValueError("simulated damage")
        return real(ws, fws)

    monkeypatch.setattr(excel, "_xlsx_sheet", flaky)
    wb, report = read_one(path)
    _only(report, "sheet_unreadable")
    assert report.findings[0].sheet == "坏表"
    assert "simulated damage" in report.findings[0].message_en
    assert [s.name for s in wb.sheets] == ["好表"]


def test_unexpected_failure_becomes_a_finding(tmp_path, read_one, monkeypatch):
    from analysis.clean import readers

    def boom(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setitem(readers.READERS, "csv", boom)
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", "utf-8")
    wb, report = read_one(path)
    assert wb is None
    _only(report, "file_corrupt")
