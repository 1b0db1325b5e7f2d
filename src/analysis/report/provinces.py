"""One set of reports per province: how a run over a folder with several provinces fans out.

- A folder with one province (the bundled 宁夏 sample) is reported as before, into ``outputs/<year>/``, and
  no ``province`` parameter is passed.
- ``-p province=CODE_OR_NAME`` chooses one province: its reports go to ``outputs/<year>/`` as usual.
- Several provinces and no choice: each province gets its own set, in ``outputs/<province code>/<year>/``,
  with the region profiles of that province only.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from analysis.report.params import DataInfo

PROVINCE_PARAMETER = "province"


@dataclasses.dataclass(frozen=True)
class ProvinceRun:
    """One report run: the province passed to the notebooks ("" for none), the data it sees, its outputs."""

    province: str
    info: DataInfo
    outputs_dir: Path


def provinces_of(info: DataInfo) -> list[str]:
    """Province codes of the regions in the data (a GB/T 2260 code's first two digits name its province)."""
    return sorted({code[:2] + "0000" for code in info.regions})


def restrict(info: DataInfo, province: str) -> DataInfo:
    """``info`` with only the regions of ``province`` (so only its region profiles are planned)."""
    regions = {c: r for c, r in info.regions.items() if c[:2] == province[:2]}
    return dataclasses.replace(info, regions=regions)


def plan_province_runs(info: DataInfo, outputs_dir: Path, parameters: dict[str, str]) -> list[ProvinceRun]:
    """The runs a report command makes (see the module docstring). Raises ParameterError for a province
    that is not a province or not in the data."""
    have = provinces_of(info)
    chosen = str(parameters.get(PROVINCE_PARAMETER, "") or "").strip()
    if chosen:
        from analysis.views.loading import province_code  # the one resolver of a province code or name

        code = province_code(chosen, have)
        return [ProvinceRun(chosen, restrict(info, code), Path(outputs_dir))]
    if len(have) <= 1:
        return [ProvinceRun("", info, Path(outputs_dir))]
    return [ProvinceRun(code, restrict(info, code), Path(outputs_dir) / code) for code in have]
