"""Narrative sentences: every wording branch per direction, number formatting, and a numeric round trip."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import CatalogError
from analysis.present.narrative import change_case, format_value, load_templates, paragraph, sentence

from .conftest import make_row

NAN = math.nan

# Each branch: the row changes that produce it, and wording that must (and must not) appear.
BRANCHES = {
    "up": (dict(value=214.0, prev_value=195.0), ["较上年增加19起", "同比增长9.7%"], ["下降", "持平"]),
    "down": (dict(value=180.0, prev_value=200.0), ["较上年减少20起", "同比下降10.0%"], ["增长", "持平"]),
    "flat": (dict(value=200.0, prev_value=200.0), ["与上年持平"], ["增长", "下降", "基本"]),
    "flat_approx": (dict(value=1003.0, prev_value=1000.0), ["与上年基本持平"], ["增长", "下降"]),
    "first_year": (dict(prev_value=NAN, prev_year=NAN, pct_change_status="first_year"),
                   ["首次纳入统计", "暂无上年数据可供比较"], ["增长", "下降", "持平"]),
    "missing_base": (dict(prev_value=NAN, pct_change_status="missing_base"),
                     ["因上年数据缺失", "无法进行同比比较"], ["增长", "下降", "持平"]),
    "zero_base": (dict(value=12.0, prev_value=0.0, pct_change_status="zero_base"),
                  ["上年为零", "新增12起", "不计算同比增幅"], ["同比增长", "%"]),
}
ASSESSMENT = {  # (direction, case) -> wording that must appear (issue 12: one rule, one phrase per verdict)
    ("up-good", "up"): "呈向好态势", ("up-good", "down"): "需予以关注",
    ("down-good", "up"): "需予以关注", ("down-good", "down"): "呈向好态势",
}
ALL_ASSESSMENTS = ("呈向好态势", "需予以关注", "需引起重视")


@pytest.mark.parametrize("direction", ["up-good", "down-good", "neutral"])
@pytest.mark.parametrize("case", sorted(BRANCHES))
def test_every_branch_for_every_direction(case, direction):
    changes, must, must_not = BRANCHES[case]
    row = make_row(direction=direction, **changes)
    if case == "zero_base":
        row["pct_change"] = NAN  # the contract: NaN unless status is ok
    assert change_case(row) == case
    text = sentence(row)
    assert text.startswith("2024年，宁夏回族自治区立案查处案件")
    assert text.endswith("。")
    for piece in must:
        assert piece in text, (piece, text)
    for piece in must_not:
        assert piece not in text, (piece, text)
    expected = ASSESSMENT.get((direction, case))
    for phrase in ALL_ASSESSMENTS:
        assert (phrase in text) == (phrase == expected), (phrase, text)


@pytest.mark.parametrize("direction", ["up-good", "down-good", "neutral"])
def test_approximate_values_say_yue(direction):
    row = make_row(direction=direction, value=1200.0, prev_value=1000.0, approx=True)
    text = sentence(row)
    assert "立案查处案件约1200起" in text
    assert "较上年增加约200起" in text and "同比增长约20.0%" in text
    exact = sentence(make_row(direction=direction, value=1200.0, prev_value=1000.0))
    assert "约" not in exact


def test_rates_change_in_percentage_points_and_casefile_year():
    row = make_row(indicator="casefile_pass_rate", name_zh="案卷合格率", unit="%", kind="rate",
                   category="casefile", direction="up-good", value=95.14, prev_value=92.8, evaluated_year=2023)
    text = sentence(row)
    assert "对2023年度行政执法案卷开展评查" in text
    assert "案卷合格率为95.1%" in text
    assert "较上年提高2.3个百分点" in text and "呈向好态势" in text
    down = sentence(dict(row, value=90.0, abs_change=90.0 - 92.8))
    assert "较上年下降2.8个百分点" in down and "需予以关注" in down
    flat = sentence(dict(row, value=92.82, abs_change=0.02))
    assert "与上年持平" in flat


def test_trend_labels_and_rank():
    # issue 12: the trend is a sentence of its own, in words a reader takes correctly
    for label, phrase in [("显著上升", "。从近5年情况看，立案查处案件总体呈上升趋势"),
                          ("显著下降", "。从近5年情况看，立案查处案件总体呈下降趋势"),
                          ("无显著趋势", "。从近5年情况看，立案查处案件无明显升降趋势"), ("数据不足", "不足4年")]:
        assert phrase in sentence(make_row(trend_label=label))
    assert "近6年" in sentence(make_row(trend_label="显著上升", n_years=6))
    city = make_row(level="city", region_name="银川市", rank=2, n_peers=5)
    assert "在5个设区市中居第2位" in sentence(city)
    assert "在5个设区市中并列第2位" in sentence(dict(city, n_tied=2))
    assert "居第" not in sentence(make_row(rank=1, n_peers=1))  # the province is not ranked


def test_missing_value_sentence():
    text = sentence(make_row(value=NAN, missing=True))
    assert "数据缺失" in text and "起" not in text


@pytest.mark.parametrize(
    ("value", "unit", "kind", "approx", "expected"),
    [
        (9172.045, "万元", "money", False, "9172.05万元"),  # 四舍五入
        (9172.0, "万元", "money", False, "9172.00万元"),
        (18907.0, "起", "count", False, "18907起"),
        (214.0, "起", "count", True, "约214起"),
        (95.14, "%", "rate", False, "95.1%"),
        (95.15, "%", "rate", False, "95.2%"),
        (0.0, "%", "rate", False, "0.0%"),
        (36.0, "名", "people", False, "36名"),
        (NAN, "起", "count", False, "—"),
    ],
)
def test_format_value(value, unit, kind, approx, expected):
    assert format_value(value, unit, kind, approx) == expected


def test_format_value_digit_grouping_is_an_option():
    assert format_value(18907.0, "起", "count", group_digits=True) == "18,907起"
    assert format_value(1234567.891, "万元", "money", group_digits=True) == "1,234,567.89万元"


def _half_up(x: float, d: int) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP)


NUMBER_RE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(万元|起|%|个百分点)")


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["count", "money", "rate"]),
    value=st.floats(min_value=0, max_value=5e6, allow_nan=False),
    prev=st.floats(min_value=0.01, max_value=5e6, allow_nan=False),
    approx=st.booleans(),
)
def test_round_trip_numbers_in_the_sentence_equal_the_row(kind, value, prev, approx):
    unit = {"count": "起", "money": "万元", "rate": "%"}[kind]
    if kind == "count":
        value, prev = float(round(value)), float(max(1, round(prev)))
    if kind == "rate":
        value, prev = value % 100, prev % 100 or 50.0
    row = make_row(kind=kind, unit=unit, value=value, prev_value=prev, approx=approx,
                   trend_label="数据不足", category="casefile" if kind == "rate" else "enforcement")
    text = sentence(row)
    found = [(Decimal(n), u) for n, u in NUMBER_RE.findall(text)]
    decimals = {"count": 0, "money": 2, "rate": 1}[kind]
    expected = [(_half_up(value, decimals), unit)]
    case = change_case(row)
    if case in ("up", "down"):
        diff = abs(value - prev)
        if kind == "rate":
            expected.append((_half_up(diff, 1), "个百分点"))
        else:
            expected.append((_half_up(diff, decimals), unit))
            expected.append((_half_up(abs(diff / prev * 100), 1), "%"))
    assert found == expected, text
    # "约" appears exactly before each number when the value is approximate.
    assert text.count("约") == (len(expected) if approx else 0)


def test_paragraph_orders_indicators_and_leads_once():
    rows = pd.DataFrame([
        make_row(),
        make_row(indicator="fines_collected", name_zh="罚没款", unit="万元", kind="money",
                 value=9172.05, prev_value=8000.0),
        make_row(region_code="640100", region_name="银川市", level="city"),
    ])
    text = paragraph(rows, "640000", 2024, indicators=["fines_collected", "cases_filed", "not_there"])
    first, second = text.split("。")[:2]
    assert first.startswith("2024年，宁夏回族自治区罚没款9172.05万元")
    assert second.startswith("立案查处案件214起")
    assert "银川市" not in text
    default = paragraph(rows, "640000", 2024)
    assert default.index("立案查处案件") < default.index("罚没款")
    assert paragraph(rows, "640000", 2019) == "2019年，宁夏回族自治区暂无可供分析的统计数据。"


def test_wording_is_changed_by_editing_yaml_only(tmp_path):
    source = Path(load_templates.__code__.co_filename).parent / "templates.yaml"
    edited = source.read_text(encoding="utf-8").replace("同比增长{pct_change}", "比上年增长{pct_change}")
    path = tmp_path / "templates.yaml"
    path.write_text(edited, encoding="utf-8")
    text = sentence(make_row(), templates=load_templates(path))
    assert "比上年增长9.7%" in text and "同比增长" not in text


def test_templates_with_unknown_placeholders_are_rejected(tmp_path):
    source = Path(load_templates.__code__.co_filename).parent / "templates.yaml"
    path = tmp_path / "bad.yaml"
    path.write_text(source.read_text(encoding="utf-8").replace("较上年增加{abs_change}", "较上年增加{abs_chnage}"), encoding="utf-8")
    with pytest.raises(CatalogError, match="abs_chnage"):
        load_templates(path)


def test_bundled_templates_cover_every_case():
    t = load_templates()
    for group in ("amount", "rate"):
        assert set(t["change"][group]) >= {"up", "down", "flat", "flat_approx", "zero_base", "first_year",
                                           "missing_base"}
    assert set(t["trend"]) == {"显著上升", "显著下降", "无显著趋势", "数据不足"}


def test_paragraph_skips_missing_values_unless_asked_and_names_the_evaluation_once():
    casefile = dict(category="casefile", evaluated_year=2023, unit="宗")
    rows = pd.DataFrame([
        make_row(indicator="patrols", name_zh="日常执法巡查", value=NAN, missing=True),
        make_row(indicator="casefile_reviewed", name_zh="评查案卷", value=39.0, prev_value=35.0, **casefile),
        make_row(indicator="casefile_passed", name_zh="合格案卷", value=27.0, prev_value=30.0, **casefile),
    ])
    text = paragraph(rows, "640000", 2024)
    assert "日常执法巡查" not in text
    assert text.count("2023年度") == 1
    assert text.startswith("2024年，宁夏回族自治区对2023年度行政执法案卷开展评查，评查案卷39宗")
    assert "。合格案卷27宗，较上年减少3宗" in text
    asked = paragraph(rows, "640000", 2024, indicators=["patrols"])
    assert asked == "2024年，宁夏回族自治区日常执法巡查数据缺失，未纳入本年度分析。"
