"""The patient-flow table: which patients each part of the report counts (section C)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from narvard.domain import FLOW_STEPS, FLOW_USES, REGION_COMPARISON_NAME, group_name
from narvard.report import formatting as fmt

STEP_COLUMN = "Steg"
USE_COLUMN = "Används till"


def flow_table(results: Mapping) -> pd.DataFrame:
    """Rows are the steps, columns the groups: every n in the report is one of these cells."""
    flow = results.get("patient_flow") or {"groups": {}, "region_comparison": {}}
    groups = flow["groups"]
    rows = []
    for step, label in FLOW_STEPS.items():
        row = {STEP_COLUMN: label}
        for group, steps in groups.items():
            found = next((s for s in steps if s["step"] == step), None)
            row[group_name(group)] = fmt.number(found["n"]) if found else fmt.NOT_APPLICABLE
        row[USE_COLUMN] = FLOW_USES[step]
        rows.append(row)
    region = flow.get("region_comparison") or {}
    if region:
        row = {STEP_COLUMN: REGION_COMPARISON_NAME.capitalize()}
        for group in groups:
            row[group_name(group)] = (
                fmt.number(region[group]) if group in region else fmt.NOT_APPLICABLE
            )
        row[USE_COLUMN] = "Effekt (viktade efter teamets ålder, kön och tidpunkt för inskrivning)"
        rows.append(row)
    return pd.DataFrame(rows)
