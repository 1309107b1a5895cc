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
