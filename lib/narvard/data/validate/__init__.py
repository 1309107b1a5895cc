"""Check a dataset folder against the data contract (docs/contract.md §1).

``validate_dataset`` reads every table as text and returns every problem it finds at
once, as ``Problem`` values whose text is Swedish (the users are Swedish evaluators).
The small tables are checked with pandas; the large ones (cohort, contacts) are read into
DuckDB once and checked there in SQL (``large``, ``sql_rules``), so that a national
extract is validated without a pandas copy. The rules are listed in docs/validation.md,
which ``narvard.data.validate.describe`` writes from the rules themselves.
"""

from __future__ import annotations

from pathlib import Path

from narvard.data import duck
from narvard.data.dataset import LARGE_TABLES, Dataset
from narvard.data.sources import check_source
from narvard.data.tables import ALL_TABLES, DATASET_FILE
from narvard.data.validate.columns import _check_columns
from narvard.data.validate.problems import Problem
from narvard.data.validate.reading import _check_dataset_yml, _check_presence, _load_table
from narvard.data.validate.rules import TABLE_RULES
from narvard.data.validate.schema import Tables, _Table

__all__ = ["Problem", "validate_dataset"]

# ---------------------------------------------------------------- public entry point


def validate_dataset(data_dir: Path | Dataset) -> list[Problem]:
    """Check every contract rule on every table; return all problems (empty = valid).

    Never raises on bad content: a missing folder, an unreadable table, a file whose
    dialect cannot be told for certain, ragged rows or bad YAML are all reported as
    Problems. Given a Dataset, the tables it reads are kept in it for the later steps.
    """
    dataset = Dataset.open(data_dir)
    if not dataset.folder.is_dir():
        expected = "en datamapp med dataset.yml, areas, cohort och contacts"
        return [Problem(str(dataset.folder), None, None, expected, "mappen finns inte")]
    from narvard.data.validate.large import load_large_table
    from narvard.data.validate.sql_rules import check_large_table

    problems = _check_dataset_yml(dataset.folder / DATASET_FILE)
    source_problems = check_source(dataset)  # in the database (docs/sources.md)
    if any(p.column == "source" for p in source_problems):
        return problems + source_problems
    problems += source_problems
    tables: Tables = {}
    with duck.connect() as con:
        for name in ALL_TABLES:
            if name in LARGE_TABLES and name in dataset.in_database:
                tables[name], load_problems = None, []  # checked there in SQL (sources.md)
            elif name in LARGE_TABLES:
                tables[name], load_problems = load_large_table(con, dataset, name)
            else:
                tables[name], load_problems = _load_table(dataset, name)
            problems += load_problems
        problems += _check_presence(tables, dataset)
        for table in tables.values():
            if isinstance(table, _Table):
                problems += _check_columns(table)
        for rule in TABLE_RULES:
            problems += rule(tables)
        for name in LARGE_TABLES:
            if tables[name] is not None:
                problems += check_large_table(con, tables[name], tables)
    return _in_file_order(problems, tables)


def _in_file_order(problems: list[Problem], tables: Tables) -> list[Problem]:
    """Group problems by file (dataset.yml first, then contract order), keeping rule order."""
    rank = {DATASET_FILE: 0}
    for position, name in enumerate(ALL_TABLES, start=1):
        table = tables.get(name)
        rank[table.file if table else f"{name}.csv"] = position
        if table is not None and table.origin is not None:
            rank.update({segment.file: position for segment in table.origin.segments})
    return sorted(problems, key=lambda p: rank.get(p.file, len(rank)))
