"""Shared helpers for the document-reader tests: read one file, clean a folder, check conservation."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from analysis.clean.findings import QualityReport
from analysis.clean.pipeline import clean
from analysis.clean.readers import discover_files, read_workbook
from analysis.clean.values import looks_numeric


@pytest.fixture
def read_doc(capfd):
    """``read_doc(path) -> (workbook_or_None, report)``; raw bytes unchanged and nothing on stderr."""

    def _read(path: Path, root: Path | None = None):
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        report = QualityReport()
        wb = read_workbook(path, root or path.parent, report)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before
        err = capfd.readouterr().err
        assert err == "", err
        return wb, report

    return _read


def facts_by(facts, **where) -> dict[str, float]:
    """{indicator: value} of the facts matching ``where`` (column=value)."""
    sel = facts
    for k, v in where.items():
        sel = sel[sel[k] == v]
    return dict(zip(sel["indicator"], sel["value"]))


def assert_table_cells_conserved(raw: Path) -> int:
    """Every numeric-looking cell of every table grid read from ``raw`` is a fact or a finding."""
    cells = set()
    for path in discover_files(raw):
        wb = read_workbook(path, raw, QualityReport())
        for sh in (wb.sheets if wb else []):
            for r, row in enumerate(sh.values):
                for c, v in enumerate(row):
                    if v is not None and looks_numeric(v):
                        cells.add((wb.rel_path, sh.name, sh.ref(r, c)))
    facts, report, _ = clean(raw)
    got = set(zip(facts["source_file"], facts["source_sheet"], facts["source_cell"]))
    got |= {(f.file, f.sheet, f.cell) for f in report.findings}
    missing = sorted(cells - got)
    assert not missing, missing[:20]
    return len(cells)
