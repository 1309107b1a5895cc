"""DuckDB connections with the project's limits (docs/performance.md).

Memory is capped (``NARVARD_DUCKDB_MEMORY``, default 3 GB) so that a national dataset of
tens of millions of contacts is validated and aggregated within about 4 GB of memory;
what does not fit spills to a temporary folder, beside the processed data while a
dataset is prepared (``spilling_to``), rather than failing or swapping.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # duckdb is imported when a connection is made (a quick command line)
    import duckdb

MEMORY_ENV = "NARVARD_DUCKDB_MEMORY"
DEFAULT_MEMORY = "3GB"
_spill: list[Path] = []  # the innermost spilling_to folder, if any


def memory_limit() -> str:
    return os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY


def spill_folder() -> Path:
    """Where DuckDB writes what does not fit in memory."""
    return _spill[-1] if _spill else Path(tempfile.gettempdir()) / "narvard-duckdb"


@contextmanager
def spilling_to(folder: Path) -> Iterator[Path]:
    """Connections made inside the block spill to folder (removed when empty)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _spill.append(folder)
    try:
        yield folder
    finally:
        _spill.pop()
        with suppress(OSError):  # not empty (another process) or already gone
            folder.rmdir()


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a memory cap and a spill folder."""
    import duckdb

    folder = spill_folder()
    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "memory_limit": memory_limit(),
        "temp_directory": str(folder),
    }
    con = duckdb.connect(config=config)
    with suppress(duckdb.Error):  # in Jupyter, DuckDB refuses any change without ipywidgets
        con.execute("SET enable_progress_bar = false")  # the messages are ours
    return con


def quoted(path: Path | str) -> str:
    """A path as a SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def csv_header(path: Path) -> list[str] | None:
    """The column names of a comma-separated UTF-8 CSV file's first line, or None."""
    import csv

    with open(path, "rb") as handle:
        first = handle.readline()
    try:
        text = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        return None
    return next(csv.reader([text]), None)


def copy_csv_as_text(path: Path, target: Path) -> list[str] | None:
    """Read a comma-separated UTF-8 CSV with DuckDB into a Parquet file of text columns
    ('' for empty cells), in file order; the column names, or None when DuckDB cannot
    read it strictly (ragged rows, bad UTF-8, odd header): the Python reader then reads
    the file and says why (narvard.data.readers)."""
    import duckdb

    columns = csv_header(path)
    if not columns or len(set(columns)) != len(columns) or "" in columns:
        return None
    types = ", ".join(f"{quoted(c)}: 'VARCHAR'" for c in columns)
    cells = ", ".join(f'coalesce("{_ident(c)}", \'\') AS "{_ident(c)}"' for c in columns)
    source = (
        f"read_csv({quoted(path)}, header = true, delim = ',', quote = '\"', escape = '\"', "
        f"auto_detect = false, strict_mode = true, null_padding = false, columns = {{{types}}})"
    )
    with connect() as con:
        try:
            con.execute(f"COPY (SELECT {cells} FROM {source}) TO {quoted(target)} (FORMAT parquet)")
        except duckdb.Error:
            target.unlink(missing_ok=True)
            return None
    return columns


def _ident(name: str) -> str:
    return name.replace('"', '""')
