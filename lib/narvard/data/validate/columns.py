"""Rules on one column or key at a time: filled, typed, within range, unique, and
referring to a row of another table."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from narvard.data.validate.problems import (
    AREA_ID_TEXT,
    DATE_TEXT,
    DECIMAL,
    EMPTY_CELL,
    INTEGER,
    NUMBER_HINT,
    PERSONNUMMER,
    PSEUDONYM_TEXT,
    Problem,
    _isin,
    _matches,
    _rows,
    _to_dates,
    _to_numbers,
)
from narvard.data.validate.schema import SCHEMA, _Col, _Table

# ---------------------------------------------------------------- column rules


def _check_columns(table: _Table) -> list[Problem]:
    """Per-column rules of SCHEMA: filled cells, types, ranges, patterns, pseudonyms."""
    problems = []
    for column, rule in SCHEMA[table.name].items():
        if column not in table.missing:
            problems += _check_column(table, column, rule)
    return problems


def _check_column(table: _Table, column: str, rule: _Col) -> list[Problem]:
    """One column: filled when required, then its kind, pattern and pseudonym rules."""
    values, filled = table.values(column), table.filled(column)
    problems = _rows(table, column, ~filled, EMPTY_CELL) if rule.required else []
    if rule.kind == "date":
        dates = table.parsed[column] = _to_dates(values)
        problems += _rows(table, column, filled & dates.isna().to_numpy(), DATE_TEXT)
    elif rule.kind in ("int", "number"):
        problems += _check_number(table, column, rule)
    elif rule.kind == "enum":
        expected = "ett av: " + ", ".join(rule.allowed)
        problems += _rows(table, column, filled & ~_isin(values, rule.allowed), expected)
    if rule.pattern:
        bad = filled & ~_matches(values, rule.pattern)
        problems += _rows(table, column, bad, AREA_ID_TEXT)
    if rule.pseudonym:
        problems += _rows(table, column, _matches(values, PERSONNUMMER), PSEUDONYM_TEXT)
    return problems


def _check_number(table: _Table, column: str, rule: _Col) -> list[Problem]:
    """Integers or decimal numbers within the rule's minimum and maximum."""
    pattern = INTEGER if rule.kind == "int" else DECIMAL
    numbers = table.parsed[column] = _to_numbers(table.values(column), pattern)
    bad = numbers.isna()
    if rule.minimum is not None:
        bad |= numbers < rule.minimum
    if rule.maximum is not None:
        bad |= numbers > rule.maximum
    expected = _range_text("heltal" if rule.kind == "int" else "tal", rule)
    return _rows(table, column, table.filled(column) & bad.to_numpy(), expected)


def _range_text(kind: str, rule: _Col) -> str:
    """E.g. 'heltal > 0', 'heltal mellan 1900 och 2100', 'tal ≥ 0 (t.ex. 4000 …)'."""
    low, high = rule.minimum, rule.maximum
    text = kind
    if low is not None and high is not None:
        text += f" mellan {low:g} och {high:g}"
    elif low == 1 and kind == "heltal":
        text += " > 0"
    elif low is not None:
        text += f" ≥ {low:g}"
    return text if kind == "heltal" else f"{text} ({NUMBER_HINT})"


def _check_unique(table: _Table, columns: Sequence[str], expected: str) -> list[Problem]:
    """Rows repeating an earlier row's key; the message names the earlier line."""
    if not table.has(*columns):
        return []
    keys = table.frame[list(columns)]
    complete = np.logical_and.reduce([table.filled(c) for c in columns])
    repeated = keys.duplicated(keep="first").to_numpy() & complete
    if not repeated.any():
        return []
    group = keys.groupby(list(columns), sort=False).ngroup().to_numpy()
    first_row = pd.Series(np.arange(len(keys))).groupby(group).transform("min").to_numpy()
    detail = pd.Series([f"(finns redan på rad {n})" for n in table.lines[first_row]])
    return _rows(table, columns[-1], repeated, expected, _key_text(keys), detail)


def _key_text(keys: pd.DataFrame) -> pd.Series:
    """The key as found: the value itself, or 'a=x, b=y' for several columns."""
    if keys.shape[1] == 1:
        return keys.iloc[:, 0]
    parts = [c + "=" + keys[c] for c in keys.columns]
    text = parts[0]
    for part in parts[1:]:
        text = text + ", " + part
    return text


def _check_reference(
    table: _Table, columns: Sequence[str], target: _Table | None, expected: str
) -> list[Problem]:
    """Rows whose key (one or more columns) is not among the target table's keys."""
    if target is None or not table.has(*columns) or not target.has(*columns):
        return []
    if len(columns) == 1:
        known = _isin(table.values(columns[0]), target.values(columns[0]).uniques)
    else:
        known_keys = pd.MultiIndex.from_frame(target.frame[list(columns)])
        known = pd.MultiIndex.from_frame(table.frame[list(columns)]).isin(known_keys)
    complete = np.logical_and.reduce([table.filled(c) for c in columns])
    return _rows(table, columns[-1], complete & ~known, expected)
