"""Data sources: where a dataset's contract tables live and where its aggregation runs.

A folder's files are read by DuckDB (the default). A dataset.yml may instead name a SQL
warehouse as its ``source`` (docs/sources.md): ``postgresql://…`` or ``spark://…``; the
aggregation then runs there, in SQL transpiled from narvard's one copy of it.
"""

from __future__ import annotations

from narvard.data.dataset import Dataset
from narvard.data.sources.engine import DuckDBEngine, Engine, SourceError

__all__ = ["AGGREGATED_TABLES", "Engine", "SourceError", "open_engine"]

AGGREGATED_TABLES = ("cohort", "contacts")  # the tables the aggregation SQL reads


def open_engine(dataset: Dataset) -> Engine:
    """The engine that reads the dataset's cohort and contacts: its source, or its files."""
    url = dataset.source_url
    if url is None:
        return DuckDBEngine({name: dataset.duckdb_file(name) for name in AGGREGATED_TABLES})
    from narvard.data.sources.url import engine_for

    return engine_for(url)
