"""Cost-effect (``narvard.stats.cost_effect``): hand-computed money, deaths, PSA, tornado.

Most cases use one small cohort that a methodologist can follow with pen and paper:

    4 team patients, followed 180 days before and after the index date;
    after totals   ER visits 2, bed days 10, specialist visits 2;
    before totals  ER visits 4, bed days 20, specialist visits 4;
    adjusted rate ratios (per day alive)   2/3, 2/3 and 1/2;
    8 new patients a year (4 patients over 0,5 years of index dates), so every
    cohort figure × 8 / 4 = × 2 is a figure per year;
    unit costs 4 000 / 9 000 / 2 000 kr (low–high 3–5 000, 7–11 000, 1–3 000 kr);
    team cost 50 000 kr a year (low–high 40 000–70 000 kr).

Avoided use = after × (1/RR − 1):  ER 2 × (3/2 − 1) = 1,  bed days 10 × 1/2 = 5,
specialist 2 × (2 − 1) = 2; a year: 2, 10 and 4.
Annual gross = 2 × 4 000 + 10 × 9 000 + 4 × 2 000 = 106 000 kr; net = 56 000 kr.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from narvard.domain import MEASURES
from narvard.stats import cost_effect as ce
from narvard.stats import did

W = 180
Z95 = did.Z95
COSTS = {
    "er_visit": {"cost_sek": 4000.0, "low_sek": 3000.0, "high_sek": 5000.0, "price_year": 2019},
    "inpatient_day": {
        "cost_sek": 9000.0,
        "low_sek": 7000.0,
        "high_sek": 11000.0,
        "price_year": 2019,
    },
    "specialist_visit": {
        "cost_sek": 2000.0,
        "low_sek": 1000.0,
        "high_sek": 3000.0,
        "price_year": 2019,
    },
}
# The same unit costs without a range (every draw is the point value).
FIXED_COSTS = {
    k: v | {"low_sek": v["cost_sek"], "high_sek": v["cost_sek"]} for k, v in COSTS.items()
}
TEAM = {"annual_cost_sek": 50_000.0, "low_sek": 40_000.0, "high_sek": 70_000.0}
FIXED_TEAM = TEAM | {"low_sek": 50_000.0, "high_sek": 50_000.0}
RATE_RATIOS = (2 / 3, 2 / 3, 1 / 2)
# Standard errors of the log rate ratios 0,2 / 0,1 / 0,3, independent.
COV = np.diag([0.2**2, 0.1**2, 0.3**2])


def hand_use(**changes) -> ce.TeamUse:
    """The cohort of the module docstring; keyword arguments replace fields."""
    use = ce.TeamUse(
        window_days=W,
        n_patients=4,
        before=np.array([4.0, 20.0, 4.0]),
        after=np.array([2.0, 10.0, 2.0]),
        log_rate_ratio=np.log(RATE_RATIOS),
        cov=COV,
        patients_per_year=8.0,
        enrolment_years=0.5,
    )
    return dataclasses.replace(use, **changes)


def hand_estimates(ratios=RATE_RATIOS) -> dict:
    """The effect section's estimates for the costed measures (only what costs read)."""
    return {
        m: {"rate_ratio": r, "ci": [r * 0.5, r * 1.5]}
        for m, r in zip(ce.COSTED, ratios, strict=True)
    }


# ------------------------------------------------------------------ avoided use and money


def test_avoided_events_by_hand():
    use = hand_use()
    # after × (1/RR − 1): 2 × 0,5 = 1, 10 × 0,5 = 5, 2 × 1 = 2.
    assert ce.avoided(use) == pytest.approx([1.0, 5.0, 2.0])
    # Crude: before − after over the same patients = 2, 10, 2.
    assert ce.crude_avoided(use) == pytest.approx([2.0, 10.0, 2.0])
    # Per year: cohort / 4 patients × 8 patients a year.
    assert ce.per_year(ce.avoided(use), use) == pytest.approx([2.0, 10.0, 4.0])
    # A measure without an estimate avoids nothing (instead of a nan that spreads).
    partial = hand_use(log_rate_ratio=np.array([np.nan, np.log(2 / 3), np.log(0.5)]))
    assert ce.avoided(partial) == pytest.approx([0.0, 5.0, 2.0])
    assert not partial.adjusted


def test_money_by_hand():
    point = ce.money(hand_use(), COSTS, 50_000.0)
    # Adjusted: 2 × 4 000 + 10 × 9 000 + 4 × 2 000 = 106 000 kr a year.
    assert point["annual_gross_savings_adjusted_sek"] == pytest.approx(106_000)
    # Crude: (2 × 4 000 + 10 × 9 000 + 2 × 2 000) × 2 = 204 000 kr a year.
    assert point["annual_gross_savings_crude_sek"] == pytest.approx(204_000)
    assert point["gross_savings_per_patient_sek"] == pytest.approx(106_000 / 8)  # 13 250
    assert point["avoided_bed_days_per_year"] == pytest.approx(10)
    assert point["team_cost_sek"] == 50_000
    assert point["net_savings_sek"] == pytest.approx(56_000)  # 106 000 − 50 000
    assert point["return_per_krona"] == pytest.approx(2.12)  # 106 000 / 50 000
    assert point["cost_per_avoided_bed_day_sek"] == pytest.approx(5_000)  # 50 000 / 10
    # Break-even: 50 000 / 13 250 kr per patient = 3,77 patients a year.
    assert point["break_even_patients_per_year"] == pytest.approx(50_000 / 13_250)


def test_money_when_the_teams_cost_more_than_they_save():
    point = ce.money(hand_use(), COSTS, 150_000.0)
    assert point["net_savings_sek"] == pytest.approx(-44_000)  # 106 000 − 150 000
    assert point["return_per_krona"] == pytest.approx(106_000 / 150_000)
    assert point["break_even_patients_per_year"] == pytest.approx(150_000 / 13_250)  # 11,3


def test_money_when_use_rises():
    # Bed days RR 1,25: 10 × (0,8 − 1) = −2 bed days (−4 a year), nothing is avoided.
    worse = hand_use(log_rate_ratio=np.log([1.0, 1.25, 1.0]))
    point = ce.money(worse, COSTS, 50_000.0)
    assert point["avoided_bed_days_per_year"] == pytest.approx(-4)
    assert point["annual_gross_savings_adjusted_sek"] == pytest.approx(-36_000)  # −4 × 9 000
    assert point["net_savings_sek"] == pytest.approx(-86_000)
    assert point["cost_per_avoided_bed_day_sek"] is None
    assert point["break_even_patients_per_year"] is None


def test_money_without_an_adjusted_effect_or_a_team_cost():
    crude_only = hand_use(log_rate_ratio=np.full(3, np.nan), cov=np.full((3, 3), np.nan))
    point = ce.money(crude_only, COSTS, 50_000.0)
    assert point["annual_gross_savings_adjusted_sek"] is None
    assert point["net_savings_sek"] is None and point["return_per_krona"] is None
    assert point["annual_gross_savings_crude_sek"] == pytest.approx(204_000)
    no_cost = ce.money(hand_use(), COSTS, None)
    assert no_cost["net_savings_sek"] is None
    assert no_cost["annual_gross_savings_adjusted_sek"] == pytest.approx(106_000)


def test_avoided_use_by_hand():
    table = ce.avoided_use(hand_use(), hand_estimates())
    beds = table["inpatient_days"]
    assert beds["rate_ratio"] == pytest.approx(2 / 3)
    assert beds["expected_after"] == pytest.approx(15)  # 10 / (2/3)
    assert beds["avoided"] == pytest.approx(5)
    assert beds["avoided_per_year"] == pytest.approx(10)
    assert beds["avoided_crude"] == pytest.approx(10)  # 20 − 10
    assert beds["avoided_crude_per_year"] == pytest.approx(20)
    assert beds["change_vs_expected_pct"] == pytest.approx(-100 / 3)
    spec = table["specialist_visits"]
    assert (spec["expected_after"], spec["avoided"]) == pytest.approx((4, 2))
    assert spec["change_vs_expected_pct"] == pytest.approx(-50)
    assert table["er_visits"]["n_patients"] == 4


# ------------------------------------------------------------------ deaths are never savings

ALIVE_DAYS = 10 * 180  # 10 patients, all alive the whole window
HALF_DIED_DAYS = 5 * 180 + 5 * 90  # 5 of them die halfway: 1 350 days alive


def test_avoided_use_per_day_alive_does_not_depend_on_deaths():
    # The same rates per day alive: after totals proportional to days alive (× 0,75).
    alive = hand_use(n_patients=10, after=np.array([20.0, 100.0, 30.0]))
    died = hand_use(n_patients=10, after=np.array([15.0, 75.0, 22.5]))
    ratio = np.log([0.8, 0.8, 0.8])
    alive, died = (dataclasses.replace(u, log_rate_ratio=ratio) for u in (alive, died))
    # after × (1/0,8 − 1) = after / 4: 5, 25, 7,5 and 3,75, 18,75, 5,625.
    assert ce.avoided(alive) == pytest.approx([5.0, 25.0, 7.5])
    assert ce.avoided(died) == pytest.approx([3.75, 18.75, 5.625])
    per_day = ce.avoided(alive) / ALIVE_DAYS
    assert ce.avoided(died) / HALF_DIED_DAYS == pytest.approx(per_day)


def test_no_effect_saves_nothing_even_if_half_the_patients_died():
    before = np.array([20.0, 100.0, 30.0])
    died = hand_use(n_patients=10, before=before, after=before * HALF_DIED_DAYS / ALIVE_DAYS)
    died = dataclasses.replace(died, log_rate_ratio=np.zeros(3))
    assert ce.avoided(died).tolist() == [0.0, 0.0, 0.0]
    point = ce.money(died, COSTS, 50_000.0)
    assert point["annual_gross_savings_adjusted_sek"] == 0.0
    assert point["net_savings_sek"] == -50_000.0
    # The crude before/after comparison counts the deaths as savings: a quarter of the use.
    assert ce.crude_avoided(died) == pytest.approx([5.0, 25.0, 7.5])
    assert point["annual_gross_savings_crude_sek"] > 0


def _deaths_windows() -> pd.DataFrame:
    """Team and comparison patients with the same rates per day alive before and after.

    (history, after) counts: alive patients (3, 1) and (1, 3) over 180 + 180 days; team
    patients who die halfway (5, 1) and (3, 3) over 180 + 90 days. At RR = 1 each pair's
    after count is on average the expected share (½ alive, ⅓ halfway), so the fit gives
    exactly log RR = 0.
    """
    patterns = [
        ("t1", "HSVT", 3, 1, 180),
        ("t2", "HSVT", 1, 3, 180),
        ("t3", "HSVT", 5, 1, 90),
        ("t4", "HSVT", 3, 3, 90),
        ("c1", "comparison", 3, 1, 180),
        ("c2", "comparison", 1, 3, 180),
    ]
    rows = []
    for pid, group, history, after, days in patterns:
        row = {
            "patient_id": pid,
            "area_id": "a",
            "group": group,
            "included": True,
            "history_observed": True,
            "person_days_after": days,
            "index_date": "2018-06-01",
            "birth_year": 1935,
            "sex": "F",
        }
        for measure in MEASURES:
            row |= {
                f"{measure}_history": history,
                f"{measure}_before": history,
                f"{measure}_after": after,
            }
        rows.append(row)
    return pd.DataFrame(rows)


def test_deaths_are_not_savings_through_the_effect_estimate():
    windows = _deaths_windows()
    team, pool = windows[windows["group"] == "HSVT"], windows[windows["group"] == "comparison"]
    design = did.design(team, pool, W, comparison="all")
    estimates, fits = did.estimates(design, MEASURES)
    use = ce.team_use(design, estimates, fits, team, patients_per_year=8.0)
    assert use.adjusted
    assert use.log_rate_ratio == pytest.approx([0, 0, 0], abs=1e-12)
    # After 8 vs history 12: the crude comparison "saves" 4 of each, the adjusted nothing.
    assert ce.crude_avoided(use) == pytest.approx([4.0, 4.0, 4.0])
    assert ce.avoided(use) == pytest.approx([0, 0, 0], abs=1e-10)


# ------------------------------------------------------------------ through the effect


def _generated_windows(rng, n: int, group: str, prefix: str, effect: dict) -> pd.DataFrame:
    """Windows of n patients: Poisson counts around a frailty × base rate; after = history
    rate × effect per day alive; 15 % die during the after window."""
    base = {
        "er_visits": 1.5,
        "inpatient_days": 12.0,
        "unplanned_readmissions": 0.3,
        "specialist_visits": 2.0,
    }
    frailty = rng.gamma(2.0, 0.5, n)
    days_after = np.where(rng.random(n) < 0.15, rng.integers(20, W, n), W)
    frame = pd.DataFrame(
        {
            "patient_id": [f"{prefix}{i}" for i in range(n)],
            "area_id": "a",
            "group": group,
            "included": True,
            "history_observed": True,
            "person_days_after": days_after,
            "index_date": pd.Timestamp("2018-01-01")
            + pd.to_timedelta(rng.integers(0, 700, n), "D"),
            "birth_year": rng.integers(1925, 1950, n),
            "sex": rng.choice(["F", "M"], n),
        }
    )
    for measure, rate in base.items():
        mean = frailty * rate
        frame[f"{measure}_history"] = rng.poisson(mean)
        frame[f"{measure}_before"] = rng.poisson(mean * 1.8)  # enrolment at a peak of care
        frame[f"{measure}_after"] = rng.poisson(mean * effect.get(measure, 1.0) * days_after / W)
    return frame


@pytest.fixture(scope="module")
def generated():
    """A team (300 patients, planted RR 0,6 / 0,7 / 0,9) and 600 comparison patients; 20 team
    patients without a baseline window and 10 not included, who must not count."""
    rng = np.random.default_rng(7)
    planted = {"er_visits": 0.6, "inpatient_days": 0.7, "specialist_visits": 0.9}
    team = _generated_windows(rng, 330, "HSVT", "t", planted)
    team.loc[team.index[:20], "history_observed"] = False
    team.loc[team.index[20:30], "included"] = False
    pool = _generated_windows(rng, 600, "comparison", "c", {})
    design = did.design(team, pool, W)
    estimates, fits = did.estimates(design, MEASURES)
    return team, design, estimates, fits


def test_team_use_applies_the_estimate_to_every_included_patient(generated):
    team, design, estimates, fits = generated
    included = team[team["included"]]
    use = ce.team_use(design, estimates, fits, included, patients_per_year=150.0, enrolment=2.0)
    # The estimate has the 300 with a baseline window; the money counts all 320 included
    # (the contract's totals), the 20 without a baseline too, never the 10 not included.
    assert estimates["er_visits"]["n_team"] == 300
    assert use.n_patients == 320
    counted = pd.concat([team.iloc[:20], team.iloc[30:]])
    for k, measure in enumerate(ce.COSTED):
        assert use.after[k] == counted[f"{measure}_after"].sum()
        assert use.before[k] == counted[f"{measure}_before"].sum()
    assert (use.patients_per_year, use.enrolment_years, use.window_days) == (150.0, 2.0, W)


def test_costs_use_the_effect_sections_rate_ratios(generated):
    team, design, estimates, fits = generated
    use = ce.team_use(design, estimates, fits, team[team["included"]], patients_per_year=150.0)
    block = ce.group_costs(use, estimates, COSTS, TEAM, n_draws=0)
    assert block["basis"] == "adjusted"
    for k, measure in enumerate(ce.COSTED):
        effect = estimates[measure]
        cost = block["avoided_use"][measure]
        assert cost["rate_ratio"] == effect["rate_ratio"]
        assert cost["ci"] == effect["ci"]
        assert np.exp(use.log_rate_ratio[k]) == pytest.approx(effect["rate_ratio"], rel=1e-12)
        # The joint covariance's diagonal is the effect's own (clustered) variance.
        assert np.sqrt(use.cov[k, k]) == pytest.approx(effect["se"], rel=1e-9)
        # Avoided = after × (1/RR − 1) with the effect's RR.
        by_hand = cost["after_total"] * (1 / effect["rate_ratio"] - 1)
        assert cost["avoided"] == pytest.approx(by_hand, rel=1e-12)
    # The planted effect is found: fewer ER visits and bed days per day alive.
    assert estimates["er_visits"]["ci"][1] < 0.85
    assert estimates["inpatient_days"]["ci"][1] < 0.85
    assert block["avoided_use"]["inpatient_days"]["avoided"] > 0


def test_tornado_effect_rows_sit_at_the_effects_interval(generated):
    team, design, estimates, fits = generated
    use = ce.team_use(design, estimates, fits, team[team["included"]], patients_per_year=150.0)
    rows = {r["input"]: r for r in ce.tornado(use, COSTS, TEAM)["rows"]}
    for measure in ce.COSTED:
        values = [s["value"] for s in rows[f"effect_{measure}"]["settings"]]
        assert values == pytest.approx(estimates[measure]["ci"], rel=1e-9)


# ------------------------------------------------------------------ enrolment years


def test_enrolment_years_by_hand():
    # Included index dates t with t − 180 ≥ 2016-01-01 and t + 179 ≤ 2019-12-31:
    # 2016-06-29 … 2019-07-04 = 1 460 − 360 + 2 = 1 102 days.
    assert ce.enrolment_years("2016-01-01", "2019-12-31", 180) == pytest.approx(1102 / 365.25)
    # 365-day windows: 1 460 − 730 + 2 = 732 days.
    assert ce.enrolment_years("2016-01-01", "2019-12-31", 365) == pytest.approx(732 / 365.25)
    # 2020 (leap year), 90-day windows: 365 − 180 + 2 = 187 days; times are ignored.
    years = ce.enrolment_years("2020-01-01T00:00:00", "2020-12-31 23:59", 90)
    assert years == pytest.approx(187 / 365.25)
    with pytest.raises(ValueError, match="two windows"):
        ce.enrolment_years("2016-01-01", "2016-06-30", 180)


# ------------------------------------------------------------------ uncertainty


def test_pert_draws_stay_in_range_with_the_pert_mean():
    draws = ce.pert_draws(7800, 9300, 11000, 20_000, np.random.default_rng(0))
    assert draws.min() >= 7800 and draws.max() <= 11000
    assert draws.mean() == pytest.approx((7800 + 4 * 9300 + 11000) / 6, rel=0.005)
    assert np.all(ce.pert_draws(5, 5, 5, 3, np.random.default_rng(0)) == 5)


def test_effect_draws_reproduce_the_covariance():
    cov = np.array(
        [
            [0.040, 0.012, -0.006],
            [0.012, 0.010, 0.0015],
            [-0.006, 0.0015, 0.090],
        ]
    )
    use = hand_use(cov=cov)
    draws = ce.effect_draws(use, 20_000, np.random.default_rng(11))
    assert draws.shape == (20_000, 3)
    assert draws.mean(axis=0) == pytest.approx(np.log(RATE_RATIOS), abs=0.01)
    # Sampling error of a (co)variance from 20 000 draws is at most about 0.001 here.
    np.testing.assert_allclose(np.cov(draws.T), cov, atol=0.004)
    assert np.corrcoef(draws.T)[0, 1] == pytest.approx(0.012 / (0.2 * 0.1), abs=0.03)


def test_effect_draws_without_a_covariance_repeat_the_point():
    use = hand_use(cov=np.full((3, 3), np.nan))
    draws = ce.effect_draws(use, 5, np.random.default_rng(0))
    np.testing.assert_array_equal(draws, np.tile(np.log(RATE_RATIOS), (5, 1)))


def test_psa_is_reproducible_with_a_seed():
    use = hand_use()
    first = ce.psa_draws(use, COSTS, TEAM, 500, seed=5, name="a/HSVT")
    again = ce.psa_draws(use, COSTS, TEAM, 500, seed=5, name="a/HSVT")
    other_seed = ce.psa_draws(use, COSTS, TEAM, 500, seed=6, name="a/HSVT")
    other_name = ce.psa_draws(use, COSTS, TEAM, 500, seed=5, name="b/HSVT")
    for key in ("gross", "bed_days", "team_cost", "net"):
        np.testing.assert_array_equal(first[key], again[key])
    assert not np.array_equal(first["net"], other_seed["net"])
    # Another area or group draws its own effects and team cost, the same unit costs.
    assert not np.array_equal(first["team_cost"], other_name["team_cost"])
    assert ce.psa_summary(first) == ce.psa_summary(again)


def test_psa_draws_the_team_cost_between_low_and_high():
    draws = ce.psa_draws(hand_use(), COSTS, TEAM, 20_000, seed=1, name="x")
    cost = draws["team_cost"]
    assert cost.min() >= 40_000 and cost.max() <= 70_000
    # It spans the range: draws within 5 % of the range from both ends.
    assert cost.min() < 40_000 + 1_500 and cost.max() > 70_000 - 1_500
    # PERT mean (40 000 + 4 × 50 000 + 70 000) / 6 = 51 667 kr.
    assert cost.mean() == pytest.approx(310_000 / 6, rel=0.005)
    np.testing.assert_allclose(draws["net"], draws["gross"] - cost)


def test_psa_collapses_to_the_point_without_uncertainty():
    use = hand_use(cov=np.zeros((3, 3)))
    draws = ce.psa_draws(use, FIXED_COSTS, FIXED_TEAM, 200, seed=2)
    np.testing.assert_allclose(draws["net"], 56_000)
    np.testing.assert_allclose(draws["bed_days"], 10)
    summary = ce.psa_summary(draws)
    assert summary["net_savings_ci"] == pytest.approx([56_000, 56_000])
    assert summary["annual_gross_savings_ci"] == pytest.approx([106_000, 106_000])
    assert summary["return_per_krona_ci"] == pytest.approx([2.12, 2.12])
    assert summary["prob_net_positive"] == 1.0
    # The same with a team cost above the savings: surely a net cost.
    dear = {"annual_cost_sek": 150_000.0, "low_sek": 150_000.0, "high_sek": 150_000.0}
    summary = ce.psa_summary(ce.psa_draws(use, FIXED_COSTS, dear, 200))
    assert summary["net_savings_ci"] == pytest.approx([-44_000, -44_000])
    assert summary["prob_net_positive"] == 0.0


def _net_width(use: ce.TeamUse) -> float:
    low, high = ce.psa_summary(ce.psa_draws(use, FIXED_COSTS, FIXED_TEAM, 2000, seed=3))[
        "net_savings_ci"
    ]
    return high - low


def test_psa_interval_widens_with_the_effects_uncertainty():
    narrow, wide = _net_width(hand_use()), _net_width(hand_use(cov=4 * COV))
    assert narrow > 0
    # Twice the standard errors: a much wider interval (not exactly twice: exp is convex).
    assert wide > 1.7 * narrow


def test_psa_summary_reports_the_probability_and_the_intervals():
    draws = ce.psa_draws(hand_use(), COSTS, TEAM, 2000, seed=4, name="x")
    summary = ce.psa_summary(draws)
    assert summary["prob_net_positive"] == pytest.approx(np.mean(draws["net"] > 0))
    assert 0.5 < summary["prob_net_positive"] < 1.0  # point net 56 000 kr, uncertain
    low, high = summary["net_savings_ci"]
    assert low == pytest.approx(np.percentile(draws["net"], 2.5))
    assert high == pytest.approx(np.percentile(draws["net"], 97.5))
    assert low < 56_000 < high
    no_team = ce.psa_summary(ce.psa_draws(hand_use(), COSTS, None, 100))
    assert no_team["net_savings_ci"] is None and no_team["prob_net_positive"] is None


# ------------------------------------------------------------------ tornado


def _by_input(table: dict) -> dict:
    return {row["input"]: row for row in table["rows"]}


def _nets(row: dict) -> list[float]:
    return [s["net_savings_sek"] for s in row["settings"]]


def test_tornado_rows_by_hand():
    table = ce.tornado(hand_use(), COSTS, TEAM)
    rows = _by_input(table)
    assert table["base_net_savings_sek"] == pytest.approx(56_000)
    assert set(rows) == {
        "er_visit",
        "inpatient_day",
        "specialist_visit",
        "team_cost",
        "patients_per_year",
        "effect_er_visits",
        "effect_inpatient_days",
        "effect_specialist_visits",
        "method",
    }
    # Bed day at 7 000 / 11 000 kr: 10 bed days a year × ∓2 000 kr.
    assert _nets(rows["inpatient_day"]) == pytest.approx([36_000, 76_000])
    assert [s["value"] for s in rows["inpatient_day"]["settings"]] == [7000, 11000]
    # ER visit at 3 000 / 5 000 kr: 2 a year × ∓1 000; specialist 4 a year × ∓1 000.
    assert _nets(rows["er_visit"]) == pytest.approx([54_000, 58_000])
    assert _nets(rows["specialist_visit"]) == pytest.approx([52_000, 60_000])
    # Team cost 40 000 / 70 000 kr.
    assert _nets(rows["team_cost"]) == pytest.approx([66_000, 36_000])
    assert rows["team_cost"]["swing_sek"] == pytest.approx(30_000)
    # 6 / 10 patients a year (±25 %): 106 000 × 0,75 − 50 000, 106 000 × 1,25 − 50 000.
    assert [s["value"] for s in rows["patients_per_year"]["settings"]] == [6.0, 10.0]
    assert _nets(rows["patients_per_year"]) == pytest.approx([29_500, 82_500])
    # Crude: 204 000 − 50 000.
    assert [s["value"] for s in rows["method"]["settings"]] == ["adjusted", "crude"]
    assert _nets(rows["method"]) == pytest.approx([56_000, 154_000])
    swings = [row["swing_sek"] for row in table["rows"]]
    assert swings == sorted(swings, reverse=True)
    for row in table["rows"]:
        assert row["low_sek"] == min(_nets(row)) and row["high_sek"] == max(_nets(row))
        assert {s["kind"] for s in row["settings"]} <= {
            "sek",
            "patients_per_year",
            "rate_ratio",
            "method",
        }


def test_tornado_effect_rows_by_hand():
    rows = _by_input(ce.tornado(hand_use(), COSTS, TEAM))
    # Bed days: RR = 2/3 · exp(∓1,96 · 0,1); avoided a year = 2 × 10 × (1/RR − 1).
    settings = rows["effect_inpatient_days"]["settings"]
    for setting, sign in zip(settings, (-1, 1), strict=True):
        ratio = 2 / 3 * np.exp(sign * Z95 * 0.1)
        assert setting["kind"] == "rate_ratio"
        assert setting["value"] == pytest.approx(ratio)
        bed_days = 2 * 10 * (1 / ratio - 1)
        assert setting["net_savings_sek"] == pytest.approx(56_000 + 9000 * (bed_days - 10))
    assert settings[0]["value"] == pytest.approx(0.5480, abs=1e-4)
    assert settings[0]["net_savings_sek"] == pytest.approx(114_461, abs=1)
    # ER visits: RR = 2/3 · exp(∓1,96 · 0,2); 2 × 2 × (1/RR − 1) visits a year.
    er = rows["effect_er_visits"]["settings"]
    ratio = 2 / 3 * np.exp(Z95 * 0.2)
    assert er[1]["net_savings_sek"] == pytest.approx(56_000 + 4000 * (4 * (1 / ratio - 1) - 2))


def test_tornado_comparison_and_window_rows_when_given():
    # The other comparison group: RR 0,8 for all → avoided after / 4 = 0,5, 2,5, 0,5;
    # a year 1, 5, 1 → 4 000 + 45 000 + 2 000 − 50 000 = 1 000 kr.
    other = hand_use(log_rate_ratio=np.log([0.8, 0.8, 0.8]))
    # 90-day windows: after 1, 5, 1 → avoided 0,5, 2,5, 1; a year 1, 5, 2
    # → 4 000 + 45 000 + 4 000 − 50 000 = 3 000 kr.
    short = hand_use(window_days=90, after=np.array([1.0, 5.0, 1.0]))
    unusable = hand_use(window_days=365, log_rate_ratio=np.full(3, np.nan))
    table = ce.tornado(hand_use(), COSTS, TEAM, other, {90: short, 365: unusable})
    rows = _by_input(table)
    comparison = rows["comparison"]["settings"]
    assert [s["value"] for s in comparison] == ["main", "other"]
    assert _nets(rows["comparison"]) == pytest.approx([56_000, 1_000])
    windows = rows["window_days"]["settings"]
    assert [(s["kind"], s["value"]) for s in windows] == [("days", 180), ("days", 90)]
    assert _nets(rows["window_days"]) == pytest.approx([56_000, 3_000])
    assert rows["window_days"]["swing_sek"] == pytest.approx(53_000)
    # An unadjusted other comparison gives no row.
    nan_other = hand_use(log_rate_ratio=np.full(3, np.nan))
    assert "comparison" not in _by_input(ce.tornado(hand_use(), COSTS, TEAM, nan_other))


def test_tornado_without_a_covariance_has_no_effect_rows():
    rows = _by_input(ce.tornado(hand_use(cov=np.full((3, 3), np.nan)), COSTS, TEAM))
    assert not any(key.startswith("effect_") for key in rows)
    assert "method" in rows


# ------------------------------------------------------------------ blocks and totals


def test_group_costs_block_by_hand():
    block = ce.group_costs(hand_use(), hand_estimates(), COSTS, TEAM, population=200_000, n_draws=0)
    assert block["basis"] == "adjusted" and block["price_year"] == 2019
    assert (block["n_patients"], block["patients_per_year"], block["window_days"]) == (4, 8, W)
    assert block["net_savings_sek"] == pytest.approx(56_000)
    # Per 100 000 inhabitants: × 100 000 / 200 000.
    assert block["per_100k"]["net_savings_sek"] == pytest.approx(28_000)
    assert block["per_100k"]["team_cost_sek"] == pytest.approx(25_000)
    assert block["per_100k"]["patients_per_year"] == pytest.approx(4)
    assert block["psa"] is None and block["net_savings_ci"] is None and block.draws is None
    assert block["team_cost"] == TEAM
    with_psa = ce.group_costs(hand_use(), hand_estimates(), COSTS, TEAM, n_draws=300, seed=9)
    assert with_psa["psa"] == {"n_draws": 300, "seed": 9}
    assert with_psa.draws["net"].shape == (300,)
    assert with_psa["net_savings_ci"][0] < 56_000 < with_psa["net_savings_ci"][1]
    text = json.dumps(with_psa)  # plain JSON; the draws stay outside
    assert "draws" not in json.loads(text)


def test_group_costs_without_an_adjusted_effect_is_crude():
    crude_only = hand_use(log_rate_ratio=np.full(3, np.nan), cov=np.full((3, 3), np.nan))
    block = ce.group_costs(crude_only, {}, COSTS, TEAM, n_draws=500)
    assert block["basis"] == "crude"
    assert block["annual_gross_savings_crude_sek"] == pytest.approx(204_000)
    assert block["net_savings_sek"] is None and block["net_savings_ci"] is None
    assert block.draws is None
    assert block["avoided_use"]["inpatient_days"]["avoided"] is None
    assert block["avoided_use"]["inpatient_days"]["avoided_crude_per_year"] == pytest.approx(20)


def _two_blocks(n_draws: int = 400) -> list[ce.CostBlock]:
    hsvt = ce.group_costs(hand_use(), hand_estimates(), COSTS, TEAM, name="r/HSVT", n_draws=n_draws)
    # NSVT: twice the patients a year → gross 212 000, team cost 80 000, net 132 000.
    nsvt_team = {"annual_cost_sek": 80_000.0, "low_sek": 60_000.0, "high_sek": 100_000.0}
    nsvt = ce.group_costs(
        hand_use(patients_per_year=16.0),
        hand_estimates(),
        COSTS,
        nsvt_team,
        name="r/NSVT",
        n_draws=n_draws,
    )
    return [hsvt, nsvt]


def test_combined_sums_annual_amounts_and_draws():
    hsvt, nsvt = _two_blocks()
    total = ce.combined([hsvt, nsvt], population=400_000)
    assert total["patients_per_year"] == pytest.approx(24)
    assert total["n_patients"] == 8
    assert total["annual_gross_savings_adjusted_sek"] == pytest.approx(318_000)
    assert total["team_cost_sek"] == pytest.approx(130_000)
    assert total["net_savings_sek"] == pytest.approx(188_000)  # 56 000 + 132 000
    assert total["avoided_bed_days_per_year"] == pytest.approx(30)
    assert total["return_per_krona"] == pytest.approx(318_000 / 130_000)
    assert total["cost_per_avoided_bed_day_sek"] == pytest.approx(130_000 / 30)
    assert total["per_100k"]["net_savings_sek"] == pytest.approx(47_000)
    assert total["basis"] == "adjusted"
    for key in ("gross", "bed_days", "team_cost", "net"):
        np.testing.assert_allclose(total.draws[key], hsvt.draws[key] + nsvt.draws[key])
    summed = hsvt.draws["net"] + nsvt.draws["net"]
    assert total["net_savings_ci"] == pytest.approx(
        [np.percentile(summed, 2.5), np.percentile(summed, 97.5)]
    )
    assert total["prob_net_positive"] == pytest.approx(np.mean(summed > 0))
    json.dumps(total)


def test_combined_without_draws_or_with_a_crude_group():
    hsvt, nsvt = _two_blocks(n_draws=0)
    total = ce.combined([hsvt, nsvt], population=None)
    assert total["net_savings_sek"] == pytest.approx(188_000)
    assert total["net_savings_ci"] is None and total["prob_net_positive"] is None
    assert total["per_100k"] is None
    crude_only = hand_use(log_rate_ratio=np.full(3, np.nan), cov=np.full((3, 3), np.nan))
    crude = ce.group_costs(crude_only, {}, COSTS, TEAM, n_draws=0)
    mixed = ce.combined([hsvt, crude], population=None)
    assert mixed["basis"] == "crude"
    assert mixed["net_savings_sek"] is None and mixed["return_per_krona"] is None
    assert mixed["annual_gross_savings_crude_sek"] == pytest.approx(408_000)
