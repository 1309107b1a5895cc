"""Survey summaries per area (docs/contract.md §1–2): response rates and share positive."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from narvard.domain import ALL_GROUPS, OPEN_SCALE, SCALES, Scale


def is_reversed(value: object) -> bool:
    """Whether a survey_questions `reversed` value marks a negatively worded item
    (1, "1", "1.0", true, ja, yes); empty, missing and 0 do not."""
    text = str(value).strip().lower()
    return text in {"1", "1.0", "true", "ja", "yes"}


def _question(row) -> dict:
    """A question as published: text, scale, order, and reversed only when it is."""
    question = {"text": row.question_text, "scale": row.scale, "order": int(row.order)}
    if is_reversed(getattr(row, "reversed", None)):
        question["reversed"] = True
    return question


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
    block["questions"] = {row.question_id: _question(row) for row in questions.itertuples()}
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


def label_counts(answers: Iterable[str], scale: Scale | str) -> dict[str, int]:
    """Counts per answer label in questionnaire order, not-substantive labels last.

    Empty answers and text that is not a label of the scale are left out.
    """
    scale = SCALES[scale] if isinstance(scale, str) else scale
    values = pd.Series(list(answers), dtype=object).fillna("").astype(str).str.strip()
    counted = values.value_counts()
    return {label: int(counted.get(label, 0)) for label in (*scale.labels, *scale.not_substantive)}


def survey_label_counts(
    questions: pd.DataFrame, responses: pd.DataFrame, survey_id: str, by_group: bool = False
) -> dict[str, dict]:
    """label_counts for every closed item of a survey, in questionnaire order.

    Shape: {question_id: {label: n}}, or with by_group {question_id: {group: {label: n}}}.
    """
    rows = questions[(questions["survey_id"] == survey_id) & (questions["scale"] != OPEN_SCALE)]
    answers = responses[responses["survey_id"] == survey_id]
    result: dict[str, dict] = {}
    for row in rows.sort_values("order", kind="stable").itertuples():
        given = answers[answers["question_id"] == row.question_id]
        if not by_group:
            result[row.question_id] = label_counts(given["answer"], row.scale)
            continue
        result[row.question_id] = {
            str(g): label_counts(part["answer"], row.scale)
            for g, part in given.groupby("respondent_group", sort=True)
        }
    return result
