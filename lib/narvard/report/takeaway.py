"""Take-away tables: every table of a report as a CSV file Excel opens as it is.

Semicolon-separated, UTF-8 with BOM and CRLF (what Swedish Excel reads without an import
dialogue). The cells are the report's own cells, so hidden figures stay hidden (–)
exactly as on the page; plain numbers and percentages are written so that Excel reads
them as numbers (no thousands spaces, hyphen-minus: '3 247' → '3247', '−21 %' → '-21%').
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from narvard.report.formatting import MINUS, NBSP

TABLES_FOLDER = "tables"
_PLAIN_NUMBER = re.compile(r"^[−+]?\d{1,3}(?:[\u00a0 ]\d{3})*(?:,\d+)?(?:[\u00a0 ]%)?$")


def excel_cell(text: object) -> str:
    """A report cell as Excel reads it: numbers become numbers, everything else stays."""
    value = str(text)
    if not _PLAIN_NUMBER.match(value):
        return value
    return value.replace(NBSP, "").replace(" ", "").replace(MINUS, "-")


def csv_text(table: pd.DataFrame) -> str:
    """The table as semicolon-separated text with CRLF line ends (add the BOM on writing)."""
    cells = table.astype(str).map(excel_cell)
    return cells.to_csv(sep=";", index=False, lineterminator="\r\n")


def file_name(number: int, caption: str) -> str:
    """'03-vardkonsumtion-per-patient.csv': numbered in page order, readable, ASCII only."""
    ascii_caption = unicodedata.normalize("NFKD", caption).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_caption.lower()).strip("-")[:60].rstrip("-")
    return f"{number:02d}-{slug or 'tabell'}.csv"


class TableShelf:
    """Where a report run puts its take-away tables; off (None) when exploring or rerunning."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.count = 0

    def open(self, folder: Path | None) -> None:
        self.folder, self.count = folder, 0

    def put(self, table: pd.DataFrame, caption: str) -> str | None:
        """Write the table; its path relative to the report, or None when shelving is off."""
        if self.folder is None:
            return None
        self.count += 1
        name = file_name(self.count, caption)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / name).write_text(csv_text(table), encoding="utf-8-sig", newline="")
        return f"{TABLES_FOLDER}/{name}"
