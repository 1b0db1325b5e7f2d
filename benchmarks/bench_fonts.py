"""Benchmark: first-time set-up of the bundled CJK font (a new, empty font cache) against loading its source.

Run: ``.venv/bin/python benchmarks/bench_fonts.py [--repeat 2]``

Measured: ``python -m analysis.present.fonts path`` with ``ENFORCEMENT_FONT_CACHE`` set to a new temp folder,
i.e. what a new machine or a fresh CI runner pays once (subset, instance Regular and Bold, save). Baseline,
measured in the same run and alternated with it: a fresh interpreter that only loads the source font
``NotoSansSC[wght].ttf`` with fontTools and decompiles every table (the cost of reading the font at all).
Both run as subprocesses, so interpreter start-up is in both. Prints the best-of-N times, the ratio
set-up / baseline, and the set-up time against the 15 s target (issue 13).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from analysis.present.fonts import source_font_path

TARGET_S = 15.0

BASELINE = (
    "import sys\n"
    "from fontTools.ttLib import TTFont\n"
    "font = TTFont(sys.argv[1])\n"
    "font.ensureDecompiled()\n"
)


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} failed (exit {proc.returncode}): {proc.stderr[-1500:]}")
    return elapsed


def baseline_load() -> float:
    return _timed([sys.executable, "-c", BASELINE, str(source_font_path())])


def cold_setup() -> float:
    with tempfile.TemporaryDirectory(prefix="bench-fonts-") as cache:
        env = {**os.environ, "ENFORCEMENT_FONT_CACHE": cache}
        return _timed([sys.executable, "-m", "analysis.present.fonts", "path"], env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    base, setup = float("inf"), float("inf")
    for _ in range(max(1, args.repeat)):  # alternate, so both see the same machine load
        base = min(base, baseline_load())
        setup = min(setup, cold_setup())
    print(f"baseline (load + decompile NotoSansSC[wght].ttf): {base:.2f} s")
    print(f"cold first-run font set-up (new cache):          {setup:.2f} s")
    print(f"ratio set-up / baseline: {setup / base:.2f}x")
    verdict = "met" if setup <= TARGET_S else "NOT met"
    print(f"target <= {TARGET_S:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
