"""Spreadsheet-safe text for every CSV and XLSX the product writes (the one formula-injection guard).

``neutralize_formula(s)``
    CSV/XLSX formula-injection guard after OWASP: a string whose first character is TAB or
    CR, or whose first non-whitespace character is ``=`` ``+`` ``-`` ``@``, gets a leading
    apostrophe. Decided exemptions, so exported figures and missing marks stay intact: a
    plain signed number (``-3``, ``+5``, ``-1,234.5``, ``-12%``) and a string made of dashes
    only (``-``, ``--``). ``-2+3`` *is* neutralised (Excel would evaluate it). Non-strings are
    returned unchanged; the function is idempotent.

:func:`xml_safe` removes characters XML (and so XLSX/DOCX) cannot hold; :func:`spreadsheet_text` does both;
:func:`neutralize_frame` applies the guard to the text cells (and column names) of a table.
"""

from __future__ import annotations

import re

__all__ = ["EXCEL_CELL_MAX", "neutralize_formula", "neutralize_frame", "spreadsheet_text", "xml_safe"]

EXCEL_CELL_MAX = 32_767  # characters a spreadsheet cell holds
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_PLAIN_NUMBER_RE = re.compile(r"^[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]+)?%?$")


def neutralize_formula(s: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula (OWASP CSV injection)."""
    if not isinstance(s, str) or not s:
        return s
    if s[0] in "\t\r":
        return "'" + s
    stripped = s.lstrip(" \n\u3000\u00a0")
    if not stripped or stripped[0] not in "=+-@":
        return s
    core = stripped.rstrip()
    if any(ch.isdigit() for ch in core) and _PLAIN_NUMBER_RE.match(core):
        return s  # a plain signed number such as -3 or +5 cannot run anything
    if set(core) <= {"-"}:
        return s  # a dash (missing mark)
    return "'" + s


def xml_safe(text) -> str:
    """``text`` as a string without the characters XML cannot hold."""
    return _XML_ILLEGAL.sub("", str(text))


def spreadsheet_text(value) -> str:
    """Text for a spreadsheet cell: XML-illegal characters removed, formula injection neutralised."""
    return neutralize_formula(xml_safe(value))


def neutralize_frame(df, columns=None, *, headers: bool = False, max_len: int | None = None):
    """A copy of ``df`` whose text cells in ``columns`` (default: every column) are neutralised.

    ``max_len`` cuts longer text with an ellipsis (a CSV twin of a spreadsheet); ``headers`` also
    neutralises the column names.
    """
    out = df.copy()
    for col in (out.columns if columns is None else [c for c in columns if c in out.columns]):
        out[col] = out[col].map(lambda v: _cell(v, max_len) if isinstance(v, str) else v)
    if headers:
        out.columns = [spreadsheet_text(str(c)) for c in out.columns]
    return out


def _cell(value: str, max_len: int | None) -> str:
    value = neutralize_formula(value)
    return value[: max_len - 1] + "…" if max_len is not None and len(value) > max_len else value
