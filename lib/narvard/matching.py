"""Matched comparison patients for the team groups (issue 3; method in docs/effects.md).

Every team patient (HSVT or NSVT) is matched to comparison patients of the same region:

1. exactly on sex, age band (<75, 75–84, 85+; age = index year − birth year) and index year;
2. inside a propensity caliper: |difference in the logit of the propensity score| at most
   ``caliper_sd`` (0.2) standard deviations of that logit (Austin 2011);
3. to the ``n_neighbours`` (3) nearest eligible candidates on the before-window level of
   every measure and on age (root mean square of standardised differences of
   log(1 + count), count and age), with replacement; ties are broken by a seeded shuffle.

A team patient without an eligible candidate stays unmatched (counted, never silently
dropped). Each matched team patient has weight 1 and gives ``1 / m`` to each of its ``m``
matches; a comparison patient reused by several team patients adds up the weights.
Optionally (default on) these matching weights are then calibrated by entropy balancing so
that the weighted comparison means equal the matched team means of every balance variable.

The difference-in-differences keeps one cluster per comparison patient and uses these
weights (``narvard.effects``), so reuse shows in the robust standard errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from narvard.consumption import MEASURES

AGE_BANDS = ("<75", "75–84", "85+")
EXACT_KEYS = ("sex", "age_band", "index_year")
N_NEIGHBOURS = 3
CALIPER_SD = 0.2
DEFAULT_SEED = 20240903
SMD_TARGET = 0.1


@dataclass
class MatchResult:
    """Matched pairs, comparison weights and the balance table of one team group.

    ``pairs`` is patient-level (team_id, comparison_id, weight): use it for analysis, never
    publish it. ``summary()`` is the aggregate, JSON-ready part for results.json.
    """

    pairs: pd.DataFrame
    team_ids: list[str]
    unmatched_team_ids: list[str]
    comparison_weights: dict[str, float]
    balance: list[dict]
    settings: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """Counts, settings and balance table (no patient ids)."""
        worst = max_abs_smd(self.balance)
        return {
            "n_team": len(self.team_ids) + len(self.unmatched_team_ids),
            "n_team_matched": len(self.team_ids),
            "n_team_unmatched": len(self.unmatched_team_ids),
            "n_comparison_used": len(self.comparison_weights),
            "comparison_effective_n": effective_n(list(self.comparison_weights.values())),
            "n_pairs": int(len(self.pairs)),
            "max_abs_smd_after": worst,
            "balanced": worst is not None and worst < SMD_TARGET,
            "balance": self.balance,
            "settings": self.settings,
        }


def effective_n(weights: Sequence[float]) -> float | None:
    """Kish's effective sample size (Σw)² / Σw² of weighted patients."""
    w = np.asarray(weights, float)
    return float(w.sum() ** 2 / np.sum(w**2)) if len(w) and np.any(w > 0) else None


def age_band(age: pd.Series) -> pd.Series:
    """'<75', '75–84' or '85+' for each age in whole years."""
    bands = np.select([age < 75, age < 85], list(AGE_BANDS[:2]), AGE_BANDS[2])
    return pd.Series(bands, index=age.index, dtype=object)


def patient_features(windows: pd.DataFrame, measures: Sequence[str] = MEASURES) -> pd.DataFrame:
    """Matching and balance variables per patient, indexed by patient_id.

    Columns: sex, woman (0/1), age, age_band, index_year and ``<measure>_before``.
    """
    index_year = pd.to_datetime(windows["index_date"]).dt.year.astype(int)
    age = (index_year - windows["birth_year"].astype(int)).astype(float)
    features = pd.DataFrame(
        {
            "sex": windows["sex"].astype(str).to_numpy(),
            "woman": (windows["sex"] == "F").astype(float).to_numpy(),
            "age": age.to_numpy(),
            "age_band": age_band(age).to_numpy(),
            "index_year": index_year.to_numpy(),
        },
        index=pd.Index(windows["patient_id"].astype(str), name="patient_id"),
    )
    for measure in measures:
        features[f"{measure}_before"] = windows[f"{measure}_before"].astype(float).to_numpy()
    return features


def _standardise(x: np.ndarray) -> np.ndarray:
    """Centre each column and scale it by its SD (columns without spread are only centred)."""
    sd = x.std(axis=0, ddof=1) if len(x) > 1 else np.ones(x.shape[1])
    sd = np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)
    return (x - x.mean(axis=0)) / sd


def _level_features(features: pd.DataFrame, measures: Sequence[str]) -> np.ndarray:
    """Before-window levels (log(1 + count) and count) of every measure, and age."""
    counts = features[[f"{m}_before" for m in measures]].to_numpy(float)
    return np.column_stack([np.log1p(counts), counts, features["age"].to_numpy(float)])


def propensity_logit(
    features: pd.DataFrame, is_team: np.ndarray, measures: Sequence[str] = MEASURES
) -> np.ndarray:
    """Linear predictor of a logistic model of team membership (Newton, tiny ridge).

    Covariates (standardised): the before-window levels and age, and indicators of sex, age
    band and index year. The ridge (1e-3) keeps the fit finite under separation.
    """
    dummies = pd.get_dummies(features[list(EXACT_KEYS)].astype(str), drop_first=True)
    x = np.column_stack([_level_features(features, measures), dummies.to_numpy(float)])
    x = np.column_stack([np.ones(len(x)), _standardise(x)])
    beta = np.zeros(x.shape[1])
    penalty = 1e-3 * np.eye(len(beta))
    penalty[0, 0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.einsum("ij,j->i", x, beta)))
        gradient = np.einsum("ij,i->j", x, is_team - p) - penalty @ beta
        hessian = np.einsum("ij,ik->jk", x * (p * (1 - p))[:, None], x) + penalty
        step = np.linalg.solve(hessian + 1e-10 * np.eye(len(beta)), gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    return np.einsum("ij,j->i", x, beta)


def _eligible_nearest(
    logit_t: np.ndarray,
    logit_c: np.ndarray,
    level_t: np.ndarray,
    level_c: np.ndarray,
    width: float,
    n_neighbours: int,
) -> list[np.ndarray]:
    """Per team row: candidate rows inside the caliper, nearest on the levels first."""
    distance = np.sqrt(((level_t[:, None, :] - level_c[None, :, :]) ** 2).mean(axis=2))
    distance[np.abs(logit_t[:, None] - logit_c[None, :]) > width] = np.inf
    order = np.argsort(distance, axis=1, kind="stable")[:, :n_neighbours]
    return [row[np.isfinite(distance[i, row])] for i, row in enumerate(order)]


def _match_pairs(
    team: pd.DataFrame,
    candidates: pd.DataFrame,
    measures: Sequence[str],
    n_neighbours: int,
    caliper_sd: float,
    seed: int,
) -> pd.DataFrame:
    """Rows (team_id, comparison_id, weight) of all matches, stratum by stratum."""
    # A seeded shuffle of the candidates breaks distance ties reproducibly but not by id.
    candidates = candidates.iloc[np.random.default_rng(seed).permutation(len(candidates))]
    pooled = pd.concat([team, candidates])
    logit = propensity_logit(pooled, np.r_[np.ones(len(team)), np.zeros(len(candidates))], measures)
    width = caliper_sd * float(np.std(logit, ddof=1))
    level = _standardise(_level_features(pooled, measures))
    n_t = len(team)
    keys = pooled.groupby(list(EXACT_KEYS), sort=True).ngroup().to_numpy()
    team_keys, cand_keys = keys[:n_t], keys[n_t:]
    team_ids = team.index.to_numpy(dtype=object)
    cand_ids = candidates.index.to_numpy(dtype=object)
    parts = []
    for key in np.unique(team_keys):
        t_rows, c_rows = np.flatnonzero(team_keys == key), np.flatnonzero(cand_keys == key)
        if len(c_rows) == 0:
            continue
        chosen = _eligible_nearest(
            logit[t_rows],
            logit[n_t + c_rows],
            level[t_rows],
            level[n_t + c_rows],
            width,
            n_neighbours,
        )
        sizes = np.array([len(picks) for picks in chosen])
        if sizes.sum() == 0:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "team_id": np.repeat(team_ids[t_rows], sizes),
                    "comparison_id": cand_ids[c_rows[np.concatenate(chosen)]],
                    "weight": np.repeat(1.0 / np.maximum(sizes, 1), sizes),
                }
            )
        )
    if parts:
        return pd.concat(parts, ignore_index=True)
    return pd.DataFrame({"team_id": [], "comparison_id": [], "weight": []})


def entropy_balance(
    x: np.ndarray, base_weights: np.ndarray, target: np.ndarray, max_iter: int = 100
) -> np.ndarray | None:
    """Weights closest to ``base_weights`` (in Kullback–Leibler) whose weighted column
    means equal ``target`` (Hainmueller 2012); same total as ``base_weights``.

    Columns without spread are left out. None when the target cannot be reached.
    """
    spread = x.std(axis=0) > 0
    z = (x[:, spread] - target[spread]) / x[:, spread].std(axis=0)
    lam = np.zeros(z.shape[1])
    prior = base_weights / base_weights.sum()

    def dual(values: np.ndarray) -> float:
        eta = np.einsum("ij,j->i", z, values)
        return float(np.log(np.sum(prior * np.exp(eta - eta.max()))) + eta.max())

    for _ in range(max_iter):
        eta = np.einsum("ij,j->i", z, lam)
        p = prior * np.exp(eta - eta.max())
        p /= p.sum()
        gradient = np.einsum("i,ij->j", p, z)
        if np.max(np.abs(gradient)) < 1e-8:
            return p * base_weights.sum()
        hessian = np.einsum("ij,ik->jk", z * p[:, None], z) - np.outer(gradient, gradient)
        step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        size, current = 1.0, dual(lam)
        while dual(lam - size * step) > current and size > 1e-8:
            size /= 2
        lam -= size * step
    return None


def _balance_variables(measures: Sequence[str]) -> list[str]:
    return ["age", "woman", "index_year"] + [f"{m}_before" for m in measures]


def _calibrate(
    matched_team: pd.DataFrame, candidates: pd.DataFrame, weights: pd.Series, measures
) -> pd.Series | None:
    """Entropy-balanced comparison weights (None when balancing fails)."""
    variables = _balance_variables(measures)
    x = candidates.loc[weights.index, variables].to_numpy(float)
    target = matched_team[variables].to_numpy(float).mean(axis=0)
    balanced = entropy_balance(x, weights.to_numpy(float), target)
    return None if balanced is None else pd.Series(balanced, index=weights.index)


def match_comparison(
    team_windows: pd.DataFrame,
    candidate_windows: pd.DataFrame,
    measures: Sequence[str] = MEASURES,
    n_neighbours: int = N_NEIGHBOURS,
    caliper_sd: float = CALIPER_SD,
    calibrate: bool = True,
    seed: int = DEFAULT_SEED,
) -> MatchResult:
    """Match team patients to comparison candidates of the same region (with replacement).

    Both inputs are per-patient windows tables (``narvard.consumption.patient_windows``);
    only included patients are used when an ``included`` column exists. Deterministic for
    a given seed.
    """
    team = patient_features(_included(team_windows), measures)
    candidates = patient_features(_included(candidate_windows), measures)
    pairs = _match_pairs(team, candidates, measures, n_neighbours, caliper_sd, seed)
    matching_weights = pairs.groupby("comparison_id", sort=True)["weight"].sum()
    matched = sorted(set(pairs["team_id"]))
    final, calibrated = matching_weights, False
    if calibrate and len(matched) > 0:
        balanced = _calibrate(team.loc[matched], candidates, matching_weights, measures)
        if balanced is not None:
            final, calibrated = balanced, True
            factor = (balanced / matching_weights).reindex(pairs["comparison_id"]).to_numpy()
            pairs = pairs.assign(weight=pairs["weight"].to_numpy() * factor)
    balance = balance_table(team, candidates, team.loc[matched], matching_weights, final, measures)
    return MatchResult(
        pairs=pairs.sort_values(["team_id", "comparison_id"]).reset_index(drop=True),
        team_ids=matched,
        unmatched_team_ids=sorted(set(team.index) - set(matched)),
        comparison_weights={str(k): float(v) for k, v in final.items()},
        balance=balance,
        settings={
            "exact": list(EXACT_KEYS),
            "propensity_caliper_sd": caliper_sd,
            "nearest_on": [f"{m}_before" for m in measures] + ["age"],
            "n_neighbours": n_neighbours,
            "replacement": True,
            "calibrated": calibrated,
            "seed": seed,
        },
    )


def _included(windows: pd.DataFrame) -> pd.DataFrame:
    if "included" in windows.columns:
        return windows[windows["included"].astype(bool)]
    return windows


def _weighted_mean_var(values: np.ndarray, weights: np.ndarray | None) -> tuple[float, float]:
    """Weighted mean and variance (weights as frequencies, n − 1 in the denominator)."""
    weights = np.ones(len(values)) if weights is None else weights
    total = weights.sum()
    mean = float(np.sum(weights * values) / total)
    denominator = total - 1.0
    var = float(np.sum(weights * (values - mean) ** 2) / denominator) if denominator > 0 else 0.0
    return mean, var


def standardized_mean_difference(
    team_values: np.ndarray,
    comparison_values: np.ndarray,
    comparison_weights: np.ndarray | None = None,
    pooled_sd: float | None = None,
) -> float | None:
    """(mean_team − mean_comparison) / sqrt((var_team + var_comparison) / 2).

    ``comparison_weights`` gives a weighted comparison mean (after matching). ``pooled_sd``
    overrides the denominator; the balance table passes the SD before matching so that
    the rows before and after matching share one unit. None where the SD is 0 but the
    means differ.
    """
    mean_t, var_t = _weighted_mean_var(np.asarray(team_values, float), None)
    weights = None if comparison_weights is None else np.asarray(comparison_weights, float)
    mean_c, var_c = _weighted_mean_var(np.asarray(comparison_values, float), weights)
    sd = pooled_sd if pooled_sd is not None else float(np.sqrt((var_t + var_c) / 2.0))
    difference = mean_t - mean_c
    if sd > 0:
        return float(difference / sd)
    return 0.0 if difference == 0 else None


def _smd_row(variable, team, candidates, matched_team, weights_by_stage) -> dict:
    t_all, c_all = team[variable].to_numpy(float), candidates[variable].to_numpy(float)
    sd = float(
        np.sqrt((_weighted_mean_var(t_all, None)[1] + _weighted_mean_var(c_all, None)[1]) / 2)
    )
    row = {
        "variable": "share_women" if variable == "woman" else variable,
        "mean_team": float(t_all.mean()),
        "mean_comparison": float(c_all.mean()),
        "smd_before": standardized_mean_difference(t_all, c_all, pooled_sd=sd),
    }
    row["mean_team_matched"] = float(matched_team[variable].mean())
    for stage, weights in weights_by_stage.items():
        values = candidates.loc[weights.index, variable].to_numpy(float)
        row[f"mean_comparison_{stage}"] = float(np.average(values, weights=weights.to_numpy()))
        row[f"smd_{stage}"] = standardized_mean_difference(
            matched_team[variable].to_numpy(float), values, weights.to_numpy(float), sd
        )
    return row


def balance_table(
    team: pd.DataFrame,
    candidates: pd.DataFrame,
    matched_team: pd.DataFrame,
    matching_weights: pd.Series,
    final_weights: pd.Series | None = None,
    measures: Sequence[str] = MEASURES,
) -> list[dict]:
    """Standardised mean differences of age, share of women, index year and each
    before-window measure: before matching (all team vs all candidates), ``matched``
    (matching weights) and ``after`` (final weights, calibrated when calibration ran).

    Inputs are ``patient_features`` frames; weights are indexed by comparison patient_id.
    The SD before matching is the unit of every row (so rows are comparable).
    """
    final_weights = matching_weights if final_weights is None else final_weights
    rows = []
    for variable in _balance_variables(measures):
        if len(team) == 0 or len(candidates) == 0 or len(matched_team) == 0:
            rows.append({"variable": variable, "smd_before": None, "smd_after": None})
            continue
        stages = {"matched": matching_weights, "after": final_weights}
        rows.append(_smd_row(variable, team, candidates, matched_team, stages))
    return rows


def max_abs_smd(balance: list[dict]) -> float | None:
    """Largest |SMD| after matching over the balance table (None if none computed)."""
    values = [abs(row["smd_after"]) for row in balance if row.get("smd_after") is not None]
    return max(values) if values else None
