"""Data-quality tables of an area report (rows read, how each file was read, checksums),
from results.json."""

from __future__ import annotations

import pandas as pd

from narvard.domain import TABLE_NAMES
from narvard.report import formatting as fmt


def rows_table(results: dict) -> pd.DataFrame:
    """Rows read per input table (Datakvalitet)."""
    return pd.DataFrame(
        [
            {"Tabell": f"{TABLE_NAMES.get(name, name)} ({name})", "Rader": fmt.number(n)}
            for name, n in results["data_quality"]["rows"].items()
        ]
    )


_SEPARATORS = {";": "semikolonseparerad", ",": "kommaseparerad"}


_ENCODINGS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 med BOM", "windows-1252": "Windows-1252"}


_DECIMALS = {",": "decimalkomma", ".": "decimalpunkt"}


_LINE_ENDINGS = {"CRLF": "radslut CRLF (Windows)", "LF": "radslut LF", "CR": "radslut CR"}


def dialect_text(entry: dict) -> str:
    """How one input file was read, in Swedish, e.g. 'läst som semikolonseparerad,
    Windows-1252, decimalkomma' (an entry of results.json data_quality.dialects)."""
    if entry["format"] == "parquet":
        parts = ["Parquet"]
    elif entry["format"] == "xlsx":
        parts = [f"Excel-arbetsbok (bladet ”{entry.get('sheet', '')}”)"]
        if entry.get("decimal") == ",":
            parts.append(_DECIMALS[","])
    else:
        parts = [
            _SEPARATORS.get(entry.get("separator"), "CSV"),
            _ENCODINGS.get(entry.get("encoding"), str(entry.get("encoding"))),
            _DECIMALS.get(entry.get("decimal"), "inga decimaltal"),
            _LINE_ENDINGS.get(entry.get("line_endings"), "blandade radslut"),
        ]
    if entry.get("layout") == "wide":
        parts.append("en rad per svarande (bred enkätfil)")
    return "läst som " + ", ".join(parts)


def dialects_table(results: dict) -> pd.DataFrame:
    """Every input file and how it was read (Datakvalitet)."""
    return pd.DataFrame(
        [
            {
                "Fil": entry["file"],
                "Tabell": TABLE_NAMES.get(entry["table"], entry["table"]),
                "Inläsning": dialect_text(entry),
            }
            for entry in results["data_quality"].get("dialects", [])
        ]
    )


def checksums_table(results: dict) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"Fil": name, "SHA-256": digest}
            for name, digest in results["dataset"]["input_sha256"].items()
        ]
    )
