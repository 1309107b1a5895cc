"""Fixed-effects Poisson: hand-computed cases and statsmodels as an independent check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from narvard.stats.poisson import (
    fit_fixed_effects_poisson,
    one_group_design,
    two_period_design,
)


def test_one_group_with_equal_days_is_the_ratio_of_totals():
    # Patients (before, after): (2, 1), (0, 3), (4, 2), (0, 0). The patient without events
    # carries no information; with equal days the estimate is Σ after / Σ before = 6 / 6.
    events = np.array([[2, 1], [0, 3], [4, 2], [0, 0]])
    fit = fit_fixed_effects_poisson(events, np.full((4, 2), 180.0), one_group_design(4))
    assert np.exp(fit.beta[0]) == pytest.approx(1.0)
    assert (fit.n_patients, fit.n_informative) == (4, 3)
    # Sandwich by hand at β = 0 (p = 1/2): ψ_i = (y_after − n_i/2) / H with
    # H = Σ n_i/4 = 12/4 = 3: ψ = (1 − 1.5, 3 − 1.5, 2 − 3) / 3 = (−0.5, 1.5, −1) / 3,
    # so var = (0.25 + 2.25 + 1) / 9.
    assert fit.se(0) ** 2 == pytest.approx(3.5 / 9)


def test_days_alive_enter_as_offsets():
    # Two patients, each 10 events in 180 days before and 5 in 60 days alive after: the
    # rate per day after is 5/60 against 10/180 before, a ratio of 1.5.
    fit = fit_fixed_effects_poisson(
        np.array([[10, 5], [10, 5]]), np.array([[180.0, 60.0]] * 2), one_group_design(2)
    )
    assert np.exp(fit.beta[0]) == pytest.approx(1.5)


def test_one_patient_gives_no_interval():
    """A single patient's split has no spread to learn from: no rate ratio is published
    (it would come with a zero-width interval)."""
    with pytest.raises(ValueError):
        fit_fixed_effects_poisson(
            np.array([[10, 5]]), np.array([[180.0, 60.0]]), one_group_design(1)
        )


def test_no_events_after_is_not_identified():
    with pytest.raises(ValueError):
        fit_fixed_effects_poisson(
            np.array([[3, 0], [2, 0]]), np.full((2, 2), 180.0), one_group_design(2)
        )


def simulated_panel(seed: int = 1, n: int = 300):
    rng = np.random.default_rng(seed)
    treated = (rng.random(n) < 0.5).astype(float)
    frailty = rng.gamma(2.0, 0.5, n)
    days_after = np.where(rng.random(n) < 0.2, rng.integers(1, 180, n), 180).astype(float)
    before = rng.poisson(frailty * 1.8)
    after = rng.poisson(frailty * days_after / 180 * 1.8 * 1.2 * np.where(treated > 0, 0.7, 1))
    days = np.column_stack([np.full(n, 180.0), days_after])
    return treated, np.column_stack([before, after]), days


def test_equals_poisson_with_patient_dummies_and_cluster_robust_errors():
    """The conditional and the dummy-variable Poisson give the same β (Hausman, Hall &
    Griliches 1984); statsmodels' cluster sandwich without its small-sample factors gives
    the same standard errors."""
    treated, events, days = simulated_panel()
    fit = fit_fixed_effects_poisson(events, days, two_period_design(treated))
    n = len(treated)
    long = pd.DataFrame(
        {
            "y": events.T.ravel(),
            "log_days": np.log(days.T.ravel()),
            "patient": np.tile(np.arange(n), 2),
            "after": np.repeat([0.0, 1.0], n),
            "treated": np.tile(treated, 2),
        }
    )
    long = long[long.groupby("patient")["y"].transform("sum") > 0]
    model = smf.glm(
        "y ~ C(patient) + after + after:treated",
        data=long,
        family=sm.families.Poisson(),
        offset=long["log_days"],
    ).fit(cov_type="cluster", cov_kwds={"groups": long["patient"], "use_correction": False})
    assert fit.beta == pytest.approx(model.params[["after", "after:treated"]].to_numpy())
    assert np.sqrt(np.diag(fit.cov)) == pytest.approx(
        model.bse[["after", "after:treated"]].to_numpy(), rel=1e-6
    )


def test_weights_scale_free_and_act_per_patient():
    treated, events, days = simulated_panel(seed=3)
    x = two_period_design(treated)
    weights = np.where(treated > 0, 1.0, np.linspace(0.5, 2.0, len(treated)))
    fit = fit_fixed_effects_poisson(events, days, x, weights)
    scaled = fit_fixed_effects_poisson(events, days, x, 7.0 * weights)
    assert scaled.beta == pytest.approx(fit.beta)
    assert scaled.cov == pytest.approx(fit.cov)
    # Integer weights equal duplicated patients (point estimate).
    twice = np.where(treated > 0, 1, 2)
    duplicated = fit_fixed_effects_poisson(
        np.repeat(events, twice, axis=0), np.repeat(days, twice, axis=0),
        np.repeat(x, twice, axis=0),
    )  # fmt: skip
    weighted = fit_fixed_effects_poisson(events, days, x, twice.astype(float))
    assert weighted.beta == pytest.approx(duplicated.beta)


def test_recovers_a_planted_effect_over_seeds():
    """Planted ratio 0.7 (treated) behind frailty and deaths: 95 % intervals cover it."""
    covered = 0
    for seed in range(40):
        treated, events, days = simulated_panel(seed=seed, n=400)
        fit = fit_fixed_effects_poisson(events, days, two_period_design(treated))
        low, high = fit.beta[1] - 1.96 * fit.se(1), fit.beta[1] + 1.96 * fit.se(1)
        covered += low <= np.log(0.7) <= high
    assert covered >= 35  # 95 % nominal: 38 expected, 35 allows Monte-Carlo noise
