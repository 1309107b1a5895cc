"""Cells and relations of an area's cost blocks (docs/disclosure.md, "Relations").

The contract's crude savings: avoided = before − after (the group's totals) for each
costed measure, and gross savings = Σ unit cost × avoided. The cost-effect analysis rests
on the same included patients and totals (the adjusted estimate's rate ratios applied to
them, docs/costs.md §2): its money figures are hidden with any of these counts.
"""

from __future__ import annotations

from narvard.domain import COSTED_MEASURES, TEAM_GROUPS
from narvard.stats.cost_effect import SUMMED
from narvard.stats.disclosure.cells import HEADLINE, SECONDARY, Path, Table, lookup

COST_EFFECT = (
    "annual_gross_savings_adjusted_sek",
    "annual_gross_savings_crude_sek",
    "gross_savings_per_patient_sek",
    "avoided_bed_days_per_year",
    "net_savings_sek",
    "return_per_krona",
    "cost_per_avoided_bed_day_sek",
    "break_even_patients_per_year",
    "annual_gross_savings_ci",
    "avoided_bed_days_per_year_ci",
    "net_savings_ci",
    "prob_net_positive",
    "return_per_krona_ci",
    "tornado",
)
PER_100K = (
    "annual_gross_savings_adjusted_sek",
    "net_savings_sek",
    "avoided_bed_days_per_year",
    "break_even_patients_per_year",
)
PER_YEAR = ("avoided_per_year", "avoided_crude_per_year")
# An avoided-use entry's figures built on the adjusted estimate's rate ratio.
RATE_KEYS = (
    "rate_ratio",
    "ci",
    "change_vs_expected_pct",
    "expected_after",
    "avoided",
    "avoided_per_year",
)
AVOIDED_KEYS = (
    "expected_after",
    "avoided",
    "avoided_per_year",
    "avoided_crude",
    "avoided_crude_per_year",
)


def _name(path: Path) -> str:
    return "/".join(map(str, path))


def contract_cost_hides(results: dict, group: str, measure: str) -> list[Path]:
    """What a group's event total hides in the contract's savings: the measure's avoided
    count and savings, and the gross savings (Σ over measures)."""
    item = COSTED_MEASURES.get(measure)
    items = lookup(results, ("costs", group, "items")) or {}
    if item not in items:
        return []
    path = ("costs", group, "items", item)
    return [path + ("avoided",), path + ("savings_sek",), ("costs", group, "gross_savings_sek")]


def cost_effect_hides(results: dict, group: str, block: Path = ()) -> list[Path]:
    """Every figure of the cost-effect analysis that rests on its patients and totals."""
    block = block or ("costs", group)
    paths = [block + (k,) for k in COST_EFFECT]
    paths += [block + ("per_100k", k) for k in PER_100K]
    for measure in lookup(results, block + ("avoided_use",)) or {}:
        paths += [block + ("avoided_use", measure, k) for k in PER_YEAR]
    return paths


def crude_hides(block: Path) -> list[Path]:
    """The figures of a cost block that rest on its before totals: the crude ones."""
    return [block + ("annual_gross_savings_crude_sek",), block + ("tornado",)]


def declare_contract_costs(table: Table, results: dict, group: str) -> None:
    """avoided = before − after per costed measure; gross = Σ unit cost × avoided."""
    items = lookup(results, ("costs", group, "items")) or {}
    terms = []
    for measure, item in COSTED_MEASURES.items():
        if item not in items:
            continue
        path = ("costs", group, "items", item)
        cell = table.cell(
            _name(path + ("avoided",)),
            items[item].get("avoided"),
            (path + ("avoided",),),
            hides=[path + ("avoided",), path + ("savings_sek",)],
            tier=HEADLINE,
            count=False,
        )
        if cell is None:
            continue
        before, after = (
            _name(("consumption", group, "measures", measure, f"{p}_total"))
            for p in ("before", "after")
        )
        table.relation(
            [(before, 1.0), (after, -1.0), (cell.key, -1.0)],
            f"{group} {item}: avoided = before − after",
        )
        price = items[item].get("cost_sek")
        if price is not None:
            terms.append((cell.key, -float(price)))
    gross = ("costs", group, "gross_savings_sek")
    cell = table.cell(
        _name(gross), lookup(results, gross), (gross,), hides=[gross], tier=SECONDARY, count=False
    )
    if cell and terms:
        table.relation([(cell.key, 1.0), *terms], f"{group}: gross = Σ unit cost × avoided")


def declare_cost_effect(table: Table, results: dict, group: str, patients: str) -> None:
    """The cost-effect analysis applies the adjusted estimate's rate ratios to the group's
    included patients (cell ``patients``): its patients and before/after totals are those
    of the contract, repeated, and every money figure goes with any of them. The rate
    ratios are not counts; they are hidden with an estimate on fewer than N patients
    (``primary.apply_primary``)."""
    block = ("costs", group)
    money = cost_effect_hides(results, group)
    table.view(
        patients, lookup(results, block + ("n_patients",)), (block + ("n_patients",),), money
    )
    for measure, entry in (lookup(results, block + ("avoided_use",)) or {}).items():
        path = block + ("avoided_use", measure)
        n = path + ("n_patients",)
        table.view(patients, entry.get("n_patients"), (n,), [n])
        keys = {}
        for period in ("before", "after"):
            here = path + (f"{period}_total",)
            whole = _name(("consumption", group, "measures", measure, f"{period}_total"))
            hides = [here, *(path + (k,) for k in AVOIDED_KEYS)]
            # The adjusted money is after × (1/RR − 1): a before total carries only the
            # crude figures (and the tornado's crude row).
            hides += money if period == "after" else crude_hides(block)
            if table.view(whole, entry.get(f"{period}_total"), (here,), hides) is not None:
                keys[period] = whole
        crude = path + ("avoided_crude",)
        cell = table.cell(
            _name(crude),
            entry.get("avoided_crude"),
            (crude,),
            hides=[crude, path + ("avoided_crude_per_year",)],
            tier=HEADLINE,
            count=False,
        )
        if cell and len(keys) == 2:
            table.relation(
                [(keys["before"], 1.0), (keys["after"], -1.0), (cell.key, -1.0)],
                f"{group} {measure}: avoided crude = before − after",
            )


# Figures of a both-groups total computed from its sums (ratios, PSA intervals of a sum).
_BUILT_ON = {
    "return_per_krona": ("annual_gross_savings_adjusted_sek", "team_cost_sek"),
    "return_per_krona_ci": ("annual_gross_savings_adjusted_sek", "team_cost_sek"),
    "cost_per_avoided_bed_day_sek": ("team_cost_sek", "avoided_bed_days_per_year"),
    "annual_gross_savings_ci": ("annual_gross_savings_adjusted_sek",),
    "avoided_bed_days_per_year_ci": ("avoided_bed_days_per_year",),
    "net_savings_ci": ("net_savings_sek",),
    "prob_net_positive": ("net_savings_sek",),
}


def protect_area_total(results: dict) -> None:
    """The area's two groups together (``costs.total``) are sums of the groups' own
    figures: a sum is published only where both groups' figures are, since the total
    minus one group's figure is the other's. What is computed from a hidden sum (a ratio,
    an interval, the figure per 100 000 inhabitants) is hidden with it."""
    costs = results.get("costs") or {}
    total = costs.get("total")
    if not total:
        return
    groups = [costs.get(g) or {} for g in TEAM_GROUPS]  # a group left out hides every sum
    hidden = {key for key in SUMMED if any(group.get(key) is None for group in groups)}
    hidden |= {key for key, sums in _BUILT_ON.items() if hidden.intersection(sums)}
    per_100k = total.get("per_100k") or {}
    for key in hidden:
        if key in total:
            total[key] = None
        if key in per_100k:
            per_100k[key] = None
