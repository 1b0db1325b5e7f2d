"""The yearly letter draft (函) as a Word document in GB/T 9704-2012 layout.

:func:`write_letter` turns the summary table (contracts.md section 4) into the draft an analyst finishes:

1. 示例数据 notice (red, top of page 1, and in every page header) when the summary is sample data;
2. title (方正小标宋简体 二号), a blank line, the addressee (主送机关, flush left);
3. the opening, the numbered sections (一、 as "Heading 1", （一） as "Heading 2") with the year's
   figures in sentences (一是…二是…), the case-file evaluation paragraph and the closing paragraph;
4. a blank line, 附件说明 ("附件：…", indented two characters), the sender (发文机关署名) and the date
   (成文日期, ``2025年1月10日``), placed as GB/T 9704-2012 7.3.5.2 asks for an unsealed document:
   the signature two characters from the right, the date on the next line starting two characters
   to the right of the signature (when the date is longer, the signature moves so that the date
   still ends two characters from the right);
5. on a new page the attachment: "附件" (黑体, flush left), its title, and the year's data table;
6. on a new page the trace list "数字来源清单（定稿时删除）": every figure of the body with its
   indicator code, summary column and unrounded value. Each figure in the body also carries a Word
   comment with the same information (Review > Show Comments; deleting the comments leaves the text).

The words come from ``narrative/letter.yaml`` (via :mod:`analysis.present.letter_text`); the page set-up,
styles and footers from :mod:`analysis.present.docx_layout`. Written atomically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis.atomic import atomic_path, ensure_dir
from analysis.present import docx_layout as layout
from analysis.present.letter_text import LetterContent, build_letter_content, raw_text

_XML_ILLEGAL = {c: None for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))}
COLUMN_WIDTHS_MM = {"attachment": (12, 58, 20, 24, 24, 18), "trace": (12, 26, 40, 34, 20, 24)}
SAMPLE_RED = (0xC0, 0x00, 0x00)


def _safe(text) -> str:
    return str(text).translate(_XML_ILLEGAL)


def _char_width(text: str) -> float:
    """Width in body characters: CJK and full-width 1, ASCII (digits) 0.5 (半角)."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def signature_indents(sender: str, date_text: str) -> tuple[float, float]:
    """Right indents, in characters, of the signature and the date (GB/T 9704-2012 7.3.5.2, no seal).

    The signature ends two characters from the right; the date starts two characters right of the
    signature's first character. When that would push the date past two characters from the right,
    the date ends two characters from the right and the signature moves left to keep the offset.
    """
    s, d = _char_width(sender), _char_width(date_text)
    if s >= d + 2:
        return 2.0, s - d
    return 2.0 + d + 2 - s, 2.0


def _run(paragraph, text: str, east_asia: str | None = None, size: float | None = None, *, bold=None, red=False):
    from docx.shared import RGBColor

    run = paragraph.add_run(_safe(text))
    if east_asia:
        layout.set_run_fonts(run, east_asia, size, bold=bold)
    if red:
        run.font.color.rgb = RGBColor(*SAMPLE_RED)
    return run


def _blank(doc) -> None:
    doc.add_paragraph()


def _no_indent(paragraph) -> None:
    from docx.shared import Pt

    paragraph.paragraph_format.first_line_indent = Pt(0)


def _body_block(doc, block, comments: bool, tpl: Mapping) -> None:
    style = {"heading1": "Heading 1", "heading2": "Heading 2"}.get(block.kind)
    para = doc.add_paragraph(style=style) if style else doc.add_paragraph()
    trace_tpl = tpl["trace"]
    for seg in block.segments:
        run = _run(para, seg.text)
        if comments and seg.trace is not None:
            t = seg.trace
            doc.add_comment(
                run,
                text=_safe(trace_tpl["comment"].format(code=t.indicator, name=t.name_zh, column=t.column,
                                                       raw=raw_text(t.raw))),
                author=trace_tpl.get("author", ""),
                initials=trace_tpl.get("initials", ""),
            )


def _table(doc, columns, rows, widths_mm, numeric_from: int) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    table_text = layout.table_text_setter(doc)
    for cell, name in zip(header.cells, columns):
        para = cell.paragraphs[0]
        table_text(para)
        _run(para, name, layout.FONTS.heading1, layout.TABLE_PT)
    for values in rows:
        cells = table.add_row().cells
        for j, (cell, value) in enumerate(zip(cells, values)):
            para = cell.paragraphs[0]
            table_text(para)
            if j >= numeric_from:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif j == 1:
                para.alignment = WD_ALIGN_PARAGRAPH.LEFT
            _run(para, value)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)


def _page_break(doc) -> None:
    from docx.enum.text import WD_BREAK

    para = doc.add_paragraph()
    _no_indent(para)
    para.add_run().add_break(WD_BREAK.PAGE)


def _signature(doc, content: LetterContent) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    sender_indent, date_indent = signature_indents(content.sender, content.date_text)
    for text, indent in ((content.sender, sender_indent), (content.date_text, date_indent)):
        para = doc.add_paragraph()
        _no_indent(para)
        para.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        para.paragraph_format.right_indent = Pt(layout.BODY_PT * indent)
        _run(para, text)


def _attachment(doc, content: LetterContent, tpl: Mapping) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    _page_break(doc)
    label = doc.add_paragraph()
    _no_indent(label)
    _run(label, content.attachment_label, layout.FONTS.heading1, layout.BODY_PT)
    _blank(doc)
    doc.add_paragraph(_safe(content.attachment_title), style=layout.TITLE_STYLE)
    if content.is_sample:
        note = doc.add_paragraph()
        note.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_indent(note)
        _run(note, tpl["sample"]["table_note"], red=True)
    _blank(doc)
    _table(doc, content.table_columns, content.table_rows, COLUMN_WIDTHS_MM["attachment"], numeric_from=3)


def _trace_list(doc, content: LetterContent, tpl: Mapping) -> None:
    _page_break(doc)
    trace = tpl["trace"]
    head = doc.add_paragraph()
    _no_indent(head)
    _run(head, trace["heading"], layout.FONTS.heading1, layout.BODY_PT)
    intro = doc.add_paragraph()
    _run(intro, trace["intro"].format(year=content.year, region=content.region_name, region_code=content.region_code))
    rows = [[str(i), t.text, t.indicator, t.name_zh, t.column, raw_text(t.raw)]
            for i, t in enumerate(content.traces, start=1)]
    _table(doc, [str(c) for c in trace["columns"]], rows, COLUMN_WIDTHS_MM["trace"], numeric_from=5)


def letter_document(content: LetterContent, *, comments: bool = True):
    """The python-docx ``Document`` of a letter (not saved)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    tpl = content.templates
    doc = layout.new_gongwen_document()
    doc.core_properties.title = content.title
    doc.core_properties.language = "zh-CN"
    if content.is_sample:
        layout.add_running_header(doc, tpl["sample"]["header"])
        notice = doc.add_paragraph()
        _no_indent(notice)
        _run(notice, tpl["sample"]["notice"], layout.FONTS.heading1, layout.BODY_PT, red=True)
    doc.add_paragraph(_safe(content.title), style=layout.TITLE_STYLE)
    _blank(doc)
    addressee = doc.add_paragraph()
    _no_indent(addressee)
    _run(addressee, content.addressee + "：")
    for block in content.blocks:
        _body_block(doc, block, comments, tpl)
    _blank(doc)
    doc.add_paragraph(_safe(content.attachment_line))
    _blank(doc)
    _signature(doc, content)
    _attachment(doc, content, tpl)
    _trace_list(doc, content, tpl)
    for para in doc.paragraphs:  # the title style is centred; keep any stray alignment explicit
        if para.style.name == layout.TITLE_STYLE:
            para.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return doc


def write_letter(summary: pd.DataFrame, year: int, region_code: str, out_path: str | Path, *,
                 sender: str | None = None, addressee: str | None = None, date: dt.date | None = None,
                 self_name: str | None = None, templates: Mapping | None = None,
                 comments: bool = True) -> Path:
    """Write the letter draft for ``region_code`` and ``year`` to ``out_path`` (.docx); returns the path.

    ``sender`` and ``addressee`` default to the template's ``defaults`` (``{region}自然资源厅``,
    ``{region}司法厅``); ``date`` (成文日期) defaults to today and is written ``2025年1月10日``.
    """
    content = build_letter_content(summary, year, region_code, sender=sender, addressee=addressee,
                                   day=date, self_name=self_name, templates=templates)
    doc = letter_document(content, comments=comments)
    dest = Path(out_path)
    ensure_dir(dest.parent)
    with atomic_path(dest) as tmp:
        doc.save(str(tmp))
    return dest


def letter_path(year_dir: str | Path, year: int, region_code: str) -> Path:
    """``outputs/<year>/letter/letter_<year>_<region_code>.docx``."""
    return Path(year_dir) / "letter" / f"letter_{int(year)}_{region_code}.docx"
