"""``enforcement report``: run the notebook suite with papermill and build ``outputs/<year>/``.

One orchestration function, :func:`run_report`, in papermill's style:

1. *Plan and validate* (no kernel, no writes): read the processed data's years and regions, the
   suite registry (:mod:`analysis.report.suite`) and each notebook's declared parameters; expand the
   per-region notebook into one job per city/county; reject bad parameters with a
   :class:`ParameterError` (:mod:`analysis.report.params`).
2. *Lock* ``outputs/<year>/`` (:class:`analysis.atomic.OutputLock`; a second run waits), remove
   temp files a killed run left behind, load the build state (:mod:`analysis.report.build_state`).
3. *Run* stale jobs in parallel (a thread pool; each notebook runs in its own kernel process):
   papermill writes the executed notebook to a temp name, nbconvert exports it to a temp HTML
   (:mod:`analysis.report.htmlexport`); a failing or timed-out notebook still gets both, with the
   failure marked. The :class:`ReportManager` owns the side effects: timing, the progress bar
   and status lines, moving temp files into place, and recording a job in the state only once
   its outputs are in place.
4. *Index*: ``outputs/<year>/index.html`` (:mod:`analysis.report.index_page`), then a summary table.

Kernel: ``kernel_name="python3"``. jupyter_client resolves it to the kernelspec of the running
environment (``.venv/share/jupyter/kernels/python3``, whose ``argv[0]`` ``python`` is replaced by
``sys.executable``), so notebooks import the same ``analysis`` package as the runner.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from analysis import __version__
from analysis.atomic import OutputLock, ensure_dir, remove_stale_temps, replace_file, temp_path_for
from analysis.errors import AnalysisError, ExecutionError, OutputError, ParameterError
from analysis.report.build_state import BuildState, data_digest, job_key, notebook_digest, package_digest
from analysis.report.params import (
    REGION_PARAMETER,
    DataInfo,
    Region,
    check_path,
    check_year,
    convert_value,
    inspect_parameters,
    load_data_info,
    parse_param_args,
    resolve_region,
)
from analysis.report.suite import NotebookSpec, Suite, load_suite

KERNEL_NAME = "python3"
DEFAULT_NOTEBOOKS = Path("notebooks")
LOCK_TIMEOUT_ENV = "ENFORCEMENT_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 3600.0
SUBDIRS = ("html", "notebooks", "figures", "tables")

STATUS_ZH = {"ok": "成功", "failed": "失败", "skipped": "跳过"}


@dataclass
class Job:
    id: str
    spec: NotebookSpec
    input_path: Path
    title: str
    parameters: dict[str, Any]
    key: str
    region: Region | None = None
    selected: bool = True  # False: another region than the one asked for with -p region=...

    @property
    def html_rel(self) -> str:
        return f"html/{self.id}.html"

    @property
    def notebook_rel(self) -> str:
        return f"notebooks/{self.id}.ipynb"


@dataclass
class Outcome:
    """What a worker produced: temp files to move into place, and how it went."""

    status: str  # ok | failed
    seconds: float
    message: str = ""
    tmp_notebook: Path | None = None
    tmp_html: Path | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class JobResult:
    job: Job
    status: str  # ok | failed | skipped
    seconds: float
    message: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class YearResult:
    year: int
    year_dir: Path
    results: list[JobResult]
    index_written: bool = False

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]

    def counts(self) -> dict[str, int]:
        out = {"ok": 0, "failed": 0, "skipped": 0}
        for r in self.results:
            out[r.status] += 1
        return out


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
) -> list[Job]:
    """Expand and validate the suite for one year. Raises ParameterError; starts nothing, writes nothing."""
    check_year(year, info)
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
            (r for r in info.regions.values() if r.level in spec.region_levels), key=lambda r: r.code
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


def kernel_warning() -> str:
    """A warning when the ``python3`` kernelspec would start another interpreter than this one.

    (A user-level ``~/.local/share/jupyter/kernels/python3`` pointing at a system Python shadows the
    environment's own spec; notebooks would then not find the ``analysis`` package.)
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        return f"未找到内核 {KERNEL_NAME} / kernelspec {KERNEL_NAME} not found; run: python -m ipykernel install --sys-prefix"
    exe = spec.argv[0] if spec.argv else ""
    if exe in ("python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"):
        return ""  # jupyter_client replaces these with sys.executable
    if Path(exe).resolve() != Path(sys.executable).resolve():
        return (
            f"内核 {KERNEL_NAME} 使用的解释器 {exe} 不是当前环境的 {sys.executable} / kernelspec "
            f"{spec.resource_dir} starts {exe}; reinstall with: {sys.executable} -m ipykernel install --sys-prefix"
        )
    return ""


class KernelRegistry:
    """Live kernel managers, so an interrupted run can stop its kernels at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kms: set = set()

    def add(self, km) -> None:
        with self._lock:
            self._kms.add(km)

    def discard(self, km) -> None:
        with self._lock:
            self._kms.discard(km)

    def kill_all(self) -> None:
        with self._lock:
            kms = list(self._kms)
        for km in kms:
            pid = getattr(getattr(km, "provisioner", None), "pid", None)
            if pid:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)


def kernel_manager_class(log_path: Path, registry: KernelRegistry):
    """An AsyncKernelManager that logs kernel stdout/stderr to a file and registers itself."""
    from jupyter_client.manager import AsyncKernelManager

    class ReportKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            log = open(log_path, "ab")  # noqa: SIM115 - closed in shutdown/cleanup below
            kw.setdefault("stdout", log)
            kw.setdefault("stderr", log)
            self._report_log = log
            registry.add(self)
            try:
                return await super().start_kernel(**kw)
            finally:
                log.close()  # the child keeps its own descriptor

        async def shutdown_kernel(self, *args, **kwargs):
            try:
                return await super().shutdown_kernel(*args, **kwargs)
            finally:
                registry.discard(self)

    return ReportKernelManager


def execute_job(job: Job, year_dir: Path, timeout: float, registry: KernelRegistry, cancel: threading.Event) -> Outcome:
    """Run one notebook into temp files (worker thread). Never raises for notebook problems."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from analysis.report.htmlexport import export_html

    start = time.perf_counter()
    final_nb = year_dir / job.notebook_rel
    final_html = year_dir / job.html_rel
    tmp_nb = temp_path_for(final_nb)
    tmp_html = temp_path_for(final_html)
    log_path = year_dir / ".cache" / "logs" / f"{job.id}.kernel.log"
    with contextlib.suppress(OSError):
        log_path.unlink()
    status, message, timed_out = "ok", "", None
    try:
        papermill.execute_notebook(
            str(job.input_path),
            str(tmp_nb),
            parameters=job.parameters,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            log_output=False,
            start_timeout=120,
            execution_timeout=timeout,
            kernel_manager_class=kernel_manager_class(log_path, registry),
            shutdown_kernel="immediate",
            # The kernel runs in the notebook's folder, as when an analyst opens it in JupyterLab.
            resources={"metadata": {"path": str(job.input_path.parent)}},
        )
    except PapermillExecutionError as err:
        status = "failed"
        message = f"第 {err.exec_count} 个单元出错 / cell {err.exec_count}: {err.ename}: {err.evalue}".strip()
    except CellTimeoutError:
        status, timed_out = "failed", float(timeout)
        message = f"单元运行超过 {timeout:g} 秒，已终止 / cell timed out after {timeout:g}s"
    except DeadKernelError:
        status = "failed"
        message = "内核意外退出 / kernel died" if not cancel.is_set() else "已中断 / interrupted"
    except AnalysisError as err:
        status, message = "failed", str(err)
    except Exception as err:  # noqa: BLE001 - isolate any papermill/nbclient failure to this job
        status, message = "failed", f"{type(err).__name__}: {err}"
    if cancel.is_set() or not tmp_nb.is_file():
        with contextlib.suppress(OSError):
            tmp_nb.unlink()
        return Outcome("failed", time.perf_counter() - start, message or "未生成笔记本 / no notebook written")
    warnings: list[str] = []
    try:
        result = export_html(tmp_nb, tmp_html, job.title, timeout=timed_out)
        warnings.extend(result.warnings)
        if result.too_large and status == "ok":
            status, message = "failed", result.warnings[-1]
    except AnalysisError as err:
        status, message = "failed", (message + "；" if message else "") + str(err)
        tmp_html = None
    except Exception as err:  # noqa: BLE001
        status, message = "failed", f"HTML 导出失败 / export failed: {type(err).__name__}: {err}"
        tmp_html = None
    return Outcome(status, time.perf_counter() - start, message, tmp_nb, tmp_html, warnings)


class ReportManager:
    """Owns the side effects of a year's run: timing, progress, status lines, saving, state, summary."""

    def __init__(self, year: int, year_dir: Path, state: BuildState, total: int, progress: bool, stream: TextIO):
        self.year = year
        self.year_dir = year_dir
        self.state = state
        self.stream = stream
        self.results: list[JobResult] = []
        self.started = time.perf_counter()
        self.verbose = progress
        self.bar = None
        if progress and total:
            from tqdm import tqdm

            # disable=None: no bar when stderr is not a terminal (cron, CI); status lines still go to stdout.
            self.bar = tqdm(total=total, desc=f"{year} 报告", unit="份", file=sys.stderr, leave=False, disable=None)

    def _line(self, text: str) -> None:
        if not self.verbose:
            return
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def _done(self, result: JobResult) -> JobResult:
        self.results.append(result)
        if self.bar is not None:
            self.bar.update(1)
        line = f"  {result.job.id:<32} {STATUS_ZH[result.status]} {result.status:<7} {result.seconds:7.1f}s"
        if result.message:
            line += f"  {result.message}"
        self._line(line)
        return result

    def skip(self, job: Job) -> JobResult:
        entry = self.state.jobs.get(job.id, {})
        return self._done(JobResult(job, "skipped", 0.0, warnings=list(entry.get("warnings", []))))

    def finish(self, job: Job, outcome: Outcome) -> JobResult:
        """Move temp outputs into place, then (success only) record the job in the state."""
        message = outcome.message
        status = outcome.status
        try:
            if outcome.tmp_notebook is not None:
                replace_file(outcome.tmp_notebook, self.year_dir / job.notebook_rel)
            if outcome.tmp_html is not None:
                replace_file(outcome.tmp_html, self.year_dir / job.html_rel)
        except OutputError as err:
            status, message = "failed", str(err)
        if status == "ok":
            self.state.record(
                job.id,
                {
                    "key": job.key,
                    "title": job.title,
                    "seconds": round(outcome.seconds, 3),
                    "finished": datetime.now().isoformat(timespec="seconds"),
                    "warnings": outcome.warnings,
                },
            )
        else:
            self.state.forget(job.id)
        self.state.save()
        return self._done(JobResult(job, status, outcome.seconds, message, outcome.warnings))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def summary(self) -> str:
        lines = [f"{self.year} 年报告汇总 / summary ({self.year_dir})"]
        lines.append(f"  {'笔记本 notebook':<34}{'状态 status':<16}{'秒 seconds':>10}")
        for r in sorted(self.results, key=lambda r: r.job.id):
            lines.append(f"  {r.job.id:<34}{STATUS_ZH[r.status] + ' ' + r.status:<16}{r.seconds:>10.1f}")
        counts = {s: sum(r.status == s for r in self.results) for s in STATUS_ZH}
        lines.append(
            f"  成功 ok {counts['ok']}，失败 failed {counts['failed']}，跳过 skipped {counts['skipped']}；"
            f"用时 {time.perf_counter() - self.started:.1f}s"
        )
        for r in self.results:
            if r.status == "failed":
                lines.append(f"  失败 / failed: {r.job.id}: {r.message} -> {self.year_dir / r.job.html_rel}")
            for w in r.warnings if r.status != "skipped" else []:
                lines.append(f"  警告 / warning: {r.job.id}: {w}")
        return "\n".join(lines)


def _run_parallel(jobs: list[Job], manager: ReportManager, n_workers: int, timeout: float) -> None:
    registry = KernelRegistry()
    cancel = threading.Event()
    pool = ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix="report")
    futures: dict[Future, Job] = {}
    try:
        for job in jobs:
            futures[pool.submit(execute_job, job, manager.year_dir, timeout, registry, cancel)] = job
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                manager.finish(futures[fut], fut.result())
    except BaseException:
        # Interrupted (Ctrl-C) or an output error: stop kernels so the threads end promptly.
        cancel.set()
        for fut in futures:
            fut.cancel()
        registry.kill_all()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


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


def _write_index(year: int, year_dir: Path, jobs: list[Job], manager: ReportManager, info: DataInfo, force: bool):
    """Render index.html unless no report was rebuilt and nothing it shows changed (fast no-change re-run)."""
    from analysis.report.index_page import render_index, write_index

    entries = _index_entries(jobs, {r.job.id: r for r in manager.results}, manager.state, year_dir)
    quality_href = next((e.href for e in entries if e.job_id.startswith("01_quality")), "")
    payload = json.dumps(
        [[e.job_id, e.title, e.href, e.status, e.group, e.label] for e in entries]
        + [info.quality_counts, info.is_sample, year, __version__, quality_href],
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
) -> YearResult:
    """Build ``outputs/<year>/``: validate, lock, run stale notebooks in parallel, export, index.

    ``parameters`` are raw ``-p NAME=VALUE`` strings, validated against the notebooks. Returns a
    :class:`YearResult`; raises :class:`ParameterError` (before any kernel starts),
    :class:`OutputError`, or :class:`AlreadyRunningError`. Failed notebooks do not raise: see
    ``YearResult.failed``.
    """
    stream = stream or sys.stdout
    if timeout is None or timeout <= 0:
        raise ParameterError("--timeout 应为正数（秒）", "--timeout must be a positive number of seconds")
    if jobs is not None and jobs < 1:
        raise ParameterError("--jobs 应为正整数", "--jobs must be a positive integer")
    info = data_info or load_data_info(processed_dir)
    suite = load_suite(notebooks_dir)
    year_dir = Path(outputs_dir).resolve() / str(int(year))
    extra = dict(parameters or {})

    # 1. Validate everything with a read-only view of the state: no kernel, no writes.
    state = BuildState.load(year_dir / ".cache" / "state.json")
    planned = plan_jobs(year, suite, info, year_dir, extra, state)
    inspected = dict(state.notebooks)

    # 2. Lock the year's folder; from here on we write.
    ensure_dir(year_dir)

    def on_wait(lock: OutputLock) -> None:
        print(
            f"另一个进程正在生成 {year_dir}，等待其完成… / another run holds {lock.path}, waiting",
            file=stream,
            flush=True,
        )

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
        manager = ReportManager(year, year_dir, state, len(selected), progress, stream)
        try:
            for job in selected:
                if job.id not in run_ids:
                    manager.skip(job)
            if to_run:
                warning = kernel_warning()
                if warning:
                    print(f"警告 / warning: {warning}", file=stream, flush=True)
                n_workers = max(1, min(jobs or os.cpu_count() or 1, len(to_run)))
                _run_parallel(to_run, manager, n_workers, timeout)
        finally:
            manager.close()
        state.save()
        written = _write_index(year, year_dir, planned, manager, info, force)
        if progress:
            print(manager.summary(), file=stream, flush=True)
    return YearResult(year, year_dir, manager.results, written)


def run_report_cli(args) -> int:
    """``enforcement report``: one or several years; raises ExecutionError when any notebook failed."""
    # Failures are reported in our summary; papermill/nbclient/asyncio log lines would only be noise.
    for name in ("papermill", "nbclient", "traitlets", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
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
    for year in years:
        result = run_report(
            year,
            processed_dir=args.processed,
            notebooks_dir=notebooks,
            outputs_dir=args.outputs,
            jobs=args.jobs,
            force=args.force,
            timeout=args.timeout,
            parameters=extra,
            progress=not quiet,
            data_info=info,
            lock_timeout=getattr(args, "lock_timeout", None),
        )
        results.append(result)
        if quiet:
            c = result.counts()
            print(f"{year}: 成功 ok {c['ok']}，失败 failed {c['failed']}，跳过 skipped {c['skipped']} -> {result.year_dir}")
    failed = [f"{r.year}/{f.job.id}" for r in results for f in r.failed]
    if failed:
        raise ExecutionError(
            f"{len(failed)} 份报告未能完整生成（已保存出错位置）：{', '.join(failed[:5])}",
            f"{len(failed)} notebook(s) failed; partial outputs saved",
        )
    return 0
