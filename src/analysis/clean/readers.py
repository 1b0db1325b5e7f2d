"""Raw-file reading: every CSV, XLSX and XLS under the raw folder becomes a list of :class:`Sheet` grids.

How a file is read (:func:`read_workbook`):

1. **Bytes first.** The file is read once into memory (``Path.read_bytes``); nothing here ever
   opens a raw file for writing, and openpyxl/xlrd are given the bytes, never the path, so no
   library can touch the original. No ``save`` is ever called.
2. **The real format comes from magic bytes, not the extension.**
   ``PK\\x03\\x04`` -> a ZIP: XLSX when it holds ``xl/workbook.xml`` (a DOCX/PPTX/other ZIP is
   ``file_unsupported``; an unreadable ZIP is ``file_corrupt``).
   ``D0 CF 11 E0`` -> an OLE2 compound file: msoffcrypto-tool says whether it is encrypted
   (a password-protected XLSX is an OLE2 container too) -> ``file_encrypted``; a ``Workbook``/
   ``Book`` stream -> XLS; anything else (``.doc``) -> ``file_unsupported``.
   PDF, PNG, JPEG, GIF, RAR, 7z, and HTML pages (a common fake ``.xls``) -> ``file_unsupported``.
   Anything else is treated as delimited text -> CSV.
   When the extension says otherwise (``.xlsx`` that is CSV, ``.csv`` that is XLSX) a
   ``format_mismatch`` warning is added and the file is read by its real format. A text file
   whose extension is not a table format (``.md``, ``.json``, none) is ``file_unsupported``.
3. **CSV decoding.** UTF-8 BOM -> ``utf_8_sig``; UTF-16 BOM -> ``utf_16`` (Excel "Unicode text");
   text with NUL bytes and no BOM is not a supported encoding; strict UTF-8 -> ``utf_8``;
   otherwise strict GB18030 (a superset of GBK/GB2312, so it is preferred whatever Chinese
   code page charset-normalizer names) -> ``gb18030``, provided the decoded text is plausible
   (no control characters, at most 1% private-use characters; otherwise UTF-16 without a BOM
   or random bytes would "decode" as gibberish). ``gb18030`` and ``utf_16`` add an
   ``encoding_detected`` info finding; UTF-8 with or without BOM adds none. When nothing
   decodes, ``encoding_undetected`` names charset-normalizer's best guess so the user knows
   what to convert from. Delimiter: comma, tab or semicolon, chosen as
   the one giving the most consistent multi-column rows in the first 50 records; quoted
   fields via :mod:`csv`. Ragged rows are padded. Blank fields become ``None``; every other
   field stays the raw string. CSV cell refs are ``R7C2`` (1-based record and field number).
4. **XLSX** via openpyxl from bytes, ``data_only=True`` (cached values) with ``read_only=False``
   (needed for merged ranges). All worksheets are read, hidden and very hidden ones too
   (``Sheet.hidden``). Formatted-but-empty ``<c/>`` elements are dropped from an in-memory copy
   of large worksheets before openpyxl parses them, and cells are taken from the worksheet's
   own cell store (never ``max_row`` x ``max_column``), so 10,000 formatted blank rows are read
   in a fraction of a second; trailing blank rows and columns are trimmed. Flags: datetime,
   date, time and timedelta values -> ``"date"``; error cells (``#DIV/0!``...) -> ``"excel_error"``;
   formula cells without a cached value -> ``"formula_no_cache"`` (found with a second,
   ``data_only=False`` load that only happens when some worksheet XML contains a formula).
5. **XLS** via xlrd from bytes with ``formatting_info=True`` (merged ranges; retried without it
   when xlrd cannot do formatting for that file). Numbers that are whole become ``int``; date
   cells become ``datetime`` flagged ``"date"``; error cells become their literal (``#DIV/0!``)
   flagged ``"excel_error"``. xlrd's own log output is swallowed.

Every failure becomes a finding naming the file (and sheet): ``file_empty``, ``file_corrupt``,
``file_encrypted``, ``encoding_undetected``, ``file_unsupported``, ``file_unreadable``,
``sheet_unreadable``; ``format_mismatch`` is a warning. Nothing raises to the caller and no
traceback is printed. Sheet and file names are data only: this module never builds a
filesystem path from them.

:func:`discover_files` lists the files under the raw folder (sorted by relative POSIX path),
skipping hidden files and folders, ``~$`` lock files, ``README*``, ``manifest.csv`` and the
``SAMPLE`` marker, without opening anything and without following symlinked folders.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import io
import os
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from analysis.clean.findings import QualityReport
from analysis.clean.values import is_excel_error

__all__ = ["Sheet", "Workbook", "discover_files", "read_workbook", "column_letter", "detect_format"]

# Some raw cells are large (pasted notes); allow long CSV fields instead of failing the file.
with contextlib.suppress(OverflowError):  # pragma: no cover - platform dependent
    csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))

CSV_EXTS = {".csv", ".tsv", ".txt"}
XLSX_EXTS = {".xlsx", ".xlsm", ".xltx", ".xltm"}
XLS_EXTS = {".xls", ".xlt", ".et"}
TABLE_EXTS = CSV_EXTS | XLSX_EXTS | XLS_EXTS

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_BINARY_MAGICS = {
    b"%PDF": "PDF",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"Rar!": "RAR",
    b"7z\xbc\xaf": "7z",
    b"\x1f\x8b": "gzip",
}
_FORMAT_LABEL = {"csv": "CSV", "xlsx": "XLSX", "xls": "XLS"}


# ------------------------------------------------------------------------------ model


def column_letter(c: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 25 -> Z, 26 -> AA)."""
    n = c + 1
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class Sheet:
    """One rectangular grid of raw values, row-major, 0-based."""

    name: str
    values: list[list[object]]
    merged: list[tuple[int, int, int, int]]
    flags: dict[tuple[int, int], str]
    kind: str
    hidden: bool = False

    def ref(self, r: int, c: int) -> str:
        """Cell reference for findings: ``B7`` (Excel) or ``R7C2`` (CSV, 1-based)."""
        if self.kind == "csv":
            return f"R{r + 1}C{c + 1}"
        return f"{column_letter(c)}{r + 1}"

    @property
    def n_rows(self) -> int:
        return len(self.values)

    @property
    def n_cols(self) -> int:
        return len(self.values[0]) if self.values else 0


@dataclass
class Workbook:
    """A raw file as read: its real format, CSV encoding and sheets."""

    path: Path
    rel_path: str
    kind: str
    encoding: str | None
    sheets: list[Sheet] = field(default_factory=list)


# -------------------------------------------------------------------------- discovery

_SKIP_NAMES = {"manifest.csv", "sample", "sample.md", "sample.txt", "thumbs.db", "desktop.ini"}


def _skip_file(name: str) -> bool:
    low = name.lower()
    if name.startswith(".") or name.startswith("~$"):
        return True
    if low in _SKIP_NAMES:
        return True
    return low.startswith("readme")


def discover_files(raw_root: Path, report: QualityReport | None = None) -> list[Path]:
    """All data files under ``raw_root``, sorted by relative path; nothing is opened.

    With ``report``, a skipped hidden file whose extension says it is a table (``.x.csv``,
    ``..%2fevil.xlsx``) gets a ``file_hidden`` error, so no figure vanishes silently. macOS
    ``._*`` resource forks and files inside hidden folders (``.git``) are not reported.
    """
    root = Path(raw_root)
    found: list[tuple[str, Path]] = []
    if not root.is_dir():
        return []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if _skip_file(name):
                if (report is not None and name.startswith(".") and not name.startswith("._")
                        and Path(name).suffix.lower() in TABLE_EXTS):
                    report.add("file_hidden", file=(Path(dirpath) / name).relative_to(root).as_posix())
                continue
            p = Path(dirpath) / name
            if not p.is_file():
                continue
            rel = p.relative_to(root).as_posix()
            found.append((rel, p))
    found.sort(key=lambda t: t[0])
    return [p for _, p in found]


# --------------------------------------------------------------------- format sniffing


def _ext_kind(path: Path) -> str | None:
    ext = path.suffix.lower()
    if ext in CSV_EXTS:
        return "csv"
    if ext in XLSX_EXTS:
        return "xlsx"
    if ext in XLS_EXTS:
        return "xls"
    return None


def detect_format(data: bytes) -> tuple[str, str]:
    """(kind, detail) from magic bytes: kind is xlsx, xls, encrypted, zip, ole, binary, html or text."""
    head = data[:8]
    if head.startswith(_ZIP_MAGICS):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except Exception as exc:  # BadZipFile, OSError, ...
            return "zip_bad", type(exc).__name__
        if "xl/workbook.xml" in names or any(n.endswith("workbook.xml") for n in names):
            return "xlsx", ""
        if "word/document.xml" in names:
            return "zip", "DOCX"
        if "ppt/presentation.xml" in names:
            return "zip", "PPTX"
        if "content.xml" in names:
            return "zip", "ODF"
        return "zip", "ZIP"
    if head == _OLE_MAGIC:
        return _sniff_ole(data)
    for magic, label in _BINARY_MAGICS.items():
        if head.startswith(magic):
            return "binary", label
    probe = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html", b"<?xml", b"<table", b"<meta")) or (
        probe.startswith(b"<") and (b"<table" in data[:65536].lower() or b"<html" in data[:65536].lower())
    ):
        return "html", "HTML/XML"
    return "text", ""


def _sniff_ole(data: bytes) -> tuple[str, str]:
    try:
        import msoffcrypto

        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        if office.is_encrypted():
            return "encrypted", type(office).__name__
    except Exception:
        pass  # not an Office format msoffcrypto knows; look at the streams below
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(s).lower() for s in ole.listdir()}
    except Exception as exc:
        return "ole_bad", type(exc).__name__
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        return "encrypted", "OOXML"
    if "workbook" in streams or "book" in streams:
        return "xls", ""
    if "worddocument" in streams:
        return "ole", "DOC"
    if "powerpoint document" in streams:
        return "ole", "PPT"
    return "ole", "OLE2"


# ------------------------------------------------------------------------- reading


def read_workbook(path: Path, raw_root: Path, report: QualityReport) -> Workbook | None:
    """Read one raw file into a :class:`Workbook`; ``None`` (with an error finding) if unreadable."""
    path = Path(path)
    try:
        rel = path.resolve().relative_to(Path(raw_root).resolve()).as_posix()
    except (ValueError, OSError):
        try:
            rel = path.relative_to(raw_root).as_posix()
        except ValueError:
            rel = path.name
    try:
        return _read_workbook(path, rel, report)
    except Exception as exc:  # last line of defence: a finding, never a traceback
        report.add("file_corrupt", file=rel, error=_err_text(exc))
        return None


def _err_text(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ").strip()
    if len(text) > 160:
        text = text[:160] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _read_workbook(path: Path, rel: str, report: QualityReport) -> Workbook | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.add("file_unreadable", file=rel, error=_err_text(exc))
        return None
    if not data:
        report.add("file_empty", file=rel)
        return None

    expected = _ext_kind(path)
    real, detail = detect_format(data)
    if real == "encrypted":
        report.add("file_encrypted", file=rel)
        return None
    if real in ("zip_bad", "ole_bad"):
        report.add("file_corrupt", file=rel, error=detail)
        return None
    if real in ("zip", "ole", "binary", "html"):
        report.add("file_unsupported", file=rel, format=detail)
        return None
    if real == "text" and expected is None:
        report.add("file_unsupported", file=rel, format=path.suffix or "?")
        return None
    kind = "csv" if real == "text" else real
    if kind == "csv" and expected in ("xlsx", "xls") and decode_text(data)[0] is None:
        # An Excel name on bytes that are neither a workbook nor text: a corrupt workbook.
        report.add("file_corrupt", file=rel, error=f"not a valid {_FORMAT_LABEL[expected]} file")
        return None
    if expected is not None and expected != kind:
        report.add(
            "format_mismatch",
            file=rel,
            ext=path.suffix,
            expected=_FORMAT_LABEL[expected],
            actual=_FORMAT_LABEL[kind],
        )
    wb = Workbook(path=path.absolute(), rel_path=rel, kind=kind, encoding=None, sheets=[])
    if kind == "csv":
        return _read_csv(data, path, wb, report)
    if kind == "xlsx":
        return _read_xlsx(data, wb, report)
    return _read_xls(data, wb, report)


# ------------------------------------------------------------------------------ grid


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _build_sheet(
    name: str,
    cells: Iterable[tuple[int, int, object]],
    flags: dict[tuple[int, int], str],
    merged: Iterable[tuple[int, int, int, int]],
    kind: str,
    hidden: bool,
) -> Sheet:
    """Grid from sparse (r, c, value) cells; trailing blank rows/columns trimmed, merges clipped."""
    cell_map: dict[tuple[int, int], object] = {}
    max_r = max_c = -1
    for r, c, v in cells:
        if v is None:
            continue
        cell_map[(r, c)] = v
        if not _is_blank(v):
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
    return Sheet(name=name, values=values, merged=kept_merges, flags=kept_flags, kind=kind, hidden=hidden)


# ------------------------------------------------------------------------------- CSV

_CHINESE_CODEPAGES = {"gb2312", "gbk", "gb18030", "cp936", "hz", "hz_gb_2312", "euc_cn", "iso2022_cn"}


def _charset_guess(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:65536]).best()
        return best.encoding if best is not None else ""
    except Exception:  # pragma: no cover
        return ""


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_PUA_RE = re.compile(r"[\ue000-\uf8ff]")


def _plausible_text(text: str) -> bool:
    """Reject GB18030 "successes" that are really other bytes: control characters, or more than
    1% private-use characters (GB18030 maps its user-defined areas there)."""
    if _CONTROL_RE.search(text):
        return False
    return len(_PUA_RE.findall(text)) <= max(1, len(text) // 100)


def decode_text(data: bytes) -> tuple[str | None, str | None, str]:
    """(text, encoding, guess). ``text`` is ``None`` when no supported encoding decodes the bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf_8_sig"), "utf_8_sig", ""
        except UnicodeDecodeError:
            return None, None, "utf_8_sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf_16"), "utf_16", ""
        except UnicodeDecodeError:
            return None, None, "utf_16"
    if b"\x00" in data:
        return None, None, _charset_guess(data) or "binary"
    try:
        return data.decode("utf_8"), "utf_8", ""
    except UnicodeDecodeError:
        pass
    # Not UTF-8. Every Chinese code page charset-normalizer might name (GB2312, GBK, CP936)
    # is a subset of GB18030, so GB18030 is always the one to try.
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible_text(text):
        return text, "gb18030", ""
    guess = _charset_guess(data)
    if guess and guess.lower() not in _CHINESE_CODEPAGES:
        return None, None, guess
    return None, None, guess or "unknown"


def _sniff_delimiter(text: str) -> str:
    sample_lines = text[:65536].splitlines()[:50]
    sample = "\n".join(sample_lines)
    best, best_score = ",", -1.0
    for delim in (",", "\t", ";"):
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=delim))
        except csv.Error:
            continue
        widths = [len(r) for r in rows if any(f.strip() for f in r)]
        multi = [w for w in widths if w > 1]
        if not multi:
            continue
        mode = max(set(multi), key=multi.count)
        score = len(multi) + multi.count(mode) + 0.01 * mode
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_csv(data: bytes, path: Path, wb: Workbook, report: QualityReport) -> Workbook | None:
    text, encoding, guess = decode_text(data)
    if text is None:
        report.add("encoding_undetected", file=wb.rel_path, guess=guess or "unknown")
        return None
    wb.encoding = encoding
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        report.add("file_empty", file=wb.rel_path)
        return None
    if encoding not in ("utf_8", "utf_8_sig"):
        report.add("encoding_detected", file=wb.rel_path, encoding=encoding)
    delim = _sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        report.add("sheet_unreadable", file=wb.rel_path, sheet=path.stem, error=_err_text(exc))
        return None
    cells = ((r, c, (v if v != "" else None)) for r, row in enumerate(rows) for c, v in enumerate(row))
    sheet = _build_sheet(path.stem, cells, {}, [], "csv", False)
    if sheet.n_rows == 0:
        report.add("file_empty", file=wb.rel_path)
        return None
    wb.sheets.append(sheet)
    return wb


# ------------------------------------------------------------------------------ XLSX

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


def _read_xlsx(data: bytes, wb: Workbook, report: QualityReport) -> Workbook | None:
    data, real_titles = _safe_sheet_titles(data)
    data, has_formulas = _prepare_xlsx(data)
    try:
        book = _load_openpyxl(data, data_only=True)
    except Exception as exc:  # BadZipFile, KeyError, InvalidFileException, XML errors, ...
        report.add("file_corrupt", file=wb.rel_path, error=_err_text(exc))
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
            report.add("sheet_unreadable", file=wb.rel_path, sheet=title, error=_err_text(exc))
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
    return _build_sheet(str(ws.title), cells, flags, merged, "xlsx", hidden)


# ------------------------------------------------------------------------------- XLS


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
        report.add("file_corrupt", file=wb.rel_path, error=_err_text(last_exc or Exception("?")))
        return None
    for idx in range(book.nsheets):
        name = f"#{idx + 1}"
        try:
            sh = book.sheet_by_index(idx)
            name = str(sh.name)
            wb.sheets.append(_xls_sheet(book, sh))
        except Exception as exc:
            report.add("sheet_unreadable", file=wb.rel_path, sheet=name, error=_err_text(exc))
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
    return _build_sheet(str(sh.name), cells, flags, merged, "xls", hidden)
