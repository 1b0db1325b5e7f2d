"""Run one notebook into temp files: papermill in a fresh kernel, then the HTML export.

This is the unit of work every executor performs (in a host thread, or on a remote worker). It
never raises for a notebook's problems; it returns an :class:`~analysis.report.jobs.Outcome`
that tells a notebook's own error (never retried) from an infrastructure failure (the kernel did
not start, or died from outside: ``Outcome.infrastructure``, retried by the manager).

Kernel: ``kernel_name="python3"``. jupyter_client resolves it to the kernelspec of the running
environment (``.venv/share/jupyter/kernels/python3``, whose ``argv[0]`` ``python`` is replaced by
``sys.executable``), so notebooks import the same ``analysis`` package as the runner.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from analysis.atomic import temp_path_for
from analysis.errors import AnalysisError
from analysis.report.jobs import Job, Outcome

KERNEL_NAME = "python3"
START_TIMEOUT = 120


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


class KernelLaunch:
    """Filled in by the kernel manager: how this job's kernel was started (``forked``/``spawned``)."""

    def __init__(self) -> None:
        self.kind = ""


ProvisionerFactory = Callable[[object], object]  # kernel manager -> provisioner (or None: the default)


def kernel_manager_class(
    log_path: Path,
    registry: KernelRegistry,
    provisioner_factory: ProvisionerFactory | None = None,
    launch: KernelLaunch | None = None,
):
    """An AsyncKernelManager that logs kernel stdout/stderr to a file and registers itself.

    ``provisioner_factory`` lets an executor choose how the kernel process comes to be (the forked
    executor asks its warm template to fork it); without one, jupyter_client starts a process.
    """
    from jupyter_client.manager import AsyncKernelManager

    class ReportKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            if provisioner_factory is not None and self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
                provisioner = provisioner_factory(self)
                if provisioner is not None:
                    self.provisioner = provisioner  # jupyter_client keeps a provisioner that is already set
            log = open(log_path, "ab")  # noqa: SIM115 - closed in the finally below
            kw.setdefault("stdout", log)
            kw.setdefault("stderr", log)
            registry.add(self)
            try:
                return await super().start_kernel(**kw)
            finally:
                log.close()  # the child keeps its own descriptor
                if launch is not None:
                    launch.kind = "forked" if getattr(self.provisioner, "forked", False) else "spawned"

        async def shutdown_kernel(self, *args, **kwargs):
            try:
                return await super().shutdown_kernel(*args, **kwargs)
            finally:
                registry.discard(self)

    return ReportKernelManager


def _is_infrastructure(err: BaseException) -> bool:
    """The kernel did not start or its connection broke: not the notebook's fault."""
    import zmq

    return isinstance(err, (RuntimeError, TimeoutError, ConnectionError, zmq.ZMQError))


def execute_job(
    job: Job,
    year_dir: Path,
    timeout: float,
    registry: KernelRegistry,
    cancel: threading.Event,
    provisioner_factory: ProvisionerFactory | None = None,
) -> Outcome:
    """Run one notebook into temp files beside its final paths. Never raises for notebook problems."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from analysis.report.htmlexport import export_html

    start = time.perf_counter()
    tmp_nb = temp_path_for(year_dir / job.notebook_rel)
    tmp_html = temp_path_for(year_dir / job.html_rel)
    log_path = year_dir / ".cache" / "logs" / f"{job.id}.kernel.log"
    with contextlib.suppress(OSError):
        log_path.unlink()
    launch = KernelLaunch()
    status, message, timed_out, infra = "ok", "", None, False
    try:
        papermill.execute_notebook(
            str(job.input_path),
            str(tmp_nb),
            parameters=job.parameters,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            log_output=False,
            start_timeout=START_TIMEOUT,
            execution_timeout=timeout,
            kernel_manager_class=kernel_manager_class(log_path, registry, provisioner_factory, launch),
            shutdown_kernel="immediate",
            # The kernel runs in the notebook's folder, as when an analyst opens it in JupyterLab.
            resources={"metadata": {"path": str(job.input_path.parent)}},
        )
    except PapermillExecutionError as err:  # the notebook's own error: never retried
        status = "failed"
        message = f"第 {err.exec_count} 个单元出错 / cell {err.exec_count}: {err.ename}: {err.evalue}".strip()
    except CellTimeoutError:  # the notebook ran too long: never retried
        status, timed_out = "failed", float(timeout)
        message = f"单元运行超过 {timeout:g} 秒，已终止 / cell timed out after {timeout:g}s"
    except DeadKernelError:
        status, infra = "failed", not cancel.is_set()
        message = "内核意外退出 / kernel died" if infra else "已中断 / interrupted"
    except AnalysisError as err:
        status, message = "failed", str(err)
    except Exception as err:  # noqa: BLE001 - isolate any papermill/nbclient failure to this job
        status, infra = "failed", _is_infrastructure(err) and not cancel.is_set()
        prefix = "内核启动或连接失败 / kernel start or connection failed: " if infra else ""
        message = f"{prefix}{type(err).__name__}: {err}"
    if cancel.is_set() or not tmp_nb.is_file():
        with contextlib.suppress(OSError):
            tmp_nb.unlink()
        message = message or "未生成笔记本 / no notebook written"
        return Outcome("failed", time.perf_counter() - start, message, infrastructure=infra, kernel=launch.kind)
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
    # A dead kernel's partial notebook is exported too: the manager keeps it if no retry is left.
    return Outcome(status, time.perf_counter() - start, message, tmp_nb, tmp_html, warnings, infra, launch.kind)
