"""Narrative tables (key indicators) and their exports: HTML (pandas Styler), Markdown, Word, Excel.

- :func:`key_indicator_table` builds the table from the summary table (contracts.md section 4): columns
  ``指标, 数值, 单位, 上年, 同比变化, 趋势, 排名``; ``数值`` and ``上年`` stay numeric (floats) so the XLSX
  keeps real numbers; the other columns are text.
- Display rules (HTML, Markdown, Word): numbers are formatted by the row's ``单位``: 万元 with 2
  decimals, % with 1 decimal, other units as integers; tables group digits (``18,907``).
- Every text cell is data, never markup: HTML escapes it, Markdown escapes ``<>&|``, Word and Excel
  drop XML-illegal control characters, Excel text goes through the formula-injection guard
  (:func:`analysis.safe_cells.neutralize_formula`).
- Files are written atomically (temp file beside the target + ``os.replace``).
"""

from __future__ import annotations

import hashlib
import html
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.atomic import atomic_path
from analysis.present.narrative.render import change_case
from analysis.present.numbers import MISSING_MARK, decimals_for, format_number, is_blank, number_text
from analysis.safe_cells import spreadsheet_text, xml_safe

COLUMNS = ["指标", "数值", "单位", "上年", "同比变化", "趋势", "排名"]
NUMERIC_COLUMNS = ("数值", "上年")


DOCX_FONTS = {"body": "仿宋_GB2312", "heading": "黑体", "table": "宋体", "latin": "Times New Roman"}
"""Word fonts (GB/T 9704 practice); Word substitutes a similar font where one is not installed."""


# --------------------------------------------------------------------------- building


def change_text(row: Mapping) -> str:
    """The 同比变化 cell: ``+9.7%``, ``-5.9%``, ``+2.3个百分点`` (rates), ``持平``, ``基本持平``,
    ``上年为零``, ``首次统计``, ``上年数据缺失``; ``约`` in front when the value is approximate."""
    return change_parts(row)[0]


PCT_FORMAT = '+0.0%;-0.0%;0.0%'
POINTS_FORMAT = '+0.0"个百分点";-0.0"个百分点";0.0"个百分点"'


def change_parts(row: Mapping) -> tuple[str, float | None, str | None]:
    """``(text, number, number_format)`` of the 同比变化 cell: the text of :func:`change_text` and, when the
    change is a number, the value a spreadsheet stores (a fraction for ``%``: 0.097 for +9.7%; points for a
    rate) rounded as displayed, with its Excel number format; ``(text, None, None)`` otherwise."""
    if bool(row.get("missing")) and not is_blank(row.get("missing")):
        return MISSING_MARK, None, None
    if is_blank(row.get("value")):
        return MISSING_MARK, None, None
    case = change_case(row)
    approx = "约" if (not is_blank(row.get("approx")) and bool(row.get("approx"))) else ""
    words = {"first_year": "首次统计", "missing_base": "上年数据缺失", "flat": "持平", "flat_approx": "基本持平"}
    if case in words:
        return words[case], None, None
    if case == "zero_base" and row.get("kind") != "rate":
        return "上年为零", None, None
    prefix = '"约"' if approx else ""
    diff = row.get("abs_change")
    if is_blank(diff):
        diff = float(row["value"]) - float(row["prev_value"])
    if row.get("kind") == "rate":
        number = float(number_text(float(diff), 1))
        return f"{approx}{_signed(float(diff))}个百分点", number, _prefixed(POINTS_FORMAT, prefix)
    pct = row.get("pct_change")
    if is_blank(pct):
        pct = float(diff) / abs(float(row["prev_value"])) * 100
    number = float(number_text(float(pct), 1)) / 100
    return f"{approx}{_signed(float(pct))}%", round(number, 6), _prefixed(PCT_FORMAT, prefix)


def _prefixed(fmt: str, prefix: str) -> str:
    return ";".join(prefix + part for part in fmt.split(";")) if prefix else fmt


def _signed(value: float) -> str:
    text = number_text(abs(value), 1)
    return ("-" if value < 0 and text != "0.0" else "+") + text


def _rank_text(row: Mapping) -> str:
    if is_blank(row.get("rank")) or row.get("level") == "province":
        return MISSING_MARK
    peers = row.get("n_peers")
    return f"{int(row['rank'])}/{int(peers)}" if not is_blank(peers) else str(int(row["rank"]))


def key_indicator_table(
    summary_df: pd.DataFrame, region_code: str, year: int, indicators: Sequence[str] | None = None
) -> pd.DataFrame:
    """Key indicators of one region and year: 指标, 数值, 单位, 上年, 同比变化, 趋势, 排名.

    Rows follow ``indicators`` (codes) when given (a missing value shows ``—``), else summary-table order
    with missing values left out. ``排名`` is ``rank/n_peers``
    for cities and counties, ``—`` for the province. ``df.attrs["approx"]`` lists the 指标 whose value
    is approximate (the display adds ``约``); ``df.attrs["change_numbers"]`` maps a 指标 to the number and
    Excel format of its 同比变化 (:func:`change_parts`), so the XLSX stores the change as a number.
    """
    rows = summary_df[(summary_df["region_code"].astype(str) == str(region_code))
                      & (summary_df["year"].astype(int) == int(year))]
    if indicators is not None:
        by_code = {code: group.iloc[0] for code, group in rows.groupby("indicator", sort=False)}
        chosen = [by_code[c] for c in indicators if c in by_code]
    else:
        chosen = [r for _, r in rows.drop_duplicates("indicator").iterrows()
                  if not (is_blank(r.get("value")) or (not is_blank(r.get("missing")) and bool(r.get("missing"))))]
    records = []
    approx = []
    change_numbers: dict[str, tuple[float, str]] = {}
    for r in chosen:
        row = dict(r.items())
        missing = (not is_blank(row.get("missing")) and bool(row.get("missing"))) or is_blank(row.get("value"))
        name = str(row.get("name_zh") or row.get("indicator"))
        if not missing and not is_blank(row.get("approx")) and bool(row.get("approx")):
            approx.append(name)
        trend = row.get("trend_label")
        text, number, number_format = change_parts(row)
        if number is not None:
            change_numbers[name] = (number, number_format)
        records.append({
            "指标": name,
            "数值": math.nan if missing else float(row["value"]),
            "单位": "" if is_blank(row.get("unit")) else str(row["unit"]),
            "上年": math.nan if is_blank(row.get("prev_value")) else float(row["prev_value"]),
            "同比变化": text,
            "趋势": MISSING_MARK if is_blank(trend) else str(trend),
            "排名": _rank_text(row),
        })
    table = pd.DataFrame.from_records(records, columns=COLUMNS)
    table.attrs["approx"] = approx
    table.attrs["change_numbers"] = change_numbers
    return table


# --------------------------------------------------------------------------- display helpers


def format_cell(value, unit: str = "") -> str:
    """A table cell as displayed: numbers grouped and rounded by unit (:mod:`analysis.present.numbers`)."""
    return format_number(value, unit)


def display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """All cells as display strings (numbers formatted by the row's 单位 when the table has one)."""
    units = df["单位"].astype(str).tolist() if "单位" in df.columns else [""] * len(df)
    approx = set(df.attrs.get("approx", []))
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        cells = []
        for i, value in enumerate(df[col].tolist()):
            text = format_cell(value, units[i])
            if col == "数值" and "指标" in df.columns and df["指标"].iloc[i] in approx and text != MISSING_MARK:
                text = "约" + text
            cells.append(text)
        out[str(col)] = cells
    return out


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """Columns holding numbers (not booleans): right-aligned in every face."""
    return [str(c) for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]


# --------------------------------------------------------------------------- HTML


TABLE_CSS = [
    {"selector": "", "props": "border-collapse: collapse; margin: 0.8em 0; font-size: 0.95em;"},
    {"selector": "caption", "props": "caption-side: top; font-weight: 700; text-align: left; padding: 0.3em 0;"},
    {"selector": "th", "props": "background: #E8EEF4; border: 1px solid #B8C4D0; padding: 0.35em 0.7em;"
                                " text-align: center; font-weight: 700;"},
    {"selector": "td", "props": "border: 1px solid #B8C4D0; padding: 0.35em 0.7em;"},
    {"selector": "tbody tr:nth-child(even)", "props": "background: #F7F9FB;"},
]


def to_html(df: pd.DataFrame, caption: str) -> str:
    """The table as an HTML fragment (pandas Styler): inline ``<style>``, escaped text, no external resources.

    Numeric columns are right-aligned. Every cell, header and the caption are HTML-escaped, so a
    region named ``<script>…</script>`` shows as text.
    """
    shown = display_frame(df)
    digest = hashlib.sha1((caption + shown.to_csv()).encode("utf-8")).hexdigest()[:10]
    numeric = numeric_columns(df)
    styler = (
        shown.style.hide(axis="index")
        .format(escape="html")
        .format_index(escape="html", axis=1)
        .set_caption(html.escape(caption))
        .set_table_styles(TABLE_CSS)
        .set_uuid(f"t{digest}")
        .set_table_attributes('class="narrative-table"')
    )
    if numeric:
        styler = styler.set_properties(subset=numeric, **{"text-align": "right", "white-space": "nowrap"})
    return styler.to_html(doctype_html=False)


# --------------------------------------------------------------------------- Markdown


def _md_cell(text: str) -> str:
    text = xml_safe(text).replace("\r", " ").replace("\n", " ")
    return html.escape(text, quote=False).replace("|", "\\|")


def to_markdown(df: pd.DataFrame) -> str:
    """A GitHub-style pipe table; numeric columns right-aligned; ``<>&`` escaped, ``|`` backslashed."""
    shown = display_frame(df)
    numeric = set(numeric_columns(df))
    header = "| " + " | ".join(_md_cell(c) for c in shown.columns) + " |"
    rule = "| " + " | ".join("---:" if c in numeric else "---" for c in shown.columns) + " |"
    body = ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in shown.itertuples(index=False)]
    return "\n".join([header, rule, *body]) + "\n"


# --------------------------------------------------------------------------- Word


def to_docx(tables: Mapping[str, pd.DataFrame], paragraphs: Sequence[str], path: str | Path, title: str) -> Path:
    """The Word export in GB/T 9704 layout (:func:`analysis.present.report_docx.to_docx`): the title, the
    paragraphs (plain strings, :class:`~analysis.present.report_docx.DocHeading` headings and
    :class:`~analysis.present.report_docx.DocTable` tables in report order), then the tables not yet placed."""
    from analysis.present.report_docx import to_docx as write

    return write(tables, paragraphs, path, title)


# --------------------------------------------------------------------------- Excel

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", xml_safe(name)).strip("' ") or "Sheet"
    base = base[:31]
    title, n = base, 2
    while title.lower() in used:
        suffix = f"_{n}"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title.lower())
    return title


def _number_format(unit: str, value: float) -> str:
    if unit.startswith("万元"):
        return "#,##0.00"
    if unit == "%":
        return "0.0"
    return "#,##0" if float(value).is_integer() else "#,##0.00"


_HEADER_UNIT = re.compile(r"（([^（）]+)）$")


def column_unit(column: str) -> str:
    """The unit in a column header's trailing brackets: ``占比（%）`` -> ``%``, ``罚没款（万元）`` -> ``万元``."""
    match = _HEADER_UNIT.search(str(column))
    return match.group(1) if match else ""


def cell_units(df: pd.DataFrame, column: str) -> list[str]:
    """The unit of each cell of ``column``: the row's ``单位`` when the table has that column, else the header's."""
    if "单位" in df.columns and str(column) != "单位":
        return ["" if is_blank(u) else str(u) for u in df["单位"].tolist()]
    return [column_unit(column)] * len(df)


def export_number(value: float, unit: str = "") -> int | float:
    """A number as exported (XLSX cell, CSV field): rounded half-up to the decimals the reader sees
    (:func:`analysis.present.numbers.decimals_for`), so no float noise such as ``42.86004672897196``;
    whole numbers as ``int``."""
    if isinstance(value, numbers.Integral):
        return int(value)
    places = decimals_for(float(value), unit)
    rounded = float(number_text(float(value), places if places is not None else 2))
    return int(rounded) if rounded.is_integer() and places == 0 else rounded


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))



SOURCE_LINE = "数据来源：{source}"
UNIT_LINE = "计量单位：{unit}"
UNIT_BY_COLUMN = "见“单位”列"
UNIT_BY_HEADER = "见各列标题（{units}）"
UNIT_NONE = "—"
DEFAULT_SOURCE = "行政执法统计报表"
SAMPLE_RED = "B22222"


def unit_line(df: pd.DataFrame) -> str:
    """The sheet's 计量单位 line: the ``单位`` column, the units in the column headers, or ``—``."""
    if "单位" in df.columns:
        return UNIT_LINE.format(unit=UNIT_BY_COLUMN)
    units = list(dict.fromkeys(u for u in (column_unit(c) for c in df.columns) if u))
    return UNIT_LINE.format(unit=UNIT_BY_HEADER.format(units="、".join(units)) if units else UNIT_NONE)


def _page_setup(ws, n_columns: int, header_row: int) -> None:
    """A4, fitted to one page wide (as many pages tall as needed), header row repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if n_columns > 6 else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True


def to_xlsx(tables: Mapping[str, pd.DataFrame], path: str | Path, *, titles: Mapping[str, str] | None = None,
            source: str | None = None, sample_note: str | None = None) -> Path:
    """An XLSX workbook for pasting, one sheet per table.

    Each sheet starts with a title row (``titles[name]``, else the table's ``attrs["caption"]``, else the
    sheet name), the 计量单位 line (:func:`unit_line`), the 数据来源 line (``source``) and, for sample data,
    ``sample_note`` in red; then the bold header (frozen, repeated on printed pages) and the rows. Numbers
    stay numbers, rounded as displayed (:func:`export_number`), with number formats (``#,##0`` counts,
    ``#,##0.00`` 万元 or fractional values, ``0.0`` percentages) chosen by the row's ``单位`` or the header's
    unit; the 同比变化 of a key-indicator table is a number with a ``+0.0%`` / ``+0.0"个百分点"`` format
    (``attrs["change_numbers"]``). A4, fitted to the page width. Every text cell passes through the
    formula-injection guard. Written atomically.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    thin = Side(style="thin", color="B8C4D0")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_fill = PatternFill("solid", fgColor="E8EEF4")
    for name, df in tables.items():
        ws = wb.create_sheet(_sheet_title(str(name), used))
        columns = [str(c) for c in df.columns]
        ncols = max(1, len(columns))
        title = (titles or {}).get(name) or df.attrs.get("caption") or str(name)
        meta = [(spreadsheet_text(title), Font(bold=True, size=14)),
                (spreadsheet_text(unit_line(df)), Font(size=10)),
                (spreadsheet_text(SOURCE_LINE.format(source=source or DEFAULT_SOURCE)), Font(size=10))]
        if sample_note:
            meta.append((spreadsheet_text(sample_note), Font(size=10, bold=True, color=SAMPLE_RED)))
        for r, (text, font) in enumerate(meta, start=1):
            cell = ws.cell(row=r, column=1, value=text)
            cell.font = font
            cell.alignment = Alignment(horizontal="left", vertical="center")
            if ncols > 1:
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
        header = len(meta) + 1
        change_numbers = df.attrs.get("change_numbers") or {}
        approx = set(df.attrs.get("approx") or [])
        names = df["指标"].tolist() if "指标" in df.columns else [None] * len(df)
        units_by_col = {c: cell_units(df, c) for c in df.columns}
        widths = [_display_width(c) for c in columns]
        for j, col in enumerate(columns, start=1):
            cell = ws.cell(row=header, column=j, value=spreadsheet_text(col))
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.border = border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for i, values in enumerate(df.itertuples(index=False)):
            row = header + 1 + i
            for j, (col, value) in enumerate(zip(df.columns, values), start=1):
                unit = units_by_col[col][i]
                if str(col) == "同比变化" and names[i] in change_numbers:
                    number, number_format = change_numbers[names[i]]
                    cell = ws.cell(row=row, column=j, value=number)
                    cell.number_format = number_format
                    cell.alignment = Alignment(horizontal="right")
                    widths[j - 1] = max(widths[j - 1], _display_width(str(value)))
                elif is_blank(value):
                    cell = ws.cell(row=row, column=j, value=None)
                elif isinstance(value, bool | np.bool_):
                    cell = ws.cell(row=row, column=j, value=bool(value))
                elif isinstance(value, numbers.Real):
                    cell = ws.cell(row=row, column=j, value=export_number(value, unit))
                    cell.number_format = _number_format(unit, float(cell.value))
                    if str(col) == "数值" and names[i] in approx:
                        cell.number_format = _prefixed(cell.number_format, '"约"')
                    cell.alignment = Alignment(horizontal="right")
                    widths[j - 1] = max(widths[j - 1], len(format_cell(value, unit)))
                else:
                    text = spreadsheet_text(value)
                    cell = ws.cell(row=row, column=j, value=text)
                    widths[j - 1] = max(widths[j - 1], _display_width(text))
                cell.border = border
        for j, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, width + 2))
        ws.freeze_panes = f"A{header + 1}"
        _page_setup(ws, ncols, header)
    if not wb.sheetnames:
        wb.create_sheet("空表")
    dest = Path(path)
    with atomic_path(dest) as tmp:
        wb.save(str(tmp))
    return dest


__all__ = [
    "COLUMNS",
    "cell_units",
    "change_parts",
    "change_text",
    "column_unit",
    "display_frame",
    "export_number",
    "format_cell",
    "key_indicator_table",
    "numeric_columns",
    "to_docx",
    "to_html",
    "to_markdown",
    "to_xlsx",
    "unit_line",
]
