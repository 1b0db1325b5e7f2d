"""Seeded synthetic national data for the national-scale benchmarks (issue 14): regions, facts and raw tables.

Nothing here is official: every name, code and figure is synthetic, and everything is written to a folder the
caller chooses (a temporary one in ``bench_national.py``), never into the repository.

* :func:`national_regions` - 34 provinces, 333 prefectures and ~2,850 counties. When the packaged
  ``regions.csv`` already holds a national catalogue (more than 1,000 rows) it is used as is; otherwise
  synthetic 6-digit codes with a consistent GB/T 2260-style hierarchy (``pp0000`` > ``ppcc00`` > ``ppccnn``,
  real two-digit province prefixes) and unique synthetic names are generated, and
  :func:`write_catalog_dir` writes the matching ``regions.csv`` into a catalogue folder to pass as
  ``ENFORCEMENT_CATALOG_DIR`` / ``catalog_dir``.
* :func:`national_facts` - tidy facts (contract section 1) for 10 years and the catalogue's indicators.
  Counties are drawn from a truth model with realistic magnitudes (cases filed ~ tens per county, fines in
  万元, patrols in the hundreds, penalties split over the 14 national categories, licences applied >=
  accepted >= granted + refused, case-file evaluation at city and province level); cities are exact sums of
  their counties and provinces of their cities, except a few deliberate mismatches (``MISMATCHES``).
  Each province uses its own forms per year: the key-indicator table every year, the penalty, licence,
  case-file and "other" forms in some years only, so the series of a region vary over years as real
  publications do. A few cells are missing, a few approximate, and a few figures are published twice
  (the same value in two files, which the summary counts once).
* :func:`write_raw_tables` - the same figures as raw tables for ``enforcement clean``: one CSV or XLSX per
  province x year (province + its cities) and per city x year (city + its counties).

Run ``.venv/bin/python benchmarks/national_data.py --out /tmp/national`` to write everything once.
"""

from __future__ import annotations

import argparse
import csv
import sys
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.catalog import read_catalog_text

SEED = 20261201
YEARS = tuple(range(2015, 2025))
# The 34 provincial-level divisions' GB/T 2260 prefixes.
PROVINCE_PREFIXES = (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50,
                     51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82)
N_CITIES = 333
N_COUNTIES = 2850
REGION_COLUMNS = ["code", "name", "short_name", "level", "parent_code", "aliases"]
FACT_COLUMNS = ["year", "region_code", "region_name", "level", "agency", "indicator", "value", "unit", "approx",
                "source_file", "source_sheet", "source_cell"]
# Characters for synthetic place names (simplified, no traditional variants, none of 合计/小计/总计).
_NAME_CHARS = ("安宁平和顺兴昌永泰丰远清河山阳城江湖海岭川原林泉石桥台峰溪谷源东西南北中新长乐"
               "宝福华明德广怀定建隆庆嘉盛荣祥瑞康寿吉利通达凤龙鹤云月星春秋松柏桃梅兰竹金银玉")
KEY_FORM = ["cases_filed", "cases_closed", "fines_collected", "patrols", "violations_stopped", "stop_orders"]
PENALTY_CATEGORIES = ["penalty_warning", "penalty_criticism", "penalty_fine", "penalty_confiscate_income",
                      "penalty_confiscate_property", "penalty_suspend_license", "penalty_downgrade",
                      "penalty_revoke_license", "penalty_restrict_business", "penalty_suspend_production",
                      "penalty_close", "penalty_restrict_practice", "penalty_detention", "penalty_other"]
PENALTY_SHARES = np.array([0.10, 0.02, 0.58, 0.05, 0.05, 0.02, 0.01, 0.02, 0.01, 0.04, 0.02, 0.01, 0.01, 0.06])
PENALTY_FORM = [*PENALTY_CATEGORIES, "penalties_total"]
# Zhejiang-style merged categories (published_layouts.md): merged column -> the national categories it sums.
MERGED_PENALTIES = {
    "penalty_warning_criticism": ["penalty_warning", "penalty_criticism"],
    "penalty_confiscation": ["penalty_confiscate_income", "penalty_confiscate_property"],
    "penalty_suspend_downgrade": ["penalty_suspend_license", "penalty_downgrade"],
    "penalty_suspend_close_restrict": ["penalty_suspend_production", "penalty_close", "penalty_restrict_practice"],
}
PENALTY_MERGED_FORM = [*MERGED_PENALTIES, "penalty_fine", "penalty_revoke_license", "penalty_restrict_business",
                       "penalty_detention", "penalty_other", "penalties_total"]
LICENSE_FORM = ["licenses_applied", "licenses_accepted", "licenses_granted", "licenses_refused",
                "licenses_revoked"]
CASEFILE_FORM = ["casefile_reviewed", "casefile_excellent", "casefile_passed", "casefile_failed"]
OTHER_FORM = ["complaint_leads", "enforcement_officers", "certified_officer_rate", "legal_reviews",
              "cases_publicized", "satellite_land_parcels_verified"]
PROCESS_FORM = ["penalty_not_imposed", "fines_waived", "penalty_mitigated", "fines_mitigated",
                "reconsideration_cases", "reconsideration_corrected", "litigation_cases", "litigation_lost",
                "transferred_judicial", "judicial_accepted", "summary_procedure", "general_procedure",
                "legal_review_corrections", "monitoring_parcels_issued", "satellite_mineral_parcels_verified"]
# Probability that a province publishes a form in a given year (the key form is published every year).
FORM_PROBABILITY = {"penalty": 0.12, "license": 0.12, "casefile": 0.5, "other": 0.12, "process": 0.08,
                    "extra": 0.05}
P_MISSING = 0.02
P_APPROX = 0.01
P_DUPLICATE = 0.01
MISMATCHES = 24  # deliberate parent totals that differ from the sum of their children


# --------------------------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------------------------
def packaged_regions() -> pd.DataFrame:
    """The region catalogue as the code sees it (packaged file or ``ENFORCEMENT_CATALOG_DIR``)."""
    return pd.read_csv(StringIO(read_catalog_text("regions.csv")), dtype=str, keep_default_na=False)


def synthetic_regions(seed: int = SEED) -> pd.DataFrame:
    """34 provinces, 333 cities, 2,850 counties with consistent synthetic codes and unique synthetic names."""
    rng = np.random.default_rng(seed)
    chars = list(dict.fromkeys(_NAME_CHARS))
    pairs = [a + b for a in chars for b in chars if a != b]
    n_total = len(PROVINCE_PREFIXES) + N_CITIES + N_COUNTIES
    bases = [pairs[i] for i in rng.choice(len(pairs), size=n_total, replace=False)]
    # Cities per province: 333 spread over 34 (at least 4 each); counties per city: 2,850 over 333 (>= 3).
    cities_per = _spread(N_CITIES, len(PROVINCE_PREFIXES), 4, rng)
    counties_per = _spread(N_COUNTIES, N_CITIES, 3, rng)
    rows = []
    k = 0
    city_i = 0
    for p, n_c in zip(PROVINCE_PREFIXES, cities_per):
        pcode = f"{p:02d}0000"
        rows.append((pcode, bases[k] + "省", bases[k], "province", "", ""))
        k += 1
        for c in range(1, n_c + 1):
            ccode = f"{p:02d}{c:02d}00"
            rows.append((ccode, bases[k] + "市", bases[k], "city", pcode, ""))
            k += 1
            for j in range(1, counties_per[city_i] + 1):
                suffix = "区" if j <= 2 else "县"
                rows.append((f"{p:02d}{c:02d}{j:02d}", bases[k] + suffix, bases[k], "county", ccode, ""))
                k += 1
            city_i += 1
    return pd.DataFrame(rows, columns=REGION_COLUMNS)


def _spread(total: int, parts: int, minimum: int, rng: np.random.Generator) -> list[int]:
    extra = rng.multinomial(total - parts * minimum, np.full(parts, 1.0 / parts))
    return [int(minimum + e) for e in extra]


def national_regions(seed: int = SEED) -> tuple[pd.DataFrame, bool]:
    """``(regions, synthetic)``: the packaged national catalogue when it exists, else :func:`synthetic_regions`."""
    packaged = packaged_regions()
    if len(packaged) > 1000:
        return packaged[REGION_COLUMNS].copy(), False
    return synthetic_regions(seed), True


def write_catalog_dir(folder: Path, regions: pd.DataFrame) -> Path:
    """Write ``regions.csv`` into ``folder`` (a catalogue override folder) and return the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    regions[REGION_COLUMNS].to_csv(folder / "regions.csv", index=False, encoding="utf-8")
    return folder


def half_regions(regions: pd.DataFrame) -> pd.DataFrame:
    """The regions of every other province (a half-size run with the same peer-group sizes)."""
    provinces = sorted(regions.loc[regions["level"] == "province", "code"])
    keep = {c[:2] for c in provinces[::2]}
    return regions[regions["code"].str[:2].isin(keep)].reset_index(drop=True)


# --------------------------------------------------------------------------------------------------------
# Truth model -> facts
# --------------------------------------------------------------------------------------------------------
def _county_truth(n: int, years: tuple[int, ...], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Arrays (years x counties) of every additive indicator for the counties."""
    t = len(years)
    size = rng.lognormal(0.0, 0.7, n)[None, :]
    growth = np.cumprod(1.0 + rng.normal(0.03, 0.06, (t, n)), axis=0)
    lam = size * growth
    out: dict[str, np.ndarray] = {}
    out["cases_filed"] = rng.poisson(25 * lam)
    out["cases_closed"] = rng.binomial(out["cases_filed"], 0.85)
    per_case = rng.lognormal(np.log(12.0), 0.8, (t, n))
    out["fines_collected"] = np.round(out["cases_filed"] * per_case, 2)
    out["patrols"] = rng.poisson(420 * lam)
    out["violations_stopped"] = rng.poisson(30 * lam)
    out["stop_orders"] = rng.binomial(out["violations_stopped"], 0.6)
    total = rng.poisson(20 * lam)
    cats = np.stack([rng.multinomial(int(m), PENALTY_SHARES) for m in total.ravel()]).reshape(t, n, -1)
    for i, code in enumerate(PENALTY_CATEGORIES):
        out[code] = cats[:, :, i]
    out["penalties_total"] = total
    for merged, parts in MERGED_PENALTIES.items():
        out[merged] = sum(out[p] for p in parts)
    out["licenses_applied"] = rng.poisson(60 * lam)
    out["licenses_accepted"] = rng.binomial(out["licenses_applied"], 0.95)
    out["licenses_granted"] = rng.binomial(out["licenses_accepted"], 0.9)
    out["licenses_refused"] = out["licenses_accepted"] - out["licenses_granted"]
    out["licenses_revoked"] = rng.poisson(0.5 * lam)
    out["complaint_leads"] = rng.poisson(50 * lam)
    out["enforcement_officers"] = rng.poisson(12 * np.sqrt(lam)) + 3
    out["legal_reviews"] = rng.poisson(15 * lam)
    out["cases_publicized"] = rng.poisson(2 * lam)
    out["satellite_land_parcels_verified"] = rng.poisson(80 * lam)
    out["satellite_mineral_parcels_verified"] = rng.poisson(10 * lam)
    out["monitoring_parcels_issued"] = rng.poisson(60 * lam)
    out["legal_review_corrections"] = rng.binomial(out["legal_reviews"], 0.05)
    out["penalty_not_imposed"] = rng.poisson(1.5 * lam)
    out["fines_waived"] = np.round(out["penalty_not_imposed"] * rng.lognormal(np.log(3.0), 0.6, (t, n)), 2)
    out["penalty_mitigated"] = rng.poisson(2 * lam)
    out["fines_mitigated"] = np.round(out["penalty_mitigated"] * rng.lognormal(np.log(2.0), 0.6, (t, n)), 2)
    out["reconsideration_cases"] = rng.poisson(0.8 * lam)
    out["reconsideration_corrected"] = rng.binomial(out["reconsideration_cases"], 0.1)
    out["litigation_cases"] = rng.poisson(0.6 * lam)
    out["litigation_lost"] = rng.binomial(out["litigation_cases"], 0.1)
    out["transferred_judicial"] = rng.poisson(0.7 * lam)
    out["judicial_accepted"] = rng.binomial(out["transferred_judicial"], 0.8)
    out["summary_procedure"] = rng.poisson(3 * lam)
    out["general_procedure"] = np.maximum(total - out["summary_procedure"], 0)
    return {k: v.astype(float) for k, v in out.items()}


def _casefile(n: int, t: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    reviewed = rng.poisson(12, (t, n)) + 1
    probs = np.array([0.3, 0.62, 0.08])
    parts = np.stack([rng.multinomial(int(m), probs) for m in reviewed.ravel()]).reshape(t, n, 3)
    return {"casefile_reviewed": reviewed.astype(float), "casefile_excellent": parts[:, :, 0].astype(float),
            "casefile_passed": parts[:, :, 1].astype(float), "casefile_failed": parts[:, :, 2].astype(float)}


def _forms(provinces: list[str], years: tuple[int, ...], rng: np.random.Generator,
           extra: list[str]) -> dict[tuple[str, int], list[str]]:
    """Indicators each province publishes per year (its forms); a quarter use the merged penalty layout."""
    out = {}
    merged_layout = {p: rng.random() < 0.25 for p in provinces}
    for p in provinces:
        for y in years:
            inds = list(KEY_FORM)
            if rng.random() < FORM_PROBABILITY["penalty"]:
                inds += PENALTY_MERGED_FORM if merged_layout[p] else PENALTY_FORM
            if rng.random() < FORM_PROBABILITY["license"]:
                inds += LICENSE_FORM
            if rng.random() < FORM_PROBABILITY["casefile"]:
                inds += CASEFILE_FORM
            if rng.random() < FORM_PROBABILITY["other"]:
                inds += OTHER_FORM
            if rng.random() < FORM_PROBABILITY["process"]:
                inds += PROCESS_FORM
            if extra and rng.random() < FORM_PROBABILITY["extra"]:
                inds += extra
            out[(p, y)] = inds
    return out


def national_values(regions: pd.DataFrame, years: tuple[int, ...] = YEARS, seed: int = SEED) -> pd.DataFrame:
    """Every region's true value of every indicator and year (long: ``year, region_code, indicator, value``),
    with parents exact sums of children, before forms, missing cells and deliberate mismatches.

    Regions without children (counties, and the few cities without counties) are drawn from the truth
    model; a city is the sum of its counties and a province the sum of its cities and of the counties it
    holds directly (municipalities). Case files are evaluated by cities (drawn) and provinces (their sum).
    """
    rng = np.random.default_rng(seed + 1)
    reg = regions.reset_index(drop=True)
    t = len(years)
    codes = reg["code"].to_numpy()
    pos = pd.Index(codes)
    parent_idx = pos.get_indexer(reg["parent_code"])
    leaf = ~reg["code"].isin(set(reg["parent_code"])).to_numpy()
    leaf_truth = _county_truth(int(leaf.sum()), years, rng)
    extra = _extra_indicators(set(leaf_truth) | set(CASEFILE_FORM) | {"certified_officer_rate"})
    lam = leaf_truth["cases_filed"] / 25.0 + 0.04
    for code, kind in extra.items():
        draw = rng.poisson(8 * lam).astype(float)
        leaf_truth[code] = np.round(draw * rng.lognormal(0.0, 0.5, draw.shape), 2) if kind == "money" else draw
    cities = (reg["level"] == "city").to_numpy()
    cf = _casefile(int(cities.sum()), t, rng)
    full = {k: np.zeros((t, len(reg))) for k in [*leaf_truth, *cf]}
    for k, v in leaf_truth.items():
        full[k][:, leaf] = v
    for k, v in cf.items():
        full[k][:, cities] = v
    # Bottom-up: cities (sum of counties) first, then provinces (sum of cities and direct counties).
    for level in ("city", "province"):
        parents = np.flatnonzero((reg["level"] == level).to_numpy() & ~leaf)
        kids = np.flatnonzero(np.isin(parent_idx, parents))
        for k, arr in full.items():
            if k in cf and level == "city":
                continue
            arr[:, parents] = 0.0
            for i in range(t):
                np.add.at(arr[i], parent_idx[kids], arr[i, kids])
    frames = [pd.DataFrame({"year": np.repeat(np.asarray(years), len(reg)), "region_code": np.tile(codes, t),
                            "indicator": k, "value": arr.ravel()}) for k, arr in full.items()]
    out = pd.concat(frames, ignore_index=True)
    out = out[~(out["indicator"].isin(CASEFILE_FORM) & out["region_code"].map(reg.set_index("code")["level"]).eq(
        "county"))]
    # The certificate rate is a rate of its own at every level (85-100 %).
    rate = pd.DataFrame({"year": np.repeat(np.asarray(years), len(reg)), "region_code": np.tile(codes, t),
                         "indicator": "certified_officer_rate",
                         "value": np.round(rng.uniform(85, 100, t * len(reg)), 1)})
    out = pd.concat([out, rate], ignore_index=True)
    out["value"] = out["value"].round(2)  # sums of money in 万元 keep 2 decimals
    return out.reset_index(drop=True)


def _extra_indicators(covered: set[str]) -> dict[str, str]:
    """Catalogue indicators no form above covers (code -> kind): published in the "extra" form."""
    cat = _indicators()
    return {r.code: r.kind for r in cat.itertuples() if r.code not in covered and r.kind != "rate"}


def national_facts(regions: pd.DataFrame | None = None, years: tuple[int, ...] = YEARS,
                   seed: int = SEED) -> pd.DataFrame:
    """Tidy facts (contract section 1) for ``regions`` (default :func:`national_regions`) x ``years``."""
    if regions is None:
        regions = national_regions(seed)[0]
    rng = np.random.default_rng(seed + 2)
    truth = national_values(regions, years, seed)
    reg = regions.set_index("code")
    provinces = sorted(regions.loc[regions["level"] == "province", "code"])
    extra = sorted(set(truth["indicator"]) - set(KEY_FORM + PENALTY_FORM + LICENSE_FORM + CASEFILE_FORM
                                                 + OTHER_FORM + PROCESS_FORM + PENALTY_MERGED_FORM))
    forms = _forms(provinces, years, rng, extra)
    pub = pd.DataFrame([(p, y, i) for (p, y), inds in forms.items() for i in inds],
                       columns=["province", "year", "indicator"])
    truth["province"] = truth["region_code"].str[:2] + "0000"
    df = truth.merge(pub, on=["province", "year", "indicator"], how="inner")
    df = df[rng.random(len(df)) >= P_MISSING].reset_index(drop=True)
    # Deliberate mismatches: a parent's reported total that is not the sum of its children.
    parents = np.flatnonzero((df["region_code"].map(reg["level"]) != "county").to_numpy()
                             & df["indicator"].isin(KEY_FORM).to_numpy())
    bad = rng.choice(parents, size=min(MISMATCHES, len(parents)), replace=False)
    df.loc[bad, "value"] = df.loc[bad, "value"] + rng.integers(1, 20, len(bad))
    df["region_name"] = df["region_code"].map(reg["name"])
    df["level"] = df["region_code"].map(reg["level"])
    df["agency"] = ""
    units = _indicators().set_index("code")["unit"]
    df["unit"] = df["indicator"].map(units)
    df["approx"] = rng.random(len(df)) < P_APPROX
    df["source_file"] = [f"{y}/{p}_{y}.csv" for p, y in zip(df["province"], df["year"])]
    df["source_sheet"] = ""
    df["source_cell"] = [f"R{i % 5000 + 3}C{i % 30 + 2}" for i in range(len(df))]
    dup = df[rng.random(len(df)) < P_DUPLICATE].copy()
    dup["source_file"] = dup["source_file"].str.replace(".csv", "_重复.csv", regex=False)
    df = pd.concat([df, dup], ignore_index=True)
    df["year"] = df["year"].astype("int64")
    return df[FACT_COLUMNS].sort_values(["year", "region_code", "indicator", "source_file"], ignore_index=True)


def _indicators() -> pd.DataFrame:
    return pd.read_csv(StringIO(read_catalog_text("indicators.csv")), dtype=str, keep_default_na=False)


# --------------------------------------------------------------------------------------------------------
# Raw tables for `enforcement clean`
# --------------------------------------------------------------------------------------------------------
def _header_labels() -> dict[str, str]:
    """Column header per indicator: its first catalogue alias without a group path."""
    out = {}
    for row in _indicators().itertuples():
        aliases = [a for a in row.aliases.split("|") if a and "/" not in a]
        out[row.code] = aliases[0] if aliases else row.name_zh
    return out


def write_raw_tables(out_dir: Path, facts: pd.DataFrame, regions: pd.DataFrame, xlsx_every: int = 10,
                     limit: int | None = None) -> list[Path]:
    """Write the facts as raw tables: per province x year (province + cities) and per city x year (city +
    counties). Every ``xlsx_every``-th file is XLSX, the rest UTF-8 CSV with a title row. Duplicated facts
    are written once. Returns the files written (at most ``limit``)."""
    out_dir = Path(out_dir)
    labels = _header_labels()
    reg = regions.set_index("code")
    f = facts.drop_duplicates(["year", "region_code", "indicator"])
    # A province or city file holds the region itself and its direct children.
    children = f[f["level"] != "province"].assign(group=lambda d: d["region_code"].map(reg["parent_code"]))
    parents = f[f["level"] != "county"].assign(group=lambda d: d["region_code"])
    rows = pd.concat([children, parents], ignore_index=True)
    written: list[Path] = []
    for i, ((year, group), part) in enumerate(rows.groupby(["year", "group"], sort=True)):
        if limit is not None and len(written) >= limit:
            break
        wide = part.pivot(index="region_code", columns="indicator", values="value")
        order = [group, *sorted(c for c in wide.index if c != group)]
        wide = wide.reindex(order)
        cols = [c for c in labels if c in wide.columns]
        name = reg.at[group, "name"]
        title = f"{year}年{name}自然资源行政执法统计（合成数据）"
        header = ["地区", *(labels[c] for c in cols)]
        body = [[reg.at[code, "name"], *(_cell(v) for v in wide.loc[code, cols])] for code in wide.index]
        folder = out_dir / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        if xlsx_every and i % xlsx_every == 0:
            path = folder / f"{year}年{name}自然资源行政执法统计_合成数据.xlsx"
            _write_xlsx(path, title, header, body)
        else:
            path = folder / f"{year}年{name}自然资源行政执法统计_合成数据.csv"
            buf = StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow([title] + [""] * (len(header) - 1))
            w.writerow(header)
            w.writerows(body)
            path.write_text(buf.getvalue(), encoding="utf-8-sig")
        written.append(path)
    (out_dir / "SAMPLE").write_text("synthetic national benchmark data\n", encoding="utf-8")
    return written


def _cell(v: float) -> str:
    if pd.isna(v):
        return ""
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}"


def _write_xlsx(path: Path, title: str, header: list[str], body: list[list[str]]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("统计表")
    ws.append([title])
    ws.append(header)
    for row in body:
        ws.append([row[0], *(float(c) if c else None for c in row[1:])])
    wb.save(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="folder to write catalog/, facts.parquet and raw/ into")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--half", action="store_true", help="only every other province")
    ap.add_argument("--no-raw", action="store_true", help="skip the raw tables")
    args = ap.parse_args(argv)
    out = Path(args.out)
    regions, synthetic = national_regions(args.seed)
    if args.half:
        regions = half_regions(regions)
    if synthetic:
        write_catalog_dir(out / "catalog", regions)
    facts = national_facts(regions, seed=args.seed)
    out.mkdir(parents=True, exist_ok=True)
    facts.to_parquet(out / "facts.parquet", index=False)
    n_files = 0 if args.no_raw else len(write_raw_tables(out / "raw", facts, regions))
    print(f"{len(regions)} regions ({'synthetic' if synthetic else 'packaged'} catalogue), {len(facts)} facts, "
          f"{n_files} raw files -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
