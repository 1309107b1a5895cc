"""Enrolments and the adjusted effect by period of index date: do the teams improve?

No new estimator: for each half-year (or year) of index date, the report's adjusted effect
(``narvard.stats.did``: difference-in-differences of care per day alive against a baseline
window before the enrolment period, comparison patients balanced on age, sex and index
date, patient-clustered jackknife) is estimated on the team patients enrolled in that
period and the region's comparison patients whose index date lies in the same period.
Restricting both to one period is an exact stratification on the calendar time that the
main estimate balances on.

A period gets an estimate only with at least ``MIN_PATIENTS`` team and comparison patients
with a baseline window, and a measure only with at least ``MIN_EVENTS`` team events in the
baseline and in the after window; half-years are used when nearly all patients (``HALF_YEAR_SHARE``)
are in half-years with that many, otherwise whole years. The simulation test
(tests/pipeline/test_over_time_simulated.py) plants an effect that changes from year to year
and checks that the per-period estimates recover it, and that they report nothing where
nothing was planted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from narvard.stats import did

UNITS = ("half_year", "year")
MIN_PATIENTS = 30  # team (and comparison) patients with a baseline window, per estimate
MIN_EVENTS = 10  # team events in the baseline and in the after window, per measure
HALF_YEAR_SHARE = 0.8
ESTIMATE_KEYS = ("rate_ratio", "ci")  # disclosure control: narvard.stats.disclosure


def period_of(index_dates: pd.Series, unit: str) -> pd.Series:
    """'2018H1' / '2018H2' (half-years) or '2018' (years) for each index date."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")
    dates = pd.to_datetime(index_dates)
    years = dates.dt.year.astype(str)
    if unit == "year":
        return years
    return years + np.where(dates.dt.month <= 6, "H1", "H2")


def period_bounds(period: str) -> tuple[str, str]:
    """First and last date of a period label, ISO."""
    year = period[:4]
    return {
        "H1": (f"{year}-01-01", f"{year}-06-30"),
        "H2": (f"{year}-07-01", f"{year}-12-31"),
    }.get(period[4:], (f"{year}-01-01", f"{year}-12-31"))


def choose_unit(team: pd.DataFrame, min_patients: int = MIN_PATIENTS) -> str:
    """Half-years when at least HALF_YEAR_SHARE of the team patients with a baseline window
    are in half-years with at least ``min_patients`` of them; else years."""
    rows = did.with_baseline(team)
    if rows.empty:
        return "year"
    counts = period_of(rows["index_date"], "half_year").value_counts()
    covered = counts[counts >= min_patients].sum() / counts.sum()
    return "half_year" if covered >= HALF_YEAR_SHARE else "year"


def effects_by_period(
    team: pd.DataFrame,
    pool: pd.DataFrame,
    window_days: int,
    measures: Sequence[str],
    comparison: str = "balanced",
    unit: str | None = None,
    min_patients: int = MIN_PATIENTS,
) -> dict:
    """The `over_time` block of one team group: per period of index date, the patients
    enrolled, those in the estimate, and the adjusted effect per measure (null where the
    period has fewer than ``min_patients`` team or comparison patients with a baseline, or
    the measure fewer than MIN_EVENTS team events in a window).

    ``team``: the group's patients in the area (included or not); ``pool``: the region's
    comparison patients. ``unit``: "half_year", "year" or None (``choose_unit``).
    """
    unit = unit or choose_unit(team, min_patients)
    team_period = period_of(team["index_date"], unit)
    pool_period = period_of(pool["index_date"], unit)
    periods = []
    for period in sorted(team_period.unique()):
        members = team[(team_period == period).to_numpy()]
        comparison_members = pool[(pool_period == period).to_numpy()]
        design = did.design(members, comparison_members, window_days, comparison)
        n_team, n_comparison = len(design.team), len(design.pool)
        estimated = n_team >= min_patients and n_comparison >= min_patients
        estimates = did.estimates(design, measures)[0] if estimated else {}
        first, last = period_bounds(period)
        periods.append(
            {
                "period": period,
                "first_date": first,
                "last_date": last,
                "n_enrolled": int(len(members)),
                "n_team": int(n_team),
                "n_comparison": int(n_comparison),
                "estimated": bool(estimated),
                "measures": {m: _estimate(design, estimates.get(m), m) for m in measures},
            }
        )
    return {
        "unit": unit,
        "min_patients": int(min_patients),
        "min_events": MIN_EVENTS,
        "comparison": comparison,
        "periods": periods,
    }


def _estimate(design: did.Design, estimate: dict | None, measure: str) -> dict:
    """Rate ratio and interval of one period and measure; none with fewer than MIN_EVENTS
    team events in the baseline or the after window (an interval from a handful of events
    says nothing)."""
    team = design.team
    enough = estimate is not None and all(
        team[f"{measure}_{window}"].sum() >= MIN_EVENTS for window in (design.baseline, "after")
    )
    result = {k: estimate.get(k) if enough else None for k in ESTIMATE_KEYS}
    return result | {"estimated": bool(enough)}
