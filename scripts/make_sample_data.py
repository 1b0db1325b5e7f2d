#!/usr/bin/env python
"""Generate the bundled synthetic sample (示例数据) for 宁夏回族自治区, 2019-2024, into ``data/raw/``.

Usage::

    .venv/bin/python scripts/make_sample_data.py --out data/raw [--seed N]

The script works in two steps:

1. ``build_truth(seed)`` builds a *truth model*: integer figures for every year, county, city and the
   province (money in whole 元, i.e. 0.0001 万元). Counties sum exactly to their cities and cities to the
   province. The 2024 province totals equal the figures published by the Ningxia Department of Natural
   Resources (cases filed, fines, patrols, violations stopped, stop orders, case-file evaluation).
   The one deliberate fault (a 合计 cell that differs from the sum of the rows above) is part of the
   truth model as the *published* province value and is described by ``Truth.mismatch``.
2. ``write_all(out_dir, seed)`` renders the truth into raw tables that use the messy layouts agencies
   publish (GB18030 CSV with a title row, merged multi-level XLSX headers, legacy XLS with traditional
   characters, standard 行政处罚/行政许可 forms, full-width digits, blanks, approximate values, ...),
   plus a ``SAMPLE`` marker, ``manifest.csv`` and a generated ``README.md``. The published-document
   formats of 2023 (a narrative letter as .docx, a 信息公开年报 web page in GBK, a PDF form) are written by
   ``scripts/sample_documents.py``, which also holds the one deliberate letter/table disagreement.

Output is byte-for-byte reproducible: no timestamps (XLSX/DOCX core properties and ZIP entry times are fixed,
ZIP entries are stored uncompressed so the bytes do not depend on the zlib build; the PDF has no creation
date). The PDF embeds a subset of the bundled CJK font, so its bytes also follow that font build.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


def _sibling(name: str):
    """Import ``scripts/<name>.py`` (this script is also loaded by path, so scripts/ may not be on sys.path)."""
    import importlib.util

    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


sample_documents = _sibling("sample_documents")  # the letter, web page and PDF of the sample

DEFAULT_SEED = 20250110
YEARS = tuple(range(2019, 2025))
SAMPLE_TAG = "（示例数据）"

# --------------------------------------------------------------------------------------------------
# Regions (GB/T 2260), with synthetic activity weights used only to shape the sample.
# --------------------------------------------------------------------------------------------------
PROVINCE = ("640000", "宁夏回族自治区")


@dataclass(frozen=True)
class County:
    code: str
    name: str
    city: str
    weight: float  # general enforcement activity
    fine_weight: float  # share of fines (灵武市 is the deliberate outlier)
    agency_suffix: str = "自然资源局"


CITIES: tuple[tuple[str, str], ...] = (
    ("640100", "银川市"),
    ("640200", "石嘴山市"),
    ("640300", "吴忠市"),
    ("640400", "固原市"),
    ("640500", "中卫市"),
)
CITY_NAME = dict(CITIES)

COUNTIES: tuple[County, ...] = (
    County("640104", "兴庆区", "640100", 1.0, 0.9),
    County("640105", "西夏区", "640100", 1.1, 1.0),
    County("640106", "金凤区", "640100", 0.8, 0.8),
    County("640121", "永宁县", "640100", 1.0, 1.0),
    County("640122", "贺兰县", "640100", 1.2, 1.2, "自然资源和规划局"),
    County("640181", "灵武市", "640100", 1.5, 14.0),
    County("640202", "大武口区", "640200", 0.9, 1.2),
    County("640205", "惠农区", "640200", 1.0, 1.4),
    County("640221", "平罗县", "640200", 1.3, 1.5, "自然资源和规划局"),
    County("640302", "利通区", "640300", 1.0, 1.0),
    County("640303", "红寺堡区", "640300", 0.6, 0.5),
    County("640323", "盐池县", "640300", 0.9, 1.1),
    County("640324", "同心县", "640300", 0.9, 0.8),
    County("640381", "青铜峡市", "640300", 1.0, 1.1),
    County("640402", "原州区", "640400", 1.0, 0.9),
    County("640422", "西吉县", "640400", 0.8, 0.6),
    County("640423", "隆德县", "640400", 0.5, 0.4),
    County("640424", "泾源县", "640400", 0.4, 0.3),
    County("640425", "彭阳县", "640400", 0.7, 0.5),
    County("640502", "沙坡头区", "640500", 1.2, 1.4),
    County("640521", "中宁县", "640500", 1.1, 1.3),
    County("640522", "海原县", "640500", 0.8, 0.6),
)
COUNTY_BY_NAME = {c.name: c for c in COUNTIES}
REGION_NAME = {PROVINCE[0]: PROVINCE[1], **CITY_NAME, **{c.code: c.name for c in COUNTIES}}
REGION_LEVEL = {PROVINCE[0]: "province", **{c: "city" for c, _ in CITIES}, **{c.code: "county" for c in COUNTIES}}

# 2024 province totals published by the Ningxia Department of Natural Resources (letter of 2025-01-10).
# Money in whole 元 (9172.05 万元).
SEED_2024 = {
    "cases_filed": 214,
    "fines_collected": 91_720_500,
    "patrols": 4637,
    "violations_stopped": 252,
    "stop_orders": 150,
    "casefile_reviewed": 39,
    "casefile_excellent": 10,
    "casefile_passed": 27,
    "casefile_failed": 2,
}

# National order of the 14 penalty categories, with synthetic shares of penalty decisions.
PENALTY_CATEGORIES: tuple[tuple[str, str, float], ...] = (
    ("penalty_warning", "警告", 0.05),
    ("penalty_criticism", "通报批评", 0.01),
    ("penalty_fine", "罚款", 0.60),
    ("penalty_confiscate_income", "没收违法所得", 0.12),
    ("penalty_confiscate_property", "没收非法财物", 0.05),
    ("penalty_suspend_license", "暂扣许可证件", 0.004),
    ("penalty_downgrade", "降低资质等级", 0.003),
    ("penalty_revoke_license", "吊销许可证件", 0.008),
    ("penalty_restrict_business", "限制开展生产经营活动", 0.005),
    ("penalty_suspend_production", "责令停产停业", 0.04),
    ("penalty_close", "责令关闭", 0.01),
    ("penalty_restrict_practice", "限制从业", 0.002),
    ("penalty_detention", "行政拘留", 0.0),
    ("penalty_other", "其他行政处罚", 0.09),
)
PENALTY_CODES = tuple(code for code, _, _ in PENALTY_CATEGORIES)
LICENSE_CODES = ("licenses_applied", "licenses_accepted", "licenses_granted", "licenses_refused", "licenses_revoked")
CASEFILE_CODES = ("casefile_reviewed", "casefile_excellent", "casefile_passed", "casefile_failed")
COUNTY_CODES = (
    "cases_filed", "cases_closed", "fines_collected", "patrols", "violations_stopped", "stop_orders",
    "penalties_total", *PENALTY_CODES, *LICENSE_CODES,
)
MERGED_PENALTIES: dict[str, tuple[str, ...]] = {
    "penalty_warning_criticism": ("penalty_warning", "penalty_criticism"),
    "penalty_confiscation": ("penalty_confiscate_income", "penalty_confiscate_property"),
    "penalty_suspend_downgrade": ("penalty_suspend_license", "penalty_downgrade"),
    "penalty_suspend_close_restrict": ("penalty_suspend_production", "penalty_close", "penalty_restrict_practice"),
}
UNITS = {
    "cases_filed": "起", "cases_closed": "起", "fines_collected": "万元", "patrols": "次",
    "violations_stopped": "起", "stop_orders": "份", "penalties_total": "宗",
    **{code: "宗" for code in (*PENALTY_CODES, *MERGED_PENALTIES)}, **{code: "件" for code in LICENSE_CODES},
    **{code: "宗" for code in CASEFILE_CODES},
}
MONEY_CODES = frozenset({"fines_collected"})


# --------------------------------------------------------------------------------------------------
# Truth model
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mismatch:
    """The one deliberate fault: a published 合计 cell that is not the sum of the rows above it."""

    year: int
    region_code: str
    indicator: str
    published: int
    sum_of_rows: int
    file: str
    sheet: str
    cell: str


MISMATCH_DELTA = 3


@dataclass
class Truth:
    """Integer figures keyed by (year, region_code, indicator); money in whole 元 (0.0001 万元)."""

    seed: int
    values: dict[tuple[int, str, str], int]
    mismatch: Mismatch

    def get(self, year: int, code: str, indicator: str) -> int:
        return self.values[(year, code, indicator)]

    def value(self, year: int, code: str, indicator: str) -> float:
        """Value in the canonical unit (万元 for money)."""
        raw = self.get(year, code, indicator)
        return raw / 10_000 if indicator in MONEY_CODES else float(raw)

    def frame(self):
        """The truth as a tidy DataFrame (year, region_code, region_name, level, indicator, value, unit)."""
        import pandas as pd

        rows = [
            {
                "year": y, "region_code": c, "region_name": REGION_NAME[c], "level": REGION_LEVEL[c],
                "indicator": ind, "value": self.value(y, c, ind), "unit": UNITS[ind],
            }
            for (y, c, ind) in sorted(self.values)
        ]
        return pd.DataFrame(rows)


def apportion(total: int, weights: Sequence[float]) -> np.ndarray:
    """Largest-remainder split of a non-negative integer ``total``; the parts sum exactly to it."""
    w = np.asarray(weights, dtype=float)
    if total == 0 or w.sum() <= 0:
        out = np.zeros(len(w), dtype=np.int64)
        if total:
            out[0] = total
        return out
    exact = total * w / w.sum()
    base = np.floor(exact).astype(np.int64)
    rest = int(total - base.sum())
    order = sorted(range(len(w)), key=lambda i: (-(exact[i] - base[i]), i))
    for i in order[:rest]:
        base[i] += 1
    return base


def _jitter(rng: np.random.Generator, weights: np.ndarray, shape: float) -> np.ndarray:
    return weights * rng.gamma(shape, 1.0 / shape, size=len(weights))


def build_truth(seed: int = DEFAULT_SEED) -> Truth:
    """Build the integer truth model for 2019-2024 (see module docstring)."""
    rng = np.random.default_rng(seed)
    n = len(COUNTIES)
    w = np.array([c.weight for c in COUNTIES])
    fw = np.array([c.fine_weight for c in COUNTIES])
    idx = {c.name: i for i, c in enumerate(COUNTIES)}
    probs = np.array([p for _, _, p in PENALTY_CATEGORIES])
    probs = probs / probs.sum()
    values: dict[tuple[int, str, str], int] = {}
    reviewed_totals = {2019: 28, 2020: 31, 2021: 33, 2022: 34, 2023: 36, 2024: 39}

    for year in YEARS:
        k = year - 2024
        if year == 2024:
            filed_t, fines_t = SEED_2024["cases_filed"], SEED_2024["fines_collected"]
            patrols_t, viol_t = SEED_2024["patrols"], SEED_2024["violations_stopped"]
            stop_t = SEED_2024["stop_orders"]
        else:
            filed_t = round(214 * 1.08**k * rng.lognormal(0.0, 0.06))
            fines_t = 100 * round(917_205 * rng.lognormal(-0.15, 0.3))
            patrols_t = round(4637 * 1.06**k * rng.lognormal(0.0, 0.04))
            viol_t = round(252 * 1.04**k * rng.lognormal(0.0, 0.08))
            stop_t = round(viol_t * rng.uniform(0.5, 0.65))

        filed = apportion(filed_t, _jitter(rng, w, 6.0))
        closed = rng.multivariate_hypergeometric(filed, round(filed_t * rng.uniform(0.86, 0.97)))
        pens = rng.multivariate_hypergeometric(closed, round(int(closed.sum()) * rng.uniform(0.82, 0.95)))
        cats = np.array([rng.multinomial(int(p), probs) for p in pens])
        fine_w = np.where(pens > 0, _jitter(rng, fw, 3.0), 0.0)
        fines = apportion(fines_t // 100, fine_w) * 100
        if year in (2019, 2021, 2023):
            # "sometimes 4 decimals": a few counties report to the 元 (0.0001 万元)
            for i in rng.choice(np.flatnonzero(fines > 0), size=2, replace=False):
                fines[i] += int(rng.integers(1, 100))
        patrols = apportion(patrols_t, _jitter(rng, w, 10.0))
        viol = apportion(viol_t, _jitter(rng, w, 4.0))
        stops = rng.multivariate_hypergeometric(viol, stop_t)

        lam = 55 * 1.05**k
        applied = rng.poisson(lam * w)
        accepted = applied - rng.binomial(applied, 0.03)
        refused = rng.binomial(accepted, 0.04)
        pending = rng.binomial(accepted - refused, 0.02)
        granted = accepted - refused - pending
        revoked = rng.binomial(granted, 0.006)

        # Deliberate quirks that the raw files show (see write_* functions).
        if year == 2020:
            # one county's fines are exactly 12000 元, published as "1.2万" in a 元 column
            i = idx["泾源县"]
            if pens[i] == 0:
                pens[i] = closed[i] = max(1, int(closed[i]))
                filed[i] = max(int(filed[i]), int(closed[i]))
                cats[i] = 0
                cats[i][PENALTY_CODES.index("penalty_fine")] = pens[i]
            fines[i] = 12_000
        if year == 2022:
            stops[idx["隆德县"]] = 0  # published as 无
        if year == 2023:
            patrols[idx["盐池县"]] = 300  # published as 约300
            patrols[idx["隆德县"]] = 120  # published as 120余
            viol[idx["泾源县"]] = 0  # published blank
            stops[idx["泾源县"]] = 0  # published as -
            stops[idx["红寺堡区"]] = 0  # published as -

        per_county = {
            "cases_filed": filed, "cases_closed": closed, "fines_collected": fines, "patrols": patrols,
            "violations_stopped": viol, "stop_orders": stops, "penalties_total": pens,
            "licenses_applied": applied, "licenses_accepted": accepted, "licenses_granted": granted,
            "licenses_refused": refused, "licenses_revoked": revoked,
            **{code: cats[:, j] for j, code in enumerate(PENALTY_CODES)},
        }
        for ind, arr in per_county.items():
            assert len(arr) == n
            for county, v in zip(COUNTIES, arr):
                values[(year, county.code, ind)] = int(v)

        # Case-file evaluation: per city only.
        city_w = np.array([1.6, 0.9, 1.2, 0.9, 0.9])
        if year == 2020:
            city_w[4] = 0.0  # 中卫市 had no case files evaluated this year
        reviewed_t = reviewed_totals[year]
        if year == 2024:
            parts_t = [SEED_2024["casefile_excellent"], SEED_2024["casefile_passed"], SEED_2024["casefile_failed"]]
        else:
            exc = round(reviewed_t * rng.uniform(0.18, 0.3))
            fail = max(1, round(reviewed_t * rng.uniform(0.03, 0.1)))
            parts_t = [exc, reviewed_t - exc - fail, fail]
        reviewed = apportion(reviewed_t, _jitter(rng, city_w, 8.0))
        pool = np.array(parts_t, dtype=np.int64)
        for (ccode, _), r in zip(CITIES, reviewed):
            draw = rng.multivariate_hypergeometric(pool, int(r)) if r else np.zeros(3, dtype=np.int64)
            pool = pool - draw
            values[(year, ccode, "casefile_reviewed")] = int(r)
            for code, v in zip(CASEFILE_CODES[1:], draw):
                values[(year, ccode, code)] = int(v)
        assert pool.sum() == 0

        # Cities are the exact sums of their counties; the province the exact sum of its cities.
        for ind in COUNTY_CODES:
            for ccode, _ in CITIES:
                values[(year, ccode, ind)] = sum(
                    values[(year, c.code, ind)] for c in COUNTIES if c.city == ccode
                )
        # Merged penalty columns of the Zhejiang layout (sums of national categories).
        for merged_code, parts in MERGED_PENALTIES.items():
            for code in (*[c.code for c in COUNTIES], *[c for c, _ in CITIES]):
                values[(year, code, merged_code)] = sum(values[(year, code, p)] for p in parts)
        for ind in (*COUNTY_CODES, *MERGED_PENALTIES, *CASEFILE_CODES):
            values[(year, PROVINCE[0], ind)] = sum(values[(year, ccode, ind)] for ccode, _ in CITIES)

    if not seed_check(values):
        raise AssertionError("2024 province totals do not equal the published figures")

    # The deliberate fault: the 2023 city table's 合计 for 制止违法行为 is published MISMATCH_DELTA higher
    # than the sum of the five cities above it. The published figure is the province figure.
    key = (2023, PROVINCE[0], "violations_stopped")
    true_sum = values[key]
    values[key] = true_sum + MISMATCH_DELTA
    mismatch = Mismatch(
        year=2023, region_code=PROVINCE[0], indicator="violations_stopped", published=values[key],
        sum_of_rows=true_sum, file=FILES["2023_key"], sheet="地市", cell="F11",
    )
    return Truth(seed=seed, values=values, mismatch=mismatch)


def seed_check(values: dict[tuple[int, str, str], int]) -> bool:
    return all(values[(2024, PROVINCE[0], ind)] == v for ind, v in SEED_2024.items())


# --------------------------------------------------------------------------------------------------
# Rendering helpers
# --------------------------------------------------------------------------------------------------
FILES = {
    "2019_city": "2019/2019年宁夏自然资源行政执法主要指标_地市_示例数据.csv",
    "2019_county": "2019/2019年宁夏自然资源行政执法主要指标_县区_示例数据.csv",
    "2020_key": "2020/2020年宁夏自然资源行政执法情况统计_示例数据.xlsx",
    "2021_penalty": "2021/2021年宁夏自然资源行政处罚实施情况统计表_示例数据.xlsx",
    "2021_key": "2021/2021年宁夏自然资源行政执法主要指标_示例数据.csv",
    "2022_key": "2022/2022年宁夏自然资源行政执法主要指标_示例数据.xls",
    "license_manifest": "forms/宁夏自然资源行政许可实施情况统计表_示例数据.xls",
    "2023_key": "2023/2023年宁夏自然资源行政执法主要指标_示例数据.xlsx",
    "2023_letter": "2023/2023年度宁夏自然资源行政执法工作情况的函_示例数据.docx",
    "2023_disclosure": "2023/同心县自然资源局2023年政府信息公开工作年度报告_示例数据.html",
    "2023_penalty_pdf": "2023/2023年固原市自然资源行政处罚实施情况统计表_示例数据.pdf",
    "2024_key": "2024/2024年宁夏自然资源行政执法主要指标_示例数据.xlsx",
    "2024_penalty": "2024/2024年宁夏自然资源行政处罚实施情况统计表_示例数据.xlsx",
    "2024_license": "2024/2024年宁夏自然资源行政许可实施情况统计表_示例数据.xlsx",
}
MANIFEST_YEAR = 2022

_FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def wan(units: int) -> str:
    """Money in whole 元 -> 万元 text with 2 decimals, or 4 when needed (trailing zeros kept)."""
    whole, frac = divmod(units, 10_000)
    text = f"{whole}.{frac:04d}"
    return text[:-2] if frac % 100 == 0 else text


def wan_float(units: int) -> float:
    return units / 10_000


def full_width(text: str) -> str:
    return text.translate(_FULLWIDTH)


def col_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


def agency_name(county: County, year: int) -> str:
    if year >= 2024 and county.name == "贺兰县":
        return "贺兰县自然资源和城乡建设局"  # renamed agency, same region series
    return county.name + county.agency_suffix


def counties_of(city_code: str) -> list[County]:
    return [c for c in COUNTIES if c.city == city_code]


@dataclass
class Sheet:
    """A grid of cells (row-major, ``None`` = empty) plus merged ranges (1-based r1, c1, r2, c2)."""

    name: str
    rows: list[list[object]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    header: tuple[int, int] | None = (2, 2)  # first and last header row (1-based); None: no table

    def add(self, row: Sequence[object]) -> int:
        self.rows.append(list(row))
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell(self, row: int, col: int) -> object:
        """Value at (row, col), reading a merged range's value from its top-left cell."""
        for r1, c1, r2, c2 in self.merges:
            if r1 <= row <= r2 and c1 <= col <= c2:
                row, col = r1, c1
                break
        cells = self.rows[row - 1] if row <= len(self.rows) else []
        return cells[col - 1] if col <= len(cells) else None

    def header_paths(self) -> dict[int, str]:
        """Column -> ``group/leaf`` header path (label column included) as written in the file."""
        if self.header is None:
            return {}
        out = {}
        for col in range(1, self.width + 1):
            parts: list[str] = []
            for row in range(self.header[0], self.header[1] + 1):
                v = self.cell(row, col)
                if v is not None and (not parts or parts[-1] != v):
                    parts.append(str(v))
            if parts:
                out[col] = "/".join(parts)
        return out


@dataclass(frozen=True)
class Quirk:
    file: str
    sheet: str
    cell: str
    raw: str
    note: str


class Writer:
    """Collects files (relative path -> bytes) and a log of deliberate quirks for the README."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.quirks: list[Quirk] = []
        self.headers: list[tuple[str, str, str, str]] = []  # (file, sheet, cell, header path)
        self.titles: list[tuple[str, str, str]] = []  # (file, sheet, title text)

    def _record(self, rel: str, sheets: Sequence[Sheet]) -> None:
        for sheet in sheets:
            if sheet.header is None:
                continue
            self.titles.append((rel, sheet.name, str(sheet.rows[0][0])))
            for col, path in sheet.header_paths().items():
                self.headers.append((rel, sheet.name, a1(sheet.header[0], col), path))

    def quirk(self, file: str, sheet: str, cell: str, raw: object, note: str) -> None:
        self.quirks.append(Quirk(file, sheet, cell, str(raw), note))

    def csv(self, rel: str, sheet: Sheet, encoding: str) -> None:
        self._record(rel, [sheet])
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        width = sheet.width
        for row in sheet.rows:
            cells = ["" if v is None else str(v) for v in row]
            writer.writerow(cells + [""] * (width - len(cells)))
        self.files[rel] = buf.getvalue().encode(encoding)

    def xlsx(self, rel: str, sheets: Sequence[Sheet], year: int) -> None:
        self._record(rel, sheets)
        self.files[rel] = xlsx_bytes(sheets, dt.datetime(year + 1, 1, 15, 9, 0, 0))

    def xls(self, rel: str, sheets: Sequence[Sheet]) -> None:
        self._record(rel, sheets)
        self.files[rel] = xls_bytes(sheets)


def xlsx_bytes(sheets: Sequence[Sheet], when: dt.datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        for r, row in enumerate(spec.rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                cell = ws.cell(row=r, column=c, value=v)
                if isinstance(v, float):
                    cell.number_format = "0.00##"
        for r1, c1, r2, c2 in spec.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
            ws.cell(row=r1, column=c1).alignment = centre
            ws.cell(row=r1, column=c1).font = bold
        for c, width in spec.widths.items():
            ws.column_dimensions[col_letter(c)].width = width
    wb.properties.creator = "make_sample_data.py"
    wb.properties.lastModifiedBy = "make_sample_data.py"
    wb.properties.title = "示例数据"
    wb.properties.created = when
    wb.properties.modified = when
    buf = io.BytesIO()
    wb.save(buf)  # openpyxl stamps "modified" with the current time: normalised below
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\2",
                              data)
                data = re.sub(rb"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)", rb"\g<1>" + stamp + rb"\2",
                              data)
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_STORED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, data)
    return out.getvalue()


def xls_bytes(sheets: Sequence[Sheet]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    bold = xlwt.easyxf("font: bold on; align: horiz center, vert center, wrap on")
    money = xlwt.easyxf(num_format_str="0.00##")
    for spec in sheets:
        ws = book.add_sheet(spec.name)
        merged_origin = {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in spec.merges}
        covered = {
            (r, c)
            for r1, c1, r2, c2 in spec.merges
            for r in range(r1, r2 + 1)
            for c in range(c1, c2 + 1)
            if (r, c) != (r1, c1)
        }
        for r, row in enumerate(spec.rows, start=1):
            for c, v in enumerate(row, start=1):
                if (r, c) in covered:
                    continue
                if (r, c) in merged_origin:
                    r1, c1, r2, c2 = merged_origin[(r, c)]
                    ws.write_merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1, "" if v is None else v, bold)
                elif v is not None:
                    if isinstance(v, float):
                        ws.write(r - 1, c - 1, v, money)
                    else:
                        ws.write(r - 1, c - 1, v)
        for c, width in spec.widths.items():
            ws.col(c - 1).width = int(width * 256)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _title_row(sheet: Sheet, title: str, width: int) -> None:
    sheet.add([title])
    if width > 1:
        sheet.merges.append((len(sheet.rows), 1, len(sheet.rows), width))


def _note_row(sheet: Sheet, note: str, width: int, merge: bool = True) -> None:
    sheet.add([note])
    if merge and width > 1:
        sheet.merges.append((len(sheet.rows), 1, len(sheet.rows), width))


# --------------------------------------------------------------------------------------------------
# One function per year
# --------------------------------------------------------------------------------------------------
KEY_CODES = ("cases_filed", "cases_closed", "fines_collected", "patrols", "violations_stopped", "stop_orders")


def _key_row(truth: Truth, year: int, code: str, money: Callable[[int], object] = wan) -> list[object]:
    out: list[object] = []
    for ind in KEY_CODES:
        v = truth.get(year, code, ind)
        out.append(money(v) if ind in MONEY_CODES else v)
    return out


def write_2019(w: Writer, t: Truth) -> None:
    """GB18030 CSV (cities + 合计, title row, units in headers, 注 row) and a UTF-8-BOM county CSV."""
    header = ["地区", "立案（起）", "结案（起）", "罚没款（万元）", "执法巡查（次）", "制止违法行为（起）",
              "责令停止违法行为通知书（份）"]
    s = Sheet("city")
    s.add(["2019年宁夏回族自治区自然资源行政执法主要指标" + SAMPLE_TAG])
    s.add(header)
    for code, name in CITIES:
        s.add([name, *_key_row(t, 2019, code)])
    s.add(["合计", *_key_row(t, 2019, PROVINCE[0])])
    s.add(["注：本表为演示用示例数据（合成数据），非官方统计；罚没款单位为万元，合计为各市之和。"])
    w.csv(FILES["2019_city"], s, "gb18030")

    c = Sheet("county")
    c.add(["2019年宁夏回族自治区各县（市、区）自然资源行政执法主要指标" + SAMPLE_TAG])
    c.add(["地区", "立案数量（起）", "结案数量（起）", "罚没款金额（万元）", "执法巡查次数（次）",
           "发现制止违法行为（起）", "责令停止违法行为通知书（份）"])
    for county in COUNTIES:
        c.add([county.name, *_key_row(t, 2019, county.code)])
    c.add(["注：本表为演示用示例数据（合成数据），非官方统计。"])
    w.csv(FILES["2019_county"], c, "utf-8-sig")


def write_2020(w: Writer, t: Truth) -> None:
    """XLSX with merged two-level headers, money in 元, a county sheet and an instructions sheet."""
    rel = FILES["2020_key"]

    def yuan(units: int) -> int:
        return units  # whole 元

    s = Sheet("地市", widths={1: 14}, header=(2, 3))
    width = 11
    _title_row(s, "2020年宁夏回族自治区自然资源行政执法及案卷评查情况" + SAMPLE_TAG, width)
    s.add(["地区", "执法办案", None, None, "执法巡查", None, None, "案卷评查", None, None, None])
    s.add([None, "立案", "结案", "罚没金额（元）", "巡查次数", "制止违法行为", "责令停止违法行为通知书",
           "评查数", "优秀", "合格", "不合格"])
    s.merges += [(2, 1, 3, 1), (2, 2, 2, 4), (2, 5, 2, 7), (2, 8, 2, 11)]
    for code, name in CITIES:
        s.add([name, *_key_row(t, 2020, code, yuan), *[t.get(2020, code, k) for k in CASEFILE_CODES]])
    s.add(["合计", *_key_row(t, 2020, PROVINCE[0], yuan), *[t.get(2020, PROVINCE[0], k) for k in CASEFILE_CODES]])
    _note_row(s, "注：本表为示例数据，非官方统计；罚没金额单位为元；案卷评查为本年度开展的评查结果。", width)
    zero_city = next(name for code, name in CITIES if t.get(2020, code, "casefile_reviewed") == 0)
    zero_row = 4 + [name for _, name in CITIES].index(zero_city)
    w.quirk(rel, "地市", f"H{zero_row}:K{zero_row}", 0,
            f"{zero_city}本年度评查案卷为0（比率类指标分母为零） / zero case files reviewed")

    c = Sheet("区县", widths={1: 14}, header=(2, 3))
    width = 7
    _title_row(c, "2020年宁夏回族自治区各县（市、区）自然资源行政执法情况" + SAMPLE_TAG, width)
    c.add(["地区", "执法办案", None, None, "执法巡查", None, None])
    c.add([None, "立案", "结案", "罚没金额（元）", "巡查次数", "制止违法行为", "责令停止违法行为通知书"])
    c.merges += [(2, 1, 3, 1), (2, 2, 2, 4), (2, 5, 2, 7)]
    for county in COUNTIES:
        row: list[object] = [county.name, *_key_row(t, 2020, county.code, yuan)]
        if county.name == "泾源县":
            assert t.get(2020, county.code, "fines_collected") == 12_000
            row[3] = "1.2万"
            w.quirk(rel, "区县", a1(len(c.rows) + 1, 4), "1.2万",
                    "数字中含“万”，列单位为元：12000元，即1.2万元 / 万 inside a number in a 元 column")
        c.add(row)
    _note_row(c, "注：本表为示例数据，非官方统计；罚没金额单位为元。", width)

    notes = Sheet("填表说明", widths={1: 90}, header=None)
    for line in (
        "填表说明",
        "一、本工作簿为演示用示例数据（合成数据），不是官方统计数据。",
        "二、“地市”表按设区市填报，末行“合计”为全区合计；“区县”表按县（市、区）填报。",
        "三、罚没金额以元为单位填报，汇总分析时统一折算为万元。",
        "四、案卷评查数等于优秀、合格、不合格案卷数之和。",
    ):
        notes.add([line])
    w.xlsx(rel, [s, c, notes], 2020)


PENALTY_HEADERS_NATIONAL = [name for _, name, _ in PENALTY_CATEGORIES]


def write_2021(w: Writer, t: Truth) -> None:
    """National 行政处罚 form, one sheet per city (county agencies as rows), and a full-width key CSV."""
    rel = FILES["2021_penalty"]
    sheets = []
    blank_agency = "泾源县"
    for ccode, cname in CITIES:
        s = Sheet(cname, widths={1: 26})
        header = ["单位名称", *PENALTY_HEADERS_NATIONAL, "合计（宗）", "罚没金额（万元）"]
        _title_row(s, f"2021年{cname}自然资源系统行政处罚实施情况统计表{SAMPLE_TAG}", len(header))
        s.add(header)
        for county in counties_of(ccode):
            cats: list[object] = [t.get(2021, county.code, k) for k in PENALTY_CODES]
            if county.name == blank_agency:
                # this agency leaves zero categories blank; its 合计 still adds up
                blanks = [j for j, v in enumerate(cats) if v == 0]
                for j in blanks:
                    cats[j] = None
                r = len(s.rows) + 1
                w.quirk(rel, cname, f"{a1(r, 2 + blanks[0])} 等{len(blanks)}格", "（空白）",
                        "零值类别留空（缺失，不是零），该行合计仍与各类别之和相等 / blank categories, row total adds up")
            s.add([agency_name(county, 2021), *cats, t.get(2021, county.code, "penalties_total"),
                   wan_float(t.get(2021, county.code, "fines_collected"))])
        s.add(["合计", *[t.get(2021, ccode, k) for k in PENALTY_CODES], t.get(2021, ccode, "penalties_total"),
               wan_float(t.get(2021, ccode, "fines_collected"))])
        _note_row(s, "注：本表为示例数据，非官方统计；同一案件并处多种处罚的，按最重的处罚种类统计一次。", len(header),
                  merge=False)
        sheets.append(s)
    w.xlsx(rel, sheets, 2021)

    rel = FILES["2021_key"]
    k = Sheet("key")
    k.add(["2021年宁夏回族自治区自然资源行政执法主要指标" + SAMPLE_TAG])
    k.add(["地区", "立案查处（起）", "结案数（起）", "罚没款（万元）", "执法巡查次数（次）", "制止违法行为（起）",
           "责令停止违法行为通知书（份）"])

    def fw_row(code: str) -> list[str]:
        out = []
        for ind in KEY_CODES:
            v = t.get(2021, code, ind)
            if ind in MONEY_CODES:
                whole, frac = wan(v).split(".")
                out.append(full_width(f"{int(whole):,}.{frac}"))
            else:
                out.append(full_width(f"{v:,}"))
        return out

    for code, name in CITIES:
        k.add([name, *fw_row(code)])
    k.add(["合计", *fw_row(PROVINCE[0])])
    k.add(["注：本表为示例数据，非官方统计；数字为全角字符并带千位分隔符。"])
    w.csv(rel, k, "utf-8")
    w.quirk(rel, "", "R3C2:R8C7", k.rows[7][4], "全角数字与千位分隔符 / full-width digits and thousands separators")


TRAD_HEADERS = ["地區", "立案（起）", "結案（起）", "罰沒金額（萬元）", "執法巡查（次）", "制止違法行為（起）",
                "責令停止違法行為通知書（份）"]


def write_2022(w: Writer, t: Truth) -> None:
    """Legacy XLS with traditional-character headers, and the 行政许可 form located through manifest.csv."""
    rel = FILES["2022_key"]
    s = Sheet("地市", widths={1: 14})
    _title_row(s, "2022年宁夏回族自治区自然资源行政执法主要指标" + SAMPLE_TAG, len(TRAD_HEADERS))
    s.add(TRAD_HEADERS)
    for code, name in CITIES:
        s.add([name, *_key_row(t, 2022, code, wan_float)])
    s.add(["合计", *_key_row(t, 2022, PROVINCE[0], wan_float)])
    _note_row(s, "注：本表为示例数据，非官方统计；表头取自繁体字镜像页面。", len(TRAD_HEADERS))

    c = Sheet("区县", widths={1: 14})
    _title_row(c, "2022年宁夏回族自治区各县（市、区）自然资源行政执法主要指标" + SAMPLE_TAG, len(TRAD_HEADERS))
    c.add(TRAD_HEADERS)
    for county in COUNTIES:
        row: list[object] = [county.name, *_key_row(t, 2022, county.code, wan_float)]
        if county.name == "隆德县":
            assert t.get(2022, county.code, "stop_orders") == 0
            row[6] = "无"
            w.quirk(rel, "区县", a1(len(c.rows) + 1, 7), "无", "“无”表示缺失（不是零） / 无 = missing")
        c.add(row)
    _note_row(c, "注：本表为示例数据，非官方统计。", len(TRAD_HEADERS))
    w.xls(rel, [s, c])

    rel = FILES["license_manifest"]
    lic = Sheet("行政许可", widths={1: 26})
    header = ["单位名称", "申请数量（件）", "受理数量（件）", "许可数量（件）", "不予许可数量（件）", "撤销许可数量（件）"]
    _title_row(lic, "宁夏回族自治区自然资源系统行政许可实施情况统计表" + SAMPLE_TAG, len(header))
    lic.add(header)
    for code, name in CITIES:
        lic.add([name + "自然资源局", *[t.get(MANIFEST_YEAR, code, k) for k in LICENSE_CODES]])
    lic.add(["合计", *[t.get(MANIFEST_YEAR, PROVINCE[0], k) for k in LICENSE_CODES]])
    _note_row(lic, "注：本表为示例数据，非官方统计；表内未注明统计年度，年度见原始数据目录中的数据清单。", len(header))
    w.xls(rel, [lic])
    w.quirk(rel, "行政许可", "A1", "（标题无年度）",
            "文件名、标题、工作表名均无年度，年度取自 manifest.csv / year comes from manifest.csv")


def write_2023(w: Writer, t: Truth) -> None:
    """XLSX with a three-level header and a unit row; blanks, dashes, approximate values, one mismatch."""
    rel = FILES["2023_key"]
    units = [None, "起", "起", "万元", "次", "起", "份"]

    def header(sheet: Sheet) -> None:
        sheet.add(["地区", "主要执法指标", None, None, None, None, None])
        sheet.add([None, "执法办案", None, None, "执法巡查", None, None])
        sheet.add([None, "立案", "结案", "罚没款", "巡查次数", "制止违法行为", "责令停止违法行为通知书"])
        sheet.merges += [(2, 1, 4, 1), (2, 2, 2, 7), (3, 2, 3, 4), (3, 5, 3, 7)]
        sheet.add(units)

    s = Sheet("地市", widths={1: 14}, header=(2, 4))
    _title_row(s, "2023年宁夏回族自治区自然资源行政执法主要指标" + SAMPLE_TAG, 7)
    header(s)
    for code, name in CITIES:
        s.add([name, *_key_row(t, 2023, code, wan_float)])
    total_row = s.add(["合计", *_key_row(t, 2023, PROVINCE[0], wan_float)])
    m = t.mismatch
    assert (m.file, m.sheet, m.cell) == (rel, "地市", a1(total_row, 2 + KEY_CODES.index(m.indicator)))
    assert s.rows[total_row - 1][1 + KEY_CODES.index(m.indicator)] == m.published
    w.quirk(rel, "地市", m.cell, m.published,
            f"故意设置的合计不符：合计{m.published}，上方五市之和{m.sum_of_rows}（差{m.published - m.sum_of_rows}）"
            " / the one deliberate total mismatch")
    _note_row(s, "注：本表为示例数据，非官方统计；合计行按上报数填列，个别合计与分项之和不一致，以上报数为准。", 7)

    c = Sheet("区县", widths={1: 14}, header=(2, 4))
    _title_row(c, "2023年宁夏回族自治区各县（市、区）自然资源行政执法主要指标" + SAMPLE_TAG, 7)
    header(c)
    for county in COUNTIES:
        r = len(c.rows) + 1
        row: list[object] = [county.name, *_key_row(t, 2023, county.code, wan_float)]
        col = {ind: 1 + j for j, ind in enumerate(KEY_CODES)}
        if county.name == "盐池县":
            assert row[col["patrols"]] == 300
            row[col["patrols"]] = "约300"
            w.quirk(rel, "区县", a1(r, 1 + col["patrols"]), "约300", "近似值（约） / approximate value")
        if county.name == "隆德县":
            assert row[col["patrols"]] == 120
            row[col["patrols"]] = "120余"
            w.quirk(rel, "区县", a1(r, 1 + col["patrols"]), "120余", "近似值（余） / approximate value")
        if county.name == "同心县":
            row[col["cases_filed"]] = f"{row[col['cases_filed']]}起"
            w.quirk(rel, "区县", a1(r, 1 + col["cases_filed"]), row[col["cases_filed"]],
                    "单元格内带单位 / unit inside the cell")
        if county.name == "泾源县":
            assert row[col["violations_stopped"]] == 0 and row[col["stop_orders"]] == 0
            row[col["violations_stopped"]] = None
            row[col["stop_orders"]] = "-"
            w.quirk(rel, "区县", a1(r, 1 + col["violations_stopped"]), "（空白）",
                    "空白表示缺失（不是零），真值为0，市级合计不受影响 / blank = missing")
            w.quirk(rel, "区县", a1(r, 1 + col["stop_orders"]), "-", "短横线表示缺失 / dash = missing")
        if county.name == "红寺堡区":
            assert row[col["stop_orders"]] == 0
            row[col["stop_orders"]] = "—"
            w.quirk(rel, "区县", a1(r, 1 + col["stop_orders"]), "—", "破折号表示缺失 / em dash = missing")
        c.add(row)
    _note_row(c, "注：本表为示例数据，非官方统计；“-”及空白表示未填报；带“约”“余”的为约数。", 7)
    w.xlsx(rel, [s, c], 2023)


ZHEJIANG_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("警告、通报批评", ("penalty_warning", "penalty_criticism")),
    ("罚款", ("penalty_fine",)),
    ("没收违法所得、没收非法财物", ("penalty_confiscate_income", "penalty_confiscate_property")),
    ("暂扣许可证、执照，降低资质等级", ("penalty_suspend_license", "penalty_downgrade")),
    ("吊销许可证、执照", ("penalty_revoke_license",)),
    ("限制开展生产经营活动", ("penalty_restrict_business",)),
    ("责令停产停业、责令关闭、限制从业", ("penalty_suspend_production", "penalty_close", "penalty_restrict_practice")),
    ("行政 拘留", ("penalty_detention",)),
    ("其他行政处罚", ("penalty_other",)),
)


def write_2024(w: Writer, t: Truth) -> None:
    """Key indicators (合计 = published totals), counties, case-file evaluation, instructions; 行政处罚
    forms in the Zhejiang merged-category layout; a two-level 行政许可 form."""
    rel = FILES["2024_key"]
    header = ["地区", "立案查处（起）", "结案（起）", "收缴罚没款（万元）", "日常执法巡查（次）", "发现制止违法行为（起）",
              "下发责令停止违法行为通知书（份）"]
    s = Sheet("主要指标", widths={1: 14})
    _title_row(s, "2024年宁夏回族自治区自然资源行政执法主要指标" + SAMPLE_TAG, len(header))
    s.add(header)
    for code, name in CITIES:
        s.add([name, *_key_row(t, 2024, code, wan_float)])
    r = s.add(["合计", *_key_row(t, 2024, PROVINCE[0], wan_float)])
    _note_row(s, "注：合计行与自治区自然资源厅公布的全区数据一致；分市、分县数据为示例数据，非官方统计。", len(header))
    w.quirk(rel, "主要指标", f"B{r}:G{r}", "合计",
            "合计行等于自治区自然资源厅公布的全区数据 / 合计 row equals the published province totals")

    c = Sheet("区县", widths={1: 14})
    _title_row(c, "2024年宁夏回族自治区各县（市、区）自然资源行政执法主要指标" + SAMPLE_TAG, len(header))
    c.add(header)
    for county in COUNTIES:
        c.add([county.name, *_key_row(t, 2024, county.code, wan_float)])
    _note_row(c, "注：本表为示例数据，非官方统计。", len(header))

    e = Sheet("案卷评查", widths={1: 14})
    eh = ["地区", "评查案卷（宗）", "优秀案卷（宗）", "合格案卷（宗）", "不合格案卷（宗）"]
    _title_row(e, "2024年宁夏回族自治区自然资源行政执法案卷评查结果" + SAMPLE_TAG, len(eh))
    e.add(eh)
    for code, name in CITIES:
        e.add([name, *[t.get(2024, code, k) for k in CASEFILE_CODES]])
    e.add(["合计", *[t.get(2024, PROVINCE[0], k) for k in CASEFILE_CODES]])
    _note_row(e, "注：评查对象为各市上报的上一年度办结案件；合计与公布数据一致，分市数据为示例数据。", len(eh))

    notes = Sheet("填表说明", widths={1: 90}, header=None)
    for line in (
        "填表说明",
        "一、本工作簿为演示用示例数据；全区合计与自治区自然资源厅公布的年度数据一致，其余数据为合成数据。",
        "二、“主要指标”表按设区市填报，末行“合计”为全区合计；“区县”表按县（市、区）填报。",
        "三、罚没款以万元为单位，保留两位小数。",
        "四、案卷评查结果由自治区自然资源厅集中评查后填报，评查对象为上一年度办结案件。",
    ):
        notes.add([line])
    w.xlsx(rel, [s, c, e, notes], 2024)

    rel = FILES["2024_penalty"]
    sheets = []
    for ccode, cname in CITIES:
        p = Sheet(cname, widths={1: 28})
        ph = ["单位名称", *[h for h, _ in ZHEJIANG_COLUMNS], "合计（宗）", "罚没金额（万元）"]
        _title_row(p, f"2024年{cname}自然资源系统行政处罚实施情况统计表{SAMPLE_TAG}", len(ph))
        p.add(ph)

        def merged(code: str) -> list[int]:
            return [sum(t.get(2024, code, k) for k in parts) for _, parts in ZHEJIANG_COLUMNS]

        for county in counties_of(ccode):
            p.add([agency_name(county, 2024), *merged(county.code), t.get(2024, county.code, "penalties_total"),
                   wan_float(t.get(2024, county.code, "fines_collected"))])
        p.add(["合计", *merged(ccode), t.get(2024, ccode, "penalties_total"),
               wan_float(t.get(2024, ccode, "fines_collected"))])
        _note_row(p, "注：本表为示例数据，非官方统计；处罚种类按合并栏目统计。", len(ph), merge=False)
        sheets.append(p)
    w.xlsx(rel, sheets, 2024)
    yinchuan = sheets[0]
    col = yinchuan.rows[1].index("行政 拘留") + 1
    w.quirk(rel, yinchuan.name, a1(2, col), "行政 拘留", "表头内含空格 / space inside a header")
    row = [r[0] for r in yinchuan.rows].index("贺兰县自然资源和城乡建设局") + 1
    w.quirk(rel, yinchuan.name, a1(row, 1), "贺兰县自然资源和城乡建设局",
            "机构更名（原自然资源和规划局），仍属贺兰县 / renamed agency, same region")

    rel = FILES["2024_license"]
    lic = Sheet("行政许可", widths={1: 28}, header=(2, 3))
    _title_row(lic, "2024年宁夏回族自治区自然资源系统行政许可实施情况统计表" + SAMPLE_TAG, 6)
    lic.add(["单位名称", "行政许可实施数量", None, None, None, "撤销许可数量"])
    lic.add([None, "申请数量", "受理数量", "许可数量", "不予许可数量", None])
    lic.merges += [(2, 1, 3, 1), (2, 2, 2, 5), (2, 6, 3, 6)]
    for county in COUNTIES:
        lic.add([agency_name(county, 2024), *[t.get(2024, county.code, k) for k in LICENSE_CODES]])
    lic.add(["合计", *[t.get(2024, PROVINCE[0], k) for k in LICENSE_CODES]])
    _note_row(lic, "注：本表为示例数据，非官方统计；单位为件。", 6)
    w.xlsx(rel, [lic], 2024)


# --------------------------------------------------------------------------------------------------
# Marker, manifest, README
# --------------------------------------------------------------------------------------------------
SAMPLE_TEXT = """示例数据（SAMPLE DATA）

本目录中的全部表格和文稿（来函、网页、PDF）均为演示用的合成示例数据，不是官方统计数据或官方文件。
唯一例外：2024年全区合计（立案查处、收缴罚没款、日常执法巡查、发现制止违法行为、
下发责令停止违法行为通知书、案卷评查及其优秀、合格、不合格数）与宁夏回族自治区自然资源厅
公布的年度行政执法数据一致；其分市、分县拆分仍为合成数据。

Everything in this folder is synthetic sample data generated by scripts/make_sample_data.py.
The only exception: the 2024 province totals equal the figures published by the Ningxia
Department of Natural Resources; their split by city and county is synthetic.
Regenerate with: make sample
"""

FILE_DESCRIPTIONS: dict[str, str] = {
    "2019_city": "GB18030 CSV. Title row, one header row with units in brackets (`罚没款（万元）`), "
                 "5 cities then a `合计` row (= province), a `注：` note row below.",
    "2019_county": "UTF-8 CSV with BOM. Title row, header variants (`立案数量`, `罚没款金额`, `执法巡查次数`, "
                   "`发现制止违法行为`), 22 counties, no total row, note row.",
    "2020_key": "XLSX. Sheet `地市`: merged two-level header, groups `执法办案` (立案 / 结案 / 罚没金额（元）), "
                "`执法巡查` and `案卷评查` (评查数 / 优秀 / 合格 / 不合格) side by side; money **in 元** this year; "
                "cities + `合计`. Sheet `区县`: counties, same groups without case-file evaluation. "
                "Sheet `填表说明`: instructions only (no table).",
    "2021_penalty": "XLSX, one sheet per city: national 行政处罚实施情况统计表 (14 categories + `合计（宗）` + "
                    "`罚没金额（万元）`), county agencies as rows (`兴庆区自然资源局`, `贺兰县自然资源和规划局`, ...), "
                    "a `合计` row per city; many zero categories.",
    "2021_key": "UTF-8 CSV (no BOM). Key indicators for the 5 cities + `合计`, every number in full-width digits "
                "with thousands separators (`１，２３４．５６`).",
    "2022_key": "Legacy XLS (xlwt). Traditional-character headers (`地區`, `結案`, `罰沒金額（萬元）`, "
                "`責令停止違法行為通知書`); sheet `地市` (cities + `合计`) and sheet `区县` (counties).",
    "license_manifest": "Legacy XLS. 行政许可实施情况统计表 (申请 / 受理 / 许可 / 不予许可 / 撤销许可数量) with the "
                        "5 city bureaus as rows + `合计`. Neither the name, title, sheet nor folder gives a year: "
                        "`manifest.csv` assigns it to 2022.",
    "2023_key": "XLSX with a three-level header (`主要执法指标` > `执法办案` > 立案 / 结案 / 罚没款; "
                "`主要执法指标` > `执法巡查` > 巡查次数 / 制止违法行为 / 责令停止违法行为通知书) and a separate "
                "unit row under it (起 / 起 / 万元 / 次 / 起 / 份; the label cell of that row is left blank). Sheet `地市` (cities + `合计`, with the deliberate mismatch) and sheet `区县` (counties "
                "with blanks, dashes, approximate values and a unit inside a cell).",
    "2023_letter": "Word (.docx). The department's narrative letter on its 2023 work, written for the sample in "
                   "formal Chinese (labelled 示例数据): figures inside sentences (巡查、制止、责令停止、立案、"
                   "罚没款、案卷评查、法制审核、规范性文件、投诉举报线索), one sentence naming 固原市 (a city "
                   "figure), a dateline, ordinals (一是). No table: every fact has `source_kind` text and its "
                   "sentence as evidence. The province's 立案查处 is the one deliberate letter/table "
                   "disagreement (see below).",
    "2023_disclosure": "Web page, **GBK** bytes with `<meta charset=\"gbk\">`: 同心县自然资源局's "
                       "政府信息公开工作年度报告 with the 第二十条（五）（六）（八） tables of the 2021 template "
                       "(`信息内容` rows, `本年处理决定数量` / `本年收费金额（单位：万元）` columns, a colspan "
                       "caption row) and running text around them.",
    "2023_penalty_pdf": "PDF with a text layer (bundled CJK font) and ruling lines: 固原市's 2023 "
                        "行政处罚实施情况统计表 (national 14 categories, headers wrapped inside their cells), 5 "
                        "county bureaus + `合计`. The only 2023 penalty categories in the sample; the 罚没金额 "
                        "合计 equals the 2023 key table (an identical duplicate, merged).",
    "2024_key": "XLSX. Sheet `主要指标`: cities + `合计`, whose 合计 equals the published 2024 province totals; "
                "headers worded as in the letter (`立案查处`, `收缴罚没款（万元）`, `日常执法巡查`, ...). Sheet "
                "`区县`: counties. Sheet `案卷评查`: per city + `合计` = 39 files (10 excellent, 27 passed, 2 "
                "failed). Sheet `填表说明`: instructions only.",
    "2024_penalty": "XLSX, one sheet per city: 行政处罚 form in the **Zhejiang merged-category layout** "
                    "(`警告、通报批评`, `没收违法所得、没收非法财物`, `暂扣许可证、执照，降低资质等级`, "
                    "`责令停产停业、责令关闭、限制从业`, a header with a space `行政 拘留`), county agencies + `合计`.",
    "2024_license": "XLSX. 行政许可 form with a merged two-level header (`行政许可实施数量` over 申请 / 受理 / "
                    "许可 / 不予许可数量; `撤销许可数量` merged vertically), 22 county agencies + `合计`.",
}


def readme_text(t: Truth, quirks: Sequence[Quirk]) -> str:
    m = t.mismatch
    lc = sample_documents.letter_conflict(t, sys.modules[__name__])
    lines = [
        "# Sample raw data (示例数据) — 宁夏回族自治区, 2019–2024",
        "",
        "> **Everything in this folder is synthetic sample data (示例数据), not official statistics.**",
        "> The one exception: the **2024 province totals** (cases filed 214, fines 9172.05 万元, patrols 4637,",
        "> violations stopped 252, stop orders 150, case files reviewed 39 = 10 excellent + 27 passed + 2 failed)",
        "> equal the figures published by the Ningxia Department of Natural Resources (宁夏回族自治区自然资源厅)",
        "> in its letter on 2024 administrative enforcement. Their split by city and county is synthetic.",
        "> 本目录全部为合成示例数据，非官方统计；仅2024年全区合计与自治区自然资源厅公布数据一致。",
        "",
        "Every table title contains `（示例数据）`, and the `SAMPLE` marker file flags the whole folder as sample",
        "data (`meta.json` → `is_sample: true`).",
        "",
        "## Regenerate",
        "",
        "```sh",
        "make sample        # runs: .venv/bin/python scripts/make_sample_data.py --out data/raw",
        "# the illustrative population/area table is written with --reference:",
        ".venv/bin/python scripts/make_sample_data.py --out data/raw \\",
        "    --reference data/reference/regions_population_area_sample.csv",
        "```",
        "",
        f"The generator is seeded (default seed {DEFAULT_SEED}) and byte-for-byte reproducible;",
        "`tests/test_sample_data.py` checks the committed files against a fresh run. Do not edit these files by",
        "hand: change the script and regenerate. This README is generated too.",
        "",
        "## How the numbers are built",
        "",
        "A truth model is generated first (`build_truth(seed)` in the script): for every year and each of the 22",
        "counties, cases filed and closed, fines (万元; stored in whole 元, so 2 or sometimes 4 decimals), patrols,",
        "violations stopped, stop orders, penalties by the 14 national categories (many zeros) and their total,",
        "licences (applied ≥ accepted ≥ granted + refused; a few revoked), and case-file evaluation per city",
        "(excellent + passed + failed = reviewed). Cities are exact sums of their counties and the province the",
        "exact sum of its cities, apart from the one deliberate fault below. 灵武市 is a deliberate outlier",
        "(a far larger share of fines every year); 中卫市 had no case files evaluated in 2020.",
        "Case-file evaluation figures are filed under the year of the table that publishes them: the 2024",
        "table (39 files) evaluates cases closed in 2023, as in the letter.",
        "Any figure that appears in two files (for example a city's fines in a key-indicator table and in the",
        "合计 row of that city's 行政处罚 form) is identical, apart from the one deliberate letter/table",
        "disagreement below.",
        "",
        "## Files",
        "",
        "| file | year | layout and quirks |",
        "| --- | --- | --- |",
    ]
    for key, rel in FILES.items():
        year = MANIFEST_YEAR if key == "license_manifest" else int(rel[:4])
        lines.append(f"| `{rel}` | {year} | {FILE_DESCRIPTIONS[key]} |")
    lines += [
        "| `manifest.csv` | — | `path,year,note`: gives the year of the one file whose name has no year. |",
        "| `SAMPLE` | — | Marker file: the folder holds synthetic sample data. |",
        "",
        "## The deliberate total mismatch",
        "",
        f"`{m.file}`, sheet `{m.sheet}`, cell **{m.cell}**: the `合计` of 制止违法行为 ({m.indicator}) is",
        f"published as {m.published}, while the five cities above it sum to {m.sum_of_rows}. Cleaning keeps the",
        f"published figure as the {m.year} province value and reports exactly one `total_mismatch` warning at",
        "that cell. The county sheet of the same file agrees with the city rows.",
        "",
        "## The deliberate letter/table disagreement",
        "",
        f"`{lc.letter_file}`, paragraph {lc.letter_paragraph}, sentence S2: the letter gives the {lc.year} province",
        f"立案查处 ({lc.indicator}) as **{lc.letter_value}**, while the key table `{lc.table_file}`, sheet",
        f"`{lc.table_sheet}`, cell {lc.table_cell} gives {lc.table_value}. A table has precedence over running text:",
        "cleaning keeps the table figure and reports exactly one `source_conflict` warning on the letter's",
        "sentence that names both sources. Every other figure of the letter equals the tables (and merges",
        "with them as an identical duplicate) or is a figure only the letter gives (法制审核、规范性文件、",
        "投诉举报线索, drawn by `sample_documents.document_figures`).",
        "",
        "## Every deliberate quirk, cell by cell",
        "",
        "| file | sheet | cell | raw | what it shows |",
        "| --- | --- | --- | --- | --- |",
    ]
    for q in quirks:
        lines.append(f"| `{q.file}` | {q.sheet or '—'} | {q.cell} | `{q.raw}` | {q.note} |")
    lines += [
        "",
        "Missing cells (blank, `-`, `—`, `无`) always stand where the true figure is 0, so every 合计 and every",
        "city-versus-counties comparison still adds up; cleaning records them as missing (no fact, an info",
        "finding), not as zero. Approximate cells (`约300`, `120余`) hold the exact true value.",
        "",
        "Population and area figures for per-capita and per-area rates are in",
        "`data/reference/regions_population_area_sample.csv` (approximate illustrative values, not official).",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Illustrative population and area (示例数值，非官方统计) for per-capita / per-area rates
# --------------------------------------------------------------------------------------------------
# county -> (population share weight in 万人, area in km²); approximate magnitudes only.
POP_AREA: dict[str, tuple[float, int]] = {
    "兴庆区": (85, 828), "西夏区": (50, 1129), "金凤区": (45, 346), "永宁县": (35, 934), "贺兰县": (38, 1532),
    "灵武市": (36, 4786), "大武口区": (32, 1007), "惠农区": (20, 1254), "平罗县": (23, 3049),
    "利通区": (43, 1384), "红寺堡区": (23, 2767), "盐池县": (16, 8522), "同心县": (32, 6813),
    "青铜峡市": (26, 1934), "原州区": (42, 2739), "西吉县": (33, 3130), "隆德县": (12, 985), "泾源县": (9, 1131),
    "彭阳县": (19, 2555), "沙坡头区": (41, 8258), "中宁县": (35, 4193), "海原县": (34, 7124),
}
# province population, in units of 0.1 万人, per year (illustrative)
POP_TOTAL_TENTHS = {2019: 7170, 2020: 7203, 2021: 7250, 2022: 7280, 2023: 7290, 2024: 7290}
POP_NOTE = "示例数值，非官方统计（approximate illustrative values, not official statistics）"


def population_area_csv() -> bytes:
    """``region_code,region_name,year,population_10k,area_km2,source_note``; parts sum to their parents."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["region_code", "region_name", "year", "population_10k", "area_km2", "source_note"])
    for year in YEARS:
        tenths = apportion(POP_TOTAL_TENTHS[year], [POP_AREA[c.name][0] for c in COUNTIES])
        pop = {c.code: int(v) for c, v in zip(COUNTIES, tenths)}
        area = {c.code: POP_AREA[c.name][1] for c in COUNTIES}
        for ccode, _ in CITIES:
            pop[ccode] = sum(pop[c.code] for c in counties_of(ccode))
            area[ccode] = sum(area[c.code] for c in counties_of(ccode))
        pop[PROVINCE[0]] = sum(pop[c] for c, _ in CITIES)
        area[PROVINCE[0]] = sum(area[c] for c, _ in CITIES)
        order = [PROVINCE[0]]
        for ccode, _ in CITIES:
            order += [ccode, *[c.code for c in counties_of(ccode)]]
        for code in order:
            out.writerow([code, REGION_NAME[code], year, f"{pop[code] / 10:.1f}", area[code], POP_NOTE])
    return buf.getvalue().encode("utf-8")


def render(seed: int = DEFAULT_SEED) -> Writer:
    """Render every raw file into a ``Writer`` (files, quirk log, header paths, titles)."""
    truth = build_truth(seed)
    w = Writer()
    for fn in (write_2019, write_2020, write_2021, write_2022, write_2023, write_2024):
        fn(w, truth)
    sample_documents.write_documents(w, truth, sys.modules[__name__])
    manifest = io.StringIO()
    mw = csv.writer(manifest, lineterminator="\n")
    mw.writerow(["path", "year", "note"])
    mw.writerow([FILES["license_manifest"], MANIFEST_YEAR, "文件名与标题均未注明年度，以本清单为准（示例数据）"])
    w.files["manifest.csv"] = manifest.getvalue().encode("utf-8")
    w.files["SAMPLE"] = SAMPLE_TEXT.encode("utf-8")
    w.files["README.md"] = readme_text(truth, w.quirks).encode("utf-8")
    return w


def build_files(seed: int = DEFAULT_SEED) -> dict[str, bytes]:
    """Render every raw file (relative POSIX path -> bytes)."""
    return render(seed).files


def write_all(out_dir: Path | str, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the sample into ``out_dir``; returns the written paths."""
    out = Path(out_dir)
    written = []
    for rel, data in sorted(build_files(seed).items()):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    # The 2024 case records (双公示) agree with the tables just written, except one deliberate omission.
    make_case_sample = _sibling("make_case_sample")
    cases = out / "cases" / make_case_sample.FILE_NAME
    cases.parent.mkdir(parents=True, exist_ok=True)
    cases.write_bytes(make_case_sample.render(make_case_sample.build_rows(make_case_sample.yearly_figures(out), make_case_sample.DEFAULT_SEED)))
    written.append(cases)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the synthetic 宁夏 sample (示例数据) raw tables.")
    parser.add_argument("--out", type=Path, required=True, help="output folder, e.g. data/raw")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--reference", type=Path, default=None,
                        help="also write the illustrative population/area CSV to this path, e.g. "
                             "data/reference/regions_population_area_sample.csv")
    args = parser.parse_args(argv)
    paths = write_all(args.out, args.seed)
    if args.reference:
        args.reference.parent.mkdir(parents=True, exist_ok=True)
        args.reference.write_bytes(population_area_csv())
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files ({total / 1024:.0f} KiB) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
