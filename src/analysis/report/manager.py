"""The side effects of a year's run, owned in one place whatever executor runs the notebooks.

:class:`ReportManager` times the run, draws the progress bar and status lines, moves an attempt's
temp files into place, records a job in the build state only once its outputs are in place,
decides and records infrastructure retries, and writes the summary. Executors never touch any of it.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from analysis.atomic import replace_file
from analysis.errors import OutputError
from analysis.report.build_state import BuildState
from analysis.report.jobs import STATUS_ZH, Job, JobResult, Outcome

DEFAULT_RETRIES = 1
"""Fresh-kernel attempts after an infrastructure failure (kernel did not start, or died from outside)."""


class ReportManager:
    """Owns the side effects of a year's run: timing, progress, status lines, saving, state, retries, summary."""

    def __init__(
        self,
        year: int,
        year_dir: Path,
        state: BuildState,
        total: int,
        progress: bool,
        stream: TextIO,
        retries: int = DEFAULT_RETRIES,
        on_html: Callable[[Path], None] | None = None,
    ):
        self.year = year
        self.on_html = on_html  # told of each report page once it is in place (the PDF printer)
        self.year_dir = year_dir
        self.state = state
        self.stream = stream
        self.max_retries = retries
        self.results: list[JobResult] = []
        self.retries: dict[str, list[str]] = {}
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

    def should_retry(self, job: Job, outcome: Outcome) -> bool:
        """An infrastructure failure with attempts left: record it, drop its temp files, say "retry"."""
        if not outcome.infrastructure or len(self.retries.get(job.id, [])) >= self.max_retries:
            return False
        self.retries.setdefault(job.id, []).append(outcome.message)
        for tmp in (outcome.tmp_notebook, outcome.tmp_html):
            if tmp is not None:
                with contextlib.suppress(OSError):
                    Path(tmp).unlink()
        self._line(f"  {job.id:<32} 重试 retry   {outcome.message}（在新内核中重新运行 / rerun in a fresh kernel）")
        return True

    def finish(self, job: Job, outcome: Outcome) -> JobResult:
        """Move temp outputs into place, then (success only) record the job in the state."""
        message = outcome.message
        status = outcome.status
        retries = list(self.retries.get(job.id, []))
        if outcome.infrastructure and retries:
            message += f"（已重试 {len(retries)} 次 / after {len(retries)} retr{'y' if len(retries) == 1 else 'ies'}）"
        try:
            if outcome.tmp_notebook is not None:
                replace_file(outcome.tmp_notebook, self.year_dir / job.notebook_rel)
            if outcome.tmp_html is not None:
                replace_file(outcome.tmp_html, self.year_dir / job.html_rel)
                if self.on_html is not None:
                    self.on_html(self.year_dir / job.html_rel)
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
                    "kernel": outcome.kernel,
                    "retries": retries,
                },
            )
        else:
            self.state.forget(job.id)
        self.state.save()
        return self._done(JobResult(job, status, outcome.seconds, message, outcome.warnings, retries))

    def record_run(self, executor: str, warnings: list[str]) -> None:
        """The run summary in the state: executor, infrastructure retries (apart from notebook errors)."""
        self.state.extra["last_run"] = {
            "executor": executor,
            "finished": datetime.now().isoformat(timespec="seconds"),
            "retries": {k: v for k, v in self.retries.items() if v},
            "failed": {r.job.id: r.message for r in self.results if r.status == "failed"},
            "warnings": list(warnings),
        }
        self.state.save()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def summary(self, executor: str = "", warnings: list[str] | None = None) -> str:
        lines = [f"{self.year} 年报告汇总 / summary ({self.year_dir})"]
        if executor:
            lines[0] += f"  执行器 executor: {executor}"
        lines.append(f"  {'笔记本 notebook':<34}{'状态 status':<16}{'秒 seconds':>10}")
        for r in sorted(self.results, key=lambda r: r.job.id):
            lines.append(f"  {r.job.id:<34}{STATUS_ZH[r.status] + ' ' + r.status:<16}{r.seconds:>10.1f}")
        counts = {s: sum(r.status == s for r in self.results) for s in STATUS_ZH}
        n_retries = sum(len(v) for v in self.retries.values())
        lines.append(
            f"  成功 ok {counts['ok']}，失败 failed {counts['failed']}，跳过 skipped {counts['skipped']}；"
            f"重试 retries {n_retries}；用时 {time.perf_counter() - self.started:.1f}s"
        )
        for r in self.results:
            if r.status == "failed":
                lines.append(f"  失败 / failed: {r.job.id}: {r.message} -> {self.year_dir / r.job.html_rel}")
            for reason in r.retries:
                lines.append(f"  重试 / retried (infrastructure): {r.job.id}: {reason}")
            for w in r.warnings if r.status != "skipped" else []:
                lines.append(f"  警告 / warning: {r.job.id}: {w}")
        for w in warnings or []:
            lines.append(f"  警告 / warning: {w}")
        return "\n".join(lines)
