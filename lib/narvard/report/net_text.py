"""The Swedish words of a net result per year: every phrasing the reports use for it.

A net per year (``net_savings_sek`` in results.json) is the teams' adjusted gross savings
per year minus the teams' annual cost: the hospital care the teams' patients did not use,
compared with similar patients without a team, valued at the unit costs and scaled to the
new patients of one year, less what the teams cost in a year (docs/costs.md, section 3
"Money and annualisation"; its 95 % interval ``net_savings_ci`` comes from the
probabilistic sensitivity analysis of section 4). Positive, the teams save more than they
cost; negative, they cost more than they save.

The one rule: a net is always named as a cost or a saving, never as a negative saving
(−42,6 mnkr is 'kostar 42,6 mnkr', never 'sparar −42,6 mnkr'); zero is named as a saving.
An interval spanning zero names both ends, one as a cost and one as a saving ('från en
besparing på 2,0 mnkr till en kostnad på 9,0 mnkr'); an interval wholly on the other side
of zero than its net (it can happen near zero: the interval comes from draws, the net from
the base case) is named as that side ('95 % KI en kostnad på 0,1–1,5 mnkr').

The forms, all built from the same words (``COST``, ``SAVING``) and amounts:

* short, for tables, the overview and the tornado chart: ``short`` ('kostar 42,6 mnkr'),
  ``with_interval`` ('kostar 64,9 mnkr (95 % KI 57,1–72,7 mnkr)'), ``table_interval``
  ('kostar 35,8–49,3 mnkr');
* cards: ``card_title`` ('Nettokostnad per år, HSVT'), ``amount`` ('42,6 mnkr'),
  ``card_interval`` ('95 % KI 35,8–49,3 mnkr'), in the terms of the card's net;
* sentences: ``phrase`` ('en nettokostnad på 4,6 mnkr'), ``interval_phrase`` ('en
  nettokostnad på mellan 3,3 och 5,6 mnkr'), ``teams_clause`` ('kostar teamen omkring …
  per år mer än de sparar i sjukhusvård'), ``investment_clause`` ('kostar satsningen netto
  … per år').

An interval in the terms of its net (cards, tables, overview) puts an end at exactly zero
on the net's own side; an interval in a sentence counts zero as a saving, like the net.
Amounts are in mnkr with one decimal (``formatting.sek``: a no-break space before the
unit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from narvard.report import formatting as fmt


@dataclass(frozen=True)
class Words:
    """How one side of a net is named."""

    verb: str  # 'kostar': the teams (or the investment) cost …
    noun: str  # 'kostnad': from a saving of … to a cost of …
    net_noun: str  # 'nettokostnad'


COST = Words("kostar", "kostnad", "nettokostnad")
SAVING = Words("sparar", "besparing", "nettobesparing")
INTERVAL_LABEL = "95 % KI"
PROBABILITY_LABEL = f"Sannolikhet att teamen {SAVING.verb} mer än de {COST.verb}"
# The tornado chart's axis: the net on one line, savings to the right of zero.
NET_AXIS = f"Netto per år, mnkr (till vänster om 0 {COST.verb} teamen mer än de {SAVING.verb})"
GLOSSARY_TERM = f"{COST.net_noun.capitalize()} / {SAVING.net_noun}"
GLOSSARY_TEXT = (
    "värdet av den sjukhusvård som undveks minus teamens kostnad, per år: en "
    f"{SAVING.net_noun} när det är positivt, en {COST.net_noun} (teamen {COST.verb} mer än de "
    f"{SAVING.verb}) när det är negativt."
)


def is_cost(net: float) -> bool:
    """True when the teams cost more than they save (a negative net); zero is a saving."""
    return net < 0


def words(net: float) -> Words:
    """The words of the net's side: ``COST`` for a negative net, else ``SAVING``."""
    return COST if is_cost(net) else SAVING


def _other(side: Words) -> Words:
    return SAVING if side is COST else COST


def _missing(net: float | None) -> bool:
    return net is None or math.isnan(net)


def _mnkr(value: float) -> str:
    return fmt.sek(value, millions=True)


def amount(net: float | None) -> str:
    """The size of a net without its sign: −42,6 mnkr → '42,6 mnkr' (the words say which)."""
    return fmt.SUPPRESSED if _missing(net) else _mnkr(abs(net))


def _range(low: float, high: float) -> str:
    """Two amounts of one side, the unit once: '35,8–49,3 mnkr'."""
    return f"{fmt.number(low / 1e6, 1)}–{_mnkr(high)}"


def _from_to(low: float, high: float, side: Words, net_nouns: bool = False) -> str:
    """An interval spanning zero in the terms of ``side`` (low below zero is the other
    side): 'från en besparing på 2,0 mnkr till en kostnad på 9,0 mnkr', or with
    ``net_nouns`` 'från en nettobesparing på …'."""
    other = _other(side)
    low_noun, high_noun = (other.net_noun, side.net_noun) if net_nouns else (other.noun, side.noun)
    return f"från en {low_noun} på {_mnkr(-low)} till en {high_noun} på {_mnkr(high)}"


def _complete(interval: list | None) -> bool:
    return bool(interval) and None not in interval


def _in_terms_of(interval: list, side: Words) -> tuple[float, float]:
    """The interval's ends as amounts of ``side`` (a cost of 9 mnkr is 9), low first."""
    low, high = sorted(-v if side is COST else v for v in interval)
    return low, high


def _beside(net: float, interval: list) -> tuple[Words | None, float, float]:
    """The side an interval lies on, seen from its net, and its ends as amounts of that
    side, low first; an end at exactly zero counts on the net's side. Across zero the side
    is None and the ends are in the net's terms (the low end negative)."""
    side = words(net)
    low, high = _in_terms_of(interval, side)
    if low >= 0:
        return side, low, high
    if high < 0:  # wholly on the other side of zero
        return _other(side), -high, -low
    return None, low, high


# Short forms: tables, the overview, the tornado chart.


def short(net: float | None) -> str:
    """A net named as a cost or a saving: −42,6 mnkr → 'kostar 42,6 mnkr', 3,1 mnkr →
    'sparar 3,1 mnkr'; '–' when missing (hidden)."""
    if _missing(net):
        return fmt.SUPPRESSED
    return f"{words(net).verb} {amount(net)}"


def card_interval(net: float, interval: list | None) -> str:
    """The interval in the terms of its net (a card's value has no sign): '95 % KI
    35,8–49,3 mnkr' under a net cost of 42,6 mnkr; across zero, both ends named ('95 % KI
    från en besparing på 2,0 mnkr till en kostnad på 9,0 mnkr'); wholly on the other side,
    that side named ('95 % KI en kostnad på 0,1–1,5 mnkr'); '' without an interval."""
    if not _complete(interval):
        return ""
    side, low, high = _beside(net, interval)
    if side is None:
        body = _from_to(low, high, words(net))
    elif side is words(net):
        body = _range(low, high)
    else:
        body = f"en {side.noun} på {_range(low, high)}"
    return f"{INTERVAL_LABEL} {body}"


def table_interval(net: float | None, interval: list | None) -> str:
    """The interval in a table cell, beside its net, named by the side it lies on:
    'kostar 35,8–49,3 mnkr', or across zero in the net's terms 'från en besparing på
    2,0 mnkr till en kostnad på 9,0 mnkr'; '–' when hidden."""
    if net is None or not _complete(interval):
        return fmt.SUPPRESSED
    side, low, high = _beside(net, interval)
    return _from_to(low, high, words(net)) if side is None else f"{side.verb} {_range(low, high)}"


def with_interval(net: float | None, interval: list | None = None) -> str:
    """The net and its interval in one cell: 'kostar 64,9 mnkr (95 % KI 57,1–72,7 mnkr)';
    the net alone without an interval, '–' when hidden."""
    if net is None:
        return fmt.SUPPRESSED
    text = short(net)
    ci = card_interval(net, interval)
    return f"{text} ({ci})" if ci else text


def card_title(net: float, group: str) -> str:
    """A money card's title names its side: 'Nettokostnad per år, HSVT'."""
    return f"{words(net).net_noun.capitalize()} per år, {group}"


# Sentence forms: the cost paragraph and the verdict.


def phrase(net: float) -> str:
    """A net inside a sentence: 'en nettokostnad på 4,6 mnkr', 'en nettobesparing på
    3,1 mnkr'."""
    return f"en {words(net).net_noun} på {amount(net)}"


def interval_phrase(interval: list) -> str:
    """An interval inside a sentence, by the sign of its ends: 'en nettokostnad på mellan
    3,3 och 5,6 mnkr', 'en nettobesparing på mellan 1,2 och 8,0 mnkr', or across zero
    'allt från en nettokostnad på 2,0 mnkr till en nettobesparing på 1,5 mnkr'."""
    side = COST if is_cost(max(interval)) else SAVING
    low, high = _in_terms_of(interval, side)
    if low >= 0:
        return f"en {side.net_noun} på mellan {fmt.number(low / 1e6, 1)} och {_mnkr(high)}"
    return "allt " + _from_to(low, high, side, net_nouns=True)


def teams_clause(net: float) -> str:
    """What the teams do with money, for the verdict: 'sparar teamen omkring 3,1 mnkr per
    år mer än de kostar', 'kostar teamen omkring 42,6 mnkr per år mer än de sparar i
    sjukhusvård'."""
    side = words(net)
    text = f"{side.verb} teamen omkring {amount(net)} per år mer än de {_other(side).verb}"
    return text + " i sjukhusvård" if side is COST else text


def investment_clause(net: float) -> str:
    """The net after the teams' cost, for the cost paragraph: 'kostar satsningen netto
    4,4 mnkr per år'."""
    return f"{words(net).verb} satsningen netto {amount(net)} per år"


def savings_may_be_nil(block) -> bool:
    """True when the 95 % interval of the adjusted gross savings per year reaches zero or
    below: the avoided care may be worth nothing, and the break-even volume (team cost /
    savings per patient) may be any size."""
    return _reaches_zero(block.get("annual_gross_savings_ci"))


def bed_days_may_be_nil(block) -> bool:
    """True when the 95 % interval of the avoided bed days per year reaches zero or below:
    the cost per avoided bed day (team cost / avoided bed days) may be any size."""
    return _reaches_zero(block.get("avoided_bed_days_per_year_ci"))


def _reaches_zero(interval) -> bool:
    return bool(interval) and interval[0] is not None and interval[0] <= 0


def rounds_to_zero(amount: float) -> bool:
    """True when an amount in kronor reads as 0,0 mnkr (one decimal of a million)."""
    return abs(amount) < 0.05e6
