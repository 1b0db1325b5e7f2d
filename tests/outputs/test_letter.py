"""The yearly letter draft (公文): open the Word file with python-docx and check layout, styles and figures.

Expected figures are worked out by hand from the facts in conftest.py (arithmetic written out below).
"""

from __future__ import annotations

import datetime as dt
import re

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from analysis.present.gongwen import signature_indents, write_letter
from analysis.present.letter_text import date_text

DATE = dt.date(2025, 1, 10)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# Hand arithmetic (province, 2024 vs 2023):
#   cases_filed 214 vs 195: (214 - 195) / 195 = 9.744 %            -> "214起", "9.7%"
#   fines 9172.05 vs 6000.5: 3171.55 / 6000.5 = 52.855 %           -> "9172.05万元", "52.9%"
#   fines per case 9172.05 / 214 = 42.860                          -> "42.86万元/起"
#   patrols 约4637 vs 4000: 637 / 4000 = 15.925 %                   -> "约4637次", "约15.9%"
#   violations stopped 252 vs 200: 26.0 %; stop orders 150 vs 120: 25.0 %
#   case files 2024: 39 reviewed, 10 excellent, 27 passed, 2 failed
#     pass rate (10 + 27) / 39 = 94.872 % vs (8 + 28) / 40 = 90.0 %  -> "94.9%", +4.872 points -> "4.9"
#     excellent rate 10 / 39 = 25.641 % vs 8 / 40 = 20.0 %            -> "25.6%", +5.641 points -> "5.6"
#   penalties 192: fine 120 (120 / 192 = 62.5 %), warning 30 (15.625 % -> "15.6"), other 15 (7.8125 % -> "7.8")
EXPECTED_PHRASES = [
    "214起，同比增长9.7%",
    "9172.05万元，同比增长52.9%",
    "件均罚没款42.86万元/起",
    "约4637次，同比增长约15.9%",
    "252起，同比增长26.0%",
    "150份，同比增长25.0%",
    "共评查案卷39宗，其中优秀案卷10宗、合格案卷27宗、不合格案卷2宗",
    "案卷合格率为94.9%，较上年提高4.9个百分点",
    "优秀率为25.6%，较上年提高5.6个百分点",
    "192宗",
    "罚款120宗（占62.5%）",
    "警告30宗（占15.6%）",
    "其他行政处罚15宗（占7.8%）",
]
EXPECTED_NUMBERS = {"214", "9.7", "9172.05", "52.9", "42.86", "4637", "15.9", "252", "26.0", "150", "25.0",
                    "39", "10", "27", "2", "94.9", "4.9", "25.6", "5.6", "192", "120", "62.5", "30", "15.6",
                    "15", "7.8"}
YEARS = {"2023", "2024", "2025"}  # report year, evaluated year (case files of 2023), next year


@pytest.fixture(scope="module")
def letter(tmp_path_factory, summary):
    path = tmp_path_factory.mktemp("letter") / "letter.docx"
    write_letter(summary, 2024, "640000", path, date=DATE)
    return docx.Document(str(path))


def body_paragraphs(doc):
    """Paragraphs from the addressee to the 附件 line (the letter's running text)."""
    texts = [p for p in doc.paragraphs]
    start = next(i for i, p in enumerate(texts) if p.text.endswith("司法厅："))
    end = next(i for i, p in enumerate(texts) if p.text.startswith("附件："))
    return texts[start + 1:end]


def rfonts(element):
    rpr = element.find(qn("w:rPr"))
    return rpr.find(qn("w:rFonts"))


def test_page_size_and_margins(letter):
    section = letter.sections[0]
    assert abs(section.page_width.mm - 210) < 0.1 and abs(section.page_height.mm - 297) < 0.1
    assert abs(section.top_margin.mm - 37) < 0.1
    assert abs(section.bottom_margin.mm - 35) < 0.1
    assert abs(section.left_margin.mm - 28) < 0.1
    assert abs(section.right_margin.mm - 26) < 0.1


def test_document_grid_gives_22_lines_of_28_characters(letter):
    # 225 mm / 22 lines = 10.227 mm = 579.8 twips (1 mm = 1440 / 25.4 twips); 22 x 580 would exceed
    # 225 mm (12756 twips), so the pitch is 579 twips = 28.95 pt.
    assert int(225 * 1440 / 25.4 / 22) == 579
    # 156 mm / 28 = 5.5714 mm = 15.793 pt; (15.793 - 16) x 4096 = -847.7 -> -848.
    char_space = round((156 / 28 * 72 / 25.4 - 16) * 4096)
    assert char_space == -848
    grid = letter.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert grid.get(qn("w:linePitch")) == "579"
    assert grid.get(qn("w:charSpace")) == str(char_space)
    normal = letter.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.line_spacing == Pt(28.95)


@pytest.mark.parametrize("style, east_asia, size", [
    ("Normal", "仿宋_GB2312", 16),
    ("Heading 1", "黑体", 16),
    ("Heading 2", "楷体_GB2312", 16),
    ("公文标题", "方正小标宋简体", 22),
])
def test_style_fonts(letter, style, east_asia, size):
    st = letter.styles[style]
    fonts = rfonts(st.element)
    assert fonts.get(qn("w:eastAsia")) == east_asia
    # theme fonts would override the explicit names
    assert fonts.get(qn("w:eastAsiaTheme")) is None and fonts.get(qn("w:asciiTheme")) is None
    assert st.font.size == Pt(size)
    assert not st.font.bold


def test_headings_are_real_heading_styles_with_outline_levels(letter):
    h1 = [p.text for p in letter.paragraphs if p.style.name == "Heading 1"]
    h2 = [p.text for p in letter.paragraphs if p.style.name == "Heading 2"]
    # Sections without figures (队伍建设: no officer figures) are left out and the numbering does not skip.
    assert [t[:2] for t in h1] == ["一、", "二、", "三、"]
    assert h2 == ["（一）行政处罚"]
    for name, level in (("Heading 1", "0"), ("Heading 2", "1")):
        outline = letter.styles[name].element.find(qn("w:pPr")).find(qn("w:outlineLvl"))
        assert outline is not None and outline.get(qn("w:val")) == level


def test_title_and_structure(letter):
    texts = [p.text for p in letter.paragraphs]
    title = next(p for p in letter.paragraphs if p.style.name == "公文标题")
    assert title.text == "关于报送宁夏回族自治区自然资源厅2024年度行政执法工作情况的函"
    assert "宁夏回族自治区司法厅：" in texts
    body = "".join(p.text for p in body_paragraphs(letter))
    assert "一是" in body and "二是" in body
    assert "对2023年度办结的行政执法案卷开展评查" in body  # the case-file evaluation paragraph
    assert "附件：宁夏回族自治区自然资源厅2024年度行政执法数据" in texts
    assert "附件" in texts  # the attachment's own label page
    sender = texts.index("宁夏回族自治区自然资源厅")
    assert texts[sender + 1] == "2025年1月10日"


def test_footers_page_field_odd_right_even_left(letter):
    assert letter.settings.odd_and_even_pages_header_footer
    section = letter.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer,
                                                                         WD_ALIGN_PARAGRAPH.LEFT)):
        para = footer.paragraphs[0]
        assert para.alignment == align
        instr = [e.text for e in para._p.iter(W + "instrText")]
        assert [t.strip() for t in instr] == ["PAGE"]
        assert para.text == "— 1 —"  # the cached field result between the em dashes
        sizes = {r.font.size for r in para.runs if r.text}
        assert sizes == {Pt(14)}


def test_date_format_without_zero_padding():
    assert date_text(dt.date(2025, 1, 10)) == "2025年1月10日"
    assert date_text(dt.date(2025, 3, 5)) == "2025年3月5日"
    assert date_text(dt.date(2024, 12, 31)) == "2024年12月31日"


def test_default_date_is_today(tmp_path, summary):
    path = write_letter(summary, 2024, "640000", tmp_path / "l.docx", comments=False)
    today = dt.date.today()
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    assert f"{today.year}年{today.month}月{today.day}日" in texts


def test_signature_placement_follows_gbt9704():
    # sender 12 characters, date "2025年1月10日" = 3 CJK (年月日) + 7 half-width digits x 0.5 = 6.5:
    # the signature ends 2 characters from the right; the date starts 2 characters right of it,
    # so the date ends 12 - 2 - 6.5 = 3.5 characters further in: right indent 2 + 3.5 = 5.5.
    assert signature_indents("宁夏回族自治区自然资源厅", "2025年1月10日") == (2.0, 5.5)
    # a short sender (3 characters): the date ends 2 characters from the right, the signature moves
    # so it starts 2 characters left of the date: 2 + 6.5 + 2 - 3 = 7.5.
    assert signature_indents("自然厅", "2025年1月10日") == (7.5, 2.0)


def test_every_number_in_the_text_is_a_summary_figure(letter):
    body = "".join(p.text for p in body_paragraphs(letter))
    for phrase in EXPECTED_PHRASES:
        assert phrase in body, phrase
    numbers = re.findall(r"\d+(?:\.\d+)?", body)
    unexplained = [n for n in numbers if n not in EXPECTED_NUMBERS | YEARS]
    assert unexplained == []
    assert set(numbers) >= EXPECTED_NUMBERS


def test_trace_list_and_comments_match_the_summary(letter, summary):
    trace_table = letter.tables[-1]
    header = [c.text for c in trace_table.rows[0].cells]
    assert header == ["序号", "文中数字", "指标代码", "指标名称", "字段", "汇总表数值"]
    rows = summary[(summary["year"] == 2024) & (summary["region_code"] == "640000")].set_index("indicator")
    body_numbers = re.findall(r"\d+(?:\.\d+)?", "".join(
        p.text for p in body_paragraphs(letter) if p.style.name == "Normal"))
    traced = []
    for row in trace_table.rows[1:]:
        _, shown, code, _, column, raw = (c.text for c in row.cells)
        assert abs(float(raw) - float(rows.loc[code, column])) < 1e-6 * max(1.0, abs(float(raw)))
        traced.extend(re.findall(r"\d+(?:\.\d+)?", shown))
    # every number of the body is either a traced figure or a year
    assert sorted(n for n in body_numbers if n not in YEARS) == sorted(traced)
    comments = list(letter.comments)
    assert len(comments) == len(trace_table.rows) - 1


def test_attachment_table_values(letter):
    table = letter.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["序号", "指标", "单位", "2024年", "2023年", "同比变化"]
    by_name = {r.cells[1].text: [c.text for c in r.cells[2:]] for r in table.rows[1:]}
    assert by_name["立案查处案件"] == ["起", "214", "195", "+9.7%"]
    assert by_name["罚没款"] == ["万元", "9,172.05", "6,000.50", "+52.9%"]
    assert by_name["日常执法巡查"][:2] == ["次", "约4,637"]
    assert by_name["案卷合格率"] == ["%", "94.9", "90.0", "+4.9个百分点"]
    assert not any("占行政处罚比重" in name for name in by_name)  # shares are left to the reports


def test_sample_label(letter, tmp_path, summary):
    texts = [p.text for p in letter.paragraphs]
    assert any("示例数据" in t for t in texts[:2])
    header = letter.sections[0].header.paragraphs[0].text
    assert "示例数据" in header
    real = summary.assign(is_sample=False)
    path = write_letter(real, 2024, "640000", tmp_path / "real.docx", date=DATE)
    doc = docx.Document(str(path))
    assert not any("示例数据" in p.text for p in doc.paragraphs)
    assert not any("示例数据" in p.text for p in doc.sections[0].header.paragraphs)


def test_missing_year_gives_a_letter_without_figures_not_a_crash(tmp_path, summary):
    # 2023 has no case-file comparison and no penalties; the letter still builds and says only what exists.
    path = write_letter(summary, 2023, "640000", tmp_path / "l2023.docx", date=DATE)
    body = "".join(p.text for p in body_paragraphs(docx.Document(str(path))))
    assert "195起" in body and "行政处罚" not in body
    assert "同比" not in body  # 2023 is the first year: no year-on-year clause
