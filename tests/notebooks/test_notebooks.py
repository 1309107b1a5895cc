"""Notebook runs: the executed area report reruns identically under nbval, and the
jupytext pair (area_report.py / area_report.ipynb) has not drifted apart."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest
from narvard.data.processed import prepare_dataset
from narvard.paths import DATA_ENV, NOTEBOOKS_DIR, PROCESSED_ENV, PROJECT_ROOT
from narvard.report.render import execute_area_notebook

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["area_report", "explore"])
def test_jupytext_pair_in_sync(name):
    script = jupytext.read(NOTEBOOKS_DIR / f"{name}.py")
    paired = jupytext.read(NOTEBOOKS_DIR / f"{name}.ipynb")
    assert [(c.cell_type, c.source) for c in script.cells] == [
        (c.cell_type, c.source) for c in paired.cells
    ], f"run `jupytext --sync notebooks/{name}.py` and commit both files"
    tagged = [c for c in script.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one papermill parameters cell"


def test_executed_report_reruns_elsewhere_under_nbval(contract_example, tmp_path):
    """The README's reviewer route: the executed notebook holds no path of the machine
    that made it; rerun with only the data folder (nothing prepared), it prepares the
    dataset named by its key, passes nbval and writes results.rerun.json beside the
    published results.json, which stays untouched."""
    producing = tmp_path / "producer"
    dataset = prepare_dataset(contract_example, producing / "processed", 180)
    area = tmp_path / "exempelby"
    area.mkdir()
    parameters = {
        "area_id": "exempelby",
        "dataset_key": dataset.manifest["key"],
        "results_path": "results.json",
        "window_days": 180,
        "min_cell": 0,
    }
    environment = {PROCESSED_ENV: str(producing / "processed"), DATA_ENV: str(contract_example)}
    notebook = execute_area_notebook(area, parameters, environment=environment)
    text = Path(notebook).read_text(encoding="utf-8")
    assert "NBVAL_CHECK_OUTPUT" in text and "4 av 8 tillfrågade" in text
    assert str(tmp_path) not in text and str(PROJECT_ROOT) not in text
    published = (area / "results.json").read_bytes()
    reviewer = os.environ | {
        PROCESSED_ENV: str(tmp_path / "reviewer-processed"),
        DATA_ENV: str(contract_example),
    }
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "-q",
            str(notebook),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=area,
        env=reviewer,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout
    assert (area / "results.json").read_bytes() == published
    assert (area / "results.rerun.json").read_bytes() == published
    assert (tmp_path / "reviewer-processed" / dataset.manifest["key"]).is_dir()


def test_explore_notebook_runs_on_prepared_data(contract_example, tmp_path):
    dataset = prepare_dataset(contract_example, tmp_path / "processed", 180)
    parameters = {"area_id": "exempelby", "dataset_key": dataset.manifest["key"], "min_cell": 0}
    environment = {PROCESSED_ENV: str(dataset.folder.parent)}
    executed = execute_area_notebook(
        tmp_path, parameters, NOTEBOOKS_DIR / "explore.py", environment=environment
    )
    notebook = jupytext.read(executed)
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    last = notebook.cells[-1].outputs[0]["data"]["text/plain"]
    # Patient A1 (born 1931) is the only HSVT patient aged 85+: 12 nights before, 0 after.
    assert "'before_total': 12" in last and "'after_total': 0" in last
