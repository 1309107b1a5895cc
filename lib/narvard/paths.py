"""Where the project's notebooks and default folders are."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parents[1]
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
AREA_NOTEBOOK = NOTEBOOKS_DIR / "area_report.py"
TEMPLATES_DIR = PACKAGE_DIR / "report" / "templates"
DEFAULT_PROCESSED = PROJECT_ROOT / "data" / "processed"
DEFAULT_DATA = PROJECT_ROOT / "data" / "raw"

# The runner tells the notebook kernel where the data are through the environment, so
# the executed notebook that ships with a report holds no path of the producing machine;
# a reviewer elsewhere sets them (or uses the project's data/raw and data/processed).
DATA_ENV = "NARVARD_DATA"
PROCESSED_ENV = "NARVARD_PROCESSED"


def data_folder() -> Path:
    """The dataset folder a notebook reads: $NARVARD_DATA, else the project's data/raw."""
    return Path(os.environ.get(DATA_ENV) or DEFAULT_DATA)


def processed_root() -> Path:
    """Where prepared datasets are kept: $NARVARD_PROCESSED, else data/processed."""
    return Path(os.environ.get(PROCESSED_ENV) or DEFAULT_PROCESSED)


def area_notebook() -> Path:
    """The jupytext source of the area report; the project must be installed editable."""
    if not AREA_NOTEBOOK.exists():
        raise FileNotFoundError(
            f"{AREA_NOTEBOOK} not found: install narvard from its project folder "
            "with `pip install -e .` so the notebooks are found."
        )
    return AREA_NOTEBOOK
