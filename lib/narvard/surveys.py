"""Survey summaries per area (CONTRACT.md sections 1 and 2): response rates and share positive."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

ALL_GROUPS = "all"


@dataclass(frozen=True)
class Scale:
    """Answer labels of one scale, in questionnaire order, and which of them count as positive."""

    labels: tuple[str, ...]
    positive: tuple[str, ...]
    not_substantive: tuple[str, ...] = ()


SCALES: dict[str, Scale] = {
    "frequency5": Scale(("Aldrig", "Sällan", "Ibland", "Ofta", "Alltid"), ("Ofta", "Alltid")),
    "agree5": Scale(
        (
            "Stämmer inte alls",
            "Stämmer ganska dåligt",
            "Neutral",
            "Stämmer ganska bra",
            "Stämmer helt",
        ),
        ("Stämmer ganska bra", "Stämmer helt"),
        ("Ingen uppfattning",),
    ),
    "yes_no": Scale(("Ja", "Nej"), ("Ja",), ("Vet ej",)),
}
OPEN_SCALE = "open"


def item_summary(answers: pd.Series, scale: Scale) -> dict:
    """n substantive answers, how many positive, and their share (None when n is 0)."""
    substantive = answers[answers.isin(scale.labels)]
    n = int(len(substantive))
    positive = int(substantive.isin(scale.positive).sum())
    return {"n": n, "positive": positive, "share_positive": positive / n if n else None}


def _response_block(respondents: int, invited: int | None) -> dict:
    rate = respondents / invited if invited else None
    return {"respondents": respondents, "invited": invited, "response_rate": rate}


def survey_results(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    invitations: pd.DataFrame | None,
    area_id: str,
) -> dict:
    """The contract's `surveys` block for one area; surveys without answers there are absent."""
    area_responses = responses[responses["area_id"] == area_id]
    results = {}
    for survey_id, answers in area_responses.groupby("survey_id", sort=True):
        survey_questions = questions[questions["survey_id"] == survey_id].sort_values("order")
        survey_invites = None
        if invitations is not None:
            survey_invites = invitations[
                (invitations["survey_id"] == survey_id) & (invitations["area_id"] == area_id)
            ]
        results[survey_id] = _one_survey(survey_questions, answers, survey_invites)
    return results


def _one_survey(
    questions: pd.DataFrame, answers: pd.DataFrame, invitations: pd.DataFrame | None
) -> dict:
    invited_by_group = {}
    if invitations is not None and len(invitations):
        invited_by_group = invitations.groupby("respondent_group")["invited"].sum().to_dict()
    groups = sorted(answers["respondent_group"].unique())
    block = _response_block(
        int(answers["respondent_id"].nunique()),
        int(sum(invited_by_group.values())) if invited_by_group else None,
    )
    block["groups"] = {
        g: _response_block(
            int(answers.loc[answers["respondent_group"] == g, "respondent_id"].nunique()),
            int(invited_by_group[g]) if g in invited_by_group else None,
        )
        for g in groups
    }
    block["questions"] = {
        row.question_id: {"text": row.question_text, "scale": row.scale, "order": int(row.order)}
        for row in questions.itertuples()
    }
    block["items"], block["open_questions"] = {}, {}
    for row in questions.itertuples():
        given = answers[answers["question_id"] == row.question_id]
        if row.scale == OPEN_SCALE:
            block["open_questions"][row.question_id] = {"n": int((given["answer"] != "").sum())}
            continue
        scale = SCALES[row.scale]
        item = {
            g: item_summary(given.loc[given["respondent_group"] == g, "answer"], scale)
            for g in groups
        }
        item[ALL_GROUPS] = item_summary(given["answer"], scale)
        block["items"][row.question_id] = item
    return block
