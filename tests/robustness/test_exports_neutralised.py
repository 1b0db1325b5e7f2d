"""Issue 6, spreadsheet-formula injection: every text cell of the files ``enforcement clean`` exports
(``facts.csv`` and ``quality.csv``) that a spreadsheet would run as a formula is neutralised with a
leading apostrophe, unless it is a plain number.

The cleaner exports no XLSX (checked below); the tables XLSX/Word exporters are tested with the
presentation layer. ``facts.parquet`` is data, not a spreadsheet: it keeps every text exactly as
written so a figure can be traced back to its raw cell.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import pandas as pd
from conftest import clean_dir, fact, findings_with, run_cli, write_csv

from analysis.clean.findings import visible_text

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
# Written independently of analysis.safe_cells on purpose: 12, -3, +5, -1,234.5, .5, -12%, 1e-05, -1.5E+03.
PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?%?$")
DASHES_ONLY = re.compile(r"^-+$")  # the missing-value mark '-' as written in the raw cell: no formula


def read_csv_rows(path: Path) -> list[list[str]]:
    """Read an exported CSV back with the csv module, as a spreadsheet import would."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def is_dangerous(cell: str) -> bool:
    if cell.startswith(DANGEROUS_FIRST):
        return True
    stripped = cell.lstrip(" \n\u3000\u00a0")
    return bool(stripped) and stripped[0] in "=+-@"


def is_harmless_number(cell: str) -> bool:
    core = cell.strip(" ")  # a leading TAB or CR is never harmless
    if DASHES_ONLY.match(core):
        return True
    return bool(PLAIN_NUMBER.match(core)) and any(ch.isdigit() for ch in core)


def assert_csv_neutralised(path: Path) -> set[str]:
    """Every cell a spreadsheet would run as a formula is neutralised; rows keep their width.
    Returns the set of all cells (for membership checks by the caller)."""
    rows = read_csv_rows(path)
    assert rows, f"{path.name} is empty"
    width = len(rows[0])
    bad: list[tuple[int, int, str]] = []
    cells: set[str] = set()
    for i, row in enumerate(rows):
        assert len(row) == width, f"{path.name} row {i + 1} has {len(row)} cells, header has {width}"
        for j, cell in enumerate(row):
            cells.add(cell)
            if is_dangerous(cell) and not is_harmless_number(cell):
                bad.append((i + 1, j + 1, cell[:60]))
    assert bad == [], f"{path.name}: cells a spreadsheet would run as formulas: {bad[:10]}"
    return cells


def write_xlsx_text(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """Like ``write_xlsx`` but text starting with '=' is stored as text (Excel: typed with a leading
    apostrophe), not as a formula."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                cell = ws.cell(row=r, column=c, value=v)
                if isinstance(v, str):
                    cell.data_type = "s"
    wb.save(path)
    return path


# --------------------------------------------------------------------------- fixture


PAYLOADS = {
    "hyperlink": '=HYPERLINK("http://x","y")',
    "cmd": "+cmd|' /C calc'!A0",
    "sum": "@SUM(1+1)",
    "minus": "-2+3",
    "tab": "\t=1+1",
    "cr": "\r@SUM(1)",
    "space": " =1+1",
}


def build_injection_everywhere(raw: Path) -> None:
    """Formula payloads in row labels, resolvable agency labels, headers, values, sheet and file names."""
    rows = [
        ["地区", "立案（起）", "执法巡查（次）", "=无人机架次"],
        [PAYLOADS["hyperlink"], 5, PAYLOADS["cmd"], 1],
        [PAYLOADS["sum"], PAYLOADS["minus"], 7, 2],
        ["=银川市自然资源局", PAYLOADS["tab"], 11, 3],
        ["+吴忠市自然资源局", PAYLOADS["cr"], 12, 4],
        ["@固原市自然资源局", PAYLOADS["space"], 13, 5],
        ["-中卫市自然资源局", "-", 8, 6],
        [PAYLOADS["tab"], 9, 10, 7],
    ]
    write_xlsx_text(raw / "2024" / "inject.xlsx", {"=SUM(A1)": rows})
    write_csv(raw / "2024" / "@evil.csv", [["地区", "立案（起）"], ["石嘴山市", 21]])
    write_csv(raw / "=HYPERLINK(1) 2023.csv", [["地区", "立案（起）"], ["石嘴山市", 22]])
    write_csv(raw / "+cmd 2022.csv", [["地区", "立案（起）"], ["石嘴山市", "-3"]])  # a negative count
    write_csv(raw / "-x 2021.csv", [["地区", "罚没款（万元）"], ["石嘴山市", -5.5]])  # money may be negative


BUILDERS = {"injection_everywhere": build_injection_everywhere}


def _run(raw: Path, out: Path):
    res = run_cli(raw, out)
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode == 1, res.stderr  # unknown rows and invalid values are errors
    return res


# --------------------------------------------------------------------------- tests


def test_every_exported_csv_cell_is_neutralised(raw, tmp_path):
    build_injection_everywhere(raw)
    out = tmp_path / "out"
    _run(raw, out)
    quality = assert_csv_neutralised(out / "quality.csv")
    facts = assert_csv_neutralised(out / "facts.csv")
    # the payloads are there, neutralised (not dropped); in raw_value, control characters such as a
    # leading TAB or CR are shown as visible escapes (\x09, \x0d), which also defuses the formula
    for text in (PAYLOADS["hyperlink"], PAYLOADS["cmd"], PAYLOADS["sum"], PAYLOADS["minus"], PAYLOADS["tab"],
                 PAYLOADS["cr"], PAYLOADS["space"], "=无人机架次", "=SUM(A1)", "+cmd 2022.csv"):
        escaped = visible_text(text)
        assert "'" + text in quality or (escaped != text and escaped in quality), text
    for text in ("=银川市自然资源局", "+吴忠市自然资源局", "@固原市自然资源局", "-中卫市自然资源局", "=SUM(A1)",
                 "=HYPERLINK(1) 2023.csv", "-x 2021.csv"):
        assert "'" + text in facts, text
    assert "2024/@evil.csv" in facts  # a cell that does not start with a formula character is left alone


def test_plain_numbers_are_not_altered(raw, tmp_path):
    build_injection_everywhere(raw)
    out = tmp_path / "out"
    _run(raw, out)
    q = read_csv_rows(out / "quality.csv")
    qh = q[0]
    negative = [r for r in q[1:] if r[qh.index("code")] == "value_negative"]
    assert [r[qh.index("raw_value")] for r in negative] == ["-3"]
    missing = [r for r in q[1:] if r[qh.index("code")] == "missing_value"]
    assert [r[qh.index("raw_value")] for r in missing] == ["-"]
    f = read_csv_rows(out / "facts.csv")
    fh = f[0]
    money = [r for r in f[1:] if r[fh.index("indicator")] == "fines_collected"]
    assert [r[fh.index("value")] for r in money] == ["-5.5"]


def test_parquet_keeps_text_exactly_and_matches_csv(raw, tmp_path):
    build_injection_everywhere(raw)
    out = tmp_path / "out"
    _run(raw, out)
    facts, report, _ = clean_dir(raw)
    parquet = pd.read_parquet(out / "facts.parquet")
    assert set(parquet["agency"]) >= {"=银川市自然资源局", "+吴忠市自然资源局", "@固原市自然资源局", "-中卫市自然资源局"}
    assert "=SUM(A1)" in set(parquet["source_sheet"])
    assert fact(parquet, source_file="=HYPERLINK(1) 2023.csv")["value"] == 22
    # the CSV is the parquet with text neutralised: same rows, same order
    rows = read_csv_rows(out / "facts.csv")
    assert len(rows) - 1 == len(parquet) == len(facts)
    agency_col = rows[0].index("agency")
    for row, agency in zip(rows[1:], parquet["agency"]):
        assert row[agency_col] in (agency, "'" + agency)
    # quality.csv has one row per finding, in order, with the raw value neutralised
    q = read_csv_rows(out / "quality.csv")
    assert [r[1] for r in q[1:]] == [f.code for f in report.findings]
    raw_col = q[0].index("raw_value")
    for row, finding in zip(q[1:], report.findings):
        assert row[raw_col] in (finding.raw_value, "'" + finding.raw_value)
    hyper = [f for f in findings_with(report, "region_unknown") if f.raw_value == PAYLOADS["hyperlink"]]
    assert len(hyper) == 1 and hyper[0].sheet == "=SUM(A1)" and hyper[0].cell == "A2"


def test_opening_the_exports_in_a_spreadsheet_runs_no_formula(raw, tmp_path):
    """openpyxl stores any string starting with '=' as a formula: import the CSVs as a spreadsheet would."""
    build_injection_everywhere(raw)
    out = tmp_path / "out"
    _run(raw, out)
    for name in ("facts.csv", "quality.csv"):
        wb = openpyxl.Workbook()
        ws = wb.active
        for row in read_csv_rows(out / name):
            ws.append(row)
        path = tmp_path / f"{name}.xlsx"
        wb.save(path)
        cells = [c for row in openpyxl.load_workbook(path).active.iter_rows() for c in row]
        assert cells and not [c.coordinate for c in cells if c.data_type == "f"], name


def test_the_cleaner_exports_no_spreadsheet_other_than_the_csvs(raw, tmp_path):
    build_injection_everywhere(raw)
    out = tmp_path / "out"
    _run(raw, out)
    assert sorted(p.name for p in out.iterdir()) == ["facts.csv", "facts.parquet", "meta.json", "quality.csv"]


def test_neutraliser_decisions(tmp_path):
    """The checker itself: it flags what a spreadsheet runs and lets numbers through."""
    for cell in ['=HYPERLINK("x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t1", "\r1", " =1"]:
        assert is_dangerous(cell) and not is_harmless_number(cell), cell
    for cell in ["-3", "+5", "-1,234.5", "-.5", "-12%", "-1e-05", "-", "--"]:
        assert is_harmless_number(cell), cell
    for cell in ["'=1+1", "银川市", "'-2+3", "2024/@evil.csv"]:
        assert not is_dangerous(cell), cell
    path = tmp_path / "x.csv"
    path.write_text('a,b\n1,"=1+1"\n', "utf-8")
    try:
        assert_csv_neutralised(path)
    except AssertionError as err:
        assert "=1+1" in str(err)
    else:
        raise AssertionError("the checker missed an unneutralised formula")
