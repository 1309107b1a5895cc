"""The contract example rewritten in the forms Excel and survey tools write (shared by the
dialect tests in tests/unit and tests/pipeline)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from narvard.data.tables import NUMERIC_COLUMNS

EXAMPLE = Path(__file__).resolve().parent / "data" / "contract_example"
DATE_COLUMNS = ("index_date", "death_date", "start_date", "end_date")


def plain(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def decorate(folder: Path) -> Path:
    """Give the plain example what the dialects must keep: decimals and the characters
    where Windows-1252 differs from Latin-1 (– ’ “ ” €)."""
    costs = plain(folder, "unit_costs")
    costs.loc[0, "low_sek"] = "3000.5"
    costs.loc[1, "cost_sek"] = "9000.25"
    costs.loc[0, "source"] = "Prislista 2019 – “akut” ’besök’ i €"
    costs.to_csv(folder / "unit_costs.csv", index=False)
    answers = plain(folder, "survey_responses")
    answers.loc[1, "answer"] = "Tack för allt – ni är “bäst”!"
    answers.to_csv(folder / "survey_responses.csv", index=False)
    return folder


def rewrite_csv(
    folder: Path, separator: str, encoding: str, newline: str, decimal: str, bom: bool = False
) -> Path:
    """Every CSV of the folder in another dialect."""
    for path in sorted(folder.glob("*.csv")):
        frame = plain(folder, path.stem)
        if decimal == ",":
            for column in NUMERIC_COLUMNS.get(path.stem, ()):
                if column in frame:
                    frame[column] = frame[column].str.replace(".", ",", regex=False)
        text = frame.to_csv(sep=separator, index=False, lineterminator=newline)
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return folder


def excel_semicolon(folder: Path) -> Path:
    """Excel's "CSV (semikolonavgränsad)": ;, Windows-1252, CRLF, decimal comma."""
    return rewrite_csv(folder, ";", "cp1252", "\r\n", ",")


def excel_utf8(folder: Path) -> Path:
    """Excel's "CSV UTF-8 (kommaavgränsad)" in Swedish settings: BOM, ;, CRLF, decimal comma."""
    return rewrite_csv(folder, ";", "utf-8", "\r\n", ",", bom=True)


def typed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Numbers and dates as Excel holds them (numbers and date cells, not text)."""
    for column in NUMERIC_COLUMNS.get(name, ()):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column].replace("", None))
    for column in DATE_COLUMNS:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column].replace("", None))
    return frame


def to_xlsx(folder: Path) -> Path:
    """Every table as NAME.xlsx (first sheet, typed cells); the CSV files removed."""
    for path in sorted(folder.glob("*.csv")):
        typed(plain(folder, path.stem), path.stem).to_excel(
            folder / f"{path.stem}.xlsx", index=False, sheet_name="Blad1"
        )
        path.unlink()
    return folder


def wide_survey(folder: Path, survey_id: str = "patient") -> Path:
    """survey_responses as a wide survey_<id>.xlsx, one row per respondent."""
    long = plain(folder, "survey_responses")
    mine = long[long["survey_id"] == survey_id]
    keys = ["respondent_id", "area_id", "respondent_group"]
    wide = mine.pivot(index=keys, columns="question_id", values="answer").reset_index()
    wide.columns.name = None
    wide.to_excel(folder / f"survey_{survey_id}.xlsx", index=False)
    rest = long[long["survey_id"] != survey_id]
    if rest.empty:
        (folder / "survey_responses.csv").unlink()
    else:
        rest.to_csv(folder / "survey_responses.csv", index=False)
    return folder
