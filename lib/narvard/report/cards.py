"""Sammanfattning: the report's key figures as cards, each built only from results.json."""

from __future__ import annotations

from narvard.report import formatting as fmt
from narvard.report.html import render
from narvard.stats.contract_costs import team_blocks


def _card(title: str, value: str, change: str = "", reading: str = "") -> dict:
    return {"title": title, "value": value, "change": change, "reading": reading}


def consumption_cards(results: dict) -> list[dict]:
    """Inpatient days per team group: crude before → after, and the adjusted change."""
    cards = []
    for group in ("HSVT", "NSVT"):
        block = results["consumption"].get(group)
        if block is None:
            continue
        days = block["measures"]["inpatient_days"]
        did = block.get("did", {}).get("inpatient_days", {})
        adjusted = fmt.ratio_change(did.get("rate_ratio"), did.get("ci"))
        cards.append(
            _card(
                f"Vårddagar per patient, {group}",
                f"{fmt.number(days['before_mean'], 1)} → {fmt.number(days['after_mean'], 1)}",
                fmt.percent(days["change_pct"], signed=True),
                f"{fmt.number(block['n_patients'])} patienter, {results['window_days']} dagar "
                f"före och efter första besöket. Effekt jämfört med liknande patienter utan "
                f"team: {adjusted} (95 % KI).",
            )
        )
    return cards


def survey_cards(results: dict) -> list[dict]:
    """Overall response and the first patient question (the care one needs at home)."""
    survey = results["surveys"].get("patient")
    if not survey:
        return []
    cards = [
        _card(
            "Patientenkätens svarsfrekvens",
            fmt.share(survey["response_rate"]),
            "",
            f"{fmt.number(survey['respondents'])} av {fmt.number(survey['invited'])} svarade.",
        )
    ]
    first = next(iter(survey["items"]), None)
    if first is not None:
        cell = survey["items"][first]["all"]
        cards.append(
            _card(
                "Patienter som ofta eller alltid får den vård de behöver"
                if "behöver" in survey["questions"][first]["text"]
                else survey["questions"][first]["text"],
                fmt.share(cell["share_positive"]),
                "",
                f"Av {fmt.number(cell['n'])} som svarade på frågan.",
            )
        )
    return cards


def cost_cards(results: dict) -> list[dict]:
    """Net savings per year after the teams' cost (adjusted), with interval and probability."""
    cards = []
    for group, block in team_blocks(results["costs"]).items():
        if "net_savings_sek" not in block:
            continue
        ci = block.get("net_savings_ci") or [None, None]
        cards.append(
            _card(
                f"Nettobesparing per år, {group}",
                fmt.sek(block["net_savings_sek"], millions=True),
                "",
                f"95 % KI {fmt.sek(ci[0], millions=True)} till {fmt.sek(ci[1], millions=True)}; "
                "sannolikhet att teamen sparar mer än de kostar: "
                f"{fmt.probability(block.get('prob_net_positive'))}.",
            )
        )
    return cards


def key_cards(results: dict) -> list[dict]:
    """5–8 cards: consumption, surveys and money, in that order."""
    return (consumption_cards(results) + survey_cards(results) + cost_cards(results))[:8]


def cards_html(cards: list[dict]) -> str:
    """The cards as HTML (templates/narvard/cards.html.j2; every text escaped)."""
    return render("cards.html.j2", cards=cards)
