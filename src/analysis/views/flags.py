"""Figures the data-quality report flags, so that the reports can note them wherever they are used.

A flagged figure is a fact whose raw cell carries a finding of :data:`FLAG_CODES` (a 合计 that differs
from the sum of its rows, ``total_mismatch``; a total that differs from its parts, ``parts_sum_mismatch``).
The key of a flagged figure is ``(year, region_code, indicator)``, the key the narrative takes
(``analysis.present.narrative.paragraph(..., flags=...)``): the sentence using the value, or using it as
the base of the year-on-year change, carries a note; a table gets :func:`table_note` under it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pandas as pd

from analysis.views.wording import join, say

FLAG_CODES = ("total_mismatch", "parts_sum_mismatch")


def flagged_figures(facts: pd.DataFrame, quality: pd.DataFrame | None) -> frozenset[tuple[int, str, str]]:
    """``(year, region_code, indicator)`` of the facts read from a cell with a finding of :data:`FLAG_CODES`."""
    if quality is None or quality.empty or facts.empty or "code" not in quality.columns:
        return frozenset()
    q = quality[quality["code"].isin(FLAG_CODES)]
    if q.empty:
        return frozenset()
    cells = {(str(f), str(s), str(c)) for f, s, c in zip(q["file"], q["sheet"], q["cell"])}
    keys = zip(facts["source_file"].astype(str), facts["source_sheet"].astype(str), facts["source_cell"].astype(str))
    hit = facts[[k in cells for k in keys]]
    return frozenset((int(y), str(r), str(i)) for y, r, i in zip(hit["year"], hit["region_code"], hit["indicator"]))


def table_note(flags: Collection[tuple], summary: pd.DataFrame, region_code: str, year: int,
               indicators: Sequence[str]) -> str:
    """The note under a table of ``region_code`` in ``year`` (values and their previous-year bases) naming
    the flagged figures among ``indicators``; ``""`` when none is flagged."""
    if not flags:
        return ""
    names = summary.drop_duplicates("indicator").set_index("indicator")["name_zh"]
    items = [say("common", "flags.item", year=y, name=names.get(code, code))
             for code in indicators for y in (int(year) - 1, int(year))
             if (y, str(region_code), code) in flags]
    if not items:
        return ""
    return say("common", "flags.table_note", items=join("common", "list_separator", items))
