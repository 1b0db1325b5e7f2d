import argparse

import pytest

from analysis.cli import _parse_years, build_parser


def test_year_range_expands_inclusive():
    assert _parse_years("2022-2024") == [2022, 2023, 2024]
    assert _parse_years("2019,2021") == [2019, 2021]


def test_reversed_year_range_is_rejected():
    with pytest.raises(argparse.ArgumentTypeError):
        _parse_years("2024-2022")


def test_clean_defaults_point_at_the_standard_folders():
    args = build_parser().parse_args(["clean"])
    assert str(args.raw) == "data/raw" and str(args.out) == "data/processed"


def test_report_rejects_year_and_years_together(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["report", "--year", "2024", "--years", "2022-2024"])
