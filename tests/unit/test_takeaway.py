"""Take-away CSV tables: what Excel reads from the report's own cells."""

from __future__ import annotations

import pandas as pd
import pytest
from narvard.report.takeaway import TableShelf, csv_text, excel_cell, file_name

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("shown", "written"),
    [
        (f"3{NBSP}247", "3247"),
        (f"\u221221{NBSP}%", "-21%"),
        (f"+12{NBSP}%", "+12%"),
        ("5,7", "5,7"),
        (f"1{NBSP}234{NBSP}567,89", "1234567,89"),
        ("–", "–"),  # hidden stays hidden
        ("·", "·"),
        (
            f"\u221214{NBSP}% (\u221238 till +17{NBSP}%)",
            f"\u221214{NBSP}% (\u221238 till +17{NBSP}%)",
        ),
        (f"6,5{NBSP}mnkr", f"6,5{NBSP}mnkr"),
        ("2019", "2019"),
        ("Hemsjukvårdsteam (HSVT)", "Hemsjukvårdsteam (HSVT)"),
    ],
)
def test_excel_reads_numbers_as_numbers_and_keeps_the_rest(shown, written):
    assert excel_cell(shown) == written


def test_csv_is_semicolon_crlf_and_written_with_bom(tmp_path):
    table = pd.DataFrame({"Grupp": ["HSVT", "NSVT"], "Patienter": [f"3{NBSP}247", "–"]})
    assert csv_text(table) == "Grupp;Patienter\r\nHSVT;3247\r\nNSVT;–\r\n"
    shelf = TableShelf()
    assert shelf.put(table, "Patienter per grupp") is None  # off unless opened
    shelf.open(tmp_path / "tables")
    assert shelf.put(table, "Patienter per grupp") == "tables/01-patienter-per-grupp.csv"
    assert shelf.put(table, "Vårdkonsumtion per patient") == (
        "tables/02-vardkonsumtion-per-patient.csv"
    )
    raw = (tmp_path / "tables" / "01-patienter-per-grupp.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfGrupp;Patienter\r\n")
    assert pd.read_csv(tmp_path / "tables" / "01-patienter-per-grupp.csv", sep=";",
                       encoding="utf-8-sig", dtype=str).equals(
        pd.DataFrame({"Grupp": ["HSVT", "NSVT"], "Patienter": ["3247", "–"]})
    )  # fmt: skip


def test_file_names_are_ascii_numbered_and_short():
    assert file_name(3, "Åldersgrupper: kvinnor & män (95 % KI)") == (
        "03-aldersgrupper-kvinnor-man-95-ki.csv"
    )
    assert file_name(12, "???") == "12-tabell.csv"
    assert len(file_name(1, "x" * 200)) <= 70


def test_a_table_of_dashes_is_recognised_as_hidden():
    import pandas as pd
    from narvard.report.tables import all_hidden

    hidden = pd.DataFrame({"Fråga": ["a", "b"], "Alla": ["– (n=60)", "–"], "Grupp": ["·", "–"]})
    assert all_hidden(hidden)
    shown = hidden.assign(Alla=["– (n=60)", "45 % (30–60), n=40"])
    assert not all_hidden(shown)
    assert not all_hidden(pd.DataFrame({"Fråga": ["a"], "Alla": ["·"]}))  # nothing to hide
