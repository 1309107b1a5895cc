"""Synthetic demo dataset: a complete dataset folder in the data contract's form.

The consumption data come from the project's patient-level process
(`narvard.data.synthetic.process`), with one model per group calibrated so that the crude
before/after figures summed over the areas land near the published VGR figures (final
report on Mobil närvård, 2019; see docs/demo-data.md). Surveys follow the VGR patient
survey (Tabell 1) and the Skåne manager survey; unit and team costs follow the sources
named in their `source` columns. Beside the tables, `truth.json` holds the true team
effects (`narvard.data.synthetic.truth`): the demo is a dataset where the answer is known.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from narvard.data.synthetic.process import GroupModel, Population, Process, allocate, patient_tables
from narvard.data.synthetic.truth import true_effects, write_tables, write_truth
from narvard.domain import SCALES, TEAM_GROUPS

DATA_DIR = Path(__file__).parent / "demo_data"

# Included patients per group at region scale (VGR final report 2019; comparison: own choice).
REGION_TARGETS = {"HSVT": 3247, "NSVT": 532, "comparison": 3000}

MODELS: dict[str, GroupModel] = {
    "HSVT": GroupModel(
        acute_rate=0.00764,
        admit_share=0.50,
        frailty_shape=2.0,
        crisis_before=0.21,
        crisis_after=0.042,
        los_mean=6.0,
        readmit_hazard=0.020,
        planned_rate=0.0008,
        specialist_rate=0.008,
        primary_rate=0.015,
        death_rate=0.000492,
        death_crisis=1.0,
        age_mean=87.3,
        age_sd=6.0,
        share_female=0.66,
        share_young=0.06,
        effects={"er": 0.894, "admit": 1.0, "readmit": 0.607, "los": 1.0, "specialist": 0.881},
        team_visits=0.05,
    ),
    "NSVT": GroupModel(
        acute_rate=0.01522,
        admit_share=0.60,
        frailty_shape=2.5,
        crisis_before=0.507,
        crisis_after=0.1015,
        los_mean=7.0,
        readmit_hazard=0.025,
        planned_rate=0.0008,
        specialist_rate=0.011,
        primary_rate=0.015,
        death_rate=0.001181,
        death_crisis=2.0,
        age_mean=82.5,
        age_sd=7.5,
        share_female=0.55,
        share_young=0.05,
        effects={"er": 0.68, "admit": 0.693, "readmit": 0.988, "los": 0.85, "specialist": 0.901},
        team_visits=0.02,
    ),
    "comparison": GroupModel(
        acute_rate=0.00607,
        admit_share=0.50,
        frailty_shape=2.0,
        crisis_before=0.269,
        crisis_after=0.0538,
        los_mean=5.5,
        readmit_hazard=0.016,
        planned_rate=0.0008,
        specialist_rate=0.007,
        primary_rate=0.015,
        death_rate=0.000374,
        death_crisis=0.8,
        age_mean=87.3,
        age_sd=6.0,
        share_female=0.66,
        share_young=0.06,
    ),
}
PROCESS = Process(groups=MODELS)


# --------------------------------------------------------------------------- areas


def _load_areas(scale: str, rng: np.random.Generator) -> pd.DataFrame:
    """Areas with population, relative reach and team-effect exponent per area."""
    spec = yaml.safe_load((DATA_DIR / "areas.yml").read_text(encoding="utf-8"))
    if scale == "region":
        rows = [
            {
                "area_id": a["id"],
                "area_name": a["name"],
                "region": spec["region"]["region"],
                "population": int(a["population"]),
                "hsvt_reach": a["hsvt_reach"],
                "nsvt_reach": a["nsvt_reach"],
                "effect": a["effect"],
                "vardcentraler": int(a["vardcentraler"]),
                "kommuner": dict(a["kommuner"]),
            }
            for a in spec["region"]["areas"]
        ]
        return pd.DataFrame(rows)
    if scale != "national":
        raise ValueError(f"scale must be 'region' or 'national', not {scale!r}")
    regions = spec["national"]
    n = len(regions)
    reach = np.exp(rng.normal(0.0, 0.25, size=(2, n)))
    effect = np.clip(rng.normal(1.0, 0.15, size=n), 0.7, 1.3)
    rows = [
        {
            "area_id": r["id"],
            "area_name": r["name"],
            "region": r["region"],
            "population": int(r["population"]),
            "hsvt_reach": float(reach[0, i]),
            "nsvt_reach": float(reach[1, i]),
            "effect": float(effect[i]),
            # VGR: about 200 vårdcentraler for 1.77 million inhabitants
            "vardcentraler": max(1, round(r["population"] / 8900)),
            "kommuner": {f"kommun-{k + 1}": 1.0 for k in range(int(r["n_kommuner"]))},
        }
        for i, r in enumerate(regions)
    ]
    return pd.DataFrame(rows)


def _group_targets(size: float) -> dict[str, int]:
    """Included patients per group at region scale: the VGR figures times ``size``."""
    return {g: round(n * size) for g, n in REGION_TARGETS.items()}


# --------------------------------------------------------------------------- surveys

LABELS = {
    name: scale.labels + scale.not_substantive
    for name, scale in SCALES.items()
    if name in ("frequency5", "agree5")
}
SURVEY_COLUMNS = ["survey_id", "question_id", "respondent_id", "area_id", "respondent_group"]


def _rounds_to(positive: int, n: int, percent: int) -> bool:
    """True when 100 * positive / n rounds to percent (ties excluded)."""
    return n > 0 and abs(100.0 * positive / n - percent) < 0.5 - 1e-9


def _frequency_answers(rng, n: int, percent: int, question: str) -> list[str]:
    """Answers of n respondents whose share Ofta/Alltid rounds to the published percent.

    A few respondents leave the item empty: as few as needed for the rounding (at least a
    random 0-2), as in a real paper survey.
    """
    first = int(rng.integers(0, 3))
    empty, positive = min(first, n), 0  # a group of one or two: they may all leave it empty
    for empty in range(first, n):
        positive = round(percent * (n - empty) / 100)
        if _rounds_to(positive, n - empty, percent):
            break
    low, high = (
        ((0.30, 0.35, 0.35), (0.6, 0.4)) if question == "q6" else ((0.15, 0.25, 0.6), (0.4, 0.6))
    )
    aldrig, sallan, ibland = allocate(n - empty - positive, np.array(low))
    ofta, alltid = allocate(positive, np.array(high))
    counts = {"": empty, "Aldrig": aldrig, "Sällan": sallan, "Ibland": ibland}
    counts.update({"Ofta": ofta, "Alltid": alltid})
    return [label for label, k in counts.items() for _ in range(k)]


def _agree_answers(n: int, quota: dict) -> list[str]:
    """Answers of n respondents following an agree5 quota (see demo_data/surveys.yml)."""
    empty = int(quota["empty"])
    no_opinion = round(quota["no_opinion"] * n)
    substantive = n - empty - no_opinion
    positive = round(quota["positive"] * substantive)
    neutral = round(quota["neutral"] * (substantive - positive))
    negative = substantive - positive - neutral
    inte_alls, daligt = allocate(negative, np.array([0.35, 0.65]))
    bra, helt = allocate(positive, np.array([0.55, 0.45]))
    labels = LABELS["agree5"]
    counts = dict(zip(labels, (inte_alls, daligt, neutral, bra, helt, no_opinion), strict=True))
    counts[""] = empty
    return [label for label, k in counts.items() for _ in range(k)]


def _respondents(rng, survey: str, invited: dict[str, np.ndarray], n_resp: dict, areas):
    """Draw respondents among the invited of each group; return one row per respondent."""
    rows = []
    for group, per_area in invited.items():
        units = np.repeat(np.arange(len(per_area)), per_area)
        chosen = np.sort(rng.choice(len(units), size=n_resp[group], replace=False))
        rows.append(pd.DataFrame({"area": units[chosen], "respondent_group": group}))
    resp = pd.concat(rows, ignore_index=True)
    numbers = rng.permutation(len(resp)) + 1
    prefix = {"patient": "pat", "staff": "staff", "managers": "chef"}[survey]
    resp["respondent_id"] = [f"{prefix}-{k:04d}" for k in numbers]
    resp["area_id"] = areas["area_id"].to_numpy()[resp["area"].to_numpy()]
    resp["survey_id"] = survey
    return resp


def _answer_rows(rng, resp: pd.DataFrame, question: dict, answers_for) -> pd.DataFrame:
    """One row per respondent of each group for a closed question, answers shuffled."""
    parts = []
    for group, members in resp.groupby("respondent_group", sort=False):
        answers = np.array(answers_for(group, len(members)), dtype=object)
        part = members[SURVEY_COLUMNS[:1] + SURVEY_COLUMNS[2:]].copy()
        part["answer"] = rng.permutation(answers)
        parts.append(part)
    rows = pd.concat(parts, ignore_index=True)
    rows.insert(1, "question_id", question["id"])
    return rows


def _open_rows(rng, resp: pd.DataFrame, question_id: str, texts: dict) -> pd.DataFrame:
    """Open answers: every text used once, the shared ones split between the groups."""
    groups = list(resp["respondent_group"].unique())
    shared = list(rng.permutation(np.array(texts.get("any", []), dtype=object)))
    parts = []
    for i, group in enumerate(groups):
        own = list(texts.get(group, [])) + shared[i :: len(groups)]
        members = resp[resp["respondent_group"] == group]
        pick = rng.choice(len(members), size=min(len(own), len(members)), replace=False)
        part = members.iloc[np.sort(pick)][SURVEY_COLUMNS[:1] + SURVEY_COLUMNS[2:]].copy()
        part["answer"] = rng.permutation(np.array(own[: len(part)], dtype=object))
        parts.append(part)
    rows = pd.concat(parts, ignore_index=True)
    rows.insert(1, "question_id", question_id)
    return rows


def _survey_questions(spec: dict) -> pd.DataFrame:
    rows = [
        {
            "survey_id": survey,
            "question_id": q["id"],
            "question_text": q["text"],
            "scale": q["scale"],
            "order": order,
            # Optional columns (docs/surveys.md): cooperation component / SKR area, and
            # whether agreeing is unfavourable.
            "component": "" if q["scale"] == "open" else q.get("component", ""),
            "reversed": "" if q["scale"] == "open" else str(q.get("reversed", "")),
        }
        for survey in ("patient", "staff", "managers")
        for order, q in enumerate(spec[survey]["questions"], start=1)
    ]
    return pd.DataFrame(rows)


def _invited(rng, areas, team_patients: pd.DataFrame, spec: dict) -> dict:
    """Invited per survey, group and area (arrays in area order)."""
    jitter = rng.uniform(0.8, 1.2, size=(4, len(areas)))
    patient = spec["patient"]
    invited = {"patient": {}}
    for i, group in enumerate(("HSVT", "NSVT")):
        total = round(patient["respondents"][group] / patient["response_rate"])
        invited["patient"][group] = allocate(total, team_patients[group].to_numpy() * jitter[i])
    both = team_patients["HSVT"].to_numpy() + team_patients["NSVT"].to_numpy()
    invited["staff"] = {
        g: allocate(n, both * jitter[2 + i])
        for i, (g, n) in enumerate(spec["staff"]["invited"].items())
    }
    invited["managers"] = {
        "vårdcentral": areas["vardcentraler"].to_numpy(),
        "kommun": np.array([len(k) for k in areas["kommuner"]]),
    }
    return invited


def _scaled_survey_spec(areas: pd.DataFrame) -> dict:
    """surveys.yml with respondent numbers scaled from VGR to the areas' size.

    Patients and staff scale with population; managers keep VGR's response rate per group
    (every vårdcentral and kommun is invited). At region scale nothing changes.
    """
    spec = yaml.safe_load((DATA_DIR / "surveys.yml").read_text(encoding="utf-8"))
    region = yaml.safe_load((DATA_DIR / "areas.yml").read_text(encoding="utf-8"))["region"]
    factor = areas["population"].sum() / sum(a["population"] for a in region["areas"])
    for survey, key in (("patient", "respondents"), ("staff", "respondents"), ("staff", "invited")):
        spec[survey][key] = {g: round(n * factor) for g, n in spec[survey][key].items()}
    invited = {
        "vårdcentral": (
            areas["vardcentraler"].sum(),
            sum(a["vardcentraler"] for a in region["areas"]),
        ),
        "kommun": (
            sum(len(k) for k in areas["kommuner"]),
            sum(len(a["kommuner"]) for a in region["areas"]),
        ),
    }
    managers = spec["managers"]["respondents"]
    for group, (here, vgr) in invited.items():
        managers[group] = round(managers[group] * here / vgr)
    return spec


def _survey_tables(rng, areas, cohort: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """survey_questions, survey_responses and survey_invitations for the three surveys."""
    spec = _scaled_survey_spec(areas)
    team = cohort[cohort["group"] != "comparison"]
    team_patients = (
        team.groupby(["area_id", "group"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=areas["area_id"], columns=list(TEAM_GROUPS))
    ).fillna(0)
    invited = _invited(rng, areas, team_patients, spec)
    responses, invitations = [], []
    for survey in ("patient", "staff", "managers"):
        resp = _respondents(rng, survey, invited[survey], spec[survey]["respondents"], areas)
        for q in spec[survey]["questions"]:
            if q["scale"] == "open":
                responses.append(_open_rows(rng, resp, q["id"], spec[survey]["open_answers"]))
            elif survey == "patient":
                pct = q["published"]
                answers = lambda g, n, q=q, pct=pct: _frequency_answers(rng, n, pct[g], q["id"])  # noqa: E731
                responses.append(_answer_rows(rng, resp, q, answers))
            else:
                answers = lambda g, n, q=q: _agree_answers(n, q["quota"][g])  # noqa: E731
                responses.append(_answer_rows(rng, resp, q, answers))
        for group, per_area in invited[survey].items():
            invitations.append(
                pd.DataFrame(
                    {
                        "survey_id": survey,
                        "area_id": areas["area_id"],
                        "respondent_group": group,
                        "invited": per_area,
                    }
                )
            )
    questions = _survey_questions(spec)
    return {
        "survey_questions": questions,
        "survey_responses": _sort_responses(pd.concat(responses, ignore_index=True), questions),
        "survey_invitations": _nonzero(pd.concat(invitations, ignore_index=True)),
    }


def _sort_responses(rows: pd.DataFrame, questions: pd.DataFrame) -> pd.DataFrame:
    order = {
        (s, q): i
        for i, (s, q) in enumerate(
            zip(questions["survey_id"], questions["question_id"], strict=True)
        )
    }
    rows["_order"] = [order[k] for k in zip(rows["survey_id"], rows["question_id"], strict=True)]
    rows["_survey"] = rows["survey_id"].map({"patient": 0, "staff": 1, "managers": 2})
    rows = rows.sort_values(["_survey", "respondent_id", "_order"], kind="stable")
    return rows[SURVEY_COLUMNS[:2] + SURVEY_COLUMNS[2:] + ["answer"]].reset_index(drop=True)


def _nonzero(invitations: pd.DataFrame) -> pd.DataFrame:
    invitations["invited"] = invitations["invited"].astype(int)
    return invitations[invitations["invited"] > 0].reset_index(drop=True)


# --------------------------------------------------------------------------- costs

COST_YEAR = 2022
UNIT_COSTS = (
    (
        "er_visit",
        4000,
        3000,
        5500,
        "Antagande för demodata: ungefärlig kostnad för ett akutmottagningsbesök utan "
        "inläggning; källmaterialet (VGR:s slutrapport 2019) anger ingen kostnad.",
    ),
    (
        "inpatient_day",
        9300,
        7800,
        11000,
        "Socialstyrelsens ersättning per vårddygn för en utskrivningsklar patient 2022 "
        "(9 300 kr; 7 800 kr 2019). Spannet är ett antagande för demodata.",
    ),
    (
        "specialist_visit",
        4500,
        3500,
        6000,
        "Antagande för demodata: ungefärlig kostnad för ett besök i öppen specialistvård; "
        "källmaterialet anger ingen kostnad.",
    ),
)
DOCTOR_FTE_SEK = 1_600_000  # specialist physician incl. employer on-costs (~52 %), per year
NURSE_FTE_SEK = 800_000  # nurse incl. employer on-costs, per year
HSVT_DOCTORS_PER_100K = 3.5  # VGR staffing key for home-care doctors
HSVT_ADDED_SHARE = 1.0  # the key funded added doctor time: all of it is counted
NSVT_DOCTORS_PER_100K = 1.0
NSVT_NURSES_PER_100K = 2.0


def _unit_costs() -> pd.DataFrame:
    columns = ["item", "cost_sek", "low_sek", "high_sek", "source"]
    table = pd.DataFrame(UNIT_COSTS, columns=columns)
    table.insert(4, "year", COST_YEAR)
    return table


def _sv(x: float, decimals: int = 1) -> str:
    """Number in Swedish notation: decimal comma, space as thousands separator."""
    return f"{x:,.{decimals}f}".replace(",", " ").replace(".", ",")


def _team_costs(areas: pd.DataFrame) -> pd.DataFrame:
    """Annual team cost per area from the VGR staffing keys (see docs/demo-data.md)."""
    rows = []
    check = (
        "Rimlighetskontroll: Region Dalarna räknar med 4 mnkr per område och år för mobila team."
    )
    for area_id, pop in zip(areas["area_id"], areas["population"], strict=True):
        per = pop / 100_000
        doctors = HSVT_DOCTORS_PER_100K * per * HSVT_ADDED_SHARE
        hsvt = doctors * DOCTOR_FTE_SEK
        source = (
            f"Härlett ur VGR:s nyckeltal 3,5 hemsjukvårdsläkare per 100 000 invånare (slutrapport "
            f"Breddinförande av Mobil närvård 2019): {_sv(pop, 0)} inv. ger {_sv(doctors)} "
            f"läkarårsarbeten à 1,6 mnkr inkl. arbetsgivaravgifter (antagande, 2022). Hela "
            f"nyckeltalet räknas som tillkommande läkartid. {check}"
        )
        rows.append((area_id, "HSVT", round(hsvt, -3), source))
        nsvt_doc, nsvt_nurse = NSVT_DOCTORS_PER_100K * per, NSVT_NURSES_PER_100K * per
        nsvt = nsvt_doc * DOCTOR_FTE_SEK + nsvt_nurse * NURSE_FTE_SEK
        source = (
            f"Härlett ur VGR:s nyckeltal för närsjukvårdsteam, 1 läkare och 2 sjuksköterskor per "
            f"100 000 invånare: {_sv(nsvt_doc)} läkare à 1,6 mnkr och {_sv(nsvt_nurse)} "
            f"sjuksköterskor à 0,8 mnkr per år inkl. arbetsgivaravgifter (antagande, 2022). {check}"
        )
        rows.append((area_id, "NSVT", round(nsvt, -3), source))
    table = pd.DataFrame(rows, columns=["area_id", "group", "annual_cost_sek", "source"])
    table["annual_cost_sek"] = table["annual_cost_sek"].astype(int)
    return table


# --------------------------------------------------------------------------- public API

TABLE_ORDER = (
    "areas",
    "cohort",
    "contacts",
    "survey_questions",
    "survey_responses",
    "survey_invitations",
    "unit_costs",
    "team_costs",
)
DATASET_NAMES = {
    "region": "Demo – Västra Götaland (syntetiska data)",
    "national": "Demo – Sverige, nationell skala (syntetiska data)",
}


def _population(areas: pd.DataFrame) -> Population:
    return Population(
        area_ids=areas["area_id"].to_numpy(),
        populations=areas["population"].to_numpy(),
        reach={"HSVT": areas["hsvt_reach"].to_numpy(), "NSVT": areas["nsvt_reach"].to_numpy()},
        kommuner=list(areas["kommuner"]),
        effect_exponent=areas["effect"].to_numpy(),
    )


def demo_tables(
    seed: int = 2019, scale: str = "region", size: float = 1.0, treated: bool = True
) -> dict[str, pd.DataFrame]:
    """Build every contract table of the demo dataset in memory (columns in contract order).

    `size` scales the number of patients (1.0 = the published VGR numbers); it exists for
    calibration runs and benchmarks. `treated=False` gives the same patients without the
    team effects (the counterfactual behind truth.json).
    """
    if scale not in DATASET_NAMES:
        raise ValueError(f"scale must be 'region' or 'national', not {scale!r}")
    if scale == "national":
        if not treated:
            raise ValueError("the national twin is simulated per region (national.py)")
        from narvard.data.synthetic.national import national_tables

        return national_tables(seed, size)
    area_rng, cohort_rng, id_rng, survey_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)
    )
    areas = _load_areas(scale, area_rng)
    cohort_table, contacts = patient_tables(
        PROCESS if treated else PROCESS.untreated(),
        _population(areas),
        _group_targets(size),
        cohort_rng,
        id_rng,
    )
    tables = {
        "areas": areas[["area_id", "area_name", "region", "population"]].copy(),
        "cohort": cohort_table,
        "contacts": contacts,
        **_survey_tables(survey_rng, areas, cohort_table),
        "unit_costs": _unit_costs(),
        "team_costs": _team_costs(areas),
    }
    return {name: tables[name] for name in TABLE_ORDER}


def _dataset_yml(seed: int, scale: str) -> str:
    facts = {"generator": "narvard.data.synthetic.demo", "seed": seed, "scale": scale}
    return PROCESS.dataset_yml(DATASET_NAMES[scale], **facts)


def write_demo_dataset(
    out_dir: Path,
    seed: int = 2019,
    scale: str = "region",
    truth_window_days: int = 180,
    size: float = 1.0,
    regions: Sequence[str] | None = None,
) -> dict[str, int]:
    """Write a complete synthetic dataset folder (all contract tables + dataset.yml) and
    truth.json, the true team effects (``narvard.data.synthetic.truth``).

    Region scale writes CSV; national scale writes cohort and contacts as Parquet
    (``narvard.data.synthetic.national``; ``size`` and ``regions`` apply to it only).
    Returns row counts per table. Identical arguments give identical files.
    """
    if scale == "national":
        from narvard.data.synthetic.national import write_national_dataset

        return write_national_dataset(out_dir, seed, size, regions, truth_window_days)
    tables = demo_tables(seed, scale)
    out_dir = Path(out_dir)
    yml = _dataset_yml(seed, scale)
    write_tables(out_dir, tables, yml)
    # The evaluator's editable codebook for open answers (narvard.stats.open_answers).
    shutil.copyfile(DATA_DIR / "codebook.yml", out_dir / "codebook.yml")
    untreated = demo_tables(seed, scale, treated=False)
    patients = {name: untreated[name] for name in ("areas", "cohort", "contacts")}
    write_truth(out_dir, true_effects(out_dir, patients, yml, truth_window_days))
    return {name: len(table) for name, table in tables.items()}
