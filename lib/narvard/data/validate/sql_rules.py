"""The rules of the large tables (cohort, contacts) as SQL over their DuckDB views
(``narvard.data.validate.large``): the column rules of ``schema.SCHEMA`` and the rules
across rows and tables that ``rules.TABLE_NOTES`` describes. Every rule is a boolean SQL
expression per row; one scan counts every rule's rows and keeps the first rows of each,
and a second look at those rows gives the Problems, exactly as the pandas rules of the
small tables give them (same file, line, column, expected text, found value).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from narvard.data.problem import MAX_SHOWN, Problem, capped
from narvard.data.validate.columns import _range_text
from narvard.data.validate.problems import (
    AREA_ID_TEXT,
    DATE_TEXT,
    DECIMAL,
    EMPTY_CELL,
    INTEGER,
    PERSONNUMMER,
    PSEUDONYM_TEXT,
)
from narvard.data.validate.schema import SCHEMA, Tables, _Col
from narvard.domain import CONTACT_TYPES

if TYPE_CHECKING:
    import duckdb

    from narvard.data.validate.large import SqlTable

# What Python's str.strip() and the regular expression \s take for white space, for RE2.
WHITE = (
    r"[\t\n\x{0b}\f\r \x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
    r"\x{202f}\x{205f}\x{3000}]"
)
# Unicode code points of that white space beyond ASCII (first characters, a fast path).
_WIDE_WHITE = (
    "133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, "
    "8232, 8233, 8239, 8287, 12288"
)
_MACROS = (
    # Filled: more than white space; a first character that is none is the quick answer:
    # first a byte comparison (a printable ASCII first character, ! … ~), then the rest.
    "CREATE OR REPLACE TEMP MACRO nv_filled(v) AS CASE WHEN v >= '!' AND v < chr(127) "
    "THEN true WHEN v = '' THEN false "
    f"WHEN ascii(v) > 32 AND ascii(v) NOT IN ({_WIDE_WHITE}) THEN true "
    f"ELSE NOT regexp_full_match(v, '{WHITE}*') END",
    # A date written exactly YYYY-MM-DD that exists in the calendar (year 1 or later); ten
    # characters, so that 'infinity', which DuckDB reads as a date, is none.
    "CREATE OR REPLACE TEMP MACRO nv_date(v) AS CASE WHEN length(v) = 10 AND "
    "CAST(TRY_CAST(v AS DATE) AS VARCHAR) = v THEN TRY_CAST(v AS DATE) END",
)


@dataclass(frozen=True)
class Rule:
    """Rows where ``mask`` holds break the rule; found and detail are SQL text too."""

    column: str
    mask: str
    expected: str
    found: str | None = None
    detail: str | None = None


def _q(name: str) -> str:
    return 't."' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _regex(pattern: str) -> str:
    """A Python pattern as an RE2 literal (\\s as Python's white space)."""
    return _text(pattern.replace(r"\s", WHITE))


def _raw(column: str) -> str:
    from narvard.data.validate.large import raw_column

    return _q(raw_column(column))


def _filled(table: SqlTable, column: str) -> str:
    """More than white space (a typed value: not null, its text is never blank)."""
    return f"({_raw(column)} IS NOT NULL)" if column in table.raw else f"nv_filled({_q(column)})"


def _date(table: SqlTable, column: str) -> str:
    """The cell as a date when it is one written YYYY-MM-DD, else NULL. A typed date of
    the years 1–9999 is its own text's date; other years go the text's way, written here
    from the value (as the view writes it) so that only those rows are written as text."""
    if table.raw.get(column) != "date":
        return f"nv_date({_q(column)})"
    raw = _raw(column)
    day = f"CAST({raw} AS DATE)"
    kept = f"WHEN {day} BETWEEN DATE '0001-01-01' AND DATE '9999-12-31' THEN {day}"
    text = f"nv_date(strftime({raw}, '%Y-%m-%d'))"  # large._TEXT of a date or a time
    return f"(CASE WHEN {raw} IS NULL THEN NULL {kept} ELSE {text} END)"  # NULL: '', no date


def _number(table: SqlTable, column: str, kind: str) -> str:
    """The cell as a number when it is written as one of kind int or number, else NULL."""
    if table.raw.get(column) == "int":
        return f"CAST({_raw(column)} AS DOUBLE)"  # its text is -?[0-9]+
    pattern = INTEGER if kind == "int" else DECIMAL
    c = _q(column)
    return f"CASE WHEN regexp_full_match({c}, {_regex(pattern)}) THEN TRY_CAST({c} AS DOUBLE) END"


def _in(column: str, allowed: tuple[str, ...]) -> str:
    return f"{_q(column)} IN ({', '.join(_text(a) for a in allowed)})"


def _flag_in(table: SqlTable, column: str) -> str:
    """The cell is 0 or 1 (a typed whole number compared as such, never NULL)."""
    if table.raw.get(column) == "int":
        return f"coalesce({_raw(column)} IN (0, 1), false)"
    return _in(column, ("0", "1"))


def column_rules(table: SqlTable) -> list[Rule]:
    """SCHEMA's rules of every contract column present (narvard.data.validate.columns)."""
    rules = []
    for column, rule in SCHEMA[table.name].items():
        if column not in table.missing:
            rules += _column_rule(table, column, rule)
    return rules


def _column_rule(table: SqlTable, column: str, rule: _Col) -> list[Rule]:
    c, filled = _q(column), _filled(table, column)
    rules = [Rule(column, f"NOT {filled}", EMPTY_CELL)] if rule.required else []
    if rule.kind == "date":
        rules.append(Rule(column, f"{filled} AND {_date(table, column)} IS NULL", DATE_TEXT))
    elif rule.kind in ("int", "number"):
        number = _number(table, column, rule.kind)
        bad = [f"{number} IS NULL"]
        if rule.minimum is not None:
            bad.append(f"{number} < {rule.minimum!r}")
        if rule.maximum is not None:
            bad.append(f"{number} > {rule.maximum!r}")
        expected = _range_text("heltal" if rule.kind == "int" else "tal", rule)
        rules.append(Rule(column, f"{filled} AND ({' OR '.join(bad)})", expected))
    elif rule.kind == "enum":
        expected = "ett av: " + ", ".join(rule.allowed)
        rules.append(Rule(column, f"{filled} AND NOT {_in(column, rule.allowed)}", expected))
    if rule.pattern:
        bad = f"{filled} AND NOT regexp_full_match({c}, {_regex(rule.pattern)})"
        rules.append(Rule(column, bad, AREA_ID_TEXT))
    if rule.pseudonym:
        # It starts with white space or a digit: a first printable other character is quick.
        could = f"NOT (ascii({c}) BETWEEN 33 AND 126) OR ascii({c}) BETWEEN 48 AND 57"
        mask = f"CASE WHEN {could} THEN regexp_full_match({c}, {_regex(PERSONNUMMER)}) END"
        rules.append(Rule(column, mask, PSEUDONYM_TEXT))
    return rules


def cohort_rules(table: SqlTable, tables: Tables) -> list[Rule]:
    """patient_id unique, area_id in areas, birth_year ≤ index year, death ≥ index
    (rules.TABLE_NOTES["cohort"])."""
    rules = []
    if table.has("patient_id"):
        expected = "unikt patient_id, en rad per patient"
        detail = "'(finns redan på rad ' || d._first_line || ')'"
        mask = f"{_filled(table, 'patient_id')} AND d._first_line IS NOT NULL"
        rules.append(Rule("patient_id", mask, expected, detail=detail))
    areas = tables["areas"]
    if areas is not None and table.has("area_id") and areas.has("area_id"):
        expected = f"ett area_id som finns i {areas.file}"
        mask = f"{_filled(table, 'area_id')} AND a._area IS NULL"
        rules.append(Rule("area_id", mask, expected))
    index = _date(table, "index_date")
    if table.has("index_date", "birth_year"):
        late = f"{_number(table, 'birth_year', 'int')} > year({index})"
        detail = f"'(' || year({index}) || ')'"
        rules.append(Rule("birth_year", late, "födelseår ≤ index_date:s år", detail=detail))
    if table.has("index_date", "death_date"):
        early = f"{_date(table, 'death_date')} < {index}"
        detail = f"'(' || {_q('index_date')} || ')'"
        rules.append(Rule("death_date", early, "datum ≥ index_date", detail=detail))
    return rules


def contacts_rules(table: SqlTable, tables: Tables) -> list[Rule]:
    """patient_id in cohort; end_date, admitted and unplanned by contact_type
    (rules.TABLE_NOTES["contacts"])."""
    rules = []
    cohort = tables["cohort"]
    if cohort is not None and table.has("patient_id") and cohort.has("patient_id"):
        expected = f"ett patient_id som finns i {cohort.file}"
        rules.append(
            Rule("patient_id", f"{_filled(table, 'patient_id')} AND p._patient IS NULL", expected)
        )
    if not table.has("contact_type"):
        return rules
    if table.has("end_date"):
        rules += _end_date_rules(table)
    for column, contact_type in (("admitted", "er"), ("unplanned", "inpatient")):
        if table.has(column):
            rules += _flag_rules(table, column, contact_type)
    return rules


def _end_date_rules(table: SqlTable) -> list[Rule]:
    """inpatient: end_date a date ≥ start_date; other contact types: empty."""
    inpatient = f"{_q('contact_type')} = 'inpatient'"
    other = f"{_in('contact_type', CONTACT_TYPES)} AND NOT {inpatient}"
    end = _date(table, "end_date")
    expected = f"utskrivningsdatum ({DATE_TEXT}) för contact_type inpatient"
    rules = [Rule("end_date", f"{inpatient} AND {end} IS NULL", expected)]
    if table.has("start_date"):
        before = f"{end} < {_date(table, 'start_date')} AND {inpatient}"
        detail = f"'(' || {_q('start_date')} || ')'"
        rules.append(Rule("end_date", before, "datum ≥ start_date", detail=detail))
    expected = "tom cell (end_date gäller bara contact_type inpatient)"
    filled = _filled(table, "end_date")
    return [*rules, Rule("end_date", f"{other} AND {filled}", expected)]


def _flag_rules(table: SqlTable, column: str, contact_type: str) -> list[Rule]:
    """column is 0/1 on rows of contact_type and empty on the other contact types."""
    own = f"{_q('contact_type')} = {_text(contact_type)}"
    other = f"{_in('contact_type', CONTACT_TYPES)} AND NOT {own}"
    expected = f"0 eller 1 för contact_type {contact_type}"
    rules = [Rule(column, f"{own} AND NOT {_flag_in(table, column)}", expected)]
    expected = f"tom cell ({column} gäller bara contact_type {contact_type})"
    return [*rules, Rule(column, f"{other} AND {_filled(table, column)}", expected)]


def check_large_table(
    con: duckdb.DuckDBPyConnection, table: SqlTable, tables: Tables
) -> list[Problem]:
    """Every column rule, then every table rule, of one large table."""
    for macro in _MACROS:
        con.execute(macro)
    table_rules = cohort_rules if table.name == "cohort" else contacts_rules
    rules = column_rules(table) + table_rules(table, tables)
    source = _joined(con, table, tables)
    return _problems(con, table, rules, source)


def _joined(con: duckdb.DuckDBPyConnection, table: SqlTable, tables: Tables) -> str:
    """The table's view with what its rules look up: repeated ids, known areas, known
    patients (at most one joined row per row)."""
    source = f'"{table.view}" t'
    if table.name == "cohort":
        if table.has("patient_id"):
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE cohort_repeated AS
                SELECT _row, _first_line FROM (
                    SELECT _row, row_number() OVER w AS k, first_value(_line) OVER w AS _first_line
                    FROM "{table.view}" WINDOW w AS (PARTITION BY patient_id ORDER BY _row))
                WHERE k > 1"""
            )
            source += " LEFT JOIN cohort_repeated d USING (_row)"
        areas = tables["areas"]
        if areas is not None and areas.has("area_id") and table.has("area_id"):
            known = sorted(set(areas["area_id"]))
            con.execute(
                "CREATE OR REPLACE TEMP TABLE known_areas AS SELECT unnest(?::VARCHAR[]) AS _area",
                [known],
            )
            source += f" LEFT JOIN known_areas a ON a._area = {_q('area_id')}"
    else:
        cohort = tables["cohort"]
        if cohort is not None and cohort.has("patient_id") and table.has("patient_id"):
            patients = f'(SELECT DISTINCT patient_id AS _patient FROM "{cohort.view}")'
            source += f" LEFT JOIN {patients} p ON p._patient = {_q('patient_id')}"
    return source


def _problems(
    con: duckdb.DuckDBPyConnection, table: SqlTable, rules: list[Rule], source: str
) -> list[Problem]:
    """Count every rule's rows in one scan; read the first MAX_SHOWN rows of those broken."""
    if not rules:
        return []
    counts = ", ".join(f"count_if({rule.mask})" for rule in rules)
    counted = con.execute(f"SELECT {counts} FROM {source}").fetchall()[0]
    problems = []
    for rule, total in zip(rules, counted, strict=True):
        if not total:
            continue
        found = rule.found or _q(rule.column)
        rows = con.execute(
            f"SELECT t._line, {found}, {rule.detail or 'NULL'} FROM {source} "
            f"WHERE {rule.mask} ORDER BY t._row LIMIT {MAX_SHOWN}"
        ).fetchall()
        lines = [int(row[0]) for row in rows]
        detail = None if rule.detail is None else [row[2] for row in rows]
        values = [row[1] for row in rows]
        problems += capped(table.file, rule.column, rule.expected, lines, values, detail, total)
    return problems
