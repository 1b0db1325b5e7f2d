"""Report-run step: the yearly letter draft ``outputs/<year>/letter/letter_<year>_<province>.docx``.

Called by the report runner after the notebooks ran (one line, see :func:`build_letter`). It reads the
processed data exactly as the overview notebook does (``views.load_processed`` -> ``with_rollups`` ->
``cached_summary`` with the year folder's summary cache), so the letter's figures are the overview's
figures, and it reuses the summary table the notebooks already built.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

from analysis.errors import AnalysisError


def build_letter(year: int, processed_dir: Path | str, year_dir: Path | str, *, date: dt.date | None = None,
                 stream: TextIO | None = None, province: str = "") -> Path | None:
    """Write the province's letter draft for ``year``; returns its path, or None when there is nothing to write.

    Never raises for bad or missing data: it prints one bilingual line and returns None, so a report
    run still finishes. ``date`` (成文日期) defaults to today.
    """
    from analysis import views as v
    from analysis.present.gongwen import letter_path, write_letter
    from analysis.views.loading import select_province

    stream = stream or sys.stdout
    try:
        data = v.load_processed(processed_dir)
        data.facts = select_province(data.facts, province)  # the province this run reports on
        facts = v.with_rollups(data.facts)
        province = v.province_of(data.facts)
        summary = v.cached_summary(facts, data.reference, data.is_sample, v.summary_cache_dir(year_dir))
        have = summary[(summary["year"].astype(int) == int(year))
                       & (summary["region_code"].astype(str) == str(province["code"])) & ~summary["missing"]]
        if have.empty:
            print(f"公文草稿未生成：{year}年{province['name']}没有数据 / letter skipped: no province figures for {year}",
                  file=stream, flush=True)
            return None
        dest = letter_path(year_dir, year, province["code"])
        return write_letter(summary, int(year), str(province["code"]), dest, date=date)
    except AnalysisError as err:
        print(f"公文草稿未生成 / letter skipped: {err}", file=stream, flush=True)
        return None
