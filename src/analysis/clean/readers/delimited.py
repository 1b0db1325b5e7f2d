"""CSV (and TSV, and ``.txt`` tables): decoded by :func:`analysis.clean.readers.encoding.decode_text`.

``gb18030`` and ``utf_16`` add an ``encoding_detected`` info finding; UTF-8 with or without BOM adds none.
Delimiter: comma, tab or semicolon, chosen as the one giving the most consistent multi-column rows in
the first 50 records; quoted fields via :mod:`csv`. Ragged rows are padded. Blank fields become ``None``;
every other field stays the raw string. Cell refs are ``R7C2`` (1-based record and field number).
"""

from __future__ import annotations

import contextlib
import csv
import io

from analysis.clean.findings import QualityReport
from analysis.clean.readers.encoding import decode_text
from analysis.clean.readers.model import Workbook, build_sheet, err_text
from analysis.clean.readers.registry import register
from analysis.clean.readers.sniff import delimiter_score

# Some raw cells are large (pasted notes); allow long CSV fields instead of failing the file.
with contextlib.suppress(OverflowError):  # pragma: no cover - platform dependent
    csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))


def sniff_delimiter(text: str) -> str:
    return delimiter_score(text)[0]


@register("csv")
def read_csv(data: bytes, wb: Workbook, report: QualityReport) -> Workbook | None:
    text, encoding, guess = decode_text(data)
    if text is None:
        report.add("encoding_undetected", file=wb.rel_path, guess=guess or "unknown")
        return None
    wb.encoding = encoding
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        report.add("file_empty", file=wb.rel_path)
        return None
    if encoding not in ("utf_8", "utf_8_sig"):
        report.add("encoding_detected", file=wb.rel_path, encoding=encoding)
    delim = sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        report.add("sheet_unreadable", file=wb.rel_path, sheet=wb.path.stem, error=err_text(exc))
        return None
    cells = ((r, c, (v if v != "" else None)) for r, row in enumerate(rows) for c, v in enumerate(row))
    sheet = build_sheet(wb.path.stem, cells, {}, [], "csv", False)
    if sheet.n_rows == 0:
        report.add("file_empty", file=wb.rel_path)
        return None
    wb.sheets.append(sheet)
    return wb
