"""Command-line entry point: ``enforcement`` (also ``python -m analysis``).

Subcommands dispatch to one orchestration function each; every ``AnalysisError`` is
printed as a one-line bilingual message with its exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.errors import AnalysisError

DEFAULT_RAW = Path("data/raw")
DEFAULT_PROCESSED = Path("data/processed")
DEFAULT_OUTPUTS = Path("outputs")


def _parse_years(text: str) -> list[int]:
    """``2024`` -> [2024]; ``2022-2024`` -> [2022, 2023, 2024]; ``2022,2024`` -> [2022, 2024]."""
    years: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            a, b = part.split("-", 1)
            lo, hi = int(a), int(b)
            if lo > hi:
                raise argparse.ArgumentTypeError(f"年份范围无效 / bad year range: {part}")
            years.extend(range(lo, hi + 1))
        elif part:
            years.append(int(part))
    if not years:
        raise argparse.ArgumentTypeError("未给出年份 / no year given")
    return years


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="enforcement",
        description="行政执法数据：清洗、统计与离线报告 (administrative-enforcement statistics)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    clean = sub.add_parser("clean", help="clean raw tables into tidy facts and a quality report")
    clean.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="raw folder (default: data/raw)")
    clean.add_argument("--out", type=Path, default=DEFAULT_PROCESSED, help="output folder (default: data/processed)")
    clean.add_argument("--quiet", action="store_true", help="no progress bar")

    report = sub.add_parser("report", help="run the notebook suite and build the year's offline HTML reports")
    group = report.add_mutually_exclusive_group()
    group.add_argument("--year", type=int, help="statistics year (default: latest year in the data)")
    group.add_argument("--years", type=_parse_years, help="several years, e.g. 2022-2024")
    report.add_argument("--processed", type=Path, default=DEFAULT_PROCESSED, help="processed data folder")
    report.add_argument("--outputs", type=Path, default=DEFAULT_OUTPUTS, help="outputs folder")
    report.add_argument("--jobs", type=int, default=None, help="parallel notebooks (default: CPU count)")
    report.add_argument("--force", action="store_true", help="re-run every notebook, ignoring the cache")
    report.add_argument("--timeout", type=int, default=600, help="per-cell timeout in seconds")
    report.add_argument("--notebooks", type=Path, default=None, help="notebook folder (default: notebooks/)")
    report.add_argument(
        "-p", "--param", action="append", default=[], metavar="NAME=VALUE",
        help="extra notebook parameter (validated against each notebook's parameters cell)",
    )
    report.add_argument(
        "--lock-timeout", type=float, default=None, metavar="SECONDS",
        help="how long to wait for another run of the same year (default 3600; 0 = exit at once with code 3)",
    )
    report.add_argument(
        "--executor", default=None, metavar="NAME",
        help="how notebooks run: forked (warm kernels; the default where available), local (ordinary kernels) "
        "or dask (a Dask cluster: --scheduler, else a local one with --jobs workers)",
    )
    report.add_argument(
        "--scheduler", default=None, metavar="tcp://HOST:PORT",
        help="run the notebooks on this Dask cluster (implies --executor dask; `--executor dask` alone: a local cluster)",
    )
    report.add_argument(
        "--profiles", default="all", choices=("county", "city", "all", "none"),
        help="region profiles to build: one level, all (default) or none",
    )
    report.add_argument(
        "--retries", type=int, default=1, metavar="N",
        help="fresh-kernel retries of a kernel that failed to start or died from outside (default 1)",
    )
    report.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "clean":
            from analysis.clean.pipeline import run_clean

            return run_clean(raw_dir=args.raw, out_dir=args.out, progress=not args.quiet)
        if args.command == "report":
            from analysis.report.runner import run_report_cli

            return run_report_cli(args)
    except AnalysisError as err:
        print(f"错误 / error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
