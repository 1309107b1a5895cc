"""Number-bearing Swedish sentences of the effect section, built only from results.json."""

from __future__ import annotations

from narvard.domain import MEASURE_NAMES, MEASURES
from narvard.report import formatting as fmt
from narvard.stats.survey_intervals import holm_adjust

SIGNIFICANCE = 0.05


def suppression_text(min_cell: int) -> str:
    """The method section's sentence on small counts: what is hidden, why larger numbers
    sometimes are, and which small counts are shown (docs/disclosure.md)."""
    if min_cell <= 0:
        return "Skyddet av små tal är avstängt i den här körningen (endast för granskning)."
    return (
        f"Antal under {min_cell} visas inte (–), och inte heller siffror som bygger på "
        "färre patienter eller svarande. Där ett dolt antal skulle kunna räknas fram genom "
        "att lägga ihop eller dra ifrån andra siffror i rapporten (eller i regionens andra "
        "rapporter) döljs också en av dem, så ibland döljs även större tal. Så kan ingen "
        "enskild identifieras. Undantag: antal inbjudna till en enkät och antal som lämnat en "
        "enskild fråga obesvarad visas även när de är små, eftersom de inte säger något om vad "
        "någon svarat – utom där de tillsammans med andra siffror skulle ge bort ett dolt antal."
    )


def _months(span: list[int]) -> str:
    return f"månad {fmt.number(span[0])} till {fmt.number(span[1])}"


def pre_trend_text(block: dict, group: str) -> str:
    """Did team and comparison move alike before enrolment? One or two sentences.

    The test (``narvard.stats.event_study.pre_trend``) compares the yearly change of the
    team/comparison ratio over the months before the before window; measures are tested
    one by one, so a single low p-value among four is read with Holm's correction.
    """
    tests = _trend_tests(block)
    if not tests:
        return "Det finns för få månader före inskrivningen för att pröva om grupperna följdes åt."
    span = _months(next(iter(tests.values()))["months"])
    flagged = _flagged(tests)
    if not flagged:
        return _no_flagged_trend(tests, span, group)
    parts = [
        f"{MEASURE_NAMES[m].lower()} "
        f"({fmt.ratio_change(tests[m]['ratio_per_year'], tests[m]['ci'])} per år)"
        for m in flagged
    ]
    return (
        f"Före inskrivningsperioden ({span}) utvecklades vården olika hos {group}-patienterna "
        f"och de liknande patienterna utan team för {', '.join(parts)}. För dessa mått ska "
        "effekten läsas med försiktighet: skillnaden kan ha funnits även utan teamen."
    )


# A yearly team/comparison ratio whose interval reaches beyond these cannot show that the
# groups moved alike: a divergence of 50 % a year either way is not ruled out.
ALIKE_PER_YEAR = (1 / 1.5, 1.5)


def _trend_tests(block: dict) -> dict:
    """The pre-trend test of each measure that has one (with a p-value)."""
    measures = (block.get("event_study") or {}).get("measures", {})
    return {
        m: t
        for m in MEASURES
        if (t := measures.get(m, {}).get("pre_trend")) and t.get("p_value") is not None
    }


def _flagged(tests: dict) -> list[str]:
    """Measures whose trends differ surely (Holm-adjusted across the measures)."""
    adjusted = holm_adjust([t["p_value"] for t in tests.values()])
    return [m for m, p in zip(tests, adjusted, strict=True) if p < SIGNIFICANCE]


def _wide(tests: dict) -> list[str]:
    """Measures whose interval cannot rule out a divergence of ALIKE_PER_YEAR."""
    return [
        m
        for m, t in tests.items()
        if t.get("ci") and (t["ci"][0] < ALIKE_PER_YEAR[0] or t["ci"][1] > ALIKE_PER_YEAR[1])
    ]


def trend_unclear(block: dict, measure: str) -> bool:
    """True when the months before enrolment do not show that team and comparison moved
    alike for the measure (a sure difference, or an interval too wide), or were not tested."""
    tests = _trend_tests(block)
    return measure not in tests or measure in _flagged(tests) or measure in _wide(tests)


def _no_flagged_trend(tests: dict, span: str, group: str) -> str:
    """No trend difference is sure: alike where the intervals are narrow, and said to be
    unknown where they are too wide to rule a difference out."""
    wide = _wide(tests)
    if not wide:
        return (
            f"Före inskrivningsperioden ({span}) utvecklades vården likartat hos {group}-"
            "patienterna och de liknande patienterna utan team: ingen skillnad i trend är "
            "statistiskt säkerställd. Det stöder antagandet bakom effektskattningen."
        )
    listed = fmt.listing([MEASURE_NAMES[m].lower() for m in wide])
    return (
        f"Före inskrivningsperioden ({span}) är ingen skillnad i trend mellan {group}-"
        "patienterna och de liknande patienterna utan team statistiskt säkerställd, men för "
        f"{listed} är osäkerheten så stor att en skillnad inte kan uteslutas: där går det inte "
        "att visa att grupperna följdes åt, och effekten ska läsas med försiktighet."
    )
