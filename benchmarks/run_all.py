"""Run every benchmark in this folder, one after the other (``make bench``).

Each benchmark measures its own baseline in the same run and prints the ratio; see README "Benchmarks".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["bench_clean.py", "bench_summary.py", "bench_charts.py", "bench_fonts.py", "bench_report.py", "bench_regions.py",
              "bench_national.py", "bench_cases.py", "bench_dask.py"]


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        if subprocess.run([sys.executable, str(HERE / name)], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
