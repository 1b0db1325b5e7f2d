"""Row-label tables: the indicator is named by the row label, the figure stands in a column.

The 政府信息公开工作年度报告 (information-disclosure annual report) is published this way. Its 第二十条
tables have a ``信息内容`` header row, one row per item (规章, 行政规范性文件, 行政许可, 行政处罚, 行政强制,
行政事业性收费) and columns such as 本年制发件数 or 本年处理决定数量 (国办公开办函〔2021〕30号格式), or, in
the older template, 上一年项目数量 | 本年增/减 | 处理决定数量, where only the last column is the year's
decisions. The agency is the one the report is about, named in its title
(``固原市原州区自然资源局2023年政府信息公开工作年度报告``).

:func:`pivot_row_label_sheets` turns such a sheet into a one-row table the ordinary extractor reads:
header ``单位 | 行政许可/本年处理决定数量 | …`` and one data row ``<agency> | <figures>``, where every
column is an item/column pair the ``gov_info_disclosure`` column map (catalogue data) names. Cell
references stay those of the published table. Every other number of the table (上一年项目数量, 本年增/减,
本年废止件数, …) gets a ``figure_not_used`` finding saying why, so nothing is lost.
"""

from __future__ import annotations

import re

from analysis.catalog import Catalog, norm_header_path
from analysis.catalog.normalize import normalize_header, normalize_text
from analysis.clean.findings import QualityReport
from analysis.clean.values import looks_numeric

TEMPLATE = "gov_info_disclosure"
HEADER_LABEL = "信息内容"
_PAREN_RE = re.compile(r"[（(][^（）()]*[）)]")
_REPORT_TITLE_RE = re.compile(r"^(?P<agency>.+?)(?:(?:19|20)\d{2}年度?)?政府信息公开(?:工作)?(?:年度)?报告")
_LEADING_YEAR_RE = re.compile(r"^(?:19|20)\d{2}年度?")


def _norm(text: object) -> str:
    return normalize_text("" if text is None else str(text))


def _key_part(text: object) -> tuple[str, str | None]:
    """(normalised name without explanatory parentheses, unit) of a label or header cell."""
    raw = "" if text is None else str(text)
    h = normalize_header(raw)
    name = _PAREN_RE.sub("", h.name or "")
    return norm_header_path(name.replace("/", "／")), h.unit


def report_agency(titles: list[str]) -> str:
    """The agency a disclosure report is about, from its title (year and report words stripped)."""
    for t in titles:
        m = _REPORT_TITLE_RE.search(_norm(t))
        if m:
            agency = _LEADING_YEAR_RE.sub("", m.group("agency")).strip()
            if agency:
                return agency
    return ""


class RowLabelView:
    """A one-row table over a row-label sheet; references point at the published cells."""

    def __init__(self, sheet, label: str, label_ref: str, columns: list[tuple[str, str, int, int]]):
        self._sheet = sheet
        self.name = sheet.name
        self.kind = sheet.kind
        self.hidden = getattr(sheet, "hidden", False)
        self.title_lines = list(getattr(sheet, "title_lines", []) or [])
        self.values: list[list[object]] = [["单位", *(h for h, _, _, _ in columns)],
                                           [label or None, *(sheet.values[r][c] for _, _, r, c in columns)]]
        self.merged: list[tuple[int, int, int, int]] = []
        flags = getattr(sheet, "flags", {}) or {}
        self.flags = {(1, j + 1): flags[(r, c)] for j, (_, _, r, c) in enumerate(columns) if (r, c) in flags}
        self._refs = {(0, 0): label_ref, (1, 0): label_ref}
        for j, (_, href, r, c) in enumerate(columns):
            self._refs[(0, j + 1)] = href
            self._refs[(1, j + 1)] = sheet.ref(r, c)

    def ref(self, r: int, c: int) -> str:
        return self._refs.get((r, c)) or self._sheet.ref(r, c)


def _first_cell(row: list[object]) -> tuple[int, object]:
    for c, v in enumerate(row):
        if v is not None and str(v).strip():
            return c, v
    return -1, None


def pivot_sheet(sheet, file: str, catalog: Catalog, report: QualityReport):
    """The :class:`RowLabelView` of a disclosure-report sheet, or ``None`` when the sheet is not one."""
    mapping = catalog.column_maps.get(TEMPLATE)
    if not mapping:
        return None
    headers: dict[int, tuple[str, str | None]] | None = None
    header_row = -1
    columns: list[tuple[str, str, int, int]] = []
    unused: list[tuple[int, int, str]] = []
    outside: list[tuple[int, int]] = []
    heads: list[tuple[int, int]] = []  # header cells that look numeric (指2019年事项数)
    label_ref = ""
    for r, row in enumerate(sheet.values):
        c0, first = _first_cell(row)
        if c0 < 0:
            continue
        if _key_part(first)[0] == HEADER_LABEL:
            headers = {c: _key_part(v) for c, v in enumerate(row) if c > c0 and v is not None and str(v).strip()}
            header_row = r
            label_ref = label_ref or sheet.ref(r, c0)
            heads.extend((r, c) for c, v in enumerate(row) if v is not None and looks_numeric(v))
            continue
        if headers is None:
            outside.extend((r, c) for c, v in enumerate(row) if v is not None and looks_numeric(v))
            continue
        item = _key_part(first)[0]
        for c, v in enumerate(row):
            if c <= c0 or v is None:
                continue
            name, unit = headers.get(c, ("", None))
            code = mapping.get(f"{item}/{name}") if item and name else None
            if code:
                head = f"{item}/{name}" + (f"（{unit}）" if unit else "")
                columns.append((head, sheet.ref(header_row, c), r, c))
            elif looks_numeric(v):
                unused.append((r, c, f"{item}/{name}" if name else item))
    if not columns:
        return None
    for r, c, what in unused:
        report.add("figure_not_used", file=file, sheet=sheet.name, cell=sheet.ref(r, c), raw_value=sheet.values[r][c],
                   reason_zh=f"信息公开年报中“{what}”不是本年统计数", reason_en=f"'{what}' in the disclosure report "
                   "is not a figure for the year")
    for r, c in outside:
        report.add("number_outside_table", file=file, sheet=sheet.name, cell=sheet.ref(r, c),
                   raw_value=sheet.values[r][c], zone_zh="表格以外区域", zone_en="area outside the table")
    for r, c in heads:
        report.add("number_outside_table", file=file, sheet=sheet.name, cell=sheet.ref(r, c),
                   raw_value=sheet.values[r][c], zone_zh="表头", zone_en="header")
    return RowLabelView(sheet, report_agency(list(getattr(sheet, "title_lines", []) or [])), label_ref, columns)


def pivot_row_label_sheets(workbook, catalog: Catalog, report: QualityReport) -> None:
    """Replace, in place, every disclosure-report sheet of ``workbook`` by its one-row view."""
    workbook.sheets = [pivot_sheet(s, workbook.rel_path, catalog, report) or s for s in workbook.sheets]
