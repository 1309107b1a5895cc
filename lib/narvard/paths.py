"""Where the project's notebooks and default folders are."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parents[1]
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
AREA_NOTEBOOK = NOTEBOOKS_DIR / "area_report.py"
TEMPLATES_DIR = PACKAGE_DIR / "report" / "templates"
DEFAULT_PROCESSED = PROJECT_ROOT / "data" / "processed"


def area_notebook() -> Path:
    """The jupytext source of the area report; the project must be installed editable."""
    if not AREA_NOTEBOOK.exists():
        raise FileNotFoundError(
            f"{AREA_NOTEBOOK} not found: install narvard from its project folder "
            "with `pip install -e .` so the notebooks are found."
        )
    return AREA_NOTEBOOK
