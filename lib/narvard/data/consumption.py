"""Per-patient healthcare consumption in windows around the index date (docs/contract.md §2).

The heavy work runs once per dataset where the data are: one row per patient with every
measure counted in the history, before and after windows, and every measure per patient and
30-day month for the event study. The SQL below is written once, in DuckDB's dialect, and
transpiled with sqlglot for the engine that runs it: DuckDB over the folder's files by
default, or the database a dataset.yml names as its ``source`` (docs/sources.md). The crude
group figures are ``narvard.stats.crude``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from narvard.data.dataset import Dataset
from narvard.data.sources.engine import Engine, table_reference
from narvard.domain import MEASURES

READMISSION_DAYS = 30
# Windows per patient, for index date t and window W: the history window t−2W … t−W−1 (the
# baseline of the adjusted estimate, docs/effects.md), before t−W … t−1, after t … t+W−1.
PERIODS = ("history", "before", "after")
MONTH_DAYS = 30
MONTHS_BEFORE = 18
MONTHS_AFTER = 12

# Typed views over the contract tables. Dates are whole days: `date + n` and
# date_diff('day', a, b) are the only date arithmetic (PostgreSQL, Spark and DuckDB agree).
_COHORT_SQL = f"""
CREATE OR REPLACE TEMPORARY VIEW nv_cohort AS
SELECT CAST(patient_id AS VARCHAR) AS patient_id,
       CAST(area_id AS VARCHAR) AS area_id,
       CAST("group" AS VARCHAR) AS "group",
       CAST(index_date AS DATE) AS index_date,
       CAST(CAST(birth_year AS DOUBLE) AS INTEGER) AS birth_year,
       CAST(sex AS VARCHAR) AS sex,
       CAST(NULLIF(CAST(death_date AS VARCHAR), '') AS DATE) AS death_date,
       {{kommun}} AS kommun
FROM {table_reference("cohort")}
"""

# contact_row tells a stay from another stay of the same patient (readmissions); ordered by
# every column so that each evaluation of the view numbers the rows alike.
_CONTACTS_SQL = f"""
CREATE OR REPLACE TEMPORARY VIEW nv_contacts AS
SELECT row_number() OVER (
           PARTITION BY patient_id
           ORDER BY start_date, end_date, contact_type, admitted, unplanned) AS contact_row,
       CAST(patient_id AS VARCHAR) AS patient_id,
       CAST(contact_type AS VARCHAR) AS contact_type,
       CAST(start_date AS DATE) AS start_date,
       CAST(NULLIF(CAST(end_date AS VARCHAR), '') AS DATE) AS end_date,
       CAST(CAST(NULLIF(CAST(admitted AS VARCHAR), '') AS DOUBLE) AS INTEGER) AS admitted,
       CAST(CAST(NULLIF(CAST(unplanned AS VARCHAR), '') AS DOUBLE) AS INTEGER) AS unplanned
FROM {table_reference("contacts")}
"""

_WINDOW_COLUMNS = (
    'patient_id, area_id, "group", index_date, birth_year, sex, death_date, kommun, '
    "included, history_observed, exclusion_reason, died_after, person_days_after"
)

_WINDOWS_SQL = """
CREATE OR REPLACE TEMPORARY VIEW nv_windows AS
SELECT c.patient_id, c.area_id, c."group", c.index_date, c.birth_year, c.sex,
       c.death_date, c.kommun,
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
            THEN greatest(date_diff('day', c.index_date, c.death_date), 0) ELSE $w END
           AS person_days_after
FROM nv_cohort c
"""

# The contract's event rules (docs/contract.md §2) as SQL common table expressions over the
# `nv_contacts` view: inpatient stays, unplanned readmissions, and point events per day.
# Shared by the window counts and the monthly counts of the event study below.
EVENT_DEFINITIONS_SQL = """
stays AS (
    SELECT k.contact_row, k.patient_id, k.start_date, k.end_date, k.unplanned
    FROM nv_contacts k WHERE k.contact_type = 'inpatient'
),
readmissions AS (
    SELECT s.patient_id, s.start_date
    FROM stays s
    WHERE s.unplanned = 1 AND EXISTS (
        SELECT 1 FROM stays p
        WHERE p.patient_id = s.patient_id AND p.contact_row <> s.contact_row
          AND date_diff('day', p.end_date, s.start_date) BETWEEN 0 AND $readmission_days)
),
point_events AS (
    SELECT patient_id, 'er_visits' AS measure, start_date AS day FROM nv_contacts
        WHERE contact_type = 'er' AND admitted = 0
    UNION ALL
    SELECT patient_id, 'specialist_visits', start_date FROM nv_contacts
        WHERE contact_type = 'specialist'
    UNION ALL
    SELECT patient_id, 'unplanned_readmissions', start_date FROM readmissions
)
"""

# Every measure as (patient_id, period, value) rows; period is a member of PERIODS.
_EVENTS_SQL = (
    "WITH "
    + EVENT_DEFINITIONS_SQL
    + """,
periods AS (
    SELECT patient_id, 'history' AS period, history_start AS w_start, before_start - 1 AS w_end
        FROM nv_windows
    UNION ALL
    SELECT patient_id, 'before', before_start, index_date - 1 FROM nv_windows
    UNION ALL
    SELECT patient_id, 'after', index_date, after_end FROM nv_windows
)
SELECT pr.patient_id, pr.period, e.measure, CAST(count(*) AS DOUBLE) AS value
FROM periods pr JOIN point_events e
  ON e.patient_id = pr.patient_id AND e.day BETWEEN pr.w_start AND pr.w_end
GROUP BY pr.patient_id, pr.period, e.measure
UNION ALL
SELECT pr.patient_id, pr.period, 'inpatient_days' AS measure,
       CAST(sum(greatest(date_diff('day', greatest(s.start_date, pr.w_start),
                                   least(s.end_date, pr.w_end + 1)), 0)) AS DOUBLE) AS value
FROM periods pr JOIN stays s
  ON s.patient_id = pr.patient_id AND s.start_date <= pr.w_end AND s.end_date > pr.w_start
GROUP BY pr.patient_id, pr.period
"""
)

# Every measure per patient and 30-day month around the index date (the event study):
# month m covers t+30m … t+30m+29. Point events fall in one month; a stay's nights are split
# over the months they fall in. Only months −$months_before … $months_after − 1 are kept
# ({months}: those month numbers as a VALUES list).
_MONTH_EVENTS_SQL = (
    "WITH "
    + EVENT_DEFINITIONS_SQL
    + """,
dated AS (
    SELECT e.patient_id, e.measure,
           CAST(floor(CAST(date_diff('day', c.index_date, e.day) AS DOUBLE) / $month_days)
                AS INTEGER) AS month
    FROM point_events e JOIN nv_cohort c ON c.patient_id = e.patient_id
),
kept_months AS (
    SELECT m.month FROM (VALUES {months}) AS m(month)
),
stay_months AS (
    SELECT s.patient_id, m.month,
           greatest(s.start_date, c.index_date + m.month * $month_days) AS month_start,
           least(s.end_date, c.index_date + (m.month + 1) * $month_days) AS month_end
    FROM stays s
    JOIN nv_cohort c ON c.patient_id = s.patient_id
    JOIN kept_months m
      ON s.start_date < c.index_date + (m.month + 1) * $month_days
     AND s.end_date > c.index_date + m.month * $month_days
    WHERE s.end_date > s.start_date
)
SELECT patient_id, month, measure, CAST(count(*) AS DOUBLE) AS value FROM dated
WHERE month BETWEEN -$months_before AND $months_after - 1
GROUP BY patient_id, month, measure
UNION ALL
SELECT patient_id, month, 'inpatient_days' AS measure,
       CAST(sum(date_diff('day', month_start, month_end)) AS DOUBLE) AS value
FROM stay_months
GROUP BY patient_id, month
"""
)


def _typed_views(engine: Engine) -> None:
    """The typed views ``nv_cohort`` and ``nv_contacts`` over the engine's contract tables."""
    has_kommun = "kommun" in (engine.columns("cohort") or {})
    kommun = "NULLIF(CAST(kommun AS VARCHAR), '')" if has_kommun else "CAST(NULL AS VARCHAR)"
    engine.run(_COHORT_SQL.format(kommun=kommun))
    engine.run(_CONTACTS_SQL)


def _with_engine(dataset: Dataset, engine: Engine | None, work):
    """Run ``work(engine)`` on the given engine, or on the dataset's own (then closed)."""
    from narvard.data.sources import open_engine

    own = engine is None
    engine = open_engine(dataset) if own else engine
    try:
        _typed_views(engine)
        return work(engine)
    finally:
        if own:
            engine.close()


def patient_months(
    dataset: Dataset | Path,
    months_before: int = MONTHS_BEFORE,
    months_after: int = MONTHS_AFTER,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """Events per patient, 30-day month around the index date and measure (long, sparse).

    Columns patient_id, month, measure, value; only non-zero cells. The days at risk of a
    month (inside the extract, alive) follow from the cohort (``narvard.stats.event_study``).
    ``engine`` runs the SQL elsewhere than the dataset's own source (e.g. a SparkSession).
    """
    params = {
        "readmission_days": READMISSION_DAYS,
        "month_days": MONTH_DAYS,
        "months_before": int(months_before),
        "months_after": int(months_after),
    }
    months = ", ".join(f"({m})" for m in range(-int(months_before), int(months_after)))
    sql = _MONTH_EVENTS_SQL.replace("{months}", months)
    frame = _with_engine(Dataset.open(dataset), engine, lambda e: e.frame(sql, params))
    return _conform_months(frame)


def patient_windows(
    dataset: Dataset | Path, window_days: int = 180, engine: Engine | None = None
) -> pd.DataFrame:
    """One row per cohort patient with every measure counted in the before and after window.

    Columns: the cohort's columns, ``included``, ``history_observed`` (included, and the
    history window lies inside the extract too), ``exclusion_reason``, ``died_after``,
    ``person_days_after`` and ``<measure>_history`` / ``_before`` / ``_after`` for each
    measure. History counts of patients whose history window reaches before the extract
    are incomplete: use them only where ``history_observed``.
    Excluded patients are kept (with their counts) so that they can be reported.
    ``engine`` runs the SQL elsewhere than the dataset's own source (e.g. a SparkSession).
    """
    dataset = Dataset.open(dataset)
    contacts_from, contacts_to = dataset.extract
    params = {"w": int(window_days), "cfrom": contacts_from, "cto": contacts_to}

    def work(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
        engine.run(_WINDOWS_SQL, params)
        windows = engine.frame(f"SELECT {_WINDOW_COLUMNS} FROM nv_windows")
        events = engine.frame(_EVENTS_SQL, {"readmission_days": READMISSION_DAYS})
        return windows, events

    windows, events = _with_engine(dataset, engine, work)
    return _attach_measures(_conform_windows(windows), events)


# The column types DuckDB's result has; other engines' results are given the same.
_WINDOW_TYPES = {
    "patient_id": str,
    "area_id": str,
    "group": str,
    "birth_year": "int32",
    "sex": str,
    "kommun": str,
    "included": bool,
    "history_observed": bool,
    "exclusion_reason": str,
}


def _conform_windows(windows: pd.DataFrame) -> pd.DataFrame:
    """Column types as DuckDB gives them, whichever engine ran the SQL."""
    windows = windows.copy()
    for column, dtype in _WINDOW_TYPES.items():
        if dtype is str:
            windows[column] = windows[column].astype("str").where(windows[column].notna())
        else:
            windows[column] = windows[column].astype(dtype)
    for column in ("index_date", "death_date"):
        windows[column] = pd.to_datetime(windows[column]).astype("datetime64[us]")
    return windows


def _conform_months(months: pd.DataFrame) -> pd.DataFrame:
    months = months.astype({"patient_id": "str", "month": "int32", "measure": "str"})
    months["value"] = months["value"].astype("float64")
    return months.sort_values(["patient_id", "month", "measure"]).reset_index(drop=True)


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
