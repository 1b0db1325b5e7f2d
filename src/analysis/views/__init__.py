"""Data preparation for the report notebooks, so the notebooks hold only parameters, calls, charts and prose.

Every function takes and returns plain pandas objects (or small dicts) and is tested in
``tests/test_views.py``. Reader-facing column headers are Chinese; identifiers are English.

Sections:

- loading: :func:`load_processed`, :func:`resolve_path`, :func:`find_reference`, :func:`check_year`,
  :func:`check_region`;
- hierarchy fill-in: :func:`with_rollups` (a parent without a reported figure gets the sum of its
  children when every child reported one);
- data quality (01): :func:`coverage_matrix`, :func:`coverage_pivot`, :func:`missing_vs_zero`,
  :func:`findings_table`, :func:`findings_summary`, :func:`loaded_files`, :func:`agency_mapping`;
- overview (02): :func:`indicator_series`, :func:`penalty_composition_frame`, :func:`penalty_share_table`,
  :func:`license_table`;
- regions (03): :func:`ranking_frame`, :func:`region_year_pivot`, :func:`outlier_table`,
  :func:`per_capita_table`;
- case files (04): :func:`casefile_rates`, :func:`casefile_difference`, :func:`funnel_frames`,
  :func:`describe_test`;
- region profile (05): :func:`peer_table`;
- notebook output helpers (IPython is imported lazily): :func:`show_html`, :func:`show_paragraphs`,
  :func:`show_table`, :func:`show_figure`, :func:`write_tables`, :func:`sample_notice_html`.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import ParameterError
from analysis.report.build_state import package_digest
from analysis.stats.derive import indicator_catalog, indicator_metadata, region_catalog

ROLLED_UP_SOURCE = "（由下级汇总）"
REFERENCE_FILE = "regions_population_area_sample.csv"
LEVEL_ZH = {"province": "省级", "city": "市级", "county": "县级"}
LEVEL_ORDER = ["province", "city", "county"]
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

KEY_INDICATORS = ["cases_filed", "fines_collected", "patrols", "violations_stopped", "stop_orders"]
"""The five headline indicators of the yearly overview, in report order."""
OVERVIEW_INDICATORS = [*KEY_INDICATORS, "cases_closed", "fines_per_case", "stop_order_rate"]
LICENSE_INDICATORS = ["licenses_applied", "licenses_accepted", "licenses_granted", "licenses_refused",
                      "licenses_revoked", "license_grant_rate"]
CASEFILE_INDICATORS = ["casefile_reviewed", "casefile_excellent", "casefile_passed", "casefile_failed",
                       "casefile_pass_rate", "casefile_excellent_rate"]
PENALTY_CATEGORIES = ("penalty", "penalty_merged")

FINDING_COLUMNS = ["严重程度", "代码", "文件", "工作表", "单元格", "原始值", "说明"]


# --------------------------------------------------------------------------- loading


@dataclass
class Processed:
    """The processed data folder: tidy facts, the quality findings and ``meta.json``."""

    facts: pd.DataFrame
    quality: pd.DataFrame
    meta: dict
    folder: Path
    reference: pd.DataFrame | None = field(default=None)

    @property
    def is_sample(self) -> bool:
        return bool(self.meta.get("is_sample", False))

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.facts["year"].unique())


def _repo_notebooks_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "notebooks"


def resolve_path(path: str | Path, base: str | Path | None = None) -> Path:
    """An absolute path for a notebook parameter.

    Absolute paths are returned as they are. A relative path (the notebooks' defaults such as
    ``../data/processed``) is taken relative to ``base`` when given, else the current folder (JupyterLab
    runs a notebook in its own folder); when that does not exist but the path exists relative to the
    repository's ``notebooks/`` folder, that one is used.
    """
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    first = (Path(base) if base is not None else Path.cwd()) / p
    if first.exists():
        return first.resolve()
    second = _repo_notebooks_dir() / p
    if second.exists():
        return second.resolve()
    return first.resolve()


def _empty_quality() -> pd.DataFrame:
    cols = ["severity", "code", "file", "sheet", "cell", "raw_value", "message", "message_zh", "message_en"]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})


def load_processed(processed_dir: str | Path, require_quality: bool = False,
                   with_reference: bool = True) -> Processed:
    """Read ``facts.parquet``, ``meta.json`` and (if present, or required) ``quality.csv``.

    Raises :class:`ParameterError` with a bilingual message naming the missing file and the command that
    makes it (``enforcement clean``). With ``with_reference`` the population/area table next to the
    processed folder is loaded too (:func:`find_reference`).
    """
    folder = resolve_path(processed_dir)
    hint_zh, hint_en = "请先运行 enforcement clean 生成处理后的数据", "run `enforcement clean` first"
    if not folder.is_dir():
        raise ParameterError(f"处理后的数据目录不存在：{folder}；{hint_zh}",
                             f"processed data folder not found: {folder}; {hint_en}")
    facts_path = folder / "facts.parquet"
    meta_path = folder / "meta.json"
    quality_path = folder / "quality.csv"
    needed = [facts_path, meta_path] + ([quality_path] if require_quality else [])
    for path in needed:
        if not path.is_file():
            raise ParameterError(f"缺少数据文件：{path}；{hint_zh}", f"missing processed file: {path}; {hint_en}")
    facts = pd.read_parquet(facts_path)
    facts["year"] = facts["year"].astype(int)
    facts["region_code"] = facts["region_code"].astype(str)
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
    except ValueError as err:
        raise ParameterError(f"无法读取 {meta_path}；{hint_zh}", f"cannot read {meta_path}: {err}") from None
    if quality_path.is_file():
        quality = pd.read_csv(quality_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        quality = _empty_quality()
    reference = find_reference(folder) if with_reference else None
    return Processed(facts, quality, meta if isinstance(meta, dict) else {}, folder, reference)


def find_reference(processed_dir: str | Path) -> pd.DataFrame | None:
    """The population/area table ``<processed_dir>/../reference/regions_population_area_sample.csv``.

    That is ``data/reference/`` beside ``data/processed/``. Returns None when the file is absent.
    """
    from analysis.stats.population import load_reference

    path = Path(processed_dir) / ".." / "reference" / REFERENCE_FILE
    if not path.is_file():
        return None
    return load_reference(path.resolve())


def check_year(facts: pd.DataFrame, year: int) -> int:
    """``year`` as int; :class:`ParameterError` when the facts hold nothing for it."""
    years = sorted(int(y) for y in facts["year"].unique())
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ParameterError(f"年度参数无效：{year!r}", f"invalid year {year!r}") from None
    if y not in years:
        have = "、".join(str(v) for v in years)
        raise ParameterError(f"{y} 年没有数据（现有年份：{have}）", f"no data for year {y}; years: {years}")
    return y


def check_region(facts: pd.DataFrame, region: str) -> dict:
    """``{"code", "name", "level", "parent_code"}`` of a city/county in the facts (code or canonical name)."""
    key = str(region).strip()
    regs = facts.drop_duplicates("region_code")[["region_code", "region_name", "level"]]
    hit = regs[(regs["region_code"] == key) | (regs["region_name"] == key)]
    if hit.empty:
        raise ParameterError(f"数据中没有地区：{key}", f"unknown region {key!r}: not in the processed data")
    row = hit.iloc[0]
    cat = region_catalog().set_index("code")["parent_code"]
    code = str(row["region_code"])
    parent = str(cat.get(code, "") or "")
    if not parent:
        parent = {"county": code[:4] + "00", "city": code[:2] + "0000"}.get(str(row["level"]), "")
    return {"code": code, "name": str(row["region_name"]), "level": str(row["level"]), "parent_code": parent}


def province_of(facts: pd.DataFrame) -> dict:
    """Code and name of the province in the facts (the catalogue province of the first region if absent)."""
    prov = facts[facts["level"] == "province"]
    if len(prov):
        row = prov.iloc[0]
        return {"code": str(row["region_code"]), "name": str(row["region_name"])}
    code = str(facts["region_code"].iloc[0])[:2] + "0000"
    names = region_catalog().set_index("code")["name"]
    return {"code": code, "name": str(names.get(code, code))}


# --------------------------------------------------------------------------- hierarchy fill-in


def _rollup_rows(facts: pd.DataFrame, level: str) -> pd.DataFrame:
    """Fact rows for parents of ``level`` without a figure whose catalogue children all have one."""
    from analysis.stats.hierarchy import rollup

    roll = rollup(facts)
    roll = roll[(roll["level"] == level) & (roll["n_children_expected"] > 0)
                & (roll["n_children"] == roll["n_children_expected"])]
    have = facts[["year", "region_code", "indicator"]].drop_duplicates()
    roll = roll.merge(have.assign(_have=True), on=["year", "region_code", "indicator"], how="left")
    roll = roll[roll["_have"].isna()]
    if roll.empty:
        return roll.iloc[0:0]
    units = indicator_catalog().set_index("code")["unit"]
    return pd.DataFrame({
        "year": roll["year"].astype(int).to_numpy(),
        "region_code": roll["region_code"].astype(str).to_numpy(),
        "region_name": roll["region_name"].astype(str).to_numpy(),
        "level": level,
        "agency": "",
        "indicator": roll["indicator"].to_numpy(),
        "value": roll["value"].astype(float).to_numpy(),
        "unit": roll["indicator"].map(units).fillna("").to_numpy(),
        "approx": roll["approx"].astype(bool).to_numpy(),
        "source_file": ROLLED_UP_SOURCE,
        "source_sheet": "",
        "source_cell": "",
        "rolled_up": True,
    })


def with_rollups(facts: pd.DataFrame) -> pd.DataFrame:
    """Facts plus rolled-up figures for parents that did not report an additive indicator.

    Method: :func:`analysis.stats.hierarchy.rollup` sums the children's values (counts, money, people). A
    city (then, with the cities completed, the province) that has no reported figure for an
    indicator and year gets the sum when *every* child listed in the region catalogue reported one;
    a parent with only some children reporting is left without a figure (a partial sum would
    understate it). Reported figures are never replaced. The added rows have ``rolled_up=True``,
    ``source_file="（由下级汇总）"`` and empty sheet/cell; original rows get ``rolled_up=False``.
    """
    out = facts.copy()
    out["rolled_up"] = False
    if out.empty:
        return out
    for level in ("city", "province"):  # counties -> cities first, so cities can feed the province
        extra = _rollup_rows(out, level)
        if len(extra):
            extra = extra.reindex(columns=out.columns)
            extra["rolled_up"] = True
            out = pd.concat([out, extra], ignore_index=True)
    out["rolled_up"] = out["rolled_up"].astype(bool)
    return out


# --------------------------------------------------------------------------- the summary table, memoised


def _code_digest() -> str:
    """Digest of the package's code and catalogues (a code change invalidates cached summaries)."""
    return package_digest()


def _frame_digest(df: pd.DataFrame | None) -> bytes:
    if df is None:
        return b"none"
    cols = ",".join(map(str, df.columns)).encode()
    values = pd.util.hash_pandas_object(df.astype(str), index=False).to_numpy().tobytes()
    return hashlib.sha256(cols + values).digest()


def summary_key(facts: pd.DataFrame, reference: pd.DataFrame | None, is_sample: bool) -> str:
    """The cache key of a summary table: facts, reference table, sample flag and package code."""
    h = hashlib.sha256(_code_digest().encode())
    h.update(_frame_digest(facts))
    h.update(_frame_digest(reference))
    h.update(b"sample" if is_sample else b"real")
    return h.hexdigest()[:32]


def cached_summary(facts: pd.DataFrame, reference: pd.DataFrame | None = None, is_sample: bool = False,
                   cache_dir: str | Path | None = None) -> pd.DataFrame:
    """:func:`analysis.stats.summary.build_summary`, memoised as a parquet file in ``cache_dir``.

    The suite runs one notebook per region; each would otherwise import scipy and rebuild the same
    table. The key (:func:`summary_key`) covers the facts, the reference table, the sample flag and a
    digest of the package's code and catalogues, so any change rebuilds. The file is written atomically;
    an unreadable cache file is ignored. ``cache_dir=None`` builds without caching.
    """
    path = Path(cache_dir) / f"summary-{summary_key(facts, reference, is_sample)}.parquet" if cache_dir else None
    if path is not None and path.is_file():
        try:
            return pd.read_parquet(path)
        except Exception:  # noqa: BLE001 - a damaged cache file is rebuilt
            pass
    from analysis.stats.summary import build_summary

    summary = build_summary(facts, reference=reference, is_sample=is_sample)
    if path is not None:
        from analysis.atomic import atomic_path

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as tmp:
                summary.to_parquet(tmp, index=False)
        except OSError:
            pass  # caching is an optimisation only
    return summary


def summary_cache_dir(output_dir: str | Path) -> Path:
    """Where the notebooks of one output folder share their summary tables: ``<output_dir>/.cache/summary``."""
    return Path(output_dir) / ".cache" / "summary"


# --------------------------------------------------------------------------- data quality (01)


def _names() -> pd.Series:
    return indicator_metadata()["name_zh"]


def coverage_matrix(facts: pd.DataFrame) -> pd.DataFrame:
    """Years x indicators x levels: how many regions have at least one figure.

    Returns ``year, indicator, name_zh, level, n_regions, n_expected`` (``n_expected`` = regions of
    that level in the facts over all years), one row per combination present in the facts.
    """
    cols = ["year", "indicator", "name_zh", "level", "n_regions", "n_expected"]
    if facts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df = facts.dropna(subset=["value"])
    out = (df.groupby(["year", "indicator", "level"])["region_code"].nunique()
           .rename("n_regions").reset_index())
    expected = facts.groupby("level")["region_code"].nunique()
    out["n_expected"] = out["level"].map(expected).astype(int)
    out["name_zh"] = out["indicator"].map(_names()).fillna(out["indicator"])
    out["year"] = out["year"].astype(int)
    order = {lv: i for i, lv in enumerate(LEVEL_ORDER)}
    out = out.assign(_o=out["level"].map(order)).sort_values(["indicator", "year", "_o"]).drop(columns="_o")
    return out[cols].reset_index(drop=True)


def coverage_pivot(coverage: pd.DataFrame, level: str | None = None) -> pd.DataFrame:
    """Indicator names (rows, catalogue order) x years (columns): number of regions with a figure.

    ``level=None`` counts regions of every level; a missing combination is 0.
    """
    cov = coverage if level is None else coverage[coverage["level"] == level]
    if cov.empty:
        return pd.DataFrame()
    pivot = cov.pivot_table(index="indicator", columns="year", values="n_regions", aggfunc="sum", fill_value=0)
    order = [c for c in indicator_metadata().index if c in pivot.index]
    pivot = pivot.loc[order]
    pivot.index = [str(_names().get(c, c)) for c in pivot.index]
    pivot.columns = [int(c) for c in pivot.columns]
    return pivot.astype(int)


def coverage_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """Display table: 指标 x 年度, each cell ``省1 市5 县22`` (regions of each level with a figure)."""
    if coverage.empty:
        return pd.DataFrame(columns=["指标"])
    short = {"province": "省", "city": "市", "county": "县"}
    cov = coverage.copy()
    cov["text"] = cov["level"].map(short) + cov["n_regions"].astype(int).astype(str)
    order = {lv: i for i, lv in enumerate(LEVEL_ORDER)}
    cov = cov.assign(_o=cov["level"].map(order)).sort_values(["indicator", "year", "_o"])
    cells = cov.groupby(["indicator", "year"])["text"].agg(" ".join).unstack("year")
    years = sorted(int(y) for y in cov["year"].unique())
    cells = cells.reindex(columns=years).fillna("—")
    ind_order = [c for c in indicator_metadata().index if c in cells.index]
    cells = cells.loc[ind_order]
    out = cells.reset_index()
    out.insert(0, "指标", out.pop("indicator").map(_names()))
    out.columns = ["指标", *[f"{y}年" for y in years]]
    return out


_A1_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_RC_RE = re.compile(r"^R(\d+)C(\d+)$")


def cell_position(cell: str) -> tuple[int, int] | None:
    """``(row, column)``, both 1-based, of ``B7`` (Excel) or ``R7C2`` (CSV); None for anything else."""
    text = str(cell or "").strip()
    m = _RC_RE.match(text)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = _A1_RE.match(text)
    if m:
        col = 0
        for ch in m.group(1).upper():
            col = col * 26 + (ord(ch) - 64)
        return int(m.group(2)), col
    return None


def _mode(values: pd.Series):
    counts = values.value_counts()
    return counts.index[0] if len(counts) else None


def missing_vs_zero(facts: pd.DataFrame, quality: pd.DataFrame) -> pd.DataFrame:
    """Cells read as missing (``missing_value`` findings) versus explicit zero figures, per year and indicator.

    A missing cell has no fact, so its indicator and year are inferred from the facts read from the
    same file and sheet: the indicator of the facts in the same column, the year of the facts in that
    file. A cell whose column has no fact at all is counted under indicator ``""`` (``未能确定``).

    Returns ``year, indicator, name_zh, n_missing, n_zero, n_facts`` (``n_zero``: facts whose value
    is exactly 0; ``n_facts``: all facts), sorted by year and indicator.
    """
    cols = ["year", "indicator", "name_zh", "n_missing", "n_zero", "n_facts"]
    f = facts.copy()
    f["year"] = f["year"].astype(int)
    counts = f.groupby(["year", "indicator"]).agg(
        n_zero=("value", lambda v: int((v == 0).sum())), n_facts=("value", "size")).reset_index()
    miss = quality[quality["code"] == "missing_value"] if len(quality) else quality
    rows = []
    if len(miss):
        pos = f["source_cell"].map(cell_position)
        f["_col"] = [p[1] if p else None for p in pos]
        by_col = f.dropna(subset=["_col"]).groupby(["source_file", "source_sheet", "_col"])["indicator"]
        col_ind = by_col.agg(_mode)
        file_year = f.groupby("source_file")["year"].agg(_mode)
        for _, q in miss.iterrows():
            p = cell_position(q.get("cell", ""))
            ind = col_ind.get((q["file"], q["sheet"], p[1]), None) if p else None
            year = file_year.get(q["file"], None)
            rows.append({"year": year, "indicator": ind or ""})
    m = pd.DataFrame(rows, columns=["year", "indicator"])
    if len(m):
        m["year"] = pd.to_numeric(m["year"], errors="coerce")
        m = m.groupby(["year", "indicator"], dropna=False).size().rename("n_missing").reset_index()
    else:
        m = pd.DataFrame({"year": pd.Series(dtype=float), "indicator": pd.Series(dtype=object),
                          "n_missing": pd.Series(dtype=int)})
    counts["year"] = counts["year"].astype(float)
    out = counts.merge(m, on=["year", "indicator"], how="outer")
    out["n_missing"] = out["n_missing"].fillna(0).astype(int)
    out["n_zero"] = out["n_zero"].fillna(0).astype(int)
    out["n_facts"] = out["n_facts"].fillna(0).astype(int)
    out["year"] = out["year"].astype("Int64")
    out["name_zh"] = out["indicator"].map(_names()).fillna("")
    out.loc[out["indicator"] == "", "name_zh"] = "未能确定"
    out = out.sort_values(["year", "indicator"], na_position="last").reset_index(drop=True)
    return out[cols]


def missing_vs_zero_table(mz: pd.DataFrame, only_relevant: bool = True) -> pd.DataFrame:
    """Display version: 年度, 指标, 缺失单元格, 明确为零的数值, 数值总数 (rows with a missing or zero cell)."""
    df = mz[(mz["n_missing"] > 0) | (mz["n_zero"] > 0)] if only_relevant else mz
    out = pd.DataFrame({
        "年度": [("—" if pd.isna(y) else f"{int(y)}年") for y in df["year"]],
        "指标": df["name_zh"].to_numpy(),
        "缺失单元格": df["n_missing"].astype(int).to_numpy(),
        "明确为零的数值": df["n_zero"].astype(int).to_numpy(),
        "数值总数": df["n_facts"].astype(int).to_numpy(),
    })
    return out.reset_index(drop=True)


def findings_table(quality: pd.DataFrame) -> pd.DataFrame:
    """Every finding with its raw cell: 严重程度, 代码, 文件, 工作表, 单元格, 原始值, 说明 (errors first)."""
    if quality is None or quality.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    q = quality.fillna("").astype(str)
    q = q.assign(_o=q["severity"].map(SEVERITY_ORDER).fillna(9)).sort_values(
        ["_o", "code", "file", "sheet"], kind="stable")
    msg = q["message_zh"] if "message_zh" in q.columns else q["message"].str.split(" | ", regex=False).str[0]
    out = pd.DataFrame({
        "严重程度": q["severity"].map(SEVERITY_ZH).fillna(q["severity"]).to_numpy(),
        "代码": q["code"].to_numpy(),
        "文件": q["file"].to_numpy(),
        "工作表": q["sheet"].to_numpy(),
        "单元格": q["cell"].to_numpy(),
        "原始值": q["raw_value"].to_numpy(),
        "说明": msg.to_numpy(),
    })
    return out.reset_index(drop=True)


def findings_summary(quality: pd.DataFrame) -> pd.DataFrame:
    """Counts per severity and code: 严重程度, 代码, 说明, 条数 (errors first, then by count)."""
    cols = ["严重程度", "代码", "说明", "条数"]
    if quality is None or quality.empty:
        return pd.DataFrame(columns=cols)
    q = quality.fillna("").astype(str)
    g = q.groupby(["severity", "code"]).agg(msg=("message_zh", "first"), n=("code", "size")).reset_index()
    g = g.assign(_o=g["severity"].map(SEVERITY_ORDER).fillna(9)).sort_values(["_o", "n"], ascending=[True, False])
    return pd.DataFrame({"严重程度": g["severity"].map(SEVERITY_ZH).fillna(g["severity"]).to_numpy(),
                         "代码": g["code"].to_numpy(), "说明": g["msg"].to_numpy(),
                         "条数": g["n"].astype(int).to_numpy()})


def severity_counts(quality: pd.DataFrame) -> dict[str, int]:
    """``{"error": n, "warning": n, "info": n}``."""
    counts = {k: 0 for k in SEVERITY_ZH}
    if quality is not None and len(quality):
        for sev, n in quality["severity"].value_counts().items():
            if sev in counts:
                counts[sev] = int(n)
    return counts


def loaded_files(facts: pd.DataFrame) -> pd.DataFrame:
    """Per source file: 来源文件, 年度, 工作表数, 地区数, 数值条数 (rolled-up rows excluded)."""
    f = facts[facts["source_file"] != ROLLED_UP_SOURCE] if "source_file" in facts.columns else facts
    g = f.groupby("source_file").agg(
        years=("year", lambda v: "、".join(str(int(y)) for y in sorted(set(v)))),
        sheets=("source_sheet", "nunique"), regions=("region_code", "nunique"), n=("value", "size"),
    ).reset_index().sort_values("source_file")
    return pd.DataFrame({"来源文件": g["source_file"].to_numpy(), "年度": g["years"].to_numpy(),
                         "工作表数": g["sheets"].astype(int).to_numpy(), "地区数": g["regions"].astype(int).to_numpy(),
                         "数值条数": g["n"].astype(int).to_numpy()})


def agency_mapping(facts: pd.DataFrame) -> pd.DataFrame:
    """Agency labels as written in the raw rows and the region each was assigned to.

    Returns 填报单位（原文）, 所属地区, 地区代码, 数值条数 for every non-empty agency label.
    """
    f = facts[facts["agency"].fillna("").astype(str) != ""]
    g = f.groupby(["agency", "region_name", "region_code"]).size().rename("n").reset_index()
    g = g.sort_values(["region_code", "agency"])
    return pd.DataFrame({"填报单位（原文）": g["agency"].to_numpy(), "所属地区": g["region_name"].to_numpy(),
                         "地区代码": g["region_code"].to_numpy(), "数值条数": g["n"].astype(int).to_numpy()})


# --------------------------------------------------------------------------- summary slices (02, 03, 05)


def present(summary: pd.DataFrame) -> pd.DataFrame:
    """Rows of the summary table that carry a value (``~missing`` and value not NaN)."""
    return summary[~summary["missing"].astype(bool) & summary["value"].notna()]


def row_of(summary: pd.DataFrame, region_code: str, year: int, indicator: str) -> pd.Series | None:
    """The summary row of one region, year and indicator (None when absent)."""
    hit = summary[(summary["region_code"] == str(region_code)) & (summary["year"] == int(year))
                  & (summary["indicator"] == indicator)]
    return hit.iloc[0] if len(hit) else None


def indicator_series(summary: pd.DataFrame, region_code: str, indicators: Sequence[str],
                     upto_year: int | None = None) -> pd.DataFrame:
    """Long frame for :func:`analysis.present.charts.small_multiples`: ``indicator`` (Chinese name), ``code``,
    ``year``, ``value`` (NaN when missing), ``unit``; years up to ``upto_year``; ``indicators`` order kept;
    indicators without any value are left out."""
    df = summary[(summary["region_code"] == str(region_code)) & summary["indicator"].isin(list(indicators))]
    if upto_year is not None:
        df = df[df["year"] <= int(upto_year)]
    df = df.assign(value=np.where(df["missing"].astype(bool), np.nan, df["value"].astype(float)))
    keep = df.groupby("indicator")["value"].apply(lambda v: v.notna().any())
    order = [c for c in indicators if keep.get(c, False)]
    parts = [df[df["indicator"] == c].sort_values("year") for c in order]
    if not parts:
        return pd.DataFrame(columns=["indicator", "code", "year", "value", "unit"])
    out = pd.concat(parts)
    return pd.DataFrame({"indicator": out["name_zh"].to_numpy(), "code": out["indicator"].to_numpy(),
                         "year": out["year"].astype(int).to_numpy(), "value": out["value"].to_numpy(),
                         "unit": out["unit"].fillna("").to_numpy()}).reset_index(drop=True)


def available_indicators(summary: pd.DataFrame, region_code: str, year: int,
                         candidates: Sequence[str]) -> list[str]:
    """The ``candidates`` (order kept) that have a value for the region in ``year``."""
    have = set(present(summary[(summary["region_code"] == str(region_code)) & (summary["year"] == int(year))])
               ["indicator"])
    return [c for c in candidates if c in have]


def _penalty_codes(categories: Sequence[str] = PENALTY_CATEGORIES) -> list[str]:
    cat = indicator_catalog()
    codes = cat.loc[cat["category"].isin(list(categories)), "code"].tolist()
    return [c for c in codes if c != "penalties_total"]


def penalty_composition_frame(summary: pd.DataFrame, region_code: str, upto_year: int) -> pd.DataFrame:
    """Penalty counts by category per year (years up to ``upto_year`` with any category figure).

    Columns ``year, category`` (Chinese name), ``code``, ``value`` for
    :func:`analysis.present.charts.penalty_composition`. Both the national categories and the merged columns of
    some forms are kept as they were reported (they are never split).
    """
    codes = _penalty_codes()
    df = present(summary[(summary["region_code"] == str(region_code)) & summary["indicator"].isin(codes)
                         & (summary["year"] <= int(upto_year))])
    return pd.DataFrame({"year": df["year"].astype(int).to_numpy(), "category": df["name_zh"].to_numpy(),
                         "code": df["indicator"].to_numpy(), "value": df["value"].astype(float).to_numpy()}
                        ).reset_index(drop=True)


def penalty_share_table(summary: pd.DataFrame, region_code: str, year: int) -> pd.DataFrame:
    """Penalty structure of one year: 处罚种类, 案件数（宗）, 占比（%）, 说明 (largest first).

    The share is ``100 * category / penalties_total`` (the derived ``share_*`` indicators); when
    the total is absent the share is computed over the sum of the categories shown, and 说明 says so.
    """
    rows = present(summary[(summary["region_code"] == str(region_code)) & (summary["year"] == int(year))])
    cats = rows[rows["indicator"].isin(_penalty_codes())].sort_values("value", ascending=False)
    total_row = rows[rows["indicator"] == "penalties_total"]
    if len(total_row) and float(total_row["value"].iloc[0]) > 0:
        total, note = float(total_row["value"].iloc[0]), "占行政处罚合计的比重"
    else:
        total = float(cats["value"].sum())
        note = "占所列种类之和的比重（未报送合计）"
    share = 100 * cats["value"].astype(float) / total if total > 0 else np.full(len(cats), np.nan)
    return pd.DataFrame({"处罚种类": cats["name_zh"].to_numpy(), "案件数（宗）": cats["value"].astype(float).to_numpy(),
                         "占比（%）": np.asarray(share, dtype=float), "说明": note}).reset_index(drop=True)


def _fmt(row: pd.Series | None) -> str:
    from analysis.present.narrative import format_value

    if row is None or bool(row["missing"]) or pd.isna(row["value"]):
        return "—"
    return format_value(row["value"], row["unit"], row["kind"], bool(row["approx"]))


def key_paragraph(summary: pd.DataFrame, region_code: str, year: int, indicators: Sequence[str]) -> str:
    """The narrative paragraph for ``indicators`` (:func:`analysis.present.narrative.paragraph`).

    When *every* indicator is in its first statistics year (nothing to compare, no trend), the values
    are listed in one sentence followed by a single note, instead of repeating the same clause per
    indicator.
    """
    from analysis.present.narrative import paragraph

    rows = present(summary[(summary["region_code"] == str(region_code)) & (summary["year"] == int(year))
                           & summary["indicator"].isin(list(indicators))])
    if rows.empty or not (rows["pct_change_status"] == "first_year").all():
        return paragraph(summary, region_code, year, list(indicators))
    by_code = {r["indicator"]: r for _, r in rows.iterrows()}
    level = str(rows["level"].iloc[0])
    ranked = level in ("city", "county") and rows["rank"].notna().any()
    items = []
    for c in indicators:
        if c not in by_code:
            continue
        r = by_code[c]
        rank = f"（第{int(r['rank'])}位）" if ranked and pd.notna(r["rank"]) and pd.notna(r["n_peers"]) else ""
        items.append(f"{r['name_zh']}{_fmt(r)}{rank}")
    name = str(rows["region_name"].iloc[0])
    note = ""
    if ranked:
        peers = {"city": "设区市", "county": "县（市、区）"}[level]
        note = f"括号内为在全区各{peers}中的位次（按数值从大到小排列）。"
    return (f"{int(year)}年，{name}" + "，".join(items) + "。" + note + "本年度为首个统计年度，暂无上年数据可供比较，"
            "可比年度不足4年，暂不作趋势判断。")


def license_paragraph(summary: pd.DataFrame, region_code: str, year: int, region_name: str) -> str:
    """A compact paragraph on licensing: applications, decisions, the grant rate and its change.

    Empty string when the region has no licensing figure in ``year``.
    """
    get = {c: row_of(summary, region_code, year, c) for c in LICENSE_INDICATORS}
    have = {c: r for c, r in get.items() if r is not None and not bool(r["missing"]) and pd.notna(r["value"])}
    if not have:
        return ""
    parts = []
    if "licenses_applied" in have:
        parts.append(f"收到行政许可申请{_fmt(have['licenses_applied'])}")
    if "licenses_accepted" in have:
        parts.append(f"受理{_fmt(have['licenses_accepted'])}")
    decided = [f"{label}{_fmt(have[c])}" for c, label in (("licenses_granted", "准予许可"),
                                                          ("licenses_refused", "不予许可")) if c in have]
    if decided:
        parts.append("、".join(decided))
    text = f"{int(year)}年，{region_name}" + "，".join(parts)
    if "licenses_revoked" in have:
        text += f"，撤销行政许可{_fmt(have['licenses_revoked'])}"
    rate = have.get("license_grant_rate")
    if rate is not None:
        text += f"；行政许可准予率（准予许可数占作出决定数的比重）为{_fmt(rate)}"
        if rate["pct_change_status"] in ("ok", "zero_base") and pd.notna(rate["prev_value"]):
            diff = float(rate["value"]) - float(rate["prev_value"])
            if abs(diff) < 0.05:
                text += "，与上年持平"
            else:
                text += f"，较上年{'提高' if diff > 0 else '下降'}{abs(diff):.1f}个百分点"
        elif rate["pct_change_status"] == "first_year":
            text += "，本年度为首个有行政许可数据的年度，暂无上年数据可供比较"
        else:
            text += f"，因{int(year) - 1}年未报送行政许可数据，暂无法进行同比比较"
    return text + "。"


def casefile_paragraph(summary: pd.DataFrame, region_code: str, year: int, region_name: str) -> str:
    """A compact paragraph on the case-file evaluation published in ``year`` (it covers the cases of
    ``evaluated_year``): files reviewed by grade, pass and excellent rates with the 95 % Wilson
    interval, and the change against the previous evaluation. Empty string when there is none."""
    from analysis.present.narrative import format_value

    rates = casefile_rates(summary, region_code=region_code, upto_year=year)
    this = rates[rates["year"] == int(year)]
    if this.empty:
        return ""
    r = this.iloc[0]
    ev = int(r["evaluated_year"])
    get = {c: row_of(summary, region_code, year, c) for c in CASEFILE_INDICATORS}
    text = f"{int(year)}年，{region_name}对{ev}年度办结的行政执法案卷开展评查，共评查案卷{_fmt(get['casefile_reviewed'])}"
    grades = [f"{label}{_fmt(get[c])}" for c, label in (("casefile_excellent", "优秀"), ("casefile_passed", "合格"),
                                                        ("casefile_failed", "不合格"))
              if get[c] is not None and not bool(get[c]["missing"])]
    if grades:
        text += "，其中" + "、".join(grades)
    if r["reviewed"] > 0:
        text += (f"；案卷合格率为{format_value(r['pass_rate'], '%', 'rate')}（95%置信区间为"
                 f"{r['pass_lo']:.1f}%～{r['pass_hi']:.1f}%），优秀率为{format_value(r['excellent_rate'], '%', 'rate')}")
    else:
        text += "；评查案卷数为零，合格率无法计算"
    earlier = rates[(rates["year"] < int(year)) & (rates["reviewed"] > 0)]
    if len(earlier) and r["reviewed"] > 0:
        p = earlier.iloc[-1]
        diff = float(r["pass_rate"]) - float(p["pass_rate"])
        change = "持平" if abs(diff) < 0.05 else f"{'提高' if diff > 0 else '下降'}{abs(diff):.1f}个百分点"
        text += (f"。与上一次评查（{int(p['year'])}年报告，评查{int(p['evaluated_year'])}年度案卷）相比，"
                 f"合格率{change}")
    else:
        text += "。此前无可比的评查结果"
    return text + "。"


# --------------------------------------------------------------------------- regions (03)


def ranking_frame(summary: pd.DataFrame, year: int, indicator: str, level: str,
                  parent_code: str | None = None) -> pd.DataFrame:
    """Regions of one level (optionally under one parent) with a value for ``indicator`` in ``year``.

    Columns ``region_code, region_name, value, unit, rank, n_peers, outlier, approx``, best rank first.
    """
    df = present(summary[(summary["year"] == int(year)) & (summary["indicator"] == indicator)
                         & (summary["level"] == level)])
    if parent_code is not None:
        df = df[df["parent_code"] == str(parent_code)]
    df = df.sort_values(["rank", "region_code"])
    return df[["region_code", "region_name", "value", "unit", "rank", "n_peers", "outlier", "approx"]].reset_index(
        drop=True)


def region_year_pivot(summary: pd.DataFrame, indicator: str, level: str, upto_year: int | None = None,
                      parent_code: str | None = None) -> pd.DataFrame:
    """Region names (rows, by code) x years (columns): the indicator's value, NaN where missing."""
    df = summary[(summary["indicator"] == indicator) & (summary["level"] == level)]
    if parent_code is not None:
        df = df[df["parent_code"] == str(parent_code)]
    if upto_year is not None:
        df = df[df["year"] <= int(upto_year)]
    if df.empty:
        return pd.DataFrame()
    df = df.assign(value=np.where(df["missing"].astype(bool), np.nan, df["value"].astype(float)))
    pivot = df.pivot_table(index="region_code", columns="year", values="value", aggfunc="first", dropna=False)
    names = df.drop_duplicates("region_code").set_index("region_code")["region_name"]
    pivot = pivot.sort_index()
    pivot.index = [str(names[c]) for c in pivot.index]
    pivot.columns = [int(c) for c in pivot.columns]
    return pivot.dropna(how="all")


def outlier_table(summary: pd.DataFrame, year: int, levels: Sequence[str] = ("city", "county"),
                  indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """Regions flagged as outliers among their peers in ``year``: 地区, 层级, 指标, 数值, 单位, 同级中位数, 判定方法.

    The flag is the summary table's ``outlier`` (funnel limits for proportions, modified z-score for
    the rest); the peer median is over the same level and province. ``indicators`` restricts the
    indicators looked at (default: all).
    """
    df = present(summary[(summary["year"] == int(year)) & summary["level"].isin(list(levels))])
    if indicators is not None:
        df = df[df["indicator"].isin(list(indicators))]
    med = df.groupby(["indicator", "level"])["value"].median()
    out = df[df["outlier"].astype(bool)].sort_values(["level", "indicator", "region_code"])
    method = np.where(out["kind"] == "rate", "漏斗图99.8%控制限", "稳健Z值（中位数/MAD）")
    return pd.DataFrame({
        "地区": out["region_name"].to_numpy(),
        "层级": out["level"].map(LEVEL_ZH).to_numpy(),
        "指标": out["name_zh"].to_numpy(),
        "数值": out["value"].astype(float).to_numpy(),
        "单位": out["unit"].fillna("").to_numpy(),
        "同级中位数": [float(med[(i, lv)]) for i, lv in zip(out["indicator"], out["level"])],
        "判定方法": method,
    }).reset_index(drop=True)


def per_capita_table(summary: pd.DataFrame, year: int, level: str) -> pd.DataFrame:
    """Per-capita and per-area values (only when the summary was built with a reference table).

    Columns 地区, 每万人立案查处案件（起/万人）, 每万人罚没款（万元/万人）, 每千平方千米立案查处案件（起/千平方千米）;
    empty when none of these indicators is present.
    """
    codes = ["cases_filed_per_10k_pop", "fines_per_10k_pop", "cases_filed_per_1000km2"]
    df = present(summary[(summary["year"] == int(year)) & (summary["level"] == level)
                         & summary["indicator"].isin(codes)])
    if df.empty:
        return pd.DataFrame()
    wide = df.pivot_table(index="region_code", columns="indicator", values="value", aggfunc="first")
    names = df.drop_duplicates("region_code").set_index("region_code")["region_name"]
    meta = indicator_metadata()
    out = pd.DataFrame({"地区": [names[c] for c in wide.index]})
    for code in codes:
        if code in wide.columns:
            out[f"{meta.at[code, 'name_zh']}（{meta.at[code, 'unit']}）"] = wide[code].to_numpy(dtype=float)
    return out.sort_values(out.columns[1], ascending=False).reset_index(drop=True)


def ranking_table(summary: pd.DataFrame, year: int, level: str, indicators: Sequence[str],
                  parent_code: str | None = None) -> pd.DataFrame:
    """Regions of one level (rows, by code) x indicators: 地区, then per indicator ``名称（单位）`` and
    ``名称排名`` (``rank/n_peers``). Regions without any of the values are left out."""
    meta = indicator_metadata()
    frames = []
    for code in indicators:
        r = ranking_frame(summary, year, code, level, parent_code)
        if r.empty:
            continue
        name, unit = meta.at[code, "name_zh"], meta.at[code, "unit"]
        frames.append(pd.DataFrame({
            "region_code": r["region_code"], "region_name": r["region_name"],
            f"{name}（{unit}）": r["value"].astype(float),
            f"{name}排名": [f"{int(a)}/{int(b)}" for a, b in zip(r["rank"], r["n_peers"])],
        }).set_index(["region_code", "region_name"]))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, axis=1).sort_index().reset_index()
    out = out.drop(columns="region_code").rename(columns={"region_name": "地区"})
    for col in out.columns:
        if col.endswith("排名"):
            out[col] = out[col].fillna("—")
    return out


# --------------------------------------------------------------------------- case files (04)


def casefile_rates(summary: pd.DataFrame, *, region_code: str | None = None, year: int | None = None,
                   level: str | None = None, upto_year: int | None = None) -> pd.DataFrame:
    """Pass and excellent rates with 95 % Wilson intervals, by year (one region) or by region (one year).

    Select rows with ``region_code`` (all its years up to ``upto_year``) or with ``year`` and ``level``.
    Counts come from the summary's derived rows: pass rate = (excellent + passed) / reviewed,
    excellent rate = excellent / reviewed (:mod:`analysis.stats.rates`, Wilson 1927). A unit with 0 reviewed
    files has rates NaN (kept, ``reviewed = 0``).

    Returns ``year, evaluated_year, region_code, region_name, reviewed, passed, excellent, pass_rate,
    pass_lo, pass_hi, excellent_rate, excellent_lo, excellent_hi`` (rates in %).
    """
    from analysis.stats.rates import wilson_interval

    df = summary[summary["indicator"].isin(["casefile_pass_rate", "casefile_excellent_rate"])]
    if region_code is not None:
        df = df[df["region_code"] == str(region_code)]
        if upto_year is not None:
            df = df[df["year"] <= int(upto_year)]
    if year is not None:
        df = df[df["year"] == int(year)]
    if level is not None:
        df = df[df["level"] == level]
    df = df[df["denominator"].notna()]
    keys = ["year", "evaluated_year", "region_code", "region_name"]
    cols = [*keys, "reviewed", "passed", "excellent", "pass_rate", "pass_lo", "pass_hi", "excellent_rate",
            "excellent_lo", "excellent_hi"]
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    wide = df.pivot_table(index=keys, columns="indicator", values=["numerator", "denominator"], aggfunc="first")
    out = wide.index.to_frame(index=False)
    reviewed = wide[("denominator", "casefile_pass_rate")].to_numpy(dtype=float)
    passed = wide[("numerator", "casefile_pass_rate")].to_numpy(dtype=float)
    excellent = wide[("numerator", "casefile_excellent_rate")].to_numpy(dtype=float)
    out["reviewed"], out["passed"], out["excellent"] = reviewed, passed, excellent
    for prefix, x in (("pass", passed), ("excellent", excellent)):
        w = wilson_interval(x, reviewed, as_percent=True)
        out[f"{prefix}_rate"] = w["rate"].to_numpy()
        out[f"{prefix}_lo"] = w["low"].to_numpy()
        out[f"{prefix}_hi"] = w["high"].to_numpy()
    out["year"] = out["year"].astype(int)
    out["evaluated_year"] = out["evaluated_year"].astype(int)
    return out.sort_values(["year", "region_code"]).reset_index(drop=True)[cols]


def casefile_rate_table(rates: pd.DataFrame, by: str = "year") -> pd.DataFrame:
    """Display table of :func:`casefile_rates`: 报告年度/地区, 评查案卷年度, 评查案卷（宗）, 合格（含优秀）, 合格率,
    合格率95%置信区间, 优秀（宗）, 优秀率, 优秀率95%置信区间."""
    def ci(lo, hi):
        return [("—" if (math.isnan(a) or math.isnan(b)) else f"{a:.1f}%～{b:.1f}%") for a, b in zip(lo, hi)]

    first = ([f"{int(y)}年" for y in rates["year"]] if by == "year" else rates["region_name"].tolist())
    out = pd.DataFrame({
        ("报告年度" if by == "year" else "地区"): first,
        "评查案卷所属年度": [f"{int(y)}年" for y in rates["evaluated_year"]],
        "评查案卷（宗）": rates["reviewed"].astype(float).to_numpy(),
        "合格及以上（宗）": rates["passed"].astype(float).to_numpy(),
        "合格率（%）": rates["pass_rate"].astype(float).to_numpy(),
        "合格率95%置信区间": ci(rates["pass_lo"].astype(float), rates["pass_hi"].astype(float)),
        "优秀（宗）": rates["excellent"].astype(float).to_numpy(),
        "优秀率（%）": rates["excellent_rate"].astype(float).to_numpy(),
        "优秀率95%置信区间": ci(rates["excellent_lo"].astype(float), rates["excellent_hi"].astype(float)),
    })
    return out


def casefile_difference(rates: pd.DataFrame, group: str, successes: str = "passed") -> dict:
    """:func:`analysis.stats.rates.rate_difference_test` of the pass (or excellent) rate across ``group``
    (``"year"`` or ``"region_name"``), on the counts of :func:`casefile_rates`."""
    from analysis.stats.rates import rate_difference_from_table

    df = rates[[group, successes, "reviewed"]].dropna()
    return rate_difference_from_table(df, group=group, successes=successes, trials="reviewed")


TEST_NAMES_ZH = {
    "chi2": "皮尔逊卡方检验",
    "fisher": "Fisher精确检验",
    "fisher_monte_carlo": "Fisher-Freeman-Halton精确检验（蒙特卡洛模拟）",
    "none": "未进行检验",
}


def describe_test(result: Mapping, subject: str) -> str:
    """One or two formal Chinese sentences on a difference test: which test, why, and the conclusion.

    ``subject`` names what is compared, e.g. ``各设区市案卷合格率``.
    """
    test = str(result.get("test", "none"))
    excluded = list(result.get("excluded") or [])
    ex_text = f"（{'、'.join(str(e) for e in excluded)}评查案卷数为零，未纳入检验）" if excluded else ""
    if test == "none":
        return f"对{subject}的差异未进行统计检验：{result.get('reason_zh', '')}{ex_text}。"
    name = TEST_NAMES_ZH.get(test, test)
    p = float(result.get("p_value", math.nan))
    p_text = "P<0.001" if p < 0.001 else f"P={p:.3f}"
    why = str(result.get("reason_zh", ""))
    if result.get("significant"):
        verdict = f"在0.05显著性水平下，{subject}存在统计学意义上的显著差异"
    else:
        verdict = f"在0.05显著性水平下，尚不能认为{subject}存在显著差异，观察到的差别可能源于评查案卷数量有限带来的随机波动"
    stat = result.get("statistic")
    stat_text = ""
    if test == "chi2" and stat is not None and not math.isnan(float(stat)):
        stat_text = f"卡方值为{float(stat):.2f}，自由度为{int(result.get('dof'))}，"
    return (f"对{subject}的差异采用{name}：{why}{ex_text}。检验结果{stat_text}{p_text}，{verdict}。")


def funnel_frames(rates: pd.DataFrame, successes: str = "passed") -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Points and limits for :func:`analysis.present.charts.funnel_plot` from :func:`casefile_rates` (one year).

    Method: :func:`analysis.stats.rates.funnel_data` (Spiegelhalter 2005): target = pooled rate, 95 % and 99.8 %
    binomial limits. Units with 0 reviewed files are left out of the plot. Returns ``(points, limits,
    center)``; points have ``label, n, rate, outlier, outside95`` (rates in %), limits ``n, lo95, hi95,
    lo998, hi998``.
    """
    from analysis.stats.rates import funnel_curve, funnel_data

    df = rates[rates["reviewed"].astype(float) > 0]
    if df.empty:
        return (pd.DataFrame(columns=["label", "n", "rate", "outlier", "outside95"]),
                pd.DataFrame(columns=["n", "lo95", "hi95", "lo998", "hi998"]), math.nan)
    fd = funnel_data(df, successes=successes, trials="reviewed", unit="region_name", as_percent=True)
    points = pd.DataFrame({"label": fd["region_name"].to_numpy(), "n": fd["trials"].to_numpy(),
                           "rate": fd["rate"].to_numpy(), "outlier": fd["outside998"].to_numpy(),
                           "outside95": fd["outside95"].to_numpy()})
    center = float(fd["p0"].iloc[0])
    curve = funnel_curve(center / 100.0, float(fd["trials"].max()) * 1.1, as_percent=True)
    limits = pd.DataFrame({"n": curve["n"], "lo95": curve["low95"], "hi95": curve["high95"],
                           "lo998": curve["low998"], "hi998": curve["high998"]})
    return points, limits, center


# --------------------------------------------------------------------------- region profile (05)


def peer_table(summary: pd.DataFrame, region_code: str, year: int, indicators: Sequence[str]) -> pd.DataFrame:
    """The region's standing among its peers (same level and province) in ``year``.

    Columns 指标, 本地区, 单位, 同级排名, 同级中位数, 同级最大值, 是否异常; one row per indicator with a value.
    Rank 1 = largest value (ties share the minimum rank).
    """
    me = present(summary[(summary["region_code"] == str(region_code)) & (summary["year"] == int(year))
                         & summary["indicator"].isin(list(indicators))])
    records = []
    for code in indicators:
        mine = me[me["indicator"] == code]
        if mine.empty:
            continue
        r = mine.iloc[0]
        peers = present(summary[(summary["year"] == int(year)) & (summary["indicator"] == code)
                                & (summary["level"] == r["level"])
                                & (summary["region_code"].str[:2] == str(region_code)[:2])])
        rank = "—" if pd.isna(r["rank"]) else f"{int(r['rank'])}/{int(r['n_peers'])}"
        records.append({"指标": r["name_zh"], "本地区": float(r["value"]), "单位": r["unit"] or "",
                        "同级排名": rank, "同级中位数": float(peers["value"].median()),
                        "同级最大值": float(peers["value"].max()), "是否异常": "是" if bool(r["outlier"]) else "否"})
    return pd.DataFrame.from_records(
        records, columns=["指标", "本地区", "单位", "同级排名", "同级中位数", "同级最大值", "是否异常"])


# --------------------------------------------------------------------------- notebook output helpers


def esc(value) -> str:
    """HTML-escaped text of any value (names and labels come from raw data)."""
    return html.escape("" if value is None else str(value))


REPORT_CSS = (
    "<style>.jp-RenderedHTMLCommon table.narrative-table td{text-align:left;}"
    " .jp-RenderedHTMLCommon table.narrative-table th{white-space:nowrap;}"
    " .report-subtitle{font-size:1.25em;font-weight:600;margin:0.2em 0 0.6em 0;}</style>"
)


def header_html(subtitle: str, is_sample: bool) -> str:
    """The report's subtitle line (escaped), the table style, and the 示例数据 notice when applicable."""
    return f'{REPORT_CSS}<div class="report-subtitle">{esc(subtitle)}</div>{sample_notice_html(is_sample)}'


def sample_notice_html(is_sample: bool) -> str:
    """The 示例数据 notice box (empty string for real data)."""
    if not is_sample:
        return ""
    return ('<div style="border:2px solid #B22222;background:#FFF4F4;color:#8B0000;padding:0.6em 1em;'
            'margin:0.5em 0;font-weight:bold;">注意：本报告所用数据为示例数据（合成数据），不是官方统计数据，'
            '仅用于演示分析方法和报告格式，不得作为工作依据引用。</div>')


def show_html(fragment: str) -> None:
    """Display an HTML fragment (the caller escapes any data-derived text)."""
    from IPython.display import HTML, display

    display(HTML(fragment))


def paragraphs_html(texts: Sequence[str]) -> str:
    return "".join(f'<p style="text-indent:2em;line-height:1.8;">{esc(t)}</p>' for t in texts if t)


def show_paragraphs(*texts: str) -> None:
    """Display plain-text paragraphs (escaped) in the report's body style."""
    show_html(paragraphs_html(texts))


def show_table(df: pd.DataFrame, caption: str) -> None:
    """Display a table as styled, escaped HTML (:func:`analysis.present.tables.to_html`)."""
    from analysis.present.tables import to_html

    if df is None or df.empty:
        show_paragraphs(f"{caption}：暂无数据。")
        return
    show_html(to_html(df, caption))


SAVED_DPI = 200  # analysis.present.charts.save_figure writes PNGs at 200 dpi


def inline_png(png_path: str | Path, dpi: int = 100, saved_dpi: int = SAVED_DPI) -> bytes:
    """A screen-resolution copy of a saved high-resolution chart PNG, for embedding in the report.

    Downscaled from ``saved_dpi`` to ``dpi`` (Lanczos) and reduced to a 256-colour palette: charts have
    few colours, so this keeps each embedded image at a fraction of the full-colour size, and it avoids
    drawing the figure a second time (text layout dominates matplotlib's rendering time).
    """
    from PIL import Image

    with Image.open(png_path) as img:
        rgb = img.convert("RGB")
    if dpi < saved_dpi:
        size = (max(1, round(rgb.width * dpi / saved_dpi)), max(1, round(rgb.height * dpi / saved_dpi)))
        rgb = rgb.resize(size, Image.Resampling.LANCZOS)
    small = rgb.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    small.save(out, format="PNG")
    return out.getvalue()


def show_figure(fig, output_dir: str | Path, stem: str, dpi: int = 100) -> None:
    """Save ``fig`` as PNG and SVG into ``<output_dir>/figures/`` (:func:`analysis.present.charts.save_figure`)
    and display it inline as a screen-resolution PNG (:func:`inline_png`)."""
    from IPython.display import Image, display

    from analysis.present.charts import save_figure

    folder = Path(output_dir) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    paths = save_figure(fig, folder, stem)
    display(Image(data=inline_png(paths["png"], dpi=dpi), format="png"))


def _csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    from analysis.present.tables import safe_text

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: v if not isinstance(v, str) else safe_text(v))
    out.columns = [safe_text(str(c)) for c in out.columns]
    return out


_FILE_BAD = re.compile(r"[^0-9A-Za-z_\-\u4e00-\u9fff]+")


def write_tables(output_dir: str | Path, stem: str, tables: Mapping[str, pd.DataFrame]) -> dict[str, Path]:
    """Write each table as ``<stem>_<name>.csv`` (UTF-8 with BOM, for Excel) and all of them as one
    ``<stem>.xlsx`` workbook (one sheet per table) into ``<output_dir>/tables/``; atomic writes.

    ``name`` is the table's (Chinese) key with anything but letters, digits, CJK, ``_`` and ``-``
    replaced by ``_``. Text cells pass through the spreadsheet formula-injection guard. Returns the
    written paths by table name, plus ``"xlsx"``.
    """
    from analysis.atomic import atomic_path
    from analysis.present.tables import to_xlsx

    folder = Path(output_dir) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for i, (name, df) in enumerate(tables.items(), start=1):
        safe = _FILE_BAD.sub("_", str(name)).strip("_")[:40] or str(i)
        dest = folder / f"{stem}_{safe}.csv"
        with atomic_path(dest) as tmp:
            _csv_safe(df).to_csv(tmp, index=False, encoding="utf-8-sig")
        paths[name] = dest
    paths["xlsx"] = to_xlsx(dict(tables), folder / f"{stem}.xlsx")
    return paths


__all__ = [
    "KEY_INDICATORS",
    "Processed",
    "ROLLED_UP_SOURCE",
    "agency_mapping",
    "casefile_difference",
    "casefile_rate_table",
    "casefile_rates",
    "cell_position",
    "check_region",
    "check_year",
    "coverage_matrix",
    "coverage_pivot",
    "coverage_table",
    "findings_summary",
    "findings_table",
    "find_reference",
    "funnel_frames",
    "indicator_series",
    "load_processed",
    "loaded_files",
    "missing_vs_zero",
    "outlier_table",
    "peer_table",
    "penalty_composition_frame",
    "penalty_share_table",
    "per_capita_table",
    "ranking_frame",
    "region_year_pivot",
    "resolve_path",
    "show_figure",
    "show_table",
    "describe_test",
    "with_rollups",
    "write_tables",
]
