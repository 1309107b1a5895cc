"""Primary suppression, figure by figure (docs/disclosure.md, "Rules").

Every published count below ``min_cell`` and every figure derived from fewer than
``min_cell`` patients or respondents becomes ``None`` (null in results.json, a dash in the
report): small groups, levels and estimates are hidden whole, small totals with their
means and changes, small survey cells with their shares. Complementary suppression (what
could be recovered by adding or subtracting) is ``narvard.stats.disclosure.complementary``.
"""

from __future__ import annotations

import copy

from narvard.domain import ALL_GROUPS, COSTED_MEASURES
from narvard.stats.cost_effect import tornado_row
from narvard.stats.disclosure.cells import PRIVATE, lookup, null_path
from narvard.stats.disclosure.costs import RATE_KEYS, cost_effect_hides

TOTAL_KEY = ALL_GROUPS


def is_small(count: float | None, min_cell: int) -> bool:
    """True when a published count must be hidden."""
    return count is not None and count < min_cell


def apply_primary(results: dict, min_cell: int) -> None:
    """Hide small counts and what derives from them, in place."""
    for group, block in results.get("consumption", {}).items():
        _suppress_consumption(block, min_cell)
        cost = results.get("costs", {}).get(group)
        if cost is not None and block["n_patients"] is None:
            _null_all(cost)
        elif cost is not None:
            _suppress_cost_block(cost, min_cell)
        _suppress_comparison_group(block.get("comparison_group"), min_cell)
        for did in (*block.get("did", {}).values(), *block.get("did_other", {}).values()):
            _suppress_did(did, min_cell)
        if cost is not None and _estimate_hidden(block.get("did") or {}, cost):
            _null_cost_effect(results, ("costs", group))
    for did_block in results.get("region_effects", {}).values():
        for did in did_block.values():
            _suppress_did(did, min_cell)
    region_costs = results.get("costs", {}).get("region") or {}
    for cost in region_costs.values():
        if isinstance(cost, dict):
            _suppress_cost_block(cost, min_cell)
    for group, effects in (results.get("region_effects") or {}).items():
        cost = region_costs.get(group)
        if isinstance(cost, dict) and _estimate_hidden(effects, cost):
            _null_cost_effect(results, ("costs", "region", group))
            _null_cost_effect(results, ("costs", "region", "total"))
    for survey in results.get("surveys", {}).values():
        _suppress_survey(survey, min_cell)
    _suppress_profile(results.get("profile", {}), min_cell)
    for reasons in results.get("exclusions", {}).values():
        for reason, count in reasons.items():
            if is_small(count, min_cell):
                reasons[reason] = None
    for block in results.get("consumption", {}).values():
        pool = next(iter((block.get("did") or {}).values()), {}).get("n_comparison")
        _suppress_over_time(block.get("over_time"), min_cell, pool)


def apply_consequences(results: dict, min_cell: int) -> None:
    """Figures quoting hidden ones: intervals of hidden shares, comparisons and component
    means built on them, the distribution of an item whose answers are hidden, a tornado
    setting built on a hidden estimate."""
    _hide_tornado_settings(results)
    for survey in results.get("surveys", {}).values():
        for qid, item in survey.get("items", {}).items():
            for cell in item.values():
                if cell.get("share_positive") is None and "ci" in cell:
                    cell["ci"] = None
            total = item.get(TOTAL_KEY, {})
            if total.get("n") is None and (survey.get("distribution") or {}).get(qid):
                survey["distribution"][qid] = None
        _suppress_comparisons(survey)
        _hide_components(survey, min_cell)


COUNT_KEYS = ("before_total", "after_total", "n_team", "n_comparison", "n_patients")


def _suppress_did(did: dict, min_cell: int) -> None:
    """An adjusted estimate on few team or comparison patients is hidden whole."""
    if is_small(did.get("n_team"), min_cell) or is_small(did.get("n_comparison"), min_cell):
        _null_all(did)


def _hide_tornado_settings(results: dict) -> None:
    """A tornado setting whose net rests on an estimate the report hides (the other
    comparison's, another window length's) goes, and its row is redrawn from the settings
    left (or goes too, with fewer than two)."""
    window = results.get("window_days")
    for group, block in (results.get("consumption") or {}).items():
        cost = (results.get("costs") or {}).get(group) or {}
        tornado = cost.get("tornado") or {}
        if not tornado.get("rows"):
            continue
        other = block.get("did_other") or {}
        lengths = block.get("sensitivity") or {}
        rows = []
        for row in tornado["rows"]:
            kept = [
                s
                for s in row["settings"]
                if not (
                    (s["kind"] == "comparison" and s["value"] == "other" and _hidden(other))
                    or (
                        s["kind"] == "days"
                        and s["value"] != window
                        and _hidden(_length_did(lengths, s["value"]))
                    )
                )
            ]
            if len(kept) < 2 or any(s["net_savings_sek"] is None for s in kept):
                continue
            settings = [(s["kind"], s["value"], s["net_savings_sek"]) for s in kept]
            rows.append(tornado_row(row["input"], settings))
        tornado["rows"] = sorted(rows, key=lambda r: -r["swing_sek"])


def _length_did(lengths: dict, days) -> dict:
    measures = (lengths.get(str(days)) or {}).get("measures") or {}
    return {m: entry.get("did") or {} for m, entry in measures.items()}


def _hidden(estimates: dict) -> bool:
    """Any costed measure's estimate hidden (or missing) in the report."""
    return any((estimates.get(m) or {}).get("rate_ratio") is None for m in COSTED_MEASURES)


def _estimate_hidden(did: dict, cost: dict) -> bool:
    """True when an adjusted estimate the cost-effect applies was hidden as resting on
    fewer than N patients: its rate ratio must not reach the report through the money."""
    return any(
        did.get(m, {}).get("rate_ratio") is None and entry.get("rate_ratio") is not None
        for m, entry in (cost.get("avoided_use") or {}).items()
    )


def _null_cost_effect(results: dict, block: tuple) -> None:
    """The cost-effect figures of a cost block built on its rate ratios, and its money;
    the patients, totals and crude differences stay."""
    for path in cost_effect_hides(results, block[-1], block):
        null_path(results, path)
    own = lookup(results, block) or {}
    for entry in (own.get("avoided_use") or {}).values():
        for key in RATE_KEYS:
            if key in entry:
                entry[key] = None


def _suppress_comparison_group(summary: dict | None, min_cell: int) -> None:
    """The comparison group's counts and balance table (means of few patients hidden)."""
    if not summary:
        return
    if is_small(summary.get("n_team"), min_cell) or is_small(summary.get("n_comparison"), min_cell):
        _null_all(summary)
        for row in summary.get("balance", []):
            _null_all(row)


def _suppress_cost_block(cost: dict, min_cell: int) -> None:
    """A cost block resting on few patients is hidden whole; small event counts in it too."""
    if is_small(cost.get("n_patients"), min_cell):
        kept = {k: copy.deepcopy(cost[k]) for k in NOT_ABOUT_PATIENTS if k in cost}
        population = (cost.get("per_100k") or {}).get("population")
        _null_all(cost)
        cost.update(kept)  # prices, the team cost and settings are not about individuals
        if cost.get("per_100k"):
            cost["per_100k"]["population"] = population
        return
    for entry in cost.get("avoided_use", {}).values():
        _suppress_small_counts(entry, min_cell)
        if entry.get("before_total") is None or entry.get("after_total") is None:
            # before − after (and after / RR) would give the hidden count back
            for key in AVOIDED_KEYS:
                if key in entry:
                    entry[key] = None


NOT_ABOUT_PATIENTS = (
    "window_days",
    "basis",
    "price_year",
    "enrolment_years",
    "unit_costs",
    "team_cost",
    "team_cost_sek",
    "psa",
)
AVOIDED_KEYS = (
    "avoided_crude",
    "avoided_crude_per_year",
    "expected_after",
    "avoided",
    "avoided_per_year",
)


def _suppress_small_counts(block: dict, min_cell: int) -> None:
    """Patient and event counts repeated in a nested block (matching, avoided use)."""
    for key, value in block.items():
        if isinstance(value, dict):
            _suppress_small_counts(value, min_cell)
        elif key in COUNT_KEYS and is_small(value, min_cell):
            block[key] = None


def _suppress_profile(profile: dict, min_cell: int) -> None:
    """Enrolment counts, age bands and sex: small counts hidden, small groups hidden whole."""
    for group in profile.get("groups", {}).values():
        if is_small(group["n_enrolled"], min_cell):
            _null_all(group)
            continue
        if is_small(group["n_included"], min_cell):  # age and sex are of these patients
            group["n_included"] = group["mean_age"] = None
            group["age_bands"] = dict.fromkeys(group["age_bands"])
        if group["n_women"] is not None and is_small(group["n_women"], min_cell):
            group["n_women"] = None
        men = None if group["n_included"] is None else group["n_included"] - (group["n_women"] or 0)
        if group["n_women"] is None or is_small(men, min_cell):
            group["n_women"] = group["share_women"] = None
        for table in (group["age_bands"], group["per_year"]):
            for key, count in table.items():
                if is_small(count, min_cell):
                    table[key] = None
    for cover in profile.get("coverage", {}).values():
        if is_small(cover["patients_reached"], min_cell):
            cover["patients_reached"] = cover["coverage"] = None


def _null_all(block: dict) -> None:
    """Set every number (and interval) in a (nested) block to None."""
    for key, value in block.items():
        if isinstance(value, dict):
            _null_all(value)
        elif isinstance(value, list):
            block[key] = None if all(_is_number(v) for v in value) else value
            for item in value:
                if isinstance(item, dict):
                    _null_all(item)
        elif _is_number(value):
            block[key] = None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


PERIOD_KEYS = {
    "before": (
        "before_total",
        "before_mean",
        "before_mean_ci",
        "rate_before_per_180d",
        "rate_before_per_180d_ci",
    ),
    "after": (
        "after_total",
        "after_mean",
        "after_mean_ci",
        "rate_after_per_180d",
        "rate_after_per_180d_ci",
    ),
}
DERIVED_FROM_BOTH = ("change_pct", "rate_ratio", "rate_ratio_ci")


def _suppress_consumption(block: dict, min_cell: int) -> None:
    # "Nobody excluded" only says that the enrolled are the included (docs/disclosure.md,
    # "Zeros"): it stays, as its cell is not sensitive.
    if block.get("n_excluded") != 0 and is_small(block.get("n_excluded"), min_cell):
        block["n_excluded"] = None
    if is_small(block["n_patients"], min_cell):
        excluded = block.get("n_excluded")
        _null_all(block)
        block["n_excluded"] = excluded
        if "event_study" in block:
            block["event_study"] = {}  # no monthly series for a group too small to show
        return
    if is_small(block.get("deaths_after"), min_cell):
        block["deaths_after"] = None
    for measure in block["measures"].values():
        _suppress_measure(measure, min_cell, measure["before_total"], measure["after_total"])
    for levels in block.get("subgroups", {}).values():
        for level in levels.values():
            _suppress_level(level, min_cell)
    for level in block.get("sensitivity", {}).values():
        _suppress_level(level, min_cell)
        for measure in (level.get("measures") or {}).values():
            if isinstance(measure.get("did"), dict):
                _suppress_did(measure["did"], min_cell)
    _suppress_event_study(block.get("event_study") or {}, min_cell)


def _suppress_measure(measure: dict, min_cell: int, before_total, after_total) -> None:
    """Hide a period whose event count is small, and everything derived from it."""
    for period, total in (("before", before_total), ("after", after_total)):
        if is_small(total, min_cell):
            for key in PERIOD_KEYS[period]:
                if key in measure:
                    measure[key] = None
            for key in DERIVED_FROM_BOTH:
                if key in measure:
                    measure[key] = None


def _suppress_level(level: dict, min_cell: int) -> None:
    """A subgroup or window length: hidden whole when small; small implied counts hidden."""
    n = level["n_patients"]
    if is_small(n, min_cell):
        _null_all(level)
        return
    for measure in level["measures"].values():
        implied = [_implied(measure.get(f"{p}_mean"), n) for p in ("before", "after")]
        _suppress_measure(measure, min_cell, *implied)


def _implied(mean, n) -> int | None:
    """The event count a published mean reveals (mean × patients)."""
    return None if mean is None or n is None else round(mean * n)


def _suppress_event_study(study: dict, min_cell: int) -> None:
    """Monthly rates: a month with few patients observed or few events is hidden, and the
    monthly patient counts are never published (their differences would count deaths)."""
    for measure in study.get("measures", {}).values():
        for arm in ("team", "comparison"):
            series = measure.get(arm) or {}
            observed = series.get("n_observed") or []
            for k, rate in enumerate(series.get("rate") or []):
                n = observed[k] if k < len(observed) else None
                implied = None if rate is None or n is None else round(rate * n)
                if is_small(n, min_cell) or is_small(implied, min_cell):
                    series["rate"][k] = None
                    series["ci"][k] = None
                    if arm == "comparison" and measure.get("comparison_scaled"):
                        measure["comparison_scaled"][k] = None
            series["n_observed"] = None


PERIOD_COUNTS = ("n_enrolled", "n_team", "n_comparison")


def _suppress_over_time(block: dict | None, min_cell: int, pool: float | None = None) -> None:
    """Enrolments and the adjusted effect per period of index date (`over_time`).

    Counts below min_cell are hidden, and an estimate whose team or comparison count is
    hidden goes with it. The enrolled and team patients of the periods add up to published
    totals (section A's years, the group's enrolled and adjusted-effect patients): those
    relations are declared cells (``patients._over_time``), and complementary suppression
    protects them. The comparison patients of the periods add up to the estimates' pool
    (``pool``, published with every estimate): while the hidden ones add up to 1 … N − 1,
    or exactly one is hidden, the smallest shown one is hidden too.
    """
    if not block:
        return
    periods = block["periods"]
    adds_up = pool is not None and sum(p["n_comparison"] or 0 for p in periods) == pool
    for period in periods:
        for key in PERIOD_COUNTS:
            if is_small(period[key], min_cell):
                period[key] = None
        if period["n_team"] is None or period["n_comparison"] is None:
            for estimate in period["measures"].values():
                _null_all(estimate)
    _protect_periods(periods, "n_comparison")
    while adds_up and _small_hidden_sum(periods, pool, min_cell):
        min((p for p in periods if p["n_comparison"] is not None), key=_comparisons)[
            "n_comparison"
        ] = None


def _comparisons(period: dict) -> float:
    return period["n_comparison"]


def _small_hidden_sum(periods: list[dict], pool: float, min_cell: int) -> bool:
    """The pool minus the shown periods' comparison patients: a small count of hidden ones."""
    shown = [p["n_comparison"] for p in periods if p["n_comparison"] is not None]
    return len(shown) < len(periods) and bool(shown) and 0 < pool - sum(shown) < min_cell


def _protect_periods(periods: list[dict], key: str) -> None:
    hidden = [p for p in periods if p[key] is None]
    shown = [p for p in periods if p[key] is not None]
    if len(hidden) == 1 and shown:
        min(shown, key=lambda p: p[key])[key] = None


def _suppress_survey(survey: dict, min_cell: int) -> None:
    if is_small(survey.get("respondents"), min_cell):
        survey["respondents"] = None
        survey["response_rate"] = None
    for group in survey.get("groups", {}).values():
        if is_small(group.get("respondents"), min_cell):
            group["respondents"] = None
            group["response_rate"] = None
    for item in survey.get("items", {}).values():
        for cell in item.values():
            if is_small(cell["n"], min_cell):
                _null_all(cell)
            elif is_small(cell["positive"], min_cell):
                cell["positive"] = None
                cell["share_positive"] = None
    _suppress_waves(survey, min_cell)
    for item in survey.get("missing", {}).values():
        for cell in item.values():
            if is_small(cell.get("respondents"), min_cell):
                for key in cell:
                    cell[key] = None  # a row of fewer than N respondents
    for theme in survey.get("themes", {}).values():
        if is_small(theme.get("n"), min_cell):
            theme["n"] = None
            theme["quotes"] = []  # a quote from a theme too small to count is not shown
        for group, count in theme.get("by_group", {}).items():
            if is_small(count, min_cell):
                theme["by_group"][group] = None
    for answers in survey.get("open_questions", {}).values():
        if is_small(answers.get("n"), min_cell):
            answers["n"] = None


def _hide_components(survey: dict, min_cell: int) -> None:
    """A component mean built on a hidden item share would reveal it, and so would a mean
    over a reversed item with few answers on either side (its favourable count is not in
    the item table): hide that mean."""
    items = survey.get("items", {})
    for component in survey.get("components", {}).values():
        for group, cell in component.get("by_group", {}).items():
            cells = [items.get(q, {}).get(group) for q in component.get("items", [])]
            counts = cell.get(PRIVATE) or []
            few = any(is_small(f, min_cell) or is_small(n - f, min_cell) for f, n in counts)
            if few or any(c is None or c.get("share_positive") is None for c in cells):
                cell["mean_share_favourable"] = None


def _suppress_waves(survey: dict, min_cell: int) -> None:
    for wave_item in (survey.get("waves") or {}).get("items", {}).values():
        for wave in wave_item.values():
            for cell in wave.values():
                if is_small(cell.get("n"), min_cell):
                    _null_all(cell)
                elif is_small(cell.get("positive"), min_cell):
                    cell["positive"] = cell["share_positive"] = cell["ci"] = None


def _suppress_comparisons(survey: dict) -> None:
    """A comparison quoting a hidden share is hidden too (its sentence in the report quotes
    both shares); its numbers of answers stay when they are published in the item table."""
    items = survey.get("items", {})
    for comparison in survey.get("comparisons", []):
        cells = [items.get(comparison["question_id"], {}).get(g) for g in comparison["groups"]]
        _hide_if_quoting_hidden(comparison, cells)
    for comparison in survey.get("area_vs_rest", []):
        _hide_if_quoting_hidden(
            comparison, [items.get(comparison["question_id"], {}).get(TOTAL_KEY)]
        )


def _hide_if_quoting_hidden(comparison: dict, cells: list) -> None:
    if any(c is None or c.get("n") is None for c in cells):
        hide_comparison(comparison)
    elif any(c.get("share_positive") is None for c in cells):
        hide_comparison(comparison, keep_n=True)


def hide_comparison(comparison: dict, keep_n: bool = False) -> None:
    keys = ("shares", "difference", "ci", "p_value", "p_holm")
    for key in keys if keep_n else ("n", *keys):
        comparison[key] = None
