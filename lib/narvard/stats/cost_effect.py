"""Cost-effect: the adjusted effect on hospital use, in money, with honest uncertainty.

For one team group (in an area, or over the region), from the difference-in-differences of
``narvard.stats.did`` — the very numbers the effect section shows:

1. **avoided use** per costed measure (ER visits, bed days, specialist visits; readmissions
   are inside the bed days): the observed use after the index date of the group's
   included patients (the contract's totals), on the days they were alive, against the
   use expected without the team, ``expected = after / RR``; avoided = expected − after.
   The rate ratio is estimated on the included patients with a baseline window and
   applied to all included patients. Deaths reduce both alike, so a death is never a
   saving;
2. **money** per year: avoided use per patient × unit cost × new patients per year, minus
   the teams' annual cost;
3. **uncertainty**: draws of the three log rate ratios from their joint sampling
   distribution (patient-clustered, ``joint_covariance``), Beta-PERT unit costs and a
   Beta-PERT team cost between its low and high value;
4. **sensitivity** (tornado): each input at its low and high value, the crude
   before/after comparison against the adjusted one, the other comparison group and the
   other window lengths.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from narvard.domain import COSTED_MEASURES
from narvard.stats import did

COSTED = tuple(COSTED_MEASURES)  # er_visits, inpatient_days, specialist_visits
ITEMS = tuple(COSTED_MEASURES.values())
BED_DAYS = COSTED.index("inpatient_days")
DEFAULT_SEED = 20240903
N_DRAWS = 1000
PERT_LAMBDA = 4.0
SENSITIVITY_SHARE = 0.25  # patients per year are varied ±25 %
DAYS_PER_YEAR = 365.25
PER_INHABITANTS = 100_000


@dataclass(frozen=True)
class TeamUse:
    """One team group's use after the index date and the adjusted effect on it.

    ``n_patients``, ``before`` and ``after`` are over the group's included patients, the
    contract's totals (docs/costs.md §2); ``log_rate_ratio`` and ``cov`` come from the
    adjusted estimate, on those of them with a baseline window (nan where a measure has
    none).
    """

    window_days: int
    n_patients: int
    before: np.ndarray
    after: np.ndarray
    log_rate_ratio: np.ndarray
    cov: np.ndarray
    patients_per_year: float
    enrolment_years: float | None

    @property
    def adjusted(self) -> bool:
        return self.n_patients > 0 and bool(np.all(np.isfinite(self.log_rate_ratio)))


def enrolment_years(contacts_from: str, contacts_to: str, window_days: int) -> float:
    """Years of index dates that give an included patient (t−W ≥ from, t+W−1 ≤ to)."""
    first, last = (np.datetime64(str(d)[:10], "D") for d in (contacts_from, contacts_to))
    days = int((last - first).astype(int)) - 2 * int(window_days) + 2
    if days <= 0:
        raise ValueError("the extract is shorter than two windows: nobody can be included")
    return days / DAYS_PER_YEAR


def team_use(
    design: did.Design,
    estimates: Mapping[str, dict],
    fits: Mapping[str, object],
    included: pd.DataFrame,
    patients_per_year: float,
    enrolment: float | None = None,
) -> TeamUse:
    """The ``TeamUse`` of a difference-in-differences (``did.design`` + ``did.estimates``)
    applied to the group's ``included`` patients (their window rows)."""
    team = included
    before = np.array([team[f"{m}_before"].sum() for m in COSTED], float)
    after = np.array([team[f"{m}_after"].sum() for m in COSTED], float)
    beta = np.array(
        [
            np.nan if estimates[m]["log_rate_ratio"] is None else estimates[m]["log_rate_ratio"]
            for m in COSTED
        ]
    )
    cov = np.full((3, 3), np.nan)
    if all(m in fits for m in COSTED):
        cov = did.joint_covariance([fits[m] for m in COSTED])
    return TeamUse(
        design.window_days, len(team), before, after, beta, cov, patients_per_year, enrolment
    )


# ------------------------------------------------------------------ avoided use and money


def avoided(use: TeamUse, log_rate_ratio: np.ndarray | None = None) -> np.ndarray:
    """Avoided events per measure over the cohort: after × (1/RR − 1); 0 where no RR.

    ``log_rate_ratio`` may carry leading axes (PSA draws).
    """
    beta = use.log_rate_ratio if log_rate_ratio is None else log_rate_ratio
    events = use.after * (np.exp(-beta) - 1.0)
    return np.where(np.isfinite(events), events, 0.0)


def crude_avoided(use: TeamUse) -> np.ndarray:
    """Before − after over the same patients: the crude comparison (no comparison group)."""
    return use.before - use.after


def per_year(events: np.ndarray, use: TeamUse, volume: float = 1.0) -> np.ndarray:
    """Cohort events (over W days per patient) → events per year of new patients."""
    if use.n_patients == 0:
        return np.zeros_like(events)
    return events / use.n_patients * use.patients_per_year * volume


def annual_gross(events: np.ndarray, costs: np.ndarray, use: TeamUse, volume=1.0) -> np.ndarray:
    """Annual gross savings in SEK from cohort-avoided events and unit costs (… × 3)."""
    return np.einsum("...k,...k->...", per_year(events, use, volume), costs)


def cost_vector(costs: Mapping[str, Mapping], key: str = "cost_sek") -> np.ndarray:
    return np.array([float(costs[item][key]) for item in ITEMS])


def _div(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return float(numerator / denominator)


def money(use: TeamUse, costs: Mapping[str, Mapping], team_cost_sek: float | None) -> dict:
    """Point estimates per year: gross (adjusted, and crude for comparison), net and ratios."""
    prices = cost_vector(costs)
    adjusted = avoided(use)
    gross = float(annual_gross(adjusted, prices, use)) if use.adjusted else None
    crude = float(annual_gross(crude_avoided(use), prices, use))
    bed_days = float(per_year(adjusted, use)[BED_DAYS]) if use.adjusted else None
    per_patient = _div(gross, use.patients_per_year)
    net = None if gross is None or team_cost_sek is None else gross - team_cost_sek
    return {
        "annual_gross_savings_adjusted_sek": gross,
        "annual_gross_savings_crude_sek": crude,
        "gross_savings_per_patient_sek": per_patient,
        "avoided_bed_days_per_year": bed_days,
        "team_cost_sek": team_cost_sek,
        "net_savings_sek": net,
        "return_per_krona": _div(gross, team_cost_sek),
        "cost_per_avoided_bed_day_sek": _div(team_cost_sek, bed_days),
        "break_even_patients_per_year": _div(team_cost_sek, per_patient),
    }


def avoided_use(use: TeamUse, estimates: Mapping[str, dict]) -> dict:
    """Per costed measure: the effect's rate ratio, observed and expected use, avoided use."""
    adjusted, crude = avoided(use), crude_avoided(use)
    result = {}
    for k, measure in enumerate(COSTED):
        estimate = estimates.get(measure, {})
        ratio = estimate.get("rate_ratio")
        expected = None if ratio is None or ratio <= 0 else float(use.after[k] / ratio)
        result[measure] = {
            "rate_ratio": ratio,
            "ci": estimate.get("ci"),
            "n_patients": use.n_patients,
            "before_total": float(use.before[k]),
            "after_total": float(use.after[k]),
            "expected_after": expected,
            "avoided": None if expected is None else float(adjusted[k]),
            "avoided_per_year": None if expected is None else float(per_year(adjusted, use)[k]),
            "avoided_crude": float(crude[k]),
            "avoided_crude_per_year": float(per_year(crude, use)[k]),
            "change_vs_expected_pct": None if ratio is None else 100.0 * (ratio - 1.0),
        }
    return result


# ------------------------------------------------------------------ uncertainty


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent, reproducible random stream for ``name`` under ``seed``."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode("utf-8"))])


def pert_draws(low: float, mode: float, high: float, size: int, rng) -> np.ndarray:
    """Beta-PERT draws (λ = 4) between low and high with the given mode."""
    if not high > low:
        return np.full(size, float(mode))
    mode = min(max(mode, low), high)
    a = 1.0 + PERT_LAMBDA * (mode - low) / (high - low)
    b = 1.0 + PERT_LAMBDA * (high - mode) / (high - low)
    return low + rng.beta(a, b, size) * (high - low)


def effect_draws(use: TeamUse, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """n_draws × 3 draws of the log rate ratios from their joint normal distribution."""
    if not use.adjusted or not np.all(np.isfinite(use.cov)):
        return np.tile(use.log_rate_ratio, (n_draws, 1))
    values, vectors = np.linalg.eigh((use.cov + use.cov.T) / 2)
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    return use.log_rate_ratio + rng.standard_normal((n_draws, 3)) @ root.T


def psa_draws(
    use: TeamUse,
    costs: Mapping[str, Mapping],
    team: Mapping | None,
    n_draws: int = N_DRAWS,
    seed: int = DEFAULT_SEED,
    name: str = "",
) -> dict[str, np.ndarray]:
    """Draws per year of {"gross", "bed_days", "team_cost", "net" (with a team cost)}.

    Unit costs use the stream ``unit_costs`` (shared by all areas and groups), effects and
    team costs streams of their own (``effects/<name>``, ``team_cost/<name>``).
    """
    beta = effect_draws(use, n_draws, stream(seed, f"effects/{name}"))
    unit = stream(seed, "unit_costs")
    prices = np.column_stack(
        [
            pert_draws(
                costs[i]["low_sek"], costs[i]["cost_sek"], costs[i]["high_sek"], n_draws, unit
            )
            for i in ITEMS
        ]
    )
    events = avoided(use, beta)
    draws = {"gross": annual_gross(events, prices, use), "bed_days": per_year(events, use)[:, 1]}
    if team is not None:
        rng = stream(seed, f"team_cost/{name}")
        draws["team_cost"] = pert_draws(
            team["low_sek"], team["annual_cost_sek"], team["high_sek"], n_draws, rng
        )
        draws["net"] = draws["gross"] - draws["team_cost"]
    return draws


def _interval(values: np.ndarray) -> list[float]:
    return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]


def psa_summary(draws: Mapping[str, np.ndarray]) -> dict:
    """95 % intervals and the probability that the teams save more than they cost."""
    summary = {
        "annual_gross_savings_ci": _interval(draws["gross"]),
        "avoided_bed_days_per_year_ci": _interval(draws["bed_days"]),
        "net_savings_ci": None,
        "prob_net_positive": None,
        "return_per_krona_ci": None,
    }
    if "net" in draws:
        summary["net_savings_ci"] = _interval(draws["net"])
        summary["prob_net_positive"] = float(np.mean(draws["net"] > 0))
        summary["return_per_krona_ci"] = _interval(draws["gross"] / draws["team_cost"])
    return summary


# ------------------------------------------------------------------ sensitivity (tornado)


def net_point(
    use: TeamUse,
    prices: np.ndarray,
    team_cost_sek: float,
    volume: float = 1.0,
    crude: bool = False,
    log_rate_ratio: np.ndarray | None = None,
) -> float:
    events = crude_avoided(use) if crude else avoided(use, log_rate_ratio)
    return float(annual_gross(events, prices, use, volume) - team_cost_sek)


def tornado_row(key: str, settings: list[tuple[str, object, float]]) -> dict:
    """A tornado row; each setting is (kind, value, net). The report layer words them."""
    nets = [net for _, _, net in settings]
    return {
        "input": key,
        "settings": [
            {"kind": kind, "value": value, "net_savings_sek": net} for kind, value, net in settings
        ],
        "low_sek": min(nets),
        "high_sek": max(nets),
        "swing_sek": max(nets) - min(nets),
    }


def tornado(
    use: TeamUse,
    costs: Mapping[str, Mapping],
    team: Mapping,
    other_comparison: TeamUse | None = None,
    windows: Mapping[int, TeamUse] | None = None,
) -> dict:
    """Net savings per year when each input takes its low and high value, others at base.

    Rows (largest swing first): unit costs, team cost, patients per year ±25 %, each costed
    effect at its interval's ends, crude vs adjusted, the other comparison group and the
    other window lengths.
    """
    prices, cost = cost_vector(costs), float(team["annual_cost_sek"])
    rows = []
    for k, item in enumerate(ITEMS):
        settings = []
        for key in ("low_sek", "high_sek"):
            changed = prices.copy()
            changed[k] = costs[item][key]
            settings.append(("sek", float(changed[k]), net_point(use, changed, cost)))
        rows.append(tornado_row(item, settings))
    team_settings = [
        ("sek", float(team[k]), net_point(use, prices, team[k])) for k in ("low_sek", "high_sek")
    ]
    rows.append(tornado_row("team_cost", team_settings))
    volume = [
        ("patients_per_year", use.patients_per_year * f, net_point(use, prices, cost, volume=f))
        for f in (1 - SENSITIVITY_SHARE, 1 + SENSITIVITY_SHARE)
    ]
    rows.append(tornado_row("patients_per_year", volume))
    rows += _effect_rows(use, prices, cost)
    rows += _method_rows(use, prices, cost, other_comparison, windows)
    rows.sort(key=lambda row: -row["swing_sek"])
    return {"base_net_savings_sek": net_point(use, prices, cost), "rows": rows}


def _effect_rows(use: TeamUse, prices, cost: float) -> list[dict]:
    if not use.adjusted or not np.all(np.isfinite(use.cov)):
        return []
    rows = []
    for k, measure in enumerate(COSTED):
        se = float(np.sqrt(use.cov[k, k]))
        settings = []
        for sign in (-1, 1):
            beta = use.log_rate_ratio.copy()
            beta[k] += sign * did.Z95 * se
            net = net_point(use, prices, cost, log_rate_ratio=beta)
            settings.append(("rate_ratio", float(np.exp(beta[k])), net))
        rows.append(tornado_row(f"effect_{measure}", settings))
    return rows


def _method_rows(use, prices, cost, other, windows) -> list[dict]:
    if not use.adjusted:
        return []
    base = net_point(use, prices, cost)
    rows = [
        tornado_row(
            "method",
            [
                ("method", "adjusted", base),
                ("method", "crude", net_point(use, prices, cost, crude=True)),
            ],
        )
    ]
    if other is not None and other.adjusted:
        rows.append(
            tornado_row(
                "comparison",
                [
                    ("comparison", "main", base),
                    ("comparison", "other", net_point(other, prices, cost)),
                ],
            )
        )
    usable = {days: u for days, u in (windows or {}).items() if u.adjusted}
    if usable:
        settings = [("days", use.window_days, base)] + [
            ("days", days, net_point(u, prices, cost)) for days, u in sorted(usable.items())
        ]
        rows.append(tornado_row("window_days", settings))
    return rows


# ------------------------------------------------------------------ one block


class CostBlock(dict):
    """A plain dict (JSON-ready) that also carries its PSA draws as ``draws``."""

    draws: dict[str, np.ndarray] | None = None


def group_costs(
    use: TeamUse,
    estimates: Mapping[str, dict],
    costs: Mapping[str, Mapping],
    team: Mapping | None,
    *,
    population: float | None = None,
    name: str = "",
    n_draws: int = N_DRAWS,
    seed: int = DEFAULT_SEED,
) -> CostBlock:
    """The ``costs.<group>`` block: avoided use, money, PSA (no tornado; see ``tornado``)."""
    cost = None if team is None else float(team["annual_cost_sek"])
    block = CostBlock(
        window_days=use.window_days,
        basis="adjusted" if use.adjusted else "crude",
        price_year=costs[ITEMS[0]]["price_year"],
        n_patients=use.n_patients,
        enrolment_years=use.enrolment_years,
        patients_per_year=use.patients_per_year,
        avoided_use=avoided_use(use, estimates),
        **money(use, costs, cost),
    )
    block["team_cost"] = None if team is None else dict(team)
    block["unit_costs"] = {item: dict(costs[item]) for item in ITEMS}
    block["per_100k"] = per_100k(block, population)
    if use.adjusted and n_draws > 0:
        draws = psa_draws(use, costs, team, n_draws, seed, name)
        block.draws = draws
        block.update(psa_summary(draws))
        block["psa"] = {"n_draws": n_draws, "seed": seed}
    else:
        block.update(net_savings_ci=None, prob_net_positive=None, psa=None)
    return block


PER_100K_KEYS = (
    "patients_per_year",
    "team_cost_sek",
    "annual_gross_savings_adjusted_sek",
    "net_savings_sek",
    "avoided_bed_days_per_year",
    "break_even_patients_per_year",
)


def per_100k(block: Mapping, population: float | None) -> dict | None:
    if not population:
        return None
    scale = PER_INHABITANTS / population
    result = {"population": float(population)}
    for key in PER_100K_KEYS:
        value = block.get(key)
        result[key] = None if value is None else float(value) * scale
    return result


SUMMED = (
    "n_patients",
    "patients_per_year",
    "annual_gross_savings_adjusted_sek",
    "annual_gross_savings_crude_sek",
    "avoided_bed_days_per_year",
    "team_cost_sek",
    "net_savings_sek",
)


def combined(blocks: list[CostBlock], population: float | None) -> CostBlock:
    """HSVT and NSVT together: annual amounts summed, ratios recomputed, draws summed.

    The two groups' effects are drawn independently (they share comparison patients, so the
    interval is approximate; docs/costs.md).
    """
    total = CostBlock()
    for key in SUMMED:
        values = [b.get(key) for b in blocks]
        total[key] = None if any(v is None for v in values) else float(sum(values))
    gross, cost = total["annual_gross_savings_adjusted_sek"], total["team_cost_sek"]
    total["basis"] = "adjusted" if all(b["basis"] == "adjusted" for b in blocks) else "crude"
    total["window_days"] = blocks[0]["window_days"]
    total["return_per_krona"] = _div(gross, cost)
    total["cost_per_avoided_bed_day_sek"] = _div(cost, total["avoided_bed_days_per_year"])
    total["per_100k"] = per_100k(total, population)
    draws = [b.draws for b in blocks]
    if all(d is not None and "net" in d for d in draws):
        keys = ("gross", "bed_days", "team_cost", "net")
        total.draws = {k: np.sum([d[k] for d in draws], axis=0) for k in keys}
        total.update(psa_summary(total.draws))
    else:
        total.update(net_savings_ci=None, prob_net_positive=None)
    return total
