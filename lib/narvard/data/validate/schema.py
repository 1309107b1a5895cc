"""The column rules of every contract table: type, required, allowed values, ranges, and
the shared `_Table` holding a table read as text."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from narvard.data.validate.problems import AREA_ID, SCALES, _filled, _Values
from narvard.data.wide_surveys import Origin
from narvard.domain import CONTACT_TYPES, COST_ITEMS, GROUPS, TEAM_GROUPS


@dataclass(frozen=True)
class _Col:
    """Column rule: kind is text, int, number, date or enum."""

    kind: str = "text"
    required: bool = True  # the cell must be filled
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    pseudonym: bool = False


SCHEMA: dict[str, dict[str, _Col]] = {
    "areas": {
        "area_id": _Col(pattern=AREA_ID),
        "area_name": _Col(),
        "region": _Col(),
        "population": _Col("int", minimum=1),
    },
    "cohort": {
        "patient_id": _Col(pseudonym=True),
        "area_id": _Col(),
        "group": _Col("enum", allowed=GROUPS),
        "index_date": _Col("date"),
        "birth_year": _Col("int", minimum=1900),
        "sex": _Col("enum", allowed=("F", "M")),
        "death_date": _Col("date", required=False),
    },
    "contacts": {
        "patient_id": _Col(pseudonym=True),
        "contact_type": _Col("enum", allowed=CONTACT_TYPES),
        "start_date": _Col("date"),
        "end_date": _Col(required=False),
        "admitted": _Col(required=False),
        "unplanned": _Col(required=False),
    },
    "survey_questions": {
        "survey_id": _Col(),
        "question_id": _Col(),
        "question_text": _Col(),
        "scale": _Col("enum", allowed=SCALES),
        "order": _Col("int"),
    },
    "survey_responses": {
        "survey_id": _Col(),
        "respondent_id": _Col(pseudonym=True),
        "area_id": _Col(),
        "respondent_group": _Col(),
        "question_id": _Col(),
        "answer": _Col(required=False),
    },
    "survey_invitations": {
        "survey_id": _Col(),
        "area_id": _Col(),
        "respondent_group": _Col(),
        "invited": _Col("int", minimum=0),
    },
    "unit_costs": {
        "item": _Col("enum", allowed=COST_ITEMS),
        "cost_sek": _Col("number", minimum=0),
        "low_sek": _Col("number", minimum=0),
        "high_sek": _Col("number", minimum=0),
        "year": _Col("int", minimum=1900, maximum=2100),
        "source": _Col(),
    },
    "team_costs": {
        "area_id": _Col(),
        "group": _Col("enum", allowed=TEAM_GROUPS),
        "annual_cost_sek": _Col("number", minimum=0),
        "source": _Col(),
    },
    # Extensions of the contract (optional): price index and staffing for cost-effect.
    "price_index": {
        "year": _Col("int", minimum=1900, maximum=2100),
        "index": _Col("number", minimum=0),
    },
    "staffing": {
        "group": _Col("enum", allowed=TEAM_GROUPS),
        "role": _Col(),
        "fte_per_100k": _Col("number", minimum=0),
        "cost_per_fte_sek": _Col("number", minimum=0),
        "source": _Col(),
    },
}
NEEDS_ROWS = ("areas", "cohort")
INVITATION_KEYS = ["survey_id", "area_id", "respondent_group"]


@dataclass
class _Table:
    """A table read as text, with the file line of every row."""

    name: str
    file: str
    frame: pd.DataFrame
    lines: np.ndarray
    header_line: int | None
    missing: set[str] = field(default_factory=set)
    origin: Origin | None = None  # rows read from several files (wide survey files)
    parsed: dict[str, pd.Series] = field(default_factory=dict)
    _cache: dict[tuple[str, str], object] = field(default_factory=dict)

    def has(self, *columns: str) -> bool:
        return not self.missing.intersection(columns)

    def values(self, column: str) -> _Values:
        """The column's distinct values (computed once)."""
        if (column, "values") not in self._cache:
            self._cache[column, "values"] = _Values.of(self.frame[column])
        return self._cache[column, "values"]

    def filled(self, column: str) -> np.ndarray:
        """True where the cell holds more than white space (computed once)."""
        if (column, "filled") not in self._cache:
            self._cache[column, "filled"] = _filled(self.values(column))
        return self._cache[column, "filled"]

    def __getitem__(self, column: str) -> pd.Series:
        return self.frame[column]


Tables = dict[str, "_Table | None"]
