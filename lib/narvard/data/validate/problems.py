"""Problems and how they are reported: file, line, column, what was expected (Swedish),
and the vectorised parsing every rule shares."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from narvard.data.tables import (
    DATASET_FILE,
)
from narvard.domain import SCALES as ANSWER_SCALES

if TYPE_CHECKING:  # only a type: schema imports this module
    from narvard.data.validate.schema import _Table

MAX_SHOWN = 20  # rows reported one by one per rule, file and column
FOUND_MAX = 60  # characters of a found value shown

# Every label a closed question may take: the scale's labels and its "no opinion" ones.
SCALE_LABELS = {name: scale.labels + scale.not_substantive for name, scale in ANSWER_SCALES.items()}
SCALES = (*SCALE_LABELS, "open")

AREA_ID = r"[a-z0-9-]+"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
INTEGER = r"-?[0-9]+"
DECIMAL = r"-?[0-9]+(?:\.[0-9]+)?"
# YYYYMMDD-NNNN, YYMMDD-NNNN, YYMMDD+NNNN, 10 or 12 digits (also with a space).
PERSONNUMMER = r"\s*(?:[0-9]{8}|[0-9]{6})[-+ ]?[0-9]{4}\s*"
PERSONNUMMER_INSIDE = re.compile(r"(?<![0-9])(?:[0-9]{8}|[0-9]{6})[-+ ]?[0-9]{4}(?![0-9])")

AREA_ID_TEXT = "id med bara små bokstäver a–z, siffror och bindestreck (t.ex. sodra-alvsborg)"
EMPTY_CELL = "ett värde (cellen får inte vara tom)"
DATE_TEXT = "datum ÅÅÅÅ-MM-DD"
NUMBER_HINT = "decimalpunkt, t.ex. 4000 eller 4000.50"
PSEUDONYM_TEXT = (
    "pseudonymt id – värdet ser ut som ett personnummer, och personnummer får inte "
    "finnas i data (ersätt dem med pseudonymer genom narvard pseudonymise, se "
    "docs/pseudonymisation.md)"
)


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


# ---------------------------------------------------------------- reporting helpers


def _shown(value: object) -> str:
    """A found value as shown: personnummer masked, newlines escaped, shortened."""
    text = PERSONNUMMER_INSIDE.sub(lambda m: m.group(0)[:2] + "…", str(value))
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= FOUND_MAX else text[: FOUND_MAX - 1] + "…"


def _more_rows(count: int) -> str:
    return f"{count:,}".replace(",", " ") + (" rad" if count == 1 else " rader")


def _capped(
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
        shown = None if found is None else _shown(found[i])
        problems.append(Problem(file, None if line is None else int(line), column, text, shown))
    if total > MAX_SHOWN:
        more = _more_rows(total - MAX_SHOWN)
        summary = f"{expected} (samma problem på ytterligare {more} i filen)"
        problems.append(Problem(file, None, column, summary, None))
    return problems


def _rows(
    table: _Table,
    column: str,
    mask: pd.Series | np.ndarray,
    expected: str,
    found: pd.Series | None = None,
    detail: pd.Series | None = None,
) -> list[Problem]:
    """Problems for the rows of table where mask is true (capped, see _capped)."""
    hits = np.flatnonzero(np.asarray(mask, dtype=bool))
    if len(hits) == 0:
        return []
    shown = hits[:MAX_SHOWN]
    values = table[column] if found is None else found
    return _capped(
        table.file,
        column,
        expected,
        table.lines[shown].tolist(),
        values.iloc[shown].tolist(),
        None if detail is None else detail.iloc[shown].tolist(),
        total=len(hits),
    )


# ---------------------------------------------------------------- vectorised parsing


@dataclass(frozen=True)
class _Values:
    """A column as its distinct values, plus for every row the index of its value.

    Checks run once per distinct value and are spread back to the rows, which keeps
    million-row tables fast (dates and ids repeat a lot) and small tables cheap.
    """

    codes: np.ndarray
    uniques: list[str]

    @classmethod
    def of(cls, series: pd.Series) -> _Values:
        codes, uniques = pd.factorize(series)
        return cls(codes, np.asarray(uniques, dtype=object).tolist())

    def spread(self, func: Callable[[str], object], dtype: object = bool) -> np.ndarray:
        """func applied to every distinct value, one result per row."""
        return np.array([func(value) for value in self.uniques], dtype=dtype)[self.codes]


def _matches(values: _Values, pattern: str) -> np.ndarray:
    """True where the whole value matches the regular expression."""
    regex = re.compile(pattern)
    return values.spread(lambda v: regex.fullmatch(v) is not None)


def _filled(values: _Values) -> np.ndarray:
    """True where the cell holds more than white space."""
    return values.spread(lambda v: bool(v.strip()))


def _isin(values: _Values, allowed: Iterable[str]) -> np.ndarray:
    """True where the value is one of allowed."""
    known = set(allowed)
    return values.spread(lambda v: v in known)


def _to_dates(values: _Values) -> pd.Series:
    """ISO dates as datetime64; NaT where empty, badly shaped or not a real date."""
    return pd.Series(values.spread(_parse_date, dtype="datetime64[s]"))


def _parse_date(text: str) -> np.datetime64:
    if _ISO_DATE.fullmatch(text):
        try:
            return np.datetime64(date.fromisoformat(text), "s")
        except ValueError:  # e.g. 2019-02-30
            pass
    return np.datetime64("NaT", "s")


def _to_numbers(values: _Values, pattern: str) -> pd.Series:
    """Numbers as float; NaN where empty or not matching the number pattern."""
    regex = re.compile(pattern)
    return pd.Series(values.spread(lambda v: float(v) if regex.fullmatch(v) else np.nan, float))
