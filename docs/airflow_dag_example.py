"""Example Apache Airflow DAG for the enforcement reports. AN EXAMPLE ONLY: it is not run by our tests.

Requires Airflow 2.x and ``apache-airflow-providers-papermill`` on the worker, and this project installed
in ``PROJECT/.venv`` on the same machine (the notebooks import the ``analysis`` package).

- ``clean`` and ``report`` call the project's own CLI. ``enforcement report`` is the recommended way to
  build ``outputs/<year>/``: it validates parameters before any kernel starts, skips unchanged
  notebooks, holds the per-year lock, and writes the offline HTML set and index page atomically.
  Its exit code 1 (a notebook failed) fails the task; the partial outputs are kept.
- On a Dask cluster (docs/scheduling.md, "Running on a Dask cluster"), the same ``report`` task only
  adds ``--scheduler tcp://HOST:8786``: the notebooks run as tasks on the cluster's workers and the
  outputs come back to this machine's ``outputs/<year>/`` (uncomment ``DASK_SCHEDULER`` below).
- ``region_profile_adhoc`` shows papermill's own operator: it executes one region profile for a region
  given at trigger time into a scratch folder (executed notebook only, no HTML, no cache). Papermill
  does not validate parameters, so only pass region codes you trust there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG
from airflow.models.param import Param
from airflow.operators.bash import BashOperator
from airflow.providers.papermill.operators.papermill import PapermillOperator

PROJECT = "/srv/enforcement"
ENFORCEMENT = f"{PROJECT}/.venv/bin/enforcement"
# DASK_SCHEDULER = "tcp://dask-scheduler.internal:8786"  # run the notebooks on a Dask cluster
DASK_SCHEDULER = ""
CLUSTER = f" --scheduler {DASK_SCHEDULER}" if DASK_SCHEDULER else ""

with DAG(
    dag_id="enforcement_reports",
    description="行政执法数据：清洗并生成年度离线报告",
    start_date=datetime(2025, 1, 1),
    schedule="15 6 * * 1",  # Mondays 06:15
    catchup=False,
    max_active_runs=1,
    render_template_as_native_obj=True,  # year stays an int in the papermill parameters
    default_args={"retries": 1, "retry_delay": timedelta(minutes=10)},
    params={
        "year": Param(2024, type="integer", description="statistics year"),
        "region": Param("640100", type="string", pattern=r"^\d{6}$", description="region code (ad-hoc profile)"),
    },
    tags=["enforcement"],
) as dag:
    clean = BashOperator(
        task_id="clean",
        bash_command=f"cd {PROJECT} && {ENFORCEMENT} clean --quiet",
    )

    report = BashOperator(
        task_id="report",
        bash_command=f"cd {PROJECT} && {ENFORCEMENT} report --year {{{{ params.year }}}} --quiet{CLUSTER}",
        env={"ENFORCEMENT_LOCK_TIMEOUT": "0"},  # fail fast (exit 3) instead of waiting for another run
        append_env=True,
    )

    region_profile_adhoc = PapermillOperator(
        task_id="region_profile_adhoc",
        input_nb=f"{PROJECT}/notebooks/05_region_profile.ipynb",
        output_nb=f"{PROJECT}/scratch/{{{{ params.year }}}}/05_region_profile_{{{{ params.region }}}}.ipynb",
        parameters={
            "year": "{{ params.year }}",
            "region": "{{ params.region }}",
            "processed_dir": f"{PROJECT}/data/processed",
            "output_dir": f"{PROJECT}/scratch/{{{{ params.year }}}}",
        },
        kernel_name="python3",
    )

    clean >> report >> region_profile_adhoc
