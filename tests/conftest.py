"""Shared fixture builders: small raw tables written into ``tmp_path`` (never into ``data/``)."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CITIES = ["银川市", "石嘴山市", "吴忠市", "固原市", "中卫市"]


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([["" if v is None else v for v in row] for row in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None) -> Path:
    """One worksheet per entry; ``merges`` maps a sheet name to ranges such as ``"C2:F2"``."""
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None and v != "":
                    ws.cell(row=r, column=c, value=v)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, list[list[object]]], merges: dict[str, list[tuple]] | None = None) -> Path:
    """Legacy XLS via xlwt; ``merges`` are (r0, r1, c0, c1) 0-based inclusive, value at top-left."""
    import xlwt

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        merged = {(m[0], m[2]): m for m in (merges or {}).get(name, [])}
        covered = set()
        for (r0, c0), (_, r1, _, c1) in merged.items():
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    covered.add((r, c))
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if (r, c) in merged:
                    m = merged[(r, c)]
                    ws.write_merge(m[0], m[1], m[2], m[3], v)
                elif (r, c) in covered or v is None or v == "":
                    continue
                else:
                    ws.write(r, c, v)
    wb.save(str(path))
    return path


def key_table(year: int | None = 2024, values: dict[str, list[object]] | None = None, total: list | None = None,
              title: str | None = None, notes: list[str] | None = None) -> list[list[object]]:
    """A one-level key-indicator table: 地区 | 立案（起） | 罚没款（万元） | 执法巡查（次）."""
    values = values or {
        "银川市": [50, 1200.5, 400],
        "石嘴山市": [30, 300, 200],
        "吴忠市": [40, 250.25, 300],
        "固原市": [20, 150, 100],
        "中卫市": [10, 100, 50],
    }
    rows: list[list[object]] = []
    if title is not None or year is not None:
        rows.append([title if title is not None else f"{year}年自然资源行政执法主要指标", None, None, None])
    rows.append(["地区", "立案（起）", "罚没款（万元）", "执法巡查（次）"])
    for name, vals in values.items():
        rows.append([name, *vals])
    if total is not None:
        rows.append(["合计", *total])
    for n in notes or []:
        rows.append([n, None, None, None])
    return rows


def clean_dir(raw: Path, **kw):
    from analysis.clean.pipeline import clean

    return clean(raw, **kw)


def codes_of(report) -> list[str]:
    return [f.code for f in report.findings]


def findings_with(report, code: str) -> list:
    return [f for f in report.findings if f.code == code]


def fact(facts, **where):
    """The single fact matching ``where`` (column=value pairs); fails the test otherwise."""
    sel = facts
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, f"expected one fact for {where}, got {len(sel)}"
    return sel.iloc[0]


def run_cli(raw: Path, out: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "analysis", "clean", "--raw", str(raw), "--out", str(out), "--quiet"],
        capture_output=True, text=True, env=env, timeout=120, cwd=str(ROOT),
    )


_CELL_RE = re.compile(r"^([A-Z]+)(\d+)$")
_RC_RE = re.compile(r"^R(\d+)C(\d+)$")


def _col_num(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def expand_cells(cell: str) -> list[str]:
    """``B7`` -> [B7]; ``A4:A6`` -> [A4, A5, A6]; ``R4C1:R6C1`` -> [R4C1, R5C1, R6C1]."""
    if ":" not in cell:
        return [cell] if cell else []
    a, b = cell.split(":", 1)
    from analysis.clean.readers import column_letter

    if _RC_RE.match(a) and _RC_RE.match(b):
        (r0, c0), (r1, c1) = (tuple(map(int, _RC_RE.match(x).groups())) for x in (a, b))
        return [f"R{r}C{c}" for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
    ma, mb = _CELL_RE.match(a), _CELL_RE.match(b)
    if ma and mb:
        c0, r0, c1, r1 = _col_num(ma.group(1)), int(ma.group(2)), _col_num(mb.group(1)), int(mb.group(2))
        return [f"{column_letter(c - 1)}{r}" for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
    return [cell]


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    d = tmp_path / "raw"
    d.mkdir()
    return d
