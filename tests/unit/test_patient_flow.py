"""The patient flow on the contract example, counted by hand (docs/contract.md example):
A1 and A2 (HSVT, index 2019-03-01) have their before, after and comparison windows inside
the extract (2018-01-01 … 2019-12-31); A3 (index 2018-03-01) has a before window starting
2017-09-02, outside it; B1 is the area's one comparison patient."""

from __future__ import annotations

from narvard.data.processed import prepare_dataset
from narvard.report.patient_flow import flow_table
from narvard.results.assemble import area_results
from narvard.results.flow import patient_flow


def test_contract_example_flow_by_hand(contract_example, tmp_path):
    results = area_results(prepare_dataset(contract_example, tmp_path, 180), "exempelby", 0)
    assert results["patient_flow"] == {
        "groups": {
            "HSVT": [
                {"step": "enrolled", "n": 3},
                {"step": "both_windows", "n": 2},
                {"step": "history_window", "n": 2},
            ],
            "comparison": [{"step": "enrolled", "n": 1}, {"step": "both_windows", "n": 1}],
        },
        "region_comparison": {"HSVT": 1},
    }
    table = flow_table(results)
    assert list(table["Hemsjukvårdsteam (HSVT)"]) == ["3", "2", "2", "1"]
    assert list(table["Jämförelsegrupp i området"]) == ["1", "1", "·", "·"]


def test_hidden_counts_stay_hidden_in_the_flow():
    results = {
        "profile": {"groups": {"NSVT": {"n_enrolled": None}}},
        "consumption": {
            "NSVT": {
                "n_patients": None,
                "did": {"er_visits": {"n_team": None, "n_comparison": 40}},
            }
        },
    }
    flow = patient_flow(results)
    assert [s["n"] for s in flow["groups"]["NSVT"]] == [None, None, None]
    assert flow["region_comparison"] == {"NSVT": 40}
    assert list(flow_table({"patient_flow": flow})["Närsjukvårdsteam (NSVT)"]) == ["–"] * 3 + ["40"]
