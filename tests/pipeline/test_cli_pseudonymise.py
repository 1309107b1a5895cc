"""From a region's extract with identity numbers to a report, on the command line: the
report refuses the extract and names `narvard pseudonymise`; after it, the report gives
the contract example's figures (docs/pseudonymisation.md)."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FAKE_IDENTITY_NUMBERS, assert_matches, with_identity_numbers

pytestmark = pytest.mark.slow


def narvard(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "narvard", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_refused_extract_pseudonymised_then_reported(contract_example, contract_expected, tmp_path):
    raw = with_identity_numbers(contract_example)
    refused = narvard(
        "report", "--data", raw, "--out", tmp_path / "r0", "--processed", tmp_path / "p"
    )
    assert refused.returncode == 2
    assert "narvard pseudonymise" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "r0").exists()

    key = secrets.token_hex(32)
    (tmp_path / "nyckel.txt").write_text(key + "\n", encoding="ascii")
    out = tmp_path / "pseudonymiserad"
    made = narvard(
        "pseudonymise", "--data", raw, "--out", out, "--key-file", tmp_path / "nyckel.txt"
    )
    assert made.returncode == 0, made.stderr
    assert "cohort.csv, kolumn patient_id: 4 rader ändrade (4 personnummer)" in made.stdout
    assert key not in made.stdout + made.stderr
    for forms in FAKE_IDENTITY_NUMBERS.values():
        for form in forms:
            assert form not in refused.stderr + made.stdout + made.stderr
            for path in out.iterdir():
                assert form.encode() not in path.read_bytes()

    report = narvard(
        "report", "--data", out, "--out", tmp_path / "r", "--processed", tmp_path / "p",
        "--min-cell", "0",
    )  # fmt: skip
    assert report.returncode == 0, report.stderr
    results = json.loads((tmp_path / "r" / "exempelby" / "results.json").read_text("utf-8"))
    assert_matches(contract_expected["exempelby"], results)
