"""The aggregation SQL is written once, in DuckDB's dialect, and transpiled with sqlglot to
the dialect of the engine that runs it (DuckDB, PostgreSQL, Spark; see docs/sources.md).

Parameters are written ``$name`` in the source SQL and become literals here (integers and
dates from narvard's own settings, never user text), so every engine gets plain SQL and
no driver's parameter style matters.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import sqlglot
from sqlglot import exp

SOURCE_DIALECT = "duckdb"
# Engines narvard runs and tests; sqlglot writes many more (docs/sources.md).
TESTED_DIALECTS = ("duckdb", "postgres", "spark")


@lru_cache(maxsize=64)
def _parsed(sql: str) -> tuple[exp.Expression, ...]:
    return tuple(e for e in sqlglot.parse(sql, read=SOURCE_DIALECT) if e is not None)


def _literal(value: object) -> exp.Expression:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        number = exp.Literal.number(abs(value))
        return exp.Neg(this=number) if value < 0 else number
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)
    raise TypeError(f"unsupported SQL parameter {value!r}")


def _bind(node: exp.Expression, params: dict[str, object]) -> exp.Expression:
    if isinstance(node, exp.Placeholder | exp.Parameter):
        name = node.name if isinstance(node, exp.Placeholder) else node.this.name
        if name in params:
            return exp.paren(_literal(params[name]), copy=False)
    return node


def render(sql: str, dialect: str, params: dict[str, object] | None = None) -> list[str]:
    """The statements of ``sql`` (DuckDB dialect, ``$name`` parameters) in ``dialect``."""
    params = params or {}
    statements = []
    for parsed in _parsed(sql):
        bound = parsed.copy().transform(_bind, params) if params else parsed
        missing = [p for p in bound.find_all(exp.Placeholder, exp.Parameter)]
        if missing:
            raise ValueError(f"unbound SQL parameter {missing[0].sql()}")
        statements.append(bound.sql(dialect=dialect))
    return statements


def render_one(sql: str, dialect: str, params: dict[str, object] | None = None) -> str:
    """One statement of ``sql`` in ``dialect``."""
    (statement,) = render(sql, dialect, params)
    return statement
