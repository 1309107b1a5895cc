"""Entropy balancing of comparison patients and the balance table, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from narvard.stats import balance as bal


def patients(ages, sexes, dates) -> pd.DataFrame:
    index = pd.to_datetime(dates)
    return pd.DataFrame(
        {"birth_year": index.year - np.array(ages), "sex": sexes, "index_date": index}
    )


def test_covariates_by_hand():
    table = patients([80, 90], ["F", "M"], ["2018-01-01", "2018-07-02"])
    x = bal.covariates(table)
    assert x["age"].tolist() == [80.0, 90.0]
    assert x["age_squared"].tolist() == [6400.0, 8100.0]
    assert x["woman"].tolist() == [1.0, 0.0]
    # 2018-07-02 is day 183 of the year: 2018 + 182 / 365.25.
    assert x["index_time"].tolist() == pytest.approx([2018.0, 2018 + 182 / 365.25])
    assert x["index_time_squared"].tolist() == pytest.approx([324.0, (18 + 182 / 365.25) ** 2])


def test_entropy_balance_hits_the_target_and_stays_close_to_equal():
    # Three comparison ages 70, 80, 90 and a team mean of 85: weights w with mean 1 and
    # Σ w·age / 3 = 85. Entropy balancing gives w ∝ exp(λ·age).
    x = np.array([[70.0], [80.0], [90.0]])
    w = bal.entropy_balance(x, np.array([85.0]))
    assert w.mean() == pytest.approx(1.0)
    assert (w * x[:, 0]).sum() / w.sum() == pytest.approx(85.0)
    ratio = w[1] / w[0]
    assert w[2] / w[1] == pytest.approx(ratio)  # exponential tilting: a constant ratio


def test_target_outside_the_range_cannot_be_reached():
    assert bal.entropy_balance(np.array([[70.0], [80.0]]), np.array([95.0])) is None


def random_patients(n: int, seed: int, ages=(65, 104)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 3 * 365, n)
    dates = pd.Timestamp("2017-01-01") + pd.to_timedelta(days, unit="D")
    return patients(rng.integers(*ages, n), rng.choice(["F", "M"], n), dates)


def test_balancing_weights_rake_to_the_team_bands():
    team, pool = random_patients(40, 1, ages=(80, 100)), random_patients(400, 2)
    balance = bal.balancing_weights(team, pool)
    assert balance.balanced_on == ("age_band_5y", "sex", "index_period_6m")
    team_b, pool_b = bal.band_matrix(team, pool, 5, 6)
    shares = np.average(pool_b.to_numpy(), axis=0, weights=balance.weights)
    assert shares == pytest.approx(team_b.to_numpy().mean(axis=0), abs=1e-7)
    # Within a band every comparison patient has the same weight: no single old patient
    # carries the comparison.
    ages = (pool["index_date"].dt.year - pool["birth_year"]).to_numpy()
    period = (pool["index_date"].dt.year * 12 + pool["index_date"].dt.month - 1) // 6
    cells = pd.DataFrame(
        {"band": np.clip(ages, 64, 95) // 5, "sex": pool["sex"], "p": period, "w": balance.weights}
    )
    assert cells.groupby(["band", "sex", "p"])["w"].nunique().max() == 1


def test_band_matrix_by_hand(monkeypatch):
    monkeypatch.setattr(bal, "MIN_LEVEL", 1)  # a band needs one comparison patient here
    team = patients([66, 87], ["F", "M"], ["2018-01-15", "2018-07-15"])
    pool = patients([96, 70], ["M", "F"], ["2018-02-01", "2019-01-01"])
    t, p = bal.band_matrix(team, pool, 10, 12)
    # 10-year bands 60 (66), 70 (70), 80 (87), 90 (96; ages over 95 count as 95). Bands 60
    # and 80 have no comparison patient and join the next: {60, 70} and {80, 90}; the first
    # is the reference. Index years 2018 (reference) and 2019.
    assert list(t.columns) == ["age=80", "sex=M", "period=2019"]
    assert t.to_numpy().tolist() == [[0, 0, 0], [1, 1, 0]]
    assert p.to_numpy().tolist() == [[1, 1, 0], [0, 0, 1]]


def test_rare_bands_join_their_neighbour():
    # Comparison patients per 5-year band: 65: 12, 70: 3, 75: 9, 80: 15, 95: 2. Bands are
    # gathered from the youngest until they hold 10: {65}, {70, 75}, {80}; the last, too
    # small, joins the previous: {80, 95}. So three age levels remain.
    ages = [65] * 12 + [70] * 3 + [75] * 9 + [80] * 15 + [96] * 2
    pool = patients(ages, ["F"] * len(ages), ["2018-03-01"] * len(ages))
    team = patients([66, 72, 77, 83, 99], ["F"] * 5, ["2018-03-01"] * 5)
    t, p = bal.band_matrix(team, pool, 5, 6)
    assert [c for c in p.columns if c.startswith("age")] == ["age=70", "age=80"]
    assert p[["age=70", "age=80"]].sum().tolist() == [12, 17]
    assert t["age=80"].tolist() == [0, 0, 0, 1, 1]  # 83 and 99 share the oldest band


def test_balancing_gives_up_when_a_group_is_missing_from_the_comparison():
    pool = random_patients(200, 2).assign(sex="F")  # comparison patients are all women
    team = patients([85, 88], ["F", "M"], ["2018-03-01"] * 2)
    balance = bal.balancing_weights(team, pool)
    assert not balance.balanced and (balance.weights == 1.0).all()


def test_smd_and_table_by_hand():
    # Team ages 80, 90 (mean 85, variance 25); pool 70, 80 (mean 75, variance 25): pooled
    # SD 5, SMD (85 − 75) / 5 = 2. With weights 0 and 1 the pool's mean is 80: SMD 1.
    team = patients([80, 90], ["F", "F"], ["2018-01-01"] * 2)
    pool = patients([70, 80], ["F", "M"], ["2018-01-01"] * 2)
    rows = {r["variable"]: r for r in bal.balance_table(team, pool, np.array([0.0, 1.0]))}
    assert rows["age"]["smd_before"] == pytest.approx(2.0)
    assert rows["age"]["smd_after"] == pytest.approx(1.0)
    assert rows["share_women"]["mean_comparison"] == 0.5
    assert rows["share_women"]["mean_comparison_weighted"] == 0.0
    # Share of women: team 1 (variance 0), pool 0.5 (variance 0.25): pooled SD √0.125;
    # after weighting the pool has no women, SMD 1 / √0.125 = 2√2, the largest.
    assert rows["share_women"]["smd_after"] == pytest.approx(2 * np.sqrt(2))
    assert bal.max_abs_smd(list(rows.values())) == pytest.approx(2 * np.sqrt(2))
    assert bal.effective_n(np.array([1.0, 1.0, 2.0])) == pytest.approx(16 / 6)
