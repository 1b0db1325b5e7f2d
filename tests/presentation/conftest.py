"""Fixtures for the presentation tests: summary-table rows built by hand (contracts.md section 4)."""

from __future__ import annotations

import logging
import math
import warnings
from contextlib import contextmanager

import pytest

BASE_ROW = {
    "year": 2024,
    "region_code": "640000",
    "region_name": "宁夏回族自治区",
    "level": "province",
    "parent_code": "",
    "indicator": "cases_filed",
    "name_zh": "立案查处案件",
    "unit": "起",
    "kind": "count",
    "category": "enforcement",
    "direction": "neutral",
    "value": 214.0,
    "numerator": math.nan,
    "denominator": math.nan,
    "prev_year": 2023,
    "prev_value": 195.0,
    "abs_change": 19.0,
    "pct_change": 19.0 / 195.0 * 100,
    "pct_change_status": "ok",
    "trend_label": "无显著趋势",
    "trend_slope": math.nan,
    "trend_p": math.nan,
    "n_years": 5,
    "rank": math.nan,
    "n_peers": math.nan,
    "outlier": False,
    "approx": False,
    "missing": False,
    "evaluated_year": 2024,
    "is_sample": True,
}


def make_row(**changes) -> dict:
    """A summary row; ``value``/``prev_value`` changes recompute abs and pct change like the contract says."""
    row = dict(BASE_ROW)
    row.update(changes)
    if ("value" in changes or "prev_value" in changes) and "abs_change" not in changes:
        v, p = row["value"], row["prev_value"]
        if isinstance(p, float) and math.isnan(p):
            row["abs_change"], row["pct_change"] = math.nan, math.nan
        else:
            row["abs_change"] = v - p
            row["pct_change"] = (v - p) / p * 100 if p else math.nan
    return row


@pytest.fixture
def row_factory():
    return make_row


class GlyphWarnings:
    def __init__(self) -> None:
        self.messages: list[str] = []

    @property
    def missing_glyph(self) -> list[str]:
        return [m for m in self.messages if "missing from" in m.lower() or ("glyph" in m.lower() and "missing" in m.lower())]


@contextmanager
def capture_font_warnings():
    """Collect Python warnings and matplotlib log records (font_manager and text rendering)."""
    box = GlyphWarnings()

    class _Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            box.messages.append(record.getMessage())

    handler = _Handler(level=logging.DEBUG)
    loggers = [logging.getLogger(name) for name in ("matplotlib", "matplotlib.font_manager", "matplotlib.text")]
    old_levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield box
        box.messages.extend(str(w.message) for w in caught)
    finally:
        for lg, level in zip(loggers, old_levels):
            lg.removeHandler(handler)
            lg.setLevel(level)


@pytest.fixture(scope="session")
def house_font() -> str:
    from analysis.present.fonts import use_house_font

    return use_house_font()
