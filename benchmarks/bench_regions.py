"""Benchmark: resolving 100,000 row labels against the national catalogue, against a plain dict lookup.

Run: ``.venv/bin/python benchmarks/bench_regions.py [--n 100000] [--seed 11] [--repeat 3]``

Labels (seeded) in the forms agencies write: full names (曲阜市), short names (曲阜), agency names
(曲阜市自然资源和规划局), city + county (长春市朝阳区), names shared by several units with a context
(朝阳区 within 长春市), codes (370881) and former names (临安市, mapped through region_changes.csv).

- baseline: ``dict.get`` on a dict holding every label form already mapped to its code (the fastest
  conceivable lookup; it knows nothing of context, agencies or changes);
- resolver, cold: :class:`analysis.catalog.regions.RegionResolver` with its result cache bypassed, so every
  label goes through normalisation, the index, the context and the change table;
- resolver, as used: ``Catalog.resolve_region`` with its cache (cleared before each run), as the extractor
  calls it (a table repeats its labels).

Prints the best-of-N wall-clock and CPU time of each and the ratios against the baseline. Checks that every
resolver answer is the expected code. Exit status 1 when the cold resolver takes 20 s or more for 100,000
labels (about 200 µs a label) or gives a wrong answer.
"""

from __future__ import annotations

import argparse
import random
import sys

from bench_summary import best_of  # benchmarks/ is on sys.path when run as a script

from analysis.catalog import load_catalog


def make_labels(cat, n: int, seed: int) -> list[tuple[str, tuple[str, ...], int | None, str]]:
    """``(label, context, year, expected code)`` for ``n`` labels in mixed forms."""
    rng = random.Random(seed)
    resolver = cat.resolver
    regions = sorted(cat.regions.values(), key=lambda r: r.code)
    unique_names = [r for r in regions if len(resolver.index.get(r.name, ())) == 1]
    shared = [r for r in regions if len(resolver.index.get(r.name, ())) > 1 and r.parent_code]
    counties = [r for r in unique_names if r.level == "county" and cat.regions[r.parent_code].level == "city"]
    one_to_one = [ch for ch in cat.changes if ch.kind in ("rename", "upgrade-to-district", "upgrade-to-city")
                  and ch.new_code in cat.regions and len(resolver.changes_by_name.get(ch.old_name, ())) == 1
                  and ch.old_name not in resolver.index]
    out = []
    for _ in range(n):
        p = rng.random()
        if p < 0.35:
            r = rng.choice(unique_names)
            out.append((r.name, (), None, r.code))
        elif p < 0.50:
            r = rng.choice(unique_names)
            if len(resolver.index.get(r.short_name, ())) != 1:
                out.append((r.name, (), None, r.code))
            else:
                out.append((r.short_name, (), None, r.code))
        elif p < 0.70:
            r = rng.choice(unique_names)
            out.append((r.name + rng.choice(("自然资源局", "自然资源和规划局", "自然资源分局")), (), None, r.code))
        elif p < 0.80:
            r = rng.choice(counties)
            out.append((cat.regions[r.parent_code].name + r.name, (), None, r.code))
        elif p < 0.92:
            r = rng.choice(shared)
            out.append((r.name, (r.parent_code, *resolver.ancestors[r.parent_code]), None, r.code))
        elif p < 0.97:
            r = rng.choice(regions)
            out.append((r.code, (), None, r.code))
        else:
            ch = rng.choice(one_to_one)
            out.append((ch.old_name, (), ch.year, ch.new_code))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    cat = load_catalog()
    resolver = cat.resolver
    labels = make_labels(cat, args.n, args.seed)
    plain = {label: code for label, _, _, code in labels}  # every form already mapped: the ideal dict

    def baseline():
        get = plain.get
        return [get(label) for label, _, _, _ in labels]

    def cold():
        return [resolver._resolve(label, ctx, year) for label, ctx, year, _ in labels]

    def warm():
        resolver._cache.clear()
        return [cat.resolve_region(label, ctx, year) for label, ctx, year, _ in labels]

    wrong = [(lab, exp, m.status, m.region and m.region.code)
             for (lab, _, _, exp), m in zip(labels, warm(), strict=True) if m.region is None or m.region.code != exp]
    t_base, c_base = best_of(baseline, args.repeat)
    t_cold, c_cold = best_of(cold, args.repeat)
    t_warm, c_warm = best_of(warm, args.repeat)
    distinct = len({(lab, ctx, year) for lab, ctx, year, _ in labels})
    print(f"catalogue: {len(cat.regions)} regions, {len(cat.changes)} changes; labels: {len(labels)} "
          f"({distinct} distinct), seed {args.seed}")
    print(f"baseline dict.get, best of {args.repeat}: {t_base * 1000:.1f} ms wall, {c_base * 1000:.1f} ms CPU")
    print(f"resolver, cold (no cache): {t_cold * 1000:.1f} ms wall, {c_cold * 1000:.1f} ms CPU "
          f"({t_cold / len(labels) * 1e6:.1f} µs a label)")
    print(f"resolver, as used (cache cleared per run): {t_warm * 1000:.1f} ms wall, {c_warm * 1000:.1f} ms CPU")
    print(f"ratio cold / dict: {t_cold / t_base:.1f}x wall, {c_cold / max(c_base, 1e-9):.1f}x CPU; "
          f"as used / dict: {t_warm / t_base:.1f}x wall, {c_warm / max(c_base, 1e-9):.1f}x CPU")
    if wrong:
        print(f"WRONG answers: {len(wrong)}, e.g. {wrong[:5]}")
        return 1
    return 0 if t_cold < 20.0 * len(labels) / 100_000 else 1


if __name__ == "__main__":
    sys.exit(main())
