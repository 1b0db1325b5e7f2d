#!/usr/bin/env python
"""Generate synthetic case-level penalty records (行政处罚结果公示, 示例数据) for 宁夏, 2024.

Usage::

    .venv/bin/python scripts/make_case_sample.py --raw data/raw [--out data/raw/cases] [--seed N]

The records are consistent with the yearly tables of the bundled sample: the script cleans ``--raw`` (the
case folder itself is left out) and, for each county bureau, writes as many decisions per penalty category
as the 2024 行政处罚实施情况统计表 counts, with fines and confiscations summing to the county's 2024 罚没款
to the 元. One deliberate mismatch: one decision of :data:`MISMATCH_AGENCY` is not published, so the
reconciliation shows that county (and its city and the province) one decision and its amount short.
One decision is published twice (the deduplication's info finding).

Every name is invented and obviously fictitious (示例某某建材有限公司, 张示例); ID numbers are fake (birth date
1900-01-01) and exist only to exercise the masking. Output: ``2024年宁夏自然资源行政处罚结果公示_示例数据.csv``
(UTF-8 with BOM), byte-for-byte reproducible for a given seed.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import sys
import tempfile
from pathlib import Path

import cn2an
import numpy as np

DEFAULT_SEED = 20250315
YEAR = 2024
FILE_NAME = f"{YEAR}年宁夏自然资源行政处罚结果公示_示例数据.csv"
MISMATCH_AGENCY = "西夏区自然资源局"
HEADER = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "法定代表人", "证件类型", "证件号码",
    "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额(万元)",
    "没收违法所得、没收非法财物的金额(万元)", "暂扣或吊销证照名称及编号", "处罚决定日期", "处罚有效期", "公示截止期",
    "处罚机关", "数据来源单位", "备注",
]
# The yearly form's category columns -> the 处罚类别 a decision of that column is published with
CATEGORY_TERMS = {
    "penalty_warning_criticism": "警告", "penalty_fine": "罚款", "penalty_confiscation": "没收违法所得",
    "penalty_suspend_downgrade": "暂扣许可证件", "penalty_suspend_close_restrict": "责令停产停业",
    "penalty_revoke_license": "吊销许可证件", "penalty_restrict_business": "限制开展生产经营活动",
    "penalty_detention": "行政拘留", "penalty_other": "其他行政处罚",
}
VIOLATIONS = (
    ("非法占用土地", "未经批准擅自占用集体土地建设厂房", "《中华人民共和国土地管理法》第七十七条"),
    ("非法采矿", "未取得采矿许可证擅自开采砂石", "《中华人民共和国矿产资源法》第三十九条"),
    ("破坏耕地", "在永久基本农田上挖砂取土，造成耕地种植条件被破坏", "《中华人民共和国土地管理法》第七十五条"),
    ("未经批准临时用地", "临时用地期满未恢复种植条件", "《土地管理法实施条例》第五十二条"),
    ("越界开采", "超越批准的矿区范围采矿", "《中华人民共和国矿产资源法》第四十条"),
    ("违反测绘管理规定", "未取得测绘资质证书从事测绘活动", "《中华人民共和国测绘法》第五十五条"),
)
VIOLATION_WEIGHTS = (0.38, 0.22, 0.14, 0.12, 0.08, 0.06)
COMPANY_WORDS = ("建材", "砂石", "矿业", "建筑工程", "物流", "农业开发", "商贸", "测绘技术")
COMPANY_FORMS = ("有限公司", "有限责任公司", "砂石厂", "合作社")
SURNAMES = "张王李赵刘陈杨黄周吴"
DATE_FORMS = ("iso", "slash", "chinese", "serial")


def fake_id(region_code: str, seq: int) -> str:
    """An obviously fictitious 18-digit ID (birth date 1900-01-01) with a valid GB 11643 check digit."""
    body = f"{region_code}19000101{seq % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + check


def fake_uscc(region_code: str, seq: int) -> str:
    return f"91{region_code}MA7{seq:06d}X"[:18]


def yearly_figures(raw: Path):
    """2024 penalty counts per county bureau and 罚没款 per county from the cleaned yearly tables."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from analysis.clean.pipeline import clean

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "raw"
        shutil.copytree(raw, copy, ignore=shutil.ignore_patterns("cases"))
        facts, _, _ = clean(copy)
    facts = facts[(facts["year"] == YEAR) & (facts["source_kind"] == "table")]
    counts = facts[(facts["scope"] == "agency") & facts["indicator"].isin([*CATEGORY_TERMS, "penalties_total"])]
    fines = facts[(facts["indicator"] == "fines_collected") & (facts["level"] == "county")]
    fines = fines.sort_values("scope", ascending=False).drop_duplicates("region_code")  # region scope first
    out = []
    for (code, agency), group in counts.groupby(["region_code", "agency"], sort=True):
        by = dict(zip(group["indicator"], group["value"].astype(int)))
        total = by.pop("penalties_total")
        assert sum(by.values()) == total, (agency, by, total)
        yuan = int(round(float(fines.loc[fines["region_code"] == code, "value"].iloc[0]) * 10_000))
        out.append((code, group["region_name"].iloc[0], agency, by, yuan))
    return out


def _split(total: int, n: int, rng: np.random.Generator) -> list[int]:
    """``total`` 元 over ``n`` decisions (log-normal sizes, whole 元, exact sum)."""
    weights = rng.lognormal(mean=0.0, sigma=1.1, size=n)
    parts = np.floor(weights / weights.sum() * total).astype(int)
    parts[int(np.argmax(parts))] += total - int(parts.sum())
    return [int(p) for p in parts]


def _wan(yuan: int) -> str:
    return f"{yuan / 10_000:.4f}".rstrip("0").rstrip(".")


def _content(term: str, yuan: int, form: int) -> str:
    if term == "罚款":
        if form == 0:
            return f"责令退还非法占用的土地，并处罚款人民币{cn2an.an2cn(yuan, 'up')}元整"
        if form == 1 and yuan % 100 == 0:
            return f"责令改正违法行为，罚款{_wan(yuan)}万元"
        return f"责令停止违法行为，共计罚款{yuan:,}元"
    if term == "没收违法所得":
        return f"没收违法所得人民币{yuan:,}元"
    return {"警告": "给予警告", "行政拘留": "移送公安机关处以行政拘留"}.get(term, f"{term}（示例）")


def _date(day: int, form: str) -> str:
    import datetime as dt

    d = dt.date(YEAR, 1, 1) + dt.timedelta(days=day)
    return {"iso": d.isoformat(), "slash": f"{d.year}/{d.month}/{d.day}", "chinese": f"{d.year}年{d.month}月{d.day}日",
            "serial": str((d - dt.date(1899, 12, 30)).days)}[form]


def build_rows(figures, seed: int = DEFAULT_SEED) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    rows: list[list[str]] = []
    person_seq = company_seq = 0
    for code, region_name, agency, by, yuan in figures:
        terms = [CATEGORY_TERMS[c] for c, n in sorted(by.items()) for _ in range(n)]
        money = [i for i, t in enumerate(terms) if t in ("罚款", "没收违法所得")]
        assert money or yuan == 0, agency
        amounts = dict(zip(money, _split(yuan, len(money), rng))) if money else {}
        days = sorted(int(d) for d in rng.integers(0, 365, size=len(terms)))
        short = region_name[:-1]
        agency_rows = []
        for i, term in enumerate(terms):
            v = int(rng.choice(len(VIOLATIONS), p=VIOLATION_WEIGHTS))
            vtype, facts_text, basis = VIOLATIONS[v]
            natural = term in ("警告", "行政拘留") or rng.random() < 0.25
            if natural:
                person_seq += 1
                name = f"{SURNAMES[person_seq % len(SURNAMES)]}示例"
                party = [name, "自然人", "", "", "身份证", fake_id(code, person_seq)]
            else:
                company_seq += 1
                word = COMPANY_WORDS[company_seq % len(COMPANY_WORDS)]
                form = COMPANY_FORMS[company_seq % len(COMPANY_FORMS)]
                party = [f"示例{region_name}某某{word}{form}", "法人及非法人组织", fake_uscc(code, company_seq),
                         f"{SURNAMES[company_seq % len(SURNAMES)]}示例", "", ""]
            amount = amounts.get(i, 0)
            fine = _wan(amount) if term == "罚款" else "— —"
            confiscation = _wan(amount) if term == "没收违法所得" else "— —"
            agency_rows.append(party + [
                f"{short}自然资罚〔{YEAR}〕{i + 1}号", vtype, f"{facts_text}（示例数据）", basis, term,
                _content(term, amount, i % 3), fine, confiscation, "", _date(days[i], DATE_FORMS[i % 4]),
                f"{YEAR + 1}-12-31", f"{YEAR + 3}-12-31", agency, agency, "示例数据",
            ])
        if agency == MISMATCH_AGENCY:  # the deliberate mismatch: one fine decision is not published
            fine_rows = [r for r in agency_rows if r[10] == "罚款"]
            agency_rows.remove(fine_rows[0])
        rows.extend(agency_rows)
    rows.insert(len(rows) // 2, list(rows[3]))  # one decision published twice (deduplicated, info finding)
    return rows


def render(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([f"{YEAR}年宁夏回族自治区自然资源行政处罚结果公示（示例数据）"] + [""] * (len(HEADER) - 1))
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=Path("data/raw"), help="the yearly tables to agree with")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: RAW/cases)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    out = args.out or args.raw / "cases"
    out.mkdir(parents=True, exist_ok=True)
    rows = build_rows(yearly_figures(args.raw), args.seed)
    (out / FILE_NAME).write_bytes(render(rows))
    print(f"wrote {len(rows)} records to {out / FILE_NAME}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
