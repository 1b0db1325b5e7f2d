"""Executors: how the report runner's notebooks get run (papermill's registry idea).

An executor runs :class:`~analysis.report.jobs.Job` s and hands back
:class:`~analysis.report.jobs.Outcome` s. It owns *where and how* a notebook runs (threads on this
machine, a warm kernel template, a cluster), never *what happens around it*: the
:class:`~analysis.report.manager.ReportManager` owns the cache, the lock, the build state, the
index page, retries and moving temp files into place, identically for every executor.

The interface (:class:`Executor`), which a distributed executor implements too:

- ``Executor(workers, timeout, log_dir)``: at most ``workers`` notebooks at once, ``timeout``
  seconds per cell, the host's log folder (``outputs/<year>/.cache/logs``);
- ``available() -> str`` (class method): ``""`` when usable here, else the reason;
- ``start()`` / ``close()`` (also as a context manager);
- ``submit(job, year_dir) -> Future[Outcome]``: run one notebook in a fresh kernel; the outcome's
  temp files (``.tmp-*`` beside the final paths under ``year_dir``) exist on the host when the
  future resolves; a notebook's problem is an outcome, not an exception;
- ``cancel()``: stop every running kernel now (Ctrl-C, an output error);
- ``warnings``: messages for the run summary (e.g. warm kernels unavailable, fell back).

Registered executors: ``local`` (a thread pool, each notebook in an ordinarily started kernel) and
``forked`` (the same pool, kernels forked from a warm template), ``dask`` (one task per notebook on a
Dask cluster, :mod:`analysis.report.executors.dask`). Others register with
:func:`register_executor` or an ``analysis.report.executors`` entry point (``name = "pkg.mod:Class"``).
"""

from __future__ import annotations

import importlib
from concurrent.futures import Future
from pathlib import Path
from typing import ClassVar

from analysis.errors import ParameterError
from analysis.report.jobs import Job, Outcome

ENTRY_POINT_GROUP = "analysis.report.executors"
_REGISTRY: dict[str, type | str] = {
    "local": "analysis.report.executors.local:LocalExecutor",
    "forked": "analysis.report.executors.forked:ForkedExecutor",
    "dask": "analysis.report.executors.dask:DaskExecutor",
}


class Executor:
    """Base class and interface of an executor (see the module docstring)."""

    name: ClassVar[str] = ""

    def __init__(self, workers: int, timeout: float, log_dir: Path) -> None:
        self.workers = workers
        self.timeout = timeout
        self.log_dir = Path(log_dir)
        self.warnings: list[str] = []

    @classmethod
    def available(cls) -> str:
        return ""

    def start(self) -> None:  # pragma: no cover - trivial default
        pass

    def submit(self, job: Job, year_dir: Path) -> Future[Outcome]:
        raise NotImplementedError

    def cancel(self) -> None:  # pragma: no cover - trivial default
        pass

    def close(self) -> None:  # pragma: no cover - trivial default
        pass

    def __enter__(self) -> Executor:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def register_executor(name: str, target: type | str) -> None:
    """Register an executor class (or a lazy ``"module:Class"`` path) under ``name``."""
    _REGISTRY[name] = target


def _entry_points() -> dict[str, str]:
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def executor_names() -> list[str]:
    return sorted({*_REGISTRY, *_entry_points()})


def executor_class(name: str) -> type[Executor]:
    """The executor registered as ``name``; an unknown name is a :class:`ParameterError`."""
    target = _REGISTRY.get(name) or _entry_points().get(name)
    if target is None:
        known = ", ".join(executor_names())
        raise ParameterError(f"未知执行器：{name}（可用：{known}）", f"unknown executor {name!r}; known: {known}")
    if isinstance(target, str):
        module, _, attr = target.partition(":")
        target = getattr(importlib.import_module(module), attr)
        _REGISTRY[name] = target
    return target


def default_executor() -> str:
    """``forked`` where warm kernels work (POSIX with ``fork``), else ``local``."""
    return "forked" if not executor_class("forked").available() else "local"


def resolve_executor(name: str | None) -> type[Executor]:
    """The class for ``name`` (``None``: :func:`default_executor`); unusable here is a ParameterError."""
    cls = executor_class(name or default_executor())
    reason = cls.available()
    if reason:
        raise ParameterError(f"执行器 {name} 在此不可用：{reason}", f"executor {name!r} unavailable here: {reason}")
    return cls
