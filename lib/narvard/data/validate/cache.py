"""Validation results kept beside the processed data, so that an unchanged dataset is
not checked again (docs/performance.md).

The key is the SHA-256 of every input file (``Dataset.checksums``, the same digests as
the processed manifest) together with the narvard version and a digest of the code that
reads and checks the files: one changed byte of any input, or of the rules, gives
another key. The problems found are kept too, so bad data are refused again from the
cache — never passed because of it.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import suppress
from dataclasses import asdict
from pathlib import Path

from narvard import __version__
from narvard.data.dataset import Dataset
from narvard.data.problem import Problem

CACHE_FOLDER = "validated"
# The code whose behaviour a kept result depends on: the readers and every rule.
_CODE = ("dataset.py", "dialects.py", "duck.py", "problem.py", "readers.py", "tables.py")
_CODE += ("wide_surveys.py", "validate")


def code_digest() -> str:
    """SHA-256 over the source of the reading and validation code."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in _CODE:
        path = root / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(root).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def validation_key(dataset: Dataset) -> str:
    """The cache key of a dataset's validation (raises OSError when a file is unreadable)."""
    text = json.dumps([dataset.checksums, __version__, code_digest()], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def cache_path(dataset: Dataset, processed_root: Path) -> Path:
    return Path(processed_root) / CACHE_FOLDER / f"{validation_key(dataset)}.json"


def cached_problems(dataset: Dataset, processed_root: Path) -> list[Problem] | None:
    """The problems found when exactly these inputs were validated, or None."""
    try:
        path = cache_path(dataset, processed_root)
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept.get("input_sha256") != dataset.checksums:
            return None
        return [Problem(**problem) for problem in kept["problems"]]
    except (OSError, ValueError, KeyError, TypeError):  # absent, unreadable or damaged
        return None


def store_problems(dataset: Dataset, processed_root: Path, problems: list[Problem]) -> None:
    """Keep a validation's result under its key (written whole, then renamed)."""
    path = cache_path(dataset, processed_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = {
        "input_sha256": dataset.checksums,
        "narvard_version": __version__,
        "problems": [asdict(problem) for problem in problems],
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(kept, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def validate_cached(dataset: Dataset, processed_root: Path) -> tuple[list[Problem], bool]:
    """The dataset's problems and whether they came from the cache. A folder that cannot
    be checksummed (missing, unreadable files) is validated and nothing is kept; nor is
    anything kept for tables in a source database, which may change between runs without a
    file to checksum (docs/sources.md): they are checked there each time."""
    from narvard.data.validate import validate_dataset

    if dataset.source_url is not None:
        return validate_dataset(dataset), False
    try:
        kept = cached_problems(dataset, processed_root)
    except OSError:
        return validate_dataset(dataset), False
    if kept is not None:
        return kept, True
    problems = validate_dataset(dataset)
    with suppress(OSError):  # e.g. a read-only processed folder: validated again next time
        store_problems(dataset, processed_root, problems)
    return problems, False
