"""PostgreSQL as a source: the same windows, months and results as from the CSV files,
aggregated inside a real (throwaway) PostgreSQL server, and every way the source can be
wrong told in Swedish with exit status 2."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest
from conftest import assert_matches
from generated import write_generated
from narvard.cli import main
from narvard.data.consumption import patient_months, patient_windows
from narvard.data.processed import prepare_dataset
from narvard.data.sources import open_engine
from narvard.data.validate import validate_dataset
from narvard.results.assemble import area_results
from servers import PASSWORD, copy_tables, point_at, postgres_cluster, postgres_url

TABLES = ("areas", "cohort", "contacts")


@pytest.fixture(scope="session")
def postgres_server():
    yield from postgres_cluster()


@pytest.fixture
def login(monkeypatch):
    """The password as a user gives it: in PGPASSWORD, never in dataset.yml."""
    monkeypatch.setenv("PGPASSWORD", PASSWORD)


def in_postgres(server, folder, schema, tmp_path, typed=True):
    """A copy of the dataset folder whose contract tables are read from PostgreSQL."""
    copy_tables(server, schema, folder, TABLES, typed=typed)
    target = tmp_path / schema
    shutil.copytree(folder, target)
    return point_at(target, postgres_url(server, schema))


def same_aggregates(files, database):
    assert patient_windows(files, 180)["included"].sum() > 0  # the comparison is not empty
    for window in (90, 180, 365):
        expected = patient_windows(files, window)
        pd.testing.assert_frame_equal(patient_windows(database, window), expected)
    expected = patient_months(files)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(patient_months(database), expected)


def test_contract_example_aggregates_alike(postgres_server, login, contract_example, tmp_path):
    database = in_postgres(postgres_server, contract_example, "example", tmp_path)
    same_aggregates(contract_example, database)


def test_generated_text_tables_aggregate_alike(postgres_server, login, tmp_path):
    files = write_generated(tmp_path / "files")
    database = in_postgres(postgres_server, files, "generated", tmp_path, typed=False)
    same_aggregates(files, database)


def test_contract_example_results_from_postgres(
    postgres_server, login, contract_example, contract_expected, tmp_path
):
    database = in_postgres(postgres_server, contract_example, "results", tmp_path)
    assert validate_dataset(database) == []
    prepared = prepare_dataset(database, tmp_path / "processed", 180)
    results = area_results(prepared, "exempelby", min_cell=0)
    assert_matches(contract_expected["exempelby"], results)
    from_files = area_results(
        prepare_dataset(contract_example, tmp_path / "p2", 180), "exempelby", min_cell=0
    )
    from_files_dialects = from_files["data_quality"].pop("dialects")  # none in a database
    assert results["data_quality"].pop("dialects") == [
        d for d in from_files_dialects if d["table"] not in TABLES
    ]
    for key in set(from_files) - {"dataset", "generated_at"}:
        assert results[key] == from_files[key], key
    files_rows = prepare_dataset(contract_example, tmp_path / "p3", 180).manifest["rows"]
    assert prepared.manifest["rows"] == files_rows  # counted in the database


def test_database_problems_are_found_in_sql(postgres_server, login, contract_example, tmp_path):
    cohort = contract_example / "cohort.csv"
    cohort.write_text(
        cohort.read_text(encoding="utf-8") + "A1,exempelby,HSVT,2019-03-01,1931,F,,X\n"
        "C9,exempelby,teamet,2019-02-30x,1931,F,,X\n"
        "C8,okänd,HSVT,2019-03-01,1931,K,,X\n",
        encoding="utf-8",
    )
    contacts = contract_example / "contacts.csv"
    contacts.write_text(
        contacts.read_text(encoding="utf-8") + "Z7,er,2019-01-01,,0,\n"
        "A1,inpatient,2019-02-10,2019-02-01,,1\n"  # ends before it starts
        "A1,hemsjukvård,2019-01-01,,,\n"
        "A1,er,2019-02-29,,0,\n"  # no such day
        "A1,inpatient,0000-01-01,2019-02-01,,1\n",  # no year 0 (PostgreSQL refuses the cast)
        encoding="utf-8",
    )
    database = in_postgres(postgres_server, contract_example, "broken", tmp_path, typed=False)
    shown = [str(p) for p in validate_dataset(database)]
    where = postgres_url(postgres_server, "broken")
    unique = "unikt patient_id, en rad per patient"
    assert f'cohort ({where}): kolumn patient_id: förväntade {unique}, fick "A1"' in shown
    assert (
        f'cohort ({where}): kolumn group: förväntade en av HSVT, NSVT, comparison, fick "teamet"'
        in shown
    )
    known = "ett patient_id som finns i cohort"
    assert f'contacts ({where}): kolumn patient_id: förväntade {known}, fick "Z7"' in shown
    assert (
        f'cohort ({where}): kolumn index_date: förväntade ett datum ÅÅÅÅ-MM-DD, fick "2019-02-30x"'
        in shown
    )
    assert (
        f'cohort ({where}): kolumn area_id: förväntade ett area_id som finns i areas, fick "okänd"'
        in shown
    )
    types = "ett av: er, inpatient, specialist, primary_care"
    assert (
        f'contacts ({where}): kolumn contact_type: förväntade {types}, fick "hemsjukvård"' in shown
    )
    assert (
        f'contacts ({where}): kolumn end_date: förväntade datum ≥ start_date, fick "2019-02-01"'
        in shown
    )
    assert (
        f'contacts ({where}): kolumn start_date: förväntade ett datum ÅÅÅÅ-MM-DD, fick "2019-02-29"'
        in shown
    )
    assert f'cohort ({where}): kolumn sex: förväntade ett av: F, M, fick "K"' in shown
    assert (
        f'contacts ({where}): kolumn start_date: förväntade ett datum ÅÅÅÅ-MM-DD, fick "0000-01-01"'
        in shown
    )
    assert len(shown) == 10


def test_an_empty_areas_table_is_a_problem_not_an_error(
    postgres_server, login, contract_example, tmp_path
):
    areas = contract_example / "areas.csv"
    areas.write_text(areas.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    database = in_postgres(postgres_server, contract_example, "no_areas", tmp_path, typed=False)
    shown = [str(p) for p in validate_dataset(database)]
    assert any("minst en rad med data" in line and line.startswith("areas") for line in shown)


def test_missing_table_and_column(postgres_server, login, contract_example, tmp_path):
    database = in_postgres(postgres_server, contract_example, "partial", tmp_path)
    import psycopg

    url = postgres_url(postgres_server, "partial")
    with psycopg.connect(url.split("?")[0], password=PASSWORD, autocommit=True) as con:
        con.execute("DROP TABLE partial.contacts")
        con.execute("ALTER TABLE partial.cohort DROP COLUMN index_date")
        con.execute(
            "ALTER TABLE partial.cohort ALTER COLUMN birth_year TYPE boolean USING birth_year > 0"
        )
    shown = [str(p) for p in validate_dataset(database)]
    assert (
        f'contacts ({url}): förväntade tabellen contacts i databasen, fick "tabellen saknas"'
        in shown
    )
    assert any(
        s.startswith(f"cohort ({url}): kolumn index_date: förväntade kolumnen index_date")
        for s in shown
    )
    assert (
        f'cohort ({url}): kolumn birth_year: förväntade tal eller text, fick "typen boolean"'
        in shown
    )


def narvard(*args):
    return subprocess.run(
        [sys.executable, "-m", "narvard", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda url: url.replace("narvard@", "narvard:hemligt@"), "en adress utan lösenord"),
        (
            lambda url: url.replace("/warehouse", "/finnsinte"),
            'database "finnsinte" does not exist',
        ),
        (lambda url: url.replace("postgresql:", "mysql:"), "en adress som postgresql://"),
    ],
)
def test_a_wrong_source_exits_2_in_swedish(
    postgres_server, login, contract_example, tmp_path, capsys, change, message
):
    database = in_postgres(postgres_server, contract_example, "cli", tmp_path)
    spec = database / "dataset.yml"
    url = postgres_url(postgres_server, "cli")
    spec.write_text(spec.read_text(encoding="utf-8").replace(url, change(url)), encoding="utf-8")
    assert main(["report", "--data", str(database), "--out", str(tmp_path / "out")]) == 2
    stderr = capsys.readouterr().err
    assert "dataset.yml: nyckel source: förväntade" in stderr
    assert message in stderr and "hemligt" not in stderr


def test_a_refused_login_exits_2_without_a_traceback(
    postgres_server, monkeypatch, contract_example, tmp_path
):
    database = in_postgres(postgres_server, contract_example, "login", tmp_path)
    monkeypatch.setenv("PGPASSWORD", "fel")
    done = narvard("report", "--data", str(database), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "password authentication failed" in done.stderr
    assert "PGPASSWORD eller ~/.pgpass" in done.stderr and "Traceback" not in done.stderr


def test_only_temporary_views_are_made(postgres_server, login, contract_example, tmp_path):
    database = in_postgres(postgres_server, contract_example, "readonly", tmp_path)
    patient_windows(database, 180)
    from narvard.data.dataset import Dataset

    with open_engine(Dataset.open(database)) as engine:
        assert engine.tables() == {"areas", "cohort", "contacts"}
