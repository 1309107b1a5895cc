"""Everything an area report shows, as plain data for results.json (docs/contract.md §4)."""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from narvard import __version__
from narvard.data.processed import ProcessedDataset
from narvard.results import frames
from narvard.results.analysis import AreaAnalysis, analyse_area
from narvard.results.benchmarks import benchmarks
from narvard.results.costs import area_cost_blocks, area_total, jsonable, region_totals
from narvard.results.flow import patient_flow
from narvard.results.schema import check_results, read_results  # noqa: F401 - re-exported
from narvard.stats.contract_costs import cost_results
from narvard.stats.crude import consumption_results
from narvard.stats.disclosure import DEFAULT_MIN_CELL, PRIVATE, suppress_results
from narvard.stats.open_answers import load_codebook
from narvard.stats.profile import area_profile
from narvard.stats.survey_stats import deep_merge, survey_details
from narvard.stats.surveys import survey_label_counts, survey_results

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Area:
    """One area of a prepared dataset, with its patients' windows (read once)."""

    dataset: ProcessedDataset
    area_id: str
    name: str
    region: str
    population: int
    windows: pd.DataFrame


def open_area(dataset: ProcessedDataset, area_id: str = "") -> Area:
    """The named area (the first of areas.csv when none is named)."""
    areas = dataset.areas()
    area_id = area_id or str(areas["area_id"].iloc[0])
    if area_id not in set(areas["area_id"]):
        raise KeyError(f"area {area_id!r} is not in areas.csv")
    row = areas[areas["area_id"] == area_id].iloc[0]
    windows = frames.windows(dataset)
    return Area(
        dataset,
        area_id,
        str(row["area_name"]),
        str(row["region"]),
        int(row["population"]),
        windows[windows["area_id"] == area_id],
    )


def consumption(area: Area) -> dict:
    """The crude before/after figures per group (data contract §2)."""
    return consumption_results(area.windows)


def effects(area: Area, consumption: dict, comparison: str = "balanced") -> AreaAnalysis:
    """Adjusted effects, event study, balance, subgroups and sensitivity, added to the
    consumption blocks; the effects are kept for the costs."""
    return analyse_area(area.dataset, area.area_id, consumption, comparison)


def surveys(area: Area, min_cell: int) -> dict:
    """Contract survey figures, deepened with intervals, comparisons, themes and charts data."""
    return _surveys(area.dataset, area.area_id, area.windows, min_cell)


def costs(area: Area, consumption: dict, analysis: AreaAnalysis, comparison: str) -> dict:
    """Crude contract savings and the cost-effect of the adjusted effect; the region's
    effects and costs (computed once per dataset) under "region" and "region_effects"."""
    region = region_totals(area.dataset, area.region, comparison)
    parts = region["costs"].pop(PRIVATE, None)
    blocks = _costs(area.dataset, area.area_id, consumption, analysis, region)
    return {"costs": blocks, "region_effects": region["effects"], PRIVATE: parts}


def finish(
    area: Area, consumption: dict, surveys: dict, costs: dict, min_cell: int, comparison: str
) -> dict:
    """results.json: every part together, then disclosure control (small counts hidden).

    The benchmarks (the region's crude figures and the published ones) are added here: the
    region's figures are suppressed as they are computed, since that needs every area.
    """
    manifest = area.dataset.manifest
    results = {
        "schema_version": SCHEMA_VERSION,
        "area_id": area.area_id,
        "area_name": area.name,
        "region": area.region,
        "population": area.population,
        "window_days": manifest["window_days"],
        "dataset": _dataset_facts(manifest),
        "exclusions": _exclusions(area.windows),
        "consumption": consumption,
        "surveys": surveys,
        "costs": costs["costs"],
        "region_effects": costs["region_effects"],
        "benchmarks": benchmarks(area.dataset, area.region, min_cell),
        "unit_costs": _unit_costs(area.dataset),
        "profile": area_profile(area.windows, area.population),
        "data_quality": {
            "rows": manifest.get("rows", {}),
            "dialects": manifest.get("dialects", []),
        },
        "provenance": provenance(area.area_id, manifest["window_days"], min_cell, comparison),
        "comparison": comparison,
        PRIVATE: {"region": costs.get(PRIVATE)},  # for disclosure control, never published
    }
    results = suppress_results(results, min_cell)
    results["patient_flow"] = patient_flow(results)
    return results


def area_results(
    dataset: ProcessedDataset,
    area_id: str,
    min_cell: int = DEFAULT_MIN_CELL,
    comparison: str = "balanced",
) -> dict:
    """One area's results, the same steps the report notebook shows one by one.

    comparison: "balanced" (the region's comparison patients weighted to the team's age,
    sex and index date, the default) or "all" (every comparison patient of the region).
    """
    area = open_area(dataset, area_id)
    crude = consumption(area)
    analysis = effects(area, crude, comparison)
    return finish(
        area,
        crude,
        surveys(area, min_cell),
        costs(area, crude, analysis, comparison),
        min_cell,
        comparison,
    )


PACKAGES = (
    "duckdb",
    "matplotlib",
    "nbconvert",
    "numpy",
    "pandas",
    "papermill",
    "scipy",
    "statsmodels",
)


def provenance(area_id: str, window_days: int, min_cell: int, comparison: str) -> dict:
    """Parameters and software versions of the run (no clock time: reruns stay identical)."""
    from importlib.metadata import version

    return {
        "parameters": {
            "area_id": area_id,
            "window_days": window_days,
            "min_cell": min_cell,
            "comparison": comparison,
        },
        "python": platform.python_version(),
        "packages": {name: version(name) for name in PACKAGES},
    }


def _costs(dataset, area_id: str, consumption: dict, analysis, region: dict):
    """Crude contract savings with their breakdown, deepened by the cost-effect analysis
    (adjusted, annual, net, uncertainty, tornado) and the region's total."""
    crude = cost_results(
        consumption, dataset.table("unit_costs"), dataset.table("team_costs"), area_id
    )
    if not crude:
        return {}
    blocks = area_cost_blocks(dataset, area_id, analysis)
    for group, block in blocks.items():
        if group in crude:
            crude[group] = crude[group] | dict(block)
    total = area_total(dataset, area_id, blocks)
    if total is not None:
        crude["total"] = total
    crude["region"] = region["costs"]
    return crude


def _dataset_facts(manifest: dict) -> dict:
    keys = ("key", "dataset_name", "synthetic", "contacts_from", "contacts_to", "input_sha256")
    return {k: manifest[k] for k in keys} | {"narvard_version": __version__}


def _exclusions(area_windows) -> dict:
    excluded = area_windows[~area_windows["included"]]
    counts = excluded.groupby(["group", "exclusion_reason"]).size()
    result: dict = {}
    for (group, reason), n in counts.items():
        result.setdefault(group, {})[reason] = int(n)
    return result


def _surveys(dataset: ProcessedDataset, area_id: str, area_windows, min_cell: int) -> dict:
    """Contract survey figures, deepened with intervals, comparisons, themes and charts data."""
    questions = frames.table(dataset, "survey_questions")
    responses = frames.table(dataset, "survey_responses")
    if questions is None or responses is None:
        return {}
    invitations = frames.table(dataset, "survey_invitations")
    surveys = survey_results(questions, responses, invitations, area_id)
    places = [*dataset.areas()["area_name"], *area_windows["kommun"].dropna().unique()]
    codebook = load_codebook(dataset.codebook_path(), extra_keep=places)
    details = survey_details(questions, responses, invitations, area_id, codebook, None, min_cell)
    for survey_id, block in surveys.items():
        extra = details[survey_id]
        deep_merge(block["items"], extra["items"])
        block["low_response"] = extra["response"]["all"]["low"]
        block["missing"] = extra["missing"]
        block["comparisons"] = extra["comparisons"]
        block["area_vs_rest"] = extra["area_vs_rest"]
        block["components"] = extra["components"]
        block["waves"] = extra["waves"]
        block["themes"] = extra.get("themes", {})
        block["distribution"] = _distribution(questions, responses, survey_id, area_id)
    return surveys


def _distribution(questions, responses, survey_id: str, area_id: str) -> dict:
    """Share of all answers per label and item (Likert charts); counts are not published."""
    area = responses[(responses["area_id"] == area_id) & (responses["survey_id"] == survey_id)]
    counts = survey_label_counts(questions, area, survey_id)
    shares = {}
    for qid, labels in counts.items():
        total = sum(labels.values())
        shares[qid] = {label: n / total for label, n in labels.items()} if total else {}
    return shares


def _unit_costs(dataset: ProcessedDataset) -> dict:
    table = dataset.table("unit_costs")
    if table is None:
        return {}
    return {
        row.item: {
            "cost_sek": row.cost_sek,
            "low_sek": row.low_sek,
            "high_sek": row.high_sek,
            "year": str(row.year),
            "source": row.source,
        }
        for row in table.itertuples()
    }


def write_results(results: dict, path: Path) -> None:
    """Write results.json after checking it against results.schema.json."""
    plain = jsonable(results)
    check_results(plain)
    Path(path).write_text(json.dumps(plain, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
