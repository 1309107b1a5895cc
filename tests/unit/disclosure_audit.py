"""A brute-force check that no hidden count can be recovered from published numbers.

It does not trust the suppression's own bookkeeping: it takes the declared cells and
relations (``narvard.stats.disclosure.declare``), starts from every count a reader can see
in the published results.json, and solves any relation with exactly one unknown, again and
again. Whatever it solves that is hidden (or an implied count that is sensitive) is a leak.
For several areas of one region it joins their reports: the region's sums (the cost block,
the adjusted effect's patients, the rest of the region in survey comparisons) become
relations between the areas' own cells.
"""

from __future__ import annotations

import copy

from narvard.stats.disclosure import PRIVATE, declare
from narvard.stats.disclosure.cells import Cell, Relation, Table, known, sensitive

PERIODS = ("before", "after")


def unsuppressed(results: dict) -> dict:
    """The results without the figures kept for disclosure control only."""
    plain = copy.deepcopy(results)
    plain.pop(PRIVATE, None)
    for survey in plain.get("surveys", {}).values():
        for comparison in survey.get("area_vs_rest") or []:
            comparison.pop(PRIVATE, None)
    return plain


def solve(table: Table, published: dict) -> dict[str, float]:
    """Every count a reader can know: the published ones, and what relations give."""
    value = {k: c.value for k, c in table.cells.items() if known(published, c)}
    progress = True
    while progress:
        progress = False
        for relation in table.relations:
            unknown = [k for k in relation.keys if k not in value]
            if len(unknown) == 1:
                terms = dict(relation.terms)
                rest = sum(c * value[k] for k, c in relation.terms if k != unknown[0])
                value[unknown[0]] = -rest / terms[unknown[0]]
                progress = True
    return value


def leaks(table: Table, published: dict, min_cell: int) -> list[tuple[str, float]]:
    """Hidden counts (and sensitive implied ones) that adding and subtracting gives back."""
    solved = solve(table, published)
    found = []
    for key, cell in table.cells.items():
        if key not in solved or known(published, cell):
            continue
        if not cell.implied or sensitive(cell, min_cell):
            found.append((key, round(solved[key], 6)))
    return found


def area_leaks(raw: dict, published: dict, min_cell: int) -> list[tuple[str, float]]:
    return leaks(declare(unsuppressed(raw)), published, min_cell)


def small_hidden_sums(table: Table, published: dict, min_cell: int) -> list[str]:
    """Relations whose hidden parts add up to a small count a reader can compute: the
    published total minus the published parts (two hidden half-years of 1 patient each).
    Also every two relations added or subtracted so that a hidden cell they share cancels
    (117 included = estimate + outside; estimate = Σ years: 117 − the shown years = the
    hidden year + the outside patients)."""
    is_known = {k: known(published, cell) for k, cell in table.cells.items()}
    found = []
    for label, terms in _relations_and_pairs(table, is_known):
        unknown = [(k, c) for k, c in terms if not is_known[k]]
        if len(unknown) < 2 or len({c > 0 for _k, c in unknown}) != 1:
            continue
        if not all(table.cells[k].count for k, _c in unknown):
            continue
        rest = sum(c * table.cells[k].value for k, c in terms if (k, c) not in unknown)
        if 0 < abs(rest) < min_cell:
            found.append(f"{label}: {abs(rest):g}")
    return found


def _relations_and_pairs(table: Table, is_known: dict[str, bool]):
    """(label, terms) of each relation, then of each pair of relations combined so that a
    hidden cell in both cancels."""
    for relation in table.relations:
        yield relation.label, list(relation.terms)
    hidden_in: dict[str, list[int]] = {}
    for i, relation in enumerate(table.relations):
        for key in relation.keys:
            if not is_known[key]:
                hidden_in.setdefault(key, []).append(i)
    seen = set()
    for key, indices in hidden_in.items():
        for a, i in enumerate(indices):
            for j in indices[a + 1 :]:
                first, second = table.relations[i], table.relations[j]
                scale = -dict(first.terms)[key] / dict(second.terms)[key]
                if (i, j, scale) in seen:
                    continue
                seen.add((i, j, scale))
                terms: dict[str, float] = dict(first.terms)
                for k, c in second.terms:
                    terms[k] = terms.get(k, 0.0) + scale * c
                combined = [(k, c) for k, c in terms.items() if abs(c) > 1e-9]
                yield f"{first.label} & {second.label}", combined


# --------------------------------------------------------------------- across reports


def region_table(raw: dict[str, dict]) -> Table:
    """The cells of several areas' reports (keys and paths prefixed with the area) and the
    relations within each and across them. Check it against {area: published results}."""
    table = Table(source=raw)
    for area, results in raw.items():
        own = declare(unsuppressed(results))
        for key, cell in own.cells.items():
            views = [tuple((area, *path) for path in view) for view in cell.views]
            hides = [(area, *path) for path in cell.hides]
            table.cells[f"{area}/{key}"] = Cell(
                f"{area}/{key}",
                cell.value,
                views=views,
                hides=hides,
                tier=cell.tier,
                count=cell.count,
                people=cell.people,
                zero_sensitive=cell.zero_sensitive,
            )
        for relation in own.relations:
            terms = tuple((f"{area}/{k}", c) for k, c in relation.terms)
            table.relations.append(Relation(terms, f"{area}: {relation.label}"))
    _region_costs(table, raw)
    _comparison_pool(table, raw)
    _rest_of_region(table, raw)
    return table


def _comparison_pool(table: Table, raw: dict[str, dict]) -> None:
    """The estimates' comparison patients + those without history = Σ areas' comparison."""
    views, value = [], None
    for area, results in raw.items():
        for group, block in (results.get("consumption") or {}).items():
            for measure, did in (block.get("did") or {}).items():
                path = (area, "consumption", group, "did", measure, "n_comparison")
                views.append((path,))
                value = did.get("n_comparison")
    parts = [f"{a}/patients/comparison/included" for a in raw]
    if value is None or any(p not in table.cells for p in parts):
        return
    table.cells["region/pool"] = Cell("region/pool", float(value), views, [])
    outside = sum(table.cells[p].value for p in parts) - value
    table.cells["region/pool/outside"] = Cell(
        "region/pool/outside", outside, [], [], zero_sensitive=False
    )
    terms = [("region/pool/outside", 1.0), ("region/pool", 1.0), *((p, -1.0) for p in parts)]
    table.relation(terms, "outside the estimates = Σ areas' comparison patients − pool")


def _region_costs(table: Table, raw: dict[str, dict]) -> None:
    """The region's cost-effect patients = Σ areas' included patients; the region's
    estimate's patients = Σ areas' estimate's patients; the region's totals = Σ areas'
    included patients' totals (docs/costs.md §2)."""
    areas = list(raw)
    first = raw[areas[0]]
    for group, block in ((first.get("costs") or {}).get("region") or {}).items():
        if group not in ("HSVT", "NSVT"):
            continue
        path = ("costs", "region", group, "n_patients")
        views = [((a, *path),) for a in areas]
        uses = block.get("avoided_use") or {}
        views += [
            ((a, "costs", "region", group, "avoided_use", m, "n_patients"),)
            for a in areas
            for m in uses
        ]
        _region_cell(table, f"region/{group}/n", block.get("n_patients"), views)
        parts = [f"{a}/patients/{group}/included" for a in areas]
        table.total(f"region/{group}/n", parts, f"region {group}: n = Σ areas")
        effects = (first.get("region_effects") or {}).get(group, {})
        views = [((a, "region_effects", group, m, "n_team"),) for a in areas for m in effects]
        n_team = next(iter(effects.values()))["n_team"] if effects else None
        _region_cell(table, f"region/{group}/adjusted", n_team, views)
        parts = [f"{a}/patients/{group}/adjusted" for a in areas]
        table.total(f"region/{group}/adjusted", parts, f"region {group}: adjusted = Σ areas")
        for measure, entry in uses.items():
            for period in PERIODS:
                path = ("costs", "region", group, "avoided_use", measure, f"{period}_total")
                key = f"region/{group}/{measure}/{period}"
                _region_cell(
                    table, key, entry.get(f"{period}_total"), [((a, *path),) for a in areas]
                )
                own = ("consumption", group, "measures", measure, f"{period}_total")
                parts = [f"{a}/{'/'.join(own)}" for a in areas]
                table.total(key, parts, f"region {group} {measure} {period}: Σ areas")


def _region_cell(table: Table, key: str, value, views: list) -> None:
    if isinstance(value, int | float):
        table.cells[key] = Cell(key, float(value), views, [], count=True)


def _rest_of_region(table: Table, raw: dict[str, dict]) -> None:
    """Each report's rest of the region + its own answers = the region's answers."""
    for area, results in raw.items():
        for survey_id, survey in (results.get("surveys") or {}).items():
            for i, comparison in enumerate(survey.get("area_vs_rest") or []):
                n, shares = comparison.get("n"), comparison.get("shares")
                if not n or n[1] is None or shares[1] is None:
                    continue
                item = f"surveys/{survey_id}/items/{comparison['question_id']}/all"
                path = (area, "surveys", survey_id, "area_vs_rest", i)
                for k, value in (("n", n[1]), ("positive", round(shares[1] * n[1]))):
                    rest = f"{area}/rest/{survey_id}/{comparison['question_id']}/{k}"
                    view = (path + ("n",),) if k == "n" else (path + ("n",), path + ("shares",))
                    table.cells[rest] = Cell(rest, float(value), [view], [])
                    region = f"region/{survey_id}/{comparison['question_id']}/{k}"
                    own = f"{area}/{item}/{k}"
                    if region not in table.cells:
                        total = value + table.cells[own].value
                        table.cells[region] = Cell(region, float(total), [], [])
                        parts = [f"{a}/{item}/{k}" for a in raw if f"{a}/{item}/{k}" in table.cells]
                        table.total(region, parts, f"region {survey_id} {k}: Σ areas")
                    table.total(region, [own, rest], f"{area}: own + rest of region")


def region_leaks(raw: dict[str, dict], published: dict[str, dict], min_cell: int) -> list:
    return leaks(region_table(raw), published, min_cell)
