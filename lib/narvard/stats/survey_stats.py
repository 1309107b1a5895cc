"""Surveys in depth for one area, all in one: response, uncertainty, comparisons (one Holm
family per report), components, waves and open answers, as plain data for results.json.
The pieces live in survey_intervals, survey_comparisons, survey_components and
open_answers; docs/surveys.md describes methods and thresholds."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from narvard.stats import open_answers
from narvard.stats.survey_comparisons import (
    adjust_report_family,
    compare_area_to_rest,
    compare_groups,
)
from narvard.stats.survey_components import (
    component_comparison,
    component_profile,
    wave_trends,
)
from narvard.stats.survey_intervals import item_intervals, item_missing, response_summary


def deep_merge(base: dict, extra: dict) -> dict:
    """Merge `extra` into `base` in place (dicts recursively, other values replaced)."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_merge(base[key], value)
        else:
            base[key] = value
    return base


def survey_details(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    invitations: pd.DataFrame | None,
    area_id: str,
    codebook: open_answers.Codebook | None = None,
    rest_area_ids: Sequence[str] | None = None,
    min_cell: int = 0,
) -> dict:
    """Everything of this module for one area, per survey with answers there.

    `responses` is the whole table (all areas): the rest of the region is every other
    area, or only `rest_area_ids` when given. `codebook` (open_answers.load_codebook) adds
    `themes` and `open_answers`; quotes are redacted. Shape per survey_id: {response,
    missing, items (ci per question/group, deep-merges into survey_results' items),
    comparisons, area_vs_rest, components, component_comparison, waves, themes?,
    open_answers?}. The comparisons and area_vs_rest entries of all surveys form one Holm
    family (adjust_report_family): their p_holm, n_tests and sentences are report-wide.
    `min_cell` (the report's --min-cell) leaves a comparison empty where a group has fewer
    substantive answers, and takes no quotes from a group with fewer open answers.
    """
    in_area = responses["area_id"] == area_id
    rest_mask = ~in_area if rest_area_ids is None else responses["area_id"].isin(rest_area_ids)
    area_invites = None
    if invitations is not None:
        area_invites = invitations[invitations["area_id"] == area_id]
    result = {}
    for survey_id in sorted(responses.loc[in_area, "survey_id"].unique()):
        area = responses[in_area & (responses["survey_id"] == survey_id)]
        rest = responses[rest_mask & (responses["survey_id"] == survey_id)]
        block = {
            "response": response_summary(area, area_invites, survey_id),
            "missing": item_missing(questions, area, survey_id),
            "items": item_intervals(questions, area, survey_id),
            "comparisons": compare_groups(questions, area, survey_id, min_n=min_cell),
            "area_vs_rest": (
                compare_area_to_rest(questions, area, rest, survey_id, min_cell)
                if len(rest)
                else []
            ),
            "components": component_profile(questions, area, survey_id),
            "component_comparison": component_comparison(
                questions, responses[responses["survey_id"] == survey_id], survey_id
            ),
            "waves": wave_trends(questions, area, survey_id),
        }
        if codebook is not None:
            block.update(
                open_answers.survey_open_answers(questions, area, survey_id, codebook, min_cell)
            )
        result[str(survey_id)] = block
    adjust_report_family(result)
    return result
