"""Spark (local mode) as a source: the same windows, months and results as from the CSV
files, the aggregation run as Spark SQL transpiled from narvard's one copy of it."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import assert_matches
from generated import write_generated
from narvard.data.consumption import patient_months, patient_windows
from narvard.data.processed import prepare_dataset
from narvard.data.sources.spark import SparkEngine
from narvard.data.validate import validate_dataset
from narvard.results.assemble import area_results
from servers import point_at, spark_local, write_parquet

TABLES = ("areas", "cohort", "contacts")


@pytest.fixture(scope="session")
def spark():
    yield from spark_local()


def test_a_handed_in_session_aggregates_alike(spark, tmp_path):
    files = write_generated(tmp_path / "files")
    for name in ("cohort", "contacts"):
        spark.read.csv(str(files / f"{name}.csv"), header=True).createOrReplaceTempView(name)
    engine = SparkEngine(spark)  # the session's own tables, as a notebook on a cluster has
    expected = patient_windows(files, 180)
    assert expected["included"].sum() > 50
    pd.testing.assert_frame_equal(patient_windows(files, 180, engine=engine), expected)
    pd.testing.assert_frame_equal(patient_months(files, engine=engine), patient_months(files))


def test_contract_example_from_a_spark_url(spark, contract_example, contract_expected, tmp_path):
    lake = write_parquet(contract_example, tmp_path / "lake", TABLES)
    folder = point_at(
        shutil.copytree(contract_example, tmp_path / "spark"), f"spark://local[2]?path={lake}"
    )
    assert validate_dataset(folder) == []
    prepared = prepare_dataset(folder, tmp_path / "processed", 180)
    from_files = prepare_dataset(contract_example, tmp_path / "p2", 180)
    for name in ("patient_windows.parquet", "patient_windows_90.parquet",
                 "patient_windows_365.parquet", "patient_months.parquet"):  # fmt: skip
        expected = pd.read_parquet(from_files.folder / name)
        pd.testing.assert_frame_equal(pd.read_parquet(prepared.folder / name), expected)
    results = area_results(prepared, "exempelby", min_cell=0)
    assert_matches(contract_expected["exempelby"], results)
    assert (
        results["consumption"] == area_results(from_files, "exempelby", min_cell=0)["consumption"]
    )


def test_problems_are_found_in_spark(spark, contract_example, tmp_path):
    contacts = contract_example / "contacts.csv"
    text = contacts.read_text(encoding="utf-8")
    extra = "Z7,er,2019-13-01,,0,\nA1,er,2019-02-29,,0,\nA1,inpatient,2019-02-10,2019-02-01,,1\n"
    contacts.write_text(text + extra, encoding="utf-8")
    lake = write_parquet(contract_example, tmp_path / "lake", TABLES)
    url = f"spark://local[2]?path={lake}"
    folder = point_at(shutil.copytree(contract_example, tmp_path / "spark"), url)
    shown = [str(p) for p in validate_dataset(folder)]
    assert shown == [
        f"contacts ({url}): kolumn patient_id: förväntade ett patient_id som finns i cohort, "
        'fick "Z7"',
        f'contacts ({url}): kolumn start_date: förväntade ett datum ÅÅÅÅ-MM-DD, fick "2019-02-29"',
        f'contacts ({url}): kolumn start_date: förväntade ett datum ÅÅÅÅ-MM-DD, fick "2019-13-01"',
        f'contacts ({url}): kolumn end_date: förväntade datum ≥ start_date, fick "2019-02-01"',
    ]
