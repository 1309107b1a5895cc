"""One input dataset folder, looked at once: which file holds each table, what dataset.yml
says and the checksum of every input. Built by the runner after validation and passed down,
so no later stage searches the folder again."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from narvard.data.tables import ALL_TABLES, DATASET_FILE, find_table, read_dataset_yml

CODEBOOK_FILE = "codebook.yml"


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
    """A dataset folder: ``files`` maps each table present to its file (Parquet preferred)."""

    folder: Path
    files: dict[str, Path]

    @classmethod
    def open(cls, folder: Path | Dataset) -> Dataset:
        if isinstance(folder, Dataset):
            return folder
        folder = Path(folder)
        files = {name: path for name in ALL_TABLES if (path := find_table(folder, name))}
        return cls(folder, files)

    def table_file(self, name: str) -> Path | None:
        return self.files.get(name)

    @cached_property
    def meta(self) -> dict:
        """dataset.yml as plain data."""
        return read_dataset_yml(self.folder)

    @property
    def extract(self) -> tuple[dt.date, dt.date]:
        """(contacts_from, contacts_to): the period the contact extract covers."""
        return _as_date(self.meta["contacts_from"]), _as_date(self.meta["contacts_to"])

    @cached_property
    def checksums(self) -> dict[str, str]:
        """SHA-256 of dataset.yml, the codebook and every table present, by file name."""
        paths = [self.folder / DATASET_FILE]
        if (self.folder / CODEBOOK_FILE).is_file():
            paths.append(self.folder / CODEBOOK_FILE)
        paths += [self.files[name] for name in ALL_TABLES if name in self.files]
        return {path.name: sha256(path) for path in paths}
