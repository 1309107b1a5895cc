"""Published counts and the additive relations between them (docs/disclosure.md).

A ``Cell`` is one count a reader of results.json can know, or could work out: the number
of excluded patients, the ER visits of one kommun (its mean times its patients), the
answers "Alltid" to one question (a share times the number of answers). A count can be
published in several places (its *views*: the same patient count in the adjusted estimate,
the comparison table and the cost block); it is known while any one view is published
whole. Hiding a cell nulls every view and every figure derived from it (its *hides*).
A cell without views is *implied*: never printed, but the difference of printed numbers
(the men of a group: enrolled − women).

A ``Relation`` says that published numbers add up: Σ coefficient × cell = 0, e.g.
enrolled − included − excluded = 0. When every cell of a relation but one is known, that
one can be computed by adding and subtracting; complementary suppression
(``narvard.stats.disclosure.complementary``) makes sure that never happens to a hidden
count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

Path = tuple  # keys (and list indices) from the top of results.json
View = tuple  # paths that together publish a count (a mean needs its number of patients)
WHOLE = "*"  # a path ending in WHOLE replaces the entry itself with null
PRIVATE = "_disclosure"  # figures computed for disclosure control only, never published
POOL = "comparison_pool"  # the region's comparison patients, under PRIVATE

# Complementary suppression hides the cell of the lowest tier, then the smallest count.
DETAIL = 0  # a breakdown: exclusion reasons, years, age bands, subgroup levels, labels
SECONDARY = 1  # repeated or secondary counts: enrolled, women, the adjusted estimate's n
HEADLINE = 2  # event totals, an item's answers, a survey group's respondents
ANCHOR = 3  # a group's included patients, a survey's respondents: hidden only when small


@dataclass
class Cell:
    """One count (or a difference of counts) and where results.json publishes it."""

    key: str
    value: float
    views: list[View] = field(default_factory=list)
    hides: list[Path] = field(default_factory=list)
    tier: int = DETAIL
    count: bool = True  # False for differences (avoided use) and money: never small
    people: int | None = None  # patients behind a figure about a subset of a group
    zero_sensitive: bool = True  # False where a zero only says two sets coincide

    @property
    def implied(self) -> bool:
        return not self.views


@dataclass(frozen=True)
class Relation:
    """Σ coefficient × cell = 0 over published (or implied) counts."""

    terms: tuple[tuple[str, float], ...]
    label: str

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.terms)


@dataclass
class Table:
    """The cells and relations of one area's results."""

    source: dict = field(default_factory=dict)  # the results before suppression
    cells: dict[str, Cell] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)  # declared, but not true: a bug

    def cell(self, key: str, value, view: View | None = None, **kwargs) -> Cell | None:
        """Declare a count (or add a view of it); None when the value is not a number."""
        if not _is_number(value):
            return None
        if key in self.cells:
            return self.view(key, value, view, kwargs.get("hides", ()))
        cell = Cell(key, float(value), **kwargs)
        cell.views = [] if view is None else [tuple(view)]
        cell.hides = list(cell.hides)
        self.cells[key] = cell
        return cell

    def view(self, key: str, value, view: View, hides: Iterable[Path] = ()) -> Cell | None:
        """Another place that publishes the same count, and what to hide there with it."""
        cell = self.cells.get(key)
        if cell is None or not _is_number(value):
            return None
        if not math.isclose(float(value), cell.value, rel_tol=1e-9, abs_tol=1e-6):
            self.mismatches.append(f"{key}: a view shows {value}, not {cell.value}")
            return None
        cell.views.append(tuple(view))
        cell.hides.extend(hides)
        return cell

    def add_to_hides(self, key: str, paths: Iterable[Path]) -> None:
        if key in self.cells:
            self.cells[key].hides.extend(paths)

    def total(self, total: str, parts: Sequence[str], label: str) -> None:
        """total = Σ parts. Parts that are not numbers in the results are left out; the
        relation must still hold (else it is listed in ``mismatches``)."""
        present = [p for p in parts if p in self.cells]
        if present:
            self.relation([(total, 1.0), *((p, -1.0) for p in present)], label)

    def relation(self, terms: Sequence[tuple[str, float]], label: str) -> None:
        """Declare Σ coefficient × cell = 0; checked against the true values."""
        if len(terms) < 2 or any(key not in self.cells for key, _ in terms):
            return
        residual = sum(c * self.cells[key].value for key, c in terms)
        scale = max(1.0, *(abs(c * self.cells[key].value) for key, c in terms))
        if abs(residual) > 1e-6 * scale:
            self.mismatches.append(f"{label}: off by {residual:g}")
            return
        self.relations.append(Relation(tuple((k, float(c)) for k, c in terms), label))

    def relations_of(self) -> dict[str, list[int]]:
        """Cell key → indices of the relations it is in."""
        index: dict[str, list[int]] = {}
        for i, relation in enumerate(self.relations):
            for key in relation.keys:
                index.setdefault(key, []).append(i)
        return index


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# --------------------------------------------------------------------------- paths


def lookup(results, path: Path):
    """The value at a path, None when it (or anything above it) is missing or null."""
    node = results
    for key in path:
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
            node = node[key]
        else:
            return None
        if node is None:
            return None
    return node


def published(results, view: View) -> bool:
    return all(lookup(results, path) is not None for path in view)


def known(results, cell: Cell) -> bool:
    """Whether a reader knows the count: some view of it is published whole."""
    return any(published(results, view) for view in cell.views)


def sensitive(cell: Cell, min_cell: int) -> bool:
    """A count that must not be known: below N (zero too, unless the zero only says that
    two sets of patients coincide), or about fewer than N patients."""
    if cell.people is not None:
        if cell.people == 0:
            return False
        if cell.people < min_cell:
            return True
    if not cell.count:
        return False
    if cell.value == 0:
        return cell.zero_sensitive
    return cell.value < min_cell


def hide(results, cell: Cell) -> list[Path]:
    """Null every view and derived figure of a cell; the paths nulled."""
    done = []
    for path in cell.hides:
        if null_path(results, path):
            done.append(path)
    return done


def null_path(results, path: Path) -> bool:
    """Null a figure (a dict: every number in it) or, for a path ending in WHOLE, the
    entry itself. False when nothing was there."""
    whole = bool(path) and path[-1] == WHOLE
    target = path[:-1] if whole else path
    parent, value = lookup(results, target[:-1]), lookup(results, target)
    if value is None:
        return False
    key = target[-1]
    if isinstance(value, dict) and not whole:
        null_numbers(value)
    elif isinstance(value, list) and any(isinstance(v, dict) for v in value) and not whole:
        null_numbers({"rows": value})  # a table of rows: their numbers, not the table
    else:
        parent[key] = None
    return True


def null_numbers(block: dict) -> None:
    """Set every number (and numeric list) in a nested block to None; text stays."""
    for key, value in block.items():
        if isinstance(value, dict):
            null_numbers(value)
        elif isinstance(value, list):
            if value and all(_is_number(v) or v is None for v in value):
                block[key] = None
            for item in value:
                if isinstance(item, dict):
                    null_numbers(item)
        elif _is_number(value):
            block[key] = None


def prefixes(view: View) -> Iterator[Path]:
    """Every path above or at the paths of a view (hiding any of them hides the view)."""
    for path in view:
        for end in range(1, len(path) + 1):
            yield tuple(path[:end])
