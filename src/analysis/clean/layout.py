"""Table-layout detection for one sheet, without the user describing it.

Given a rectangular grid (``Sheet.values``, ``Sheet.merged``), find:

- title rows above the header (their text carries the year and the 示例数据 marker);
- the header block (1 to 4 levels; merged group headers forward-filled over their range; in CSV,
  a blank cell right of a group header that has sub-headers below inherits the group);
- a unit row (``单位：万元`` for the whole table, or a row of units under the columns);
- a column-number row (甲/乙/1/2/3…), which belongs to the header;
- label columns (region or agency names) and running-number columns (序号), which are ignored;
- data rows, 合计/总计/小计 rows, and 注/说明/备注/填报说明 rows below (skipped).

The result is a :class:`TableLayout`; :mod:`analysis.clean.extract` turns it into facts and findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from analysis.catalog import INDEX_HEADERS, LABEL_HEADERS, Catalog, HeaderMatch, norm_header_path
from analysis.catalog.normalize import normalize_header, normalize_text
from analysis.catalog.units import UNIT_ROW_TOKENS
from analysis.clean.readers.model import is_empty_cell
from analysis.clean.values import parse_value

MAX_HEADER_LEVELS = 4
NOTE_PREFIXES = (
    "注", "说明", "备注", "填报说明", "填表说明", "附注", "数据来源", "资料来源", "来源",
    "填报人", "填表人", "审核人", "负责人", "单位负责人", "统计负责人", "联系电话", "填报日期", "报出日期", "制表",
)
META_PREFIXES = ("填报单位", "报送单位", "编制单位", "制表单位", "统计单位", "填报机关")
UNIT_TOKENS = UNIT_ROW_TOKENS  # the vocabulary is catalogue data: catalog/data/units.csv
_UNIT_RE = re.compile(r"^(单位|计量单位)?[:：]?\(?(" + "|".join(map(re.escape, UNIT_TOKENS)) + r")\)?$")
_TABLE_UNIT_RE = re.compile(r"(?:计量)?单位[:：]\(?(" + "|".join(map(re.escape, UNIT_TOKENS)) + r")")
_COLUMN_NUMBER_LABELS = {"甲", "乙", "丙", "丁", "栏次", "栏号", "行次", "a", "b", "c"}
_TITLE_HINT_RE = re.compile(r"(表|统计|情况|汇总|年度|(19|20)\d{2}年)")
SAMPLE_MARKER = "示例数据"


class SheetLike(Protocol):
    name: str
    values: list[list[object]]
    merged: list[tuple[int, int, int, int]]

    def ref(self, r: int, c: int) -> str: ...


@dataclass
class Column:
    col: int
    path: str  # normalised header path, "group/leaf"
    raw_header: str  # raw header texts joined with " / " (for messages)
    header_row: int  # row of the lowest non-blank header cell of this column
    unit: str | None
    role: str  # "value", "label", "index"
    match: HeaderMatch | None = None


@dataclass
class DataRow:
    row: int
    label: str  # raw label text ("" when none)
    label_col: int
    kind: str  # "data" or "total" / "subtotal"


@dataclass
class TableLayout:
    status: str  # "table", "no_table", "no_data", "no_header"
    n_rows: int = 0
    n_cols: int = 0
    title_rows: list[int] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    header_rows: list[int] = field(default_factory=list)
    numbering_rows: list[int] = field(default_factory=list)
    unit_rows: list[int] = field(default_factory=list)
    table_unit: str | None = None
    columns: list[Column] = field(default_factory=list)
    rows: list[DataRow] = field(default_factory=list)
    note_rows: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    template: str = ""
    first_data_row: int = -1
    next_block_start: int | None = None

    @property
    def value_columns(self) -> list[Column]:
        return [c for c in self.columns if c.role == "value"]

    @property
    def label_cols(self) -> list[int]:
        return [c.col for c in self.columns if c.role == "label"]

    @property
    def index_cols(self) -> list[int]:
        return [c.col for c in self.columns if c.role == "index"]

    @property
    def is_sample(self) -> bool:
        return any(SAMPLE_MARKER in t for t in (*self.titles, *self.notes))


# --------------------------------------------------------------------------- helpers


def cell_text(v: object) -> str:
    return "" if v is None else normalize_text(str(v))


def _trimmed_size(values: list[list[object]]) -> tuple[int, int]:
    n_rows = len(values)
    while n_rows and all(is_empty_cell(v) for v in values[n_rows - 1]):
        n_rows -= 1
    n_cols = 0
    for row in values[:n_rows]:
        for c in range(len(row) - 1, n_cols - 1, -1):
            if not is_empty_cell(row[c]):
                n_cols = c + 1
                break
    return n_rows, n_cols


def _filled_grid(sheet: SheetLike, n_rows: int, n_cols: int) -> list[list[object]]:
    grid = [list(row[:n_cols]) + [None] * (n_cols - len(row[:n_cols])) for row in sheet.values[:n_rows]]
    for r0, c0, r1, c1 in sheet.merged or []:
        if r0 >= n_rows or c0 >= n_cols:
            continue
        top = sheet.values[r0][c0] if c0 < len(sheet.values[r0]) else None
        for r in range(r0, min(r1, n_rows - 1) + 1):
            for c in range(c0, min(c1, n_cols - 1) + 1):
                grid[r][c] = top
    return grid


def _merge_width(sheet: SheetLike, r: int, c: int) -> int:
    for r0, c0, r1, c1 in sheet.merged or []:
        if r0 <= r <= r1 and c0 <= c <= c1:
            return c1 - c0 + 1
    return 1


def is_note_text(text: str) -> bool:
    return bool(text) and text.startswith(NOTE_PREFIXES)


def unit_of(text: str) -> str | None:
    """The unit a unit-row cell names (``单位：万元`` -> 万元), else None."""
    m = _UNIT_RE.match(text)
    if m:
        return m.group(2)
    m = _TABLE_UNIT_RE.search(text)
    return m.group(1) if m else None


def is_numeric_cell(v: object) -> bool:
    if is_empty_cell(v) or isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        return True
    return parse_value(v).status == "ok"


# --------------------------------------------------------------------------- detection


def detect_layout(sheet: SheetLike, catalog: Catalog) -> TableLayout:
    """The layout of one sheet. Title lines read from outside the grid (``Sheet.title_lines``: a web page's
    heading, the Word paragraphs above a table) come first among the titles, as title rows would."""
    layout = _detect_grid_layout(sheet, catalog)
    lines = [normalize_text(t) for t in (getattr(sheet, "title_lines", None) or []) if t and t.strip()]
    if lines:
        layout.titles = [*lines, *layout.titles]
        if layout.table_unit is None:
            units = [u.group(1) for u in map(_TABLE_UNIT_RE.search, lines) if u]
            layout.table_unit = units[-1] if units else None
    return layout


@dataclass
class _Grid:
    """One sheet's cells, trimmed to the used range, with the per-cell facts every detection step reads."""

    sheet: SheetLike
    n_rows: int
    n_cols: int
    raw: list[list[object]]  # values as read
    filled: list[list[object]]  # merged ranges filled with their top-left value
    text: list[list[str]]  # normalised text
    numeric: list[list[bool]]
    nonblank: list[list[bool]]
    region_label: list[bool] = field(default_factory=list)  # the row starts with a region or total label

    def first_text(self, r: int) -> str:
        for c in range(self.n_cols):
            if self.nonblank[r][c]:
                return self.text[r][c]
        return ""

    def row_text(self, r: int) -> str:
        return " ".join(self.text[r][c] for c in range(self.n_cols) if self.nonblank[r][c])

    def filled_cols(self, r: int) -> list[int]:
        return [c for c in range(self.n_cols) if self.nonblank[r][c]]

    def is_data_candidate(self, r: int) -> bool:
        n_num = sum(self.numeric[r])
        n_text = sum(1 for c in range(self.n_cols) if self.nonblank[r][c] and not self.numeric[r][c])
        if self.region_label[r]:
            return True
        if n_num == 0:
            return False
        return n_text >= 1 or n_num >= 2

    def is_numbering_row(self, r: int) -> bool:
        """A row of column numbers (甲 乙 1 2 3 … or 1 2 3 … alone) between the header and the data."""
        labels = [self.text[r][c] for c in range(self.n_cols) if self.nonblank[r][c] and not self.numeric[r][c]]
        nums = [self.raw[r][c] for c in range(self.n_cols) if self.numeric[r][c]]
        if labels and all(lab in _COLUMN_NUMBER_LABELS for lab in labels) and nums:
            return True
        if len(nums) >= 3 and not labels:
            vals = [parse_value(v).value for v in nums]
            return vals == [float(i) for i in range(1, len(vals) + 1)]
        return False

    def is_unit_row(self, r: int) -> bool:
        cells = [self.text[r][c] for c in range(self.n_cols) if self.nonblank[r][c]]
        return bool(cells) and all(unit_of(t) and len(t) <= 12 for t in cells)

    def is_note_or_meta(self, r: int) -> bool:
        first = self.first_text(r)
        return is_note_text(first) or first.startswith(META_PREFIXES)


def _read_grid(sheet: SheetLike, catalog: Catalog) -> _Grid | None:
    """The sheet's used range as a :class:`_Grid`; ``None`` when it is empty."""
    n_rows, n_cols = _trimmed_size(sheet.values)
    if n_rows == 0 or n_cols == 0:
        return None
    raw = [list(row[:n_cols]) + [None] * (n_cols - len(row[:n_cols])) for row in sheet.values[:n_rows]]
    g = _Grid(
        sheet, n_rows, n_cols, raw, _filled_grid(sheet, n_rows, n_cols),
        text=[[cell_text(v) if isinstance(v, str) else ("" if v is None else str(v)) for v in row] for row in raw],
        numeric=[[is_numeric_cell(v) for v in row] for row in raw],
        nonblank=[[not is_empty_cell(v) for v in row] for row in raw],
    )
    g.region_label = [_starts_with_region(g, r, catalog) for r in range(n_rows)]
    return g


def _starts_with_region(g: _Grid, r: int, catalog: Catalog) -> bool:
    """The first text cell among the first four columns is a region, total or ambiguous region label."""
    for c in range(min(g.n_cols, 4)):
        if g.nonblank[r][c] and not g.numeric[r][c]:
            if ":" in g.text[r][c] or g.text[r][c].startswith(META_PREFIXES):
                return False  # "填报单位：某某局" is a form line above the header, not a data row
            return catalog.resolve_region(g.raw[r][c]).status in ("ok", "total", "ambiguous")
    return False


def _first_data_row(g: _Grid) -> tuple[int, list[int]]:
    """The first data-looking row that is not a note or a column-number row (-1: none), and the
    column-number rows met on the way."""
    numbering_rows: list[int] = []
    for r in range(g.n_rows):
        if g.is_note_or_meta(r):
            continue
        if g.is_data_candidate(r):
            if g.is_numbering_row(r):
                numbering_rows.append(r)
                continue
            return r, numbering_rows
    return -1, numbering_rows


def _header_block(g: _Grid, first_data: int, numbering_rows: list[int]) -> tuple[list[int], list[int]]:
    """Header rows and unit rows, walking upwards from the first data row until a blank row, a note, a
    title line (one wide or title-like cell) or :data:`MAX_HEADER_LEVELS` header rows."""
    header_rows: list[int] = []
    unit_rows: list[int] = []
    r = first_data - 1
    table_left = min((c for rr in range(g.n_rows) for c in range(g.n_cols) if g.nonblank[rr][c]), default=0)
    while r >= 0:
        if r in numbering_rows:
            r -= 1
            continue
        cells = g.filled_cols(r)
        if not cells:
            if header_rows:
                break
            r -= 1
            continue
        if g.is_unit_row(r):
            unit_rows.append(r)
            r -= 1
            continue
        if g.is_note_or_meta(r):
            if header_rows:
                break
            r -= 1
            continue
        if len(cells) == 1:
            c = cells[0]
            t = g.text[r][c]
            wide = _merge_width(g.sheet, r, c) >= max(2, int(0.8 * (g.n_cols - table_left)))
            if (c == table_left and not header_rows) or wide or (_TITLE_HINT_RE.search(t) and len(t) >= 6):
                break
            if c == table_left and header_rows:
                break
        header_rows.append(r)
        if len(header_rows) >= MAX_HEADER_LEVELS:
            break
        r -= 1
    return sorted(header_rows), sorted(unit_rows)


def _titles_and_table_unit(g: _Grid, layout: TableLayout, first_data: int) -> None:
    """Rows above the header are titles; a 单位：万元 in a title or a lone unit row sets the table's unit."""
    top = layout.header_rows[0] if layout.header_rows else first_data
    top = min([top, *layout.unit_rows]) if layout.unit_rows else top
    for rr in range(0, top):
        if any(g.nonblank[rr]):
            layout.title_rows.append(rr)
            layout.titles.append(g.row_text(rr))
            u = _TABLE_UNIT_RE.search(" ".join(g.text[rr]))
            if u:
                layout.table_unit = u.group(1)
    for ur in layout.unit_rows:
        cells = g.filled_cols(ur)
        if len(cells) == 1 and unit_of(g.text[ur][cells[0]]) and g.text[ur][cells[0]].startswith(("单位", "计量单位")):
            layout.table_unit = unit_of(g.text[ur][cells[0]])


def _notes_and_body(g: _Grid, layout: TableLayout, first_data: int, catalog: Catalog) -> list[int]:
    """Note rows (from the first note below the data start), the end of this block when a repeated
    header starts a second one (a wide form wrapped in two, as Hubei publishes it: the caller detects the
    next block separately), and the body rows in between."""
    note_start = next((r for r in range(first_data, g.n_rows) if is_note_text(g.first_text(r))), g.n_rows)
    block_end = g.n_rows
    for r in range(first_data + 1, note_start):
        if _header_like_row(r, g.n_cols, g.text, g.nonblank, g.numeric, g.region_label, catalog):
            block_end = r
            while block_end - 1 > first_data and sum(g.nonblank[block_end - 1]) <= 1 and not any(
                g.numeric[block_end - 1]
            ) and not g.region_label[block_end - 1]:
                block_end -= 1  # a "续表" line or blank rows belong to the next block
            break
    if block_end < g.n_rows:
        layout.next_block_start = block_end
        layout.n_rows = block_end
        note_start = min(note_start, block_end)
    for r in range(note_start, block_end):
        if any(g.nonblank[r]):
            layout.note_rows.append(r)
            layout.notes.append(g.row_text(r))
    return [r for r in range(first_data, note_start) if any(g.nonblank[r]) and r not in layout.numbering_rows]


def _unit_by_column(g: _Grid, unit_rows: list[int]) -> dict[int, str]:
    """Units written in a unit row under each column (a lone 单位：… cell is the table's unit instead)."""
    out: dict[int, str] = {}
    for ur in unit_rows:
        lone = len(g.filled_cols(ur)) == 1
        for c in range(g.n_cols):
            u = unit_of(g.text[ur][c]) if g.nonblank[ur][c] else None
            if u and not (lone and g.text[ur][c].startswith(("单位", "计量单位"))):
                out[c] = u
    return out


def _column_roles(g: _Grid, layout: TableLayout, body: list[int], catalog: Catalog) -> list[Column]:
    """Each column's header path, unit and role (``value``, ``label`` or ``index``), matched to indicators."""
    paths, raws, units, hrows = _header_paths(g.sheet, g.raw, g.filled, layout.header_rows, g.n_cols)
    unit_by_col = _unit_by_column(g, layout.unit_rows)
    columns: list[Column] = []
    first_value_col = g.n_cols
    for c in range(g.n_cols):
        if any(g.numeric[r][c] for r in body):
            leaf = paths[c].split("/")[-1] if paths[c] else ""
            if leaf.lower() not in INDEX_HEADERS and leaf not in LABEL_HEADERS:
                first_value_col = min(first_value_col, c)
    for c in range(g.n_cols):
        leaf = paths[c].split("/")[-1] if paths[c] else ""
        col_has_data = any(g.nonblank[r][c] for r in body)
        if not paths[c] and not col_has_data:
            continue
        role = "value"
        if leaf.lower() in INDEX_HEADERS:
            role = "index"
        elif (
            leaf in LABEL_HEADERS
            or _label_like(c, body, g.raw, g.nonblank, g.numeric, catalog)
            # A column with no numbers left of the first value column is a label column, unless its
            # header names an indicator (a column of dates or text where figures belong is reported).
            or (c < first_value_col and not any(g.numeric[r][c] for r in body)
                and catalog.match_header(paths[c]).status != "ok")
        ):
            role = "label"
        elif c < first_value_col and _is_running_number(c, body, g.raw, g.numeric):
            role = "index"
        columns.append(Column(c, paths[c], raws[c], hrows[c], units[c] or unit_by_col.get(c), role))
    layout.template = catalog.best_template([col.path for col in columns if col.role == "value"])
    for col in columns:
        if col.role == "value":
            col.match = catalog.match_header(col.path, layout.template)
    return columns


def _data_rows(g: _Grid, columns: list[Column], body: list[int], catalog: Catalog) -> list[DataRow]:
    """Body rows with their label (the last filled label column; a vertically merged label, such as a
    city over its rows, counts for every row it spans) and kind (``data`` or a total kind)."""
    label_cols = [c.col for c in columns if c.role == "label"]
    rows = []
    for r in body:
        label, label_col = "", -1
        for c in label_cols:
            if g.nonblank[r][c]:
                label, label_col = str(g.raw[r][c]).strip(), c
        if not label and label_cols:
            for c in label_cols:
                if not is_empty_cell(g.filled[r][c]):
                    label, label_col = str(g.filled[r][c]).strip(), c
        kind = catalog.is_total_label(label) or "data" if label else "data"
        rows.append(DataRow(r, label, label_col, kind))
    return rows


def _detect_grid_layout(sheet: SheetLike, catalog: Catalog) -> TableLayout:
    """The layout of the sheet's grid, step by step: read the grid, find the first data row, walk up the
    header block, take titles and the table's unit, notes and the block's end, then columns and rows."""
    g = _read_grid(sheet, catalog)
    if g is None:
        return TableLayout("no_table")
    first_data, numbering_rows = _first_data_row(g)
    layout = TableLayout("table", n_rows=g.n_rows, n_cols=g.n_cols, numbering_rows=numbering_rows)
    if first_data < 0:
        return _no_data_layout(layout, g.raw, g.text, g.nonblank, catalog, sheet)
    layout.first_data_row = first_data
    layout.header_rows, layout.unit_rows = _header_block(g, first_data, numbering_rows)
    _titles_and_table_unit(g, layout, first_data)
    body = _notes_and_body(g, layout, first_data, catalog)
    if not layout.header_rows:
        layout.status = "no_header"
        layout.rows = [DataRow(r, "", -1, "data") for r in body]
        return layout
    layout.columns = _column_roles(g, layout, body, catalog)
    layout.rows = _data_rows(g, layout.columns, body, catalog)
    if not layout.rows:
        layout.status = "no_data"
    return layout


def _header_like_row(r, n_cols, text, nonblank, numeric, region_label, catalog: Catalog) -> bool:
    """No figures, no region label, and at least two cells that are indicator headers."""
    if any(numeric[r]) or region_label[r]:
        return False
    hits = 0
    for c in range(n_cols):
        if nonblank[r][c] and catalog.match_header(norm_header_path(text[r][c])).status == "ok":
            hits += 1
    return hits >= 2


def _label_like(c, body, raw, nonblank, numeric, catalog: Catalog) -> bool:
    texts = [raw[r][c] for r in body if nonblank[r][c] and not numeric[r][c]]
    if not texts:
        return False
    hits = sum(1 for t in texts if catalog.resolve_region(t).status in ("ok", "total", "ambiguous"))
    return hits >= max(1, len(texts) // 2)


def _is_running_number(c, body, raw, numeric) -> bool:
    vals = [parse_value(raw[r][c]).value for r in body if numeric[r][c]]
    return len(vals) >= 2 and vals == [float(i) for i in range(int(vals[0] or 0), int(vals[0] or 0) + len(vals))]


def _header_paths(sheet, raw, filled, header_rows, n_cols):
    levels = [[filled[h][c] for c in range(n_cols)] for h in header_rows]
    # CSV-style group fill: a blank upper cell right of a group header that has sub-headers below.
    merged_cells = set()
    for r0, c0, r1, c1 in sheet.merged or []:
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                merged_cells.add((r, c))
    for i in range(len(header_rows) - 1):
        h = header_rows[i]
        for c in range(1, n_cols):
            if not is_empty_cell(levels[i][c]) or (h, c) in merged_cells:
                continue
            below_here = any(not is_empty_cell(levels[j][c]) for j in range(i + 1, len(header_rows)))
            left = levels[i][c - 1]
            left_has_below = any(not is_empty_cell(levels[j][c - 1]) for j in range(i + 1, len(header_rows)))
            if below_here and not is_empty_cell(left) and left_has_below:
                levels[i][c] = left
    paths, raws, units, hrows = [], [], [], []
    for c in range(n_cols):
        names: list[str] = []
        raw_parts: list[str] = []
        unit: str | None = None
        hrow = header_rows[-1]
        for i, h in enumerate(header_rows):
            v = levels[i][c]
            if is_empty_cell(v):
                continue
            hh = normalize_header(str(v))
            if not hh.name and not hh.unit:
                continue
            if not names or names[-1] != norm_header_path(hh.name):
                names.append(norm_header_path(hh.name))
                raw_parts.append(str(v).strip())
            if hh.unit:
                unit = hh.unit
            if not is_empty_cell(raw[h][c]):
                hrow = h
        names = [n for n in names if n]
        paths.append("/".join(names))
        raws.append(" / ".join(raw_parts))
        units.append(unit)
        hrows.append(hrow)
    return paths, raws, units, hrows


def _no_data_layout(layout, raw, text, nonblank, catalog: Catalog, sheet) -> TableLayout:
    """No data row: a header with no data (``no_data``) or no table at all (``no_table``)."""
    for r in range(layout.n_rows):
        cells = [c for c in range(layout.n_cols) if nonblank[r][c]]
        hits = [c for c in cells if catalog.match_header(norm_header_path(text[r][c])).status == "ok"]
        if len(hits) >= 2:
            layout.status = "no_data"
            layout.header_rows = [r]
            layout.titles = [" ".join(text[rr][c] for c in range(layout.n_cols) if nonblank[rr][c]) for rr in range(r)]
            layout.title_rows = [rr for rr in range(r) if any(nonblank[rr])]
            return layout
    layout.status = "no_table"
    layout.titles = [" ".join(text[r][c] for c in range(layout.n_cols) if nonblank[r][c])
                     for r in range(layout.n_rows) if any(nonblank[r])]
    return layout
