"""PDF files with a text layer, via pdfplumber (pdfminer.six), from bytes.

- **Tables** drawn with ruling lines are found by pdfplumber's table finder (lines strategy). A cell
  drawn over several grid cells is laid out on the grid from the cells' boxes and recorded as a merged
  range, like an Excel merge. Sheets are ``表1``, ``表2``... in page order (the page is in the sheet name:
  ``表1（第2页）``); cells are ``R7C2``.
- **Text** outside the tables: each page's lines, rejoined where a sentence was wrapped, become
  Paragraphs ``page 2 P1``, ``page 2 P2``...; the short lines just above a table are its title lines, and
  the first line of the document (its title) heads every table's titles.
- **Bad input**: no page has a text character -> ``pdf_no_text`` (a scan; OCR is out of scope);
  a password-protected PDF -> ``pdf_encrypted``; anything pdfminer cannot parse -> ``file_corrupt``.
  pdfminer's warnings about odd fonts go to a silent logger, never to the terminal.
"""

from __future__ import annotations

import io
import logging

from analysis.clean.findings import QualityReport
from analysis.clean.readers.model import Paragraph, Workbook, err_text, grid_sheet
from analysis.clean.readers.registry import register
from analysis.clean.readers.tables import finish_document, title_lines
from analysis.clean.readers.text import paragraphs_from_lines

MAX_PAGES = 500
for _name in ("pdfminer", "pdfplumber"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def _edges(values: list[float], tol: float = 1.5) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _index(edges: list[float], v: float, tol: float = 1.5) -> int:
    for i, e in enumerate(edges):
        if abs(e - v) <= tol:
            return i
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def _table_grid(page, table) -> tuple[list[list[str | None]], list[tuple[int, int, int, int]]]:
    """Grid texts and merged ranges from the cell boxes of one pdfplumber table."""
    boxes = list(table.cells)
    xs = _edges([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _edges([b[1] for b in boxes] + [b[3] for b in boxes])
    n_rows, n_cols = max(1, len(ys) - 1), max(1, len(xs) - 1)
    grid: list[list[str | None]] = [[None] * n_cols for _ in range(n_rows)]
    merged: list[tuple[int, int, int, int]] = []
    for x0, top, x1, bottom in boxes:
        c0, c1 = _index(xs, x0), _index(xs, x1) - 1
        r0, r1 = _index(ys, top), _index(ys, bottom) - 1
        if c1 < c0 or r1 < r0:
            continue
        text = page.crop((x0, top, x1, bottom), strict=False).extract_text() or ""
        grid[r0][c0] = " ".join(text.split("\n")).strip() if "\n" in text else text.strip()
        if (r0, c0) != (r1, c1):
            merged.append((r0, c0, r1, c1))
    return grid, merged


def _outside(bboxes):
    def keep(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in bboxes)

    return keep


def _with_breaks(lines: list[tuple[float, float, float, str]], bboxes) -> list[str]:
    """Line texts with a blank line where a paragraph visibly ends: a table or a wide gap between lines,
    or a line that stops well short of the text's right margin (a wrapped line runs to the margin)."""
    gaps = sorted(b[0] - a[1] for a, b in zip(lines, lines[1:]))
    usual = gaps[len(gaps) // 2] if gaps else 0.0
    right = max((ln[2] for ln in lines), default=0.0)
    out: list[str] = []
    for i, (top, _bottom, _x1, text) in enumerate(lines):
        if i:
            _, prev_bottom, prev_x1, _ = lines[i - 1]
            table_between = any(prev_bottom <= b[1] and b[3] <= top for b in bboxes)
            short = prev_x1 < right - 24  # about two CJK characters short of the margin
            if table_between or short or top - prev_bottom > max(2.0, 1.8 * usual):
                out.append("")
        out.append(text)
    return out


def _is_password_error(exc: BaseException | None) -> bool:
    """pdfminer's PDFPasswordIncorrect, also when pdfplumber wraps it (PdfminerException)."""
    seen = 0
    while exc is not None and seen < 5:
        name = type(exc).__name__.lower()
        if "password" in name or "encrypt" in name or "password" in str(exc).lower():
            return True
        inner = [a for a in getattr(exc, "args", ()) if isinstance(a, BaseException)]
        exc = inner[0] if inner else (exc.__cause__ or exc.__context__)
        seen += 1
    return False


@register("pdf")
def read_pdf(data: bytes, wb: Workbook, report: QualityReport) -> Workbook | None:
    import pdfplumber

    # pdfplumber opens lazily: an encrypted or broken file may fail on open or only when a page is read.
    pdf = None
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        return _read_pages(pdf, wb, report)
    except Exception as exc:
        if _is_password_error(exc):
            report.add("pdf_encrypted", file=wb.rel_path)
        else:
            report.add("file_corrupt", file=wb.rel_path, error=err_text(exc))
        return None
    finally:
        if pdf is not None:
            pdf.close()


def _read_pages(pdf, wb: Workbook, report: QualityReport) -> Workbook | None:
    pages = pdf.pages
    if not pages:
        report.add("file_corrupt", file=wb.rel_path, error="the PDF has no pages")
        return None
    any_text = False
    doc_title = ""
    n_tables = 0
    for pno, page in enumerate(pages[:MAX_PAGES], start=1):
        if page.chars:
            any_text = True
        tables = sorted(page.find_tables(_TABLE_SETTINGS), key=lambda t: t.bbox[1]) if page.chars else []
        bboxes = [t.bbox for t in tables]
        rest = page.filter(_outside(bboxes)) if bboxes else page
        lines = [(ln["top"], ln["bottom"], ln["x1"], ln["text"]) for ln in rest.extract_text_lines()] if page.chars else []
        texts = paragraphs_from_lines(_with_breaks(lines, bboxes), blank_ends=True)
        wb.paragraphs.extend(Paragraph(f"page {pno} P{i}", t) for i, t in enumerate(texts, start=1))
        if not doc_title and lines:
            doc_title = lines[0][3].strip()
        for table in tables:
            above = [t.strip() for top, _, _, t in lines if top < table.bbox[1]]
            before = above if above[:1] != [doc_title] else above[1:]
            grid, merged = _table_grid(page, table)
            name = f"表{n_tables + 1}（第{pno}页）"
            sheet = grid_sheet(name, grid, merged, "pdf", title_lines(doc_title, before))
            if sheet.n_rows == 0:
                continue
            n_tables += 1
            wb.sheets.append(sheet)
    if not any_text:
        report.add("pdf_no_text", file=wb.rel_path, pages=len(pages))
        return None
    return finish_document(wb, report, "PDF")
