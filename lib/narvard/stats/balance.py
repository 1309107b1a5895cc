"""A comparison group like the team's patients: entropy balancing on who they are and when.

The region's comparison patients (municipal home health care without a team) are weighted
so that their shares in each 5-year age band, each sex and each half-year of index date
equal the team patients' shares (Hainmueller 2012, Political Analysis 20:25: the weights
are as close to equal as possible, in Kullback–Leibler, subject to those constraints —
for indicators this is raking to the team's margins). Where that cannot be reached (an
area whose team has patients in a band without comparison patients), 10-year bands and
years are tried, then the means of age, age², sex, index date and its square, then
their means alone; failing all, every comparison patient counts once and the report says so.
Bands rather than continuous age keep a few very old comparison patients from carrying the
whole comparison (docs/method-validation.md).

Care use before the index date is deliberately *not* among the balance variables. The
difference-in-differences (``narvard.stats.did``) compares each group with its own
baseline, so lasting differences in level are already removed; balancing on the use in a
window also makes the weighted comparison patients regress towards their own, lower,
population mean afterwards, which biases the estimate (Daw & Hatfield 2018, Health Serv Res
53:4138). See docs/effects.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SMD_TARGET = 0.1
BALANCE_VARIABLES = ("age", "age_squared", "woman", "index_time", "index_time_squared")
SHOWN_VARIABLES = ("age", "woman", "index_time")  # the balance table's rows
REFERENCE_YEAR = 2000.0


def covariates(windows: pd.DataFrame) -> pd.DataFrame:
    """Balance variables per patient (rows as in ``windows``).

    age = index year − birth year (whole years, as the age bands); index_time = the index
    date in years (e.g. 2018.5), centred at 2000 before squaring.
    """
    index = pd.to_datetime(windows["index_date"])
    age = (index.dt.year - windows["birth_year"].astype(int)).astype(float).to_numpy()
    time = (index.dt.year + (index.dt.day_of_year - 1) / 365.25).to_numpy(float)
    centred = time - REFERENCE_YEAR
    return pd.DataFrame(
        {
            "age": age,
            "age_squared": age**2,
            "woman": (windows["sex"].astype(str) == "F").to_numpy(float),
            "index_time": time,
            "index_time_squared": centred**2,
        },
        index=windows.index,
    )


def entropy_balance(
    x: np.ndarray, target: np.ndarray, max_iter: int = 200, tolerance: float = 1e-8
) -> np.ndarray | None:
    """Weights (mean 1) closest to equal whose weighted column means equal ``target``.

    Newton's method on the convex dual with step halving. Columns without spread must
    already equal the target (else None). None when the target cannot be reached, e.g. when
    it lies outside the range of the comparison patients.
    """
    x = np.asarray(x, float)
    target = np.asarray(target, float)
    sd = x.std(axis=0)
    flat = sd == 0
    if len(x) == 0 or np.any(np.abs(x[0, flat] - target[flat]) > 1e-9):
        return None
    z = (x[:, ~flat] - target[~flat]) / sd[~flat]
    lam = np.zeros(z.shape[1])

    def dual(values: np.ndarray) -> float:
        eta = z @ values
        top = eta.max()
        return float(np.log(np.mean(np.exp(eta - top))) + top)

    for _ in range(max_iter):
        eta = z @ lam
        p = np.exp(eta - eta.max())
        p /= p.sum()
        gradient = p @ z
        if np.max(np.abs(gradient)) < tolerance:
            return p * len(p)
        hessian = (z * p[:, None]).T @ z - np.outer(gradient, gradient)
        step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        size, current = 1.0, dual(lam)
        while dual(lam - size * step) > current + 1e-15 and size > 1e-10:
            size /= 2
        lam -= size * step
    return None


@dataclass(frozen=True)
class Balance:
    """Weights of the comparison pool and how they were reached.

    ``team_x`` and ``pool_x`` hold the balanced covariates (``balanced_on``) of both
    groups: the difference-in-differences' sandwich needs them to account for the weights
    being estimated (``narvard.stats.did``).
    """

    weights: np.ndarray
    balanced_on: tuple[str, ...]  # () when the weights are all 1
    team_x: np.ndarray | None = None
    pool_x: np.ndarray | None = None

    @property
    def balanced(self) -> bool:
        return bool(self.balanced_on)


# Balance sets, finest first: (age band width in years, index-date period in months).
# Bands give every comparison patient of a band the same weight, so no single very old
# patient carries the comparison (weights on continuous age and age² did, and made the
# intervals too narrow in the method study).
BAND_SETS = ((5, 6), (10, 12))


def _indicators(values: pd.Series, prefix: str, levels: list) -> dict[str, np.ndarray]:
    """0/1 columns for all levels but the first (the reference)."""
    return {f"{prefix}={level}": (values == level).to_numpy(float) for level in levels[1:]}


MIN_LEVEL = 10  # comparison patients a band needs; rarer bands join their neighbour


def _merge_rare(team: pd.Series, pool: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Join ordered levels with fewer than MIN_LEVEL comparison patients to a neighbour.

    A band with a handful of comparison patients would give each of them a large weight, and
    leaving one out (the jackknife) would move the estimate wildly.
    """
    levels = sorted(set(team) | set(pool))
    counts = pool.value_counts()
    mapping, group, group_count = {}, [], 0
    for level in levels:
        group.append(level)
        group_count += int(counts.get(level, 0))
        if group_count >= MIN_LEVEL:
            mapping.update(dict.fromkeys(group, group[0]))
            group, group_count = [], 0
    if group:  # the last, too small: join the previous band (or stay alone)
        target = mapping[max(mapping)] if mapping else group[0]
        mapping.update(dict.fromkeys(group, target))
    return team.map(mapping), pool.map(mapping)


def band_matrix(
    team: pd.DataFrame, pool: pd.DataFrame, age_years: int, period_months: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicator columns of age band, sex and index period for team and pool (same columns).

    Ages below 65 form one band and 95 and over another; bands and periods with fewer than
    MIN_LEVEL comparison patients join a neighbour; levels absent from both groups are left
    out."""
    factors = []
    for rows in (team, pool):
        index = pd.to_datetime(rows["index_date"])
        age = (index.dt.year - rows["birth_year"].astype(int)).clip(64, 95)
        band = (age // age_years * age_years).where(age >= 65, 0)
        months = index.dt.year * 12 + index.dt.month - 1
        factors.append((band, rows["sex"].astype(str), months // period_months))
    (t_age, t_sex, t_period), (p_age, p_sex, p_period) = factors
    t_age, p_age = _merge_rare(t_age, p_age)
    t_period, p_period = _merge_rare(t_period, p_period)
    names = ("age", "sex", "period")
    pairs = ((t_age, p_age), (t_sex, p_sex), (t_period, p_period))
    out = []
    for side in (0, 1):
        parts = {}
        for (team_values, pool_values), prefix in zip(pairs, names, strict=True):
            known = sorted(set(team_values) | set(pool_values))
            parts.update(_indicators((team_values, pool_values)[side], prefix, known))
        out.append(pd.DataFrame(parts, index=(t_age, p_age)[side].index))
    return out[0], out[1]


def balancing_weights(
    team: pd.DataFrame, pool: pd.DataFrame, variables: Sequence[str] = BALANCE_VARIABLES
) -> Balance:
    """Entropy-balancing weights of the pool's patients towards the team's means.

    When the full set cannot be balanced (a small area whose team lies outside the pool's
    range), the squared terms are dropped; if even that fails, every weight is 1 and
    ``balanced_on`` is empty — the report then says the groups could not be made alike.
    """
    for age_years, period_months in BAND_SETS:
        team_b, pool_b = band_matrix(team, pool, age_years, period_months)
        x, t = pool_b.to_numpy(), team_b.to_numpy()
        weights = entropy_balance(x, t.mean(axis=0))
        if weights is not None:
            names = (f"age_band_{age_years}y", "sex", f"index_period_{period_months}m")
            return Balance(weights, names, t, x)
    team_x, pool_x = covariates(team), covariates(pool)
    for names in (tuple(variables), tuple(v for v in variables if not v.endswith("squared"))):
        x, t = pool_x[list(names)].to_numpy(), team_x[list(names)].to_numpy()
        weights = entropy_balance(x, t.mean(axis=0))
        if weights is not None:
            return Balance(weights, names, t, x)
    return Balance(np.ones(len(pool)), ())


def effective_n(weights: np.ndarray) -> float | None:
    """Kish's effective sample size (Σw)² / Σw²."""
    w = np.asarray(weights, float)
    return float(w.sum() ** 2 / np.sum(w**2)) if len(w) and np.any(w > 0) else None


def _mean_var(values: np.ndarray, weights: np.ndarray | None = None) -> tuple[float, float]:
    weights = np.ones(len(values)) if weights is None else weights
    mean = float(np.average(values, weights=weights))
    return mean, float(np.average((values - mean) ** 2, weights=weights))


def smd(team: np.ndarray, pool: np.ndarray, weights: np.ndarray | None, sd: float) -> float | None:
    """(mean team − weighted mean comparison) / sd; None where sd is 0 and means differ."""
    difference = _mean_var(team)[0] - _mean_var(pool, weights)[0]
    if sd > 0:
        return float(difference / sd)
    return 0.0 if abs(difference) < 1e-12 else None


def balance_table(
    team: pd.DataFrame,
    pool: pd.DataFrame,
    weights: np.ndarray,
    baseline_columns: Sequence[str] = (),
    weighted: bool = True,
) -> list[dict]:
    """Means and standardised mean differences before and after weighting.

    Rows: age, share of women, index date (years), then each of ``baseline_columns`` (care
    use in the baseline window: shown, not balanced). ``balanced`` marks the rows the
    weights balance (none when the comparison is unweighted). The unweighted pooled SD is the unit
    of both SMDs, so the two columns are comparable.
    """
    tx, px = covariates(team), covariates(pool)
    rows = []
    for variable in (*SHOWN_VARIABLES, *baseline_columns):
        t = (tx[variable] if variable in tx else team[variable]).to_numpy(float)
        p = (px[variable] if variable in px else pool[variable]).to_numpy(float)
        sd = float(np.sqrt((_mean_var(t)[1] + _mean_var(p)[1]) / 2)) if len(t) and len(p) else 0
        rows.append(
            {
                "variable": "share_women" if variable == "woman" else variable,
                "balanced": weighted and variable in SHOWN_VARIABLES,
                "mean_team": _mean_var(t)[0] if len(t) else None,
                "mean_comparison": _mean_var(p)[0] if len(p) else None,
                "mean_comparison_weighted": _mean_var(p, weights)[0] if len(p) else None,
                "smd_before": smd(t, p, None, sd) if len(t) and len(p) else None,
                "smd_after": smd(t, p, weights, sd) if len(t) and len(p) else None,
            }
        )
    return rows


def max_abs_smd(rows: list[dict]) -> float | None:
    """Largest |SMD| after weighting over who and when (age, women, index date)."""
    shown = {"age", "share_women", "index_time"}
    values = [
        abs(r["smd_after"]) for r in rows if r["variable"] in shown and r["smd_after"] is not None
    ]
    return max(values) if values else None
