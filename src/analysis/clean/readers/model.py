"""What a read raw file is: a :class:`Workbook` of :class:`Sheet` grids plus running-text :class:`Paragraph` s.

Every reader (CSV, Excel, HTML, Word, PDF, plain text) produces this model, so layout detection and
extraction never need to know which format a table came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# Sheet kinds whose cells are named like a spreadsheet (B7); every other kind uses R7C2 (1-based).
EXCEL_KINDS = frozenset({"xlsx", "xls"})


def column_letter(c: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 25 -> Z, 26 -> AA)."""
    n = c + 1
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass(frozen=True)
class Paragraph:
    """One piece of running text outside the tables of a file.

    ``location`` says where it is, in the words a user can follow: ``P12`` (the 12th paragraph of a
    letter, Word file or web page) or ``page 2 P3`` (the 3rd paragraph of page 2 of a PDF).
    """

    location: str
    text: str


@dataclass
class Sheet:
    """One rectangular grid of raw values, row-major, 0-based.

    ``title_lines`` are title texts that stand above the table outside the grid (the heading of a web page,
    a caption, the Word paragraphs above a table); layout detection treats them as the table's title rows,
    so the year and the 示例数据 marker are found there as in a spreadsheet title.
    """

    name: str
    values: list[list[object]]
    merged: list[tuple[int, int, int, int]]
    flags: dict[tuple[int, int], str]
    kind: str
    hidden: bool = False
    title_lines: list[str] = field(default_factory=list)

    def ref(self, r: int, c: int) -> str:
        """Cell reference for findings: ``B7`` (Excel) or ``R7C2`` (CSV, web page, Word, PDF; 1-based)."""
        if self.kind in EXCEL_KINDS:
            return f"{column_letter(c)}{r + 1}"
        return f"R{r + 1}C{c + 1}"

    @property
    def n_rows(self) -> int:
        return len(self.values)

    @property
    def n_cols(self) -> int:
        return len(self.values[0]) if self.values else 0


@dataclass
class Workbook:
    """A raw file as read: its real format, text encoding, table grids and running text."""

    path: Path
    rel_path: str
    kind: str
    encoding: str | None
    sheets: list[Sheet] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)


def is_empty_cell(v: object) -> bool:
    """A grid cell with nothing in it: ``None`` or only whitespace (a NaN figure is a value, not empty)."""
    return v is None or (isinstance(v, str) and not v.strip())


def err_text(exc: BaseException) -> str:
    """A one-line, bounded description of an exception for a finding message."""
    text = str(exc).replace("\n", " ").strip()
    if len(text) > 160:
        text = text[:160] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def build_sheet(
    name: str,
    cells: Iterable[tuple[int, int, object]],
    flags: dict[tuple[int, int], str],
    merged: Iterable[tuple[int, int, int, int]],
    kind: str,
    hidden: bool,
    title_lines: list[str] | None = None,
) -> Sheet:
    """Grid from sparse (r, c, value) cells; trailing blank rows/columns trimmed, merges clipped."""
    cell_map: dict[tuple[int, int], object] = {}
    max_r = max_c = -1
    for r, c, v in cells:
        if v is None:
            continue
        cell_map[(r, c)] = v
        if not is_empty_cell(v):
            max_r = max(max_r, r)
            max_c = max(max_c, c)
    for r, c in flags:
        max_r = max(max_r, r)
        max_c = max(max_c, c)
    n_rows, n_cols = max_r + 1, max_c + 1
    values: list[list[object]] = [[None] * n_cols for _ in range(n_rows)]
    for (r, c), v in cell_map.items():
        if r < n_rows and c < n_cols:
            values[r][c] = v
    kept_merges: list[tuple[int, int, int, int]] = []
    for r0, c0, r1, c1 in merged:
        if r0 >= n_rows or c0 >= n_cols or r1 < r0 or c1 < c0:
            continue
        r1, c1 = min(r1, n_rows - 1), min(c1, n_cols - 1)
        if (r0, c0) != (r1, c1):
            kept_merges.append((r0, c0, r1, c1))
    kept_merges.sort()
    kept_flags = {k: v for k, v in flags.items() if k[0] < n_rows and k[1] < n_cols}
    return Sheet(name=name, values=values, merged=kept_merges, flags=kept_flags, kind=kind, hidden=hidden,
                 title_lines=list(title_lines or []))


def grid_sheet(name: str, rows: list[list[object]], merged: list[tuple[int, int, int, int]], kind: str,
               title_lines: list[str] | None = None) -> Sheet:
    """A sheet from a dense grid of texts (web page, Word and PDF tables): blank texts become ``None``."""
    cells = ((r, c, (v if not is_empty_cell(v) else None)) for r, row in enumerate(rows) for c, v in enumerate(row))
    return build_sheet(name, cells, {}, merged, kind, False, title_lines)
