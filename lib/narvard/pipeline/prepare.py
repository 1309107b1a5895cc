"""`narvard prepare`, and the first stage of `narvard report`: validate the input once and
aggregate it once. Both results are kept under the processed folder, keyed by the
SHA-256 of the inputs, so a second run on unchanged data does neither again and says so;
bad data are refused again from the kept result (narvard.data.validate.cache)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from narvard.data import duck
from narvard.data.dataset import Dataset
from narvard.data.processed import ProcessedDataset, is_complete, prepare_dataset, processed_folder
from narvard.data.validate.cache import validate_cached
from narvard.report import formatting as fmt

EXIT_OK, EXIT_FAILED, EXIT_INVALID_INPUT = 0, 1, 2


def say(message: str) -> None:
    print(message, flush=True)


def complain(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def checked_input(data_dir: Path, processed_root: Path, unchanged: str) -> Dataset | None:
    """The dataset when it is valid; else every problem is printed and None returned.
    unchanged names what was left as it was (for the refusal message)."""
    started = time.monotonic()
    source = Dataset.open(data_dir)  # looked at and read once, passed down from here
    source.scratch_in(Path(processed_root) / ".scratch")  # canonical copies, removed after
    with duck.spilling_to(Path(processed_root) / f".spill-{os.getpid()}"):
        problems, kept = validate_cached(source, processed_root)
    if kept:
        say("Indata är oförändrade sedan förra kontrollen (samma SHA-256): kontrolleras inte igen.")
    if problems:
        for problem in problems:
            complain(str(problem))
        complain(f"Indata är inte giltiga: {len(problems)} problem. {unchanged}")
        return None
    if not kept:
        say(f"Indata är giltiga (kontrollerade på {fmt.number(time.monotonic() - started, 1)} s).")
    return source


def prepared(source: Dataset, processed_root: Path, window_days: int) -> ProcessedDataset:
    """The dataset aggregated once per window length: kept, or made now."""
    folder = processed_folder(source, processed_root, window_days)
    if is_complete(folder, window_days):
        say(f"Bearbetade data finns redan för dessa indata (aggregeras inte igen): {folder}")
        dataset = ProcessedDataset(folder)
    else:
        started = time.monotonic()
        say(f"Aggregerar vårdkontakter per patient ({window_days} dagar) …")
        dataset = prepare_dataset(source, processed_root, window_days)
        say(f"Klart på {fmt.number(time.monotonic() - started, 1)} s: {dataset.folder}")
    say("Indatafiler (SHA-256, sparas också i varje results.json):")
    for name, digest in dataset.manifest["input_sha256"].items():
        say(f"  {digest}  {name}")
    return dataset


def prepare_command(data_dir: Path, processed_root: Path, window_days: int) -> int:
    """`narvard prepare` after its first message: validate and aggregate, no reports."""
    if not Path(data_dir).is_dir():
        complain(f"{data_dir}: mappen finns inte.")
        return EXIT_INVALID_INPUT
    source = checked_input(data_dir, processed_root, "Inget har bearbetats.")
    if source is None:
        return EXIT_INVALID_INPUT
    try:
        dataset = prepared(source, processed_root, window_days)
    except Exception as error:  # noqa: BLE001 - one clear message instead of a traceback
        complain(f"Bearbetningen av {data_dir} misslyckades: {type(error).__name__}: {error}.")
        return EXIT_FAILED
    say(f"Bearbetade data: {dataset.folder}")
    return EXIT_OK
