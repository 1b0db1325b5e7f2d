"""Conservation: every numeric-looking raw cell is either a fact or a quality finding. Nothing vanishes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import ROOT, expand_cells, key_table, write_csv, write_xls, write_xlsx

from analysis.clean.findings import QualityReport
from analysis.clean.pipeline import clean
from analysis.clean.readers import discover_files, read_workbook
from analysis.clean.values import looks_numeric


def numeric_cells(raw: Path) -> set[tuple[str, str, str]]:
    out: set[tuple[str, str, str]] = set()
    for path in discover_files(raw):
        wb = read_workbook(path, raw, QualityReport())
        if wb is None:
            continue
        for sh in wb.sheets:
            for r, row in enumerate(sh.values):
                for c, v in enumerate(row):
                    if v is not None and looks_numeric(v):
                        out.add((wb.rel_path, sh.name, sh.ref(r, c)))
    return out


def accounted_cells(raw: Path) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    facts, report, _ = clean(raw)
    fact_cells = set(zip(facts["source_file"], facts["source_sheet"], facts["source_cell"]))
    finding_cells = {
        (f.file, f.sheet, cell) for f in report.findings for cell in expand_cells(f.cell)
    }
    # A file-level finding (unreadable file) accounts for every cell of that file.
    return fact_cells, finding_cells


def assert_conserved(raw: Path) -> int:
    cells = numeric_cells(raw)
    facts, findings = accounted_cells(raw)
    missing = sorted(cells - facts - findings)
    assert missing == [], f"numeric cells neither fact nor finding: {missing[:20]}"
    return len(cells)


def _zoo(raw: Path) -> None:
    # Key table: title, index column, 合计, notes with numbers, blank/dash/approx/unit-in-cell/万.
    rows = [
        ["2024年主要指标（示例数据）", None, None, None, None],
        ["序号", "地区", "立案（起）", "罚没款（元）", "执法巡查"],
        [1, "银川市", "12起", "1.2万", "约300"],
        [2, "石嘴山市", "-", "", "300余"],
        [3, "吴忠市", "１，２３４", "无", "/"],
        [4, "固原市", "abc", "#DIV/0!", "2024-01-05"],
        [5, "中卫市", 7, 1000, 8],
        [None, "合计", 99, 5000, 1000],
        ["注：1. 本表数据截至2024年12月31日；2. 金额单位为元。", None, None, None, None],
    ]
    write_csv(raw / "2024" / "key.csv", rows, encoding="gb18030")
    # Unknown and ambiguous-looking rows, an unmapped column, a numbering row.
    rows = [
        ["地区", "立案", "无人机架次", "结案"],
        ["甲", 1, 2, 3],
        ["火星市", 5, 6, 7],
        ["银川市", 8, 9, 10],
        ["", 11, 12, 13],
    ]
    write_xlsx(raw / "2023" / "odd.xlsx", {"表": rows, "说明": [["说明"], ["1. 第1项"], ["2. 第2项"]]})
    # Year conflict: folder 2022, title 2021.
    write_csv(raw / "2022" / "conflict.csv", key_table(year=2021))
    # Data with no header.
    write_csv(raw / "2022" / "nohdr.csv", [["银川市", 1, 2], ["石嘴山市", 3, 4]])
    # Header with two indicators and a duplicated indicator.
    write_csv(raw / "2021" / "dups.csv", [["地区", "立案及结案数", "立案", "立案数量"], ["银川市", 1, 2, 3]])
    # Legacy XLS and an XLSX with a real date cell.
    write_xls(raw / "2020" / "old.xls", {"S": [["地区", "立案", "罚没款（万元）"], ["银川市", 4, 5.5], ["石嘴山市", 6, 7]]})
    write_xlsx(raw / "2020" / "date.xlsx", {"S": [["地区", "立案"], ["吴忠市", dt.datetime(2020, 1, 1)], ["固原市", 2]]})
    # Duplicates across files (identical and conflicting).
    write_csv(raw / "2019" / "a.csv", [["地区", "立案"], ["银川市", 5], ["石嘴山市", 6]])
    write_csv(raw / "2019" / "b.csv", [["地区", "立案"], ["银川市", 5], ["石嘴山市", 7]])
    # A formula with no cached value (openpyxl writes the formula without a result).
    write_xlsx(raw / "2018" / "f.xlsx", {"S": [["地区", "立案"], ["银川市", "=1+1"], ["石嘴山市", 3]]})
    # Broken files.
    (raw / "2018" / "empty.csv").write_bytes(b"")
    (raw / "2018" / "bad.xlsx").write_bytes(b"PK\x03\x04garbage")


def test_conservation_on_quirk_zoo(raw):
    _zoo(raw)
    n = assert_conserved(raw)
    assert n > 60  # the zoo really holds many numeric cells


def test_conservation_on_layout_fixtures(raw):
    write_csv(raw / "2024" / "k.csv", key_table(total=[150, 2000.75, 1050], notes=["注：1. 说明"]))
    rows = [
        ["2023年各市执法情况", None, None, None, None, None, None, None],
        ["单位：万元", None, None, None, None, None, None, None],
        ["地区", "执法情况", None, None, "案卷评查", None, None, None],
        [None, "立案", "结案", "罚没款", "评查数", "优秀", "合格", "不合格"],
        ["银川市", 10, 9, 12.5, 4, 1, 2, 1],
        ["合计", 10, 9, 12.5, 4, 1, 2, 1],
    ]
    write_xlsx(raw / "m.xlsx", {"Sheet1": rows}, {"Sheet1": ["A1:H1", "A3:A4", "B3:D3", "E3:H3"]})
    assert_conserved(raw)


@pytest.mark.skipif(not (ROOT / "data" / "raw").is_dir() or not any((ROOT / "data" / "raw").iterdir()),
                    reason="no data/raw")
def test_conservation_on_bundled_raw_folder():
    assert_conserved(ROOT / "data" / "raw")
