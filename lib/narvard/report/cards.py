"""Sammanfattning: the report's key figures as cards, each built only from results.json.

One number per card, its interval underneath and one line saying what it means. The
consumption cards show the adjusted effect (the same number the verdict above them
reads out), never the crude before/after change, so the summary cannot contradict itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from narvard.report import formatting as fmt
from narvard.report import net_text
from narvard.report.html import render
from narvard.report.verdict import VERDICT_MEASURE, is_certain
from narvard.stats.contract_costs import team_blocks


def _card(title: str, value: str, interval: str = "", reading: str = "") -> dict:
    return {"title": title, "value": value, "interval": interval, "reading": reading}


def _ratio_interval(interval: list | None) -> str:
    if not interval or None in interval:
        return ""
    low, high = (fmt.percent(100 * (v - 1), signed=True) for v in interval)
    return f"95 % KI {low.replace(fmt.NBSP + '%', '')} till {high}"


def effect_cards(results: Mapping) -> list[dict]:
    """Inpatient days per team group: the adjusted change against comparison patients."""
    cards = []
    for group in ("HSVT", "NSVT"):
        did = (results["consumption"].get(group) or {}).get("did", {}).get(VERDICT_MEASURE, {})
        ratio = did.get("rate_ratio")
        if ratio is None:
            continue
        sure = "säkerställd skillnad" if is_certain(did.get("ci")) else "osäker skillnad"
        cards.append(
            _card(
                f"Vårddagar, {group}",
                fmt.percent(100 * (ratio - 1), signed=True),
                _ratio_interval(did.get("ci")),
                f"Per levd dag, jämfört med hur vården utvecklades hos liknande patienter utan "
                f"team; {sure}.",
            )
        )
    return cards


def survey_cards(results: Mapping) -> list[dict]:
    """Overall response and the first patient question (the care one needs at home)."""
    survey = results["surveys"].get("patient")
    if not survey:
        return []
    cards = [
        _card(
            "Svarsfrekvens, patientenkäten",
            fmt.share(survey["response_rate"]),
            f"{fmt.number(survey['respondents'])} av {fmt.number(survey['invited'])} tillfrågade",
            "Andel av de tillfrågade patienterna som svarade.",
        )
    ]
    first = next(iter(survey["items"]), None)
    if first is not None and survey["items"][first]["all"].get("share_positive") is not None:
        cell = survey["items"][first]["all"]
        ci = cell.get("ci") or [None, None]
        interval = f"95 % KI {fmt.share(ci[0])}–{fmt.share(ci[1])}" if None not in ci else ""
        cards.append(
            _card(
                "Får den vård de behöver"
                if "behöver" in survey["questions"][first]["text"]
                else survey["questions"][first]["text"],
                fmt.share(cell["share_positive"]),
                interval,
                f"Svarar ofta eller alltid, av {fmt.number(cell['n'])} som svarade på frågan.",
            )
        )
    return cards


def cost_cards(results: Mapping) -> list[dict]:
    """Net result per year after the teams' cost (adjusted), named as a cost when the teams
    cost more than they save, with interval and probability."""
    cards = []
    for group, block in team_blocks(results["costs"]).items():
        net = block.get("net_savings_sek")
        if net is None:  # not estimable or hidden: the verdict above says why
            continue
        cards.append(
            _card(
                net_text.card_title(net, group),
                net_text.amount(net),
                net_text.card_interval(net, block.get("net_savings_ci")),
                f"{net_text.PROBABILITY_LABEL}: {fmt.probability(block.get('prob_net_positive'))}.",
            )
        )
    return cards


def key_cards(results: Mapping) -> list[dict]:
    """Up to 8 cards: effect, money and surveys, in that order."""
    return (effect_cards(results) + cost_cards(results) + survey_cards(results))[:8]


def cards_html(cards: list[dict]) -> str:
    """The cards as HTML (templates/narvard/cards.html.j2; every text escaped)."""
    return render("cards.html.j2", cards=cards)
