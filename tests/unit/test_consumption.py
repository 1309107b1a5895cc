"""Each consumption definition of docs/contract.md §2 on tiny hand-computed cases.

Window W = 10 days and index date 2019-03-11 throughout: the before window is
2019-03-01 … 2019-03-10 and the after window 2019-03-11 … 2019-03-20.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_csv
from narvard.data.consumption import patient_windows
from narvard.stats.crude import change_pct, consumption_results

W = 10


def dataset(
    folder: Path, contacts: str, cohort_rows: str = "", extract=("2019-01-01", "2019-12-31")
):
    (folder / "dataset.yml").write_text(
        f'name: "t"\ncontacts_from: {extract[0]}\ncontacts_to: {extract[1]}\nsynthetic: true\n'
    )
    write_csv(folder, "areas", "area_id,area_name,region,population\nx,X,R,1000")
    write_csv(
        folder,
        "cohort",
        "patient_id,area_id,group,index_date,birth_year,sex,death_date,kommun\n"
        "P1,x,HSVT,2019-03-11,1930,F,,K\n" + cohort_rows,
    )
    write_csv(
        folder,
        "contacts",
        "patient_id,contact_type,start_date,end_date,admitted,unplanned\n" + contacts,
    )
    return patient_windows(folder, W).set_index("patient_id")


def test_er_visits_count_only_visits_without_admission_inside_each_window(tmp_path):
    rows = dataset(
        tmp_path,
        """P1,er,2019-02-28,,0,
        P1,er,2019-03-01,,0,
        P1,er,2019-03-10,,1,
        P1,er,2019-03-10,,0,
        P1,er,2019-03-11,,0,
        P1,er,2019-03-20,,0,
        P1,er,2019-03-21,,0,""",
    )
    assert rows.loc["P1", "er_visits_before"] == 2  # 03-01 and the non-admitted 03-10
    assert rows.loc["P1", "er_visits_after"] == 2  # 03-11 and 03-20; 02-28, 03-21 outside


def test_inpatient_days_are_nights_split_at_the_index_date(tmp_path):
    rows = dataset(
        tmp_path,
        """P1,inpatient,2019-02-27,2019-03-03,,1
        P1,inpatient,2019-03-08,2019-03-13,,0
        P1,inpatient,2019-03-15,2019-03-15,,1
        P1,inpatient,2019-03-19,2019-03-25,,0""",
    )
    # Stay 1: nights 03-01, 03-02 fall in the window (02-27, 02-28 before it) -> 2.
    # Stay 2: 03-08, 03-09, 03-10 before; 03-11, 03-12 after. Same-day stay: 0.
    # Stay 4: 03-19, 03-20 in the after window.
    assert rows.loc["P1", "inpatient_days_before"] == 2 + 3
    assert rows.loc["P1", "inpatient_days_after"] == 2 + 0 + 2


def test_readmission_is_unplanned_stay_0_to_30_days_after_another_stays_end(tmp_path):
    rows = dataset(
        tmp_path,
        """P1,inpatient,2019-02-01,2019-02-05,,0
        P1,inpatient,2019-03-07,2019-03-08,,1
        P1,inpatient,2019-03-12,2019-03-12,,1
        P1,inpatient,2019-03-12,2019-03-14,,0
        P1,inpatient,2019-03-18,2019-03-19,,1""",
    )
    # 03-07 begins 30 days after 02-05 (earlier stay before the window counts) -> before.
    # 03-12 (unplanned) begins 4 days after 03-08 -> after. The planned 03-12 stay is no
    # readmission. 03-18 begins 4 days after 03-14 -> after.
    assert rows.loc["P1", "unplanned_readmissions_before"] == 1
    assert rows.loc["P1", "unplanned_readmissions_after"] == 2


def test_readmission_needs_another_stay_and_at_most_30_days(tmp_path):
    rows = dataset(
        tmp_path,
        """P1,inpatient,2019-02-04,2019-02-06,,0
        P1,inpatient,2019-03-09,2019-03-09,,1
        P1,inpatient,2019-03-15,2019-03-17,,1""",
    )
    # 03-09 begins 31 days after 02-06: not a readmission. 03-15 begins 6 days after the
    # same-day stay of 03-09: a readmission. A stay never readmits itself.
    assert rows.loc["P1", "unplanned_readmissions_before"] == 0
    assert rows.loc["P1", "unplanned_readmissions_after"] == 1


def test_specialist_and_primary_care(tmp_path):
    rows = dataset(
        tmp_path,
        """P1,specialist,2019-03-05,,,
        P1,specialist,2019-03-11,,,
        P1,specialist,2019-03-12,,,
        P1,primary_care,2019-03-12,,,""",
    )
    assert rows.loc["P1", "specialist_visits_before"] == 1
    assert rows.loc["P1", "specialist_visits_after"] == 2


def test_inclusion_needs_both_windows_inside_the_extract(tmp_path):
    rows = dataset(
        tmp_path,
        "",
        "P2,x,NSVT,2019-01-10,1930,M,,K\nP3,x,NSVT,2019-01-11,1930,M,,K\n"
        "P4,x,NSVT,2019-12-22,1930,M,,K\nP5,x,NSVT,2019-12-23,1930,M,,K\n",
    )
    # Before window of P2 starts 2018-12-31 (outside); P3's starts on 2019-01-01.
    # After window of P4 ends 2019-12-31 (inside); P5's ends 2020-01-01.
    assert rows["included"].to_dict() == {
        "P1": True,
        "P2": False,
        "P3": True,
        "P4": True,
        "P5": False,
    }
    assert rows.loc["P2", "exclusion_reason"] == "before_window_outside_extract"
    assert rows.loc["P5", "exclusion_reason"] == "after_window_outside_extract"


def test_death_shortens_person_days_but_does_not_exclude(tmp_path):
    rows = dataset(
        tmp_path,
        "",
        "P2,x,HSVT,2019-03-11,1930,F,2019-03-11,K\n"
        "P3,x,HSVT,2019-03-11,1930,F,2019-03-15,K\n"
        "P4,x,HSVT,2019-03-11,1930,F,2019-03-21,K\n",
    )
    assert rows["person_days_after"].to_dict() == {"P1": 10, "P2": 0, "P3": 4, "P4": 10}
    assert rows["died_after"].to_dict() == {"P1": False, "P2": True, "P3": True, "P4": False}
    assert rows["included"].all()
    summary = consumption_results(rows.reset_index())["HSVT"]
    assert summary["deaths_after"] == 2
    assert summary["person_days_after"] == 24


def test_group_means_and_change(tmp_path):
    rows = dataset(
        tmp_path,
        """P1,er,2019-03-01,,0,
        P1,er,2019-03-02,,0,
        P1,er,2019-03-03,,0,
        P2,er,2019-03-15,,0,""",
        "P2,x,HSVT,2019-03-11,1930,F,,K\n",
    )
    er = consumption_results(rows.reset_index())["HSVT"]["measures"]["er_visits"]
    assert er == {
        "before_total": 3,
        "after_total": 1,
        "before_mean": 1.5,
        "after_mean": 0.5,
        "change_pct": pytest.approx(-66.6666667),
    }


def test_change_pct_is_null_without_use_before():
    assert change_pct(0.0, 2.0) is None
    assert change_pct(5.7, 4.7) == pytest.approx(-17.5438596)


def test_parquet_input_gives_the_same_windows(tmp_path, contract_example):
    import pandas as pd
    from narvard.data.tables import read_table_text

    csv_rows = patient_windows(contract_example, 180)
    for name in ("cohort", "contacts"):
        table = read_table_text(contract_example / f"{name}.csv")
        (contract_example / f"{name}.csv").unlink()
        table.to_parquet(contract_example / f"{name}.parquet")
    parquet_rows = patient_windows(contract_example, 180)
    pd.testing.assert_frame_equal(csv_rows, parquet_rows)


def test_history_window_is_the_window_before_the_before_window(tmp_path):
    # History window: 2019-02-19 … 2019-02-28 (t − 2W … t − W − 1).
    rows = dataset(
        tmp_path,
        """P1,er,2019-02-18,,0,
        P1,er,2019-02-19,,0,
        P1,er,2019-02-28,,0,
        P1,er,2019-03-01,,0,
        P1,inpatient,2019-02-27,2019-03-02,,1""",
    )
    assert rows.loc["P1", "er_visits_history"] == 2  # 02-19 and 02-28; 02-18 is earlier
    assert rows.loc["P1", "er_visits_before"] == 1
    assert rows.loc["P1", "inpatient_days_history"] == 2  # nights 02-27, 02-28
    assert rows.loc["P1", "inpatient_days_before"] == 1  # night 03-01
    assert rows.loc["P1", "history_observed"]


def test_history_observed_needs_the_history_window_inside_the_extract(tmp_path):
    # Extract from 2019-02-25: the before window fits, the history window does not.
    rows = dataset(tmp_path, "P1,er,2019-03-01,,0,", extract=("2019-02-25", "2019-12-31"))
    assert rows.loc["P1", "included"] and not rows.loc["P1", "history_observed"]


def test_months_written_by_the_engine_are_the_months_frame(tmp_path, contract_example):
    """`prepare` has DuckDB write the months itself (millions of rows at national size):
    read back, the file is the frame ``patient_months`` returns."""
    import pandas as pd
    from narvard.data.consumption import consumption, patient_months

    written = consumption(contract_example, (), months_to=tmp_path / "months.parquet")
    assert written.months is None
    frame = patient_months(contract_example)
    assert len(frame) > 5
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "months.parquet"), frame)


def test_an_engine_that_cannot_write_parquet_writes_the_same_windows(tmp_path, monkeypatch):
    """PostgreSQL and Spark bring the windows to pandas, which writes them: read back, the
    files are the frames DuckDB's own writing gives."""
    import pandas as pd
    from narvard.data.consumption import consumption
    from narvard.data.sources.engine import DuckDBEngine

    dataset(tmp_path, "P1,inpatient,2019-03-08,2019-03-13,,1\nP1,er,2019-03-12,,0,")
    lengths = (10, 90)
    by_duckdb = {n: tmp_path / f"duckdb_{n}.parquet" for n in lengths}
    consumption(tmp_path, lengths, None, windows_to=by_duckdb)
    monkeypatch.setattr(DuckDBEngine, "writes_parquet", False)
    by_pandas = {n: tmp_path / f"pandas_{n}.parquet" for n in lengths}
    assert consumption(tmp_path, lengths, None, windows_to=by_pandas).windows == {}
    for n in lengths:
        written = pd.read_parquet(by_pandas[n])
        assert written["inpatient_days_after"].sum() > 0
        pd.testing.assert_frame_equal(written, pd.read_parquet(by_duckdb[n]))


def test_windows_written_by_the_engine_are_the_windows_frames(tmp_path):
    """`prepare` has DuckDB write every window length itself: read back, each file is the
    frame ``consumption`` returns for it (columns, types, order, values), with empty
    kommun and death dates, an exclusion reason and a stay in every length."""
    import pandas as pd
    from narvard.data.consumption import consumption

    dataset(
        tmp_path,
        "P1,inpatient,2019-03-08,2019-03-13,,1\nP2,er,2019-06-01,,0,\nP3,specialist,2019-12-01,,,",
        "P2,x,comparison,2019-06-01,1941,M,2019-06-20,\nP3,x,HSVT,2019-12-28,1950,F,,K\n",
    )
    lengths = (10, 90, 365)
    files = {n: tmp_path / f"windows_{n}.parquet" for n in lengths}
    written = consumption(tmp_path, lengths, None, windows_to=files)
    assert written.windows == {}
    frames = consumption(tmp_path, lengths, None).windows
    for n in lengths:
        frame = frames[n]
        assert frame["death_date"].isna().any() and frame["kommun"].isna().any()
        assert frame["exclusion_reason"].notna().any() and frame["inpatient_days_after"].any()
        pd.testing.assert_frame_equal(pd.read_parquet(files[n]), frame)


def test_duckdb_runs_the_source_sql_as_sqlglot_would_write_it(contract_example, monkeypatch):
    """DuckDB is given narvard's SQL as written (parameters bound as literals); the same SQL
    parsed and written again by sqlglot, as every other engine gets it, gives the same
    windows and months."""
    import pandas as pd
    from narvard.data.consumption import consumption
    from narvard.data.sources import engine, transpile

    direct = consumption(contract_example, (90, 180, 365))
    through_sqlglot = lambda sql, dialect, params=None: transpile.transpiled(  # noqa: E731
        sql, dialect, params or {}
    )
    monkeypatch.setattr(engine, "render", through_sqlglot)
    rewritten = consumption(contract_example, (90, 180, 365))
    assert direct.windows[180]["er_visits_after"].sum() > 0 and len(direct.months) > 5
    for length in (90, 180, 365):
        pd.testing.assert_frame_equal(direct.windows[length], rewritten.windows[length])
    pd.testing.assert_frame_equal(direct.months, rewritten.months)
