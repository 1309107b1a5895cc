"""Input validation (narvard.data.validate): one small broken copy of the contract example per rule.

Every test copies tests/data/contract_example into a temporary folder, breaks one
thing and checks that exactly that problem is reported, at the right file, line
(CSV: the header is line 1) and column.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from narvard.data.validate import Problem, validate_dataset

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "contract_example"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A fresh, valid copy of the contract example."""
    folder = tmp_path / "raw"
    shutil.copytree(EXAMPLE, folder)
    return folder


def set_line(folder: Path, file: str, line: int, text: str) -> None:
    """Replace line `line` (1 = header) of a CSV file, or append it right after the end."""
    path = folder / file
    lines = path.read_text(encoding="utf-8").splitlines()
    if line == len(lines) + 1:
        lines.append(text)
    else:
        lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def the_problem(problems: list[Problem], file: str, line: int | None, column: str | None):
    """Assert that the only problem is at file:line, column; return it."""
    assert len(problems) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    assert (problem.file, problem.line, problem.column) == (file, line, column)
    text = str(problem)
    assert text.startswith(file if line is None else f"{file}:{line}:")
    if column is not None:
        assert column in text
    return problem


def test_contract_example_is_valid():
    assert validate_dataset(EXAMPLE) == []


def test_problem_text_names_file_line_and_column():
    problem = Problem("cohort.csv", 12, "index_date", "datum ÅÅÅÅ-MM-DD", "2019-13-01")
    expected = 'cohort.csv:12: kolumn index_date: förväntade datum ÅÅÅÅ-MM-DD, fick "2019-13-01"'
    assert str(problem) == expected
    assert str(Problem("cohort.csv", None, None, "en tabell", None)) == (
        "cohort.csv: förväntade en tabell"
    )


# One broken line each: (file, line, new text of that line, column of the problem).
# A line one past the end is appended.
BROKEN_LINES = [
    ("areas.csv", 2, "exempelby,Exempelby,Exempelregionen,0", "population"),
    ("areas.csv", 2, "exempelby,Exempelby,Exempelregionen,många", "population"),
    ("areas.csv", 2, "exempelby,,Exempelregionen,52000", "area_name"),
    ("areas.csv", 3, "Södra Älvsborg,Södra Älvsborg,VGR,1000", "area_id"),
    ("areas.csv", 3, "exempelby,Exempelby igen,Exempelregionen,100", "area_id"),
    ("cohort.csv", 2, "A1,exempelby,HSVT,2019-02-30,1931,F,,Exempelby", "index_date"),
    ("cohort.csv", 2, "A1,exempelby,HSVT,2019/03/01,1931,F,,Exempelby", "index_date"),
    ("cohort.csv", 2, "A1,exempelby,hsvt,2019-03-01,1931,F,,Exempelby", "group"),
    ("cohort.csv", 2, "A1,exempelby,HSVT,2019-03-01,1931,K,,Exempelby", "sex"),
    ("cohort.csv", 2, "A1,exempelby,HSVT,2019-03-01,1899,F,,Exempelby", "birth_year"),
    ("cohort.csv", 2, "A1,exempelby,HSVT,2019-03-01,2020,F,,Exempelby", "birth_year"),
    ("cohort.csv", 2, "A1,exempelby,HSVT,2019-03-01,31,F,,Exempelby", "birth_year"),
    ("cohort.csv", 2, "A1,okänd,HSVT,2019-03-01,1931,F,,Exempelby", "area_id"),
    ("cohort.csv", 3, "A2,exempelby,HSVT,2019-03-01,1940,M,2019-02-28,Exempelby", "death_date"),
    ("cohort.csv", 4, ",exempelby,HSVT,2018-03-01,1935,F,,Exempelby", "patient_id"),
    ("cohort.csv", 6, "A1,exempelby,NSVT,2019-03-01,1931,F,,Exempelby", "patient_id"),
    ("contacts.csv", 2, "A9,er,2018-12-01,,0,", "patient_id"),
    ("contacts.csv", 2, "A1,ER,2018-12-01,,0,", "contact_type"),
    ("contacts.csv", 2, "A1,er,,,0,", "start_date"),
    ("contacts.csv", 2, "A1,er,2018-12-01,2018-12-01,0,", "end_date"),
    ("contacts.csv", 4, "A1,inpatient,2019-01-15,,,1", "end_date"),
    ("contacts.csv", 4, "A1,inpatient,2019-01-15,2019-01-14,,1", "end_date"),
    ("contacts.csv", 2, "A1,er,2018-12-01,,,", "admitted"),
    ("contacts.csv", 2, "A1,er,2018-12-01,,ja,", "admitted"),
    ("contacts.csv", 7, "A1,specialist,2019-04-01,,0,", "admitted"),
    ("contacts.csv", 4, "A1,inpatient,2019-01-15,2019-01-22,,2", "unplanned"),
    ("contacts.csv", 2, "A1,er,2018-12-01,,0,1", "unplanned"),
    ("survey_questions.csv", 4, "patient,q1,Samma fråga igen?,frequency5,3", "question_id"),
    ("survey_questions.csv", 2, "patient,q1,Trygg?,likert,1", "scale"),
    ("survey_questions.csv", 2, "patient,q1,Trygg?,frequency5,först", "order"),
    ("survey_questions.csv", 2, "patient,q1,,frequency5,1", "question_text"),
    ("survey_responses.csv", 2, "patient,r1,exempelby,HSVT,q1,alltid", "answer"),
    ("survey_responses.csv", 7, "patient,r5,exempelby,HSVT,q3,Ja", "question_id"),
    ("survey_responses.csv", 7, "patient,r1,exempelby,HSVT,q1,Ofta", "respondent_id"),
    ("survey_responses.csv", 3, "patient,r1,exempelby,NSVT,q2,Tack", "respondent_group"),
    ("survey_invitations.csv", 2, "patient,exempelby,HSVT,2", "invited"),
    ("survey_invitations.csv", 3, "patient,exempelby,NSVT,två", "invited"),
    ("survey_invitations.csv", 4, "patient,exempelby,HSVT,6", "respondent_group"),
    ("unit_costs.csv", 2, "er_visit,4000,4500,5000,2019,example", "cost_sek"),
    ("unit_costs.csv", 2, 'er_visit,"4000,50",3000,5000,2019,example', "cost_sek"),
    ("unit_costs.csv", 2, "er_visits,4000,3000,5000,2019,example", "item"),
    ("unit_costs.csv", 2, "er_visit,4000,3000,5000,år 2019,example", "year"),
    ("unit_costs.csv", 2, "er_visit,4000,3000,5000,2019,", "source"),
    ("unit_costs.csv", 5, "er_visit,4000,3000,5000,2020,example", "item"),
    ("team_costs.csv", 2, "exempelby,comparison,1800000,example", "group"),
    ("team_costs.csv", 2, "exempelby,HSVT,-1,example", "annual_cost_sek"),
    ("team_costs.csv", 2, "annan,HSVT,1800000,example", "area_id"),
    ("team_costs.csv", 3, "exempelby,HSVT,900000,example", "group"),
]


@pytest.mark.parametrize(("file", "line", "text", "column"), BROKEN_LINES)
def test_one_broken_line_gives_one_problem(data, file, line, text, column):
    set_line(data, file, line, text)
    the_problem(validate_dataset(data), file, line, column)


def test_duplicate_names_the_first_line(data):
    set_line(data, "cohort.csv", 6, "A1,exempelby,NSVT,2019-03-01,1931,F,,Exempelby")
    problem = the_problem(validate_dataset(data), "cohort.csv", 6, "patient_id")
    assert "rad 2" in problem.expected


def append_lines(folder: Path, file: str, *lines: str) -> None:
    with open(folder / file, "a", encoding="utf-8") as handle:
        handle.writelines(f"{line}\n" for line in lines)


def test_answer_labels_of_every_scale(data):
    append_lines(
        data,
        "survey_questions.csv",
        "patient,q3,Får du det stöd du behöver?,agree5,3",
        "patient,q4,Har du en vårdplan?,yes_no,4",
    )
    append_lines(
        data,
        "survey_responses.csv",
        "patient,r1,exempelby,HSVT,q3,Ingen uppfattning",  # line 7
        "patient,r2,exempelby,HSVT,q3,Stämmer helt",
        "patient,r1,exempelby,HSVT,q4,Vet ej",
        "patient,r2,exempelby,HSVT,q4,Ja",
        "patient,r3,exempelby,HSVT,q3,Stämmer",  # line 11: not a label
        "patient,r3,exempelby,HSVT,q4,ja",  # line 12: labels are case-sensitive
    )
    problems = validate_dataset(data)
    assert [(p.file, p.line, p.column, p.found) for p in problems] == [
        ("survey_responses.csv", 11, "answer", "Stämmer"),
        ("survey_responses.csv", 12, "answer", "ja"),
    ]
    assert "Stämmer helt" in problems[0].expected


def test_group_with_answers_but_no_invitation_row(data):
    (data / "survey_invitations.csv").write_text(
        "survey_id,area_id,respondent_group,invited\npatient,exempelby,HSVT,6\n",
        encoding="utf-8",
    )
    problem = the_problem(
        validate_dataset(data), "survey_invitations.csv", None, "respondent_group"
    )
    assert "respondent_group=NSVT" in problem.expected


# ---------------------------------------------------------------- dataset.yml

GOOD_YAML = "name: Demo\ncontacts_from: 2018-01-01\ncontacts_to: 2019-12-31\nsynthetic: true\n"
YAML_CASES = [
    # (dataset.yml text, line, key of the problem)
    (GOOD_YAML.replace("2019-12-31", "2019-13-31"), 3, "contacts_to"),
    (GOOD_YAML.replace("2018-01-01", "1 jan 2018"), 2, "contacts_from"),
    (GOOD_YAML.replace("2018-01-01", "2020-01-01"), 3, "contacts_to"),
    (GOOD_YAML.replace("name: Demo", 'name: ""'), 1, "name"),
    (GOOD_YAML.replace("name: Demo\n", ""), None, "name"),
    (GOOD_YAML.replace("contacts_to: 2019-12-31\n", ""), None, "contacts_to"),
    (GOOD_YAML.replace("true", "ja"), 4, "synthetic"),
    (GOOD_YAML.replace("contacts_from", "  contacts_from"), 2, None),  # not valid YAML
]


@pytest.mark.parametrize(("text", "line", "key"), YAML_CASES)
def test_bad_dataset_yml(data, text, line, key):
    (data / "dataset.yml").write_text(text, encoding="utf-8")
    the_problem(validate_dataset(data), "dataset.yml", line, key)


def test_dataset_yml_problem_names_the_key(data):
    (data / "dataset.yml").write_text(GOOD_YAML.replace("true", "ja"), encoding="utf-8")
    problem = validate_dataset(data)[0]
    assert problem.column == "synthetic"
    assert str(problem).startswith("dataset.yml:4: nyckel synthetic:")


def test_dataset_yml_missing(data):
    (data / "dataset.yml").unlink()
    the_problem(validate_dataset(data), "dataset.yml", None, None)


def test_unknown_keys_extra_columns_and_no_synthetic_are_allowed(data):
    (data / "dataset.yml").write_text(
        GOOD_YAML.replace("synthetic: true\n", "owner: Regionen\n"), encoding="utf-8"
    )
    set_line(data, "areas.csv", 1, "area_id,area_name,region,population,note")
    set_line(data, "areas.csv", 2, "exempelby,Exempelby,Exempelregionen,52000,extra")
    assert validate_dataset(data) == []


# ---------------------------------------------------------------- tables and columns


def test_missing_folder(tmp_path):
    problem = validate_dataset(tmp_path / "nowhere")[0]
    assert problem.line is None and "nowhere" in problem.file


@pytest.mark.parametrize("name", ["areas", "cohort", "contacts"])
def test_required_table_missing(data, name):
    (data / f"{name}.csv").unlink()
    the_problem(validate_dataset(data), f"{name}.csv", None, None)


def test_optional_tables_may_be_absent(data):
    for name in ["survey_questions", "survey_responses", "survey_invitations"]:
        (data / f"{name}.csv").unlink()
    for name in ["unit_costs", "team_costs"]:
        (data / f"{name}.csv").unlink()
    assert validate_dataset(data) == []


def test_survey_responses_need_survey_questions(data):
    (data / "survey_questions.csv").unlink()
    the_problem(validate_dataset(data), "survey_questions.csv", None, None)


def test_missing_column_is_one_problem_naming_it(data):
    cohort = pd.read_csv(data / "cohort.csv", dtype=str, keep_default_na=False)
    cohort.drop(columns="sex").to_csv(data / "cohort.csv", index=False)
    problem = the_problem(validate_dataset(data), "cohort.csv", 1, "sex")
    assert "kolumnen sex" in problem.expected


# ---------------------------------------------------------------- personnummer

PERSONNUMMER_FORMS = ["19121212-1212", "121212-1212", "121212+1212", "1212121212", "191212121212"]


@pytest.mark.parametrize("value", PERSONNUMMER_FORMS)
def test_personnummer_is_rejected_and_not_echoed(data, value):
    set_line(data, "cohort.csv", 4, f"{value},exempelby,HSVT,2018-03-01,1935,F,,Exempelby")
    problem = the_problem(validate_dataset(data), "cohort.csv", 4, "patient_id")
    assert "pseudonym" in problem.expected
    assert problem.found == value[:2] + "…"
    assert value not in str(problem) and value[2:] not in str(problem)


def test_the_refusal_names_the_command_that_replaces_them(data):
    """Every refused identity number points to `narvard pseudonymise`, which replaces
    exactly what this rule refuses (tests/unit/test_pseudonymise.py)."""
    for line, value in enumerate(PERSONNUMMER_FORMS, start=2):
        set_line(data, "cohort.csv", line, f"{value},exempelby,HSVT,2018-03-01,1935,F,,Exempelby")
    refused = [p for p in validate_dataset(data) if p.column == "patient_id"]
    assert [p.line for p in refused if "personnummer" in p.expected] == [2, 3, 4, 5, 6]
    assert all("narvard pseudonymise" in p.expected for p in refused if p.file == "cohort.csv")


def test_personnummer_elsewhere_is_masked_too(data):
    set_line(data, "contacts.csv", 2, "191212121212,er,2018-12-01,,0,")
    set_line(data, "survey_responses.csv", 2, "patient,121212-1212,exempelby,HSVT,q1,Alltid")
    problems = validate_dataset(data)
    places = {(p.file, p.line, p.column) for p in problems}
    assert ("contacts.csv", 2, "patient_id") in places
    assert ("survey_responses.csv", 2, "respondent_id") in places
    for problem in problems:
        assert "121212121" not in str(problem) and "12-1212" not in str(problem)


# ---------------------------------------------------------------- several at once, many rows


def test_problems_in_several_files_are_all_reported(data):
    set_line(data, "areas.csv", 2, "exempelby,Exempelby,Exempelregionen,0")
    set_line(data, "cohort.csv", 2, "A1,exempelby,HSVT,2019-13-01,1931,F,,Exempelby")
    set_line(data, "contacts.csv", 2, "A1,er,2018-12-01,,2,")
    set_line(data, "unit_costs.csv", 2, "er_visit,4000,3000,5000,2019,")
    problems = validate_dataset(data)
    assert [(p.file, p.line, p.column) for p in problems] == [
        ("areas.csv", 2, "population"),
        ("cohort.csv", 2, "index_date"),
        ("contacts.csv", 2, "admitted"),
        ("unit_costs.csv", 2, "source"),
    ]
    assert str(problems[1]) == (
        'cohort.csv:2: kolumn index_date: förväntade datum ÅÅÅÅ-MM-DD, fick "2019-13-01"'
    )


def test_many_bad_rows_give_twenty_problems_and_one_summary(data):
    with open(data / "contacts.csv", "a", encoding="utf-8") as handle:
        handle.writelines("A1,er,2019-99-01,,0,\n" for _ in range(25))  # lines 13-37
    problems = validate_dataset(data)
    assert len(problems) == 21
    assert [p.line for p in problems[:20]] == list(range(13, 33))
    summary = problems[20]
    assert (summary.file, summary.line, summary.column) == ("contacts.csv", None, "start_date")
    assert "ytterligare 5 rader" in str(summary)


def test_line_numbers_count_multiline_text_and_blank_lines(data):
    set_line(data, "survey_responses.csv", 3, 'patient,r1,exempelby,HSVT,q2,"Tack\nför allt"')
    set_line(data, "survey_responses.csv", 5, "")  # blank line 6 after the two-line answer
    append_lines(data, "survey_responses.csv", "patient,r3,exempelby,HSVT,q2,Bra")
    set_line(data, "survey_responses.csv", 8, "patient,r5,exempelby,HSVT,q1,alltid")
    text = (data / "survey_responses.csv").read_text(encoding="utf-8")
    assert text.splitlines()[7] == "patient,r5,exempelby,HSVT,q1,alltid"
    the_problem(validate_dataset(data), "survey_responses.csv", 8, "answer")


# ---------------------------------------------------------------- Parquet


def to_parquet(folder: Path, name: str) -> pd.DataFrame:
    """Replace NAME.csv by NAME.parquet, with real dates (and NaN for empty numbers)."""
    frame = pd.read_csv(folder / f"{name}.csv")
    for column in frame.columns:
        if column.endswith("_date"):
            frame[column] = pd.to_datetime(frame[column])
    (folder / f"{name}.csv").unlink()
    frame.to_parquet(folder / f"{name}.parquet", index=False)
    return frame


def test_parquet_tables_are_valid_too(data):
    to_parquet(data, "cohort")
    to_parquet(data, "contacts")
    assert validate_dataset(data) == []


def test_parquet_rows_are_numbered_from_one(data):
    contacts = to_parquet(data, "contacts")
    contacts.loc[2, "end_date"] = pd.NaT  # third row: an inpatient stay without end_date
    contacts.to_parquet(data / "contacts.parquet", index=False)
    the_problem(validate_dataset(data), "contacts.parquet", 3, "end_date")


def test_unreadable_parquet_is_a_problem(data):
    (data / "team_costs.csv").unlink()
    (data / "team_costs.parquet").write_text("not parquet", encoding="utf-8")
    the_problem(validate_dataset(data), "team_costs.parquet", None, None)


# ---------------------------------------------------------------- unreadable CSV files


def test_windows_1252_csv_is_read(data):
    """Latin-1 text is Windows-1252 text: read as such, not refused (narvard.data.dialects)."""
    text = "area_id,area_name,region,population\nexempelby,Exempelby,Exempelregionen,52000\n"
    text += "sodra-alvsborg,Södra Älvsborg,VGR,100\n"
    (data / "areas.csv").write_bytes(text.encode("latin-1"))
    assert validate_dataset(data) == []


def test_utf8_mixed_with_another_encoding_names_the_line(data):
    text = "area_id,area_name,region,population\nexempelby,Exempelby,Exempelregionen,52000\n"
    data_bytes = text.encode("utf-8") + "sodra-alvsborg,Södra Älvsborg,VGR,100\n".encode("cp1252")
    (data / "areas.csv").write_bytes(data_bytes.replace(b"Exempelby,E", "Exempelbö,E".encode()))
    problem = the_problem(validate_dataset(data), "areas.csv", 3, None)
    assert "UTF-8" in problem.expected and "0xf6" in problem.found


def test_garbage_csv_is_a_problem_not_an_exception(data):
    (data / "contacts.csv").write_bytes(b"\x00\x9f\xff garbage \xfe\x01,\n\x80\x81")
    the_problem(validate_dataset(data), "contacts.csv", 1, None)


def test_empty_csv_is_a_problem(data):
    (data / "team_costs.csv").write_text("", encoding="utf-8")
    the_problem(validate_dataset(data), "team_costs.csv", None, None)


@pytest.mark.parametrize("row", ["exempelby,HSVT,1800000", "exempelby,HSVT,1800000,example,x"])
def test_row_with_wrong_number_of_fields(data, row):
    set_line(data, "team_costs.csv", 2, row)
    problem = the_problem(validate_dataset(data), "team_costs.csv", 2, None)
    assert "4 fält" in problem.expected


def test_semicolon_separated_csv_is_read(data):
    (data / "team_costs.csv").write_text(
        "area_id;group;annual_cost_sek;source\nexempelby;HSVT;1800000,5;example\n", encoding="utf-8"
    )
    assert validate_dataset(data) == []


def test_both_separators_in_the_header_are_refused(data):
    (data / "team_costs.csv").write_text(
        "area_id;group,annual_cost_sek;source\nexempelby;HSVT;1800000;example\n", encoding="utf-8"
    )
    problem = the_problem(validate_dataset(data), "team_costs.csv", 1, None)
    assert "; eller ," in problem.expected


def test_utf8_with_byte_order_mark_and_windows_line_ends_is_accepted(data):
    for path in data.glob("*.csv"):
        text = path.read_bytes().replace(b"\n", b"\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + text)
    assert validate_dataset(data) == []


def test_parquet_with_nullable_integers_reads_missing_as_empty(tmp_path):
    """pandas' Int64 columns store missing flags as <NA>; they must read as empty cells."""
    import pandas as pd
    from narvard.data.tables import read_table_text

    frame = pd.DataFrame({"admitted": pd.array([0, None], dtype="Int64")})
    frame.to_parquet(tmp_path / "contacts.parquet")
    assert list(read_table_text(tmp_path / "contacts.parquet")["admitted"]) == ["0", ""]


def test_extension_tables_price_index_and_staffing_are_checked(data):
    (data / "price_index.csv").write_text("year,index\n2019,100\n20x2,104.5\n", encoding="utf-8")
    (data / "staffing.csv").write_text(
        "group,role,fte_per_100k,cost_per_fte_sek,source\nHSVT,läkare,3.5,1600000,VGR\n"
        "ABC,sjuksköterska,-2,800000,x\n",
        encoding="utf-8",
    )
    found = {(p.file, p.line, p.column) for p in validate_dataset(data)}
    assert ("price_index.csv", 3, "year") in found
    assert ("staffing.csv", 3, "group") in found
    assert ("staffing.csv", 3, "fte_per_100k") in found


def test_docs_validation_md_is_written_from_the_rules():
    """docs/validation.md comes from the rules (python -m narvard.data.validate.describe)."""
    from narvard.data.validate.describe import markdown

    page = Path(__file__).resolve().parents[2] / "docs" / "validation.md"
    assert page.read_text(encoding="utf-8") == markdown(), (
        "docs/validation.md is out of date: python -m narvard.data.validate.describe "
        "> docs/validation.md"
    )
