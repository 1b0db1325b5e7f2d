"""Cross-region comparison: ties in ranking, shares, concentration, MAD outliers, per-capita - by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.stats.compare import (
    compare_regions,
    modified_zscore,
    normalise,
    province_share,
    rank_within_peers,
    robust_outliers,
    top_k_share,
)
from analysis.stats.derive import aggregate_facts

from .conftest import facts_from


def _table(values: dict[str, float], indicator="cases_filed", year=2023, level="county") -> pd.DataFrame:
    return pd.DataFrame({"year": year, "region_code": list(values), "level": level, "indicator": indicator,
                         "value": list(values.values())})


def test_rank_ties_share_min_rank_descending():
    df = _table({"640104": 9.0, "640105": 7.0, "640106": 7.0, "640121": 5.0, "640122": np.nan})
    r = rank_within_peers(df).set_index("region_code")
    assert r["rank"].tolist()[:4] == [1, 2, 2, 4]
    assert math.isnan(r.loc["640122", "rank"])
    assert (r["n_peers"] == 4).all()


def test_peers_are_same_level_same_province():
    df = pd.concat([
        _table({"640104": 3.0, "640105": 5.0}),
        _table({"650102": 100.0}),  # another province: not a peer
        _table({"640100": 1.0}, level="city"),  # another level: not a peer
    ], ignore_index=True)
    r = rank_within_peers(df).set_index("region_code")
    assert r.loc["640105", "rank"] == 1 and r.loc["640104", "rank"] == 2 and r.loc["640104", "n_peers"] == 2
    assert r.loc["650102", "rank"] == 1 and r.loc["650102", "n_peers"] == 1
    assert r.loc["640100", "rank"] == 1


def test_province_share_peers_and_reported():
    df = pd.concat([_table({"640100": 10.0, "640200": 30.0, "640300": 60.0}, level="city"),
                    _table({"640000": 200.0}, level="province")], ignore_index=True)
    peers = province_share(df).set_index("region_code")
    assert peers.loc[["640100", "640200", "640300"], "share"].tolist() == pytest.approx([10.0, 30.0, 60.0])
    rep = province_share(df, basis="reported").set_index("region_code")
    assert rep.loc[["640100", "640200", "640300"], "share"].tolist() == pytest.approx([5.0, 15.0, 30.0])
    rates = province_share(_table({"640100": 80.0, "640200": 20.0}, indicator="casefile_pass_rate"))
    assert rates["share"].isna().all()  # rates have no share of a total


def test_top3_share_and_hhi_by_hand():
    t = top_k_share(_table({"640104": 50.0, "640105": 20.0, "640106": 10.0, "640121": 10.0, "640122": 10.0}))
    row = t.iloc[0]
    assert row.top_share == pytest.approx(80.0)  # (50 + 20 + 10) / 100
    assert row.hhi == pytest.approx(50**2 + 20**2 + 3 * 10**2)
    assert row.n_regions == 5


def test_mad_outlier_by_hand():
    out = modified_zscore([10, 11, 12, 13, 100])
    # median 12; |x - 12| = 2, 1, 0, 1, 88 -> MAD = median = 1
    assert out.zscore.tolist() == pytest.approx([0.6745 * -2, 0.6745 * -1, 0.0, 0.6745, 0.6745 * 88])
    assert out.outlier.tolist() == [False, False, False, False, True]
    assert (out.method == "mad").all()


def test_mad_zero_falls_back_to_mean_absolute_deviation():
    out = modified_zscore([5, 5, 5, 5, 100])
    # MAD = 0; MeanAD = (0+0+0+0+95)/5 = 19 -> z = 95 / (1.253314 * 19) = 3.9894
    assert out.zscore.iloc[-1] == pytest.approx(95 / (1.253314 * 19))
    assert out.outlier.tolist() == [False] * 4 + [True]
    assert (out.method == "meanad").all()
    flat = modified_zscore([7, 7, 7])
    assert (flat.zscore == 0).all() and not flat.outlier.any() and (flat.method == "constant").all()
    few = modified_zscore([1, 1000])
    assert few.zscore.isna().all() and not few.outlier.any()


def test_robust_outliers_grouped_by_peers():
    df = pd.concat([_table({"640104": 10.0, "640105": 11.0, "640106": 12.0, "640121": 13.0, "640122": 100.0}),
                    _table({"640104": 100.0, "640105": 101.0, "640106": 99.0}, year=2022)], ignore_index=True)
    out = robust_outliers(df)
    flagged = out[out.outlier][["year", "region_code"]].values.tolist()
    assert flagged == [[2023, "640122"]]


def test_per_capita_and_per_area_by_hand():
    df = pd.concat([_table({"640104": 120.0}, year=2022), _table({"640104": 60.0}, year=2018),
                    _table({"640104": 90.0}, indicator="casefile_pass_rate", year=2022)], ignore_index=True)
    ref = pd.DataFrame({"region_code": ["640104"], "region_name": ["兴庆区"], "year": [2020],
                        "population_10k": [60.0], "area_km2": [3000.0], "source_note": ["test"]})
    out = normalise(df, ref)
    assert out.loc[0, "per_10k_pop"] == pytest.approx(120 / 60)  # 2 cases per 10,000 people
    assert out.loc[0, "per_1000km2"] == pytest.approx(120 * 1000 / 3000)  # 40 per 1,000 km²
    assert out.loc[0, "reference_year"] == 2020  # nearest earlier year
    assert out.loc[1, "reference_year"] == 2020 and out.loc[1, "per_10k_pop"] == pytest.approx(1.0)  # later
    assert math.isnan(out.loc[2, "per_10k_pop"])  # a rate is not normalised


def test_compare_regions_for_a_year():
    facts = facts_from([(2023, "640104", "cases_filed", 5), (2023, "640105", "cases_filed", 5),
                        (2023, "640106", "cases_filed", 10), (2022, "640104", "cases_filed", 50)])
    out = compare_regions(aggregate_facts(facts), 2023, "cases_filed")
    assert out["region_code"].tolist() == ["640106", "640104", "640105"]
    assert out["rank"].tolist() == [1, 2, 2]
    assert out["share"].tolist() == pytest.approx([50.0, 25.0, 25.0])
