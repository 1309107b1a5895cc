"""Enrolments and the adjusted effect by period (narvard.stats.over_time): periods, the
choice of half-years or years, the minimum for an estimate, that a period's estimate is the
report's estimator on that period's patients, and its disclosure control."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from narvard.domain import MEASURES
from narvard.stats import did, over_time
from narvard.stats.disclosure import declare, suppress_results
from narvard.stats.disclosure.complementary import determined

W = 180


def patients(dates: list[str], group: str, seed: int, **counts) -> pd.DataFrame:
    """Windows of patients with the given index dates (every measure 0 unless given)."""
    rng = np.random.default_rng(seed)
    n = len(dates)
    index = pd.to_datetime(pd.Series(dates))
    frame = pd.DataFrame(
        {
            "patient_id": [f"{group}{seed}-{i}" for i in range(n)],
            "area_id": "a",
            "group": group,
            "included": True,
            "history_observed": True,
            "index_date": index,
            "birth_year": index.dt.year - rng.integers(70, 100, n),
            "sex": rng.choice(["F", "M"], n),
            "person_days_after": W,
        }
    )
    for m in MEASURES:
        for period in ("history", "before", "after"):
            frame[f"{m}_{period}"] = counts.get(f"{m}_{period}", rng.poisson(2.0, n))
    return frame


def spread(first: str, last: str, n: int) -> list[str]:
    return [str(d.date()) for d in pd.date_range(first, last, periods=n)]


def halves(first_half: int, second_half: int) -> list[str]:
    """Index dates: so many in 2018H1 and so many in 2018H2."""
    return spread("2018-01-01", "2018-06-30", first_half) + spread(
        "2018-07-01", "2018-12-31", second_half
    )


def test_periods_and_their_bounds():
    dates = pd.Series(pd.to_datetime(["2017-06-30", "2017-07-01", "2018-12-31"]))
    assert list(over_time.period_of(dates, "half_year")) == ["2017H1", "2017H2", "2018H2"]
    assert list(over_time.period_of(dates, "year")) == ["2017", "2017", "2018"]
    assert over_time.period_bounds("2017H2") == ("2017-07-01", "2017-12-31")
    assert over_time.period_bounds("2018") == ("2018-01-01", "2018-12-31")
    with pytest.raises(ValueError):
        over_time.period_of(dates, "quarter")


def test_half_years_only_when_nearly_everyone_is_in_a_large_half_year():
    # 40 + 40 patients in two half-years: half-years. 40 + 20: only 67 % are in half-years
    # with 30 patients, so years.
    big = patients(halves(40, 40), "HSVT", 1)
    assert over_time.choose_unit(big) == "half_year"
    small = patients(halves(40, 20), "HSVT", 2)
    assert over_time.choose_unit(small) == "year"
    # patients without a baseline window do not count towards the choice
    small.loc[small.index[40:], "history_observed"] = False
    assert over_time.choose_unit(small) == "half_year"


def test_a_period_estimate_is_the_reports_estimator_on_that_periods_patients():
    team = patients(halves(60, 20), "HSVT", 3)
    pool = patients(spread("2018-01-01", "2018-12-31", 200), "comparison", 4)
    block = over_time.effects_by_period(team, pool, W, MEASURES, unit="half_year")
    first, second = block["periods"]
    assert (first["period"], first["n_enrolled"], first["n_team"]) == ("2018H1", 60, 60)
    assert first["n_comparison"] == int((pool["index_date"] < "2018-07-01").sum())
    assert first["estimated"] and not second["estimated"]  # 20 < 30 patients
    expected = did.estimate(
        did.design(team.iloc[:60], pool[pool["index_date"] < "2018-07-01"], W), "er_visits"
    )
    got = first["measures"]["er_visits"]
    assert got["rate_ratio"] == pytest.approx(expected["rate_ratio"], rel=1e-12)
    assert got["ci"] == pytest.approx(expected["ci"], rel=1e-12)
    assert second["measures"]["er_visits"] == {"rate_ratio": None, "ci": None, "estimated": False}


def test_a_measure_with_fewer_than_ten_events_gets_no_estimate():
    dates = spread("2018-01-01", "2018-06-30", 40)
    rare = [1] * 9 + [0] * 31  # 9 readmissions in the baseline window
    team = patients(dates, "HSVT", 5, unplanned_readmissions_history=rare)
    pool = patients(spread("2018-01-01", "2018-06-30", 100), "comparison", 6)
    period = over_time.effects_by_period(team, pool, W, MEASURES, unit="half_year")["periods"][0]
    assert period["estimated"]
    assert period["measures"]["unplanned_readmissions"]["estimated"] is False
    assert period["measures"]["unplanned_readmissions"]["rate_ratio"] is None
    assert period["measures"]["er_visits"]["rate_ratio"] is not None


def block(counts: list[tuple[str, int, int]], unit: str = "half_year") -> dict:
    """An over_time block with (period, n_enrolled, n_team) and an estimate everywhere."""
    return {
        "unit": unit,
        "min_patients": 30,
        "comparison": "balanced",
        "periods": [
            {
                "period": period,
                "first_date": "",
                "last_date": "",
                "n_enrolled": enrolled,
                "n_team": team,
                "n_comparison": 400,
                "estimated": True,
                "measures": {"er_visits": {"rate_ratio": 0.8, "ci": [0.6, 1.1], "estimated": True}},
            }
            for period, enrolled, team in counts
        ],
    }


def suppressed(over: dict, per_year: dict) -> list[tuple]:
    """The periods as published, from results whose counts add up as in a real report:
    section A's years and total are the periods' enrolled, the adjusted estimate's patients
    the periods' team patients. No hidden count is determined by the published ones."""
    enrolled = sum(p["n_enrolled"] for p in over["periods"])
    team = sum(p["n_team"] for p in over["periods"])
    did = {"er_visits": {"n_team": team, "n_comparison": 400, "rate_ratio": 0.8}}
    results = {
        "consumption": {"HSVT": {"n_patients": enrolled, "n_excluded": 0, "measures": {},
                                 "did": did, "over_time": over}},
        "profile": {"groups": {"HSVT": {"n_enrolled": enrolled, "n_included": enrolled,
                                        "n_women": None, "share_women": None,
                                        "age_bands": {}, "per_year": per_year}}},
    }  # fmt: skip
    assert declare(results).mismatches == []
    published = suppress_results(results, 5)
    assert determined(published, declare(results), 5) == []
    out = published["consumption"]["HSVT"]["over_time"]["periods"]
    return [
        (p["period"], p["n_enrolled"], p["n_team"], p["measures"]["er_visits"]["rate_ratio"])
        for p in out
    ]


def test_small_periods_are_hidden_and_cannot_be_recovered_from_the_year():
    # 2016H2: 3 enrolled, hidden with section A's 2016 (the same 3); 187 − 80 − 104 would
    # give it, so the smallest other year, 2017 (80), goes, and its one half-year with it.
    # 2019H2: 4 enrolled, hidden; 2019 = 104 is shown, so 2019H1 (100) is hidden as well.
    # 2019H1's team count (98) goes too (100 − 98 would give its 2 patients without a
    # reference period); its estimate holds no count and stays. The zero team counts only
    # say that nobody of those half-years has a reference period. 2017H1's team count (80)
    # goes as well: with it, 187 − 104 − 80 = 3 would be 2016H2's 3 plus 2017H1's patients
    # without a reference period, two hidden counts known together (docs/disclosure.md).
    got = suppressed(
        block([("2016H2", 3, 0), ("2017H1", 80, 80), ("2019H1", 100, 98), ("2019H2", 4, 0)]),
        per_year={"2016": 3, "2017": 80, "2019": 104},
    )
    assert got == [
        ("2016H2", None, None, None),
        ("2017H1", None, None, 0.8),
        ("2019H1", None, None, 0.8),
        ("2019H2", None, None, None),
    ]


def test_one_hidden_period_hides_the_smallest_other_one():
    # n_team adds up to the adjusted effect's published n_team: one hidden period (3)
    # would be recovered, so the smallest shown one (40) goes too; its estimate stays.
    years = {"2017": 60, "2018": 90, "2019": 95}
    got = suppressed(block([("2017", 60, 3), ("2018", 90, 40), ("2019", 95, 90)], "year"), years)
    assert got == [("2017", 60, None, None), ("2018", 90, None, 0.8), ("2019", 95, 90, 0.8)]
    unchanged = block([("2017", 60, 50), ("2018", 90, 40)], unit="year")
    got = suppressed(unchanged, {"2017": 60, "2018": 90})
    assert got == [("2017", 60, 50, 0.8), ("2018", 90, 40, 0.8)]


def test_hidden_comparison_counts_that_add_up_to_a_small_count_take_one_more():
    """The periods' comparison patients add up to the estimates' pool (903, published with
    every estimate): with 0, 3 and 0 hidden, 903 − 400 − 500 would give the 3, so the
    smaller shown period (400) goes too."""
    over = block([("2016H2", 10, 0), ("2017H1", 80, 70), ("2017H2", 90, 80), ("2018H1", 9, 0)])
    for period, comparison in zip(over["periods"], (3, 400, 500, 0), strict=True):
        period["n_comparison"] = comparison
    results = {
        "consumption": {"HSVT": {"n_patients": 189, "n_excluded": 0, "measures": {},
                                 "did": {"er_visits": {"n_team": 150, "n_comparison": 903,
                                                       "rate_ratio": 0.8}},
                                 "over_time": over}},
    }  # fmt: skip
    out = suppress_results(results, 5)["consumption"]["HSVT"]["over_time"]["periods"]
    assert [p["n_comparison"] for p in out] == [None, None, 500, None]
    unchanged = suppress_results(results, 5)
    results["consumption"]["HSVT"]["did"]["er_visits"]["n_comparison"] = 2000  # other pool
    out = suppress_results(results, 5)["consumption"]["HSVT"]["over_time"]["periods"]
    assert [p["n_comparison"] for p in out] == [None, 400, 500, None]
    assert unchanged["consumption"]["HSVT"]["did"]["er_visits"]["n_comparison"] == 903
