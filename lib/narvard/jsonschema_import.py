"""jsonschema, imported without its optional IRI checker.

jsonschema imports rfc3987-syntax (installed with Jupyter) when it is present, which builds
some forty Lark grammars: about 1,7 s in every process that imports it — results.json's
schema check in each area's kernel, and nbformat (under papermill, nbconvert and jupytext)
in the runner and in each worker. Neither checks the "iri" format. Hiding the module during
that one import skips it; the entry is removed afterwards, so a later
``import rfc3987_syntax`` works as usual.
"""

from __future__ import annotations

import sys


def import_jsonschema() -> None:
    """Import jsonschema now (once per process) without building the IRI grammars."""
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment] # import → ImportError
    try:
        import jsonschema  # noqa: F401
    finally:
        del sys.modules["rfc3987_syntax"]
