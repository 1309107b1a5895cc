"""Swedish number formatting for everything a coordinator reads: 5,7; 3 247; −21 %."""

from __future__ import annotations

import math
import re

NBSP = "\u00a0"  # keeps "3 247" and "21 %" together on one line
MINUS = "\u2212"
SUPPRESSED = "–"  # shown where disclosure control removed a figure
NOT_APPLICABLE = "·"


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, decimals: int = 0) -> str:
    """Swedish format: space as thousands separator, comma as decimal mark, true minus sign."""
    if _is_missing(value):
        return SUPPRESSED
    text = f"{abs(value):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if round(value, decimals) < 0:
        return MINUS + text
    return text


def percent(value: float | None, decimals: int = 0, signed: bool = False) -> str:
    """A percentage given in percent units (−21.3 → '−21 %'); signed adds '+' to rises."""
    if _is_missing(value):
        return SUPPRESSED
    text = number(value, decimals) + NBSP + "%"
    if signed and round(value, decimals) > 0:
        return "+" + text
    return text


def share(value: float | None, decimals: int = 0) -> str:
    """A share between 0 and 1 shown as percent (0.938 → '94 %')."""
    if _is_missing(value):
        return SUPPRESSED
    return percent(100.0 * value, decimals)


def probability(value: float | None) -> str:
    """A probability from a finite number of draws: '62 %', 'under 1 %' or 'över 99 %'."""
    if _is_missing(value):
        return SUPPRESSED
    if value < 0.005:
        return "under 1" + NBSP + "%"
    if value > 0.995:
        return "över 99" + NBSP + "%"
    return share(value)


def sek(value: float | None, millions: bool = False) -> str:
    """Kronor: '110 500 kr', or '1,8 mnkr' with millions=True."""
    if _is_missing(value):
        return SUPPRESSED
    if millions:
        return number(value / 1e6, 1) + NBSP + "mnkr"
    return number(value, 0) + NBSP + "kr"


def date(value: object) -> str:
    """ISO dates are the Swedish standard (2019-03-01); accepts date, Timestamp or str."""
    if value is None:
        return SUPPRESSED
    return str(value)[:10]


def ratio_change(ratio: float | None, interval: list | None = None) -> str:
    """A rate ratio read as a change: 0.79 [0.65, 0.95] → '−21 % (−35 till −5 %)'."""
    if _is_missing(ratio):
        return SUPPRESSED
    text = percent(100 * (ratio - 1), signed=True)
    if interval and not any(_is_missing(v) for v in interval):
        low, high = (change(v) for v in interval)
        text += f" ({low.replace(NBSP + '%', '')} till {high})"
    return text


def change(ratio: float) -> str:
    """A rate ratio as a signed change; one that rounds to 0 % keeps a decimal, so that a
    reader can tell '−82 till +0,2 %' (no sure change) from '−82 till −0,2 %' (a sure one)."""
    value = 100 * (ratio - 1)
    if round(value) == 0 and value != 0:
        return percent(value, 1, signed=True)
    return percent(value, signed=True)


def listing(items: list[str]) -> str:
    """Items as a Swedish list: 'a', 'a och b', 'a, b och c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def lower_first(text: str) -> str:
    """'Chefsenkät (verksamhetschefer och MAS)' → 'chefsenkät (verksamhetschefer och MAS)':
    a name used inside a sentence keeps its abbreviations."""
    return text[:1].lower() + text[1:]


_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark


def markdown_literal(text: object) -> str:
    """Text from the inputs (names, question texts, answers, sources) made literal inside
    Markdown: every ASCII punctuation mark is backslash-escaped (CommonMark §2.4), so
    `<b …>`, `[x](javascript:…)` or `*` show as typed instead of becoming markup."""
    flat = " ".join(str(text).split())  # a line break could start a heading or list
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", flat)
