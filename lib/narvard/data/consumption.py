"""Per-patient healthcare consumption in windows around the index date (docs/contract.md §2).

The heavy work runs once per dataset where the data are: one row per patient with every
measure counted in the history, before and after windows, and every measure per patient and
30-day month for the event study. The SQL below is written once, in DuckDB's dialect, and
transpiled with sqlglot for the engine that runs it: DuckDB over the folder's files by
default, or the database a dataset.yml names as its ``source`` (docs/sources.md). The crude
group figures are ``narvard.stats.crude``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from narvard.data.dataset import Dataset
from narvard.data.sources.engine import Engine, is_text_type, table_reference
from narvard.domain import MEASURES

READMISSION_DAYS = 30
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
       {{death_date}} AS death_date,
       {{kommun}} AS kommun
FROM {table_reference("cohort")}
"""

_CONTACTS_SQL = f"""
CREATE OR REPLACE TEMPORARY VIEW nv_contacts AS
SELECT CAST(patient_id AS VARCHAR) AS patient_id,
       CAST(contact_type AS VARCHAR) AS contact_type,
       CAST(start_date AS DATE) AS start_date,
       {{end_date}} AS end_date,
       {{admitted}} AS admitted,
       {{unplanned}} AS unplanned
FROM {table_reference("contacts")}
"""

_COHORT_COLUMNS = ("patient_id", "area_id", "group", "index_date", "birth_year", "sex")
_COHORT_COLUMNS += ("death_date", "kommun")
# The type of every column of a window frame, as pandas holds it (and writes it to
# Parquet): text stays text, dates are timestamps, flags booleans, counts 64-bit integers.
_TEXT_COLUMNS = ("patient_id", "area_id", "group", "sex", "kommun", "exclusion_reason")
_DATE_COLUMNS = ("index_date", "death_date")
_FLAG_COLUMNS = ("included", "history_observed", "died_after")
_FACT_COLUMNS = (
    "included",
    "history_observed",
    "exclusion_reason",
    "died_after",
    "person_days_after",
)


def _facts_sql(w: int) -> str:
    """The cohort's facts for window length w: inclusion, history, death in the after window."""
    return f"""
       (c.index_date - {w} >= $cfrom AND c.index_date + {w - 1} <= $cto) AS included_{w},
       (c.index_date - {2 * w} >= $cfrom AND c.index_date + {w - 1} <= $cto)
           AS history_observed_{w},
       CASE WHEN c.index_date - {w} < $cfrom THEN 'before_window_outside_extract'
            WHEN c.index_date + {w - 1} > $cto THEN 'after_window_outside_extract'
       END AS exclusion_reason_{w},
       coalesce(c.death_date BETWEEN c.index_date AND c.index_date + {w - 1}, false)
           AS died_after_{w},
       CASE WHEN c.death_date IS NOT NULL AND c.death_date <= c.index_date + {w - 1}
            THEN greatest(date_diff('day', c.index_date, c.death_date), 0) ELSE {w} END
           AS person_days_after_{w}"""


# The contract's event rules (docs/contract.md §2) as SQL common table expressions over the
# `nv_contacts` view: inpatient stays, unplanned readmissions, and point events per day.
# stay_row tells a stay from another stay of the same patient; ordered by every column so
# that each evaluation numbers the rows alike.
EVENT_DEFINITIONS_SQL = """
stays AS (
    SELECT row_number() OVER (
               PARTITION BY k.patient_id
               ORDER BY k.start_date, k.end_date, k.admitted, k.unplanned) AS stay_row,
           k.patient_id, k.start_date, k.end_date, k.unplanned
    FROM nv_contacts k WHERE k.contact_type = 'inpatient'
),
readmissions AS (
    SELECT s.patient_id, s.start_date
    FROM stays s
    WHERE s.unplanned = 1 AND EXISTS (
        SELECT 1 FROM stays p
        WHERE p.patient_id = s.patient_id AND p.stay_row <> s.stay_row
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

# The one pass over the contacts: every event of a cohort patient as days from the index
# date. first_offset is a point event's day or a stay's admission day; end_offset is the
# discharge day of a stay, whose nights are first_offset … end_offset − 1 (for a point
# event it repeats its day and is not read). Events that no window or month reaches
# ($lo … $hi) are left out.
_EVENT_DAYS_SQL = (
    "WITH "
    + EVENT_DEFINITIONS_SQL
    + """,
events AS (
    SELECT patient_id, measure, day AS first_day, day AS end_day FROM point_events
    UNION ALL
    SELECT patient_id, 'inpatient_days', start_date, end_date FROM stays
)
SELECT e.patient_id, e.measure,
       date_diff('day', c.index_date, e.first_day) AS first_offset,
       date_diff('day', c.index_date, e.end_day) AS end_offset
FROM events e JOIN nv_cohort c ON c.patient_id = e.patient_id
WHERE e.first_day <= c.index_date + $hi
  AND (e.end_day IS NULL OR e.end_day >= c.index_date + $lo)
"""
)


def _window_bounds(window_days: int) -> dict[str, tuple[int, int]]:
    """Each period of a window length as first … last day relative to the index date:
    history t−2W … t−W−1 (the baseline of the adjusted estimate, docs/effects.md),
    before t−W … t−1, after t … t+W−1."""
    w = int(window_days)
    return {"history": (-2 * w, -w - 1), "before": (-w, -1), "after": (0, w - 1)}


def _windows_sql(window_lengths: tuple[int, ...]) -> str:
    """One row per cohort patient: its facts and every measure in every period of every
    window length, summed in one scan of the event days. A point event counts where its
    day lies in the period; a stay gives the nights it spends there."""
    counts, columns = [], []
    for length in window_lengths:
        for period, (a, b) in _window_bounds(length).items():
            for measure in MEASURES:
                name = f"{measure}_{period}_{length}"
                if measure == "inpatient_days":
                    value = (
                        f"CASE WHEN measure = 'inpatient_days' AND first_offset <= {b} "
                        f"AND end_offset > {a} THEN greatest(least(end_offset, {b + 1}) "
                        f"- greatest(first_offset, {a}), 0) ELSE 0 END"
                    )
                else:
                    value = (
                        f"CASE WHEN measure = '{measure}' AND first_offset BETWEEN {a} AND {b} "
                        "THEN 1 ELSE 0 END"
                    )
                counts.append(f"sum({value}) AS {name}")
                columns.append(f"CAST(coalesce(k.{name}, 0) AS BIGINT) AS {name}")
    cohort = ", ".join(f'c."{column}"' for column in _COHORT_COLUMNS)
    facts = ",".join(_facts_sql(length) for length in window_lengths)
    return (
        f"SELECT {cohort}, {facts}, {', '.join(columns)} FROM nv_cohort c LEFT JOIN "
        f"(SELECT patient_id, {', '.join(counts)} FROM nv_event_days GROUP BY patient_id) k "
        "ON k.patient_id = c.patient_id ORDER BY c.patient_id"
    )


# Every measure per patient and 30-day month around the index date (the event study):
# month m covers t+30m … t+30m+29. Point events fall in one month; a stay's nights are split
# over the months they fall in. Only months −$months_before … $months_after − 1 are kept
# ({months}: those month numbers as a VALUES list).
_MONTH_EVENTS_SQL = """
WITH kept_months AS (
    SELECT m.month FROM (VALUES {months}) AS m(month)
),
dated AS (
    SELECT patient_id, measure,
           CAST(floor(CAST(first_offset AS DOUBLE) / $month_days) AS INTEGER) AS month
    FROM nv_event_days WHERE measure <> 'inpatient_days'
),
stay_months AS (
    SELECT e.patient_id, m.month,
           greatest(e.first_offset, m.month * $month_days) AS month_start,
           least(e.end_offset, (m.month + 1) * $month_days) AS month_end
    FROM nv_event_days e
    JOIN kept_months m
      ON e.first_offset < (m.month + 1) * $month_days
     AND e.end_offset > m.month * $month_days
    WHERE e.measure = 'inpatient_days' AND e.end_offset > e.first_offset
)
SELECT patient_id, month, measure, CAST(count(*) AS DOUBLE) AS value FROM dated
WHERE month BETWEEN -$months_before AND $months_after - 1
GROUP BY patient_id, month, measure
UNION ALL
SELECT patient_id, month, 'inpatient_days' AS measure,
       CAST(sum(month_end - month_start) AS DOUBLE) AS value
FROM stay_months
GROUP BY patient_id, month
ORDER BY patient_id, month, measure
"""


def _optional(column: str, kind: str | None, to: str) -> str:
    """SQL: an optional column as type ``to`` (DATE or INTEGER). A text cell may be empty
    (no value); a typed column is cast as it is, without a round trip through text."""
    value = (
        f"NULLIF(CAST({column} AS VARCHAR), '')" if kind is None or is_text_type(kind) else column
    )
    return f"CAST({value} AS DATE)" if to == "DATE" else f"CAST(CAST({value} AS DOUBLE) AS INTEGER)"


def _typed_views(engine: Engine) -> None:
    """The typed views ``nv_cohort`` and ``nv_contacts`` over the engine's contract tables."""
    cohort = engine.columns("cohort") or {}
    kommun = (
        "NULLIF(CAST(kommun AS VARCHAR), '')" if "kommun" in cohort else "CAST(NULL AS VARCHAR)"
    )
    death = _optional("death_date", cohort.get("death_date"), "DATE")
    engine.run(_COHORT_SQL.format(kommun=kommun, death_date=death))
    contacts = engine.columns("contacts") or {}
    columns = {c: _optional(c, contacts.get(c), "DATE") for c in ("end_date",)}
    columns |= {c: _optional(c, contacts.get(c), "INTEGER") for c in ("admitted", "unplanned")}
    engine.run(_CONTACTS_SQL.format(**columns))


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


@dataclass(frozen=True)
class Consumption:
    """Per-patient windows for each window length, and the event study's months."""

    windows: dict[int, pd.DataFrame]
    months: pd.DataFrame | None


def consumption(
    dataset: Dataset | Path,
    window_lengths: tuple[int, ...] | list[int],
    months: tuple[int, int] | None = (MONTHS_BEFORE, MONTHS_AFTER),
    engine: Engine | None = None,
    months_to: Path | None = None,
    windows_to: dict[int, Path] | None = None,
) -> Consumption:
    """Every per-patient table of a dataset from one pass over its contacts.

    The events are placed in days from each patient's index date once (a temporary table
    where the data live); the windows of every length and the months are sums over it.
    ``months`` is (months before, months after) for the event study, or None to skip it;
    with ``months_to`` they are written to that Parquet file (by the engine, where it can)
    instead of returned: millions of rows at national size. ``windows_to`` (window length →
    Parquet file) does the same for the windows, which are then not returned either.
    ``engine`` runs the SQL elsewhere than the dataset's own source (e.g. a SparkSession).
    """
    dataset = Dataset.open(dataset)
    lengths = tuple(dict.fromkeys(int(n) for n in window_lengths))
    contacts_from, contacts_to = dataset.extract
    months_before, months_after = months or (0, 0)
    longest = max(lengths, default=0)
    reach = {
        "lo": min(-2 * longest, -MONTH_DAYS * months_before),
        "hi": max(longest - 1, MONTH_DAYS * months_after - 1),
        "readmission_days": READMISSION_DAYS,
    }

    def work(engine: Engine) -> Consumption:
        engine.materialize("nv_event_days", _EVENT_DAYS_SQL, reach)
        try:
            return sums(engine)
        finally:
            engine.discard("nv_event_days")

    def sums(engine: Engine) -> Consumption:
        params = {"cfrom": contacts_from, "cto": contacts_to}
        windows = _windows(engine, lengths, params, windows_to) if lengths else {}
        by_month = _months(engine, months_before, months_after, months_to) if months else None
        return Consumption(windows, by_month)

    return _with_engine(dataset, engine, work)


def _windows(
    engine: Engine, lengths: tuple[int, ...], params: dict, to: dict[int, Path] | None
) -> dict[int, pd.DataFrame]:
    """The windows of every length as frames, or written to the files ``to`` ({} returned;
    by the engine itself where it can, without a pandas copy)."""
    if to is not None and engine.writes_parquet:
        engine.materialize("nv_windows", _windows_sql(lengths), params)
        try:
            for length in lengths:
                engine.write_parquet(_written_length_sql(length), None, to[length], None)
        finally:
            engine.discard("nv_windows")
        return {}
    every = engine.frame(_windows_sql(lengths), params)
    every = _in_python_order(engine, _conform_windows(every, lengths))
    windows = {n: _one_length(every, n) for n in lengths}
    if to is None:
        return windows
    for length, frame in windows.items():
        frame.to_parquet(to[length], index=False)
    return {}


def _written_length_sql(length: int) -> str:
    """One window length of ``nv_windows`` with the columns and types of ``_one_length`` of
    the conformed frame (the types of ``_conform_windows``), in its order."""
    suffixed = [*_FACT_COLUMNS, *(f"{m}_{p}" for m in MEASURES for p in PERIODS)]
    columns = [f'{_written(f"{c}", c)} AS "{c}"' for c in _COHORT_COLUMNS]
    columns += [f'{_written(f"{c}_{length}", c)} AS "{c}"' for c in suffixed]
    return f"SELECT {', '.join(columns)} FROM nv_windows ORDER BY patient_id"


def _written(column: str, name: str) -> str:
    """SQL: a column of nv_windows as pandas would write the conformed frame's column."""
    if name in _DATE_COLUMNS:
        return f'CAST("{column}" AS TIMESTAMP)'
    if name in (*_TEXT_COLUMNS, *_FLAG_COLUMNS, "birth_year"):
        return f'"{column}"'  # VARCHAR, BOOLEAN and INTEGER already
    return f'CAST("{column}" AS BIGINT)'


def _months(
    engine: Engine, months_before: int, months_after: int, to: Path | None = None
) -> pd.DataFrame | None:
    """The months as a frame, or written to the Parquet file ``to`` (None returned)."""
    params = {
        "month_days": MONTH_DAYS,
        "months_before": int(months_before),
        "months_after": int(months_after),
    }
    kept = ", ".join(f"({m})" for m in range(-int(months_before), int(months_after)))
    sql = _MONTH_EVENTS_SQL.replace("{months}", kept)

    def conform(months: pd.DataFrame) -> pd.DataFrame:
        return _in_python_order(engine, _conform_months(months), ["patient_id", "month", "measure"])

    if to is not None:
        engine.write_parquet(sql, params, to, conform)
        return None
    return conform(engine.frame(sql, params))


def _in_python_order(engine: Engine, frame: pd.DataFrame, keys=("patient_id",)) -> pd.DataFrame:
    """The rows in the order of their keys as Python compares them. The SQL sorts already;
    an engine whose text order may follow a locale (PostgreSQL) is sorted again here."""
    if not engine.sorts_text_by_code_point:
        frame = frame.sort_values(list(keys))
    return frame.reset_index(drop=True)


def patient_months(
    dataset: Dataset | Path,
    months_before: int = MONTHS_BEFORE,
    months_after: int = MONTHS_AFTER,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """Events per patient, 30-day month around the index date and measure (long, sparse).

    Columns patient_id, month, measure, value; only non-zero cells. The days at risk of a
    month (inside the extract, alive) follow from the cohort (``narvard.stats.event_study``).
    """
    months = (int(months_before), int(months_after))
    return consumption(dataset, (), months, engine).months


def patient_windows(
    dataset: Dataset | Path, window_days: int = 180, engine: Engine | None = None
) -> pd.DataFrame:
    """One row per cohort patient with every measure counted in its three windows.

    Columns: the cohort's columns, ``included``, ``history_observed`` (included, and the
    history window lies inside the extract too), ``exclusion_reason``, ``died_after``,
    ``person_days_after`` and ``<measure>_history`` / ``_before`` / ``_after`` for each
    measure. History counts of patients whose history window reaches before the extract
    are incomplete: use them only where ``history_observed``.
    Excluded patients are kept (with their counts) so that they can be reported.
    """
    return consumption(dataset, (window_days,), None, engine).windows[int(window_days)]


def _conform_windows(every: pd.DataFrame, lengths: tuple[int, ...]) -> pd.DataFrame:
    """Column types as DuckDB gives them, whichever engine ran the SQL."""
    every = every.copy()
    text = [c for c in _TEXT_COLUMNS if c in _COHORT_COLUMNS]
    text += [f"exclusion_reason_{n}" for n in lengths]
    for column in text:
        every[column] = every[column].astype("str").where(every[column].notna())
    every["birth_year"] = every["birth_year"].astype("int32")
    for column in _DATE_COLUMNS:
        every[column] = pd.to_datetime(every[column]).astype("datetime64[us]")
    for n in lengths:
        for column in _FLAG_COLUMNS:
            every[f"{column}_{n}"] = every[f"{column}_{n}"].astype(bool)
        counts = [f"{m}_{p}_{n}" for m in MEASURES for p in PERIODS]
        every[[f"person_days_after_{n}", *counts]] = every[
            [f"person_days_after_{n}", *counts]
        ].astype("int64")
    return every


def _conform_months(months: pd.DataFrame) -> pd.DataFrame:
    months = months.astype({"patient_id": "str", "month": "int32", "measure": "str"})
    months["value"] = months["value"].astype("float64")
    return months


def _one_length(every: pd.DataFrame, length: int) -> pd.DataFrame:
    """The columns of one window length, named as ``patient_windows`` documents them."""
    suffixed = [*_FACT_COLUMNS, *(f"{m}_{p}" for m in MEASURES for p in PERIODS)]
    mine = every[[*_COHORT_COLUMNS, *(f"{c}_{length}" for c in suffixed)]]
    return mine.rename(columns={f"{c}_{length}": c for c in suffixed})
