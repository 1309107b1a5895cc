"""How an input file was read, in the report's Swedish (narvard.report.tables)."""

from __future__ import annotations

from narvard.report.quality_tables import dialect_text, dialects_table


def test_dialect_phrases():
    excel = {"format": "csv", "separator": ";", "encoding": "windows-1252", "decimal": ","}
    assert dialect_text(excel | {"line_endings": "CRLF"}) == (
        "läst som semikolonseparerad, Windows-1252, decimalkomma, radslut CRLF (Windows)"
    )
    plain = {"format": "csv", "separator": ",", "encoding": "utf-8-sig", "line_endings": "LF"}
    assert dialect_text(plain | {"decimal": "."}) == (
        "läst som kommaseparerad, UTF-8 med BOM, decimalpunkt, radslut LF"
    )
    assert "inga decimaltal" in dialect_text(excel | {"decimal": None})
    wide = {"format": "xlsx", "sheet": "Blad1", "layout": "wide"}
    assert dialect_text(wide) == (
        "läst som Excel-arbetsbok (bladet ”Blad1”), en rad per svarande (bred enkätfil)"
    )
    assert dialect_text({"format": "parquet"}) == "läst som Parquet"


def test_dialects_table_lists_every_file():
    entries = [
        {"table": "cohort", "file": "cohort.csv", "format": "csv", "separator": ","},
        {"table": "survey_responses", "file": "survey_patient.xlsx", "format": "xlsx"},
    ]
    table = dialects_table({"data_quality": {"rows": {}, "dialects": entries}})
    assert list(table["Fil"]) == ["cohort.csv", "survey_patient.xlsx"]
    assert list(table.columns) == ["Fil", "Tabell", "Inläsning"]
    assert dialects_table({"data_quality": {"rows": {}}}).empty
