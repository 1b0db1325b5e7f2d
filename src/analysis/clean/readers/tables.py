"""Shared by the web-page, Word and PDF readers: spans -> grid + merged ranges, table titles, checks.

A published table's cell may span rows and columns (``rowspan``/``colspan``, Word's ``gridSpan``/``vMerge``,
a PDF cell drawn over several grid cells). :func:`span_grid` lays such cells out on a rectangular grid:
the text goes in the top-left position and the span is recorded as a merged range ``(r0, c0, r1, c1)``,
exactly as an Excel merge, so layout detection forward-fills multi-level headers the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.clean.findings import QualityReport
from analysis.clean.readers.model import Paragraph, Sheet, Workbook

MAX_TITLE_LINES = 3
MAX_TITLE_CHARS = 120
MAX_SPAN = 1000  # a rowspan="100000" in a hostile page is clipped, not allocated
_FIGURE_RE = re.compile(r"[0-9０-９]")
_TABLE_WORD_RE = re.compile(r"(表|统计|情况|汇总|年度|年报|报告|(19|20)\d{2}\s*年|第.{1,8}[条项])")


@dataclass
class SpanCell:
    row: int  # index of the row the cell starts in
    text: str
    rowspan: int = 1
    colspan: int = 1


def span_grid(rows: list[list[SpanCell]]) -> tuple[list[list[str | None]], list[tuple[int, int, int, int]]]:
    """Lay out rows of spanning cells (HTML table algorithm): returns (grid, merged ranges)."""
    occupied: dict[tuple[int, int], bool] = {}
    placed: list[tuple[int, int, SpanCell]] = []
    n_rows = len(rows)
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while occupied.get((r, c)):
                c += 1
            rs = max(1, min(cell.rowspan, MAX_SPAN, n_rows - r))
            cs = max(1, min(cell.colspan, MAX_SPAN))
            for rr in range(r, r + rs):
                for cc in range(c, c + cs):
                    occupied[(rr, cc)] = True
            placed.append((r, c, SpanCell(r, cell.text, rs, cs)))
            c += cs
    n_cols = max((c for _, c in occupied), default=-1) + 1
    grid: list[list[str | None]] = [[None] * n_cols for _ in range(n_rows)]
    merged: list[tuple[int, int, int, int]] = []
    for r, c, cell in placed:
        grid[r][c] = cell.text
        if cell.rowspan > 1 or cell.colspan > 1:
            merged.append((r, c, r + cell.rowspan - 1, c + cell.colspan - 1))
    return grid, merged


def title_lines(document_title: str, before: list[str], caption: str = "") -> list[str]:
    """Title lines for a table, top-down: the document's title, then those of the three lines just above
    the table that read like a table title or a section heading (short, not a sentence), then its caption."""
    out: list[str] = []
    if document_title:
        out.append(document_title[:MAX_TITLE_CHARS])
    near = [t for t in before[-MAX_TITLE_LINES:]
            if t and len(t) <= MAX_TITLE_CHARS and not t.endswith(("。", "！", "？", "；", ".", "!", "?", ";"))]
    for t in near:
        if (_TABLE_WORD_RE.search(t) or len(t) <= 30) and t not in out:
            out.append(t)
    if caption and caption not in out:
        out.append(caption[:MAX_TITLE_CHARS])
    return out


def has_figures(text: str) -> bool:
    return bool(_FIGURE_RE.search(text))


def finish_document(wb: Workbook, report: QualityReport, label: str) -> Workbook | None:
    """Common ending for documents (web page, Word, PDF): decide what a file without tables means.

    No table but text with figures -> ``document_no_table`` (info: the narrative extractor reads the
    paragraphs). Neither a table nor a figure in the text -> ``document_no_figures`` (error) and ``None``.
    """
    if wb.sheets:
        return wb
    if any(has_figures(p.text) for p in wb.paragraphs):
        report.add("document_no_table", file=wb.rel_path, format=label)
        return wb
    report.add("document_no_figures", file=wb.rel_path, format=label)
    return None


def paragraphs_from(texts: list[str], prefix: str = "") -> list[Paragraph]:
    return [Paragraph(f"{prefix}P{i}", t) for i, t in enumerate(texts, start=1)]


def table_name(index: int) -> str:
    """Source-sheet name of the n-th table of a document (1-based): ``表1``."""
    return f"表{index}"


def sheet_has_cells(sheet: Sheet) -> bool:
    return sheet.n_rows > 0 and sheet.n_cols > 0
