"""Fixture writers for the document readers: Word (python-docx), PDF (reportlab) and web pages.

Everything is written by the test suite into ``tmp_path``; no binary fixture is committed.
"""

from __future__ import annotations

from pathlib import Path


def write_docx(path: Path, before: list[str], tables: list[dict], after: list[str] = ()) -> Path:
    """A .docx with paragraphs ``before``, then tables, then paragraphs ``after``.

    A table is ``{"rows": [[...], ...], "merges": [(r0, c0, r1, c1), ...], "title": [...]}``: ``title``
    paragraphs go just above it; merges use python-docx ``cell.merge`` (gridSpan / vMerge in the XML).
    """
    import docx

    path.parent.mkdir(parents=True, exist_ok=True)
    doc = docx.Document()
    for t in before:
        doc.add_paragraph(t)
    for spec in tables:
        for t in spec.get("title", []):
            doc.add_paragraph(t)
        rows = spec["rows"]
        table = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is not None:
                    table.cell(r, c).text = str(v)
        for r0, c0, r1, c1 in spec.get("merges", []):
            keep = table.cell(r0, c0).text
            merged = table.cell(r0, c0).merge(table.cell(r1, c1))
            merged.text = keep
    for t in after:
        doc.add_paragraph(t)
    doc.save(path)
    return path


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from analysis.present.fonts import cjk_font_path

    name = "ReportCJK"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(cjk_font_path())))
    return name


def write_pdf(path: Path, pages: list[dict], encrypt_password: str | None = None) -> Path:
    """A PDF whose pages hold ``lines`` (text, top-down) and ``tables`` drawn with ruling lines.

    A table is ``{"rows": [[...]], "merges": [(r0, c0, r1, c1)], "col_w": 80, "row_h": 22}``; it is drawn
    below the page's lines. A merged cell is drawn as one box (no inner rules) with its text in it.
    ``pages=[{"lines": [], "tables": [], "image_only": True}]`` draws only a filled shape (no text layer).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs = {}
    if encrypt_password:
        from reportlab.lib.pdfencrypt import StandardEncryption

        kwargs["encrypt"] = StandardEncryption(encrypt_password, ownerPassword=encrypt_password + "-owner")
    cv = canvas.Canvas(str(path), pagesize=A4, **kwargs)
    width, height = A4
    for page in pages:
        y = height - 60
        if page.get("image_only"):
            cv.setFillGray(0.5)
            cv.rect(60, 300, 300, 200, fill=1, stroke=0)
        else:
            font = _font()
            cv.setFont(font, 11)
            for line in page.get("lines", []):
                cv.drawString(60, y, line)
                y -= 20
            for spec in page.get("tables", []):
                y = _draw_table(cv, font, spec, 60, y - 10) - 20
            for line in page.get("after", []):
                cv.drawString(60, y, line)
                y -= 20
        cv.showPage()
    cv.save()
    return path


def _draw_table(cv, font: str, spec: dict, x0: float, top: float) -> float:
    rows = spec["rows"]
    col_w, row_h = spec.get("col_w", 90), spec.get("row_h", 22)
    n_rows, n_cols = len(rows), max(len(r) for r in rows)
    covered: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for m in spec.get("merges", []):
        r0, c0, r1, c1 = m
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                covered[(r, c)] = m
    cv.setLineWidth(0.8)
    done = set()
    for r in range(n_rows):
        for c in range(n_cols):
            r0, c0, r1, c1 = covered.get((r, c), (r, c, r, c))
            if (r0, c0) in done:
                continue
            done.add((r0, c0))
            x, y = x0 + c0 * col_w, top - (r1 + 1) * row_h
            w, h = (c1 - c0 + 1) * col_w, (r1 - r0 + 1) * row_h
            cv.rect(x, y, w, h, fill=0, stroke=1)
            v = rows[r0][c0] if c0 < len(rows[r0]) else None
            if v not in (None, ""):
                cv.setFont(font, 9)
                cv.drawString(x + 3, y + h / 2 - 3, str(v))
    return top - n_rows * row_h


def html_table(rows: list[list[object]], attrs: dict[tuple[int, int], str] | None = None, header_rows: int = 1,
               caption: str = "") -> str:
    """``<table>`` markup; ``attrs[(r, c)]`` adds attributes (``'rowspan="2"'``) to the r-th row's c-th cell
    as written (cells covered by a span are simply not written: pass ``None`` for them)."""
    out = ["<table border=\"1\">"]
    if caption:
        out.append(f"<caption>{caption}</caption>")
    for r, row in enumerate(rows):
        tag = "th" if r < header_rows else "td"
        cells = []
        for c, v in enumerate(row):
            if v is None:
                continue
            a = (attrs or {}).get((r, c), "")
            cells.append(f"<{tag}{' ' + a if a else ''}>{'' if v == '' else v}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)
