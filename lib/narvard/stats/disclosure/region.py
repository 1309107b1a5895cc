"""Figures summed over the areas of a region (docs/disclosure.md, "Across reports").

Every area's report repeats the region's cost block and the region's adjusted effect, and
compares the area's survey answers with the rest of the region. A reader with all the
reports could subtract the other areas' published figures from such a sum and get a count
that an area's own report hides. A sum over areas is therefore published only when every
area's own figure behind it is published in that area's report. Whether it is, is decided
by running each area's figures (computed with the region's, never published) through the
same cells, relations and suppression as its own report; every report decides alike.
"""

from __future__ import annotations

import copy

from narvard.domain import ALL_GROUPS
from narvard.stats.disclosure.cells import POOL, PRIVATE, lookup, null_path
from narvard.stats.disclosure.complementary import protect
from narvard.stats.disclosure.costs import AVOIDED_KEYS, cost_effect_hides, crude_hides
from narvard.stats.disclosure.declare import declare
from narvard.stats.disclosure.primary import hide_comparison

TOTAL_MONEY = (
    "annual_gross_savings_adjusted_sek",
    "annual_gross_savings_crude_sek",
    "avoided_bed_days_per_year",
    "net_savings_sek",
    "return_per_krona",
    "cost_per_avoided_bed_day_sek",
    "annual_gross_savings_ci",
    "avoided_bed_days_per_year_ci",
    "net_savings_ci",
    "prob_net_positive",
    "return_per_krona_ci",
)


def protect_region(results: dict, parts: dict | None, min_cell: int) -> None:
    """Hide the region's cost and effect figures that would reveal a hidden area figure."""
    window = results.get("window_days")
    parts = dict(parts or {})
    _protect_pool(results, parts.pop(POOL, None), min_cell)
    for group, areas in parts.items():
        hidden: set = set()
        for part in areas.values():
            hidden |= hidden_in_area(group, part, window, min_cell)
        for path in _region_paths(results, group, hidden):
            null_path(results, path)


def _protect_pool(results: dict, pool: dict | None, min_cell: int) -> None:
    """The adjusted estimates' comparison patients (the same in every report) against the
    comparison patients each area's report counts: their difference, the comparison
    patients without enough history, must not be a small count."""
    if not pool:
        return
    outside = sum(pool["included"].values()) - pool["pool"]
    if not 0 < outside < min_cell:
        return
    for path in _pool_paths(results):
        null_path(results, path)


def _pool_paths(results: dict) -> list[tuple]:
    window = str(results.get("window_days"))
    paths = []
    for group, block in (results.get("consumption") or {}).items():
        base = ("consumption", group)
        for kind in ("did", "did_other"):
            paths += [base + (kind, m, "n_comparison") for m in block.get(kind) or {}]
        paths.append(base + ("comparison_group", "n_comparison"))
        own = ((block.get("sensitivity") or {}).get(window) or {}).get("measures") or {}
        paths += [base + ("sensitivity", window, "measures", m, "did", "n_comparison") for m in own]
    for group, measures in (results.get("region_effects") or {}).items():
        paths += [("region_effects", group, m, "n_comparison") for m in measures]
    return paths


def hidden_in_area(group: str, part: dict, window, min_cell: int) -> set:
    """Which of an area's figures behind the region's sums its own report hides:
    "included", "adjusted" (the estimate's patients) and the included patients' (measure,
    period) totals, which the cost block repeats."""
    measures = part["totals"]
    totals = {m: {f"{p}_total": t[p] for p in t} for m, t in measures.items()}
    mini = {
        "window_days": window,
        "min_cell": min_cell,
        "consumption": {
            group: {
                "n_patients": part["included"],
                "measures": totals,
                "did": {m: {"n_team": part["adjusted"]} for m in measures},
            }
        },
        "costs": {
            group: {
                "n_patients": part["included"],
                "avoided_use": {m: {"n_patients": part["included"]} | t for m, t in totals.items()},
            }
        },
    }
    shown = copy.deepcopy(mini)
    protect(shown, declare(mini), min_cell)
    hidden = set()
    if lookup(shown, ("consumption", group, "n_patients")) is None:
        hidden.add("included")
    if lookup(shown, ("consumption", group, "did", next(iter(measures)), "n_team")) is None:
        hidden.add("adjusted")
    for m, by_period in totals.items():
        for key in by_period:
            if lookup(shown, ("consumption", group, "measures", m, key)) is None:
                hidden.add((m, key.removesuffix("_total")))
    return hidden


def _region_paths(results: dict, group: str, hidden: set) -> list[tuple]:
    if not hidden:
        return []
    block = ("costs", "region", group)
    total = ("costs", "region", "total")
    paths = []
    before_only = all(isinstance(h, tuple) and h[1] == "before" for h in hidden - {"adjusted"})
    if hidden - {"adjusted"} and not before_only:
        # every amount rests on the included patients and their after totals
        paths += cost_effect_hides(results, group, block)
        paths += [total + (k,) for k in TOTAL_MONEY]
        paths += [total + ("per_100k", k) for k in TOTAL_MONEY]
    elif hidden - {"adjusted"}:  # before totals carry the crude figures only
        paths += crude_hides(block) + crude_hides(total)
    if "included" in hidden:
        paths += [block + ("patients_per_year",), block + ("per_100k", "patients_per_year")]
        paths += [total + ("patients_per_year",), total + ("per_100k", "patients_per_year")]
        paths += [block + ("n_patients",), total + ("n_patients",)]
        for measure in lookup(results, block + ("avoided_use",)) or {}:
            paths.append(block + ("avoided_use", measure, "n_patients"))
    if "adjusted" in hidden:
        for measure in lookup(results, ("region_effects", group)) or {}:
            paths.append(("region_effects", group, measure, "n_team"))
    for measure, period in (h for h in hidden if isinstance(h, tuple)):
        entry = block + ("avoided_use", measure)
        paths += [entry + (f"{period}_total",), *(entry + (k,) for k in AVOIDED_KEYS)]
    return paths


def protect_rest_of_region(results: dict, min_cell: int) -> None:
    """Hide an area-versus-rest comparison when another area's report hides its own
    answers to the item (the rest's n is their sum), or only its share when another area
    hides its positive answers."""
    for survey in (results.get("surveys") or {}).values():
        for comparison in survey.get("area_vs_rest") or []:
            areas = comparison.pop(PRIVATE, None) or {}
            hidden = set().union(*(_hidden_answers(part, min_cell) for part in areas.values()))
            if "n" in hidden:
                hide_comparison(comparison)
            elif hidden:
                hide_comparison(comparison, keep_n=True)


def _hidden_answers(part: dict, min_cell: int) -> set[str]:
    """Which of an area's answers ("n") and positive answers its own report hides."""
    cell = {"n": part["n"], "positive": part["positive"]}
    mini = {"surveys": {"s": {"items": {"q": {ALL_GROUPS: cell}}}}}
    shown = copy.deepcopy(mini)
    protect(shown, declare(mini), min_cell)
    return {k for k, v in shown["surveys"]["s"]["items"]["q"][ALL_GROUPS].items() if v is None}
