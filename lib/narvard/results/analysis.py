"""The honest consumption estimate beside the crude one, for one area and for its region.

Adds to each group's consumption block: rates per 180 days alive with intervals and the
before/after rate ratio per day alive; for team groups the difference-in-differences
against the region's comparison patients (``narvard.stats.did``: baseline window
t−2W … t−W−1, comparison balanced on age, sex and index date), the comparison group's
balance, window-length sensitivity and the monthly event study. Subgroups (sex, age band,
kommun) are descriptive and exploratory. The designs and fits are kept for the costs, so
the cost section reuses exactly the effect section's numbers.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from narvard.data.processed import ProcessedDataset
from narvard.domain import MEASURES, TEAM_GROUPS
from narvard.results import frames
from narvard.stats import did, over_time
from narvard.stats.describe import describe_group, included, subgroup_columns
from narvard.stats.event_study import event_study
from narvard.stats.poisson import PoissonFit

DESCRIPTION_KEYS = (
    "rate_before_per_180d",
    "rate_after_per_180d",
    "rate_before_per_180d_ci",
    "rate_after_per_180d_ci",
    "before_mean_ci",
    "after_mean_ci",
    "rate_ratio",
    "rate_ratio_ci",
)


@dataclass(frozen=True)
class GroupEffect:
    """One team group's adjusted effect: its design, the estimates and their fits."""

    design: did.Design
    estimates: dict
    fits: dict[str, PoissonFit]

    @classmethod
    def of(cls, team: pd.DataFrame, pool: pd.DataFrame, window_days: int, comparison: str):
        design = did.design(team, pool, window_days, comparison)
        estimates, fits = did.estimates(design, MEASURES)
        return cls(design, estimates, fits)


@dataclass
class AreaAnalysis:
    """What the analysis adds to results, plus the effects the costs reuse.

    ``effects[group]`` is the report's comparison, ``other_effects[group]`` the other one,
    ``effects_by_length[days][group]`` the report's comparison at other window lengths.
    """

    consumption: dict = field(default_factory=dict)
    effects: dict[str, GroupEffect] = field(default_factory=dict)
    other_effects: dict[str, GroupEffect] = field(default_factory=dict)
    effects_by_length: dict[int, dict[str, GroupEffect]] = field(default_factory=dict)


def region_of(dataset: ProcessedDataset, area_id: str) -> str:
    areas = dataset.areas()
    return str(areas.loc[areas["area_id"] == area_id, "region"].iloc[0])


def region_windows(dataset: ProcessedDataset, region: str, window_days: int | None = None):
    """Every patient of the region (the comparison pool of each of its areas)."""
    return frames.region_windows(dataset, region, window_days)


def _quiet(function, *args):
    """Tiny groups make numpy warn about empty means; those end as null estimates."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return function(*args)


def analyse_area(
    dataset: ProcessedDataset, area_id: str, consumption: dict, comparison: str = "balanced"
) -> AreaAnalysis:
    """Effects for every group present in ``consumption`` (the crude block, updated)."""
    return _quiet(_analyse, dataset, area_id, consumption, comparison)


def _analyse(dataset, area_id: str, consumption: dict, comparison: str) -> AreaAnalysis:
    manifest = dataset.manifest
    window_days = manifest["window_days"]
    region_name = region_of(dataset, area_id)
    region = region_windows(dataset, region_name)
    area = region[region["area_id"] == area_id]
    pool = region[region["group"] == "comparison"]
    by_length = {
        n: region_windows(dataset, region_name, n) for n in manifest["sensitivity_windows"]
    }
    analysis = AreaAnalysis(consumption)
    months = None
    for group, block in consumption.items():
        rows = area[area["group"] == group]
        if block["n_patients"] == 0:
            continue
        described = describe_group(rows, window_days, MEASURES)
        for measure in MEASURES:
            got = described[measure]
            block["measures"][measure].update({k: got.get(k) for k in DESCRIPTION_KEYS})
        block["subgroups"] = subgroups(rows, window_days)
        if group not in TEAM_GROUPS or included(pool).empty:
            continue
        main = GroupEffect.of(rows, pool, window_days, comparison)
        other = GroupEffect.of(rows, pool, window_days, other_comparison(comparison))
        analysis.effects[group], analysis.other_effects[group] = main, other
        block["did"], block["did_other"] = main.estimates, other.estimates
        block["comparison_group"] = main.design.summary(MEASURES)
        block["sensitivity"] = _sensitivity(analysis, by_length, area_id, group, main)
        months = frames.months(dataset) if months is None else months
        block["event_study"] = _event_study(main.design, months, manifest)
        block["over_time"] = over_time.effects_by_period(
            rows, pool, window_days, MEASURES, comparison
        )
    return analysis


def other_comparison(comparison: str) -> str:
    return "all" if comparison == "balanced" else "balanced"


def subgroups(rows: pd.DataFrame, window_days: int) -> dict:
    """Crude means, change and before/after rate ratio per subgroup level (exploratory)."""
    rows = included(rows)
    result: dict = {}
    for kind, values in subgroup_columns(rows).items():
        result[kind] = {}
        for level in sorted(values.unique()):
            members = rows[values.to_numpy() == level]
            described = describe_group(members, window_days, MEASURES, intervals=False)
            measures = {}
            for m in MEASURES:
                before, after = members[f"{m}_before"].mean(), members[f"{m}_after"].mean()
                measures[m] = {
                    "before_mean": float(before),
                    "after_mean": float(after),
                    "change_pct": 100 * (after - before) / before if before else None,
                    "rate_ratio": described[m]["rate_ratio"],
                    "rate_ratio_ci": described[m]["rate_ratio_ci"],
                }
            result[kind][str(level)] = {"n_patients": int(len(members)), "measures": measures}
    return result


def _sensitivity(
    analysis: AreaAnalysis, by_length: dict, area_id: str, group: str, main: GroupEffect
) -> dict:
    """Crude means, before/after ratio and the adjusted effect for each window length
    (the report's own length reuses its main effect)."""
    result = {}
    for days, windows in sorted(by_length.items()):
        team = windows[(windows["area_id"] == area_id) & (windows["group"] == group)]
        pool = windows[windows["group"] == "comparison"]
        described = describe_group(team, days, MEASURES, intervals=False)
        if days == main.design.window_days:
            effect = main
        else:
            effect = GroupEffect.of(team, pool, days, main.design.comparison)
        analysis.effects_by_length.setdefault(int(days), {})[group] = effect
        effects = effect.estimates
        rows = included(team)
        result[str(days)] = {
            "n_patients": int(len(rows)),
            "measures": {
                m: {
                    "before_mean": float(rows[f"{m}_before"].mean()) if len(rows) else None,
                    "after_mean": float(rows[f"{m}_after"].mean()) if len(rows) else None,
                    "rate_ratio": described[m]["rate_ratio"],
                    "rate_ratio_ci": described[m]["rate_ratio_ci"],
                    "did": _public_did(effects[m]),
                }
                for m in MEASURES
            },
        }
    return result


def _public_did(estimate: dict) -> dict:
    keys = ("rate_ratio", "ci", "n_team", "n_comparison", "comparison", "baseline")
    return {k: estimate.get(k) for k in keys}


def _event_study(design: did.Design, months: pd.DataFrame, manifest: dict) -> dict:
    if design.team.empty or design.pool.empty:
        return {}
    ids = set(design.team["patient_id"]) | set(design.pool["patient_id"])
    events = months[months["patient_id"].isin(ids)]
    extract = (manifest["contacts_from"], manifest["contacts_to"])
    return event_study(
        design.team,
        design.pool,
        design.weights,
        events,
        list(MEASURES),
        extract,
        design.window_days,
    )


def region_effects(
    dataset: ProcessedDataset, region: str, comparison: str = "balanced"
) -> dict[str, GroupEffect]:
    """The adjusted effect of each team group over the whole region (once per dataset)."""
    return _quiet(_region_effects, dataset, region, comparison)


def _region_effects(dataset, region: str, comparison: str) -> dict[str, GroupEffect]:
    window_days = dataset.manifest["window_days"]
    windows = region_windows(dataset, region)
    pool = windows[windows["group"] == "comparison"]
    result = {}
    for group in TEAM_GROUPS:
        team = windows[windows["group"] == group]
        if not included(team).empty and not included(pool).empty:
            result[group] = GroupEffect.of(team, pool, window_days, comparison)
    return result
