"""The ways of computing per-patient windows that `make bench` puts side by side.

Each function takes a dataset folder (national demo: cohort and contacts as Parquet) and the
window length W, and returns something small, so that the benchmark measures the work and
not the printing. ``pandas_windows`` is what an analyst would write by hand from
docs/contract.md §2; ``duckdb_floor`` is one scan of the contacts, the least any method must
do. Run one method per fresh process: ``python benchmarks/methods.py METHOD DATA W``.
"""

from __future__ import annotations

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


def _table(data: Path, name: str) -> pd.DataFrame:
    parquet = data / f"{name}.parquet"
    if parquet.exists():
        return pd.read_parquet(parquet)
    return pd.read_csv(data / f"{name}.csv", keep_default_na=False, na_values=[""])


def pandas_windows(data: Path, window_days: int) -> pd.DataFrame:
    """Per patient: every measure in the history, before and after windows (pandas only).

    Readmissions use the patient's previous stay (the latest discharge before the stay
    starts): the contract's "another stay" rule gives the same when stays do not overlap,
    as in the demo data.
    """
    w = pd.Timedelta(days=window_days)
    cohort = _table(data, "cohort")[["patient_id", "index_date"]]
    cohort["index_date"] = pd.to_datetime(cohort["index_date"])
    contacts = _table(data, "contacts")
    for column in ("start_date", "end_date"):
        contacts[column] = pd.to_datetime(contacts[column])
    c = contacts.merge(cohort, on="patient_id")
    starts = {"history": -2 * w, "before": -w, "after": pd.Timedelta(0)}
    offset = c["start_date"] - c["index_date"]
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
    return out[columns].astype("int64").reset_index()


def narvard_windows(data: Path, window_days: int) -> pd.DataFrame:
    """narvard's own aggregation (DuckDB) for one window length."""
    from narvard.data.consumption import patient_windows

    return patient_windows(data, window_days)


def narvard_prepare(data: Path, window_days: int) -> dict:
    """narvard's whole preparation: windows for every sensitivity length, the event study's
    months and the small tables, into a fresh processed folder."""
    from narvard.data.processed import prepare_dataset

    with tempfile.TemporaryDirectory(prefix="narvard-bench-") as tmp:
        return prepare_dataset(data, Path(tmp), window_days).manifest["rows"]


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
