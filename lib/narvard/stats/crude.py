"""The crude before/after figures of a group (docs/contract.md §2): totals, means per
patient and the relative change, as earlier evaluations report them."""

from __future__ import annotations

import pandas as pd

from narvard.domain import GROUPS, MEASURES


def change_pct(before_mean: float, after_mean: float) -> float | None:
    """100 × (after − before) / before; None where before is 0 (no relative change exists)."""
    if before_mean == 0:
        return None
    return 100.0 * (after_mean - before_mean) / before_mean


def measure_summary(before: pd.Series, after: pd.Series) -> dict:
    """Crude totals, means per patient and relative change for one measure of one group."""
    n = len(before)
    before_total, after_total = int(before.sum()), int(after.sum())
    before_mean = before_total / n if n else 0.0
    after_mean = after_total / n if n else 0.0
    return {
        "before_total": before_total,
        "after_total": after_total,
        "before_mean": before_mean,
        "after_mean": after_mean,
        "change_pct": change_pct(before_mean, after_mean) if n else None,
    }


def group_summary(windows: pd.DataFrame) -> dict:
    """The contract's consumption block for one group's patients (included and excluded)."""
    included = windows[windows["included"]]
    return {
        "n_patients": int(len(included)),
        "n_excluded": int((~windows["included"]).sum()),
        "deaths_after": int(included["died_after"].sum()),
        "person_days_after": int(included["person_days_after"].sum()),
        "measures": {
            m: measure_summary(included[f"{m}_before"], included[f"{m}_after"]) for m in MEASURES
        },
    }


def consumption_results(windows: pd.DataFrame) -> dict:
    """Consumption block per group present among the given patients (usually one area)."""
    return {
        group: group_summary(windows[windows["group"] == group])
        for group in GROUPS
        if (windows["group"] == group).any()
    }
