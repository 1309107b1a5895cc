"""Small-cell suppression of area results (docs/contract.md §3, --min-cell).

Default on. The steps, each hiding figures (``None``: null in results.json, a dash in the
report): primary suppression figure by figure (``primary``); complementary suppression
over every declared relation between published counts, to a fixed point
(``complementary``), so that no hidden count can be recovered by adding or subtracting
published numbers; sums over the region's areas that would reveal an area's hidden count
(``region``); the area's two groups together where a group's figure behind the sum is
hidden (``costs``); and the figures that quote hidden ones (comparisons, component means).
``min_cell = 0`` turns suppression off. Figures computed only for disclosure control
(under the key ``PRIVATE``) are removed in every case.
"""

from __future__ import annotations

import copy

from narvard import DEFAULT_MIN_CELL
from narvard.stats.disclosure.cells import PRIVATE
from narvard.stats.disclosure.complementary import protect
from narvard.stats.disclosure.costs import protect_area_total
from narvard.stats.disclosure.declare import declare
from narvard.stats.disclosure.primary import apply_consequences, apply_primary, is_small
from narvard.stats.disclosure.region import protect_region, protect_rest_of_region

__all__ = ["DEFAULT_MIN_CELL", "is_small", "suppress_results"]


def suppress_results(results: dict, min_cell: int = DEFAULT_MIN_CELL) -> dict:
    """A copy of an area's results with small counts, what derives from them and what
    would reveal them removed."""
    results = copy.deepcopy(results)
    private = results.pop(PRIVATE, None) or {}
    results["min_cell"] = min_cell
    if min_cell <= 0:
        _drop_private(results)
        return results
    source = copy.deepcopy(results)
    _drop_private(source)
    apply_primary(results, min_cell)
    protect(results, declare(source), min_cell)
    protect_region(results, private.get("region"), min_cell)
    protect_rest_of_region(results, min_cell)
    protect_area_total(results)
    apply_consequences(results, min_cell)
    _drop_private(results)
    return results


def _drop_private(block) -> None:
    """Remove every PRIVATE entry, however deep."""
    if isinstance(block, dict):
        block.pop(PRIVATE, None)
        for value in block.values():
            _drop_private(value)
    elif isinstance(block, list):
        for value in block:
            _drop_private(value)
