"""Spark as a source: the contract tables in a Spark catalog (``?schema=`` a database, or
the session's own tables and views), or as Parquet under a path (``?path=``); the
aggregation runs in Spark SQL. A SparkSession may also be handed in from Python:
``patient_windows(folder, 180, engine=SparkEngine(spark, schema="lake"))``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from narvard.data.sources.engine import Engine, SourceError
from narvard.data.sources.transpile import render
from narvard.data.sources.url import SourceSpec

PYSPARK_PIN = "pyspark==4.3.0"


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def local_session(master: str = "local[2]"):
    """A SparkSession for narvard (no web UI, UTC); in local mode with few shuffle
    partitions, as one machine's cores gain nothing from Spark's default 200."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName("narvard")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master.startswith("local"):
        builder = builder.config("spark.sql.shuffle.partitions", "4")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine(Engine):
    """Spark SQL in a SparkSession; temporary views only, nothing written to the catalog."""

    dialect = "spark"
    sorts_text_by_code_point = True

    def __init__(self, session, schema: str | None = None, path: str | None = None) -> None:
        self.session, self.schema = session, schema
        self.where = f"spark://{session.sparkContext.master}" + (
            f"?schema={schema}" if schema else f"?path={path}" if path else ""
        )
        self._files = _parquet_tables(Path(path)) if path else None
        for name, folder in (self._files or {}).items():
            session.read.parquet(str(folder)).createOrReplaceTempView(f"narvard_source_{name}")

    @classmethod
    def from_spec(cls, spec: SourceSpec) -> SparkEngine:
        """Start (or join) the session a dataset.yml names; SourceError when it cannot."""
        try:
            import pyspark  # noqa: F401
        except ImportError:
            raise SourceError(
                f"PySpark installerat ({PYSPARK_PIN}) och Java 17", "pyspark saknas"
            ) from None
        try:
            session = local_session(spec.target)
        except Exception as error:  # noqa: BLE001 - e.g. no Java: one Swedish message
            raise SourceError(
                f"en Spark som går att starta ({spec.target}; kräver Java 17)", _first_line(error)
            ) from None
        if spec.path and not Path(spec.path).is_dir():
            raise SourceError("en mapp med tabellerna som Parquet (?path=…)", spec.path)
        return cls(session, spec.schema, spec.path)

    def execute(self, statement: str) -> None:
        self.session.sql(statement)

    def materialize(self, name: str, sql: str, params: dict | None = None) -> None:
        """Spark has no temporary tables: a cached temporary view instead."""
        (statement,) = render(sql, self.dialect, params)
        self.discard(name)
        self.execute(f"CACHE TABLE {name} AS {self._with_tables(statement)}")

    def discard(self, name: str) -> None:
        """Free a cached view; the session (perhaps the user's own) keeps running."""
        self.execute(f"UNCACHE TABLE IF EXISTS {name}")
        self.execute(f"DROP VIEW IF EXISTS {name}")

    def fetch(self, statement: str) -> pd.DataFrame:
        with warnings.catch_warnings():  # PySpark 4.3 warns on pandas 3; its results are right
            warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas")
            return self.session.sql(statement).toPandas()

    def source_table(self, name: str) -> str:
        if self._files is not None:
            return f"narvard_source_{name}"
        return f"`{self.schema}`.`{name}`" if self.schema else f"`{name}`"

    def columns(self, name: str) -> dict[str, str] | None:
        if name not in self.tables():
            return None
        return {c: t.lower() for c, t in self.session.table(self.source_table(name)).dtypes}

    def tables(self) -> set[str]:
        if self._files is not None:
            return set(self._files)
        try:
            listed = (
                self.session.catalog.listTables(self.schema)
                if self.schema
                else (self.session.catalog.listTables())
            )
        except Exception:  # noqa: BLE001 - an unknown database has no tables
            return set()
        return {t.name for t in listed}


def _parquet_tables(folder: Path) -> dict[str, Path]:
    """NAME.parquet files or folders under a path, by table name."""
    return {p.name.removesuffix(".parquet"): p for p in folder.glob("*.parquet")}
