"""Benchmark of ``enforcement report``: the full suite against two papermill floors, warm vs cold kernels, re-run.

    .venv/bin/python benchmarks/bench_report.py [--notebooks notebooks] [--processed data/processed]
                                                [--year 2024] [--jobs N] [--rounds R]

Measured in one run, so only the ratios mean something (the machine's speed drifts). With ``--rounds R``
the command-line floor and the two forked suites are run R times, alternating, and medians are printed
(single runs on this 2-core machine vary by about 10 %):

1. *Command-line floor*: as many trivial notebooks (one parameters cell, ``x = 1``) as the suite has
   runs, each through the ``papermill`` command line, ``--jobs`` at a time (interpreter, ``import
   papermill`` and a kernel start per notebook: what a shell script around papermill costs).
2. *In-process floor*: the same trivial notebooks through ``papermill.execute_notebook`` in one process
   with a pool of ``--jobs`` threads (one ordinary kernel per notebook).
3. *Full suite*: ``run_report(..., force=True)`` into fresh temp folders with the ``forked`` executor
   (warm kernels) and with ``local`` (ordinary kernel start); both include parameter checks, execution,
   HTML export, the PDFs (printed while the notebooks run, when Chromium is installed), the letter draft
   and the index page. Ratios: forked / command-line floor (target <= 1.0x, stretch 0.7x), forked /
   in-process floor, and forked / local. Once more with ``forked`` and no PDFs: the outputs the issue's
   1.46x was measured on (notebooks, HTML, index), before PDFs existed.
4. *No-change re-run*: ``python -m analysis report`` in a subprocess on the same outputs (interpreter
   start-up, hashing, nothing executed; target < 0.5 s), and the same in-process.

When ``--notebooks`` has no complete suite or ``--processed`` has no data, the fixture suite of
``tests/runner/fixtures`` and a tiny generated data set are used, with a printed note. Imports are
warmed up before timing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "runner" / "fixtures"
TARGET_RATIO = 1.0  # forked suite / command-line floor (issue 13); stretch 0.7
RERUN_TARGET = 0.5
FIXTURE_SUITE = [
    {"id": "01_quality", "file": "01_quality.ipynb", "title": "数据质量报告",
     "reads": ["facts.parquet", "quality.csv", "meta.json"]},
    {"id": "02_overview", "file": "02_overview.ipynb", "title": "年度执法工作总览", "reads": ["facts.parquet"]},
    {"id": "05_region_profile", "file": "05_region_profile.ipynb", "title": "地区画像",
     "reads": ["facts.parquet"], "per_region": True},
]


def fixture_data(folder: Path) -> None:
    """A tiny processed folder: two years, the province, 2 cities, 3 counties."""
    import pandas as pd

    regions = [("640000", "宁夏回族自治区", "province"), ("640100", "银川市", "city"), ("640200", "石嘴山市", "city"),
               ("640104", "兴庆区", "county"), ("640105", "西夏区", "county"), ("640202", "大武口区", "county")]
    rows = [
        dict(year=y, region_code=c, region_name=n, level=lv, agency="", indicator=ind, value=float(v + i),
             unit=u, approx=False, source_file="a.xlsx", source_sheet="S", source_cell="B2")
        for y in (2023, 2024)
        for i, (c, n, lv) in enumerate(regions)
        for ind, u, v in (("cases_filed", "件", 214), ("fines", "万元", 9172.05))
    ]
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(folder / "facts.parquet", index=False)
    (folder / "quality.csv").write_text(
        "severity,code,file,sheet,cell,raw_value,message,message_zh,message_en\n"
        "info,missing_value,a.xlsx,S,B3,-,缺失 | missing,缺失,missing\n",
        "utf-8",
    )
    (folder / "meta.json").write_text(json.dumps({"is_sample": True, "years": [2023, 2024]}), "utf-8")


def resolve_inputs(notebooks: Path, processed: Path, work: Path) -> tuple[Path, Path, str]:
    """The suite and data to time: the configured ones when usable, else the fixtures (with a note)."""
    from analysis.errors import AnalysisError
    from analysis.report.params import load_data_info
    from analysis.report.suite import load_suite

    note = ""
    try:
        load_suite(notebooks)
        suite_ok = True
    except AnalysisError as err:
        note += f"note: {notebooks} has no complete suite ({err})\n"
        suite_ok = False
    try:
        load_data_info(processed)
        data_ok = True
    except AnalysisError as err:
        note += f"note: {processed} has no processed data ({err})\n"
        data_ok = False
    raw = ROOT / "data" / "raw"
    if suite_ok and not data_ok and raw.is_dir():
        cleaned = work / "processed"
        proc = subprocess.run([sys.executable, "-m", "analysis", "clean", "--raw", str(raw), "--out", str(cleaned),
                               "--quiet"], capture_output=True, text=True, cwd=ROOT)
        if proc.returncode in (0, 1) and (cleaned / "facts.parquet").is_file():
            note += f"note: cleaned {raw} into a temp folder for the benchmark\n"
            return notebooks, cleaned, note
        note += f"note: `enforcement clean` on {raw} failed: {proc.stderr.strip()[-300:]}\n"
    if suite_ok and data_ok:
        return notebooks, processed, note
    note += "note: using the fixture suite (tests/runner/fixtures) and generated fixture data\n"
    notebooks = work / "fixture_notebooks"
    notebooks.mkdir()
    for spec in FIXTURE_SUITE:
        shutil.copy(FIXTURES / spec["file"], notebooks / spec["file"])
    (notebooks / "suite.json").write_text(json.dumps(FIXTURE_SUITE, ensure_ascii=False), "utf-8")
    processed = work / "fixture_processed"
    fixture_data(processed)
    return notebooks, processed, note


def _papermill_pool(runs: list[tuple[Path, dict]], jobs: int, out: Path) -> float:
    """Execute (notebook, parameters) pairs with bare papermill in a pool of ``jobs`` threads."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from analysis.report.executors.notebook import KernelRegistry, kernel_manager_class

    out.mkdir(exist_ok=True)
    # Same kernel manager as the runner's local executor (kernel logs to a file instead of the terminal).
    km_class = kernel_manager_class(out / "kernel.log", KernelRegistry())

    def one(i: int) -> None:
        src, params = runs[i]
        with contextlib.suppress(PapermillExecutionError):
            papermill.execute_notebook(str(src), str(out / f"t{i}.ipynb"), parameters=params,
                                       kernel_name="python3", progress_bar=False, kernel_manager_class=km_class)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, range(len(runs))))
    return time.perf_counter() - start


def floor_inprocess(n: int, jobs: int, work: Path, year: int) -> float:
    """``n`` trivial notebooks through ``papermill.execute_notebook`` in this process, ``jobs`` at a time."""
    return _papermill_pool([(FIXTURES / "trivial.ipynb", {"year": year})] * n, jobs, work / "floor_inproc")


def floor_cli(n: int, jobs: int, work: Path, year: int) -> float:
    """``n`` trivial notebooks through the ``papermill`` command line, ``jobs`` processes at a time."""
    out = work / "floor_cli"
    out.mkdir(exist_ok=True)

    def one(i: int) -> None:
        subprocess.run([sys.executable, "-m", "papermill", str(FIXTURES / "trivial.ipynb"), str(out / f"t{i}.ipynb"),
                        "-p", "year", str(year), "-k", "python3", "--no-progress-bar"],
                       capture_output=True, check=True)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, range(n)))
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--processed", type=Path, default=ROOT / "data" / "processed")
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=1, help="alternating repeats of floor and forked suites")
    args = parser.parse_args(argv)

    import logging

    import nbconvert  # noqa: F401 - warm imports so no measurement pays for them
    import papermill  # noqa: F401

    from analysis.report.params import load_data_info
    from analysis.report.runner import run_report

    for name in ("papermill", "nbclient", "traitlets", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    with tempfile.TemporaryDirectory(prefix="bench_report_") as tmp:
        work = Path(tmp)
        notebooks, processed, note = resolve_inputs(args.notebooks, args.processed, work)
        if note:
            print(note, end="")
        year = args.year or load_data_info(processed).latest_year()

        def suite(executor: str, pdf: bool = True) -> tuple[float, object]:
            import analysis.report.pdf as pdf_module

            found = pdf_module.chromium_executable
            if not pdf:
                pdf_module.chromium_executable = lambda: None
            start = time.perf_counter()
            try:
                result = run_report(year, processed_dir=processed, notebooks_dir=notebooks,
                                    outputs_dir=work / f"outputs_{executor}{'' if pdf else '_nopdf'}",
                                    jobs=args.jobs, force=True, progress=False, executor=executor,
                                    stream=io.StringIO())
            finally:
                pdf_module.chromium_executable = found
            return time.perf_counter() - start, result

        # Alternate the runs so drift in the machine's speed spreads over both sides.
        from analysis.report.pdf import chromium_executable

        has_pdf = chromium_executable() is not None
        local_s, local = suite("local")
        samples: dict[str, list[float]] = {"forked": [], "cli": [], "nopdf": []}
        failed_ids: set[str] = {r.job.id for r in local.failed}
        for _ in range(max(1, args.rounds)):
            seconds, forked = suite("forked")
            samples["forked"].append(seconds)
            n = len(forked.results)
            samples["cli"].append(floor_cli(n, args.jobs, work, year))
            seconds, nopdf = suite("forked", pdf=False)
            samples["nopdf"].append(seconds)
            failed_ids |= {r.job.id for r in forked.failed + nopdf.failed}
        forked_s, cli_s, nopdf_s = (statistics.median(samples[k]) for k in ("forked", "cli", "nopdf"))
        inproc_s = floor_inprocess(n, args.jobs, work, year)
        failed = sorted(failed_ids)

        outputs = work / "outputs_forked"
        cmd = [sys.executable, "-m", "analysis", "report", "--year", str(year), "--processed", str(processed),
               "--notebooks", str(notebooks), "--outputs", str(outputs), "--quiet"]
        reruns = []
        for _ in range(3):
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            reruns.append(time.perf_counter() - start)
        start = time.perf_counter()
        again = run_report(year, processed_dir=processed, notebooks_dir=notebooks, outputs_dir=outputs,
                           jobs=args.jobs, progress=False)
        rerun_inproc = time.perf_counter() - start

    rerun = min(reruns)
    ratio = forked_s / cli_s if cli_s else float("inf")
    print(f"notebook runs: {n} (jobs={args.jobs}, year={year}, rounds={max(1, args.rounds)}; medians)"
          f"{'; FAILED: ' + ', '.join(failed) if failed else ''}")
    if args.rounds > 1:
        for key, label in (("cli", "floor"), ("forked", "forked"), ("nopdf", "forked, no PDFs")):
            print(f"  {label} rounds: {', '.join(f'{x:.1f}' for x in samples[key])} s")
    print(f"floor, papermill command line:        {cli_s:6.2f} s")
    print(f"floor, papermill in-process:          {inproc_s:6.2f} s")
    pdfs = "with PDFs" if has_pdf else "no Chromium: no PDFs"
    print(f"full suite, local (ordinary kernels): {local_s:6.2f} s ({pdfs})")
    print(f"full suite, forked (warm kernels):    {forked_s:6.2f} s ({pdfs})")
    print(f"full suite, forked, without PDFs:     {nopdf_s:6.2f} s")
    print(f"ratio forked/command-line floor:      {ratio:6.2f}x (target <= {TARGET_RATIO}x, stretch 0.7x)"
          f" {'OK' if ratio <= TARGET_RATIO else 'ABOVE TARGET'}")
    print(f"ratio forked without PDFs/floor:      {nopdf_s / cli_s:6.2f}x")
    print(f"ratio local/command-line floor:       {local_s / cli_s:6.2f}x")
    print(f"ratio forked/in-process floor:        {forked_s / inproc_s:6.2f}x (local: {local_s / inproc_s:.2f}x)")
    print(f"ratio forked/local:                   {forked_s / local_s:6.2f}x")
    skipped = sum(r.status == "skipped" for r in again.results)
    print(f"no-change re-run (CLI subprocess):    {rerun:6.2f} s (best of 3: "
          f"{', '.join(f'{r:.2f}' for r in reruns)}; exit {proc.returncode}; target < {RERUN_TARGET} s)"
          f" {'OK' if rerun < RERUN_TARGET else 'ABOVE TARGET'}")
    print(f"no-change re-run (in-process):        {rerun_inproc:6.2f} s ({skipped}/{n} skipped)")
    return 0 if proc.returncode == 0 and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
