"""Survey answers in wide form, as survey tools export them: ``survey_<survey_id>.xlsx``
(or .csv in any dialect, or .parquet), one row per respondent with the columns
``respondent_id, area_id, respondent_group`` (optionally ``wave``), then one column per
``question_id`` holding the answer labels.

They are converted once, while the dataset is read, into the long form of
``survey_responses`` (docs/contract.md §1) and joined to it, so that validation and the
statistics see one table. Every long row remembers the file, row and question column it
came from (``Origin``), so that a problem is reported where the user can find it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from narvard.data.dialects import DialectError
from narvard.data.problem import MAX_SHOWN, Problem, capped, shown
from narvard.data.readers import TextTable, read_text_table

PREFIX = "survey_"
SUFFIXES = (".parquet", ".xlsx", ".csv")  # the first one present is used
RESERVED = ("questions", "responses", "invitations")  # survey_<these> are contract tables
RESPONDENT_COLUMNS = ("respondent_id", "area_id", "respondent_group")
CARRIED = ("wave",)  # optional per-respondent columns carried to every answer
LONG_COLUMNS = ("survey_id", "respondent_id", "area_id", "respondent_group", "question_id")
# Long-form columns that a wide file holds in its header or its name, not in a cell.
_FROM_HEADER = ("survey_id", "question_id", "answer")


def find_wide_surveys(folder: Path) -> dict[str, Path]:
    """survey_id → its wide file in the folder (Parquet, then .xlsx, then .csv)."""
    found: dict[str, Path] = {}
    for suffix in SUFFIXES:
        for path in sorted(Path(folder).glob(f"{PREFIX}*{suffix}")):
            survey_id = path.stem[len(PREFIX) :]
            if survey_id and survey_id not in RESERVED and path.is_file():
                found.setdefault(survey_id, path)
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class Segment:
    """Rows start … stop − 1 of the joined table came from one file."""

    file: str
    start: int
    stop: int
    header_line: int | None
    wide: bool


@dataclass(frozen=True)
class Origin:
    """Where each row of survey_responses came from, when it was read from several files."""

    segments: tuple[Segment, ...]

    def problems(
        self,
        table,
        column: str,
        hits: np.ndarray,
        expected: str,
        values: pd.Series,
        detail: pd.Series | None,
    ) -> list[Problem]:
        """Problems for the rows `hits` of the joined table, at the place in its own file:
        an answer at (row, question column), an unknown question at its header cell."""
        found = []
        for segment in self.segments:
            rows = hits[(hits >= segment.start) & (hits < segment.stop)]
            if not len(rows):
                continue
            if not segment.wide:
                found += _capped_rows(segment.file, column, rows, table, expected, values, detail)
            elif column == "survey_id":
                text = f"{expected} (filnamnet survey_<survey_id> anger enkäten)"
                found.append(Problem(segment.file, None, None, text, shown(values.iloc[rows[0]])))
            elif column in _FROM_HEADER:
                found += _by_question(segment, column, rows, table, expected, values, detail)
            else:  # a respondent's own column: one problem per row of the wide file
                _, first = np.unique(table.lines[rows], return_index=True)
                rows = rows[np.sort(first)]
                found += _capped_rows(segment.file, column, rows, table, expected, values, detail)
        return found


def _capped_rows(file, column, rows, table, expected, values, detail) -> list[Problem]:
    first = rows[:MAX_SHOWN]
    return capped(
        file,
        column,
        expected,
        table.lines[first].tolist(),
        values.iloc[first].tolist(),
        None if detail is None else detail.iloc[first].tolist(),
        total=len(rows),
    )


def _by_question(segment, column, rows, table, expected, values, detail) -> list[Problem]:
    """Answers are reported in their question's column; question ids at the header row."""
    questions = table.frame["question_id"].to_numpy()[rows]
    found = []
    for question in pd.unique(questions):
        mine = rows[questions == question]
        if column == "question_id":
            found.append(Problem(segment.file, segment.header_line, question, expected, None))
        else:
            found += _capped_rows(segment.file, question, mine, table, expected, values, detail)
    return found


def wide_to_long(table: TextTable, survey_id: str) -> TextTable:
    """The long form of one wide survey file: one row per given answer, plus an empty row
    for a respondent without any answer (so that they still count as a respondent) and
    for a question column without any answer (so that an unknown column is found)."""
    frame = table.frame
    missing = [c for c in RESPONDENT_COLUMNS if c not in frame.columns]
    if missing:
        header = shown(", ".join(map(str, frame.columns)))
        line = table.header_line
        raise DialectError(
            [Problem(table.file, line, c, f"kolumnen {c} i rubrikraden", header) for c in missing]
        )
    kept = [*RESPONDENT_COLUMNS, *(c for c in CARRIED if c in frame.columns)]
    questions = [c for c in frame.columns if c not in kept]
    if not questions:
        expected = "minst en frågekolumn (question_id) efter respondentens kolumner"
        raise DialectError([Problem(table.file, table.header_line, None, expected, None)])
    long = _melt(frame.assign(_line=table.lines), kept, questions)
    long.insert(0, "survey_id", survey_id)
    lines = long.pop("_line").to_numpy(dtype=int)
    dialects = tuple(replace(d, layout="wide") for d in table.dialects)
    return TextTable(table.file, long.reset_index(drop=True), lines, table.header_line, dialects)


def _melt(frame: pd.DataFrame, kept: list[str], questions: list[str]) -> pd.DataFrame:
    """Answers in respondent order, questions in header order; empty cells dropped except
    one per silent respondent (first question) and one per silent question (first row)."""
    frame = frame.reset_index(drop=True).assign(_row=np.arange(len(frame)))
    long = frame.melt(
        id_vars=[*kept, "_line", "_row"],
        value_vars=questions,
        var_name="question_id",
        value_name="answer",
    )
    long["_q"] = np.repeat(np.arange(len(questions)), len(frame))
    given = long["answer"].str.strip() != ""
    silent_row = ~given.groupby(long["_row"]).transform("any")
    silent_question = ~given.groupby(long["_q"]).transform("any")
    keep = given | (silent_row & (long["_q"] == 0)) | (silent_question & (long["_row"] == 0))
    long = long[keep].sort_values(["_row", "_q"], kind="stable")
    return long[[*kept, "question_id", "answer", "_line"]]


def read_survey_responses(long_file: Path | None, wide: dict[str, Path]) -> TextTable:
    """survey_responses from its long file and every wide survey file, joined in that
    order; the problems of every file are raised together."""
    from narvard.data.tables import numeric_columns  # tables imports this module

    parts, problems = [], []
    if long_file is not None:
        try:
            long = read_text_table(long_file, numeric_columns("survey_responses"))
            parts.append((long, False))
            problems += _missing_long_columns(long) if wide else []
        except DialectError as error:
            problems += error.problems
    for survey_id, path in wide.items():
        try:
            parts.append((wide_to_long(read_text_table(path), survey_id), True))
        except DialectError as error:
            problems += error.problems
    if problems:
        raise DialectError(problems)
    if len(parts) == 1 and not parts[0][1]:
        return parts[0][0]
    return _joined([p for p, _ in parts], [w for _, w in parts])


def _missing_long_columns(table: TextTable) -> list[Problem]:
    """Joined to wide files, a column missing from the long file would read as empty."""
    header = shown(", ".join(map(str, table.frame.columns)))
    return [
        Problem(table.file, table.header_line, column, f"kolumnen {column} i rubrikraden", header)
        for column in (*LONG_COLUMNS, "answer")
        if column not in table.frame.columns
    ]


def _joined(tables: list[TextTable], wide: list[bool]) -> TextTable:
    segments, start = [], 0
    for table, is_wide in zip(tables, wide, strict=True):
        stop = start + len(table.frame)
        segments.append(Segment(table.file, start, stop, table.header_line, is_wide))
        start = stop
    frame = pd.concat([t.frame for t in tables], ignore_index=True).fillna("").astype(str)
    lines = np.concatenate([t.lines for t in tables]).astype(int)
    dialects = tuple(d for t in tables for d in t.dialects)
    return TextTable(
        tables[0].file, frame, lines, tables[0].header_line, dialects, Origin(tuple(segments))
    )
