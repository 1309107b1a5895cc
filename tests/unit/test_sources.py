"""The source layer without a server: parsing a dataset.yml's source, refusing passwords,
and the one aggregation SQL transpiled per engine (the servers are in tests/sources)."""

from __future__ import annotations

import datetime as dt

import pytest
from narvard.data import consumption
from narvard.data.sources.checks import _usable
from narvard.data.sources.engine import SourceError
from narvard.data.sources.transpile import render, render_one
from narvard.data.sources.url import masked, parse_source
from narvard.data.validate import validate_dataset


def test_postgresql_url_keeps_libpq_options_and_takes_the_schema_out():
    spec = parse_source("postgresql://ana@dwh:5433/vard?schema=nv&sslmode=require")
    assert (spec.kind, spec.schema) == ("postgresql", "nv")
    assert spec.target == "postgresql://ana@dwh:5433/vard?sslmode=require"
    assert parse_source("postgres://ana@dwh/vard").schema == "public"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://ana:hemligt@dwh:5432/vard?schema=nv",
        "postgresql://ana@dwh/vard?password=hemligt",
    ],
)
def test_a_password_in_the_url_is_refused(url):
    with pytest.raises(SourceError) as caught:
        parse_source(url)
    assert "PGPASSWORD" in caught.value.expected and "~/.pgpass" in caught.value.expected
    assert "hemligt" not in str(caught.value)


def test_unknown_scheme_and_missing_database_are_explained():
    with pytest.raises(SourceError, match="postgresql://") as caught:
        parse_source("mysql://ana:hemligt@dwh/vard")
    assert caught.value.found == "mysql://ana:***@dwh/vard"
    with pytest.raises(SourceError, match="DATABAS"):
        parse_source("postgresql://ana@dwh:5432/")
    assert masked("postgresql://a:b@h/d") == "postgresql://a:***@h/d"


def test_spark_urls():
    local = parse_source("spark://local[2]?path=/data/lake")
    assert (local.target, local.path, local.schema) == ("local[2]", "/data/lake", None)
    cluster = parse_source("spark://master.region.se:7077?schema=nv")
    assert (cluster.target, cluster.schema) == ("spark://master.region.se:7077", "nv")


def test_parameters_become_literals_in_every_dialect():
    sql = "SELECT d + ($w - 1) AS e, date_diff('day', a, b) AS n FROM t WHERE d >= $cfrom"
    params = {"w": 180, "cfrom": dt.date(2018, 1, 1)}
    assert render_one(sql, "postgres", params) == (
        "SELECT d + ((180) - 1) AS e, (CAST(b AS DATE) - CAST(a AS DATE)) AS n FROM t "
        "WHERE d >= (CAST('2018-01-01' AS DATE))"
    )
    assert "DATEDIFF(DAY, a, b)" in render_one(sql, "spark", params)
    with pytest.raises(ValueError, match="unbound"):
        render(sql, "duckdb", {"w": 1})


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "spark", "trino", "tsql"])
def test_the_aggregation_sql_renders_with_every_parameter_and_table_bound(dialect):
    """sqlglot writes every statement in each documented dialect with no parameter or table
    placeholder left; whether an engine runs it is tested against DuckDB, PostgreSQL and
    Spark themselves (tests/sources)."""
    events = render_one(
        consumption._EVENT_DAYS_SQL, dialect, {"readmission_days": 30, "lo": -2, "hi": 1}
    )
    months = consumption._MONTH_EVENTS_SQL.replace("{months}", "(-1), (0)")
    params = {"month_days": 30, "months_before": 1, "months_after": 1}
    windows = consumption._windows_sql((90, 180))
    dates = {"cfrom": dt.date(2018, 1, 1), "cto": dt.date(2019, 12, 31)}
    for statement in (
        events,
        render_one(months, dialect, params),
        render_one(windows, dialect, dates),
    ):
        assert "$" not in statement and "narvard_table" not in statement
    assert "nv_contacts" in events


def test_usable_types():
    assert _usable("index_date", "date") is None
    assert _usable("index_date", "character varying") is None
    assert _usable("index_date", "integer") == "datum (date) eller text ÅÅÅÅ-MM-DD"
    assert _usable("admitted", "boolean") == "tal eller text"
    assert _usable("birth_year", "bigint") is None


def test_a_password_in_dataset_yml_stops_validation(contract_example):
    spec = contract_example / "dataset.yml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text + 'source: "postgresql://ana:hemligt@localhost/vard"\n', "utf-8")
    (problem,) = validate_dataset(contract_example)
    assert str(problem).startswith("dataset.yml: nyckel source: förväntade en adress utan lösenord")
    assert "hemligt" not in str(problem)
