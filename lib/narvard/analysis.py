"""The honest consumption estimate beside the crude one, for one area (issue 3 in results).

Adds to each group's consumption block: person-time rates, intervals and before/after rate
ratios (GEE), and for team groups the difference-in-differences against the region's
comparison patients (matched or all), the matching balance, subgroups, window-length
sensitivity and a monthly event study. Matching runs once per team group and is reused.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from narvard import effects, matching
from narvard.consumption import MEASURES
from narvard.processed import ProcessedDataset

TEAM_GROUPS = ("HSVT", "NSVT")
EFFECT_KEYS = (
    "rate_before_per_180d",
    "rate_after_per_180d",
    "rate_before_per_180d_ci",
    "rate_after_per_180d_ci",
    "before_mean_ci",
    "after_mean_ci",
    "rate_ratio",
    "rate_ratio_ci",
    "method",
)


@dataclass
class AreaAnalysis:
    """What the analysis adds to results, plus the matches that cost-effect reuses."""

    consumption: dict = field(default_factory=dict)
    matches: dict[str, matching.MatchResult] = field(default_factory=dict)
    region_windows: pd.DataFrame | None = None
    # The region's windows for every sensitivity length, read once and shared.
    windows_by_length: dict[int, pd.DataFrame] = field(default_factory=dict)


def region_windows(dataset: ProcessedDataset, area_id: str, window_days: int | None = None):
    """Every patient of the area's region (the comparison pool for matching)."""
    areas = dataset.areas()
    region = areas.loc[areas["area_id"] == area_id, "region"].iloc[0]
    region_areas = set(areas.loc[areas["region"] == region, "area_id"])
    windows = dataset.windows(window_days)
    return windows[windows["area_id"].isin(region_areas)].reset_index(drop=True)


def analyse_area(
    dataset: ProcessedDataset, area_id: str, consumption: dict, comparison: str = "matched"
) -> AreaAnalysis:
    """Effects for every group present in `consumption` (the crude block, updated in place).

    Tiny groups make numpy warn about empty means; those cases end as null estimates, so
    the warnings are silenced here rather than shown to readers.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return _analyse(dataset, area_id, consumption, comparison)


def _analyse(
    dataset: ProcessedDataset, area_id: str, consumption: dict, comparison: str
) -> AreaAnalysis:
    window_days = dataset.manifest["window_days"]
    region = region_windows(dataset, area_id)
    area = region[region["area_id"] == area_id]
    candidates = region[region["group"] == "comparison"]
    by_length = {
        n: region_windows(dataset, area_id, n) for n in dataset.manifest["sensitivity_windows"]
    }
    analysis = AreaAnalysis(
        consumption=consumption, region_windows=region, windows_by_length=by_length
    )
    for group, block in consumption.items():
        rows = area[area["group"] == group]
        if block["n_patients"] == 0:
            continue
        estimates = effects.group_effects(rows, window_days)
        for measure in MEASURES:
            got = estimates["measures"][measure]
            block["measures"][measure].update({k: got.get(k) for k in EFFECT_KEYS})
        block["subgroups"] = _subgroups(effects.subgroup_effects(rows, window_days))
        if group in TEAM_GROUPS and candidates["included"].any():
            match = matching.match_comparison(rows, candidates, MEASURES)
            analysis.matches[group] = match
            variants = _did_variants(rows, candidates, window_days, match)
            block["matching"] = match.summary()
            block["did"] = variants[comparison]
            block["did_other"] = variants["all" if comparison == "matched" else "matched"]
            block["sensitivity"] = _sensitivity(by_length, area_id, group)
            block["event_study"] = _event_study(dataset, match, group) if match.team_ids else {}
    return analysis


def _did_variants(rows, candidates, window_days: int, match: matching.MatchResult) -> dict:
    """DiD per measure against matched and against all comparison patients; the matched
    variant is empty (None figures) when no team patient found a match."""
    result: dict = {"matched": {}, "all": {}}
    for m in MEASURES:
        result["all"][m] = _did(effects.difference_in_differences(rows, candidates, m, window_days))
        if match.team_ids:
            estimate = effects.difference_in_differences(
                rows, candidates, m, window_days, match.comparison_weights, match.team_ids
            )
        else:
            estimate = {"comparison": "matched", "n_team": 0, "n_comparison": 0}
        result["matched"][m] = _did(estimate)
    return result


def _did(estimate: dict) -> dict:
    keys = ("rate_ratio", "ci", "comparison", "n_comparison", "n_team", "method")
    return {k: estimate.get(k) for k in keys}


def _subgroups(subgroups: dict) -> dict:
    """Crude means, rate ratio and n per subgroup level (no model internals)."""
    keep = ("before_mean", "after_mean", "change_pct", "rate_ratio", "rate_ratio_ci")
    return {
        kind: {
            level: {
                "n_patients": block["n_patients"],
                "measures": {m: {k: v.get(k) for k in keep} for m, v in block["measures"].items()},
            }
            for level, block in levels.items()
        }
        for kind, levels in subgroups.items()
    }


def _sensitivity(by_length: dict, area_id: str, group: str) -> dict:
    result = effects.window_sensitivity(by_length, group, area_id)
    keep = ("before_mean", "after_mean", "rate_ratio", "rate_ratio_ci")
    return {
        length: {
            "n_patients": block["n_patients"],
            "measures": {
                m: {k: v.get(k) for k in keep}
                | {"did_matched": _did(v["did_matched"]), "did_all": _did(v["did_all"])}
                for m, v in block["measures"].items()
            },
        }
        for length, block in result.items()
    }


def _event_study(dataset: ProcessedDataset, match: matching.MatchResult, group: str) -> dict:
    """Monthly use around the index date, team vs matched comparison (raw data needed)."""
    data_dir = Path(dataset.manifest["data_dir"])
    if not data_dir.is_dir():
        return {}
    patients = effects.event_study_patients(match, group)
    return effects.event_study(data_dir, patients)
