"""The large tables (cohort, contacts) as DuckDB views for the rules that run as SQL
(``narvard.data.validate.sql_rules``), so that tens of millions of rows are checked
without a pandas copy (docs/performance.md). Every view has ``_row`` (0-based, in file
order), ``_line`` (the row's line as problems name it) and every column as text exactly
as written ('' when empty) — the same canonical text form as ``narvard.data.readers``.

Three ways in:

- a comma-separated UTF-8 CSV without quotes, stray CRs or blank lines (as database
  extracts are written) is parsed once, by DuckDB, into the Parquet copy of its text
  that aggregation reads too (``Dataset.duckdb_file``); row i is on line i + 2;
- a Parquet file is read by DuckDB, each typed column written as text as the Python
  reader writes it; row i is row i + 1;
- any other file (Excel, semicolons, Windows-1252, quoted text, a file DuckDB refuses)
  is read by the Python reader, whose frame and true lines are handed to DuckDB; its
  reading problems are reported as for every other table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from narvard.data.dataset import Dataset
from narvard.data.dialects import DialectError
from narvard.data.duck import quoted
from narvard.data.problem import Problem, shown
from narvard.data.validate.schema import NEEDS_ROWS, SCHEMA

if TYPE_CHECKING:
    import duckdb

BLOCK = 1 << 24


@dataclass
class SqlTable:
    """A table in DuckDB: ``view`` has _row, _line and every column as text."""

    name: str
    file: str
    view: str
    columns: list[str]
    rows: int
    header_line: int | None
    missing: set[str] = field(default_factory=set)
    origin: None = None  # one file (wide survey files are never large)
    # Columns of a typed Parquet file kept beside their text as raw_column(c): "date" or
    # "int" (see RAW_KINDS). Rules on them need not parse the text (sql_rules).
    raw: dict[str, str] = field(default_factory=dict)

    def has(self, *columns: str) -> bool:
        return not self.missing.intersection(columns)


def load_large_table(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, name: str
) -> tuple[SqlTable | None, list[Problem]]:
    """The table as a view in con, with the problems of reading it and of its header."""
    if not dataset.has(name):
        return None, []
    path = dataset.files[name]
    view = f"{name}_text"
    if path.suffix == ".csv" and _plain_csv_view(con, dataset, name, view):
        table = _described(con, name, path.name, view, header_line=1)
    elif path.suffix == ".parquet" and (raw := _parquet_view(con, path, view)) is not None:
        table = _described(con, name, path.name, view, header_line=None, raw=raw)
    else:
        try:
            text = dataset.text(name)
        except DialectError as error:
            return None, error.problems
        except Exception as error:  # noqa: BLE001 - any other reason the file cannot be read
            reason = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            return None, [Problem(path.name, None, None, "en läsbar tabellfil", shown(reason))]
        frame = text.frame.assign(_row=range(len(text.frame)), _line=text.lines)
        con.register(f"{view}_frame", frame)
        con.execute(f'CREATE VIEW "{view}" AS SELECT * FROM "{view}_frame"')
        table = _described(con, name, text.file, view, text.header_line)
    return table, header_problems(table)


def header_problems(table: SqlTable) -> list[Problem]:
    """Required columns present; areas and cohort hold rows (as narvard.data.validate.reading)."""
    table.missing = {c for c in SCHEMA[table.name] if c not in table.columns}
    where = "i rubrikraden" if table.header_line else "i tabellen"
    found = shown(", ".join(table.columns))
    problems = [
        Problem(table.file, table.header_line, c, f"kolumnen {c} {where}", found)
        for c in SCHEMA[table.name]
        if c in table.missing
    ]
    if table.name in NEEDS_ROWS and table.rows == 0:
        problems.append(Problem(table.file, None, None, "minst en rad med data", "inga rader"))
    return problems


def raw_column(column: str) -> str:
    """The name under which a typed Parquet column's own value sits in the view."""
    return f"__raw__{column}"


def _described(
    con, name: str, file: str, view: str, header_line: int | None, raw: dict | None = None
) -> SqlTable:
    columns = [c for c in con.sql(f'SELECT * FROM "{view}" LIMIT 0').columns]
    columns = [c for c in columns if c not in ("_row", "_line") and not c.startswith("__raw__")]
    rows = con.execute(f'SELECT count(*) FROM "{view}"').fetchall()[0][0]
    return SqlTable(name, file, view, columns, int(rows), header_line, raw=raw or {})


def _plain_csv_view(con, dataset: Dataset, name: str, view: str) -> bool:
    """A view over DuckDB's text copy when every row is on its own line (line = row + 2)."""
    try:
        dialects = dataset.dialect(name)
    except Exception:  # noqa: BLE001 - the Python reader reads it again and says why
        return False
    if len(dialects) != 1 or not dialects[0].canonical:
        return False
    copy = dataset.duckdb_file(name)
    if copy == dataset.files[name]:  # DuckDB could not read it strictly
        return False
    source = f"read_parquet({quoted(copy)}, file_row_number = true)"
    rows = con.execute(f"SELECT count(*) FROM {source}").fetchall()[0][0]
    width = len(con.execute(f"DESCRIBE SELECT * FROM read_parquet({quoted(copy)})").fetchall())
    if not _one_line_per_row(dataset.files[name], rows, width):
        return False
    con.execute(
        f'CREATE VIEW "{view}" AS SELECT file_row_number AS _row, file_row_number + 2 AS _line, '
        f"* EXCLUDE (file_row_number) FROM {source}"
    )
    return True


def _one_line_per_row(path: Path, rows: int, width: int) -> bool:
    """No quote, no CR but in CRLF, header + rows lines and width − 1 commas on each (DuckDB
    accepts a trailing comma; a line with too few is an error there): row i is on line i + 2."""
    newlines = returns = pairs = commas = 0
    last = b""
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            if b'"' in block:
                return False
            newlines += block.count(b"\n")
            commas += block.count(b",")
            if b"\r" in block:
                returns += block.count(b"\r")
                pairs += (last + block).count(b"\r\n")
            elif last == b"\r":  # the previous block ended in CR: CRLF split in two?
                pairs += block[:1] == b"\n"
            last = block[-1:]
    lines = newlines + (0 if last == b"\n" else 1)
    return returns == pairs and lines == rows + 1 and commas == (width - 1) * lines


# Parquet types and how their values are written as text (narvard.data.readers.cell_text):
# whole numbers without .0, dates as YYYY-MM-DD, flags as 1/0, missing values empty.
_TEXT = {
    "VARCHAR": "{c}",
    "BOOLEAN": "CASE WHEN {c} THEN '1' ELSE '0' END",
    "DATE": "strftime({c}, '%Y-%m-%d')",
    "TIMESTAMP": "strftime({c}, '%Y-%m-%d')",  # a time column is written as its date
    "DOUBLE": "CASE WHEN {c} = trunc({c}) AND abs({c}) < 1e15 "
    "THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) ELSE CAST({c} AS VARCHAR) END",
}
for _kind in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"):
    _TEXT[_kind] = "CAST({c} AS VARCHAR)"
_TEXT["TIMESTAMP_NS"] = _TEXT["TIMESTAMP_MS"] = _TEXT["TIMESTAMP_S"] = _TEXT["TIMESTAMP"]


# Typed Parquet columns whose rules can use the value instead of its text: a date (or a
# time, written as its date) and a whole number are always filled, valid and the same
# value when not null.
RAW_KINDS = {"DATE": "date", "TIMESTAMP": "date", "TIMESTAMP_NS": "date"}
RAW_KINDS |= {"TIMESTAMP_MS": "date", "TIMESTAMP_S": "date"}
RAW_KINDS |= {k: "int" for k in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT")}
RAW_KINDS |= {k: "int" for k in ("UTINYINT", "USMALLINT", "UINTEGER")}


def _parquet_view(con, path: Path, view: str) -> dict[str, str] | None:
    """A text view over a Parquet file whose column types are all in _TEXT (line = row + 1),
    with the raw value of each column whose type is in RAW_KINDS; returns those columns'
    kinds, or None when the file needs the Python reader."""
    import duckdb

    source = f"read_parquet({quoted(path)}, file_row_number = true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    except duckdb.Error:
        return None
    cells, raw = [], {}
    for column, kind, *_ in described:
        if column == "file_row_number":
            continue
        if kind not in _TEXT or column in ("_row", "_line") or column.startswith("__raw__"):
            return None  # e.g. a time zone, decimal or nested column: the Python reader
        name = '"' + column.replace('"', '""') + '"'
        cells.append(f"coalesce({_TEXT[kind].format(c=name)}, '') AS {name}")
        if kind in RAW_KINDS:
            raw[column] = RAW_KINDS[kind]
            cells.append(f"{name} AS " + '"' + raw_column(column).replace('"', '""') + '"')
    con.execute(
        f'CREATE VIEW "{view}" AS SELECT file_row_number AS _row, file_row_number + 1 AS _line, '
        f"{', '.join(cells)} FROM {source}"
    )
    return raw
