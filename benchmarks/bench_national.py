"""Benchmark: national scale (issue 14) - summary, clean and planning at half and full size, measured in one run.

Run: ``.venv/bin/python benchmarks/bench_national.py [--quick] [--repeat 2] [--clean-files 600] [--skip-clean]``

Data: :mod:`national_data` (seeded, synthetic) written to a temporary folder and removed afterwards:
facts for ~3,200 regions x 10 years (the packaged national ``regions.csv`` when present, else synthetic codes
through ``ENFORCEMENT_CATALOG_DIR``), and for the half size the same facts of every other province (same peer-group sizes,
half the rows). Every measurement runs in its own subprocess so peak memory (``ru_maxrss``) does not mix:

* ``build_summary`` on half and full facts: wall, CPU, peak RSS; the full/half time ratio against the
  full/half row ratio shows whether the cost is linear in rows (ratio of ratios ~ 1).
* ``clean`` of a folder of raw tables (CSV and XLSX, per province x year and per city x year) against a
  bare read of the same files with pandas (the baseline of ``bench_clean.py``), on N and N/2 files.
* ``plan_jobs`` for the default suite over the full national facts (one region profile per city and
  county, ~3,180 notebooks): parameter validation and cache keys, in ms per 100 notebooks.

``--quick`` uses a quarter of the provinces and fewer files (about a minute). Exit status 1 when the full
summary takes 5 s of CPU or more, or planning takes 1 s per 100 notebooks or more.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SUMMARY_CPU_LIMIT = 5.0
PLAN_MS_PER_100_LIMIT = 1000.0


# --------------------------------------------------------------------------------------------------------
# Measurements (each in a fresh subprocess: ``--measure KIND PATH``)
# --------------------------------------------------------------------------------------------------------
def _peak_mb() -> float:
    """Peak RSS of this process in MB: ``VmHWM`` (reset by exec, unlike ``ru_maxrss``, which Linux carries
    over from the parent that started the subprocess), else ``ru_maxrss``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _timed(fn) -> dict:
    before = _peak_mb()
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return {"wall": time.perf_counter() - w0, "cpu": time.process_time() - c0, "rss_before_mb": before,
            "peak_mb": _peak_mb(), **result}


def _measure_summary(path: Path) -> dict:
    import pandas as pd

    from analysis.stats.summary import build_summary

    facts = pd.read_parquet(path / "facts.parquet")
    build_summary(facts.head(2000))  # catalogue caches, imports

    def run():
        return {"rows": len(build_summary(facts)), "facts": len(facts)}

    return _timed(run)


def _measure_clean(path: Path) -> dict:
    from analysis.clean.pipeline import clean

    def run():
        facts, report, meta = clean(path, progress=False)
        return {"facts": len(facts), "files": meta["n_files"], "findings": len(report.to_frame())}

    return _timed(run)


def _measure_read(path: Path) -> dict:
    sys.path.insert(0, str(HERE))
    from bench_clean import _encoding, baseline_read

    from analysis.clean.findings import QualityReport
    from analysis.clean.readers import discover_files

    files = discover_files(path, QualityReport())
    encodings = {p: _encoding(p, path) for p in files}  # detection is not part of the bare read

    def run():
        return {"cells": baseline_read(path, files, encodings), "files": len(files)}

    return _timed(run)


def _measure_plan(path: Path) -> dict:
    from analysis.report.build_state import BuildState
    from analysis.report.params import load_data_info
    from analysis.report.runner import plan_jobs
    from analysis.report.suite import load_suite

    suite = load_suite(ROOT / "notebooks")
    out = path / "outputs"
    out.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    info = load_data_info(path)
    load_s = time.perf_counter() - t0
    state = BuildState(out / "state.json")

    def plan():
        return plan_jobs(info.latest_year(), suite, info, out / str(info.latest_year()), {}, state)

    w0 = time.perf_counter()
    plan()  # cold: notebook inspection, package and data digests (once per run)
    cold = time.perf_counter() - w0

    def run():
        jobs = plan()
        return {"jobs": len(jobs), "profiles": sum(1 for j in jobs if j.spec.per_region),
                "load_data_info_s": load_s, "cold_s": cold}

    return _timed(run)


MEASURES = {"summary": _measure_summary, "clean": _measure_clean, "read": _measure_read, "plan": _measure_plan}


def measure(kind: str, path: Path, env: dict[str, str], repeat: int = 1) -> dict:
    """Best of ``repeat`` subprocess runs (by CPU time); the peak is the largest seen."""
    best: dict | None = None
    peak = 0.0
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure", kind, str(path)],
                              capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{kind} measurement failed:\n{proc.stderr[-3000:]}")
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        peak = max(peak, res["peak_mb"])
        if best is None or res["cpu"] < best["cpu"]:
            best = res
    assert best is not None
    return {**best, "peak_mb": peak}


# --------------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------------
def prepare(tmp: Path, quick: bool, clean_files: int, skip_clean: bool) -> tuple[dict[str, str], dict]:
    sys.path.insert(0, str(HERE))
    import national_data as nd

    regions, synthetic = nd.national_regions()
    env = dict(os.environ)
    if synthetic:
        env["ENFORCEMENT_CATALOG_DIR"] = str(nd.write_catalog_dir(tmp / "catalog", regions))
        os.environ["ENFORCEMENT_CATALOG_DIR"] = env["ENFORCEMENT_CATALOG_DIR"]
    full_regions = nd.half_regions(nd.half_regions(regions)) if quick else regions
    half_regions = nd.half_regions(full_regions)
    full_facts = nd.national_facts(full_regions)
    sets = {}
    for name, reg in (("half", half_regions), ("full", full_regions)):
        folder = tmp / name
        folder.mkdir()
        facts = full_facts[full_facts["region_code"].isin(set(reg["code"]))].reset_index(drop=True)
        facts.to_parquet(folder / "facts.parquet", index=False)
        sets[name] = {"folder": folder, "regions": len(reg), "facts": facts}
    # processed folder for planning: the full facts + meta.json + an empty quality report
    full = sets["full"]["folder"]
    years = sorted(int(y) for y in sets["full"]["facts"]["year"].unique())
    (full / "meta.json").write_text(json.dumps({"is_sample": True, "years": years}), encoding="utf-8")
    (full / "quality.csv").write_text("severity,code\n", encoding="utf-8")
    if not skip_clean:
        raw_full, raw_half = tmp / "raw_full", tmp / "raw_half"
        files = nd.write_raw_tables(raw_full, sets["full"]["facts"], regions, limit=clean_files)
        for p in files[: len(files) // 2]:
            dest = raw_half / p.relative_to(raw_full)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, dest)
        shutil.copy2(raw_full / "SAMPLE", raw_half / "SAMPLE")
        sets["raw_full"], sets["raw_half"] = raw_full, raw_half
    return env, {**sets, "synthetic": synthetic}


# --------------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------------
def _row(label: str, r: dict, extra: str = "") -> str:
    return (f"  {label:<26} {r['wall']:7.2f} s wall {r['cpu']:7.2f} s CPU  peak {r['peak_mb']:6.0f} MB "
            f"(before {r['rss_before_mb']:5.0f} MB){extra}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a quarter of the provinces, fewer files")
    ap.add_argument("--repeat", type=int, default=2, help="subprocess runs per summary measurement (best CPU)")
    ap.add_argument("--clean-files", type=int, default=600, help="raw files in the full clean folder")
    ap.add_argument("--skip-clean", action="store_true")
    ap.add_argument("--measure", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        kind, path = args.measure
        print(json.dumps(MEASURES[kind](Path(path))))
        return 0
    clean_files = min(args.clean_files, 160) if args.quick else args.clean_files
    status = 0
    with tempfile.TemporaryDirectory(prefix="bench_national_") as tmpdir:
        tmp = Path(tmpdir)
        t0 = time.perf_counter()
        env, sets = prepare(tmp, args.quick, clean_files, args.skip_clean)
        print(f"data: {'synthetic' if sets['synthetic'] else 'packaged'} national catalogue; "
              f"half {sets['half']['regions']} regions / {len(sets['half']['facts'])} facts, "
              f"full {sets['full']['regions']} regions / {len(sets['full']['facts'])} facts "
              f"(generated in {time.perf_counter() - t0:.0f} s)")

        print(f"build_summary (best CPU of {args.repeat} subprocess runs each):")
        s = {k: measure("summary", sets[k]["folder"], env, args.repeat) for k in ("half", "full")}
        for k in ("half", "full"):
            r = s[k]
            print(_row(f"{k}: {r['facts']} facts -> {r['rows']} rows", r,
                       f"  {1e6 * r['cpu'] / r['rows']:.2f} µs CPU/row"))
        rows_ratio = s["full"]["rows"] / s["half"]["rows"]
        cpu_ratio = s["full"]["cpu"] / s["half"]["cpu"]
        print(f"  ratio full/half: rows {rows_ratio:.2f}x, CPU {cpu_ratio:.2f}x, wall "
              f"{s['full']['wall'] / s['half']['wall']:.2f}x -> CPU per row {cpu_ratio / rows_ratio:.2f}x "
              f"(1.0 = linear); peak {s['full']['peak_mb'] / s['half']['peak_mb']:.2f}x")
        if s["full"]["cpu"] >= SUMMARY_CPU_LIMIT and not args.quick:
            print(f"  FAIL: full summary took {s['full']['cpu']:.2f} s CPU (limit {SUMMARY_CPU_LIMIT:g} s)")
            status = 1

        if not args.skip_clean:
            print("clean vs a bare pandas read of the same files (one subprocess run each):")
            c = {k: measure("clean", sets[f"raw_{k}"], env) for k in ("half", "full")}
            b = {k: measure("read", sets[f"raw_{k}"], env) for k in ("half", "full")}
            for k in ("half", "full"):
                print(_row(f"clean {k}: {c[k]['files']} files", c[k],
                           f"  {1000 * c[k]['cpu'] / c[k]['files']:.1f} ms CPU/file, {c[k]['facts']} facts"))
                print(_row(f"bare read {k}: {b[k]['files']} files", b[k],
                           f"  {1000 * b[k]['cpu'] / b[k]['files']:.1f} ms CPU/file"))
            files_ratio = c["full"]["files"] / c["half"]["files"]
            marginal = (c["full"]["cpu"] - c["half"]["cpu"]) / (c["full"]["files"] - c["half"]["files"])
            print(f"  ratio full/half: files {files_ratio:.2f}x, clean CPU {c['full']['cpu'] / c['half']['cpu']:.2f}x, "
                  f"bare read CPU {b['full']['cpu'] / b['half']['cpu']:.2f}x; marginal clean cost "
                  f"{1000 * marginal:.1f} ms CPU per extra file")
            print(f"  ratio clean / bare read (full): {c['full']['cpu'] / b['full']['cpu']:.1f}x CPU, "
                  f"{c['full']['wall'] / b['full']['wall']:.1f}x wall")

        print("plan_jobs, default suite over the full facts (one subprocess run):")
        p = measure("plan", sets["full"]["folder"], env)
        per100 = 1000 * p["wall"] / p["jobs"] * 100
        print(_row(f"{p['jobs']} jobs ({p['profiles']} profiles)", p,
                   f"  {per100:.1f} ms per 100 notebooks (warm call); first call {p['cold_s']:.2f} s, "
                   f"load_data_info {p['load_data_info_s']:.2f} s"))
        if per100 >= PLAN_MS_PER_100_LIMIT:
            print(f"  FAIL: planning takes {per100:.0f} ms per 100 notebooks")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
