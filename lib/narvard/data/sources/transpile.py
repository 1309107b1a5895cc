"""The aggregation SQL is written once, in DuckDB's dialect, and transpiled with sqlglot to
the dialect of the engine that runs it (DuckDB, PostgreSQL, Spark; see docs/sources.md).

Parameters are written ``$name`` in the source SQL and become literals here (integers and
dates from narvard's own settings, never user text), so every engine gets plain SQL and
no driver's parameter style matters.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import sqlglot
from sqlglot import exp

SOURCE_DIALECT = "duckdb"
# Engines narvard runs and tests; sqlglot writes many more (docs/sources.md).
TESTED_DIALECTS = ("duckdb", "postgres", "spark")
_PARAMETER = re.compile(r"\$([A-Za-z_]\w*)")


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
    if dialect == SOURCE_DIALECT:
        return [_bound_source(sql, params)]
    return transpiled(sql, dialect, params)


def transpiled(sql: str, dialect: str, params: dict[str, object]) -> list[str]:
    """The statements of ``sql`` parsed and written by sqlglot in ``dialect``."""
    statements = []
    for parsed in _parsed(sql):
        bound = parsed.copy().transform(_bind, params) if params else parsed
        missing = [p for p in bound.find_all(exp.Placeholder, exp.Parameter)]
        if missing:
            raise ValueError(f"unbound SQL parameter {missing[0].sql()}")
        statements.append(bound.sql(dialect=dialect))
    return statements


def _bound_source(sql: str, params: dict[str, object]) -> str:
    """The source SQL itself with its parameters as literals: DuckDB reads the dialect it is
    written in, and parsing it only to write it again costs a third of a second at national
    size (tests/unit/test_sources.py: both ways give the same statements' results)."""

    def literal(match: re.Match) -> str:
        if match.group(1) not in params:
            raise ValueError(f"unbound SQL parameter {match.group(0)}")
        return "(" + _literal(params[match.group(1)]).sql(dialect=SOURCE_DIALECT) + ")"

    return _PARAMETER.sub(literal, sql)


def render_one(sql: str, dialect: str, params: dict[str, object] | None = None) -> str:
    """One statement of ``sql`` in ``dialect``."""
    (statement,) = render(sql, dialect, params)
    return statement
