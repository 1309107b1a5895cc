"""The large tables (cohort, contacts) are checked in DuckDB SQL
(narvard.data.validate.large, sql_rules): the same problems, at the same lines, whichever
way the file reaches DuckDB, and the same idea of an empty cell as the pandas rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from narvard.data.dataset import Dataset
from narvard.data.validate import validate_dataset
from narvard.data.validate.large import _one_line_per_row, load_large_table


@pytest.fixture
def data(contract_example: Path) -> Path:
    return contract_example


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")


def places(problems) -> list[tuple]:
    return [(p.file, p.line, p.column, p.expected, p.found) for p in problems]


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("a,b\n1,2\n3,4\n", True),
        ("a,b\r\n1,2\r\n3,4", True),  # CRLF, no newline at the end
        ('a,b\n1,"2"\n3,4\n', False),  # quotes: the Python reader finds the lines
        ("a,b\n1,2\n\n3,4\n", False),  # a blank line
        ("a,b\n1,2\r3,4\n", False),  # a CR alone ends a line too
        ("a,b\n1,2\n3,4,", False),  # a trailing comma, which DuckDB would accept
    ],
)
def test_only_files_with_one_row_per_line_are_numbered_by_row(tmp_path, text, plain):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode())
    assert _one_line_per_row(path, rows=2, width=2) is plain


def broken(folder: Path) -> None:
    """Five problems in the large tables: two in cohort, three in contacts."""
    edit(
        folder / "cohort.csv",
        "A2,exempelby,HSVT,2019-03-01,1940",
        "A2,exempelby,HSVT,2019-03-01,2020",
    )
    edit(folder / "cohort.csv", "B1,exempelby,comparison", "B1,exempelby,jämförelse")
    edit(folder / "contacts.csv", "A1,er,2019-01-15,,1,", "A9,er,2019-01-15,,1,")
    edit(folder / "contacts.csv", "2019-02-10,2019-02-15", "2019-02-10,2019-02-01")
    edit(
        folder / "contacts.csv", "A1,specialist,2019-04-01,,,", "A1,specialist,2019-04-01,,\u00a0,"
    )


EXPECTED = [
    ("cohort.csv", 5, "group", "ett av: HSVT, NSVT, comparison", "jämförelse"),  # columns first
    ("cohort.csv", 3, "birth_year", "födelseår ≤ index_date:s år (2019)", "2020"),
    ("contacts.csv", 3, "patient_id", "ett patient_id som finns i cohort.csv", "A9"),
    ("contacts.csv", 5, "end_date", "datum ≥ start_date (2019-02-10)", "2019-02-01"),
]


def test_problems_of_the_large_tables_in_sql(data):
    broken(data)
    problems = validate_dataset(data)
    # A no-break space alone is an empty cell: no problem for a specialist visit's admitted.
    assert places(problems) == EXPECTED


@pytest.mark.parametrize("form", ["quoted", "crlf", "parquet"])
def test_every_way_into_duckdb_gives_the_same_problems(data, form):
    broken(data)
    if form == "quoted":  # read by the Python reader, handed to DuckDB with its lines
        edit(data / "contacts.csv", "A2,er,2019-03-20", 'A2,"er",2019-03-20')
        edit(data / "cohort.csv", ",Exempelby\n", ',"Exempelby"\n')
    elif form == "crlf":  # parsed by DuckDB itself
        for name in ("cohort.csv", "contacts.csv"):
            path = data / name
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    else:
        import pandas as pd

        for name in ("cohort", "contacts"):
            frame = pd.read_csv(data / f"{name}.csv", dtype=str, keep_default_na=False)
            (data / f"{name}.csv").unlink()
            frame.to_parquet(data / f"{name}.parquet", index=False)
    expected = EXPECTED
    if form == "parquet":  # rows numbered from 1
        expected = [(f.replace(".csv", ".parquet"), n - 1, *rest) for f, n, *rest in EXPECTED]
        expected[2] = (*expected[2][:3], "ett patient_id som finns i cohort.parquet", "A9")
    assert places(validate_dataset(data)) == expected


def test_a_trailing_comma_on_the_last_line_is_a_ragged_row(data):
    path = data / "contacts.csv"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + ",", encoding="utf-8")
    (problem,) = validate_dataset(data)
    assert (problem.file, problem.line, problem.column) == ("contacts.csv", 12, None)
    assert "6 fält per rad" in problem.expected


def test_personnummer_after_white_space_is_refused_in_sql(data):
    edit(data / "cohort.csv", "A3,exempelby", "\u00a019121212-1212,exempelby")
    (problem,) = validate_dataset(data)
    assert (problem.file, problem.line, problem.column) == ("cohort.csv", 4, "patient_id")
    assert "pseudonym" in problem.expected and problem.found == "\u00a019…"


def test_typed_parquet_gives_the_problems_of_its_text(data):
    """Dates, times and whole numbers typed in Parquet are checked by value, not by
    their text (narvard.data.validate.large.RAW_KINDS): the same problems as the same
    cells written as text, for every rule that reads them."""
    contacts, cohort = data / "contacts.csv", data / "cohort.csv"
    edit(contacts, "A1,inpatient,2019-01-15,2019-01-22,,1", "A1,inpatient,2019-01-15,2019-01-02,,1")
    edit(contacts, "A1,inpatient,2019-02-10,2019-02-15,,1", "A1,inpatient,2019-02-10,,,2")
    edit(contacts, "A1,er,2018-12-01,,0,", "A1,er,2018-12-01,2018-12-02,,1")
    edit(contacts, "A1,er,2019-01-15,,1,", "A1,er,2019-01-15,,7,")
    edit(contacts, "A2,er,2019-03-20", "A2,er,10000-03-20")  # a date, but not YYYY-MM-DD
    edit(
        cohort,
        "A2,exempelby,HSVT,2019-03-01,1940,M,2019-04-10",
        "A2,exempelby,HSVT,2019-03-01,2020,M,2019-02-10",
    )
    edit(cohort, "A3,exempelby,HSVT,2018-03-01,1935", "A3,exempelby,HSVT,2018-03-01,1850")
    as_text = places(validate_dataset(data))
    # end < start, end missing, end and unplanned filled on an ER visit, admitted missing
    # and 7, unplanned 2, a five-digit year, two birth years, a death before the index date
    assert len(as_text) == 11
    import duckdb

    types = {
        "contacts": "patient_id, contact_type, CAST(start_date AS DATE) AS start_date, "
        "CAST(NULLIF(end_date, '') AS TIMESTAMP) AS end_date, "
        "CAST(NULLIF(admitted, '') AS UTINYINT) AS admitted, "
        "CAST(NULLIF(unplanned, '') AS BIGINT) AS unplanned",
        "cohort": 'patient_id, area_id, "group", CAST(index_date AS DATE) AS index_date, '
        "CAST(birth_year AS INTEGER) AS birth_year, sex, "
        "CAST(NULLIF(death_date, '') AS DATE) AS death_date, kommun",
    }
    with duckdb.connect() as con:
        for name, columns in types.items():
            csv = data / f"{name}.csv"
            con.execute(
                f"COPY (SELECT {columns} FROM read_csv('{csv}', all_varchar = true)) "
                f"TO '{data / name}.parquet' (FORMAT parquet)"
            )
            csv.unlink()
    expected = [(f.replace(".csv", ".parquet"), n - 1, *rest) for f, n, *rest in as_text]
    assert places(validate_dataset(data)) == expected
    with duckdb.connect() as con:  # the rules above read the typed values, not their text
        typed, _ = load_large_table(con, Dataset.open(data), "contacts")
    kinds = {"start_date": "date", "end_date": "date", "admitted": "int", "unplanned": "int"}
    assert typed.raw == kinds


def test_infinity_is_no_date(data):
    """DuckDB reads 'infinity' as a date; the contract's dates are written YYYY-MM-DD."""
    edit(data / "contacts.csv", "A2,er,2019-03-20", "A2,er,infinity")
    (problem,) = validate_dataset(data)
    assert (problem.column, problem.found) == ("start_date", "infinity")
