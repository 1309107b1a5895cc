"""The event study on a tiny dataset worked by hand, and the pre-trend test."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import write_csv
from narvard.data.consumption import patient_months, patient_windows
from narvard.stats.event_study import event_study, month_days, pre_trend

EXTRACT = (dt.date(2018, 1, 1), dt.date(2019, 12, 31))


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
        P1,inpatient,2019-02-27,2019-03-03,,1
        C1,er,2019-01-31,,0,""",
    )


def test_monthly_counts_by_hand(tmp_path):
    tiny_dataset(tmp_path)
    months = patient_months(tmp_path)
    cells = {(r.patient_id, r.month, r.measure): r.value for r in months.itertuples()}
    assert cells[("P1", -1, "er_visits")] == 1  # 02-28 is day −1
    assert cells[("P1", 0, "er_visits")] == 2  # days 0 and 29; the admitted visit does not count
    assert cells[("P1", 1, "er_visits")] == 1  # 03-31 is day 30
    assert cells[("P1", -1, "inpatient_days")] == 2  # nights 02-27, 02-28
    assert cells[("P1", 0, "inpatient_days")] == 2  # nights 03-01, 03-02
    assert cells[("P2", 0, "specialist_visits")] == 1
    assert cells[("C1", -1, "er_visits")] == 1
    assert len(cells) == 7


def test_days_alive_and_observed_per_month():
    patients = pd.DataFrame(
        {
            "index_date": pd.to_datetime(["2019-03-01", "2019-03-01", "2018-02-01"]),
            "death_date": pd.to_datetime([None, "2019-04-05", None]),
        }
    )
    days = month_days(patients, np.array([-2, 0, 1, 2]), EXTRACT)
    # P2 dies on 2019-04-05, day 35: 30 days in month 0, 5 in month 1, none after.
    assert days[1].tolist() == [30, 30, 5, 0]
    # The third patient's month −2 (2017-12-03 … 2018-01-01) has one day inside the extract.
    assert days[2].tolist() == [1, 30, 30, 30]


def test_rates_scaled_comparison_and_hidden_counts(tmp_path):
    tiny_dataset(tmp_path)
    windows = patient_windows(tmp_path, 90)
    team, pool = windows[windows["group"] == "HSVT"], windows[windows["group"] == "comparison"]
    result = event_study(
        team, pool, np.array([1.0]), patient_months(tmp_path), ["er_visits"], EXTRACT, 90,
        months=(-6, 2),
    )  # fmt: skip
    er = result["measures"]["er_visits"]
    months = result["months"]
    month0 = months.index(0)
    # Month 0: P1 two visits in 30 days, P2 none in 30 days alive → 2 / 60 × 30 = 1.
    assert er["team"]["rate"][month0] == pytest.approx(1.0)
    assert er["team"]["n_observed"][months.index(2)] == 1  # P2 has died
    # Baseline months for W = 90: days −180 … −91, i.e. months −6 … −4 (all zero here),
    # so the comparison cannot be scaled.
    assert er["comparison_scaled"] is None


def test_pre_trend_finds_a_diverging_team_and_not_a_parallel_one():
    rng = np.random.default_rng(5)
    months = np.arange(-18, -6)
    n = 400
    treated = np.r_[np.ones(n), np.zeros(n)]
    days = np.full((2 * n, len(months)), 30.0)
    frailty = rng.gamma(2.0, 0.5, 2 * n)[:, None]
    parallel = rng.poisson(frailty * 0.5 * np.ones(len(months)))
    test = pre_trend(parallel, days, treated, np.ones(2 * n), months)
    assert test["ci"][0] < 1 < test["ci"][1]
    rising = np.exp(0.05 * (months - months[0]))[None, :]  # team +5 % a month = ×1.82 a year
    diverging = rng.poisson(frailty * 0.5 * np.where(treated[:, None] > 0, rising, 1.0))
    test = pre_trend(diverging, days, treated, np.ones(2 * n), months)
    assert test["ratio_per_year"] == pytest.approx(np.exp(0.6), rel=0.15)
    assert test["p_value"] < 0.001 and test["months"] == [-18, -7]
