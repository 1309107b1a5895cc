"""The ways of computing per-patient windows that `make bench` puts side by side.

Each function takes a dataset folder (national demo: cohort and contacts as Parquet) and the
window length W, and returns something small, so that the benchmark measures the work and
not the printing. ``pandas_windows`` is what an analyst would write by hand from
docs/contract.md §2; ``duckdb_floor`` is one scan of the contacts, the least any method must
do. Run one method per fresh process: ``python benchmarks/methods.py METHOD DATA W``.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

MEASURES = ("er_visits", "inpatient_days", "unplanned_readmissions", "specialist_visits")
PERIODS = ("history", "before", "after")
READMISSION_DAYS = 30
SENSITIVITY_WINDOWS = (90, 180, 365)  # as narvard.data.processed


def _table(data: Path, name: str) -> pd.DataFrame:
    parquet = data / f"{name}.parquet"
    if parquet.exists():
        return pd.read_parquet(parquet)
    return pd.read_csv(data / f"{name}.csv", keep_default_na=False, na_values=[""])


def pandas_windows(data: Path, window_days: int) -> pd.DataFrame:
    """Per patient: every measure in the history, before and after windows (pandas only)."""
    return _pandas_lengths(_pandas_events(data), (window_days,))[window_days]


def pandas_prepare(data: Path, window_days: int) -> dict:
    """What ``narvard prepare`` computes, by hand: the windows of every sensitivity length
    and the event study's months (the data read once)."""
    events = _pandas_events(data)
    lengths = tuple(dict.fromkeys((window_days, *SENSITIVITY_WINDOWS)))
    windows = _pandas_lengths(events, lengths)
    return {"windows": windows, "months": pandas_months(events)}


def _pandas_events(data: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The contacts joined to the cohort, with the stays' readmission flag.

    Readmissions use the patient's previous stay (the latest discharge before the stay
    starts): the contract's "another stay" rule gives the same when stays do not overlap,
    as in the demo data.
    """
    cohort = _table(data, "cohort")[["patient_id", "index_date"]]
    cohort["index_date"] = pd.to_datetime(cohort["index_date"])
    contacts = _table(data, "contacts")
    for column in ("start_date", "end_date"):
        contacts[column] = pd.to_datetime(contacts[column])
    c = contacts.merge(cohort, on="patient_id")
    stays = c["contact_type"] == "inpatient"
    previous_end = (
        c[stays].sort_values(["patient_id", "start_date", "end_date"]).groupby("patient_id")
    )["end_date"].shift()
    gap = (c.loc[stays, "start_date"] - previous_end.reindex(c.index[stays])).dt.days
    readmission = pd.Series(False, index=c.index)
    readmission[stays] = (c.loc[stays, "unplanned"] == 1) & gap.between(0, READMISSION_DAYS)
    point = {
        "er_visits": (c["contact_type"] == "er") & (c["admitted"] == 0),
        "specialist_visits": c["contact_type"] == "specialist",
        "unplanned_readmissions": readmission,
    }
    return cohort, c, point


def _pandas_lengths(events, lengths: tuple[int, ...]) -> dict[int, pd.DataFrame]:
    cohort, c, point = events
    stays = c["contact_type"] == "inpatient"
    offset = c["start_date"] - c["index_date"]
    result = {}
    for window_days in lengths:
        w = pd.Timedelta(days=window_days)
        starts = {"history": -2 * w, "before": -w, "after": pd.Timedelta(0)}
        out = pd.DataFrame(index=pd.Index(cohort["patient_id"], name="patient_id"))
        for period, start in starts.items():
            in_window = (offset >= start) & (offset < start + w)
            for measure, rows in point.items():
                counts = c.loc[rows & in_window].groupby("patient_id").size()
                out[f"{measure}_{period}"] = counts.reindex(out.index, fill_value=0)
            lo = c["index_date"] + start
            hi = lo + w
            nights = (
                c["end_date"].where(c["end_date"] < hi, hi)
                - c["start_date"].where(c["start_date"] > lo, lo)
            ).dt.days.clip(lower=0)
            per_patient = nights[stays].groupby(c.loc[stays, "patient_id"]).sum()
            out[f"inpatient_days_{period}"] = per_patient.reindex(out.index, fill_value=0)
        columns = [f"{m}_{p}" for m in MEASURES for p in PERIODS]
        result[window_days] = out[columns].astype("int64").reset_index()
    return result


def pandas_months(events, before: int = 18, after: int = 12) -> pd.DataFrame:
    """Events per patient, 30-day month around the index date and measure (non-zero only):
    point events in the month of their day, a stay's nights split over its months."""
    _, c, point = events
    day = (c["start_date"] - c["index_date"]).dt.days
    parts = []
    for measure, rows in point.items():
        month = (day[rows] // 30).rename("month")
        counts = c.loc[rows].assign(month=month).groupby(["patient_id", "month"]).size()
        parts.append(counts.rename("value").reset_index().assign(measure=measure))
    stays = (c["contact_type"] == "inpatient") & (c["end_date"] > c["start_date"])
    first = day[stays].to_numpy()
    last = (c.loc[stays, "end_date"] - c.loc[stays, "index_date"]).dt.days.to_numpy()
    spans = (last - 1) // 30 - first // 30 + 1
    row = np.repeat(np.arange(len(first)), spans)
    month = first[row] // 30 + (np.arange(len(row)) - np.repeat(np.cumsum(spans) - spans, spans))
    nights = np.minimum(last[row], 30 * (month + 1)) - np.maximum(first[row], 30 * month)
    split = pd.DataFrame(
        {"patient_id": c.loc[stays, "patient_id"].to_numpy()[row], "month": month, "value": nights}
    )
    split = split.groupby(["patient_id", "month"])["value"].sum().reset_index()
    parts.append(split.assign(measure="inpatient_days"))
    months = pd.concat(parts, ignore_index=True)
    months = months[months["month"].between(-before, after - 1)]
    months = months.astype({"month": "int32", "value": "float64"})
    return months[["patient_id", "month", "measure", "value"]].sort_values(
        ["patient_id", "month", "measure"], ignore_index=True
    )


def narvard_windows(data: Path, window_days: int) -> pd.DataFrame:
    """narvard's own aggregation (DuckDB) for one window length."""
    from narvard.data.consumption import patient_windows

    return patient_windows(data, window_days)


def narvard_prepare(data: Path, window_days: int) -> dict:
    """`narvard prepare` as a user runs it, into a fresh processed folder: validation of
    every table, then the windows of every sensitivity length, the months and the tables."""
    from narvard.pipeline.prepare import prepare_command

    with (
        tempfile.TemporaryDirectory(prefix="narvard-bench-") as tmp,
        contextlib.redirect_stdout(io.StringIO()),
    ):
        code = prepare_command(data, Path(tmp), window_days)
    if code != 0:
        raise RuntimeError(f"narvard prepare ended with {code}")
    return {"exit": code}


def duckdb_floor(data: Path, window_days: int) -> tuple:
    """One DuckDB scan of the contacts with a sum per contact type: the floor."""
    import duckdb

    path = str(data / "contacts.parquet").replace("'", "''")
    with duckdb.connect() as con:
        return con.execute(
            "SELECT count(*), sum((contact_type = 'er')::INT), "
            "sum(coalesce(end_date - start_date, 0)), count(DISTINCT patient_id) "
            f"FROM read_parquet('{path}')"
        ).fetchone()


METHODS = {
    "narvard": narvard_windows,
    "narvard_prepare": narvard_prepare,
    "pandas": pandas_windows,
    "pandas_prepare": pandas_prepare,
    "duckdb_floor": duckdb_floor,
}


def main(argv: list[str]) -> None:
    method, data, window_days = argv[0], Path(argv[1]), int(argv[2])
    start = time.perf_counter()
    result = METHODS[method](data, window_days)
    seconds = time.perf_counter() - start
    rows = len(result) if isinstance(result, pd.DataFrame) else None
    print(json.dumps({"method": method, "seconds": seconds, "rows": rows}))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main(sys.argv[1:])
