"""The data-quality report (notebook 01): what was loaded, coverage, findings, missing versus zero, agencies.

Tables: :func:`loaded_files`, :func:`coverage_matrix` / :func:`coverage_pivot` / :func:`coverage_table`,
:func:`findings_summary` / :func:`findings_table`, :func:`missing_vs_zero` / :func:`missing_vs_zero_table`,
:func:`agency_mapping`, :func:`hierarchy_table`. Sections (each returns a :class:`~analysis.views.display.Section`
for :func:`~analysis.views.display.show`): :func:`intro`, :func:`loaded`, :func:`coverage`, :func:`findings`,
:func:`missing`, :func:`agencies`, :func:`hierarchy`, :func:`export`.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.stats.derive import indicator_metadata
from analysis.stats.hierarchy import ROLLED_UP_SOURCE
from analysis.views.context import Report
from analysis.views.display import Figure, Html, Section, Table, header_html, list_html, paragraphs
from analysis.views.shaping import LEVEL_ORDER, names
from analysis.views.wording import say

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
FINDING_COLUMNS = ["严重程度", "代码", "文件", "工作表", "单元格", "原始值", "说明"]
HIERARCHY_COLUMNS = ["年度", "地区", "指标", "上级报送数", "下级汇总数", "差额", "报送下级数"]


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
    out["name_zh"] = out["indicator"].map(names()).fillna(out["indicator"])
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
    pivot.index = [str(names().get(c, c)) for c in pivot.index]
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
    out.insert(0, "指标", out.pop("indicator").map(names()))
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
    out["name_zh"] = out["indicator"].map(names()).fillna("")
    out.loc[out["indicator"] == "", "name_zh"] = say("quality", "missing_unknown_indicator")
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


def hierarchy_table(facts: pd.DataFrame) -> pd.DataFrame:
    """Parents whose reported figure differs from the sum of their children
    (:func:`analysis.stats.hierarchy.check_hierarchy` status ``mismatch`` or ``incomplete_children``):
    年度, 地区, 指标, 上级报送数, 下级汇总数, 差额, 报送下级数. Empty (no columns) when all agree."""
    from analysis.stats.hierarchy import check_hierarchy

    hc = check_hierarchy(facts)
    diff = hc[hc["status"].isin(["mismatch", "incomplete_children"])].copy()
    if diff.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        "年度": [say("common", "year", year=int(y)) for y in diff["year"]],
        "地区": diff["region_name"].to_numpy(),
        "指标": diff["indicator"].map(names()).fillna(diff["indicator"]).to_numpy(),
        "上级报送数": diff["reported"].astype(float).to_numpy(),
        "下级汇总数": diff["rolled_up"].astype(float).to_numpy(),
        "差额": diff["difference"].astype(float).to_numpy(),
        "报送下级数": [f"{int(a)}/{int(b)}" for a, b in zip(diff["n_children"], diff["n_children_expected"])],
    })


# --------------------------------------------------------------------------- sections


def intro(rep: Report) -> Section:
    """The subtitle, what was loaded (files, years, regions by level, facts) and the findings by severity."""
    facts, year, years = rep.facts, rep.year, rep.data.years
    counts = severity_counts(rep.data.quality)
    levels = facts.drop_duplicates("region_code")["level"].value_counts()
    loaded_text = say("quality", "intro.loaded", year=year, n_files=facts["source_file"].nunique(),
                      first_year=years[0], last_year=years[-1], n_years=len(years),
                      n_regions=facts["region_code"].nunique(), n_province=levels.get("province", 0),
                      n_city=levels.get("city", 0), n_county=levels.get("county", 0), n_facts=len(facts))
    verdict = "verdict_error" if counts["error"] else "verdict_warning" if counts["warning"] else "verdict_clean"
    findings_text = say("quality", "intro.findings", n_total=sum(counts.values()), n_error=counts["error"],
                        n_warning=counts["warning"], n_info=counts["info"]) + say("quality", f"intro.{verdict}")
    return Section([Html(header_html(say("quality", "subtitle", year=year), rep.is_sample)),
                    paragraphs(loaded_text, findings_text)])


def loaded(rep: Report) -> Section:
    """Table 1: the raw files loaded."""
    files = rep.keep("载入文件", loaded_files(rep.facts))
    return Section([Table(files, say("quality", "caption.loaded"))])


def coverage(rep: Report) -> Section:
    """Table 2 and a heatmap: regions with a figure per indicator and year."""
    cov = coverage_matrix(rep.facts)
    table = rep.keep("覆盖情况", coverage_table(cov))
    fig = _charts().region_year_heatmap(
        coverage_pivot(cov), say("quality", "coverage_chart.unit"),
        indicator_name=say("quality", "coverage_chart.indicator_name"),
        title=say("quality", "coverage_chart.title"), **rep.chart)
    return Section([Table(table, say("quality", "caption.coverage")),
                    Figure(fig, rep.out_dir, "01_quality_coverage")])


def findings(rep: Report) -> Section:
    """Table 3 (findings by code), the errors and warnings to check one by one, table 4 (every finding)."""
    summary_q = rep.keep("问题汇总", findings_summary(rep.data.quality))
    table = rep.keep("问题清单", findings_table(rep.data.quality))
    serious = table[table["严重程度"].isin([SEVERITY_ZH["error"], SEVERITY_ZH["warning"]])]
    if len(serious):
        lines = [say("quality", "serious.item", file=r["文件"], sheet=r["工作表"], cell=r["单元格"],
                     raw_value=r["原始值"], message=r["说明"]) for _, r in serious.iterrows()]
        listing = Html(list_html(say("quality", "serious.heading"), lines))
    else:
        listing = paragraphs(say("quality", "serious.none"))
    return Section([Table(summary_q, say("quality", "caption.findings_summary")), listing,
                    Table(table, say("quality", "caption.findings"))])


def missing(rep: Report) -> Section:
    """Missing cells versus explicit zeros (table 5)."""
    mz = missing_vs_zero(rep.facts, rep.data.quality)
    table = rep.keep("缺失与零值", missing_vs_zero_table(mz))
    text = say("quality", "missing", n_missing=int(mz["n_missing"].sum()), n_zero=int(mz["n_zero"].sum()))
    return Section([paragraphs(text), Table(table, say("quality", "caption.missing"))])


def agencies(rep: Report) -> Section:
    """Table 6: agency labels and the regions they were assigned to."""
    table = rep.keep("填报单位", agency_mapping(rep.facts))
    return Section([Table(table, say("quality", "caption.agencies"))])


def hierarchy(rep: Report) -> Section:
    """Reported parents' figures against the sum of their children (table 7 when any differ)."""
    table = rep.keep("上下级核对", hierarchy_table(rep.facts))
    if table.empty:
        return Section([paragraphs(say("quality", "hierarchy.consistent"))])
    return Section([paragraphs(say("quality", "hierarchy.differences", n=len(table))),
                    Table(table, say("quality", "caption.hierarchy"))])


def export(rep: Report) -> Section:
    """Every table of the report (empty ones too) to ``tables/01_quality.*``."""
    return rep.export("01_quality", keep_empty=True, note="tables_figures")


def _charts():
    from analysis.present import charts

    return charts
