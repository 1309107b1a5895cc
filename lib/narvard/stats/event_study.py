"""Event study: care use per 30-day month around the index date, team beside comparison.

Month m covers days t+30m … t+30m+29 (t = index date). For each arm (the team's patients,
the weighted comparison patients) and month, the rate per 30 days alive is the weighted sum
of events over the weighted days observed and alive in that month (inside the extract,
before death), with a patient-clustered delta-method 95 % interval on the log scale.

The comparison line is also shown *scaled* to the team's level in the baseline window, so a
reader sees where the team would have gone had it moved like the comparison. Nothing makes
the months before the index date agree: how far they do is the pre-trend test — the yearly
change of the team/comparison ratio over the months before the before window, by
fixed-effects Poisson with month effects (``narvard.stats.poisson``).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from narvard.stats.poisson import fit_fixed_effects_poisson

MONTH_DAYS = 30
Z95 = 1.959963984540054


def month_days(
    patients: pd.DataFrame, months: np.ndarray, extract: tuple[dt.date, dt.date]
) -> np.ndarray:
    """Days observed and alive per patient (rows) and month (columns)."""
    index = pd.to_datetime(patients["index_date"]).to_numpy("datetime64[D]")
    death = pd.to_datetime(patients["death_date"]).to_numpy("datetime64[D]")
    first, last = (np.datetime64(str(d)[:10], "D") for d in extract)
    start = index[:, None] + (months[None, :] * MONTH_DAYS).astype("timedelta64[D]")
    end = start + np.timedelta64(MONTH_DAYS, "D")  # exclusive
    end = np.minimum(end, last + np.timedelta64(1, "D"))
    dead = ~np.isnat(death)
    end = np.where(dead[:, None], np.minimum(end, death[:, None]), end)
    start = np.maximum(start, first)
    return np.maximum((end - start).astype(int), 0).astype(float)


def month_events(
    patients: pd.DataFrame, events: pd.DataFrame, measure: str, months: np.ndarray
) -> np.ndarray:
    """Events of one measure per patient (rows, in ``patients`` order) and month."""
    table = np.zeros((len(patients), len(months)))
    rows = events[(events["measure"] == measure) & events["month"].isin(months)]
    position = pd.Series(np.arange(len(patients)), index=patients["patient_id"].astype(str))
    i = position.reindex(rows["patient_id"].astype(str)).to_numpy()
    ok = ~np.isnan(i)
    j = rows["month"].to_numpy(int) - int(months[0])
    np.add.at(table, (i[ok].astype(int), j[ok]), rows["value"].to_numpy(float)[ok])
    return table


def _arm_rates(y: np.ndarray, d: np.ndarray, w: np.ndarray) -> dict:
    """Rate per 30 days alive per month with its interval, and patients observed."""
    totals, days = w @ y, w @ d
    rates, cis = [], []
    for k in range(y.shape[1]):
        if days[k] <= 0:
            rates.append(None)
            cis.append(None)
            continue
        rate = totals[k] / days[k]
        rates.append(float(rate * MONTH_DAYS))
        if totals[k] <= 0:
            cis.append(None)
            continue
        psi = w * (y[:, k] / totals[k] - d[:, k] / days[k])
        se = float(np.sqrt(psi @ psi))
        cis.append([float(rate * MONTH_DAYS * math.exp(s * Z95 * se)) for s in (-1, 1)])
    return {"rate": rates, "ci": cis, "n_observed": [int(v) for v in (d > 0).sum(axis=0)]}


def _baseline_months(months: np.ndarray, window_days: int) -> np.ndarray:
    """Months lying wholly inside the baseline window t−2W … t−W−1."""
    first_day, last_day = months * MONTH_DAYS, months * MONTH_DAYS + MONTH_DAYS - 1
    return (first_day >= -2 * window_days) & (last_day <= -window_days - 1)


def pre_trend(
    y: np.ndarray, d: np.ndarray, treated: np.ndarray, w: np.ndarray, months: np.ndarray
) -> dict | None:
    """Yearly change of the team/comparison rate ratio over the given months.

    Fixed-effects Poisson with one effect per month and treated × (month / 12); the ratio
    per year is exp(δ). None with fewer than three months or no information.
    """
    if len(months) < 3:
        return None
    n, t = y.shape
    x = np.zeros((n, t, t))
    for k in range(1, t):
        x[:, k, k - 1] = 1.0
    x[:, :, t - 1] = treated[:, None] * ((months - months.mean()) / 12.0)[None, :]
    try:
        fit = fit_fixed_effects_poisson(y, d, x, w)
    except ValueError:
        return None
    beta, se = float(fit.beta[-1]), fit.se(t - 1)
    if not (np.isfinite(se) and se > 0):
        return None
    z = beta / se
    return {
        "months": [int(months[0]), int(months[-1])],
        "ratio_per_year": float(math.exp(beta)),
        "ci": [float(math.exp(beta - Z95 * se)), float(math.exp(beta + Z95 * se))],
        "p_value": float(math.erfc(abs(z) / math.sqrt(2))),
    }


def event_study(
    team: pd.DataFrame,
    pool: pd.DataFrame,
    weights: np.ndarray,
    events: pd.DataFrame,
    measures: list[str],
    extract: tuple[dt.date, dt.date],
    window_days: int,
    months: tuple[int, int] = (-18, 11),
) -> dict:
    """Monthly rates of team and weighted comparison per measure, scaled comparison and
    pre-trend test. ``team``/``pool`` need patient_id, index_date and death_date."""
    grid = np.arange(months[0], months[1] + 1)
    patients = pd.concat([team, pool], ignore_index=True)
    days = month_days(patients, grid, extract)
    treated = np.r_[np.ones(len(team)), np.zeros(len(pool))]
    w = np.r_[np.ones(len(team)), np.asarray(weights, float)]
    is_team = treated == 1
    baseline = _baseline_months(grid, window_days)
    pre = grid * MONTH_DAYS + MONTH_DAYS - 1 <= -window_days - 1
    result = {"months": [int(m) for m in grid], "window_days": int(window_days), "measures": {}}
    for measure in measures:
        y = month_events(patients, events, measure, grid)
        team_rates = _arm_rates(y[is_team], days[is_team], w[is_team])
        comparison = _arm_rates(y[~is_team], days[~is_team], w[~is_team])
        result["measures"][measure] = {
            "team": team_rates,
            "comparison": comparison,
            "comparison_scaled": _scaled(y, days, w, is_team, baseline, comparison),
            "pre_trend": pre_trend(y[:, pre], days[:, pre], treated, w, grid[pre]),
        }
    return result


def _scaled(y, days, w, is_team, baseline, comparison: dict) -> list[float | None] | None:
    """The comparison's rates times (team / comparison) rate in the baseline months."""
    if not baseline.any():
        return None
    rates = []
    for arm in (is_team, ~is_team):
        events, exposure = w[arm] @ y[arm][:, baseline], w[arm] @ days[arm][:, baseline]
        rates.append(events.sum() / exposure.sum() if exposure.sum() > 0 else 0.0)
    if rates[1] <= 0:
        return None
    factor = rates[0] / rates[1]
    return [None if r is None else float(r * factor) for r in comparison["rate"]]
