"""The cost-effect in plain Swedish: the paragraph for decision makers and the tornado's
labels. Built only from a costs block of results.json (``narvard.stats.cost_effect``)."""

from __future__ import annotations

from collections.abc import Mapping

from narvard.domain import COST_ITEM_NAMES, MEASURE_NAMES, group_name
from narvard.report import formatting as fmt
from narvard.report import net_text
from narvard.report.net_text import bed_days_may_be_nil, savings_may_be_nil
from narvard.report.verdict import COST_HIDDEN, is_hidden_net
from narvard.stats.contract_costs import team_blocks

ROW_LABELS = {
    "team_cost": "Teamens årliga kostnad",
    "patients_per_year": "Antal nya patienter per år",
    "method": "Beräkningsmetod",
    "comparison": "Jämförelsegrupp",
    "window_days": "Uppföljningstid efter inskrivning",
}
METHOD_LABELS = {
    "adjusted": "jämfört med liknande patienter",
    "crude": "enkel före/efter (överskattar)",  # regression to the mean, docs/effects.md
}
COMPARISON_LABELS = {
    "main": "som i rapporten",
    "other": "annan viktning av jämförelsen",  # unweighted, or weighted with --comparison all
}


def row_label(row: Mapping) -> str:
    """The Swedish name of a tornado row."""
    key = row["input"]
    if key in COST_ITEM_NAMES:
        return f"Kostnad per {COST_ITEM_NAMES[key].lower()}"
    if key.startswith("effect_"):
        return f"Effekten på {MEASURE_NAMES[key.removeprefix('effect_')].lower()} (95 % KI)"
    return ROW_LABELS.get(key, key)


def setting_label(setting: Mapping) -> str:
    """The Swedish name of one setting of a tornado row (a value, a method, a length)."""
    kind, value = setting["kind"], setting["value"]
    if kind == "sek":
        return fmt.sek(value, millions=value >= 1e6)
    if kind == "patients_per_year":
        return f"{fmt.number(value)} patienter/år"
    if kind == "rate_ratio":
        return fmt.ratio_change(value)
    if kind == "days":
        return f"{value} dagar"
    if kind == "method":
        return METHOD_LABELS.get(value, str(value))
    return COMPARISON_LABELS.get(value, str(value))


TEAM_NAMES = {
    "HSVT": "Hemsjukvårdsteamen (HSVT)",
    "NSVT": "Närsjukvårdsteamen (NSVT)",
    "total": "Hemsjukvårds- och närsjukvårdsteamen tillsammans",
    "all": "Hemsjukvårds- och närsjukvårdsteamen tillsammans",
}


def _mnkr(value: float) -> str:
    return fmt.sek(value, millions=True)


def _relative_change(block: Mapping, measure: str) -> float | None:
    """After vs expected (adjusted) or vs before (crude), in percent."""
    entry = block["avoided_use"][measure]
    if block["basis"] != "crude":
        return entry.get("change_vs_expected_pct")
    before = entry["before_total"]
    return 100.0 * (entry["after_total"] - before) / before if before else None


def _annual_basis(block: Mapping) -> float | None:
    if block["basis"] == "crude":
        return block.get("annual_gross_savings_crude_sek")
    return block.get("annual_gross_savings_adjusted_sek")


def _change_sentence(block: Mapping) -> str:
    if "avoided_use" not in block:  # a combined block (HSVT + NSVT) has no single effect
        return ""
    parts, same = [], []
    for measure, noun in (("inpatient_days", "vårddagar"), ("er_visits", "akutbesök")):
        pct = _relative_change(block, measure)
        if pct is None:
            continue
        if round(pct) == 0:  # "0 % färre" says nothing: "lika många"
            same.append(noun)
            continue
        direction = "färre" if pct < 0 else "fler"
        parts.append(f"{fmt.percent(abs(pct))} {direction} {noun}")
    if not parts and not same:
        return ""
    days = block["window_days"]
    if block["basis"] != "crude":
        lead = (
            f"Jämfört med liknande patienter utan team hade patienterna under de första {days} "
            "dagarna efter inskrivningen"
        )
        per_day, than, like = " per levd dag", "än väntat", "som väntat"
    else:
        lead = f"Under de första {days} dagarna efter inskrivningen hade patienterna"
        per_day, than, like = "", f"än under {days} dagar före", f"som under {days} dagar före"
    unchanged = f"lika många {' och '.join(same)}"
    if not parts:
        return f"{lead} {unchanged}{per_day} {like}."
    text = f"{lead} {' och '.join(parts)}{per_day} {than}"
    if same:  # after a comparison with the period before, "som …" would repeat it
        text += f", och {unchanged}" + (f" {like}" if per_day else "")
    return text + "."


def _savings_sentence(block: Mapping) -> str:
    bed_days = block.get("avoided_bed_days_per_year")
    annual = _annual_basis(block)
    if annual is None:
        return ""
    amount = "mindre" if annual >= 0 else "mer"
    text = (
        f"Med omkring {fmt.number(block['patients_per_year'])} nya patienter per år betyder det "
        f"att sjukhusvården kostar ungefär {_mnkr(abs(annual))} {amount} per år"
    )
    if bed_days is not None and bed_days > 0:
        text += f" (cirka {fmt.number(bed_days)} färre vårddagar)"
    interval = block.get("annual_gross_savings_ci") if block["basis"] != "crude" else None
    if interval and None not in interval and interval[0] < 0 < interval[1]:
        more = (  # not "0,0 mnkr mer"
            "ingen minskning"
            if net_text.rounds_to_zero(interval[0])
            else f"{_mnkr(-interval[0])} mer"
        )
        text += (
            f", men det är osäkert: med 95 % sannolikhet mellan {more} och "
            f"{_mnkr(interval[1])} mindre"
        )
    return text + "."


def _net_sentence(block: Mapping) -> str:
    net, ratio = block.get("net_savings_sek"), block.get("return_per_krona")
    if net is None and block.get("team_cost_sek") is not None:
        return (
            "Effekten kunde inte justeras mot liknande patienter utan team, så något netto "
            "beräknas inte."
        )
    if net is None:
        return "Teamens kostnad saknas i underlaget, så något netto kan inte beräknas."
    text = f"Efter teamens kostnad {net_text.investment_clause(net)}"
    if ratio is not None and ratio > 0:
        return text + f": varje satsad krona ger {fmt.number(ratio, 2)} kr tillbaka i sjukhusvård."
    return text + ": sjukhusvården minskade inte, så satsningen ger inget tillbaka i pengar."


def _certainty_sentence(block: Mapping) -> str:
    interval, prob = block.get("net_savings_ci"), block.get("prob_net_positive")
    if interval is None or prob is None:
        return ""
    if prob >= 0.95:
        lead = "Det är mycket sannolikt att teamen sparar mer än de kostar"
    elif prob <= 0.05:
        lead = "Det är mycket sannolikt att teamen kostar mer än de sparar"
    else:
        lead = "Osäkerheten är stor"
    return (
        f"{lead}: med 95 % sannolikhet blir det {net_text.interval_phrase(interval)} per år "
        f"(osäkerheten i effekten, styckkostnaderna och teamens "
        f"kostnad), och sannolikheten att teamen sparar mer än de kostar är "
        f"{fmt.probability(prob)}."
    )


def tornado_shown(block: Mapping) -> bool:
    """A tornado with rows whose figures disclosure control left (a small before total
    hides its crude row's figures, and with them the chart)."""
    table = block.get("tornado") or {}
    return bool(table.get("rows")) and table.get("base_net_savings_sek") is not None


def _tornado_sentence(block: Mapping) -> str:
    table = block.get("tornado")
    if not tornado_shown(block):
        return ""
    row = table["rows"][0]
    settings = sorted(row["settings"], key=lambda s: s["net_savings_sek"])
    low, high = settings[0], settings[-1]
    label = row_label(row)
    label = label[:1].lower() + label[1:]  # "effekten på … (95 % KI)" keeps its KI
    return (
        f"Svaret påverkas mest av {label}: med {setting_label(low)} blir det "
        f"{net_text.phrase(low['net_savings_sek'])} per år, med {setting_label(high)} "
        f"{net_text.phrase(high['net_savings_sek'])}."
    )


def _break_even_sentence(block: Mapping) -> str:
    net, volume = block.get("net_savings_sek"), block.get("break_even_patients_per_year")
    if net is None or not net_text.is_cost(net):
        return ""
    if volume is None:
        annual = _annual_basis(block)
        if annual is not None and annual > 0:  # e.g. a combined block: no break-even volume
            return ""
        return "Eftersom sjukhusvården inte minskade går satsningen inte att räkna hem i pengar."
    text = (
        f"För att gå jämnt ut skulle teamen med samma effekt per patient och oförändrad "
        f"kostnad behöva ta emot omkring {fmt.number(volume)} nya patienter per år, mot "
        f"omkring {fmt.number(block['patients_per_year'])} i dag"
    )
    if savings_may_be_nil(block):
        return text + (
            "; men värdet av den undvikna vården kan vara noll, och då räcker inget antal "
            "patienter."
        )
    return text + "."


def _caveat_sentence(block: Mapping) -> str:
    if block["basis"] == "crude":
        return (
            "Beräkningen bygger på en enkel jämförelse före och efter inskrivning utan "
            "jämförelsegrupp och överskattar troligen besparingen, eftersom patienter ofta "
            "skrivs in när vårdbehovet är som störst."
        )
    return ""


def patients_per_year_note(costs: Mapping) -> str | None:
    """Why 'Nya patienter per år' is not the mean of the table of enrolled per year: it
    counts the patients followed before and after over the years in which an enrolment
    could be followed (the first and last window of the extract cannot)."""
    block = next((b for b in team_blocks(costs).values() if b.get("enrolment_years")), None)
    if block is None:
        return None
    years = block["enrolment_years"]
    # Two decimals unless one is exact: 609 / 3,02 = 202 must not read as 609 / 3,0.
    decimals = 1 if round(years, 1) == round(years, 6) else 2
    return (
        "Nya patienter per år är antalet patienter som följs före och efter, delat med de "
        f"{fmt.number(years, decimals)} år då en inskrivning kunde följas hela "
        "vägen (inskrivningar under uppgifternas första och sista period kan inte följas). "
        "Tabellen över inskrivna per år räknar i stället alla inskrivna per kalenderår. "
        f"Besparingen räknas för varje ny patients första {block['window_days']} dagar efter "
        "inskrivningen, medan teamens kostnad gäller hela året: vård som undviks senare "
        "räknas inte, så nettot är försiktigt räknat om effekten håller i sig."
    )


ROUNDING_NOTE = (
    "Kolumnen ”Båda teamen” är summerad före avrundning och kan därför skilja sig med någon "
    "tiondel från summan av de avrundade talen."
)


UNCERTAIN_MARK = " (osäker)"
UNCERTAIN_RATIO_NOTE = (
    "”(osäker)”: det som siffran delas med – de undvikna vårddagarna eller värdet av den "
    "undvikna vården – kan vara noll eller negativt (95 % KI), så siffran kan vara hur stor "
    "som helst."
)


def cost_table_notes(costs: Mapping) -> list[str]:
    """The sentences under the cost table: patients per year, and rounding of the sums."""
    notes = [patients_per_year_note(costs)]
    blocks = team_blocks(costs)
    if any(savings_may_be_nil(b) or bed_days_may_be_nil(b) for b in blocks.values()):
        notes.append(UNCERTAIN_RATIO_NOTE)
    if costs.get("total") and len(blocks) > 1:
        notes.append(ROUNDING_NOTE)
    return [note for note in notes if note]


def hidden_net_note(block: Mapping, group: str) -> str | None:
    """The cost section's sentence for a group whose net disclosure control hid."""
    return f"**{group}.** {COST_HIDDEN}" if is_hidden_net(block) else None


def cost_paragraph(costs_block: Mapping, area_name: str, group: str) -> str:
    """One Markdown paragraph in plain Swedish: what the teams cost, what they save, how
    sure we are and what would change the answer (the largest tornado bar)."""
    team_cost = costs_block.get("team_cost_sek")
    opening = f"{TEAM_NAMES.get(group, group_name(group))} i {fmt.markdown_literal(area_name)}"
    opening += (
        f" kostar omkring {_mnkr(team_cost)} per år."
        if team_cost is not None
        else " har ingen uppgift om kostnad."
    )
    sentences = [
        opening,
        _change_sentence(costs_block),
        _savings_sentence(costs_block),
        _net_sentence(costs_block),
        _certainty_sentence(costs_block),
        _tornado_sentence(costs_block),
        _break_even_sentence(costs_block),
        _caveat_sentence(costs_block),
    ]
    return " ".join(s for s in sentences if s)
