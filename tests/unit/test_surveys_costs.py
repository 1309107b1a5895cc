"""Share positive, response rates (docs/contract.md §2) and crude gross savings."""

from __future__ import annotations

import pandas as pd
import pytest
from narvard.stats.contract_costs import gross_savings
from narvard.stats.surveys import SCALES, item_summary, survey_results


def test_not_substantive_answers_are_left_out():
    answers = pd.Series(["Stämmer helt", "Neutral", "Ingen uppfattning", "", "Stämmer ganska bra"])
    assert item_summary(answers, SCALES["agree5"]) == {
        "n": 3,
        "positive": 2,
        "share_positive": pytest.approx(2 / 3),
    }
    assert item_summary(pd.Series(["Vet ej", "Ja", "Nej"]), SCALES["yes_no"])["n"] == 2
    assert item_summary(pd.Series([""]), SCALES["frequency5"])["share_positive"] is None


def test_response_rate_counts_distinct_respondents_per_group():
    questions = pd.DataFrame(
        {
            "survey_id": ["s"],
            "question_id": ["q"],
            "question_text": ["?"],
            "scale": ["yes_no"],
            "order": [1],
        }
    )
    responses = pd.DataFrame(
        {
            "survey_id": ["s"] * 4,
            "question_id": ["q"] * 4,
            "respondent_id": ["a", "b", "c", "d"],
            "area_id": ["x", "x", "x", "y"],
            "respondent_group": ["kommun", "kommun", "vårdcentral", "kommun"],
            "answer": ["Ja", "", "Nej", "Ja"],
        }
    )
    invitations = pd.DataFrame(
        {
            "survey_id": ["s", "s"],
            "area_id": ["x", "x"],
            "respondent_group": ["kommun", "vårdcentral"],
            "invited": [4, 6],
        }
    )
    block = survey_results(questions, responses, invitations, "x")["s"]
    assert (block["respondents"], block["invited"], block["response_rate"]) == (3, 10, 0.3)
    assert block["groups"]["kommun"] == {"respondents": 2, "invited": 4, "response_rate": 0.5}
    assert block["items"]["q"]["kommun"] == {"n": 1, "positive": 1, "share_positive": 1.0}
    assert block["items"]["q"]["all"]["n"] == 2


def test_gross_savings_by_hand():
    measures = {
        "er_visits": {"before_total": 100, "after_total": 79},
        "inpatient_days": {"before_total": 570, "after_total": 470},
        "unplanned_readmissions": {"before_total": 50, "after_total": 33},
        "specialist_visits": {"before_total": 50, "after_total": 41},
    }
    costs = {"er_visit": 4000.0, "inpatient_day": 9300.0, "specialist_visit": 4500.0}
    result = gross_savings(measures, costs)
    # 21 × 4 000 + 100 × 9 300 + 9 × 4 500; readmissions are inside the bed days.
    assert result["gross_savings_sek"] == 84_000 + 930_000 + 40_500
