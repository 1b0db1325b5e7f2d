"""Benchmark: ``build_summary`` (vectorised) against a naive per-cell loop, measured in the same run.

Run: ``.venv/bin/python benchmarks/bench_summary.py [--repeat 5] [--facts data/processed/facts.parquet]``

Data: ``data/processed/facts.parquet`` when present, else a synthetic sample-sized table (every region of
宁夏 in ``catalog/data/regions.csv`` - 28 regions - x 6 years x ~40 indicators, some cells missing, some
approximate). Both implementations get the same table; the baseline is written here, in the style one
would write in a notebook: for each year x region x indicator, filter the facts, look up the previous
year, recompute the trend with scipy on the filtered series and rank by filtering the peers (base
indicators only, so the baseline does less work than ``build_summary``).
Prints the best-of-N wall-clock and CPU time of each and their ratios (CPU time is the steadier figure on
a shared machine). Exit status 1 when ``build_summary`` takes 1 s or more.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.derive import indicator_catalog, region_catalog
from analysis.stats.summary import build_summary

ROOT = Path(__file__).resolve().parents[1]
PROVINCE_PREFIX = "64"  # 宁夏: the national catalogue holds ~3,200 regions; bench_national.py measures that size


def synthetic_facts(years=range(2019, 2025), n_indicators: int = 40, seed: int = 7) -> pd.DataFrame:
    """A sample-sized facts table: all catalogue regions x years x the first ``n_indicators`` indicators."""
    rng = np.random.default_rng(seed)
    regions = region_catalog()
    regions = regions[regions["code"].str.startswith(PROVINCE_PREFIX)]  # one province: the sample's size
    ind = indicator_catalog()
    must = ["casefile_reviewed", "casefile_excellent", "casefile_passed", "penalties_total", "penalty_fine",
            "penalty_warning", "cases_filed", "fines_collected", "stop_orders", "violations_stopped",
            "licenses_granted", "licenses_refused"]
    codes = must + [c for c in ind["code"] if c not in must]
    codes = codes[:n_indicators]
    size = {"province": 400.0, "city": 80.0, "county": 15.0}
    rows = []
    for y in years:
        for r in regions.itertuples():
            base = size[r.level] * (1 + 0.05 * (y - min(years)))
            reviewed = int(rng.poisson(base / 4)) + 1
            excellent = int(rng.binomial(reviewed, 0.3))
            passed = int(rng.binomial(reviewed - excellent, 0.8))
            pen_total = int(rng.poisson(base)) + 1
            fine = int(rng.binomial(pen_total, 0.7))
            vals = {"casefile_reviewed": reviewed, "casefile_excellent": excellent, "casefile_passed": passed,
                    "penalties_total": pen_total, "penalty_fine": fine, "penalty_warning": pen_total - fine}
            for c in codes:
                if rng.random() < 0.03:  # missing cell: no fact
                    continue
                v = vals.get(c, float(rng.poisson(base)))
                rows.append((y, r.code, r.name, r.level, "", c, float(v), "", bool(rng.random() < 0.02),
                             "synthetic.csv", "synthetic", "R1C1"))
    cols = ["year", "region_code", "region_name", "level", "agency", "indicator", "value", "unit", "approx",
            "source_file", "source_sheet", "source_cell"]
    return pd.DataFrame(rows, columns=cols)


def naive_summary(facts: pd.DataFrame) -> pd.DataFrame:
    """Per-cell baseline: one filter per year x region x indicator present in the facts.

    Computes value, previous value, % change, trend (scipy Theil-Sen + Kendall tau over years <= year),
    rank and MAD outlier among peers. It skips derived rates and the missing-year grid, so it does less
    work than ``build_summary`` and the reported ratio understates the difference.
    """
    out = []
    cells = facts[["year", "region_code", "indicator"]].drop_duplicates()
    for cell in cells.itertuples(index=False):
        cur = facts[(facts.year == cell.year) & (facts.region_code == cell.region_code)
                    & (facts.indicator == cell.indicator)]
        value = cur["value"].sum()
        level = cur["level"].iloc[0]
        prev = facts[(facts.year == cell.year - 1) & (facts.region_code == cell.region_code)
                     & (facts.indicator == cell.indicator)]
        prev_value = prev["value"].sum() if len(prev) else np.nan
        pct = (value - prev_value) / prev_value * 100 if prev_value and not np.isnan(prev_value) else np.nan
        series = facts[(facts.region_code == cell.region_code) & (facts.indicator == cell.indicator)
                       & (facts.year <= cell.year)].groupby("year")["value"].sum()
        slope, p = np.nan, np.nan
        if len(series) >= 4:
            slope = stats.theilslopes(series.to_numpy(), series.index.to_numpy()).slope
            p = stats.kendalltau(series.index.to_numpy(), series.to_numpy()).pvalue
        peers = facts[(facts.year == cell.year) & (facts.indicator == cell.indicator) & (facts.level == level)
                      & (facts.region_code.str[:2] == cell.region_code[:2])]
        peer_vals = peers.groupby("region_code")["value"].sum()
        rank = int((peer_vals > value).sum()) + 1
        med = peer_vals.median()
        mad = (peer_vals - med).abs().median()
        z = 0.6745 * (value - med) / mad if mad > 0 else 0.0
        out.append((cell.year, cell.region_code, cell.indicator, value, prev_value, pct, slope, p, rank,
                    abs(z) > 3.5))
    return pd.DataFrame(out, columns=["year", "region_code", "indicator", "value", "prev_value", "pct_change",
                                      "trend_slope", "trend_p", "rank", "outlier"])


def best_of(fn, repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU time (seconds) of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--facts", default=str(ROOT / "data" / "processed" / "facts.parquet"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--naive-repeat", type=int, default=1, help="repeats of the (slow) naive baseline")
    args = ap.parse_args(argv)
    path = Path(args.facts)
    if path.is_file():
        facts = pd.read_parquet(path)
        source = str(path)
    else:
        facts = synthetic_facts()
        source = "synthetic"
    n_cells = len(facts[["year", "region_code", "indicator"]].drop_duplicates())
    summary = build_summary(facts)
    t_fast, c_fast = best_of(lambda: build_summary(facts), args.repeat)
    t_naive, c_naive = best_of(lambda: naive_summary(facts), args.naive_repeat)
    print(f"facts: {source}, {len(facts)} rows, {facts['year'].nunique()} years, "
          f"{facts['region_code'].nunique()} regions, {facts['indicator'].nunique()} indicators, "
          f"{n_cells} base cells -> {len(summary)} summary rows")
    print(f"build_summary (vectorised), best of {args.repeat}: {t_fast * 1000:.1f} ms wall, "
          f"{c_fast * 1000:.1f} ms CPU")
    print(f"naive per-cell loop, best of {args.naive_repeat}: {t_naive * 1000:.1f} ms wall, "
          f"{c_naive * 1000:.1f} ms CPU")
    print(f"ratio naive / vectorised: {t_naive / t_fast:.1f}x wall, {c_naive / c_fast:.1f}x CPU")
    return 0 if min(t_fast, c_fast) < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
