"""File dialects (narvard.data.dialects, narvard.data.readers): the detector by hand, and
by property — any dialect, encoding and row order of one table reads as the same frame;
any corruption gives a problem list, never a traceback."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from narvard.data.dialects import DialectError, decode, detect_separator, line_endings
from narvard.data.problem import Problem
from narvard.data.readers import read_text_table
from narvard.data.validate import validate_dataset

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "contract_example"
COLUMNS = ("item", "cost_sek", "year", "source")
NUMERIC = ("cost_sek", "year")
# Text with what Windows-1252 has and Latin-1 lacks (€ – — ’ “ ”), separators and quotes.
TEXT = st.text(alphabet="abcåäöÅÄÖé €–—’“”,;\"' 0123", max_size=12)


# ---------------------------------------------------------------- the detector by hand


def test_decode_tells_utf8_bom_and_windows_1252():
    assert decode("å".encode(), "t.csv") == ("å", "utf-8")
    assert decode(b"\xef\xbb\xbfa", "t.csv") == ("a", "utf-8-sig")
    assert decode("–€’".encode("cp1252"), "t.csv") == ("–€’", "windows-1252")


@pytest.mark.parametrize(
    ("data", "line", "found"),
    [
        ("a\nå\n".encode() + "ö".encode("cp1252"), 3, "byte 0xf6"),  # UTF-8 and 1252 mixed
        (b"a\nb\x81c\n", 2, "byte 0x81"),  # no such character in Windows-1252
        (b"a,b\n\x00\n", 2, "byte 0x00"),  # binary
    ],
)
def test_decode_refuses_what_it_cannot_tell(data, line, found):
    with pytest.raises(DialectError) as caught:
        decode(data, "t.csv")
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.found) == ("t.csv", line, found)


def test_separator_and_line_endings():
    assert detect_separator("\n\na;b;c\n1,5;2;3\n", "t.csv") == ";"
    assert detect_separator("a,b\n1;2,3\n", "t.csv") == ","
    assert detect_separator('"a;x",b\n', "t.csv") == ","  # a quoted ; is no separator
    assert [line_endings(t) for t in ("a\r\nb\r\n", "a\nb", "a\rb", "a\r\nb\n", "a")] == [
        "CRLF",
        "LF",
        "CR",
        "blandade",
        "LF",
    ]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("value", "column"),
    [("1.234,5", "cost_sek"), ("1 234", "cost_sek"), ("1.234.567", "cost_sek")],
)
def test_thousands_separators_are_refused_at_file_line_and_column(tmp_path, value, column):
    text = f"item;cost_sek;year;source\r\ner_visit;4000,5;2019;x\r\nbed;{value};2019;y\r\n"
    path = write(tmp_path / "unit_costs.csv", text, "cp1252")
    with pytest.raises(DialectError) as caught:
        read_text_table(path, NUMERIC)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("unit_costs.csv", 3, column)
    assert "tusentalsavgränsare" in problem.expected and problem.found == value
    assert str(problem).startswith("unit_costs.csv:3: kolumn cost_sek: förväntade ett tal utan")


def test_decimal_comma_and_point_mixed_are_refused_at_the_rarer_one(tmp_path):
    text = "item;cost_sek;year;source\ner;4000,5;2019;x\nbed;9000,25;2019;y\nspec;1.234;2019;z\n"
    with pytest.raises(DialectError) as caught:
        read_text_table(write(tmp_path / "unit_costs.csv", text), NUMERIC)
    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.found) == (4, "cost_sek", "1.234")
    assert "decimalkomma" in problem.expected


def test_a_line_with_the_other_separator_is_named(tmp_path):
    text = "item;cost_sek;year;source\ner;4000;2019;x\nbed,9000,2019,y\n"
    with pytest.raises(DialectError) as caught:
        read_text_table(write(tmp_path / "unit_costs.csv", text), NUMERIC)
    [problem] = caught.value.problems
    assert problem.line == 3 and "verkar använda komma" in problem.expected


def test_true_lines_with_quoted_newlines_blank_lines_and_crlf(tmp_path):
    text = 'item;cost_sek;year;source\r\n\r\ner;4000,5;2019;"två\r\nrader"\r\nbed;9000;2019;y\r\n'
    table = read_text_table(write(tmp_path / "unit_costs.csv", text, "cp1252"), NUMERIC)
    assert table.lines.tolist() == [3, 5]
    assert table.frame["cost_sek"].tolist() == ["4000.5", "9000"]
    assert table.frame["source"].tolist() == ["två\r\nrader", "y"]
    dialect = table.dialects[0]
    assert (dialect.separator, dialect.encoding, dialect.decimal) == (";", "windows-1252", ",")


def test_xlsx_rows_keep_their_sheet_row_numbers(data_folder):
    cohort = pd.read_csv(data_folder / "cohort.csv", dtype=str, keep_default_na=False)
    cohort.loc[1, "index_date"] = "2019-02-30"
    frame = pd.concat([cohort.iloc[:1], pd.DataFrame([[""] * 8], columns=cohort.columns)])
    frame = pd.concat([frame, cohort.iloc[1:]], ignore_index=True)  # an empty row 3
    frame.to_excel(data_folder / "cohort.xlsx", index=False)
    (data_folder / "cohort.csv").unlink()
    [problem] = validate_dataset(data_folder)
    assert (problem.file, problem.line, problem.column) == ("cohort.xlsx", 4, "index_date")


def test_xlsx_table_away_from_a1_with_number_and_date_cells(tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Priser"
    sheet["C3"], sheet["D3"], sheet["E3"] = "item", "cost_sek", "year"
    sheet["C5"], sheet["D5"], sheet["E5"] = "er_visit", 4000.5, 2019
    sheet["C6"], sheet["D6"], sheet["E6"] = "bed", "9000,25", dt.datetime(2019, 1, 2)
    workbook.save(tmp_path / "unit_costs.xlsx")
    with pytest.raises(DialectError) as caught:  # a number cell and a decimal comma text
        read_text_table(tmp_path / "unit_costs.xlsx", NUMERIC)
    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.found) == (5, "cost_sek", "4000.5")
    sheet["D5"] = "4000,5"
    workbook.save(tmp_path / "unit_costs.xlsx")
    table = read_text_table(tmp_path / "unit_costs.xlsx", NUMERIC)
    assert table.header_line == 3 and table.lines.tolist() == [5, 6]
    assert table.frame.to_dict("list") == {
        "item": ["er_visit", "bed"],
        "cost_sek": ["4000.5", "9000.25"],
        "year": ["2019", "2019-01-02"],
    }
    assert (table.dialects[0].sheet, table.dialects[0].decimal) == ("Priser", ",")


# ---------------------------------------------------------------- wide survey files


@pytest.fixture
def data_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("expected.json"))
    return folder


def wide(folder: Path, rows: list[list[str]], name: str = "survey_patient.csv") -> None:
    (folder / "survey_responses.csv").unlink()
    text = "\r\n".join(";".join(row) for row in rows) + "\r\n"
    write(folder / name, text, "cp1252")


HEADER = ["respondent_id", "area_id", "respondent_group", "q1", "q2"]


def test_wide_survey_csv_in_excel_dialect_is_valid(data_folder):
    rows = [HEADER, ["r1", "exempelby", "HSVT", "Alltid", "Tack – “bäst”"]]
    wide(data_folder, rows + [["r2", "exempelby", "NSVT", "", ""]])
    assert validate_dataset(data_folder) == []


def test_wide_survey_problems_name_file_row_and_question_column(data_folder):
    rows = [
        [*HEADER, "q9"],
        ["r1", "exempelby", "HSVT", "Alltid", "", ""],
        ["r2", "exempelby", "HSVT", "Kanske", "", ""],
        ["r1", "exempelby", "HSVT", "Ofta", "", ""],
    ]
    wide(data_folder, rows)
    found = {(p.file, p.line, p.column) for p in validate_dataset(data_folder)}
    assert found == {
        ("survey_patient.csv", 1, "q9"),  # no such question in survey_questions
        ("survey_patient.csv", 3, "q1"),  # not a label of frequency5
        ("survey_patient.csv", 4, "respondent_id"),  # r1 answered twice
    }


def test_wide_survey_without_respondent_columns(data_folder):
    wide(data_folder, [["respondent_id", "group", "q1"], ["r1", "HSVT", "Alltid"]])
    found = {(p.file, p.line, p.column) for p in validate_dataset(data_folder)}
    assert found == {
        ("survey_patient.csv", 1, "area_id"),
        ("survey_patient.csv", 1, "respondent_group"),
    }


def test_wide_survey_beside_the_long_table(data_folder):
    rows = [["respondent_id", "area_id", "respondent_group", "q1"], ["s1", "exempelby", "x", "Ja"]]
    write(data_folder / "survey_staff.csv", "\n".join(",".join(r) for r in rows) + "\n")
    found = {(p.file, p.line, p.column) for p in validate_dataset(data_folder)}
    assert found == {
        ("survey_staff.csv", None, None),  # survey_questions has no survey staff
        ("survey_invitations.csv", None, "respondent_group"),  # nor an invitation row
    }


def test_a_column_missing_from_the_long_file_beside_a_wide_one(data_folder):
    rows = [HEADER, ["r9", "exempelby", "HSVT", "Alltid", ""]]
    write(data_folder / "survey_patient.csv", "\n".join(",".join(r) for r in rows) + "\n")
    long = (data_folder / "survey_responses.csv").read_text(encoding="utf-8")
    long = "\n".join(line.rsplit(",", 1)[0] for line in long.splitlines()) + "\n"
    (data_folder / "survey_responses.csv").write_text(long, encoding="utf-8")
    found = {(p.file, p.line, p.column) for p in validate_dataset(data_folder)}
    assert found == {("survey_responses.csv", 1, "answer")}


# ---------------------------------------------------------------- properties


def dialect_bytes(rows, separator, encoding, newline, decimal, quoting) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator=newline, quoting=quoting)
    writer.writerow(COLUMNS)
    for item, cost, year, source in rows:
        writer.writerow([item, cost.replace(".", decimal), year, source])
    bom = encoding == "utf-8-sig"
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(
        encoding.replace("-sig", "")
    )


costs = st.builds(
    lambda whole, part: f"{whole}.{part}" if part else str(whole),
    st.integers(0, 99_999),
    st.sampled_from(["", "5", "25", "05"]),
)
tables = st.lists(
    st.tuples(costs, st.integers(1900, 2100).map(str), TEXT),
    min_size=1,
    max_size=8,
).map(lambda rows: [(f"id{i}", c, y, s) for i, (c, y, s) in enumerate(rows)])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=tables,
    separator=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    comma=st.booleans(),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    order=st.randoms(use_true_random=False),
)
def test_any_dialect_and_row_order_reads_as_the_same_frame(
    rows, separator, encoding, newline, comma, quoting, order
):
    decimal = "," if comma and separator == ";" else "."
    data = dialect_bytes(rows, separator, encoding, newline, decimal, quoting)
    # The limit of any detector: Windows-1252 text whose every non-ASCII byte happens to
    # form UTF-8 (e.g. "Ä–" = C4 96 = "Ė") is UTF-8 too. Real Swedish text has a lower-case
    # å, ä or ö before a plain letter somewhere, which UTF-8 cannot have (docs/validation.md).
    assume(encoding != "cp1252" or not _valid_utf8(data) or data.isascii())
    shuffled = rows[:]
    order.shuffle(shuffled)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "unit_costs.csv"
        path.write_bytes(dialect_bytes(shuffled, separator, encoding, newline, decimal, quoting))
        table = read_text_table(path, NUMERIC)
    got = table.frame.sort_values("item").reset_index(drop=True)
    expected = pd.DataFrame(rows, columns=COLUMNS).sort_values("item").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    assert table.dialects[0].separator == separator
    assert len(table.lines) == len(rows) and table.lines[0] == 2


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def corrupt(data: bytes, kind: str, position: int, byte: int, separator: bytes) -> bytes:
    if kind == "truncate":
        return data[:position]
    if kind == "separator":
        return data[:position] + separator + data[position:]
    return data[:position] + bytes([byte]) + data[position + 1 :]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    file=st.sampled_from(["areas", "cohort", "contacts", "unit_costs", "survey_responses"]),
    form=st.sampled_from(["plain", "excel", "xlsx"]),
    kind=st.sampled_from(["truncate", "separator", "byte"]),
    at=st.floats(0, 1),
    byte=st.sampled_from([0x00, 0x81, 0x96, 0xC3, 0xFF, ord(";"), ord(","), ord('"'), 0x0A]),
)
def test_corruption_gives_problems_never_a_traceback(file, form, kind, at, byte):
    import dialect_forms as forms

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("expected.json"))
        {"plain": lambda f: f, "excel": forms.excel_semicolon, "xlsx": forms.to_xlsx}[form](folder)
        path = next(folder.glob(f"{file}.*"))
        separator = b";" if form == "excel" else b","
        data = path.read_bytes()
        position = min(int(at * len(data)), len(data) - 1)
        path.write_bytes(corrupt(data, kind, position, byte, separator))
        problems = validate_dataset(folder)
    assert all(isinstance(p, Problem) and str(p) for p in problems)
    header_end = data.find(b"\n")
    in_data = form != "xlsx" and kind == "separator" and 0 <= header_end < position
    if in_data:  # a stray separator in a data row always changes its number of fields
        assert any(p.file == path.name for p in problems)
