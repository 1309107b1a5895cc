"""Small-cell suppression of area results (docs/contract.md §3, --min-cell).

Default on. The steps, each hiding figures (``None``: null in results.json, a dash in the
report): primary suppression figure by figure (``primary``); complementary suppression
over every declared relation between published counts, to a fixed point
(``complementary``), so that no hidden count can be recovered by adding or subtracting
published numbers; and the figures that quote hidden ones (comparisons, component means).
``min_cell = 0`` turns suppression off.
"""

from __future__ import annotations

import copy

from narvard.stats.disclosure.complementary import protect
from narvard.stats.disclosure.declare import declare
from narvard.stats.disclosure.primary import apply_consequences, apply_primary, is_small

DEFAULT_MIN_CELL = 5

__all__ = ["DEFAULT_MIN_CELL", "is_small", "suppress_results"]


def suppress_results(results: dict, min_cell: int = DEFAULT_MIN_CELL) -> dict:
    """A copy of an area's results with small counts, what derives from them and what
    would reveal them removed."""
    source = copy.deepcopy(results)
    results = copy.deepcopy(results)
    results["min_cell"] = min_cell
    if min_cell <= 0:
        return results
    apply_primary(results, min_cell)
    protect(results, declare(source), min_cell)
    apply_consequences(results)
    return results
