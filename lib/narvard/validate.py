"""Check a dataset folder against the data contract (CONTRACT.md section 1).

``validate_dataset`` reads every table as text and returns every problem it finds at
once, as ``Problem`` values whose text is Swedish (the users are Swedish evaluators).
All row checks are vectorised with pandas, so million-row contact tables take seconds.
The rules are listed in docs/validation.md.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from narvard.surveys import SCALES as ANSWER_SCALES
from narvard.tables import (
    ALL_TABLES,
    DATASET_FILE,
    REQUIRED_TABLES,
    find_table,
    first_data_line,
    read_table_text,
)

MAX_SHOWN = 20  # rows reported one by one per rule, file and column
FOUND_MAX = 60  # characters of a found value shown

GROUPS = ("HSVT", "NSVT", "comparison")
TEAM_GROUPS = ("HSVT", "NSVT")
CONTACT_TYPES = ("er", "inpatient", "specialist", "primary_care")
COST_ITEMS = ("er_visit", "inpatient_day", "specialist_visit")
# Every label a closed question may take: the scale's labels and its "no opinion" ones.
SCALE_LABELS = {name: scale.labels + scale.not_substantive for name, scale in ANSWER_SCALES.items()}
SCALES = (*SCALE_LABELS, "open")

AREA_ID = r"[a-z0-9-]+"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
INTEGER = r"-?[0-9]+"
DECIMAL = r"-?[0-9]+(?:\.[0-9]+)?"
# YYYYMMDD-NNNN, YYMMDD-NNNN, YYMMDD+NNNN, 10 or 12 digits (also with a space).
PERSONNUMMER = r"\s*(?:[0-9]{8}|[0-9]{6})[-+ ]?[0-9]{4}\s*"
_PERSONNUMMER_INSIDE = re.compile(r"(?<![0-9])(?:[0-9]{8}|[0-9]{6})[-+ ]?[0-9]{4}(?![0-9])")

AREA_ID_TEXT = "id med bara små bokstäver a–z, siffror och bindestreck (t.ex. sodra-alvsborg)"
EMPTY_CELL = "ett värde (cellen får inte vara tom)"
DATE_TEXT = "datum ÅÅÅÅ-MM-DD"
NUMBER_HINT = "decimalpunkt, t.ex. 4000 eller 4000.50"
PSEUDONYM_TEXT = (
    "pseudonymt id – värdet ser ut som ett personnummer, och personnummer får inte "
    "finnas i data (använd pseudonyma id:n)"
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


# ---------------------------------------------------------------- public entry point


def validate_dataset(data_dir: Path) -> list[Problem]:
    """Check every contract rule on every table; return all problems (empty = valid).

    Never raises on bad content: a missing folder, an unreadable table, a wrong
    encoding, ragged rows or bad YAML are all reported as Problems.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        expected = "en datamapp med dataset.yml, areas, cohort och contacts"
        return [Problem(str(data_dir), None, None, expected, "mappen finns inte")]
    problems = _check_dataset_yml(data_dir / DATASET_FILE)
    tables: Tables = {}
    for name in ALL_TABLES:
        tables[name], load_problems = _load_table(data_dir, name)
        problems += load_problems
    problems += _check_presence(tables, data_dir)
    for table in tables.values():
        if table is not None:
            problems += _check_columns(table)
    for rule in TABLE_RULES:
        problems += rule(tables)
    return _in_file_order(problems, tables)


def _in_file_order(problems: list[Problem], tables: Tables) -> list[Problem]:
    """Group problems by file (dataset.yml first, then contract order), keeping rule order."""
    rank = {DATASET_FILE: 0}
    for position, name in enumerate(ALL_TABLES, start=1):
        table = tables.get(name)
        rank[table.file if table else f"{name}.csv"] = position
    return sorted(problems, key=lambda p: rank.get(p.file, len(rank)))


# ---------------------------------------------------------------- reporting helpers


def _shown(value: object) -> str:
    """A found value as shown: personnummer masked, newlines escaped, shortened."""
    text = _PERSONNUMMER_INSIDE.sub(lambda m: m.group(0)[:2] + "…", str(value))
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


# ---------------------------------------------------------------- dataset.yml


class _TextDateLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as written, so that they are checked like CSV dates."""


_TextDateLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def _yaml_problem(line: int | None, expected: str, found: str | None = None) -> Problem:
    return Problem(DATASET_FILE, line, None, expected, found)


def _check_dataset_yml(path: Path) -> list[Problem]:
    """dataset.yml: present, UTF-8, valid YAML, a mapping with the contract keys."""
    if not path.is_file():
        expected = "filen dataset.yml med name, contacts_from och contacts_to"
        return [_yaml_problem(None, expected, "filen saknas")]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [_encoding_problem(DATASET_FILE, data, error)]
    try:
        node, content = _parse_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        found = None if line is None else _line_text(text, line)
        return [_yaml_problem(line, "giltig YAML (en rad per nyckel: värde)", found)]
    if not isinstance(content, dict):
        expected = "nycklar med värden (name, contacts_from, contacts_to)"
        found = "tom fil" if content is None else _shown(content)
        return [_yaml_problem(None, expected, found)]
    return _check_yaml_keys(content, _key_lines(node))


def _parse_yaml(text: str) -> tuple[yaml.Node | None, object]:
    """The YAML document as a node (for line numbers) and as plain data."""
    loader = _TextDateLoader(text)
    try:
        node = loader.get_single_node()
        return node, None if node is None else loader.construct_document(node)
    except (TypeError, ValueError) as error:  # e.g. a list used as a key
        raise yaml.YAMLError(str(error)) from error
    finally:
        loader.dispose()


def _line_text(text: str, line: int) -> str | None:
    lines = text.splitlines()
    return _shown(lines[line - 1]) if 0 < line <= len(lines) else None


def _key_lines(node: yaml.Node | None) -> dict[str, list[int]]:
    """Line numbers of every top-level key (a list, to find repeated keys)."""
    found: dict[str, list[int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key, _value in node.value:
            if isinstance(key, yaml.ScalarNode):
                found.setdefault(str(key.value), []).append(key.start_mark.line + 1)
    return found


def _check_yaml_keys(content: dict, lines: dict[str, list[int]]) -> list[Problem]:
    """name text, contacts_from ≤ contacts_to as ISO dates, synthetic true/false."""

    def problem(key: str, expected: str, found: object = None) -> Problem:
        line = lines.get(key, [None])[-1]
        shown = None if found is None else _shown(found)
        return Problem(DATASET_FILE, line, key, expected, shown)

    problems = [
        problem(key, "nyckeln bara en gång", f"{len(at)} gånger")
        for key, at in lines.items()
        if len(at) > 1
    ]
    name = content.get("name")
    if "name" not in content:
        problems.append(problem("name", "nyckeln name (datasetets namn, text)"))
    elif not isinstance(name, str) or not name.strip():
        problems.append(problem("name", "datasetets namn som text", name))
    dates = {}
    for key in ("contacts_from", "contacts_to"):
        value = content.get(key)
        if key not in content:
            problems.append(problem(key, f"nyckeln {key} ({DATE_TEXT})"))
        elif not _is_iso_date(value):
            problems.append(problem(key, DATE_TEXT, value))
        else:
            dates[key] = value
    if len(dates) == 2 and dates["contacts_from"] > dates["contacts_to"]:
        expected = f"datum ≥ contacts_from ({dates['contacts_from']})"
        problems.append(problem("contacts_to", expected, dates["contacts_to"]))
    if "synthetic" in content and not isinstance(content["synthetic"], bool):
        problems.append(problem("synthetic", "true eller false", content["synthetic"]))
    return problems


def _is_iso_date(value: object) -> bool:
    if not isinstance(value, str):
        return False
    return bool(_to_dates(_Values.of(pd.Series([value]))).notna().iloc[0])


# ---------------------------------------------------------------- reading tables


def _load_table(data_dir: Path, name: str) -> tuple[_Table | None, list[Problem]]:
    """Read one table as text, or report why it cannot be read. None when absent."""
    path = find_table(data_dir, name)
    if path is None:
        return None, []
    try:
        frame = read_table_text(path)
    except UnicodeDecodeError:
        data = path.read_bytes()
        return None, [_encoding_problem(path.name, data, _decode_error(data))]
    except pd.errors.ParserError as error:
        return None, _ragged_rows(path) or [_unreadable(path, error)]
    except Exception as error:  # any other reason the file cannot be read
        return None, [_unreadable(path, error)]
    frame = frame.fillna("").astype(str)
    if path.suffix != ".csv":
        return _table(name, path, frame, np.arange(len(frame)) + first_data_line(path), None)
    if _plain_csv_layout(path.read_bytes(), frame):
        return _table(name, path, frame, np.arange(len(frame)) + first_data_line(path), 1)
    ragged = _ragged_rows(path)
    if ragged:
        return None, ragged
    return _table(name, path, frame, _csv_record_lines(path, len(frame)), 1)


def _table(
    name: str, path: Path, frame: pd.DataFrame, lines: np.ndarray, header_line: int | None
) -> tuple[_Table | None, list[Problem]]:
    """Build the table and check its header: required columns present, rows present."""
    table = _Table(name, path.name, frame, lines, header_line)
    columns = [str(c) for c in frame.columns]
    if len(columns) == 1 and ";" in columns[0]:
        expected = "kommaseparerade kolumner (,) – filen verkar använda semikolon (;)"
        return None, [Problem(path.name, header_line, None, expected, _shown(columns[0]))]
    table.missing = {c for c in SCHEMA[name] if c not in columns}
    where = "i rubrikraden" if header_line else "i tabellen"
    problems = [
        Problem(path.name, header_line, c, f"kolumnen {c} {where}", _shown(", ".join(columns)))
        for c in SCHEMA[name]
        if c in table.missing
    ]
    if name in NEEDS_ROWS and frame.empty:
        problems.append(Problem(path.name, None, None, "minst en rad med data", "inga rader"))
    return table, problems


def _unreadable(path: Path, error: Exception) -> Problem:
    kind = "CSV-fil (UTF-8, kommaseparerad, med rubrikrad)"
    if path.suffix == ".parquet":
        kind = "Parquet-fil"
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, pd.errors.EmptyDataError):
        reason = "tom fil utan rubrikrad"
    return Problem(path.name, None, None, f"en läsbar {kind}", _shown(reason))


def _decode_error(data: bytes) -> UnicodeDecodeError:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error
    return UnicodeDecodeError("utf-8", data, 0, 0, "okänt fel")


def _encoding_problem(file: str, data: bytes, error: UnicodeDecodeError) -> Problem:
    """Point at the line of the first byte that is not UTF-8."""
    line = data.count(b"\n", 0, error.start) + 1
    byte = data[error.start : error.start + 1].hex()
    expected = "text kodad som UTF-8 (spara filen som UTF-8, inte t.ex. Windows-1252/Latin-1)"
    return Problem(file, line, None, expected, f"byte 0x{byte}")


def _plain_csv_layout(data: bytes, frame: pd.DataFrame) -> bool:
    """True when every line is one row with all fields: then row i is line i + 2.

    Holds for files without quotes or blank lines whose comma count is exactly
    (columns - 1) per line; everything else is scanned line by line.
    """
    records = len(frame) + 1
    line_count = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    commas = (len(frame.columns) - 1) * records
    return b'"' not in data and line_count == records and data.count(b",") == commas


def _scan_csv(path: Path) -> list[tuple[int, list[str]]]:
    """Every non-blank CSV record with the line it starts on (blank lines are skipped)."""
    records = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        previous = 0
        for record in reader:
            if len(record) > 1 or (record and record[0].strip()):
                records.append((previous + 1, record))
            previous = reader.line_num
    return records


def _csv_record_lines(path: Path, rows: int) -> np.ndarray:
    """The starting line of every data row; plain numbering if the scan disagrees."""
    try:
        lines = np.array([line for line, _ in _scan_csv(path)[1:]], dtype=int)
    except (csv.Error, UnicodeDecodeError):
        lines = np.array([], dtype=int)
    return lines if len(lines) == rows else np.arange(rows) + 2


def _ragged_rows(path: Path) -> list[Problem]:
    """Rows whose number of fields differs from the header row."""
    try:
        records = _scan_csv(path)
    except (csv.Error, UnicodeDecodeError):
        return []
    if not records:
        return []
    width = len(records[0][1])
    bad = [(line, record) for line, record in records[1:] if len(record) != width]
    return _capped(
        path.name,
        None,
        f"{width} fält per rad, lika många som rubrikraden",
        [line for line, _ in bad],
        [",".join(record) for _, record in bad],
        [f"(raden har {len(record)})" for _, record in bad],
    )


def _check_presence(tables: Tables, data_dir: Path) -> list[Problem]:
    """Required tables exist; survey_responses needs survey_questions."""
    problems = []
    for name in REQUIRED_TABLES:
        if tables[name] is None and find_table(data_dir, name) is None:
            expected = f"tabellen {name} ({name}.csv eller {name}.parquet), den krävs"
            problems.append(Problem(f"{name}.csv", None, None, expected, "filen saknas"))
    if tables["survey_responses"] is not None and find_table(data_dir, "survey_questions") is None:
        expected = "tabellen survey_questions (krävs när survey_responses finns)"
        problems.append(Problem("survey_questions.csv", None, None, expected, "filen saknas"))
    return problems


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
    """E.g. 'heltal > 0', 'heltal mellan 1900 och 2100', 'tal ≥ 0 (decimalpunkt, …)'."""
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


# ---------------------------------------------------------------- table rules


def _in_file(target: _Table | None, what: str) -> str:
    return f"{what} som finns i {target.file if target else ''}"


def _rules_areas(tables: Tables) -> list[Problem]:
    """area_id unique."""
    areas = tables["areas"]
    return [] if areas is None else _check_unique(areas, ["area_id"], "unikt area_id")


def _rules_cohort(tables: Tables) -> list[Problem]:
    """patient_id unique, area_id in areas, birth_year ≤ index year, death ≥ index."""
    cohort, areas = tables["cohort"], tables["areas"]
    if cohort is None:
        return []
    problems = _check_unique(cohort, ["patient_id"], "unikt patient_id, en rad per patient")
    problems += _check_reference(cohort, ["area_id"], areas, _in_file(areas, "ett area_id"))
    if cohort.has("index_date", "birth_year"):
        index_year = cohort.parsed["index_date"].dt.year
        late = (cohort.parsed["birth_year"] > index_year).to_numpy()
        detail = "(" + index_year.astype("Int64").astype(str) + ")"
        problems += _rows(cohort, "birth_year", late, "födelseår ≤ index_date:s år", None, detail)
    if cohort.has("index_date", "death_date"):
        index = cohort.parsed["index_date"]
        early = (cohort.parsed["death_date"] < index).to_numpy()
        detail = "(" + cohort["index_date"] + ")"
        problems += _rows(cohort, "death_date", early, "datum ≥ index_date", None, detail)
    return problems


def _rules_contacts(tables: Tables) -> list[Problem]:
    """patient_id in cohort; end_date, admitted and unplanned by contact_type."""
    contacts, cohort = tables["contacts"], tables["cohort"]
    if contacts is None:
        return []
    expected = _in_file(cohort, "ett patient_id")
    problems = _check_reference(contacts, ["patient_id"], cohort, expected)
    if contacts.has("contact_type"):
        problems += _check_end_date(contacts)
        problems += _check_flag(contacts, "admitted", "er")
        problems += _check_flag(contacts, "unplanned", "inpatient")
    return problems


def _check_end_date(contacts: _Table) -> list[Problem]:
    """inpatient: end_date a date ≥ start_date; other contact types: empty."""
    if not contacts.has("end_date"):
        return []
    kind = contacts["contact_type"]
    inpatient = (kind == "inpatient").to_numpy()
    other = _isin(contacts.values("contact_type"), CONTACT_TYPES) & ~inpatient
    filled = contacts.filled("end_date")
    end = _to_dates(contacts.values("end_date"))
    expected = f"utskrivningsdatum ({DATE_TEXT}) för contact_type inpatient"
    problems = _rows(contacts, "end_date", inpatient & end.isna().to_numpy(), expected)
    if contacts.has("start_date"):
        before = (end < contacts.parsed["start_date"]).to_numpy() & inpatient
        detail = "(" + contacts["start_date"] + ")"
        problems += _rows(contacts, "end_date", before, "datum ≥ start_date", None, detail)
    expected = "tom cell (end_date gäller bara contact_type inpatient)"
    return problems + _rows(contacts, "end_date", other & filled, expected)


def _check_flag(contacts: _Table, column: str, contact_type: str) -> list[Problem]:
    """column is 0/1 on rows of contact_type and empty on the other contact types."""
    if not contacts.has(column):
        return []
    kind = contacts["contact_type"]
    own = (kind == contact_type).to_numpy()
    other = _isin(contacts.values("contact_type"), CONTACT_TYPES) & ~own
    not_flag = ~_isin(contacts.values(column), ("0", "1"))
    expected = f"0 eller 1 för contact_type {contact_type}"
    problems = _rows(contacts, column, own & not_flag, expected)
    expected = f"tom cell ({column} gäller bara contact_type {contact_type})"
    return problems + _rows(contacts, column, other & contacts.filled(column), expected)


def _rules_survey_questions(tables: Tables) -> list[Problem]:
    """question_id unique within its survey."""
    questions = tables["survey_questions"]
    if questions is None:
        return []
    expected = "unik kombination av survey_id och question_id"
    return _check_unique(questions, ["survey_id", "question_id"], expected)


def _rules_survey_responses(tables: Tables) -> list[Problem]:
    """Known survey and question, known area, one answer per question, consistent
    respondent, answers from the question's scale."""
    responses, questions = tables["survey_responses"], tables["survey_questions"]
    if responses is None:
        return []
    problems = _check_survey_known(responses, questions)
    expected = _in_file(tables["areas"], "ett area_id")
    problems += _check_reference(responses, ["area_id"], tables["areas"], expected)
    expected = "högst ett svar per survey_id, respondent_id och question_id"
    problems += _check_unique(responses, ["survey_id", "respondent_id", "question_id"], expected)
    problems += _check_respondent_consistency(responses)
    return problems + _check_answers(responses, questions)


def _check_survey_known(responses: _Table, questions: _Table | None) -> list[Problem]:
    """survey_id, and then (survey_id, question_id), must exist in survey_questions."""
    if questions is None or not responses.has("survey_id") or not questions.has("survey_id"):
        return []
    known_survey = _isin(responses.values("survey_id"), questions.values("survey_id").uniques)
    expected = _in_file(questions, "ett survey_id")
    problems = _rows(
        responses, "survey_id", responses.filled("survey_id") & ~known_survey, expected
    )
    if not responses.has("question_id") or not questions.has("question_id"):
        return problems
    keys = ["survey_id", "question_id"]
    known = pd.MultiIndex.from_frame(questions.frame[keys])
    known_question = pd.MultiIndex.from_frame(responses.frame[keys]).isin(known)
    unknown = known_survey & responses.filled("question_id") & ~known_question
    expected = _in_file(questions, "en fråga (survey_id och question_id)")
    return problems + _rows(responses, "question_id", unknown, expected)


def _check_respondent_consistency(responses: _Table) -> list[Problem]:
    """A respondent keeps one area_id and one respondent_group within a survey."""
    keys = ["survey_id", "respondent_id"]
    problems = []
    for column in ("area_id", "respondent_group"):
        if not responses.has(*keys, column):
            continue
        first = responses.frame.groupby(keys, sort=False)[column].transform("first")
        complete = responses.filled("survey_id") & responses.filled("respondent_id")
        changed = (responses[column] != first).to_numpy() & complete
        expected = f"samma {column} på alla respondentens rader i enkäten"
        detail = "(respondenten har " + first + " på en tidigare rad)"
        problems += _rows(responses, column, changed, expected, None, detail)
    return problems


def _question_scales(responses: _Table, questions: _Table) -> pd.Series:
    """The scale of each response row's question ('' when unknown)."""
    keys = ["survey_id", "question_id"]
    scales = questions.frame[[*keys, "scale"]].drop_duplicates(keys)
    merged = responses.frame[keys].merge(scales, on=keys, how="left")
    return merged["scale"].fillna("").reset_index(drop=True)


def _check_answers(responses: _Table, questions: _Table | None) -> list[Problem]:
    """A non-empty answer is an exact label of its question's scale (open: free text)."""
    columns = ("survey_id", "question_id")
    if questions is None or not responses.has(*columns, "answer"):
        return []
    if not questions.has(*columns, "scale"):
        return []
    scale = _question_scales(responses, questions)
    answer = responses["answer"].reset_index(drop=True)
    allowed = [f"{s}\x1f{label}" for s, labels in SCALE_LABELS.items() for label in labels]
    valid = (scale + "\x1f" + answer).isin(allowed)
    bad = (answer != "") & scale.isin(list(SCALE_LABELS)) & ~valid
    labels = {s: ", ".join(labels) for s, labels in SCALE_LABELS.items()}
    detail = "(" + scale + ": " + scale.map(labels).fillna("") + ", eller tom cell)"
    expected = "ett svarsalternativ i frågans skala"
    return _rows(responses, "answer", bad.to_numpy(), expected, None, detail)


def _rules_survey_invitations(tables: Tables) -> list[Problem]:
    """Known area and survey, one row per group, invited ≥ respondents, no group missing."""
    invitations = tables["survey_invitations"]
    if invitations is None:
        return []
    areas, questions = tables["areas"], tables["survey_questions"]
    problems = _check_reference(invitations, ["area_id"], areas, _in_file(areas, "ett area_id"))
    expected = _in_file(questions, "ett survey_id")
    problems += _check_reference(invitations, ["survey_id"], questions, expected)
    expected = "en rad per survey_id, area_id och respondent_group"
    problems += _check_unique(invitations, INVITATION_KEYS, expected)
    responses = tables["survey_responses"]
    if _can_count(invitations, responses):
        counts = _respondent_counts(responses)
        problems += _check_invited(invitations, counts)
        problems += _missing_invitations(invitations, responses, counts)
    return problems


def _can_count(invitations: _Table, responses: _Table | None) -> bool:
    """Both tables have the columns needed to compare invited with respondents."""
    if responses is None or not responses.has(*INVITATION_KEYS, "respondent_id"):
        return False
    return invitations.has(*INVITATION_KEYS, "invited")


def _respondent_counts(responses: _Table) -> pd.DataFrame:
    """Distinct respondents (any row, also all-empty answers) per survey, area and group."""
    columns = [*INVITATION_KEYS, "respondent_id"]
    rows = responses.frame[columns]
    rows = rows[np.logical_and.reduce([responses.filled(c) for c in columns])]
    distinct = rows.drop_duplicates()
    return distinct.groupby(INVITATION_KEYS).size().rename("respondents").reset_index()


def _check_invited(invitations: _Table, counts: pd.DataFrame) -> list[Problem]:
    """invited is at least the number of respondents of its group."""
    merged = invitations.frame[INVITATION_KEYS].merge(counts, on=INVITATION_KEYS, how="left")
    respondents = merged["respondents"].fillna(0).to_numpy()
    too_few = invitations.parsed["invited"].to_numpy() < respondents
    detail = pd.Series([f"({int(n)} respondenter har svarat)" for n in respondents])
    expected = "invited ≥ antalet respondenter i gruppen"
    return _rows(invitations, "invited", too_few, expected, None, detail)


def _missing_invitations(
    invitations: _Table, responses: _Table, counts: pd.DataFrame
) -> list[Problem]:
    """Every (survey_id, area_id, respondent_group) with answers has an invitation row."""
    invited = pd.MultiIndex.from_frame(invitations.frame[INVITATION_KEYS])
    missing = counts[~pd.MultiIndex.from_frame(counts[INVITATION_KEYS]).isin(invited)]
    detail = [
        f"(saknas för survey_id={s}, area_id={a}, respondent_group={g})"
        for s, a, g in missing[INVITATION_KEYS].itertuples(index=False)
    ]
    expected = f"en rad för varje grupp som har svar i {responses.file}"
    lines = [None] * len(detail)
    return _capped(invitations.file, "respondent_group", expected, lines, None, detail)


def _rules_unit_costs(tables: Tables) -> list[Problem]:
    """Each item at most once; low_sek ≤ cost_sek ≤ high_sek."""
    costs = tables["unit_costs"]
    if costs is None:
        return []
    problems = _check_unique(costs, ["item"], "varje item högst en gång")
    if costs.has("cost_sek", "low_sek", "high_sek"):
        cost, low, high = (costs.parsed[c] for c in ("cost_sek", "low_sek", "high_sek"))
        outside = ((cost < low) | (cost > high)).to_numpy()
        detail = "(low_sek " + costs["low_sek"] + ", high_sek " + costs["high_sek"] + ")"
        expected = "low_sek ≤ cost_sek ≤ high_sek"
        problems += _rows(costs, "cost_sek", outside, expected, None, detail)
    return problems


def _rules_team_costs(tables: Tables) -> list[Problem]:
    """area_id in areas; one row per (area_id, group); optional low_sek ≤ cost ≤ high_sek."""
    teams, areas = tables["team_costs"], tables["areas"]
    if teams is None:
        return []
    problems = _check_reference(teams, ["area_id"], areas, _in_file(areas, "ett area_id"))
    expected = "en rad per area_id och group"
    problems += _check_unique(teams, ["area_id", "group"], expected)
    return problems + _team_cost_range(teams)


def _team_cost_range(teams: _Table) -> list[Problem]:
    """The optional columns low_sek and high_sek (the team cost's uncertainty range)."""
    if not {"low_sek", "high_sek"} <= set(teams.frame.columns) or not teams.has("annual_cost_sek"):
        return []
    cost = teams.parsed["annual_cost_sek"]
    problems = []
    bounds = {}
    for column in ("low_sek", "high_sek"):
        text = teams[column].str.strip()
        bounds[column] = pd.to_numeric(text.str.replace(",", "."), errors="coerce")
        bad = (text != "") & bounds[column].isna()
        problems += _rows(teams, column, bad, "ett tal (kronor) eller tom cell")
    outside = ((bounds["low_sek"] > cost) | (bounds["high_sek"] < cost)).to_numpy()
    detail = "(low_sek " + teams["low_sek"] + ", high_sek " + teams["high_sek"] + ")"
    expected = "low_sek ≤ annual_cost_sek ≤ high_sek"
    return problems + _rows(teams, "annual_cost_sek", outside, expected, None, detail)


TABLE_RULES = (
    _rules_areas,
    _rules_cohort,
    _rules_contacts,
    _rules_survey_questions,
    _rules_survey_responses,
    _rules_survey_invitations,
    _rules_unit_costs,
    _rules_team_costs,
)
