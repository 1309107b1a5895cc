"""File dialects: how a CSV table is written, detected per file (docs/contract.md §1).

Regional analysts export from Excel and survey tools, so a table may be `,`- or
`;`-separated, UTF-8 (with or without byte order mark) or Windows-1252, with LF or CRLF
line endings, and with decimal comma or decimal point. Each file is looked at once:
``decode`` finds the encoding, ``detect_separator`` the separator from the header row,
``line_endings`` the line endings and ``canonical_numbers`` the decimal mark of the
numeric columns, which it rewrites with a decimal point. Where the form cannot be told
for certain (both separators in the header, thousands separators, decimal comma and
point mixed, UTF-8 mixed with another encoding) a ``DialectError`` lists the problems
instead: a file is never read in a guessed way.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from narvard.data.problem import Problem, capped, shown

BOM = b"\xef\xbb\xbf"
WINDOWS_1252 = "windows-1252"
# UTF-8 for the characters of Swedish text (à–ÿ incl. å ä ö é, and – — ’ “ ” € …). A file
# holding these *and* bytes that are not UTF-8 mixes encodings (e.g. a line pasted from
# another file) and is refused. In Windows-1252 these bytes read "Ã¥", "â€“": mojibake,
# never real text, so a Windows-1252 file is not mistaken for a mixed one.
_UTF8_SEQUENCE = re.compile(rb"\xc3[\x80-\xbf]|\xe2[\x80-\x82][\x80-\xbf]")
COMMA_DECIMAL = re.compile(r"-?[0-9]+,[0-9]+")
POINT_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
# Numbers written with thousands separators: 1.234,5 · 1 234 · 1 234,5 · 1.234.567
THOUSANDS = re.compile(
    r"-?[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+(?:[,.][0-9]+)?"
    r"|-?[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]*"
    r"|-?[0-9]{1,3}(?:\.[0-9]{3}){2,}"
)
SEPARATOR_NAMES = {",": "komma (,)", ";": "semikolon (;)"}


@dataclass(frozen=True)
class Dialect:
    """How one file was read. format is csv, xlsx or parquet; layout long or wide."""

    file: str
    format: str
    separator: str | None = None
    encoding: str | None = None
    decimal: str | None = None
    line_endings: str | None = None
    sheet: str | None = None
    layout: str = "long"

    def as_dict(self) -> dict:
        """The manifest's form: only the facts that apply to the file's format."""
        return {key: value for key, value in asdict(self).items() if value is not None}

    @property
    def canonical(self) -> bool:
        """True when DuckDB reads the file as it is: Parquet, or a UTF-8 comma CSV with
        decimal points."""
        if self.format == "parquet":
            return self.layout == "long"
        return (
            self.format == "csv"
            and self.separator == ","
            and self.encoding in ("utf-8", "utf-8-sig")
            and self.decimal == "."
            and self.layout == "long"
        )


class DialectError(Exception):
    """A file that cannot be read for certain; ``problems`` says where and why (Swedish)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def _line_of(data: bytes | str, position: int) -> int:
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, position) + 1


def decode(data: bytes, file: str) -> tuple[str, str]:
    """The text of a CSV file and its encoding: utf-8, utf-8-sig (with BOM) or windows-1252."""
    if b"\x00" in data:
        line = _line_of(data, data.index(b"\x00"))
        expected = "en textfil (CSV), inte binära data – spara tabellen som CSV eller .xlsx"
        raise DialectError([Problem(file, line, None, expected, "byte 0x00")])
    if data.startswith(BOM):
        return _decode_utf8(data, file, "utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        if _UTF8_SEQUENCE.search(data):
            raise DialectError([_mixed_encoding(data, file, error.start)]) from None
    try:
        return data.decode(WINDOWS_1252), WINDOWS_1252
    except UnicodeDecodeError as error:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d are not Windows-1252
        byte = data[error.start : error.start + 1].hex()
        expected = "text kodad som UTF-8 eller Windows-1252 (spara filen som CSV UTF-8)"
        line = _line_of(data, error.start)
        raise DialectError([Problem(file, line, None, expected, f"byte 0x{byte}")]) from None


def _decode_utf8(data: bytes, file: str, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise DialectError([_mixed_encoding(data, file, error.start)]) from None


def _mixed_encoding(data: bytes, file: str, start: int) -> Problem:
    """A file that is UTF-8 in places and something else at byte `start`."""
    byte = data[start : start + 1].hex()
    expected = (
        "en enda teckenkodning i hela filen – filen är UTF-8 men inte på den här raden "
        "(spara om hela filen som CSV UTF-8)"
    )
    return Problem(file, _line_of(data, start), None, expected, f"byte 0x{byte}")


def line_endings(text: str) -> str:
    """LF, CRLF or CR; 'blandade' (mixed) when the file has more than one kind."""
    crlf = text.count("\r\n")
    lf, cr = text.count("\n") - crlf, text.count("\r") - crlf
    kinds = [name for name, n in (("CRLF", crlf), ("LF", lf), ("CR", cr)) if n]
    if not kinds:
        return "LF"
    return kinds[0] if len(kinds) == 1 else "blandade"


def header_row(text: str) -> tuple[int, str]:
    """The first line that is not blank, and its line number."""
    start = 0
    for number in range(1, text.count("\n") + 2):
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if line.strip():
            return number, line.splitlines()[0] if "\r" in line else line
        start = end + 1
    return 0, ""


def detect_separator(text: str, file: str) -> str:
    """`;` or `,`, told by the header row (the contract's column names hold neither)."""
    line, header = header_row(text)
    fields = {sep: len(next(csv.reader([header], delimiter=sep))) for sep in (";", ",")}
    if fields[";"] > 1 and fields[","] > 1:
        expected = (
            "ett enda avgränsningstecken i rubrikraden, antingen ; eller , – rubrikraden "
            "innehåller båda (spara filen igen som CSV UTF-8 eller CSV semikolonavgränsad)"
        )
        raise DialectError([Problem(file, line, None, expected, shown(header))])
    return ";" if fields[";"] > 1 else ","


def canonical_numbers(
    frame: pd.DataFrame, lines: np.ndarray, columns: Iterable[str], file: str
) -> tuple[pd.DataFrame, str | None]:
    """The decimal mark of the numeric columns (None when no number has decimals), and
    the frame with decimal points.

    Raises DialectError for numbers with thousands separators (1.234,5 or 1 234) and
    for a file mixing decimal comma and decimal point: either could be misread.
    """
    columns = [c for c in columns if c in frame.columns]
    problems, commas, points = [], [], []
    for column in columns:
        values = frame[column]
        grouped = _matches(values, THOUSANDS)
        problems += _cells(frame, lines, column, grouped, file, THOUSANDS_TEXT)
        comma = _matches(values, COMMA_DECIMAL) & ~grouped
        point = _matches(values, POINT_DECIMAL) & ~grouped
        commas.append((column, comma))
        points.append((column, point))
    n_comma = sum(int(m.sum()) for _, m in commas)
    n_point = sum(int(m.sum()) for _, m in points)
    if n_comma and n_point:
        minority = points if n_point <= n_comma else commas
        text = MIXED_TEXT.format(mark="decimalkomma" if minority is points else "decimalpunkt")
        for column, mask in minority:
            problems += _cells(frame, lines, column, mask, file, text)
    if problems:
        raise DialectError(problems)
    if not n_comma:
        return frame, "." if n_point else None
    frame = frame.copy()
    for column, mask in commas:
        if mask.any():
            frame[column] = (
                frame[column].str.replace(",", ".", n=1, regex=False).where(mask, frame[column])
            )
    return frame, ","


THOUSANDS_TEXT = (
    "ett tal utan tusentalsavgränsare, t.ex. 1234,5 – det går inte att säkert avgöra "
    "vilket tal som menas (i Excel: Formatera celler → Tal, utan avgränsare för tusental, "
    "och spara igen)"
)
MIXED_TEXT = (
    "samma decimaltecken i hela filen ({mark}, som i filens övriga tal) – filen blandar "
    "decimalkomma och decimalpunkt, så ett tal som 1.234 kan inte läsas säkert"
)


def _matches(values: pd.Series, pattern: re.Pattern) -> np.ndarray:
    """True where the whole cell matches; checked once per distinct value."""
    codes, uniques = pd.factorize(values)
    found = np.array([pattern.fullmatch(str(v)) is not None for v in uniques], dtype=bool)
    return found[codes] if len(found) else np.zeros(len(values), dtype=bool)


def _cells(
    frame: pd.DataFrame, lines: np.ndarray, column: str, mask: np.ndarray, file: str, text: str
) -> list[Problem]:
    hits = np.flatnonzero(mask)
    if not len(hits):
        return []
    first = hits[:20]
    values = frame[column].iloc[first].tolist()
    return capped(file, column, text, lines[first].tolist(), values, total=len(hits))


def separator_name(separator: str) -> str:
    return SEPARATOR_NAMES.get(separator, repr(separator))
