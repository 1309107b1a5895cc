"""The simulation study behind the adjusted effect: bias, coverage and width, per scenario.

For each scenario (``narvard.data.synthetic.scenarios``) and seed, a contract dataset with a
known true effect is written, run through the project's own aggregation
(``narvard.processed.prepare_dataset``) and estimated with every variant below, for each
area and for the region, each team group and each measure. The default is exactly what the
reports show (``narvard.analysis.GroupEffect`` with the balanced comparison).

``make method-check`` runs the full study and writes docs/method-validation.md; a fast
subset runs in the tests (tests/pipeline/test_method_study.py).
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from narvard.data.processed import prepare_dataset
from narvard.data.synthetic.scenarios import DESCRIPTIONS, SCENARIOS, write_scenario
from narvard.data.synthetic.truth import REGION
from narvard.domain import MEASURES, TEAM_GROUPS
from narvard.results.analysis import GroupEffect
from narvard.stats import did
from narvard.stats.describe import describe_group, included

DEFAULT = "did_balanced"
VARIANTS = {
    "crude": "crude change: after mean / before mean (no interval)",
    "before_after": "before/after rate ratio per day alive (no comparison group)",
    "did_before_window": "difference-in-differences, baseline = the before window, "
    "comparison balanced (regression to the mean left in)",
    "did_all": "difference-in-differences, baseline t−2W…t−W−1, all comparison patients",
    DEFAULT: "difference-in-differences, baseline t−2W…t−W−1, comparison balanced on age, "
    "sex and index date (**the reports' default**)",
}


def _row(level, group, measure, variant, ratio, ci) -> dict:
    low, high = ci if ci else (None, None)
    return {
        "level": level,
        "group": group,
        "measure": measure,
        "variant": variant,
        "estimate": ratio,
        "low": low,
        "high": high,
    }


def estimate_dataset(data_dir: Path, processed_root: Path, window_days: int = 180) -> list[dict]:
    """Every variant for every area (and the region), team group and measure."""
    with np.errstate(all="ignore"):
        dataset = prepare_dataset(data_dir, processed_root, window_days)
        windows = dataset.windows()
        pool = windows[windows["group"] == "comparison"]
        rows = []
        for level in [*sorted(windows["area_id"].unique()), REGION]:
            for group in TEAM_GROUPS:
                team = windows[windows["group"] == group]
                if level != REGION:
                    team = team[team["area_id"] == level]
                rows += _estimates(str(level), group, team, pool, window_days)
    return rows


def _estimates(level: str, group: str, team, pool, window_days: int) -> list[dict]:
    if included(team).empty:
        return []
    described = describe_group(team, window_days, MEASURES, intervals=False)
    variants = {
        DEFAULT: GroupEffect.of(team, pool, window_days, "balanced").estimates,
        "did_all": GroupEffect.of(team, pool, window_days, "all").estimates,
        "did_before_window": did.estimates(
            did.design(team, pool, window_days, "balanced", baseline="before"), MEASURES
        )[0],
    }
    rows = []
    inc = included(team)
    for m in MEASURES:
        before, after = inc[f"{m}_before"].mean(), inc[f"{m}_after"].mean()
        rows.append(_row(level, group, m, "crude", after / before if before else None, None))
        d = described[m]
        rows.append(_row(level, group, m, "before_after", d["rate_ratio"], d["rate_ratio_ci"]))
        for name, estimates in variants.items():
            e = estimates[m]
            rows.append(_row(level, group, m, name, e["rate_ratio"], e["ci"]))
    return rows


def _truth_rows(truth: dict) -> list[dict]:
    rows = []
    for area, groups in truth["areas"].items():
        for group, values in groups.items():
            rows += [
                {"level": area, "group": group, "measure": m, "truth": values[m]} for m in MEASURES
            ]
    for group, values in truth[REGION].items():
        rows += [
            {"level": REGION, "group": group, "measure": m, "truth": values[m]} for m in MEASURES
        ]
    return rows


def replicate(name: str, seed: int, size: float = 1.0, window_days: int = 180) -> pd.DataFrame:
    """One dataset of one scenario: estimates of every variant beside the truth."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, processed = Path(tmp) / "data", Path(tmp) / "processed"
        truth = write_scenario(data_dir, name, seed, size, window_days)
        estimates = pd.DataFrame(estimate_dataset(data_dir, processed, window_days))
    table = estimates.merge(pd.DataFrame(_truth_rows(truth)), on=["level", "group", "measure"])
    return table.assign(scenario=name, seed=seed)


def run_study(
    scenarios: Sequence[str] = SCENARIOS,
    seeds: Sequence[int] = range(1, 21),
    size: float = 1.0,
    jobs: int = 1,
    progress=None,
) -> pd.DataFrame:
    """All replicates (in ``jobs`` processes); one row per cell and variant."""
    tasks = [(name, seed) for name in scenarios for seed in seeds]
    if jobs <= 1:
        parts = []
        for k, (name, seed) in enumerate(tasks, start=1):
            parts.append(replicate(name, seed, size))
            if progress:
                progress(k, len(tasks), name, seed)
        return pd.concat(parts, ignore_index=True)
    parts = []
    with cf.ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(replicate, name, seed, size): (name, seed) for name, seed in tasks}
        for k, future in enumerate(cf.as_completed(futures), start=1):
            parts.append(future.result())
            if progress:
                progress(k, len(tasks), *futures[future])
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(["scenario", "seed", "level", "group", "measure", "variant"])


def score(table: pd.DataFrame) -> pd.DataFrame:
    """Per cell: log error, whether the 95 % interval covers the truth, its width, and
    whether it excludes 1 (a 'significant' change)."""
    t = table[table["truth"].notna() & table["estimate"].notna() & (table["estimate"] > 0)].copy()
    t["error"] = np.log(t["estimate"]) - np.log(t["truth"])
    has_ci = t["low"].notna() & t["high"].notna()
    t["covered"] = np.where(has_ci, (t["low"] <= t["truth"]) & (t["truth"] <= t["high"]), np.nan)
    t["width"] = np.where(has_ci, t["high"] - t["low"], np.nan)
    t["significant"] = np.where(has_ci, (t["high"] < 1) | (t["low"] > 1), np.nan)
    return t


def summary(scored: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and variant: cells, mean bias (log scale), RMSE, coverage, mean width,
    and the share of significant changes (the false-positive rate in ``null``)."""
    grouped = scored.groupby(["scenario", "variant"])
    return pd.DataFrame(
        {
            "cells": grouped.size(),
            "bias": grouped["error"].mean(),
            "rmse": grouped["error"].apply(lambda e: float(np.sqrt(np.mean(e**2)))),
            "coverage": grouped["covered"].mean(),
            "width": grouped["width"].mean(),
            "significant": grouped["significant"].mean(),
        }
    ).reset_index()


def _cell(value: float, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "share":
        return f"{100 * value:.0f} %"
    return f"{value:+.3f}" if kind == "signed" else f"{value:.3f}"


def markdown(scored: pd.DataFrame, settings: dict) -> str:
    """docs/method-validation.md: settings, the table per scenario and the verdict."""
    table = summary(scored)
    lines = [
        "# Method validation: the simulation study",
        "",
        "Generated by `make method-check` (`narvard method-check`); do not edit by hand.",
        "",
        f"Settings: {settings['replicates']} datasets per scenario (seeds "
        f"{settings['seeds']}), size {settings['size']} × (1 500 HSVT, 500 NSVT, 2 500 "
        f"comparison patients in two areas), window {settings['window_days']} days. Cells: "
        "each area and the region × HSVT, NSVT × four measures. Truth: the same patients "
        "without the team (`narvard.data.synthetic.truth`).",
        "",
        "Bias and RMSE are on the log scale (0.10 ≈ 10 %); coverage is the share of 95 % "
        "intervals that contain the truth; width is the mean width of the interval on the "
        "rate-ratio scale; *significant* is the share of intervals that exclude 1 — in the "
        "`null` scenario, where nothing was planted, the false-positive rate.",
        "",
        "## Scenarios",
        "",
        *[f"- `{name}`: {DESCRIPTIONS[name]}" for name in sorted(set(table["scenario"]))],
        "",
        "## Variants",
        "",
        *[f"- `{key}`: {text}" for key, text in VARIANTS.items()],
        "",
        "## Results",
        "",
        "| scenario | variant | cells | bias | RMSE | coverage | width | significant |",
        "|---|---|---|---|---|---|---|---|",
    ]
    order = {v: k for k, v in enumerate(VARIANTS)}
    table = table.assign(_o=table["variant"].map(order)).sort_values(["scenario", "_o"])
    for r in table.itertuples():
        name = f"**{r.variant}**" if r.variant == DEFAULT else r.variant
        lines.append(
            f"| {r.scenario} | {name} | {r.cells} | {_cell(r.bias, 'signed')} | "
            f"{_cell(r.rmse, 'plain')} | {_cell(r.coverage, 'share')} | "
            f"{_cell(r.width, 'plain')} | {_cell(r.significant, 'share')} |"
        )
    lines += ["", *verdict(scored), ""]
    return "\n".join(lines)


MIN_COVERAGE = 0.90
MAX_FALSE_POSITIVE = 0.075  # "about 5 %": the rule allows Monte-Carlo noise above 5 %


def acceptance(scored: pd.DataFrame) -> tuple[float, float, int, int]:
    """Coverage of the default over all cells, and its significant share where nothing was
    planted (``null``), with the numbers of cells."""
    default = scored[scored["variant"] == DEFAULT]
    null = default[default["scenario"] == "null"]
    false_positive = float(null["significant"].mean()) if len(null) else float("nan")
    return float(default["covered"].mean()), false_positive, len(default), len(null)


def monte_carlo_interval(cells: pd.DataFrame, column: str) -> list[float] | None:
    """95 % interval of a share over cells, clustered by dataset (scenario and seed): the
    cells of one dataset share its comparison patients, so they are not independent."""
    per_dataset = cells.groupby(["scenario", "seed"])[column].agg(["sum", "count"])
    n = len(per_dataset)
    if n < 2:
        return None
    share = per_dataset["sum"].sum() / per_dataset["count"].sum()
    residual = per_dataset["sum"] - share * per_dataset["count"]
    se = float(np.sqrt(n / (n - 1) * np.sum(residual**2)) / per_dataset["count"].sum())
    return [max(0.0, share - 1.96 * se), min(1.0, share + 1.96 * se)]


def passes(scored: pd.DataFrame) -> bool:
    coverage, false_positive, _, _ = acceptance(scored)
    return coverage >= MIN_COVERAGE and (
        math.isnan(false_positive) or false_positive <= MAX_FALSE_POSITIVE
    )


def _percent_interval(interval: list[float] | None) -> str:
    if interval is None:
        return ""
    return f" (Monte-Carlo 95 % interval {100 * interval[0]:.1f}–{100 * interval[1]:.1f} %)"


def verdict(scored: pd.DataFrame) -> list[str]:
    """The acceptance rule for the default, in words and numbers, and the false-positive
    rate per measure."""
    coverage, false_positive, n_cells, n_null = acceptance(scored)
    default = scored[scored["variant"] == DEFAULT]
    null = default[default["scenario"] == "null"]
    lines = [
        "## Verdict",
        "",
        f"Default (`{DEFAULT}`): coverage {100 * coverage:.1f} % over {n_cells} cells"
        f"{_percent_interval(monte_carlo_interval(default, 'covered'))} (rule: ≥ 90 %); "
        f"significant changes where none was planted {100 * false_positive:.1f} % of "
        f"{n_null} cells{_percent_interval(monte_carlo_interval(null, 'significant'))} "
        f"(rule: about 5 %, at most {100 * MAX_FALSE_POSITIVE:.1f} %). "
        + ("**Passes.**" if passes(scored) else "**Fails.**"),
    ]
    if len(null):
        lines += [
            "",
            "Where nothing was planted, per measure (significant increase / decrease):",
            "",
        ]
        for measure, cells in null.groupby("measure"):
            up = float((cells["low"] > 1).mean())
            down = float((cells["high"] < 1).mean())
            lines.append(f"- `{measure}`: {100 * up:.1f} % / {100 * down:.1f} %")
    return lines
