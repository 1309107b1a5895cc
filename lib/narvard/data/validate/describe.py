"""docs/validation.md, written from the rules themselves so the page and the code cannot
drift: the column facts come from ``SCHEMA``, the rules across rows and tables from
``TABLE_NOTES`` beside the rule functions. ``python -m narvard.data.validate.describe >
docs/validation.md`` rewrites it; a test fails when the page is out of date."""

from __future__ import annotations

from narvard.data.validate.problems import AREA_ID
from narvard.data.validate.rules import TABLE_NOTES
from narvard.data.validate.schema import SCHEMA, _Col

PREAMBLE = """# Input validation

<!-- Written by `python -m narvard.data.validate.describe > docs/validation.md` from the
rules in lib/narvard/data/validate/; do not edit by hand. -->

`narvard.data.validate.validate_dataset(folder)` checks a dataset folder against the data
contract (`docs/contract.md`, section 1) before any report is made. It returns **all**
problems at once; an empty list means the data are valid. It never stops at the first
error and never raises on bad content.

Each problem names the file, the line (CSV: the header is line 1, the first data row
line 2; `.xlsx`: the sheet's row number, as Excel shows it; Parquet: row number from 1),
the column and what was expected, in Swedish:

```
cohort.csv:12: kolumn index_date: förväntade datum ÅÅÅÅ-MM-DD, fick "2019-13-01"
contacts.csv: kolumn start_date: förväntade datum ÅÅÅÅ-MM-DD (samma problem på ytterligare 4 312 rader i filen)
```

When one rule fails on many rows of the same column, the first 20 rows are listed one by
one, followed by one summary line with the number of further rows.
Line numbers are true file lines, also when a quoted text spans several lines or the
file has blank lines.

The large tables, `cohort` and `contacts`, are read once by DuckDB and checked there in
SQL (the same rules and messages as below; `narvard.data.validate.sql_rules`), the others
with pandas. The result is kept under the processed folder, keyed by the SHA-256 of every
input file and of the validation code: `narvard prepare` and `narvard report` do not
check unchanged files again, and report the problems kept for them again.

## Files

- The folder exists.
- `dataset.yml`, `areas`, `cohort` and `contacts` are present. A table may be
  `NAME.parquet`, `NAME.xlsx` or `NAME.csv`; when several exist, the first in that order
  is used.
- The survey and cost tables are optional, but survey answers need `survey_questions`.
- Survey answers may come as `survey_responses` (long form) and/or as wide files
  `survey_<survey_id>.xlsx|.csv|.parquet`, one row per respondent: `respondent_id`,
  `area_id`, `respondent_group` (optionally `wave`), then one column per `question_id`.
  Each is turned into the long form once, while it is read, and checked by the rules of
  `survey_responses` below; a problem names the wide file, the respondent's row and the
  question's column (an unknown question: its header cell; an unknown survey: the file).
  `survey_questions`, `survey_responses` and `survey_invitations` are never wide files.
- Every column listed in the contract is present (one problem per missing column,
  naming it). Extra columns are allowed and ignored.
- `areas` and `cohort` have at least one data row.

## How a file is read

Every table is read once, into text exactly as written, whatever its form; the figures
are the same in every form. Each CSV file is looked at on its own:

- **Encoding**: UTF-8 (a byte order mark is accepted), else Windows-1252 (what Excel's
  "CSV (semikolonavgränsad)" writes; it differs from Latin-1 in `€ – — ’ “ ”`). Refused:
  a file that is UTF-8 in places and not in others (the line of the first bad byte is
  given), bytes that are no Windows-1252 character (`0x81 0x8D 0x8F 0x90 0x9D`), and
  binary data (a `0x00` byte). Limit: a Windows-1252 file whose every non-ASCII byte
  happens to form UTF-8 (e.g. its only special characters are `Ä–`, bytes C4 96) is read
  as UTF-8, as by any program; a lower-case å, ä or ö before a plain letter anywhere in
  the file, as in almost any Swedish text, rules this out.
- **Separator**: `;` or `,`, told by the header row (the contract's column names hold
  neither). Refused: a header holding both. A row with more or fewer fields than the
  header is reported with its line (and a hint when the row uses the other separator).
- **Line endings**: LF, CRLF or CR, also mixed; quoted text may span lines.
- **Decimal mark** of the numeric columns (integers, amounts, `year`, `index`, the 0/1
  flags): in a `,`-separated file always a point; in a `;`-separated file (and in text
  cells of `.xlsx`) a comma or a point, the same in the whole file, read as a point.
  Refused, at the file, line and column, rather than guessed: thousands separators
  (`1.234,5`, `1 234`, `1.234.567`) and a file mixing decimal comma and point (the rarer
  kind is listed).
- **`.xlsx`**: the first sheet; its first non-empty row is the header and empty rows are
  skipped. Number cells are read as written (`4000`, `4000.5`), date cells as
  `YYYY-MM-DD`, TRUE/FALSE as `1`/`0`. Formulas give the value Excel saved. Refused:
  a file that is no workbook, an empty first sheet, and values right of the header's
  columns.
- **Parquet**: typed columns are read as text (dates as `YYYY-MM-DD`, whole numbers
  without `.0`, missing values empty).
- Also reported instead of read: an empty file, and any file that cannot be parsed.

## dataset.yml

- Valid YAML (a syntax error gives the line), a mapping of keys to values, each key once.
- `name`: present, non-empty text.
- `contacts_from`, `contacts_to`: present, ISO dates `YYYY-MM-DD` that exist in the
  calendar (quoted or not), and `contacts_from ≤ contacts_to`.
- `synthetic`: optional (default false); when present, `true` or `false`.
- Unknown keys are allowed.

## Cell rules common to all tables

- A cell is empty when it is empty or holds only spaces. Every contract column must be
  filled unless its rule below says it may be empty. This includes `source` in the cost
  tables: a cost without a source cannot be defended.
- Dates: `YYYY-MM-DD`, a real calendar date (`2019-02-30` is rejected).
- Integers: digits with an optional minus sign (`1 000`, `1e3` and `12.0` are rejected).
- Amounts (`*_sek`): a number with a decimal point (`4000`, `4000.50`), or with a
  decimal comma in a `;`-separated file (see above); spaces are rejected.
- Codes are exact and case-sensitive (`HSVT`, not `hsvt`; `F`, not `f`).

## Pseudonymity

- Columns marked *pseudonymous* below must not look like a Swedish personal identity
  number (personnummer or samordningsnummer): `YYYYMMDD-NNNN`, `YYMMDD-NNNN`,
  `YYMMDD+NNNN`, plain 10 or 12 digits (also with a space as separator). The message says
  that pseudonymous ids are required and names the command that makes them,
  `narvard pseudonymise` (`docs/pseudonymisation.md`): it replaces exactly the values
  this rule refuses, by keyed pseudonyms.
- Such a value is never echoed: in every message, anything shaped like a personal
  identity number is shown as its first two characters followed by `…`.
"""

EPILOGUE = """## Deliberately not checked

- Contacts outside `contacts_from … contacts_to`, or after the patient's death: such
  rows occur in real extracts (stays that straddle the period start, registration
  delays) and the measures only count contacts inside each patient's windows.
- Whether an index date leaves room for both windows: such patients are *excluded* and
  counted in the report, not treated as invalid data.
- Whether every area has patients, or every unit cost item is present.
"""

KINDS = {
    "text": "text",
    "int": "integer",
    "number": "amount with a decimal point",
    "date": "date `YYYY-MM-DD`",
}


def _values(col: _Col) -> str:
    if col.kind == "enum":
        return "one of " + ", ".join(f"`{v}`" for v in col.allowed)
    text = KINDS[col.kind]
    if col.minimum is not None and col.maximum is not None:
        return f"{text} between {col.minimum:g} and {col.maximum:g}"
    if col.minimum is not None:
        return f"{text} ≥ {col.minimum:g}"
    return text


def column_fact(name: str, col: _Col) -> str:
    """One bullet: the column, what it holds, whether it may be empty, pseudonymity."""
    parts = [_values(col)]
    if col.pattern == AREA_ID:
        parts.append("only `a–z`, `0–9` and `-` (it becomes a folder name)")
    if col.pseudonym:
        parts.append("pseudonymous")
    parts.append("filled" if col.required else "may be empty (see below)")
    return f"- `{name}`: " + "; ".join(parts) + "."


def markdown() -> str:
    sections = [PREAMBLE]
    for table, columns in SCHEMA.items():
        lines = [f"## {table}", ""]
        lines += [column_fact(name, col) for name, col in columns.items()]
        lines += [f"- {note}" for note in TABLE_NOTES.get(table, ())]
        sections.append("\n".join(lines) + "\n")
    sections.append(EPILOGUE)
    return "\n".join(sections)


if __name__ == "__main__":
    print(markdown(), end="")
