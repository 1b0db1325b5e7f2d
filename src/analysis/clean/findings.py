"""The quality report: one row per finding, each naming file, sheet and cell.

Finding codes, their severity and their bilingual message templates live in
``catalogs/finding_codes.csv`` so wording can change without touching code. A finding
is created with :meth:`QualityReport.add` by code; unknown codes are a programming
error and raise ``KeyError`` immediately (tests catch that, users never see it).
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources

import pandas as pd

from analysis.processed import QUALITY_COLUMNS

SEVERITIES = ("error", "warning", "info")
# C0/C1 control characters (ESC sequences, bare CR, NUL ...) are shown as visible escapes in raw_value,
# so a hostile cell can neither drive a terminal nor break a CSV or HTML view of the quality report.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def visible_text(text: str) -> str:
    """Replace control characters with ``\\xNN`` escapes; everything else is kept as written."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@dataclass(frozen=True)
class FindingCode:
    code: str
    severity: str
    message_zh: str
    message_en: str


@lru_cache(maxsize=1)
def finding_codes() -> dict[str, FindingCode]:
    """Load ``catalogs/finding_codes.csv`` (code, severity, message_zh, message_en)."""
    text = resources.files("analysis").joinpath("catalog/data/finding_codes.csv").read_text("utf-8")
    out: dict[str, FindingCode] = {}
    for row in csv.DictReader(text.splitlines()):
        if row["severity"] not in SEVERITIES:
            raise ValueError(f"finding_codes.csv: bad severity for {row['code']}")
        out[row["code"]] = FindingCode(row["code"], row["severity"], row["message_zh"], row["message_en"])
    return out


@dataclass
class Finding:
    severity: str
    code: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    raw_value: str = ""
    message_zh: str = ""
    message_en: str = ""

    @property
    def message(self) -> str:
        return f"{self.message_zh} | {self.message_en}"

    def as_row(self) -> dict:
        row = asdict(self)
        row["message"] = self.message
        return row


@dataclass
class QualityReport:
    findings: list[Finding] = field(default_factory=list)

    def add(
        self,
        code: str,
        *,
        file: str = "",
        sheet: str = "",
        cell: str = "",
        raw_value: object = "",
        severity: str | None = None,
        **params: object,
    ) -> Finding:
        """Record a finding by code; ``params`` fill the ``{name}`` slots of both templates."""
        spec = finding_codes()[code]
        raw = "" if raw_value is None else str(raw_value)
        if len(raw) > 200:
            raw = raw[:200] + "…"
        raw = visible_text(raw)
        values = {k: ("" if v is None else v) for k, v in params.items()}
        finding = Finding(
            severity=severity or spec.severity,
            code=code,
            file=file,
            sheet=sheet,
            cell=cell,
            raw_value=raw,
            message_zh=spec.message_zh.format(**values),
            message_en=spec.message_en.format(**values),
        )
        self.findings.append(finding)
        return finding

    def extend(self, other: QualityReport) -> None:
        self.findings.extend(other.findings)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def to_frame(self) -> pd.DataFrame:
        if not self.findings:
            return pd.DataFrame(columns=QUALITY_COLUMNS)
        return pd.DataFrame([f.as_row() for f in self.findings], columns=QUALITY_COLUMNS)
