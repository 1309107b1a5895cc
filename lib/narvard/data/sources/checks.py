"""The contract checks that the aggregation depends on, run as SQL inside the source
database (docs/sources.md): the tables and their columns exist with usable types, each
patient has one cohort row in a known area, every contact belongs to a cohort patient and
has a known type, dates are dates that exist, a stay does not end before it starts, and
groups are known. Problems are reported like those of files (docs/validation.md).
"""

from __future__ import annotations

from narvard.data.problem import DATASET_FILE, Problem, capped
from narvard.data.sources.engine import Engine, SourceError, is_text_type, table_reference
from narvard.data.sources.tables import table_label
from narvard.data.validate.schema import SCHEMA
from narvard.domain import CONTACT_TYPES, GROUPS

# The contract columns of the tables the aggregation reads (docs/contract.md §1).
COLUMNS = {
    "cohort": ("patient_id", "area_id", "group", "index_date", "birth_year", "sex", "death_date"),
    "contacts": ("patient_id", "contact_type", "start_date", "end_date", "admitted", "unplanned"),
}
DATE_COLUMNS = {"index_date", "start_date", "death_date", "end_date"}
REQUIRED_DATES = {"index_date", "start_date"}
NUMBER_COLUMNS = {"birth_year", "admitted", "unplanned"}
# Type names (any engine) no contract column can be read from.
_UNUSABLE = ("bool", "bytea", "binary", "json", "array", "map", "struct", "user-defined")
_NUMERIC = ("int", "numeric", "decimal", "double", "float", "real")
_ISO_DATE = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
SEXES = SCHEMA["cohort"]["sex"].allowed
SHOWN = 21  # rows fetched per check: the shown ones and one more to tell that there are more


def source_problem(error: SourceError) -> Problem:
    """A source that cannot be used, as a problem with dataset.yml's key source."""
    return Problem(DATASET_FILE, None, "source", error.expected, error.found)


def _usable(column: str, kind: str) -> str | None:
    """What the column's type should be, or None when it is usable."""
    if any(word in kind for word in _UNUSABLE):
        return "datum (date) eller text ÅÅÅÅ-MM-DD" if column in DATE_COLUMNS else "tal eller text"
    if column in DATE_COLUMNS and any(word in kind for word in _NUMERIC):
        return "datum (date) eller text ÅÅÅÅ-MM-DD"
    return None


def check_columns(engine: Engine, name: str) -> tuple[list[Problem], dict[str, str] | None]:
    """The table exists, holds the contract columns, and their types can be read."""
    label = table_label(engine, name)
    columns = engine.columns(name)
    if columns is None:
        return [Problem(label, None, None, f"tabellen {name} i databasen", "tabellen saknas")], None
    problems = []
    for column in COLUMNS.get(name, ()):
        if column not in columns:
            shown = ", ".join(columns)
            problems.append(Problem(label, None, column, f"kolumnen {column} i tabellen", shown))
        elif (expected := _usable(column, columns[column])) is not None:
            problems.append(Problem(label, None, column, expected, f"typen {columns[column]}"))
    return problems, columns


def _failing(engine: Engine, label: str, column: str, expected: str, where_sql: str, shown_sql):
    """Rows that break a rule: the first SHOWN of them and their count, in one SQL query."""
    rows = engine.frame(
        f"SELECT {shown_sql} AS found, count(*) OVER () AS total "
        f"FROM ({where_sql}) AS failing ORDER BY found LIMIT {SHOWN}"
    )
    if rows.empty:
        return []
    found = list(rows["found"])
    total = int(rows["total"].iloc[0])
    return capped(label, column, expected, [None] * len(found), found, total=total)


def _calendar_date(value: str) -> str:
    """SQL: the text value is a date written YYYY-MM-DD that exists (2019-02-29 and year
    0000 do not), exactly ten characters (Spark's $ also matches before a final newline).
    CASE, not AND: PostgreSQL and Spark may evaluate AND's sides in any order, and the
    casts fail on other text."""
    y, m, d = (
        f"CAST(substring({value}, {a}, {n}) AS INTEGER)" for a, n in ((1, 4), (6, 2), (9, 2))
    )
    leap = f"(({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0)"
    days = (
        f"CASE WHEN {m} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
        f"WHEN {m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
    )
    written = f"length({value}) = 10 AND regexp_matches({value}, '{_ISO_DATE}')"
    return f"(CASE WHEN {written} THEN {y} >= 1 AND {d} <= {days} ELSE false END)"


def _date_rule(engine: Engine, name: str, column: str, kind: str) -> list[Problem]:
    """A text date column holds ISO dates that exist (a date-typed column is one already)."""
    if not is_text_type(kind):
        return []
    value = f'CAST("{column}" AS VARCHAR)'
    empty = f"{value} IS NULL OR {value} = ''"
    bad = f"NOT {_calendar_date(value)}"
    condition = f"{empty} OR {bad}" if column in REQUIRED_DATES else f"NOT ({empty}) AND {bad}"
    where = f"SELECT {value} AS v FROM {table_reference(name)} WHERE {condition}"
    return _failing(engine, table_label(engine, name), column, "ett datum ÅÅÅÅ-MM-DD", where, "v")


def check_keys(engine: Engine, kinds: dict[str, dict[str, str]]) -> list[Problem]:
    """The key checks the aggregation needs, as SQL in the database."""
    cohort, contacts = table_reference("cohort"), table_reference("contacts")
    label = table_label(engine, "cohort")
    duplicates = (
        f"SELECT CAST(patient_id AS VARCHAR) AS v FROM {cohort} "
        "GROUP BY CAST(patient_id AS VARCHAR) HAVING count(*) > 1"
    )
    problems = _failing(
        engine, label, "patient_id", "unikt patient_id, en rad per patient", duplicates, "v"
    )
    groups = ", ".join(f"'{g}'" for g in GROUPS)
    unknown_group = (
        f'SELECT CAST("group" AS VARCHAR) AS v FROM {cohort} '
        f'WHERE "group" IS NULL OR CAST("group" AS VARCHAR) NOT IN ({groups})'
    )
    expected_group = "en av " + ", ".join(GROUPS)
    problems += _failing(engine, label, "group", expected_group, unknown_group, "v")
    orphans = (
        f"SELECT CAST(k.patient_id AS VARCHAR) AS v FROM {contacts} AS k WHERE NOT EXISTS "
        f"(SELECT 1 FROM {cohort} AS c "
        "WHERE CAST(c.patient_id AS VARCHAR) = CAST(k.patient_id AS VARCHAR))"
    )
    expected = "ett patient_id som finns i cohort"
    problems += _failing(
        engine, table_label(engine, "contacts"), "patient_id", expected, orphans, "v"
    )
    for name, columns in kinds.items():
        for column in sorted(DATE_COLUMNS & set(COLUMNS[name])):
            problems += _date_rule(engine, name, column, columns[column])
    return problems


def _unknown(table: str, column: str, allowed) -> str:
    """SQL: the values of column outside allowed (or missing)."""
    listed = ", ".join("'" + str(a).replace("'", "''") + "'" for a in allowed)
    value = f'CAST("{column}" AS VARCHAR)'
    return f'SELECT {value} AS v FROM {table} WHERE "{column}" IS NULL OR {value} NOT IN ({listed})'


def _as_date(column: str, kind: str) -> tuple[str, str]:
    """SQL: (the column as a date, the condition under which that cast is safe)."""
    if not is_text_type(kind):
        return f'CAST("{column}" AS DATE)', f'"{column}" IS NOT NULL'
    value = f'CAST("{column}" AS VARCHAR)'
    return f"CAST({value} AS DATE)", _calendar_date(value)


def check_values(
    engine: Engine, kinds: dict[str, dict[str, str]], area_ids: list[str] | None
) -> list[Problem]:
    """The value checks the aggregation and the balancing rely on: known areas, sexes and
    contact types, and stays that end on or after their start (rows with two valid dates)."""
    cohort, contacts = table_reference("cohort"), table_reference("contacts")
    problems = []
    label = table_label(engine, "cohort")
    if area_ids is not None:
        expected = "ett area_id som finns i areas"
        unknown = _unknown(cohort, "area_id", area_ids)
        problems += _failing(engine, label, "area_id", expected, unknown, "v")
    unknown = _unknown(cohort, "sex", SEXES)
    problems += _failing(engine, label, "sex", "ett av: " + ", ".join(SEXES), unknown, "v")
    label = table_label(engine, "contacts")
    expected = "ett av: " + ", ".join(CONTACT_TYPES)
    unknown = _unknown(contacts, "contact_type", CONTACT_TYPES)
    problems += _failing(engine, label, "contact_type", expected, unknown, "v")
    start, start_ok = _as_date("start_date", kinds["contacts"]["start_date"])
    end, end_ok = _as_date("end_date", kinds["contacts"]["end_date"])
    before = f"CASE WHEN {start_ok} THEN CASE WHEN {end_ok} THEN {end} < {start} END END"
    early = (
        f"SELECT CAST(end_date AS VARCHAR) AS v FROM {contacts} "
        f"WHERE CAST(contact_type AS VARCHAR) = 'inpatient' AND {before}"
    )
    return problems + _failing(engine, label, "end_date", "datum ≥ start_date", early, "v")


def check_database(engine: Engine, area_ids: list[str] | None = None) -> list[Problem]:
    """Every in-database check of cohort and contacts; key and value checks only on
    usable columns. area_ids: the areas table's ids, when it could be read."""
    problems, kinds = [], {}
    for name in COLUMNS:
        found, columns = check_columns(engine, name)
        problems += found
        if columns is not None:
            kinds[name] = columns
    if problems:
        return problems
    return check_keys(engine, kinds) + check_values(engine, kinds, area_ids)
