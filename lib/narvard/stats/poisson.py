"""Fixed-effects (conditional) Poisson regression with patient-clustered robust errors.

Every rate ratio in the reports comes from this one estimator. Each patient i has event
counts y_it in periods t (e.g. a baseline window and the after window) with days at risk
d_it (days alive), and

    E[y_it] = u_i · d_it · exp(x_it'β),

where u_i is the patient's own level of care use (frailty), left completely free. Given the
patient's total n_i = Σ_t y_it, the counts are multinomial with probabilities
p_it ∝ d_it · exp(x_it'β), which no longer involve u_i (Hausman, Hall & Griliches 1984).
Patients with no events carry no information about β and drop out. The estimate is
consistent when only the mean is right — overdispersion and any correlation within a
patient are absorbed by the patient-clustered sandwich (Wooldridge 1999, J Econometrics
90:77). So there is one estimator, no choice between Poisson and negative binomial that
would move the point estimate.

Weights (balancing weights of comparison patients) multiply each patient's score;
the sandwich treats them as fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_ITER = 100
MIN_INFORMATIVE = 2  # one patient's split gives a ratio but no spread to learn from
TOLERANCE = 1e-10


@dataclass(frozen=True)
class PoissonFit:
    """β, its patient-clustered covariance and per-patient influence values.

    ``influence`` (patients × parameters) holds ψ_i = H⁻¹ w_i s_i, so that cov = Σ ψ_i ψ_i'
    (the Liang–Zeger sandwich, without a small-sample factor, as in the published analyses
    the tests reproduce); influences of two fits on the same patients give their joint
    covariance (used for costs across measures).
    """

    beta: np.ndarray
    cov: np.ndarray
    influence: np.ndarray
    n_patients: int
    n_informative: int  # patients with at least one event (they carry the information)
    converged: bool

    def se(self, k: int) -> float:
        return float(np.sqrt(self.cov[k, k]))


def _probabilities(log_days: np.ndarray, x: np.ndarray, beta: np.ndarray) -> np.ndarray:
    eta = log_days + x @ beta
    eta = eta - eta.max(axis=1, keepdims=True)
    e = np.exp(eta)
    return e / e.sum(axis=1, keepdims=True)


def _after_share(log_days: np.ndarray, x: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Two periods: the probability that an event falls in the second one, given the total
    (the multinomial is then a binomial, and only x₂ − x₁ enters)."""
    eta = log_days[:, 1] - log_days[:, 0] + (x[:, 1] - x[:, 0]) @ beta
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-eta))


def _score_and_hessian(y, n, log_days, x, w, beta):
    """Each patient's score (patients × p) and the information Σ w_i n_i V_i (p × p)."""
    if x.shape[1] == 2:  # closed form of the same sums: s_i = Δx (y₂ − n p), V_i = p(1−p) ΔxΔx'
        share, dx = _after_share(log_days, x, beta), x[:, 1] - x[:, 0]
        scores = dx * (y[:, 1] - n * share)[:, None]
        hessian = (dx * (w * n * share * (1 - share))[:, None]).T @ dx
        return scores, hessian
    p = _probabilities(log_days, x, beta)
    resid = y - n[:, None] * p  # patients × periods
    scores = np.einsum("itk,it->ik", x, resid)
    xbar = np.einsum("itk,it->ik", x, p)
    wn = w * n
    flat = x.reshape(-1, x.shape[2])
    weighted = flat * (wn[:, None] * p).reshape(-1, 1)
    hessian = weighted.T @ flat - (xbar * wn[:, None]).T @ xbar
    return scores, hessian


def fit_fixed_effects_poisson(
    events: np.ndarray,
    days: np.ndarray,
    design: np.ndarray,
    weights: np.ndarray | None = None,
) -> PoissonFit:
    """Fit E[y_it] = u_i d_it exp(x_it'β) by conditional maximum likelihood.

    events, days: patients × periods; design: patients × periods × parameters (only
    differences between a patient's periods identify β, so no intercept). Periods with
    0 days at risk are left out of that patient's multinomial. Raises ValueError when β is
    not identified (no informative patient, or a singular information matrix).
    """
    events = np.asarray(events, float)
    days = np.asarray(days, float)
    x = np.asarray(design, float)
    w_all = np.ones(len(events)) if weights is None else np.asarray(weights, float)
    n_all = events.sum(axis=1)
    keep = (n_all > 0) & (w_all > 0)
    y, n, x, w = events[keep], n_all[keep], x[keep], w_all[keep]
    if len(y) < MIN_INFORMATIVE:
        raise ValueError("too few patients with events: no rate ratio with an interval")
    with np.errstate(divide="ignore"):
        log_days = np.where(days[keep] > 0, np.log(np.maximum(days[keep], 1e-300)), -np.inf)
    beta = np.zeros(x.shape[2])
    converged = False
    for _ in range(MAX_ITER):
        scores, hessian = _score_and_hessian(y, n, log_days, x, w, beta)
        gradient = w @ scores
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError as error:
            raise ValueError("the rate ratio is not identified (singular information)") from error
        beta = beta + step
        if np.max(np.abs(step)) < TOLERANCE:
            converged = True
            break
    if not converged:
        raise ValueError("the rate ratio did not converge (e.g. no events in one period)")
    scores, hessian = _score_and_hessian(y, n, log_days, x, w, beta)
    influence_kept = np.linalg.solve(hessian, (w[:, None] * scores).T).T
    influence = np.zeros((len(events), len(beta)))
    influence[keep] = influence_kept
    cov = influence_kept.T @ influence_kept
    return PoissonFit(beta, cov, influence, len(events), len(y), converged)


def patient_scores(
    events: np.ndarray, days: np.ndarray, design: np.ndarray, beta: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each patient's (unweighted) score and information at β: patients × p and
    patients × p × p; zero for patients without events. For sandwiches that stack further
    estimating equations (``narvard.stats.did`` with estimated balancing weights)."""
    events = np.asarray(events, float)
    n = events.sum(axis=1)
    with np.errstate(divide="ignore"):
        log_days = np.where(days > 0, np.log(np.maximum(days, 1e-300)), -np.inf)
    x = np.asarray(design, float)
    scores = np.zeros((len(events), x.shape[2]))
    info = np.zeros((len(events), x.shape[2], x.shape[2]))
    keep = n > 0
    if keep.any() and x.shape[1] == 2:
        share, dx = _after_share(log_days[keep], x[keep], beta), x[keep, 1] - x[keep, 0]
        scores[keep] = dx * (events[keep, 1] - n[keep] * share)[:, None]
        v = n[keep] * share * (1 - share)
        info[keep] = v[:, None, None] * dx[:, :, None] * dx[:, None, :]
    elif keep.any():
        p = _probabilities(log_days[keep], x[keep], beta)
        resid = events[keep] - n[keep, None] * p
        scores[keep] = np.einsum("itk,it->ik", x[keep], resid)
        xbar = np.einsum("itk,it->ik", x[keep], p)
        second = np.einsum("itk,itl,it->ikl", x[keep], x[keep], p)
        info[keep] = n[keep, None, None] * (second - np.einsum("ik,il->ikl", xbar, xbar))
    return scores, info


def two_period_design(treated: np.ndarray) -> np.ndarray:
    """Design of a baseline/after comparison: β₀ = after vs baseline in the untreated arm,
    β₁ = the treated arm's extra change (the difference-in-differences).

    With every patient treated (a single group), use ``one_group_design``.
    """
    treated = np.asarray(treated, float)
    n = len(treated)
    x = np.zeros((n, 2, 2))
    x[:, 1, 0] = 1.0
    x[:, 1, 1] = treated
    return x


def one_group_design(n: int) -> np.ndarray:
    """Design of one group's after/baseline rate ratio (β₀)."""
    x = np.zeros((n, 2, 1))
    x[:, 1, 0] = 1.0
    return x
