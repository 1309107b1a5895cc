"""PostgreSQL as a source: the contract tables in one schema, the aggregation run there.

psycopg 3 over libpq, so credentials come the way every PostgreSQL tool takes them
(PGPASSWORD, PGPASSFILE, ~/.pgpass, PGSERVICE). Only temporary views are created; nothing
is written to the warehouse.
"""

from __future__ import annotations

import pandas as pd

from narvard.data.sources.engine import Engine, SourceError
from narvard.data.sources.transpile import render
from narvard.data.sources.url import SourceSpec

CONNECT_TIMEOUT_SECONDS = 15


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class PostgresEngine(Engine):
    """One connection to the warehouse; temporary views live as long as it does."""

    dialect = "postgres"

    def __init__(self, spec: SourceSpec) -> None:
        import psycopg

        self.where = spec.shown
        self.schema = spec.schema or "public"
        try:
            self._con = psycopg.connect(
                spec.target, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
            )
        except psycopg.Error as error:
            raise SourceError(
                f"en PostgreSQL-databas som svarar på {spec.shown} och tar emot inloggningen "
                "(lösenord i PGPASSWORD eller ~/.pgpass)",
                _first_line(error),
            ) from None

    def execute(self, statement: str) -> None:
        with self._con.cursor() as cursor:
            cursor.execute(statement)

    def fetch(self, statement: str) -> pd.DataFrame:
        with self._con.cursor() as cursor:
            cursor.execute(statement)
            columns = [d.name for d in cursor.description]
            return pd.DataFrame(cursor.fetchall(), columns=columns)

    def source_table(self, name: str) -> str:
        return f"{_quoted(self.schema)}.{_quoted(name)}"

    def columns(self, name: str) -> dict[str, str] | None:
        with self._con.cursor() as cursor:
            cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                (self.schema, name),
            )
            rows = cursor.fetchall()
        return {column: kind.lower() for column, kind in rows} if rows else None

    def tables(self) -> set[str]:
        """Every table and view in the schema."""
        with self._con.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (self.schema,),
            )
            return {row[0] for row in cursor.fetchall()}

    def materialize(self, name: str, sql: str, params: dict | None = None) -> None:
        """A temporary table; only a temporary one of that name is ever dropped (pg_temp),
        never a table of the warehouse."""
        (statement,) = render(sql, self.dialect, params)
        self.discard(name)
        self.execute(f"CREATE TEMPORARY TABLE {name} AS {self._with_tables(statement)}")

    def discard(self, name: str) -> None:
        self.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")

    def close(self) -> None:
        self._con.close()
