"""Small-cell suppression (docs/contract.md §3, --min-cell)."""

from __future__ import annotations

from narvard.stats.disclosure import suppress_results


def consumption_block(n, excluded=0, deaths=0, before=10, after=2):
    measure = {
        "before_total": before,
        "after_total": after,
        "before_mean": before / n,
        "after_mean": after / n,
        "change_pct": 100 * (after - before) / before,
    }
    return {
        "n_patients": n,
        "n_excluded": excluded,
        "deaths_after": deaths,
        "person_days_after": 180 * n,
        "measures": {"er_visits": dict(measure)},
    }


def item(n, positive):
    return {"n": n, "positive": positive, "share_positive": positive / n}


def test_group_below_min_cell_loses_every_derived_figure():
    results = {
        "consumption": {"NSVT": consumption_block(4, excluded=7)},
        "costs": {"NSVT": {"gross_savings_sek": 1000.0}},
    }
    out = suppress_results(results, 5)
    block = out["consumption"]["NSVT"]
    assert block["n_patients"] is None and block["person_days_after"] is None
    assert block["measures"]["er_visits"]["before_mean"] is None
    assert block["n_excluded"] == 7
    assert out["costs"]["NSVT"]["gross_savings_sek"] is None
    assert results["consumption"]["NSVT"]["n_patients"] == 4, "input left untouched"


def test_small_totals_hide_their_mean_and_the_change():
    out = suppress_results({"consumption": {"HSVT": consumption_block(50, 3, 4, 12, 3)}}, 5)
    block = out["consumption"]["HSVT"]
    er = block["measures"]["er_visits"]
    assert (block["n_patients"], block["n_excluded"], block["deaths_after"]) == (50, None, None)
    assert er["before_total"] == 12 and er["before_mean"] == 12 / 50
    assert er["after_total"] is None and er["after_mean"] is None and er["change_pct"] is None


def test_min_cell_zero_keeps_everything():
    results = {"consumption": {"HSVT": consumption_block(1, 1, 1, 1, 1)}}
    assert suppress_results(results, 0)["consumption"] == results["consumption"]


def test_survey_complementary_suppression():
    survey = {
        "respondents": 30,
        "invited": 50,
        "response_rate": 0.6,
        "groups": {},
        "items": {
            "q1": {
                "HSVT": item(3, 2),
                "NSVT": item(12, 10),
                "KOMB": item(15, 12),
                "all": item(30, 24),
            }
        },
    }
    out = suppress_results({"surveys": {"patient": survey}}, 5)["surveys"]["patient"]
    q1 = out["items"]["q1"]
    assert q1["HSVT"] == {"n": None, "positive": None, "share_positive": None}
    # HSVT = all − NSVT − KOMB would reveal it: the smaller of the others is hidden too.
    assert q1["NSVT"]["n"] is None and q1["KOMB"]["n"] == 15
    assert q1["all"] == item(30, 24)


def test_survey_few_positive_answers_hide_the_share():
    survey = {
        "respondents": 40,
        "invited": 100,
        "response_rate": 0.4,
        "groups": {},
        "items": {"q1": {"all": item(40, 3)}},
    }
    out = suppress_results({"surveys": {"s": survey}}, 5)["surveys"]["s"]
    assert out["items"]["q1"]["all"] == {"n": 40, "positive": None, "share_positive": None}
    assert out["respondents"] == 40


def test_component_mean_built_on_a_hidden_share_is_hidden():
    survey = {
        "respondents": 40,
        "invited": 60,
        "response_rate": 0.67,
        "groups": {},
        "items": {"m1": {"kommun": item(12, 3), "vårdcentral": item(28, 10), "all": item(40, 13)}},
        "components": {
            "tillit": {
                "label": "Tillit",
                "items": ["m1"],
                "n_items": 1,
                "by_group": {
                    "kommun": {"mean_share_favourable": 0.75},
                    "vårdcentral": {"mean_share_favourable": 0.64},
                    "all": {"mean_share_favourable": 0.675},
                },
            }
        },
    }
    out = suppress_results({"surveys": {"managers": survey}}, 5)["surveys"]["managers"]
    by_group = out["components"]["tillit"]["by_group"]
    # kommun: 3 positive of 12 is hidden, so 1 − 3/12 may not be shown either.
    assert by_group["kommun"]["mean_share_favourable"] is None
    # vårdcentral's positive count is hidden too (all − vårdcentral would reveal kommun's).
    assert by_group["vårdcentral"]["mean_share_favourable"] is None
    assert by_group["all"]["mean_share_favourable"] == 0.675


def test_counts_repeated_in_cost_and_comparison_blocks_are_hidden():
    results = {
        "consumption": {
            "NSVT": consumption_block(30, 6, 6, 40, 3)
            | {
                "comparison_group": {
                    "n_team": 30,
                    "n_comparison": 3,
                    "balanced": True,
                    "balance": [{"variable": "age", "mean_comparison": 81.0}],
                },
                "did": {
                    "er_visits": {
                        "rate_ratio": 0.8,
                        "ci": [0.5, 1.2],
                        "n_team": 30,
                        "n_comparison": 3,
                        "comparison": "balanced",
                    }
                },
            }
        },
        "costs": {
            "NSVT": {
                "gross_savings_sek": 1.0,
                "n_patients": 30,
                "avoided_use": {
                    "er_visits": {
                        "n_patients": 30,
                        "before_total": 40,
                        "after_total": 3,
                        "avoided_crude": 37,
                    }
                },
            }
        },
    }
    out = suppress_results(results, 5)
    block = out["consumption"]["NSVT"]
    # Three comparison patients: their count and their mean age are hidden.
    assert block["comparison_group"]["n_comparison"] is None
    assert block["comparison_group"]["balance"][0]["mean_comparison"] is None
    assert (
        block["did"]["er_visits"]["rate_ratio"] is None and block["did"]["er_visits"]["ci"] is None
    )
    er = out["costs"]["NSVT"]["avoided_use"]["er_visits"]
    # 40 − 37 would reveal the hidden after total: the difference is hidden too.
    assert (er["before_total"], er["after_total"], er["avoided_crude"]) == (40, None, None)
