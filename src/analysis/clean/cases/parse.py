"""Amounts and dates as case records write them.

Amount column: a number in the header's unit (万元, or 元 when the header says so), with thousands separators
or full-width digits; ``— —``, ``-``, ``/``, ``无`` or blank for none. 处罚内容 text: 罚款人民币壹拾贰万叁仟元整,
罚款12.3万元, 共计罚款35,600元 (capital numerals through cn2an). Dates: 2024-03-05, 2024/3/5, 2024年3月5日,
20240305, Excel serial numbers, and date/datetime cells.

Every parser returns a :class:`Parsed` with ``status`` ``ok``, ``none`` (written as "no amount"/blank) or
``bad`` (something is written that is not an amount/date); callers turn ``bad`` into a finding.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an

#: Marks meaning "no amount" (the national layout writes — — for a decision without a fine).
NONE_MARKS = frozenset({"", "—", "——", "— —", "-", "--", "/", "无", "空", "null", "none", "nan", "n/a"})
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# An Excel serial from 1990 to 2100 (older dates in serial form are implausible for published records)
_SERIAL_RANGE = (32874, 73051)


@dataclass(frozen=True)
class Parsed:
    status: str  # ok | none | bad
    value: object = None


NONE = Parsed("none")
BAD = Parsed("bad")


def _plain(text: str) -> str:
    """NFKC (full-width digits and commas), spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _to_float(text: str) -> float | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return float(value) if value.is_finite() else None


# ----------------------------------------------------------------------------------------------- amounts
_CELL_AMOUNT = re.compile(r"^(?:人民币|¥|￥)?([+-]?[0-9][0-9,]*(?:\.[0-9]+)?)(万元|万|元)?(?:整)?$")


def parse_amount_cell(raw: object, unit: str = "万元") -> Parsed:
    """An amount column's cell in 万元 (``unit`` is the header's unit). ``12,300`` under 元 -> 1.23."""
    if raw is None or isinstance(raw, bool):
        return NONE
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            return BAD
        value = float(raw)
        cell_unit = unit
    else:
        text = _plain(str(raw))
        if text.lower() in NONE_MARKS or set(text) <= {"—", "-", "－"}:
            return NONE
        m = _CELL_AMOUNT.match(text)
        if m:
            value = _to_float(m.group(1))
            cell_unit = {"万": "万元", "万元": "万元", "元": "元"}.get(m.group(2) or "", unit)
        else:
            text_amount = _capital_amount(text)
            if text_amount is None:
                return BAD
            return Parsed("ok", text_amount)
        if value is None:
            return BAD
    if value < 0:
        return BAD
    return Parsed("ok", round(value / 10_000, 6) if cell_unit == "元" else value)


# An amount after 罚款 (or 共计罚款, 罚款人民币, 处以罚款): Arabic digits with 万元/元, or capital numerals.
_NUMERALS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点"
_TEXT_AMOUNT = re.compile(
    r"(?:罚款|罚金|罚没款)(?:金额)?(?:为|计|共计|合计)?(?:人民币|￥|¥)?"
    rf"(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?|[{_NUMERALS}]+)(?P<unit>万元|万|元)(?:整)?"
)


def _capital_amount(text: str) -> float | None:
    """``壹拾贰万叁仟元整`` / ``人民币叁万伍仟陆佰元`` -> 万元 (None when it is not such an amount)."""
    m = re.fullmatch(rf"(?:人民币)?([{_NUMERALS}]+)(万元|元)(?:整)?", text)
    if not m:
        return None
    yuan = _numeral_value(m.group(1))
    if yuan is None:
        return None
    return yuan if m.group(2) == "万元" else round(yuan / 10_000, 6)


def _numeral_value(text: str) -> float | None:
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def text_amounts(text: object) -> list[float]:
    """Every fine amount written in a 处罚内容 text, in 万元 (``[]`` when none is written)."""
    if not isinstance(text, str) or not text:
        return []
    out = []
    for m in _TEXT_AMOUNT.finditer(_plain(text)):
        num, unit = m.group("num"), m.group("unit")
        value = _to_float(num) if num[0].isdigit() else _numeral_value(num)
        if value is None:
            continue
        out.append(value if unit in ("万元", "万") else round(value / 10_000, 6))
    return out


def text_fine(text: object) -> float | None:
    """The fine a 处罚内容 text states, in 万元: the 共计/合计 amount when there is one, else the sum."""
    if not isinstance(text, str):
        return None
    amounts = text_amounts(text)
    if not amounts:
        return None
    total = re.search(r"(?:共计|合计)(?:罚款)", _plain(text))
    if total and len(amounts) > 1:
        return amounts[-1]
    return round(sum(amounts), 6)


# ----------------------------------------------------------------------------------------------- dates
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def _serial(value: float) -> Parsed:
    if value != int(value) and not float(value).is_integer():
        value = math.floor(value)
    if not (_SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]):
        return BAD
    return Parsed("ok", _EXCEL_EPOCH + dt.timedelta(days=int(value)))


def parse_date(raw: object) -> Parsed:
    """A decision date as a :class:`datetime.date` (``none`` when blank, ``bad`` when not a date)."""
    if raw is None or isinstance(raw, bool):
        return NONE
    if isinstance(raw, dt.datetime):
        return Parsed("ok", raw.date())
    if isinstance(raw, dt.date):
        return Parsed("ok", raw)
    if isinstance(raw, int | float):
        return _serial(float(raw)) if math.isfinite(raw) else BAD
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(raw))).strip()
    if text.replace(" ", "").lower() in NONE_MARKS:
        return NONE
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return Parsed("ok", dt.date(*(int(g) for g in m.groups())))
            except ValueError:
                return BAD
    if re.fullmatch(r"\d{5}(?:\.0+)?", text):
        return _serial(float(text))
    return BAD
