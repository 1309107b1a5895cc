"""The adjusted effect: difference-in-differences of rates per day alive (docs/effects.md).

Design, per team group and measure:

* **baseline**: the window before the before window, t−2W … t−W−1 (``<measure>_history``).
  The before window t−W … t−1 is where patients are enrolled — at a peak of care use — so
  it is never the baseline and never balanced on;
* **after**: t … t+W−1, per day alive (``person_days_after``);
* **comparison**: the region's comparison patients with a baseline window, weighted by
  entropy balancing to the team's age, sex and index date (``narvard.stats.balance``);
* **estimate**: fixed-effects Poisson (``narvard.stats.poisson``): each patient is
  compared with their own baseline, the team's after/baseline rate ratio is divided by the
  comparison's, with patient-clustered robust intervals.

Only patients whose baseline window lies inside the extract (``history_observed``) enter;
they are counted (``n_team``, ``n_comparison``) so every n traces to the patient flow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from narvard.stats import balance as bal
from narvard.stats.leave_one_out import NEAR_SINGULAR, Equations, leave_one_out
from narvard.stats.poisson import (
    PoissonFit,
    fit_fixed_effects_poisson,
    one_group_design,
    patient_scores,
    two_period_design,
)

Z95 = 1.959963984540054
PER_DAYS = 180  # rates are shown per 180 days alive, whatever the window length
BASELINES = ("history", "before")  # "before" only for the method study (it is biased)
COMPARISONS = ("balanced", "all")


@dataclass(frozen=True)
class Design:
    """Team and comparison patients of one difference-in-differences, with weights."""

    team: pd.DataFrame
    pool: pd.DataFrame
    weights: np.ndarray  # per pool row
    comparison: str  # "balanced" or "all"
    balanced_on: tuple[str, ...]
    baseline: str  # "history" (default) or "before"
    window_days: int
    balance: bal.Balance | None = None  # the balancing problem, when weights were estimated

    def summary(self, measures: Sequence[str]) -> dict:
        """Counts, weights and balance table (no patient ids) for results.json."""
        baseline_cols = [f"{m}_{self.baseline}" for m in measures]
        rows = bal.balance_table(
            self.team, self.pool, self.weights, baseline_cols, weighted=bool(self.balanced_on)
        )
        worst = bal.max_abs_smd(rows)
        return {
            "comparison": self.comparison,
            "baseline": self.baseline,
            "n_team": int(len(self.team)),
            "n_comparison": int(len(self.pool)),
            "comparison_effective_n": bal.effective_n(self.weights),
            "balanced_on": list(self.balanced_on),
            "max_abs_smd_after": worst,
            "balanced": worst is not None and worst < bal.SMD_TARGET,
            "balance": rows,
        }


def with_baseline(windows: pd.DataFrame, baseline: str = "history") -> pd.DataFrame:
    """Included patients whose baseline window lies inside the extract."""
    rows = windows[windows["included"].astype(bool)]
    if baseline == "history":
        rows = rows[rows["history_observed"].astype(bool)]
    return rows


def design(
    team_windows: pd.DataFrame,
    pool_windows: pd.DataFrame,
    window_days: int,
    comparison: str = "balanced",
    baseline: str = "history",
) -> Design:
    """The patients and weights of one team group's difference-in-differences."""
    if comparison not in COMPARISONS or baseline not in BASELINES:
        raise ValueError(f"comparison {comparison!r} / baseline {baseline!r} unknown")
    team = with_baseline(team_windows, baseline).reset_index(drop=True)
    pool = with_baseline(pool_windows, baseline).reset_index(drop=True)
    weights, balance = np.ones(len(pool)), None
    if comparison == "balanced" and len(team) and len(pool):
        balance = bal.balancing_weights(team, pool)
        weights = balance.weights
    balanced_on = balance.balanced_on if balance is not None else ()
    return Design(team, pool, weights, comparison, balanced_on, baseline, int(window_days), balance)


def _arrays(rows: pd.DataFrame, measure: str, baseline: str, window_days: int):
    columns = (f"{measure}_{baseline}", f"{measure}_after")
    events = np.column_stack([rows[c].to_numpy(float) for c in columns])
    days = np.column_stack(
        [np.full(len(rows), float(window_days)), rows["person_days_after"].to_numpy(float)]
    )
    return events, days


def _rate(events: np.ndarray, days: np.ndarray, weights: np.ndarray) -> float | None:
    total = float(weights @ days)
    return float(weights @ events) / total * PER_DAYS if total > 0 else None


def _interval(beta: float, se: float) -> list[float]:
    return [float(np.exp(beta - Z95 * se)), float(np.exp(beta + Z95 * se))]


def _stacked(d: Design, measure: str):
    """Events, days, design and weights of one measure: team first, then the pool."""
    te, td = _arrays(d.team, measure, d.baseline, d.window_days)
    pe, pdays = _arrays(d.pool, measure, d.baseline, d.window_days)
    treated = np.r_[np.ones(len(te)), np.zeros(len(pe))]
    weights = np.r_[np.ones(len(te)), d.weights]
    return np.r_[te, pe], np.r_[td, pdays], two_period_design(treated), weights


def fit_measures(d: Design, measures: Sequence[str]) -> dict[str, PoissonFit]:
    """Fixed-effects Poisson fits of the measures (β₁ the log rate ratio), with the
    jackknife covariance; measures whose rate ratio is not identified are left out."""
    fits, arrays = {}, {}
    for measure in measures:
        arrays[measure] = _stacked(d, measure)
        try:
            fits[measure] = fit_fixed_effects_poisson(*arrays[measure])
        except ValueError:
            continue
    if not fits:
        return {}
    influence = jackknife_influence(d, fits, arrays)
    result = {}
    for measure, fit in fits.items():
        psi = influence[measure]
        fit = replace(fit, cov=psi.T @ psi, influence=psi)
        if np.all(np.isfinite(fit.cov)) and fit.cov[1, 1] > 0:
            result[measure] = fit
    return result


def jackknife_influence(d: Design, fits: dict[str, PoissonFit], arrays: dict) -> dict:
    """Each patient's influence on each measure's β: how far β moves when the patient is
    left out.

    The estimating equations of all measures are stacked (M-estimation): with balancing
    weights, the team's covariate means μ, the entropy-balancing condition
    Σ_pool e_i (u_i − μ) = 0 (e_i ∝ exp(λ'u_i)) and each measure's weighted fixed-effects
    Poisson score; without, the scores alone. Leaving patient i out moves θ by
    −(A − A_i)⁻¹ψ_i (one Newton step from the full fit), where A is the Jacobian and A_i, ψ_i
    the patient's parts. The variance Σ d_i d_i' is the cluster jackknife (CR3): it counts
    the weights as estimated, and it grows where a few heavily weighted comparison patients
    carry the estimate — where the plain sandwich is too narrow (docs/method-validation.md).
    """
    weights = np.r_[np.ones(len(d.team)), d.weights]
    balanced = d.balance is not None and d.balance.balanced
    team_u, pool_u = _standardised(d.balance) if balanced else (None, None)
    k = 0 if not balanced else team_u.shape[1]
    p = next(iter(fits.values())).beta.shape[0]
    scores, info, blocks = [], [], {}
    for j, (measure, fit) in enumerate(fits.items()):
        events, days, x, _ = arrays[measure]
        s_m, i_m = patient_scores(events, days, x, fit.beta)
        scores.append(s_m)
        info.append(i_m)
        blocks[measure] = slice(2 * k + j * p, 2 * k + (j + 1) * p)
    equations = Equations(len(d.team), weights, scores, info, team_u, pool_u)
    moved = leave_one_out(equations)
    return {measure: moved[:, block] for measure, block in blocks.items()}


def _standardised(balance: bal.Balance) -> tuple[np.ndarray, np.ndarray]:
    """Balance covariates centred and scaled on the pool (the weights do not change, the
    algebra stays stable)."""
    centre, sd = balance.pool_x.mean(axis=0), balance.pool_x.std(axis=0)
    spread = sd > 0
    team_u = (balance.team_x[:, spread] - centre[spread]) / sd[spread]
    pool_u = (balance.pool_x[:, spread] - centre[spread]) / sd[spread]
    return team_u, pool_u


def _leave_one_out(psi: np.ndarray, parts: np.ndarray, chunk: int = 20_000) -> np.ndarray:
    """−(A − A_i)⁻¹ ψ_i for every patient i, with A = Σ A_i (in chunks of patients), by a
    dense solve per patient: the reference that ``narvard.stats.leave_one_out`` (the
    block-wise solve the estimates use) is tested against.

    Where the equations without patient i are (nearly) singular — the patient was alone
    in what made them solvable — the leave-one-out move is not defined, and the plain
    sandwich term −A⁻¹ψ_i is used instead.
    """
    total = parts.sum(axis=0)
    sandwich = -np.linalg.solve(total, psi.T).T
    out = np.empty_like(psi)
    for start in range(0, len(psi), chunk):
        stop = min(start + chunk, len(psi))
        rest = total[None] - parts[start:stop]
        try:
            out[start:stop] = -np.linalg.solve(rest, psi[start:stop, :, None])[..., 0]
        except np.linalg.LinAlgError:
            for i in range(start, stop):
                out[i] = -_solve_or_sandwich(total - parts[i], total, psi[i])
    moved, plain = np.linalg.norm(out, axis=1), np.linalg.norm(sandwich, axis=1)
    wild = ~np.isfinite(moved) | (moved > NEAR_SINGULAR * np.maximum(plain, 1e-12))
    out[wild] = sandwich[wild]
    return out


def _solve_or_sandwich(rest: np.ndarray, total: np.ndarray, psi: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(rest, psi)
    except np.linalg.LinAlgError:
        return np.linalg.solve(total, psi)


def estimate(d: Design, measure: str) -> dict:
    """Rate ratio per day alive with 95 % interval, counts and the arms' rates."""
    return estimates(d, [measure])[0][measure]


def _estimate(d: Design, measure: str, fit: PoissonFit | None) -> dict:
    te, td = _arrays(d.team, measure, d.baseline, d.window_days)
    pe, pdays = _arrays(d.pool, measure, d.baseline, d.window_days)
    ones = np.ones(len(te))
    result = {
        "rate_ratio": None,
        "ci": None,
        "log_rate_ratio": None,
        "se": None,
        "comparison": d.comparison,
        "baseline": d.baseline,
        "method": "fixed_effects_poisson",
        "n_team": int(len(d.team)),
        "n_comparison": int(len(d.pool)),
        "rates_per_180d": {
            "team": {
                "baseline": _rate(te[:, 0], td[:, 0], ones),
                "after": _rate(te[:, 1], td[:, 1], ones),
            },
            "comparison": {
                "baseline": _rate(pe[:, 0], pdays[:, 0], d.weights),
                "after": _rate(pe[:, 1], pdays[:, 1], d.weights),
            },
        },
    }
    if fit is not None and len(d.team) and len(d.pool):
        beta, se = float(fit.beta[1]), fit.se(1)
        result.update(rate_ratio=float(np.exp(beta)), ci=_interval(beta, se))
        result.update(log_rate_ratio=beta, se=se)
    return result


def estimates(d: Design, measures: Sequence[str]) -> tuple[dict, dict[str, PoissonFit]]:
    """``estimate`` for every measure, plus the fits (for joint uncertainty in costs)."""
    fits = fit_measures(d, measures) if len(d.team) and len(d.pool) else {}
    return {m: _estimate(d, m, fits.get(m)) for m in measures}, fits


def joint_covariance(fits: Sequence[PoissonFit], parameter: int = 1) -> np.ndarray:
    """Covariance of one parameter across fits on the same stacked patients."""
    psi = np.column_stack([f.influence[:, parameter] for f in fits])
    return psi.T @ psi


def before_after(rows: pd.DataFrame, measure: str, window_days: int) -> dict:
    """One group's after/before rate ratio per day alive (the crude change, per day alive).

    It keeps regression to the mean: it is shown beside the crude means, never as the
    teams' effect.
    """
    rows = rows[rows["included"].astype(bool)]
    events, days = _arrays(rows, measure, "before", window_days)
    result = {"rate_ratio": None, "rate_ratio_ci": None}
    if len(rows) == 0:
        return result
    try:
        fit = fit_fixed_effects_poisson(events, days, one_group_design(len(rows)))
    except ValueError:
        return result
    beta, se = float(fit.beta[0]), fit.se(0)
    if np.isfinite(se) and se > 0:
        result.update(rate_ratio=float(np.exp(beta)), rate_ratio_ci=_interval(beta, se))
    return result
