"""A dataset's tables that live in its source database rather than in its folder.

Small tables (areas and the optional ones) are fetched as text and validated like files;
cohort and contacts stay in the database, checked there (``narvard.data.sources.checks``)
and aggregated there (``narvard.data.consumption``).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd

from narvard.data.readers import TextTable
from narvard.data.sources.engine import Engine, SourceError, table_reference
from narvard.data.tables import ALL_TABLES, REQUIRED_TABLES


def database_tables(files: set[str], engine_factory) -> tuple[str, ...]:
    """The contract tables read from the source: each one not present as a file, the
    required ones always (the checks report them when the database lacks them)."""
    try:
        with engine_factory() as engine:
            present = engine.tables()
    except SourceError:
        present = set()
    return tuple(
        name
        for name in ALL_TABLES
        if name not in files and (name in REQUIRED_TABLES or name in present)
    )


def table_label(engine: Engine, name: str) -> str:
    """How a problem names a table in the database (in place of a file name)."""
    return f"{name} ({engine.where})"


def _text(value: object) -> str:
    """A cell as the contract's text form: ISO dates, integers without decimals, '' empty."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, dt.datetime | pd.Timestamp):
        value = value.date() if value == pd.Timestamp(value).normalize() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fetch_text(engine: Engine, name: str) -> TextTable:
    """A (small) table from the database in canonical text form; rows numbered from 1."""
    frame = engine.frame(f"SELECT * FROM {table_reference(name)}")
    frame = frame.map(_text).astype(object) if len(frame) else frame.astype(str)
    frame.columns = [str(c) for c in frame.columns]
    lines = np.arange(1, len(frame) + 1)
    return TextTable(table_label(engine, name), frame, lines, None, ())


def row_count(engine: Engine, name: str) -> int:
    return int(engine.frame(f"SELECT count(*) AS n FROM {table_reference(name)}")["n"].iloc[0])


def fingerprint(engine: Engine, name: str) -> str:
    """What stands for a table's checksum: its rows and the time it was read. A database's
    tables can change under the same name, so each run aggregates them anew."""
    stamp = dt.datetime.now(dt.UTC).isoformat()
    text = f"{engine.where}|{name}|{row_count(engine, name)}|{stamp}"
    return hashlib.sha256(text.encode()).hexdigest()
