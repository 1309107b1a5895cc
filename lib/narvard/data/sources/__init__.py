"""Data sources: where a dataset's contract tables live and where its aggregation runs.

A folder's files are read by DuckDB (the default). A dataset.yml may instead name a SQL
warehouse as its ``source`` (docs/sources.md): ``postgresql://…`` or ``spark://…``; the
aggregation then runs there, in SQL transpiled from narvard's one copy of it.
"""

from __future__ import annotations

from narvard.data.dataset import Dataset
from narvard.data.problem import DATASET_FILE, Problem
from narvard.data.sources.engine import DuckDBEngine, Engine, SourceError

__all__ = ["AGGREGATED_TABLES", "Engine", "SourceError", "check_source", "open_engine"]

AGGREGATED_TABLES = ("cohort", "contacts")  # the tables the aggregation SQL reads


def open_engine(dataset: Dataset) -> Engine:
    """The engine that reads the dataset's cohort and contacts: its source, or its files."""
    url = dataset.source_url
    if url is None:
        return DuckDBEngine({name: dataset.duckdb_file(name) for name in AGGREGATED_TABLES})
    from narvard.data.sources.url import engine_for

    return engine_for(url)


def check_source(dataset: Dataset) -> list[Problem]:
    """The source's problems, checked in the database (none for a dataset of files).

    A source that cannot be reached gives one problem with dataset.yml's key source.
    """
    from narvard.data.sources.checks import check_database, source_problem

    try:
        url = dataset.source_url
    except Exception:  # noqa: BLE001 - an unreadable dataset.yml is reported by its own check
        return []
    if url is None:
        return []
    where = [name for name in AGGREGATED_TABLES if name in dataset.in_database]
    if len(where) == 1:
        expected = "cohort och contacts på samma ställe: båda i databasen eller båda som filer"
        return [Problem(DATASET_FILE, None, "source", expected, f"bara {where[0]} i databasen")]
    try:
        engine = open_engine(dataset)
    except SourceError as error:
        return [source_problem(error)]
    with engine:
        return check_database(engine, _area_ids(dataset)) if where else []


def _area_ids(dataset: Dataset) -> list[str] | None:
    """The areas table's ids (a file or a table in the database), or None when it cannot
    be read: its own check says why."""
    try:
        frame = dataset.text("areas").frame
    except Exception:  # noqa: BLE001 - reported by the areas table's own check
        return None
    known = sorted(set(frame["area_id"])) if "area_id" in frame else []
    return known or None  # no rows: the areas table's own check says so
