"""The region's crude figures beside an area's (narvard.stats.benchmarks), by hand, with the
disclosure rule that needs every area: a figure hidden in one area hides the region's."""

from __future__ import annotations

import pandas as pd
import pytest
from narvard.domain import MEASURES
from narvard.stats.benchmarks import region_consumption, region_response


def patients(area: str, group: str, **measures) -> pd.DataFrame:
    """Included patients of one area and group; `measures` gives <measure>_<period> lists
    (every other measure 0 before and after)."""
    n = len(next(iter(measures.values())))
    frame = pd.DataFrame(
        {
            "area_id": area,
            "group": group,
            "included": True,
            "died_after": False,
            "person_days_after": 180,
        },
        index=range(n),
    )
    for m in MEASURES:
        for period in ("before", "after"):
            frame[f"{m}_{period}"] = measures.get(f"{m}_{period}", [0] * n)
    return frame


def region() -> pd.DataFrame:
    """Area a: 6 HSVT patients with 2 bed days before and 1 after each, ER 1 before each;
    area b: 5 HSVT patients with 4 bed days before and 4 after, ER visits 0 before and 1
    after each, one readmission before in total."""
    a = patients(
        "a", "HSVT", inpatient_days_before=[2] * 6, inpatient_days_after=[1] * 6,
        er_visits_before=[1] * 6,
    )  # fmt: skip
    b = patients(
        "b", "HSVT", inpatient_days_before=[4] * 5, inpatient_days_after=[4] * 5,
        er_visits_after=[1] * 5, unplanned_readmissions_before=[1, 0, 0, 0, 0],
    )  # fmt: skip
    excluded = patients("b", "HSVT", inpatient_days_before=[50]).assign(included=False)
    comparison = patients("a", "comparison", inpatient_days_before=[9] * 7)
    return pd.concat([a, b, excluded, comparison], ignore_index=True)


def test_region_figures_are_the_contract_figures_over_every_area():
    # Bed days: 6 × 2 + 5 × 4 = 32 before, 6 × 1 + 5 × 4 = 26 after over 11 included
    # patients (the excluded patient's 50 do not count): 32/11 → 26/11, −18,75 %.
    got = region_consumption(region(), min_cell=0)
    assert set(got) == {"HSVT"}  # comparison patients are not a team group
    hsvt = got["HSVT"]
    assert (hsvt["n_areas"], hsvt["n_patients"]) == (2, 11)
    days = hsvt["measures"]["inpatient_days"]
    assert (days["before_total"], days["after_total"]) == (32, 26)
    assert days["before_mean"] == pytest.approx(32 / 11)
    assert days["after_mean"] == pytest.approx(26 / 11)
    assert days["change_pct"] == pytest.approx(-18.75)
    er = hsvt["measures"]["er_visits"]
    assert (er["before_total"], er["after_total"], er["change_pct"]) == (
        6,
        5,
        pytest.approx(-100 / 6),
    )
    readmissions = hsvt["measures"]["unplanned_readmissions"]
    assert (readmissions["before_total"], readmissions["change_pct"]) == (1, -100.0)


def test_a_figure_hidden_in_one_area_is_hidden_for_the_region():
    """ER visits: area a has 6 before (shown), area b 0 (hidden there): the region's 6
    before would give b's 0 back (6 − 6), so the region's before total, mean and change go;
    after: 0 in a (hidden) and 5 in b, region 5 → hidden too. Bed days are shown."""
    hsvt = region_consumption(region(), min_cell=5)["HSVT"]
    assert hsvt["n_patients"] == 11
    er = hsvt["measures"]["er_visits"]
    assert er == dict.fromkeys(er)  # every key null
    days = hsvt["measures"]["inpatient_days"]
    assert (days["before_total"], days["after_total"]) == (32, 26)
    readmissions = hsvt["measures"]["unplanned_readmissions"]
    assert readmissions["before_total"] is None and readmissions["change_pct"] is None


def test_an_area_with_too_few_patients_hides_the_region_group():
    windows = pd.concat(
        [region(), patients("c", "NSVT", inpatient_days_before=[9] * 30)]
        + [patients("d", "NSVT", inpatient_days_before=[9] * 4)],
        ignore_index=True,
    )
    got = region_consumption(windows, min_cell=5)
    assert got["NSVT"]["n_patients"] is None  # 34 − 30 would give area d's 4
    assert all(v is None for m in got["NSVT"]["measures"].values() for v in m.values())
    assert got["NSVT"]["n_areas"] == 2
    assert region_consumption(windows, min_cell=0)["NSVT"]["n_patients"] == 34


def answers(area: str, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "survey_id": "managers",
            "area_id": area,
            "respondent_id": [f"{area}{i}" for i in range(n) for _ in range(2)],
            "question_id": ["m1", "m2"] * n,
        }
    )


def test_region_response_rate_and_its_suppression():
    responses = pd.concat([answers("a", 10), answers("b", 6)], ignore_index=True)
    invitations = pd.DataFrame(
        {"survey_id": "managers", "area_id": ["a", "a", "b"], "invited": [8, 8, 9]}
    )
    got = region_response(responses, invitations, "managers", min_cell=5)
    assert got == {"n_areas": 2, "respondents": 16, "invited": 25, "response_rate": 0.64}
    small = pd.concat([answers("a", 10), answers("b", 3)], ignore_index=True)
    hidden = region_response(small, invitations, "managers", min_cell=5)
    assert (hidden["respondents"], hidden["invited"], hidden["response_rate"]) == (None, 25, None)
    shown = region_response(small, invitations, "managers", min_cell=0)
    assert shown["response_rate"] == pytest.approx(13 / 25)
    # an area with answers but no invitation row: no rate; a survey without answers: None
    only_a = invitations[invitations["area_id"] == "a"]
    assert region_response(responses, only_a, "managers", 0)["response_rate"] is None
    assert region_response(responses, invitations, "patient", 0) is None
