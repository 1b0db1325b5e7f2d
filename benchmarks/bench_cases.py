"""Aggregating case records: DuckDB over the case table (``cases.duckdb``) against a plain pandas groupby.

Both sides compute the same yearly facts (decisions, 罚没款 and decisions per penalty category, by year,
region and agency) from the same synthetic records. Each side runs in its own subprocess so its peak memory
(``ru_maxrss``) is its own: DuckDB queries the table on disk; pandas loads every record into memory first
(the baseline). The printed ratio is pandas time / DuckDB time (>1: DuckDB faster), with both peaks.

Usage::

    .venv/bin/python benchmarks/bench_cases.py            # 5,000,000 records
    .venv/bin/python benchmarks/bench_cases.py --quick    # 500,000 records
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

CATEGORIES = ("penalty_fine", "penalty_warning", "penalty_confiscate_income", "penalty_other",
              "penalty_fine;penalty_confiscate_income")


def make_records(n: int, folder: Path) -> Path:
    """``n`` synthetic records written to ``cases.duckdb`` (table ``cases``) and ``records.parquet``."""
    import duckdb
    import numpy as np
    import pandas as pd

    from analysis.clean.cases.table import CASE_COLUMNS

    rng = np.random.default_rng(15)
    regions = [f"64{c:04d}" for c in range(100, 600, 7)]
    df = pd.DataFrame({"region_code": np.array(regions)[rng.integers(0, len(regions), n)]})
    df["agency"] = df["region_code"] + "自然资源局"
    df["year"] = rng.integers(2019, 2025, n).astype("int32")
    df["month"] = rng.integers(1, 13, n).astype("int32")
    df["fine_wan"] = np.round(rng.lognormal(1.0, 1.5, n), 4)
    df["confiscation_wan"] = np.where(rng.random(n) < 0.2, np.round(rng.lognormal(0.5, 1.0, n), 4), np.nan)
    df["category_codes"] = np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), n)]
    df["duplicate_of"] = ""
    parquet = folder / "records.parquet"
    df.to_parquet(parquet, index=False)
    con = duckdb.connect(str(folder / "cases.duckdb"))
    columns = ", ".join(f'"{c}" {t}' for c, t in CASE_COLUMNS.items())
    con.execute(f"CREATE TABLE cases ({columns})")
    present = set(df.columns)
    select = ", ".join(f'"{c}"' if c in present else ("NULL" if t != "VARCHAR" else "''")
                       for c, t in CASE_COLUMNS.items())
    con.execute(f"INSERT INTO cases SELECT {select} FROM read_parquet('{parquet}')")
    con.close()
    return folder


def run_duckdb(folder: Path) -> dict:
    import duckdb

    from analysis.clean.cases.aggregate import FACTS_SQL

    t0 = time.perf_counter()
    con = duckdb.connect(str(folder / "cases.duckdb"), read_only=True)
    out = con.execute(FACTS_SQL).df()
    con.close()
    return {"seconds": time.perf_counter() - t0, "rows": len(out), "total": float(out["value"].sum())}


def run_pandas(folder: Path) -> dict:
    import pandas as pd

    t0 = time.perf_counter()
    df = pd.read_parquet(folder / "records.parquet")
    df = df[df["year"].notna() & (df["region_code"] != "") & (df["duplicate_of"] == "")]
    keys = ["year", "region_code", "agency"]
    df = df.assign(amount=df["fine_wan"].fillna(0) + df["confiscation_wan"].fillna(0))
    grouped = df.groupby(keys)
    parts = [grouped.size().rename("value").reset_index().assign(indicator="penalties_total"),
             grouped["amount"].sum().round(6).rename("value").reset_index().assign(indicator="fines_collected")]
    codes = df[keys].assign(code=df["category_codes"].str.split(";")).explode("code")
    parts.append(codes[codes["code"] != ""].groupby([*keys, "code"]).size().rename("value").reset_index()
                 .rename(columns={"code": "indicator"}))
    out = pd.concat(parts, ignore_index=True)
    return {"seconds": time.perf_counter() - t0, "rows": len(out), "total": float(out["value"].sum())}


def child(kind: str, folder: Path) -> None:
    result = (run_duckdb if kind == "duckdb" else run_pandas)(folder)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps(result))


def measure(kind: str, folder: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, str(folder)], capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500,000 records instead of 5,000,000")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    n = args.rows or (500_000 if args.quick else 5_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        folder = make_records(n, Path(tmp))
        print(f"{n:,} synthetic records written in {time.perf_counter() - t0:.1f} s")
        duck = measure("duckdb", folder)
        pand = measure("pandas", folder)
    if duck["rows"] != pand["rows"] or abs(duck["total"] - pand["total"]) > 1e-6 * max(1.0, abs(pand["total"])):
        print(f"results differ: duckdb {duck} pandas {pand}", file=sys.stderr)
        return 1
    print(f"DuckDB (case table on disk): {duck['seconds']:.2f} s, peak {duck['peak_mb']:.0f} MB")
    print(f"pandas (all in memory):      {pand['seconds']:.2f} s, peak {pand['peak_mb']:.0f} MB")
    print(f"ratio pandas/DuckDB: time {pand['seconds'] / duck['seconds']:.1f}x, "
          f"peak memory {pand['peak_mb'] / duck['peak_mb']:.1f}x ({len(CATEGORIES)} category mixes, {n:,} records)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
