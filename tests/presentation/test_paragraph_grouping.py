"""A paragraph states a caveat (first year, missing previous year, too few years) once, not per sentence."""

import math

import pandas as pd

from analysis.present.narrative import paragraph


def _row(indicator, name, value, prev, status, trend, unit="起"):
    return {
        "year": 2022, "region_code": "640100", "region_name": "银川市", "level": "city", "indicator": indicator,
        "name_zh": name, "unit": unit, "kind": "count", "category": "enforcement", "direction": "neutral",
        "value": value, "numerator": math.nan, "denominator": math.nan, "prev_year": 2021, "prev_value": prev,
        "abs_change": (value - prev) if prev == prev else math.nan,
        "pct_change": ((value - prev) / prev * 100) if prev == prev and prev else math.nan,
        "pct_change_status": status, "trend_label": trend, "trend_slope": math.nan, "trend_p": math.nan,
        "n_years": 2, "rank": math.nan, "n_peers": math.nan, "outlier": False, "approx": False,
        "missing": False, "evaluated_year": 2022, "is_sample": True,
    }


def test_missing_base_and_short_series_are_said_once_for_all_indicators():
    df = pd.DataFrame([
        _row("cases_filed", "立案查处案件", 10, math.nan, "missing_base", "数据不足"),
        _row("patrols", "日常执法巡查", 300, math.nan, "missing_base", "数据不足", unit="次"),
    ])
    text = paragraph(df, "640100", 2022)
    assert text.count("暂无法进行同比比较") == 1
    assert text.count("暂不作趋势判断") == 1
    assert "立案查处案件、日常执法巡查因2021年数据缺失" in text
    assert text.startswith("2022年，银川市立案查处案件10起。日常执法巡查300次。")


def test_caveats_name_only_the_indicators_they_apply_to():
    df = pd.DataFrame([
        _row("cases_filed", "立案查处案件", 12, 10, "ok", "数据不足"),
        _row("patrols", "日常执法巡查", 300, math.nan, "missing_base", "数据不足", unit="次"),
    ])
    text = paragraph(df, "640100", 2022)
    # 12 vs 10: +2, +20.0% (hand calculation)
    assert "立案查处案件12起，较上年增加2起，同比增长20.0%" in text
    assert "日常执法巡查因2021年数据缺失，暂无法进行同比比较。" in text
    assert "立案查处案件、日常执法巡查可比年度不足4年，暂不作趋势判断。" in text


def test_a_single_indicator_keeps_its_caveat_in_the_sentence():
    df = pd.DataFrame([_row("cases_filed", "立案查处案件", 10, math.nan, "missing_base", "数据不足")])
    assert paragraph(df, "640100", 2022) == (
        "2022年，银川市立案查处案件10起，因上年数据缺失，暂无法进行同比比较；可比年度不足4年，暂不作趋势判断。"
    )


def test_chart_labels_keep_small_ratios_readable():
    from analysis.present.numbers import label_text as format_number

    # two significant digits below 1 (0.09 must not become 0.1), one decimal above, integers as integers
    assert format_number(0.09, "起/万人") == "0.09"
    assert format_number(0.0123, "件/千平方千米") == "0.012"
    assert format_number(12.34, "次") == "12.3"
    assert format_number(18907, "个") == "18,907"
    assert format_number(9172.05, "万元") == "9,172.05"
