"""`narvard verify`: recompute every published figure from the input data and compare.

A reviewer points it at a report folder and the dataset it claims to come from. Input
files are checked against the SHA-256 sums stored in each results.json; then every
area's results are recomputed with the stored parameters in a fresh processed folder,
and every value that differs is listed.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from narvard.data.processed import input_checksums, prepare_dataset
from narvard.results.assemble import area_results, read_results
from narvard.results.costs import jsonable

IGNORED_KEYS = {"narvard_version", "packages", "python"}  # software facts, not figures


def differences(expected, got, path: str = "") -> list[str]:
    """Every leaf where two results differ (numbers compared with a relative 1e-9)."""
    if isinstance(expected, dict) and isinstance(got, dict):
        found = []
        for key in sorted(set(expected) | set(got)):
            if key in IGNORED_KEYS:
                continue
            where = f"{path}.{key}" if path else key
            if key not in got or key not in expected:
                found.append(
                    f"{where}: finns bara i {'rapporten' if key in expected else 'omräkningen'}"
                )
            else:
                found += differences(expected[key], got[key], where)
        return found
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        return [
            d
            for k, (e, g) in enumerate(zip(expected, got, strict=True))
            for d in differences(e, g, f"{path}[{k}]")
        ]
    if _same(expected, got):
        return []
    return [f"{path}: rapporten {expected!r}, omräkningen {got!r}"]


def _same(a, b) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def verify_reports(out_dir: Path, data_dir: Path) -> list[str]:
    """All problems found; an empty list means every figure was reproduced."""
    published = sorted(Path(out_dir).glob("*/results.json"))
    if not published:
        return [f"{out_dir}: inga results.json att kontrollera"]
    problems = []
    checksums = input_checksums(data_dir)
    with tempfile.TemporaryDirectory() as processed:
        for path in published:
            stored = read_results(path)
            area = stored["area_id"]
            stored_sums = stored["dataset"]["input_sha256"]
            for name in sorted(set(stored_sums) | set(checksums)):
                if stored_sums.get(name) != checksums.get(name):
                    problems.append(
                        f"{area}: indatafilen {name} skiljer sig från den rapporten byggde på"
                    )
            dataset = prepare_dataset(data_dir, Path(processed), stored["window_days"])
            comparison = stored.get("comparison", "balanced")
            again = jsonable(area_results(dataset, area, stored["min_cell"], comparison))
            problems += [f"{area}: {d}" for d in differences(stored, again)]
    return problems
