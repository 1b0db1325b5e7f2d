"""Reading one raw cell as a figure: :func:`parse_value` and :func:`looks_numeric`.

``parse_value(raw) -> ParsedValue``
    Classifies one raw cell as ``ok`` / ``missing`` / ``invalid``. It never raises. Strings
    are first folded (full-width ASCII -> ASCII, U+3000/NBSP and other spaces -> space,
    control/format characters dropped, a few traditional characters that occur in figures
    such as 萬 億 餘 約 個 -> simplified); NFKC is *not* applied to values, so ``10²`` or ``①``
    never turn into figures silently. Decisions (also tested):

    * missing: ``None``; ``""`` or whitespace; any run of dashes (``-`` ``—`` ``–`` ``－``
      ``——``); ``/`` ``／`` ``\\``; ``…`` ``……`` ``...``; ``×`` (Chinese statistical
      convention "not applicable"); ``无`` ``空`` ``暂无`` ``不详`` ``未填报``; ``N/A`` ``NA``
      ``null`` ``none`` ``nan`` (case-insensitive). ``#N/A`` is an Excel error, not missing.
    * ok: Python ``int``/``float`` (also numpy numbers and ``Decimal``); strings with an
      optional sign (``+5`` -> 5, ``-3`` -> -3, the validator flags negative counts);
      thousands separators ``1,234`` / ``1，234`` / ``1 234`` (groups of exactly three);
      a leading ``.5``; scientific notation ``1.2e3`` / ``1.23E+05`` (Excel CSV exports);
      a multiplier inside the cell (``1.2万`` = 12000, ``0.5亿`` = 5e7, also 十万 百万 千万
      万亿 千 百); a unit inside the cell (``12起``, ``3100余次``, ``95.5%``); approximation
      words (prefixes 约 大约 约为 近 将近 接近 逾 超过 不足 不到 ≈ ~; suffixes 余 多 有余
      左右 以上 以下 上下 许). Money units keep their multiplier: ``47.10万元`` is value
      47.10 with unit ``万元`` (the consumer converts money by unit), while ``1.2万次`` is
      12000 with unit ``次``.
    * invalid (``reason``): ``bool`` (``"bool"``); nan/inf (``"not_finite"``); numbers too
      large for a float (``"overflow"``); ``datetime``/``date``/``time``/``timedelta`` and
      date-like strings ``2024-01-05``, ``2024/1/5``, ``2024.01.05``, ``2024年1月5日``,
      ``2024年``, ``1月5日``, ``12:30`` (``"date"``); Excel error literals ``#DIV/0!``
      ``#REF!`` ``#VALUE!`` ``#N/A`` ``#NAME?`` ``#NUM!`` ``#NULL!`` ``#SPILL!`` ... (``"excel_error"``);
      a string starting with ``=`` (formula text with no computed value,
      ``"formula_no_cache"``); ``(12)`` (accounting negative or a note? ``"ambiguous"``),
      ``12/3`` (date or fraction?), ranges ``1-3`` ``1~3`` ``1至3``, two numbers ``12 34``,
      bad grouping ``1,23`` (``"ambiguous"``); undecodable ``bytes`` (``"bytes"``); other
      object types (``"type"``); any other text (``"text"``).

    ``decimals`` is the number of decimal places as written (``15566.70`` -> 2; for floats
    the shortest repr is used). ``value`` is computed with :class:`decimal.Decimal` so
    ``1.2万`` is exactly 12000.0.

``looks_numeric(raw)``
    ``True`` for real numbers (not ``bool``; nan/inf included so they surface as findings),
    for dates and times (Excel stores them as numbers), and for strings/bytes containing a
    decimal digit of any script or another numeric character (``①``, ``²``). Every value
    that ``parse_value`` calls ok looks numeric.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from analysis.catalog.normalize import DASHES as _DASHES
from analysis.catalog.units import IN_CELL_UNIT_ALIASES, MONEY_UNITS, UNITS

__all__ = [
    "EXCEL_ERRORS",
    "INVALID_REASONS",
    "MISSING_TOKENS",
    "ParsedValue",
    "is_excel_error",
    "looks_numeric",
    "parse_value",
]

# --------------------------------------------------------------------------- constants

#: Excel error literals (upper case). ``#N/A`` is an error, not a missing mark.
EXCEL_ERRORS = frozenset(
    {
        "#DIV/0!",
        "#REF!",
        "#VALUE!",
        "#N/A",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#UNKNOWN!",
        "#BUSY!",
        "#EXTERNAL!",
        "#PYTHON!",
        "#GETTING_DATA",
    }
)

#: Cell texts (after folding and stripping, compared case-insensitively) meaning "no figure".
MISSING_TOKENS = frozenset(
    {
        "/",
        "\\",
        "//",
        "…",
        "……",
        "...",
        "..",
        "×",
        "无",
        "空",
        "暂无",
        "不详",
        "未填报",
        "n/a",
        "na",
        "null",
        "none",
        "nan",
    }
)

#: Every reason code ``parse_value`` can return for an invalid cell.
INVALID_REASONS = (
    "text",
    "date",
    "excel_error",
    "formula_no_cache",
    "ambiguous",
    "bool",
    "not_finite",
    "overflow",
    "bytes",
    "type",
)

_MULTIPLIERS = {
    "万亿": Decimal(10) ** 12,
    "千万": Decimal(10) ** 7,
    "百万": Decimal(10) ** 6,
    "十万": Decimal(10) ** 5,
    "亿": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
    "千": Decimal(10) ** 3,
    "百": Decimal(10) ** 2,
}
_APPROX_PREFIXES = (
    "约为",
    "大约",
    "约计",
    "将近",
    "接近",
    "超过",
    "不足",
    "不到",
    "约",
    "近",
    "逾",
    "≈",
    "~",
)
_APPROX_SUFFIXES = ("左右", "以上", "以下", "上下", "有余", "余", "多", "许")


# ---------------------------------------------------------------------------- parse_value


@dataclass(frozen=True)
class ParsedValue:
    """The outcome of reading one cell as a figure."""

    status: str  # "ok" | "missing" | "invalid"
    value: float | None
    approx: bool = False
    unit: str | None = None
    is_percent: bool = False
    reason: str = ""
    decimals: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


_MISSING = ParsedValue("missing", None)


def _invalid(reason: str) -> ParsedValue:
    return ParsedValue("invalid", None, reason=reason)


# Fold table for value strings: full-width ASCII -> ASCII, odd spaces -> space,
# a few traditional characters that occur in figures -> simplified.
_FOLD: dict[int, str | None] = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: " ", 0x00A0: " ", 0x2007: " ", 0x202F: " ", 0x2009: " ", 0x200A: " "})
_FOLD.update(
    {ord(k): v for k, v in zip("萬億餘約個條項處戶噸畝輛臺張筆場", "万亿余约个条项处户吨亩辆台张笔场")}
)
_FOLD.update({0xFE6A: "%", 0x301C: "~"})


def _fold(s: str) -> str:
    """Fold a value string: full-width -> ASCII, any whitespace or C0/C1 control -> space,
    format characters (zero-width space, BOM) and lone surrogates dropped."""
    s = s.translate(_FOLD)
    if s.isascii() and s.isprintable():
        return s
    out = []
    for ch in s:
        if ch.isspace():
            out.append(" ")
            continue
        cat = unicodedata.category(ch)
        if cat == "Cc":
            out.append(" ")
        elif cat not in ("Cf", "Cs"):
            out.append(ch)
    return "".join(out)


_NUM_RE = re.compile(
    r"""^(?P<sign>[+-])?
    (?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?:\ [0-9]{3})+|[0-9]+)?
    (?:\.(?P<frac>[0-9]+))?
    (?:[eE](?P<exp>[+-]?[0-9]{1,6}))?""",
    re.VERBOSE,
)
_DATE_RES = (
    re.compile(r"[0-9]{2,4}\s*年\s*(?:[0-9]{1,2}\s*月\s*(?:[0-9]{1,2}\s*[日号])?)?"),
    re.compile(r"[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*[日号]"),
    re.compile(r"^[0-9]{4}\s*[-/.]\s*[0-9]{1,2}(?:\s*[-/.]\s*[0-9]{1,2})?(?:[ T][0-9:.]+)?$"),
    re.compile(r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}$"),
    re.compile(r"^[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?$"),
)
_AMBIGUOUS_RES = (
    re.compile(r"^\(\s*[+-]?[0-9][0-9,. ]*\)$"),  # (12)
    re.compile(r"^[0-9]+(?:\.[0-9]+)?\s*/\s*[0-9]+(?:\.[0-9]+)?$"),  # 12/3
    re.compile(r"^[0-9][0-9,.]*\s*(?:-|~|至|到)\s*[0-9][0-9,.]*\S*$"),  # 1-3, 1~3, 1至3
    re.compile(r"^[+-]?[0-9][0-9,.]*\s+[0-9][0-9,. ]*$"),  # 12 34
    re.compile(r"^[+-]?[0-9]+(?:,[0-9]+)+(?:\.[0-9]+)?$"),  # 1,23
)
_UNITS_BY_LEN = tuple(sorted(set(UNITS) | set(IN_CELL_UNIT_ALIASES), key=len, reverse=True))


def _decimals_of_float(x: float) -> int:
    try:
        exp = Decimal(repr(x)).as_tuple().exponent
    except Exception:
        return 0
    return max(0, -exp) if isinstance(exp, int) else 0


def _parse_number_obj(raw: object) -> ParsedValue:
    try:
        x = float(raw)  # type: ignore[arg-type]
    except OverflowError:
        return _invalid("overflow")
    except Exception:
        return _invalid("type")
    if not math.isfinite(x):
        return _invalid("overflow" if isinstance(raw, numbers.Integral | Decimal) else "not_finite")
    if isinstance(raw, numbers.Integral):
        decimals = 0
    elif isinstance(raw, Decimal):
        exp = raw.as_tuple().exponent
        decimals = max(0, -exp) if isinstance(exp, int) else 0
    else:
        decimals = _decimals_of_float(x)
    return ParsedValue("ok", x, decimals=decimals)


def _is_missing_text(t: str) -> bool:
    if not t:
        return True
    if all(ch in "-" + _DASHES for ch in t):
        return True
    return t.lower() in MISSING_TOKENS


def is_excel_error(raw: object) -> bool:
    """``True`` for an Excel error literal such as ``#DIV/0!`` (full-width forms too)."""
    if not isinstance(raw, str):
        return False
    try:
        return _fold(raw).strip().upper() in EXCEL_ERRORS
    except Exception:
        return False


def _parse_text(s: str) -> ParsedValue:
    s = _fold(s)
    t = s.strip()
    if _is_missing_text(t):
        return _MISSING
    if t.upper() in EXCEL_ERRORS:
        return _invalid("excel_error")
    if t.startswith("="):
        return _invalid("formula_no_cache")
    if len(t) > 200 or not any("0" <= ch <= "9" for ch in t):
        return _invalid("text")
    compact = re.sub(" +", " ", t)
    ok = _parse_figure(compact)
    if ok is not None:
        return ok
    for rx in _DATE_RES:
        if rx.search(compact):
            return _invalid("date")
    for rx in _AMBIGUOUS_RES:
        if rx.match(compact):
            return _invalid("ambiguous")
    return _invalid("text")


def _parse_figure(t: str) -> ParsedValue | None:
    """The grammar: approx* sign? number multiplier? approx* unit? approx*; ``None`` if no match."""
    approx = False
    rest = t
    # approximation prefixes (possibly several, possibly with spaces)
    changed = True
    while changed:
        changed = False
        for p in _APPROX_PREFIXES:
            if rest.startswith(p):
                rest = rest[len(p) :].lstrip()
                approx = changed = True
                break
    m = _NUM_RE.match(rest)
    if not m or (m.group("int") is None and m.group("frac") is None):
        return None
    sign, int_part, frac, exp = m.group("sign"), m.group("int"), m.group("frac"), m.group("exp")
    tail = rest[m.end() :]
    # a sign must touch the digits; a '+'/'-' after the number is not a suffix we know
    number_text = (sign or "") + (int_part or "0").replace(",", "").replace(" ", "")
    if frac is not None:
        number_text += "." + frac
    if exp is not None:
        number_text += "e" + exp
    decimals = len(frac) if frac else 0

    multiplier: Decimal | None = None
    mult_text = ""
    unit: str | None = None
    is_percent = False
    # tail tokens: spaces, approx suffixes, one multiplier (before the unit), one unit
    while tail:
        if tail[0] == " ":
            tail = tail.lstrip(" ")
            continue
        matched = False
        if unit is None and multiplier is None:
            for mt, mv in _MULTIPLIERS.items():
                if tail.startswith(mt):
                    # a money unit that starts with this multiplier (万元) is a unit, not a multiplier
                    if any(tail.startswith(u) and u != mt for u in MONEY_UNITS if len(u) > 1):
                        break
                    multiplier, mult_text = mv, mt
                    tail = tail[len(mt) :]
                    matched = True
                    break
            if matched:
                continue
        if unit is None:
            for u in _UNITS_BY_LEN:
                if tail.startswith(u):
                    unit = IN_CELL_UNIT_ALIASES.get(u, u)
                    tail = tail[len(u) :]
                    matched = True
                    break
            if matched:
                if unit == "%":
                    is_percent = True
                continue
        for a in _APPROX_SUFFIXES:
            if tail.startswith(a):
                approx = True
                tail = tail[len(a) :]
                matched = True
                break
        if not matched:
            return None
    # money units keep their multiplier: 1.2万余元 -> 1.2 万元
    if multiplier is not None and unit is not None and (mult_text + unit) in MONEY_UNITS:
        unit = mult_text + unit
        multiplier = None
    if multiplier is not None and unit in ("%", "‰"):
        return None
    try:
        d = Decimal(number_text)
        if multiplier is not None:
            d = d * multiplier
        value = float(d)
    except (InvalidOperation, ArithmeticError, ValueError, OverflowError):
        return _invalid("overflow")
    if not math.isfinite(value):
        return _invalid("overflow")
    if value == 0:
        value = 0.0  # no negative zero
    return ParsedValue("ok", value, approx=approx, unit=unit, is_percent=is_percent, decimals=decimals)


def parse_value(raw: object) -> ParsedValue:
    """Read one raw cell as a figure (see the module docstring); never raises."""
    try:
        return _parse_value(raw)
    except Exception:  # pragma: no cover - defensive: the contract is "never raises"
        return _invalid("text")


def _parse_value(raw: object) -> ParsedValue:
    if raw is None:
        return _MISSING
    if isinstance(raw, bool) or type(raw).__name__ == "bool_":
        return _invalid("bool")
    if isinstance(raw, _dt.datetime | _dt.date | _dt.time | _dt.timedelta):
        return _invalid("date")
    if type(raw).__name__ in ("datetime64", "Timestamp", "timedelta64", "Timedelta", "NaTType"):
        return _invalid("date")
    if isinstance(raw, str):
        return _parse_text(raw)
    if isinstance(raw, bytes | bytearray):
        try:
            text = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            return _invalid("bytes")
        return _parse_text(text)
    if isinstance(raw, numbers.Real | Decimal):
        return _parse_number_obj(raw)
    return _invalid("type")


# --------------------------------------------------------------------------- looks_numeric


def looks_numeric(raw: object) -> bool:
    """Does this raw cell look like a figure? (a number, a date, or text with a digit)."""
    try:
        if raw is None or isinstance(raw, bool) or type(raw).__name__ == "bool_":
            return False
        if isinstance(raw, numbers.Number | Decimal):
            return True
        if isinstance(raw, _dt.datetime | _dt.date | _dt.time | _dt.timedelta):
            return True
        if isinstance(raw, bytes | bytearray):
            raw = bytes(raw).decode("utf-8", errors="replace")
        if not isinstance(raw, str):
            return False
        for ch in raw:
            if "0" <= ch <= "9":
                return True
            if ch > "\x7f" and unicodedata.category(ch) in ("Nd", "No"):
                return True
        return False
    except Exception:  # pragma: no cover
        return False

