"""Cells and relations of an area's cost blocks (docs/disclosure.md, "Relations").

The contract's crude savings: avoided = before − after (the group's totals) for each
costed measure, and gross savings = Σ unit cost × avoided. The cost-effect analysis rests
on the adjusted estimate's patients: each of its before/after totals is the group's total
minus the events of the patients outside the estimate, avoided (crude) = before − after,
and every amount per year scales with its number of patients. Its money figures are
therefore hidden with any of these counts.
"""

from __future__ import annotations

from narvard import DEFAULT_MIN_CELL
from narvard.domain import COSTED_MEASURES, TEAM_GROUPS
from narvard.stats.cost_effect import SUMMED
from narvard.stats.disclosure.cells import ANCHOR, HEADLINE, SECONDARY, Path, Table, lookup

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


def _totals_tier(results: dict, group: str, outside_patients: float | None) -> int:
    """The estimate's before/after totals carry every money figure of the group: while
    those can be shown (N or more patients in the estimate, and none or N or more outside
    it), the totals are the last complement (an anchor), so that three ER visits of the
    patients outside do not take the answer to "do the teams pay?". Otherwise the money
    is hidden with the patients anyway, and the totals are secondary counts."""
    min_cell = results.get("min_cell") or DEFAULT_MIN_CELL
    n = lookup(results, ("costs", group, "n_patients"))
    shown = n is not None and n >= min_cell and outside_patients is not None
    shown = shown and (outside_patients == 0 or outside_patients >= min_cell)
    return ANCHOR if shown else SECONDARY


def declare_cost_effect(table: Table, results: dict, group: str, outside: str) -> None:
    """The adjusted estimate's before/after totals: the group's totals minus the events of
    the patients outside it; avoided (crude) = before − after."""
    use = lookup(results, ("costs", group, "avoided_use")) or {}
    people = table.cells[outside].value if outside in table.cells else None
    tier = _totals_tier(results, group, people)
    for measure, entry in use.items():
        path = ("costs", group, "avoided_use", measure)
        keys = {}
        for period in ("before", "after"):
            here = path + (f"{period}_total",)
            hides = [here, *(path + (k,) for k in AVOIDED_KEYS), *cost_effect_hides(results, group)]
            cell = table.cell(
                _name(here), entry.get(f"{period}_total"), (here,), hides=hides, tier=tier
            )
            if cell is None:
                continue
            keys[period] = cell.key
            whole = _name(("consumption", group, "measures", measure, f"{period}_total"))
            if whole in table.cells and people is not None:
                rest = f"{whole}/outside_adjusted"
                table.cell(rest, table.cells[whole].value - cell.value, None, people=int(people))
                table.total(
                    whole, [cell.key, rest], f"{group} {measure} {period}: adjusted + outside"
                )
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
