"""Generate the report notebooks in ``notebooks/`` from the cell sources below (reviewable Python, not JSON).

Usage::

    .venv/bin/python scripts/build_notebooks.py            # (re)write notebooks/*.ipynb
    .venv/bin/python scripts/build_notebooks.py --check    # exit 1 when a committed notebook differs

The notebooks are written without outputs, with ``execution_count: null``, kernel ``python3``, and a first
code cell tagged ``parameters`` (papermill). Edit the cells here, then re-run this script.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

PARAMS = '''# 参数（papermill 运行时会在本单元格之后注入实际取值）
year = 2024
processed_dir = "../data/processed"
output_dir = ""  # 留空则写入 ../outputs/<year>/（leave empty: ../outputs/<year>/）'''

SETUP = '''import html
import logging
import math
from pathlib import Path

import pandas as pd

from analysis.present import charts
from analysis import views as v
from analysis.present.narrative import format_value, paragraph, sentence
from analysis.present.tables import key_indicator_table, to_docx

logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
esc = html.escape
year = int(year)
out_dir = v.resolve_path(output_dir or f"../outputs/{year}")
'''


def _chart_kwargs() -> str:
    return '''CHART = dict(source="行政执法统计报表" + ("（示例数据）" if data.is_sample else ""), data_year=year,
             is_sample=data.is_sample)'''



def _load_summary() -> str:
    """The opening of every notebook that reads the summary table: load, check the year, roll up, summarise."""
    return SETUP + '''data = v.load_processed(processed_dir)
year = v.check_year(data.facts, year)
''' + _chart_kwargs() + '''
facts = v.with_rollups(data.facts)
summary = v.cached_summary(facts, data.reference, data.is_sample, v.summary_cache_dir(out_dir))
'''


LOAD_SUMMARY = _load_summary()

# --------------------------------------------------------------------------- 01 数据质量报告

QUALITY = [
    ("md", "# 数据质量报告"),
    ("md", "本报告说明本次分析载入了哪些原始报表、各年度各指标的数据覆盖情况、数据清洗中发现的问题（逐条列明原始单元格），"
           "以及哪些数据属于缺失、哪些属于明确填报的零值。缺失数据不按零处理，不参与合计与比较。"),
    ("params", PARAMS),
    ("code", SETUP + '''data = v.load_processed(processed_dir, require_quality=True, with_reference=False)
year = v.check_year(data.facts, year)
''' + _chart_kwargs() + '''
facts, quality = data.facts, data.quality
counts = v.severity_counts(quality)
levels = facts.drop_duplicates("region_code")["level"].value_counts()
years = data.years
v.show_html(v.header_html(f"报告年度：{year}年", data.is_sample))
v.show_paragraphs(
    f"报告年度：{year}年。本次共载入原始报表文件{facts['source_file'].nunique()}个，涉及{years[0]}—{years[-1]}年共"
    f"{len(years)}个年度、{facts['region_code'].nunique()}个地区（省级{levels.get('province', 0)}个、市级"
    f"{levels.get('city', 0)}个、县级{levels.get('county', 0)}个），形成统计数值{len(facts)}条。",
    f"数据质量检查共发现问题{sum(counts.values())}条，其中错误{counts['error']}条、警告{counts['warning']}条、"
    f"提示{counts['info']}条。" + ("存在错误的数据须经核实后方可使用。" if counts["error"] else
                                   "未发现错误，警告事项已逐条列明，请相关单位核实。" if counts["warning"] else
                                   "未发现错误和警告。"),
)'''),
    ("md", "## 一、载入情况"),
    ("code", '''files = v.loaded_files(facts)
v.show_table(files, "表1　载入的原始报表文件")'''),
    ("md", "## 二、数据覆盖情况\n\n下表按年度列出各指标有数据的地区数（“省1 市5 县22”表示省级1个、市级5个、县级22个地区报送了该指标），"
           "“—”表示该年度没有任何地区报送。"),
    ("code", '''coverage = v.coverage_matrix(facts)
cov_table = v.coverage_table(coverage)
v.show_table(cov_table, "表2　各年度各指标数据覆盖情况")
pivot = v.coverage_pivot(coverage)
fig = charts.region_year_heatmap(pivot, "个", indicator_name="有数据的地区数",
                                 title="各指标各年度有数据的地区数", **CHART)
v.show_figure(fig, out_dir, "01_quality_coverage")'''),
    ("md", "## 三、质量检查发现的问题\n\n按严重程度汇总如下；“错误”须核实后方可使用，“警告”提示可能的填报差错，"
           "“提示”说明清洗过程中的处理方式（如单位换算、重复数值、缺失单元格）。"),
    ("code", '''summary_q = v.findings_summary(quality)
v.show_table(summary_q, "表3　质量检查问题分类汇总")
findings = v.findings_table(quality)
serious = findings[findings["严重程度"].isin(["错误", "警告"])]
if len(serious):
    lines = [f"{r['文件']}（工作表“{r['工作表']}”，单元格{r['单元格']}，原始值“{r['原始值']}”）：{r['说明']}"
             for _, r in serious.iterrows()]
    v.show_html("<p><b>需重点核实的问题：</b></p><ol>" + "".join(f"<li>{esc(t)}</li>" for t in lines) + "</ol>")
else:
    v.show_paragraphs("未发现错误或警告级别的问题。")
v.show_table(findings, "表4　质量检查问题清单（逐条列明原始单元格）")'''),
    ("md", "## 四、缺失与零值\n\n原始报表中空白、“-”“—”“/”“无”等单元格按缺失处理，不视为零；"
           "明确填写为0的单元格按零值采用。下表按年度和指标列出二者的数量（仅列出存在缺失或零值的指标）。"),
    ("code", '''mz = v.missing_vs_zero(facts, quality)
mz_table = v.missing_vs_zero_table(mz)
n_missing, n_zero = int(mz["n_missing"].sum()), int(mz["n_zero"].sum())
v.show_paragraphs(f"全部载入数据中，按缺失处理的单元格共{n_missing}个，明确填报为零的数值共{n_zero}条。"
                  "缺失单元格未生成统计数值，相关地区在对应指标的排名、合计和比较中不予计入。")
v.show_table(mz_table, "表5　缺失单元格与零值数量")'''),
    ("md", "## 五、填报单位识别情况\n\n原始报表中的填报单位名称按所属地区归并，下表列出每个填报单位名称（按原文显示）及其所属地区，供核对。"),
    ("code", '''agencies = v.agency_mapping(facts)
v.show_table(agencies, "表6　填报单位与所属地区对照")'''),
    ("md", "## 六、上下级数据一致性\n\n将县级数据汇总至设区市、设区市数据汇总至全区，与上级报送的合计数核对。"
           "差异不一定是差错（上级数据可能包含本级直接办理的案件），但须核实。"),
    ("code", '''from analysis.stats.hierarchy import check_hierarchy

hc = check_hierarchy(facts)
diff = hc[hc["status"].isin(["mismatch", "incomplete_children"])].copy()
if diff.empty:
    v.show_paragraphs("各年度上级报送数与下级汇总数均一致。")
    hc_table = pd.DataFrame()
else:
    names = v.indicator_metadata()["name_zh"]
    hc_table = pd.DataFrame({
        "年度": [f"{int(y)}年" for y in diff["year"]],
        "地区": diff["region_name"].to_numpy(),
        "指标": diff["indicator"].map(names).fillna(diff["indicator"]).to_numpy(),
        "上级报送数": diff["reported"].astype(float).to_numpy(),
        "下级汇总数": diff["rolled_up"].astype(float).to_numpy(),
        "差额": diff["difference"].astype(float).to_numpy(),
        "报送下级数": [f"{int(a)}/{int(b)}" for a, b in zip(diff["n_children"], diff["n_children_expected"])],
    })
    v.show_paragraphs(f"共发现上级报送数与下级汇总数不一致{len(hc_table)}处，详见下表。")
    v.show_table(hc_table, "表7　上级报送数与下级汇总数不一致情况")'''),
    ("code", '''_ = v.write_tables(out_dir, "01_quality", {
    "载入文件": files, "覆盖情况": cov_table, "问题汇总": summary_q, "问题清单": findings,
    "缺失与零值": mz_table, "填报单位": agencies, "上下级核对": hc_table,
})
v.show_paragraphs("本报告各表已导出至 tables/01_quality.xlsx 及同名 CSV 文件，图表已导出至 figures/ 目录。")'''),
]


# --------------------------------------------------------------------------- 02 年度执法工作总览

OVERVIEW = [
    ("md", "# 年度执法工作总览"),
    ("params", PARAMS),
    ("code", LOAD_SUMMARY + '''prov = v.province_of(data.facts)
P = prov["code"]
first_year = data.years[0]
v.show_html(v.header_html(f"{prov['name']}　{year}年度", data.is_sample))
span = f"{year}年" if first_year == year else f"{first_year}—{year}年"
v.show_paragraphs(
    f"本报告依据{span}行政执法统计数据，对{prov['name']}{year}年度行政执法工作主要指标进行分析，"
    f"包括同比变化和多年趋势（趋势采用Mann-Kendall检验，显著性水平0.05，可比年度不足4年的不作趋势判断）。"
    + ("本年度为首个统计年度，暂无上年数据可供比较。" if year == first_year else "")
)'''),
    ("md", "## 一、主要执法指标"),
    ("code", '''key = v.available_indicators(summary, P, year, v.OVERVIEW_INDICATORS)
main_text = v.key_paragraph(summary, P, year, [c for c in v.KEY_INDICATORS if c in key])
v.show_paragraphs(main_text)
key_table = key_indicator_table(summary, P, year, key)
v.show_table(key_table, f"表1　{prov['name']}{year}年主要执法指标")'''),
    ("code", '''series = v.indicator_series(summary, P, v.KEY_INDICATORS, upto_year=year)
if series["year"].nunique() >= 2:
    fig = charts.small_multiples(series, ncols=3, title=f"{prov['name']}主要执法指标年度变化（{first_year}—{year}年）",
                                 **CHART)
    v.show_figure(fig, out_dir, "02_overview_key_indicators")
for code, stem in (("cases_filed", "cases"), ("fines_collected", "fines")):
    part = series[series["code"] == code]
    if part["value"].notna().sum() >= 2:
        r = v.row_of(summary, P, year, code)
        fig = charts.trend_line(part[["year", "value"]], r["name_zh"], r["unit"], **CHART)
        v.show_figure(fig, out_dir, f"02_overview_trend_{stem}")'''),
    ("md", "## 二、行政处罚结构"),
    ("code", '''comp = v.penalty_composition_frame(summary, P, year)
pen_years = sorted(comp["year"].unique())
share = pd.DataFrame()
if not pen_years:
    v.show_paragraphs(f"截至{year}年，尚无分类别的行政处罚统计数据。")
else:
    pen_year = year if year in pen_years else int(pen_years[-1])
    share = v.penalty_share_table(summary, P, pen_year)
    rolled = facts[(facts["region_code"] == P) & (facts["year"] == pen_year)
                   & (facts["indicator"] == "penalties_total")]["rolled_up"].any()
    total = v.row_of(summary, P, pen_year, "penalties_total")
    lead = (f"{pen_year}年" if pen_year == year else f"本年度未报送分类别行政处罚数据，最近一次为{pen_year}年：")
    text = lead + f"{prov['name']}共实施行政处罚"
    if total is not None and not total["missing"]:
        text += format_value(total["value"], total["unit"], total["kind"], bool(total["approx"]))
    else:
        text += format_value(share["案件数（宗）"].sum(), "宗", "count")
    top = share[share["案件数（宗）"] > 0].head(3)
    if len(top):
        text += "，其中" + "，".join(f"{r['处罚种类']}{int(r['案件数（宗）'])}宗、占{r['占比（%）']:.1f}%"
                                   for _, r in top.iterrows())
    text += "。"
    if rolled:
        text += "全区行政处罚数据由各设区市报表汇总得出（全区未单独报送合计）。"
    category = v.indicator_catalog().set_index("code")["category"]
    if (comp["code"].map(category) == "penalty_merged").any():
        text += "部分年度报表将若干处罚种类合并填报（标注“合并列”），此类数据按原表口径列示，未作拆分。"
    v.show_paragraphs(text)
    fig = charts.penalty_composition(comp, share=True, title=f"{prov['name']}行政处罚种类构成", **CHART)
    v.show_figure(fig, out_dir, "02_overview_penalty_structure")
    v.show_table(share, f"表2　{prov['name']}{pen_year}年行政处罚种类构成")'''),
    ("md", "## 三、行政许可"),
    ("code", '''lic = v.available_indicators(summary, P, year, v.LICENSE_INDICATORS)
lic_table = pd.DataFrame()
if lic:
    lic_text = v.license_paragraph(summary, P, year, prov["name"])
    v.show_paragraphs(lic_text)
    lic_table = key_indicator_table(summary, P, year, lic)
    v.show_table(lic_table, f"表3　{prov['name']}{year}年行政许可实施情况")
else:
    lic_text = f"{year}年未报送行政许可实施情况统计数据。"
    v.show_paragraphs(lic_text)'''),
    ("md", "## 四、案卷评查"),
    ("code", '''cf = v.casefile_rates(summary, region_code=P, upto_year=year)
cf_table = pd.DataFrame()
cf_text = ""
if cf.empty:
    cf_text = f"截至{year}年，尚无案卷评查统计数据。"
    v.show_paragraphs(cf_text)
else:
    this = cf[cf["year"] == year]
    if len(this):
        ev = int(this["evaluated_year"].iloc[0])
        cf_text = (f"{year}年报告的案卷评查结果针对{ev}年度办结的行政执法案卷（评查数据按发布年度归档，"
                   f"反映上一年度的办案质量）。" + v.casefile_paragraph(summary, P, year, prov["name"]))
    else:
        last = cf.iloc[-1]
        cf_text = (f"{year}年未报送案卷评查数据。最近一次评查结果见{int(last['year'])}年报告（评查"
                   f"{int(last['evaluated_year'])}年度案卷），案卷合格率为{last['pass_rate']:.1f}%。")
    v.show_paragraphs(cf_text)
    cf_table = v.casefile_rate_table(cf, by="year")
    v.show_table(cf_table, f"表4　{prov['name']}历年案卷评查结果（含95%置信区间）")
    chart_df = pd.DataFrame({"label": [f"{int(y)}年报告\\n（{int(e)}年度案卷）" for y, e in
                                       zip(cf["year"], cf["evaluated_year"])],
                             "rate": cf["pass_rate"], "lo": cf["pass_lo"], "hi": cf["pass_hi"]})
    fig = charts.pass_rate_chart(chart_df, rate_name="案卷合格率", title=f"{prov['name']}案卷合格率及95%置信区间",
                                 **CHART)
    v.show_figure(fig, out_dir, "02_overview_casefile_pass_rate")'''),
    ("code", '''tables = {"主要指标": key_table, "行政处罚结构": share, "行政许可": lic_table, "案卷评查": cf_table}
tables = {k: t for k, t in tables.items() if len(t)}
_ = v.write_tables(out_dir, "02_overview", tables)
docx_paras = [t for t in (main_text, lic_text, cf_text) if t]
if data.is_sample:
    docx_paras.insert(0, "说明：本文档所用数据为示例数据（合成数据），不是官方统计数据。")
_ = to_docx(tables, docx_paras, out_dir / "tables" / "02_overview.docx",
            title=f"{prov['name']}{year}年度行政执法工作总览")
v.show_paragraphs("本报告各表已导出至 tables/02_overview.xlsx、同名 CSV 文件及 Word 文档 tables/02_overview.docx，"
                  "可直接用于公文编写。")'''),
]


# --------------------------------------------------------------------------- 03 地区比较

REGIONS = [
    ("md", "# 地区比较"),
    ("params", PARAMS),
    ("code", LOAD_SUMMARY + '''prov = v.province_of(data.facts)
LEVELS = {"city": "设区市", "county": "县（市、区）"}
COMPARE = ["cases_filed", "fines_collected", "patrols", "violations_stopped", "stop_orders", "fines_per_case"]
v.show_html(v.header_html(f"{prov['name']}　{year}年度", data.is_sample))
v.show_paragraphs(
    f"本报告比较{year}年{prov['name']}各设区市和各县（市、区）的主要执法指标：排名（并列者名次相同）、"
    "与同级平均水平的对比、历年变化及异常值。各地区规模差异较大，比较时宜结合人口、面积等因素综合研判。")'''),
    ("md", "## 一、各设区市比较"),
    ("code", '''def ranking_section(level, stem):
    label = LEVELS[level]
    table = v.ranking_table(summary, year, level, COMPARE)
    if table.empty:
        v.show_paragraphs(f"{year}年暂无{label}数据。")
        return table
    for code in ("cases_filed", "fines_collected"):
        r = v.ranking_frame(summary, year, code, level)
        if r.empty:
            continue
        name, unit = r_name(code), r["unit"].iloc[0]
        top, bottom = r.iloc[0], r.iloc[-1]
        v.show_paragraphs(
            f"{year}年，{label}中{name}最多的是{top['region_name']}（{format_value(top['value'], unit, kind(code))}），"
            f"最少的是{bottom['region_name']}（{format_value(bottom['value'], unit, kind(code))}），"
            f"{len(r)}个{label}平均为{format_value(r['value'].mean(), unit, 'ratio' if unit != '万元' else 'money')}。")
        fig = charts.ranking_bars(r, unit=unit, indicator_name=name, average_label=f"{label}平均",
                                  title=f"{year}年各{label}{name}排名", **CHART)
        v.show_figure(fig, out_dir, f"{stem}_{code}")
    v.show_table(table, f"{year}年各{label}主要执法指标及排名")
    return table


meta = v.indicator_metadata()


def r_name(code):
    return str(meta.at[code, "name_zh"])


def kind(code):
    return str(meta.at[code, "kind"])


city_table = ranking_section("city", "03_regions_city_ranking")'''),
    ("code", '''pivot = v.region_year_pivot(summary, "cases_filed", "city", upto_year=year)
if pivot.shape[1] >= 2:
    fig = charts.region_year_heatmap(pivot, "起", indicator_name="立案查处案件",
                                     title="各设区市立案查处案件年度对比", **CHART)
    v.show_figure(fig, out_dir, "03_regions_city_heatmap_cases")
    series = v.region_year_pivot(summary, "fines_collected", "city", upto_year=year)
    long = series.reset_index(names="indicator").melt(id_vars="indicator", var_name="year", value_name="value")
    long["unit"] = "万元"
    fig = charts.small_multiples(long, ncols=3, title="各设区市罚没款年度变化（万元）", **CHART)
    v.show_figure(fig, out_dir, "03_regions_city_small_multiples_fines")'''),
    ("md", "## 二、各县（市、区）比较"),
    ("code", '''county_table = ranking_section("county", "03_regions_county_ranking")
pivot = v.region_year_pivot(summary, "fines_collected", "county", upto_year=year)
if pivot.shape[1] >= 2:
    fig = charts.region_year_heatmap(pivot, "万元", indicator_name="罚没款", title="各县（市、区）罚没款年度对比",
                                     **CHART)
    v.show_figure(fig, out_dir, "03_regions_county_heatmap_fines")'''),
    ("md", "## 三、异常值识别\n\n异常值采用稳健方法识别：数量和金额类指标采用基于中位数和中位数绝对偏差（MAD）的修正Z值，"
           "绝对值大于3.5判为异常；比率类指标采用漏斗图99.8%控制限。异常值提示该地区与同级地区差别明显，需结合实际情况分析原因，"
           "不代表数据错误。"),
    ("code", '''outliers = v.outlier_table(summary, year, indicators=COMPARE + ["stop_order_rate", "casefile_pass_rate"])
if outliers.empty:
    v.show_paragraphs(f"{year}年各设区市、各县（市、区）主要执法指标未发现异常值。")
else:
    items = [f"{r['地区']}{r['指标']}{format_value(r['数值'], r['单位'], 'money' if r['单位'] == '万元' else 'ratio')}"
             f"（同级中位数{format_value(r['同级中位数'], r['单位'], 'money' if r['单位'] == '万元' else 'ratio')}）"
             for _, r in outliers.iterrows()]
    v.show_paragraphs(f"{year}年共识别出异常值{len(outliers)}项：" + "；".join(items) + "。建议对上述地区的数据来源和"
                      "实际情况进一步核实分析。")
    v.show_table(outliers, f"{year}年主要执法指标异常值")'''),
    ("md", "## 四、按人口和面积折算"),
    ("code", '''per_city = v.per_capita_table(summary, year, "city")
per_county = v.per_capita_table(summary, year, "county")
if data.reference is None:
    v.show_paragraphs("未找到人口和面积参考表（data/reference/regions_population_area_sample.csv），本节从略。")
else:
    note = "；".join(sorted(set(data.reference["source_note"].dropna().astype(str))))
    v.show_paragraphs("下表按常住人口（每万人）和土地面积（每千平方千米）折算主要指标，以消除地区规模差异。"
                      f"参考表说明：{note}")
    v.show_table(per_city, f"{year}年各设区市主要指标人口面积折算值")
    v.show_table(per_county, f"{year}年各县（市、区）主要指标人口面积折算值")
    r = v.ranking_frame(summary, year, "fines_per_10k_pop", "county")
    if len(r):
        fig = charts.ranking_bars(r, unit="万元/万人", indicator_name="每万人罚没款",
                                  average_label="县（市、区）平均", title=f"{year}年各县（市、区）每万人罚没款",
                                  **CHART)
        v.show_figure(fig, out_dir, "03_regions_county_fines_per_10k")'''),
    ("code", '''tables = {"设区市比较": city_table, "县区比较": county_table, "异常值": outliers,
          "设区市人口面积折算": per_city, "县区人口面积折算": per_county}
_ = v.write_tables(out_dir, "03_regions", {k: t for k, t in tables.items() if len(t)})
v.show_paragraphs("本报告各表已导出至 tables/03_regions.xlsx 及同名 CSV 文件。")'''),
]


# --------------------------------------------------------------------------- 04 案卷评查分析

CASEFILE = [
    ("md", "# 案卷评查分析"),
    ("params", PARAMS),
    ("code", LOAD_SUMMARY + '''prov = v.province_of(data.facts)
P = prov["code"]
by_year = v.casefile_rates(summary, region_code=P, upto_year=year)
v.show_html(v.header_html(f"{prov['name']}　{year}年度", data.is_sample))
v.show_paragraphs(
    "案卷合格率为评查结果为优秀或合格的案卷占评查案卷总数的比重，优秀率为优秀案卷所占比重。"
    "由于各地评查案卷数量较少，单纯比较比率容易受偶然因素影响，本报告对每个比率给出95%置信区间（Wilson法，"
    "在样本量小、比率接近100%时仍能给出合理区间），并对差异进行统计检验。评查数据按发布年度归档，"
    "某年报告的评查结果反映上一年度办结案卷的质量。")
if by_year.empty:
    cf_year = None
    v.show_paragraphs(f"截至{year}年，尚无案卷评查统计数据，本报告其余部分从略。")
else:
    cf_year = int(by_year["year"].iloc[-1])
    ev_year = int(by_year["evaluated_year"].iloc[-1])
    if cf_year == year:
        v.show_paragraphs(f"{year}年报告的评查对象为{ev_year}年度办结的行政执法案卷。")
    else:
        v.show_paragraphs(f"{year}年未报送案卷评查数据，以下地区分析采用最近一次即{cf_year}年报告的评查结果"
                          f"（评查对象为{ev_year}年度办结的案卷）。")'''),
    ("md", "## 一、历年评查结果"),
    ("code", '''year_table = pd.DataFrame()
if cf_year is not None:
    v.show_paragraphs(v.casefile_paragraph(summary, P, cf_year, prov["name"]))
    year_table = v.casefile_rate_table(by_year, by="year")
    v.show_table(year_table, f"表1　{prov['name']}历年案卷评查结果")
    labels = [f"{int(e)}年度案卷" for e in by_year["evaluated_year"]]
    for col, name, stem in (("pass", "案卷合格率", "pass"), ("excellent", "案卷优秀率", "excellent")):
        df = pd.DataFrame({"label": labels, "rate": by_year[f"{col}_rate"], "lo": by_year[f"{col}_lo"],
                           "hi": by_year[f"{col}_hi"]})
        fig = charts.pass_rate_chart(df, rate_name=name, title=f"{prov['name']}历年{name}及95%置信区间", **CHART)
        v.show_figure(fig, out_dir, f"04_casefile_by_year_{stem}")
    if len(by_year) >= 2:
        test_years = v.casefile_difference(by_year, "year")
        v.show_paragraphs(v.describe_test(test_years, "各年度案卷合格率"))
    else:
        v.show_paragraphs("目前仅有一个年度的评查结果，暂无法进行年度间比较。")
else:
    v.show_paragraphs("暂无历年评查数据。")'''),
    ("md", "## 二、各设区市评查结果"),
    ("code", '''region_table = pd.DataFrame()
by_city = pd.DataFrame()
if cf_year is not None:
    by_city = v.casefile_rates(summary, year=cf_year, level="city")
if by_city.empty:
    v.show_paragraphs("暂无分设区市的案卷评查数据。")
else:
    zero = by_city[by_city["reviewed"] == 0]
    prov_row = by_year[by_year["year"] == cf_year].iloc[0]
    region_table = v.casefile_rate_table(by_city, by="region")
    v.show_table(region_table, f"表2　{cf_year}年报告各设区市案卷评查结果")
    if len(zero):
        v.show_paragraphs("、".join(zero["region_name"]) + "本次评查案卷数为零，相应比率无法计算，未纳入比较和检验。")
    shown = by_city[by_city["reviewed"] > 0]
    for col, name, stem in (("pass", "案卷合格率", "pass"), ("excellent", "案卷优秀率", "excellent")):
        df = pd.DataFrame({"label": shown["region_name"], "rate": shown[f"{col}_rate"], "lo": shown[f"{col}_lo"],
                           "hi": shown[f"{col}_hi"]})
        fig = charts.pass_rate_chart(df, rate_name=name, reference=float(prov_row[f"{col}_rate"]),
                                     reference_label="全区", title=f"{cf_year}年报告各设区市{name}及95%置信区间",
                                     **CHART)
        v.show_figure(fig, out_dir, f"04_casefile_by_city_{stem}")'''),
    ("md", "## 三、差异检验\n\n检验方法的选择：当列联表各格期望频数均不小于5时采用皮尔逊卡方检验；存在期望频数小于5的格子时，"
           "卡方近似不再可靠，改用Fisher精确检验（两组时直接计算，多组时采用Fisher-Freeman-Halton精确检验并以蒙特卡洛模拟计算P值）。"),
    ("code", '''test_text = ""
if len(by_city):
    for col, name in (("passed", "各设区市案卷合格率"), ("excellent", "各设区市案卷优秀率")):
        result = v.casefile_difference(by_city, "region_name", successes=col)
        test_text += v.describe_test(result, name)
    v.show_paragraphs(test_text)
else:
    v.show_paragraphs("暂无可供检验的数据。")'''),
    ("md", "## 四、漏斗图\n\n漏斗图以评查案卷数为横轴、案卷合格率为纵轴，以全区总体合格率为中心线，绘制95%和99.8%控制限"
           "（二项分布正态近似）。案卷数越少，控制限越宽；落在99.8%控制限以外的地区与总体水平的差异难以用随机波动解释，"
           "图中予以标注。"),
    ("code", '''funnel_table = pd.DataFrame()
if len(by_city):
    points, limits, center = v.funnel_frames(by_city)
    if len(points):
        fig = charts.funnel_plot(points, limits, center=center, title=f"{cf_year}年报告各设区市案卷合格率漏斗图",
                                 **CHART)
        v.show_figure(fig, out_dir, "04_casefile_funnel")
        flagged = points[points["outlier"]]
        warn = points[points["outside95"] & ~points["outlier"]]
        text = f"全区总体案卷合格率为{center:.1f}%。"
        if len(flagged):
            text += "、".join(flagged["label"]) + "的案卷合格率超出99.8%控制限，与全区总体水平存在明显差异，建议重点关注。"
        else:
            text += "各设区市均位于99.8%控制限以内，未发现与总体水平存在明显差异的地区。"
        if len(warn):
            text += "、".join(warn["label"]) + "位于95%与99.8%控制限之间，可作提示性关注。"
        v.show_paragraphs(text)
        funnel_table = pd.DataFrame({"地区": points["label"], "评查案卷（宗）": points["n"],
                                     "合格率（%）": points["rate"],
                                     "是否超出99.8%控制限": points["outlier"].map({True: "是", False: "否"})})
else:
    v.show_paragraphs("暂无可供绘制漏斗图的数据。")'''),
    ("code", '''tables = {"历年评查结果": year_table, "各设区市评查结果": region_table, "漏斗图数据": funnel_table}
_ = v.write_tables(out_dir, "04_casefile", {k: t for k, t in tables.items() if len(t)} or {"说明": pd.DataFrame(
    {"说明": [f"截至{year}年尚无案卷评查数据"]})})
v.show_paragraphs("本报告各表已导出至 tables/04_casefile.xlsx 及同名 CSV 文件。")'''),
]


# --------------------------------------------------------------------------- 05 地区画像

PROFILE_PARAMS = PARAMS + '\nregion = "640100"'

PROFILE = [
    ("md", "# 地区画像"),
    ("params", PROFILE_PARAMS),
    ("code", LOAD_SUMMARY + '''info = v.check_region(data.facts, str(region))
R = info["code"]
LEVEL_NAME = {"city": "设区市", "county": "县（市、区）", "province": "自治区"}
LEVEL_SHORT = {"city": "设区市", "county": "县级", "province": "省级"}
PROFILE = ["cases_filed", "cases_closed", "fines_collected", "patrols", "violations_stopped", "stop_orders",
           "fines_per_case", "stop_order_rate", "penalties_total", "licenses_granted", "license_grant_rate",
           "casefile_reviewed", "casefile_pass_rate", "casefile_excellent_rate"]
NARRATIVE = [c for c in PROFILE if not c.startswith("casefile")]
key = v.available_indicators(summary, R, year, PROFILE)
v.show_html(v.header_html(f"{info['name']}（{LEVEL_SHORT.get(info['level'], '')}）　{year}年度", data.is_sample))'''),
    ("md", "## 一、总体情况"),
    ("code", '''text = v.key_paragraph(summary, R, year, [c for c in key if c in NARRATIVE])
v.show_paragraphs(text, v.casefile_paragraph(summary, R, year, info["name"]))
table = key_indicator_table(summary, R, year, key)
v.show_table(table, f"表1　{info['name']}{year}年主要指标")'''),
    ("md", "## 二、历年变化"),
    ("code", '''series = v.indicator_series(summary, R, v.KEY_INDICATORS, upto_year=year)
if series["year"].nunique() >= 2 and len(series):
    fig = charts.small_multiples(series, ncols=3, title=f"{info['name']}主要执法指标年度变化", **CHART)
    v.show_figure(fig, out_dir, f"05_profile_{R}_trends")
else:
    v.show_paragraphs("可比年度不足两年，暂不绘制年度变化图。")'''),
    ("md", "## 三、在同级地区中的位置"),
    ("code", '''peers = v.peer_table(summary, R, year, PROFILE)
label = LEVEL_NAME.get(info["level"], "同级地区")
v.show_paragraphs(f"排名按数值从大到小排列（第1位为最大值，并列者名次相同），比较范围为全区各{label}。"
                  "排名反映工作量大小，不直接代表工作成效。")
v.show_table(peers, f"表2　{info['name']}{year}年主要指标在全区各{label}中的位置")
r = v.ranking_frame(summary, year, "cases_filed", info["level"])
if len(r) >= 2:
    fig = charts.ranking_bars(r, unit="起", indicator_name="立案查处案件", average_label=f"{label}平均",
                              highlight=info["name"], title=f"{year}年各{label}立案查处案件排名", **CHART)
    v.show_figure(fig, out_dir, f"05_profile_{R}_ranking")'''),
    ("code", '''children = pd.DataFrame()
if info["level"] == "city":
    children = v.ranking_table(summary, year, "county", ["cases_filed", "fines_collected", "patrols"],
                               parent_code=R)
    if len(children):
        v.show_html("<h2>四、所辖县（市、区）情况</h2>")
        v.show_table(children, f"表3　{info['name']}所辖县（市、区）{year}年主要指标")
_ = v.write_tables(out_dir, f"05_region_profile_{R}",
                   {k: t for k, t in {"主要指标": table, "同级比较": peers, "所辖县区": children}.items() if len(t)})'''),
]

SUITE = {
    "01_quality.ipynb": QUALITY,
    "02_overview.ipynb": OVERVIEW,
    "03_regions.ipynb": REGIONS,
    "04_casefile.ipynb": CASEFILE,
    "05_region_profile.ipynb": PROFILE,
}


def build(cells) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, source) in enumerate(cells):
        cell_id = f"cell-{i:02d}"
        if kind == "md":
            cell = new_markdown_cell(source, id=cell_id)
        else:
            cell = new_code_cell(source, id=cell_id)
            cell.execution_count = None
            cell.outputs = []
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed notebooks")
    parser.add_argument("--out", type=Path, default=NOTEBOOKS)
    args = parser.parse_args(argv)
    differ = []
    for name, cells in SUITE.items():
        text = nbformat.writes(build(cells)) + "\n"
        dest = args.out / name
        if args.check:
            if not dest.is_file() or dest.read_text("utf-8") != text:
                differ.append(name)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
    if differ:
        print("out of date: " + ", ".join(differ), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
