"""Rules that span rows and tables, one function per table (`TABLE_RULES`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from narvard.data.validate.columns import _check_reference, _check_unique
from narvard.data.validate.problems import (
    SCALE_LABELS,
    Problem,
    _capped,
    _isin,
    _rows,
)
from narvard.data.validate.schema import INVITATION_KEYS, Tables, _Table

# ---------------------------------------------------------------- table rules


def _in_file(target: _Table | None, what: str) -> str:
    return f"{what} som finns i {target.file if target else ''}"


def _rules_areas(tables: Tables) -> list[Problem]:
    """area_id unique."""
    areas = tables["areas"]
    return [] if areas is None else _check_unique(areas, ["area_id"], "unikt area_id")


def _rules_survey_questions(tables: Tables) -> list[Problem]:
    """question_id unique within its survey."""
    questions = tables["survey_questions"]
    if questions is None:
        return []
    expected = "unik kombination av survey_id och question_id"
    return _check_unique(questions, ["survey_id", "question_id"], expected)


def _rules_survey_responses(tables: Tables) -> list[Problem]:
    """Known survey and question, known area, one answer per question, consistent
    respondent, answers from the question's scale."""
    responses, questions = tables["survey_responses"], tables["survey_questions"]
    if responses is None:
        return []
    problems = _check_survey_known(responses, questions)
    expected = _in_file(tables["areas"], "ett area_id")
    problems += _check_reference(responses, ["area_id"], tables["areas"], expected)
    expected = "högst ett svar per survey_id, respondent_id och question_id"
    keys = ["survey_id", "question_id", "respondent_id"]  # reported at the respondent
    problems += _check_unique(responses, keys, expected)
    problems += _check_respondent_consistency(responses)
    return problems + _check_answers(responses, questions)


def _check_survey_known(responses: _Table, questions: _Table | None) -> list[Problem]:
    """survey_id, and then (survey_id, question_id), must exist in survey_questions."""
    if questions is None or not responses.has("survey_id") or not questions.has("survey_id"):
        return []
    known_survey = _isin(responses.values("survey_id"), questions.values("survey_id").uniques)
    expected = _in_file(questions, "ett survey_id")
    problems = _rows(
        responses, "survey_id", responses.filled("survey_id") & ~known_survey, expected
    )
    if not responses.has("question_id") or not questions.has("question_id"):
        return problems
    keys = ["survey_id", "question_id"]
    known = pd.MultiIndex.from_frame(questions.frame[keys])
    known_question = pd.MultiIndex.from_frame(responses.frame[keys]).isin(known)
    unknown = known_survey & responses.filled("question_id") & ~known_question
    expected = _in_file(questions, "en fråga (survey_id och question_id)")
    return problems + _rows(responses, "question_id", unknown, expected)


def _check_respondent_consistency(responses: _Table) -> list[Problem]:
    """A respondent keeps one area_id and one respondent_group within a survey."""
    keys = ["survey_id", "respondent_id"]
    problems = []
    for column in ("area_id", "respondent_group"):
        if not responses.has(*keys, column):
            continue
        first = responses.frame.groupby(keys, sort=False)[column].transform("first")
        complete = responses.filled("survey_id") & responses.filled("respondent_id")
        changed = (responses[column] != first).to_numpy() & complete
        expected = f"samma {column} på alla respondentens rader i enkäten"
        detail = "(respondenten har " + first + " på en tidigare rad)"
        problems += _rows(responses, column, changed, expected, None, detail)
    return problems


def _question_scales(responses: _Table, questions: _Table) -> pd.Series:
    """The scale of each response row's question ('' when unknown)."""
    keys = ["survey_id", "question_id"]
    scales = questions.frame[[*keys, "scale"]].drop_duplicates(keys)
    merged = responses.frame[keys].merge(scales, on=keys, how="left")
    return merged["scale"].fillna("").reset_index(drop=True)


def _check_answers(responses: _Table, questions: _Table | None) -> list[Problem]:
    """A non-empty answer is an exact label of its question's scale (open: free text)."""
    columns = ("survey_id", "question_id")
    if questions is None or not responses.has(*columns, "answer"):
        return []
    if not questions.has(*columns, "scale"):
        return []
    scale = _question_scales(responses, questions)
    answer = responses["answer"].reset_index(drop=True)
    allowed = [f"{s}\x1f{label}" for s, labels in SCALE_LABELS.items() for label in labels]
    valid = (scale + "\x1f" + answer).isin(allowed)
    bad = (answer != "") & scale.isin(list(SCALE_LABELS)) & ~valid
    labels = {s: ", ".join(labels) for s, labels in SCALE_LABELS.items()}
    detail = "(" + scale + ": " + scale.map(labels).fillna("") + ", eller tom cell)"
    expected = "ett svarsalternativ i frågans skala"
    return _rows(responses, "answer", bad.to_numpy(), expected, None, detail)


def _rules_survey_invitations(tables: Tables) -> list[Problem]:
    """Known area and survey, one row per group, invited ≥ respondents, no group missing."""
    invitations = tables["survey_invitations"]
    if invitations is None:
        return []
    areas, questions = tables["areas"], tables["survey_questions"]
    problems = _check_reference(invitations, ["area_id"], areas, _in_file(areas, "ett area_id"))
    expected = _in_file(questions, "ett survey_id")
    problems += _check_reference(invitations, ["survey_id"], questions, expected)
    expected = "en rad per survey_id, area_id och respondent_group"
    problems += _check_unique(invitations, INVITATION_KEYS, expected)
    responses = tables["survey_responses"]
    if _can_count(invitations, responses):
        counts = _respondent_counts(responses)
        problems += _check_invited(invitations, counts)
        problems += _missing_invitations(invitations, responses, counts)
    return problems


def _can_count(invitations: _Table, responses: _Table | None) -> bool:
    """Both tables have the columns needed to compare invited with respondents."""
    if responses is None or not responses.has(*INVITATION_KEYS, "respondent_id"):
        return False
    return invitations.has(*INVITATION_KEYS, "invited")


def _respondent_counts(responses: _Table) -> pd.DataFrame:
    """Distinct respondents (any row, also all-empty answers) per survey, area and group."""
    columns = [*INVITATION_KEYS, "respondent_id"]
    rows = responses.frame[columns]
    rows = rows[np.logical_and.reduce([responses.filled(c) for c in columns])]
    distinct = rows.drop_duplicates()
    return distinct.groupby(INVITATION_KEYS).size().rename("respondents").reset_index()


def _check_invited(invitations: _Table, counts: pd.DataFrame) -> list[Problem]:
    """invited is at least the number of respondents of its group."""
    merged = invitations.frame[INVITATION_KEYS].merge(counts, on=INVITATION_KEYS, how="left")
    respondents = merged["respondents"].fillna(0).to_numpy()
    too_few = invitations.parsed["invited"].to_numpy() < respondents
    detail = pd.Series([f"({int(n)} respondenter har svarat)" for n in respondents])
    expected = "invited ≥ antalet respondenter i gruppen"
    return _rows(invitations, "invited", too_few, expected, None, detail)


def _missing_invitations(
    invitations: _Table, responses: _Table, counts: pd.DataFrame
) -> list[Problem]:
    """Every (survey_id, area_id, respondent_group) with answers has an invitation row."""
    invited = pd.MultiIndex.from_frame(invitations.frame[INVITATION_KEYS])
    missing = counts[~pd.MultiIndex.from_frame(counts[INVITATION_KEYS]).isin(invited)]
    detail = [
        f"(saknas för survey_id={s}, area_id={a}, respondent_group={g})"
        for s, a, g in missing[INVITATION_KEYS].itertuples(index=False)
    ]
    expected = f"en rad för varje grupp som har svar i {responses.file}"
    lines = [None] * len(detail)
    return _capped(invitations.file, "respondent_group", expected, lines, None, detail)


def _rules_unit_costs(tables: Tables) -> list[Problem]:
    """Each item at most once; low_sek ≤ cost_sek ≤ high_sek."""
    costs = tables["unit_costs"]
    if costs is None:
        return []
    problems = _check_unique(costs, ["item"], "varje item högst en gång")
    if costs.has("cost_sek", "low_sek", "high_sek"):
        cost, low, high = (costs.parsed[c] for c in ("cost_sek", "low_sek", "high_sek"))
        outside = ((cost < low) | (cost > high)).to_numpy()
        detail = "(low_sek " + costs["low_sek"] + ", high_sek " + costs["high_sek"] + ")"
        expected = "low_sek ≤ cost_sek ≤ high_sek"
        problems += _rows(costs, "cost_sek", outside, expected, None, detail)
    return problems


def _rules_team_costs(tables: Tables) -> list[Problem]:
    """area_id in areas; one row per (area_id, group); optional low_sek ≤ cost ≤ high_sek."""
    teams, areas = tables["team_costs"], tables["areas"]
    if teams is None:
        return []
    problems = _check_reference(teams, ["area_id"], areas, _in_file(areas, "ett area_id"))
    expected = "en rad per area_id och group"
    problems += _check_unique(teams, ["area_id", "group"], expected)
    return problems + _team_cost_range(teams)


def _team_cost_range(teams: _Table) -> list[Problem]:
    """The optional columns low_sek and high_sek (the team cost's uncertainty range)."""
    if not {"low_sek", "high_sek"} <= set(teams.frame.columns) or not teams.has("annual_cost_sek"):
        return []
    cost = teams.parsed["annual_cost_sek"]
    problems = []
    bounds = {}
    for column in ("low_sek", "high_sek"):
        text = teams[column].str.strip()
        bounds[column] = pd.to_numeric(text.str.replace(",", "."), errors="coerce")
        bad = (text != "") & bounds[column].isna()
        problems += _rows(teams, column, bad, "ett tal (kronor) eller tom cell")
    outside = ((bounds["low_sek"] > cost) | (bounds["high_sek"] < cost)).to_numpy()
    detail = "(low_sek " + teams["low_sek"] + ", high_sek " + teams["high_sek"] + ")"
    expected = "low_sek ≤ annual_cost_sek ≤ high_sek"
    return problems + _rows(teams, "annual_cost_sek", outside, expected, None, detail)


# What the rules below check, in words (docs/validation.md is written from these and the
# column rules in schema.SCHEMA; keep them beside the functions they describe).
TABLE_NOTES: dict[str, tuple[str, ...]] = {
    "areas": ("`area_id` is unique.",),
    "cohort": (
        "`patient_id` is unique (one row per patient); `area_id` is present in `areas`.",
        "`birth_year` ≤ the year of `index_date`.",
        "`death_date`: empty, or a date ≥ `index_date`.",
        "`kommun`: an optional column, not checked.",
    ),
    "contacts": (
        "`patient_id` is present in `cohort`.",
        "`end_date`: for `inpatient`, a date ≥ `start_date` (required); for every other "
        "contact type, empty.",
        "`admitted`: for `er`, `0` or `1` (required); otherwise empty.",
        "`unplanned`: for `inpatient`, `0` or `1` (required); otherwise empty.",
        "Rows with an unknown `contact_type` get only the contact_type problem.",
    ),
    "survey_questions": ("`(survey_id, question_id)` is unique.",),
    "survey_responses": (
        "`survey_id` exists in `survey_questions`; `(survey_id, question_id)` exists there "
        "too; `area_id` is present in `areas`.",
        "At most one row per `(survey_id, respondent_id, question_id)`.",
        "A respondent keeps one `area_id` and one `respondent_group` within a survey (rows "
        "that differ from the respondent's first row are reported).",
        "`answer`: empty (= no answer), or an exact label of the question's scale: "
        "`frequency5`: Aldrig, Sällan, Ibland, Ofta, Alltid; `agree5`: Stämmer inte alls, "
        "Stämmer ganska dåligt, Neutral, Stämmer ganska bra, Stämmer helt, Ingen "
        "uppfattning; `yes_no`: Ja, Nej, Vet ej; `open`: any text.",
    ),
    "survey_invitations": (
        "`survey_id` exists in `survey_questions` (when that table exists); `area_id` in "
        "`areas`; one row per `(survey_id, area_id, respondent_group)`.",
        "`invited` ≥ the number of distinct respondents of that group in "
        "`survey_responses` (a respondent counts with any row, also if every answer is "
        "empty — the report's `respondents`, so a response rate never exceeds 100 %).",
        "When the table exists, every `(survey_id, area_id, respondent_group)` with rows in "
        "`survey_responses` has an invitation row.",
    ),
    "unit_costs": (
        "Each `item` at most once; a missing item is allowed (that cost is left out).",
        "`low_sek ≤ cost_sek ≤ high_sek`.",
    ),
    "team_costs": (
        "`area_id` is present in `areas`; one row per `(area_id, group)`.",
        "Optional columns `low_sek`, `high_sek` (the range of the annual cost, for the cost "
        "uncertainty): empty or a number, with `low_sek ≤ annual_cost_sek ≤ high_sek`.",
    ),
    "price_index": ("An optional table (extension): one `index` per `year`.",),
    "staffing": (
        "An optional table (extension): staffing keys used where `team_costs` has no row.",
    ),
}


TABLE_RULES = (
    _rules_areas,  # cohort and contacts: narvard.data.validate.sql_rules
    _rules_survey_questions,
    _rules_survey_responses,
    _rules_survey_invitations,
    _rules_unit_costs,
    _rules_team_costs,
)
