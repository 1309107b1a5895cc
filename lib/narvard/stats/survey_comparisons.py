"""Survey comparisons: group against group and the area against the rest of the region,
per closed question, with one Holm family per area report (docs/surveys.md)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from narvard.domain import SCALES
from narvard.stats.disclosure.cells import PRIVATE
from narvard.stats.survey_intervals import (
    _answers_of,
    _questions_of,
    _sorted_groups,
    holm_adjust,
    newcombe_interval,
    two_by_two_test,
)
from narvard.stats.surveys import item_summary

SIGNIFICANCE = 0.05
QUESTION_LIMIT = 60  # characters of a question's text that lead a comparison sentence
# The two lists of comparison entries in a survey block; one area report is one Holm family.
COMPARISON_KINDS = ("comparisons", "area_vs_rest")
# Which two groups are compared within each survey (difference = first minus second).
COMPARISON_PAIRS: dict[str, tuple[str, str]] = {
    "patient": ("HSVT", "NSVT"),
    "staff": ("vårdcentral", "kommun"),
    "managers": ("vårdcentral", "kommun"),
}
AREA, REST = "area", "rest_of_region"


def short_question(text: object, limit: int = QUESTION_LIMIT) -> str:
    """A question's text on one line; longer than `limit` characters it is cut at the last
    word boundary within the limit (a single overlong word is cut at the limit) and ends
    with "…"."""
    line = " ".join(str(text).split())
    if len(line) <= limit:
        return line
    head = line[: limit + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else line[:limit]
    return cut.rstrip(" ,;:.-–") + "…"


def _question_label(row) -> str:
    """Short text of a survey_questions row; its question_id when the text is missing."""
    text = getattr(row, "question_text", None)
    if text is None or pd.isna(text) or not str(text).strip():
        return str(row.question_id)
    return short_question(text)


def adjust_family(entries: Sequence[dict]) -> dict:
    """Holm-adjust the p-values of these comparison entries as ONE family, in place.

    Sets `p_holm` and `n_tests` (the family size m: entries whose p_value is None are
    skipped and not counted) on every entry. Returns {"method": "holm", "n_tests": m,
    "alpha": SIGNIFICANCE}.
    """
    adjusted = holm_adjust([entry["p_value"] for entry in entries])
    n_tests = sum(p is not None for p in adjusted)
    for entry, p_holm in zip(entries, adjusted, strict=True):
        entry["p_holm"] = p_holm
        entry["n_tests"] = n_tests
    return {"method": "holm", "n_tests": n_tests, "alpha": SIGNIFICANCE}


def adjust_report_family(surveys: dict[str, dict]) -> dict:
    """One Holm family for every survey comparison shown in one area report.

    `surveys` maps survey_id to a block with `comparisons` and/or `area_vs_rest` (as from
    survey_details). Every entry of every survey and both kinds is adjusted together
    (adjust_family): p_holm and n_tests are rewritten in place, so "statistiskt säkerställd"
    in the report (narvard.report.survey_text) means significant after the report-wide
    correction.
    """
    entries = [
        entry
        for block in surveys.values()
        for kind in COMPARISON_KINDS
        for entry in block.get(kind, [])
    ]
    return adjust_family(entries)


def _compare_counts(summary_a: dict, summary_b: dict, min_n: int) -> dict:
    n_a, n_b = summary_a["n"], summary_b["n"]
    if min(n_a, n_b) == 0 or min(n_a, n_b) < min_n:
        return {"difference": None, "ci": None, "p_value": None, "test": None}
    x_a, x_b = summary_a["positive"], summary_b["positive"]
    tested = two_by_two_test(x_a, n_a, x_b, n_b)
    return {
        "difference": x_a / n_a - x_b / n_b,
        "ci": newcombe_interval(x_a, n_a, x_b, n_b),
        **tested,
    }


def _comparisons(
    questions: pd.DataFrame,
    answers: pd.DataFrame,
    survey_id: str,
    groups: tuple[str, str],
    group_column: str,
    min_n: int,
) -> list[dict]:
    """Unadjusted entries (no p_holm or n_tests yet), one per closed question."""
    result = []
    for row in _questions_of(questions, survey_id, closed_only=True).itertuples():
        given = answers[answers["question_id"] == row.question_id]
        scale = SCALES[row.scale]
        summaries = [
            item_summary(given.loc[given[group_column] == g, "answer"], scale) for g in groups
        ]
        entry = {
            "question_id": row.question_id,
            "question": _question_label(row),
            "scale": row.scale,
            "groups": list(groups),
            "n": [s["n"] for s in summaries],
            "shares": [s["share_positive"] for s in summaries],
            **_compare_counts(summaries[0], summaries[1], min_n),
        }
        result.append(entry)
    return result


def compare_groups(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    survey_id: str,
    groups: tuple[str, str] | None = None,
    group_column: str = "respondent_group",
    min_n: int = 0,
) -> list[dict]:
    """Group a versus group b per closed question, Holm-corrected across this call's items.

    Default groups come from COMPARISON_PAIRS, else the two groups present (sorted).
    Each entry: {question_id, question (short text), scale, groups: [a, b], n: [n_a, n_b],
    shares: [p_a, p_b], difference: p_a - p_b, ci: [low, high] (Newcombe), p_value, test,
    p_holm, n_tests}. Items where a group has fewer than max(1, min_n)
    substantive answers keep None values and do not count in the Holm correction. Returns
    [] when there are not two groups. The Holm family here is this call only (standalone
    use); survey_details re-adjusts every comparison of an area as one family.
    """
    answers = _answers_of(responses, survey_id)
    if groups is None:
        present = _sorted_groups(answers[group_column])
        groups = COMPARISON_PAIRS.get(survey_id)
        if groups is None or not set(groups) <= set(present):
            if len(present) != 2:
                return []
            groups = (present[0], present[1])
    entries = _comparisons(questions, answers, survey_id, tuple(groups), group_column, min_n)
    adjust_family(entries)
    return entries


def compare_area_to_rest(
    questions: pd.DataFrame,
    area_responses: pd.DataFrame,
    rest_responses: pd.DataFrame,
    survey_id: str,
    min_n: int = 0,
) -> list[dict]:
    """This area's answers (all groups together) against the rest of the region.

    Same entries as compare_groups with groups ["area", "rest_of_region"].
    """
    both = pd.concat(
        [area_responses.assign(_side=AREA), rest_responses.assign(_side=REST)], ignore_index=True
    )
    entries = compare_groups(questions, both, survey_id, (AREA, REST), "_side", min_n)
    for entry in entries:
        entry[PRIVATE] = rest_areas(rest_responses, survey_id, entry["question_id"], entry["scale"])
    return entries


def rest_areas(rest_responses: pd.DataFrame, survey_id: str, question_id: str, scale: str) -> dict:
    """Each other area's answers and positive answers to one item: what the rest of the
    region adds up. Only for disclosure control, which removes it (never published)."""
    answers = _answers_of(rest_responses, survey_id)
    given = answers[answers["question_id"] == question_id]
    result = {}
    for area_id, part in given.groupby("area_id", sort=True):
        summary = item_summary(part["answer"], SCALES[scale])
        result[str(area_id)] = {"n": summary["n"], "positive": summary["positive"]}
    return result
