"""Documents of the bundled sample (示例数据): the formats agencies publish besides spreadsheets.

Imported by ``scripts/make_sample_data.py`` (``write_documents(w, truth, m)``, where ``m`` is that script's
module: file names, regions and number formats have one home there). Three files, all for 2023:

- ``2023_letter`` (.docx, python-docx): the department's narrative letter on its 2023 enforcement work, in
  our own formal wording and labelled 示例数据. Every figure equals the 2023 tables of the sample (or is a
  letter-only figure listed in :func:`document_figures`), except **one deliberate disagreement**
  (:data:`LETTER_CONFLICT`): the letter gives the province's 立案查处 (cases filed) as the table figure minus
  2, as a letter drafted before the last cases were entered would. Cleaning keeps the table figure
  (a table has precedence over running text) and reports one ``source_conflict`` warning naming both.
- ``2023_disclosure`` (.html, GBK bytes with ``<meta charset="gbk">``): 同心县自然资源局's 政府信息公开工作
  年度报告 with the 第二十条（五）（六）（八） tables of the 国办公开办函〔2021〕30号 template: licensing,
  penalty and coercion decisions, administrative fees (万元). These indicators appear nowhere else in the
  sample; 行政处罚处理决定 equals the county's 2023 penalties and 行政许可处理决定 its grants plus refusals.
- ``2023_penalty_pdf`` (.pdf, matplotlib's PDF backend, text layer in the bundled CJK font): 固原市's 2023
  行政处罚实施情况统计表 (national 14 categories) drawn with ruling lines, county bureaus + 合计. No other
  file gives 2023 penalty categories; the 合计 row's 罚没金额 equals the 2023 key table (identical duplicate).

Reproducible bytes: the .docx core properties and ZIP entry times are fixed and its entries stored
uncompressed (the template's optional parts and unused styles are dropped to keep it small); the PDF
carries no creation date and no producer string.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from types import ModuleType

import numpy as np

YEAR = 2023
LETTER_DATE = dt.datetime(2024, 1, 12, 9, 0, 0)
DISCLOSURE_COUNTY = "同心县"
PDF_CITY = "640400"  # 固原市


@dataclass(frozen=True)
class LetterConflict:
    """The one deliberate letter/table disagreement."""

    year: int
    region_code: str
    indicator: str
    letter_value: int
    table_value: int
    letter_file: str
    letter_paragraph: str  # location of the stating paragraph in the letter (P7), as the reader numbers them
    table_file: str
    table_sheet: str
    table_cell: str


LETTER_CONFLICT_INDICATOR = "cases_filed"
LETTER_CONFLICT_DELTA = -2  # the letter states the province's cases filed 2 lower than the table


# --------------------------------------------------------------------------------------------------
# Figures that only the documents state (not part of the truth model of the tables)
# --------------------------------------------------------------------------------------------------
def document_figures(t, m: ModuleType) -> dict[tuple[int, str, str], float]:
    """(year, region_code, indicator) -> value (canonical unit) for the figures only the documents give.

    Drawn from their own generator (seeded from the sample's seed), so the tables' bytes never depend on
    them; the licensing and penalty decisions of the disclosure report follow from the truth model.
    """
    rng = np.random.default_rng([t.seed, YEAR, 1])
    prov = m.PROVINCE[0]
    county = m.COUNTY_BY_NAME[DISCLOSURE_COUNTY].code
    return {
        (YEAR, prov, "legal_reviews"): float(rng.integers(120, 160)),
        (YEAR, prov, "normative_documents_issued"): float(rng.integers(6, 14)),
        (YEAR, prov, "complaint_leads"): float(rng.integers(90, 140)),
        (YEAR, county, "license_decisions"): float(t.get(YEAR, county, "licenses_granted")
                                                   + t.get(YEAR, county, "licenses_refused")),
        (YEAR, county, "penalty_decisions"): float(t.get(YEAR, county, "penalties_total")),
        (YEAR, county, "coercion_decisions"): float(rng.integers(0, 4)),
        (YEAR, county, "administrative_fees"): int(rng.integers(500, 4_000)) / 100,  # 万元, 2 decimals
        (YEAR, county, "info_disclosure_requests"): float(rng.integers(3, 12)),
    }


def _letter_cases(t, m: ModuleType) -> int:
    return t.get(YEAR, m.PROVINCE[0], LETTER_CONFLICT_INDICATOR) + LETTER_CONFLICT_DELTA


def letter_conflict(t, m: ModuleType) -> LetterConflict:
    table_value = t.get(YEAR, m.PROVINCE[0], LETTER_CONFLICT_INDICATOR)
    col = m.col_letter(2 + m.KEY_CODES.index(LETTER_CONFLICT_INDICATOR))
    total_row = 11  # 2023 key table, sheet 地市: title, three header rows, unit row, five cities, 合计
    letter_value = _letter_cases(t, m)
    paragraph = next(f"P{i}" for i, (_, text) in enumerate(letter_paragraphs(t, m), start=1)
                     if f"全区共立案查处自然资源领域违法案件{letter_value}起" in text)
    return LetterConflict(
        year=YEAR, region_code=m.PROVINCE[0], indicator=LETTER_CONFLICT_INDICATOR,
        letter_value=letter_value, table_value=table_value, letter_file=m.FILES["2023_letter"],
        letter_paragraph=paragraph, table_file=m.FILES["2023_key"], table_sheet="地市",
        table_cell=f"{col}{total_row}",
    )


# --------------------------------------------------------------------------------------------------
# The 2023 letter (.docx)
# --------------------------------------------------------------------------------------------------
def letter_paragraphs(t, m: ModuleType) -> list[tuple[str, str]]:
    """(kind, text) of the letter, in order; kind is title/plain/heading/body/sign."""
    prov, gy = m.PROVINCE[0], "640400"
    extra = document_figures(t, m)

    def v(code: str, ind: str) -> str:
        return m.wan(t.get(YEAR, code, ind)) if ind in m.MONEY_CODES else str(t.get(YEAR, code, ind))

    def x(ind: str) -> str:
        return str(int(extra[(YEAR, prov, ind)]))

    return [
        ("title", f"宁夏回族自治区自然资源厅关于报送{YEAR}年度自然资源行政执法工作情况的函{m.SAMPLE_TAG}"),
        ("plain", "自治区司法厅："),
        ("body", f"根据做好年度行政执法工作情况报送的有关要求，现将{YEAR}年度全区自然资源行政执法工作情况报告如下。"),
        ("body", "（说明：本函为演示用示例数据，由样本生成脚本合成，不是官方文件；文中数字与示例统计表相互对应，"
                 "仅全区立案查处案件数与统计表故意不一致，用于演示来源冲突的处理。）"),
        ("heading", "一、坚持严格执法，依法查处自然资源违法行为"),
        ("body", "全年坚持日常巡查与动态监测相结合，组织全区开展日常执法巡查"
                 f"{v(prov, 'patrols')}次，发现制止违法行为{v(prov, 'violations_stopped')}起，"
                 f"下发责令停止违法行为通知书{v(prov, 'stop_orders')}份，做到早发现、早制止、早处置。"),
        ("body", f"一是依法立案查处。全区共立案查处自然资源领域违法案件{_letter_cases(t, m)}起，"
                 f"收缴罚没款{v(prov, 'fines_collected')}万元。"),
        ("body", f"其中，固原市立案查处违法案件{v(gy, 'cases_filed')}起，收缴罚没款{v(gy, 'fines_collected')}万元。"),
        ("body", f"二是严格法制审核。对重大行政执法决定开展法制审核{x('legal_reviews')}次，"
                 f"制定规范性文件{x('normative_documents_issued')}件，均按规定履行合法性审核程序。"),
        ("heading", "二、坚持规范执法，持续提升案卷质量"),
        ("body", f"组织对各市上报的{v(prov, 'casefile_reviewed')}宗案卷开展集中评查，"
                 f"其中优秀案卷{v(prov, 'casefile_excellent')}宗，合格案卷{v(prov, 'casefile_passed')}宗，"
                 f"不合格案卷{v(prov, 'casefile_failed')}宗。针对评查发现的问题逐卷反馈，督促办案单位限期整改。"),
        ("heading", "三、坚持为民执法，及时回应群众关切"),
        ("body", f"全年共受理、转办、处理各类投诉举报违法线索{x('complaint_leads')}条，"
                 "做到件件有登记、事事有回音。"),
        ("body", "下一步，将继续坚持严格规范公正文明执法，不断提升全区自然资源执法工作水平。"),
        ("sign", "宁夏回族自治区自然资源厅"),
        ("sign", f"{LETTER_DATE.year}年{LETTER_DATE.month}月{LETTER_DATE.day}日"),
        ("plain", "（此件公开发布；示例数据，非官方文件）"),
    ]


def _set_run_font(run, name: str, size_pt: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


_LETTER_STYLE = {  # kind -> (font, size in pt, bold, alignment, first-line indent in characters)
    "title": ("方正小标宋简体", 22, False, "center", 0),
    "plain": ("仿宋_GB2312", 16, False, "left", 0),
    "heading": ("黑体", 16, False, "left", 2),
    "body": ("仿宋_GB2312", 16, False, "justify", 2),
    "sign": ("仿宋_GB2312", 16, False, "right", 0),
}


def docx_bytes(paragraphs: list[tuple[str, str]], title: str, when: dt.datetime) -> bytes:
    """A small, reproducible .docx holding ``paragraphs`` ((kind, text), see :data:`_LETTER_STYLE`)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    align = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
             "justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "right": WD_ALIGN_PARAGRAPH.RIGHT}
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4, GB/T 9704 margins
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    for kind, text in paragraphs:
        font, size, bold, where, indent = _LETTER_STYLE[kind]
        p = doc.add_paragraph()
        p.alignment = align[where]
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * indent)
        _set_run_font(p.add_run(text), font, size, bold)
    # Keep the file small and free of template leftovers: optional parts and unused styles go.
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
            doc.part.drop_rel(rid)
    for rid, rel in list(doc.part.package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del doc.part.package.rels[rid]
    styles = doc.styles.element
    for el in list(styles):
        if el.tag == qn("w:latentStyles") or (el.tag == qn("w:style") and el.get(qn("w:default")) != "1"):
            styles.remove(el)
    cp = doc.core_properties
    cp.title, cp.author, cp.last_modified_by = title, "make_sample_data.py", "make_sample_data.py"
    cp.comments, cp.subject, cp.revision = "示例数据（合成数据，非官方文件）", "示例数据", 1
    cp.created = cp.modified = when
    buf = io.BytesIO()
    doc.save(buf)
    return fixed_zip(buf.getvalue(), when)


def fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """Re-write a ZIP container with fixed entry times and stored (uncompressed) entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_STORED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------------------------------
# The county's 政府信息公开工作年度报告 (GBK HTML)
# --------------------------------------------------------------------------------------------------
def _table(caption_row: str, head: list[str], rows: list[list[str]]) -> str:
    width = len(head)
    out = ['<table border="1" cellspacing="0" cellpadding="4" class="xxgk">',
           f'<tr><td colspan="{width}" align="center"><b>{caption_row}</b></td></tr>',
           "<tr>" + "".join(f"<td>{h}</td>" for h in head) + "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def disclosure_html(t, m: ModuleType) -> tuple[str, bytes]:
    """(title, GBK bytes) of the county's 2023 政府信息公开工作年度报告 page."""
    county = m.COUNTY_BY_NAME[DISCLOSURE_COUNTY]
    agency = m.agency_name(county, YEAR)
    f = document_figures(t, m)

    def n(ind: str) -> str:
        value = f[(YEAR, county.code, ind)]
        return f"{value:.2f}" if ind == "administrative_fees" else str(int(value))

    title = f"{agency}{YEAR}年政府信息公开工作年度报告{m.SAMPLE_TAG}"
    body = [
        f"<h1>{title}</h1>",
        '<p class="note">注：本页为演示用示例数据（合成数据），不是官方发布的年度报告。</p>',
        "<h2>一、总体情况</h2>",
        "<p>本局坚持以公开为常态、不公开为例外，围绕自然资源管理重点工作，主动公开执法信息，"
        "依法办理依申请公开事项，政府信息公开工作平稳有序。</p>",
        f"<p>本年度共收到政府信息公开申请{n('info_disclosure_requests')}件，均已按期答复。</p>",
        "<h2>二、主动公开政府信息情况</h2>",
        _table("第二十条第（五）项", ["信息内容", "本年处理决定数量"], [["行政许可", n("license_decisions")]]),
        "<br>",
        _table("第二十条第（六）项", ["信息内容", "本年处理决定数量"],
               [["行政处罚", n("penalty_decisions")], ["行政强制", n("coercion_decisions")]]),
        "<br>",
        _table("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"],
               [["行政事业性收费", n("administrative_fees")]]),
        "<h2>三、存在的主要问题及改进情况</h2>",
        "<p>信息公开的及时性和解读的针对性仍需加强。下一步将健全公开审查机制，提升公开质量。</p>",
    ]
    page = "\n".join([
        "<!DOCTYPE html>",
        "<html>",
        "<head>",
        '<meta charset="gbk">',
        f"<title>{title}</title>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ])
    return title, page.encode("gbk")


# --------------------------------------------------------------------------------------------------
# 固原市's 2023 行政处罚 form (PDF with ruling lines)
# --------------------------------------------------------------------------------------------------
def penalty_rows(t, m: ModuleType) -> tuple[str, list[list[str]], str]:
    """(title, grid with header row first, note) of the PDF form."""
    cname = m.CITY_NAME[PDF_CITY]
    title = f"{YEAR}年{cname}自然资源系统行政处罚实施情况统计表{m.SAMPLE_TAG}"
    header = ["单位名称", *m.PENALTY_HEADERS_NATIONAL, "合计（宗）", "罚没金额（万元）"]
    rows = [header]
    for county in m.counties_of(PDF_CITY):
        rows.append([m.agency_name(county, YEAR), *[str(t.get(YEAR, county.code, k)) for k in m.PENALTY_CODES],
                     str(t.get(YEAR, county.code, "penalties_total")), m.wan(t.get(YEAR, county.code,
                                                                                   "fines_collected"))])
    rows.append(["合计", *[str(t.get(YEAR, PDF_CITY, k)) for k in m.PENALTY_CODES],
                 str(t.get(YEAR, PDF_CITY, "penalties_total")), m.wan(t.get(YEAR, PDF_CITY, "fines_collected"))])
    note = "注：本表为示例数据，非官方统计；同一案件并处多种处罚的，按其中最重的处罚种类统计。"
    return title, rows, note


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters; a unit in brackets (（宗）) keeps a line of its own."""
    name, bracket, unit = text.partition("（")
    lines = [name[i:i + width] for i in range(0, len(name), width)] or [""]
    return lines + ([bracket + unit] if bracket else [])


def table_pdf_bytes(title: str, rows: list[list[str]], note: str) -> bytes:
    """One A4-landscape page: the title, ``rows`` as a table drawn with ruling lines (header row first,
    long header texts wrapped inside their cell), the note below. Text is real text in the bundled CJK
    font (TrueType embedded, so the PDF has a text layer)."""
    import matplotlib
    from matplotlib.backends.backend_pdf import FigureCanvasPdf
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import Rectangle

    from analysis.present.fonts import cjk_font_path

    font = FontProperties(fname=str(cjk_font_path()))
    page_w, page_h = 842.0, 595.0  # A4 landscape, points
    label_w, n_cols = 118.0, len(rows[0])
    col_w = (page_w - 2 * 30 - label_w) / (n_cols - 1)
    head_h, row_h, x0, top = 48.0, 22.0, 30.0, 90.0
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = Figure(figsize=(page_w / 72, page_h / 72))
        FigureCanvasPdf(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, page_w)
        ax.set_ylim(page_h, 0)  # y grows downwards, like a page
        ax.axis("off")
        ax.text(page_w / 2, 50, title, fontproperties=font, fontsize=13, ha="center", va="baseline")
        y = top
        for r, row in enumerate(rows):
            h = head_h if r == 0 else row_h
            x = x0
            for c, value in enumerate(row):
                w = label_w if c == 0 else col_w
                ax.add_patch(Rectangle((x, y), w, h, fill=False, linewidth=0.8, edgecolor="black"))
                lines = _wrap(value, 4) if r == 0 and c else [value]
                for k, line in enumerate(lines):
                    ly = y + h / 2 + 3 + (k - (len(lines) - 1) / 2) * 10
                    ax.text(x + (w / 2 if r == 0 else 3), ly, line, fontproperties=font, fontsize=7.5,
                            ha="center" if r == 0 else "left", va="baseline")
                x += w
            y += h
        ax.text(x0, y + 24, note, fontproperties=font, fontsize=9, va="baseline")
        buf = io.BytesIO()
        fig.savefig(buf, format="pdf", metadata={"CreationDate": None, "Producer": None,
                                                 "Creator": "make_sample_data.py", "Title": title})
    return buf.getvalue()


# --------------------------------------------------------------------------------------------------
# Entry point for make_sample_data.render()
# --------------------------------------------------------------------------------------------------
def write_documents(w, t, m: ModuleType) -> None:
    """Add the three documents to the writer ``w`` (files, titles, quirk log)."""
    rel = m.FILES["2023_letter"]
    paragraphs = letter_paragraphs(t, m)
    title = paragraphs[0][1]
    w.files[rel] = docx_bytes(paragraphs, title, LETTER_DATE)
    w.titles.append((rel, "", title))
    c = letter_conflict(t, m)
    w.quirk(rel, c.letter_paragraph, "S2", f"{c.letter_value}起",
            f"故意设置的来函与统计表不一致：来函称全区立案查处{c.letter_value}起，统计表 {c.table_file} "
            f"{c.table_sheet}!{c.table_cell} 为{c.table_value}起；以统计表为准（source_conflict）"
            " / the one deliberate letter/table disagreement")

    rel = m.FILES["2023_disclosure"]
    title, page = disclosure_html(t, m)
    w.files[rel] = page
    w.titles.append((rel, "", title))
    w.quirk(rel, "", "<meta>", 'charset="gbk"', "网页以GBK编码并在meta中声明 / GBK bytes, declared in <meta charset>")

    rel = m.FILES["2023_penalty_pdf"]
    title, rows, note = penalty_rows(t, m)
    w.files[rel] = table_pdf_bytes(title, rows, note)
    w.titles.append((rel, "表1（第1页）", title))
    w.quirk(rel, "表1（第1页）", f"R{len(rows)}C{len(rows[0])}", rows[-1][-1],
            "PDF表格（带框线与文字层）；合计行罚没金额与2023年主要指标表相同（合并为一条） / identical duplicate")
