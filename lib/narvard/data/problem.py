"""A problem found in the input and how it is shown: file, line, column, what was
expected (Swedish) and what was found. Shared by the readers (narvard.data.readers) and
the validation (narvard.data.validate), which both report in this one form."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

DATASET_FILE = "dataset.yml"
MAX_SHOWN = 20  # rows reported one by one per rule, file and column
FOUND_MAX = 60  # characters of a found value shown

PERSONNUMMER_INSIDE = re.compile(r"(?<![0-9])(?:[0-9]{8}|[0-9]{6})[-+ ]?[0-9]{4}(?![0-9])")


@dataclass(frozen=True)
class Problem:
    """One broken rule: where it is and what was expected (Swedish text)."""

    file: str
    line: int | None
    column: str | None
    expected: str
    found: str | None

    def __str__(self) -> str:
        parts = [self.file if self.line is None else f"{self.file}:{self.line}"]
        if self.column is not None:
            label = "nyckel" if self.file == DATASET_FILE else "kolumn"
            parts.append(f"{label} {self.column}")
        text = f"förväntade {self.expected}"
        if self.found is not None:
            text += f', fick "{self.found}"'
        return ": ".join([*parts, text])


def shown(value: object) -> str:
    """A found value as shown: personnummer masked, newlines escaped, shortened."""
    text = PERSONNUMMER_INSIDE.sub(lambda m: m.group(0)[:2] + "…", str(value))
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= FOUND_MAX else text[: FOUND_MAX - 1] + "…"


def more_rows(count: int) -> str:
    return f"{count:,}".replace(",", " ") + (" rad" if count == 1 else " rader")


def capped(
    file: str,
    column: str | None,
    expected: str,
    lines: Sequence[int | None],
    found: Sequence[object] | None = None,
    detail: Sequence[str] | None = None,
    total: int | None = None,
) -> list[Problem]:
    """One Problem per row for the first MAX_SHOWN rows, then one summary Problem.

    total is the number of failing rows when lines holds only the first of them.
    """
    total = len(lines) if total is None else total
    problems = []
    for i, line in enumerate(lines[:MAX_SHOWN]):
        text = expected if detail is None else f"{expected} {detail[i]}"
        value = None if found is None else shown(found[i])
        problems.append(Problem(file, None if line is None else int(line), column, text, value))
    if total > MAX_SHOWN:
        more = more_rows(total - MAX_SHOWN)
        summary = f"{expected} (samma problem på ytterligare {more} i filen)"
        problems.append(Problem(file, None, column, summary, None))
    return problems
