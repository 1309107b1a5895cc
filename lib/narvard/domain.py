"""The domain's vocabulary, defined once: groups, measures, contact types, age bands,
answer scales and their Swedish names (docs/glossary.md explains each term, and
docs/contract.md defines the tables and measures that use them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# cohort.group (data contract §1): the two team types and the comparison group.
TEAM_GROUPS = ("HSVT", "NSVT")
GROUPS = (*TEAM_GROUPS, "comparison")

# contacts.contact_type (data contract §1).
CONTACT_TYPES = ("er", "inpatient", "specialist", "primary_care")

# The consumption measures (data contract §2), and the unit cost item of those costed.
# Readmissions are not costed: their cost is inside the bed days.
MEASURES = ("er_visits", "inpatient_days", "unplanned_readmissions", "specialist_visits")
COSTED_MEASURES = {
    "er_visits": "er_visit",
    "inpatient_days": "inpatient_day",
    "specialist_visits": "specialist_visit",
}
COST_ITEMS = tuple(COSTED_MEASURES.values())

# Age at the index date = index year − birth year, in three bands (en dash, as shown).
AGE_BANDS = ("<75", "75–84", "85+")


def age_band(age: pd.Series) -> pd.Series:
    """'<75', '75–84' or '85+' for each age in whole years."""
    bands = np.select([age < 75, age < 85], list(AGE_BANDS[:2]), AGE_BANDS[2])
    return pd.Series(bands, index=age.index, dtype=object)


# Survey answer scales (data contract §1): labels in questionnaire order, which count as
# positive, and which are not substantive (left out of shares).
@dataclass(frozen=True)
class Scale:
    """Answer labels of one scale, in questionnaire order, and which of them count as positive."""

    labels: tuple[str, ...]
    positive: tuple[str, ...]
    not_substantive: tuple[str, ...] = ()


SCALES: dict[str, Scale] = {
    "frequency5": Scale(("Aldrig", "Sällan", "Ibland", "Ofta", "Alltid"), ("Ofta", "Alltid")),
    "agree5": Scale(
        (
            "Stämmer inte alls",
            "Stämmer ganska dåligt",
            "Neutral",
            "Stämmer ganska bra",
            "Stämmer helt",
        ),
        ("Stämmer ganska bra", "Stämmer helt"),
        ("Ingen uppfattning",),
    ),
    "yes_no": Scale(("Ja", "Nej"), ("Ja",), ("Vet ej",)),
}
OPEN_SCALE = "open"
ALL_GROUPS = "all"  # the key of every respondent group together

# Swedish names shown to readers.
GROUP_NAMES = {
    "HSVT": "Hemsjukvårdsteam (HSVT)",
    "NSVT": "Närsjukvårdsteam (NSVT)",
    "comparison": "Jämförelsegrupp i området",
    "all": "Samtliga",
    "vårdcentral": "Vårdcentral",
    "kommun": "Kommun",
}
MEASURE_NAMES = {
    "er_visits": "Akutbesök utan inläggning",
    "inpatient_days": "Vårddagar i slutenvård",
    "unplanned_readmissions": "Oplanerade återinskrivningar",
    "specialist_visits": "Besök i öppen specialistvård",
}
COST_ITEM_NAMES = {
    "er_visit": "Akutbesök",
    "inpatient_day": "Vårddag",
    "specialist_visit": "Specialistbesök",
}
SURVEY_NAMES = {
    "patient": "Patientenkät",
    "staff": "Medarbetarenkät",
    "managers": "Chefsenkät (verksamhetschefer och MAS)",
}
TABLE_NAMES = {  # the data contract's tables (docs/contract.md §1)
    "areas": "Samverkansområden",
    "cohort": "Patienter",
    "contacts": "Vårdkontakter",
    "survey_questions": "Enkätfrågor",
    "survey_responses": "Enkätsvar",
    "survey_invitations": "Enkätutskick",
    "unit_costs": "Styckkostnader",
    "team_costs": "Teamkostnader",
    "price_index": "Prisindex",
    "staffing": "Bemanning",
}
ROLE_NAMES = {"doctor": "läkare", "nurse": "sjuksköterskor"}  # staffing.csv roles
EXCLUSION_REASONS = {
    "before_window_outside_extract": "föreperioden börjar före uttagets första datum",
    "after_window_outside_extract": "efterperioden slutar efter uttagets sista datum",
}


# The adjusted effect's comparison: the region's patients in municipal home care without a
# team, weighted to each team's age, sex and index date (docs/effects.md). Not the same
# people as the area's comparison group above, so never called by that name.
REGION_COMPARISON_NAME = "liknande patienter utan team i regionen"

# The patient flow: each count the report uses is one of these steps (docs/method.md).
FLOW_STEPS = {
    "enrolled": "Inskrivna under uttaget",
    "both_windows": "Hela före- och efterperioden inom uttaget",
    "history_window": "Även referensperioden före inskrivningen inom uttaget",
}
FLOW_USES = {
    "enrolled": "Nådda patienter, täckning, ålder och kön",
    "both_windows": (
        "Vårdkonsumtion före och efter (enkla medelvärden), undergrupper, nya patienter per "
        "år och kostnader (effekten på raden nedan tillämpas på alla dessa patienter)"
    ),
    "history_window": "Effekt jämfört med liknande patienter utan team",
}


def group_name(group: str) -> str:
    return GROUP_NAMES.get(group, group)


def survey_name(survey_id: str) -> str:
    return SURVEY_NAMES.get(survey_id, f"Enkät: {survey_id}")


# The five critical cooperation components (the Skåne evaluation of doctor support names
# the model but not the components; these codes are the project's choice, docs/surveys.md)
# and SKR's three areas of learning follow-up of Nära vård (A, B, C).
COMPONENTS: dict[str, str] = {
    "gemensam_malbild": "Gemensam målbild",
    "ledning_styrning": "Ledning och styrning",
    "tillit_relationer": "Tillit och relationer",
    "arbetssatt_rutiner": "Arbetssätt och rutiner",
    "resurser_stod": "Resurser och stöd",
}
SKR_AREAS: dict[str, str] = {
    "A": "Behov och förutsättningar",
    "B": "Samverkan och utveckling",
    "C": "Resultat",
}
