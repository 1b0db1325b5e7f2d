"""Readers by detected format, and :func:`read_workbook`, the one entry point.

``READERS`` maps a detected format (``csv``, ``xlsx``, ``xls``, ``html``, ``docx``, ``pdf``, ``text``) to a
function ``reader(data, workbook, report) -> Workbook | None``. A format module registers its reader
with ``@register("name")``; a new format plugs in without touching the dispatch below.

How a file is read:

1. **Bytes first.** The file is read once into memory (``Path.read_bytes``); nothing here ever opens a
   raw file for writing, and every library is given the bytes, never the path. No ``save`` is called.
2. **The real format comes from the content** (:func:`analysis.clean.readers.sniff.detect_format`).
   When the extension says otherwise (``.xlsx`` that is CSV, ``.xls`` that is a web page) a
   ``format_mismatch`` warning is added and the file is read by its real format. A text file whose
   extension is not ours (``.md``, ``.json``, none) is ``file_unsupported``; so are images, archives,
   slides, and legacy Word/WPS documents (the finding asks for .docx or PDF).
3. **Text** is a delimited table (CSV) unless a ``.txt`` file has no consistent delimiter structure:
   then it is prose (a letter) and becomes paragraphs only.

Every failure becomes a finding naming the file; nothing raises to the caller and no traceback is printed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analysis.clean.findings import QualityReport
from analysis.clean.readers.encoding import decode_text
from analysis.clean.readers.model import Workbook, err_text
from analysis.clean.readers.sniff import (
    FORMAT_LABEL,
    LEGACY_WORD_EXTS,
    detect_format,
    expected_kinds,
    is_prose,
)

Reader = Callable[[bytes, Workbook, QualityReport], "Workbook | None"]
READERS: dict[str, Reader] = {}

_LEGACY_LABEL = {"DOC": "Word 97-2003 文档 .doc", "WPS": "WPS 文字文档 .wps"}


def register(kind: str) -> Callable[[Reader], Reader]:
    """Decorator: make ``fn`` the reader for the detected format ``kind``."""

    def deco(fn: Reader) -> Reader:
        READERS[kind] = fn
        return fn

    return deco


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
        report.add("file_corrupt", file=rel, error=err_text(exc))
        return None


def _read_workbook(path: Path, rel: str, report: QualityReport) -> Workbook | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.add("file_unreadable", file=rel, error=err_text(exc))
        return None
    if not data:
        report.add("file_empty", file=rel)
        return None

    expected = expected_kinds(path)
    real, detail = detect_format(data)
    if real == "encrypted":
        report.add("file_encrypted", file=rel)
        return None
    if real in ("zip_bad", "ole_bad"):
        report.add("file_corrupt", file=rel, error=detail)
        return None
    if real == "ole" and (detail == "DOC" or path.suffix.lower() in LEGACY_WORD_EXTS):
        label = _LEGACY_LABEL["WPS" if path.suffix.lower() == ".wps" else "DOC"]
        report.add("file_unsupported", file=rel, format=label)
        return None
    if real in ("zip", "ole", "binary"):
        report.add("file_unsupported", file=rel, format=detail)
        return None
    if real == "text" and expected is None:
        ext = path.suffix.lower()
        label = _LEGACY_LABEL["WPS" if ext == ".wps" else "DOC"] if ext in LEGACY_WORD_EXTS else (path.suffix or "?")
        report.add("file_unsupported", file=rel, format=label)
        return None
    kind = real
    if real == "text":
        kind = "csv"
        if "text" in (expected or set()):
            text = decode_text(data)[0]
            if text is not None and is_prose(text.lstrip("\ufeff")):
                kind = "text"
    promised = "" if expected is None else FORMAT_LABEL["text" if "text" in expected else min(expected)]
    if kind == "csv" and expected and expected & {"xlsx", "xls", "docx", "pdf"} and decode_text(data)[0] is None:
        # An Excel/Word/PDF name on bytes that are neither that format nor text: a corrupt file.
        report.add("file_corrupt", file=rel, error=f"not a valid {promised} file")
        return None
    if expected is not None and kind not in expected:
        report.add("format_mismatch", file=rel, ext=path.suffix, expected=promised, actual=FORMAT_LABEL[kind])
    reader = READERS.get(kind)
    if reader is None:  # pragma: no cover - every detected readable kind has a reader
        report.add("file_unsupported", file=rel, format=FORMAT_LABEL.get(kind, kind))
        return None
    wb = Workbook(path=path.absolute(), rel_path=rel, kind=kind, encoding=None, sheets=[])
    return reader(data, wb, report)
