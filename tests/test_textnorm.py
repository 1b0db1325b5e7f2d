"""Tests for ``analysis.catalog.normalize`` and ``analysis.clean.values``: every text quirk of published tables, plus property tests.

Property tests (hypothesis): a round trip of formatted numbers, the parser never raising on
any unicode string or object, full-width and half-width forms giving equal results, and the
header normaliser being idempotent on its name.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.catalog.normalize import HeaderText, normalize_header, normalize_text, normalize_unit
from analysis.clean.values import (
    EXCEL_ERRORS,
    INVALID_REASONS,
    ParsedValue,
    is_excel_error,
    looks_numeric,
    parse_value,
)
from analysis.safe_cells import neutralize_formula


def format_number(value: float, decimals: int) -> str:
    """``1234.5, 2`` -> ``"1,234.50"``: the inverse of ``parse_value`` for the property tests."""
    return f"{value:,.{max(0, int(decimals))}f}"


def fullwidth(s: str) -> str:
    """ASCII -> full-width forms (U+FF01..U+FF5E), space -> U+3000."""
    return "".join(
        chr(ord(ch) + 0xFEE0) if 0x21 <= ord(ch) <= 0x7E else ("\u3000" if ch == " " else ch) for ch in s
    )


# ------------------------------------------------------------------------ normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  银川市 ", "银川市"),
        ("银\u3000川\u00a0市", "银川市"),
        ("行政 拘留", "行政拘留"),
        ("罰沒金額", "罚没金额"),
        ("處罰", "处罚"),
        ("許可", "许可"),
        ("１２３ＡＢＣ（一）", "123ABC(一)"),
        ("立案\t\n数量", "立案数量"),
        ("罚没\x00款\x1f\x7f\x85", "罚没款"),
        ("\ufeff罚没款\u200b", "罚没款"),
        ("2018—2023", "2018-2023"),
        ("2018–2023", "2018-2023"),
        ("2018－2023", "2018-2023"),
        ("a\u2212b", "a-b"),
        (12, "12"),
        (b"abc", "abc"),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_normalize_text_never_raises_on_odd_input():
    assert normalize_text("\ud800x") == "x"  # a lone surrogate is dropped
    assert normalize_text(object()).startswith("<object")
    long = "罰" * 10000
    assert normalize_text(long) == "罚" * 10000


# ---------------------------------------------------------------------- normalize_header


@pytest.mark.parametrize(
    ("raw", "name", "unit"),
    [
        ("罚没款（万元）", "罚没款", "万元"),
        ("罚没金额 (元)", "罚没金额", "元"),
        ("罰沒金額(萬元)", "罚没金额", "万元"),
        ("行政 拘留", "行政拘留", None),
        ("合计(宗)", "合计", "宗"),
        ("立案数量（起）", "立案数量", "起"),
        ("罚没款（亿元）", "罚没款", "亿元"),
        ("罚没款【万元】", "罚没款", "万元"),
        ("罚没款[元]", "罚没款", "元"),
        ("罚没款（单位：万元）", "罚没款", "万元"),
        ("罚没款 单位：万元", "罚没款", "万元"),
        ("单位：万元", "", "万元"),
        ("结案率（%）", "结案率", "%"),
        ("结案率（％）", "结案率", "%"),
        ("执法巡查（次）", "执法巡查", "次"),
        ("案卷（份）", "案卷", "份"),
        ("持证人员（人）", "持证人员", "人"),
        ("1.罚没款", "罚没款", None),
        ("1、立案", "立案", None),
        ("一、立案数量（起）", "立案数量", "起"),
        ("（一）结案", "结案", None),
        ("(1)警告", "警告", None),
        ("罚没款*", "罚没款", None),
        ("罚没款（万元）*", "罚没款", "万元"),
        ("行政处罚(一般程序)", "行政处罚(一般程序)", None),
        ("2024年", "2024年", None),
        (None, "", None),
    ],
)
def test_normalize_header(raw, name, unit):
    assert normalize_header(raw) == HeaderText(name, unit)


@pytest.mark.parametrize(
    ("raw", "unit"),
    [
        ("万元", "万元"),
        ("（萬元）", "万元"),
        ("单位:元", "元"),
        ("人民币万元", "万元"),
        ("万", None),
        ("abc", None),
    ],
)
def test_normalize_unit(raw, unit):
    assert normalize_unit(raw) == unit


# --------------------------------------------------------------------------- parse_value

MISSING = [
    None,
    "",
    "   ",
    "\u3000",
    "-",
    "—",
    "–",
    "－",
    "/",
    "／",
    "无",
    "空",
    "——",
    "…",
    "……",
    "N/A",
    "n/a",
    "\\",
    "×",
    " - ",
]


@pytest.mark.parametrize("raw", MISSING)
def test_missing(raw):
    pv = parse_value(raw)
    assert pv.status == "missing"
    assert pv.value is None


@pytest.mark.parametrize(
    ("raw", "value", "approx", "unit", "is_percent", "decimals"),
    [
        (12, 12.0, False, None, False, 0),
        (3.5, 3.5, False, None, False, 1),
        ("12", 12.0, False, None, False, 0),
        ("1,234", 1234.0, False, None, False, 0),
        ("1，234", 1234.0, False, None, False, 0),
        ("12,345,678.90", 12345678.9, False, None, False, 2),
        ("１２３４", 1234.0, False, None, False, 0),
        ("１，２３４．５", 1234.5, False, None, False, 1),
        ("1 234", 1234.0, False, None, False, 0),
        (" 12 ", 12.0, False, None, False, 0),
        ("1.2万", 12000.0, False, None, False, 1),
        ("0.5亿", 50000000.0, False, None, False, 1),
        ("1.2萬", 12000.0, False, None, False, 1),
        ("12起", 12.0, False, "起", False, 0),
        ("12 起", 12.0, False, "起", False, 0),
        ("约300", 300.0, True, None, False, 0),
        ("300余", 300.0, True, None, False, 0),
        ("3100余次", 3100.0, True, "次", False, 0),
        ("220余次", 220.0, True, "次", False, 0),
        ("近5000条", 5000.0, True, "条", False, 0),
        ("约47.10万元", 47.10, True, "万元", False, 2),
        ("300多万元", 300.0, True, "万元", False, 0),
        ("1.2万余元", 1.2, True, "万元", False, 1),
        ("0.5亿元", 0.5, False, "亿元", False, 1),
        ("1.2万次", 12000.0, False, "次", False, 1),
        ("300左右", 300.0, True, None, False, 0),
        ("300人以上", 300.0, True, "人", False, 0),
        ("95.5%", 95.5, False, "%", True, 1),
        ("95.5％", 95.5, False, "%", True, 1),
        ("15566.70", 15566.7, False, None, False, 2),
        ("170.8115", 170.8115, False, None, False, 4),
        ("+5", 5.0, False, None, False, 0),
        ("-3", -3.0, False, None, False, 0),
        ("－3", -3.0, False, None, False, 0),
        ("1.2e3", 1200.0, False, None, False, 1),
        ("1.23E+05", 123000.0, False, None, False, 2),
        (".5", 0.5, False, None, False, 1),
        ("0", 0.0, False, None, False, 0),
        (Decimal("18.8710"), 18.871, False, None, False, 4),
    ],
)
def test_ok_values(raw, value, approx, unit, is_percent, decimals):
    pv = parse_value(raw)
    assert pv.status == "ok", pv
    assert pv.value == pytest.approx(value, rel=0, abs=0) or pv.value == value
    assert (pv.approx, pv.unit, pv.is_percent, pv.decimals) == (approx, unit, is_percent, decimals)
    assert pv.reason == ""


def test_multiplier_is_exact():
    assert parse_value("1.2万").value == 12000.0
    assert parse_value("0.07亿").value == 7000000.0


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("abc", "text"),
        ("合计", "text"),
        ("12abc", "text"),
        ("2024-01-05", "date"),
        ("2024/1/5", "date"),
        ("2024.01.05", "date"),
        ("2024年1月5日", "date"),
        ("2024年", "date"),
        ("1月5日", "date"),
        ("12:30", "date"),
        (dt.datetime(2024, 1, 5), "date"),
        (dt.date(2024, 1, 5), "date"),
        (dt.time(12, 30), "date"),
        ("#DIV/0!", "excel_error"),
        ("#REF!", "excel_error"),
        ("#VALUE!", "excel_error"),
        ("#N/A", "excel_error"),
        ("#NAME?", "excel_error"),
        ("#NUM!", "excel_error"),
        ("#NULL!", "excel_error"),
        ("=A1+B1", "formula_no_cache"),
        ("(12)", "ambiguous"),
        ("12/3", "ambiguous"),
        ("1-3", "ambiguous"),
        ("1~3", "ambiguous"),
        ("12 34", "ambiguous"),
        ("1,23", "ambiguous"),
        (True, "bool"),
        (False, "bool"),
        (float("nan"), "not_finite"),
        (float("inf"), "not_finite"),
        (10**400, "overflow"),
        ("1e999999", "overflow"),
        (b"\xff\xfe", "bytes"),
        (object(), "type"),
        ([1, 2], "type"),
        ("95.5万%", "text"),
    ],
)
def test_invalid_values(raw, reason):
    pv = parse_value(raw)
    assert pv.status == "invalid", pv
    assert pv.reason == reason
    assert pv.reason in INVALID_REASONS
    assert pv.value is None


def test_excel_error_literals_all_invalid():
    for lit in EXCEL_ERRORS:
        assert parse_value(lit).reason == "excel_error"
        assert is_excel_error(lit)
        assert is_excel_error(fullwidth(lit))
    assert not is_excel_error("12")
    assert not is_excel_error(12)


def test_negative_zero_is_plain_zero():
    pv = parse_value("-0")
    assert pv.value == 0.0 and math.copysign(1, pv.value) == 1


# -------------------------------------------------------------------------- looks_numeric


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12, True),
        (1.5, True),
        (float("nan"), True),
        ("12起", True),
        ("１２", True),
        ("约300", True),
        ("2024年报表", True),
        ("①", True),
        (dt.datetime(2024, 1, 1), True),
        ("合计", False),
        ("-", False),
        ("", False),
        (None, False),
        (True, False),
        ("#DIV/0!", True),
    ],
)
def test_looks_numeric(raw, expected):
    assert looks_numeric(raw) is expected


# ------------------------------------------------------------------ format / neutralize


def test_format_number():
    from analysis.present.numbers import format_number as table_number

    assert table_number(1234.5, decimals=2) == "1,234.50"
    assert table_number(0, decimals=0) == "0"
    assert table_number(15566.7, decimals=2) == "15,566.70"
    assert table_number(-1234567.891, decimals=1) == "-1,234,567.9"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("-2+3", "'-2+3"),
        ("  =1+1", "'  =1+1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-3", "-3"),
        ("+5", "+5"),
        ("-1,234.5", "-1,234.5"),
        ("-12%", "-12%"),
        ("-", "-"),
        ("银川市", "银川市"),
        ("a=b", "a=b"),
        ("", ""),
        ("'=1", "'=1"),
    ],
)
def test_neutralize_formula(raw, expected):
    assert neutralize_formula(raw) == expected
    assert neutralize_formula(neutralize_formula(raw)) == neutralize_formula(raw)


def test_neutralize_formula_leaves_non_strings():
    assert neutralize_formula(12) == 12  # type: ignore[arg-type]
    assert neutralize_formula(None) is None  # type: ignore[arg-type]


# ------------------------------------------------------------------------ property tests

NUMBERS = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)
ANY_OBJECT = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.binary(),
    st.datetimes(),
    st.dates(),
    st.times(),
    st.timedeltas(),
    st.decimals(),
    st.fractions(),
    st.complex_numbers(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
FIGURE_LIKE = st.from_regex(
    r"\A(约|近)?[+-]?[0-9]{1,3}(,[0-9]{3}){0,3}(\.[0-9]{1,4})?((万|亿)?(余|多)?(起|次|万元)?|%)\Z",
    fullmatch=True,
)


def _well_formed(pv: ParsedValue) -> None:
    assert pv.status in ("ok", "missing", "invalid")
    if pv.status == "ok":
        assert isinstance(pv.value, float) and math.isfinite(pv.value)
        assert pv.reason == ""
    else:
        assert pv.value is None
    if pv.status == "invalid":
        assert pv.reason in INVALID_REASONS


@settings(max_examples=300, deadline=None)
@given(NUMBERS, st.integers(min_value=0, max_value=4))
def test_round_trip_formatted_numbers(x, d):
    text = format_number(x, d)
    pv = parse_value(text)
    assert pv.status == "ok"
    assert pv.value == round(x, d)
    assert pv.decimals == d
    assert parse_value(fullwidth(text)).value == round(x, d)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_value_never_raises_on_text(s):
    pv = parse_value(s)
    _well_formed(pv)
    if pv.status == "ok":
        assert looks_numeric(s)


@settings(max_examples=300, deadline=None)
@given(ANY_OBJECT)
def test_parse_value_never_raises_on_objects(obj):
    pv = parse_value(obj)
    _well_formed(pv)
    if pv.status == "ok":
        assert looks_numeric(obj)
    looks_numeric(obj)
    normalize_text(obj)
    normalize_header(obj)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), FIGURE_LIKE))
def test_fullwidth_equals_halfwidth_for_values(s):
    assert parse_value(s) == parse_value(fullwidth(s))
    assert looks_numeric(s) == looks_numeric(fullwidth(s))


@settings(max_examples=200, deadline=None)
@given(FIGURE_LIKE)
def test_figure_like_strings_parse_ok(s):
    pv = parse_value(s)
    assert pv.status == "ok", (s, pv)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.sampled_from(["罚没款（万元）", "1.罚没金额 (元)", "（一）立案数量（起）", "罰沒金額(萬元)*"]),
    )
)
def test_fullwidth_equals_halfwidth_for_headers(s):
    assert normalize_header(s) == normalize_header(fullwidth(s))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_header_idempotent_on_name(s):
    name = normalize_header(s).name
    assert normalize_header(name).name == name
    assert normalize_text(normalize_text(s)) == normalize_text(s)
