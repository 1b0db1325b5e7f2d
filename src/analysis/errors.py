"""Typed exceptions. Data problems become findings; these are for problems a user must fix to go on.

Every exception carries a Chinese and an English message so the CLI can print a clear,
traceback-free line.
"""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class. ``str(err)`` is the user-facing message (Chinese, then English)."""

    exit_code = 2

    def __init__(self, message_zh: str, message_en: str = "") -> None:
        self.message_zh = message_zh
        self.message_en = message_en
        super().__init__(f"{message_zh}（{message_en}）" if message_en else message_zh)


class CatalogError(AnalysisError):
    """A catalogue file (indicators, regions, column maps, templates) is malformed."""


class RawInputError(AnalysisError):
    """The raw folder cannot be read at all (missing, not a directory, unreadable)."""


class ParameterError(AnalysisError):
    """A report parameter is unknown, unsafe, or names a year/region with no data."""


class OutputError(AnalysisError):
    """Outputs cannot be written (unwritable folder, disk full)."""


class AlreadyRunningError(AnalysisError):
    """Another run holds the lock for the same output folder."""

    exit_code = 3


class ExecutionError(AnalysisError):
    """One or more notebooks failed; the partial outputs have been saved."""

    exit_code = 1
