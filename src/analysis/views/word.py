"""What a report's Word export holds: everything its HTML shows in words, in the same order.

A section decorated with :func:`for_word` records, after it has run, its heading (the Markdown head the
notebook shows above it, ``markdown.<key>`` of the report's wording file, as a real Word heading), every
paragraph of its :class:`~analysis.views.display.Paragraphs` blocks and every table with its caption (an
empty table as the "caption：暂无数据。" line the HTML shows) into :attr:`Report.texts`, which
:meth:`Report.export` hands to :func:`analysis.present.tables.to_docx`. Paragraphs the section recorded itself
with :meth:`Report.keep_text` are replaced, so nothing is doubled and nothing the HTML shows is left out. The
caption also becomes the table's ``attrs["caption"]``, the title row of its XLSX sheet.
"""

from __future__ import annotations

import functools
import re

from analysis.present.report_docx import DocHeading, DocTable
from analysis.views.display import Paragraphs, Table
from analysis.views.wording import say, template

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def markdown_blocks(report: str, key: str) -> list[str]:
    """The Markdown cell ``markdown.<key>`` as Word blocks: ``## 一、…`` -> a level-1 :class:`DocHeading`
    (``#`` is the document title, so ``##`` is level 1 and ``###`` level 2); other paragraphs as text."""
    blocks: list[str] = []
    for part in str(template(report, f"markdown.{key}")).split("\n\n"):
        part = part.strip()
        match = _HEADING.match(part)
        if match:
            level = len(match.group(1)) - 1
            if level >= 1:
                blocks.append(DocHeading(match.group(2).strip(), level))
        elif part:
            blocks.append(part.replace("\n", ""))
    return blocks


def record_section(rep, report: str, key: str | None, section, start: int) -> None:
    """Replace what the section kept from ``rep.texts[start:]`` by its heading, paragraphs and tables."""
    del rep.texts[start:]
    if key:
        rep.texts.extend(markdown_blocks(report, key))
    for block in section:
        if isinstance(block, Paragraphs):
            for text in block.texts:
                rep.keep_text(text)
        elif isinstance(block, Table):
            if block.df is not None and len(block.df):
                block.df.attrs["caption"] = block.caption
                rep.keep_text(DocTable(block.caption, block.df))
            else:
                rep.keep_text(say("common", "table.empty", caption=block.caption))


def for_word(report: str, key: str | None = None):
    """Decorator of a report section ``func(rep, ...)``: record what it shows for the Word export (see the module
    docstring); ``key`` names the Markdown heading shown above the section (None: no heading of its own)."""

    def wrap(func):
        @functools.wraps(func)
        def run(rep, *args, **kwargs):
            start = len(rep.texts)
            section = func(rep, *args, **kwargs)
            record_section(rep, report, key, section, start)
            return section

        return run

    return wrap


__all__ = ["for_word", "markdown_blocks", "record_section"]
