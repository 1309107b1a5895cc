"""Where the aggregation SQL runs: an engine takes narvard's SQL (DuckDB dialect, see
``narvard.data.sources.transpile``), runs it in its own dialect and hands back pandas frames.

``DuckDBEngine`` reads a dataset folder's files (the default, unchanged); the database
engines (``narvard.data.sources.postgres``, ``narvard.data.sources.spark``) read the
contract tables where they live, so that only the per-patient results leave the database.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from pathlib import Path

import pandas as pd

from narvard.data.sources.transpile import render

# In narvard's SQL, narvard_table_NAME stands for contract table NAME wherever the engine
# reads it (a file, a schema's table); replaced after transpiling.
_TABLE_REFERENCE = re.compile(r"\bnarvard_table_([a-z_]+)\b")


def table_reference(name: str) -> str:
    return f"narvard_table_{name}"


def is_text_type(kind: str) -> bool:
    """A column type (lower case, as ``Engine.columns`` gives it) that holds text, in any of
    the engines: varchar, character varying, text, string."""
    return any(word in kind for word in ("char", "text", "string"))


class SourceError(RuntimeError):
    """A data source cannot be used: what was expected and what was found (Swedish)."""

    def __init__(self, expected: str, found: str | None = None) -> None:
        self.expected, self.found = expected, found
        super().__init__(f"förväntade {expected}" + (f", fick {found}" if found else ""))


class Engine(ABC):
    """Runs SQL in one dialect; ``source_table`` says how a contract table is reached."""

    dialect: str
    where: str  # the source as shown to a user (no password)
    # True when ORDER BY puts text in code-point order, as Python and pandas compare it
    # (DuckDB, Spark); PostgreSQL's order follows the database's locale.
    sorts_text_by_code_point: bool = False
    # True when write_parquet has the engine write the file itself from its own result
    # (DuckDB); otherwise the result comes to pandas first.
    writes_parquet: bool = False

    @abstractmethod
    def execute(self, statement: str) -> None: ...

    @abstractmethod
    def fetch(self, statement: str) -> pd.DataFrame: ...

    @abstractmethod
    def source_table(self, name: str) -> str:
        """The table expression the engine reads contract table ``name`` from."""

    @abstractmethod
    def columns(self, name: str) -> dict[str, str] | None:
        """Column name → type name (lower case) of a contract table; None when absent."""

    @abstractmethod
    def tables(self) -> set[str]:
        """The names of the tables the engine can read."""

    def close(self) -> None:  # noqa: B027 - engines without resources keep nothing open
        pass

    def run(self, sql: str, params: dict | None = None) -> None:
        """Run every statement of narvard's SQL (DuckDB dialect) in the engine's dialect."""
        for statement in render(sql, self.dialect, params):
            self.execute(self._with_tables(statement))

    def materialize(self, name: str, sql: str, params: dict | None = None) -> None:
        """Keep the result of one narvard query as temporary table ``name`` for the
        queries that follow (computed once where the data live)."""
        (statement,) = render(sql, self.dialect, params)
        self.execute(f"CREATE OR REPLACE TEMPORARY TABLE {name} AS {self._with_tables(statement)}")

    def discard(self, name: str) -> None:
        """Drop what ``materialize`` kept (the engine may be the caller's, and stay open)."""
        self.execute(f"DROP TABLE IF EXISTS {name}")

    def write_parquet(self, sql: str, params: dict | None, path: Path, conform) -> None:
        """Write the result of one narvard query to a Parquet file, as pandas writes
        ``conform(frame)`` (an engine may write it itself when the result is the same)."""
        conform(self.frame(sql, params)).to_parquet(path, index=False)

    def frame(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        """The result of one narvard query as a pandas frame."""
        (statement,) = render(sql, self.dialect, params)
        return self.fetch(self._with_tables(statement))

    def _with_tables(self, statement: str) -> str:
        return _TABLE_REFERENCE.sub(lambda m: self.source_table(m.group(1)), statement)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DuckDBEngine(Engine):
    """DuckDB in this process over a dataset folder's files (narvard's default)."""

    dialect = "duckdb"
    sorts_text_by_code_point = True
    writes_parquet = True

    def __init__(self, files: dict[str, Path]) -> None:
        from narvard.data import duck

        self._files = files
        self._con = duck.connect()  # memory capped, spilling beside the processed data
        self.where = "DuckDB"

    def execute(self, statement: str) -> None:
        self._con.execute(statement)

    def fetch(self, statement: str) -> pd.DataFrame:
        return self._con.execute(statement).df()

    def write_parquet(self, sql: str, params: dict | None, path: Path, conform) -> None:
        """DuckDB writes the file itself; its result already has the conformed types and
        order (tests/unit/test_consumption.py reads it back as pandas would write it)."""
        (statement,) = render(sql, self.dialect, params)
        target = str(path).replace("'", "''")
        self.execute(f"COPY ({self._with_tables(statement)}) TO '{target}' (FORMAT parquet)")

    def source_table(self, name: str) -> str:
        """A canonical CSV (read as text) or Parquet file, see ``Dataset.duckdb_file``."""
        path = self._files[name]
        quoted = str(path).replace("'", "''")
        if path.suffix == ".parquet":
            return f"read_parquet('{quoted}')"
        return f"read_csv('{quoted}', header = true, all_varchar = true, quote = '\"')"

    def columns(self, name: str) -> dict[str, str] | None:
        if name not in self._files:
            return None
        relation = self._con.sql(f"SELECT * FROM {self.source_table(name)} LIMIT 0")
        return {c: str(t).lower() for c, t in zip(relation.columns, relation.types, strict=True)}

    def tables(self) -> set[str]:
        return set(self._files)

    def close(self) -> None:
        self._con.close()
