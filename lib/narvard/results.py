"""Everything an area report shows, as plain data that becomes results.json (CONTRACT.md §4)."""

from __future__ import annotations

import json
import platform
from pathlib import Path

from narvard import __version__
from narvard.analysis import analyse_area
from narvard.consumption import consumption_results
from narvard.cost_results import area_cost_blocks, jsonable, region_totals
from narvard.costs import cost_results
from narvard.disclosure import DEFAULT_MIN_CELL, suppress_results
from narvard.likert import survey_label_counts
from narvard.open_answers import load_codebook
from narvard.processed import ProcessedDataset
from narvard.profile import area_profile
from narvard.survey_stats import deep_merge, survey_details
from narvard.surveys import survey_results

SCHEMA_VERSION = 1


def area_results(
    dataset: ProcessedDataset,
    area_id: str,
    min_cell: int = DEFAULT_MIN_CELL,
    comparison: str = "balanced",
) -> dict:
    """Compute and disclosure-control one area's results from a prepared dataset.

    comparison: "balanced" (the region's comparison patients weighted to the team's age,
    sex and index date, the default) or "all" (every comparison patient of the region).
    """
    manifest = dataset.manifest
    areas = dataset.areas()
    if area_id not in set(areas["area_id"]):
        raise KeyError(f"area {area_id!r} is not in areas.csv")
    area = areas[areas["area_id"] == area_id].iloc[0]
    windows = dataset.windows()
    area_windows = windows[windows["area_id"] == area_id]
    consumption = consumption_results(area_windows)
    analysis = analyse_area(dataset, area_id, consumption, comparison)
    region = region_totals(dataset, str(area["region"]), comparison)
    results = {
        "schema_version": SCHEMA_VERSION,
        "area_id": area_id,
        "area_name": str(area["area_name"]),
        "region": str(area["region"]),
        "population": int(area["population"]),
        "window_days": manifest["window_days"],
        "dataset": _dataset_facts(manifest),
        "exclusions": _exclusions(area_windows),
        "consumption": consumption,
        "surveys": _surveys(dataset, area_id, area_windows, min_cell),
        "costs": _costs(dataset, area_id, consumption, analysis, region),
        "region_effects": region["effects"],
        "unit_costs": _unit_costs(dataset),
        "profile": area_profile(area_windows, int(area["population"])),
        "data_quality": {"rows": manifest.get("rows", {})},
        "provenance": provenance(area_id, manifest["window_days"], min_cell, comparison),
        "comparison": comparison,
    }
    return suppress_results(results, min_cell)


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
    for group, block in area_cost_blocks(dataset, area_id, analysis).items():
        if group in crude:
            crude[group] = crude[group] | dict(block)
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
    questions = dataset.table("survey_questions")
    responses = dataset.table("survey_responses")
    if questions is None or responses is None:
        return {}
    invitations = dataset.table("survey_invitations")
    surveys = survey_results(questions, responses, invitations, area_id)
    places = [*dataset.areas()["area_name"], *area_windows["kommun"].dropna().unique()]
    codebook = load_codebook(dataset.codebook_path(), extra_keep=places)
    details = survey_details(questions, responses, invitations, area_id, codebook, None, min_cell)
    for survey_id, block in surveys.items():
        extra = details[survey_id]
        deep_merge(block["items"], extra["items"])
        block["response_note"] = extra["response"]["all"]["note"]
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
    Path(path).write_text(
        json.dumps(jsonable(results), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def read_results(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
