"""`narvard prepare`: validate and aggregate once; a second run on unchanged data does
neither again; one changed byte validates again, and bad data are refused every time
(narvard.pipeline.prepare, narvard.data.validate.cache)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from narvard.cli import main
from narvard.data.processed import WINDOWS_FILE


def prepare(data: Path, processed: Path, capsys, *extra: str) -> tuple[int, str, str]:
    status = main(["prepare", "--data", str(data), "--processed", str(processed), *extra])
    out, err = capsys.readouterr()
    return status, out, err


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_prepare_writes_the_windows_once_and_then_reuses_them(contract_example, tmp_path, capsys):
    processed = tmp_path / "processed"
    status, out, _ = prepare(contract_example, processed, capsys)
    assert status == 0
    assert "Indata är giltiga" in out and "Aggregerar vårdkontakter per patient (180 dagar)" in out
    (folder,) = [p for p in processed.iterdir() if (p / "manifest.json").is_file()]
    windows = pd.read_parquet(folder / WINDOWS_FILE)
    cohort = pd.read_csv(contract_example / "cohort.csv")
    assert sorted(windows["patient_id"]) == sorted(cohort["patient_id"])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"]["contacts"] == len(pd.read_csv(contract_example / "contacts.csv"))
    assert not (processed / ".scratch").exists() or not any((processed / ".scratch").iterdir())
    assert not list(processed.glob(".spill-*"))  # DuckDB's spill folders are removed

    written = (folder / WINDOWS_FILE).stat().st_mtime_ns
    status, out, _ = prepare(contract_example, processed, capsys)
    assert status == 0
    assert "oförändrade sedan förra kontrollen" in out and "aggregeras inte igen" in out
    assert "Aggregerar" not in out and "Indata är giltiga" not in out
    assert (folder / WINDOWS_FILE).stat().st_mtime_ns == written


def test_one_changed_byte_is_validated_and_aggregated_again(contract_example, tmp_path, capsys):
    processed = tmp_path / "processed"
    assert prepare(contract_example, processed, capsys)[0] == 0
    # One byte: a specialist visit moves one day (still valid).
    replace_in(contract_example / "contacts.csv", "specialist,2019-04-01", "specialist,2019-04-02")
    status, out, _ = prepare(contract_example, processed, capsys)
    assert status == 0
    assert "Indata är giltiga" in out and "Aggregerar" in out and "oförändrade" not in out
    assert len([p for p in processed.iterdir() if (p / "manifest.json").is_file()]) == 2


def test_bad_data_are_refused_again_from_the_cache(contract_example, tmp_path, capsys):
    processed = tmp_path / "processed"
    assert prepare(contract_example, processed, capsys)[0] == 0  # valid: kept as valid
    # One byte makes a cohort date impossible: the kept "valid" must not be used.
    replace_in(contract_example / "cohort.csv", "2019-03-01", "2019-13-01")
    status, out, first = prepare(contract_example, processed, capsys)
    assert status == 2
    assert "oförändrade" not in out
    assert 'kolumn index_date: förväntade datum ÅÅÅÅ-MM-DD, fick "2019-13-01"' in first
    assert "Indata är inte giltiga: 1 problem." in first
    status, out, again = prepare(contract_example, processed, capsys)
    assert status == 2
    assert "oförändrade sedan förra kontrollen" in out
    assert again == first  # the same problems, from the kept result
    replace_in(contract_example / "cohort.csv", "2019-13-01", "2019-03-01")
    status, out, _ = prepare(contract_example, processed, capsys)
    assert status == 0 and "oförändrade sedan förra kontrollen" in out  # the first result


def test_prepare_refuses_a_missing_folder(tmp_path, capsys):
    status, _, err = prepare(tmp_path / "nowhere", tmp_path / "processed", capsys)
    assert status == 2 and "mappen finns inte" in err


def test_the_stage_check_names_every_fault_of_the_written_windows(contract_example, tmp_path):
    """check_processed reads the written windows file: a missing or repeated patient, an
    unknown group and a negative count are each named; the file as written passes."""
    import pytest
    from narvard.data.processed import ProcessedDataError, ProcessedDataset, check_processed

    status = main(["prepare", "--data", str(contract_example), "--processed", str(tmp_path)])
    assert status == 0
    (folder,) = [p for p in tmp_path.iterdir() if (p / "manifest.json").is_file()]
    check_processed(ProcessedDataset(folder), contract_example)
    windows = pd.read_parquet(folder / WINDOWS_FILE)
    broken = windows.copy()
    broken.loc[1, "patient_id"] = broken.loc[0, "patient_id"]
    broken.loc[2, "group"] = "okänd"
    broken.loc[0, "er_visits_before"] = -1
    broken = broken.iloc[:-1]
    broken.to_parquet(folder / WINDOWS_FILE, index=False)
    with pytest.raises(ProcessedDataError) as error:
        check_processed(ProcessedDataset(folder), contract_example)
    assert str(error.value) == (
        f"{len(windows) - 1} patient rows, the cohort has {len(windows)}; a patient appears "
        "twice; unknown group; negative counts"
    )
