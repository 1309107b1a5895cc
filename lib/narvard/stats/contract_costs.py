"""Crude gross savings from avoided healthcare use (docs/contract.md §2)."""

from __future__ import annotations

import pandas as pd

from narvard.domain import COSTED_MEASURES, TEAM_GROUPS


def gross_savings(measures: dict, unit_costs: dict[str, float]) -> dict:
    """Σ (before_total − after_total) × cost per item, with the per-item breakdown."""
    items, total = {}, 0.0
    for measure, item in COSTED_MEASURES.items():
        avoided = measures[measure]["before_total"] - measures[measure]["after_total"]
        savings = avoided * unit_costs[item]
        items[item] = {"avoided": avoided, "cost_sek": unit_costs[item], "savings_sek": savings}
        total += savings
    return {"gross_savings_sek": float(total), "items": items}


def cost_results(
    consumption: dict,
    unit_costs: pd.DataFrame | None,
    team_costs: pd.DataFrame | None,
    area_id: str,
) -> dict:
    """The contract's `costs` block for the team groups present in an area's consumption."""
    if unit_costs is None or consumption == {}:
        return {}
    costs = dict(zip(unit_costs["item"], unit_costs["cost_sek"].astype(float), strict=True))
    if not set(COSTED_MEASURES.values()) <= set(costs):
        return {}
    results = {}
    for group in TEAM_GROUPS:
        block = consumption.get(group)
        if block is None or block["n_patients"] == 0:
            continue
        results[group] = gross_savings(block["measures"], costs)
        annual = _annual_team_cost(team_costs, area_id, group)
        if annual is not None:
            results[group]["annual_team_cost_sek"] = annual
    return results


def _annual_team_cost(team_costs: pd.DataFrame | None, area_id: str, group: str) -> float | None:
    if team_costs is None:
        return None
    rows = team_costs[(team_costs["area_id"] == area_id) & (team_costs["group"] == group)]
    return float(rows["annual_cost_sek"].iloc[0]) if len(rows) else None


def team_blocks(costs: dict) -> dict:
    """The per-group cost blocks of an area's `costs` (leaving out the region total)."""
    return {g: b for g, b in costs.items() if g in TEAM_GROUPS}
