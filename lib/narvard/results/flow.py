"""The patient flow: every patient count a report uses, as steps of one sequence.

Patients enter a report's figures through three definitions (docs/method.md): enrolled
in the area during the extract; with the whole before and after windows inside the
extract (the crude before/after figures); and also with the comparison window before the
enrolment period inside it (the adjusted effect and the costs). The region's comparison
patients enter only the adjusted effect. Built from the finished (disclosure-controlled)
results, so it shows no number the rest of results.json does not.
"""

from __future__ import annotations

from collections.abc import Mapping

TEAM_GROUPS = ("HSVT", "NSVT")


def _did_counts(block: Mapping) -> tuple[int | None, int | None]:
    """Team and comparison patients of the adjusted effect (the same for every measure)."""
    for did in (block.get("did") or {}).values():
        if did:
            return did.get("n_team"), did.get("n_comparison")
    return None, None


def patient_flow(results: Mapping) -> dict:
    """Per group, the steps with their patient counts (null where hidden or not estimated),
    and the region's comparison patients used by the adjusted effect."""
    profile = results.get("profile", {}).get("groups", {})
    consumption = results.get("consumption", {})
    flow: dict = {"groups": {}, "region_comparison": {}}
    for group in (*TEAM_GROUPS, "comparison"):
        if group not in profile and group not in consumption:
            continue
        block = consumption.get(group) or {}
        steps = [
            {"step": "enrolled", "n": (profile.get(group) or {}).get("n_enrolled")},
            {"step": "both_windows", "n": block.get("n_patients")},
        ]
        if group in TEAM_GROUPS:
            n_team, n_comparison = _did_counts(block)
            steps.append({"step": "history_window", "n": n_team})
            flow["region_comparison"][group] = n_comparison
        flow["groups"][group] = steps
    return flow
