"""results.json as a declared contract: ``results.schema.json`` (JSON Schema draft 2020-12)
declares every key of an area's results.json — type, unit and meaning — with the data
contract's minimum (§4) marked ``"x-contract": "§4"``. Every results.json is checked
against it when written; docs/results.md is generated from it (``schema_doc``)."""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

SCHEMA_FILE = Path(__file__).with_name("results.schema.json")


class ResultsSchemaError(ValueError):
    """A results.json that does not match results.schema.json (a bug, never bad input)."""


def read_results(path: Path) -> dict:
    """An area's results.json as a dict."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


@cache
def load_results_schema() -> dict:
    """The results.json schema as a dict."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def schema_problems(results: dict, limit: int = 10) -> list[str]:
    """Where a (JSON-ready) results dict breaks the schema: 'path: message' lines."""
    validator = _validator_class()(load_results_schema())
    errors = sorted(validator.iter_errors(results), key=lambda e: list(e.absolute_path))
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in errors[:limit]
    ]


def import_jsonschema() -> None:
    """Import jsonschema now (once per process) without its optional IRI checker.

    jsonschema imports rfc3987-syntax (installed with Jupyter) when it is present, which
    builds some forty Lark grammars: about 1,7 s in every process that imports it — this
    module's check in each area's kernel, and nbformat (under papermill, nbconvert and
    jupytext) in the runner and in each worker (``narvard.report.render``). Neither checks
    the "iri" format. Hiding the module during that one import skips it; the entry is
    removed afterwards, so a later ``import rfc3987_syntax`` works as usual.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment] # import → ImportError
    try:
        import jsonschema  # noqa: F401
    finally:
        del sys.modules["rfc3987_syntax"]


def _validator_class():
    """jsonschema's draft 2020-12 validator (imported without building IRI grammars)."""
    import_jsonschema()
    from jsonschema import Draft202012Validator

    return Draft202012Validator


def check_results(results: dict) -> None:
    """Raise ResultsSchemaError naming every broken key (at most ten)."""
    problems = schema_problems(results)
    if problems:
        raise ResultsSchemaError("results.json breaks its schema: " + "; ".join(problems))
