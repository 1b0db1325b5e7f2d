"""The tidy-facts contract as a pandera schema (see ``docs/contracts.md`` section 1).

``FACT_COLUMNS`` is the column order of ``facts.parquet``/``facts.csv``. ``facts_schema(catalog)``
builds the schema with the catalogue's indicator codes and units; ``FACTS_SCHEMA`` is the schema
over the packaged catalogue.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.atomic import atomic_path, atomic_write_bytes, ensure_dir, output_error
from analysis.catalog import LEVELS, Catalog, load_catalog
from analysis.errors import ParameterError
from analysis.safe_cells import EXCEL_CELL_MAX, neutralize_frame

if TYPE_CHECKING:  # pandas and pandera are imported where used: the report runner's start-up needs neither
    import pandas as pd
    import pandera.pandas as pandera

FACT_COLUMNS = [
    "year",
    "region_code",
    "region_name",
    "level",
    "agency",
    "indicator",
    "value",
    "unit",
    "approx",
    "source_file",
    "source_sheet",
    "source_cell",
    "scope",
    "source_kind",
    "evidence",
    "evidence_span",
    "region_code_reported",
]
SCOPES = ("region", "agency")
SOURCE_KINDS = ("table", "text")
#: Defaults for rows built before these columns existed (tables; the whole region).
FACT_DEFAULTS = {"scope": "region", "source_kind": "table", "evidence": "", "evidence_span": "",
                 "region_code_reported": ""}
FACT_DTYPES = {
    "year": "int64",
    "region_code": "object",
    "region_name": "object",
    "level": "object",
    "agency": "object",
    "indicator": "object",
    "value": "float64",
    "unit": "object",
    "approx": "bool",
    "source_file": "object",
    "source_sheet": "object",
    "source_cell": "object",
    "scope": "object",
    "source_kind": "object",
    "evidence": "object",
    "evidence_span": "object",
    "region_code_reported": "object",
}


def empty_facts() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in FACT_DTYPES.items()})[FACT_COLUMNS]


def with_fact_defaults(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the columns of :data:`FACT_DEFAULTS` added (or blanks filled) where missing."""
    out = df.copy()
    for col, default in FACT_DEFAULTS.items():
        out[col] = out[col].fillna(default) if col in out else default
    return out


def preferred_scope(facts: pd.DataFrame) -> pd.DataFrame:
    """The facts a report uses: where a (year, region, indicator) has a whole-region figure
    (``scope == "region"``), the bureau's own figures (``agency``) for the same key are left out.

    Both stay in ``facts.parquet``; statistics call this before aggregating so a city's whole-city figure
    and its bureau's own figure are never added together.
    """
    if facts.empty or "scope" not in facts:
        return facts
    key = ["year", "region_code", "indicator"]
    has_region = facts.loc[facts["scope"] == "region", key].drop_duplicates().assign(_has_region=True)
    merged = facts.merge(has_region, on=key, how="left")
    keep = ~((merged["scope"] == "agency") & merged["_has_region"].eq(True))
    return facts.loc[keep.to_numpy()]


def facts_schema(catalog: Catalog) -> pandera.DataFrameSchema:
    import numpy as np

    try:  # pandera >= 0.24 moved the pandas API to ``pandera.pandas``
        import pandera.pandas as pa
    except ImportError:  # pragma: no cover - older pandera
        import pandera as pa

    units = {code: ind.unit for code, ind in catalog.indicators.items()}
    names = {code: r.name for code, r in catalog.regions.items()}

    def unit_matches(df: pd.DataFrame) -> pd.Series:
        return df["indicator"].map(units) == df["unit"]

    def name_matches(df: pd.DataFrame) -> pd.Series:
        return df["region_code"].map(names) == df["region_name"]

    return pa.DataFrameSchema(
        {
            "year": pa.Column(int, pa.Check.in_range(1949, 2100)),
            "region_code": pa.Column(str, pa.Check.str_matches(r"^\d{6}$")),
            "region_name": pa.Column(str, pa.Check.str_length(min_value=1)),
            "level": pa.Column(str, pa.Check.isin(sorted(LEVELS))),
            "agency": pa.Column(str),
            "indicator": pa.Column(str, pa.Check.isin(sorted(catalog.indicators))),
            "value": pa.Column(float, pa.Check(lambda s: np.isfinite(s), element_wise=False, name="finite")),
            "unit": pa.Column(str),
            "approx": pa.Column(bool),
            "source_file": pa.Column(str, pa.Check.str_length(min_value=1)),
            "source_sheet": pa.Column(str),
            # B7 (Excel), R7C2 (CSV, web page, Word, PDF tables), S3 (3rd sentence of a text paragraph)
            "source_cell": pa.Column(str, pa.Check.str_matches(r"^([A-Z]{1,3}\d+|R\d+C\d+|S\d+)$")),
            "scope": pa.Column(str, pa.Check.isin(list(SCOPES))),
            "source_kind": pa.Column(str, pa.Check.isin(list(SOURCE_KINDS))),
            "evidence": pa.Column(str),
            "evidence_span": pa.Column(str, pa.Check.str_matches(r"^(\d+-\d+)?$")),
            # the code or name as published (临安市 in 2016); region_code is the code in force today (330112)
            "region_code_reported": pa.Column(str),
        },
        checks=[
            pa.Check(unit_matches, name="unit_matches_catalogue"),
            pa.Check(name_matches, name="region_name_matches_code"),
        ],
        strict=False,
        coerce=False,
        name="tidy_facts",
    )




def __getattr__(name: str):
    """``FACTS_SCHEMA``: the schema over the packaged catalogue, built on first use (pandera and the
    catalogue load cost about a second, which the report runner's start-up and every kernel need not pay)."""
    if name == "FACTS_SCHEMA":
        schema = facts_schema(load_catalog())
        globals()["FACTS_SCHEMA"] = schema
        return schema
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------- the processed folder
# The one place that knows the folder ``enforcement clean`` writes and every later stage reads.

FACTS_PARQUET = "facts.parquet"
FACTS_CSV = "facts.csv"
QUALITY_CSV = "quality.csv"
META_JSON = "meta.json"
PROCESSED_FILES = (FACTS_PARQUET, QUALITY_CSV, META_JSON)
"""The files a report notebook may read (``facts.csv`` is the analysts' CSV twin of the Parquet file)."""
# Case-level penalty records (written only when the raw folder has some; see analysis.clean.cases):
CASES_DUCKDB = "cases.duckdb"  # the case table (ID numbers stay here)
CASES_PARQUET = "cases.parquet"  # its interchange copy without personal data
CASE_FACTS_PARQUET = "case_facts.parquet"  # yearly facts from the records (source_kind "cases")
CASE_RECONCILE_CSV = "case_reconcile.csv"  # case totals against the yearly tables
CASE_FILES = (CASES_DUCKDB, CASES_PARQUET, CASE_FACTS_PARQUET, CASE_RECONCILE_CSV)

QUALITY_COLUMNS = ["severity", "code", "file", "sheet", "cell", "raw_value", "message", "message_zh", "message_en"]
_HINT = ("请先运行 enforcement clean 生成处理后的数据", "run `enforcement clean` first")


def _missing(path) -> ParameterError:
    return ParameterError(f"缺少数据文件：{path}；{_HINT[0]}", f"missing processed file: {path}; {_HINT[1]}")


def processed_folder(folder) -> Path:
    """``folder`` as a resolved path; :class:`ParameterError` when it is not a folder."""
    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise ParameterError(f"处理后的数据目录不存在：{path}；{_HINT[0]}",
                             f"processed data folder not found: {path}; {_HINT[1]}")
    return path


def read_meta(folder, required: bool = True) -> dict:
    """``meta.json`` as a dict (``{}`` when it holds something else, or is absent and not ``required``);
    clear errors when absent and required, or corrupt."""
    path = Path(folder) / META_JSON
    if not path.is_file():
        if not required:
            return {}
        raise _missing(path)
    try:
        meta = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ParameterError(f"无法读取 {path}；{_HINT[0]}", f"cannot read {path}: {err}") from None
    return meta if isinstance(meta, dict) else {}


def read_facts(folder, columns: list[str] | None = None) -> pd.DataFrame:
    """``facts.parquet`` (``year`` as int, ``region_code`` as str); ``columns`` reads only those."""
    import pandas as pd

    path = Path(folder) / FACTS_PARQUET
    if not path.is_file():
        raise _missing(path)
    try:
        facts = pd.read_parquet(path, columns=columns)
    except (OSError, ValueError) as err:
        raise ParameterError(f"无法读取 {path}，请重新运行 enforcement clean", f"cannot read {path}: {err}") from None
    if "year" in facts:
        facts["year"] = facts["year"].astype(int)
    if "region_code" in facts:
        facts["region_code"] = facts["region_code"].astype(str)
    return facts


def read_quality(folder, required: bool = False) -> pd.DataFrame:
    """``quality.csv`` as strings; an empty frame with the contract's columns when absent (unless required)."""
    import pandas as pd

    path = Path(folder) / QUALITY_CSV
    if not path.is_file():
        if required:
            raise _missing(path)
        return pd.DataFrame({c: pd.Series(dtype=object) for c in QUALITY_COLUMNS})
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ParameterError(f"无法读取 {path}，请重新运行 enforcement clean", f"cannot read {path}: {err}") from None


def quality_counts(folder) -> dict[str, int]:
    """Findings by severity in ``quality.csv`` (all zero when the file is absent).

    Read with the ``csv`` module, not pandas: the report runner calls this before anything else, and a
    no-change re-run must not pay for importing pandas.
    """
    import csv

    path = Path(folder) / QUALITY_CSV
    counts = {"error": 0, "warning": 0, "info": 0}
    if not path.is_file():
        return counts
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                severity = (row.get("severity") or "").strip()
                if severity in counts:
                    counts[severity] += 1
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise ParameterError(f"无法读取 {path}，请重新运行 enforcement clean", f"cannot read {path}: {err}") from None
    return counts


FACTS_INDEX = "facts_index"
"""``meta.json`` key: the digest of ``facts.parquet`` with its years and each region's name and level, so
the report runner plans a run without reading the Parquet file (pyarrow alone takes half a second to
import). Written by :func:`write_processed`; ignored when the digest no longer matches the file."""


def facts_index(facts: pd.DataFrame, parquet: Path) -> dict:
    """The :data:`FACTS_INDEX` entry for ``facts`` as written to ``parquet``."""
    from analysis.fingerprint import file_digest

    regions: dict[str, list[str]] = {}
    for code, name, level in zip(facts["region_code"].astype(str), facts["region_name"].astype(str),
                                 facts["level"].astype(str)):
        regions.setdefault(code, [name, level])
    return {"sha256": file_digest(parquet), "years": sorted({int(y) for y in facts["year"]}), "regions": regions}


def read_facts_index(folder) -> tuple[list[int], dict[str, tuple[str, str]]] | None:
    """Years and ``{region_code: (name, level)}`` of ``facts.parquet`` from ``meta.json``; None when the
    index is absent, malformed or older than the Parquet file (then read the file itself)."""
    from analysis.fingerprint import file_digest

    folder = Path(folder)
    try:
        index = read_meta(folder, required=False).get(FACTS_INDEX)
    except ParameterError:
        return None
    if not isinstance(index, dict) or index.get("sha256") != file_digest(folder / FACTS_PARQUET):
        return None
    try:
        years = sorted(int(y) for y in index["years"])
        regions = {str(code): (str(name), str(level)) for code, (name, level) in index["regions"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return years, regions


def write_processed(out_dir, facts: pd.DataFrame, quality: pd.DataFrame, meta: dict) -> None:
    """Write the folder atomically: ``facts.parquet``, ``facts.csv`` and ``quality.csv`` (UTF-8 with BOM, CRLF,
    text cells formula-neutralised) and ``meta.json``."""
    out_dir = ensure_dir(Path(out_dir))
    try:
        with atomic_path(out_dir / FACTS_PARQUET) as tmp:
            facts.to_parquet(tmp, index=False)
    except OSError as err:
        raise output_error(err, out_dir / FACTS_PARQUET) from None
    # CRLF line ends (RFC 4180): the csv writer then quotes every cell holding a CR or LF, so a raw
    # cell with a bare CR cannot split a row when the file is read back.
    text_quality = [c for c in QUALITY_COLUMNS if c != "severity"]
    fact_text = [c for c, dtype in FACT_DTYPES.items() if dtype == "object"]  # every text column, evidence included
    for name, frame, columns in ((FACTS_CSV, facts, fact_text), (QUALITY_CSV, quality, text_quality)):
        safe = neutralize_frame(frame, columns, max_len=EXCEL_CELL_MAX)
        atomic_write_bytes(out_dir / name, safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"))
    meta = {**meta, FACTS_INDEX: facts_index(facts, out_dir / FACTS_PARQUET)}
    atomic_write_bytes(out_dir / META_JSON, json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8"))
