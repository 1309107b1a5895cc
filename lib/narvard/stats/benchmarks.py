"""The region's crude figures, to set an area beside its region and beside published figures.

Published evaluations (VGR's final report on Mobil närvård, Region Skåne's manager survey;
``narvard.data.published``) report crude before/after changes and response rates. The same
figures for the whole region are computed here exactly as the data contract defines them
for an area (§2): totals over the region's included patients, means per patient and the
relative change, and respondents over invited.

Disclosure control is applied here, because it needs every area of the region: a region
figure is hidden when it is small itself, or when the same figure of any of its areas is
hidden in that area's report — the region total minus the other areas' published totals
would give the hidden one back.
"""

from __future__ import annotations

import pandas as pd

from narvard.domain import MEASURES, TEAM_GROUPS
from narvard.stats.crude import group_summary
from narvard.stats.disclosure import is_small

PERIODS = ("before", "after")
MEASURE_KEYS = ("before_total", "after_total", "before_mean", "after_mean", "change_pct")


def region_consumption(windows: pd.DataFrame, min_cell: int) -> dict:
    """{group: {"n_areas", "n_patients", "measures": {measure: crude keys}}} for each team
    group with patients among ``windows`` (every patient of the region)."""
    result = {}
    for group in TEAM_GROUPS:
        rows = windows[windows["group"] == group]
        if rows.empty:
            continue
        region = group_summary(rows)
        areas = [group_summary(part) for _, part in rows.groupby("area_id", sort=True)]
        block = {
            "n_areas": len(areas),
            "n_patients": region["n_patients"],
            "measures": {m: {k: region["measures"][m][k] for k in MEASURE_KEYS} for m in MEASURES},
        }
        if min_cell > 0:
            _suppress_group(block, areas, min_cell)
        result[group] = block
    return result


def _suppress_group(block: dict, areas: list[dict], min_cell: int) -> None:
    """Hide what is small in the region or hidden in one of its areas (see the module)."""
    if is_small(block["n_patients"], min_cell) or any(
        is_small(a["n_patients"], min_cell) for a in areas
    ):
        block["n_patients"] = None
        for measure in block["measures"].values():
            measure.update(dict.fromkeys(MEASURE_KEYS))
        return
    for name, measure in block["measures"].items():
        for period in PERIODS:
            key = f"{period}_total"
            totals = [measure[key], *(a["measures"][name][key] for a in areas)]
            if any(is_small(total, min_cell) for total in totals):
                measure[key] = measure[f"{period}_mean"] = measure["change_pct"] = None


def region_response(
    responses: pd.DataFrame, invitations: pd.DataFrame | None, survey_id: str, min_cell: int
) -> dict | None:
    """Respondents, invited and response rate of one survey over the region's areas
    (``responses`` and ``invitations`` already limited to them); None without answers.

    The rate is null without invitations for every area with answers, and hidden when the
    region's or any area's number of respondents is below ``min_cell``.
    """
    answers = responses[responses["survey_id"] == survey_id]
    if answers.empty:
        return None
    per_area = answers.groupby("area_id")["respondent_id"].nunique()
    invited = None
    if invitations is not None:
        frame = invitations[invitations["survey_id"] == survey_id]
        by_area = frame.groupby("area_id")["invited"].sum()
        if set(per_area.index) <= set(by_area.index):
            invited = int(by_area.sum())
    respondents = int(per_area.sum())
    block = {
        "n_areas": int(len(per_area)),
        "respondents": respondents,
        "invited": invited,
        "response_rate": respondents / invited if invited else None,
    }
    if min_cell > 0 and (
        is_small(respondents, min_cell) or any(is_small(int(n), min_cell) for n in per_area)
    ):
        block["respondents"] = block["response_rate"] = None
    return block
