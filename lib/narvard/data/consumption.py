"""Per-patient healthcare consumption in windows around the index date (docs/contract.md §2).

The heavy work runs once per dataset in DuckDB: one row per patient with every measure
counted in the history, before and after windows, and every measure per patient and 30-day
month for the event study. The crude group figures are ``narvard.stats.crude``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from narvard.data import duck
from narvard.data.dataset import Dataset
from narvard.domain import MEASURES

READMISSION_DAYS = 30
# Windows per patient, for index date t and window W: the history window t−2W … t−W−1 (the
# baseline of the adjusted estimate, docs/effects.md), before t−W … t−1, after t … t+W−1.
PERIODS = ("history", "before", "after")

_COHORT_SQL = """
CREATE VIEW cohort AS
SELECT CAST(patient_id AS VARCHAR) AS patient_id,
       CAST(area_id AS VARCHAR) AS area_id,
       CAST("group" AS VARCHAR) AS "group",
       CAST(index_date AS DATE) AS index_date,
       CAST(CAST(birth_year AS DOUBLE) AS INTEGER) AS birth_year,
       CAST(sex AS VARCHAR) AS sex,
       CAST(NULLIF(CAST(death_date AS VARCHAR), '') AS DATE) AS death_date,
       {kommun} AS kommun
FROM {source}
"""

_CONTACTS_SQL = """
CREATE VIEW contacts AS
SELECT row_number() OVER () AS contact_row,
       CAST(patient_id AS VARCHAR) AS patient_id,
       CAST(contact_type AS VARCHAR) AS contact_type,
       CAST(start_date AS DATE) AS start_date,
       CAST(NULLIF(CAST(end_date AS VARCHAR), '') AS DATE) AS end_date,
       CAST(CAST(NULLIF(CAST(admitted AS VARCHAR), '') AS DOUBLE) AS INTEGER) AS admitted,
       CAST(CAST(NULLIF(CAST(unplanned AS VARCHAR), '') AS DOUBLE) AS INTEGER) AS unplanned
FROM {source}
"""

_WINDOWS_SQL = """
CREATE TABLE windows AS
SELECT c.*,
       c.index_date - 2 * $w AS history_start,
       c.index_date - $w AS before_start,
       c.index_date + ($w - 1) AS after_end,
       (c.index_date - $w >= $cfrom AND c.index_date + ($w - 1) <= $cto) AS included,
       (c.index_date - 2 * $w >= $cfrom AND c.index_date + ($w - 1) <= $cto) AS history_observed,
       CASE WHEN c.index_date - $w < $cfrom THEN 'before_window_outside_extract'
            WHEN c.index_date + ($w - 1) > $cto THEN 'after_window_outside_extract'
       END AS exclusion_reason,
       coalesce(c.death_date BETWEEN c.index_date AND c.index_date + ($w - 1), false)
           AS died_after,
       CASE WHEN c.death_date IS NOT NULL AND c.death_date <= c.index_date + ($w - 1)
            THEN greatest(c.death_date - c.index_date, 0) ELSE $w END AS person_days_after
FROM cohort c
"""

# The contract's event rules (docs/contract.md §2) as SQL common table expressions over a
# `contacts` view: inpatient stays, unplanned readmissions, and point events per day.
# Shared by the window counts and the monthly counts of the event study below.
EVENT_DEFINITIONS_SQL = """
stays AS (
    SELECT k.contact_row, k.patient_id, k.start_date, k.end_date, k.unplanned
    FROM contacts k WHERE k.contact_type = 'inpatient'
),
readmissions AS (
    SELECT s.patient_id, s.start_date
    FROM stays s
    WHERE s.unplanned = 1 AND EXISTS (
        SELECT 1 FROM stays p
        WHERE p.patient_id = s.patient_id AND p.contact_row <> s.contact_row
          AND s.start_date - p.end_date BETWEEN 0 AND $readmission_days)
),
point_events AS (
    SELECT patient_id, 'er_visits' AS measure, start_date AS day FROM contacts
        WHERE contact_type = 'er' AND admitted = 0
    UNION ALL
    SELECT patient_id, 'specialist_visits', start_date FROM contacts
        WHERE contact_type = 'specialist'
    UNION ALL
    SELECT patient_id, 'unplanned_readmissions', start_date FROM readmissions
)
"""

# Every measure as (patient_id, period, value) rows; period is 'before' or 'after'.
_EVENTS_SQL = (
    "CREATE TABLE events AS WITH "
    + EVENT_DEFINITIONS_SQL
    + """,
periods AS (
    SELECT patient_id, 'history' AS period, history_start AS w_start, before_start - 1 AS w_end
        FROM windows
    UNION ALL
    SELECT patient_id, 'before', before_start, index_date - 1 FROM windows
    UNION ALL
    SELECT patient_id, 'after', index_date, after_end FROM windows
)
SELECT pr.patient_id, pr.period, e.measure, count(*)::DOUBLE AS value
FROM periods pr JOIN point_events e
  ON e.patient_id = pr.patient_id AND e.day BETWEEN pr.w_start AND pr.w_end
GROUP BY ALL
UNION ALL
SELECT pr.patient_id, pr.period, 'inpatient_days',
       sum(greatest(least(s.end_date, pr.w_end + 1) - greatest(s.start_date, pr.w_start), 0))
FROM periods pr JOIN stays s
  ON s.patient_id = pr.patient_id AND s.start_date <= pr.w_end AND s.end_date > pr.w_start
GROUP BY ALL
"""
)


# Every measure per patient and 30-day month around the index date (the event study):
# month m covers t+30m … t+30m+29. Point events fall in one month; a stay's nights are split
# over the months they fall in. Only months −$months_before … $months_after − 1 are kept.
_MONTH_EVENTS_SQL = (
    "WITH "
    + EVENT_DEFINITIONS_SQL
    + """,
dated AS (
    SELECT e.patient_id, e.measure,
           CAST(floor(CAST(e.day - c.index_date AS DOUBLE) / $month_days) AS INTEGER) AS month
    FROM point_events e JOIN cohort c USING (patient_id)
),
stay_months AS (
    SELECT s.patient_id, s.start_date, s.end_date, c.index_date,
           CAST(unnest(range(
               CAST(floor(CAST(s.start_date - c.index_date AS DOUBLE) / $month_days) AS INTEGER),
               CAST(floor(CAST(s.end_date - 1 - c.index_date AS DOUBLE) / $month_days) AS INTEGER)
                   + 1)) AS INTEGER) AS month
    FROM stays s JOIN cohort c USING (patient_id)
    WHERE s.end_date > s.start_date
)
SELECT patient_id, month, measure, count(*)::DOUBLE AS value FROM dated
WHERE month BETWEEN -$months_before AND $months_after - 1
GROUP BY ALL
UNION ALL
SELECT patient_id, month, 'inpatient_days' AS measure,
       sum(least(end_date, index_date + CAST((month + 1) * $month_days AS INTEGER))
           - greatest(start_date, index_date + CAST(month * $month_days AS INTEGER)))::DOUBLE
           AS value
FROM stay_months
WHERE month BETWEEN -$months_before AND $months_after - 1
GROUP BY ALL
ORDER BY patient_id, month, measure
"""
)
MONTH_DAYS = 30
MONTHS_BEFORE = 18
MONTHS_AFTER = 12


def _source(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """A DuckDB table expression reading a canonical CSV (as text) or Parquet file; other
    dialects reach DuckDB as the canonical copy of ``Dataset.duckdb_file``."""
    quoted = str(path).replace("'", "''")
    if path.suffix == ".parquet":
        return f"read_parquet('{quoted}')"
    return f"read_csv('{quoted}', header = true, all_varchar = true, quote = '\"')"


def _connect(dataset: Dataset) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with typed views ``cohort`` and ``contacts`` over the raw tables."""
    con = duck.connect()  # memory capped, spilling beside the processed data
    cohort_source = _source(con, dataset.duckdb_file("cohort"))
    has_kommun = "kommun" in con.sql(f"SELECT * FROM {cohort_source} LIMIT 0").columns
    kommun = "NULLIF(CAST(kommun AS VARCHAR), '')" if has_kommun else "CAST(NULL AS VARCHAR)"
    con.execute(_COHORT_SQL.format(kommun=kommun, source=cohort_source))
    con.execute(_CONTACTS_SQL.format(source=_source(con, dataset.duckdb_file("contacts"))))
    return con


def patient_months(
    dataset: Dataset | Path, months_before: int = MONTHS_BEFORE, months_after: int = MONTHS_AFTER
) -> pd.DataFrame:
    """Events per patient, 30-day month around the index date and measure (long, sparse).

    Columns patient_id, month, measure, value; only non-zero cells. The days at risk of a
    month (inside the extract, alive) follow from the cohort (``narvard.stats.event_study``).
    """
    dataset = Dataset.open(dataset)  # kept alive while DuckDB reads its canonical copies
    con = _connect(dataset)
    try:
        params = {
            "readmission_days": READMISSION_DAYS,
            "month_days": MONTH_DAYS,
            "months_before": int(months_before),
            "months_after": int(months_after),
        }
        return con.execute(_MONTH_EVENTS_SQL, params).df()
    finally:
        con.close()


def patient_windows(dataset: Dataset | Path, window_days: int = 180) -> pd.DataFrame:
    """One row per cohort patient with every measure counted in the before and after window.

    Columns: the cohort's columns, ``included``, ``history_observed`` (included, and the
    history window lies inside the extract too), ``exclusion_reason``, ``died_after``,
    ``person_days_after`` and ``<measure>_history`` / ``_before`` / ``_after`` for each
    measure. History counts of patients whose history window reaches before the extract
    are incomplete: use them only where ``history_observed``.
    Excluded patients are kept (with their counts) so that they can be reported.
    """
    dataset = Dataset.open(dataset)
    contacts_from, contacts_to = dataset.extract
    con = _connect(dataset)
    try:
        params = {"w": int(window_days), "cfrom": contacts_from, "cto": contacts_to}
        con.execute(_WINDOWS_SQL, params)
        con.execute(
            _EVENTS_SQL,
            {"readmission_days": READMISSION_DAYS},
        )
        windows = con.sql(
            "SELECT * EXCLUDE (history_start, before_start, after_end) FROM windows"
        ).df()
        events = con.sql("SELECT * FROM events").df()
    finally:
        con.close()
    return _attach_measures(windows, events)


def _attach_measures(windows: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Pivot the long events to <measure>_<period> columns, zero where a patient had none."""
    columns = [f"{m}_{p}" for m in MEASURES for p in PERIODS]
    if events.empty:
        wide = pd.DataFrame(columns=columns, index=pd.Index([], name="patient_id"))
    else:
        events = events.assign(key=events["measure"] + "_" + events["period"])
        wide = events.pivot_table(index="patient_id", columns="key", values="value", aggfunc="sum")
    wide = wide.reindex(columns=columns)
    result = windows.merge(wide, left_on="patient_id", right_index=True, how="left")
    result[columns] = result[columns].fillna(0).astype("int64")
    result["person_days_after"] = result["person_days_after"].astype("int64")
    result["died_after"] = result["died_after"].astype(bool)
    result["included"] = result["included"].astype(bool)
    result["history_observed"] = result["history_observed"].astype(bool)
    for column in ("index_date", "death_date"):
        result[column] = pd.to_datetime(result[column])
    return result.sort_values("patient_id").reset_index(drop=True)
