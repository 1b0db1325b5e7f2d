"""The ``dask`` executor: each notebook is one task on a Dask distributed cluster.

``DaskExecutor(workers, timeout, log_dir, scheduler="tcp://HOST:PORT")`` connects to an existing
cluster (workers started with ``dask worker``); without an address it starts a
:class:`distributed.LocalCluster` on this machine (``workers`` processes, one thread each, loopback
only, no dashboard).

The task (:func:`run_on_worker`) runs the very function the local executors run
(:func:`~analysis.report.executors.notebook.execute_job`: papermill in a fresh kernel, then the
HTML export), so results are identical. Kernels are forked from a warm template, one per worker
process (the ``forked`` executor's machinery, reused; ``ENFORCEMENT_DASK_WARM=0`` or no ``fork``:
ordinary kernel start). It then reads what the notebook produced
— the executed notebook and HTML temp files, the kernel log, and every file under ``figures/`` and
``tables/`` that changed while it ran — and returns their bytes. The host writes them back under
its own ``year_dir``: the notebook and HTML as the ``.tmp-*`` files the
:class:`~analysis.report.manager.ReportManager` then moves into place (cache, build state and
summary unchanged), figures and tables atomically to their final names. This needs no shared
filesystem; on a shared one (or this machine) the worker's files are simply rewritten with the same
bytes. ``transfer="shared"`` (``ENFORCEMENT_DASK_TRANSFER=shared``) skips the copy when every
worker writes to the host's folder through a shared mount.

Workers need the project installed (same ``analysis`` version) and the processed data readable at
the same path as on the host; the notebook itself is shipped with the task when its path does not
exist on the worker.

Failures: a notebook's error or time-out is an :class:`Outcome` as in a local run. A worker lost
mid-task is handled by the scheduler, which reruns the task on another worker (up to
``distributed.scheduler.allowed-failures`` times); an exception inside the task is retried
``TASK_RETRIES`` times by ``Client.submit(retries=…)``; what still fails comes back as an
infrastructure :class:`Outcome` with the reason, which the manager retries or reports. The
previous outputs are only ever replaced by the manager's atomic moves of a finished attempt.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
import uuid
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path

from analysis.atomic import temp_path_for
from analysis.report.executors import Executor
from analysis.report.jobs import Job, Outcome

TASK_RETRIES = 1
"""distributed's own retries of a task that raised (not of a notebook's error, which is an outcome)."""
TRANSFER_ENV = "ENFORCEMENT_DASK_TRANSFER"
WARM_ENV = "ENFORCEMENT_DASK_WARM"  # "0": ordinary kernel start on the workers
OUTPUT_SUBDIRS = ("figures", "tables")
CONNECT_TIMEOUT = "60s"

# --- on the worker -------------------------------------------------------------------------------

_RUNS: dict[str, tuple] = {}  # run id -> (KernelRegistry, cancel Event), per worker process
_RUNS_LOCK = threading.Lock()
_WARM: list = []  # this worker process's ForkedExecutor (its warm template), started on first use


def _warm_factory():
    """Kernels forked from one warm template per worker process (the ``forked`` executor's, reused).

    The template lives as long as the worker process (it exits when the worker does, and its kernels
    with it); where fork is unavailable, ``None``: kernels start the ordinary way.
    """
    from analysis.report.executors.forked import ForkedExecutor, TemplateClient

    if ForkedExecutor.available():
        return None
    with _RUNS_LOCK:
        if not _WARM:
            log_dir = Path(tempfile.gettempdir())
            executor = ForkedExecutor(1, 0, log_dir)
            executor.template = TemplateClient(log_dir / f"enforcement-template-{os.getpid()}.log")
            executor.template.start()
            _WARM.append(executor)
        return _WARM[0].provisioner_factory()


def _run_state(run_id: str):
    from analysis.report.executors.notebook import KernelRegistry

    with _RUNS_LOCK:
        if run_id not in _RUNS:
            _RUNS[run_id] = (KernelRegistry(), threading.Event())
        return _RUNS[run_id]


def cancel_on_worker(run_id: str) -> None:
    """Stop this run's kernels on this worker (``Client.run``)."""
    registry, cancelled = _run_state(run_id)
    cancelled.set()
    registry.kill_all()


def _snapshot(year_dir: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for sub in OUTPUT_SUBDIRS:
        folder = year_dir / sub
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith(".tmp-"):
                st = path.stat()
                out[path.relative_to(year_dir).as_posix()] = (st.st_mtime_ns, st.st_size)
    return out


def _read_and_remove(path: Path | None) -> bytes | None:
    if path is None or not Path(path).is_file():
        return None
    data = Path(path).read_bytes()
    with contextlib.suppress(OSError):
        Path(path).unlink()
    return data


def run_on_worker(
    job: Job, notebook: bytes, year_dir: str, timeout: float, run_id: str, transfer: str, warm: bool = False
) -> dict:
    """The task: run one notebook here, return its outcome and (``transfer="bytes"``) its files' bytes."""
    from analysis.report.executors.notebook import execute_job

    ydir = Path(year_dir)
    (ydir / ".cache" / "logs").mkdir(parents=True, exist_ok=True)
    for sub in ("html", "notebooks", *OUTPUT_SUBDIRS):
        (ydir / sub).mkdir(parents=True, exist_ok=True)
    scratch = None
    if not job.input_path.is_file():  # no shared checkout: run the shipped copy
        scratch = Path(tempfile.mkdtemp(prefix="enforcement-nb-"))
        (scratch / job.input_path.name).write_bytes(notebook)
        job = replace(job, input_path=scratch / job.input_path.name)
    registry, cancelled = _run_state(run_id)
    before = _snapshot(ydir) if transfer == "bytes" else {}
    outcome = execute_job(job, ydir, timeout, registry, cancelled, _warm_factory() if warm else None)
    result: dict = {"outcome": outcome, "files": {}, "worker_pid": os.getpid()}
    if transfer == "bytes":
        result["notebook"] = _read_and_remove(outcome.tmp_notebook)
        result["html"] = _read_and_remove(outcome.tmp_html)
        log = ydir / ".cache" / "logs" / f"{job.id}.kernel.log"
        result["log"] = log.read_bytes() if log.is_file() else None
        after = _snapshot(ydir)
        for rel, sig in after.items():
            if before.get(rel) != sig:
                with contextlib.suppress(OSError):
                    result["files"][rel] = (ydir / rel).read_bytes()
    if scratch is not None:
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)
    return result


# --- on the host ---------------------------------------------------------------------------------


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` unless it already holds exactly that (same filesystem as the worker)."""
    with contextlib.suppress(OSError):
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(path)
    tmp.write_bytes(data)
    os.replace(tmp, path)


def land_result(job: Job, year_dir: Path, result: dict) -> Outcome:
    """Write a task's returned bytes under the host's ``year_dir``; the outcome points at host temp files."""
    outcome: Outcome = result["outcome"]
    if "notebook" not in result:  # transfer="shared": the worker wrote the temp files here already
        return outcome
    for rel, data in result["files"].items():
        _write_atomic(year_dir / rel, data)
    if result.get("log") is not None:
        _write_atomic(year_dir / ".cache" / "logs" / f"{job.id}.kernel.log", result["log"])
    tmp_nb = tmp_html = None
    if result["notebook"] is not None:
        tmp_nb = temp_path_for(year_dir / job.notebook_rel)
        tmp_nb.parent.mkdir(parents=True, exist_ok=True)
        tmp_nb.write_bytes(result["notebook"])
    if result["html"] is not None:
        tmp_html = temp_path_for(year_dir / job.html_rel)
        tmp_html.parent.mkdir(parents=True, exist_ok=True)
        tmp_html.write_bytes(result["html"])
    return replace(outcome, tmp_notebook=tmp_nb, tmp_html=tmp_html)


class DaskExecutor(Executor):
    """Notebooks as tasks on a Dask cluster (an existing one at ``scheduler``, else a LocalCluster)."""

    name = "dask"

    def __init__(
        self,
        workers: int,
        timeout: float,
        log_dir: Path,
        scheduler: str | None = None,
        transfer: str | None = None,
        warm: bool | None = None,
    ) -> None:
        super().__init__(workers, timeout, log_dir)
        self.scheduler = scheduler
        self.warm = os.environ.get(WARM_ENV, "1") != "0" if warm is None else warm
        self.transfer = transfer or os.environ.get(TRANSFER_ENV, "") or "bytes"
        if self.transfer not in ("bytes", "shared"):
            from analysis.errors import ParameterError

            raise ParameterError(
                f"{TRANSFER_ENV} 应为 bytes 或 shared：{self.transfer!r}", f"{TRANSFER_ENV} must be bytes or shared"
            )
        self.run_id = uuid.uuid4().hex
        self.client = None
        self.cluster = None
        self._futures: set = set()
        self._lock = threading.Lock()

    @classmethod
    def available(cls) -> str:
        try:
            import distributed  # noqa: F401
        except ImportError:
            return "the `distributed` package is not installed (pip install distributed)"
        return ""

    def start(self) -> None:
        if self.client is not None:
            return
        from distributed import Client, LocalCluster

        if self.scheduler:
            self.client = Client(self.scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        else:
            self.cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster, set_as_default=False)

    def submit(self, job: Job, year_dir: Path) -> Future[Outcome]:
        if self.client is None:
            self.start()
        year_dir = Path(year_dir)
        out: Future[Outcome] = Future()
        out.set_running_or_notify_cancel()
        try:
            notebook = Path(job.input_path).read_bytes()
        except OSError as err:
            out.set_result(Outcome("failed", 0.0, f"无法读取笔记本 / cannot read notebook: {err}"))
            return out
        fut = self.client.submit(
            run_on_worker,
            job,
            notebook,
            str(year_dir),
            self.timeout,
            self.run_id,
            self.transfer,
            self.warm,
            key=f"notebook-{job.id}-{uuid.uuid4().hex[:8]}",
            retries=TASK_RETRIES,
            pure=False,
        )
        with self._lock:
            self._futures.add(fut)

        def done(f) -> None:
            with self._lock:
                self._futures.discard(f)
            try:
                outcome = land_result(job, year_dir, f.result())
            except BaseException as err:  # noqa: BLE001 - worker lost for good, cancelled, transfer failed
                reason = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
                outcome = Outcome("failed", 0.0, f"集群任务失败 / cluster task failed: {reason}", infrastructure=True)
            if not out.done():
                out.set_result(outcome)

        fut.add_done_callback(done)
        return out

    def cancel(self) -> None:
        if self.client is None:
            return
        with self._lock:
            futures = list(self._futures)
        with contextlib.suppress(Exception):
            self.client.cancel(futures)
        with contextlib.suppress(Exception):
            self.client.run(cancel_on_worker, self.run_id)

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close()
            self.client = None
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()
            self.cluster = None
