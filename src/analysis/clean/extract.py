"""One extractor for every table and year: a read sheet + its detected layout -> tidy facts + findings.

Every raw cell in a data row under a value column becomes exactly one of: a fact, or a finding
(missing value, invalid value, unmapped header, unknown region, year conflict, ...). A final
coverage pass reports every other numeric-looking cell (titles, notes, running numbers) so that
nothing numeric vanishes silently (the conservation property, see ``tests/test_conservation.py``).
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from analysis.catalog import Catalog, Region, year_candidates
from analysis.catalog.normalize import normalize_unit
from analysis.catalog.scope import label_scope
from analysis.catalog.units import MONEY_FACTORS_TO_WANYUAN
from analysis.clean.findings import QualityReport
from analysis.clean.layout import Column, DataRow, TableLayout, detect_layout, is_empty_cell
from analysis.clean.region_rows import contexts, file_context, report_match, table_rows
from analysis.clean.values import looks_numeric, parse_value

FACT_FIELDS = [
    "year", "region_code", "region_name", "level", "agency", "indicator", "value", "unit", "approx",
    "source_file", "source_sheet", "source_cell", "scope", "source_kind", "evidence", "evidence_span",
    "region_code_reported",
]
REASONS = {
    "text": ("文字而非数字", "text, not a number"),
    "date": ("日期而非数字", "a date where a number belongs"),
    "excel_error": ("Excel 错误值", "an Excel error value"),
    "formula_no_cache": ("公式没有计算结果", "a formula with no cached value"),
    "ambiguous": ("写法有歧义", "an ambiguous notation"),
    "bool": ("逻辑值", "a boolean"),
    "not_finite": ("非有限数值", "not a finite number"),
    "overflow": ("数值超出范围", "number out of range"),
    "bytes": ("无法解码的内容", "undecodable bytes"),
    "type": ("无法识别的类型", "an unknown cell type"),
}
YEAR_SOURCES_ZH = {
    "manifest": "清单 manifest.csv", "title": "标题", "sheet": "工作表名", "file": "文件名", "folder": "文件夹名",
}
_RANGE_YEAR_RE = re.compile(r"(19|20)\d{2}\s*(?:年)?\s*[-—~至到]\s*(19|20)\d{2}")


@dataclass
class ExtractResult:
    facts: list[dict] = field(default_factory=list)
    is_sample: bool = False
    tables: int = 0


# --------------------------------------------------------------------------- manifest and years


def load_manifest(raw_root: Path, report: QualityReport) -> dict[str, int]:
    """``manifest.csv`` at the raw root: ``path,year,note`` (optional). Returns rel_path -> year."""
    path = Path(raw_root) / "manifest.csv"
    if not path.is_file():
        return {}
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        try:
            text = path.read_bytes().decode("gb18030")
        except (OSError, UnicodeDecodeError):
            report.add("manifest_invalid", file="manifest.csv", line=1, reason_zh="无法解码", reason_en="undecodable")
            return {}
    out: dict[str, int] = {}
    for i, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        rel = (row.get("path") or "").strip().replace("\\", "/")
        year_text = (row.get("year") or "").strip()
        if not rel or not re.fullmatch(r"(19|20)\d{2}", year_text):
            report.add("manifest_invalid", file="manifest.csv", cell=f"R{i}", raw_value=f"{rel},{year_text}",
                       line=i, reason_zh="路径为空或年份不是四位数", reason_en="empty path or year not 4 digits")
            continue
        out[str(PurePosixPath(rel))] = int(year_text)
    return out


def single_year(text: str) -> int | None:
    """The one year a text names; ``None`` when it names none, several, or a range (2019-2024)."""
    if not text or _RANGE_YEAR_RE.search(text):
        return None
    years = year_candidates(text)
    return years[0] if len(years) == 1 else None


def year_sources(rel_path: str, sheet_name: str, titles: list[str], manifest_year: int | None) -> list[tuple[str, int]]:
    """Present year sources, in precedence order: manifest, title, sheet, file, folder."""
    p = PurePosixPath(rel_path)
    out: list[tuple[str, int]] = []
    if manifest_year is not None:
        out.append(("manifest", manifest_year))
    for t in titles:
        y = single_year(t)
        if y is not None:
            out.append(("title", y))
            break
    y = single_year(sheet_name)
    if y is not None:
        out.append(("sheet", y))
    y = single_year(p.stem)
    if y is not None:
        out.append(("file", y))
    for folder in reversed(p.parts[:-1]):
        y = single_year(folder)
        if y is not None:
            out.append(("folder", y))
            break
    return out


# --------------------------------------------------------------------------- extraction


def clip(text: object, limit: int = 40) -> str:
    """Shorten a raw text for a message (the full text stays in ``raw_value``)."""
    t = "" if text is None else str(text)
    return t if len(t) <= limit else t[:limit] + "…"


def _fmt(x: float) -> str:
    if x is None or not math.isfinite(x):
        return str(x)
    return f"{x:.6f}".rstrip("0").rstrip(".")


def _money_factor(unit: str | None) -> float | None:
    if unit is None:
        return None
    return MONEY_FACTORS_TO_WANYUAN.get(normalize_unit(unit) or unit)


def _ancestors(catalog: Catalog, code: str) -> list[str]:
    out = []
    seen = set()
    while code and code in catalog.regions and code not in seen:
        seen.add(code)
        code = catalog.regions[code].parent_code
        if code:
            out.append(code)
    return out


def covered_parent(catalog: Catalog, codes: set[str]) -> Region | None:
    """The region whose every descendant at the members' level is exactly ``codes`` (all five
    cities -> the province; all 22 counties -> the province too), else ``None``."""
    levels = {catalog.regions[c].level for c in codes}
    if len(levels) != 1:
        return None
    level = levels.pop()
    chains = [_ancestors(catalog, c) for c in codes]
    common = [a for a in chains[0] if all(a in ch for ch in chains[1:])]
    if not common:
        return None
    lca = common[0]
    descendants: set[str] = set()
    stack = [lca]
    while stack:
        cur = stack.pop()
        for kid in catalog.children(cur):
            if kid.level == level:
                descendants.add(kid.code)
            else:
                stack.append(kid.code)
    return catalog.regions[lca] if descendants == codes else None


MAX_BLOCKS_PER_SHEET = 20


class SheetBlock:
    """A sheet seen from row ``start`` down: rows above are blank, so cell references stay those of
    the original sheet (used for the second block of a wrapped wide form)."""

    def __init__(self, sheet, start: int):
        self._sheet = sheet
        self.name = sheet.name
        self.kind = sheet.kind
        width = len(sheet.values[0]) if sheet.values else 0
        self.values = [[None] * width for _ in range(start)] + sheet.values[start:]
        self.merged = [m for m in (sheet.merged or []) if m[0] >= start]
        self.flags = {k: v for k, v in (getattr(sheet, "flags", {}) or {}).items() if k[0] >= start}

    def ref(self, r: int, c: int) -> str:
        return self._sheet.ref(r, c)


class SheetExtractor:
    """Turns one sheet (or one block of it) into facts and findings."""

    def __init__(self, workbook, sheet, catalog: Catalog, report: QualityReport, manifest_year: int | None,
                 secondary: bool = False):
        self.secondary = secondary
        self.wb = workbook
        self.sheet = sheet
        self.catalog = catalog
        self.report = report
        self.manifest_year = manifest_year
        self.file = workbook.rel_path
        self.facts: list[dict] = []
        self.covered: set[str] = set()
        self.index_refs: set[str] = set()
        self.flags = getattr(sheet, "flags", {}) or {}

    # -- helpers
    def ref(self, r: int, c: int) -> str:
        return self.sheet.ref(r, c)

    def add(self, code: str, r: int | None = None, c: int | None = None, raw: object = "", cell: str = "",
            **params) -> None:
        if not cell and r is not None and c is not None:
            cell = self.ref(r, c)
        # A 100,000-character label or header is quoted by its start only, so messages stay readable.
        params = {k: (v[:300] + "…" if isinstance(v, str) and len(v) > 300 else v) for k, v in params.items()}
        self.report.add(code, file=self.file, sheet=self.sheet.name, cell=cell, raw_value=raw, **params)
        if cell:
            self.covered.add(cell)

    def value(self, r: int, c: int) -> object:
        row = self.sheet.values[r]
        return row[c] if c < len(row) else None

    def not_used(self, r: int, c: int, reason_zh: str, reason_en: str) -> None:
        v = self.value(r, c)
        if is_empty_cell(v):
            return
        if looks_numeric(v):
            self.add("figure_not_used", r, c, v, reason_zh=reason_zh, reason_en=reason_en)

    # -- main
    def run(self, layout: TableLayout | None = None) -> TableLayout:
        layout = layout or detect_layout(self.sheet, self.catalog)
        if layout.status == "no_table":
            if not self.secondary:
                self.add("sheet_no_table", cell="")
        elif layout.status == "no_data":
            r = layout.header_rows[0] if layout.header_rows else 0
            self.add("table_no_data", cell=self.ref(r, 0))
        elif layout.status == "no_header":
            rows = [d.row for d in layout.rows]
            span = f"{self.ref(rows[0], 0)}:{self.ref(rows[-1], max(layout.n_cols - 1, 0))}"
            self.add("header_not_found", cell=span, rows=f"{rows[0] + 1}-{rows[-1] + 1}")
            self.covered.discard(span)
            for d in layout.rows:
                for c in range(layout.n_cols):
                    self.not_used(d.row, c, "数据上方没有可识别的表头", "no recognisable header above the data")
        else:
            self._extract_table(layout)
        self._coverage_pass(layout)
        return layout

    def _extract_table(self, layout: TableLayout) -> None:
        """One table, step by step: usable value columns, the year, column units, data rows, total rows."""
        usable, blocked = self._usable_columns(layout)
        year, year_block = self._table_year(layout)
        col_info = self._column_units(layout, usable)
        parsed, regions_in_table = self._data_rows(layout, usable, blocked, col_info, year, year_block)
        self._total_rows(layout, usable, col_info, parsed, regions_in_table, year, year_block)

    def _usable_columns(self, layout: TableLayout) -> tuple[list[tuple[Column, str]], dict[int, tuple[str, str]]]:
        """Value columns mapped to one indicator each; unmapped, ambiguous and duplicated headers are
        findings, and their columns are blocked with the reason their figures are not used."""
        usable: list[tuple[Column, str]] = []
        blocked: dict[int, tuple[str, str]] = {}
        first_cell_of: dict[str, Column] = {}
        for col in layout.value_columns:
            hcell = self.ref(col.header_row, col.col)
            m = col.match
            if m is None or m.status == "unmapped":
                self.add("header_unmapped", cell=hcell, raw=col.raw_header, header=clip(col.raw_header) or "（空白表头）")
                h = clip(col.raw_header)
                blocked[col.col] = (f"表头“{h}”无法对应指标", f"header '{h}' is unmapped")
            elif m.status == "ambiguous":
                h = clip(col.raw_header)
                self.add("header_ambiguous", cell=hcell, raw=col.raw_header, header=h,
                         candidates="、".join(m.candidates))
                blocked[col.col] = (f"表头“{h}”对应多个指标", f"header '{h}' is ambiguous")
            else:
                if m.indicator in first_cell_of:
                    other = first_cell_of[m.indicator]
                    ocell = self.ref(other.header_row, other.col)
                    self.add("indicator_duplicated_in_table", cell=hcell, raw=col.raw_header,
                             indicator=m.indicator, cell_a=ocell, cell_b=hcell)
                    self.add("indicator_duplicated_in_table", cell=ocell, raw=other.raw_header,
                             indicator=m.indicator, cell_a=ocell, cell_b=hcell)
                    reason = (f"指标“{m.indicator}”在表中重复", f"indicator '{m.indicator}' duplicated in the table")
                    blocked[col.col] = reason
                    blocked[other.col] = reason
                else:
                    first_cell_of[m.indicator] = col
                usable.append((col, m.indicator))
        return [(c, ind) for c, ind in usable if c.col not in blocked], blocked

    def _table_year(self, layout: TableLayout) -> tuple[int | None, tuple[str, str] | None]:
        """The statistics year from the manifest, title, sheet, file and folder (:func:`year_sources`); a
        conflict or no year at all is a finding, and the reason every figure of the table is not used."""
        sources = year_sources(self.file, self.sheet.name, layout.titles, self.manifest_year)
        year: int | None = sources[0][1] if sources else None
        year_block: tuple[str, str] | None = None
        for name_b, y_b in sources[1:]:
            if y_b != sources[0][1]:
                name_a, y_a = sources[0]
                self.add("year_conflict", cell=self.ref(layout.header_rows[0], 0),
                         source_a=YEAR_SOURCES_ZH[name_a], year_a=y_a, source_b=YEAR_SOURCES_ZH[name_b], year_b=y_b)
                year_block = ("统计年份相互矛盾", "the year sources disagree")
                break
        if year is None:
            self.add("year_unknown", cell=self.ref(layout.header_rows[0], 0))
            year_block = ("无法确定统计年份", "the statistics year is unknown")
        return year, year_block

    def _column_units(self, layout: TableLayout, usable: list[tuple[Column, str]]) -> dict[int, dict]:
        """Per usable column: its indicator and the factor to the indicator's unit (money: the column's unit,
        else the table's, else the catalogue's, which is assumed and reported)."""
        col_info: dict[int, dict] = {}
        for col, ind_code in usable:
            ind = self.catalog.indicators[ind_code]
            info = {"indicator": ind, "factor": 1.0}
            if ind.kind == "money":
                unit = col.unit if _money_factor(col.unit) is not None else None
                if unit is None and _money_factor(layout.table_unit) is not None:
                    unit = layout.table_unit
                if unit is None:
                    unit = ind.unit
                    self.report.add("unit_assumed", file=self.file, sheet=self.sheet.name,
                                    cell=self.ref(col.header_row, col.col), raw_value=col.raw_header, unit=unit)
                info["unit"] = unit
                info["factor"] = _money_factor(unit) / (_money_factor(ind.unit) or 1.0)
                if unit != ind.unit:
                    self.report.add("unit_converted", file=self.file, sheet=self.sheet.name,
                                    cell=self.ref(col.header_row, col.col), raw_value=col.raw_header,
                                    from_unit=unit, to_unit=ind.unit, factor=_fmt(info["factor"]))
            col_info[col.col] = info
        return col_info

    def _data_rows(self, layout, usable, blocked, col_info, year, year_block):
        """Each data row's figures as facts; a label is resolved within the region the title, file name,
        parent column or rows establish. Returns the parsed values by cell and the rows' regions."""
        regions_in_table: list[tuple[DataRow, Region]] = []
        parsed: dict[tuple[int, int], float] = {}
        data_rows = [d for d in layout.rows if d.kind == "data"]
        labels = table_rows(self.value, layout, data_rows)
        ctxs = contexts(self.catalog, labels, file_context(self.catalog, self.file, layout.titles), year)
        for drow in data_rows:
            region, agency, row_block = self._resolve_row(drow, layout, labels[drow.row], ctxs[drow.row], year)
            if region is not None:
                regions_in_table.append((drow, region))
            for c in range(layout.n_cols):
                if c in blocked:
                    self.not_used(drow.row, c, *blocked[c])
            for col, _ in usable:
                v = self._cell_value(drow.row, col, col_info[col.col])
                if v is None:
                    continue
                value, approx = v
                parsed[(drow.row, col.col)] = value
                block = year_block or row_block
                if block or region is None:
                    block = block or ("行标签无法识别", "the row label is not recognised")
                    self.not_used(drow.row, col.col, *block)
                    continue
                self._emit(year, region, agency, col_info[col.col]["indicator"].code, value, approx,
                           drow.row, col.col, reported=labels[drow.row].reported)
        return parsed, regions_in_table

    def _total_rows(self, layout, usable, col_info, parsed, regions_in_table, year, year_block) -> None:
        """合计 rows check the data rows above them (小计 rows: those since the previous subtotal)."""
        above: list[DataRow] = []
        since_sub: list[DataRow] = []
        for drow in layout.rows:
            if drow.kind == "data":
                above.append(drow)
                since_sub.append(drow)
                continue
            members = since_sub if drow.kind == "subtotal" else above
            self._total_row(drow, members, usable, col_info, parsed, regions_in_table, year, year_block)
            since_sub = []

    def _resolve_row(self, drow: DataRow, layout: TableLayout, label, context: tuple[str, ...], year):
        label_cell = self.ref(drow.row, drow.label_col if drow.label_col >= 0 else 0)
        has_figures = any(not is_empty_cell(self.value(drow.row, col.col)) for col in layout.value_columns)
        self.covered.update(self.ref(r, c) for r, c in label.code_cells)  # a region code is not a figure
        if not label.label:
            if has_figures:
                self.add("region_unknown", cell=label_cell, label="（空白）", suggest_zh="", suggest_en="")
                return None, "", ("行标签为空", "the row label is blank")
            return None, "", None
        m = self.catalog.resolve_region(label.label, context, year)
        block = report_match(self.add, self.catalog, m, label.label, label_cell, year, clip)
        if block is not None:
            return None, "", block
        return m.region, (drow.label.strip() if m.via_agency else ""), None

    def _cell_value(self, r: int, col: Column, info: dict) -> tuple[float, bool] | None:
        """Parse one cell; report missing/invalid; return (value in canonical unit, approx) or None."""
        raw = self.value(r, col.col)
        ind = info["indicator"]
        flag = self.flags.get((r, col.col))
        if flag in ("formula_no_cache", "excel_error", "date"):
            zh, en = REASONS[flag]
            self.add("value_invalid", r, col.col, raw, reason_zh=zh, reason_en=en)
            return None
        pv = parse_value(raw)
        if pv.status == "missing":
            self.add("missing_value", r, col.col, raw if raw is not None else "")
            return None
        if pv.status != "ok" or pv.value is None:
            zh, en = REASONS.get(pv.reason, ("无法识别", pv.reason or "unrecognised"))
            self.add("value_invalid", r, col.col, raw, reason_zh=zh, reason_en=en)
            return None
        value = pv.value
        if ind.kind == "money":
            if pv.unit is not None and _money_factor(pv.unit) is None:
                self.add("unit_mismatch", r, col.col, raw, unit=pv.unit, indicator=ind.code, expected=ind.unit)
                return None
            if pv.unit is not None:
                factor = _money_factor(pv.unit) / (_money_factor(ind.unit) or 1.0)
                if pv.unit != ind.unit:
                    self.report.add("unit_converted", file=self.file, sheet=self.sheet.name, cell=self.ref(r, col.col),
                                    raw_value=raw, from_unit=pv.unit, to_unit=ind.unit, factor=_fmt(factor))
            else:
                factor = info["factor"]
            value = round(value * factor, 8)
        elif pv.unit is not None and (_money_factor(pv.unit) is not None or (pv.is_percent and ind.kind != "rate")):
            self.add("unit_mismatch", r, col.col, raw, unit=pv.unit, indicator=ind.code, expected=ind.unit)
            return None
        return value, bool(pv.approx)

    def _emit(self, year, region: Region, agency: str, indicator: str, value: float, approx: bool,
              r: int, c: int, from_total: bool = False, reported: str = "") -> None:
        ind = self.catalog.indicators[indicator]
        cell = self.ref(r, c)
        raw = self.value(r, c)
        self.facts.append({
            "year": int(year), "region_code": region.code, "region_name": region.name, "level": region.level,
            "agency": agency, "indicator": indicator, "value": float(value), "unit": ind.unit,
            "approx": approx, "source_file": self.file, "source_sheet": self.sheet.name, "source_cell": cell,
            "raw_value": "" if raw is None else str(raw), "from_total": from_total, "region_code_reported": reported,
            # an agency-named row (固原市自然资源局, 银川市本级) is the bureau's own work; a region row the whole region
            "scope": label_scope(agency, bool(agency), self.catalog.source_dir) if agency else "region",
            "source_kind": "table", "evidence": "", "evidence_span": "",
        })
        self.covered.add(cell)

    def _total_row(self, drow, members, usable, col_info, parsed, regions_in_table, year, year_block) -> None:
        member_rows = {d.row for d in members}
        member_regions = {reg.code for d, reg in regions_in_table if d.row in member_rows}
        all_regions = {reg.code for _, reg in regions_in_table}
        parent = None
        if len(member_regions) == len(members) and member_regions:
            p = covered_parent(self.catalog, member_regions)
            if p is not None and p.code not in all_regions:
                parent = p
        for col, _ in usable:
            v = self._cell_value(drow.row, col, col_info[col.col])
            if v is None:
                continue
            value, approx = v
            parts = [parsed.get((d.row, col.col)) for d in members]
            if parts and all(p is not None for p in parts):
                total = sum(parts)
                tol = 1e-6 * max(1.0, abs(value)) + (0.005 * len(parts) if col_info[col.col]["indicator"].kind == "money"
                                                     else 0.0)
                if abs(total - value) > tol:
                    self.report.add("total_mismatch", file=self.file, sheet=self.sheet.name,
                                    cell=self.ref(drow.row, col.col), raw_value=self.value(drow.row, col.col),
                                    total=_fmt(value), sum=_fmt(total))
            if parent is not None and not year_block:
                self._emit(year, parent, "", col_info[col.col]["indicator"].code, value, approx, drow.row, col.col,
                           from_total=True)
            elif year_block:
                self.not_used(drow.row, col.col, *year_block)
            else:
                self.add("total_row_not_used", drow.row, col.col, self.value(drow.row, col.col))

    def _coverage_pass(self, layout: TableLayout) -> None:
        """Every numeric-looking cell not yet a fact or a finding gets an explicit finding."""
        n_rows = layout.n_rows
        n_cols = layout.n_cols
        zones: dict[int, tuple[str, str]] = {}
        for r in layout.title_rows:
            zones[r] = ("标题", "title")
        for r in (*layout.header_rows, *layout.unit_rows, *layout.numbering_rows):
            zones[r] = ("表头", "header")
        notes = set(layout.note_rows)
        data_rows = {d.row for d in layout.rows}
        index_cols = set(layout.index_cols) if layout.status == "table" else set()
        index_cells: list[str] = []
        for r in range(n_rows):
            row = self.sheet.values[r]
            for c in range(min(n_cols, len(row))):
                v = row[c]
                if v is None or not looks_numeric(v):
                    continue
                cell = self.ref(r, c)
                if cell in self.covered:
                    continue
                if r in notes:
                    self.add("note_number_ignored", r, c, v)
                elif r in data_rows and c in index_cols:
                    index_cells.append(cell)
                elif r in zones:
                    zh, en = zones[r]
                    self.add("number_outside_table", r, c, v, zone_zh=zh, zone_en=en)
                elif r in data_rows and layout.status == "table" and c in layout.label_cols:
                    self.add("number_outside_table", r, c, v, zone_zh="行标签", zone_en="row label")
                elif layout.status == "table" and r in data_rows:
                    self.add("figure_not_used", r, c, v, reason_zh="该列不属于任何指标列",
                             reason_en="the column is not an indicator column")
                else:
                    self.add("number_outside_table", r, c, v, zone_zh="表格以外区域", zone_en="area outside the table")
        if index_cells:
            self.report.add("index_column_ignored", file=self.file, sheet=self.sheet.name,
                            cell=f"{index_cells[0]}:{index_cells[-1]}" if len(index_cells) > 1 else index_cells[0])
            self.covered.update(index_cells)


def extract_workbook(workbook, catalog: Catalog, report: QualityReport,
                     manifest: dict[str, int] | None = None) -> ExtractResult:
    """Extract every sheet of one read workbook; a file whose sheets hold no table is ``file_no_table``."""
    result = ExtractResult()
    manifest_year = (manifest or {}).get(workbook.rel_path)
    tables = 0
    for sheet in workbook.sheets:
        start, titles = 0, []
        for _ in range(MAX_BLOCKS_PER_SHEET):
            view = sheet if start == 0 else SheetBlock(sheet, start)
            ex = SheetExtractor(workbook, view, catalog, report, manifest_year, secondary=start > 0)
            try:
                layout = detect_layout(view, catalog)
                if start > 0 and not any(single_year(t) for t in layout.titles):
                    layout.titles = [*titles, *layout.titles]  # a wrapped block keeps the first title
                ex.run(layout)
            except Exception as err:  # last line of defence: a finding naming the sheet, never a traceback
                text = f"{type(err).__name__}: {err}".replace("\n", " ")[:160]
                report.add("sheet_extract_failed", file=workbook.rel_path, sheet=sheet.name, error=text)
                tables += 1
                break
            result.facts.extend(ex.facts)
            if layout.status in ("table", "no_data", "no_header"):
                tables += 1
            if layout.is_sample:
                result.is_sample = True
            if start == 0:
                titles = layout.titles
            if layout.next_block_start is None or layout.next_block_start <= start:
                break
            start = layout.next_block_start
    if tables == 0:
        report.add("file_no_table", file=workbook.rel_path)
    result.tables = tables
    return result
