"""Raw-file reading: every file under the raw folder becomes a :class:`Workbook` of :class:`Sheet` grids
(tables) and :class:`Paragraph` s (running text).

Modules: :mod:`.model` (Sheet, Workbook, Paragraph), :mod:`.sniff` (the real format from the bytes),
:mod:`.encoding` (text decoding), :mod:`.discover` (which files are data), :mod:`.registry` (readers by
format and :func:`read_workbook`), and one module per format: :mod:`.delimited` (CSV), :mod:`.excel`
(XLSX, XLS), :mod:`.html_page`, :mod:`.word` (DOCX), :mod:`.pdf`, :mod:`.text` (plain-text letters).
"""

from __future__ import annotations

from analysis.clean.readers import delimited, excel, html_page, pdf, text, word  # noqa: F401  (register readers)
from analysis.clean.readers.discover import discover_files
from analysis.clean.readers.encoding import decode_text
from analysis.clean.readers.model import Paragraph, Sheet, Workbook, column_letter
from analysis.clean.readers.registry import READERS, read_workbook, register
from analysis.clean.readers.sniff import TABLE_EXTS, detect_format

__all__ = [
    "READERS", "TABLE_EXTS", "Paragraph", "Sheet", "Workbook", "column_letter", "decode_text", "detect_format",
    "discover_files", "read_workbook", "register",
]
