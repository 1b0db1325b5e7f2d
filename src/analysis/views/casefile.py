"""The case-file evaluation report (notebook 04), and the case-file figures the overview and profile share.

Data: :func:`casefile_rates` (pass and excellent rates with Wilson intervals), :func:`casefile_rate_table`,
:func:`casefile_difference`, :func:`change_test`, :func:`funnel_frames`, :func:`pass_rate_frame` (the one home
of the pass-rate chart's frame); prose: :func:`casefile_paragraph`, :func:`describe_test` (for the leaders)
and :func:`describe_method` (for the 附注). Sections: :func:`intro`, :func:`by_year`, :func:`by_city`,
:func:`tests`, :func:`funnel`, :func:`notes`, :func:`export`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from analysis.present.narrative import format_row
from analysis.views.context import Report
from analysis.views.display import Figure, Html, Section, Table, header_html, paragraphs
from analysis.views.shaping import CASEFILE_INDICATORS, row_of
from analysis.views.wording import flat_threshold_points, join, points_change, say, template

RATES = ("pass", "excellent")
"""The two rates of an evaluation: ``<rate>_rate``, ``<rate>_lo``, ``<rate>_hi`` columns of :func:`casefile_rates`."""


def _year(y) -> str:
    return say("common", "year", year=int(y))


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
        return [("—" if (math.isnan(a) or math.isnan(b)) else say("casefile", "interval", lo=a, hi=b))
                for a, b in zip(lo, hi)]

    first = ([_year(y) for y in rates["year"]] if by == "year" else rates["region_name"].tolist())
    out = pd.DataFrame({
        ("报告年度" if by == "year" else "地区"): first,
        "评查案卷所属年度": [_year(y) for y in rates["evaluated_year"]],
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


def pass_rate_frame(rates: pd.DataFrame, labels: Sequence[str], rate: str = "pass") -> pd.DataFrame:
    """The frame of :func:`analysis.present.charts.pass_rate_chart`: ``label, rate, lo, hi`` (rates in %)
    for ``rate`` (``"pass"`` or ``"excellent"``) of the rows of :func:`casefile_rates`."""
    return pd.DataFrame({"label": list(labels), "rate": rates[f"{rate}_rate"], "lo": rates[f"{rate}_lo"],
                         "hi": rates[f"{rate}_hi"]})


def pass_rate_figure(rep: Report, rates: pd.DataFrame, labels: Sequence[str], rate: str, *, name: str, title: str,
                     reference: float | None = None, reference_label: str | None = None):
    """:func:`analysis.present.charts.pass_rate_chart` of :func:`pass_rate_frame` with the report's chart style."""
    from analysis.present import charts

    extra = {} if reference is None else {"reference": reference, "reference_label": reference_label}
    return charts.pass_rate_chart(pass_rate_frame(rates, labels, rate), rate_name=name, title=title, **extra,
                                  **rep.chart)


def describe_test(result: Mapping, subject: str) -> str:
    """One sentence for the leaders on a difference test: whether ``subject`` differs, with the P value.

    ``subject`` names what is compared, e.g. ``各设区市案卷合格率``. The test's name and why it was chosen
    are for the 附注 (:func:`describe_method`), not for this sentence.
    """
    test = str(result.get("test", "none"))
    excluded = list(result.get("excluded") or [])
    ex_text = (say("casefile", "test.excluded", regions=join("common", "list_separator", excluded))
               if excluded else "")
    if test == "none":
        return say("casefile", "test.not_tested", subject=subject, reason=str(result.get("reason_zh", "")),
                   excluded=ex_text)
    p = float(result.get("p_value", math.nan))
    p_text = say("casefile", "test.p_small") if p < 0.001 else say("casefile", "test.p_value", p=p)
    verdict = say("casefile", "test.significant" if result.get("significant") else "test.not_significant",
                  subject=subject)
    return say("casefile", "test.result", subject=subject, excluded=ex_text, p=p_text, verdict=verdict)


def describe_method(result: Mapping, subject: str) -> str:
    """The 附注 sentence on a difference test: which test and why (statistic and degrees of freedom)."""
    test = str(result.get("test", "none"))
    if test == "none":
        return ""
    name = template("casefile", "test.names").get(test, test)
    stat = result.get("statistic")
    stat_text = ""
    if test == "chi2" and stat is not None and not math.isnan(float(stat)):
        stat_text = say("casefile", "test.chi2_statistic", statistic=float(stat), dof=int(result.get("dof")))
    return say("casefile", "test.method", subject=subject, name=name, reason=str(result.get("reason_zh", "")),
               statistic=stat_text)


def change_test(this: Mapping, earlier: Mapping, successes: str = "passed") -> dict:
    """:func:`analysis.stats.rates.rate_difference_test` of one rate between two evaluations (rows of
    :func:`casefile_rates`): the test the case-file report and the overview both state with the change."""
    from analysis.stats.rates import rate_difference_test

    return rate_difference_test([float(this[successes]), float(earlier[successes])],
                                [float(this["reviewed"]), float(earlier["reviewed"])])


def casefile_paragraph(summary: pd.DataFrame, region_code: str, year: int, region_name: str) -> str:
    """A compact paragraph on the case-file evaluation published in ``year`` (it covers the cases of
    ``evaluated_year``): files reviewed by grade, pass and excellent rates with the 95 % Wilson
    interval, and the change against the previous evaluation together with whether the test of the two
    evaluations' counts (:func:`change_test`) can tell it from chance. Empty string when there is none."""
    from analysis.present.narrative import format_value

    rates = casefile_rates(summary, region_code=region_code, upto_year=year)
    this = rates[rates["year"] == int(year)]
    if this.empty:
        return ""
    r = this.iloc[0]
    get = {c: row_of(summary, region_code, year, c) for c in CASEFILE_INDICATORS}
    text = say("casefile", "paragraph.lead", year=int(year), region=region_name,
               evaluated_year=int(r["evaluated_year"]), reviewed=format_row(get["casefile_reviewed"]))
    grades = [say("casefile", f"paragraph.grades.{c}", value=format_row(get[c]))
              for c in ("casefile_excellent", "casefile_passed", "casefile_failed")
              if get[c] is not None and not bool(get[c]["missing"])]
    if grades:
        text += say("casefile", "paragraph.grades_intro") + join("casefile", "paragraph.grade_separator", grades)
    if r["reviewed"] > 0:
        text += say("casefile", "paragraph.rates", pass_rate=format_value(r["pass_rate"], "%", "rate"),
                    pass_lo=r["pass_lo"], pass_hi=r["pass_hi"],
                    excellent_rate=format_value(r["excellent_rate"], "%", "rate"))
    else:
        text += say("casefile", "paragraph.no_files")
    earlier = rates[(rates["year"] < int(year)) & (rates["reviewed"] > 0)]
    if len(earlier) and r["reviewed"] > 0:
        p = earlier.iloc[-1]
        diff = float(r["pass_rate"]) - float(p["pass_rate"])
        test = ""
        if abs(diff) >= flat_threshold_points():
            result = change_test(r, p)
            if result["test"] != "none":
                test = say("casefile", "paragraph.change_significant" if result["significant"]
                           else "paragraph.change_not_significant")
        text += say("casefile", "paragraph.compared", year=int(p["year"]), evaluated_year=int(p["evaluated_year"]),
                    change=points_change(diff), test=test)
    else:
        text += say("casefile", "paragraph.not_compared")
    return text + say("casefile", "paragraph.end")


# --------------------------------------------------------------------------- sections


def _by_year(rep: Report) -> pd.DataFrame:
    return casefile_rates(rep.summary, region_code=rep.province["code"], upto_year=rep.year)


def latest_year(rep: Report) -> int | None:
    """The report year of the latest evaluation up to the report's year (None when there is none)."""
    by_year = _by_year(rep)
    return None if by_year.empty else int(by_year["year"].iloc[-1])


def _by_city(rep: Report) -> pd.DataFrame:
    cf_year = latest_year(rep)
    if cf_year is None:
        return pd.DataFrame()
    return casefile_rates(rep.summary, year=cf_year, level="city")


def intro(rep: Report) -> Section:
    """The subtitle, the method, and which evaluation the report is about."""
    prov, year, by_year = rep.province, rep.year, _by_year(rep)
    out = Section([Html(header_html(say("common", "header.year", region=prov["name"], year=year), rep.is_sample)),
                   paragraphs(say("casefile", "intro.method"))])
    if by_year.empty:
        out.append(paragraphs(say("casefile", "intro.none", year=year)))
        return out
    cf_year, ev_year = int(by_year["year"].iloc[-1]), int(by_year["evaluated_year"].iloc[-1])
    if cf_year == year:
        out.append(paragraphs(say("casefile", "intro.this_year", year=year, evaluated_year=ev_year)))
    else:
        out.append(paragraphs(say("casefile", "intro.earlier", year=year, cf_year=cf_year, evaluated_year=ev_year)))
    return out


def by_year(rep: Report) -> Section:
    """The province's evaluations over the years: paragraph, table 1, both rate charts, the test across years."""
    prov, rates, cf_year = rep.province, _by_year(rep), latest_year(rep)
    if cf_year is None:
        rep.keep("历年评查结果", pd.DataFrame())
        return Section([paragraphs(say("casefile", "by_year.none"))])
    table = rep.keep("历年评查结果", casefile_rate_table(rates, by="year"))
    out = Section([paragraphs(casefile_paragraph(rep.summary, prov["code"], cf_year, prov["name"])),
                   Table(table, say("casefile", "by_year.caption", region=prov["name"]))])
    labels = [say("casefile", "by_year.chart_label", evaluated_year=int(e)) for e in rates["evaluated_year"]]
    for rate in RATES:
        name = say("casefile", f"rates.{rate}")
        fig = pass_rate_figure(rep, rates, labels, rate, name=name,
                               title=say("casefile", "by_year.chart_title", region=prov["name"], name=name))
        out.append(Figure(fig, rep.out_dir, f"04_casefile_by_year_{rate}"))
    if len(rates) >= 2:
        test = casefile_difference(rates, "year")
        subject = say("casefile", "by_year.test_subject")
        out.append(paragraphs(describe_test(test, subject)))
        rep.keep_note(describe_method(test, subject))
    else:
        out.append(paragraphs(say("casefile", "by_year.one_year")))
    return out


def by_city(rep: Report) -> Section:
    """The cities in the latest evaluation: table 2, the zero-file note, both rate charts against the province."""
    cities, cf_year = _by_city(rep), latest_year(rep)
    if cities.empty:
        rep.keep("各设区市评查结果", pd.DataFrame())
        return Section([paragraphs(say("casefile", "by_city.none"))])
    by_year_rates = _by_year(rep)
    prov_row = by_year_rates[by_year_rates["year"] == cf_year].iloc[0]
    table = rep.keep("各设区市评查结果", casefile_rate_table(cities, by="region"))
    out = Section([Table(table, say("casefile", "by_city.caption", year=cf_year))])
    zero = cities[cities["reviewed"] == 0]
    if len(zero):
        out.append(paragraphs(say("casefile", "by_city.zero", regions=join("common", "list_separator",
                                                                           zero["region_name"]))))
    shown = cities[cities["reviewed"] > 0]
    for rate in RATES:
        name = say("casefile", f"rates.{rate}")
        fig = pass_rate_figure(rep, shown, shown["region_name"], rate, name=name,
                               reference=float(prov_row[f"{rate}_rate"]),
                               reference_label=say("casefile", "by_city.reference_label"),
                               title=say("casefile", "by_city.chart_title", year=cf_year, name=name))
        out.append(Figure(fig, rep.out_dir, f"04_casefile_by_city_{rate}"))
    return out


def tests(rep: Report) -> Section:
    """Whether the cities' pass and excellent rates differ (chi-square or Fisher, :func:`describe_test`)."""
    cities = _by_city(rep)
    if not len(cities):
        return Section([paragraphs(say("casefile", "tests.none"))])
    texts = []
    for col, rate in (("passed", "pass"), ("excellent", "excellent")):
        result = casefile_difference(cities, "region_name", successes=col)
        subject = say("casefile", f"tests.subject_{rate}")
        texts.append(describe_test(result, subject))
        rep.keep_note(describe_method(result, subject))
    return Section([paragraphs("".join(texts))])


def funnel(rep: Report) -> Section:
    """The funnel plot of the cities' pass rates and the regions outside its limits (data kept for export)."""
    from analysis.present import charts

    cities, cf_year = _by_city(rep), latest_year(rep)
    rep.keep("漏斗图数据", pd.DataFrame())
    if not len(cities):
        return Section([paragraphs(say("casefile", "funnel.none"))])
    points, limits, center = funnel_frames(cities)
    if not len(points):
        return Section()
    fig = charts.funnel_plot(points, limits, center=center, title=say("casefile", "funnel.title", year=cf_year),
                             **rep.chart)
    flagged = points[points["outlier"]]
    warn = points[points["outside95"] & ~points["outlier"]]
    text = say("casefile", "funnel.center", center=center)
    if len(flagged):
        text += say("casefile", "funnel.flagged", regions=join("common", "list_separator", flagged["label"]))
    else:
        text += say("casefile", "funnel.none_flagged")
    if len(warn):
        text += say("casefile", "funnel.warn", regions=join("common", "list_separator", warn["label"]))
    rep.keep("漏斗图数据", pd.DataFrame({"地区": points["label"], "评查案卷（宗）": points["n"],
                                      "合格率（%）": points["rate"],
                                      "是否超出99.8%控制限": points["outlier"].map({True: "是", False: "否"})}))
    return Section([Figure(fig, rep.out_dir, "04_casefile_funnel"), paragraphs(text)])


NOTES = ("wilson", "rate_test", "funnel", "assigned")
"""The 附注 of the case-file report (``common.yaml`` ``notes.<key>``), before the tests' own notes."""


def notes(rep: Report) -> Section:
    """The 附注 on methods: interval, tests (each test run in the report, with why it was chosen), funnel."""
    from analysis.views.notes import notes_section

    return notes_section(rep, NOTES)


def export(rep: Report) -> Section:
    """The non-empty tables to ``tables/04_casefile.*`` (a one-line note when there is no evaluation at all)."""
    fallback = {"说明": pd.DataFrame({"说明": [say("casefile", "export.none", year=rep.year)]})}
    return rep.export("04_casefile", fallback=fallback)
