"""The block-wise leave-one-out solve and the two-period closed form of the fixed-effects
Poisson give what the straightforward computations give: a dense solve per patient of the
stacked equations, and the general multinomial fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from narvard.domain import MEASURES
from narvard.stats import did
from narvard.stats.leave_one_out import Equations, leave_one_out
from narvard.stats.poisson import fit_fixed_effects_poisson, patient_scores, two_period_design


def dense_parts(eq: Equations) -> tuple[np.ndarray, np.ndarray]:
    """ψ_i and A_i of every patient as full vectors and matrices (the reference layout)."""
    n, nt = len(eq.weights), eq.n_team
    k = 0 if eq.team_u is None else eq.team_u.shape[1]
    p = eq.scores[0].shape[1]
    size = 2 * k + p * len(eq.scores)
    psi, parts = np.zeros((n, size)), np.zeros((n, size, size))
    e = eq.weights[nt:]
    if k:
        mu = eq.team_u.mean(axis=0)
        psi[:nt, :k] = eq.team_u - mu
        psi[nt:, k : 2 * k] = e[:, None] * (eq.pool_u - mu)
        parts[:nt, :k, :k] = -np.eye(k)
        parts[nt:, k : 2 * k, :k] = -e[:, None, None] * np.eye(k)
        parts[nt:, k : 2 * k, k : 2 * k] = np.einsum("i,ia,ib->iab", e, eq.pool_u - mu, eq.pool_u)
    for j, (scores, info) in enumerate(zip(eq.scores, eq.info, strict=True)):
        block = slice(2 * k + j * p, 2 * k + (j + 1) * p)
        psi[:, block] = eq.weights[:, None] * scores
        parts[:, block, block] = -eq.weights[:, None, None] * info
        if k:
            parts[nt:, block, k : 2 * k] = np.einsum("i,ia,ib->iab", e, scores[nt:], eq.pool_u)
    return psi, parts


def equations(design: did.Design) -> Equations:
    fits, arrays = {}, {}
    for m in MEASURES:
        arrays[m] = did._stacked(design, m)
        fits[m] = fit_fixed_effects_poisson(*arrays[m])
    pieces = [patient_scores(*arrays[m][:3], fits[m].beta) for m in MEASURES]
    balanced = design.balance is not None and design.balance.balanced
    team_u, pool_u = did._standardised(design.balance) if balanced else (None, None)
    weights = np.r_[np.ones(len(design.team)), design.weights]
    return Equations(
        len(design.team), weights, [s for s, _ in pieces], [i for _, i in pieces], team_u, pool_u
    )


W = 180


def arm(n: int, group: str, rng: np.random.Generator, level: float, effect: float):
    """n patients of one arm; every measure at ``level`` × frailty per window, the after
    window × ``effect``, days alive after between 20 and W."""
    index = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 540, n), unit="D")
    frailty = rng.gamma(2.0, 0.5, n) * level
    days = rng.integers(20, W + 1, n)
    frame = pd.DataFrame(
        {
            "patient_id": [f"{group}-{i}" for i in range(n)],
            "group": group,
            "included": True,
            "history_observed": True,
            "index_date": index,
            "birth_year": index.year - rng.integers(66, 100, n),
            "sex": rng.choice(["F", "M"], n),
            "person_days_after": days,
        }
    )
    for m in MEASURES:
        frame[f"{m}_history"] = rng.poisson(frailty)
        frame[f"{m}_before"] = rng.poisson(frailty * 3)
        frame[f"{m}_after"] = rng.poisson(frailty * effect * days / W)
    return frame


def cohort(seed: int, effect: float = 0.7):
    """Frailer team patients (2× level) with a planted effect; comparison patients without."""
    rng = np.random.default_rng(seed)
    return arm(300, "HSVT", rng, 2.0, effect), arm(700, "comparison", rng, 1.0, 1.0)


@pytest.mark.parametrize("comparison", ["balanced", "all"])
def test_block_solve_equals_a_dense_solve_per_patient(comparison):
    team, pool = cohort(seed=3)
    eq = equations(did.design(team, pool, W, comparison))
    assert (eq.team_u is not None) == (comparison == "balanced")
    psi, parts = dense_parts(eq)
    expected = did._leave_one_out(psi, parts)
    got = leave_one_out(eq)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12 * np.abs(expected).max())


def test_block_solve_uses_the_sandwich_where_the_dense_solve_does(monkeypatch):
    """A comparison patient alone in an age band: leaving them out is (nearly) singular."""
    from narvard.stats import balance as bal

    monkeypatch.setattr(bal, "MIN_LEVEL", 1)
    team, pool = cohort(seed=8)
    pool["birth_year"] = pool["index_date"].dt.year - 75
    team["birth_year"] = team["index_date"].dt.year - np.where(np.arange(300) < 30, 96, 75)
    pool.loc[0, "birth_year"] = pool.loc[0, "index_date"].year - 96
    eq = equations(did.design(team, pool, W))
    psi, parts = dense_parts(eq)
    expected = did._leave_one_out(psi, parts)
    got = leave_one_out(eq)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12 * np.abs(expected).max())


def test_the_interval_of_a_planted_effect_is_unchanged_by_the_block_solve():
    team, pool = cohort(seed=11)
    design = did.design(team, pool, W)
    estimate = did.estimates(design, MEASURES)[0]["er_visits"]
    eq = equations(design)
    psi, parts = dense_parts(eq)
    k = 0 if eq.team_u is None else eq.team_u.shape[1]
    j = list(MEASURES).index("er_visits")
    column = did._leave_one_out(psi, parts)[:, 2 * k + 2 * j + 1]
    se = float(np.sqrt(column @ column))
    assert estimate["se"] == pytest.approx(se, rel=1e-9)
    assert estimate["rate_ratio"] == pytest.approx(0.7, rel=0.2)  # the planted effect


def test_two_period_closed_form_equals_the_multinomial_fit():
    """A third period with no days at risk leaves the likelihood unchanged but sends the fit
    through the general (multinomial) code."""
    rng = np.random.default_rng(5)
    n = 400
    treated = (np.arange(n) < 150).astype(float)
    level = rng.gamma(2.0, 0.5, n)
    days = np.column_stack([np.full(n, 180.0), rng.integers(1, 181, n).astype(float)])
    events = np.column_stack(
        [rng.poisson(level * 2), rng.poisson(level * 2 * days[:, 1] / 180 * np.exp(-0.4 * treated))]
    )
    weights = rng.uniform(0.5, 2.0, n)
    two = fit_fixed_effects_poisson(events, days, two_period_design(treated), weights)
    x3 = np.concatenate([two_period_design(treated), np.zeros((n, 1, 2))], axis=1)
    three = fit_fixed_effects_poisson(
        np.c_[events, np.zeros(n)], np.c_[days, np.zeros(n)], x3, weights
    )
    np.testing.assert_allclose(two.beta, three.beta, rtol=1e-10)
    np.testing.assert_allclose(two.cov, three.cov, rtol=1e-9)
    np.testing.assert_allclose(two.influence, three.influence, rtol=1e-9, atol=1e-15)
    s2, i2 = patient_scores(events, days, two_period_design(treated), two.beta)
    s3, i3 = patient_scores(np.c_[events, np.zeros(n)], np.c_[days, np.zeros(n)], x3, two.beta)
    np.testing.assert_allclose(s2, s3, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(i2, i3, rtol=1e-9, atol=1e-12)
    assert two.beta[1] == pytest.approx(-0.4, abs=0.2)
