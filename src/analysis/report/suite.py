"""The notebook suite: which notebooks make a yearly report set, and what each one reads.

The registry is data. :data:`DEFAULT_SUITE` describes ``notebooks/``; a notebooks folder may
carry its own ``suite.json`` (a list of objects with the :class:`NotebookSpec` fields) which
then replaces the default. Tests and benchmarks use that to point the runner at fixture notebooks.

Parameters the runner passes (only those the notebook's ``parameters`` cell declares):

- ``year`` (int): the statistics year;
- ``processed_dir`` (str): absolute path of the processed data folder;
- ``output_dir`` (str): absolute path of ``outputs/<year>/``; figures go to ``figures/``, tables to ``tables/``;
- ``region`` (str, per-region notebooks only): the six-digit GB/T 2260 code of one city or county.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import ParameterError
from analysis.processed import (
    CASE_RECONCILE_CSV,
    CASES_PARQUET,
    FACTS_PARQUET,
    META_JSON,
    PROCESSED_FILES,
    QUALITY_CSV,
)

SUITE_FILE = "suite.json"
DATA_FILES = (*PROCESSED_FILES, CASES_PARQUET, CASE_RECONCILE_CSV)  # a missing case file digests as "missing"


@dataclass(frozen=True)
class NotebookSpec:
    id: str
    file: str
    title: str  # Chinese title shown to readers
    reads: tuple[str, ...] = (FACTS_PARQUET, META_JSON)  # processed files (names in processed_dir)
    per_region: bool = False  # one run per region (parameter ``region``)
    region_levels: tuple[str, ...] = ("city", "county")

    @classmethod
    def from_dict(cls, data: dict) -> NotebookSpec:
        known = {"id", "file", "title", "reads", "per_region", "region_levels"}
        unknown = set(data) - known
        if unknown or not {"id", "file", "title"} <= set(data):
            raise ParameterError(
                f"suite.json 条目格式错误：{data!r}", f"bad suite.json entry (fields: {sorted(known)})"
            )
        kwargs = dict(data)
        for name in ("reads", "region_levels"):
            if name in kwargs:
                kwargs[name] = tuple(kwargs[name])
        return cls(**kwargs)


DEFAULT_SUITE: tuple[NotebookSpec, ...] = (
    NotebookSpec("01_quality", "01_quality.ipynb", "数据质量报告", (FACTS_PARQUET, QUALITY_CSV, META_JSON)),
    NotebookSpec("02_overview", "02_overview.ipynb", "年度执法工作总览"),
    NotebookSpec("03_regions", "03_regions.ipynb", "地区比较"),
    NotebookSpec("04_casefile", "04_casefile.ipynb", "案卷评查分析"),
    NotebookSpec("05_region_profile", "05_region_profile.ipynb", "地区画像", per_region=True),
    NotebookSpec("06_cases", "06_cases.ipynb", "行政处罚案件分析",
                 (FACTS_PARQUET, META_JSON, CASES_PARQUET, CASE_RECONCILE_CSV)),
)


@dataclass(frozen=True)
class Suite:
    folder: Path
    specs: tuple[NotebookSpec, ...] = field(default_factory=tuple)

    def path(self, spec: NotebookSpec) -> Path:
        return self.folder / spec.file


def load_suite(notebooks_dir: Path | str) -> Suite:
    """The suite for ``notebooks_dir``: its ``suite.json`` when present, else :data:`DEFAULT_SUITE`.

    Every notebook file must exist; a missing one is a :class:`ParameterError` before anything runs.
    """
    folder = Path(notebooks_dir).resolve()
    if not folder.is_dir():
        raise ParameterError(f"笔记本目录不存在：{folder}", f"notebook folder not found: {folder}")
    specs = DEFAULT_SUITE
    suite_file = folder / SUITE_FILE
    if suite_file.is_file():
        try:
            raw = json.loads(suite_file.read_text("utf-8"))
        except (OSError, ValueError) as err:
            raise ParameterError(f"无法读取 {suite_file}", f"cannot read {suite_file}: {err}") from None
        if not isinstance(raw, list):
            raise ParameterError(f"{suite_file} 应为列表", f"{suite_file} must be a JSON list")
        specs = tuple(NotebookSpec.from_dict(item) for item in raw)
    ids = [s.id for s in specs]
    if len(set(ids)) != len(ids):
        raise ParameterError("笔记本编号重复", f"duplicate notebook ids in suite: {ids}")
    for spec in specs:
        if not (folder / spec.file).is_file():
            raise ParameterError(f"未找到笔记本：{folder / spec.file}", f"notebook not found: {folder / spec.file}")
        bad = set(spec.reads) - set(DATA_FILES)
        if bad:
            raise ParameterError(
                f"笔记本 {spec.id} 声明读取未知数据文件：{sorted(bad)}", f"unknown processed files {sorted(bad)}"
            )
    return Suite(folder, specs)


