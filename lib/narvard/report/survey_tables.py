"""Survey tables of an area report (response, shares with intervals, missing answers,
themes, cooperation components, waves) as Swedish-formatted text, from results.json."""

from __future__ import annotations

import pandas as pd

from narvard.domain import SCALES, group_name
from narvard.report import formatting as fmt

REVERSED_MARK = " (påstående om en brist: här är en låg andel bra)"


def survey_table(survey: dict) -> pd.DataFrame:
    """Share positive per question (rows) and respondent group (columns), with n. The share
    is of answers on the agreeing side, also for a negatively worded item, which is marked."""
    groups = sorted({g for item in survey["items"].values() for g in item if g != "all"})
    components = _components_of_items(survey)
    rows = []
    for qid, item in survey["items"].items():
        question = survey["questions"][qid]
        row = {"Fråga": question["text"] + (REVERSED_MARK if question.get("reversed") else "")}
        for group in [*groups, "all"]:
            cell = item.get(group)
            row[group_name(group)] = _share_with_n(cell) if cell else fmt.NOT_APPLICABLE
        if components:
            row[COMPONENT_COLUMN] = " · ".join(components.get(qid, [])) or fmt.NOT_APPLICABLE
        rows.append(row)
    return pd.DataFrame(rows)


COMPONENT_COLUMN = "Ingår i (komponent · SKR-område)"


def _components_of_items(survey: dict) -> dict[str, list[str]]:
    """Question id → the cooperation components it counts in (the components table below
    the item table is their mean), so that a reader can trace a component to its questions."""
    found: dict[str, list[str]] = {}
    for key, component in (survey.get("components") or {}).items():
        # An SKR area is named as the report's section heading: "A. Behov och förutsättningar".
        area = component.get("kind") == "skr_area"
        name = f"{key}. {component['label']}" if area else component["label"]
        for qid in component.get("items") or []:
            found.setdefault(qid, []).append(name)
    return found


def positive_answers(survey: dict) -> str:
    """The answers counted as positive, per scale the questions use, in Swedish quotation
    marks: '”Stämmer helt” eller ”Stämmer ganska bra”; ”Ja”'."""
    scales = dict.fromkeys(survey["questions"][q]["scale"] for q in survey["items"])
    parts = [
        " eller ".join(f"”{label}”" for label in reversed(SCALES[scale].positive))
        for scale in scales
        if scale in SCALES
    ]
    return "; ".join(parts)


# Why a share can be hidden although many answered (shown below the table when it is).
HIDDEN_SHARE_NOTE = (
    "Ett streck med antal svar, t.ex. – (n=60), betyder inte att för få svarade: andelen "
    "döljs för att den annars skulle visa hur ett fåtal svarade, oftast för att nästan alla "
    "(eller nästan inga) svarade positivt."
)


def has_hidden_share_with_n(survey: dict) -> bool:
    """True when a share is hidden while its number of answers is shown."""
    return any(
        cell.get("share_positive") is None and cell.get("n") is not None
        for item in survey["items"].values()
        for cell in item.values()
    )


def _share_with_n(cell: dict) -> str:
    """'94 % (88–97), n=130': share positive, Wilson interval and number of answers."""
    n = f"n={fmt.number(cell['n'])}" if cell["n"] is not None else ""
    if cell["share_positive"] is None:
        return f"{fmt.SUPPRESSED} ({n})" if n else fmt.SUPPRESSED
    ci = cell.get("ci")
    interval = f" ({fmt.number(100 * ci[0])}–{fmt.number(100 * ci[1])})" if ci else ""
    return f"{fmt.share(cell['share_positive'])}{interval}, {n}"


def response_table(survey: dict) -> pd.DataFrame:
    """Invited, answered and response rate per respondent group and in total."""
    rows = []
    for group, block in [*survey["groups"].items(), ("all", survey)]:
        rows.append(
            {
                "Grupp": group_name(group),
                "Inbjudna": fmt.number(block["invited"]),
                "Svarande": fmt.number(block["respondents"]),
                "Svarsfrekvens": fmt.share(block["response_rate"]),
            }
        )
    return pd.DataFrame(rows)


def missing_table(survey: dict) -> pd.DataFrame:
    """Respondents without a substantive answer per item (Datakvalitet)."""
    rows = []
    for qid, item in survey.get("missing", {}).items():
        cell = item.get("all", {})
        rows.append(
            {
                "Fråga": survey["questions"][qid]["text"],
                "Svarande": fmt.number(cell.get("respondents")),
                "Utan svar": fmt.number(cell.get("missing")),
                "Ingen uppfattning / vet ej": fmt.number(cell.get("no_opinion")),
            }
        )
    return pd.DataFrame(rows)


def themes_table(survey: dict) -> pd.DataFrame:
    groups = sorted({g for t in survey["themes"].values() for g in t["by_group"]})
    rows = []
    for theme in survey["themes"].values():
        if not theme["n"]:
            continue  # hidden (too few answers) or not mentioned at all
        row = {"Tema": theme["label"], "Antal svar": fmt.number(theme["n"])}
        row.update({group_name(g): fmt.number(theme["by_group"].get(g)) for g in groups})
        rows.append(row)
    return pd.DataFrame(rows)


def components_table(survey: dict) -> pd.DataFrame:
    """Mean share favourable per cooperation component / SKR area and respondent group."""
    components = survey.get("components", {})
    groups = sorted({g for c in components.values() for g in c["by_group"] if g != "all"})
    rows = []
    for component in components.values():
        row = {"Komponent": component["label"], "Frågor": fmt.number(component["n_items"])}
        for group in [*groups, "all"]:
            cell = component["by_group"].get(group, {})
            row[group_name(group)] = fmt.share(cell.get("mean_share_favourable"))
        rows.append(row)
    return pd.DataFrame(rows)


def waves_table(survey: dict) -> pd.DataFrame:
    """Share positive per item and wave (all respondents), when the survey has waves."""
    waves = survey.get("waves") or {}
    rows = []
    for qid, by_wave in waves.get("items", {}).items():
        question = survey["questions"][qid]
        row = {"Fråga": question["text"] + (REVERSED_MARK if question.get("reversed") else "")}
        for wave in waves.get("waves", []):
            cell = by_wave.get(str(wave), by_wave.get(wave, {})).get("all", {})
            row[str(wave)] = fmt.share(cell.get("share_positive"))
        rows.append(row)
    return pd.DataFrame(rows)
