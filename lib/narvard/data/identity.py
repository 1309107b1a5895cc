"""Swedish personal identity numbers (personnummer, samordningsnummer) and the keyed
pseudonyms that replace them (docs/pseudonymisation.md).

A value is an identity number when the validator would refuse it as one
(``PERSONNUMMER`` in ``narvard.data.validate.problems``), so what the report refuses is
exactly what ``narvard pseudonymise`` replaces. Every form is first written as 12 digits,
so that ``400101-1234``, ``4001011234`` and ``19400101-1234`` are one person; the
pseudonym is then ``HMAC-SHA-256(key, those 12 digits)``, cut to 12 hex characters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from pathlib import Path

from narvard.data.validate.problems import PERSONNUMMER

MIN_KEY_BYTES = 32
PSEUDONYM_HEX = 12  # hex characters kept of the HMAC: 48 bits
PSEUDONYM_GROUP = 4  # hex characters between dashes: never more than 4 digits in a row
MAKE_KEY = 'python -c "import secrets; print(secrets.token_hex(32))" > nyckel.txt'

_SHAPE = re.compile(PERSONNUMMER)
_PARTS = re.compile(r"\s*(?P<date>[0-9]{8}|[0-9]{6})(?P<sep>[-+ ]?)(?P<serial>[0-9]{4})\s*")
COORDINATION_DAY_OFFSET = 60  # samordningsnummer: day of birth + 60


class PseudonymiseError(Exception):
    """A refusal, with a Swedish message for the user; nothing was written."""


def is_identity_number(value: str) -> bool:
    """True when the validator would refuse value as a personal identity number."""
    return _SHAPE.fullmatch(value) is not None


def twelve_digits(value: str, contacts_to: dt.date) -> str | None:
    """The identity number as 12 digits (YYYYMMDDNNNN), or None for any other value.

    A 12-digit form keeps its century. A 10-digit form gets the latest century in which
    the date of birth is not after contacts_to (the end of the extract); with ``+`` (a
    person aged 100 or more) one century earlier still. Samordningsnummer (day + 60)
    are compared by their real day and kept as written.
    """
    if not is_identity_number(value):
        return None
    parts = _PARTS.fullmatch(value)
    date, serial = parts["date"], parts["serial"]
    if len(date) == 8:
        return date + serial
    year = _birth_year(int(date[:2]), int(date[2:4]), int(date[4:6]), contacts_to)
    if parts["sep"] == "+":
        year -= 100
    return f"{year:04d}{date[2:]}{serial}"


def century_inferred(value: str) -> bool:
    """True for the 10-digit forms, whose century twelve_digits infers."""
    parts = _PARTS.fullmatch(value)
    return parts is not None and len(parts["date"]) == 6


def _birth_year(yy: int, month: int, day: int, contacts_to: dt.date) -> int:
    """The latest year ending in yy whose date (month, day) is not after contacts_to."""
    if day > COORDINATION_DAY_OFFSET:
        day -= COORDINATION_DAY_OFFSET
    year = contacts_to.year - (contacts_to.year - yy) % 100
    if (year, month, day) > (contacts_to.year, contacts_to.month, contacts_to.day):
        year -= 100
    return year


def pseudonym(key: bytes, number: str) -> str:
    """``P-xxxx-xxxx-xxxx``: the first hex characters of HMAC-SHA-256(key, number)."""
    digest = hmac.new(key, number.encode("ascii"), hashlib.sha256).hexdigest()
    kept = digest[:PSEUDONYM_HEX]
    groups = [kept[i : i + PSEUDONYM_GROUP] for i in range(0, len(kept), PSEUDONYM_GROUP)]
    return "-".join(["P", *groups])


def read_key(path: Path) -> bytes:
    """The secret key: the file's bytes without one trailing newline, at least 32 bytes.

    Refusals name the file and how to make a key, never the key itself.
    """
    path = Path(path)
    advice = (
        f"Skapa en nyckel med {MAKE_KEY} och förvara den utanför datamappen "
        "(se docs/pseudonymisation.md)."
    )
    if not path.is_file():
        raise PseudonymiseError(f"Nyckelfilen {path} finns inte. {advice}")
    try:
        key = path.read_bytes()
    except OSError as error:
        raise PseudonymiseError(f"Nyckelfilen {path} kan inte läsas ({error.strerror}).") from None
    key = key.removesuffix(b"\n").removesuffix(b"\r")
    if not key:
        raise PseudonymiseError(f"Nyckelfilen {path} är tom. {advice}")
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymiseError(
            f"Nyckeln i {path} är för kort: {len(key)} byte, minst {MIN_KEY_BYTES} krävs. {advice}"
        )
    return key
