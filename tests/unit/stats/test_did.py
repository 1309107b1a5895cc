"""The adjusted effect's design: which windows, which patients, and that it finds the truth
where regression to the mean fools the before window."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from narvard.domain import MEASURES
from narvard.stats import did

W = 180


def windows(n: int, group: str, seed: int, **columns) -> pd.DataFrame:
    """A windows table of n patients (every measure 0 unless given)."""
    rng = np.random.default_rng(seed)
    index = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 540, n), unit="D")
    frame = pd.DataFrame(
        {
            "patient_id": [f"{group[0]}{seed}-{i}" for i in range(n)],
            "area_id": "a",
            "group": group,
            "included": True,
            "history_observed": True,
            "index_date": index,
            "birth_year": index.year - rng.integers(70, 100, n),
            "sex": rng.choice(["F", "M"], n),
            "person_days_after": W,
        }
    )
    for m in MEASURES:
        for period in ("history", "before", "after"):
            frame[f"{m}_{period}"] = 0
    for name, values in columns.items():
        frame[name] = values
    return frame


def crisis_cohort(seed: int, effect: float, n_team=600, n_pool=1500):
    """Team patients enrolled at a crisis (3× use in the before window only), frailer than
    comparison patients (2× level); the comparison has no crisis. Effect on the team's
    after window: ``effect``."""
    rng = np.random.default_rng(seed)

    def arm(n, level, crisis, ratio, group, seed_offset):
        frailty = rng.gamma(2.0, 0.5, n) * level
        return windows(
            n,
            group,
            seed + seed_offset,
            er_visits_history=rng.poisson(frailty),
            er_visits_before=rng.poisson(frailty * crisis),
            er_visits_after=rng.poisson(frailty * ratio),
        )

    return arm(n_team, 2.0, 3.0, effect, "HSVT", 0), arm(n_pool, 1.0, 1.0, 1.0, "comparison", 1)


def test_history_baseline_recovers_the_planted_effect_where_the_before_window_fails():
    team, pool = crisis_cohort(seed=1, effect=0.8)
    default = did.estimate(did.design(team, pool, W), "er_visits")
    assert default["ci"][0] < 0.8 < default["ci"][1]
    assert default["baseline"] == "history" and default["comparison"] == "balanced"
    naive = did.estimate(did.design(team, pool, W, baseline="before"), "er_visits")
    assert naive["ci"][1] < 0.4  # the crisis in the before window reads as a 70 % drop


def test_no_effect_reads_as_no_effect_over_seeds():
    significant = 0
    for seed in range(30):
        team, pool = crisis_cohort(seed=seed, effect=1.0, n_team=300, n_pool=600)
        low, high = did.estimate(did.design(team, pool, W), "er_visits")["ci"]
        significant += high < 1 or low > 1
    assert significant <= 4  # 5 % nominal: 1.5 expected


def test_identical_groups_give_exactly_one():
    team, _ = crisis_cohort(seed=3, effect=0.7)
    pool = team.assign(group="comparison", patient_id="c" + team["patient_id"])
    result = did.estimate(did.design(team, pool, W), "er_visits")
    assert result["rate_ratio"] == pytest.approx(1.0, abs=1e-9)


def test_patients_without_a_baseline_window_are_left_out_and_counted():
    team, pool = crisis_cohort(seed=4, effect=1.0, n_team=100, n_pool=200)
    team.loc[:9, "history_observed"] = False
    team.loc[10:14, "included"] = False
    design = did.design(team, pool, W)
    assert (len(design.team), len(design.pool)) == (85, 200)
    summary = design.summary(MEASURES)
    assert (summary["n_team"], summary["n_comparison"]) == (85, 200)
    assert summary["balanced_on"] and summary["max_abs_smd_after"] < 0.1
    json.dumps(summary)


def test_rates_per_180_days_by_hand():
    # Team: two patients, baseline ER 1 and 3, after 2 and 0 with 90 and 180 days alive:
    # baseline rate 4 / 360 × 180 = 2, after rate 2 / 270 × 180 = 1.33.
    team = windows(2, "HSVT", 0, er_visits_history=[1, 3], er_visits_after=[2, 0])
    team["person_days_after"] = [90, 180]
    pool = windows(2, "comparison", 1, er_visits_history=[2, 2], er_visits_after=[2, 2])
    result = did.estimate(did.design(team, pool, W, comparison="all"), "er_visits")
    assert result["rates_per_180d"]["team"] == pytest.approx({"baseline": 2.0, "after": 4 / 3})
    assert result["rates_per_180d"]["comparison"] == pytest.approx({"baseline": 2.0, "after": 2.0})


def test_before_after_rate_ratio_per_day_alive():
    # One group, equal days: Σ after / Σ before over patients with events = 6 / 12.
    rows = windows(3, "HSVT", 0, er_visits_before=[4, 8, 0], er_visits_after=[1, 5, 0])
    result = did.before_after(rows, "er_visits", W)
    assert result["rate_ratio"] == pytest.approx(0.5)
    assert result["rate_ratio_ci"][0] < 0.5 < result["rate_ratio_ci"][1]


def test_sandwich_counts_the_weights_as_estimated():
    """Over repeated samples, the spread of the balanced estimate matches its standard
    error (the weights are estimated from the same patients)."""
    estimates, errors = [], []
    for seed in range(60):
        rng = np.random.default_rng(seed)
        team = windows(300, "HSVT", seed)
        pool = windows(600, "comparison", seed + 1000)
        for frame, slope in ((team, 0.04), (pool, 0.04)):
            age = frame["index_date"].dt.year - frame["birth_year"]
            frailty = rng.gamma(1.5, 1 / 1.5, len(frame))
            frame["er_visits_history"] = rng.poisson(2 * frailty)
            frame["er_visits_after"] = rng.poisson(2 * frailty * np.exp(slope * (age - 85)))
        result = did.estimate(did.design(team, pool, W), "er_visits")
        estimates.append(result["log_rate_ratio"])
        errors.append(result["se"])
    ratio = np.std(estimates) / np.mean(errors)
    assert 0.75 < ratio < 1.3


def test_a_patient_alone_in_a_band_does_not_blow_up_the_interval(monkeypatch):
    """Leaving out the only comparison patient of a band makes the balance unsolvable; the
    jackknife then uses that patient's sandwich term instead of an undefined move."""
    from narvard.stats import balance as bal

    monkeypatch.setattr(bal, "MIN_LEVEL", 1)  # keep the lonely band
    team, pool = crisis_cohort(seed=8, effect=0.8, n_team=300, n_pool=600)
    pool["birth_year"] = pool["index_date"].dt.year - 75  # every comparison patient is 75
    team["birth_year"] = team["index_date"].dt.year - np.where(np.arange(300) < 30, 96, 75)
    pool.loc[0, "birth_year"] = pool.loc[0, "index_date"].year - 96  # … but one, aged 96
    result = did.estimate(did.design(team, pool, W), "er_visits")
    low, high = result["ci"]
    assert high / low < 3  # without the guard: 0,01 … 75


def test_leave_one_out_falls_back_to_the_sandwich_where_nearly_singular():
    # Two patients, one parameter. A = A₀ + A₁ = −2 − 1e-9; leaving out patient 0 leaves
    # −1e-9: the move ψ₀ / 1e-9 is not defined in any useful sense, so patient 0 gets the
    # sandwich term −A⁻¹ψ₀ = ψ₀ / (−2 − 1e-9)… with its sign; patient 1's move is
    # −(A − A₁)⁻¹ψ₁ = ψ₁ / 2.
    psi = np.array([[1.0], [1.0]])
    parts = np.array([[[-2.0]], [[-1e-9]]])
    moved = did._leave_one_out(psi, parts)
    assert moved[0, 0] == pytest.approx(1.0 / (2.0 + 1e-9))
    assert moved[1, 0] == pytest.approx(0.5)
