"""GB/T 9704-2012 (党政机关公文格式) page set-up for Word documents, shared by every Word export.

:func:`new_gongwen_document` returns a python-docx ``Document`` whose first section, styles and
footers follow the standard; :func:`set_run_fonts` gives one run its Latin and East Asian fonts.

Page and text block (GB/T 9704-2012 5.2): A4 210 x 297 mm; margins top 37 mm, bottom 35 mm,
left 28 mm, right 26 mm, so the text block is 210 - 28 - 26 = 156 mm wide and 297 - 37 - 35 =
225 mm tall, holding 22 lines of 28 characters in 三号 (16 pt).

Line pitch (the arithmetic behind "行距固定值 28.95 磅")::

    225 mm / 22 lines = 10.2273 mm = 28.991 pt = 579.8 twips (1 pt = 20 twips, 1 mm = 56.693 twips)

Word stores spacing in whole twips; 580 twips x 22 = 12760 twips would overrun the 12756-twip block
(225 mm), so the pitch is rounded *down* to 579 twips = 28.95 pt: 22 lines take 224.6 mm and a 23rd
does not fit. Every body paragraph and heading uses this exact (``lineRule="exact"``) spacing, and
the section's document grid (``w:docGrid w:linePitch="579"``) matches it.

Character pitch::

    156 mm / 28 characters = 5.5714 mm = 15.793 pt per character (a 16 pt glyph is 5.644 mm)

so each character cell is 0.207 pt narrower than the font size. Word expresses this in the
section's document grid as ``w:charSpace`` = (pitch - Normal font size) x 4096 =
(15.793 - 16) x 4096 = -848 (1/4096 pt units), with ``w:type="linesAndChars"``: Word then lays
out exactly 28 characters per line (paragraphs snap to the grid by default).

Page numbers (7.5.1): 4号 (14 pt) 半角宋体 Arabic numerals with an em dash (一字线) on each side,
"— 1 —", 7 mm below the text block; odd pages right-aligned and even pages left-aligned, each one
character (14 pt) in from the edge of the text block. The number is a ``PAGE`` field, and the
document has different odd and even footers (``w:evenAndOddHeaders``).

Fonts: body 仿宋_GB2312 三号; title 方正小标宋简体 二号 (22 pt); level-1 headings (一、) 黑体 三号 as
Word's built-in "Heading 1"; level-2 headings (（一）) 楷体_GB2312 三号 as "Heading 2". Heading
styles keep their outline levels, so Word's navigation pane lists them. Theme font attributes
(``w:asciiTheme`` ...) are removed wherever a font is set, because they override explicit names.
Where a font is not installed Word substitutes a similar one; the names are what the standard asks for.
"""

from __future__ import annotations

from dataclasses import dataclass

MM_PER_PT = 25.4 / 72
TWIPS_PER_PT = 20

PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
MARGIN_TOP_MM = 37.0
MARGIN_BOTTOM_MM = 35.0
MARGIN_LEFT_MM = 28.0
MARGIN_RIGHT_MM = 26.0
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156
TEXT_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM  # 225
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28

BODY_PT = 16.0  # 三号
TITLE_PT = 22.0  # 二号
PAGE_NUMBER_PT = 14.0  # 4号
TABLE_PT = 12.0  # 小四, the attached data table


def _line_pitch_twips() -> int:
    """Whole twips per line so that 22 lines fit in 225 mm (rounded down): 579."""
    return int(TEXT_HEIGHT_MM / MM_PER_PT * TWIPS_PER_PT / LINES_PER_PAGE)


def _char_space() -> int:
    """``w:charSpace`` of the document grid: (156 mm / 28 - 16 pt) in 1/4096 pt: -848."""
    pitch_pt = TEXT_WIDTH_MM / CHARS_PER_LINE / MM_PER_PT
    return round((pitch_pt - BODY_PT) * 4096)


LINE_PITCH_TWIPS = _line_pitch_twips()
LINE_PITCH_PT = LINE_PITCH_TWIPS / TWIPS_PER_PT  # 28.95
CHAR_SPACE = _char_space()
CHAR_PITCH_PT = TEXT_WIDTH_MM / CHARS_PER_LINE / MM_PER_PT  # 15.793
# Footer: the page number's line top sits 7 mm below the text block; Word measures the footer
# distance from the page's bottom edge to the footer's last line: 35 - 7 - 14 pt (4.94 mm) ≈ 23 mm.
FOOTER_DISTANCE_MM = round(MARGIN_BOTTOM_MM - 7 - PAGE_NUMBER_PT * MM_PER_PT, 1)
HEADER_DISTANCE_MM = 15.0

EM_DASH = "\u2014"


@dataclass(frozen=True)
class Fonts:
    body: str = "仿宋_GB2312"
    title: str = "方正小标宋简体"
    heading1: str = "黑体"
    heading2: str = "楷体_GB2312"
    page_number: str = "宋体"
    latin: str = "Times New Roman"


FONTS = Fonts()
TITLE_STYLE = "公文标题"
TABLE_STYLE_TEXT = "公文表格文字"

_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def table_text_setter(doc):
    """A function that gives a paragraph the table-cell style :data:`TABLE_STYLE_TEXT`.

    Same XML as ``paragraph.style = doc.styles[TABLE_STYLE_TEXT]``, without python-docx's look-up of the
    default style on every assignment (a scan of all styles: about 1 ms a cell, half a second a letter).
    """
    style_id = doc.styles[TABLE_STYLE_TEXT].style_id

    def apply(paragraph) -> None:
        paragraph._p.get_or_add_pPr().style = style_id

    return apply


def _rfonts(rpr, east_asia: str, latin: str) -> None:
    from docx.oxml.ns import qn

    fonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def set_run_fonts(run, east_asia: str, size_pt: float | None = None, *, latin: str | None = None,
                  bold: bool | None = None) -> None:
    """Give one run its East Asian (``w:eastAsia``) and Latin fonts, size and weight."""
    from docx.shared import Pt

    _rfonts(run._element.get_or_add_rPr(), east_asia, latin or FONTS.latin)
    if size_pt:
        run.font.size = Pt(size_pt)
    if bold is not None:
        run.font.bold = bold


def _style_fonts(style, east_asia: str, size_pt: float, latin: str | None = None) -> None:
    from docx.shared import Pt, RGBColor

    _rfonts(style.element.get_or_add_rPr(), east_asia, latin or FONTS.latin)
    style.font.size = Pt(size_pt)
    style.font.bold = False
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    color = style.element.rPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}color")
    if color is not None:
        for attr in ("themeColor", "themeShade", "themeTint"):
            color.attrib.pop("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + attr, None)


def _exact_spacing(fmt, first_line_chars: float = 0.0, font_pt: float = BODY_PT) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt, Twips

    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Twips(LINE_PITCH_TWIPS)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(font_pt * first_line_chars) if first_line_chars else Pt(0)


def _defaults(doc) -> None:
    """docDefaults: explicit fonts instead of theme fonts, zh-CN language, no extra paragraph spacing."""
    from docx.oxml.ns import qn

    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr is not None:
        _rfonts(rpr, FONTS.body, FONTS.latin)
        lang = rpr.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault") + "/" + qn("w:pPr") + "/" + qn("w:spacing"))
    if spacing is not None:
        spacing.set(qn("w:after"), "0")


def _styles(doc) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    styles = doc.styles
    normal = styles["Normal"]
    _style_fonts(normal, FONTS.body, BODY_PT)
    _exact_spacing(normal.paragraph_format, first_line_chars=2)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    normal.paragraph_format.widow_control = False

    for name, font in (("Heading 1", FONTS.heading1), ("Heading 2", FONTS.heading2)):
        style = styles[name]
        _style_fonts(style, font, BODY_PT)
        _exact_spacing(style.paragraph_format, first_line_chars=2)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    title = styles.add_style(TITLE_STYLE, WD_STYLE_TYPE.PARAGRAPH) if TITLE_STYLE not in styles else styles[TITLE_STYLE]
    title.base_style = normal
    _style_fonts(title, FONTS.title, TITLE_PT)
    fmt = title.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.first_line_indent = Pt(0)
    fmt.keep_with_next = True

    cell = (styles.add_style(TABLE_STYLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
            if TABLE_STYLE_TEXT not in styles else styles[TABLE_STYLE_TEXT])
    cell.base_style = normal
    _style_fonts(cell, FONTS.body, TABLE_PT)
    cfmt = cell.paragraph_format
    cfmt.line_spacing = 1.0
    cfmt.first_line_indent = Pt(0)
    cfmt.space_before = Pt(0)
    cfmt.space_after = Pt(0)
    cfmt.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _doc_grid(section) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def setup_section(section) -> None:
    """A4 portrait, GB/T 9704 margins, footer distance and document grid on one section."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(MARGIN_TOP_MM)
    section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
    section.left_margin = Mm(MARGIN_LEFT_MM)
    section.right_margin = Mm(MARGIN_RIGHT_MM)
    section.gutter = Mm(0)
    section.header_distance = Mm(HEADER_DISTANCE_MM)
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    _doc_grid(section)


def _field(paragraph, instruction: str, placeholder: str) -> None:
    """A complex field (``fldChar`` begin / ``instrText`` / separate / result / end) in one paragraph."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char_run(kind: str):
        run = paragraph.add_run()
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        run._r.append(fld)
        return run

    begin = char_run("begin")
    instr_run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run._r.append(instr)
    char_run("separate")
    result = paragraph.add_run(placeholder)
    end = char_run("end")
    for run in (begin, instr_run, result, end):
        set_run_fonts(run, FONTS.page_number, PAGE_NUMBER_PT, latin=FONTS.page_number)


def _page_number_paragraph(footer, odd: bool) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    footer.is_linked_to_previous = False
    para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    for run in list(para.runs):
        run._r.getparent().remove(run._r)
    fmt = para.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing = 1.0
    # 单页码居右空一字，双页码居左空一字 (one 4号 character in from the text block's edge).
    if odd:
        fmt.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        fmt.left_indent = Pt(PAGE_NUMBER_PT)
    set_run_fonts(para.add_run(EM_DASH + " "), FONTS.page_number, PAGE_NUMBER_PT, latin=FONTS.page_number)
    _field(para, "PAGE", "1")
    set_run_fonts(para.add_run(" " + EM_DASH), FONTS.page_number, PAGE_NUMBER_PT, latin=FONTS.page_number)


def add_page_numbers(doc, section=None) -> None:
    """"— N —" footers: odd pages right, even pages left (document-wide odd/even footers)."""
    section = section or doc.sections[0]
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_paragraph(section.footer, odd=True)
    _page_number_paragraph(section.even_page_footer, odd=False)


def add_running_header(doc, text: str, section=None) -> None:
    """A centred header line on every page (both odd and even headers), e.g. the 示例数据 notice."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    section = section or doc.sections[0]
    for header in (section.header, section.even_page_header):
        header.is_linked_to_previous = False
        para = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        para.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.first_line_indent = Pt(0)
        para.paragraph_format.line_spacing = 1.0
        run = para.add_run(text)
        set_run_fonts(run, FONTS.heading1, PAGE_NUMBER_PT, bold=True)
        run.font.color.rgb = RGBColor(0xC0, 0, 0)


def apply_gongwen_layout(doc) -> None:
    """Page set-up, styles and page-number footers on an existing document (every section)."""
    _defaults(doc)
    _styles(doc)
    for section in doc.sections:
        setup_section(section)
    add_page_numbers(doc)


def new_gongwen_document():
    """A python-docx ``Document`` in GB/T 9704-2012 layout (see the module docstring)."""
    from docx import Document

    doc = Document()
    apply_gongwen_layout(doc)
    return doc
