"""Cost-effect blocks of results.json: per area from the area's own effects, and a region
total computed once per dataset (and comparison choice) and cached beside the processed
data, from the region-wide effect of each team group."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np

from narvard.data import cost_inputs
from narvard.data.processed import ProcessedDataset
from narvard.domain import TEAM_GROUPS
from narvard.results import frames
from narvard.results.analysis import AreaAnalysis, GroupEffect, region_effects, region_windows
from narvard.stats import cost_effect as ce
from narvard.stats.describe import included
from narvard.stats.disclosure.cells import POOL, PRIVATE


def _inputs(dataset: ProcessedDataset) -> dict:
    """The cost tables and unit costs; {} (no cost-effect) without a cost for every costed
    measure — a missing item is valid input, and the report then says costs are missing."""
    tables = cost_inputs.load_cost_tables(dataset.folder)
    if tables["unit_costs"] is None:
        return {}
    try:
        costs = cost_inputs.unit_costs(tables["unit_costs"], tables["price_index"])
    except ValueError:
        return {}
    return tables | {"costs": costs}


def _use(effect: GroupEffect, patients, manifest: dict) -> ce.TeamUse:
    """The effect applied to the group's included patients (their window rows), with
    patients per year = included patients / years of index dates."""
    days = effect.design.window_days
    years = ce.enrolment_years(manifest["contacts_from"], manifest["contacts_to"], days)
    per_year = len(patients) / years
    return ce.team_use(effect.design, effect.estimates, effect.fits, patients, per_year, years)


def _included(windows, group: str, area_id: str | None = None):
    """The window rows of a group's included patients (in an area, or the whole region)."""
    rows = windows[windows["group"] == group]
    if area_id is not None:
        rows = rows[rows["area_id"] == area_id]
    return included(rows)


def _team_cost(inputs: dict, group: str, area_id: str, population: float) -> dict | None:
    return cost_inputs.team_cost(
        group,
        area_id,
        population,
        inputs["team_costs"],
        inputs["staffing"],
        inputs["price_index"],
    )


def area_cost_blocks(
    dataset: ProcessedDataset, area_id: str, analysis: AreaAnalysis
) -> dict[str, ce.CostBlock]:
    """{group: CostBlock} for the area's team groups, from the analysis' effects."""
    inputs = _inputs(dataset)
    if not inputs:
        return {}
    manifest = dataset.manifest
    areas = dataset.areas()
    population = float(areas.loc[areas["area_id"] == area_id, "population"].iloc[0])
    windows = frames.windows(dataset)
    result = {}
    for group, effect in analysis.effects.items():
        patients = _included(windows, group, area_id)
        use = _use(effect, patients, manifest)
        team = _team_cost(inputs, group, area_id, population)
        name = f"{area_id}/{group}"
        block = ce.group_costs(
            use, effect.estimates, inputs["costs"], team, population=population, name=name
        )
        if team is not None and use.adjusted:
            other = _use(analysis.other_effects[group], patients, manifest)
            lengths = {
                days: _use(by_group[group], _included(by_length, group, area_id), manifest)
                for days, by_group in analysis.effects_by_length.items()
                if days != use.window_days and group in by_group
                for by_length in [frames.windows(dataset, days)]
            }
            block["tornado"] = ce.tornado(use, inputs["costs"], team, other, lengths)
        block.update(area_id=area_id, group=group)
        result[group] = block
    return result


def area_total(dataset: ProcessedDataset, area_id: str, blocks: dict) -> dict | None:
    """HSVT and NSVT of the area together ("Båda teamen" in the area's cost table), summed
    as the region's total is; None unless the area has a cost-effect block for both groups."""
    groups = [blocks[g] for g in TEAM_GROUPS if g in blocks]
    if len(groups) < 2:
        return None
    areas = dataset.areas()
    population = float(areas.loc[areas["area_id"] == area_id, "population"].iloc[0])
    return jsonable(ce.combined(groups, population))


# The region's cache is kept beside the processed data, whose key covers the inputs only: it
# also records the source of the code that computed it, and is recomputed when that changed.
CODE_KEY = "_computed_by"
_COMPUTED_BY = ("results/costs.py", "results/analysis.py", "stats/cost_effect.py", "stats/did.py")


def _code_key() -> str:
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in _COMPUTED_BY:
        digest.update((root / name).read_bytes())
    return digest.hexdigest()[:16]


def region_totals(dataset: ProcessedDataset, region: str, comparison: str) -> dict:
    """The region's adjusted effects and summed costs (cached per comparison choice).

    {"effects": {group: {measure: did estimate}}, "costs": {group: block, "total": block,
    "areas": [...], PRIVATE: each area's counts behind the sums (``region_parts``)}}.
    """
    cache = dataset.folder / f"region_{comparison}.json"
    existing = json.loads(cache.read_text(encoding="utf-8")) if cache.exists() else {}
    if existing.get(CODE_KEY) != _code_key():
        existing = {}  # made by other code: what it holds may mean something else now
    if POOL in existing.get(region, {}).get("costs", {}).get(PRIVATE, {}):
        return existing[region]
    totals = jsonable(_region_totals(dataset, region, comparison))
    tmp = cache.with_suffix(f".{id(totals)}.tmp")
    kept = existing | {CODE_KEY: _code_key(), region: totals}
    tmp.write_text(json.dumps(kept, ensure_ascii=False), "utf-8")
    tmp.replace(cache)
    return totals


def _region_totals(dataset: ProcessedDataset, region: str, comparison: str) -> dict:
    effects = region_effects(dataset, region, comparison)
    windows = region_windows(dataset, region)
    parts = region_parts(windows, effects)
    result = {"effects": {g: e.estimates for g, e in effects.items()}, "costs": {PRIVATE: parts}}
    inputs = _inputs(dataset)
    if not inputs:
        return result
    areas = dataset.areas()
    in_region = areas[areas["region"] == region]
    population = float(in_region["population"].sum())
    blocks = []
    for group in TEAM_GROUPS:
        if group not in effects:
            continue
        use = _use(effects[group], _included(windows, group), dataset.manifest)
        team = _summed_team_cost(inputs, group, in_region, windows)
        block = ce.group_costs(
            use,
            effects[group].estimates,
            inputs["costs"],
            team,
            population=population,
            name=f"region/{group}",
        )
        if team is not None and use.adjusted:
            block["tornado"] = ce.tornado(use, inputs["costs"], team)
        result["costs"][group] = block
        blocks.append(block)
    if blocks:
        result["costs"]["total"] = ce.combined(blocks, population)
    result["costs"]["areas"] = sorted(in_region["area_id"])
    return result


def region_parts(windows, effects: dict[str, GroupEffect]) -> dict:
    """Each area's counts behind the region's sums, for disclosure control only (removed
    before anything is published): {group: {area_id: {"included", "adjusted" (the
    estimate's patients), "totals": {measure: {"before": included patients' total,
    "after": …}}}}, POOL: {"pool": comparison patients of the estimates, "included":
    {area_id: n}}}."""
    parts: dict = {}
    for group, effect in effects.items():
        rows = included(windows[windows["group"] == group])
        team = effect.design.team
        for area_id, own in rows.groupby("area_id", sort=True):
            mine = team[team["area_id"] == area_id]
            totals = {
                m: {p: float(own[f"{m}_{p}"].sum()) for p in ("before", "after")} for m in ce.COSTED
            }
            parts.setdefault(group, {})[str(area_id)] = {
                "included": int(len(own)),
                "adjusted": int(len(mine)),
                "totals": totals,
            }
    parts[POOL] = None
    if effects:
        pool = next(iter(effects.values())).design.pool
        rows = included(windows[windows["group"] == "comparison"])
        counts = rows.groupby("area_id").size()
        parts[POOL] = {
            "pool": int(len(pool)),
            "included": {str(a): int(n) for a, n in counts.items()},
        }
    return parts


def _summed_team_cost(inputs: dict, group: str, in_region, windows) -> dict | None:
    """Σ of the team costs of the region's areas that have patients of the group."""
    parts = []
    for area_id, population in zip(in_region["area_id"], in_region["population"], strict=True):
        if _included(windows, group, area_id).empty:
            continue
        cost = _team_cost(inputs, group, area_id, float(population))
        if cost is None:
            return None
        parts.append(cost)
    if not parts:
        return None
    return {
        key: float(sum(p[key] for p in parts)) for key in ("annual_cost_sek", "low_sek", "high_sek")
    } | {"basis": "sum_of_areas", "n_areas": len(parts)}


def jsonable(value):
    """Plain JSON types: numpy scalars to Python, non-finite floats to None."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.bool_):
        return bool(value)
    return value
