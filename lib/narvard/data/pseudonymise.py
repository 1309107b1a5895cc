"""`narvard pseudonymise`: a copy of a dataset folder in which every personal identity
number in an id column is replaced by its keyed pseudonym (docs/pseudonymisation.md).

The id columns are those the validator marks pseudonymous (cohort and contacts
``patient_id``, survey_responses ``respondent_id``), in CSV and Parquet files alike.
Everything else is copied unchanged. Nothing is written until every pseudonym is known
and no two identity numbers share one; the result is built in a staging folder and moved
into place whole. No mapping from identity numbers to pseudonyms is kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from narvard.data.identity import (
    PseudonymiseError,
    century_inferred,
    is_identity_number,
    pseudonym,
    read_key,
    twelve_digits,
)
from narvard.data.problem import PERSONNUMMER_INSIDE
from narvard.data.tables import ALL_TABLES, DATASET_FILE, read_dataset_yml, read_table_text
from narvard.data.validate.schema import SCHEMA

ID_COLUMNS: dict[str, tuple[str, ...]] = {
    name: pseudonymous
    for name, columns in SCHEMA.items()
    if (pseudonymous := tuple(c for c, rule in columns.items() if rule.pseudonym))
}
TABLE_SUFFIXES = (".csv", ".parquet")


@dataclass
class _IdTable:
    """One input file with id columns: how often each value occurs per column."""

    path: Path
    counts: dict[str, Counter[str]]
    birth_year_mismatches: int = 0


@dataclass(frozen=True)
class ColumnCount:
    """What happened in one id column of one file."""

    file: str
    column: str
    rows_changed: int
    numbers_changed: int  # distinct identity numbers (people)
    rows_left: int

    def line(self) -> str:
        left = f"{_rows(self.rows_left, 'oförändrad', 'oförändrade')}"
        if not self.rows_changed:
            return f"{self.file}, kolumn {self.column}: inga personnummer, {left}."
        changed = _rows(self.rows_changed, "ändrad", "ändrade")
        people = _count(self.numbers_changed, "personnummer", "personnummer")
        return f"{self.file}, kolumn {self.column}: {changed} ({people}), {left}."


@dataclass
class Summary:
    """The outcome: counts per id column, files copied as they were, warnings (Swedish)."""

    columns: list[ColumnCount]
    copied: list[str]
    people: int
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The Swedish report of what was changed and what was left."""
        lines = [c.line() for c in self.columns]
        if self.copied:
            lines.append("Kopierade oförändrade: " + ", ".join(self.copied) + ".")
        lines.append(
            f"{_count(self.people, 'personnummer', 'personnummer')} ersattes med lika många "
            "pseudonymer, utan krockar. Ingen koppling mellan personnummer och pseudonym "
            "har sparats."
        )
        return lines


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,}".replace(",", " ") + " " + (one if n == 1 else many)


def _rows(n: int, one: str = "", many: str = "") -> str:
    """'1 rad ändrad', '3 rader ändrade' (or just '1 rad', '3 rader')."""
    text = _count(n, "rad", "rader")
    return f"{text} {one if n == 1 else many}".rstrip()


# ---------------------------------------------------------------- the command


def pseudonymise_dataset(
    data_dir: Path, out_dir: Path, key_file: Path, *, force: bool = False
) -> Summary:
    """Write out_dir: data_dir with identity numbers replaced; raise PseudonymiseError
    (nothing written) when the key, the folders or the pseudonyms do not allow it."""
    data_dir, out_dir, key_file = Path(data_dir), Path(out_dir), Path(key_file)
    key = read_key(key_file)
    _check_folders(data_dir, out_dir, key_file, force)
    contacts_to = _contacts_to(data_dir)
    tables = [_read_id_table(path, contacts_to) for path in _id_table_files(data_dir)]
    mapping = _mapping(tables, key, contacts_to)
    staging = _staging_folder(data_dir, out_dir)
    try:
        copied = _write_folder(data_dir, staging, tables, mapping)
        warnings = _birth_year_warnings(tables) + _check_output(staging)
        _publish(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Summary(_column_counts(tables, mapping), copied, len(set(mapping.values())), warnings)


# ---------------------------------------------------------------- folders and dataset.yml


def _check_folders(data_dir: Path, out_dir: Path, key_file: Path, force: bool) -> None:
    """IN exists; OUT is not IN, not inside it and does not hold it; the key is in
    neither; an existing OUT is empty, or a dataset folder replaced with --force."""
    if not data_dir.is_dir():
        raise PseudonymiseError(f"Datamappen {data_dir} finns inte.")
    data, out, key = data_dir.resolve(), out_dir.resolve(), key_file.resolve()
    if out == data or data in out.parents:
        raise PseudonymiseError(
            f"--out ({out_dir}) får inte vara datamappen eller ligga i den: välj en mapp "
            "bredvid, t.ex. data/pseudonymiserad."
        )
    if out in data.parents:
        raise PseudonymiseError(f"--out ({out_dir}) får inte innehålla datamappen {data_dir}.")
    for folder, name in ((data, data_dir), (out, out_dir)):
        if folder in key.parents:
            raise PseudonymiseError(
                f"Nyckelfilen ligger i {name}. Förvara nyckeln utanför datamapparna, så att "
                "den aldrig kopieras eller lämnas ut med data (se docs/pseudonymisation.md)."
            )
    _check_existing_out(out_dir, force)


def _check_existing_out(out_dir: Path, force: bool) -> None:
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise PseudonymiseError(f"--out ({out_dir}) finns redan och är ingen mapp.")
    if not any(out_dir.iterdir()):
        return
    if not force:
        raise PseudonymiseError(
            f"Mappen {out_dir} är inte tom. Välj en ny eller tom mapp, eller ange --force "
            "för att ersätta hela dess innehåll."
        )
    if not (out_dir / DATASET_FILE).is_file():
        raise PseudonymiseError(
            f"--force ersätter bara en mapp som redan är en datamapp (med {DATASET_FILE}); "
            f"{out_dir} är inte det. Välj en ny eller tom mapp."
        )


def _contacts_to(data_dir: Path) -> dt.date:
    """The extract's last date: 10-digit identity numbers get their century from it."""
    try:
        value = read_dataset_yml(data_dir).get("contacts_to")
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        value = None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise PseudonymiseError(
            f"{DATASET_FILE} i {data_dir} saknar ett giltigt contacts_to (ÅÅÅÅ-MM-DD). Det "
            "behövs för att avgöra århundradet i personnummer med tio siffror."
        ) from None


def _staging_folder(data_dir: Path, out_dir: Path) -> Path:
    """An empty folder beside OUT, with the permissions of IN (and always the owner's)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    os.chmod(staging, data_dir.stat().st_mode & 0o777 | 0o700)
    return staging


def _publish(staging: Path, out_dir: Path) -> None:
    """Move the finished staging folder to OUT, replacing what was there."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    staging.rename(out_dir)


# ---------------------------------------------------------------- reading the id columns


def _id_table_files(data_dir: Path) -> list[Path]:
    """Every CSV and Parquet file of a table with id columns (both when both exist)."""
    paths = [data_dir / f"{name}{suffix}" for name in ID_COLUMNS for suffix in TABLE_SUFFIXES]
    return [path for path in paths if path.is_file()]


def _read_text(path: Path) -> pd.DataFrame:
    """The table as text, as the validator reads it; a refusal when it cannot be read."""
    try:
        return read_table_text(path)
    except UnicodeDecodeError:
        reason = "filen är inte kodad som UTF-8"
    except Exception as error:  # noqa: BLE001 - any unreadable file is one clear refusal
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "okänt fel"
    raise PseudonymiseError(
        f"{path.name} kan inte läsas ({reason}). Rätta filen först; `narvard report` visar "
        "vad som är fel."
    )


def _read_id_table(path: Path, contacts_to: dt.date) -> _IdTable:
    frame = _read_text(path)
    columns = [c for c in ID_COLUMNS[path.stem] if c in frame.columns]
    counts = {c: Counter(frame[c].value_counts().to_dict()) for c in columns}
    table = _IdTable(path, counts)
    if path.stem == "cohort" and {"patient_id", "birth_year"} <= set(frame.columns):
        table.birth_year_mismatches = _birth_year_mismatches(frame, contacts_to)
    return table


def _birth_year_mismatches(cohort: pd.DataFrame, contacts_to: dt.date) -> int:
    """Rows whose 10-digit identity number gives a birth year other than birth_year."""
    mismatches = 0
    for value, birth_year in zip(cohort["patient_id"], cohort["birth_year"], strict=True):
        if century_inferred(value) and birth_year.strip().isdigit():
            mismatches += twelve_digits(value, contacts_to)[:4] != birth_year.strip()
    return mismatches


# ---------------------------------------------------------------- the pseudonyms


def _mapping(tables: list[_IdTable], key: bytes, contacts_to: dt.date) -> dict[str, str]:
    """Every identity number as found → its pseudonym; refused on any collision."""
    mapping: dict[str, str] = {}
    number_of: dict[str, str] = {}  # pseudonym -> the 12-digit number it came from
    values = [value for table in tables for counts in table.counts.values() for value in counts]
    for value in values:
        number = twelve_digits(value, contacts_to)
        if number is None or value in mapping:
            continue
        alias = pseudonym(key, number)
        if number_of.setdefault(alias, number) != number:
            raise PseudonymiseError(
                "Två olika personnummer skulle få samma pseudonym med den här nyckeln (en "
                "mycket osannolik krock, se docs/pseudonymisation.md). Inget har skrivits. "
                "Skapa en ny nyckel och pseudonymisera alla leveranser i uppföljningen med den."
            )
        mapping[value] = alias
    if number_of.keys() & {value for value in values if value not in mapping}:
        raise PseudonymiseError(
            "En ny pseudonym är redan ett befintligt id i data, så två personer skulle "
            "slås ihop. Inget har skrivits. Skapa en ny nyckel."
        )
    return mapping


def _column_counts(tables: list[_IdTable], mapping: dict[str, str]) -> list[ColumnCount]:
    counts = []
    for table in tables:
        for column, values in table.counts.items():
            changed = {v: n for v, n in values.items() if v in mapping}
            rows_changed = sum(changed.values())
            people = len({mapping[v] for v in changed})
            left = sum(values.values()) - rows_changed
            counts.append(ColumnCount(table.path.name, column, rows_changed, people, left))
    return counts


# ---------------------------------------------------------------- writing


def _write_folder(
    data_dir: Path, staging: Path, tables: list[_IdTable], mapping: dict[str, str]
) -> list[str]:
    """Every entry of IN into staging: id tables rewritten, the rest copied; returns the
    names of what was copied unchanged."""
    rewritten = {
        table.path.name: table
        for table in tables
        if any(value in mapping for counts in table.counts.values() for value in counts)
    }
    copied = []
    for entry in sorted(data_dir.iterdir()):
        target = staging / entry.name
        if entry.name in rewritten:
            columns = tuple(rewritten[entry.name].counts)
            write = _write_csv if entry.suffix == ".csv" else _write_parquet
            write(entry, target, columns, mapping)
            continue
        if entry.is_dir():
            shutil.copytree(entry, target)
        else:
            shutil.copy2(entry, target)
        copied.append(entry.name)
    return copied


def _write_csv(source: Path, target: Path, columns: tuple[str, ...], mapping: dict) -> None:
    """The CSV file row by row, UTF-8, same columns and order, id cells replaced."""
    with (
        open(source, encoding="utf-8-sig", newline="") as reading,
        open(target, "w", encoding="utf-8", newline="") as writing,
    ):
        reader, writer = csv.reader(reading), csv.writer(writing, lineterminator="\n")
        header = next(reader, [])
        writer.writerow(header)
        positions = [i for i, name in enumerate(header) if name in columns]
        for row in reader:
            for i in positions:
                if i < len(row):
                    row[i] = mapping.get(row[i], row[i])
            writer.writerow(row)


def _write_parquet(source: Path, target: Path, columns: tuple[str, ...], mapping: dict) -> None:
    """The Parquet table with only its id columns replaced; other columns keep their types."""
    table = pq.read_table(source)
    text = read_table_text(source)
    for column in columns:
        values = text[column].tolist()
        if not any(value in mapping for value in values):
            continue
        nulls = table.column(column).is_null().to_pylist()
        new = [None if null else mapping.get(v, v) for v, null in zip(values, nulls, strict=True)]
        old = table.schema.field(column)
        kind = old.type if _is_text(old.type) else pa.string()
        position = table.schema.get_field_index(column)
        table = table.set_column(position, old.with_type(kind), pa.array(new, kind))
    pq.write_table(table, target)


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


# ---------------------------------------------------------------- checks of the result


def _check_output(folder: Path) -> list[str]:
    """Refuse if an id column still holds an identity number; warn (Swedish) about
    identity-number-like text in any other column of any table."""
    warnings = []
    for name in ALL_TABLES:
        for suffix in TABLE_SUFFIXES:
            path = folder / f"{name}{suffix}"
            if path.is_file():
                warnings += _check_table(path, ID_COLUMNS.get(name, ()))
    return warnings


def _check_table(path: Path, id_columns: tuple[str, ...]) -> list[str]:
    frame = _read_text(path)
    warnings = []
    for column in frame.columns:
        codes, uniques = pd.factorize(frame[column])
        if column in id_columns:
            if any(is_identity_number(value) for value in uniques):
                raise PseudonymiseError(
                    f"{path.name}, kolumn {column}: personnummer finns kvar efter "
                    "pseudonymiseringen. Inget har skrivits."
                )
            continue
        hits = [PERSONNUMMER_INSIDE.search(str(value)) is not None for value in uniques]
        cells = int(pd.Series(hits, dtype=bool).to_numpy()[codes].sum()) if len(codes) else 0
        if cells:
            warnings.append(
                f"Varning: {path.name}, kolumn {column}: {_count(cells, 'cell', 'celler')} "
                "innehåller något som liknar ett personnummer. Kommandot ändrar bara "
                "id-kolumnerna; se över kolumnen innan data lämnas vidare."
            )
    return warnings


def _birth_year_warnings(tables: list[_IdTable]) -> list[str]:
    return [
        f"Varning: {table.path.name}: {_rows(table.birth_year_mismatches)} där personnumret "
        "har tio siffror och det härledda födelseåret inte är birth_year (troligen fel "
        "århundrade, t.ex. en person över 100 år utan +). Samma person kan då få olika "
        "pseudonymer i olika leveranser; leverera helst personnummer med tolv siffror."
        for table in tables
        if table.birth_year_mismatches
    ]
