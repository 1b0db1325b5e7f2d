"""Report-run step: the yearly letter draft ``outputs/<year>/letter/letter_<year>_<province>.docx``.

Called by the report runner after the notebooks ran (one line, see :func:`build_letter`). It reads the
processed data exactly as the overview notebook does (``views.load_processed`` -> ``cached_rollups`` ->
``cached_summary`` with the year folder's cache), so the letter's figures are the overview's
figures, and it reuses the summary table the notebooks already built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from pathlib import Path
from typing import TextIO

from analysis.atomic import atomic_write_text, ensure_dir
from analysis.errors import AnalysisError
from analysis.fingerprint import file_digest, package_digest
from analysis.processed import PROCESSED_FILES

LETTER_STATE = Path(".cache") / "letter.json"
"""Per year folder: the key of the letter last written, so a no-change re-run writes nothing (and imports
neither pandas nor python-docx)."""


def letter_key(year: int, processed_dir: Path | str, province: str, date: dt.date) -> str:
    """What the draft depends on: the processed files, the package (code, wording, templates), the year,
    the province asked for and the date (成文日期)."""
    parts = {
        "year": int(year),
        "province": province,
        "date": date.isoformat(),
        "package": package_digest(),
        "data": {name: file_digest(Path(processed_dir) / name) for name in PROCESSED_FILES},
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def _fresh_letter(state_path: Path, key: str) -> Path | None:
    try:
        state = json.loads(state_path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("key") != key:
        return None
    path = state_path.parent.parent / str(state.get("path", ""))
    return path if state.get("path") and path.is_file() else None


def build_letter(year: int, processed_dir: Path | str, year_dir: Path | str, *, date: dt.date | None = None,
                 stream: TextIO | None = None, province: str = "") -> Path | None:
    """Write the province's letter draft for ``year``; returns its path, or None when there is nothing to write.

    Never raises for bad or missing data: it prints one bilingual line and returns None, so a report
    run still finishes. ``date`` (成文日期) defaults to today.
    """
    stream = stream or sys.stdout
    date = date or dt.date.today()
    state_path = Path(year_dir) / LETTER_STATE
    key = letter_key(year, processed_dir, province, date)
    fresh = _fresh_letter(state_path, key)
    if fresh is not None:
        return fresh

    from analysis import views as v
    from analysis.present.gongwen import letter_path, write_letter
    from analysis.views.loading import select_province

    try:
        data = v.load_processed(processed_dir)
        data.facts = select_province(data.facts, province)  # the province this run reports on
        facts = v.cached_rollups(data.facts, v.summary_cache_dir(year_dir))
        province = v.province_of(data.facts)
        summary = v.cached_summary(facts, data.reference, data.is_sample, v.summary_cache_dir(year_dir))
        have = summary[(summary["year"].astype(int) == int(year))
                       & (summary["region_code"].astype(str) == str(province["code"])) & ~summary["missing"]]
        if have.empty:
            print(f"公文草稿未生成：{year}年{province['name']}没有数据 / letter skipped: no province figures for {year}",
                  file=stream, flush=True)
            return None
        dest = letter_path(year_dir, year, province["code"])
        written = write_letter(summary, int(year), str(province["code"]), dest, date=date)
        ensure_dir(state_path.parent)
        atomic_write_text(state_path, json.dumps({"key": key, "path": Path(written).relative_to(year_dir).as_posix()}))
        return written
    except AnalysisError as err:
        print(f"公文草稿未生成 / letter skipped: {err}", file=stream, flush=True)
        return None
