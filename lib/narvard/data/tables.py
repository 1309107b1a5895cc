"""Finding and reading the input tables of a dataset folder (docs/contract.md §1).

Tables are read as text, exactly as written, so that validation can report the raw
value it found; only the decimal mark of numeric columns is made a point (see
narvard.data.dialects). Typed loading for analysis happens in DuckDB after validation.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from narvard.data.problem import DATASET_FILE
from narvard.data.readers import TextTable, read_text_table

__all__ = ["DATASET_FILE", "TextTable", "find_table", "read_table_text"]

REQUIRED_TABLES = ("areas", "cohort", "contacts")
OPTIONAL_TABLES = (
    "survey_questions",
    "survey_responses",
    "survey_invitations",
    "unit_costs",
    "team_costs",
    "price_index",  # extension: year,index (cost-effect in one price year)
    "staffing",  # extension: group,role,fte_per_100k,cost_per_fte_sek,source
)
ALL_TABLES = REQUIRED_TABLES + OPTIONAL_TABLES
SUFFIXES = (".parquet", ".xlsx", ".csv")  # when several exist, the first is used
# Columns holding numbers: their decimal mark is detected per file (comma or point).
NUMERIC_COLUMNS = {
    "areas": ("population",),
    "cohort": ("birth_year",),
    "contacts": ("admitted", "unplanned"),
    "survey_questions": ("order",),
    "survey_invitations": ("invited",),
    "unit_costs": ("cost_sek", "low_sek", "high_sek", "year"),
    "team_costs": ("annual_cost_sek", "low_sek", "high_sek", "year"),
    "price_index": ("year", "index"),
    "staffing": ("fte_per_100k", "cost_per_fte_sek", "year"),
}


def find_table(data_dir: Path, name: str) -> Path | None:
    """NAME.parquet, NAME.xlsx or NAME.csv in data_dir (in that order), or None."""
    for suffix in SUFFIXES:
        path = Path(data_dir) / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


def numeric_columns(name: str) -> tuple[str, ...]:
    return NUMERIC_COLUMNS.get(name, ())


def read_table_text(path: Path) -> pd.DataFrame:
    """A table file in canonical text form (every cell a string, empty cells '').

    Row i of the frame is line/row ``read_text_table(path).lines[i]`` of the file.
    Raises narvard.data.dialects.DialectError when the file cannot be read for certain.
    """
    return read_text_table(Path(path), numeric_columns(Path(path).stem)).frame


def read_dataset_yml(data_dir: Path) -> dict:
    """Parse dataset.yml as plain data (dates stay as parsed by YAML)."""
    with open(Path(data_dir) / DATASET_FILE, encoding="utf-8-sig") as handle:
        content = yaml.safe_load(handle)
    return content if isinstance(content, dict) else {}
