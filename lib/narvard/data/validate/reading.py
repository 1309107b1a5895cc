"""Reading the dataset folder: dataset.yml and every table as text, with the problems
of reading itself (missing files, encodings, ragged rows, bad YAML)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from narvard.data.dataset import Dataset
from narvard.data.dialects import DialectError
from narvard.data.readers import TextTable
from narvard.data.tables import DATASET_FILE, REQUIRED_TABLES
from narvard.data.validate.problems import DATE_TEXT, Problem, _shown, _to_dates, _Values
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


def _load_table(dataset: Dataset, name: str) -> tuple[_Table | None, list[Problem]]:
    """Read one table in canonical text form, or report why it cannot be read. None when
    absent."""
    if not dataset.has(name) or name in ("cohort", "contacts") and name in dataset.in_database:
        return None, []  # cohort and contacts in a database are checked there in SQL
    try:
        text = dataset.text(name)
    except DialectError as error:
        return None, error.problems
    except Exception as error:  # noqa: BLE001 - any other reason the file cannot be read
        file = dataset.sources(name)[0].name if dataset.sources(name) else name
        return None, [Problem(file, None, None, "en läsbar tabellfil", _shown(_reason(error)))]
    return _table(name, text)


def _reason(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _table(name: str, text: TextTable) -> tuple[_Table | None, list[Problem]]:
    """Build the table and check its header: required columns present, rows present."""
    table = _Table(name, text.file, text.frame, text.lines, text.header_line, origin=text.origin)
    columns = [str(c) for c in text.frame.columns]
    table.missing = {c for c in SCHEMA[name] if c not in columns}
    where = "i rubrikraden" if text.header_line else "i tabellen"
    problems = [
        Problem(text.file, text.header_line, c, f"kolumnen {c} {where}", _shown(", ".join(columns)))
        for c in SCHEMA[name]
        if c in table.missing
    ]
    if name in NEEDS_ROWS and text.frame.empty:
        problems.append(Problem(text.file, None, None, "minst en rad med data", "inga rader"))
    return table, problems


def _encoding_problem(file: str, data: bytes, error: UnicodeDecodeError) -> Problem:
    """Point at the line of the first byte that is not UTF-8."""
    line = data.count(b"\n", 0, error.start) + 1
    byte = data[error.start : error.start + 1].hex()
    expected = "text kodad som UTF-8 (spara filen som UTF-8, inte t.ex. Windows-1252/Latin-1)"
    return Problem(file, line, None, expected, f"byte 0x{byte}")


def _check_presence(tables: Tables, dataset: Dataset) -> list[Problem]:
    """Required tables exist; survey_responses needs survey_questions."""
    problems = []
    for name in REQUIRED_TABLES:
        if tables[name] is None and not dataset.has(name):
            expected = f"tabellen {name} ({name}.csv, {name}.xlsx eller {name}.parquet), den krävs"
            problems.append(Problem(f"{name}.csv", None, None, expected, "filen saknas"))
    if tables["survey_responses"] is not None and not dataset.has("survey_questions"):
        expected = "tabellen survey_questions (krävs när det finns enkätsvar)"
        problems.append(Problem("survey_questions.csv", None, None, expected, "filen saknas"))
    return problems
