"""Fixtures for the output tests: a small hand-made facts table, its summary and a processed folder.

Every figure below is chosen by hand; the tests compute what the letter must say from these numbers
with written-out arithmetic, never from the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

# contracts.md section 1 (newer optional columns take their defaults)
COLUMNS = ["year", "region_code", "region_name", "level", "agency", "indicator", "value", "unit", "approx",
           "source_file", "source_sheet", "source_cell"]
PROVINCE = ("640000", "宁夏回族自治区", "province")
CITY = ("640100", "银川市", "city")

# (year, indicator, value, approx) for the province
PROVINCE_FIGURES = [
    (2023, "cases_filed", 195, False),
    (2024, "cases_filed", 214, False),
    (2023, "fines_collected", 6000.5, False),
    (2024, "fines_collected", 9172.05, False),
    (2023, "patrols", 4000, False),
    (2024, "patrols", 4637, True),  # raw cell said 约4637
    (2023, "violations_stopped", 200, False),
    (2024, "violations_stopped", 252, False),
    (2023, "stop_orders", 120, False),
    (2024, "stop_orders", 150, False),
    (2023, "casefile_reviewed", 40, False),
    (2023, "casefile_excellent", 8, False),
    (2023, "casefile_passed", 28, False),
    (2023, "casefile_failed", 4, False),
    (2024, "casefile_reviewed", 39, False),
    (2024, "casefile_excellent", 10, False),
    (2024, "casefile_passed", 27, False),
    (2024, "casefile_failed", 2, False),
    (2024, "penalties_total", 192, False),
    (2024, "penalty_fine", 120, False),
    (2024, "penalty_warning", 30, False),
    (2024, "penalty_other", 15, False),
]
CITY_FIGURES = [(2023, "cases_filed", 50, False), (2024, "cases_filed", 60, False)]


def make_facts() -> pd.DataFrame:
    from analysis.stats.derive import indicator_metadata

    units = indicator_metadata()["unit"]
    rows = []
    for region, figures in ((PROVINCE, PROVINCE_FIGURES), (CITY, CITY_FIGURES)):
        for i, (year, code, value, approx) in enumerate(figures):
            rows.append({"year": year, "region_code": region[0], "region_name": region[1], "level": region[2],
                         "agency": "", "indicator": code, "value": float(value), "unit": units[code],
                         "approx": approx, "source_file": f"{year}/main.xlsx", "source_sheet": "Sheet1",
                         "source_cell": f"B{i + 2}"})
    return pd.DataFrame(rows)[COLUMNS]


@pytest.fixture(scope="session")
def facts() -> pd.DataFrame:
    return make_facts()


@pytest.fixture(scope="session")
def summary(facts) -> pd.DataFrame:
    from analysis.stats.summary import build_summary

    return build_summary(facts, is_sample=True)


@pytest.fixture
def processed_dir(tmp_path: Path, facts) -> Path:
    folder = tmp_path / "processed"
    folder.mkdir()
    facts.to_parquet(folder / "facts.parquet", index=False)
    (folder / "meta.json").write_text(json.dumps({"is_sample": True, "years": [2023, 2024]}), "utf-8")
    return folder
