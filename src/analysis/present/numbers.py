"""The one number formatter behind prose, tables and chart labels (one engine, several faces).

Every figure a reader sees is rounded and written here, so a value reads the same in a sentence, a
table cell and a chart label:

- :func:`decimals_for` is the rule: 万元 (money) 2 decimals, ``%`` (rates) 1, counts and people 0,
  other whole numbers 0, other values 2 (tables, prose) or a compact form (chart labels).
- :func:`number_text` rounds half up (四舍五入) on the value's shortest decimal form.
- Faces: :func:`format_number` (tables, with thousands separators), :func:`label_text` (chart
  annotations), and ``analysis.present.narrative.format_value`` (prose, adds the unit and 约).

Missing values (None, NaN, pd.NA) are written as :data:`MISSING_MARK` by every face.
"""

from __future__ import annotations

import math
import numbers
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

MISSING_MARK = "—"
WHOLE_KINDS = ("count", "people")


def is_blank(value: Any) -> bool:
    """None, NaN or pd.NA (a list or other non-scalar is not blank)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number_text(value: float, decimals: int, group: bool = False) -> str:
    """``value`` rounded half-up (四舍五入) on its shortest decimal form: 5.125 -> "5.13", never "-0"."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{decimals}f}" if group else f"{rounded:.{decimals}f}"


def decimals_for(value: float, unit: str | None = "", kind: str | None = None, *, compact: bool = False) -> int | None:
    """Decimal places for ``value`` in ``unit`` (catalogue ``kind`` when known).

    ``compact`` (chart labels) treats only plain 万元 as money and returns ``None`` for a fractional
    ratio, which :func:`label_text` writes with two significant digits below 1 and one decimal above.
    """
    unit = "" if is_blank(unit) else str(unit)
    money = unit == "万元" if compact else unit.startswith("万元")
    if kind == "money" or money:
        return 2
    if kind == "rate" or unit == "%":
        return 1
    if kind in WHOLE_KINDS or float(value).is_integer():
        return 0
    return None if compact else 2


def format_number(value: Any, unit: str | None = "", kind: str | None = None, *, group: bool = True,
                  decimals: int | None = None) -> str:
    """A table cell's number: grouped (``18,907``), rounded by unit; missing as ``—``; text unchanged."""
    if is_blank(value):
        return MISSING_MARK
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    if not isinstance(value, numbers.Real):
        return str(value)
    places = decimals if decimals is not None else decimals_for(float(value), unit, kind)
    return number_text(float(value), places, group=group)


def label_text(value: float | None, unit: str | None = None, *, decimals: int | None = None) -> str:
    """Compact chart-label text: 万元 2 decimals, ``%`` 1 decimal with the sign, counts grouped."""
    if is_blank(value):
        return MISSING_MARK
    if decimals is None:
        decimals = decimals_for(float(value), unit, compact=True)
        if decimals is None:
            magnitude = abs(float(value))
            if magnitude < 1:  # ratios such as 0.09 起/万人: two significant digits
                places = min(4, 1 - math.floor(math.log10(magnitude)))
                return number_text(value, places, group=True).rstrip("0").rstrip(".")
            decimals = 1
    return number_text(value, decimals, group=True) + ("%" if unit == "%" else "")


__all__ = ["MISSING_MARK", "decimals_for", "format_number", "is_blank", "label_text", "number_text"]
