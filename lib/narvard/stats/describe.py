"""One group's care use: crude means, rates per 180 days alive and the before/after ratio.

These are the descriptive figures beside the adjusted effect: the crude means earlier
evaluations publish (contract §2), the same per day alive, and the before/after rate ratio
per day alive (``narvard.stats.did.before_after``) — none of them removes regression to the
mean, and the report says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from narvard.domain import age_band
from narvard.stats.did import PER_DAYS, before_after

N_BOOTSTRAP = 2000
DEFAULT_SEED = 20240903
RESAMPLE_CHUNK = 2_000_000  # bootstrap draws held in memory at once


def resampled_sums(values: np.ndarray, n_boot: int, seed: int | np.random.Generator) -> np.ndarray:
    """Column sums of ``values`` (n patients × k) in each of n_boot patient resamples
    drawn with replacement (n_boot × k); seeded (or drawn from a given generator), built
    in chunks of ~2 million draws. No patients give sums of zero."""
    values = np.asarray(values, float).reshape(len(values), -1)
    n = len(values)
    if n == 0:
        return np.zeros((n_boot, values.shape[1]))
    rng = np.random.default_rng(seed)  # a Generator is passed through unchanged
    rows = max(1, RESAMPLE_CHUNK // max(n, 1))
    parts = []
    for start in range(0, n_boot, rows):
        size = min(rows, n_boot - start)
        draws = rng.integers(0, n, size=(size, n)) + n * np.arange(size)[:, None]
        counts = np.bincount(draws.ravel(), minlength=n * size).reshape(size, n)
        parts.append(np.einsum("bj,jk->bk", counts.astype(float), values))
    return np.vstack(parts)


def percentile_ci(values: np.ndarray) -> list[float] | None:
    """2.5 and 97.5 percentiles of the finite values (None if under 95 % are finite)."""
    finite = values[np.isfinite(values)]
    if len(finite) == 0 or len(finite) < 0.95 * len(values):
        return None
    return [float(np.percentile(finite, 2.5)), float(np.percentile(finite, 97.5))]


def included(windows: pd.DataFrame) -> pd.DataFrame:
    """The included patients (both windows inside the extract)."""
    return windows[windows["included"].astype(bool)]


def person_time(rows: pd.DataFrame, window_days: int, measures: Sequence[str]) -> dict:
    """Events per 180 days at risk before (``window_days`` per patient: everyone is alive
    before the index date) and after (days alive), for included patients."""
    days_before = int(window_days) * len(rows)
    days_after = int(rows["person_days_after"].sum())
    result = {}
    for m in measures:
        before, after = int(rows[f"{m}_before"].sum()), int(rows[f"{m}_after"].sum())
        result[m] = {
            "rate_before_per_180d": before / days_before * PER_DAYS if days_before else None,
            "rate_after_per_180d": after / days_after * PER_DAYS if days_after else None,
        }
    return result


def bootstrap_intervals(
    rows: pd.DataFrame, window_days: int, measures: Sequence[str], n_boot: int, seed: int
) -> dict:
    """Percentile CIs of means per patient and of rates per 180 days, per measure."""
    n = len(rows)
    if n == 0:
        return {}
    columns = [np.full(n, float(window_days)), rows["person_days_after"].to_numpy(float)]
    for m in measures:
        columns += [rows[f"{m}_before"].to_numpy(float), rows[f"{m}_after"].to_numpy(float)]
    sums = resampled_sums(np.column_stack(columns), n_boot, seed)
    days_before, days_after = sums[:, 0], sums[:, 1]
    result = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for i, m in enumerate(measures):
            before, after = sums[:, 2 + 2 * i], sums[:, 3 + 2 * i]
            result[m] = {
                "before_mean_ci": percentile_ci(before / n),
                "after_mean_ci": percentile_ci(after / n),
                "rate_before_per_180d_ci": percentile_ci(before / days_before * PER_DAYS),
                "rate_after_per_180d_ci": percentile_ci(after / days_after * PER_DAYS),
            }
    return result


def describe_group(
    windows: pd.DataFrame,
    window_days: int,
    measures: Sequence[str],
    intervals: bool = True,
    seed: int = DEFAULT_SEED,
) -> dict:
    """Per measure: rates per 180 days alive, bootstrap CIs of means and rates (optional)
    and the before/after rate ratio per day alive with its CI."""
    rows = included(windows)
    result = person_time(rows, window_days, measures)
    cis = bootstrap_intervals(rows, window_days, measures, N_BOOTSTRAP, seed) if intervals else {}
    for m in measures:
        result[m].update(cis.get(m, {}))
        result[m].update(before_after(rows, m, window_days))
    return result


def subgroup_columns(rows: pd.DataFrame) -> dict[str, pd.Series]:
    """The subgroups of the report: sex, age band and (where given) kommun."""
    index_year = pd.to_datetime(rows["index_date"]).dt.year
    age = (index_year - rows["birth_year"].astype(int)).astype(float)
    columns = {"sex": rows["sex"].astype(str), "age_band": age_band(age)}
    if "kommun" in rows.columns and rows["kommun"].notna().any():
        columns["kommun"] = rows["kommun"].astype("string").fillna("(okänd)").astype(str)
    return columns
