"""One input dataset folder, looked at once: which file holds each table, what dataset.yml
says, the checksum of every input, and every table read once into its canonical text form
(``text``), in whatever dialect it was written. Built by the runner before validation and
passed down, so no later stage searches or reads the folder again."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from narvard.data.dialects import BOM, Dialect, decode, detect_separator, line_endings
from narvard.data.duck import copy_csv_as_text
from narvard.data.readers import TextTable, read_text_table
from narvard.data.tables import (
    ALL_TABLES,
    DATASET_FILE,
    find_table,
    numeric_columns,
    read_dataset_yml,
)
from narvard.data.wide_surveys import find_wide_surveys, read_survey_responses

CODEBOOK_FILE = "codebook.yml"
# Tables that may hold millions of rows: validated in DuckDB, never read into pandas.
LARGE_TABLES = ("cohort", "contacts")
SURVEY_RESPONSES = "survey_responses"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Dataset:
    """A dataset folder: ``files`` maps each table present to its file (Parquet, then
    .xlsx, then CSV); ``surveys`` maps survey ids to wide survey files."""

    folder: Path
    files: dict[str, Path]
    surveys: dict[str, Path] = field(default_factory=dict)
    _kept: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def open(cls, folder: Path | Dataset) -> Dataset:
        if isinstance(folder, Dataset):
            return folder
        folder = Path(folder)
        files = {name: path for name in ALL_TABLES if (path := find_table(folder, name))}
        surveys = find_wide_surveys(folder) if folder.is_dir() else {}
        return cls(folder, files, surveys)

    def table_file(self, name: str) -> Path | None:
        return self.files.get(name)

    def has(self, name: str) -> bool:
        """True when the folder holds the table (survey_responses also as wide files) or
        the source database does."""
        in_folder = name in self.files or (name == SURVEY_RESPONSES and bool(self.surveys))
        return in_folder or name in self.in_database

    @cached_property
    def in_database(self) -> tuple[str, ...]:
        """The contract tables read from the dataset.yml's source (docs/sources.md)."""
        if self.source_url is None:
            return ()
        from narvard.data.sources import open_engine
        from narvard.data.sources.tables import database_tables

        files = set(self.files) | ({SURVEY_RESPONSES} if self.surveys else set())
        return database_tables(files, lambda: open_engine(self))

    def row_count(self, name: str) -> int:
        """Data rows of a table, counted where it is (DuckDB for files, or the database)."""
        if name in self.in_database:
            from narvard.data.sources import open_engine
            from narvard.data.sources.tables import row_count

            with open_engine(self) as engine:
                return row_count(engine, name)
        from narvard.data.processed import count_rows

        return count_rows(self.duckdb_file(name))

    def sources(self, name: str) -> list[Path]:
        """Every file the table is read from (none for a table in the source database)."""
        paths = [self.files[name]] if name in self.files else []
        return paths + (list(self.surveys.values()) if name == SURVEY_RESPONSES else [])

    def text(self, name: str) -> TextTable | None:
        """The table in canonical text form, read once; None when absent.

        Raises narvard.data.dialects.DialectError when a file cannot be read for certain.
        """
        if not self.has(name):
            return None
        if name not in self._kept:
            if name in self.in_database:
                from narvard.data.sources import open_engine
                from narvard.data.sources.tables import fetch_text

                with open_engine(self) as engine:
                    read = fetch_text(engine, name)
            elif name == SURVEY_RESPONSES:
                read = read_survey_responses(self.files.get(name), self.surveys)
            else:
                read = read_text_table(self.files[name], numeric_columns(name))
            self._kept[name] = read
        return self._kept[name]

    def dialect(self, name: str) -> tuple[Dialect, ...]:
        """How the table's files are written. A comma-separated UTF-8 CSV is told from its
        first bytes (its decimal mark is a point by the contract); others are read.
        Tables in the source database have no file dialect."""
        if name in self.in_database:
            return ()
        if name not in self._kept and name in self.files and name != SURVEY_RESPONSES:
            if self.files[name].suffix == ".parquet":  # read as it is: no need to load it
                return (Dialect(self.files[name].name, "parquet"),)
            quick = _comma_utf8_csv(self.files[name])
            if quick is not None:
                return (quick,)
        text = self.text(name)
        return () if text is None else text.dialects

    def dialects(self) -> list[dict]:
        """Every input file and how it was read (the processed manifest's `dialects`)."""
        return [
            {"table": name} | d.as_dict()
            for name in ALL_TABLES
            if self.has(name)
            for d in self.dialect(name)
        ]

    def duckdb_file(self, name: str) -> Path:
        """A file DuckDB reads as it is: the table's own file when it is Parquet or a UTF-8
        comma CSV with decimal points, else a canonical Parquet copy written once. A large
        table in such a CSV is parsed once, by DuckDB, into a Parquet copy of its text
        that validation and every aggregation then read (docs/performance.md)."""
        copy = self._scratch() / f"{name}.parquet"
        if copy.exists():
            return copy
        dialects = self.dialect(name)
        if len(dialects) == 1 and dialects[0].canonical:
            large_csv = name in LARGE_TABLES and dialects[0].format == "csv"
            if large_csv and copy_csv_as_text(self.files[name], copy) is not None:
                return copy
            return self.files[name]
        self.text(name).frame.to_parquet(copy, index=False)
        return copy

    def scratch_in(self, parent: Path) -> None:
        """Keep the canonical copies in a private folder under parent (e.g. beside the
        processed data, where there is room for a national extract), not in /tmp."""
        if "_scratch" not in self._kept:
            parent.mkdir(parents=True, exist_ok=True)
            self._kept["_scratch_parent"] = parent

    def _scratch(self) -> Path:
        """A private temporary folder for canonical copies, removed with the dataset."""
        if "_scratch" not in self._kept:
            parent = self._kept.get("_scratch_parent")
            folder = Path(tempfile.mkdtemp(prefix="narvard-canonical-", dir=parent))
            weakref.finalize(self, shutil.rmtree, folder, True)
            self._kept["_scratch"] = folder
        return self._kept["_scratch"]

    @cached_property
    def meta(self) -> dict:
        """dataset.yml as plain data."""
        return read_dataset_yml(self.folder)

    @property
    def source_url(self) -> str | None:
        """The SQL warehouse dataset.yml names as ``source`` (docs/sources.md), or None."""
        try:
            source = self.meta.get("source")
        except Exception:  # noqa: BLE001 - a missing or broken dataset.yml is reported by its check
            return None
        return None if source in (None, "") else str(source).strip()

    @property
    def extract(self) -> tuple[dt.date, dt.date]:
        """(contacts_from, contacts_to): the period the contact extract covers."""
        return _as_date(self.meta["contacts_from"]), _as_date(self.meta["contacts_to"])

    @cached_property
    def checksums(self) -> dict[str, str]:
        """SHA-256 of dataset.yml, the codebook and every table file present, by file name."""
        paths = [self.folder / DATASET_FILE]
        if (self.folder / CODEBOOK_FILE).is_file():
            paths.append(self.folder / CODEBOOK_FILE)
        paths += [p for name in ALL_TABLES for p in self.sources(name)]
        sums = {path.name: sha256(path) for path in paths}
        if self.in_database:
            from narvard.data.sources import open_engine
            from narvard.data.sources.tables import fingerprint, table_label

            with open_engine(self) as engine:
                for name in self.in_database:
                    sums[table_label(engine, name)] = fingerprint(engine, name)
        return sums


def _comma_utf8_csv(path: Path) -> Dialect | None:
    """The dialect of a comma-separated UTF-8 CSV file, or None for any other file."""
    if path.suffix != ".csv":
        return None
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    try:
        text, encoding = decode(head.rsplit(b"\n", 1)[0] if b"\n" in head else head, path.name)
        separator = detect_separator(text, path.name)
    except Exception:  # noqa: BLE001 - anything unusual is read in full instead
        return None
    if encoding == "windows-1252" or separator != ",":
        return None
    encoding = "utf-8-sig" if head.startswith(BOM) else "utf-8"
    return Dialect(path.name, "csv", ",", encoding, ".", line_endings(text))
