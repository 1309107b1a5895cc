"""Problems and how they are reported: file, line, column, what was expected (Swedish),
and the vectorised parsing every rule shares."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from narvard.data.problem import (
    MAX_SHOWN,
    Problem,
    capped,
    more_rows,
    shown,
)
from narvard.domain import SCALES as ANSWER_SCALES

if TYPE_CHECKING:  # only a type: schema imports this module
    from narvard.data.validate.schema import _Table


# Every label a closed question may take: the scale's labels and its "no opinion" ones.
SCALE_LABELS = {name: scale.labels + scale.not_substantive for name, scale in ANSWER_SCALES.items()}
SCALES = (*SCALE_LABELS, "open")

AREA_ID = r"[a-z0-9-]+"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
INTEGER = r"-?[0-9]+"
DECIMAL = r"-?[0-9]+(?:\.[0-9]+)?"
# YYYYMMDD-NNNN, YYMMDD-NNNN, YYMMDD+NNNN, 10 or 12 digits (also with a space).
PERSONNUMMER = r"\s*(?:[0-9]{8}|[0-9]{6})[-+ ]?[0-9]{4}\s*"

AREA_ID_TEXT = "id med bara små bokstäver a–z, siffror och bindestreck (t.ex. sodra-alvsborg)"
EMPTY_CELL = "ett värde (cellen får inte vara tom)"
DATE_TEXT = "datum ÅÅÅÅ-MM-DD"
NUMBER_HINT = "t.ex. 4000 eller 4000.50; 4000,50 i en semikolonseparerad fil"
PSEUDONYM_TEXT = (
    "pseudonymt id – värdet ser ut som ett personnummer, och personnummer får inte "
    "finnas i data (ersätt dem med pseudonymer genom narvard pseudonymise, se "
    "docs/pseudonymisation.md)"
)


# ---------------------------------------------------------------- reporting helpers

_shown, _more_rows, _capped = shown, more_rows, capped


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
    values = table[column] if found is None else found
    if table.origin is not None:  # rows from several files (wide survey files)
        return table.origin.problems(table, column, hits, expected, values, detail)
    first = hits[:MAX_SHOWN]
    return capped(
        table.file,
        column,
        expected,
        table.lines[first].tolist(),
        values.iloc[first].tolist(),
        None if detail is None else detail.iloc[first].tolist(),
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
