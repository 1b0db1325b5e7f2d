"""Plain-text letters (``.txt`` with no delimiter structure): decoded, then split into paragraphs only.

Letters are often copied out of a PDF or a fixed-width print: each line is cut at the page width, and
a blank line may stand between every two lines. :func:`paragraphs_from_lines` rejoins such hard-wrapped
lines so a number or a sentence is never cut in two: a line that does not end a sentence (。！？；：) runs on
into the next one. Blank lines end a paragraph, unless the text is double-spaced throughout (then they
carry no meaning). Paragraph locations are ``P1``, ``P2``... in reading order.
"""

from __future__ import annotations

import re

from analysis.clean.findings import QualityReport
from analysis.clean.readers.encoding import decode_text
from analysis.clean.readers.model import Paragraph, Workbook
from analysis.clean.readers.registry import register

SENTENCE_END = tuple("。！？；：!?;:」』”）)")
_ASCII_WORD_END = re.compile(r"[A-Za-z]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z]")
# A line that starts a new item even when the previous line did not end a sentence.
_ITEM_START = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十]+[章条节部分]|附件)")


def _join(a: str, b: str) -> str:
    if _ASCII_WORD_END.search(a) and _ASCII_WORD_START.search(b):
        return f"{a} {b}"
    return a + b


def paragraphs_from_lines(lines: list[str], blank_ends: bool | None = None) -> list[str]:
    """Rejoin hard-wrapped lines into paragraphs (see the module docstring). ``blank_ends``: whether a
    blank line ends a paragraph; ``None`` decides from the text (not when it is double-spaced)."""
    stripped = [ln.strip().replace("\u3000", " ").strip() for ln in lines]
    n_text = sum(1 for ln in stripped if ln)
    n_blank = len(stripped) - n_text
    double_spaced = n_text > 1 and n_blank >= 0.8 * (n_text - 1) if blank_ends is None else not blank_ends
    out: list[str] = []
    current = ""
    for ln in stripped:
        if not ln:
            if not double_spaced and current:
                out.append(current)
                current = ""
            continue
        if current and (current.endswith(SENTENCE_END) or _ITEM_START.match(ln)):
            out.append(current)
            current = ""
        current = _join(current, ln) if current else ln
    if current:
        out.append(current)
    return out


def text_paragraphs(text: str, prefix: str = "") -> list[Paragraph]:
    """Paragraphs of a whole text, located ``{prefix}P1``, ``{prefix}P2``..."""
    return [Paragraph(f"{prefix}P{i}", t) for i, t in enumerate(paragraphs_from_lines(text.splitlines()), start=1)]


@register("text")
def read_text(data: bytes, wb: Workbook, report: QualityReport) -> Workbook | None:
    text, encoding, guess = decode_text(data)
    if text is None:
        report.add("encoding_undetected", file=wb.rel_path, guess=guess or "unknown")
        return None
    wb.encoding = encoding
    text = text.lstrip("\ufeff")
    if encoding not in ("utf_8", "utf_8_sig"):
        report.add("encoding_detected", file=wb.rel_path, encoding=encoding)
    wb.paragraphs = text_paragraphs(text)
    if not wb.paragraphs:
        report.add("file_empty", file=wb.rel_path)
        return None
    return wb
