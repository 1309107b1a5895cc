"""Data-generating processes of the method study: where the truth is known and hard to see.

Each scenario is the project's patient-level process (``narvard.data.synthetic.process``) with
the demo's group models as a start and one difficulty turned up — the ones that break naive
before/after comparisons and matching on pre-index use (docs/method-validation.md):

* ``crisis``: team patients are enrolled after a short health crisis (selection on a
  pre-index high: regression to the mean); comparison patients are not;
* ``frailty``: team patients are frailer (more care, more deaths) than comparison patients;
* ``trends``: the oldest patients' use rises fastest, team patients are older, hospital use
  drops for everyone from 2018 and the teams enrol mostly after that;
* ``deaths``: high mortality after the index date and an extract that ends mid-2019
  (patients censored by the extract are excluded);
* ``null``: all of crisis, frailty and trends, and no team effect at all;
* ``combined``: all of the above with the team effect.

A dataset is one region of two cooperation areas.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from narvard.data.synthetic.demo import MODELS
from narvard.data.synthetic.process import Population, Process, patient_tables
from narvard.data.synthetic.truth import true_effects, write_tables, write_truth

TEAM_EFFECTS = {
    "HSVT": {"er": 0.8, "admit": 0.85, "readmit": 0.7, "los": 1.0, "specialist": 0.9},
    "NSVT": {"er": 0.7, "admit": 0.75, "readmit": 0.8, "los": 0.85, "specialist": 0.95},
}
LATE_ENROLMENT = (
    ("2016-07-01", "2016-12-31", 0.2),
    ("2017-01-01", "2017-12-31", 0.6),
    ("2018-01-01", "2018-12-31", 1.4),
    ("2019-01-01", "2019-06-15", 2.0),
)
EVEN_ENROLMENT = (("2016-07-01", "2019-06-15", 1.0),)
SCENARIOS = ("crisis", "frailty", "trends", "deaths", "null", "combined")
DESCRIPTIONS = {
    "crisis": "team patients enrolled after a short pre-index crisis; comparison not",
    "frailty": "team patients frailer: 1.6× acute use, 1.5–2× mortality",
    "trends": "use rises faster with age; team older; −25 % hospital use from 2018, "
    "teams enrol later",
    "deaths": "3× mortality after the index date; extract ends 2019-06-30",
    "null": "crisis + frailty + trends, no team effect",
    "combined": "crisis + frailty + trends + deaths, with the team effect",
}
TARGETS = {"HSVT": 1500, "NSVT": 500, "comparison": 2500}
AREAS = ("norra", "sodra")
REGION_NAME = "Simuleringsregionen"


@dataclass(frozen=True)
class Scenario:
    name: str
    process: Process
    effect: bool


def scenario(name: str) -> Scenario:
    """The process of one named scenario (see the module docstring)."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    parts = {"null": {"crisis", "frailty", "trends"}, "combined": set(SCENARIOS[:4])}
    turned_up = parts.get(name, {name})
    hsvt, nsvt, comparison = MODELS["HSVT"], MODELS["NSVT"], MODELS["comparison"]
    kwargs: dict = {}
    if "crisis" in turned_up:
        hsvt = replace(hsvt, crisis_before=0.8, crisis_after=0.05)
        nsvt = replace(nsvt, crisis_before=1.5, crisis_after=0.05)
        comparison = replace(comparison, crisis_before=0.0, crisis_after=0.05)
        kwargs["tau_crisis_before"] = 30.0
    if "frailty" in turned_up:
        hsvt = replace(
            hsvt,
            acute_rate=hsvt.acute_rate * 1.6,
            death_rate=hsvt.death_rate * 1.5,
            frailty_shape=1.2,
        )
        nsvt = replace(
            nsvt,
            acute_rate=nsvt.acute_rate * 1.6,
            death_rate=nsvt.death_rate * 2.0,
            frailty_shape=1.2,
        )
    if "trends" in turned_up:
        kwargs.update(trend_age_slope=0.04, calendar_steps=(("2018-01-01", 0.75),))
        hsvt = replace(hsvt, age_mean=90.0, index_segments=LATE_ENROLMENT)
        nsvt = replace(nsvt, age_mean=89.0, index_segments=LATE_ENROLMENT)
        comparison = replace(comparison, age_mean=80.0, age_sd=8.0, index_segments=EVEN_ENROLMENT)
    if "deaths" in turned_up:
        hsvt = replace(hsvt, death_rate=hsvt.death_rate * 3.0)
        nsvt = replace(nsvt, death_rate=nsvt.death_rate * 3.0, death_crisis=4.0)
        kwargs.update(contacts_to="2019-06-30", late_excluded=("2019-01-05", "2019-06-15"))
    effect = name != "null"
    groups = {
        "HSVT": replace(hsvt, effects=TEAM_EFFECTS["HSVT"] if effect else {}),
        "NSVT": replace(nsvt, effects=TEAM_EFFECTS["NSVT"] if effect else {}),
        "comparison": comparison,
    }
    return Scenario(name, Process(groups=groups, **kwargs), effect)


def _population() -> Population:
    return Population(
        area_ids=np.array(AREAS),
        populations=np.array([150_000.0, 150_000.0]),
        reach={},
        kommuner=[{"Norrby": 1.0, "Österby": 1.0}, {"Söderby": 1.0, "Västerby": 1.0}],
        effect_exponent=np.array([1.0, 1.0]),
    )


def _tables(process: Process, seed: int, size: float) -> dict:
    cohort_rng, id_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    targets = {g: max(1, round(n * size)) for g, n in TARGETS.items()}
    cohort, contacts = patient_tables(process, _population(), targets, cohort_rng, id_rng)
    areas = {
        "area_id": list(AREAS),
        "area_name": ["Norra området", "Södra området"],
        "region": [REGION_NAME] * 2,
        "population": [150_000, 150_000],
    }
    return {"areas": pd.DataFrame(areas), "cohort": cohort, "contacts": contacts}


def _dataset_yml(s: Scenario, seed: int) -> str:
    name = f"Simulering – {s.name} (syntetiska data, seed {seed})"
    facts = {"generator": "narvard.data.synthetic.scenarios", "scenario": s.name, "seed": seed}
    return s.process.dataset_yml(name, **facts)


def write_scenario(
    out_dir: Path, name: str, seed: int, size: float = 1.0, window_days: int = 180
) -> dict:
    """Write one scenario dataset (areas, cohort, contacts, dataset.yml) and its truth.json.

    Returns the truth (``narvard.data.synthetic.truth``).
    """
    s = scenario(name)
    yml = _dataset_yml(s, seed)
    write_tables(Path(out_dir), _tables(s.process, seed, size), yml)
    truth = true_effects(
        Path(out_dir), _tables(s.process.untreated(), seed, size), yml, window_days
    )
    truth["scenario"] = name
    write_truth(Path(out_dir), truth)
    return truth
