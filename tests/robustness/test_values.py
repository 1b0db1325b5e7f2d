"""Issue 6, "Bad values" and "Hostile content" at the reader/parser level.

The table layer turns these into findings (value_invalid and friends); here we prove the raw
layer classifies them exactly and never crashes: text in a numeric cell, a formula with no
cached value, Excel error values, dates where numbers belong, very long cells, control
characters, HTML/script markup, and formula injection in exported text.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from analysis.catalog.normalize import normalize_header, normalize_text
from analysis.clean.values import looks_numeric, parse_value
from analysis.safe_cells import neutralize_formula

from .conftest import xlsx_bytes


def _sheet(tmp_path, read_one, rows, name="values.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(rows))
    wb, report = read_one(path)
    assert wb is not None and report.codes() == []
    return wb.sheets[0]


def test_text_in_numeric_cell(tmp_path, read_one):
    sh = _sheet(tmp_path, read_one, [["地区", "立案"], ["银川市", "暂未统计完成"], ["吴忠市", "12件左右"]])
    raw = sh.values[1][1]
    pv = parse_value(raw)
    assert (pv.status, pv.reason) == ("invalid", "text")
    assert not looks_numeric(raw)  # no digit: still a finding at the table layer, not a fact
    ok = parse_value(sh.values[2][1])
    assert (ok.status, ok.value, ok.approx, ok.unit) == ("ok", 12.0, True, "件")


def test_formula_cell_without_cached_value(tmp_path, read_one):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["立案", "结案", "合计"])
    ws.append([1, 2, "=A2+B2"])  # openpyxl writes the formula with no cached value
    ws.append([3, 4, "=SUM(A3:B3)"])
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    book, report = read_one(path)
    assert report.codes() == []
    sh = book.sheets[0]
    assert sh.values[1] == [1, 2, None]
    assert sh.flags == {(1, 2): "formula_no_cache", (2, 2): "formula_no_cache"}
    assert sh.ref(1, 2) == "C2"
    assert looks_numeric(sh.values[1][0])
    # the formula text itself, should it reach the parser (e.g. from a CSV), is not a figure
    assert parse_value("=A2+B2").reason == "formula_no_cache"


def test_formula_only_in_trailing_cell_still_flagged(tmp_path, read_one):
    """A formula with no cache beyond the last value still extends the grid, so it is seen."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["立案"])
    ws.append([5])
    ws["D9"] = "=A2*2"
    path = tmp_path / "tail.xlsx"
    wb.save(path)
    book, _ = read_one(path)
    sh = book.sheets[0]
    assert sh.flags == {(8, 3): "formula_no_cache"}
    assert (sh.n_rows, sh.n_cols) == (9, 4)


@pytest.mark.parametrize("error", ["#DIV/0!", "#REF!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!"])
def test_excel_error_values(tmp_path, read_one, error):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["地区", "结案率"])
    ws.append(["银川市", error])  # openpyxl stores its ERROR_CODES as type 'e'
    path = tmp_path / "errors.xlsx"
    wb.save(path)
    assert openpyxl.load_workbook(path)["Sheet"]["B2"].data_type == "e"
    book, _ = read_one(path)
    sh = book.sheets[0]
    assert sh.values[1][1] == error
    assert sh.flags == {(1, 1): "excel_error"}
    assert parse_value(error).reason == "excel_error"
    assert looks_numeric(error) == any(ch.isdigit() for ch in error)


def test_excel_error_in_csv_text(tmp_path, read_one):
    path = tmp_path / "errors.csv"
    path.write_text("地区,结案率\n银川市,#DIV/0!\n吴忠市,#REF!\n", "utf-8")
    wb, _ = read_one(path)
    assert [parse_value(r[1]).reason for r in wb.sheets[0].values[1:]] == ["excel_error", "excel_error"]


def test_dates_where_numbers_belong(tmp_path, read_one):
    sh = _sheet(
        tmp_path,
        read_one,
        [
            ["地区", "立案"],
            ["银川市", dt.datetime(2024, 3, 1)],
            ["吴忠市", dt.date(2024, 1, 5)],
            ["固原市", "2024年1月5日"],
        ],
    )
    assert sh.flags == {(1, 1): "date", (2, 1): "date"}
    for r in (1, 2, 3):
        pv = parse_value(sh.values[r][1])
        assert (pv.status, pv.reason) == ("invalid", "date")
        assert looks_numeric(sh.values[r][1])


def test_very_long_cell_kept_whole(tmp_path, read_one):
    long = "超长说明" * 2000  # 8,000 characters
    sh = _sheet(tmp_path, read_one, [["地区", "说明"], ["银川市", long], ["吴忠市", "1" * 3000]])
    assert sh.values[1][1] == long
    assert parse_value(long).reason == "text"
    big = parse_value(sh.values[2][1])
    assert big.status == "invalid"  # a 3,000-digit "figure" is not taken
    assert looks_numeric(sh.values[2][1])
    assert normalize_text(long) == long


def test_control_characters_in_headers(tmp_path, read_one):
    header = "罚没\x00款\x07（万元）\x1b[31m"
    path = tmp_path / "controls.csv"
    path.write_text("地区\x0b,立案\u200b数量\x07（起）,罚没\x01款（万元）\n银川市,1,2\n", "utf-8")
    wb, report = read_one(path)
    assert report.codes() == []
    sh = wb.sheets[0]
    assert sh.values[0][1] == "立案\u200b数量\x07（起）"  # raw values stay raw
    assert normalize_header(sh.values[0][0]).name == "地区"
    assert normalize_header(sh.values[0][1]) == normalize_header("立案数量（起）")
    assert normalize_header(sh.values[0][2]).name == "罚没款"
    assert normalize_header(sh.values[0][2]).unit == "万元"
    assert normalize_header("罚没\x00款\x07（万元）").name == "罚没款"
    assert normalize_header("罚没\x00款\x07（万元）").unit == "万元"
    assert "\x1b" not in normalize_text(header)
    assert all(ch.isprintable() for ch in normalize_text(header))
    pv = parse_value("1\x002")
    assert pv.status == "invalid"  # a control character inside a number is not silently removed
    assert parse_value("\u200b12\ufeff").value == 12.0


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert('x')</script>",
        '<img src=x onerror="alert(1)">',
        "<b>12</b>",
        "银川市<br/>",
        "{{ 7*7 }}",
        "${7*7}",
    ],
)
def test_markup_survives_as_plain_text(tmp_path, read_one, markup):
    sh = _sheet(tmp_path, read_one, [["地区", "立案"], [markup, markup]], name="markup.xlsx")
    assert sh.values[1] == [markup, markup]
    pv = parse_value(markup)
    assert pv.status == "invalid"
    assert isinstance(normalize_text(markup), str)
    assert normalize_header(markup).name == normalize_text(markup)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("-2+3", "'-2+3"),  # decided: an expression is neutralised
        ("-3", "-3"),  # decided: a plain signed number is left alone
        ("+5", "+5"),
        (" =1+1", "' =1+1"),
        ("\t=1", "'\t=1"),
        ("\r\n@x", "'\r\n@x"),
        ("银川市自然资源局", "银川市自然资源局"),
        ("罚没款（万元）", "罚没款（万元）"),
        ("", ""),
    ],
)
def test_neutralize_formula(raw, expected):
    assert neutralize_formula(raw) == expected


def test_negative_and_fractional_counts_parse_ok():
    """The parser keeps them (status ok); the validator flags value_negative / value_fractional."""
    assert parse_value("-3").value == -3.0
    assert parse_value(-3).value == -3.0
    assert parse_value("2.5").value == 2.5
    assert parse_value("120%").value == 120.0 and parse_value("120%").is_percent
