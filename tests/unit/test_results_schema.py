"""results.json against its declared schema (lib/narvard/results/results.schema.json).

The contract example is run through the library with and without disclosure control and
must validate; broken variants (a missing contract key, text for a number, an unknown
group) must not. docs/results.md's key reference must be the one the schema generates.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from narvard.data.processed import prepare_dataset
from narvard.results.assemble import area_results
from narvard.results.costs import jsonable
from narvard.results.schema import load_results_schema
from narvard.results.schema_doc import BEGIN, END, updated_page

DOCS = Path(__file__).resolve().parents[2] / "docs" / "results.md"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = load_results_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _results(contract_example: Path, processed: Path, min_cells: tuple[int, ...]) -> dict:
    """{min_cell: results.json content} for the contract example's one area."""
    dataset = prepare_dataset(contract_example, processed, 180)
    return {
        min_cell: json.loads(json.dumps(jsonable(area_results(dataset, "exempelby", min_cell))))
        for min_cell in min_cells
    }


def _errors(validator: Draft202012Validator, results: dict) -> list[str]:
    return [
        "/".join(map(str, error.absolute_path)) + ": " + error.message
        for error in validator.iter_errors(results)
    ]


def test_contract_example_matches_the_schema(validator, contract_example, tmp_path):
    results = _results(contract_example, tmp_path / "processed", (0, 5))
    assert _errors(validator, results[0]) == []
    assert _errors(validator, results[5]) == []
    # the suppressed run really exercises the nulls
    assert results[5]["consumption"]["HSVT"]["n_patients"] is None
    assert results[5]["costs"]["HSVT"]["gross_savings_sek"] is None


def _drop(path: tuple):
    def change(results: dict) -> None:
        *parents, last = path
        for key in parents:
            results = results[key]
        del results[last]

    return change


def _set(path: tuple, value):
    def change(results: dict) -> None:
        *parents, last = path
        for key in parents:
            results = results[key]
        results[last] = value

    return change


def _rename_group(results: dict) -> None:
    results["consumption"]["hsvt"] = results["consumption"].pop("HSVT")


MEASURE = ("consumption", "HSVT", "measures", "er_visits")
BROKEN = {
    "missing change_pct": _drop((*MEASURE, "change_pct")),
    "missing window_days": _drop(("window_days",)),
    "missing measure": _drop(MEASURE),
    "missing gross_savings_sek": _drop(("costs", "HSVT", "gross_savings_sek")),
    "missing share_positive": _drop(("surveys", "patient", "items", "q1", "all", "share_positive")),
    "text for n_patients": _set(("consumption", "HSVT", "n_patients"), "2"),
    "text for before_total": _set((*MEASURE, "before_total"), "1"),
    "text for response_rate": _set(("surveys", "patient", "response_rate"), "50 %"),
    "unknown group": _rename_group,
    "unknown measure": _set(("consumption", "HSVT", "measures", "gp_visits"), {}),
    "unknown comparison": _set(("comparison",), "weighted"),
    "share above 1": _set(("surveys", "patient", "items", "q1", "all", "share_positive"), 1.5),
    "negative count": _set(("consumption", "HSVT", "deaths_after"), -1),
}


def test_the_schema_rejects_broken_results(validator, contract_example, tmp_path):
    results = _results(contract_example, tmp_path / "processed", (0,))[0]
    assert _errors(validator, results) == []
    accepted = []
    for name, change in BROKEN.items():
        broken = copy.deepcopy(results)
        change(broken)
        if validator.is_valid(broken):
            accepted.append(name)
    assert accepted == []


CONDITIONS = {"if", "then", "else", "not"}  # constraints on declared keys, not declarations


def _descriptions_missing(schema, path: str = "#") -> list[str]:
    missing = []
    if isinstance(schema, dict):
        for key, sub in schema.get("properties", {}).items():
            if isinstance(sub, dict) and "description" not in sub:
                missing.append(f"{path}/properties/{key}")
        for key, sub in schema.items():
            if key not in CONDITIONS:
                missing += _descriptions_missing(sub, f"{path}/{key}")
    elif isinstance(schema, list):
        for i, sub in enumerate(schema):
            missing += _descriptions_missing(sub, f"{path}/{i}")
    return missing


def test_every_property_has_a_description():
    assert _descriptions_missing(load_results_schema()) == []


def test_docs_key_reference_is_generated_from_the_schema():
    page = DOCS.read_text(encoding="utf-8")
    assert BEGIN in page and END in page
    assert page == updated_page(page, load_results_schema()), (
        "docs/results.md is out of date: python -m narvard.results.schema_doc docs/results.md"
    )
