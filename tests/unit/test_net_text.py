"""The Swedish words of a net per year (``narvard.report.net_text``): a cost or a saving,
never a negative saving; an interval across zero names both ends. Amounts are in mnkr
with a no-break space (U+00A0) before the unit, as ``formatting.sek`` writes them."""

import math

import pytest
from narvard.report import net_text as nt

MINUS = "\u2212"


def test_short_form_names_a_cost_or_a_saving():
    assert nt.short(-42.6e6) == "kostar 42,6\u00a0mnkr"
    assert nt.short(3.1e6) == "sparar 3,1\u00a0mnkr"
    assert nt.short(-64.9e6) == "kostar 64,9\u00a0mnkr"
    assert nt.short(1_234_567.0) == "sparar 1,2\u00a0mnkr"


def test_zero_is_a_saving_and_a_small_cost_keeps_its_side():
    assert nt.short(0.0) == "sparar 0,0\u00a0mnkr"
    assert nt.short(-0.0) == "sparar 0,0\u00a0mnkr"
    assert nt.short(-40_000.0) == "kostar 0,0\u00a0mnkr"  # not "sparar −0,0"
    assert nt.phrase(0.0) == "en nettobesparing på 0,0\u00a0mnkr"
    assert nt.card_title(0.0, "NSVT") == "Nettobesparing per år, NSVT"


def test_a_missing_net_is_a_dash():
    assert nt.short(None) == "–"
    assert nt.short(math.nan) == "–"
    assert nt.amount(None) == "–"
    assert nt.with_interval(None) == "–"
    assert nt.with_interval(None, [-3e6, 2e6]) == "–"
    assert nt.table_interval(None, [-3e6, 2e6]) == "–"


def test_the_unit_is_held_by_a_no_break_space():
    assert nt.short(-42.6e6).endswith("42,6\u00a0mnkr")
    assert " mnkr" not in nt.short(-42.6e6)
    assert nt.amount(-1_500_000_000.0) == "1\u00a0500,0\u00a0mnkr"


def test_cards_name_their_side_in_the_title_and_show_the_amount_without_sign():
    assert nt.card_title(-42.6e6, "HSVT") == "Nettokostnad per år, HSVT"
    assert nt.card_title(3.1e6, "NSVT") == "Nettobesparing per år, NSVT"
    assert nt.amount(-42.6e6) == "42,6\u00a0mnkr"
    assert nt.amount(3.1e6) == "3,1\u00a0mnkr"


def test_card_interval_is_in_the_terms_of_its_net():
    assert nt.card_interval(-42.6e6, [-49.3e6, -35.8e6]) == "95 % KI 35,8–49,3\u00a0mnkr"
    assert nt.card_interval(3.1e6, [1.2e6, 8.0e6]) == "95 % KI 1,2–8,0\u00a0mnkr"
    assert nt.card_interval(-4e6, [-9e6, 2e6]) == (
        "95 % KI från en besparing på 2,0\u00a0mnkr till en kostnad på 9,0\u00a0mnkr"
    )
    assert nt.card_interval(1e6, [-9e6, 2e6]) == (
        "95 % KI från en kostnad på 9,0\u00a0mnkr till en besparing på 2,0\u00a0mnkr"
    )


def test_an_interval_end_at_zero_stays_on_the_side_of_its_net_in_cards_and_tables():
    assert nt.card_interval(-1e6, [-2e6, 0.0]) == "95 % KI 0,0–2,0\u00a0mnkr"
    assert nt.card_interval(1e6, [0.0, 5e6]) == "95 % KI 0,0–5,0\u00a0mnkr"
    assert nt.table_interval(-1e6, [-2e6, 0.0]) == "kostar 0,0–2,0\u00a0mnkr"
    assert nt.table_interval(1e6, [0.0, 5e6]) == "sparar 0,0–5,0\u00a0mnkr"
    assert nt.card_interval(0.0, [-2e6, 0.0]) == (
        "95 % KI från en kostnad på 2,0\u00a0mnkr till en besparing på 0,0\u00a0mnkr"
    )


def test_an_interval_wholly_on_the_other_side_of_its_net_is_named_as_that_side():
    # Near zero the base-case net and the interval from the draws can part ways.
    assert nt.card_interval(0.2e6, [-1.5e6, -0.1e6]) == "95 % KI en kostnad på 0,1–1,5\u00a0mnkr"
    assert nt.card_interval(-0.2e6, [0.1e6, 1.5e6]) == ("95 % KI en besparing på 0,1–1,5\u00a0mnkr")
    assert nt.table_interval(0.2e6, [-1.5e6, -0.1e6]) == "kostar 0,1–1,5\u00a0mnkr"
    assert nt.table_interval(-0.2e6, [0.1e6, 1.5e6]) == "sparar 0,1–1,5\u00a0mnkr"
    assert nt.with_interval(0.2e6, [-1.5e6, -0.1e6]) == (
        "sparar 0,2\u00a0mnkr (95 % KI en kostnad på 0,1–1,5\u00a0mnkr)"
    )


@pytest.mark.parametrize("interval", [None, [], [None, None], [-2e6, None]])
def test_no_interval_gives_no_interval_text(interval):
    assert nt.card_interval(-1e6, interval) == ""
    assert nt.table_interval(-1e6, interval) == "–"
    assert nt.with_interval(-1e6, interval) == "kostar 1,0\u00a0mnkr"


def test_table_interval_names_the_side_beside_its_net():
    assert nt.table_interval(-42.6e6, [-49.3e6, -35.8e6]) == "kostar 35,8–49,3\u00a0mnkr"
    assert nt.table_interval(3.1e6, [1.2e6, 8.0e6]) == "sparar 1,2–8,0\u00a0mnkr"
    assert nt.table_interval(-4e6, [-9e6, 2e6]) == (
        "från en besparing på 2,0\u00a0mnkr till en kostnad på 9,0\u00a0mnkr"
    )


def test_overview_cell_has_the_net_and_its_interval_in_the_same_terms():
    assert nt.with_interval(-64.9e6) == "kostar 64,9\u00a0mnkr"
    assert nt.with_interval(3.1e6) == "sparar 3,1\u00a0mnkr"
    assert nt.with_interval(-64.9e6, [-72.7e6, -57.1e6]) == (
        "kostar 64,9\u00a0mnkr (95 % KI 57,1–72,7\u00a0mnkr)"
    )
    assert nt.with_interval(-1e6, [-3e6, 2e6]) == (
        "kostar 1,0\u00a0mnkr (95 % KI från en besparing på 2,0\u00a0mnkr till en kostnad "
        "på 3,0\u00a0mnkr)"
    )


def test_sentence_forms():
    assert nt.phrase(-4.6e6) == "en nettokostnad på 4,6\u00a0mnkr"
    assert nt.phrase(3.1e6) == "en nettobesparing på 3,1\u00a0mnkr"
    assert nt.teams_clause(3.1e6) == ("sparar teamen omkring 3,1\u00a0mnkr per år mer än de kostar")
    assert nt.teams_clause(-42.6e6) == (
        "kostar teamen omkring 42,6\u00a0mnkr per år mer än de sparar i sjukhusvård"
    )
    assert nt.investment_clause(5.0e6) == "sparar satsningen netto 5,0\u00a0mnkr per år"
    assert nt.investment_clause(-4.4e6) == "kostar satsningen netto 4,4\u00a0mnkr per år"


def test_interval_in_a_sentence_goes_by_the_sign_of_its_ends():
    assert nt.interval_phrase([-5.6e6, -3.3e6]) == (
        "en nettokostnad på mellan 3,3 och 5,6\u00a0mnkr"
    )
    assert nt.interval_phrase([1.2e6, 8.0e6]) == (
        "en nettobesparing på mellan 1,2 och 8,0\u00a0mnkr"
    )
    assert nt.interval_phrase([-2.0e6, 1.5e6]) == (
        "allt från en nettokostnad på 2,0\u00a0mnkr till en nettobesparing på 1,5\u00a0mnkr"
    )
    # In a sentence zero is a saving, like the net itself.
    assert nt.interval_phrase([0.0, 5.0e6]) == ("en nettobesparing på mellan 0,0 och 5,0\u00a0mnkr")
    assert nt.interval_phrase([-2.0e6, 0.0]) == (
        "allt från en nettokostnad på 2,0\u00a0mnkr till en nettobesparing på 0,0\u00a0mnkr"
    )


def test_labels_that_explain_the_sign():
    assert nt.NET_AXIS == "Netto per år, mnkr (till vänster om 0 kostar teamen mer än de sparar)"
    assert nt.PROBABILITY_LABEL == "Sannolikhet att teamen sparar mer än de kostar"
    assert nt.GLOSSARY_TERM == "Nettokostnad / nettobesparing"
    assert nt.GLOSSARY_TEXT == (
        "värdet av den sjukhusvård som undveks minus teamens kostnad, per år: en "
        "nettobesparing när det är positivt, en nettokostnad (teamen kostar mer än de "
        "sparar) när det är negativt."
    )


NETS = [-64.9e6, -42.6e6, -4e6, -40_000.0, -0.0, 0.0, 1.0, 3.1e6]
INTERVALS = [[-72.7e6, -57.1e6], [-9e6, 2e6], [-2e6, 0.0], [0.0, 5e6], [1.2e6, 8e6]]


@pytest.mark.parametrize("net", NETS)
def test_no_form_shows_a_negative_amount(net):
    texts = [nt.short(net), nt.amount(net), nt.phrase(net), nt.teams_clause(net)]
    texts += [nt.investment_clause(net), nt.card_title(net, "HSVT")]
    for interval in INTERVALS:  # inside its interval or not
        texts += [nt.card_interval(net, interval), nt.table_interval(net, interval)]
        texts += [nt.with_interval(net, interval), nt.interval_phrase(interval)]
    assert not [t for t in texts if MINUS in t or "-" in t]
