"""A patient-level process of healthcare use around an index date, with known team effects.

Every synthetic dataset of the project comes from this one process: the demo dataset
(calibrated to the VGR final report, `narvard.data.synthetic.demo`) and the method study's
scenarios (`narvard.data.synthetic.scenarios`). The process has what makes real evaluations
hard, each with a parameter:

* every patient has a gamma **frailty** (a lasting level of care use that also raises the
  death hazard) and a **trend** (disease progression), which may depend on age;
* around the index date an acute **crisis**: people are enrolled in a team, or start
  municipal home health care, when they are sickest. It builds up before the index date and
  fades after it — the source of regression to the mean;
* **calendar** changes of care use (a new bed policy, say) that hit everyone from a date on;
* **death** from the index date on, and index dates near the edges of the extract;
* a **team effect**: HSVT and NSVT multiply the hazards from their index date on (by
  index period, when `GroupModel.effect_periods` is given: teams that improve).

On each day at home an acute episode may occur; it ends in an ER visit without admission or
in an ER visit with an unplanned admission (length of stay from a negative binomial); after
a discharge an extra, decaying hazard produces readmissions. Planned stays, specialist
visits (partly post-discharge follow-up) and primary care contacts have their own rates.

The daily loop draws a fixed number of uniforms per patient and day (common random
numbers). Run twice with the same seed, once with the team effects and once without
(`treated=False`), it gives the same patients' care with and without the teams: the true
effect (`narvard.data.synthetic.truth`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.stats import gamma as gamma_dist
from scipy.stats import nbinom as nbinom_dist

from narvard.domain import CONTACT_TYPES, GROUPS

EFFECT_KEYS = ("er", "admit", "readmit", "los", "specialist")

# Shared constants of the process (days) and other fixed parameters.
TAU_READMIT = 10.0
TAU_FOLLOWUP = 21.0
MALE_DEATH_FACTOR = 1.3
AGE_DEATH_SLOPE = 0.04
LOS_DISPERSION = 3.0
FOLLOWUP_HAZARD = 0.010  # extra specialist-visit hazard right after a discharge
PLANNED_SAME_DAY = 0.25
CRISIS_ER_FACTOR = 3.0  # the crisis shows more in ER visits without admission
CRISIS_READMIT_FACTOR = 3.0  # ... and in readmissions (unstable patients)
CRISIS_SHAPE = 2.0  # gamma shape of the patient-specific crisis size (mean 1)

# Nominal index dates: (first day, last day, relative enrolment intensity).
DEFAULT_INDEX_SEGMENTS = (
    ("2016-07-01", "2016-12-31", 0.3),
    ("2017-01-01", "2017-12-31", 0.8),
    ("2018-01-01", "2018-12-31", 1.3),
    ("2019-01-01", "2019-06-15", 1.5),
)


@dataclass(frozen=True)
class GroupModel:
    """Parameters of the process for one group (hazards are per day)."""

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
    effects: dict[str, float] = field(default_factory=dict)  # team multipliers (EFFECT_KEYS)
    team_visits: float = 0.0  # extra primary care contacts per day once enrolled
    index_segments: tuple = DEFAULT_INDEX_SEGMENTS
    # Effects that change over time: ((first nominal index date, multipliers), ...), in date
    # order; a patient enrolled on or after a date gets that period's multipliers instead of
    # `effects` (keys left out are 1). Empty: `effects` for everyone.
    effect_periods: tuple = ()


@dataclass(frozen=True)
class Process:
    """The whole process: the extract, shared dynamics and one model per group."""

    groups: Mapping[str, GroupModel]
    contacts_from: str = "2016-01-01"
    contacts_to: str = "2019-12-31"
    trend_per_year: float = 0.30  # log-rate change of acute hazards per year (progression)
    trend_age_slope: float = 0.0  # extra trend per year of age above 85
    calendar_steps: tuple = ()  # (date, factor): acute hazards × factor from that date on
    tau_crisis_before: float = 90.0
    tau_crisis_after: float = 30.0
    # Nominal index dates of the extra, excluded patients (windows outside the extract).
    late_excluded: tuple = ("2019-07-20", "2019-11-30")
    early_excluded: tuple = ("2016-02-01", "2016-06-10")
    excluded_share: float = 0.04

    @property
    def start(self) -> np.datetime64:
        return np.datetime64(self.contacts_from, "D")

    @property
    def n_days(self) -> int:
        return int((np.datetime64(self.contacts_to, "D") - self.start).astype(int)) + 1

    def day(self, date: str) -> int:
        """Day number of an ISO date, counted from contacts_from."""
        return int((np.datetime64(date, "D") - self.start).astype(int))

    def dataset_yml(self, name: str, **facts) -> str:
        """dataset.yml of a synthetic dataset of this process: its name, the extract,
        ``synthetic: true`` (every report then says so) and how it was made (``facts``)."""
        lines = [f'name: "{name}"', f"contacts_from: {self.contacts_from}"]
        lines += [f"contacts_to: {self.contacts_to}", "synthetic: true"]
        lines += [f"{key}: {value}" for key, value in facts.items()]
        return "\n".join(lines) + "\n"

    def untreated(self) -> Process:
        """The same process with every team multiplier set to 1 (the counterfactual)."""
        groups = {g: replace(m, effects={}, effect_periods=()) for g, m in self.groups.items()}
        return replace(self, groups=groups)


# --------------------------------------------------------------------------- cohort


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split total into non-negative integers proportional to weights (largest remainder)."""
    weights = np.asarray(weights, dtype=float)
    exact = total * weights / weights.sum()
    parts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - parts), kind="stable")
    parts[order[: total - parts.sum()]] += 1
    return parts


def _uniform_days(process: Process, rng, first: str, last: str, n: int) -> np.ndarray:
    return rng.integers(process.day(first), process.day(last) + 1, size=n)


def _index_days(process: Process, model: GroupModel, rng, n_incl: int, n_excl: int):
    """Nominal index days: included ones spread over the model's segments."""
    segments = model.index_segments
    lengths = np.array([process.day(b) - process.day(a) + 1 for a, b, _ in segments])
    weights = lengths * np.array([w for _, _, w in segments])
    segment = rng.choice(len(segments), size=n_incl, p=weights / weights.sum())
    start = np.array([process.day(a) for a, _, _ in segments])
    days = start[segment] + np.floor(rng.random(n_incl) * lengths[segment]).astype(int)
    n_early = n_excl // 4
    late = _uniform_days(process, rng, *process.late_excluded, n_excl - n_early)
    early = _uniform_days(process, rng, *process.early_excluded, n_early)
    return np.concatenate([days, late, early])


def _ages(rng: np.random.Generator, model: GroupModel, n: int) -> np.ndarray:
    """Age at index: mostly old (normal, 65-104), a small share aged 45-64."""
    old = np.clip(rng.normal(model.age_mean, model.age_sd, size=n), 65.0, 104.9)
    young = rng.uniform(45.0, 65.0, size=n)
    return np.where(rng.random(n) < model.share_young, young, old)


def build_cohort(
    process: Process,
    populations: np.ndarray,
    reach: Mapping[str, np.ndarray],
    kommuner: list[Mapping[str, float]],
    targets: Mapping[str, int],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """One row per simulated patient: area, group, nominal index day, age, sex, kommun.

    Patients of a group are spread over the areas in proportion to population × reach
    (reach 1 where a group has none); `excluded_share` extra patients per area and group get
    index days whose windows fall outside the extract.
    """
    parts = []
    for g_code, group in enumerate(GROUPS):
        model = process.groups[group]
        weights = populations * reach.get(group, 1.0)
        for a_code, n_incl in enumerate(allocate(targets[group], weights)):
            n_excl = round(process.excluded_share * n_incl)
            n = n_incl + n_excl
            names = list(kommuner[a_code])
            kw = np.array(list(kommuner[a_code].values()), dtype=float)
            parts.append(
                pd.DataFrame(
                    {
                        "area": a_code,
                        "group": g_code,
                        "nominal": _index_days(process, model, rng, n_incl, n_excl),
                        "age": _ages(rng, model, n),
                        "female": rng.random(n) < model.share_female,
                        "kommun": np.array(names, dtype=object)[
                            rng.choice(len(names), size=n, p=kw / kw.sum())
                        ],
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- parameters


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


def patient_parameters(
    process: Process, cohort: pd.DataFrame, effect_exponent: np.ndarray, rng
) -> dict:
    """Per-patient arrays: frailty-scaled hazards, crisis amplitudes and team effects.

    Time-dependent factors are split into a per-patient constant and a per-day scalar
    (for example exp(-(day - t)/tau) = exp(t/tau) * exp(-day/tau)) to keep the daily
    loop cheap; the `_k` arrays hold those per-patient constants. `effect_exponent` (per
    area) turns each team multiplier θ into θ^e.
    """
    group = cohort["group"].to_numpy()
    t = cohort["nominal"].to_numpy().astype(float)
    n = len(group)
    models = [process.groups[g] for g in GROUPS]

    def pick(name: str) -> np.ndarray:
        return np.array([getattr(m, name) for m in models])[group]

    frailty = _stratified_gamma(rng, pick("frailty_shape"), group)
    crisis = _stratified_gamma(rng, np.full(n, CRISIS_SHAPE), group)  # crisis size, mean 1
    age = cohort["age"].to_numpy()
    male = ~cohort["female"].to_numpy()
    death_scale = np.exp(AGE_DEATH_SLOPE * (age - 85.0)) * np.where(male, MALE_DEATH_FACTOR, 1)
    trend = process.trend_per_year + process.trend_age_slope * (age - 85.0)
    exponent = effect_exponent[cohort["area"].to_numpy()]
    team = group < 2
    effects = {
        key: np.where(team, _team_multipliers(process, models, group, t, key), 1.0) ** exponent
        for key in EFFECT_KEYS
    }
    tau_b, tau_a = process.tau_crisis_before, process.tau_crisis_after
    return {
        "nominal": cohort["nominal"].to_numpy(),
        "trend": trend,
        "acute_k": pick("acute_rate") * frailty * np.exp(-trend * t / 365.0),
        "admit_share": pick("admit_share"),
        "before_k": pick("crisis_before") * crisis * np.exp(-t / tau_b),
        "after_k": pick("crisis_after") * crisis * np.exp(t / tau_a),
        "los_mean": pick("los_mean"),
        "readmit": pick("readmit_hazard") * np.sqrt(frailty),
        "planned": pick("planned_rate") * np.ones(n),
        "specialist": pick("specialist_rate") * np.sqrt(frailty),
        "primary": pick("primary_rate") * frailty**0.3,
        "death": pick("death_rate") * np.sqrt(frailty) * death_scale,
        "death_k": pick("death_crisis") * crisis * np.exp(t / tau_a),
        "team_visits": np.where(team, pick("team_visits"), 0.0),
        "hsvt": group == 0,
        "effects": effects,
        "calendar": _calendar_factors(process),
        "tau": (tau_b, tau_a),
    }


def _team_multipliers(
    process: Process, models: list, group: np.ndarray, nominal: np.ndarray, key: str
) -> np.ndarray:
    """Per patient: the multiplier ``key`` of the group's effect, or of its effect period
    that the nominal index day falls in (GroupModel.effect_periods)."""
    values = np.array([m.effects.get(key, 1.0) for m in models])[group]
    for code, model in enumerate(models):
        for first, multipliers in model.effect_periods:
            later = (group == code) & (nominal >= process.day(first))
            values[later] = multipliers.get(key, 1.0)
    return values


def _calendar_factors(process: Process) -> np.ndarray:
    """Multiplier of the acute hazards on every day of the extract."""
    factors = np.ones(process.n_days)
    for date, factor in process.calendar_steps:
        factors[max(process.day(date), 0) :] *= factor
    return factors


# --------------------------------------------------------------------------- daily loop

ER, INPATIENT, SPECIALIST, PRIMARY = range(4)


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
    h_death = p["death"] * (1.0 + p["death_k"] * np.exp(-day / p["tau"][1]))
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
    tau_b, tau_a = p["tau"]
    crisis = np.where(
        day < p["nominal"],
        p["before_k"] * np.exp(day / tau_b),
        p["after_k"] * np.exp(-day / tau_a),
    )
    eff = st.effects
    trend = p["acute_k"] * np.exp(p["trend"] * day / 365.0) * p["calendar"][day]
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


def simulate(process: Process, p: dict, rng) -> tuple[pd.DataFrame, _State]:
    """Run the daily process over the whole extract; return contact rows and final state."""
    st = _State(p)
    ev = _Events()
    n_days = process.n_days
    for day in range(n_days):
        _end_stays(st, ev, st.in_hosp & (st.discharge == day), day, p)
        u = rng.random((6, st.n))
        _enrol_and_die(day, p, st, ev, u[0])
        _events_at_home(day, p, st, ev, u[1:])
    _end_stays(st, ev, st.in_hosp, n_days - 1, p)  # stays still open are cut at contacts_to
    never = st.index_day < 0  # in hospital from the nominal index date to the end
    st.index_day[never] = p["nominal"][never]
    return ev.frame(), st


# --------------------------------------------------------------------------- tables


def _dates(process: Process, days: np.ndarray) -> np.ndarray:
    """Day offsets from contacts_from as ISO date strings."""
    return np.datetime_as_string(process.start + days.astype("timedelta64[D]"), unit="D")


def patient_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Pseudonymous ids `P` + 7 digits, random and unique (never personnummer-shaped)."""
    numbers = rng.choice(9_999_999, size=n, replace=False) + 1
    return np.char.add("P", np.char.zfill(numbers.astype(str), 7))


def cohort_table(
    process: Process, cohort: pd.DataFrame, st: _State, area_ids: np.ndarray, ids, kommun: bool
) -> pd.DataFrame:
    """The contract's cohort table (sorted by patient id)."""
    index = _dates(process, st.index_day)
    index_year = index.astype("datetime64[Y]").astype(int) + 1970
    age = cohort["age"].to_numpy()
    death = np.where(st.death_day >= 0, _dates(process, np.maximum(st.death_day, 0)), "")
    table = pd.DataFrame(
        {
            "patient_id": ids,
            "area_id": area_ids[cohort["area"].to_numpy()],
            "group": np.array(GROUPS)[cohort["group"].to_numpy()],
            "index_date": index,
            "birth_year": index_year - np.floor(age).astype(int),
            "sex": np.where(cohort["female"].to_numpy(), "F", "M"),
            "death_date": death,
            "kommun": cohort["kommun"].to_numpy() if kommun else "",
        }
    )
    return table.sort_values("patient_id", ignore_index=True)


def contacts_table(process: Process, events: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
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
    dates = np.concatenate([[""], _dates(process, np.arange(process.n_days))])
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


@dataclass(frozen=True)
class Population:
    """Where the patients live: areas with population, reach per group and kommuner."""

    area_ids: np.ndarray
    populations: np.ndarray
    reach: Mapping[str, np.ndarray]
    kommuner: list[Mapping[str, float]]
    effect_exponent: np.ndarray  # per area: team multipliers θ become θ^e


def patient_tables(
    process: Process,
    population: Population,
    targets: Mapping[str, int],
    cohort_rng: np.random.Generator,
    id_rng: np.random.Generator,
    kommun: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The contract's cohort and contacts tables drawn from the process.

    The generators are consumed in a fixed order, so two processes that differ only in
    their team effects give the same patients on the same random numbers.
    """
    cohort = build_cohort(
        process, population.populations, population.reach, population.kommuner, targets, cohort_rng
    )
    params = patient_parameters(process, cohort, population.effect_exponent, cohort_rng)
    events, state = simulate(process, params, cohort_rng)
    ids = patient_ids(id_rng, len(cohort))
    return (
        cohort_table(process, cohort, state, population.area_ids, ids, kommun),
        contacts_table(process, events, ids),
    )
