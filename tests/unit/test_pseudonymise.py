"""`narvard pseudonymise` (docs/pseudonymisation.md): identity numbers in every form the
validator refuses become one keyed pseudonym per person; nothing else changes; the key
and the identity numbers end up nowhere."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import CONTRACT_EXAMPLE, assert_matches, with_identity_numbers, write_csv
from narvard.cli import main
from narvard.data import identity
from narvard.data.identity import (
    PseudonymiseError,
    is_identity_number,
    pseudonym,
    read_key,
    twelve_digits,
)
from narvard.data.problem import PERSONNUMMER_INSIDE
from narvard.data.validate import validate_dataset

END = dt.date(2019, 12, 31)  # contacts_to of the tables below
KEY = "5f1c0a9e3b7d4c2a8e6f1b0d9c7a5e3f2b1d0c9e8f7a6b5c4d3e2f1a0b9c8d7e"
OTHER_KEY = "0" * 63 + "1"
PSEUDONYM = re.compile(r"P-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}")

# Four people, each written one way in the cohort and other ways in the contacts.
COHORT = """
    patient_id,area_id,group,index_date,birth_year,sex,death_date,kommun
    19400101-1234,x,HSVT,2019-03-11,1940,F,,K
    450202 2345,x,HSVT,2019-03-11,1945,M,,K
    121212+1212,x,NSVT,2019-03-11,1912,F,,K
    193003033456,x,comparison,2019-03-11,1930,F,,K
    P0001748,x,comparison,2019-03-11,1931,M,,K
"""
CONTACTS = """
    patient_id,contact_type,start_date,end_date,admitted,unplanned
    4001011234,er,2019-01-05,,0,
    400101-1234,inpatient,2019-02-01,2019-02-04,,1
    194502022345,specialist,2019-04-01,,,
    19121212-1212,er,2019-05-01,,0,
    300303-3456,primary_care,2019-06-01,,,
    P0001748,er,2019-07-01,,0,
"""
RESPONSES = """
    survey_id,respondent_id,area_id,respondent_group,question_id,answer
    patient,19400101-1234,x,HSVT,q1,Alltid
    patient,r2,x,HSVT,q1,Ofta
"""
SAME_PERSON = [  # (file, row) pairs that must carry one id
    [("cohort", 0), ("contacts", 0), ("contacts", 1), ("survey_responses", 0)],
    [("cohort", 1), ("contacts", 2)],
    [("cohort", 2), ("contacts", 3)],
    [("cohort", 3), ("contacts", 4)],
]


def make_dataset(folder: Path, cohort: str = COHORT, contacts: str = CONTACTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.yml").write_text(
        'name: "t"\ncontacts_from: 2018-01-01\ncontacts_to: 2019-12-31\n', encoding="utf-8"
    )
    write_csv(folder, "areas", "area_id,area_name,region,population\nx,X,R,1000")
    write_csv(folder, "cohort", cohort)
    write_csv(folder, "contacts", contacts)
    write_csv(folder, "survey_questions", "survey_id,question_id,question_text,scale,order\n"
              "patient,q1,Trygg?,frequency5,1")  # fmt: skip
    write_csv(folder, "survey_responses", RESPONSES)
    (folder / "codebook.yml").write_text("themes: {}\n", encoding="utf-8")
    return folder


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    return make_dataset(tmp_path / "raw")


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret" / "nyckel.txt"
    path.parent.mkdir()
    path.write_text(KEY + "\n", encoding="ascii")
    return path


def run(capsys, data: Path, out: Path, key: Path, *extra: str) -> tuple[int, str, str]:
    """`narvard pseudonymise` in this process: exit status, stdout, stderr."""
    paths = ["--data", str(data), "--out", str(out), "--key-file", str(key)]
    code = main(["pseudonymise", *paths, *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ids(folder: Path, table: str) -> list[str]:
    column = "respondent_id" if table == "survey_responses" else "patient_id"
    return pd.read_csv(folder / f"{table}.csv", dtype=str)[column].tolist()


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# ---------------------------------------------------------------- identity numbers


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("19400101-1234", "194001011234"),
        ("194001011234", "194001011234"),
        ("400101-1234", "194001011234"),
        ("4001011234", "194001011234"),
        ("400101 1234", "194001011234"),
        (" 400101-1234 ", "194001011234"),
        ("121212-1212", "201212121212"),  # '-': under 100, so born 2012
        ("121212+1212", "191212121212"),  # '+': 100 or older
        ("19121212+1212", "191212121212"),  # 12 digits keep their century
        ("191231-1234", "201912311234"),  # born on contacts_to itself
        ("200101-1234", "192001011234"),  # 2020 would be after the extract
        ("191265-1234", "201912651234"),  # samordningsnummer: day 65 is the 5th
        ("191295-1234", "191912951234"),  # day 95 = 35: not a day, compared as after
    ],
)
def test_every_form_becomes_twelve_digits(value, number):
    assert is_identity_number(value)
    assert twelve_digits(value, END) == number


def test_ten_digit_century_turns_at_contacts_to():
    assert twelve_digits("190630-1234", dt.date(2019, 6, 30)) == "201906301234"
    assert twelve_digits("190701-1234", dt.date(2019, 6, 30)) == "191907011234"


@pytest.mark.parametrize("value", ["A1", "P0001748", "P-9ab2-e107-13af", "12345", "", "r2"])
def test_other_values_are_not_identity_numbers(value):
    assert twelve_digits(value, END) is None


def test_pseudonyms_are_short_and_never_look_like_identity_numbers():
    made = {pseudonym(KEY.encode(), f"1940{n:08d}") for n in range(3000)}
    assert len(made) == 3000
    assert all(PSEUDONYM.fullmatch(p) for p in made)
    assert not any(PERSONNUMMER_INSIDE.search(p) or re.search("[0-9]{5}", p) for p in made)


# ---------------------------------------------------------------- the key


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "finns inte"),
        (b"", "är tom"),
        (b"\n", "är tom"),
        (b"a" * 31 + b"\n", "för kort: 31 byte"),
        (b"a" * 31 + b"\r\n", "för kort: 31 byte"),
    ],
)
def test_a_missing_empty_or_short_key_is_refused(tmp_path, content, message):
    path = tmp_path / "nyckel.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(PseudonymiseError, match=message) as refused:
        read_key(path)
    assert "secrets.token_hex(32)" in str(refused.value)


def test_the_key_loses_one_trailing_newline_only(tmp_path):
    path = tmp_path / "nyckel.txt"
    path.write_bytes(b"k" * 32 + b"\r\n")
    assert read_key(path) == b"k" * 32
    path.write_bytes(b"k" * 32 + b"\n\n")
    assert read_key(path) == b"k" * 32 + b"\n"


@pytest.mark.parametrize("content", [None, b"", KEY[:31].encode() + b"\n"])
def test_bad_key_exits_2_and_writes_nothing(capsys, raw, tmp_path, content):
    key = tmp_path / "nyckel.txt"
    if content is not None:
        key.write_bytes(content)
    code, out, err = run(capsys, raw, tmp_path / "out", key)
    assert code == 2
    assert "secrets.token_hex(32)" in err
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")], "no staging left"
    if content:
        assert KEY[:31] not in out + err


# ---------------------------------------------------------------- the dataset


def test_identity_numbers_become_one_pseudonym_per_person(capsys, raw, key_file, tmp_path):
    code, out, err = run(capsys, raw, tmp_path / "out", key_file)
    assert code == 0, err
    got = {name: ids(tmp_path / "out", name) for name in ("cohort", "contacts", "survey_responses")}
    people = [{got[table][row] for table, row in person} for person in SAME_PERSON]
    assert all(len(person) == 1 for person in people), people
    aliases = [person.pop() for person in people]
    assert len(set(aliases)) == 4 and all(PSEUDONYM.fullmatch(a) for a in aliases)
    assert got["cohort"][4] == got["contacts"][5] == "P0001748"
    assert got["survey_responses"][1] == "r2"


def test_changed_and_unchanged_rows_are_counted_per_table(capsys, raw, key_file, tmp_path):
    code, out, _ = run(capsys, raw, tmp_path / "out", key_file)
    assert code == 0
    assert "cohort.csv, kolumn patient_id: 4 rader ändrade (4 personnummer), 1 rad oförändrad." in (
        out
    )
    assert (
        "contacts.csv, kolumn patient_id: 5 rader ändrade (4 personnummer), 1 rad oförändrad."
        in (out)
    )
    assert "survey_responses.csv, kolumn respondent_id: 1 rad ändrad (1 personnummer)" in out
    assert "Kopierade oförändrade: areas.csv, codebook.yml, dataset.yml, survey_questions.csv." in (
        out
    )


def test_everything_else_is_copied_unchanged(capsys, raw, key_file, tmp_path):
    assert run(capsys, raw, tmp_path / "out", key_file)[0] == 0
    before, after = files(raw), files(tmp_path / "out")
    assert sorted(before) == sorted(after)
    for name in ("areas.csv", "codebook.yml", "dataset.yml", "survey_questions.csv"):
        assert after[name] == before[name]
    for name in ("cohort", "contacts", "survey_responses"):
        old = pd.read_csv(raw / f"{name}.csv", dtype=str, keep_default_na=False)
        new = pd.read_csv(tmp_path / "out" / f"{name}.csv", dtype=str, keep_default_na=False)
        assert list(new.columns) == list(old.columns)
        id_column = new.columns[1 if name == "survey_responses" else 0]
        pd.testing.assert_frame_equal(new.drop(columns=id_column), old.drop(columns=id_column))


def test_same_key_same_bytes_other_key_other_ids(capsys, raw, key_file, tmp_path):
    assert run(capsys, raw, tmp_path / "a", key_file)[0] == 0
    assert run(capsys, raw, tmp_path / "b", key_file)[0] == 0
    assert files(tmp_path / "a") == files(tmp_path / "b")
    other = tmp_path / "other.txt"
    other.write_text(OTHER_KEY, encoding="ascii")
    assert run(capsys, raw, tmp_path / "c", other)[0] == 0
    first, second = set(ids(tmp_path / "a", "cohort")), set(ids(tmp_path / "c", "cohort"))
    assert first & second == {"P0001748"}


def test_no_identity_number_and_no_key_in_any_output(capsys, raw, key_file, tmp_path):
    code, out, err = run(capsys, raw, tmp_path / "out", key_file)
    assert code == 0
    shape = re.compile(PERSONNUMMER_INSIDE.pattern.encode())
    for name, content in files(tmp_path / "out").items():
        assert not shape.search(content), name
        assert KEY.encode() not in content and KEY[:16].encode() not in content, name
    assert KEY[:16] not in out + err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "raw", "secret"], "no mapping"


def test_output_passes_the_validator_and_a_second_run_changes_nothing(
    capsys, raw, key_file, tmp_path
):
    assert run(capsys, raw, tmp_path / "out", key_file)[0] == 0
    assert validate_dataset(tmp_path / "out") == []
    code, out, _ = run(capsys, tmp_path / "out", tmp_path / "again", key_file)
    assert code == 0 and "kolumn patient_id: inga personnummer" in out
    assert files(tmp_path / "again") == files(tmp_path / "out")


def test_parquet_tables_keep_every_other_column_and_type(capsys, raw, key_file, tmp_path):
    assert run(capsys, raw, tmp_path / "csv", key_file)[0] == 0
    for name in ("cohort", "contacts"):
        frame = pd.read_csv(raw / f"{name}.csv", dtype=str, keep_default_na=False)
        frame["start_date" if name == "contacts" else "index_date"] = pd.to_datetime(
            frame["start_date" if name == "contacts" else "index_date"]
        ).dt.date
        frame.to_parquet(raw / f"{name}.parquet", index=False)
        (raw / f"{name}.csv").unlink()
    code, _, err = run(capsys, raw, tmp_path / "pq", key_file)
    assert code == 0, err
    for name in ("cohort", "contacts"):
        old, new = (
            pq.read_table(raw / f"{name}.parquet"),
            pq.read_table(tmp_path / "pq" / f"{name}.parquet"),
        )
        assert new.schema.names == old.schema.names
        assert new.drop_columns(["patient_id"]).equals(old.drop_columns(["patient_id"]))
        assert new.column("patient_id").to_pylist() == ids(tmp_path / "csv", name)
    assert validate_dataset(tmp_path / "pq") == []


def test_both_files_of_a_table_are_pseudonymised(capsys, raw, key_file, tmp_path):
    """The report reads the Parquet file, but the CSV beside it must not leak either."""
    pd.read_csv(raw / "cohort.csv", dtype=str).to_parquet(raw / "cohort.parquet", index=False)
    assert run(capsys, raw, tmp_path / "out", key_file)[0] == 0
    from_parquet = pd.read_parquet(tmp_path / "out" / "cohort.parquet")["patient_id"].tolist()
    assert from_parquet == ids(tmp_path / "out", "cohort")


# ---------------------------------------------------------------- refusals and warnings


def test_out_must_not_be_in_or_inside_it(capsys, raw, key_file):
    before = files(raw)
    for out in (raw, raw / "pseudo"):
        code, _, err = run(capsys, raw, out, key_file)
        assert code == 2 and "--out" in err
    assert files(raw) == before


def test_a_non_empty_out_needs_force_and_is_then_replaced_whole(capsys, raw, key_file, tmp_path):
    out = tmp_path / "out"
    assert run(capsys, raw, out, key_file)[0] == 0
    (out / "stale.csv").write_text("old", encoding="utf-8")
    code, _, err = run(capsys, raw, out, key_file)
    assert code == 2 and "--force" in err and (out / "stale.csv").is_file()
    assert run(capsys, raw, out, key_file, "--force")[0] == 0
    assert not (out / "stale.csv").exists() and (out / "cohort.csv").is_file()


def test_force_never_replaces_a_folder_that_is_not_a_dataset(capsys, raw, key_file, tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "letter.txt").write_text("keep me", encoding="utf-8")
    code, _, err = run(capsys, raw, out, key_file, "--force")
    assert code == 2 and "dataset.yml" in err
    assert (out / "letter.txt").read_text(encoding="utf-8") == "keep me"


def test_a_key_inside_the_data_folder_is_refused(capsys, raw, tmp_path):
    key = raw / "nyckel.txt"
    key.write_text(KEY, encoding="ascii")
    code, _, err = run(capsys, raw, tmp_path / "out", key)
    assert code == 2 and "utanför" in err and not (tmp_path / "out").exists()


def test_a_collision_is_refused_before_anything_is_written(capsys, key_file, tmp_path, monkeypatch):
    monkeypatch.setattr(identity, "PSEUDONYM_HEX", 1)  # 16 pseudonyms for 17 people
    rows = "\n".join(f"194001{n:02d}-1234,x,HSVT,2019-03-11,1940,F,,K" for n in range(1, 18))
    raw = make_dataset(tmp_path / "raw", cohort=COHORT.strip().splitlines()[0] + "\n" + rows)
    code, _, err = run(capsys, raw, tmp_path / "out", key_file)
    assert code == 2 and "samma pseudonym" in err
    assert not (tmp_path / "out").exists()


def test_a_pseudonym_equal_to_an_existing_id_is_refused(capsys, key_file, tmp_path):
    taken = pseudonym(KEY.encode(), "194001011234")
    cohort = COHORT.replace("P0001748", taken)
    raw = make_dataset(
        tmp_path / "raw", cohort=cohort, contacts=CONTACTS.replace("P0001748", taken)
    )
    code, _, err = run(capsys, raw, tmp_path / "out", key_file)
    assert code == 2 and "befintligt id" in err and not (tmp_path / "out").exists()


def test_identity_numbers_elsewhere_are_warned_about_not_echoed(capsys, raw, key_file, tmp_path):
    responses = RESPONSES + "patient,r3,x,HSVT,q1,Mitt nummer är 19400101-1234"
    write_csv(raw, "survey_responses", responses)
    code, _, err = run(capsys, raw, tmp_path / "out", key_file)
    assert code == 0
    assert "Varning: survey_responses.csv, kolumn answer: 1 cell" in err
    assert "1234" not in err


def test_a_ten_digit_number_with_the_wrong_century_is_warned_about(capsys, raw, key_file, tmp_path):
    write_csv(raw, "cohort", COHORT.replace("121212+1212", "121212-1212"))
    code, _, err = run(capsys, raw, tmp_path / "out", key_file)
    assert code == 0
    assert "Varning: cohort.csv: 1 rad där personnumret har tio siffror" in err


def test_a_missing_contacts_to_is_refused(capsys, raw, key_file, tmp_path):
    (raw / "dataset.yml").write_text('name: "t"\n', encoding="utf-8")
    code, _, err = run(capsys, raw, tmp_path / "out", key_file)
    assert code == 2 and "contacts_to" in err


# ---------------------------------------------------------------- with the report


def test_the_contract_example_keeps_its_figures(capsys, key_file, tmp_path, contract_expected):
    from narvard.data.processed import prepare_dataset
    from narvard.results.assemble import area_results

    raw = with_identity_numbers(shutil.copytree(CONTRACT_EXAMPLE, tmp_path / "raw"))
    (raw / "expected.json").unlink()
    assert run(capsys, raw, tmp_path / "out", key_file)[0] == 0
    assert validate_dataset(tmp_path / "out") == []

    def figures(folder: Path) -> dict:
        dataset = prepare_dataset(folder, tmp_path / "processed", 180)
        results = area_results(dataset, "exempelby", min_cell=0)
        return {k: v for k, v in results.items() if k not in ("dataset", "provenance")}

    pseudonymised = figures(tmp_path / "out")
    assert_matches(contract_expected["exempelby"], pseudonymised)
    assert pseudonymised == figures(CONTRACT_EXAMPLE)
