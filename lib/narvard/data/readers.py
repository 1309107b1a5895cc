"""Reading one table file (CSV in any dialect, .xlsx or Parquet) into the canonical text
form every later step uses: every cell a string exactly as written, empty cells '',
numbers with a decimal point, and the true file line (CSV) or sheet row (.xlsx) or row
number (Parquet) of every row. ``read_text_table`` raises ``DialectError`` with the
problems when a file cannot be read for certain (docs/validation.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from narvard.data.dialects import (
    Dialect,
    DialectError,
    canonical_numbers,
    decode,
    detect_separator,
    header_row,
    line_endings,
    separator_name,
)
from narvard.data.problem import Problem, capped, shown

if TYPE_CHECKING:  # only a type: wide_surveys imports this module
    from narvard.data.wide_surveys import Origin


@dataclass
class TextTable:
    """A table in canonical text form, with the line of every row and how it was read."""

    file: str
    frame: pd.DataFrame
    lines: np.ndarray
    header_line: int | None
    dialects: tuple[Dialect, ...]
    origin: Origin | None = field(default=None, repr=False)  # rows from several files


def read_text_table(path: Path, numeric: Iterable[str] = ()) -> TextTable:
    """Read a .csv, .xlsx or .parquet table; numeric names the columns whose decimal
    mark is detected and rewritten as a point."""
    path = Path(path)
    if path.suffix == ".parquet":
        return _read_parquet(path)
    if path.suffix == ".xlsx":
        return _read_xlsx(path, numeric)
    return _read_csv(path, numeric)


# ---------------------------------------------------------------- CSV


def _read_csv(path: Path, numeric: Iterable[str]) -> TextTable:
    file = path.name
    data = path.read_bytes()
    text, encoding = decode(data, file)
    header_line, _ = header_row(text)
    if not header_line:
        raise DialectError([_unreadable(file, "csv", "tom fil utan rubrikrad")])
    separator = detect_separator(text, file)
    try:
        frame = pd.read_csv(  # the bytes: pandas decodes them faster than it reads a str
            io.BytesIO(data),
            encoding=encoding,
            sep=separator,
            dtype=str,
            keep_default_na=False,
            na_values=[],
            skipinitialspace=False,
        )
    except pd.errors.ParserError as error:
        problems = ragged_rows(text, separator, file) or [_csv_error(file, error)]
        raise DialectError(problems) from None
    frame = frame.fillna("").astype(str)
    lines = _record_lines(text, separator, frame, header_line, file)
    decimal = "."  # a comma-separated file has decimal points (a comma would split the cell)
    if separator == ";":
        frame, decimal = canonical_numbers(frame, lines, numeric, file)
    dialect = Dialect(file, "csv", separator, encoding, decimal, line_endings(text))
    return TextTable(file, frame, lines, header_line, (dialect,))


def _record_lines(
    text: str, separator: str, frame: pd.DataFrame, header_line: int, file: str
) -> np.ndarray:
    """The starting line of every data row; ragged rows raise DialectError.

    A file without quotes or blank lines whose separator count is exactly (columns - 1)
    per line has row i on line header_line + 1 + i; everything else is scanned.
    """
    records = len(frame) + 1
    line_count = text.count("\n") + (0 if text.endswith("\n") else 1)
    plain = (
        header_line == 1
        and '"' not in text
        and "\r" not in text.replace("\r\n", "")
        and line_count == records
        and text.count(separator) == (len(frame.columns) - 1) * records
    )
    if plain:
        return np.arange(len(frame)) + header_line + 1
    records = scan_csv(text, separator)
    ragged = ragged_rows(text, separator, file, records)
    if ragged:
        raise DialectError(ragged)
    lines = np.array([line for line, _ in records[1:]], dtype=int)
    return lines if len(lines) == len(frame) else np.arange(len(frame)) + header_line + 1


def scan_csv(text: str, separator: str) -> list[tuple[int, list[str]]]:
    """Every non-blank CSV record with the line it starts on (blank lines are skipped)."""
    records = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    previous = 0
    try:
        for record in reader:
            if len(record) > 1 or (record and record[0].strip()):
                records.append((previous + 1, record))
            previous = reader.line_num
    except csv.Error:
        pass  # e.g. a quote left open at the end: the rows read so far are kept
    return records


def ragged_rows(
    text: str, separator: str, file: str, records: list[tuple[int, list[str]]] | None = None
) -> list[Problem]:
    """Rows whose number of fields differs from the header row (records: scan_csv's)."""
    records = scan_csv(text, separator) if records is None else records
    if not records:
        return []
    width = len(records[0][1])
    bad = [(line, record) for line, record in records[1:] if len(record) != width]
    other = "," if separator == ";" else ";"

    def detail(record: list[str]) -> str:
        joined = separator.join(record)
        if len(next(csv.reader([joined], delimiter=other))) == width:
            return f"(raden har {len(record)}; den verkar använda {separator_name(other)})"
        return f"(raden har {len(record)})"

    return capped(
        file,
        None,
        f"{width} fält per rad, lika många som rubrikraden ({separator_name(separator)})",
        [line for line, _ in bad],
        [separator.join(record) for _, record in bad],
        [detail(record) for _, record in bad],
    )


def _csv_error(file: str, error: Exception) -> Problem:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return _unreadable(file, "csv", reason)


def _unreadable(file: str, kind: str, reason: str) -> Problem:
    what = {
        "csv": "CSV-fil med rubrikrad (komma- eller semikolonseparerad)",
        "xlsx": "Excel-arbetsbok (.xlsx) med rubrikrad på första bladet",
        "parquet": "Parquet-fil",
    }[kind]
    return Problem(file, None, None, f"en läsbar {what}", shown(reason))


# ---------------------------------------------------------------- Parquet


def _read_parquet(path: Path) -> TextTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        text = pd.DataFrame({str(c): _arrow_text(table[c]) for c in table.column_names})
    except Exception as error:  # noqa: BLE001 - any reason the file cannot be read
        raise DialectError([_unreadable(path.name, "parquet", _reason(error))]) from None
    text = text.reset_index(drop=True)
    lines = np.arange(len(text)) + 1
    return TextTable(path.name, text, lines, None, (Dialect(path.name, "parquet"),))


def _arrow_text(column) -> pd.Series:
    """A Parquet column as text. Text, dates and whole numbers are converted in Arrow, without
    a call per cell (millions of contact rows), to the text ``cell_text`` gives; other types
    go through ``_column_text``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = column
    elif pa.types.is_date(kind):
        text = pc.strftime(column, "%Y-%m-%d")
    elif pa.types.is_integer(kind):
        text = column.cast(pa.string())
    else:
        return _column_text(column.to_pandas())
    return text.fill_null("").to_pandas().astype(str)


def _column_text(values: pd.Series) -> pd.Series:
    """A typed Parquet column as text; plain text and whole-number columns without a
    call per cell."""
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.dt.strftime("%Y-%m-%d")
    missing = values.isna()
    if pd.api.types.is_integer_dtype(values) and not missing.any():
        return values.astype(str)
    textual = pd.api.types.is_string_dtype(values) or values.dtype == object
    if textual and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.astype(object).where(~missing, "").astype(str)
    return values.map(cell_text).astype(str)


def _reason(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def cell_text(value: object) -> str:
    """A typed cell (Parquet, .xlsx) as text: whole floats without .0, dates ISO, flags 0/1."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, dt.datetime) and value.time() != dt.time(0):
        return value.isoformat(sep=" ")
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


# ---------------------------------------------------------------- Excel


def _read_xlsx(path: Path, numeric: Iterable[str]) -> TextTable:
    """The first sheet (read with calamine): the first non-empty row is the header; empty
    rows are skipped and every row keeps its sheet row number."""
    from python_calamine import CalamineWorkbook

    file = path.name
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        cells = sheet.to_python(skip_empty_area=False)  # from A1: true row numbers
        title = sheet.name
    except Exception as error:  # noqa: BLE001 - not a workbook, encrypted, broken zip …
        raise DialectError([_unreadable(file, "xlsx", _reason(error))]) from None
    raw = pd.DataFrame(cells, dtype=object)
    text = pd.DataFrame({i: _column_text(raw[i]) for i in raw.columns}, index=raw.index)
    filled = text.apply(lambda column: column.str.strip().ne("")).any(axis=1).to_numpy()
    if not filled.any():
        raise DialectError([_unreadable(file, "xlsx", "tomt första blad")])
    text, numbers = text[filled].reset_index(drop=True), np.flatnonzero(filled) + 1
    frame = _sheet_frame(text, numbers, file)
    lines = numbers[1:]
    frame, decimal = canonical_numbers(frame, lines, numeric, file)
    dialect = Dialect(file, "xlsx", decimal=decimal, sheet=title)
    return TextTable(file, frame, lines, int(numbers[0]), (dialect,))


def _sheet_frame(text: pd.DataFrame, numbers: np.ndarray, file: str) -> pd.DataFrame:
    """The header row names the columns; columns without a header are dropped when empty
    (e.g. a table that starts in column C) and refused when they hold values."""
    header = text.iloc[0].tolist()
    data = text.iloc[1:].reset_index(drop=True)
    unnamed = [i for i, name in enumerate(header) if name == ""]
    stray = data[unnamed].ne("").any(axis=1).to_numpy() if unnamed else np.zeros(len(data), bool)
    if stray.any():
        rows = np.flatnonzero(stray)
        found = ["; ".join(v for v in data.loc[r, unnamed] if v) for r in rows[:20]]
        expected = "värden bara i kolumner med en rubrik i rubrikraden"
        return_lines = numbers[1:][rows]
        raise DialectError(
            capped(file, None, expected, return_lines[:20].tolist(), found, total=len(rows))
        )
    frame = data.drop(columns=unnamed)
    frame.columns = [header[i] for i in frame.columns]
    return frame
