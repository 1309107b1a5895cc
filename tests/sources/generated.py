"""A small random dataset with the contract's edge cases (same-day and overlapping stays,
identical rows, deaths, patients outside the extract, stays across window and month
bounds), written as CSV files: the same data must aggregate alike on every engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

EXTRACT = (dt.date(2018, 1, 1), dt.date(2020, 12, 31))


def write_generated(folder: Path, seed: int = 7, patients: int = 160) -> Path:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.yml").write_text(
        f'name: "Genererat"\ncontacts_from: {EXTRACT[0]}\ncontacts_to: {EXTRACT[1]}\n'
        "synthetic: true\n",
        encoding="utf-8",
    )
    areas = pd.DataFrame(
        {
            "area_id": ["a1", "a2"],
            "area_name": ["Ett", "Två"],
            "region": ["R", "R"],
            "population": [40000, 60000],
        }  # fmt: skip
    )
    areas.to_csv(folder / "areas.csv", index=False)
    start = pd.Timestamp(EXTRACT[0])
    index = start + pd.to_timedelta(rng.integers(-30, 1120, patients), unit="D")
    dies = rng.random(patients) < 0.25
    death = index + pd.to_timedelta(rng.integers(0, 400, patients), unit="D")
    cohort = pd.DataFrame(
        {
            "patient_id": [f"P{i:04d}" for i in range(patients)],
            "area_id": rng.choice(["a1", "a2"], patients),
            "group": rng.choice(["HSVT", "NSVT", "comparison"], patients),
            "index_date": index.strftime("%Y-%m-%d"),
            "birth_year": rng.integers(1915, 1950, patients),
            "sex": rng.choice(["F", "M"], patients),
            "death_date": np.where(dies, death.strftime("%Y-%m-%d"), ""),
            "kommun": rng.choice(["Kusten", "Inlandet", ""], patients),
        }
    )
    cohort.to_csv(folder / "cohort.csv", index=False)
    _contacts(rng, cohort, index).to_csv(folder / "contacts.csv", index=False)
    return folder


def _contacts(rng, cohort: pd.DataFrame, index: pd.DatetimeIndex) -> pd.DataFrame:
    n = len(cohort) * 25
    owner = rng.integers(0, len(cohort), n)
    day = pd.Series(index[owner] + pd.to_timedelta(rng.integers(-800, 400, n), unit="D"))
    day = pd.DatetimeIndex(day.clip(pd.Timestamp(EXTRACT[0]), pd.Timestamp(EXTRACT[1])))
    kind = rng.choice(["er", "inpatient", "specialist", "primary_care"], n, p=[0.3, 0.3, 0.3, 0.1])
    nights = np.where(rng.random(n) < 0.15, 0, rng.integers(1, 40, n))  # some same-day stays
    inpatient = kind == "inpatient"
    frame = pd.DataFrame(
        {
            "patient_id": cohort["patient_id"].to_numpy()[owner],
            "contact_type": kind,
            "start_date": day.strftime("%Y-%m-%d"),
            "end_date": np.where(
                inpatient, (day + pd.to_timedelta(nights, unit="D")).strftime("%Y-%m-%d"), ""
            ),
            "admitted": np.where(kind == "er", rng.integers(0, 2, n).astype(str), ""),
            "unplanned": np.where(inpatient, rng.integers(0, 2, n).astype(str), ""),
        }
    )
    duplicates = frame[inpatient].head(20)  # identical rows are two contacts
    return pd.concat([frame, duplicates], ignore_index=True)
