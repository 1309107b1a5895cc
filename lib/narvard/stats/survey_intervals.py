"""Survey figures with their uncertainty: Wilson and Newcombe intervals, two-by-two tests,
Holm's adjustment, response rates and missing answers (docs/surveys.md).

Inputs follow the data contract: ``questions`` is survey_questions, ``responses`` is
survey_responses in long format, ``invitations`` is survey_invitations. Plain data out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd
from scipy import stats

from narvard.domain import ALL_GROUPS, OPEN_SCALE, SCALES, Scale
from narvard.stats.surveys import item_summary

CONFIDENCE = 0.95
LOW_RESPONSE_RATE = 0.5  # response rates below this are flagged `low`
MIN_EXPECTED = 5.0  # Cochran's rule: any expected cell below this -> Fisher's exact test


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson_interval(positive: int, n: int, confidence: float = CONFIDENCE) -> list[float] | None:
    """Wilson score interval [low, high] for positive/n; None when n is 0."""
    if n <= 0:
        return None
    z = _z(confidence)
    p = positive / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if positive == 0 else max(0.0, centre - half)
    high = 1.0 if positive == n else min(1.0, centre + half)
    return [low, high]


def newcombe_interval(
    positive_a: int, n_a: int, positive_b: int, n_b: int, confidence: float = CONFIDENCE
) -> list[float] | None:
    """Newcombe's hybrid score interval (method 10) for p_a - p_b from the Wilson limits."""
    ci_a = wilson_interval(positive_a, n_a, confidence)
    ci_b = wilson_interval(positive_b, n_b, confidence)
    if ci_a is None or ci_b is None:
        return None
    p_a, p_b = positive_a / n_a, positive_b / n_b
    difference = p_a - p_b
    low = difference - math.hypot(p_a - ci_a[0], ci_b[1] - p_b)
    high = difference + math.hypot(ci_a[1] - p_a, p_b - ci_b[0])
    return [low, high]


def two_by_two_test(positive_a: int, n_a: int, positive_b: int, n_b: int) -> dict:
    """Two-sided test of equal shares: Pearson χ² (no continuity correction) when every
    expected count is at least 5, otherwise Fisher's exact test.

    Returns {"p_value": float | None, "test": "chi2" | "fisher" | None}.
    """
    if n_a <= 0 or n_b <= 0:
        return {"p_value": None, "test": None}
    table = [[positive_a, n_a - positive_a], [positive_b, n_b - positive_b]]
    total = n_a + n_b
    positives = positive_a + positive_b
    expected = [n * column / total for n in (n_a, n_b) for column in (positives, total - positives)]
    if min(expected) < MIN_EXPECTED:
        return {"p_value": float(stats.fisher_exact(table).pvalue), "test": "fisher"}
    result = stats.chi2_contingency(table, correction=False)
    return {"p_value": float(result.pvalue), "test": "chi2"}


def holm_adjust(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjustment; None entries are skipped and do not count in m."""
    present = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(present):
        running = max(running, min(1.0, (len(present) - rank) * p))
        adjusted[i] = running
    return adjusted


def _questions_of(questions: pd.DataFrame, survey_id: str, closed_only: bool) -> pd.DataFrame:
    rows = questions[questions["survey_id"] == survey_id].sort_values("order", kind="stable")
    if closed_only:
        rows = rows[rows["scale"] != OPEN_SCALE]
    return rows


def _answers_of(responses: pd.DataFrame, survey_id: str) -> pd.DataFrame:
    rows = responses[responses["survey_id"] == survey_id].copy()
    rows["answer"] = rows["answer"].fillna("").astype(str).str.strip()
    return rows


def _sorted_groups(values: Iterable[str]) -> list[str]:
    return sorted({str(v) for v in values})


def _summary_with_ci(answers: pd.Series, scale: Scale) -> dict:
    summary = item_summary(answers, scale)
    summary["ci"] = wilson_interval(summary["positive"], summary["n"])
    return summary


def _rate_block(respondents: int, invited: int | None, threshold: float) -> dict:
    rate = respondents / invited if invited else None
    low = rate is not None and rate < threshold
    return {
        "invited": invited,
        "respondents": respondents,
        "response_rate": rate,
        "low": low,
    }


def response_summary(
    responses: pd.DataFrame,
    invitations: pd.DataFrame | None,
    survey_id: str,
    threshold: float = LOW_RESPONSE_RATE,
) -> dict:
    """Invited, respondents and response rate per respondent group and in all.

    Pass one area's rows (or any subset). A group that was invited but has no respondent
    appears with 0. Shape: {"threshold", "all": block, "groups": {group: block}} where a
    block is {invited, respondents, response_rate, low}.
    """
    answers = _answers_of(responses, survey_id)
    invited: dict[str, int] = {}
    if invitations is not None and len(invitations):
        frame = invitations[invitations["survey_id"] == survey_id]
        sums = frame.groupby("respondent_group")["invited"].apply(lambda s: s.astype(int).sum())
        invited = {str(g): int(v) for g, v in sums.items()}
    groups = _sorted_groups([*answers["respondent_group"], *invited])
    per_group = {
        g: _rate_block(
            int(answers.loc[answers["respondent_group"] == g, "respondent_id"].nunique()),
            invited.get(g),
            threshold,
        )
        for g in groups
    }
    total_invited = sum(invited.values()) if invited else None
    overall = _rate_block(int(answers["respondent_id"].nunique()), total_invited, threshold)
    return {"threshold": threshold, "all": overall, "groups": per_group}


def _missing_block(members: pd.Series, given: pd.DataFrame, not_substantive: tuple) -> dict:
    respondents = int(members.nunique())
    answered_rows = given[(given["answer"] != "") & given["respondent_id"].isin(members)]
    answered = int(answered_rows["respondent_id"].nunique())
    no_opinion = answered_rows[answered_rows["answer"].isin(not_substantive)]
    return {
        "respondents": respondents,
        "answered": answered,
        "missing": respondents - answered,
        "no_opinion": int(no_opinion["respondent_id"].nunique()),
    }


def item_missing(questions: pd.DataFrame, responses: pd.DataFrame, survey_id: str) -> dict:
    """Per question and group: respondents, answered, missing, no_opinion.

    A respondent of the group (anyone with a row in this survey) is missing for a
    question when the answer is empty or there is no row for it. `no_opinion` counts the
    answers "Ingen uppfattning"/"Vet ej" (answered, but not substantive).
    Shape: {question_id: {group | "all": {respondents, answered, missing, no_opinion}}}.
    """
    answers = _answers_of(responses, survey_id)
    groups = _sorted_groups(answers["respondent_group"])
    members = {g: answers.loc[answers["respondent_group"] == g, "respondent_id"] for g in groups}
    members[ALL_GROUPS] = answers["respondent_id"]
    result = {}
    for row in _questions_of(questions, survey_id, closed_only=False).itertuples():
        given = answers[answers["question_id"] == row.question_id]
        scale = SCALES.get(row.scale)
        not_substantive = scale.not_substantive if scale else ()
        result[row.question_id] = {
            g: _missing_block(m, given, not_substantive) for g, m in members.items()
        }
    return result


def item_intervals(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    survey_id: str,
    group_column: str = "respondent_group",
) -> dict:
    """Share positive with its Wilson 95 % interval per closed question and group.

    Shape: {question_id: {group | "all": {n, positive, share_positive, ci}}}; `ci` is
    [low, high] or None when n is 0. Deep-merges into survey_results' `items`.
    """
    answers = _answers_of(responses, survey_id)
    groups = _sorted_groups(answers[group_column])
    result = {}
    for row in _questions_of(questions, survey_id, closed_only=True).itertuples():
        given = answers[answers["question_id"] == row.question_id]
        scale = SCALES[row.scale]
        item = {
            g: _summary_with_ci(given.loc[given[group_column] == g, "answer"], scale)
            for g in groups
        }
        item[ALL_GROUPS] = _summary_with_ci(given["answer"], scale)
        result[row.question_id] = item
    return result
