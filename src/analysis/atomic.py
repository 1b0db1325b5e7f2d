"""Atomic writes and the per-year output lock.

Every file the report runner publishes goes through here: it is written to a hidden temp
file in the *same* directory and moved into place with ``os.replace`` (atomic on POSIX and
Windows for files on one file system), so a reader sees either the previous complete file or
the new complete file, never a half-written one. Temp files are named ``.tmp-<pid>-<token>-<name>``;
a run killed midway leaves only such files behind, and the next run removes them under the lock.

OS failures (read-only folder, disk full, permission denied) become :class:`OutputError` with a
bilingual message naming the path.

Notebooks can use :func:`atomic_path` for the figures and tables they write::

    with atomic_path(Path(output_dir) / "figures" / "cases.png") as tmp:
        fig.savefig(tmp)
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

from analysis.errors import AlreadyRunningError, OutputError

TEMP_PREFIX = ".tmp-"
LOCK_NAME = "run.lock"


def output_error(err: OSError, path: Path | str, action: str = "写入") -> OutputError:
    """Translate an ``OSError`` into a bilingual :class:`OutputError` naming ``path``."""
    code = getattr(err, "errno", None)
    if code == errno.ENOSPC:
        return OutputError(f"磁盘空间不足，无法{action} {path}，请清理磁盘后重试", f"disk full while writing {path}")
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(
            f"没有写入权限：{path}，请检查输出目录权限或用 --outputs 指定其他目录",
            f"permission denied / read-only: {path}",
        )
    detail = err.strerror or str(err)
    return OutputError(f"无法{action} {path}：{detail}", f"cannot write {path}: {detail}")


def temp_path_for(dest: Path | str) -> Path:
    """A unique hidden temp path beside ``dest`` that keeps its suffix (papermill wants ``.ipynb``)."""
    dest = Path(dest)
    return dest.with_name(f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{dest.name}")


def ensure_dir(path: Path | str) -> Path:
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise output_error(err, path, "创建目录") from None
    return path


def _fsync_dir(directory: Path) -> None:
    if sys.platform.startswith("win"):  # pragma: no cover - directories cannot be fsynced there
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def replace_file(tmp: Path | str, dest: Path | str) -> None:
    """Move a finished temp file into place (``os.replace``); failures become ``OutputError``."""
    tmp, dest = Path(tmp), Path(dest)
    try:
        os.replace(tmp, dest)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise output_error(err, dest) from None
    _fsync_dir(dest.parent)


def atomic_write_bytes(dest: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``dest`` atomically (temp file in the same directory, fsync, ``os.replace``)."""
    dest = Path(dest)
    ensure_dir(dest.parent)
    tmp = temp_path_for(dest)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise output_error(err, dest) from None
    replace_file(tmp, dest)
    return dest


def atomic_write_text(dest: Path | str, text: str, encoding: str = "utf-8") -> Path:
    return atomic_write_bytes(dest, text.encode(encoding))


@contextlib.contextmanager
def atomic_path(dest: Path | str) -> Iterator[Path]:
    """Yield a temp path beside ``dest``; on a clean exit move it into place, else delete it."""
    dest = Path(dest)
    ensure_dir(dest.parent)
    tmp = temp_path_for(dest)
    try:
        yield tmp
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if not tmp.exists():
        raise OutputError(f"未生成文件：{dest}", f"nothing was written to {dest}")
    replace_file(tmp, dest)


def remove_stale_temps(root: Path | str) -> int:
    """Delete ``.tmp-*`` files under ``root`` left by a killed run. Call only while holding the lock."""
    root = Path(root)
    removed = 0
    if not root.is_dir():
        return 0
    for path in root.rglob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            if path.is_file():
                path.unlink()
                removed += 1
    return removed


class OutputLock:
    """One report run per ``outputs/<year>/`` at a time (``filelock``; released by the OS if the process dies).

    A second run *waits* for the first one (it then usually finds everything up to date in the
    cache and finishes in seconds). ``timeout`` bounds the wait: ``0`` fails at once, a negative
    value waits forever. When the wait times out, :class:`AlreadyRunningError` is raised.
    """

    def __init__(self, year_dir: Path | str, timeout: float = 3600.0, on_wait=None) -> None:
        self.year_dir = Path(year_dir)
        self.path = self.year_dir / ".cache" / LOCK_NAME
        self.timeout = timeout
        self.on_wait = on_wait
        self._lock = None

    def __enter__(self) -> OutputLock:
        from filelock import FileLock, Timeout

        ensure_dir(self.path.parent)
        try:
            self._lock = FileLock(str(self.path))
        except OSError as err:  # pragma: no cover - FileLock is lazy, kept for safety
            raise output_error(err, self.path) from None
        try:
            self._lock.acquire(timeout=0)
            return self
        except Timeout:
            pass
        except OSError as err:
            raise output_error(err, self.path) from None
        if self.timeout == 0:
            raise AlreadyRunningError(
                f"{self.year_dir} 的报告正在由另一个进程生成，请等待其完成后再运行",
                f"another report run is already writing {self.year_dir}",
            )
        if self.on_wait is not None:
            self.on_wait(self)
        try:
            self._lock.acquire(timeout=self.timeout)
        except Timeout:
            raise AlreadyRunningError(
                f"{self.year_dir} 的报告正在由另一个进程生成，已等待 {self.timeout:g} 秒仍未结束",
                f"another report run is still writing {self.year_dir} after waiting {self.timeout:g}s",
            ) from None
        except OSError as err:
            raise output_error(err, self.path) from None
        return self

    def __exit__(self, *exc) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
