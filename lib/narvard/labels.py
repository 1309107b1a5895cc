"""Swedish names for the report's groups, measures and cost items."""

GROUP_NAMES = {
    "HSVT": "Hemsjukvårdsteam (HSVT)",
    "NSVT": "Närsjukvårdsteam (NSVT)",
    "comparison": "Jämförelsegrupp",
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

EXCLUSION_REASONS = {
    "before_window_outside_extract": "föreperioden börjar före uttagets första datum",
    "after_window_outside_extract": "efterperioden slutar efter uttagets sista datum",
}


def group_name(group: str) -> str:
    return GROUP_NAMES.get(group, group)


def survey_name(survey_id: str) -> str:
    return SURVEY_NAMES.get(survey_id, f"Enkät: {survey_id}")
