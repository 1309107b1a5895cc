"""The true team effect of a synthetic dataset, from its counterfactual twin.

The process (``narvard.data.synthetic.process``) is run twice on the same random numbers: with
the team effects, and with every team multiplier set to 1. Both datasets go through the
project's own aggregation (``narvard.consumption.patient_windows``), and for every area,
team group and measure the true rate ratio is

    Σ after-window events with the team / Σ after-window events without the team

over the group's included patients. Deaths do not depend on the team in the process, so both
sums run over the same days alive: this is the rate ratio per day alive that the reports
estimate (docs/effects.md), for the patients the report describes.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from narvard.data.consumption import patient_windows
from narvard.domain import MEASURES, TEAM_GROUPS

TRUTH_FILE = "truth.json"
REGION = "region"  # key of the region-wide cells (all areas of the dataset together)


def write_tables(folder: Path, tables: dict[str, pd.DataFrame], dataset_yml: str) -> None:
    """Write contract tables as UTF-8 CSV and dataset.yml into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n", encoding="utf-8")
    (folder / "dataset.yml").write_text(dataset_yml, encoding="utf-8")


def paired_windows(
    treated_dir: Path, untreated: dict[str, pd.DataFrame], dataset_yml: str, window_days: int
) -> pd.DataFrame:
    """Included team patients with each measure's after-window events with the team
    (``<measure>_with``) and without it (``<measure>_without``), and their windows' columns
    (area_id, group, index_date, ...)."""
    with_team = patient_windows(treated_dir, window_days)
    with tempfile.TemporaryDirectory() as tmp:
        write_tables(Path(tmp), untreated, dataset_yml)
        without = patient_windows(Path(tmp), window_days)
    return pair_windows(with_team, without)


def pair_windows(with_team: pd.DataFrame, without: pd.DataFrame) -> pd.DataFrame:
    """``paired_windows`` from the two runs' per-patient windows (same patients)."""
    if not with_team["patient_id"].equals(without["patient_id"]):
        raise ValueError("the counterfactual run has other patients than the dataset")
    keep = with_team["included"].to_numpy() & with_team["group"].isin(TEAM_GROUPS).to_numpy()
    rows = with_team.loc[keep].copy()
    for m in MEASURES:
        rows[f"{m}_with"] = with_team.loc[keep, f"{m}_after"].to_numpy()
        rows[f"{m}_without"] = without.loc[keep, f"{m}_after"].to_numpy()
    return rows


def true_effects(
    treated_dir: Path, untreated: dict[str, pd.DataFrame], dataset_yml: str, window_days: int
) -> dict:
    """{"window_days", "areas": {area: {group: {measure: rr}}}, "region": {...}} (see module)."""
    rows = paired_windows(treated_dir, untreated, dataset_yml, window_days)
    return effects_from_pairs(rows, window_days)


def effects_from_pairs(rows: pd.DataFrame, window_days: int) -> dict:
    """truth.json's content from ``paired_windows`` rows (see ``true_effects``)."""
    result: dict = {"window_days": int(window_days), "estimand": ESTIMAND, "areas": {}}
    for (area, group), part in rows.groupby(["area_id", "group"]):
        result["areas"].setdefault(str(area), {})[str(group)] = _ratios(part)
    result[REGION] = {str(g): _ratios(part) for g, part in rows.groupby("group")}
    return result


ESTIMAND = (
    "rate ratio per day alive in the after window, team vs the same patients without the "
    "team (included patients of the group)"
)


def true_effects_by(rows: pd.DataFrame, label: Callable[[pd.DataFrame], pd.Series]) -> dict:
    """{group: {label: {measure: rr, "n_patients"}}} over the region, for any grouping of
    the patients of ``paired_windows`` (e.g. the period of the index date)."""
    labels = label(rows)
    return {
        str(group): {
            str(key): _ratios(part) for key, part in by_group.groupby(labels[by_group.index])
        }
        for group, by_group in rows.groupby("group")
    }


def _ratios(part: pd.DataFrame) -> dict:
    out = {}
    for m in MEASURES:
        without = float(part[f"{m}_without"].sum())
        out[m] = float(part[f"{m}_with"].sum()) / without if without > 0 else None
    out["n_patients"] = int(len(part))
    return out


def write_truth(folder: Path, truth: dict) -> None:
    (Path(folder) / TRUTH_FILE).write_text(
        json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def read_truth(folder: Path) -> dict:
    return json.loads((Path(folder) / TRUTH_FILE).read_text(encoding="utf-8"))
