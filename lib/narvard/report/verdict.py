"""The area's answer in plain Swedish, first on the page: what changed, how sure we are,
what it costs. Built only from results.json, with the same numbers as the cards below it.

The lead measure is inpatient days (vårddagar), the largest cost and the measure VGR's
final report and SKR's framework lead with; the other measures follow in one sentence, each
marked sure or not. Every change is the adjusted effect against balanced comparison patients
(docs/effects.md), never the crude before/after change. The money names the team cost it
assumes and what the avoided care is worth a year: the break-even team cost, which holds
whatever the team cost turns out to be.
"""

from __future__ import annotations

from collections.abc import Mapping

from narvard.domain import MEASURE_NAMES
from narvard.report import formatting as fmt
from narvard.report import net_text
from narvard.report.text import trend_unclear
from narvard.stats.contract_costs import team_blocks
from narvard.stats.over_time import MIN_PATIENTS

TEAM_SUBJECTS = {
    "HSVT": "Hemsjukvårdsteamens (HSVT) patienter",
    "NSVT": "Närsjukvårdsteamens (NSVT) patienter",
}
VERDICT_MEASURE = "inpatient_days"


def _amount(ratio: float) -> tuple[str, str]:
    """A rate ratio as a Swedish amount and direction: 0.86 → ('14 %', 'färre')."""
    change = 100 * (ratio - 1)
    return fmt.percent(abs(change)), "färre" if change < 0 else "fler"


def interval_words(interval: list[float]) -> str:
    """A rate-ratio interval in words: [0.62, 1.17] → 'från 38 % färre till 17 % fler',
    [0.27, 0.98] → '2–73 % färre'."""
    low, high = interval
    if high < 1 or low > 1:
        small, large = sorted(abs(100 * (v - 1)) for v in interval)
        direction = "färre" if high < 1 else "fler"
        return f"{fmt.number(small)}–{fmt.percent(large)} {direction}"
    (low_amount, low_dir), (high_amount, high_dir) = _amount(low), _amount(high)
    return f"från {low_amount} {low_dir} till {high_amount} {high_dir}"


def shown_estimate(entry: Mapping) -> bool:
    """An estimate with its rate ratio and both ends of its interval in the report."""
    interval = entry.get("ci")
    return entry.get("rate_ratio") is not None and bool(interval) and None not in interval


def is_certain(interval: list[float] | None) -> bool:
    """True when the 95 % interval excludes 'no change' (a rate ratio of 1)."""
    return bool(interval) and (interval[1] < 1 or interval[0] > 1)


UNCLEAR_TREND = (
    "Det går dock inte att visa att grupperna utvecklades lika före inskrivningen, så läs "
    "resultatet med försiktighet."
)


def effect_sentence(group: str, did: Mapping, unclear_trend: bool = False) -> str | None:
    """One sentence on the adjusted change in inpatient days, with its interval in words."""
    if not shown_estimate(did):
        return None
    ratio, interval = did["rate_ratio"], did["ci"]
    amount, direction = _amount(ratio)
    # The estimate compares changes, not levels: team patients often have more care than
    # the comparison patients throughout (docs/effects.md).
    if round(100 * (ratio - 1)) == 0:  # not "0 % färre": as many, or if sure, how few
        sure = is_certain(interval)
        amount = fmt.percent(abs(100 * (ratio - 1)), 1) if sure else None
    how_many = (
        "lika många vårddagar per levd dag som"
        if amount is None
        else f"{amount} {direction} vårddagar per levd dag än"
    )
    sentence = (
        f"Efter första besöket hade {fmt.lower_first(TEAM_SUBJECTS.get(group, group))} "
        f"{how_many} om deras vård hade utvecklats som hos liknande patienter utan team"
    )
    if is_certain(interval):
        sure = f"{sentence} ({interval_words(interval)}); skillnaden är statistiskt säkerställd."
        return f"{sure} {UNCLEAR_TREND}" if unclear_trend else sure
    return f"{sentence}, men skillnaden är osäker: den kan ligga {interval_words(interval)}."


# Fewer patients than a period of the over-time section needs for an estimate of its own:
# the whole group's estimate is said to rest on few.
FEW_PATIENTS = MIN_PATIENTS


def few_patients_sentence(n_patients: int | None) -> str | None:
    """A warning when the group's followed patients are few; nothing when hidden."""
    if n_patients is None or n_patients >= FEW_PATIENTS:
        return None
    return (
        f"Det bygger på bara {fmt.number(n_patients)} patienter, så resultatet kan ändras "
        "mycket när fler har följts."
    )


def longer_window_sentence(block: Mapping, window_days: int | None) -> str | None:
    """The lead measure at a longer follow-up (the sensitivity analysis), when it is sure
    where the report's own window is not, or the other way round: a reader who stops at
    the summary must not miss it."""
    main = (block.get("did") or {}).get(VERDICT_MEASURE) or {}
    if window_days is None or not shown_estimate(main):
        return None
    for days, level in sorted((block.get("sensitivity") or {}).items(), key=lambda x: int(x[0])):
        did = (((level.get("measures") or {}).get(VERDICT_MEASURE) or {}).get("did")) or {}
        if int(days) <= window_days or not shown_estimate(did):
            continue
        ratio, interval = did["rate_ratio"], did["ci"]
        if is_certain(interval) == is_certain(main["ci"]):
            continue
        n = did.get("n_team")
        on = f", på {fmt.number(n)} patienter" if n is not None else ""
        sure = "säkerställd" if is_certain(interval) else "osäker"
        return (
            f"Med {days} dagars uppföljning är förändringen i vårddagar "
            f"{fmt.ratio_change(ratio, interval)} och {sure}{on}."
        )
    return None


def other_measures_sentence(did: Mapping) -> str | None:
    """The adjusted change of every other measure shown, each with whether it is sure:
    the verdict leads with inpatient days but must not hide a sure change elsewhere."""
    parts = []
    for measure, name in MEASURE_NAMES.items():
        entry = did.get(measure) or {}
        if measure == VERDICT_MEASURE or not shown_estimate(entry):
            continue
        ratio, interval = entry["rate_ratio"], entry["ci"]
        sure = is_certain(interval)
        change = fmt.change(ratio) if sure else fmt.ratio_change(ratio)  # never a sure "0 %"
        parts.append(f"{name.lower()} {change} ({'säkerställd' if sure else 'osäker'})")
    return f"Övriga mått, räknade på samma sätt: {fmt.listing(parts)}." if parts else None


def break_even_sentence(block: Mapping) -> str | None:
    """What the avoided hospital care is worth a year: the most the teams may cost to break
    even, whatever their cost is assumed to be (docs/costs.md §3)."""
    gross = block.get("annual_gross_savings_adjusted_sek")
    if gross is None or block.get("net_savings_sek") is None:
        return None
    if gross <= 0:
        return (
            "Enligt skattningen minskade kostnaden för sjukhusvården inte, så besparingen "
            "täcker ingen del av teamens kostnad."
        )
    worth = (
        f"mindre än {fmt.sek(0.1e6, millions=True)}"
        if net_text.rounds_to_zero(gross)
        else f"omkring {fmt.sek(gross, millions=True)}"
    )
    sentence = (
        f"Den sjukhusvård teamen undviker är värd {worth} per år, så för att gå jämnt ut får "
        "teamen kosta högst så mycket."
    )
    if net_text.savings_may_be_nil(block):
        sentence += " Det värdet är osäkert och kan vara noll."
    return sentence


def cost_is_an_estimate(window_days: int | None) -> str:
    """What the money counts, in one sentence beside the verdict (docs/costs.md §3)."""
    during = f" under varje patients första {window_days} dagar" if window_days else ""
    return (
        "Teamens kostnad är en uppskattning, och besparingen räknar bara sjukhusvård"
        f"{during}; se avsnittet om kostnader."
    )


COST_HIDDEN = (
    "Nettot i kronor visas inte, för att skydda enskilda patienter: det bygger på antal som "
    "är för små för att visas eller som annars skulle kunna räknas fram ur rapportens andra "
    "siffror."
)


def is_hidden_net(block: Mapping) -> bool:
    """True when disclosure control hid the net (it exists: an adjusted estimate and a team
    cost), not when it cannot be computed."""
    if not block or block.get("net_savings_sek") is not None:
        return False
    computed = block.get("basis") == "adjusted" and block.get("team_cost_sek") is not None
    return ("n_patients" in block and block["n_patients"] is None) or computed


def cost_sentence(block: Mapping) -> str | None:
    """One sentence on the net result per year after the teams' cost, as a saving or a cost,
    and what it rests on; why it is missing when disclosure control hid it."""
    net = block.get("net_savings_sek")
    if net is None:
        return COST_HIDDEN if is_hidden_net(block) else None
    chance = fmt.probability(block.get("prob_net_positive"))
    cost = block.get("team_cost_sek")
    lead = (
        "Räknat i kronor"
        if cost is None
        else f"Med en teamkostnad på {fmt.sek(cost, millions=True)} per år"
    )
    sentences = [
        f"{lead} {net_text.teams_clause(net)} (sannolikheten att de sparar mer än de kostar: "
        f"{chance}).",
        break_even_sentence(block),
        cost_is_an_estimate(block.get("window_days")),
    ]
    return " ".join(s for s in sentences if s)


def verdict(results: Mapping) -> list[str]:
    """A paragraph per team group (the lead measure, the other measures, the money);
    empty when the area has no estimable effect."""
    costs = team_blocks(results.get("costs", {}))
    lines = []
    for group in ("HSVT", "NSVT"):
        block = results.get("consumption", {}).get(group) or {}
        unclear = bool(block.get("event_study")) and trend_unclear(block, VERDICT_MEASURE)
        effect = effect_sentence(group, block.get("did", {}).get(VERDICT_MEASURE, {}), unclear)
        if effect is None:
            continue
        others = other_measures_sentence(block.get("did", {}))
        few = few_patients_sentence(block.get("n_patients"))
        longer = longer_window_sentence(block, results.get("window_days"))
        cost = cost_sentence(costs.get(group, {}))
        lines.append(" ".join(s for s in (effect, few, longer, others, cost) if s))
    return lines
