"""Issue 12, section 4: wording a reader can trust, checked rule by rule on small hand-made summary rows.

Rules (stated in ``templates.yaml`` ``judgement.rule`` and in each report's 附注):
- the year's change and the multi-year trend never share a sentence; a paragraph gives the trend once;
- no clause repeats in every sentence of a paragraph: ranks come in one sentence, ties say 并列;
- 向好 / 需予以关注 follow the rule and never contradict the rank (the last of 22 is not 向好);
- a figure the quality report flags carries a note where it is the value or the base of the change;
- a rate's change comes with the test of the two years' counts (checked against scipy);
- averages of rates across regions are pooled; the number of case files reviewed is never an anomaly.
"""

from __future__ import annotations

import math

import matplotlib
import pandas as pd
import pytest
from scipy import stats

from analysis import views as v
from analysis.present.narrative import judgement, paragraph, rate_change_significant, sentence, standing
from analysis.views.flags import flagged_figures, table_note

matplotlib.use("Agg")
NAN = math.nan
TREND_WORDS = ("趋势",)
CHANGE_WORDS = ("同比", "较上年")


def row(**changes) -> dict:
    base = {
        "year": 2024, "region_code": "640104", "region_name": "兴庆区", "level": "county", "parent_code": "640100",
        "indicator": "patrols", "name_zh": "日常执法巡查", "unit": "次", "kind": "count", "category": "enforcement",
        "direction": "up-good", "value": 215.0, "numerator": NAN, "denominator": NAN, "prev_year": 2023,
        "prev_value": 158.0, "abs_change": 57.0, "pct_change": 57.0 / 158.0 * 100, "pct_change_status": "ok",
        "trend_label": "无显著趋势", "trend_slope": NAN, "trend_p": NAN, "n_years": 6, "rank": NAN,
        "n_peers": NAN, "outlier": False, "approx": False, "missing": False, "evaluated_year": 2024,
        "is_sample": True,
    }
    base.update(changes)
    return base


def sentences(text: str) -> list[str]:
    return [s for s in text.split("。") if s]


# --------------------------------------------------------------------------- judgement and rank


def test_the_last_of_22_with_a_rising_value_is_not_going_well():
    text = sentence(row(rank=22, n_peers=22))
    assert "向好" not in text
    assert "仍居后列" in text and "需予以关注" in text
    assert "在22个县（市、区）中居第22位" in text


def test_the_first_of_22_with_a_rising_value_is_going_well():
    text = sentence(row(rank=1, n_peers=22))
    assert "呈向好态势" in text and "需予以关注" not in text


@pytest.mark.parametrize(("rank", "verdict"), [(1, "good"), (11, "good"), (12, "improved"), (16, "improved"),
                                               (17, "improved_low"), (22, "improved_low")])
def test_the_standing_bands_of_an_up_good_indicator(rank, verdict):
    # 22 peers: upper half = standing <= ceil(22 / 2) = 11; last quarter = standing > 0.75 * 22 = 16.5
    assert judgement(row(rank=rank, n_peers=22), "up") == verdict


def test_a_down_good_indicator_ranks_from_the_smallest_value():
    # rank 1 = the largest value = the worst place of a down-good indicator: standing 22 - 1 - 1 + 2 = 22
    worst = row(indicator="licenses_revoked", direction="down-good", rank=1, n_peers=22)
    assert standing(worst) == (22, 22)
    assert judgement(worst, "down") == "improved_low"
    assert "向好" not in sentence(dict(worst, value=100.0, prev_value=158.0, abs_change=-58.0,
                                       pct_change=-58.0 / 158.0 * 100))
    # two regions share the smallest value: rank 21 of 22, tied by 2 -> standing 22 - 21 - 2 + 2 = 1
    assert standing(dict(worst, rank=21, n_tied=2)) == (1, 22)


def test_an_unfavourable_change_needs_attention_whatever_the_rank():
    assert judgement(row(rank=1, n_peers=22), "down") == "concern"


def test_workload_indicators_and_flat_changes_get_no_judgement():
    neutral = sentence(row(indicator="cases_filed", name_zh="立案查处案件", unit="起", direction="neutral",
                           rank=22, n_peers=22))
    assert not any(w in neutral for w in ("向好", "关注", "改善"))
    flat = sentence(row(value=158.0, abs_change=0.0, pct_change=0.0, rank=22, n_peers=22))
    assert "与上年持平" in flat and not any(w in flat for w in ("向好", "关注", "改善"))


def test_the_rule_is_stated_in_the_yaml_and_in_the_notes():
    from analysis.present.narrative import load_templates
    from analysis.views.notes import note_text

    rule = load_templates()["judgement"]["rule"]
    assert "呈向好态势" in rule and "需予以关注" in rule and "后四分之一" in rule
    assert rule in note_text("judgement")


# --------------------------------------------------------------------------- paragraphs


def _county_frame() -> pd.DataFrame:
    """Three counties, two indicators; 兴庆区 and 西夏区 share rank 1 of cases (12 each)."""
    rows = []
    for code, name, cases, patrols in (("640104", "兴庆区", 12, 215), ("640105", "西夏区", 12, 100),
                                       ("640106", "金凤区", 5, 300)):
        rank_c = 1 if cases == 12 else 3
        rank_p = {300: 1, 215: 2, 100: 3}[patrols]
        rows.append(row(region_code=code, region_name=name, indicator="cases_filed", name_zh="立案查处案件",
                        unit="起", direction="neutral", value=float(cases), prev_value=10.0, abs_change=cases - 10.0,
                        pct_change=(cases - 10.0) * 10, rank=rank_c, n_peers=3, trend_label="显著上升"))
        rows.append(row(region_code=code, region_name=name, value=float(patrols), prev_value=150.0,
                        abs_change=patrols - 150.0, pct_change=(patrols - 150.0) / 1.5, rank=rank_p, n_peers=3,
                        trend_label="无显著趋势", n_years=5))
    return pd.DataFrame(rows)


def test_a_paragraph_never_puts_the_change_and_the_trend_in_one_sentence():
    text = paragraph(_county_frame(), "640104", 2024)
    for s in sentences(text):
        assert not (any(w in s for w in CHANGE_WORDS) and any(w in s for w in TREND_WORDS)), s
    assert "未呈现显著变化趋势" not in text and "无明显升降趋势" in text
    assert "从近6年情况看，立案查处案件呈上升趋势" in text
    assert "从近5年情况看，日常执法巡查无明显升降趋势" in text


def test_a_paragraph_says_ranks_once_and_ties_say_bing_lie():
    text = paragraph(_county_frame(), "640104", 2024)
    assert text.count("在3个县（市、区）中") == 1
    assert "立案查处案件并列第1位" in text and "日常执法巡查居第2位" in text
    assert sum("居第" in s or "并列第" in s for s in sentences(text)) == 1
    alone = paragraph(_county_frame(), "640106", 2024)
    assert "立案查处案件居第3位" in alone and "并列" not in alone


def test_no_clause_repeats_in_every_sentence():
    text = paragraph(_county_frame(), "640104", 2024)
    parts = sentences(text)
    assert len(parts) >= 4
    for clause in ("从近", "在3个县（市、区）中", "居第", "趋势"):
        assert sum(clause in s for s in parts) <= 1, (clause, text)


def test_one_label_for_every_indicator_is_said_as_all_of_them():
    df = _county_frame().assign(trend_label="无显著趋势", n_years=6)
    text = paragraph(df, "640104", 2024)
    assert "从近6年情况看，上述指标均无明显升降趋势。" in text


# --------------------------------------------------------------------------- flagged figures


def test_a_flagged_base_and_a_flagged_value_carry_a_note():
    df = pd.DataFrame([row(level="province", region_code="640000", region_name="宁夏回族自治区")])
    base = paragraph(df, "640000", 2024, flags={(2023, "640000", "patrols")})
    assert "作为比较基数的2023年数据" in base and "同比变化仅供参考" in base
    value = paragraph(df, "640000", 2024, flags={(2024, "640000", "patrols")})
    assert "该数据在原始报表中合计数与各分项之和不一致" in value
    assert "不一致" not in paragraph(df, "640000", 2024, flags={(2023, "640000", "cases_filed")})
    note = table_note({(2023, "640000", "patrols")}, df, "640000", 2024, ["patrols", "cases_filed"])
    assert note.startswith("注：2023年日常执法巡查") and "total_mismatch" not in note


def test_flagged_figures_map_a_finding_cell_to_its_fact():
    facts = pd.DataFrame([
        {"year": 2023, "region_code": "640000", "indicator": "violations_stopped", "source_file": "2023/a.xlsx",
         "source_sheet": "地市", "source_cell": "F11"},
        {"year": 2023, "region_code": "640100", "indicator": "violations_stopped", "source_file": "2023/a.xlsx",
         "source_sheet": "地市", "source_cell": "F6"},
    ])
    quality = pd.DataFrame([
        {"severity": "warning", "code": "total_mismatch", "file": "2023/a.xlsx", "sheet": "地市", "cell": "F11"},
        {"severity": "info", "code": "missing_value", "file": "2023/a.xlsx", "sheet": "地市", "cell": "F6"},
    ])
    assert flagged_figures(facts, quality) == {(2023, "640000", "violations_stopped")}
    assert flagged_figures(facts, quality.iloc[1:]) == frozenset()


# --------------------------------------------------------------------------- rates


def test_a_rate_change_carries_its_test_and_no_verdict_when_not_significant():
    # 30/40 -> 33/40: 2 x 2 table [[33, 7], [30, 10]], every expected count >= 5 -> chi-square (Yates)
    rate = row(indicator="stop_order_rate", name_zh="责令停止违法行为通知书下发率", unit="%", kind="rate",
               value=82.5, prev_value=75.0, abs_change=7.5, numerator=33.0, denominator=40.0,
               prev_numerator=30.0, prev_denominator=40.0, level="province", region_code="640000")
    p = stats.chi2_contingency([[33, 7], [30, 10]])[1]
    assert p > 0.05
    assert rate_change_significant(rate) is False
    text = sentence(rate)
    assert "经统计检验，这一变化尚不显著" in text and "向好" not in text
    # 10/100 -> 60/100: clearly different (scipy agrees), so the verdict follows the rule
    big = dict(rate, value=60.0, prev_value=10.0, abs_change=50.0, numerator=60.0, denominator=100.0,
               prev_numerator=10.0, prev_denominator=100.0)
    assert stats.chi2_contingency([[60, 40], [10, 90]])[1] < 0.05
    assert rate_change_significant(big) is True
    assert "这一变化是显著的" in sentence(big) and "呈向好态势" in sentence(big)
    assert rate_change_significant(dict(rate, prev_numerator=NAN)) is None


def test_a_paragraph_finds_the_previous_years_counts_of_a_rate():
    this = row(indicator="stop_order_rate", name_zh="下发率", unit="%", kind="rate", value=82.5, prev_value=75.0,
               abs_change=7.5, numerator=33.0, denominator=40.0, level="province", region_code="640000")
    prev = dict(this, year=2023, value=75.0, numerator=30.0, denominator=40.0, prev_year=2022)
    text = paragraph(pd.DataFrame([this, prev]), "640000", 2024, ["stop_order_rate"])
    assert "这一变化尚不显著" in text


def test_pooled_value_sums_numerators_and_denominators():
    df = pd.DataFrame([
        row(indicator="stop_order_rate", kind="rate", unit="%", region_code="640104", value=50.0, numerator=1.0,
            denominator=2.0),
        row(indicator="stop_order_rate", kind="rate", unit="%", region_code="640105", value=90.0, numerator=90.0,
            denominator=100.0),
    ])
    # pooled: 100 * (1 + 90) / (2 + 100) = 89.22 %, not the unweighted (50 + 90) / 2 = 70 %
    assert v.shaping.pooled_value(df, 2024, "stop_order_rate", "county") == pytest.approx(100 * 91 / 102)


# --------------------------------------------------------------------------- assigned quantities


def _casefile_summary() -> pd.DataFrame:
    rows = []
    for i, code in enumerate(("640104", "640105", "640106", "640121", "640122")):
        rows.append(row(region_code=code, indicator="casefile_reviewed", name_zh="评查案卷", unit="宗",
                        direction="neutral", value=[5, 5, 5, 5, 40][i], rank=[2, 2, 2, 2, 1][i], n_peers=5,
                        outlier=i == 4, category="casefile", evaluated_year=2023))
    return pd.DataFrame(rows)


def test_the_number_of_case_files_reviewed_is_never_an_anomaly():
    summary = _casefile_summary()
    assert v.outlier_table(summary, 2024).empty
    peers = v.peer_table(summary, "640122", 2024, ["casefile_reviewed"])
    assert peers["是否异常"].tolist() == ["—"]


# --------------------------------------------------------------------------- chart alt text


def test_a_chart_image_has_chinese_alt_text(tmp_path):
    import matplotlib.pyplot as plt

    from analysis.views.display import alt_text, image_html

    fig, ax = plt.subplots()
    fig.suptitle("各设区市立案查处案件排名")
    assert alt_text(fig) == "图表：各设区市立案查处案件排名"
    fig2, _ = plt.subplots()
    assert alt_text(fig2) == "统计图表"
    html = image_html(b"\x89PNG", alt_text(fig))
    assert 'alt="图表：各设区市立案查处案件排名"' in html and html.startswith('<img src="data:image/png;base64,')
    plt.close("all")
