"""The processed form of a dataset: aggregated once, read by every area notebook.

``prepare_dataset`` turns a validated raw folder into ``<processed_root>/<key>/`` with
the per-patient windows (DuckDB) and the small tables as Parquet, plus ``manifest.json``
(dataset facts, SHA-256 of every input file, window length, code version). The key is a
hash of exactly those inputs, so a rerun on unchanged data reuses the folder and two
datasets never overwrite each other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from narvard import __version__
from narvard.data import duck
from narvard.data.consumption import consumption
from narvard.data.dataset import CODEBOOK_FILE, Dataset
from narvard.data.tables import OPTIONAL_TABLES
from narvard.domain import GROUPS

MANIFEST = "manifest.json"
WINDOWS_FILE = "patient_windows.parquet"
MONTHS_FILE = "patient_months.parquet"  # events per patient and month (event study)
SENSITIVITY_WINDOWS = (90, 180, 365)  # window lengths every dataset is also aggregated for
# Bump when the processed folder's layout or content changes: old caches are then rebuilt.
PROCESSED_FORMAT = 5
NUMERIC_COLUMNS = {
    "areas": {"population": "int64"},
    "survey_questions": {"order": "int64"},
    "survey_invitations": {"invited": "int64"},
    "unit_costs": {"cost_sek": "float64", "low_sek": "float64", "high_sek": "float64"},
    "team_costs": {"annual_cost_sek": "float64"},
    "price_index": {"year": "int64", "index": "float64"},
    "staffing": {"fte_per_100k": "float64", "cost_per_fte_sek": "float64"},
}


class ProcessedDataError(RuntimeError):
    """The processed folder does not match what the raw data said (a stage check failed)."""


def input_checksums(data_dir: Path | Dataset) -> dict[str, str]:
    """SHA-256 of dataset.yml and every contract table present, by file name."""
    return Dataset.open(data_dir).checksums


def dataset_key(checksums: dict[str, str], window_days: int) -> str:
    text = json.dumps([checksums, window_days, __version__, PROCESSED_FORMAT], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ProcessedDataset:
    """Read access to one prepared dataset folder. Each file is read once and kept
    (pandas copy-on-write: a caller's changes never reach the kept frame)."""

    folder: Path
    _kept: dict = field(default_factory=dict, repr=False, compare=False)

    def _read(self, name: str, read):
        if name not in self._kept:
            self._kept[name] = read()
        return self._kept[name]

    @property
    def manifest(self) -> dict:
        path = self.folder / MANIFEST
        return self._read(MANIFEST, lambda: json.loads(path.read_text(encoding="utf-8")))

    def windows(self, window_days: int | None = None) -> pd.DataFrame:
        """Per-patient windows for the run's length, or for one of the sensitivity lengths."""
        if window_days is None or window_days == self.manifest["window_days"]:
            name = WINDOWS_FILE
        else:
            name = f"patient_windows_{window_days}.parquet"
        return self._read(name, lambda: pd.read_parquet(self.folder / name))

    def months(self) -> pd.DataFrame:
        """Events per patient, 30-day month around the index date and measure (sparse)."""
        return self._read(MONTHS_FILE, lambda: pd.read_parquet(self.folder / MONTHS_FILE))

    def table(self, name: str) -> pd.DataFrame | None:
        """A small input table with its numeric columns typed; None when the dataset lacks it."""
        path = self.folder / f"{name}.parquet"
        return self._read(path.name, lambda: pd.read_parquet(path) if path.exists() else None)

    def areas(self) -> pd.DataFrame:
        return self.table("areas")

    def codebook_path(self) -> Path | None:
        """The dataset's own codebook for open answers, or None for the shipped default."""
        path = self.folder / CODEBOOK_FILE
        return path if path.exists() else None


def prepare_dataset(
    data_dir: Path | Dataset, processed_root: Path, window_days: int
) -> ProcessedDataset:
    """Aggregate a validated dataset once; reuse the folder when inputs are unchanged."""
    dataset = Dataset.open(data_dir)
    folder = processed_folder(dataset, processed_root, window_days)
    if is_complete(folder, window_days):
        return ProcessedDataset(folder)
    staging = Path(processed_root) / f".{folder.name}.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with duck.spilling_to(Path(processed_root) / f".spill-{os.getpid()}"):
        _aggregate(dataset, staging, folder.name, window_days)
    if folder.exists():
        shutil.rmtree(folder)
    staging.rename(folder)
    return ProcessedDataset(folder)


def processed_folder(data_dir: Path | Dataset, processed_root: Path, window_days: int) -> Path:
    """Where a dataset's processed form is kept: the key of its inputs and window."""
    key = dataset_key(Dataset.open(data_dir).checksums, window_days)
    return Path(processed_root) / key


def _aggregate(dataset: Dataset, staging: Path, key: str, window_days: int) -> None:
    """Write every processed file of the dataset into staging, then check them."""
    lengths = (window_days, *SENSITIVITY_WINDOWS)
    files = {n: staging / f"patient_windows_{n}.parquet" for n in lengths}
    files[window_days] = staging / WINDOWS_FILE
    consumption(dataset, lengths, windows_to=files, months_to=staging / MONTHS_FILE)  # one pass
    n_patients = count_rows(staging / WINDOWS_FILE)
    rows = {"cohort": n_patients, "contacts": dataset.row_count("contacts")}
    for name in ("areas", *OPTIONAL_TABLES):
        if dataset.has(name):
            table = _typed(dataset.text(name).frame.copy(), name)
            table.to_parquet(staging / f"{name}.parquet")
            rows[name] = len(table)
    if (dataset.folder / CODEBOOK_FILE).is_file():
        shutil.copyfile(dataset.folder / CODEBOOK_FILE, staging / CODEBOOK_FILE)
    manifest = _manifest(dataset, key, window_days, n_patients) | {"rows": rows}
    manifest["dialects"] = dataset.dialects()
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), "utf-8")
    check_processed(ProcessedDataset(staging), dataset)


def count_rows(path: Path) -> int:
    """Data rows of a canonical CSV or Parquet table, counted by DuckDB without loading it."""
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    options = "" if path.suffix == ".parquet" else ", header = true, all_varchar = true"
    with duck.connect() as con:
        sql = f"SELECT count(*) FROM {reader}({duck.quoted(path)}{options})"
        return int(con.execute(sql).fetchall()[0][0])


def expected_files(window_days: int) -> list[str]:
    """The files a complete processed folder holds (small optional tables aside)."""
    lengths = [n for n in SENSITIVITY_WINDOWS if n != window_days]
    return [MANIFEST, WINDOWS_FILE, MONTHS_FILE, "areas.parquet"] + [
        f"patient_windows_{n}.parquet" for n in lengths
    ]


def is_complete(folder: Path, window_days: int) -> bool:
    """True when a cached folder can be reused as it is."""
    return all((folder / name).is_file() for name in expected_files(window_days))


def _typed(table: pd.DataFrame, name: str) -> pd.DataFrame:
    for column, dtype in NUMERIC_COLUMNS.get(name, {}).items():
        if column in table:
            table[column] = pd.to_numeric(table[column]).astype(dtype)
    return table


def _manifest(dataset: Dataset, key: str, window_days: int, n_patients: int) -> dict:
    meta = dataset.meta
    return {
        "key": key,
        "dataset_name": str(meta.get("name", "")),
        "synthetic": bool(meta.get("synthetic", False)),
        "contacts_from": str(meta["contacts_from"]),
        "contacts_to": str(meta["contacts_to"]),
        "window_days": int(window_days),
        "sensitivity_windows": list(SENSITIVITY_WINDOWS),
        "input_sha256": dataset.checksums,
        "n_patients": int(n_patients),
        "narvard_version": __version__,
        "prepared_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def check_processed(processed: ProcessedDataset, dataset: Dataset | Path) -> None:
    """Stage check: one window row per cohort patient, known groups, no negative counts
    (counted by DuckDB in the written file: a national file is not loaded for it)."""
    path = duck.quoted(processed.folder / WINDOWS_FILE)
    with duck.connect() as con:
        names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {path}").fetchall()]
        counts = [f'"{n}"' for n in names if n.endswith(("_history", "_before", "_after"))]
        groups = ", ".join(f"'{g}'" for g in GROUPS)
        negative = " OR ".join(f"{c} < 0" for c in counts) or "false"
        rows, repeated, unknown, below = con.execute(
            f"SELECT count(*), count(*) - count(DISTINCT patient_id), "
            f'count_if(coalesce("group" NOT IN ({groups}), true)), count_if({negative}) '
            f"FROM {path}"
        ).fetchone()
    cohort_rows = Dataset.open(dataset).row_count("cohort")
    problems = []
    if rows != cohort_rows:
        problems.append(f"{rows} patient rows, the cohort has {cohort_rows}")
    if repeated:
        problems.append("a patient appears twice")
    if unknown:
        problems.append("unknown group")
    if below:
        problems.append("negative counts")
    if problems:
        raise ProcessedDataError("; ".join(problems))


def latest_processed(processed_root: Path, window_days: int | None = None) -> ProcessedDataset:
    """The most recently prepared dataset under processed_root (for interactive use)."""
    candidates = []
    for manifest in Path(processed_root).glob(f"*/{MANIFEST}"):
        facts = json.loads(manifest.read_text(encoding="utf-8"))
        if window_days is None or facts["window_days"] == window_days:
            candidates.append((facts["prepared_at"], manifest.parent))
    if not candidates:
        raise FileNotFoundError(
            f"No prepared dataset in {processed_root}: run `make report` or `narvard report` first."
        )
    return ProcessedDataset(max(candidates)[1])


def processed_by_key(
    key: str, data_dir: Path, processed_root: Path, window_days: int
) -> ProcessedDataset:
    """The prepared dataset a report names by its key: kept under processed_root, or
    prepared again from data_dir when that folder holds exactly the same inputs."""
    folder = Path(processed_root) / key
    if is_complete(folder, window_days):
        return ProcessedDataset(folder)
    if not Path(data_dir).is_dir():
        raise FileNotFoundError(
            f"The report was made from dataset {key}, which is not prepared under "
            f"{processed_root}, and the data folder {data_dir} does not exist: set "
            "NARVARD_DATA to the folder the report was made from."
        )
    prepared = prepare_dataset(data_dir, processed_root, window_days)
    if prepared.manifest["key"] != key:
        raise ValueError(
            f"The report was made from dataset {key}; the data folder {data_dir} gives "
            f"{prepared.manifest['key']} (other input files, window or narvard version): "
            "set NARVARD_DATA to the folder the report was made from."
        )
    return prepared
