"""Population/area reference loader: format checks and year alignment."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.stats.population import REFERENCE_COLUMNS, align_reference, load_reference

ROOT = Path(__file__).resolve().parents[2]
HEADER = ",".join(REFERENCE_COLUMNS)


def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "ref.csv"
    p.write_text(HEADER + "\n" + body, encoding="utf-8")
    return p


def test_load_fixture(tmp_path):
    p = _write(tmp_path, "640104,兴庆区,2023,83.6,828,示例数值\n640104,兴庆区,2021,80.0,828,示例数值\n"
                         "640105,西夏区,2023,49.2,1129,示例数值\n")
    ref = load_reference(p)
    assert ref["region_code"].tolist() == ["640104", "640104", "640105"]  # sorted, codes kept as text
    assert ref["year"].dtype.kind == "i" and ref.loc[0, "population_10k"] == 80.0


@pytest.mark.parametrize(("body", "word"), [
    ("640104,兴庆区,2023,0,828,x\n", "> 0"),
    ("640104,兴庆区,2023,10,828,x\n640104,兴庆区,2023,11,828,x\n", "repeats"),
    ("640104,兴庆区,二〇二三,10,828,x\n", "non-numeric"),
])
def test_malformed_reference(tmp_path, body, word):
    with pytest.raises(AnalysisError) as err:
        load_reference(_write(tmp_path, body))
    assert word in str(err.value)


def test_missing_file_and_columns(tmp_path):
    with pytest.raises(AnalysisError):
        load_reference(tmp_path / "absent.csv")
    p = tmp_path / "bad.csv"
    p.write_text("region_code,year,population_10k\n640104,2023,1\n", encoding="utf-8")
    with pytest.raises(AnalysisError, match="area_km2"):
        load_reference(p)


def test_align_same_earlier_later_year():
    ref = pd.DataFrame({"region_code": ["640104", "640104"], "year": [2020, 2022],
                        "population_10k": [10.0, 12.0], "area_km2": [800.0, 800.0]})
    keys = pd.DataFrame({"year": [2022, 2021, 2019, 2024, 2022], "region_code": ["640104"] * 4 + ["640105"]})
    out = align_reference(keys, ref)
    assert out["reference_year"].tolist()[:4] == [2022, 2020, 2020, 2022]
    assert out["population_10k"].tolist()[:4] == [12.0, 10.0, 10.0, 12.0]
    assert pd.isna(out.loc[4, "population_10k"])


def test_shipped_sample_reference_if_present():
    path = ROOT / "data" / "reference" / "regions_population_area_sample.csv"
    if not path.is_file():
        pytest.skip("sample reference not written yet")
    ref = load_reference(path)
    assert ref["source_note"].str.contains("非官方|not official").all()
