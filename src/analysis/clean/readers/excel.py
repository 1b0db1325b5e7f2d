"""Excel workbooks: XLSX via openpyxl, legacy XLS via xlrd, both from bytes.

**XLSX** ``data_only=True`` (cached values) with ``read_only=False`` (needed for merged ranges). All
worksheets are read, hidden and very hidden ones too (``Sheet.hidden``). Formatted-but-empty ``<c/>``
elements are dropped from an in-memory copy of large worksheets before openpyxl parses them, and cells are
taken from the worksheet's own cell store (never ``max_row`` x ``max_column``), so 10,000 formatted blank
rows are read in a fraction of a second; trailing blank rows and columns are trimmed. Flags: datetime,
date, time and timedelta values -> ``"date"``; error cells (``#DIV/0!``...) -> ``"excel_error"``; formula
cells without a cached value -> ``"formula_no_cache"`` (found with a second, ``data_only=False`` load that
only happens when some worksheet XML contains a formula).

**XLS** with ``formatting_info=True`` (merged ranges; retried without it when xlrd cannot do formatting for
that file). Numbers that are whole become ``int``; date cells become ``datetime`` flagged ``"date"``; error
cells become their literal (``#DIV/0!``) flagged ``"excel_error"``. xlrd's own log output is swallowed.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import re
import warnings
import zipfile

from analysis.clean.findings import QualityReport
from analysis.clean.readers.model import Sheet, Workbook, build_sheet, err_text
from analysis.clean.readers.registry import register
from analysis.clean.values import is_excel_error

_DATE_TYPES = (_dt.datetime, _dt.date, _dt.time, _dt.timedelta)
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")


# A cell element with no children (no value, no formula): <c r="B9" s="1"/> or <c r="B9" s="1"></c>
_EMPTY_CELL_RE = re.compile(rb"<(\w+:)?c\s[^<>]*?(?:/>|>\s*</\1?c>)")
_SLIM_THRESHOLD = 512 * 1024  # uncompressed worksheet XML bytes


def _prepare_xlsx(data: bytes) -> tuple[bytes, bool]:
    """(bytes to load, has_formulas).

    Formatted-but-empty cells are ``<c r=".." s=".."/>`` elements without children. openpyxl builds
    a styled Cell object for each, which makes 10,000 blank formatted rows slow. When the
    worksheets are large, those elements (which carry no value and no formula) are removed from
    an in-memory copy of the package before openpyxl sees it; the raw file is never touched.
    """
    has_formulas = False
    slim: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            for info in infos:
                name = info.filename
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                xml = zf.read(info)
                if not has_formulas and _FORMULA_RE.search(xml):
                    has_formulas = True
                if len(xml) > _SLIM_THRESHOLD:
                    slim[name] = _EMPTY_CELL_RE.sub(b"", xml)
            if not slim:
                return data, has_formulas
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
                for info in infos:
                    zout.writestr(info.filename, slim.get(info.filename) or zf.read(info))
            return out.getvalue(), has_formulas
    except Exception:
        return data, True  # let openpyxl report what is wrong


def _load_openpyxl(data: bytes, data_only: bool):
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(
            io.BytesIO(data), read_only=False, data_only=data_only, keep_links=False
        )


_SHEET_NAME_RE = re.compile(rb'(<(?:\w+:)?sheet\b[^>]*?\bname=")([^"]*)(")')
_BAD_TITLE_RE = re.compile(r"[\\*?:/\[\]]")  # characters openpyxl (and Excel) refuse in a sheet title


def _safe_sheet_titles(data: bytes) -> tuple[bytes, dict[str, str]]:
    """Sheet names openpyxl refuses (``a/b``, ``../../etc``, ``..\\x``: hostile or hand-made files) are
    swapped for placeholders in an in-memory copy so the workbook still opens. Returns the bytes and
    ``{placeholder: real name}``; the real names are put back on the read sheets (names are data only)."""
    import html

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            xml = zf.read("xl/workbook.xml")
            names = [html.unescape(m.group(2).decode("utf-8")) for m in _SHEET_NAME_RE.finditer(xml)]
            if not any(_BAD_TITLE_RE.search(n) for n in names):
                return data, {}
            mapping: dict[str, str] = {}

            def swap(m: re.Match) -> bytes:
                real = html.unescape(m.group(2).decode("utf-8"))
                if not _BAD_TITLE_RE.search(real):
                    return m.group(0)
                ph = f"__sheet{len(mapping) + 1}__"
                while ph in names:
                    ph = "_" + ph
                mapping[ph] = real
                return m.group(1) + ph.encode() + m.group(3)

            xml = _SHEET_NAME_RE.sub(swap, xml)
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
                for info in zf.infolist():
                    zout.writestr(info.filename, xml if info.filename == "xl/workbook.xml" else zf.read(info))
            return out.getvalue(), mapping
    except Exception:
        return data, {}  # let openpyxl report what is wrong


@register("xlsx")
def _read_xlsx(data: bytes, wb: Workbook, report: QualityReport) -> Workbook | None:
    data, real_titles = _safe_sheet_titles(data)
    data, has_formulas = _prepare_xlsx(data)
    try:
        book = _load_openpyxl(data, data_only=True)
    except Exception as exc:  # BadZipFile, KeyError, InvalidFileException, XML errors, ...
        report.add("file_corrupt", file=wb.rel_path, error=err_text(exc))
        return None
    formula_book = None
    if has_formulas:
        try:
            formula_book = _load_openpyxl(data, data_only=False)
        except Exception:
            formula_book = None
    for ws in book.worksheets:
        try:
            fws = None
            if formula_book is not None and ws.title in formula_book.sheetnames:
                fws = formula_book[ws.title]
            sheet = _xlsx_sheet(ws, fws)
            sheet.name = real_titles.get(sheet.name, sheet.name)
            wb.sheets.append(sheet)
        except Exception as exc:
            title = real_titles.get(str(ws.title), str(ws.title))
            report.add("sheet_unreadable", file=wb.rel_path, sheet=title, error=err_text(exc))
    with contextlib.suppress(Exception):
        book.close()
    if formula_book is not None:
        with contextlib.suppress(Exception):
            formula_book.close()
    return wb


def _xlsx_sheet(ws, fws) -> Sheet:
    flags: dict[tuple[int, int], str] = {}
    cells: list[tuple[int, int, object]] = []
    store = getattr(ws, "_cells", None)
    items = (
        store.items()
        if isinstance(store, dict)
        else (((c.row, c.column), c) for row in ws.iter_rows() for c in row)
    )
    for (row, col), cell in items:
        v = cell.value
        r, c = row - 1, col - 1
        if v is None:
            if fws is not None:
                fcell = fws._cells.get((row, col)) if isinstance(getattr(fws, "_cells", None), dict) else None
                fv = getattr(fcell, "value", None)
                if fv is not None and (
                    getattr(fcell, "data_type", "") == "f" or (isinstance(fv, str) and fv.startswith("="))
                ):
                    flags[(r, c)] = "formula_no_cache"
            continue
        if getattr(cell, "data_type", "") == "e" or is_excel_error(v):
            flags[(r, c)] = "excel_error"
        elif isinstance(v, _DATE_TYPES):
            flags[(r, c)] = "date"
        cells.append((r, c, v))
    merged = []
    for rng in ws.merged_cells.ranges:
        merged.append((rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1))
    hidden = getattr(ws, "sheet_state", "visible") != "visible"
    return build_sheet(str(ws.title), cells, flags, merged, "xlsx", hidden)


# ------------------------------------------------------------------------------- XLS


@register("xls")
def _read_xls(data: bytes, wb: Workbook, report: QualityReport) -> Workbook | None:
    import xlrd

    log = io.StringIO()
    book = None
    last_exc: Exception | None = None
    for formatting in (True, False):
        try:
            book = xlrd.open_workbook(
                file_contents=data, formatting_info=formatting, logfile=log, verbosity=0, on_demand=False
            )
            break
        except Exception as exc:
            last_exc = exc
            if "encrypt" in str(exc).lower():
                report.add("file_encrypted", file=wb.rel_path)
                return None
    if book is None:
        report.add("file_corrupt", file=wb.rel_path, error=err_text(last_exc or Exception("?")))
        return None
    for idx in range(book.nsheets):
        name = f"#{idx + 1}"
        try:
            sh = book.sheet_by_index(idx)
            name = str(sh.name)
            wb.sheets.append(_xls_sheet(book, sh))
        except Exception as exc:
            report.add("sheet_unreadable", file=wb.rel_path, sheet=name, error=err_text(exc))
    with contextlib.suppress(Exception):
        book.release_resources()
    return wb


def _xls_sheet(book, sh) -> Sheet:
    import xlrd

    flags: dict[tuple[int, int], str] = {}
    cells: list[tuple[int, int, object]] = []
    for r in range(sh.nrows):
        types = sh.row_types(r)
        vals = sh.row_values(r)
        for c, (t, v) in enumerate(zip(types, vals)):
            if t in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) or (t == xlrd.XL_CELL_TEXT and v == ""):
                continue
            if t == xlrd.XL_CELL_NUMBER:
                if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
                    v = int(v)
            elif t == xlrd.XL_CELL_DATE:
                with contextlib.suppress(Exception):
                    v = xlrd.xldate.xldate_as_datetime(v, book.datemode)
                flags[(r, c)] = "date"
            elif t == xlrd.XL_CELL_BOOLEAN:
                v = bool(v)
            elif t == xlrd.XL_CELL_ERROR:
                v = xlrd.error_text_from_code.get(v, "#ERROR!")
                flags[(r, c)] = "excel_error"
            cells.append((r, c, v))
    merged = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in getattr(sh, "merged_cells", [])]
    hidden = getattr(sh, "visibility", 0) != 0
    return build_sheet(str(sh.name), cells, flags, merged, "xls", hidden)
