"""Finding and reading the input tables of a dataset folder (docs/contract.md §1).

Tables are read as text, exactly as written, so that validation can report the raw
value it found. Typed loading for analysis happens in DuckDB after validation passed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

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
DATASET_FILE = "dataset.yml"


def find_table(data_dir: Path, name: str) -> Path | None:
    """Return NAME.parquet or NAME.csv in data_dir (Parquet preferred), or None."""
    for suffix in (".parquet", ".csv"):
        path = Path(data_dir) / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


def first_data_line(path: Path) -> int:
    """Line number of the first data row: 2 for CSV (after the header), 1 for Parquet rows."""
    return 2 if path.suffix == ".csv" else 1


def read_table_text(path: Path) -> pd.DataFrame:
    """Read a CSV or Parquet table with every cell as a string; empty cells become ''.

    Row i of the frame is line ``i + first_data_line(path)`` of the file.
    """
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        text = pd.DataFrame(index=frame.index)
        for column in frame.columns:
            values = frame[column]
            if pd.api.types.is_datetime64_any_dtype(values):
                values = values.dt.strftime("%Y-%m-%d")
            text[str(column)] = values.map(_cell_text)
        return text.reset_index(drop=True)
    return pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        na_values=[],
        encoding="utf-8",
        skipinitialspace=False,
    )


def _cell_text(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def read_dataset_yml(data_dir: Path) -> dict:
    """Parse dataset.yml as plain data (dates stay as parsed by YAML)."""
    with open(Path(data_dir) / DATASET_FILE, encoding="utf-8") as handle:
        content = yaml.safe_load(handle)
    return content if isinstance(content, dict) else {}
