"""What the report runner passes around: a planned job, what executing it produced, and the results.

:class:`Job` and :class:`Outcome` cross the executor boundary (:mod:`analysis.report.executors`),
so both are plain picklable dataclasses: a distributed executor ships a job to a worker and an
outcome back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.report.params import ReportRegion
from analysis.report.suite import NotebookSpec

STATUS_ZH = {"ok": "成功", "failed": "失败", "skipped": "跳过"}


@dataclass
class Job:
    id: str
    spec: NotebookSpec
    input_path: Path
    title: str
    parameters: dict[str, Any]
    key: str
    region: ReportRegion | None = None
    selected: bool = True  # False: another region than the one asked for with -p region=...

    @property
    def html_rel(self) -> str:
        return f"html/{self.id}.html"

    @property
    def notebook_rel(self) -> str:
        return f"notebooks/{self.id}.ipynb"


@dataclass
class Outcome:
    """What one attempt at a job produced: temp files to move into place, and how it went.

    ``infrastructure`` marks a failure of the machinery, not of the notebook (the kernel did not
    start, or died from outside); the manager may retry such an attempt in a fresh kernel. A
    notebook's own error or time-out is never marked so and never retried.
    """

    status: str  # ok | failed
    seconds: float
    message: str = ""
    tmp_notebook: Path | None = None
    tmp_html: Path | None = None
    warnings: list[str] = field(default_factory=list)
    infrastructure: bool = False
    kernel: str = ""  # how the kernel was started: "forked" (warm template) or "spawned"


@dataclass
class JobResult:
    job: Job
    status: str  # ok | failed | skipped
    seconds: float
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    retries: list[str] = field(default_factory=list)  # infrastructure failures retried before this result


@dataclass
class YearResult:
    year: int
    year_dir: Path
    results: list[JobResult]
    index_written: bool = False
    executor: str = ""

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def retries(self) -> dict[str, list[str]]:
        return {r.job.id: r.retries for r in self.results if r.retries}

    def counts(self) -> dict[str, int]:
        out = {"ok": 0, "failed": 0, "skipped": 0}
        for r in self.results:
            out[r.status] += 1
        return out
