"""A report's Word export in GB/T 9704-2012 layout: title, section headings, paragraphs and tables in report order.

:func:`to_docx` takes the report's tables and a list of *blocks*: a plain string is a body paragraph, a
:class:`DocHeading` (a ``str`` with a ``level``) becomes a real Word heading ("Heading 1" for 一、…, "Heading 2"
for （一）…, so the navigation pane lists them), a :class:`DocTable` (a ``str`` caption carrying its
DataFrame) puts that table at that place. Tables of ``tables`` that no :class:`DocTable` placed follow at the
end, each under its name. The page, fonts and sizes are those of the letter draft
(:func:`analysis.present.docx_layout.new_gongwen_document`): A4, margins 37/35/28/26 mm, body 仿宋_GB2312 三号
with the fixed 28.95 pt line pitch, headings 黑体 / 楷体_GB2312 三号, page numbers "— 1 —".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from analysis.atomic import atomic_path
from analysis.present import docx_layout as layout
from analysis.safe_cells import xml_safe


class DocHeading(str):
    """A section heading of a Word export: the text, and ``level`` 1 (一、…) or 2 (（一）…)."""

    level: int

    def __new__(cls, text: str, level: int = 1):
        obj = super().__new__(cls, text)
        obj.level = 1 if int(level) < 1 else min(int(level), 2)
        return obj

    def __reduce__(self):
        return (DocHeading, (str(self), self.level))


class DocTable(str):
    """A table placed in a Word export: the caption (the ``str`` value) and the DataFrame (``df``)."""

    df: pd.DataFrame

    def __new__(cls, caption: str, df: pd.DataFrame):
        obj = super().__new__(cls, caption)
        obj.df = df
        return obj

    def __reduce__(self):
        return (DocTable, (str(self), self.df))


def _run(paragraph, text: str, east_asia: str, size: float, bold: bool | None = None):
    run = paragraph.add_run(xml_safe(str(text)))
    layout.set_run_fonts(run, east_asia, size, bold=bold)
    return run


def _table(doc, caption: str, df: pd.DataFrame) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from analysis.present.tables import display_frame, numeric_columns

    cap = doc.add_paragraph()
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cap.paragraph_format.first_line_indent = Pt(0)
    cap.paragraph_format.keep_with_next = True
    _run(cap, caption, layout.FONTS.heading1, layout.BODY_PT)
    shown = display_frame(df)
    numeric = set(numeric_columns(df))
    table = doc.add_table(rows=1, cols=len(shown.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    table_text = layout.table_text_setter(doc)
    for cell, col in zip(header.cells, shown.columns):
        para = cell.paragraphs[0]
        table_text(para)
        _run(para, col, layout.FONTS.heading1, layout.TABLE_PT, bold=True)
    for values in shown.itertuples(index=False):
        cells = table.add_row().cells
        for cell, col, value in zip(cells, shown.columns, values):
            para = cell.paragraphs[0]
            table_text(para)
            if col in numeric:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(para, value, layout.FONTS.body, layout.TABLE_PT)
    doc.add_paragraph()


def report_document(tables: Mapping[str, pd.DataFrame], blocks: Sequence[str], title: str):
    """The python-docx ``Document`` of :func:`to_docx` (not saved)."""
    doc = layout.new_gongwen_document()
    doc.add_paragraph(xml_safe(title), style=layout.TITLE_STYLE)
    doc.add_paragraph()
    placed: set[int] = set()
    for block in blocks:
        if isinstance(block, DocTable):
            if len(block.df):
                _table(doc, str(block), block.df)
            placed.add(id(block.df))
        elif isinstance(block, DocHeading):
            para = doc.add_paragraph(style=f"Heading {block.level}")
            font = layout.FONTS.heading1 if block.level == 1 else layout.FONTS.heading2
            _run(para, block, font, layout.BODY_PT)
        elif block:
            para = doc.add_paragraph()
            _run(para, block, layout.FONTS.body, layout.BODY_PT)
    for name, df in tables.items():
        if id(df) not in placed and len(df):
            _table(doc, str(name), df)
    return doc


def to_docx(tables: Mapping[str, pd.DataFrame], paragraphs: Sequence[str], path: str | Path, title: str) -> Path:
    """Write the Word export (see the module docstring) atomically; returns ``path``."""
    doc = report_document(tables, paragraphs, title)
    dest = Path(path)
    with atomic_path(dest) as tmp:
        doc.save(str(tmp))
    return dest


__all__ = ["DocHeading", "DocTable", "report_document", "to_docx"]
