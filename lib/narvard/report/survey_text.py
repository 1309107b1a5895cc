"""Survey comparisons and response notes in plain Swedish, from results.json entries.

The numbers come from ``narvard.stats.survey_comparisons``; the verdict "statistiskt
säkerställd" follows the entry's Holm-adjusted p-value (one family per area report).
"""

from __future__ import annotations

from narvard.domain import ALL_GROUPS
from narvard.report import formatting as fmt

SIGNIFICANCE = 0.05
CERTAIN = "skillnaden är statistiskt säkerställd"
UNCERTAIN = "skillnaden kan bero på slumpen"
TOO_FEW = "För få svar för att jämföra grupperna."
LOW_RESPONSE_NOTE = "Svarsfrekvensen är låg, så resultaten är osäkra."
HIDDEN_DISTRIBUTION_NOTE = (
    "Frågor där något svarsalternativ har för få svar visas inte i diagrammet: andelarna "
    "skulle annars avslöja hur enskilda svarat."
)
NO_CHART_NOTE = (
    "Inget diagram: varje fråga har något svarsalternativ med för få svar, och andelarna "
    "skulle annars avslöja hur enskilda svarat. Tabellen nedan visar andelen positiva svar."
)

# How a group is named inside a Swedish sentence ("En större andel i kommunerna än ...").
GROUP_PHRASES: dict[str, str] = {
    "vårdcentral": "på vårdcentralerna",
    "kommun": "i kommunerna",
    "HSVT": "bland HSVT-patienterna",
    "NSVT": "bland NSVT-patienterna",
    "comparison": "i jämförelsegruppen",
    ALL_GROUPS: "bland samtliga",
    "area": "i området",
    "rest_of_region": "i övriga regionen",
}
# What a positive answer means, per scale, as a Swedish verb phrase.
POSITIVE_PHRASES: dict[str, str] = {
    "agree5": "instämmer",
    "frequency5": "svarar ofta eller alltid",
    "yes_no": "svarar ja",
}


def comparison_sentence(comparison: dict, scale: str | None = None) -> str:
    """One plain Swedish sentence for a comparison entry, led by its question's short text
    (the entry's `question`, when present) in Swedish quotation marks.

    The verdict "statistiskt säkerställd" follows the entry's `p_holm` < SIGNIFICANCE; in a
    report, p_holm is adjusted across every comparison of the area (adjust_report_family).
    """
    text = _difference_text(comparison, scale or comparison.get("scale", ""))
    question = comparison.get("question")
    return f"”{question}” – {text}" if question else text


def _difference_text(comparison: dict, scale: str) -> str:
    a, b = comparison["groups"]
    share_a, share_b = comparison.get("shares") or (None, None)
    tested = comparison.get("difference", 0) is not None  # None: a group had too few answers
    if share_a is None or share_b is None or not tested:
        return TOO_FEW
    verb = POSITIVE_PHRASES.get(scale, "svarar positivt")
    phrase_a, phrase_b = _phrase(a), _phrase(b)
    text_a, text_b = fmt.share(share_a), fmt.share(share_b)
    if text_a == text_b:
        return f"Andelen som {verb} är ungefär lika stor {phrase_a} och {phrase_b} (båda {text_a})."
    if share_a < share_b:
        phrase_a, phrase_b, text_a, text_b = phrase_b, phrase_a, text_b, text_a
    certain = comparison.get("p_holm") is not None and comparison["p_holm"] < SIGNIFICANCE
    verdict = CERTAIN if certain else UNCERTAIN
    return f"En större andel {phrase_a} än {phrase_b} {verb} ({text_a} mot {text_b}); {verdict}."


def _phrase(group: str) -> str:
    return GROUP_PHRASES.get(group, f"i gruppen {group}")


def response_note(block: dict) -> str | None:
    """The Swedish note for a low response rate (a block of ``response_summary``)."""
    return LOW_RESPONSE_NOTE if block.get("low") else None
