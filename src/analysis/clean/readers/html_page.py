"""Web pages (``.html``/``.htm``, or any extension when the content is markup), parsed with lxml.

- **Encoding**: a BOM, else the page's declaration (``<meta charset>``, ``http-equiv``, XML declaration;
  GBK/GB2312 decoded as GB18030), else detection as for CSV. Script is kept as written: traditional
  characters (罰沒金額) are converted to simplified only when headers and labels are matched.
- **Tables**: every ``<table>`` holding no other table is a data table (a table of tables is page
  layout; its cells are read as text). ``rowspan``/``colspan`` are laid out on a grid and recorded as
  merged ranges, like Excel merges, so multi-level headers resolve the same way. A one-column table is
  a framed text box, read as paragraphs. Sheets are named ``表1``, ``表2``... in page order; cells are
  ``R7C2`` (1-based).
- **Titles**: the page's ``<title>``/first ``<h1>``, the short lines just above a table and its
  ``<caption>`` become the table's title lines (the year and the agency are there).
- **Text**: every other block of text (headings, paragraphs, list items, ``<br>``-separated lines)
  becomes a :class:`~analysis.clean.readers.model.Paragraph` ``P1``, ``P2``... in page order.
"""

from __future__ import annotations

import re

from analysis.clean.findings import QualityReport
from analysis.clean.readers.encoding import decode_page
from analysis.clean.readers.model import Workbook, err_text, grid_sheet
from analysis.clean.readers.registry import register
from analysis.clean.readers.tables import (
    SpanCell,
    finish_document,
    paragraphs_from,
    span_grid,
    table_name,
    title_lines,
)

_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "iframe", "object", "svg", "select", "option",
              "button", "input", "textarea"}
_BLOCK_TAGS = {
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "h1", "h2", "h3", "h4", "h5",
    "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th", "caption", "tbody",
    "thead", "tfoot", "center", "form", "fieldset", "address", "figure", "figcaption", "hr", "title", "body",
}
_WS_RE = re.compile(r"[\s\u00a0\u3000\u200b]+")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_SPAN_RE = re.compile(r"\d+")


def _clean(text: str) -> str:
    return _WS_RE.sub(" ", text or "").strip()


def _span(el, attr: str) -> int:
    m = _SPAN_RE.search(el.get(attr) or "")
    return int(m.group()) if m else 1


def _tag(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _is_data_table(el) -> bool:
    return _tag(el) == "table" and not any(_tag(d) == "table" for d in el.iterdescendants())


def _cell_text(cell) -> str:
    parts: list[str] = []

    def rec(el) -> None:
        tag = _tag(el)
        if not tag or tag in _SKIP_TAGS:  # comments, processing instructions, scripts
            return
        if tag == "br":
            parts.append(" ")
        if el.text:
            parts.append(el.text)
        for child in el:
            rec(child)
            if child.tail:
                parts.append(child.tail)

    rec(cell)
    return _clean("".join(parts))


def _table_rows(table) -> list[list[SpanCell]]:
    rows: list[list[SpanCell]] = []
    for tr in table.iter("tr"):
        cells = [SpanCell(len(rows), _cell_text(td), _span(td, "rowspan"), _span(td, "colspan"))
                 for td in tr if _tag(td) in ("td", "th")]
        rows.append(cells)
    return rows


class _Walker:
    """Walks the page in reading order: text lines and data tables, interleaved."""

    def __init__(self) -> None:
        self.items: list[tuple[str, object]] = []  # ("text", str) | ("table", element)
        self._buf: list[str] = []

    def flush(self) -> None:
        text = _clean("".join(self._buf))
        self._buf = []
        if text:
            self.items.append(("text", text))

    def walk(self, el) -> None:
        tag = _tag(el)
        if not tag or tag in _SKIP_TAGS:
            return
        if tag == "br":
            self.flush()
            return
        if _is_data_table(el):
            self.flush()
            self.items.append(("table", el))
            return
        block = tag in _BLOCK_TAGS
        if block:
            self.flush()
        if el.text:
            self._buf.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self._buf.append(child.tail)
        if block:
            self.flush()


def _document_title(doc) -> str:
    for xpath in ("//title", "//h1"):
        for el in doc.xpath(xpath):
            t = _clean(el.text_content())
            if t:
                return t
    return ""


@register("html")
def read_html(data: bytes, wb: Workbook, report: QualityReport) -> Workbook | None:
    import lxml.etree
    import lxml.html

    text, encoding, guess = decode_page(data)
    if text is None:
        report.add("encoding_undetected", file=wb.rel_path, guess=guess or "unknown")
        return None
    wb.encoding = encoding
    if encoding not in ("utf_8", "utf-8", "utf_8_sig"):
        report.add("encoding_detected", file=wb.rel_path, encoding=encoding)
    text = _XML_DECL_RE.sub("", text.lstrip("\ufeff"))
    if not text.strip():
        report.add("file_empty", file=wb.rel_path)
        return None
    try:
        doc = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        report.add("file_corrupt", file=wb.rel_path, error=err_text(exc))
        return None
    doc_title = _document_title(doc)
    walker = _Walker()
    body = doc.find("body")
    walker.walk(body if body is not None else doc)
    walker.flush()

    texts: list[str] = []
    since_table: list[str] = []
    n_tables = 0
    for kind, item in walker.items:
        if kind == "text":
            texts.append(item)  # type: ignore[arg-type]
            since_table.append(item)  # type: ignore[arg-type]
            continue
        rows = _table_rows(item)
        grid, merged = span_grid(rows)
        n_cols = len(grid[0]) if grid else 0
        if n_cols <= 1:  # a framed text box, not a table of figures
            for row in grid:
                if row and row[0]:
                    texts.append(row[0])
                    since_table.append(row[0])
            continue
        caption_el = item.find("caption")
        caption = _clean(caption_el.text_content()) if caption_el is not None else ""
        sheet = grid_sheet(table_name(n_tables + 1), grid, merged, "html",
                           title_lines(doc_title, since_table, caption))
        if sheet.n_rows == 0:
            continue
        n_tables += 1
        wb.sheets.append(sheet)
        since_table = []
    if doc_title and (not texts or texts[0] != doc_title) and not body_has(doc, doc_title):
        texts.insert(0, doc_title)
    wb.paragraphs = paragraphs_from(texts)
    return finish_document(wb, report, "HTML")


def body_has(doc, title: str) -> bool:
    """True when the page body repeats its <title> (then the title is a paragraph already)."""
    body = doc.find("body")
    return body is not None and title in _clean(body.text_content())
