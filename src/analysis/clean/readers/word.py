"""Word documents (``.docx``) via python-docx, from bytes.

- **Tables**: read from the document XML in body order. A horizontally merged cell (``w:gridSpan``) and a
  vertically merged region (``w:vMerge`` restart/continue) are laid out on the table grid and recorded as
  merged ranges, exactly as Excel merges, so a region cell merged over several rows labels every row and
  multi-level headers resolve. ``w:gridBefore`` (a row starting further right) is honoured. Text of a
  cell is its paragraphs joined by a line break (nested tables included). Sheets are ``表1``, ``表2``...;
  cells are ``R7C2``.
- **Titles**: the document's first paragraph (the title: year and agency), and the short paragraphs just
  above a table (``表1 2023年…情况``, ``单位：万元``) are the table's title lines.
- **Text**: every non-empty body paragraph outside the tables is a Paragraph ``P1``, ``P2``...

A legacy ``.doc``/``.wps`` never reaches this reader: :mod:`~analysis.clean.readers.registry` reports it as
``file_unsupported`` asking for .docx or PDF.
"""

from __future__ import annotations

import io

from analysis.clean.findings import QualityReport
from analysis.clean.readers.model import Workbook, err_text, grid_sheet
from analysis.clean.readers.registry import register
from analysis.clean.readers.tables import MAX_SPAN, finish_document, paragraphs_from, table_name, title_lines


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _para_text(p) -> str:
    from docx.text.paragraph import Paragraph as DocxParagraph

    try:
        return DocxParagraph(p, None).text
    except Exception:  # pragma: no cover - odd run content: fall back to the raw text nodes
        return "".join(t.text or "" for t in p.iter(_qn("w:t")))


def _int_attr(el, name: str, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(_qn(name)))
    except (TypeError, ValueError):
        return default


def _table_grid(tbl) -> tuple[list[list[str | None]], list[tuple[int, int, int, int]]]:
    """Grid texts and merged ranges of one ``w:tbl``."""
    origins: dict[tuple[int, int], list[int]] = {}  # (row, col) -> [r0, c0, r1, c1] of the cell covering it
    texts: dict[tuple[int, int], str] = {}
    cells: list[list[int]] = []
    n_rows = 0
    for r, tr in enumerate(tbl.iterchildren(_qn("w:tr"))):
        n_rows = r + 1
        trpr = tr.find(_qn("w:trPr"))
        c = _int_attr(trpr.find(_qn("w:gridBefore")) if trpr is not None else None, "w:val", 0)
        for tc in tr.iterchildren(_qn("w:tc")):
            tcpr = tc.find(_qn("w:tcPr"))
            span = max(1, min(MAX_SPAN, _int_attr(tcpr.find(_qn("w:gridSpan")) if tcpr is not None else None,
                                                  "w:val", 1)))
            vmerge = tcpr.find(_qn("w:vMerge")) if tcpr is not None else None
            continues = vmerge is not None and (vmerge.get(_qn("w:val")) or "continue") == "continue"
            above = origins.get((r - 1, c))
            if continues and above is not None:
                above[2] = r
                for cc in range(c, c + span):
                    origins[(r, cc)] = above
            else:
                box = [r, c, r, c + span - 1]
                cells.append(box)
                for cc in range(c, c + span):
                    origins[(r, cc)] = box
                texts[(r, c)] = "\n".join(t for t in (_para_text(p) for p in tc.iter(_qn("w:p"))) if t.strip())
            c += span
    n_cols = max((c for _, c in origins), default=-1) + 1
    grid: list[list[str | None]] = [[None] * n_cols for _ in range(n_rows)]
    for (r, c), t in texts.items():
        grid[r][c] = t
    merged = [(r0, c0, r1, c1) for r0, c0, r1, c1 in cells if (r0, c0) != (r1, c1)]
    return grid, merged


def _body_items(body):
    """Body children in order, descending into content controls (``w:sdt``)."""
    for child in body.iterchildren():
        if child.tag == _qn("w:sdt"):
            content = child.find(_qn("w:sdtContent"))
            if content is not None:
                yield from _body_items(content)
        else:
            yield child


@register("docx")
def read_docx(data: bytes, wb: Workbook, report: QualityReport) -> Workbook | None:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, KeyError (missing part), ValueError (not a Word file), XML errors
        report.add("file_corrupt", file=wb.rel_path, error=err_text(exc))
        return None
    texts: list[str] = []
    since_table: list[str] = []
    doc_title = ""
    n_tables = 0
    for item in _body_items(document.element.body):
        if item.tag == _qn("w:p"):
            t = _para_text(item).strip()
            if t:
                texts.append(t)
                since_table.append(t)
                doc_title = doc_title or t
        elif item.tag == _qn("w:tbl"):
            grid, merged = _table_grid(item)
            before = since_table if n_tables or since_table[:1] != [doc_title] else since_table[1:]
            sheet = grid_sheet(table_name(n_tables + 1), grid, merged, "docx", title_lines(doc_title, before))
            since_table = []
            if sheet.n_rows == 0:
                continue
            n_tables += 1
            wb.sheets.append(sheet)
    wb.paragraphs = paragraphs_from(texts)
    return finish_document(wb, report, "DOCX")
