"""The domain's vocabulary, defined once: groups, measures, age bands.

Swedish display names live in ``narvard.labels``; docs/glossary.md explains each term.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# cohort.group (data contract §1): the two team types and the comparison group.
TEAM_GROUPS = ("HSVT", "NSVT")
GROUPS = (*TEAM_GROUPS, "comparison")

# The consumption measures (data contract §2), and those that carry a unit cost.
MEASURES = ("er_visits", "inpatient_days", "unplanned_readmissions", "specialist_visits")
COSTED_MEASURES = {
    "er_visits": "er_visit",
    "inpatient_days": "inpatient_day",
    "specialist_visits": "specialist_visit",
}

# Age at the index date = index year − birth year, in three bands (en dash, as shown).
AGE_BANDS = ("<75", "75–84", "85+")


def age_band(age: pd.Series) -> pd.Series:
    """'<75', '75–84' or '85+' for each age in whole years."""
    bands = np.select([age < 75, age < 85], list(AGE_BANDS[:2]), AGE_BANDS[2])
    return pd.Series(bands, index=age.index, dtype=object)
