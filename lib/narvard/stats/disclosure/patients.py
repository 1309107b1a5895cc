"""Cells and relations of the patient figures (docs/disclosure.md, "Relations").

Per group: enrolled = included + excluded = Σ index years; excluded = Σ reasons;
included = Σ levels of each subgroup kind (section A's age bands and women are the same
cells as the subgroup table's levels), and each event total =
Σ the levels' implied counts (mean × patients); the report's own window length repeats
the main figures, and a shorter window has the patients of a longer one and more; the
adjusted estimate: included = its patients + those outside it. Costs are in
``narvard.stats.disclosure.costs``.
"""

from __future__ import annotations

from narvard.stats.disclosure.cells import (
    ANCHOR,
    DETAIL,
    HEADLINE,
    SECONDARY,
    Path,
    Table,
    lookup,
)
from narvard.stats.disclosure.costs import (
    contract_cost_hides,
    declare_contract_costs,
    declare_cost_effect,
)

PERIODS = ("before", "after")
PERIOD_KEYS = {
    p: (f"{p}_total", f"{p}_mean", f"{p}_mean_ci", f"rate_{p}_per_180d", f"rate_{p}_per_180d_ci")
    for p in PERIODS
}
DERIVED_FROM_BOTH = ("change_pct", "rate_ratio", "rate_ratio_ci")
LEVEL_DERIVED = ("change_pct", "rate_ratio", "rate_ratio_ci")


def name(path: Path) -> str:
    return "/".join(map(str, path))


def included(group: str) -> str:
    return f"patients/{group}/included"


def adjusted(group: str, window: str = "") -> str:
    return f"patients/{group}/adjusted" + (f"/{window}" if window else "")


def total(group: str, measure: str, period: str) -> str:
    return name(("consumption", group, "measures", measure, f"{period}_total"))


def declare_patients(results: dict, table: Table) -> None:
    """Every patient and event count of an area, and how they add up."""
    window = str(results.get("window_days"))
    for group, block in results.get("consumption", {}).items():
        _consumption(table, results, group, block)
        _subgroups(table, block, group)
        _windows(table, block, group, window)
        _adjusted(table, results, group, block, window)
        declare_contract_costs(table, results, group)
        declare_cost_effect(table, results, group, included(group))
    for group, profile in (results.get("profile") or {}).get("groups", {}).items():
        _profile(table, results, group, profile)
    for group, block in results.get("consumption", {}).items():
        _over_time(table, results, group, block.get("over_time"))
    for group, reasons in results.get("exclusions", {}).items():
        parts = [
            table.cell(
                name(path := ("exclusions", group, reason)),
                count,
                (path,),
                hides=[path],
                zero_sensitive=False,
            )
            for reason, count in reasons.items()
        ]
        excluded = name(("consumption", group, "n_excluded"))
        table.total(excluded, [c.key for c in parts if c], f"{group}: excluded = Σ reasons")


def _consumption(table: Table, results: dict, group: str, block: dict) -> None:
    base = ("consumption", group)
    hides = [base + (k,) for k in block if k != "n_excluded"] + [("costs", group)]
    table.cell(
        included(group),
        block.get("n_patients"),
        (base + ("n_patients",),),
        hides=hides,
        tier=ANCHOR,
    )
    for key, tier, zero in (("n_excluded", SECONDARY, False), ("deaths_after", SECONDARY, True)):
        path = base + (key,)
        table.cell(
            name(path), block.get(key), (path,), hides=[path], tier=tier, zero_sensitive=zero
        )
    _no_deaths(table, results, group, block)
    for measure, figures in block.get("measures", {}).items():
        for period in PERIODS:
            path = base + ("measures", measure, f"{period}_total")
            keys = (*PERIOD_KEYS[period], *DERIVED_FROM_BOTH)
            hides = [base + ("measures", measure, k) for k in keys]
            hides += contract_cost_hides(results, group, measure)
            table.cell(
                name(path), figures.get(f"{period}_total"), (path,), hides=hides, tier=HEADLINE
            )


def _no_deaths(table: Table, results: dict, group: str, block: dict) -> None:
    """Person-days after = window × patients exactly when nobody died: then they publish
    the zero deaths too (and so does each after rate, total / person-days)."""
    base = ("consumption", group)
    days, n = block.get("person_days_after"), block.get("n_patients")
    if block.get("deaths_after") != 0 or days is None or n is None:
        return
    if days != results.get("window_days", 0) * n:
        return
    view = (base + ("person_days_after",), base + ("n_patients",))
    after = [f"rate_after_per_180d{s}" for s in ("", "_ci")] + ["rate_ratio", "rate_ratio_ci"]
    hides = [base + ("person_days_after",)]
    hides += [base + ("measures", m, k) for m in block.get("measures", {}) for k in after]
    table.view(name(base + ("deaths_after",)), 0, view, hides)


def _implied_count(table: Table, path: Path, measure: str, period: str, n, **kwargs):
    """The event count a level's mean publishes (mean × its patients)."""
    mean = lookup(table.source, path + ("measures", measure, f"{period}_mean"))
    if mean is None or n is None:
        return None
    view = (path + ("measures", measure, f"{period}_mean"), path + ("n_patients",))
    hides = [path + ("measures", measure, k) for k in (f"{period}_mean", *LEVEL_DERIVED)]
    return table.cell(
        name(path + ("measures", measure, period)), round(mean * n), view, hides=hides, **kwargs
    )


def _subgroups(table: Table, block: dict, group: str) -> None:
    for kind, levels in (block.get("subgroups") or {}).items():
        sizes, counts = [], {}
        for level, data in levels.items():
            path = ("consumption", group, "subgroups", kind, level)
            n = data.get("n_patients")
            cell = table.cell(
                name(path + ("n_patients",)),
                n,
                (path + ("n_patients",),),
                hides=[path],
                tier=DETAIL,
            )
            if cell:
                sizes.append(cell.key)
            for measure in data.get("measures") or {}:
                for period in PERIODS:
                    implied = _implied_count(table, path, measure, period, n, tier=DETAIL)
                    if implied:
                        counts.setdefault((measure, period), []).append(implied.key)
        table.total(included(group), sizes, f"{group}: included = Σ {kind}")
        for (measure, period), parts in counts.items():
            table.total(
                total(group, measure, period), parts, f"{group} {measure} {period}: Σ {kind}"
            )


def _windows(table: Table, block: dict, group: str, window: str) -> None:
    """Window lengths: the report's own repeats the main figures; each other has its own
    patients (a shorter window includes those of a longer one, and more)."""
    levels = block.get("sensitivity") or {}
    ordered = sorted(levels, key=int)
    for days in ordered:
        path = ("consumption", group, "sensitivity", days)
        data = levels[days]
        n = data.get("n_patients")
        if days == window:
            table.view(included(group), n, (path + ("n_patients",),), [path])
        else:
            table.cell(
                _window_n(group, days, window),
                n,
                (path + ("n_patients",),),
                hides=[path],
                tier=DETAIL,
            )
        for measure in data.get("measures") or {}:
            for period in PERIODS:
                if days == window:
                    _repeat_total(table, path, group, measure, period, n)
                else:
                    _implied_count(table, path, measure, period, n, tier=DETAIL)
        if days != window:
            _window_estimate(table, path, data, group, days, window)
    for longer, shorter in zip(ordered[1:], ordered, strict=False):
        a, b = _window_n(group, shorter, window), _window_n(group, longer, window)
        difference = f"patients/{group}/window_{shorter}_not_{longer}"
        if a in table.cells and b in table.cells:
            value = table.cells[a].value - table.cells[b].value
            table.cell(difference, value, None, zero_sensitive=False)
            table.total(a, [b, difference], f"{group}: window {shorter} = {longer} + more")


def _window_n(group: str, days: str, window: str) -> str:
    if days == window:
        return included(group)
    return name(("consumption", group, "sensitivity", days, "n_patients"))


def _repeat_total(table: Table, path: Path, group: str, measure: str, period: str, n) -> None:
    mean = lookup(table.source, path + ("measures", measure, f"{period}_mean"))
    if mean is None or n is None:
        return
    view = (path + ("measures", measure, f"{period}_mean"), path + ("n_patients",))
    keys = (f"{period}_mean", "rate_ratio", "rate_ratio_ci")
    hides = [path + ("measures", measure, k) for k in keys]
    table.view(total(group, measure, period), round(mean * n), view, hides)


def _window_estimate(
    table: Table, path: Path, data: dict, group: str, days: str, window: str
) -> None:
    """The adjusted estimate at another window length: its patients and those outside."""
    key = adjusted(group, days)
    for measure in data.get("measures") or {}:
        did = path + ("measures", measure, "did", "n_team")
        value = lookup(table.source, did)
        if key in table.cells:
            table.view(key, value, (did,), [did])
        else:
            table.cell(key, value, (did,), hides=[did], tier=SECONDARY)
    outside = f"patients/{group}/outside_adjusted/{days}"
    _outside(table, _window_n(group, days, window), key, outside)


def _outside(table: Table, whole: str, part: str, rest: str, attribute: bool = False) -> None:
    """whole = part + rest, the rest an implied count. A zero rest is sensitive only for an
    attribute (no men: every patient is a woman), not where two sets coincide."""
    if whole in table.cells and part in table.cells:
        value = table.cells[whole].value - table.cells[part].value
        table.cell(rest, value, None, zero_sensitive=attribute)
        table.total(whole, [part, rest], f"{whole} = {part} + {rest}")


def _adjusted(table: Table, results: dict, group: str, block: dict, window: str) -> None:
    """The patients of the adjusted estimate (repeated in many places), and their totals."""
    base = ("consumption", group)
    views = [
        base + (kind, m, "n_team") for kind in ("did", "did_other") for m in block.get(kind) or {}
    ]
    if block.get("comparison_group"):
        views.append(base + ("comparison_group", "n_team"))
    own = (block.get("sensitivity") or {}).get(window) or {}
    views += [
        base + ("sensitivity", window, "measures", m, "did", "n_team")
        for m in own.get("measures") or {}
    ]
    views = [v for v in views if lookup(results, v) is not None]
    if not views:
        return
    key = adjusted(group)
    balance = _team_balance(block, base)
    table.cell(
        key, lookup(results, views[0]), (views[0],), hides=[views[0], *balance], tier=SECONDARY
    )
    for view in views[1:]:
        table.view(key, lookup(results, view), (view,), [view])
    _outside(table, included(group), key, f"patients/{group}/outside_adjusted")


def _over_time(table: Table, results: dict, group: str, block: dict | None) -> None:
    """Per period of index date: enrolled patients add up to the group's enrolled (and, per
    half-year, to the year's count), the estimate's patients to the adjusted estimate's."""
    if not block:
        return
    base = ("consumption", group, "over_time", "periods")
    enrolled, team, halves = [], [], {}
    for i, period in enumerate(block["periods"]):
        path = base + (i,)
        here = path + ("n_enrolled",)
        year = name(("profile", "groups", group, "per_year", str(period["period"])))
        if block["unit"] == "year" and year in table.cells:
            # A calendar year's enrolled patients are section A's count of that year.
            cell = table.view(year, period.get("n_enrolled"), (here,), [here])
        else:
            cell = _period_count(table, path, period, "n_enrolled", [here])
        if cell:
            enrolled.append(cell.key)
            halves.setdefault(str(period["period"])[:4], []).append(cell.key)
        # A period's estimate holds rate ratios and intervals, no count: a hidden team count
        # leaves it (primary suppression hides an estimate on fewer than N patients). A
        # zero only says nobody of the period has a reference period inside the extract.
        if cell := _period_count(table, path, period, "n_team", [path + ("n_team",)]):
            cell.zero_sensitive = False
            team.append(cell.key)
        # The period's enrolled = its patients in the estimate + those outside it.
        whole = year if block["unit"] == "year" and year in table.cells else name(here)
        part = name(path + ("n_team",))
        _outside(table, whole, part, f"patients/{group}/over_time/{i}/outside_adjusted")
    group_enrolled = name(("profile", "groups", group, "n_enrolled"))
    if group_enrolled in table.cells:
        table.total(group_enrolled, enrolled, f"{group}: enrolled = Σ periods")
    if block["unit"] == "half_year":
        for year, keys in halves.items():
            year_key = name(("profile", "groups", group, "per_year", year))
            if year_key in table.cells:
                table.total(year_key, keys, f"{group}: {year} = Σ half-years")
    if adjusted(group) in table.cells:
        table.total(adjusted(group), team, f"{group}: adjusted = Σ periods")


def _period_count(table: Table, path: Path, period: dict, key: str, hides: list[Path]):
    return table.cell(
        name(path + (key,)), period.get(key), (path + (key,),), hides=hides, tier=DETAIL
    )


def _team_balance(block: dict, base: Path) -> list[Path]:
    """The team's side of the balance table: means over the estimate's patients, and the
    weighted comparison means that balancing makes equal to them."""
    group = base + ("comparison_group",)
    rows = (block.get("comparison_group") or {}).get("balance") or []
    paths = [group + ("max_abs_smd_after",)]
    for i in range(len(rows)):
        # Balancing makes the weighted comparison means equal the team's (entropy
        # balancing, docs/effects.md): they show the team's figures and go with them.
        keys = ("mean_team", "mean_comparison_weighted", "smd_before", "smd_after")
        paths += [group + ("balance", i, k) for k in keys]
    return paths


def _profile(table: Table, results: dict, group: str, profile: dict) -> None:
    """Section A: enrolled patients (reached, per index year), and the age and sex of the
    included ones, which are the subgroup table's patients again (the same cells)."""
    base = ("profile", "groups", group)
    enrolled = name(base + ("n_enrolled",))
    table.cell(
        enrolled,
        profile.get("n_enrolled"),
        (base + ("n_enrolled",),),
        hides=[base + ("n_enrolled",)],
        tier=SECONDARY,
    )
    reached = ("profile", "coverage", group)
    table.view(
        enrolled,
        lookup(results, reached + ("patients_reached",)),
        (reached + ("patients_reached",),),
        [reached + ("patients_reached",), reached + ("coverage",)],
    )
    about_included = [base + ("n_included",), base + ("mean_age",), base + ("share_women",)]
    if included(group) in table.cells:
        table.view(included(group), profile.get("n_included"), about_included[:1], about_included)
    else:
        table.cell(
            included(group),
            profile.get("n_included"),
            about_included[:1],
            hides=about_included,
            tier=ANCHOR,
        )
    excluded = name(("consumption", group, "n_excluded"))
    table.total(enrolled, [included(group), excluded], f"{group}: enrolled = included + excluded")
    women = _level_cell(table, group, ("sex", "F"), base + ("n_women",), profile.get("n_women"))
    if women:
        table.add_to_hides(women, [base + ("share_women",)])
    if women == name(base + ("n_women",)):  # no subgroup table by sex: the men are implied
        _outside(table, included(group), women, f"patients/{group}/men", attribute=True)
    bands = [
        _level_cell(table, group, ("age_band", band), base + ("age_bands", band), count)
        for band, count in (profile.get("age_bands") or {}).items()
    ]
    table.total(included(group), [b for b in bands if b], f"{group}: included = Σ age bands")
    years = []
    for year, count in (profile.get("per_year") or {}).items():
        path = base + ("per_year", year)
        if table.cell(name(path), count, (path,), hides=[path], tier=DETAIL):
            years.append(name(path))
    table.total(enrolled, years, f"{group}: enrolled = Σ per_year")


def _level_cell(table: Table, group: str, level: tuple[str, str], path: Path, count) -> str | None:
    """Section A's count of the included patients of one sex or age band: the subgroup
    table's count of the same patients where it has a table of that kind (one cell, two
    views; a level it lacks has no patients, which that table shows already)."""
    kind = name(("consumption", group, "subgroups", level[0]))
    key = f"{kind}/{level[1]}/n_patients"
    if key in table.cells:
        table.view(key, count, (path,), [path])
        return key
    if any(k.startswith(kind + "/") for k in table.cells):
        return None
    return table.cell(name(path), count, (path,), hides=[path], tier=DETAIL) and name(path)
