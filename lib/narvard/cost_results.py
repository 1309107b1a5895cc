"""Cost-effect blocks of results.json: per area from the area's own matches, and a region
total computed once per dataset (and comparison choice) and cached beside the processed
data, since it needs every area's patients and PSA draws."""

from __future__ import annotations

import json
import warnings

import numpy as np

from narvard import cost_effect, matching
from narvard.analysis import TEAM_GROUPS, AreaAnalysis, region_windows
from narvard.consumption import MEASURES
from narvard.processed import ProcessedDataset

SENSITIVITY_LENGTHS = (90, 365)


def _inputs(dataset: ProcessedDataset) -> dict:
    tables = cost_effect.load_cost_tables(dataset.folder)
    if tables["unit_costs"] is None:
        return {}
    return tables | {"costs": cost_effect.unit_costs(tables["unit_costs"], tables["price_index"])}


def _weights(match: matching.MatchResult, region, comparison: str) -> dict:
    if comparison == "matched":
        return match.comparison_weights
    pool = region[(region["group"] == "comparison") & region["included"]]
    return dict.fromkeys(pool["patient_id"], 1.0)


def _area_blocks(
    dataset: ProcessedDataset,
    area_id: str,
    region,
    matches: dict,
    comparison: str,
    by_length: dict | None = None,
) -> dict:
    inputs = _inputs(dataset)
    if not inputs:
        return {}
    manifest = dataset.manifest
    areas = dataset.areas()
    population = int(areas.loc[areas["area_id"] == area_id, "population"].iloc[0])
    if by_length is None:
        by_length = {n: region_windows(dataset, area_id, n) for n in SENSITIVITY_LENGTHS}
    by_length = {n: by_length[n] for n in SENSITIVITY_LENGTHS}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return cost_effect.area_costs(
            region,
            area_id,
            manifest["window_days"],
            inputs["costs"],
            population=population,
            extract=(manifest["contacts_from"], manifest["contacts_to"]),
            team_costs=inputs["team_costs"],
            staffing=inputs["staffing"],
            comparison_weights={g: _weights(m, region, comparison) for g, m in matches.items()},
            windows_by_length=by_length,
            price_index=inputs["price_index"],
        )


def area_cost_blocks(
    dataset: ProcessedDataset, area_id: str, analysis: AreaAnalysis, comparison: str
) -> dict:
    """{group: CostBlock} for the area's team groups, reusing the analysis' matches."""
    return _area_blocks(
        dataset,
        area_id,
        analysis.region_windows,
        analysis.matches,
        comparison,
        analysis.windows_by_length or None,
    )


def region_totals(dataset: ProcessedDataset, region: str, comparison: str) -> dict:
    """Summed annual costs and savings over the region's areas (cached per comparison)."""
    cache = dataset.folder / f"region_costs_{comparison}.json"
    if cache.exists():
        totals = json.loads(cache.read_text(encoding="utf-8"))
        if region in totals:
            return totals[region]
    areas = dataset.areas()
    in_region = areas[areas["region"] == region]
    blocks = {}
    for area_id in in_region["area_id"]:
        windows = region_windows(dataset, area_id)
        candidates = windows[windows["group"] == "comparison"]
        matches = {}
        for group in TEAM_GROUPS:
            rows = windows[(windows["area_id"] == area_id) & (windows["group"] == group)]
            if rows["included"].any() and candidates["included"].any():
                matches[group] = matching.match_comparison(rows, candidates, MEASURES)
        blocks[area_id] = _area_blocks(dataset, area_id, windows, matches, comparison)
    populations = dict(zip(in_region["area_id"], in_region["population"], strict=True))
    totals = _jsonable(cost_effect.region_costs(blocks, populations))
    existing = json.loads(cache.read_text(encoding="utf-8")) if cache.exists() else {}
    tmp = cache.with_suffix(f".{id(totals)}.tmp")
    tmp.write_text(json.dumps(existing | {region: totals}, ensure_ascii=False), "utf-8")
    tmp.replace(cache)
    return totals


def _jsonable(value):
    from narvard.results import _clean

    return json.loads(json.dumps(_clean(value), default=str))
