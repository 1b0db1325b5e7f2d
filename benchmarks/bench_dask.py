"""Benchmark of the ``dask`` executor: the same suite on a 2-worker Dask cluster against the local pool.

    .venv/bin/python benchmarks/bench_dask.py [--notebooks notebooks] [--processed data/processed]
                                              [--year 2024] [--jobs 2] [--fixtures]

Measured in one run, so only the ratios mean something:

1. ``run_report(..., force=True, executor="local", jobs=N)``: the local thread pool, ordinary kernels.
2. The same with ``executor="forked"`` (warm kernels, the default executor).
3. ``run_report(..., scheduler=ADDRESS)`` on an already running LocalCluster of N worker processes on
   loopback (what ``--scheduler tcp://…`` does): connection, task shipping, bytes returned to the host.
4. ``executor="dask"`` without an address: the cluster's start and stop included.

Ratios: cluster / local pool (target <= 1.3x at 2 workers), cluster / forked (like for like: the
workers fork warm kernels too), and the per-notebook overhead of the cluster ((cluster - forked) ×
workers / notebooks). Also printed: the median wall time of one
region-profile notebook in the local run (the per-notebook cost the estimate in docs/scheduling.md uses).
The suite and data are chosen as in bench_report.py (the project's own when usable, else the fixtures).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
TARGET_RATIO = 1.3

from bench_report import resolve_inputs  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=HERE.parent / "notebooks")
    parser.add_argument("--processed", type=Path, default=HERE.parent / "data" / "processed")
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--fixtures", action="store_true", help="time the fixture suite, not the project's")
    args = parser.parse_args(argv)

    import distributed
    import nbconvert  # noqa: F401 - warm imports so no measurement pays for them
    import papermill  # noqa: F401

    from analysis.report.params import load_data_info
    from analysis.report.runner import run_report

    for name in ("papermill", "nbclient", "traitlets", "asyncio", "distributed"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    with tempfile.TemporaryDirectory(prefix="bench_dask_") as tmp:
        work = Path(tmp)
        notebooks = work / "none" if args.fixtures else args.notebooks
        notebooks, processed, note = resolve_inputs(notebooks, args.processed if not args.fixtures else work / "x",
                                                    work)
        if note:
            print(note, end="")
        year = args.year or load_data_info(processed).latest_year()

        def suite(label: str, **kw) -> tuple[float, object]:
            start = time.perf_counter()
            result = run_report(year, processed_dir=processed, notebooks_dir=notebooks,
                                outputs_dir=work / f"outputs_{label}", jobs=args.jobs, force=True,
                                progress=False, **kw)
            return time.perf_counter() - start, result

        with distributed.LocalCluster(n_workers=args.jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address=None, silence_logs=logging.ERROR) as cluster:
            with distributed.Client(cluster, set_as_default=False) as client:
                client.wait_for_workers(args.jobs, timeout=300)
            # Alternate the sides so drift in the machine's speed spreads over both.
            local_s, local = suite("local", executor="local")
            dask_s, remote = suite("dask", scheduler=cluster.scheduler_address)
            forked_s, forked = suite("forked", executor="forked")
            local2_s, _ = suite("local2", executor="local")
            dask2_s, _ = suite("dask2", scheduler=cluster.scheduler_address)
        own_s, own = suite("dask_own", executor="dask")

    local_s, dask_s = min(local_s, local2_s), min(dask_s, dask2_s)
    n = len(local.results)
    failed = sorted({r.job.id for res in (local, remote, forked, own) for r in res.failed})
    profiles = [r.seconds for r in local.results if r.job.region is not None]
    ratio = dask_s / local_s
    print(f"notebooks: {n} (workers/jobs={args.jobs}, year={year}){'; FAILED: ' + ', '.join(failed) if failed else ''}")
    print(f"local pool (ordinary kernels):       {local_s:6.2f} s (best of 2)")
    print(f"forked pool (warm kernels):          {forked_s:6.2f} s")
    print(f"dask, running 2-worker cluster:      {dask_s:6.2f} s (best of 2)")
    print(f"dask, own LocalCluster (start+stop): {own_s:6.2f} s")
    print(f"ratio dask/local pool:               {ratio:6.2f}x (target <= {TARGET_RATIO}x)"
          f" {'OK' if ratio <= TARGET_RATIO else 'ABOVE TARGET'}")
    print(f"ratio dask/forked pool:              {dask_s / forked_s:6.2f}x")
    # The workers fork warm kernels too, so the like-for-like side is the forked pool.
    print(f"cluster overhead per notebook:       {(dask_s - forked_s) / n * args.jobs:6.3f} s of worker time"
          " (vs the forked pool)")
    if profiles:
        print(f"region profile, one notebook (local): median {statistics.median(profiles):.2f} s "
              f"over {len(profiles)} (min {min(profiles):.2f}, max {max(profiles):.2f})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
