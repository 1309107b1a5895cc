"""The report's word list explains the terms the report's own texts use."""

from narvard.report import glossary
from narvard.report.cards import effect_cards
from narvard.report.tables import balance_table


def test_every_term_is_explained_once_in_a_sentence():
    text = glossary.glossary_markdown()
    assert text.startswith("## Ordlista\n")
    for term, explanation in glossary.TERMS.items():
        assert text.count(f"- **{term}**:") == 1
        assert explanation.endswith(".") and len(explanation) > 20


def test_terms_the_report_uses_are_in_the_word_list():
    card = effect_cards(
        {
            "consumption": {
                "HSVT": {"did": {"inpatient_days": {"rate_ratio": 0.9, "ci": [0.8, 1.0]}}}
            }
        }
    )[0]
    assert "95 % KI" in card["interval"] and "95 % KI (konfidensintervall)" in glossary.TERMS
    assert "liknande patienter utan team" in card["reading"]
    assert "Liknande patienter utan team" in glossary.TERMS
    row = {"variable": "age", "mean_team": 80.0, "mean_comparison": 80.0,
           "mean_comparison_weighted": 80.0, "smd_before": 0.0, "smd_after": 0.0}  # fmt: skip
    columns = balance_table({"comparison_group": {"balance": [row]}}).columns
    assert any("SMD" in c for c in columns) and "SMD (standardiserad skillnad)" in glossary.TERMS
