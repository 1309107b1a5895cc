"""Matching of team patients to comparison patients (narvard.matching)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from narvard.consumption import MEASURES
from narvard.matching import (
    SMD_TARGET,
    age_band,
    entropy_balance,
    match_comparison,
    patient_features,
    standardized_mean_difference,
)


def cohort(n: int, group: str, seed: int, sick: float = 1.0) -> pd.DataFrame:
    """Windows-shaped patients; ``sick`` scales the before-window levels."""
    rng = np.random.default_rng(seed)
    frailty = rng.gamma(1.0, sick, n)
    frame = pd.DataFrame(
        {
            "patient_id": [f"{group[0]}{seed}-{i:04d}" for i in range(n)],
            "group": group,
            "included": True,
            "sex": rng.choice(["F", "M"], n, p=[0.65, 0.35]),
            "birth_year": rng.integers(1915, 1950, n),
            "index_date": pd.to_datetime(rng.choice(["2017-03-01", "2018-03-01"], n)),
            "person_days_after": 180,
        }
    )
    for i, m in enumerate(MEASURES):
        frame[f"{m}_before"] = rng.poisson(frailty * (1 + 3 * i))
        frame[f"{m}_after"] = rng.poisson(frailty * (1 + 2 * i))
    return frame


def test_smd_formula_on_a_tiny_table():
    # means 2 and 3, variances 1 and 1: (2 − 3) / sqrt((1 + 1) / 2) = −1
    assert standardized_mean_difference([1, 2, 3], [2, 3, 4]) == pytest.approx(-1.0)
    # shares 0.5 and 0.25: variances (n − 1 denominators) 1/3 and 1/4
    smd = standardized_mean_difference([1, 0, 1, 0], [1, 0, 0, 0])
    assert smd == pytest.approx(0.25 / np.sqrt((1 / 3 + 1 / 4) / 2))
    # weights 3, 1 on comparison values 2, 6 give mean 3: no difference from team mean 3
    assert standardized_mean_difference([2, 4], [2, 6], [3.0, 1.0], pooled_sd=1.0) == 0.0
    assert standardized_mean_difference([1, 1], [1, 1]) == 0.0
    assert standardized_mean_difference([1, 1], [2, 2]) is None


def test_age_bands_at_their_limits():
    bands = age_band(pd.Series([60, 74, 75, 84, 85, 101]))
    assert bands.tolist() == ["<75", "<75", "75–84", "75–84", "85+", "85+"]


def test_matches_share_sex_age_band_and_index_year():
    team, candidates = cohort(150, "HSVT", 1, sick=1.6), cohort(600, "comparison", 2)
    result = match_comparison(team, candidates)
    features = pd.concat([patient_features(team), patient_features(candidates)])
    for key in ("sex", "age_band", "index_year"):
        left = features.loc[result.pairs["team_id"], key].to_numpy()
        right = features.loc[result.pairs["comparison_id"], key].to_numpy()
        assert (left == right).all()
    assert result.pairs.groupby("team_id").size().max() <= 3


def test_unmatched_team_patients_are_counted_not_dropped():
    team, candidates = cohort(40, "HSVT", 3), cohort(200, "comparison", 4)
    team.loc[team.index[:5], "birth_year"] = 1990  # aged < 30: no candidate in the stratum
    result = match_comparison(team, candidates)
    summary = result.summary()
    assert set(team["patient_id"][:5]) <= set(result.unmatched_team_ids)
    assert summary["n_team"] == 40
    assert summary["n_team_matched"] + summary["n_team_unmatched"] == 40


def test_matching_is_deterministic_and_weights_add_up():
    team, candidates = cohort(120, "NSVT", 5, sick=1.5), cohort(500, "comparison", 6)
    first = match_comparison(team, candidates, seed=7)
    again = match_comparison(team, candidates, seed=7)
    pd.testing.assert_frame_equal(first.pairs, again.pairs)
    assert first.comparison_weights == again.comparison_weights
    total = sum(first.comparison_weights.values())
    assert total == pytest.approx(len(first.team_ids))
    raw = match_comparison(team, candidates, calibrate=False, seed=7)
    assert raw.pairs.groupby("team_id")["weight"].sum().to_numpy() == pytest.approx(1.0)
    assert sum(raw.comparison_weights.values()) == pytest.approx(len(raw.team_ids))


def test_balance_table_before_and_after_matching():
    team, candidates = cohort(200, "HSVT", 8, sick=1.8), cohort(900, "comparison", 9)
    result = match_comparison(team, candidates)
    rows = {row["variable"]: row for row in result.balance}
    expected = {"age", "share_women", "index_year"} | {f"{m}_before" for m in MEASURES}
    assert set(rows) == expected
    assert abs(rows["er_visits_before"]["smd_before"]) > 0.2  # the team is sicker
    assert all(abs(row["smd_after"]) < SMD_TARGET for row in result.balance)
    summary = result.summary()
    assert summary["balanced"] and summary["settings"]["calibrated"]
    text = json.dumps(summary)
    assert team["patient_id"].iloc[0] not in text  # the summary holds no patient ids


def test_entropy_balance_hits_the_target_means():
    x = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    weights = entropy_balance(x, np.ones(4), np.array([2.0, 0.5]))
    assert weights.sum() == pytest.approx(4.0)
    np.testing.assert_allclose(weights @ x / weights.sum(), [2.0, 0.5], atol=1e-7)
    assert entropy_balance(x, np.ones(4), np.array([5.0, 0.5])) is None  # outside the hull
