"""Reading the dataset folder: dataset.yml and every table as text, with the problems
of reading itself (missing files, encodings, ragged rows, bad YAML)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from narvard.data.tables import (
    DATASET_FILE,
    REQUIRED_TABLES,
    find_table,
    first_data_line,
    read_table_text,
)
from narvard.data.validate.problems import DATE_TEXT, Problem, _capped, _shown, _to_dates, _Values
from narvard.data.validate.schema import NEEDS_ROWS, SCHEMA, Tables, _Table

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
