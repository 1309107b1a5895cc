"""Primary and complementary suppression over declared cells and relations.

Primary: every published count that is sensitive (below N, see ``cells.sensitive``) is
hidden with what derives from it. Complementary: while some relation has exactly one
unknown cell and that cell is hidden (or an implied count that is itself sensitive), or
several hidden parts whose sum the relation gives is a small count, the cheapest other
cell of the relation is hidden too: the lowest tier, then the smallest count. Hiding can
open another relation, so this runs to a fixed point. A final check solves all relations
together (linear algebra, not only one relation at a time); a sensitive count that is
still determined gets one more complementary cell, and the loop starts again. Hiding only
ever grows, so this ends.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from narvard.stats.disclosure.cells import (
    WHOLE,
    Cell,
    Relation,
    Table,
    hide,
    known,
    prefixes,
    sensitive,
)


def protect(results: dict, table: Table, min_cell: int) -> list[str]:
    """Hide sensitive counts and their complements in ``results`` (in place).

    Returns the keys of the cells hidden as complements, in the order they were hidden.
    """
    state = _State(results, table, min_cell)
    for cell in table.cells.values():
        # Also a cell that primary suppression already hid where it is printed: what
        # derives from it elsewhere (money scaled by a small total) goes with it.
        if not cell.implied and sensitive(cell, min_cell):
            state.hide(cell)
    while True:
        state.fixed_point()
        leak = determined(results, table, min_cell, state.known)
        if not leak:
            return state.complements
        state.break_up(leak[0])


class _State:
    """The results being suppressed, which cells a reader knows, and what is left to check."""

    def __init__(self, results: dict, table: Table, min_cell: int):
        self.results, self.table, self.min_cell = results, table, min_cell
        self.known = {key: known(results, cell) for key, cell in table.cells.items()}
        self.by_prefix: dict[tuple, list[str]] = {}
        for key, cell in table.cells.items():
            for view in cell.views:
                for path in set(prefixes(view)):
                    self.by_prefix.setdefault(path, []).append(key)
        self.in_relations = table.relations_of()
        self.queue: deque[int] = deque(range(len(table.relations)))
        self.complements: list[str] = []

    def hide(self, cell: Cell) -> None:
        touched = {cell.key}
        for path in hide(self.results, cell):
            touched.update(self.by_prefix.get(path[:-1] if path[-1] == WHOLE else path, ()))
        for key in touched:
            now = known(self.results, self.table.cells[key])
            if now != self.known[key]:
                self.known[key] = now
                self.queue.extend(self.in_relations.get(key, ()))

    def fixed_point(self) -> None:
        """Complementary suppression until no relation reveals a hidden count."""
        while self.queue:
            relation = self.table.relations[self.queue.popleft()]
            unknown = self.revealed(relation)
            if unknown is not None:
                self.hide_complement(relation, unknown)

    def revealed(self, relation: Relation) -> str | None:
        """An unknown cell of a relation that the known ones give away: the one unknown
        cell, or one of several hidden parts whose sum (the total minus the shown parts)
        is itself a small count — two hidden half-years that add up to 2 patients are
        one and one."""
        unknown = [(key, c) for key, c in relation.terms if not self.known[key]]
        if len(unknown) == 1:
            return unknown[0][0] if self.protected(unknown[0][0]) else None
        if len(unknown) < 2 or len({c > 0 for _key, c in unknown}) != 1:
            return None  # nothing unknown, or a difference of unknowns (not bounded)
        cells = [self.table.cells[key] for key, _c in unknown]
        if not all(cell.count for cell in cells):
            return None
        hidden = [cell for cell in cells if self.protected(cell.key)]
        together = sum(abs(c) * cell.value for (_key, c), cell in zip(unknown, cells, strict=True))
        small = _small_sum(together, hidden, self.min_cell)
        return hidden[0].key if hidden and small else None

    def protected(self, key: str) -> bool:
        """Hidden published counts, and implied counts that are themselves sensitive.
        (An implied count that is not sensitive, such as 40 men, may be worked out.)"""
        cell = self.table.cells[key]
        return not cell.implied or sensitive(cell, self.min_cell)

    def hide_complement(self, relation: Relation, unknown: str) -> None:
        candidates = [
            self.table.cells[key]
            for key in relation.keys
            if key != unknown and self.known[key] and not self.table.cells[key].implied
        ]
        if not candidates:
            return
        total = relation.keys[0]  # a total is declared first: on a tie, hide a part
        chosen = min(candidates, key=lambda c: (c.tier, abs(c.value), c.key == total, c.key))
        self.complements.append(chosen.key)
        self.hide(chosen)

    def break_up(self, key: str) -> None:
        """A hidden count that the relations determine only together: hide the cheapest
        known cell of its relations whose hiding leaves it undetermined (else the
        cheapest such cell, and the caller checks again)."""
        keys, relations = _component_of(self.table, self.known, key)
        candidates = sorted(
            {
                k
                for r in relations
                for k in r.keys
                if self.known[k] and not self.table.cells[k].implied
            },
            key=lambda k: (self.table.cells[k].tier, abs(self.table.cells[k].value), k),
        )
        if not candidates:
            raise RuntimeError(f"disclosure: {key} is determined and nothing can hide it")
        for candidate in candidates:
            more = [self.table.relations[i] for i in self.in_relations.get(candidate, ())]
            # The candidate's relations bring their own unknown cells (an implied count
            # beside it): they are unknowns of the trial, not constants.
            joined = [k for r in more for k in r.keys if not self.known[k]]
            unknown = list(dict.fromkeys([*keys, candidate, *joined]))
            trial = (unknown, list({id(r): r for r in relations + more}.values()))
            if key not in _determined_in(self.table, trial, self.min_cell):
                break
        else:
            candidate = candidates[0]
        self.complements.append(candidate)
        self.hide(self.table.cells[candidate])


def determined(
    results: dict, table: Table, min_cell: int, known_now: dict[str, bool] | None = None
) -> list[str]:
    """Hidden sensitive counts that the published numbers determine through the relations
    solved together (one relation at a time is ``fixed_point``'s business).

    A cell is determined when its unit vector lies in the row space of the relations
    restricted to the unknown cells (then some combination of relations gives it alone).
    """
    if known_now is None:
        known_now = {key: known(results, cell) for key, cell in table.cells.items()}
    unknown = [key for key in table.cells if not known_now[key]]
    found = []
    for component in _components(table, unknown):
        found += _determined_in(table, component, min_cell)
    return found


def _components(table: Table, unknown: list[str]) -> list[tuple[list[str], list[Relation]]]:
    """Groups of unknown cells linked by relations, with their relations (in the order
    the cells were declared: the result does not depend on hashing)."""
    parent = {key: key for key in unknown}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for relation in table.relations:
        keys = [k for k in relation.keys if k in parent]
        for other in keys[1:]:
            parent[root(other)] = root(keys[0])
    groups: dict[str, tuple[list[str], list[Relation]]] = {}
    for key in unknown:
        groups.setdefault(root(key), ([], []))[0].append(key)
    for relation in table.relations:
        keys = [k for k in relation.keys if k in parent]
        if keys:
            groups[root(keys[0])][1].append(relation)
    return [g for g in groups.values() if g[1]]


def _component_of(
    table: Table, known_now: dict[str, bool], key: str
) -> tuple[list[str], list[Relation]]:
    unknown = [k for k, is_known in known_now.items() if not is_known]
    for keys, _ in _components(table, unknown):
        if key in keys:
            return keys, [r for r in table.relations if set(r.keys) & set(keys)]
    return [key], []


def _determined_in(
    table: Table, component: tuple[list[str], list[Relation]], min_cell: int
) -> list[str]:
    keys, relations = component
    column = {key: j for j, key in enumerate(keys)}
    matrix = np.zeros((len(relations), len(keys)))
    for i, relation in enumerate(relations):
        for key, coefficient in relation.terms:
            if key in column:
                matrix[i, column[key]] += coefficient
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9 * max(1.0, singular.max(initial=0.0))).sum())
    null_space = vt[rank:]
    found = []
    for key in keys:
        if not sensitive(table.cells[key], min_cell):
            continue  # e.g. a structural zero, or a large complement: harmless alone
        if null_space.shape[0] == 0 or np.abs(null_space[:, column[key]]).max() < 1e-9:
            found.append(key)
    return found + [
        k for k in _small_pair_sums(table, keys, null_space, min_cell) if k not in found
    ]


def _small_pair_sums(
    table: Table, keys: list[str], null_space: np.ndarray, min_cell: int
) -> list[str]:
    """Hidden counts two of which the relations give only as a sum, and the sum is small:
    117 included − 115 shown in the estimate's years = the one year hidden plus the patients
    outside the estimate, 2 together (one relation at a time, ``_State.revealed`` sees only
    sums within a relation). x_i + x_j is determined when its vector e_i + e_j lies in the
    row space, i.e. the null space's columns i and j cancel."""
    counts = [j for j, key in enumerate(keys) if table.cells[key].count]
    if null_space.shape[0] == 0 or len(counts) < 2:
        return []
    found = []
    for a, i in enumerate(counts):
        for j in counts[a + 1 :]:
            if np.abs(null_space[:, i] + null_space[:, j]).max() >= 1e-9:
                continue
            pair = (table.cells[keys[i]], table.cells[keys[j]])
            if _small_sum(pair[0].value + pair[1].value, pair, min_cell):
                found += [c.key for c in pair if c.key not in found]
    return found


def _small_sum(together: float, cells, min_cell: int) -> bool:
    """A known sum of hidden counts that gives them away: 1 to N−1, or a zero where one of
    the cells is a zero that must not be known (docs/disclosure.md, "Zeros")."""
    return 0 < together < min_cell or (together == 0 and any(c.zero_sensitive for c in cells))
