"""Synthetic demo dataset: a complete dataset folder per CONTRACT.md section 1.

The consumption data come from a patient-level process, not from target means:

* every patient has a gamma frailty, a slow upward trend (disease progression) and,
  around the index date, an acute *crisis*: people are enrolled in a team, or start
  municipal home health care, when they are sickest. The crisis builds up before the
  index date and fades after it, which produces regression to the mean in every group,
  the comparison group included. Enrolment happens at home: a patient in hospital on
  the planned index date is enrolled on the day of discharge;
* on each day at home an acute episode may occur; it ends in an ER visit without
  admission, or in an ER visit with an unplanned admission (length of stay from a
  negative binomial); after a discharge an extra, decaying hazard produces readmissions;
* planned stays, specialist visits (partly post-discharge follow-up) and primary care
  contacts have their own rates; from the index date on, death has a daily hazard
  (frailty, age, sex, crisis) and ends all contacts;
* a team (HSVT, NSVT) multiplies the hazards from its index date on (team effect).

The daily loop draws a fixed number of uniforms per patient and day (common random
numbers), so a small change of a parameter changes the output a little. A few
parameters per group were tuned on the default seed (see docs/demo-data.md) so that the
crude before/after figures summed over the areas land on the published VGR figures.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.stats import gamma as gamma_dist
from scipy.stats import nbinom as nbinom_dist

from narvard.surveys import SCALES

DATA_DIR = Path(__file__).parent / "demo_data"
CONTACTS_FROM = np.datetime64("2016-01-01", "D")
CONTACTS_TO = np.datetime64("2019-12-31", "D")
N_DAYS = int((CONTACTS_TO - CONTACTS_FROM).astype(int)) + 1
GROUPS = ("HSVT", "NSVT", "comparison")

# Included patients per group at region scale (VGR final report 2019; comparison: own choice).
REGION_TARGETS = {"HSVT": 3247, "NSVT": 532, "comparison": 3000}
EXCLUDED_SHARE = 0.04  # extra patients whose windows fall outside the extract

# Shared time constants of the process (days) and other shared parameters.
TAU_CRISIS_BEFORE = 90.0
TAU_CRISIS_AFTER = 30.0
TAU_READMIT = 10.0
TAU_FOLLOWUP = 21.0
TREND_PER_YEAR = 0.30  # slow disease progression: log-rate change per year
MALE_DEATH_FACTOR = 1.3
AGE_DEATH_SLOPE = 0.04
LOS_DISPERSION = 3.0
FOLLOWUP_HAZARD = 0.010  # extra specialist-visit hazard right after a discharge
PLANNED_SAME_DAY = 0.25
CRISIS_ER_FACTOR = 3.0  # the crisis shows more in ER visits without admission
CRISIS_READMIT_FACTOR = 3.0  # ... and in readmissions (unstable patients)
CRISIS_SHAPE = 2.0  # gamma shape of the patient-specific crisis size (mean 1)


@dataclass(frozen=True)
class GroupModel:
    """Parameters of the patient-level process for one group (hazards are per day)."""

    acute_rate: float  # acute episodes at frailty 1, no crisis, at the index date
    admit_share: float  # share of acute episodes that end in an unplanned admission
    frailty_shape: float  # gamma shape of frailty (mean 1)
    crisis_before: float  # mean crisis amplitude just before the index date
    crisis_after: float  # crisis amplitude at the index date, decaying afterwards
    los_mean: float  # mean nights of an unplanned stay
    readmit_hazard: float  # extra admission hazard the day after a discharge (decays)
    planned_rate: float
    specialist_rate: float
    primary_rate: float
    death_rate: float  # frailty 1, age 85, woman, no crisis
    death_crisis: float  # extra relative death hazard at the index date (decays)
    age_mean: float
    age_sd: float
    share_female: float
    share_young: float  # share aged 45-64
    effects: dict[str, float] = field(default_factory=dict)
    team_visits: float = 0.0  # extra primary care contacts per day once enrolled


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
EFFECT_KEYS = ("er", "admit", "readmit", "los", "specialist")


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


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split total into non-negative integers proportional to weights (largest remainder)."""
    weights = np.asarray(weights, dtype=float)
    exact = total * weights / weights.sum()
    parts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - parts), kind="stable")
    parts[order[: total - parts.sum()]] += 1
    return parts


def _group_targets(areas: pd.DataFrame, scale: str, size: float) -> dict[str, int]:
    """Included patients per group: VGR figures, scaled by population at national scale."""
    factor = size
    if scale == "national":
        region = yaml.safe_load((DATA_DIR / "areas.yml").read_text(encoding="utf-8"))["region"]
        region_pop = sum(a["population"] for a in region["areas"])
        factor *= areas["population"].sum() / region_pop
    return {g: round(n * factor) for g, n in REGION_TARGETS.items()}


# --------------------------------------------------------------------------- cohort

INDEX_SEGMENTS = (  # (first day, last day, relative enrolment intensity)
    ("2016-07-01", "2016-12-31", 0.3),
    ("2017-01-01", "2017-12-31", 0.8),
    ("2018-01-01", "2018-12-31", 1.3),
    ("2019-01-01", "2019-06-15", 1.5),
)
LATE_EXCLUDED = ("2019-07-20", "2019-11-30")  # after window not inside the extract
EARLY_EXCLUDED = ("2016-02-01", "2016-06-10")  # before window not inside the extract


def _day(date: str) -> int:
    return int((np.datetime64(date, "D") - CONTACTS_FROM).astype(int))


def _uniform_days(rng: np.random.Generator, first: str, last: str, n: int) -> np.ndarray:
    return rng.integers(_day(first), _day(last) + 1, size=n)


def _index_days(rng: np.random.Generator, n_incl: int, n_excl: int) -> np.ndarray:
    """Nominal index days: included ones spread over 2016-07…2019-06, rising over time."""
    lengths = np.array([_day(b) - _day(a) + 1 for a, b, _ in INDEX_SEGMENTS])
    weights = lengths * np.array([w for _, _, w in INDEX_SEGMENTS])
    segment = rng.choice(len(INDEX_SEGMENTS), size=n_incl, p=weights / weights.sum())
    start = np.array([_day(a) for a, _, _ in INDEX_SEGMENTS])
    days = start[segment] + np.floor(rng.random(n_incl) * lengths[segment]).astype(int)
    n_early = n_excl // 4
    late = _uniform_days(rng, *LATE_EXCLUDED, n_excl - n_early)
    early = _uniform_days(rng, *EARLY_EXCLUDED, n_early)
    return np.concatenate([days, late, early])


def _ages(rng: np.random.Generator, model: GroupModel, n: int) -> np.ndarray:
    """Age at index: mostly old (normal, 65-104), a small share aged 45-64."""
    old = np.clip(rng.normal(model.age_mean, model.age_sd, size=n), 65.0, 104.9)
    young = rng.uniform(45.0, 65.0, size=n)
    return np.where(rng.random(n) < model.share_young, young, old)


def _build_cohort(areas: pd.DataFrame, targets: dict[str, int], rng) -> pd.DataFrame:
    """One row per simulated patient: area, group, nominal index day, age, sex, kommun."""
    parts = []
    reach_col = {"HSVT": "hsvt_reach", "NSVT": "nsvt_reach", "comparison": None}
    for g_code, group in enumerate(GROUPS):
        col = reach_col[group]
        weights = areas["population"] * (areas[col] if col else 1.0)
        for a_code, n_incl in enumerate(_allocate(targets[group], weights.to_numpy())):
            n_excl = round(EXCLUDED_SHARE * n_incl)
            n = n_incl + n_excl
            kommuner = areas.at[a_code, "kommuner"]
            names = list(kommuner)
            kw = np.array(list(kommuner.values()), dtype=float)
            part = pd.DataFrame(
                {
                    "area": a_code,
                    "group": g_code,
                    "nominal": _index_days(rng, n_incl, n_excl),
                    "age": _ages(rng, MODELS[group], n),
                    "female": rng.random(n) < MODELS[group].share_female,
                    "kommun": np.array(names, dtype=object)[
                        rng.choice(len(names), size=n, p=kw / kw.sum())
                    ],
                }
            )
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- process


def _stratified_gamma(rng, shape: np.ndarray, strata: np.ndarray) -> np.ndarray:
    """Gamma(shape, mean 1) draws, stratified within each stratum (Latin hypercube).

    Each stratum of n patients gets one draw from each of n equal-probability slices of
    the distribution, in random order: the marginal distribution is exactly gamma, but
    group totals vary less between seeds than with independent draws.
    """
    out = np.empty(len(shape))
    for value in np.unique(strata):
        idx = np.flatnonzero(strata == value)
        u = (rng.permutation(len(idx)) + rng.random(len(idx))) / len(idx)
        a = shape[idx]
        out[idx] = gamma_dist.ppf(u, a, scale=1.0 / a)
    return out


def _patient_parameters(cohort: pd.DataFrame, areas: pd.DataFrame, rng) -> dict:
    """Per-patient arrays: frailty-scaled hazards, crisis amplitudes and team effects.

    Time-dependent factors are split into a per-patient constant and a per-day scalar
    (for example exp(-(day - t)/tau) = exp(t/tau) * exp(-day/tau)) to keep the daily
    loop cheap; the `_k` arrays hold those per-patient constants.
    """
    group = cohort["group"].to_numpy()
    t = cohort["nominal"].to_numpy().astype(float)
    n = len(group)
    models = [MODELS[g] for g in GROUPS]

    def pick(name: str) -> np.ndarray:
        return np.array([getattr(m, name) for m in models])[group]

    shape = pick("frailty_shape")
    frailty = _stratified_gamma(rng, shape, group)
    crisis = _stratified_gamma(rng, np.full(n, CRISIS_SHAPE), group)  # crisis size, mean 1
    age = cohort["age"].to_numpy()
    male = ~cohort["female"].to_numpy()
    death_scale = np.exp(AGE_DEATH_SLOPE * (age - 85.0)) * np.where(male, MALE_DEATH_FACTOR, 1)
    exponent = areas["effect"].to_numpy()[cohort["area"].to_numpy()]
    team = group < 2
    effects = {
        key: np.where(team, np.array([m.effects.get(key, 1.0) for m in models])[group], 1.0)
        ** exponent
        for key in EFFECT_KEYS
    }
    return {
        "nominal": cohort["nominal"].to_numpy(),
        "acute_k": pick("acute_rate") * frailty * np.exp(-TREND_PER_YEAR * t / 365.0),
        "admit_share": pick("admit_share"),
        "before_k": pick("crisis_before") * crisis * np.exp(-t / TAU_CRISIS_BEFORE),
        "after_k": pick("crisis_after") * crisis * np.exp(t / TAU_CRISIS_AFTER),
        "los_mean": pick("los_mean"),
        "readmit": pick("readmit_hazard") * np.sqrt(frailty),
        "planned": pick("planned_rate") * np.ones(n),
        "specialist": pick("specialist_rate") * np.sqrt(frailty),
        "primary": pick("primary_rate") * frailty**0.3,
        "death": pick("death_rate") * np.sqrt(frailty) * death_scale,
        "death_k": pick("death_crisis") * crisis * np.exp(t / TAU_CRISIS_AFTER),
        "team_visits": np.where(team, pick("team_visits"), 0.0),
        "hsvt": group == 0,
        "effects": effects,
    }


ER, INPATIENT, SPECIALIST, PRIMARY = range(4)
CONTACT_TYPES = ("er", "inpatient", "specialist", "primary_care")


class _Events:
    """Contact records collected during the simulation (lists of arrays)."""

    KEYS = ("pid", "type", "start", "end", "flag")

    def __init__(self) -> None:
        self.rows: dict[str, list[np.ndarray]] = {k: [] for k in self.KEYS}

    def add(self, pid: np.ndarray, kind: int, start, end=None, flag: int | np.ndarray = -1):
        n = len(pid)
        if n == 0:
            return
        start = np.full(n, start) if np.isscalar(start) else start
        end = start if end is None else (np.full(n, end) if np.isscalar(end) else end)
        flag = np.full(n, flag) if np.isscalar(flag) else flag
        for key, values in zip(self.KEYS, (pid, np.full(n, kind), start, end, flag), strict=True):
            self.rows[key].append(np.asarray(values, dtype=np.int64))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({k: np.concatenate(v) for k, v in self.rows.items()})


class _State:
    """Per-patient state of the daily simulation."""

    def __init__(self, p: dict) -> None:
        n = len(p["nominal"])
        self.n = n
        self.in_hosp = np.zeros(n, bool)
        self.admit_day = np.zeros(n, np.int64)
        self.discharge = np.zeros(n, np.int64)
        self.unplanned = np.zeros(n, np.int64)
        self.last_out = np.full(n, -100_000, np.int64)
        self.readmit_k = np.zeros(n)  # readmit hazard * exp(last_out / TAU_READMIT)
        self.followup_k = np.zeros(n)  # FOLLOWUP_HAZARD * exp(last_out / TAU_FOLLOWUP)
        self.alive = np.ones(n, bool)
        self.enrolled = np.zeros(n, bool)
        self.index_day = np.full(n, -1, np.int64)
        self.death_day = np.full(n, -1, np.int64)
        self.effects = {k: np.ones(n) for k in EFFECT_KEYS}  # current team multipliers
        self.team_visits = np.zeros(n)


def _end_stays(st: _State, ev: _Events, who: np.ndarray, day: int, p: dict) -> None:
    """Discharge (or end by death) the stays of patients `who` on `day`."""
    pid = np.flatnonzero(who)
    if len(pid) == 0:
        return
    ev.add(pid, INPATIENT, st.admit_day[pid], day, st.unplanned[pid])
    st.in_hosp[pid] = False
    st.last_out[pid] = day
    st.readmit_k[pid] = p["readmit"][pid] * np.exp(day / TAU_READMIT)
    st.followup_k[pid] = FOLLOWUP_HAZARD * np.exp(day / TAU_FOLLOWUP)


def _admit(st: _State, ev: _Events, pid: np.ndarray, day: int, los: np.ndarray, flag: int):
    """Start stays; same-day stays (0 nights) are recorded at once."""
    same_day = los == 0
    ev.add(pid[same_day], INPATIENT, day, day, flag)
    pid, los = pid[~same_day], los[~same_day]
    st.in_hosp[pid] = True
    st.admit_day[pid] = day
    st.discharge[pid] = day + los
    st.unplanned[pid] = flag


def _enrol_and_die(day: int, p: dict, st: _State, ev: _Events, u: np.ndarray) -> None:
    """Enrol patients at home on or after their index date; draw deaths of enrolled ones."""
    new = ~st.enrolled & (p["nominal"] <= day) & ~st.in_hosp
    if new.any():
        st.enrolled |= new
        st.index_day[new] = day
        for key in EFFECT_KEYS:
            st.effects[key][new] = p["effects"][key][new]
        st.team_visits[new] = p["team_visits"][new]
        ev.add(np.flatnonzero(new & p["hsvt"]), PRIMARY, day)  # first visit by the VC doctor
    h_death = p["death"] * (1.0 + p["death_k"] * np.exp(-day / TAU_CRISIS_AFTER))
    dies = st.enrolled & st.alive & (u < h_death)
    if dies.any():
        _end_stays(st, ev, dies & st.in_hosp, day, p)
        st.alive &= ~dies
        st.death_day[dies] = day


def _planned_los(u: np.ndarray) -> np.ndarray:
    """Nights of a planned stay from uniforms: 0 (day case) or geometric with mean 2."""
    v = np.clip((u - PLANNED_SAME_DAY) / (1.0 - PLANNED_SAME_DAY), 0.0, 1.0 - 1e-12)
    nights = np.maximum(np.ceil(np.log1p(-v) / np.log(0.5)), 1).astype(np.int64)
    return np.where(u < PLANNED_SAME_DAY, 0, nights)


def _events_at_home(day: int, p: dict, st: _State, ev: _Events, u: np.ndarray) -> None:
    """Acute episodes (ER, admissions), planned stays, specialist and primary care contacts.

    u holds five uniforms per patient (event draws and length of stay), so the random
    stream does not depend on the parameters (common random numbers across runs).
    """
    home = st.alive & ~st.in_hosp & (st.last_out != day)
    crisis = np.where(
        day < p["nominal"],
        p["before_k"] * np.exp(day / TAU_CRISIS_BEFORE),
        p["after_k"] * np.exp(-day / TAU_CRISIS_AFTER),
    )
    eff = st.effects
    trend = p["acute_k"] * np.exp(TREND_PER_YEAR * day / 365.0)
    acute, acute_er = trend * (1.0 + crisis), trend * (1.0 + CRISIS_ER_FACTOR * crisis)
    h_admit = acute * p["admit_share"] * eff["admit"]
    post = st.readmit_k * np.exp(-day / TAU_READMIT) * (1.0 + CRISIS_READMIT_FACTOR * crisis)
    h_admit += post * eff["readmit"]
    h_er = acute_er * (1.0 - p["admit_share"]) * eff["er"]
    admit = home & (u[0] < h_admit)
    er_only = home & ~admit & (u[0] < h_admit + h_er)
    planned = home & ~admit & (u[1] < p["planned"])
    h_spec = p["specialist"] * (1.0 + 0.5 * crisis) + st.followup_k * np.exp(-day / TAU_FOLLOWUP)
    spec = home & (u[2] < h_spec * eff["specialist"])
    prim = home & (u[3] < p["primary"] + st.team_visits)

    pid = np.flatnonzero(admit)
    ev.add(pid, ER, day, flag=1)
    ev.add(np.flatnonzero(er_only), ER, day, flag=0)
    m = np.maximum(p["los_mean"][pid] * eff["los"][pid] - 1.0, 0.05)
    los = 1 + nbinom_dist.ppf(u[4, pid], LOS_DISPERSION, LOS_DISPERSION / (LOS_DISPERSION + m))
    _admit(st, ev, pid, day, los.astype(np.int64), 1)
    pid = np.flatnonzero(planned)
    _admit(st, ev, pid, day, _planned_los(u[4, pid]), 0)
    ev.add(np.flatnonzero(spec), SPECIALIST, day)
    ev.add(np.flatnonzero(prim), PRIMARY, day)


def _simulate(p: dict, rng) -> tuple[pd.DataFrame, _State]:
    """Run the daily process over the whole extract; return contact rows and final state."""
    st = _State(p)
    ev = _Events()
    for day in range(N_DAYS):
        _end_stays(st, ev, st.in_hosp & (st.discharge == day), day, p)
        u = rng.random((6, st.n))
        _enrol_and_die(day, p, st, ev, u[0])
        _events_at_home(day, p, st, ev, u[1:])
    _end_stays(st, ev, st.in_hosp, N_DAYS - 1, p)  # stays still open are cut at contacts_to
    never = st.index_day < 0  # in hospital from the nominal index date to the end
    st.index_day[never] = p["nominal"][never]
    return ev.frame(), st


# --------------------------------------------------------------------------- tables


def _dates(days: np.ndarray) -> np.ndarray:
    """Day offsets from contacts_from as ISO date strings."""
    return np.datetime_as_string(CONTACTS_FROM + days.astype("timedelta64[D]"), unit="D")


def _patient_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Pseudonymous ids `P` + 7 digits, random and unique (never personnummer-shaped)."""
    numbers = rng.choice(9_999_999, size=n, replace=False) + 1
    return np.char.add("P", np.char.zfill(numbers.astype(str), 7))


def _cohort_table(cohort, st: _State, areas, ids, national: bool) -> pd.DataFrame:
    index = _dates(st.index_day)
    index_year = index.astype("datetime64[Y]").astype(int) + 1970
    age = cohort["age"].to_numpy()
    death = np.where(st.death_day >= 0, _dates(np.maximum(st.death_day, 0)), "")
    table = pd.DataFrame(
        {
            "patient_id": ids,
            "area_id": areas["area_id"].to_numpy()[cohort["area"].to_numpy()],
            "group": np.array(GROUPS)[cohort["group"].to_numpy()],
            "index_date": index,
            "birth_year": index_year - np.floor(age).astype(int),
            "sex": np.where(cohort["female"].to_numpy(), "F", "M"),
            "death_date": death,
            "kommun": "" if national else cohort["kommun"].to_numpy(),
        }
    )
    return table.sort_values("patient_id", ignore_index=True)


def _contacts_table(events: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
    """Contact rows sorted by patient, date and contact type.

    Text columns are categoricals (codes into small label arrays): the national dataset
    has millions of rows, and the CSV text is the same.
    """
    sorted_ids = np.sort(ids)
    rank = np.searchsorted(sorted_ids, ids)
    e = {k: events[k].to_numpy() for k in ("pid", "type", "start", "end", "flag")}
    order = np.lexsort((e["end"], e["type"], e["start"], rank[e["pid"]]))
    e = {k: v[order] for k, v in e.items()}
    kind = e["type"]
    is_er, is_stay = kind == ER, kind == INPATIENT
    dates = np.concatenate([[""], _dates(np.arange(N_DAYS))])
    flags = np.array(["", "0", "1"])
    return pd.DataFrame(
        {
            "patient_id": pd.Categorical.from_codes(rank[e["pid"]], sorted_ids),
            "contact_type": pd.Categorical.from_codes(kind, CONTACT_TYPES),
            "start_date": pd.Categorical.from_codes(e["start"] + 1, dates),
            "end_date": pd.Categorical.from_codes(np.where(is_stay, e["end"] + 1, 0), dates),
            "admitted": pd.Categorical.from_codes(np.where(is_er, e["flag"] + 1, 0), flags),
            "unplanned": pd.Categorical.from_codes(np.where(is_stay, e["flag"] + 1, 0), flags),
        }
    )


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
    for empty in range(int(rng.integers(0, 3)), n):
        positive = round(percent * (n - empty) / 100)
        if _rounds_to(positive, n - empty, percent):
            break
    low, high = (
        ((0.30, 0.35, 0.35), (0.6, 0.4)) if question == "q6" else ((0.15, 0.25, 0.6), (0.4, 0.6))
    )
    aldrig, sallan, ibland = _allocate(n - empty - positive, np.array(low))
    ofta, alltid = _allocate(positive, np.array(high))
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
    inte_alls, daligt = _allocate(negative, np.array([0.35, 0.65]))
    bra, helt = _allocate(positive, np.array([0.55, 0.45]))
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
        invited["patient"][group] = _allocate(total, team_patients[group].to_numpy() * jitter[i])
    both = team_patients["HSVT"].to_numpy() + team_patients["NSVT"].to_numpy()
    invited["staff"] = {
        g: _allocate(n, both * jitter[2 + i])
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
        team.groupby(["area_id", "group"]).size().unstack(fill_value=0).reindex(areas["area_id"])
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
        "Rimlighetskontroll: Region Dalarna räknar med 4 MSEK per område och år för mobila team."
    )
    for area_id, pop in zip(areas["area_id"], areas["population"], strict=True):
        per = pop / 100_000
        doctors = HSVT_DOCTORS_PER_100K * per * HSVT_ADDED_SHARE
        hsvt = doctors * DOCTOR_FTE_SEK
        source = (
            f"Härlett ur VGR:s nyckeltal 3,5 hemsjukvårdsläkare per 100 000 invånare (slutrapport "
            f"Breddinförande av Mobil närvård 2019): {_sv(pop, 0)} inv. ger {_sv(doctors)} "
            f"läkarårsarbeten à 1,6 MSEK inkl. arbetsgivaravgifter (antagande, 2022). Hela "
            f"nyckeltalet räknas som tillkommande läkartid. {check}"
        )
        rows.append((area_id, "HSVT", round(hsvt, -3), source))
        nsvt_doc, nsvt_nurse = NSVT_DOCTORS_PER_100K * per, NSVT_NURSES_PER_100K * per
        nsvt = nsvt_doc * DOCTOR_FTE_SEK + nsvt_nurse * NURSE_FTE_SEK
        source = (
            f"Härlett ur VGR:s nyckeltal för närsjukvårdsteam, 1 läkare och 2 sjuksköterskor per "
            f"100 000 invånare: {_sv(nsvt_doc)} läkare à 1,6 MSEK och {_sv(nsvt_nurse)} "
            f"sjuksköterskor à 0,8 MSEK per år inkl. arbetsgivaravgifter (antagande, 2022). {check}"
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


def demo_tables(
    seed: int = 2019, scale: str = "region", size: float = 1.0
) -> dict[str, pd.DataFrame]:
    """Build every contract table of the demo dataset in memory (columns in contract order).

    `size` scales the number of patients (1.0 = the published VGR numbers); it exists for
    calibration runs and benchmarks.
    """
    if scale not in DATASET_NAMES:
        raise ValueError(f"scale must be 'region' or 'national', not {scale!r}")
    area_rng, cohort_rng, id_rng, survey_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)
    )
    areas = _load_areas(scale, area_rng)
    cohort = _build_cohort(areas, _group_targets(areas, scale, size), cohort_rng)
    events, state = _simulate(_patient_parameters(cohort, areas, cohort_rng), cohort_rng)
    ids = _patient_ids(id_rng, len(cohort))
    cohort_table = _cohort_table(cohort, state, areas, ids, national=scale == "national")
    tables = {
        "areas": areas[["area_id", "area_name", "region", "population"]].copy(),
        "cohort": cohort_table,
        "contacts": _contacts_table(events, ids),
        **_survey_tables(survey_rng, areas, cohort_table),
        "unit_costs": _unit_costs(),
        "team_costs": _team_costs(areas),
    }
    return {name: tables[name] for name in TABLE_ORDER}


def _dataset_yml(seed: int, scale: str) -> str:
    return (
        f'name: "{DATASET_NAMES[scale]}"\n'
        f"contacts_from: {CONTACTS_FROM}\n"
        f"contacts_to: {CONTACTS_TO}\n"
        "synthetic: true\n"
        f"generator: narvard.demo\n"
        f"seed: {seed}\n"
        f"scale: {scale}\n"
    )


def write_demo_dataset(out_dir: Path, seed: int = 2019, scale: str = "region") -> dict[str, int]:
    """Write a complete synthetic dataset folder (all contract tables as CSV + dataset.yml).

    Returns row counts per table. Identical seed and scale give identical files.
    """
    tables = demo_tables(seed, scale)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.to_csv(out_dir / f"{name}.csv", index=False, lineterminator="\n", encoding="utf-8")
    (out_dir / "dataset.yml").write_text(_dataset_yml(seed, scale), encoding="utf-8")
    # The evaluator's editable codebook for open answers (narvard.open_answers).
    shutil.copyfile(DATA_DIR / "codebook.yml", out_dir / "codebook.yml")
    return {name: len(table) for name, table in tables.items()}
