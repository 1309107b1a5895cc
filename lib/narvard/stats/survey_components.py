"""Cooperation components (SKR's areas A/B/C and the five critical components) and waves:
favourable shares grouped by the optional survey_questions columns `component` and
`reversed`, and trends over the optional survey_responses column `wave` (docs/surveys.md)."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from narvard.domain import ALL_GROUPS, COMPONENTS, SCALES, SKR_AREAS, Scale
from narvard.stats.disclosure.cells import PRIVATE
from narvard.stats.survey_intervals import (
    _answers_of,
    _questions_of,
    _sorted_groups,
    item_intervals,
)
from narvard.stats.surveys import is_reversed, item_summary


def _codes(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return [token.strip() for token in str(value).replace(",", ";").split(";") if token.strip()]


def _is_reversed(row) -> bool:
    return is_reversed(getattr(row, "reversed", 0))


def _favourable_share(answers: pd.Series, scale: Scale, reverse: bool) -> float | None:
    """Share positive, or for a reversed item the share on the negative side."""
    if not reverse:
        return item_summary(answers, scale)["share_positive"]
    counted = _reversed_counts(answers, scale)
    return None if counted is None else counted[0] / counted[1]


def _reversed_counts(answers: pd.Series, scale: Scale) -> tuple[int, int] | None:
    """A reversed item's answers on the negative (favourable) side, and its substantive
    answers: counts the item table does not show, kept for disclosure control."""
    substantive = answers[answers.isin(scale.labels)]
    if not len(substantive):
        return None
    k = len(scale.positive)
    favourable = scale.labels[:k] if scale.labels[-k:] == scale.positive else scale.labels[k:]
    return int(substantive.isin(favourable).sum()), int(len(substantive))


def _component_items(questions: pd.DataFrame, survey_id: str) -> dict[str, list]:
    """code -> list of question rows; codes are COMPONENTS keys or SKR_AREAS keys."""
    rows = _questions_of(questions, survey_id, closed_only=True)
    mapping: dict[str, list] = {}
    if "component" not in rows.columns and "skr_area" not in rows.columns:
        return mapping
    for row in rows.itertuples():
        codes = _codes(getattr(row, "component", None)) + _codes(getattr(row, "skr_area", None))
        for code in codes:
            mapping.setdefault(code, []).append(row)
    return mapping


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _profile_entry(code: str, rows: list, answers: pd.DataFrame, groups: list[str]) -> dict:
    by_group = {}
    for group in [*groups, ALL_GROUPS]:
        subset = answers if group == ALL_GROUPS else answers[answers["respondent_group"] == group]
        shares = [
            _favourable_share(
                subset.loc[subset["question_id"] == row.question_id, "answer"],
                SCALES[row.scale],
                _is_reversed(row),
            )
            for row in rows
        ]
        reversed_counts = [
            _reversed_counts(
                subset.loc[subset["question_id"] == row.question_id, "answer"], SCALES[row.scale]
            )
            for row in rows
            if _is_reversed(row)
        ]
        by_group[group] = {
            "mean_share_favourable": _mean(shares),
            "n_items_with_data": sum(s is not None for s in shares),
            # (favourable, substantive) of each reversed item: a mean over them publishes
            # these counts (a one-item component: 1 of 19 is 5 %); removed before publishing.
            PRIVATE: [c for c in reversed_counts if c is not None],
        }
    return {
        "label": COMPONENTS.get(code) or SKR_AREAS.get(code) or code,
        "kind": "component" if code in COMPONENTS else "skr_area" if code in SKR_AREAS else "other",
        "items": [row.question_id for row in rows],
        "n_items": len(rows),
        "n_reversed": sum(_is_reversed(row) for row in rows),
        "by_group": by_group,
    }


def _ordered_codes(mapping: dict) -> list[str]:
    known = [c for c in [*COMPONENTS, *SKR_AREAS] if c in mapping]
    return known + sorted(c for c in mapping if c not in known)


def component_profile(questions: pd.DataFrame, responses: pd.DataFrame, survey_id: str) -> dict:
    """Mean favourable share over each component's (and SKR area's) items, per group.

    Pass one area's responses. Items come from the optional `component` column of
    survey_questions (codes of COMPONENTS and/or SKR_AREAS, several separated by ';') or
    an optional `skr_area` column. An item with `reversed` = 1 is worded negatively: its
    favourable share is the share on the disagree/never/no side. Without reversed items
    the mean equals the mean share positive. Shape: {code: {label, kind, items, n_items,
    n_reversed, by_group: {group | "all": {mean_share_favourable, n_items_with_data}}}};
    {} when no question carries a component.
    """
    mapping = _component_items(questions, survey_id)
    answers = _answers_of(responses, survey_id)
    groups = _sorted_groups(answers["respondent_group"])
    return {
        code: _profile_entry(code, mapping[code], answers, groups)
        for code in _ordered_codes(mapping)
    }


def component_comparison(questions: pd.DataFrame, responses: pd.DataFrame, survey_id: str) -> dict:
    """Component profiles side by side for every area and the whole region (all groups).

    Shape: {code: {label, kind, n_items, areas: {area_id: mean_share_favourable},
    region: mean_share_favourable}}.
    """
    mapping = _component_items(questions, survey_id)
    answers = _answers_of(responses, survey_id)
    result = {}
    for code in _ordered_codes(mapping):
        rows = mapping[code]
        region = _profile_entry(code, rows, answers, [])
        areas = {
            str(area): _profile_entry(code, rows, part, [])["by_group"][ALL_GROUPS][
                "mean_share_favourable"
            ]
            for area, part in answers.groupby("area_id", sort=True)
        }
        result[code] = {
            "label": region["label"],
            "kind": region["kind"],
            "n_items": region["n_items"],
            "areas": areas,
            "region": region["by_group"][ALL_GROUPS]["mean_share_favourable"],
        }
    return result


# --------------------------------------------------------------------------- waves


def _wave_order(values: Iterable[str]) -> list[str]:
    waves = {str(v).strip() for v in values if str(v).strip() not in {"", "nan", "None"}}
    try:
        return sorted(waves, key=float)
    except ValueError:
        return sorted(waves)


def wave_trends(questions: pd.DataFrame, responses: pd.DataFrame, survey_id: str) -> dict:
    """Share positive per closed item, wave and group when survey_responses has `wave`.

    Waves are ordered numerically when they are all numbers, else as text (use ISO-like
    labels such as 2018, 2019 or 2019-1). Shape: {"waves": [wave, ...], "items":
    {question_id: {wave: {group | "all": {n, positive, share_positive, ci}}}}};
    {} without a wave column.
    """
    if "wave" not in responses.columns:
        return {}
    answers = _answers_of(responses, survey_id)
    answers["wave"] = answers["wave"].astype(str).str.strip()
    waves = _wave_order(answers["wave"])
    if not waves:
        return {}
    items = {}
    for wave in waves:
        block = item_intervals(questions, answers[answers["wave"] == wave], survey_id)
        for question_id, item in block.items():
            items.setdefault(question_id, {})[wave] = item
    return {"waves": waves, "items": items}
