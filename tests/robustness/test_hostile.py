"""Issue 6, "Hostile content": very long cells, control characters, HTML/script markup, spreadsheet-formula
injection, and path-like sheet and file names, through the whole cleaning pipeline.

Each case has one builder (reused by ``test_nothing_lost.py`` for the conservation property), asserts
its exact finding codes, that a valid sibling table is still turned into facts, and that
``python -m analysis clean`` prints no traceback.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import clean_dir, fact, findings_with, key_table, write_csv, write_xlsx

from .test_exports_neutralised import assert_csv_neutralised, read_csv_rows
from .test_meaningless_tables import add_good_sibling, assert_cli_ok, assert_good_processed

EXCEL_CELL_LIMIT = 32_767  # characters; Excel cuts or splits longer cells of a CSV
LONG = 100_000


def write_csv_quoted(path: Path, rows: list[list[object]]) -> Path:
    """A CSV written with ``\\r\\n`` line ends, so cells holding CR or LF are quoted (as Excel does)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf).writerows([["" if v is None else v for v in row] for row in rows])
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def rename_sheets_in_xlsx(path: Path, names: dict[str, str]) -> None:
    """Give sheets names Excel and openpyxl refuse (``/``, ``\\``) by editing ``xl/workbook.xml``."""
    data = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename == "xl/workbook.xml":
                for old, new in names.items():
                    assert f'name="{old}"'.encode() in body
                    body = body.replace(f'name="{old}"'.encode(), f'name="{new}"'.encode())
            zout.writestr(info, body)
    path.write_bytes(out.getvalue())


# --------------------------------------------------------------------------- builders


def build_long_cells(raw: Path) -> None:
    long_label = "银川市" + "很长的说明" * (LONG // 5)
    long_header = "无人机" + "很长" * (LONG // 2)
    rows = [
        ["地区", "立案（起）", "执法巡查（次）", long_header],
        [long_label, 5, 6, 1],
        ["吴忠市", "1" * LONG, 7, 2],
        ["石嘴山市", "12" + "x" * LONG, 3, 3],
        ["x" * LONG + "固原市自然资源局", 4, 8, 4],  # resolves through its suffix: a 100,000-character agency
    ]
    # CSV: an XLSX cell holds at most 32,767 characters (openpyxl cuts longer text when writing).
    write_csv_quoted(raw / "2024" / "long.csv", rows)


def build_control_characters(raw: Path) -> None:
    rows = [
        ["地\x01区", "立案\x07（起）", "执法\x1b巡查（次）", "罚没款\x0e（万元）"],
        ["银川\x01市", "1\x022", "\x079", "3\x7f"],
        ["吴忠市\r\n", "\r5", "6\t", "\x0c7"],
        ["\x1b[31m石嘴山市", "8", "9", "10"],
    ]
    write_csv_quoted(raw / "2023" / "ctrl.csv", rows)


SCRIPT_AGENCY = "<script>alert(1)</script>银川市自然资源局"
IMG_LABEL = '<img src=x onerror="alert(1)">'


def build_markup(raw: Path) -> None:
    rows = [
        ["地区", "立案（起）", "<b>执法巡查</b>"],
        [SCRIPT_AGENCY, 5, 1],
        ["<b>吴忠市</b>", 6, 2],
        [IMG_LABEL, 7, 3],
        ["固原市", "<i>8</i>", 4],
    ]
    write_xlsx(raw / "2022" / "markup.xlsx", {"S": rows})


INJECTIONS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]


def build_formula_injection(raw: Path) -> None:
    rows = [
        ["地区", "立案（起）", "执法巡查（次）"],
        [INJECTIONS[0], 5, INJECTIONS[1]],
        [INJECTIONS[2], INJECTIONS[3], 7],
        ["=银川市自然资源局", INJECTIONS[2], 9],  # resolves via the agency suffix: agency text starts with '='
        ["吴忠市", 11, INJECTIONS[0]],
    ]
    write_csv_quoted(raw / "2021" / "inject.csv", rows)


PATH_SHEETS = {"../../etc": 2022, "a/b": 2021, "..\\x": 2019}


def build_path_like_sheet_names_xlsx(raw: Path) -> None:
    path = raw / "sheets.xlsx"  # at the root: the year comes from each sheet's title
    placeholders = {f"S{i}": name for i, name in enumerate(PATH_SHEETS)}
    write_xlsx(path, {ph: key_table(year=PATH_SHEETS[name]) for ph, name in placeholders.items()})
    rename_sheets_in_xlsx(path, placeholders)


def build_path_like_sheet_names_xls(raw: Path) -> None:
    import xlwt

    path = raw / "sheets.xls"
    path.parent.mkdir(parents=True, exist_ok=True)
    real = xlwt.Utils.valid_sheet_name
    xlwt.Utils.valid_sheet_name = lambda name: True  # xlwt refuses '/' and '\\' in sheet names, Excel too
    try:
        book = xlwt.Workbook(encoding="utf-8")
        for name, year in PATH_SHEETS.items():
            sh = book.add_sheet(name)
            for r, row in enumerate(key_table(year=year)):
                for c, v in enumerate(row):
                    if v is not None:
                        sh.write(r, c, v)
        book.save(str(path))
    finally:
        xlwt.Utils.valid_sheet_name = real


PATH_FILES = ["..%2f..%2fevil.csv", "宁夏 执法 统计 ①.csv", "子 目录/x..\\..\\y 表.xlsx", "-rf =cmd.csv"]


def build_path_like_file_names(raw: Path) -> None:
    write_csv(raw / "2019" / PATH_FILES[0], key_table(year=2019, values={"银川市": [1, 2, 3]}))
    write_csv(raw / "2019" / PATH_FILES[1], key_table(year=2019, values={"吴忠市": [4, 5, 6]}))
    write_xlsx(raw / "2019" / PATH_FILES[2], {"..": key_table(year=2019, values={"固原市": [7, 8, 9]})})
    write_csv(raw / PATH_FILES[3], key_table(year=2019, values={"中卫市": [10, 11, 12]}))


BUILDERS = {
    "long_cells": build_long_cells,
    "control_characters": build_control_characters,
    "markup": build_markup,
    "formula_injection": build_formula_injection,
    "path_like_sheet_names_xlsx": build_path_like_sheet_names_xlsx,
    "path_like_sheet_names_xls": build_path_like_sheet_names_xls,
    "path_like_file_names": build_path_like_file_names,
}


def _codes_at(report, file: str) -> list[tuple[str, str]]:
    return sorted((f.code, f.cell) for f in report.findings if f.file == file)


def _snapshot(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


# --------------------------------------------------------------------------- tests


def test_very_long_cells(raw, tmp_path):
    add_good_sibling(raw)
    build_long_cells(raw)
    facts, report, _ = clean_dir(raw)
    assert _codes_at(report, "2024/long.csv") == [
        ("figure_not_used", "R2C2"),
        ("figure_not_used", "R2C3"),
        ("figure_not_used", "R2C4"),
        ("figure_not_used", "R3C4"),
        ("figure_not_used", "R4C4"),
        ("figure_not_used", "R5C4"),
        ("header_unmapped", "R1C4"),
        ("region_unknown", "R2C1"),
        ("value_invalid", "R3C2"),
        ("value_invalid", "R4C2"),
    ]
    for f in report.findings:
        assert len(f.message_zh) < 1000 and len(f.message_en) < 1000, (f.code, f.cell)
    for f in findings_with(report, "value_invalid"):
        assert len(f.raw_value) <= 201  # the raw text is kept, clipped, in the report
    assert fact(facts, year=2024, region_name="吴忠市", indicator="patrols")["value"] == 7
    assert fact(facts, year=2024, region_name="石嘴山市", indicator="patrols")["value"] == 3
    agency = fact(facts, year=2024, region_name="固原市", indicator="patrols")["agency"]
    assert len(agency) == LONG + 8  # the tidy data keeps the label whole
    assert_good_processed(facts)
    out = tmp_path / "out"
    assert_cli_ok(raw, out, expect_error=True)
    for name in ("facts.csv", "quality.csv"):
        for row in read_csv_rows(out / name):
            assert all(len(cell) <= EXCEL_CELL_LIMIT for cell in row), (name, max(map(len, row)))
    quality = read_csv_rows(out / "quality.csv")
    unknown = [r for r in quality if r[1] == "region_unknown"]
    assert len(unknown) == 1 and "银川市很长的说明" in unknown[0][6]  # the message still quotes the label's start
    agency_csv = [r[4] for r in read_csv_rows(out / "facts.csv") if r[2] == "固原市"]
    assert agency_csv and all(a.startswith("xxxx") and a.endswith("…") for a in agency_csv)  # cut for Excel
    parquet = pd.read_parquet(out / "facts.parquet")
    assert len(parquet[parquet["region_name"] == "固原市"]["agency"].iloc[0]) == LONG + 8


def test_control_characters_in_headers_labels_and_values(raw, tmp_path):
    add_good_sibling(raw)
    build_control_characters(raw)
    facts, report, _ = clean_dir(raw)
    assert _codes_at(report, "2023/ctrl.csv") == [
        ("figure_not_used", "R4C2"),
        ("figure_not_used", "R4C3"),
        ("figure_not_used", "R4C4"),
        ("region_unknown", "R4C1"),  # ESC is dropped, but '[31m石嘴山市' is no region
        ("value_invalid", "R2C2"),  # a control character inside a number is not silently removed
    ]
    # the control character is shown as a visible escape in the quality report
    assert findings_with(report, "value_invalid")[0].raw_value == "1\\x022"
    mine = facts[facts["source_file"] == "2023/ctrl.csv"]
    got = {(r.region_name, r.indicator): r.value for r in mine.itertuples()}
    assert got == {
        ("银川市", "patrols"): 9, ("银川市", "fines_collected"): 3,
        ("吴忠市", "cases_filed"): 5, ("吴忠市", "patrols"): 6, ("吴忠市", "fines_collected"): 7,
    }
    assert_good_processed(facts)
    out = tmp_path / "out"
    assert_cli_ok(raw, out, expect_error=True)
    header = read_csv_rows(out / "quality.csv")[0]
    # CR/LF inside cells did not split rows
    assert all(len(row) == len(header) for row in read_csv_rows(out / "quality.csv"))


def test_html_and_script_markup_is_plain_text(raw, tmp_path):
    add_good_sibling(raw)
    build_markup(raw)
    facts, report, _ = clean_dir(raw)
    assert _codes_at(report, "2022/markup.xlsx") == [
        ("figure_not_used", "B3"),
        ("figure_not_used", "B4"),
        ("figure_not_used", "C2"),  # the column under the <b> header is reported, not guessed
        ("figure_not_used", "C3"),
        ("figure_not_used", "C4"),
        ("figure_not_used", "C5"),
        ("header_unmapped", "C1"),
        ("number_outside_table", "A2"),  # the '1' of alert(1) in the label cell
        ("region_unknown", "A3"),
        ("region_unknown", "A4"),
        ("value_invalid", "B5"),
    ]
    assert findings_with(report, "header_unmapped")[0].raw_value == "<b>执法巡查</b>"
    unknown = {f.raw_value for f in findings_with(report, "region_unknown")}
    assert unknown == {"<b>吴忠市</b>", IMG_LABEL}
    # the agency label with a script tag resolves through its suffix and is kept verbatim, as data
    f = fact(facts, year=2022, indicator="cases_filed")
    assert (f["region_name"], f["agency"], f["value"]) == ("银川市", SCRIPT_AGENCY, 5)
    assert len(facts[facts["year"] == 2022]) == 1
    assert_good_processed(facts)
    out = tmp_path / "out"
    assert_cli_ok(raw, out, expect_error=True)
    rows = read_csv_rows(out / "facts.csv")
    header = rows[0]
    assert all(len(r) == len(header) for r in rows)
    assert SCRIPT_AGENCY in [r[header.index("agency")] for r in rows]  # not escaped, not executed, not split
    assert not (tmp_path / "alert").exists()


def test_formula_injection_in_raw_text_cells(raw, tmp_path):
    add_good_sibling(raw)
    build_formula_injection(raw)
    facts, report, _ = clean_dir(raw)
    assert _codes_at(report, "2021/inject.csv") == [
        ("figure_not_used", "R2C2"),
        ("figure_not_used", "R3C3"),
        ("region_unknown", "R2C1"),
        ("region_unknown", "R3C1"),
        ("value_invalid", "R2C3"),
        ("value_invalid", "R3C2"),
        ("value_invalid", "R4C2"),
        ("value_invalid", "R5C3"),
    ]
    assert {f.raw_value for f in findings_with(report, "value_invalid")} == {
        INJECTIONS[1], INJECTIONS[3], INJECTIONS[2], INJECTIONS[0],
    }
    f = fact(facts, year=2021, region_name="银川市", indicator="patrols")
    assert (f["agency"], f["value"]) == ("=银川市自然资源局", 9)  # the tidy data keeps the text as written
    assert fact(facts, year=2021, region_name="吴忠市", indicator="cases_filed")["value"] == 11
    assert_good_processed(facts)
    out = tmp_path / "out"
    assert_cli_ok(raw, out, expect_error=True)
    seen = assert_csv_neutralised(out / "quality.csv") | assert_csv_neutralised(out / "facts.csv")
    for payload in [*INJECTIONS, "=银川市自然资源局"]:
        assert "'" + payload in seen, payload


def test_path_like_sheet_names_in_xlsx(raw, tmp_path):
    add_good_sibling(raw)
    build_path_like_sheet_names_xlsx(raw)
    _assert_path_like_sheets(raw, tmp_path, "sheets.xlsx")


def test_path_like_sheet_names_in_xls(raw, tmp_path):
    add_good_sibling(raw)
    build_path_like_sheet_names_xls(raw)
    _assert_path_like_sheets(raw, tmp_path, "sheets.xls")


def _assert_path_like_sheets(raw: Path, tmp_path: Path, name: str) -> None:
    facts, report, _ = clean_dir(raw)
    mine = [f for f in report.findings if f.file == name]
    expected = sorted(("number_outside_table", s) for s in PATH_SHEETS)
    assert sorted({(f.code, f.sheet) for f in mine}) == expected
    assert not report.has_errors
    for sheet, year in PATH_SHEETS.items():
        got = facts[(facts["source_file"] == name) & (facts["source_sheet"] == sheet)]
        assert len(got) == 15 and set(got["year"]) == {year}, sheet
    assert_good_processed(facts)
    out = tmp_path / "work" / "out"
    before = _snapshot(tmp_path)
    assert_cli_ok(raw, out, expect_error=False)
    created = _snapshot(tmp_path) - before
    assert created and all(p == "work" or p.startswith("work/out") for p in created), created
    assert sorted(p.name for p in out.iterdir()) == ["facts.csv", "facts.parquet", "meta.json", "quality.csv"]
    sheets = {r[10] for r in read_csv_rows(out / "facts.csv")[1:]}
    assert set(PATH_SHEETS) <= sheets


def test_path_like_file_names(raw, tmp_path):
    add_good_sibling(raw)
    build_path_like_file_names(raw)
    facts, report, _ = clean_dir(raw)
    expected = {
        "2019/..%2f..%2fevil.csv": "银川市",
        "2019/宁夏 执法 统计 ①.csv": "吴忠市",
        "2019/子 目录/x..\\..\\y 表.xlsx": "固原市",
        "-rf =cmd.csv": "中卫市",
    }
    hidden = findings_with(report, "file_hidden")
    assert [(f.severity, f.file) for f in hidden] == [("error", "2019/..%2f..%2fevil.csv")]
    for file, region in expected.items():
        got = facts[facts["source_file"] == file]
        if file == "2019/..%2f..%2fevil.csv":
            assert got.empty  # a hidden file is reported, not read
            continue
        assert set(got["region_name"]) == {region} and len(got) == 3, file
    assert fact(facts, source_file="2019/子 目录/x..\\..\\y 表.xlsx", indicator="patrols")["source_sheet"] == ".."
    assert_good_processed(facts)
    work = tmp_path / "work"
    out = work / "out"
    before = _snapshot(tmp_path)
    assert_cli_ok(raw, out, expect_error=True)
    created = _snapshot(tmp_path) - before
    assert all(p == "work" or p.startswith("work/out") for p in created), created
    assert sorted(p.name for p in out.iterdir()) == ["facts.csv", "facts.parquet", "meta.json", "quality.csv"]
    files = {r[9] for r in read_csv_rows(out / "facts.csv")[1:]}
    assert "'-rf =cmd.csv" in files  # a file name is text, neutralised in the CSV like any other
    assert pd.read_parquet(out / "facts.parquet")["source_file"].isin(["-rf =cmd.csv"]).any()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file names")
def test_out_dir_with_spaces_and_unicode(raw, tmp_path):
    add_good_sibling(raw)
    out = tmp_path / "输出 目录 ①"
    assert_cli_ok(raw, out, expect_error=False)
    facts = pd.read_parquet(out / "facts.parquet")
    assert fact(facts, year=2020, region_name="银川市", indicator="patrols")["value"] == 400
