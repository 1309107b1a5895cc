"""Section A of the report (SKR's "Behov och förutsättningar"): who the teams reach.

Patients reached per team and year, coverage against an expected target group, age and
sex, and the staffing the VGR staffing keys imply for the area's population.
"""

from __future__ import annotations

import pandas as pd

from narvard.domain import AGE_BANDS, age_band

# VGR's final report: the 3 247 HSVT and 532 NSVT patients followed were "about a third of
# the target group" in a region of 1,77 million inhabitants (2018).
VGR_POPULATION_2018 = 1_720_000
TARGET_PER_100K = {
    "HSVT": 3 * 3247 / VGR_POPULATION_2018 * 1e5,
    "NSVT": 3 * 532 / VGR_POPULATION_2018 * 1e5,
}
# VGR staffing keys (final report on Mobil närvård): per 100 000 inhabitants.
STAFFING_KEYS = {"HSVT": {"doctors": 3.5}, "NSVT": {"doctors": 1.0, "nurses": 2.0}}


def group_profile(patients: pd.DataFrame) -> dict:
    """Enrolment per index year of one group's patients (included or not), and the age and
    sex of those followed before and after (included): the patients of every other table,
    so that no two published counts differ by a handful of excluded patients."""
    included = patients[patients["included"]]
    age = included["index_date"].dt.year - included["birth_year"]
    women = included["sex"] == "F"
    return {
        "n_enrolled": int(len(patients)),
        "n_included": int(len(included)),
        "mean_age": float(age.mean()) if len(age) else None,
        "n_women": int(women.sum()),
        "share_women": float(women.mean()) if len(included) else None,
        "age_bands": {
            b: int(n)
            for b, n in age_band(age).value_counts().reindex(AGE_BANDS, fill_value=0).items()
        },
        "per_year": {
            str(y): int(n)
            for y, n in patients["index_date"].dt.year.value_counts().sort_index().items()
        },
    }


def staffing_expected(population: int) -> dict:
    """Full-time equivalents the VGR staffing keys give for this many inhabitants."""
    return {
        group: {role: per_100k * population / 1e5 for role, per_100k in roles.items()}
        for group, roles in STAFFING_KEYS.items()
    }


def coverage(profiles: dict, population: int) -> dict:
    """Patients reached over the data period against the expected target group.

    The target group is an assumption: VGR's followed patients were about a third of it,
    so it is taken as three times VGR's numbers per inhabitant.
    """
    result = {}
    for group, target_per_100k in TARGET_PER_100K.items():
        if group not in profiles:
            continue
        reached = profiles[group]["n_enrolled"]
        target = target_per_100k * population / 1e5
        result[group] = {
            "patients_reached": reached,
            "expected_target_group": target,
            "coverage": reached / target if target else None,
        }
    return result


def area_profile(area_windows: pd.DataFrame, population: int) -> dict:
    """The `profile` block of results.json for one area."""
    profiles = {
        group: group_profile(area_windows[area_windows["group"] == group])
        for group in ("HSVT", "NSVT", "comparison")
        if (area_windows["group"] == group).any()
    }
    return {
        "groups": profiles,
        "coverage": coverage(profiles, population),
        "staffing_expected_fte": staffing_expected(population),
        "assumptions": {
            "target_group_per_100k": TARGET_PER_100K,
            "staffing_keys_per_100k": STAFFING_KEYS,
        },
    }
