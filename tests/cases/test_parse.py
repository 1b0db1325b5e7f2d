"""Amount and date forms of case records against hand-computed values."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.clean.cases.parse import parse_amount_cell, parse_date, text_amounts, text_fine


@pytest.mark.parametrize(("raw", "unit", "expected"), [
    (12.3, "万元", 12.3),                 # a number in the national 万元 column
    ("12.3", "万元", 12.3),
    ("1,234.5", "万元", 1234.5),          # thousands separator
    ("１２．３", "万元", 12.3),             # full-width digits
    (12300, "元", 1.23),                  # 元 header: 12300 / 10000
    ("35,600", "元", 3.56),
    ("5000元", "万元", 0.5),              # the cell names its own unit
    ("2万", "元", 2.0),
    ("壹拾贰万叁仟元整", "万元", 12.3),     # capital numerals: 123000 元
    (0, "万元", 0.0),
])
def test_amount_cell(raw, unit, expected):
    parsed = parse_amount_cell(raw, unit)
    assert parsed.status == "ok"
    assert parsed.value == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("raw", [None, "", "— —", "——", "-", "/", "无", "  "])
def test_amount_none_marks(raw):
    assert parse_amount_cell(raw).status == "none"


@pytest.mark.parametrize("raw", ["abc", "12..3", "约十万", "-5", float("nan")])
def test_amount_unparseable(raw):
    assert parse_amount_cell(raw).status == "bad"


@pytest.mark.parametrize(("text", "expected"), [
    ("罚款人民币壹拾贰万叁仟元整", 12.3),                      # 123,000 元
    ("罚款12.3万元", 12.3),
    ("共计罚款35,600元", 3.56),                              # 35,600 元
    ("责令退还土地，并处罚款人民币叁万伍仟陆佰元整", 3.56),
    ("处以罚款５，０００元", 0.5),                            # full-width
    ("罚款人民币壹拾万零伍佰元", 10.05),                      # 100,500 元
    ("对甲罚款1000元，对乙罚款2000元，共计罚款3000元", 0.3),  # the 共计 amount, not the sum of all three
    ("罚款1000元、罚款500元", 0.15),                          # two fines, no total: 1500 元
])
def test_text_fine(text, expected):
    assert text_fine(text) == pytest.approx(expected, abs=1e-9)


def test_text_without_fine():
    assert text_fine("给予警告") is None
    assert text_amounts("没收违法所得人民币81,115元") == []  # a confiscation is not a fine


@pytest.mark.parametrize(("raw", "expected"), [
    ("2024-03-05", dt.date(2024, 3, 5)),
    ("2024/3/5", dt.date(2024, 3, 5)),
    ("2024年3月5日", dt.date(2024, 3, 5)),
    ("2024 年 3 月 5 日", dt.date(2024, 3, 5)),
    ("20240305", dt.date(2024, 3, 5)),
    ("2024-03-05 10:30:00", dt.date(2024, 3, 5)),
    (45356, dt.date(2024, 3, 5)),          # Excel serial: 1899-12-30 + 45356 days
    (45356.75, dt.date(2024, 3, 5)),       # a serial with a time of day
    ("45356", dt.date(2024, 3, 5)),        # a serial as text (CSV)
    (dt.datetime(2024, 3, 5, 9, 0), dt.date(2024, 3, 5)),
])
def test_dates(raw, expected):
    parsed = parse_date(raw)
    assert (parsed.status, parsed.value) == ("ok", expected)


@pytest.mark.parametrize("raw", ["2024-02-30", "三月五日", "12", 100.0, "2024-13-01"])
def test_bad_dates(raw):
    assert parse_date(raw).status == "bad"


def test_blank_date():
    assert parse_date("").status == "none"
