"""Fixture builders for broken and hostile raw files (issue 6).

Every builder writes into pytest's ``tmp_path`` and returns the path. ``read_one`` reads a
file with :func:`analysis.clean.readers.read_workbook` and checks the two invariants every
robustness test shares: the raw bytes are unchanged (sha256 before/after) and nothing was
printed to stderr (no traceback).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import openpyxl
import pytest

from analysis.clean.findings import QualityReport
from analysis.clean.readers import Workbook, read_workbook


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def xlsx_bytes(rows: list[list[object]], title: str = "Sheet1") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def encrypted_xlsx_bytes(rows: list[list[object]], password: str = "secret") -> bytes:
    """A real password-protected XLSX (ECMA-376 agile encryption) made with msoffcrypto-tool."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(xlsx_bytes(rows))
    out = io.BytesIO()
    OOXMLFile(plain).encrypt(password, out)
    return out.getvalue()


# Bytes that are not valid UTF-8 (0x80/0xFF can never start a UTF-8 sequence) and not valid
# GB18030 (0x80 and 0xFF are never GB18030 lead bytes; 0x7F is never a trail byte), and
# carry no BOM.
UNDECODABLE_CSV = b"\x80\x80,\xff\xfe\xff\n\x81\x7f,\xff\x80\n"


@pytest.fixture
def read_one(capfd):
    """``read_one(path, root) -> (workbook_or_None, report)`` with the shared invariants checked."""

    def _read(path: Path, root: Path | None = None) -> tuple[Workbook | None, QualityReport]:
        root = root or path.parent
        before = sha256(path)
        report = QualityReport()
        wb = read_workbook(path, root, report)
        assert sha256(path) == before, "raw file bytes changed"
        err = capfd.readouterr().err
        assert "Traceback" not in err, err
        return wb, report

    return _read
