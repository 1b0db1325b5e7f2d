"""Parameter validation for the report runner, done before any kernel starts.

Papermill only *warns* about a parameter the notebook does not declare, and it injects any
string it is given. The runner is stricter: every value is checked here against

- the notebook's declared parameters (``papermill.inspect_notebook``; the inspection is cached
  by notebook content so a no-change re-run does not import papermill at all);
- the processed data (a year must have facts, a region must be a known city/county code or
  canonical name present in the data);
- a whitelist of safe shapes: strings may not contain quotes, backslashes, newlines or other
  control characters; numbers must look like numbers. We validate, we do not escape.

Every rejection is a bilingual :class:`ParameterError`.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.errors import ParameterError
from analysis.processed import FACTS_PARQUET, quality_counts, read_facts_index, read_meta

# Set by the runner, never from ``-p``.
RUNNER_PARAMETERS = ("year", "processed_dir", "output_dir")
REGION_PARAMETER = "region"

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_INT_RE = re.compile(r"^[+-]?\d{1,12}$")
_FLOAT_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$")
_BOOLS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
_FORBIDDEN_CHARS = set("'\"`\\")
MAX_STRING = 200


@dataclass(frozen=True)
class ReportRegion:
    code: str
    name: str
    level: str


@dataclass
class DataInfo:
    """What the processed folder holds, as far as parameter checks and the index page need."""

    processed_dir: Path
    years: list[int]
    regions: dict[str, ReportRegion] = field(default_factory=dict)
    is_sample: bool = False
    quality_counts: dict[str, int] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def latest_year(self) -> int:
        return max(self.years)


def _read_facts(path: Path) -> tuple[list[int], dict[str, ReportRegion]]:
    """Years and regions of ``facts.parquet``: from the index in ``meta.json`` when it matches the file
    (:func:`analysis.processed.read_facts_index`), else from the file's columns."""
    indexed = read_facts_index(path.parent)
    if indexed is not None:
        years, names = indexed
        return years, {code: ReportRegion(code, name, level) for code, (name, level) in names.items()}
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path, columns=["year", "region_code", "region_name", "level"])
    except Exception as err:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise ParameterError(
            f"无法读取 {path}，请重新运行 enforcement clean", f"cannot read {path}: {err}"
        ) from None
    cols = table.to_pydict()
    years = sorted({int(y) for y in cols["year"] if y is not None})
    regions: dict[str, ReportRegion] = {}
    for code, name, level in zip(cols["region_code"], cols["region_name"], cols["level"]):
        if code is None:
            continue
        code = str(code)
        if code not in regions:
            regions[code] = ReportRegion(code, str(name or ""), str(level or ""))
    return years, regions


def load_data_info(processed_dir: Path | str) -> DataInfo:
    """Read ``meta.json``, the year/region columns of ``facts.parquet`` and the quality counts."""
    folder = Path(processed_dir).resolve()
    facts = folder / FACTS_PARQUET
    if not folder.is_dir() or not facts.is_file():
        raise ParameterError(
            f"未找到处理后的数据 {facts}，请先运行 enforcement clean",
            f"processed data not found: {facts}; run `enforcement clean` first",
        )
    meta = read_meta(folder, required=False)
    years, regions = _read_facts(facts)
    if not years:
        raise ParameterError(f"{facts} 中没有任何数据", f"{facts} holds no facts")
    return DataInfo(
        processed_dir=folder,
        years=years,
        regions=regions,
        is_sample=bool(meta.get("is_sample", False)),
        quality_counts=quality_counts(folder),
        meta=meta,
    )


def check_year(year: int, info: DataInfo) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or year not in info.years:
        have = "、".join(str(y) for y in info.years)
        raise ParameterError(
            f"{year} 年没有数据（现有年份：{have}）",
            f"no data for year {year}; years in the data: {', '.join(map(str, info.years))}",
        )
    return year


def check_safe_string(name: str, value: str) -> str:
    """Reject strings that could break out of a literal: quotes, backslashes, control characters."""
    if not isinstance(value, str):
        raise ParameterError(f"参数 {name} 应为文本", f"parameter {name} must be a string")
    if len(value) > MAX_STRING:
        raise ParameterError(f"参数 {name} 过长（超过 {MAX_STRING} 个字符）", f"parameter {name} is too long")
    for ch in value:
        if ch in _FORBIDDEN_CHARS or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            raise ParameterError(
                f"参数 {name} 含有不允许的字符 {ch!r}（引号、反斜杠、换行或控制字符）",
                f"parameter {name} contains a forbidden character {ch!r} (quote, backslash, newline, control)",
            )
    return value


def check_path(name: str, path: Path) -> str:
    """A folder path passed to notebooks: absolute, POSIX separators, no unsafe characters."""
    text = Path(path).resolve().as_posix()
    for ch in text:
        if ch in _FORBIDDEN_CHARS or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            raise ParameterError(
                f"目录路径含有不允许的字符（引号、反斜杠或控制字符）：{text!r}，请换一个目录",
                f"{name} path {text!r} contains quotes, backslashes or control characters",
            )
    return text


def resolve_region(value: str, info: DataInfo, levels: tuple[str, ...] = ("city", "county")) -> str:
    """A region code or canonical name of a city/county present in the data -> its code."""
    value = check_safe_string(REGION_PARAMETER, str(value)).strip()
    candidates = [r for r in info.regions.values() if r.level in levels]
    for region in candidates:
        if value == region.code or value == region.name:
            return region.code
    raise ParameterError(
        f"未知地区：{value}（应为数据中已有的市、县区代码或规范名称，例如 640100 或 银川市）",
        f"unknown region {value!r}: use a city/county code or canonical name present in the data",
    )


# --- declared parameters -------------------------------------------------------------------------


def _type_of_default(default: str) -> str:
    try:
        value = ast.literal_eval(default)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return "unknown"
    if value is None:
        return "none"
    return type(value).__name__


def inspect_parameters(path: Path | str) -> dict[str, dict[str, str]]:
    """The ``parameters`` cell of a notebook as ``{name: {"type": ..., "default": ...}}`` (papermill)."""
    import papermill

    try:
        raw = papermill.inspect_notebook(str(path))
    except Exception as err:  # noqa: BLE001 - papermill raises several types for a bad notebook
        raise ParameterError(f"无法读取笔记本 {path}", f"cannot inspect notebook {path}: {err}") from None
    out: dict[str, dict[str, str]] = {}
    for name, item in raw.items():
        declared = (item.get("inferred_type_name") or "None").strip()
        kind = declared.lower() if declared != "None" else _type_of_default(str(item.get("default", "")))
        kind = {"integer": "int", "string": "str", "boolean": "bool", "nonetype": "none"}.get(kind, kind)
        out[name] = {"type": kind, "default": str(item.get("default", ""))}
    return out


def parse_param_args(items: list[str]) -> dict[str, str]:
    """``["name=value", ...]`` from ``-p`` -> ``{name: raw value}`` (names checked, values not yet)."""
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise ParameterError(f"参数格式应为 名称=值：{item!r}", f"parameter must be NAME=VALUE: {item!r}")
        name, value = item.split("=", 1)
        name = name.strip()
        if not _NAME_RE.match(name):
            raise ParameterError(f"参数名称无效：{name!r}", f"invalid parameter name {name!r}")
        if name in RUNNER_PARAMETERS:
            raise ParameterError(
                f"参数 {name} 由运行程序设置，请使用 --year/--processed/--outputs",
                f"parameter {name} is set by the runner; use --year/--processed/--outputs",
            )
        out[name] = value
    return out


def convert_value(name: str, raw: str, kind: str) -> Any:
    """Convert a ``-p`` string to the declared type, rejecting anything that does not fit."""
    if kind == "int":
        if not _INT_RE.match(raw.strip()):
            raise ParameterError(f"参数 {name} 应为整数：{raw!r}", f"parameter {name} must be an integer: {raw!r}")
        return int(raw)
    if kind == "float":
        if not _FLOAT_RE.match(raw.strip()):
            raise ParameterError(f"参数 {name} 应为数值：{raw!r}", f"parameter {name} must be a number: {raw!r}")
        return float(raw)
    if kind == "bool":
        key = raw.strip().lower()
        if key not in _BOOLS:
            raise ParameterError(f"参数 {name} 应为 true 或 false：{raw!r}", f"parameter {name} must be true/false")
        return _BOOLS[key]
    if kind == "str":
        return check_safe_string(name, raw)
    raise ParameterError(
        f"参数 {name} 的类型（{kind}）不能通过命令行设置", f"parameter {name} of type {kind} cannot be set from -p"
    )
