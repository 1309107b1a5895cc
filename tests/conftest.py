"""Shared fixtures: the contract example and small readable tables."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
CONTRACT_EXAMPLE = TESTS / "data" / "contract_example"


@pytest.fixture
def contract_example(tmp_path: Path) -> Path:
    """A writable copy of the contract's worked example (without expected.json)."""
    target = tmp_path / "data"
    shutil.copytree(CONTRACT_EXAMPLE, target, ignore=shutil.ignore_patterns("expected.json"))
    for path in target.iterdir():
        path.chmod(0o644)
    return target


@pytest.fixture(scope="session")
def contract_expected() -> dict:
    return json.loads((CONTRACT_EXAMPLE / "expected.json").read_text(encoding="utf-8"))


def write_csv(folder: Path, name: str, text: str) -> Path:
    """Write an inline table (leading indentation removed) as folder/name.csv."""
    lines = [line.strip() for line in text.strip().splitlines()]
    path = folder / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assert_matches(expected, got, path: str = "") -> None:
    """Every figure in `expected` is in `got` with the same value (null stays null)."""
    import math

    if isinstance(expected, dict):
        for key, value in expected.items():
            assert isinstance(got, dict) and key in got, f"{path}.{key} missing"
            assert_matches(value, got[key], f"{path}.{key}")
    elif expected is None:
        assert got is None, f"{path}: expected null, got {got}"
    else:
        assert got is not None and math.isclose(expected, got, rel_tol=1e-9), (
            f"{path}: {expected} != {got}"
        )


# Markup and script as a careless or hostile export could carry them: every page must show
# them as text, and nothing in them may run (window.narvardInjected stays unset).
HOSTILE = (
    '<img src=x onerror="window.narvardInjected=1"> <b onmouseover=alert(2)>kusten</b> '
    "[klick](javascript:window.narvardInjected=1) <script>window.narvardInjected=1</script> *x*"
)
HOSTILE_COLUMNS = {  # table: text columns that reach a page
    "areas": ("area_name", "region"),
    "cohort": ("kommun",),
    "survey_questions": ("question_text",),
    "team_costs": ("source",),
    "unit_costs": ("source",),
}


@pytest.fixture
def hostile_example(contract_example: Path) -> Path:
    """The contract example with markup appended to every text that reaches a page:
    names, question texts, open answers, cost sources and the dataset's name."""
    import csv

    for table, columns in HOSTILE_COLUMNS.items():
        _append_to_columns(contract_example / f"{table}.csv", columns, HOSTILE)
    path = contract_example / "survey_responses.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        if row["question_id"] == "q2":  # the open question
            row["answer"] = f"{row['answer']} {HOSTILE}"
    _write_rows(path, rows)
    spec = contract_example / "dataset.yml"
    text = spec.read_text(encoding="utf-8")
    name = HOSTILE.replace("'", "''")
    spec.write_text(text.replace('"Contract example"', f"'Exempel {name}'"), encoding="utf-8")
    return contract_example


def _append_to_columns(path: Path, columns: tuple[str, ...], text: str) -> None:
    import csv

    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        for column in columns:
            if row[column]:
                row[column] = f"{row[column]} {text}"
    _write_rows(path, rows)


def _write_rows(path: Path, rows: list[dict]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


# Fake personal identity numbers for the contract example's patients, in the forms a
# region's extract may use: cohort.csv gets the first form, contacts.csv the second.
FAKE_IDENTITY_NUMBERS = {
    "A1": ("19310101-1238", "3101011238"),
    "A2": ("400202-2345", "194002022345"),
    "A3": ("193503033459", "350303 3459"),
    "B1": ("380404-4567", "19380404-4567"),
}


def with_identity_numbers(folder: Path) -> Path:
    """The contract example in folder, its patient ids replaced by fake identity numbers."""
    for file, form in (("cohort.csv", 0), ("contacts.csv", 1)):
        path = folder / file
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines[1:], start=1):
            patient, rest = line.split(",", 1)
            lines[i] = f"{FAKE_IDENTITY_NUMBERS[patient][form]},{rest}"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
