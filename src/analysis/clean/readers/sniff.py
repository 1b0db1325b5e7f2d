"""The real format of a raw file comes from its bytes, not its extension.

``PK\\x03\\x04`` -> a ZIP: XLSX when it holds ``xl/workbook.xml``, DOCX when it holds
``word/document.xml`` (a PPTX/ODF/other ZIP is unsupported; an unreadable ZIP is corrupt).
``D0 CF 11 E0`` -> an OLE2 compound file: msoffcrypto-tool says whether it is encrypted (a
password-protected XLSX is an OLE2 container too); a ``Workbook``/``Book`` stream -> XLS; a
``WordDocument`` stream -> a legacy Word or WPS document (unsupported, the user is asked for .docx/PDF).
``%PDF`` -> PDF. PNG, JPEG, GIF, RAR, 7z, gzip -> unsupported. Markup starting with ``<html``/``<table``/
``<!doctype html`` -> HTML, whatever the extension (a web page saved as ``.xls`` is common).
Anything else is text: a delimited table (CSV) or prose (a letter), told apart by :func:`is_prose`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

CSV_EXTS = {".csv", ".tsv"}
TEXT_EXTS = {".txt", ".text"}
XLSX_EXTS = {".xlsx", ".xlsm", ".xltx", ".xltm"}
XLS_EXTS = {".xls", ".xlt", ".et"}
HTML_EXTS = {".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml"}
DOCX_EXTS = {".docx", ".docm"}
PDF_EXTS = {".pdf"}
LEGACY_WORD_EXTS = {".doc", ".wps", ".dot"}
# Extensions a skipped hidden file may have and still be a table the user meant (``file_hidden``).
TABLE_EXTS = CSV_EXTS | TEXT_EXTS | XLSX_EXTS | XLS_EXTS | HTML_EXTS | DOCX_EXTS | PDF_EXTS

# What an extension promises: the set of real formats that do not warrant a format_mismatch warning.
_EXPECTED: list[tuple[set[str], set[str]]] = [
    (CSV_EXTS, {"csv"}),
    (TEXT_EXTS, {"csv", "text"}),
    (XLSX_EXTS, {"xlsx"}),
    (XLS_EXTS, {"xls"}),
    (HTML_EXTS, {"html"}),
    (DOCX_EXTS, {"docx"}),
    (PDF_EXTS, {"pdf"}),
]
FORMAT_LABEL = {"csv": "CSV", "xlsx": "XLSX", "xls": "XLS", "html": "HTML", "docx": "DOCX", "pdf": "PDF",
                "text": "TXT"}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
BINARY_MAGICS = {
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"Rar!": "RAR",
    b"7z\xbc\xaf": "7z",
    b"\x1f\x8b": "gzip",
}


def expected_kinds(path: Path) -> set[str] | None:
    """The formats the extension promises; ``None`` when the extension is not one of ours."""
    ext = path.suffix.lower()
    for exts, kinds in _EXPECTED:
        if ext in exts:
            return kinds
    return None


def detect_format(data: bytes) -> tuple[str, str]:
    """(kind, detail) from magic bytes.

    kind is one of xlsx, xls, docx, pdf, html, text (readable), encrypted, zip_bad, ole_bad (broken),
    or zip, ole, binary (unsupported, ``detail`` names what it is).
    """
    head = data[:8]
    if head.startswith(ZIP_MAGICS):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except Exception as exc:  # BadZipFile, OSError, ...
            return "zip_bad", type(exc).__name__
        if "xl/workbook.xml" in names or any(n.endswith("workbook.xml") for n in names):
            return "xlsx", ""
        if "word/document.xml" in names:
            return "docx", ""
        if "ppt/presentation.xml" in names:
            return "zip", "PPTX"
        if "content.xml" in names:
            return "zip", "ODF"
        return "zip", "ZIP"
    if head == OLE_MAGIC:
        return sniff_ole(data)
    if data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF"):
        return "pdf", ""
    for magic, label in BINARY_MAGICS.items():
        if head.startswith(magic):
            return "binary", label
    if looks_like_html(data):
        return "html", ""
    return "text", ""


def looks_like_html(data: bytes) -> bool:
    """Markup a browser would render: a page or a bare table, in any single-byte-compatible encoding
    (UTF-16 pages are recognised after their BOM)."""
    probe = data[:4096]
    if probe.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            probe = data[:8192].decode("utf_16", "ignore").encode("utf-8")
        except Exception:  # pragma: no cover
            return False
    probe = probe.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<body")):
        return True
    if probe.startswith((b"<?xml", b"<!--", b"<")):
        low = data[:65536].lower()
        return b"<table" in low or b"<html" in low or b"<body" in low
    return False


def sniff_ole(data: bytes) -> tuple[str, str]:
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


def delimiter_score(text: str) -> tuple[str, float, float]:
    """(delimiter, score, consistency) over the first 50 non-blank records.

    The delimiter (comma, tab or semicolon) is the one giving the most consistent multi-column rows;
    ``consistency`` is the share of non-blank records that have the modal number (>= 2) of fields.
    """
    sample_lines = text[:65536].splitlines()[:50]
    sample = "\n".join(sample_lines)
    best, best_score, best_cons = ",", -1.0, 0.0
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
            best, best_score, best_cons = delim, score, multi.count(mode) / max(1, len(widths))
    return best, best_score, best_cons


def is_prose(text: str) -> bool:
    """True when a text file has no consistent delimiter structure: a letter, not a table.

    A table has most of its records split into the same number (>= 2) of fields by one delimiter. Prose
    written in Chinese uses full-width punctuation (，；), so its lines rarely split at all.
    """
    lines = [ln for ln in text[:65536].splitlines() if ln.strip()]
    if not lines:
        return False
    _, score, consistency = delimiter_score(text)
    return score < 0 or consistency < 0.6
