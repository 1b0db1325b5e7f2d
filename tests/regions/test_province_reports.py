"""Reports for any province: a folder with several provinces is reported one province at a time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import ParameterError
from analysis.views.loading import provinces_in, select_province


def _facts(codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"region_code": codes, "year": 2024, "indicator": "cases_filed", "value": 1.0})


TWO = _facts(["640000", "640100", "640104", "370000", "370800", "370881"])


def test_provinces_come_from_the_codes():
    assert provinces_in(TWO) == ["370000", "640000"]


def test_one_province_needs_no_choice():
    only = _facts(["640000", "640100"])
    assert select_province(only, "") is only


def test_several_provinces_need_a_choice_that_lists_them():
    with pytest.raises(ParameterError) as err:
        select_province(TWO, "")
    assert "370000" in str(err.value) and "640000" in str(err.value)


@pytest.mark.parametrize("province", ["370000", "山东省", "山东"])
def test_a_code_or_a_name_chooses_the_province(province):
    chosen = select_province(TWO, province)
    assert sorted(chosen["region_code"]) == ["370000", "370800", "370881"]


def test_a_region_profile_implies_its_province():
    chosen = select_province(TWO, "", region="640104")
    assert sorted(chosen["region_code"]) == ["640000", "640100", "640104"]


def test_a_province_not_in_the_data_is_a_clear_error():
    with pytest.raises(ParameterError, match="浙江"):
        select_province(TWO, "浙江")


def _info(codes: list[str]):
    from analysis.report.params import DataInfo, ReportRegion

    levels = {4: "province", 2: "city"}
    regions = {c: ReportRegion(c, c, levels.get(len(c) - len(c.rstrip("0")), "county")) for c in codes}
    return DataInfo(processed_dir=Path("."), years=[2024], regions=regions)


def test_one_province_runs_as_before(tmp_path):
    from analysis.report.provinces import plan_province_runs

    runs = plan_province_runs(_info(["640000", "640100", "640104"]), tmp_path, {})
    assert [(r.province, r.outputs_dir) for r in runs] == [("", tmp_path)]


def test_several_provinces_get_a_set_each_with_their_own_profiles(tmp_path):
    from analysis.report.provinces import plan_province_runs

    runs = plan_province_runs(_info(["640000", "640104", "370000", "370881"]), tmp_path, {})
    assert [(r.province, r.outputs_dir) for r in runs] == [("370000", tmp_path / "370000"),
                                                         ("640000", tmp_path / "640000")]
    assert sorted(runs[0].info.regions) == ["370000", "370881"]


def test_a_chosen_province_keeps_the_usual_folder(tmp_path):
    from analysis.report.provinces import plan_province_runs

    runs = plan_province_runs(_info(["640000", "640104", "370000", "370881"]), tmp_path, {"province": "山东"})
    assert [(r.province, r.outputs_dir) for r in runs] == [("山东", tmp_path)]
    assert sorted(runs[0].info.regions) == ["370000", "370881"]
    with pytest.raises(ParameterError):
        plan_province_runs(_info(["640000"]), tmp_path, {"province": "浙江"})
