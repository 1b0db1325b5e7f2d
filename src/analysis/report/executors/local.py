"""The ``local`` executor: a thread pool in the host; each notebook runs in an ordinarily started kernel."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from analysis.report.executors import Executor
from analysis.report.executors.notebook import KernelRegistry, ProvisionerFactory, execute_job
from analysis.report.jobs import Job, Outcome


class LocalExecutor(Executor):
    """Up to ``workers`` notebooks at once, one kernel process each (papermill in a host thread)."""

    name = "local"

    def __init__(self, workers: int, timeout: float, log_dir: Path) -> None:
        super().__init__(workers, timeout, log_dir)
        self.registry = KernelRegistry()
        self.cancelled = threading.Event()
        self._pool: ThreadPoolExecutor | None = None

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="report")

    def provisioner_factory(self) -> ProvisionerFactory | None:
        """How kernels are started; ``None`` is jupyter_client's own (a new process)."""
        return None

    def submit(self, job: Job, year_dir: Path) -> Future[Outcome]:
        if self._pool is None:
            self.start()
        return self._pool.submit(
            execute_job, job, year_dir, self.timeout, self.registry, self.cancelled, self.provisioner_factory()
        )

    def cancel(self) -> None:
        self.cancelled.set()
        self.registry.kill_all()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
