"""The statistics read the same catalogue files as the cleaner, including a user's ENFORCEMENT_CATALOG_DIR."""

import os
import subprocess
import sys
from importlib import resources


def test_statistics_see_a_user_region_catalogue(tmp_path):
    packaged = resources.files("analysis").joinpath("catalog", "data", "regions.csv").read_text("utf-8")
    (tmp_path / "regions.csv").write_text(packaged.rstrip("\n") + "\n640599,示例新区,示例,county,640500,\n", "utf-8")
    code = "from analysis.stats.derive import region_catalog; print('640599' in set(region_catalog()['code']))"
    env = {**os.environ, "ENFORCEMENT_CATALOG_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
    plain = subprocess.run([sys.executable, "-c", code], env={k: v for k, v in os.environ.items()
                                                               if k != "ENFORCEMENT_CATALOG_DIR"},
                           capture_output=True, text=True, check=True)
    assert plain.stdout.strip() == "False"
