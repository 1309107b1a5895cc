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
line 2; Parquet: row number from 1), the column and what was expected, in Swedish:

```
cohort.csv:12: kolumn index_date: förväntade datum ÅÅÅÅ-MM-DD, fick "2019-13-01"
contacts.csv: kolumn start_date: förväntade datum ÅÅÅÅ-MM-DD (samma problem på ytterligare 4 312 rader i filen)
```

When one rule fails on many rows of the same column, the first 20 rows are listed one by
one, followed by one summary line with the number of further rows.
Line numbers are true file lines, also when a quoted text spans several lines or the
file has blank lines.

## Files

- The folder exists.
- `dataset.yml`, `areas`, `cohort` and `contacts` are present. A table may be
  `NAME.csv` or `NAME.parquet`; when both exist, the Parquet file is used.
- The survey and cost tables are optional, but `survey_responses` needs `survey_questions`.
- A CSV file is UTF-8 (a byte order mark is accepted), comma-separated, with a header
  row. Reported instead of read: another encoding (the line of the first bad byte is
  given; typically a file saved as Windows-1252/Latin-1), an empty file, a
  semicolon-separated file, rows with more or fewer fields than the header, and any
  file that cannot be parsed (also a broken Parquet file).
- Every column listed in the contract is present (one problem per missing column,
  naming it). Extra columns are allowed and ignored.
- `areas` and `cohort` have at least one data row.

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
- Amounts (`*_sek`): a number with a decimal point (`4000`, `4000.50`); a decimal comma
  or spaces are rejected.
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
