"""``enforcement report``: run the notebook suite with papermill and build ``outputs/<year>/``.

One orchestration function, :func:`run_report`, in papermill's style:

1. *Plan and validate* (no kernel, no writes): read the processed data's years and regions, the
   suite registry (:mod:`analysis.report.suite`) and each notebook's declared parameters; expand the
   per-region notebook into one job per city/county; reject bad parameters with a
   :class:`ParameterError` (:mod:`analysis.report.params`).
2. *Lock* ``outputs/<year>/`` (:class:`analysis.atomic.OutputLock`; a second run waits), remove
   temp files a killed run left behind, load the build state (:mod:`analysis.report.build_state`).
3. *Run* stale jobs through an executor (:mod:`analysis.report.executors`: ``forked`` warm kernels
   by default, ``local`` ordinary kernels; each notebook in its own fresh kernel process):
   papermill writes the executed notebook to a temp name, nbconvert exports it to a temp HTML
   (:mod:`analysis.report.htmlexport`); a failing or timed-out notebook still gets both, with the
   failure marked. The :class:`~analysis.report.manager.ReportManager` owns the side effects:
   timing, the progress bar and status lines, moving temp files into place, recording a job in
   the state only once its outputs are in place, and retrying an attempt whose kernel failed to
   start or died from outside (a bounded number of times, recorded per report; a notebook's own
   error is never retried).
4. *Index*: ``outputs/<year>/index.html`` (:mod:`analysis.report.index_page`), then a summary table.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from concurrent.futures import FIRST_COMPLETED, Future, wait
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from analysis import __version__
from analysis.atomic import OutputLock, ensure_dir, remove_stale_temps
from analysis.errors import ExecutionError, ParameterError
from analysis.report.build_state import BuildState, data_digest, job_key, notebook_digest, package_digest
from analysis.report.executors import Executor, resolve_executor
from analysis.report.jobs import STATUS_ZH, Job, JobResult, Outcome, YearResult  # noqa: F401 - re-exported
from analysis.report.letter_step import build_letter
from analysis.report.manager import DEFAULT_RETRIES, ReportManager
from analysis.report.params import (
    REGION_PARAMETER,
    DataInfo,
    check_path,
    check_year,
    convert_value,
    inspect_parameters,
    load_data_info,
    parse_param_args,
    resolve_region,
)
from analysis.report.pdf import PdfPrinter
from analysis.report.provinces import PROVINCE_PARAMETER, plan_province_runs
from analysis.report.suite import NotebookSpec, Suite, load_suite

DEFAULT_NOTEBOOKS = Path("notebooks")
LOCK_TIMEOUT_ENV = "ENFORCEMENT_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 3600.0
SUBDIRS = ("html", "notebooks", "figures", "tables")
PROFILE_LEVELS = {"all": None, "county": ("county",), "city": ("city",), "none": ()}
"""``--profiles``: which levels the per-region notebooks fan out to (``all``: each spec's region_levels)."""


# --- planning ------------------------------------------------------------------------------------


def _declared(suite: Suite, spec: NotebookSpec, state: BuildState) -> tuple[str, dict[str, dict[str, str]]]:
    """Notebook digest and declared parameters, cached in the build state by digest."""
    path = suite.path(spec)
    try:
        digest = notebook_digest(path)
    except (OSError, ValueError) as err:
        raise ParameterError(f"无法读取笔记本 {path}", f"cannot read notebook {path}: {err}") from None
    cached = state.notebooks.get(spec.file)
    if cached and cached.get("digest") == digest:
        return digest, cached["parameters"]
    declared = inspect_parameters(path)
    state.notebooks[spec.file] = {"digest": digest, "parameters": declared}
    return digest, declared


def plan_jobs(
    year: int,
    suite: Suite,
    info: DataInfo,
    year_dir: Path,
    extra: dict[str, str],
    state: BuildState,
    profiles: str = "all",
) -> list[Job]:
    """Expand and validate the suite for one year. Raises ParameterError; starts nothing, writes nothing."""
    check_year(year, info)
    if profiles not in PROFILE_LEVELS:
        raise ParameterError(
            f"--profiles 应为 {'、'.join(PROFILE_LEVELS)} 之一：{profiles!r}",
            f"--profiles must be one of {', '.join(PROFILE_LEVELS)}: {profiles!r}",
        )
    only_levels = PROFILE_LEVELS[profiles]
    runner_values = {
        "year": year,
        "processed_dir": check_path("processed_dir", info.processed_dir),
        "output_dir": check_path("output_dir", year_dir),
    }
    declared_by_spec = {}
    digests = {}
    for spec in suite.specs:
        digests[spec.id], declared_by_spec[spec.id] = _declared(suite, spec, state)

    all_declared = {name for d in declared_by_spec.values() for name in d}
    for name in extra:
        if name not in all_declared:
            raise ParameterError(
                f"未知参数：{name}（笔记本声明的参数：{', '.join(sorted(all_declared)) or '无'}）",
                f"unknown parameter {name!r}; notebooks declare: {', '.join(sorted(all_declared)) or 'none'}",
            )
    region_filter = None
    if REGION_PARAMETER in extra:
        region_filter = resolve_region(extra[REGION_PARAMETER], info)

    data_digests = {name: data_digest(info.processed_dir / name) for name in {r for s in suite.specs for r in s.reads}}
    jobs: list[Job] = []
    for spec in suite.specs:
        declared = declared_by_spec[spec.id]
        params: dict[str, Any] = {k: v for k, v in runner_values.items() if k in declared}
        for name, raw in extra.items():
            if name == REGION_PARAMETER or name not in declared:
                continue
            params[name] = convert_value(name, raw, declared[name]["type"])
        data = {name: data_digests[name] for name in spec.reads}
        path = suite.path(spec)
        if not spec.per_region:
            if REGION_PARAMETER in declared and region_filter:
                params[REGION_PARAMETER] = region_filter
            key = job_key(digests[spec.id], params, data, package_digest())
            jobs.append(Job(spec.id, spec, path, spec.title, params, key))
            continue
        if REGION_PARAMETER not in declared:
            raise ParameterError(
                f"笔记本 {spec.file} 按地区生成，但其参数单元格未声明 region",
                f"per-region notebook {spec.file} does not declare a `region` parameter",
            )
        regions = sorted(
            (
                r
                for r in info.regions.values()
                if r.level in spec.region_levels and (only_levels is None or r.level in only_levels)
            ),
            key=lambda r: r.code,
        )
        for region in regions:
            p = dict(params, **{REGION_PARAMETER: region.code})
            key = job_key(digests[spec.id], p, data, package_digest())
            selected = region_filter is None or region.code == region_filter
            jobs.append(
                Job(f"{spec.id}_{region.code}", spec, path, f"{spec.title}：{region.name}", p, key, region, selected)
            )
    return jobs

# --- execution -----------------------------------------------------------------------------------


def _outcome(fut: Future) -> Outcome:
    """An executor's future as an outcome; an executor that raised counts as an infrastructure failure."""
    try:
        return fut.result()
    except Exception as err:  # noqa: BLE001 - e.g. a remote worker lost: retried like a dead kernel
        return Outcome("failed", 0.0, f"执行器出错 / executor error: {type(err).__name__}: {err}", infrastructure=True)


def run_jobs(jobs: list[Job], manager: ReportManager, executor: Executor) -> None:
    """Submit every job, finish each as it completes, resubmit infrastructure failures the manager allows."""
    futures: dict[Future, Job] = {}
    try:
        for job in jobs:
            futures[executor.submit(job, manager.year_dir)] = job
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                job = futures.pop(fut)
                outcome = _outcome(fut)
                if manager.should_retry(job, outcome):
                    again = executor.submit(job, manager.year_dir)
                    futures[again] = job
                    pending.add(again)
                else:
                    manager.finish(job, outcome)
    except BaseException:
        # Interrupted (Ctrl-C) or an output error: stop kernels so the workers end promptly.
        for fut in futures:
            fut.cancel()
        executor.cancel()
        raise


# --- the orchestration function ------------------------------------------------------------------


def _lock_timeout() -> float:
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "")
    try:
        return float(raw) if raw.strip() else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        raise ParameterError(f"{LOCK_TIMEOUT_ENV} 应为秒数：{raw!r}", f"{LOCK_TIMEOUT_ENV} must be seconds") from None


def _index_entries(jobs: list[Job], results: dict[str, JobResult], state: BuildState, year_dir: Path):
    from analysis.report.index_page import IndexEntry

    entries = []
    for job in jobs:
        r = results.get(job.id)
        if r is None and job.selected:
            continue
        if r is None:  # not selected this time (-p region=...): listed when an earlier run built it
            if job.id not in state.jobs or not (year_dir / job.html_rel).is_file():
                continue
            status = "ok"
        else:
            status = "ok" if r.status in ("ok", "skipped") else "failed"
        if job.region is not None:
            entries.append(IndexEntry(job.id, job.title, job.html_rel, status, job.spec.title, job.region.name))
        else:
            entries.append(IndexEntry(job.id, job.title, job.html_rel, status))
    return entries


def _downloads(year_dir: Path) -> list[str]:
    """The download files the index lists (a new PDF or letter re-renders it)."""
    return sorted(p.relative_to(year_dir).as_posix() for sub in ("pdf", "letter", "tables")
                  for p in (year_dir / sub).glob("*.*") if not p.name.startswith("."))


def _write_index(year: int, year_dir: Path, jobs: list[Job], manager: ReportManager, info: DataInfo, force: bool):
    """Render index.html unless no report was rebuilt and nothing it shows changed (fast no-change re-run)."""
    from analysis.report.index_page import render_index, write_index

    entries = _index_entries(jobs, {r.job.id: r for r in manager.results}, manager.state, year_dir)
    quality_href = next((e.href for e in entries if e.job_id.startswith("01_quality")), "")
    payload = json.dumps(
        [[e.job_id, e.title, e.href, e.status, e.group, e.label] for e in entries]
        + [info.quality_counts, info.is_sample, year, __version__, quality_href, _downloads(year_dir)],
        ensure_ascii=False,
        sort_keys=True,
    )
    key = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    index = year_dir / "index.html"
    all_skipped = all(r.status == "skipped" for r in manager.results)
    if not force and all_skipped and manager.state.extra.get("index_key") == key and index.is_file():
        return False
    page = render_index(
        year,
        entries,
        datetime.now().strftime("%Y年%m月%d日 %H:%M"),
        info.quality_counts,
        info.is_sample,
        quality_href=quality_href,
        year_dir=year_dir,
    )
    write_index(year_dir, page)
    manager.state.extra["index_key"] = key
    manager.state.save()
    return True


def run_report(
    year: int,
    *,
    processed_dir: Path | str = Path("data/processed"),
    notebooks_dir: Path | str = DEFAULT_NOTEBOOKS,
    outputs_dir: Path | str = Path("outputs"),
    jobs: int | None = None,
    force: bool = False,
    timeout: float = 600,
    parameters: dict[str, str] | None = None,
    progress: bool = True,
    stream: TextIO | None = None,
    data_info: DataInfo | None = None,
    lock_timeout: float | None = None,
    executor: str | None = None,
    retries: int = DEFAULT_RETRIES,
    scheduler: str | None = None,
    profiles: str = "all",
) -> YearResult:
    """Build ``outputs/<year>/``: validate, lock, run stale notebooks in parallel, export, index.

    ``parameters`` are raw ``-p NAME=VALUE`` strings, validated against the notebooks. ``executor``
    names a registered executor (default: ``forked`` where available, else ``local``); ``retries``
    bounds the fresh-kernel attempts after an infrastructure failure; ``scheduler`` (``tcp://HOST:PORT``)
    runs on that Dask cluster (executor ``dask``); ``profiles`` limits the per-region notebooks to a
    level (``all``, ``county``, ``city``, ``none``). Returns a :class:`YearResult`;
    raises :class:`ParameterError` (before any kernel starts), :class:`OutputError`, or
    :class:`AlreadyRunningError`. Failed notebooks do not raise: see ``YearResult.failed``.
    """
    stream = stream or sys.stdout
    if timeout is None or timeout <= 0:
        raise ParameterError("--timeout 应为正数（秒）", "--timeout must be a positive number of seconds")
    if jobs is not None and jobs < 1:
        raise ParameterError("--jobs 应为正整数", "--jobs must be a positive integer")
    if retries < 0:
        raise ParameterError("--retries 应为非负整数", "--retries must be zero or more")
    if scheduler and executor not in (None, "dask"):
        raise ParameterError("--scheduler 只能与 --executor dask 同用", "--scheduler needs --executor dask")
    executor_cls = resolve_executor("dask" if scheduler else executor)
    executor_kw = {"scheduler": scheduler} if scheduler else {}
    info = data_info or load_data_info(processed_dir)
    suite = load_suite(notebooks_dir)
    year_dir = Path(outputs_dir).resolve() / str(int(year))
    extra = dict(parameters or {})

    # 1. Validate everything with a read-only view of the state: no kernel, no writes.
    state = BuildState.load(year_dir / ".cache" / "state.json")
    planned = plan_jobs(year, suite, info, year_dir, extra, state, profiles)
    inspected = dict(state.notebooks)

    # 2. Lock the year's folder; from here on we write.
    ensure_dir(year_dir)

    def on_wait(lock: OutputLock) -> None:
        print(
            f"另一个进程正在生成 {year_dir}，等待其完成… / another run holds {lock.path}, waiting",
            file=stream,
            flush=True,
        )

    warnings: list[str] = []
    with OutputLock(year_dir, _lock_timeout() if lock_timeout is None else lock_timeout, on_wait):
        remove_stale_temps(year_dir)
        for sub in SUBDIRS:
            ensure_dir(year_dir / sub)
        ensure_dir(year_dir / ".cache" / "logs")
        state = BuildState.load(state.path)  # another run may have finished while we waited
        state.notebooks.update(inspected)

        selected = [j for j in planned if j.selected]
        to_run = [
            j
            for j in selected
            if force or not state.is_fresh(j.id, j.key, [year_dir / j.html_rel, year_dir / j.notebook_rel])
        ]
        run_ids = {j.id for j in to_run}
        # PDFs are printed while the notebooks run; Chromium starts now, before any thread (tqdm's, the pool's).
        printer = PdfPrinter(year_dir, stream=stream)
        if to_run:
            printer.start()
        manager = ReportManager(year, year_dir, state, len(selected), progress, stream, retries,
                                on_html=printer.submit)
        finished = False
        try:
            for job in selected:
                if job.id not in run_ids:
                    manager.skip(job)
            if to_run:
                from analysis.report.executors.notebook import kernel_warning

                warning = kernel_warning()
                if warning:
                    print(f"警告 / warning: {warning}", file=stream, flush=True)
                n_workers = max(1, min(jobs or os.cpu_count() or 1, len(to_run)))
                with executor_cls(n_workers, timeout, year_dir / ".cache" / "logs", **executor_kw) as pool:
                    try:
                        run_jobs(to_run, manager, pool)
                    finally:
                        warnings = list(pool.warnings)
                manager.record_run(executor_cls.name, warnings)
            finished = True
        finally:
            manager.close()
            state.save()
            # The reports not printed yet (one line and no PDFs when Chromium is missing); stops Chromium.
            # Interrupted (Ctrl-C, an output error): only stops it.
            printer.close(finish=finished)
        # Then the letter draft, and the index, which lists what exists.
        build_letter(year, info.processed_dir, year_dir, province=extra.get(PROVINCE_PARAMETER, ""), stream=stream)
        written = _write_index(year, year_dir, planned, manager, info, force)
        if progress:
            print(manager.summary(executor_cls.name if to_run else "", warnings), file=stream, flush=True)
    return YearResult(year, year_dir, manager.results, written, executor_cls.name if to_run else "")


def run_report_cli(args) -> int:
    """``enforcement report``: one or several years; raises ExecutionError when any notebook failed."""
    # Failures are reported in our summary; papermill/nbclient/asyncio log lines would only be noise.
    for name in ("papermill", "nbclient", "traitlets", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    scheduler = getattr(args, "scheduler", None)
    resolve_executor("dask" if scheduler else getattr(args, "executor", None))  # an unknown or unusable executor: fail before anything
    info = load_data_info(args.processed)
    if getattr(args, "years", None):
        years = list(args.years)
    elif getattr(args, "year", None) is not None:
        years = [args.year]
    else:
        years = [info.latest_year()]
    for year in years:  # reject every bad year before running any
        check_year(year, info)
    extra = parse_param_args(getattr(args, "param", []))
    notebooks = args.notebooks if args.notebooks is not None else DEFAULT_NOTEBOOKS
    quiet = bool(getattr(args, "quiet", False))
    results: list[YearResult] = []
    runs = plan_province_runs(info, Path(args.outputs), extra)  # one set of reports per province
    for year, run in ((y, r) for y in years for r in runs):
        result = run_report(
            year,
            processed_dir=args.processed,
            notebooks_dir=notebooks,
            outputs_dir=run.outputs_dir,
            jobs=args.jobs,
            force=args.force,
            timeout=args.timeout,
            parameters={**extra, PROVINCE_PARAMETER: run.province} if run.province else extra,
            progress=not quiet,
            data_info=run.info,
            lock_timeout=getattr(args, "lock_timeout", None),
            executor=getattr(args, "executor", None),
            retries=getattr(args, "retries", DEFAULT_RETRIES),
            scheduler=scheduler,
            profiles=getattr(args, "profiles", "all"),
        )
        results.append(result)
        if quiet:
            c = result.counts()
            retried = sum(len(v) for v in result.retries.values())
            print(
                f"{year}: 成功 ok {c['ok']}，失败 failed {c['failed']}，跳过 skipped {c['skipped']}，"
                f"重试 retries {retried} -> {result.year_dir}"
            )
    failed = [f"{r.year}/{f.job.id}" for r in results for f in r.failed]
    if failed:
        raise ExecutionError(
            f"{len(failed)} 份报告未能完整生成（已保存出错位置）：{', '.join(failed[:5])}",
            f"{len(failed)} notebook(s) failed; partial outputs saved",
        )
    return 0
