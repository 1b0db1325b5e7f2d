"""Derived indicators: hand-computed rates, zero/missing denominators, pooling by counts (hypothesis)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.stats.derive import (
    aggregate_facts,
    aggregate_ratios,
    derive_indicators,
    derived_catalog,
    indicator_catalog,
    parse_expression,
    safe_ratio,
)

from .conftest import facts_from


def _one(derived: pd.DataFrame, code: str, region: str = "640104", year: int = 2023) -> pd.Series:
    rows = derived[(derived.indicator == code) & (derived.region_code == region) & (derived.year == year)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_catalog_is_consistent():
    cat = derived_catalog()
    base = set(indicator_catalog()["code"])
    assert cat["code"].is_unique
    assert not set(cat["code"]) & base
    for expr in list(cat["numerator"]) + list(cat["denominator"]):
        for term in parse_expression(expr):
            assert term in base or term in {"@population_10k", "@area_km2"}
    lag = cat.set_index("code")["evaluation_lag"]
    assert lag["casefile_pass_rate"] == 1 and lag["fines_per_case"] == 0
    # one share row per penalty category (detailed and merged columns), none for the total itself
    cats = indicator_catalog()
    penalty_codes = set(cats.loc[cats.category.isin(["penalty", "penalty_merged"]), "code"]) - {"penalties_total"}
    assert set(cat.loc[cat.category == "penalty_share", "numerator"]) == penalty_codes


def test_rates_by_hand():
    facts = facts_from([
        (2023, "640104", "casefile_reviewed", 10), (2023, "640104", "casefile_excellent", 3),
        (2023, "640104", "casefile_passed", 5),
        (2023, "640104", "licenses_granted", 8), (2023, "640104", "licenses_refused", 2),
        (2023, "640104", "licenses_accepted", 20),
        (2023, "640104", "fines_collected", 50.0), (2023, "640104", "cases_filed", 20),
        (2023, "640104", "stop_orders", 6), (2023, "640104", "violations_stopped", 8),
        (2023, "640104", "penalties_total", 10), (2023, "640104", "penalty_fine", 7),
        (2023, "640104", "penalty_warning", 4),
    ])
    d = derive_indicators(facts)
    pass_rate = _one(d, "casefile_pass_rate")
    assert pass_rate.value == pytest.approx(100 * (3 + 5) / 10)
    assert (pass_rate.numerator, pass_rate.denominator, pass_rate.status) == (8, 10, "ok")
    assert _one(d, "casefile_excellent_rate").value == pytest.approx(30.0)
    # grant rate = granted / (granted + refused): the accepted count (20) is not the denominator
    assert _one(d, "license_grant_rate").value == pytest.approx(80.0)
    assert _one(d, "fines_per_case").value == pytest.approx(2.5)
    assert _one(d, "fines_per_case").unit == "万元/起"
    assert _one(d, "stop_order_rate").value == pytest.approx(75.0)
    assert _one(d, "share_penalty_fine").value == pytest.approx(70.0)
    assert _one(d, "share_penalty_warning").value == pytest.approx(40.0)
    # categories that were not reported produce no rows (no term present) ...
    assert "share_penalty_detention" not in set(d.indicator)
    # ... and per-capita indicators need a reference table
    assert "cases_filed_per_10k_pop" not in set(d.indicator)


def test_zero_denominator_gives_nan_with_status_never_inf():
    facts = facts_from([
        (2023, "640104", "casefile_reviewed", 0), (2023, "640104", "casefile_excellent", 0),
        (2023, "640104", "casefile_passed", 0),
        (2023, "640105", "casefile_reviewed", 4), (2023, "640105", "casefile_excellent", 1),
        (2023, "640105", "casefile_passed", 2),
    ])
    d = derive_indicators(facts)
    row = _one(d, "casefile_pass_rate", "640104")
    assert math.isnan(row.value) and row.status == "zero_denominator"
    assert row.denominator == 0
    assert not np.isinf(d["value"].to_numpy(dtype=float)).any()
    assert _one(d, "casefile_pass_rate", "640105").value == pytest.approx(75.0)


def test_missing_term_is_not_zero():
    facts = facts_from([(2023, "640104", "casefile_reviewed", 10), (2023, "640104", "casefile_passed", 5)])
    row = _one(derive_indicators(facts), "casefile_pass_rate")
    assert math.isnan(row.value) and math.isnan(row.numerator)
    assert row.status == "missing_numerator"


def test_pooling_sums_counts_not_rates():
    facts = facts_from([
        (2023, "640104", "casefile_reviewed", 10), (2023, "640104", "casefile_excellent", 0),
        (2023, "640104", "casefile_passed", 9),
        (2023, "640105", "casefile_reviewed", 90), (2023, "640105", "casefile_excellent", 0),
        (2023, "640105", "casefile_passed", 1),
    ])
    d = derive_indicators(facts, codes=["casefile_pass_rate"])
    pooled = aggregate_ratios(d, by="year").iloc[0]
    assert pooled.value == pytest.approx(100 * 10 / 100)  # not (90 + 1.11) / 2
    assert (pooled.numerator, pooled.denominator, pooled.n_units) == (10, 100, 2)


def test_aggregate_facts_dedupes_and_sums_agencies():
    facts = facts_from([
        (2023, "640104", "cases_filed", 5, False, "兴庆区自然资源局"),
        (2023, "640104", "cases_filed", 5, False, "兴庆区自然资源局"),  # same figure published twice
        (2023, "640104", "cases_filed", 3, True, "兴庆区综合执法局"),
    ])
    agg = aggregate_facts(facts)
    assert len(agg) == 1
    assert agg.iloc[0].value == 8 and bool(agg.iloc[0].approx)


def test_per_capita_and_per_area_with_reference():
    facts = facts_from([(2023, "640104", "cases_filed", 50), (2023, "640104", "violations_stopped", 30)])
    ref = pd.DataFrame({"region_code": ["640104"], "region_name": ["兴庆区"], "year": [2023],
                        "population_10k": [25.0], "area_km2": [2000.0], "source_note": ["test"]})
    d = derive_indicators(facts, reference=ref)
    assert _one(d, "cases_filed_per_10k_pop").value == pytest.approx(50 / 25)
    assert _one(d, "cases_filed_per_1000km2").value == pytest.approx(50 * 1000 / 2000)
    assert _one(d, "violations_stopped_per_1000km2").value == pytest.approx(15.0)


def test_safe_ratio_never_inf():
    out = safe_ratio([1.0, 0.0, np.nan, 2.0], [0.0, 0.0, 1.0, 4.0], 100)
    assert np.isnan(out[:3]).all() and out[3] == 50.0


pairs = st.lists(
    st.integers(min_value=0, max_value=500).flatmap(
        lambda den: st.tuples(st.integers(min_value=0, max_value=den), st.just(den))),
    min_size=1, max_size=12)


@settings(max_examples=80, deadline=None)
@given(pairs)
def test_property_pooled_rate_equals_rate_of_summed_counts(counts):
    codes = [f"6401{i:02d}" for i in range(len(counts))]
    rows = []
    for code, (num, den) in zip(codes, counts):
        rows += [(2023, code, "casefile_excellent", num), (2023, code, "casefile_passed", 0),
                 (2023, code, "casefile_reviewed", den)]
    d = derive_indicators(facts_from(rows), codes=["casefile_pass_rate"])
    pooled = aggregate_ratios(d, by="year").iloc[0]
    total_num = sum(n for n, _ in counts)
    total_den = sum(d_ for _, d_ in counts)
    assert pooled.numerator == total_num and pooled.denominator == total_den
    if total_den == 0:
        assert math.isnan(pooled.value) and pooled.status == "zero_denominator"
    else:
        assert pooled.value == pytest.approx(float(Fraction(100 * total_num, total_den)), rel=1e-12)
        assert pooled.status == "ok"
