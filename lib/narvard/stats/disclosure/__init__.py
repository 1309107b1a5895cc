"""Disclosure control of area results (docs/contract.md §3, docs/disclosure.md).

``suppress_results`` is the single entry point, run on every area's results before
anything is written or shown.
"""

from narvard.stats.disclosure.cells import PRIVATE
from narvard.stats.disclosure.declare import declare
from narvard.stats.disclosure.suppress import DEFAULT_MIN_CELL, is_small, suppress_results

__all__ = ["DEFAULT_MIN_CELL", "PRIVATE", "declare", "is_small", "suppress_results"]
