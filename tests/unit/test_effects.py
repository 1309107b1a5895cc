"""Person-time rates, GEE rate ratios, bootstrap, DiD and event study (narvard.effects)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from conftest import CONTRACT_EXAMPLE, write_csv
from narvard.consumption import MEASURES, patient_windows
from narvard.effects import (
    LongArrays,
    bootstrap_rate_ratio,
    choose_family,
    difference_in_differences,
    event_study,
    fit_gee,
    group_effects,
    long_counts,
    matched_did,
    nb_alpha,
    person_time,
    rate_ratio,
    rate_ratio_model,
    subgroup_effects,
    window_sensitivity,
)

W = 180


def windows(rows: list[dict], group: str = "HSVT") -> pd.DataFrame:
    """A per-patient windows table from short row dicts (missing measures are 0)."""
    frame = pd.DataFrame(rows)
    n = len(frame)
    defaults = {
        "group": group,
        "area_id": "a",
        "included": True,
        "person_days_after": W,
        "index_date": pd.Timestamp("2018-06-01"),
        "birth_year": 1935,
        "sex": "F",
        "kommun": "K",
    }
    for m in MEASURES:
        for period in ("before", "after"):
            defaults[f"{m}_{period}"] = 0
    for column, value in defaults.items():
        if column not in frame:
            frame[column] = [value] * n
        elif frame[column].isna().any():
            frame[column] = [value if pd.isna(v) else v for v in frame[column]]
    if "patient_id" not in frame:
        frame["patient_id"] = [f"{group[0]}{i:04d}" for i in range(n)]
    return frame


def simulated(n: int, seed: int, rate: float = 2.0, ratio: float = 1.0, **extra) -> pd.DataFrame:
    """Independent Poisson counts before and after (no within-patient correlation)."""
    rng = np.random.default_rng(seed)
    rows = {
        "er_visits_before": rng.poisson(rate, n),
        "er_visits_after": rng.poisson(rate * ratio, n),
        **extra,
    }
    return windows(pd.DataFrame(rows).to_dict("records"))


# --------------------------------------------------------------------------- person-time


def test_rates_per_180_days_alive_by_hand():
    table = windows(
        [
            {"er_visits_before": 2, "er_visits_after": 3, "person_days_after": 90},
            {"er_visits_before": 4, "er_visits_after": 1, "person_days_after": 180},
            {"er_visits_before": 9, "er_visits_after": 9, "included": False},
        ]
    )
    result = person_time(table, W)
    er = result["measures"]["er_visits"]
    assert result["n_patients"] == 2
    assert (result["person_days_before"], result["person_days_after"]) == (360, 270)
    assert er["rate_before_per_180d"] == pytest.approx(6 / 360 * 180)  # 3.0
    assert er["rate_after_per_180d"] == pytest.approx(4 / 270 * 180)  # 2.667
    assert group_effects(table, W)["measures"]["er_visits"]["after_mean"] == 2.0


def test_rates_are_per_180_days_whatever_the_window():
    table = windows([{"er_visits_before": 1, "er_visits_after": 3, "person_days_after": 45}])
    er = person_time(table, 90)["measures"]["er_visits"]
    assert er["rate_before_per_180d"] == pytest.approx(2.0)
    assert er["rate_after_per_180d"] == pytest.approx(12.0)


def test_long_counts_drop_after_rows_of_patients_dead_on_the_index_date():
    table = windows([{"er_visits_before": 1, "person_days_after": 0}, {"er_visits_after": 2}])
    long = long_counts(table, "er_visits", W)
    assert len(long) == 3
    assert long["days"].tolist() == [180, 180, 180]
    assert long.groupby("period")["events"].sum().tolist() == [1, 2]


# --------------------------------------------------------------------------- GEE


def test_gee_rate_ratio_without_correlation_is_the_ratio_of_total_rates():
    table = simulated(400, seed=1, rate=2.0, ratio=0.7)
    result = rate_ratio_model(long_counts(table, "er_visits", W), family="poisson")
    expected = table["er_visits_after"].sum() / table["er_visits_before"].sum()
    assert result["method"] == "gee_poisson"
    assert result["rate_ratio"] == pytest.approx(expected, rel=1e-9)
    assert abs(result["working_correlation"]) < 0.1
    low, high = result["rate_ratio_ci"]
    assert low < expected < high


def statsmodels_reference(long: pd.DataFrame, alpha: float = 0.0):
    family = sm.families.NegativeBinomial(alpha=alpha) if alpha else sm.families.Poisson()
    x = np.column_stack([np.ones(len(long)), long["period"]])
    model = sm.GEE(long["events"], x, groups=long["cluster"], offset=np.log(long["days"]),
                   family=family, cov_struct=sm.cov_struct.Exchangeable())  # fmt: skip
    return model.fit()


@pytest.mark.parametrize("alpha", [0.0, 1.3])
def test_fast_gee_equals_statsmodels_gee_with_deaths_and_correlation(alpha):
    rng = np.random.default_rng(5)
    n = 300
    frailty = rng.gamma(1.0, 1.0, n)
    days_after = np.where(rng.random(n) < 0.2, rng.integers(1, 180, n), 180)
    table = windows(
        pd.DataFrame(
            {
                "er_visits_before": rng.poisson(2 * frailty),
                "er_visits_after": rng.poisson(1.5 * frailty * days_after / 180),
                "person_days_after": days_after,
            }
        ).to_dict("records")
    )
    long = long_counts(table, "er_visits", W)
    reference = statsmodels_reference(long, alpha)
    x = np.column_stack([np.ones(len(long)), long["period"]])
    fast = fit_gee(long["events"], x, np.log(long["days"]), long["cluster"].to_numpy(), alpha=alpha)
    assert fast.converged
    np.testing.assert_allclose(fast.params, reference.params, rtol=1e-7)
    np.testing.assert_allclose(fast.cov_robust, reference.cov_params(), rtol=1e-6)
    assert fast.dep_param == pytest.approx(reference.model.cov_struct.dep_params, rel=1e-6)


def test_weights_act_as_probability_weights():
    table = simulated(120, seed=3, rate=1.5, ratio=0.8)
    long = long_counts(table, "er_visits", W)
    x = np.column_stack([np.ones(len(long)), long["period"]])
    args = (long["events"], x, np.log(long["days"]))
    plain = fit_gee(*args, long["cluster"].to_numpy())
    scaled = fit_gee(*args, long["cluster"].to_numpy(), weights=np.full(len(long), 3.0))
    np.testing.assert_allclose(scaled.params, plain.params, rtol=1e-8)
    np.testing.assert_allclose(scaled.cov_robust, plain.cov_robust, rtol=1e-6)
    # Weight 2 on one patient = that patient twice, for the point estimate.
    twice = pd.concat([long, long[long["cluster"] == "H0000"].assign(cluster="copy")])
    weights = np.where(long["cluster"] == "H0000", 2.0, 1.0)
    weighted = fit_gee(*args, long["cluster"].to_numpy(), weights=weights, alpha=0.0)
    x2 = np.column_stack([np.ones(len(twice)), twice["period"]])
    duplicated = fit_gee(twice["events"], x2, np.log(twice["days"]), twice["cluster"].to_numpy())
    assert weighted.params[1] == pytest.approx(duplicated.params[1], abs=2e-3)


def test_family_rule_and_nb_alpha_against_statsmodels_maximum_likelihood():
    poisson = long_counts(simulated(500, seed=7, rate=3.0), "er_visits", W)
    assert choose_family(poisson)[0] == "poisson"
    rng = np.random.default_rng(8)
    mean = rng.gamma(0.5, 6.0, 500)  # NB with alpha = 2
    table = windows(
        pd.DataFrame(
            {"er_visits_before": rng.poisson(mean), "er_visits_after": rng.poisson(mean * 0.5)}
        ).to_dict("records")
    )
    long = long_counts(table, "er_visits", W)
    family, alpha, dispersion = choose_family(long)
    assert family == "nb" and dispersion > 1.5
    x = np.column_stack([np.ones(len(long)), long["period"]])
    mle = sm.NegativeBinomial(long["events"], x, offset=np.log(long["days"])).fit(disp=0)
    assert alpha == pytest.approx(np.asarray(mle.params)[-1], rel=1e-3)
    assert nb_alpha(long) == alpha


# --------------------------------------------------------------------------- bootstrap


def test_bootstrap_is_reproducible_with_a_seed():
    long = long_counts(simulated(60, seed=11, ratio=0.7), "er_visits", W)
    first = bootstrap_rate_ratio(long, n_boot=500, seed=42)
    assert first == bootstrap_rate_ratio(long, n_boot=500, seed=42)
    assert (
        first["rate_ratio_ci"] != bootstrap_rate_ratio(long, n_boot=500, seed=43)["rate_ratio_ci"]
    )
    events = long.groupby("period")["events"].sum()
    assert first["rate_ratio"] == pytest.approx(events[1] / events[0])
    low, high = first["rate_ratio_ci"]
    assert low < first["rate_ratio"] < high


def test_bootstrap_replaces_the_gee_when_the_model_is_not_apt():
    few = rate_ratio(long_counts(simulated(12, seed=2), "er_visits", W), n_boot=300)
    assert (few["method"], few["fallback_reason"]) == ("bootstrap", "too_few_patients")
    table = simulated(50, seed=2, er_visits_after=np.zeros(50, int))
    none_after = rate_ratio(long_counts(table, "er_visits", W), n_boot=300)
    assert none_after["fallback_reason"] == "zero_events_in_a_period"
    assert none_after["rate_ratio"] == 0.0
    table = simulated(50, seed=2, er_visits_before=np.zeros(50, int))
    none_before = rate_ratio(long_counts(table, "er_visits", W), n_boot=300)
    assert none_before["rate_ratio"] is None and none_before["rate_ratio_ci"] is None


def test_group_effects_shape_and_json():
    table = simulated(300, seed=4, ratio=0.8)
    result = group_effects(table, W, n_boot=400)
    json.dumps(result)
    er = result["measures"]["er_visits"]
    assert er["method"] in ("gee_poisson", "gee_nb")
    assert er["before_mean_ci"][0] < er["before_mean"] < er["before_mean_ci"][1]
    assert er["after_mean_ci"][0] < er["after_mean"] < er["after_mean_ci"][1]
    assert er["rate_after_per_180d_ci"][0] < er["rate_after_per_180d"]
    assert result["measures"]["inpatient_days"]["method"] == "bootstrap"  # all zero
    assert result["measures"]["inpatient_days"]["rate_ratio"] is None


# --------------------------------------------------------------------------- DiD


def regression_to_the_mean_cohort(seed: int = 5, true_ratio: float = 0.8) -> pd.DataFrame:
    """Patients enrolled at a temporary peak; the team lowers the after rate by
    ``true_ratio``; comparison patients are enrolled the same way and untreated.

    Long-run rates vary between patients (gamma); in the before window a crisis doubles
    to quadruples the rate and enrolment requires at least 3 ER visits, so both groups
    are selected on high counts. About 15 % die during the after window. (Over seeds 0–29
    both DiD variants averaged 0.80 and their CIs held 0.80 in 29 of 30 samples.)
    """
    rng = np.random.default_rng(seed)
    groups = []
    for group, n, effect in (("HSVT", 700, true_ratio), ("comparison", 1400, 1.0)):
        pool = 6 * n
        usual = rng.gamma(1.5, 1.0, pool)  # ER visits per 180 days, long run
        before = rng.poisson(usual * rng.uniform(2.0, 4.0, pool))
        chosen = np.flatnonzero(before >= 3)[:n]
        days = np.where(rng.random(n) < 0.15, rng.integers(1, 180, n), 180)
        after = rng.poisson(usual[chosen] * effect * days / 180)
        frame = pd.DataFrame(
            {"er_visits_before": before[chosen], "er_visits_after": after,
             "person_days_after": days, "sex": rng.choice(["F", "M"], n),
             "birth_year": rng.integers(1920, 1950, n),
             "index_date": pd.to_datetime(rng.choice(["2017-05-01", "2018-05-01"], n))}
        )  # fmt: skip
        groups.append(windows(frame.to_dict("records"), group))
    return pd.concat(groups, ignore_index=True)


def test_did_recovers_a_planted_effect_the_crude_change_overstates():
    cohort = regression_to_the_mean_cohort()
    team = cohort[cohort["group"] == "HSVT"]
    comparison = cohort[cohort["group"] == "comparison"]
    crude = team["er_visits_after"].sum() / team["er_visits_before"].sum()
    assert crude < 0.5  # the crude before/after change shows a far larger "effect"
    before_after = group_effects(team, W, measures=["er_visits"], mean_cis=False)
    assert before_after["measures"]["er_visits"]["rate_ratio_ci"][1] < 0.6
    result = difference_in_differences(team, comparison, "er_visits", W)
    assert result["comparison"] == "all" and result["n_comparison"] == 1400
    assert result["ci"][0] < 0.8 < result["ci"][1]
    matched = matched_did(team, comparison, W, measures=["er_visits"])
    matched_er = matched["measures"]["er_visits"]["matched"]
    assert matched_er["comparison"] == "matched"
    assert matched_er["ci"][0] < 0.8 < matched_er["ci"][1]
    assert matched["matching"]["max_abs_smd_after"] < 0.1
    json.dumps(matched)


def test_did_without_effect_and_identical_groups_is_one():
    table = simulated(100, seed=9)
    team = table.assign(group="HSVT")
    comparison = table.assign(group="comparison", patient_id="C" + table["patient_id"])
    result = difference_in_differences(team, comparison, "er_visits", W)
    assert result["rate_ratio"] == pytest.approx(1.0, abs=1e-9)
    assert result["means"]["team"] == result["means"]["comparison"]


# --------------------------------------------------------------------------- event study


def tiny_dataset(folder):
    (folder / "dataset.yml").write_text(
        'name: "t"\ncontacts_from: 2018-01-01\ncontacts_to: 2019-12-31\nsynthetic: true\n'
    )
    write_csv(folder, "areas", "area_id,area_name,region,population\nx,X,R,1000")
    write_csv(
        folder,
        "cohort",
        """patient_id,area_id,group,index_date,birth_year,sex,death_date,kommun
        P1,x,HSVT,2019-03-01,1930,F,,K
        P2,x,HSVT,2019-03-01,1930,M,2019-04-05,K
        C1,x,comparison,2019-02-01,1930,F,,K""",
    )
    write_csv(
        folder,
        "contacts",
        """patient_id,contact_type,start_date,end_date,admitted,unplanned
        P1,er,2019-02-28,,0,
        P1,er,2019-03-01,,0,
        P1,er,2019-03-30,,0,
        P1,er,2019-03-31,,0,
        P1,er,2019-03-31,,1,
        P2,specialist,2019-03-10,,,
        P1,inpatient,2019-02-27,2019-03-03,,1""",
    )


def test_event_study_months_by_hand(tmp_path):
    tiny_dataset(tmp_path)
    patients = pd.DataFrame({"patient_id": ["P1", "P2", "C1"], "group": ["HSVT", "HSVT", "c"]})
    result = event_study(tmp_path, patients)
    team = result["HSVT"]
    assert team["months"] == list(range(-6, 6))
    # P2 dies 2019-04-05 (day 35): alive in months 0 and 1, not from month 2 on.
    assert team["n_alive"] == [2] * 8 + [1] * 4
    er = dict(zip(team["months"], team["measures"]["er_visits"], strict=True))
    assert er[-1] == 0.5  # 02-28 (day −1)
    assert er[0] == 1.0  # 03-01 and 03-30 (days 0, 29); the admitted visit is not counted
    assert er[1] == 0.5  # 03-31 (day 30)
    nights = dict(zip(team["months"], team["measures"]["inpatient_days"], strict=True))
    assert (nights[-1], nights[0]) == (1.0, 1.0)  # nights 02-27, 02-28 | 03-01, 03-02
    assert team["measures"]["specialist_visits"][6] == 0.5
    assert result["c"]["n_alive"] == [1] * 12


def test_event_study_adds_up_to_the_windows(tmp_path):
    table = patient_windows(CONTRACT_EXAMPLE, W)
    table = table[table["included"]]
    patients = table[["patient_id", "group"]].assign(weight=1.0)
    result = event_study(CONTRACT_EXAMPLE, patients)
    for group, rows in table.groupby("group"):
        alive = np.array(result[group]["weighted_alive"])
        for m in MEASURES:
            monthly = np.array(result[group]["measures"][m]) * alive
            assert monthly[:6].sum() == pytest.approx(rows[f"{m}_before"].sum())
            assert monthly[6:].sum() == pytest.approx(rows[f"{m}_after"].sum())


# --------------------------------------------------------------------------- subgroups


def test_subgroups_and_window_sensitivity():
    cohort = regression_to_the_mean_cohort(seed=6)
    team = cohort[cohort["group"] == "HSVT"]
    subgroups = subgroup_effects(team, W, measures=["er_visits"], n_boot=200)
    assert set(subgroups) == {"sex", "age_band", "kommun"}
    assert sum(v["n_patients"] for v in subgroups["sex"].values()) == len(team)
    assert set(subgroups["age_band"]) <= {"<75", "75–84", "85+"}
    json.dumps(subgroups)
    by_length = {90: cohort, 180: cohort}
    sensitivity = window_sensitivity(by_length, "HSVT", measures=["er_visits"])
    assert list(sensitivity) == ["90", "180"]
    entry = sensitivity["180"]["measures"]["er_visits"]
    assert entry["did_all"]["comparison"] == "all" and entry["did_matched"]["ci"] is not None


def test_long_arrays_from_a_frame_keep_clusters():
    long = pd.DataFrame({"cluster": ["a", "a", "b"], "period": [0, 1, 0], "events": [1, 2, 3],
                         "days": [10, 10, 10]})  # fmt: skip
    arrays = LongArrays.from_frame(long)
    assert arrays.n_clusters == 2 and arrays.codes.tolist() == [0, 0, 1]
    assert arrays.weight.tolist() == [1.0, 1.0, 1.0]
