"""Loading the processed data folder for a notebook, and checking the notebook's parameters.

:func:`load_processed` reads ``facts.parquet``, ``meta.json`` and ``quality.csv``; :func:`resolve_path`
makes a notebook's relative path parameters work from JupyterLab and from the runner alike;
:func:`require_year` and :func:`check_region` turn a bad parameter into a bilingual :class:`ParameterError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.errors import ParameterError
from analysis.processed import processed_folder, read_facts, read_meta, read_quality
from analysis.stats.derive import region_catalog

REFERENCE_FILE = "regions_population_area_sample.csv"


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
    return Path(__file__).resolve().parents[3] / "notebooks"  # src/analysis/views/loading.py -> repo


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


def load_processed(processed_dir: str | Path, require_quality: bool = False,
                   with_reference: bool = True) -> Processed:
    """Read ``facts.parquet``, ``meta.json`` and (if present, or required) ``quality.csv`` through
    :mod:`analysis.processed`, the one reader of the processed folder.

    Raises :class:`ParameterError` with a bilingual message naming the missing file and the command that
    makes it (``enforcement clean``). With ``with_reference`` the population/area table next to the
    processed folder is loaded too (:func:`find_reference`).
    """
    folder = processed_folder(resolve_path(processed_dir))
    facts = read_facts(folder)
    meta = read_meta(folder)
    quality = read_quality(folder, required=require_quality)
    reference = find_reference(folder) if with_reference else None
    return Processed(facts, quality, meta, folder, reference)


def find_reference(processed_dir: str | Path) -> pd.DataFrame | None:
    """The population/area table ``<processed_dir>/../reference/regions_population_area_sample.csv``.

    That is ``data/reference/`` beside ``data/processed/``. Returns None when the file is absent.
    """
    from analysis.stats.population import load_reference

    path = Path(processed_dir) / ".." / "reference" / REFERENCE_FILE
    if not path.is_file():
        return None
    return load_reference(path.resolve())


def require_year(facts: pd.DataFrame, year: int) -> int:
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


def provinces_in(facts: pd.DataFrame) -> list[str]:
    """The province codes the facts cover (GB/T 2260: a region's first two digits name its province)."""
    return sorted({str(c)[:2] + "0000" for c in facts["region_code"].astype(str).unique()})


def select_province(facts: pd.DataFrame, province: str | None = "", region: str | None = None) -> pd.DataFrame:
    """The facts of one province: ``province`` as a code (``370000``) or a name (山东, 山东省); empty means
    the province of ``region`` when given, else the data's only province. Several provinces and no choice
    is a :class:`ParameterError` that lists them (the report runner passes one set of reports each)."""
    have = provinces_in(facts)
    wanted = str(province or "").strip()
    if not wanted and region:
        wanted = str(region)[:2] + "0000"
    if not wanted:
        if len(have) <= 1:
            return facts
        names = region_catalog().set_index("code")["name"]
        listing = "、".join(f"{names.get(c, c)}({c})" for c in have)
        raise ParameterError(f"数据包含多个省级地区：{listing}；请用 province 参数选择一个",
                             f"the data covers several provinces ({', '.join(have)}); choose one with the province parameter")
    code = province_code(wanted, have)
    return facts[facts["region_code"].astype(str).str[:2] == code[:2]]


def province_code(text: str, have: list[str]) -> str:
    """The province code for ``text`` (a code such as 370000, or a name such as 山东 / 山东省) among the
    provinces ``have``; a clear :class:`ParameterError` when it is no province or not in the data."""
    text = str(text).strip()
    if text.isdigit() and len(text) == 6:
        code = text[:2] + "0000"
    else:
        from analysis.catalog import load_catalog

        match = load_catalog().resolve_region(text)
        if match.status != "ok" or match.region is None or match.region.level != "province":
            raise ParameterError(f"无法识别省级地区：{text}", f"not a province: {text!r}")
        code = match.region.code
    if code not in have:
        names = region_catalog().set_index("code")["name"]
        listing = "、".join(f"{names.get(c, c)}({c})" for c in have) or "无"
        raise ParameterError(f"数据中没有省级地区“{text}”（已有：{listing}）",
                             f"province {text!r} is not in the data (have: {', '.join(have)})")
    return code
