"""Honest estimates beside the crude before/after means (issue 3; method in docs/effects.md).

* person-time rates per 180 days alive;
* before/after rate ratios per group from a GEE (Poisson or negative binomial, log link,
  offset log(days at risk), exchangeable working correlation, robust standard errors),
  with a seeded patient bootstrap where the model is not apt;
* difference-in-differences (team × period interaction) against matched or all
  comparison patients;
* monthly event study, subgroups and window-length sensitivity.

Inputs are per-patient windows tables (``narvard.consumption.patient_windows``); outputs
are plain dicts of floats and lists. The GEE is solved by a vectorised implementation of
statsmodels' algorithm (``fit_gee``); ``engine="statsmodels"`` runs ``sm.GEE`` itself,
and the tests check that both agree.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.special import gammaln

from narvard import matching
from narvard.consumption import (
    _COHORT_SQL,
    _CONTACTS_SQL,
    EVENT_DEFINITIONS_SQL,
    GROUPS,
    MEASURES,
    READMISSION_DAYS,
    _source,
    change_pct,
)
from narvard.tables import find_table

TEAM_GROUPS = ("HSVT", "NSVT")
PER_DAYS = 180
N_BOOTSTRAP = 2000
DEFAULT_SEED = 20240903
MIN_CLUSTERS = 20  # per arm: fewer patients → bootstrap instead of the sandwich
OVERDISPERSION_LIMIT = 1.5  # Pearson dispersion above this → negative binomial GEE
MONTH_DAYS = 30
RESAMPLE_CHUNK = 2_000_000  # bootstrap draws held in memory at once
Z95 = 1.959963984540054


# ---------------------------------------------------------------------------------------
# Long data: one row per patient and period with its events and days at risk
# ---------------------------------------------------------------------------------------


def included(windows: pd.DataFrame) -> pd.DataFrame:
    """The included patients (all rows when there is no ``included`` column)."""
    if "included" in windows.columns:
        return windows[windows["included"].astype(bool)]
    return windows


def long_counts(
    windows: pd.DataFrame,
    measure: str,
    window_days: int,
    treated: int = 0,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Rows (cluster, period, treated, events, days, weight) of included patients.

    ``period`` is 0 before and 1 after the index date; days at risk are ``window_days``
    before and ``person_days_after`` after (rows with 0 days are dropped). ``weights``
    (by patient_id) keeps only the patients named and gives them that weight.
    """
    rows = included(windows)
    ids = rows["patient_id"].astype(str).to_numpy()
    weight = np.ones(len(rows))
    if weights is not None:
        weight = pd.Series(ids).map(weights).to_numpy(float)
        keep = np.isfinite(weight) & (weight > 0)
        rows, ids, weight = rows[keep], ids[keep], weight[keep]
    days_after = rows["person_days_after"].to_numpy(float) if len(rows) else np.zeros(0)
    frame = pd.DataFrame(
        {
            "cluster": np.r_[ids, ids],
            "period": np.r_[np.zeros(len(ids), int), np.ones(len(ids), int)],
            "treated": treated,
            "events": np.r_[rows[f"{measure}_before"], rows[f"{measure}_after"]].astype(float),
            "days": np.r_[np.full(len(ids), float(window_days)), days_after],
            "weight": np.r_[weight, weight],
        }
    )
    return frame[frame["days"] > 0].reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# GEE: vectorised exchangeable GEE with robust (sandwich) covariance
# ---------------------------------------------------------------------------------------


@dataclass
class GeeFit:
    """Result of ``fit_gee``: coefficients, robust covariance and diagnostics."""

    params: np.ndarray
    cov_robust: np.ndarray
    converged: bool
    dep_param: float
    iterations: int


def _gram(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a'b without BLAS threads (erratic for tall, thin matrices on a busy machine)."""
    return np.einsum("ij,ik->jk", a, b)


def _cluster_sums(values: np.ndarray, codes: np.ndarray, n_clusters: int) -> np.ndarray:
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=n_clusters)
    columns = [np.bincount(codes, weights=column, minlength=n_clusters) for column in values.T]
    return np.column_stack(columns)


class _GeeProblem:
    """The pieces of an exchangeable GEE with log link that do not change between steps."""

    def __init__(self, y, x, offset, clusters, weights, alpha):
        self.y, self.x, self.offset, self.alpha = y, x, offset, alpha
        self.codes, uniques = pd.factorize(pd.Series(clusters), sort=False)
        self.n_clusters = len(uniques)
        self.size = np.bincount(self.codes, minlength=self.n_clusters).astype(float)
        row_w = np.ones(len(y)) if weights is None else np.asarray(weights, float)
        self.w_row = row_w
        self.w_cluster = np.zeros(self.n_clusters)
        self.w_cluster[self.codes] = row_w

    def pieces(self, beta: np.ndarray):
        """Scaled derivative D/sd, Pearson residuals and their cluster sums at beta."""
        mu = np.exp(np.einsum("ij,j->i", self.x, beta) + self.offset)
        sd = np.sqrt(mu + self.alpha * mu**2)
        dt, rt = self.x * (mu / sd)[:, None], (self.y - mu) / sd
        sum_d = _cluster_sums(dt, self.codes, self.n_clusters)
        sum_r = _cluster_sums(rt, self.codes, self.n_clusters)
        return dt, rt, sum_d, sum_r

    def equations(self, beta: np.ndarray, rho: float):
        """Bread Σ w D'V⁻¹D, score Σ w D'V⁻¹r and per-cluster scores U_i (unweighted)."""
        dt, rt, sum_d, sum_r = self.pieces(beta)
        c = rho / (1.0 + rho * (self.size - 1.0))
        wc = self.w_cluster * c
        scale = 1.0 / (1.0 - rho)
        bread = scale * (_gram(dt * self.w_row[:, None], dt) - _gram(sum_d * wc[:, None], sum_d))
        per_cluster = _cluster_sums(dt * rt[:, None], self.codes, self.n_clusters)
        scores = scale * (per_cluster - (c * sum_r)[:, None] * sum_d)
        return bread, np.einsum("ij,i->j", scores, self.w_cluster), scores

    def update_rho(self, beta: np.ndarray) -> float:
        """Moment estimate of the exchangeable correlation (as statsmodels, weighted)."""
        _, rt, _, sum_r = self.pieces(beta)
        n, p, w = len(self.y), self.x.shape[1], self.w_cluster
        ssr = _cluster_sums(rt**2, self.codes, self.n_clusters)
        pairs = self.size * (self.size - 1) / 2
        n_pairs = pairs.sum()
        if n_pairs - p <= 0 or n - p <= 0:
            return 0.0
        scale = np.sum(w * ssr) / (np.sum(w * self.size) * (n - p) / n)
        cross = np.sum(w * (sum_r**2 - ssr) / 2) / scale
        rho = cross / (np.sum(w * pairs) * (n_pairs - p) / n_pairs)
        upper_size = max(self.size.max(), 2.0)
        return float(np.clip(rho, -0.99 / (upper_size - 1.0), 0.99))


def _newton(problem: _GeeProblem, beta: np.ndarray, rho: float):
    bread, score, _ = problem.equations(beta, rho)
    try:
        step = np.linalg.solve(bread, score)
    except np.linalg.LinAlgError:
        step = np.linalg.pinv(bread) @ score
    return step, float(np.sqrt(np.sum(score**2)))


def _start(problem: _GeeProblem, maxiter: int = 100) -> np.ndarray:
    """Independence (GLM) estimate: Fisher scoring from a constant rate."""
    beta = np.zeros(problem.x.shape[1])
    beta[0] = math.log(max(problem.y.sum(), 0.5) / np.exp(problem.offset).sum())
    for _ in range(maxiter):
        step, _ = _newton(problem, beta, 0.0)
        beta = beta + np.clip(step, -5.0, 5.0)
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def fit_gee(
    y: np.ndarray,
    x: np.ndarray,
    offset: np.ndarray,
    clusters: np.ndarray,
    weights: np.ndarray | None = None,
    alpha: float = 0.0,
    maxiter: int = 60,
    ctol: float = 1e-6,
) -> GeeFit:
    """Exchangeable GEE, log link, variance μ + αμ² (α = 0: Poisson), robust covariance.

    Follows statsmodels' ``GEE.fit`` (start at the GLM estimate, alternate a scoring step
    for β with a moment update of the correlation, stop when the score norm < ctol).
    ``weights`` are per row and constant within clusters (probability weights, as in
    statsmodels): bread Σ wᵢ Dᵢ'Vᵢ⁻¹Dᵢ, meat Σ wᵢ² UᵢUᵢ'.
    """
    y, x, offset = (np.asarray(a, float) for a in (y, x, offset))
    problem = _GeeProblem(y, x, offset, clusters, weights, alpha)
    beta, rho, converged, iteration = _start(problem), 0.0, False, 0
    for iteration in range(1, maxiter + 1):  # noqa: B007 - the count is reported
        step, norm = _newton(problem, beta, rho)
        beta = beta + step
        if norm < ctol and iteration > 1:
            converged = True
            break
        rho = problem.update_rho(beta)
    bread, _, scores = problem.equations(beta, rho)
    meat = _gram(scores * problem.w_cluster[:, None] ** 2, scores)
    bread_inv = np.linalg.pinv(bread)
    cov = bread_inv @ meat @ bread_inv
    return GeeFit(beta, cov, converged and bool(np.all(np.isfinite(cov))), rho, iteration)


def _fit_gee_statsmodels(y, x, offset, clusters, weights, alpha) -> GeeFit:
    """The same model through statsmodels' GEE (reference; slower, unweighted use only)."""
    import statsmodels.api as sm

    family = sm.families.NegativeBinomial(alpha=alpha) if alpha > 0 else sm.families.Poisson()
    order = np.argsort(pd.factorize(pd.Series(clusters))[0], kind="stable")
    if weights is not None and np.all(np.asarray(weights) == 1.0):
        weights = None  # statsmodels' weighted Exchangeable update misindexes weights
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.GEE(
            np.asarray(y)[order],
            np.asarray(x)[order],
            groups=np.asarray(clusters)[order],
            offset=np.asarray(offset)[order],
            family=family,
            cov_struct=sm.cov_struct.Exchangeable(),
            weights=None if weights is None else np.asarray(weights)[order],
        )
        result = model.fit()
    return GeeFit(
        np.asarray(result.params),
        np.asarray(result.cov_params()),
        bool(result.converged),
        float(np.atleast_1d(model.cov_struct.dep_params)[0]),
        len(result.fit_history["params"]),
    )


# ---------------------------------------------------------------------------------------
# Long data as arrays; family choice: Pearson dispersion and the negative binomial alpha
# ---------------------------------------------------------------------------------------


@dataclass
class LongArrays:
    """Long data as numpy arrays, clusters coded 0 … n_clusters − 1."""

    codes: np.ndarray
    n_clusters: int
    period: np.ndarray
    treated: np.ndarray
    events: np.ndarray
    days: np.ndarray
    weight: np.ndarray

    @classmethod
    def from_frame(cls, long: pd.DataFrame) -> LongArrays:
        codes, uniques = pd.factorize(long["cluster"], sort=False)

        def column(name: str, default: float) -> np.ndarray:
            if name in long.columns:
                return long[name].to_numpy(float)
            return np.full(len(long), default)

        return cls(
            codes=np.asarray(codes),
            n_clusters=len(uniques),
            period=column("period", 0.0).astype(int),
            treated=column("treated", 0.0).astype(int),
            events=column("events", 0.0),
            days=column("days", 1.0),
            weight=column("weight", 1.0),
        )

    def design(self, interaction: bool) -> tuple[np.ndarray, int]:
        """Design matrix and the index of the coefficient of interest."""
        period, ones = self.period.astype(float), np.ones(len(self.period))
        if not interaction:
            return np.column_stack([ones, period]), 1
        treated = self.treated.astype(float)
        return np.column_stack([ones, period, treated, period * treated]), 3


def _as_arrays(long: pd.DataFrame | LongArrays) -> LongArrays:
    return long if isinstance(long, LongArrays) else LongArrays.from_frame(long)


def _wide_arrays(
    rows: pd.DataFrame, measure: str, window_days: int, treated: int = 0, weight=None
) -> LongArrays:
    """LongArrays straight from (already included) per-patient windows rows."""
    n = len(rows)
    weight = np.ones(n) if weight is None else np.asarray(weight, float)
    days = np.r_[np.full(n, float(window_days)), rows["person_days_after"].to_numpy(float)]
    keep = days > 0
    events = np.r_[rows[f"{measure}_before"].to_numpy(float), rows[f"{measure}_after"]]
    return LongArrays(
        codes=np.r_[np.arange(n), np.arange(n)][keep],
        n_clusters=n,
        period=np.r_[np.zeros(n, int), np.ones(n, int)][keep],
        treated=np.full(int(keep.sum()), treated),
        events=events.astype(float)[keep],
        days=days[keep],
        weight=np.r_[weight, weight][keep],
    )


def _stack(first: LongArrays, second: LongArrays) -> LongArrays:
    """Both long datasets in one, the clusters of ``second`` renumbered after ``first``."""
    return LongArrays(
        codes=np.r_[first.codes, second.codes + first.n_clusters],
        n_clusters=first.n_clusters + second.n_clusters,
        **{
            name: np.r_[getattr(first, name), getattr(second, name)]
            for name in ("period", "treated", "events", "days", "weight")
        },
    )


def _cell_means(a: LongArrays) -> np.ndarray:
    """Fitted means of the saturated Poisson model: cell rate (period × treated) × days."""
    cells = a.period * 2 + a.treated
    events = np.bincount(cells, weights=a.weight * a.events, minlength=4)
    days = np.bincount(cells, weights=a.weight * a.days, minlength=4)
    rate = np.divide(events, days, out=np.zeros(4), where=days > 0)
    return rate[cells] * a.days


def pearson_dispersion(long: pd.DataFrame | LongArrays) -> float:
    """Σ w (y − μ)²/μ ÷ Σ w × n/(n − p) under the saturated Poisson model (≈ 1 if Poisson)."""
    a = _as_arrays(long)
    mu = _cell_means(a)
    positive = mu > 0
    n, n_cells = len(mu), len(np.unique(a.period * 2 + a.treated))
    if n - n_cells <= 0 or not positive.any():
        return float("nan")
    y, w, mu = a.events[positive], a.weight[positive], mu[positive]
    return float(np.sum(w * (y - mu) ** 2 / mu) / a.weight.sum() * n / (n - n_cells))


def nb_alpha(long: pd.DataFrame | LongArrays) -> float:
    """Maximum-likelihood NB2 alpha with the means fixed at the saturated-model fit.

    With equal days at risk within a cell this is the full NB GLM maximum likelihood
    (the cell means are then the NB means too); searched over α in [1e-4, 1e3].
    """
    a = _as_arrays(long)
    mu = _cell_means(a)
    keep = mu > 0
    y, w, mu = a.events[keep], a.weight[keep], mu[keep]

    def negative_loglik(log_alpha: float) -> float:
        alpha = math.exp(log_alpha)
        inv = 1.0 / alpha
        ll = (
            gammaln(y + inv)
            - gammaln(inv)
            - gammaln(y + 1)
            + y * np.log(alpha * mu / (1 + alpha * mu))
            - inv * np.log1p(alpha * mu)
        )
        return -float(np.sum(w * ll))

    bounds = (math.log(1e-4), math.log(1e3))
    found = minimize_scalar(negative_loglik, bounds=bounds, method="bounded")
    return float(math.exp(found.x))


def choose_family(
    long: pd.DataFrame | LongArrays, family: str = "auto"
) -> tuple[str, float, float]:
    """('poisson' | 'nb', alpha, dispersion). auto: NB when dispersion > 1.5."""
    a = _as_arrays(long)
    dispersion = pearson_dispersion(a)
    if family == "poisson" or (family == "auto" and not dispersion > OVERDISPERSION_LIMIT):
        return "poisson", 0.0, dispersion
    return "nb", nb_alpha(a), dispersion


# ---------------------------------------------------------------------------------------
# Rate ratios: GEE where apt, patient bootstrap otherwise
# ---------------------------------------------------------------------------------------


def _not_apt_reason(a: LongArrays, interaction: bool) -> str | None:
    """Why the GEE sandwich should not be trusted here (None: the model is apt)."""
    for arm in (0, 1) if interaction else (0,):
        mine = a.treated == arm
        if len(np.unique(a.codes[mine])) < MIN_CLUSTERS:
            return "too_few_patients"
        for period in (0, 1):
            if a.events[mine & (a.period == period)].sum() <= 0:
                return "zero_events_in_a_period"
    return None


def rate_ratio_model(
    long: pd.DataFrame | LongArrays,
    interaction: bool = False,
    family: str = "auto",
    engine: str = "fast",
) -> dict:
    """Rate ratio of ``period`` (or of ``period × treated`` with ``interaction``) from an
    exchangeable GEE on long data (columns cluster, period, treated, events, days, weight;
    one row per cluster and period, or several rows per period with their own days).

    Returns rate_ratio, rate_ratio_ci, log_rate_ratio, se, method ('gee_poisson' or
    'gee_nb'), dispersion, nb_alpha, working_correlation, converged, and ``not_apt``
    (None, or why the caller should fall back to the bootstrap).
    """
    a = _as_arrays(long)
    chosen, alpha, dispersion = choose_family(a, family)
    result = {"dispersion": _finite(dispersion), "nb_alpha": alpha if chosen == "nb" else None}
    reason = _not_apt_reason(a, interaction)
    if reason is not None:
        return {**result, "not_apt": reason}
    x, index = a.design(interaction)
    args = (a.events, x, np.log(a.days), a.codes, a.weight, alpha)
    fit = _fit_gee_statsmodels(*args) if engine == "statsmodels" else fit_gee(*args)
    beta, se = float(fit.params[index]), float(np.sqrt(max(fit.cov_robust[index, index], 0.0)))
    if not (fit.converged and np.isfinite(beta) and np.isfinite(se) and se > 0):
        return {**result, "not_apt": "not_converged"}
    return {
        **result,
        "rate_ratio": math.exp(beta),
        "rate_ratio_ci": [math.exp(beta - Z95 * se), math.exp(beta + Z95 * se)],
        "log_rate_ratio": beta,
        "se": se,
        "method": f"gee_{chosen}",
        "working_correlation": fit.dep_param,
        "converged": True,
        "not_apt": None,
    }


def _finite(value: float) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


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


def _per_cluster(a: LongArrays, arm: int) -> np.ndarray:
    """Per cluster of an arm: weighted events and days before and after (n × 4)."""
    mine = a.treated == arm
    codes = np.unique(a.codes[mine], return_inverse=True)[1]
    n = int(codes.max()) + 1 if len(codes) else 0
    columns = []
    for period in (0, 1):
        in_period = a.period[mine] == period
        w = a.weight[mine] * in_period
        columns.append(np.bincount(codes, weights=w * a.events[mine], minlength=n))
        columns.append(np.bincount(codes, weights=w * a.days[mine], minlength=n))
    return np.column_stack(columns) if n else np.zeros((0, 4))


def _ratio(sums: np.ndarray) -> np.ndarray:
    """After rate / before rate from summed (e0, d0, e1, d1) columns (nan where undefined)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (sums[..., 2] / sums[..., 3]) / (sums[..., 0] / sums[..., 1])


def bootstrap_rate_ratio(
    long: pd.DataFrame | LongArrays,
    interaction: bool = False,
    n_boot: int = N_BOOTSTRAP,
    seed: int = DEFAULT_SEED,
) -> dict:
    """Ratio of total rates (after/before; team over comparison with ``interaction``) and
    its percentile CI from resampling patients (within arm), seeded and reproducible.

    The CI is None when fewer than 95 % of the resamples give a finite ratio.
    """
    a = _as_arrays(long)
    arms = (1, 0) if interaction else (0,)
    estimates, draws = [], []
    for shift, arm in enumerate(arms):
        cluster_sums = _per_cluster(a, arm)
        estimates.append(_ratio(cluster_sums.sum(axis=0)))
        draws.append(_ratio(resampled_sums(cluster_sums, n_boot, seed + shift)))
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = estimates[0] / estimates[1] if interaction else estimates[0]
        sample = draws[0] / draws[1] if interaction else draws[0]
    return {
        "rate_ratio": float(estimate) if np.isfinite(estimate) else None,
        "rate_ratio_ci": _percentile_ci(sample) if np.isfinite(estimate) else None,
        "method": "bootstrap",
        "n_boot": n_boot,
        "seed": seed,
    }


def _percentile_ci(values: np.ndarray) -> list[float] | None:
    """2.5 and 97.5 percentiles of the finite values (None if under 95 % are finite)."""
    finite = values[np.isfinite(values)]
    if len(finite) == 0 or len(finite) < 0.95 * len(values):
        return None
    return [float(np.percentile(finite, 2.5)), float(np.percentile(finite, 97.5))]


def rate_ratio(
    long: pd.DataFrame | LongArrays,
    interaction: bool = False,
    family: str = "auto",
    n_boot: int = N_BOOTSTRAP,
    seed: int = DEFAULT_SEED,
) -> dict:
    """GEE rate ratio where the model is apt, else the patient bootstrap (see docs)."""
    a = _as_arrays(long)
    model = rate_ratio_model(a, interaction, family)
    if model["not_apt"] is None:
        return model
    boot = bootstrap_rate_ratio(a, interaction, n_boot, seed)
    return {**model, **boot, "fallback_reason": model["not_apt"]}


# ---------------------------------------------------------------------------------------
# One group: crude means with CIs, person-time rates and the before/after rate ratio
# ---------------------------------------------------------------------------------------


def person_time(
    windows: pd.DataFrame, window_days: int, measures: Sequence[str] = MEASURES
) -> dict:
    """Events per 180 days at risk before (always ``window_days`` per patient) and after
    (``person_days_after``: days alive in the after window), for included patients."""
    rows = included(windows)
    days_before = int(window_days) * len(rows)
    days_after = int(rows["person_days_after"].sum())
    result = {
        "n_patients": int(len(rows)),
        "person_days_before": days_before,
        "person_days_after": days_after,
        "measures": {},
    }
    for m in measures:
        before, after = int(rows[f"{m}_before"].sum()), int(rows[f"{m}_after"].sum())
        result["measures"][m] = {
            "before_total": before,
            "after_total": after,
            "rate_before_per_180d": before / days_before * PER_DAYS if days_before else None,
            "rate_after_per_180d": after / days_after * PER_DAYS if days_after else None,
        }
    return result


def _bootstrap_means(rows: pd.DataFrame, window_days: int, measures, n_boot, seed) -> dict:
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
                "before_mean_ci": _percentile_ci(before / n),
                "after_mean_ci": _percentile_ci(after / n),
                "rate_before_per_180d_ci": _percentile_ci(before / days_before * PER_DAYS),
                "rate_after_per_180d_ci": _percentile_ci(after / days_after * PER_DAYS),
            }
    return result


def group_effects(
    windows: pd.DataFrame,
    window_days: int,
    measures: Sequence[str] = MEASURES,
    n_boot: int = N_BOOTSTRAP,
    seed: int = DEFAULT_SEED,
    mean_cis: bool = True,
) -> dict:
    """Per measure for one group's included patients: crude means (with bootstrap CIs),
    rates per 180 days at risk (with CIs) and the before/after rate ratio with its CI.

    Returns {"n_patients", "person_days_before", "person_days_after", "measures": {m: {
    before_total, after_total, before_mean, before_mean_ci, after_mean, after_mean_ci,
    change_pct, rate_before_per_180d(_ci), rate_after_per_180d(_ci), rate_ratio,
    rate_ratio_ci, method, dispersion, nb_alpha, ...}}}.
    """
    rows = included(windows)
    result = person_time(rows, window_days, measures)
    cis = _bootstrap_means(rows, window_days, measures, n_boot, seed) if mean_cis else {}
    n = len(rows)
    for m in measures:
        entry = result["measures"][m]
        entry["before_mean"] = entry["before_total"] / n if n else None
        entry["after_mean"] = entry["after_total"] / n if n else None
        entry["change_pct"] = change_pct(entry["before_mean"], entry["after_mean"]) if n else None
        entry.update(cis.get(m, {}))
        if n:
            long = _wide_arrays(rows, m, window_days)
            entry.update(_public(rate_ratio(long, False, "auto", n_boot, seed)))
        else:
            entry.update({"rate_ratio": None, "rate_ratio_ci": None, "method": None})
    return result


def _public(model: dict) -> dict:
    """A model result without internal keys."""
    return {k: v for k, v in model.items() if k not in ("not_apt",)}


# ---------------------------------------------------------------------------------------
# Difference-in-differences: team × period in one GEE, matched or all comparison patients
# ---------------------------------------------------------------------------------------


def did_long(
    team_windows: pd.DataFrame,
    comparison_windows: pd.DataFrame,
    measure: str,
    window_days: int,
    comparison_weights: Mapping[str, float] | None = None,
    team_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Long data of team (treated = 1, weight 1) and comparison patients (treated = 0,
    weighted by ``comparison_weights`` when given; only those patients are kept)."""
    team_weights = None if team_ids is None else dict.fromkeys(map(str, team_ids), 1.0)
    team = long_counts(team_windows, measure, window_days, 1, team_weights)
    comparison = long_counts(comparison_windows, measure, window_days, 0, comparison_weights)
    return pd.concat([team, comparison], ignore_index=True)


def _weighted_means(a: LongArrays) -> dict:
    """Weighted crude means per patient of each arm and period."""
    cluster_weight = np.zeros(a.n_clusters)
    cluster_weight[a.codes] = a.weight
    cluster_arm = np.full(a.n_clusters, -1)
    cluster_arm[a.codes] = a.treated
    means = {}
    for arm, label in ((1, "team"), (0, "comparison")):
        total = float(cluster_weight[cluster_arm == arm].sum())
        mine = a.treated == arm
        means[label] = {
            key: float(np.sum((a.weight * a.events)[mine & (a.period == p)])) / total
            if total
            else None
            for p, key in ((0, "before_mean"), (1, "after_mean"))
        }
    return means


def did_from_long(
    long: pd.DataFrame | LongArrays,
    comparison: str = "all",
    family: str = "auto",
    n_boot: int = N_BOOTSTRAP,
    seed: int = DEFAULT_SEED,
) -> dict:
    """DiD rate ratio exp(β_team×period) from long data (see ``rate_ratio_model``).

    Returns {"rate_ratio", "ci", "comparison", "n_team", "n_comparison", "method",
    "log_rate_ratio", "se", "dispersion", "nb_alpha", "working_correlation", "means"}.
    """
    a = _as_arrays(long)
    model = rate_ratio(a, True, family, n_boot, seed)
    result = {
        "rate_ratio": model.get("rate_ratio"),
        "ci": model.get("rate_ratio_ci"),
        "comparison": comparison,
        "n_team": len(np.unique(a.codes[a.treated == 1])),
        "n_comparison": len(np.unique(a.codes[a.treated == 0])),
        "method": model.get("method"),
    }
    for key in (
        "log_rate_ratio",
        "se",
        "dispersion",
        "nb_alpha",
        "working_correlation",
        "fallback_reason",
        "n_boot",
        "seed",
    ):
        if key in model:
            result[key] = model[key]
    result["means"] = _weighted_means(a)
    return result


def difference_in_differences(
    team_windows: pd.DataFrame,
    comparison_windows: pd.DataFrame,
    measure: str,
    window_days: int,
    comparison_weights: Mapping[str, float] | None = None,
    team_ids: Sequence[str] | None = None,
    family: str = "auto",
    n_boot: int = N_BOOTSTRAP,
    seed: int = DEFAULT_SEED,
) -> dict:
    """Team × period interaction of a GEE with offset log(days at risk), team vs
    comparison, before vs after. With ``comparison_weights`` (from matching) the
    comparison is "matched" (and ``team_ids`` limits the team to matched patients);
    without, every comparison patient given counts once ("all").
    """
    team = _selected(
        included(team_windows), None if team_ids is None else dict.fromkeys(team_ids, 1.0)
    )
    comparison = _selected(included(comparison_windows), comparison_weights)
    label = "all" if comparison_weights is None else "matched"
    if team[0].empty or comparison[0].empty:
        return {
            "rate_ratio": None, "ci": None, "comparison": label, "n_team": len(team[0]),
            "n_comparison": len(comparison[0]), "method": None, "not_apt": "no_patients",
        }  # fmt: skip
    long = _stack(
        _wide_arrays(team[0], measure, window_days, 1, team[1]),
        _wide_arrays(comparison[0], measure, window_days, 0, comparison[1]),
    )
    return did_from_long(long, label, family, n_boot, seed)


def _selected(rows: pd.DataFrame, weights: Mapping[str, float] | None):
    """The rows named in ``weights`` (all rows when None) and their weights."""
    if weights is None:
        return rows, None
    weight = rows["patient_id"].astype(str).map(weights).to_numpy(float)
    keep = np.isfinite(weight) & (weight > 0)
    return rows[keep], weight[keep]


def matched_did(
    team_windows: pd.DataFrame,
    candidate_windows: pd.DataFrame,
    window_days: int,
    match: matching.MatchResult | None = None,
    measures: Sequence[str] = MEASURES,
    seed: int = DEFAULT_SEED,
) -> dict:
    """Matching summary and, per measure, the DiD against matched and against all
    comparison patients: {"matching": {...}, "measures": {m: {"matched": {...}, "all": {...}}}}.
    """
    if match is None:
        match = matching.match_comparison(team_windows, candidate_windows, measures, seed=seed)
    result = {"matching": match.summary(), "measures": {}}
    for m in measures:
        result["measures"][m] = {
            "matched": difference_in_differences(
                team_windows,
                candidate_windows,
                m,
                window_days,
                match.comparison_weights,
                match.team_ids,
                seed=seed,
            ),
            "all": difference_in_differences(
                team_windows, candidate_windows, m, window_days, seed=seed
            ),
        }
    return result


# ---------------------------------------------------------------------------------------
# Event study: monthly use around the index date from the raw contacts
# ---------------------------------------------------------------------------------------

_MONTHS_SQL = """
CREATE TABLE months AS
SELECT p.patient_id, p.label, p.weight, t.m AS month,
       c.index_date + CAST(t.m * $month_days AS INTEGER) AS m_start,
       c.index_date + CAST(t.m * $month_days + $month_days - 1 AS INTEGER) AS m_end,
       (c.death_date IS NULL
        OR c.death_date > c.index_date + CAST(t.m * $month_days AS INTEGER)) AS alive
FROM patients_df p JOIN cohort c ON c.patient_id = CAST(p.patient_id AS VARCHAR)
CROSS JOIN range($first_month, $last_month + 1) t(m)
"""

# The measures of CONTRACT.md §2 counted per month (same rules as consumption._EVENTS_SQL).
_MONTH_EVENTS_SQL = (
    "WITH "
    + EVENT_DEFINITIONS_SQL
    + """,
counted AS (
    SELECT m.label, m.month, e.measure, sum(m.weight) AS value
    FROM months m JOIN point_events e
      ON e.patient_id = m.patient_id AND e.day BETWEEN m.m_start AND m.m_end
    GROUP BY ALL
    UNION ALL
    SELECT m.label, m.month, 'inpatient_days',
           sum(m.weight * greatest(
               least(s.end_date, m.m_end + 1) - greatest(s.start_date, m.m_start), 0))
    FROM months m JOIN stays s
      ON s.patient_id = m.patient_id AND s.start_date <= m.m_end AND s.end_date > m.m_start
    GROUP BY ALL
)
SELECT label, month, measure, sum(value) AS value FROM counted GROUP BY ALL
"""
)


def _load_raw(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    """Typed views ``cohort`` and ``contacts`` over the dataset's raw tables."""
    cohort_source = _source(con, find_table(data_dir, "cohort"))
    has_kommun = "kommun" in con.sql(f"SELECT * FROM {cohort_source} LIMIT 0").columns
    kommun = "NULLIF(CAST(kommun AS VARCHAR), '')" if has_kommun else "CAST(NULL AS VARCHAR)"
    con.execute(_COHORT_SQL.format(kommun=kommun, source=cohort_source))
    con.execute(_CONTACTS_SQL.format(source=_source(con, find_table(data_dir, "contacts"))))


def event_study(
    data_dir: Path,
    patients: pd.DataFrame,
    measures: Sequence[str] = MEASURES,
    months_before: int = 6,
    months_after: int = 6,
    month_days: int = MONTH_DAYS,
) -> dict:
    """Mean events per patient alive in each 30-day month around the index date.

    ``patients`` has columns patient_id, group (any label, e.g. "HSVT" and
    "HSVT_matched_comparison") and optionally weight (default 1). Month m covers days
    index + 30m … index + 30m + 29 (m = −months_before … months_after − 1); a patient is
    alive in month m when not dead before its first day. Returns {label: {"months": [...],
    "n_alive": [...], "weighted_alive": [...], "measures": {m: [mean per patient alive]}}}.
    """
    frame = pd.DataFrame(
        {
            "patient_id": patients["patient_id"].astype(str).to_numpy(),
            "label": patients["group"].astype(str).to_numpy(),
            "weight": np.asarray(patients.get("weight", 1.0), float) * np.ones(len(patients)),
        }
    )
    params = {
        "month_days": month_days,
        "first_month": -months_before,
        "last_month": months_after - 1,
    }
    con = duckdb.connect()
    # Weighted float sums: one thread keeps their order, and so the last digits, identical
    # from run to run (reviewers compare results.json byte for byte).
    con.execute("SET threads = 1")
    try:
        _load_raw(con, Path(data_dir))
        con.register("patients_df", frame)
        con.execute(_MONTHS_SQL, params)
        alive = con.sql(
            "SELECT label, month, sum(alive::INTEGER) AS n_alive,"
            " sum(weight * alive::INTEGER) AS weighted_alive FROM months GROUP BY ALL"
        ).df()
        events = con.execute(_MONTH_EVENTS_SQL, {"readmission_days": READMISSION_DAYS}).df()
    finally:
        con.close()
    return _event_study_result(alive, events, measures, range(-months_before, months_after))


def _event_study_result(alive: pd.DataFrame, events: pd.DataFrame, measures, months) -> dict:
    months = list(months)
    result = {}
    for label in sorted(alive["label"].unique()):
        counts = alive[alive["label"] == label].set_index("month").reindex(months, fill_value=0)
        denominators = counts["weighted_alive"].to_numpy(float)
        entry = {
            "months": months,
            "n_alive": [int(v) for v in counts["n_alive"]],
            "weighted_alive": [float(v) for v in denominators],
            "measures": {},
        }
        mine = events[events["label"] == label]
        for m in measures:
            values = mine[mine["measure"] == m].set_index("month")["value"]
            totals = values.reindex(months, fill_value=0).to_numpy(float)
            entry["measures"][m] = [
                float(t / d) if d > 0 else None for t, d in zip(totals, denominators, strict=True)
            ]
        result[label] = entry
    return result


def event_study_patients(match: matching.MatchResult, team_group: str) -> pd.DataFrame:
    """Patients frame for ``event_study``: matched team patients (label ``team_group``,
    weight 1) and their comparison patients (label ``<team_group>_matched_comparison``)."""
    team = pd.DataFrame({"patient_id": match.team_ids, "group": team_group, "weight": 1.0})
    comparison = pd.DataFrame(
        {
            "patient_id": list(match.comparison_weights),
            "group": f"{team_group}_matched_comparison",
            "weight": list(match.comparison_weights.values()),
        }
    )
    return pd.concat([team, comparison], ignore_index=True)


# ---------------------------------------------------------------------------------------
# Subgroups and window-length sensitivity
# ---------------------------------------------------------------------------------------


def _subgroup_columns(rows: pd.DataFrame) -> dict[str, pd.Series]:
    index_year = pd.to_datetime(rows["index_date"]).dt.year
    age = (index_year - rows["birth_year"].astype(int)).astype(float)
    columns = {"sex": rows["sex"].astype(str), "age_band": matching.age_band(age)}
    if "kommun" in rows.columns and rows["kommun"].notna().any():
        columns["kommun"] = rows["kommun"].astype("string").fillna("(okänd)").astype(str)
    return columns


def subgroup_effects(
    windows: pd.DataFrame,
    window_days: int,
    measures: Sequence[str] = MEASURES,
    n_boot: int = N_BOOTSTRAP,
    seed: int = DEFAULT_SEED,
) -> dict:
    """Crude means and before/after rate ratio per subgroup of one group's patients:
    {"sex": {"F": {...}, "M": {...}}, "age_band": {"<75": ...}, "kommun": {...}}, each
    entry shaped like ``group_effects`` (without CIs of the means)."""
    rows = included(windows)
    result: dict = {}
    for name, values in _subgroup_columns(rows).items():
        result[name] = {
            str(level): group_effects(
                rows[values.to_numpy() == level],
                window_days,
                measures,
                n_boot,
                seed,
                mean_cis=False,
            )
            for level in sorted(values.unique())
        }
    return result


def window_sensitivity(
    windows_by_length: Mapping[int, pd.DataFrame],
    team_group: str,
    area_id: str | None = None,
    measures: Sequence[str] = MEASURES,
    seed: int = DEFAULT_SEED,
) -> dict:
    """The main estimates for each window length (e.g. 90, 180, 365 days).

    Each table holds the region's patients (``patient_windows`` for that length); the team
    is ``team_group`` (in ``area_id`` when given), the candidates every comparison patient.
    Returns {"<days>": {"n_patients", "measures": {m: {before_mean, after_mean,
    rate_ratio, rate_ratio_ci, method, did_matched: {...}, did_all: {...}}}}}.
    """
    result = {}
    for days, windows in sorted(windows_by_length.items()):
        team = windows[windows["group"] == team_group]
        if area_id is not None:
            team = team[team["area_id"] == area_id]
        candidates = windows[windows["group"] == "comparison"]
        effects = group_effects(team, days, measures, seed=seed, mean_cis=False)
        did = matched_did(team, candidates, days, measures=measures, seed=seed)
        entry = {"n_patients": effects["n_patients"], "matching": did["matching"], "measures": {}}
        for m in measures:
            keep = ("before_mean", "after_mean", "rate_ratio", "rate_ratio_ci", "method")
            entry["measures"][m] = {k: effects["measures"][m].get(k) for k in keep}
            entry["measures"][m]["did_matched"] = did["measures"][m]["matched"]
            entry["measures"][m]["did_all"] = did["measures"][m]["all"]
        result[str(days)] = entry
    return result


# ---------------------------------------------------------------------------------------
# Everything for one area
# ---------------------------------------------------------------------------------------


def area_effects(
    windows: pd.DataFrame,
    window_days: int,
    area_id: str,
    measures: Sequence[str] = MEASURES,
    seed: int = DEFAULT_SEED,
) -> dict:
    """The ``effects`` block of one area's results.json.

    ``windows`` holds the whole region (all areas): the area's groups are described, and
    each team group is compared with the region's comparison patients (matched and all).
    Returns {"window_days", "groups": {g: group_effects}, "did": {team_group:
    matched_did}, "subgroups": {g: subgroup_effects}}. Patient-level matches are not
    included (see ``matching.MatchResult.pairs``).
    """
    area = windows[windows["area_id"] == area_id]
    candidates = windows[windows["group"] == "comparison"]
    result: dict = {"window_days": window_days, "groups": {}, "did": {}, "subgroups": {}}
    for group in GROUPS:
        rows = area[area["group"] == group]
        if not included(rows).empty:
            result["groups"][group] = group_effects(rows, window_days, measures, seed=seed)
            result["subgroups"][group] = subgroup_effects(rows, window_days, measures, seed=seed)
            if group in TEAM_GROUPS and not included(candidates).empty:
                result["did"][group] = matched_did(
                    rows, candidates, window_days, measures=measures, seed=seed
                )
    return result
