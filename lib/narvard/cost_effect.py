"""Cost-effect of the mobile teams that decision makers can trust (issue 5; docs/costs.md).

For one team group (HSVT or NSVT) in one area, from the per-patient windows table
(``narvard.consumption.patient_windows``):

1. **avoided use** of ER visits, bed days and specialist visits, crude (before − after, as
   the contract's ``gross_savings_sek``) and adjusted by the matched comparison group's
   after/before ratio (readmissions are inside the bed days and never costed);
2. **money**: unit costs (optionally indexed to one price year by ``price_index.csv``),
   the annual team cost (``team_costs.csv``, or derived from staffing keys), annual gross
   and net savings, return per krona, cost per avoided bed day, break-even volume;
3. **uncertainty**: a seeded probabilistic sensitivity analysis (patient bootstrap of team
   and comparison jointly with PERT-distributed unit costs);
4. **sensitivity**: tornado rows (net savings at each input's low and high value);
5. a plain-Swedish paragraph and region totals.

Everything returned is plain JSON-ready data. Group blocks are ``CostBlock`` dicts that
also carry their PSA draws as the attribute ``draws`` (never serialised) so that
``region_costs`` can sum them.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from narvard import formatting as fmt
from narvard.costs import COSTED_MEASURES
from narvard.effects import resampled_sums
from narvard.labels import COST_ITEM_NAMES, group_name
from narvard.matching import match_comparison

MEASURES = tuple(COSTED_MEASURES)  # er_visits, inpatient_days, specialist_visits
ITEMS = tuple(COSTED_MEASURES.values())  # er_visit, inpatient_day, specialist_visit
BED_DAYS = MEASURES.index("inpatient_days")
TEAM_GROUPS = ("HSVT", "NSVT")
BASES = ("crude", "adjusted", "person_time")
DEFAULT_SEED = 20240903
N_DRAWS = 1000
PERT_LAMBDA = 4.0
SENSITIVITY_SHARE = 0.25  # team cost and patients per year are varied ±25 %
DAYS_PER_YEAR = 365.25
PER_INHABITANTS = 100_000
RESAMPLE_CHUNK = 2_000_000  # bootstrap counts held in memory at once

# Column layout of the per-patient arrays: before ×3, after ×3, days alive after, 1.
_BEFORE, _AFTER, _DAYS, _ONE = slice(0, 3), slice(3, 6), 6, 7

DEFAULT_STAFFING = (
    {
        "group": "HSVT",
        "role": "doctor",
        "fte_per_100k": 3.5,
        "cost_per_fte_sek": 1_600_000.0,
        "year": 2022,
        "source": "VGR:s nyckeltal 3,5 hemsjukvårdsläkare per 100 000 invånare (slutrapport "
        "Breddinförande av Mobil närvård 2019); specialistläkare ca 1,6 MSEK per "
        "årsarbete inkl. arbetsgivaravgifter (antagande)",
    },
    {
        "group": "NSVT",
        "role": "doctor",
        "fte_per_100k": 1.0,
        "cost_per_fte_sek": 1_600_000.0,
        "year": 2022,
        "source": "VGR:s nyckeltal för närsjukvårdsteam, 1 läkare per 100 000 invånare; "
        "ca 1,6 MSEK per årsarbete inkl. arbetsgivaravgifter (antagande)",
    },
    {
        "group": "NSVT",
        "role": "nurse",
        "fte_per_100k": 2.0,
        "cost_per_fte_sek": 800_000.0,
        "year": 2022,
        "source": "VGR:s nyckeltal för närsjukvårdsteam, 2 sjuksköterskor per 100 000 "
        "invånare; ca 0,8 MSEK per årsarbete inkl. arbetsgivaravgifter (antagande)",
    },
)
ROLE_NAMES = {"doctor": "läkare", "nurse": "sjuksköterskor"}


# ---------------------------------------------------------------------------------------
# Input tables: unit costs, price index, team cost and staffing
# ---------------------------------------------------------------------------------------


def load_cost_tables(data_dir: Path) -> dict[str, pd.DataFrame | None]:
    """The cost tables of a dataset folder (CSV or Parquet), None where absent.

    Keys: ``unit_costs``, ``team_costs`` (contract) and the optional extensions
    ``price_index`` (``year,index``) and ``staffing``
    (``group,role,fte_per_100k,cost_per_fte_sek[,year],source``).
    """
    tables = {}
    for name in ("unit_costs", "team_costs", "price_index", "staffing"):
        path = _find_table(Path(data_dir), name)
        if path is None:
            tables[name] = None
        elif path.suffix == ".parquet":
            tables[name] = pd.read_parquet(path)
        else:
            tables[name] = pd.read_csv(path, encoding="utf-8")
    return tables


def _find_table(data_dir: Path, name: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        if (data_dir / f"{name}{suffix}").is_file():
            return data_dir / f"{name}{suffix}"
    return None


def _number(value: object) -> float | None:
    """A float from a table cell; None for empty or missing cells."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    number = float(value)
    return None if math.isnan(number) else number


def index_factor(
    price_index: pd.DataFrame | None, from_year: int | None, to_year: int | None
) -> float:
    """index(to_year) / index(from_year) from a ``year,index`` table (1 without a table)."""
    if price_index is None or from_year is None or to_year is None or from_year == to_year:
        return 1.0
    years, values = price_index["year"].astype(int), price_index["index"].astype(float)
    index = dict(zip(years, values, strict=True))
    missing = [year for year in (from_year, to_year) if year not in index]
    if missing:
        raise ValueError(f"price_index: kolumnen year saknar år {missing} (behövs för omräkning)")
    return index[to_year] / index[from_year]


def default_price_year(price_index: pd.DataFrame | None) -> int | None:
    """The latest year of the price index (None without one)."""
    if price_index is None or len(price_index) == 0:
        return None
    return int(price_index["year"].astype(int).max())


def unit_costs(
    table: pd.DataFrame,
    price_index: pd.DataFrame | None = None,
    price_year: int | None = None,
) -> dict[str, dict]:
    """Unit costs per item in one price year.

    Returns {item: {"cost_sek", "low_sek", "high_sek" (price year), "nominal_cost_sek"
    (as written), "year", "price_year", "index_factor", "source"}}. An empty low or high
    becomes cost_sek. Without a price index the amounts stay as written and price_year
    is the item's own year.
    """
    price_year = price_year if price_year is not None else default_price_year(price_index)
    rows = {str(row["item"]): row for _, row in table.iterrows()}
    missing = [item for item in ITEMS if item not in rows]
    if missing:
        raise ValueError(f"unit_costs: kolumnen item saknar {missing}")
    result = {}
    for item in ITEMS:
        row = rows[item]
        cost = _number(row["cost_sek"])
        year = _year(row.get("year"))
        factor = index_factor(price_index, year, price_year)
        low, high = _number(row.get("low_sek")), _number(row.get("high_sek"))
        result[item] = {
            "cost_sek": cost * factor,
            "low_sek": (low if low is not None else cost) * factor,
            "high_sek": (high if high is not None else cost) * factor,
            "nominal_cost_sek": cost,
            "year": year,
            "price_year": price_year if price_year is not None else year,
            "index_factor": factor,
            "source": _text(row.get("source")),
        }
    return result


def _year(value: object) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def team_cost(
    group: str,
    area_id: str | None = None,
    population: float | None = None,
    team_costs: pd.DataFrame | None = None,
    staffing: pd.DataFrame | Iterable[Mapping] | None = None,
    price_index: pd.DataFrame | None = None,
    price_year: int | None = None,
) -> dict | None:
    """Annual team cost of a group in an area, with where it came from.

    From ``team_costs`` (row for area_id and group) when there is one; otherwise derived
    as Σ over roles of fte_per_100k × population / 100 000 × cost_per_fte_sek from
    ``staffing`` (default: ``DEFAULT_STAFFING``, the VGR keys). Returns {"annual_cost_sek",
    "basis": "team_costs"|"staffing", "source", "year", "price_year", "derivation": [rows]
    or None}; None when neither is possible (no row and no population).
    """
    price_year = price_year if price_year is not None else default_price_year(price_index)
    row = _team_cost_row(team_costs, area_id, group)
    if row is not None:
        year = _year(row.get("year"))
        factor = index_factor(price_index, year, price_year)
        return {
            "annual_cost_sek": float(row["annual_cost_sek"]) * factor,
            "basis": "team_costs",
            "source": _text(row.get("source")),
            "year": year,
            "price_year": price_year if factor != 1.0 else year,
            "derivation": None,
        }
    if population is None:
        return None
    return staffing_cost(group, population, staffing, price_index, price_year)


def _team_cost_row(team_costs: pd.DataFrame | None, area_id: str | None, group: str):
    if team_costs is None or area_id is None:
        return None
    rows = team_costs[
        (team_costs["area_id"].astype(str) == area_id) & (team_costs["group"] == group)
    ]
    return rows.iloc[0] if len(rows) else None


def staffing_cost(
    group: str,
    population: float,
    staffing: pd.DataFrame | Iterable[Mapping] | None = None,
    price_index: pd.DataFrame | None = None,
    price_year: int | None = None,
) -> dict | None:
    """Team cost derived from staffing keys × population × cost per FTE (see team_cost)."""
    rows = _staffing_rows(staffing, group)
    if not rows:
        return None
    derivation, total = [], 0.0
    for row in rows:
        year = _year(row.get("year"))
        factor = index_factor(price_index, year, price_year)
        fte = float(row["fte_per_100k"]) * population / PER_INHABITANTS
        cost_per_fte = float(row["cost_per_fte_sek"]) * factor
        derivation.append(
            {
                "role": str(row["role"]),
                "fte_per_100k": float(row["fte_per_100k"]),
                "fte": fte,
                "cost_per_fte_sek": cost_per_fte,
                "cost_sek": fte * cost_per_fte,
                "year": year,
                "source": _text(row.get("source")),
            }
        )
        total += fte * cost_per_fte
    return {
        "annual_cost_sek": total,
        "basis": "staffing",
        "source": _staffing_source(group, population, derivation),
        "year": derivation[0]["year"],
        "price_year": price_year if price_year is not None else derivation[0]["year"],
        "population": float(population),
        "derivation": derivation,
    }


def _staffing_rows(staffing, group: str) -> list[dict]:
    if staffing is None:
        staffing = DEFAULT_STAFFING
    if isinstance(staffing, pd.DataFrame):
        staffing = staffing.to_dict("records")
    return [dict(row) for row in staffing if row["group"] == group]


def _staffing_source(group: str, population: float, derivation: list[dict]) -> str:
    parts = [
        f"{fmt.number(row['fte'], 1)} {ROLE_NAMES.get(row['role'], row['role'])} à "
        f"{fmt.sek(row['cost_per_fte_sek'], millions=True)}"
        for row in derivation
    ]
    return (
        f"Härlett ur bemanningsnyckeltal för {group}: {fmt.number(population)} invånare ger "
        + " och ".join(parts)
        + " per årsarbete inkl. arbetsgivaravgifter."
    )


# ---------------------------------------------------------------------------------------
# The cohort: per-patient use of the team group and its comparison for one window
# ---------------------------------------------------------------------------------------


def enrolment_years(
    contacts_from: dt.date | str, contacts_to: dt.date | str, window_days: int
) -> float:
    """Years of index dates that give an included patient.

    A patient is included when t − W ≥ contacts_from and t + W − 1 ≤ contacts_to, so the
    index dates contacts_from + W … contacts_to − W + 1 are observed: that many days /
    365.25. Included patients / this = patients enrolled per year.
    """
    first, last = _date(contacts_from), _date(contacts_to)
    days = (last - first).days - 2 * int(window_days) + 2
    if days <= 0:
        raise ValueError("the extract is shorter than two windows: nobody can be included")
    return days / DAYS_PER_YEAR


def _date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class CohortUse:
    """Per-patient arrays of one team group and its comparison for one window length.

    ``team`` and ``comparison`` are n × 8 arrays: before-window counts of er_visits,
    inpatient_days, specialist_visits, the after-window counts, days alive in the after
    window and a column of ones. ``comparison`` rows are the whole comparison pool sorted
    by patient_id (so resamples line up between areas); ``comparison_weights`` are the
    matching weights (0 for patients not used). Build it with ``cohort_use``.
    """

    window_days: int
    team: np.ndarray
    comparison: np.ndarray | None
    comparison_weights: np.ndarray | None
    patients_per_year: float
    enrolment_years: float | None

    @property
    def n_patients(self) -> int:
        return len(self.team)

    @property
    def has_comparison(self) -> bool:
        weights = self.comparison_weights
        return weights is not None and bool(np.any(weights > 0))


def cohort_use(
    team_windows: pd.DataFrame,
    window_days: int,
    *,
    enrolment_years: float | None = None,
    patients_per_year: float | None = None,
    comparison_windows: pd.DataFrame | None = None,
    comparison_weights: Mapping[str, float] | None = None,
) -> CohortUse:
    """The arrays ``group_costs`` works on.

    ``team_windows``: one team group in one area (included patients are used). Patients
    per year = ``patients_per_year`` when given, else included patients /
    ``enrolment_years`` (see ``enrolment_years()``). ``comparison_windows``: the region's
    comparison patients; ``comparison_weights`` (patient_id → weight, e.g.
    ``MatchResult.comparison_weights``) makes the matched comparison; without weights
    every comparison patient has weight 1.
    """
    team = _patient_array(_included(team_windows))
    if patients_per_year is None:
        if enrolment_years is None:
            raise ValueError("give enrolment_years or patients_per_year")
        patients_per_year = len(team) / enrolment_years
    comparison = weights = None
    if comparison_windows is not None:
        pool = _included(comparison_windows).sort_values("patient_id", kind="stable")
        comparison = _patient_array(pool)
        weights = np.ones(len(pool))
        if comparison_weights is not None:
            mapped = pool["patient_id"].astype(str).map(comparison_weights)
            weights = mapped.fillna(0.0).to_numpy(float)
    return CohortUse(
        int(window_days), team, comparison, weights, float(patients_per_year), enrolment_years
    )


def _included(windows: pd.DataFrame) -> pd.DataFrame:
    if "included" in windows.columns:
        return windows[windows["included"].astype(bool)]
    return windows


def _patient_array(rows: pd.DataFrame) -> np.ndarray:
    columns = [f"{m}_before" for m in MEASURES] + [f"{m}_after" for m in MEASURES]
    values = rows[columns].to_numpy(float)
    days = rows["person_days_after"].to_numpy(float)
    return np.column_stack([values, days, np.ones(len(rows))])


def _comparison_sums(use: CohortUse) -> np.ndarray | None:
    if not use.has_comparison:
        return None
    return use.comparison_weights @ use.comparison


# ---------------------------------------------------------------------------------------
# Avoided use and money: vectorised over PSA draws (leading axes) and point estimates
# ---------------------------------------------------------------------------------------


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 1 where undefined (no comparison use before)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator / denominator
    return np.where(np.isfinite(ratio), ratio, 1.0)


def comparison_ratio(comparison_sums: np.ndarray, basis: str) -> np.ndarray:
    """The comparison's after/before ratio per measure (basis adjusted or person_time).

    ``person_time`` uses rates per day alive: (after / days alive after) /
    (before / (n × W)); the W cancels in ``_expected_after``.
    """
    ratio = _ratio(comparison_sums[..., _AFTER], comparison_sums[..., _BEFORE])
    if basis == "person_time":
        mean_days = _ratio(comparison_sums[..., _DAYS], comparison_sums[..., _ONE])
        ratio = ratio / mean_days[..., None]
    return ratio


def _expected_after(team_sums: np.ndarray, comparison_sums, basis: str) -> np.ndarray:
    """Team use expected after the index date without the team."""
    before = team_sums[..., _BEFORE]
    if basis == "crude":
        return before
    ratio = comparison_ratio(comparison_sums, basis)
    if basis == "person_time":
        ratio = ratio * (team_sums[..., _DAYS] / team_sums[..., _ONE])[..., None]
    return before * ratio


def avoided(team_sums: np.ndarray, comparison_sums: np.ndarray | None, basis: str) -> np.ndarray:
    """Avoided events per measure: expected after − observed after.

    crude: before − after. adjusted: before × comparison after/before − after.
    person_time: as adjusted, on rates per day alive, scaled to the team's days alive
    (deaths are not counted as savings beyond the comparison's).
    """
    return _expected_after(team_sums, comparison_sums, basis) - team_sums[..., _AFTER]


def _annual_gross(avoided_events, costs, n_patients: int, patients_per_year) -> np.ndarray:
    """Annual gross savings: savings per patient (over W days) × patients per year."""
    return np.einsum("...k,...k->...", avoided_events, costs) / n_patients * patients_per_year


def _safe_div(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return float(numerator / denominator)


def _positive_div(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator where the denominator is positive, else None."""
    if denominator is None or denominator <= 0:
        return None
    return _safe_div(numerator, denominator)


def _cost_vector(costs: Mapping[str, Mapping], key: str = "cost_sek") -> np.ndarray:
    return np.array([float(costs[item][key]) for item in ITEMS])


def _best_basis(use: CohortUse) -> str:
    return "adjusted" if use.has_comparison else "crude"


# ---------------------------------------------------------------------------------------
# Probabilistic sensitivity analysis
# ---------------------------------------------------------------------------------------


def _stream(seed: int, name: str) -> np.random.Generator:
    """An independent, reproducible random stream for ``name`` under ``seed``."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode("utf-8"))])


def pert_draws(
    low: float, mode: float, high: float, size: int, rng: np.random.Generator
) -> np.ndarray:
    """Beta-PERT draws (λ = 4) between low and high with the given mode."""
    if not high > low:
        return np.full(size, float(mode))
    mode = min(max(mode, low), high)
    a = 1.0 + PERT_LAMBDA * (mode - low) / (high - low)
    b = 1.0 + PERT_LAMBDA * (high - mode) / (high - low)
    return low + rng.beta(a, b, size) * (high - low)


def unit_cost_draws(costs: Mapping[str, Mapping], n_draws: int, seed: int) -> np.ndarray:
    """n_draws × 3 PERT draws of the unit costs (same for every area and group)."""
    rng = _stream(seed, "unit_costs")
    columns = [
        pert_draws(costs[i]["low_sek"], costs[i]["cost_sek"], costs[i]["high_sek"], n_draws, rng)
        for i in ITEMS
    ]
    return np.column_stack(columns)


def psa_draws(
    use: CohortUse,
    costs: Mapping[str, Mapping],
    team_cost_sek: float | None,
    basis: str,
    n_draws: int = N_DRAWS,
    seed: int = DEFAULT_SEED,
    stream: str = "",
) -> dict[str, np.ndarray]:
    """PSA draws: {"gross", "net" (None-free only with a team cost), "bed_days"} per year.

    Team patients are resampled on the stream ``team/<stream>``; the comparison pool on
    ``comparison`` (the same resamples for every area, so region sums keep the shared
    comparison); unit costs on ``unit_costs`` (shared as well).
    """
    team = resampled_sums(use.team, n_draws, _stream(seed, f"team/{stream}"))
    comparison = None
    if basis != "crude":
        weighted = use.comparison * use.comparison_weights[:, None]
        comparison = resampled_sums(weighted, n_draws, _stream(seed, "comparison"))
    events = avoided(team, comparison, basis)
    prices = unit_cost_draws(costs, n_draws, seed)
    gross = _annual_gross(events, prices, use.n_patients, use.patients_per_year)
    bed_days = events[:, BED_DAYS] / use.n_patients * use.patients_per_year
    draws = {"gross": gross, "bed_days": bed_days}
    if team_cost_sek is not None:
        draws["net"] = gross - team_cost_sek
    return draws


def _interval(values: np.ndarray) -> list[float]:
    return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]


def psa_summary(draws: Mapping[str, np.ndarray], team_cost_sek: float | None) -> dict:
    """95 % intervals and the probability that the teams save more than they cost."""
    summary = {
        "annual_gross_savings_ci": _interval(draws["gross"]),
        "avoided_bed_days_per_year_ci": _interval(draws["bed_days"]),
        "net_savings_ci": None,
        "prob_net_positive": None,
        "return_per_krona_ci": None,
    }
    if "net" in draws and team_cost_sek:
        summary["net_savings_ci"] = _interval(draws["net"])
        summary["prob_net_positive"] = float(np.mean(draws["net"] > 0))
        summary["return_per_krona_ci"] = _interval(draws["gross"] / team_cost_sek)
    return summary


# ---------------------------------------------------------------------------------------
# Tornado: net savings at each input's low and high value
# ---------------------------------------------------------------------------------------


def _net_point(
    use: CohortUse,
    costs: np.ndarray,
    team_cost_sek: float,
    basis: str,
    volume_factor: float = 1.0,
) -> float:
    events = avoided(use.team.sum(axis=0), _comparison_sums(use), basis)
    gross = _annual_gross(events, costs, use.n_patients, use.patients_per_year * volume_factor)
    return float(gross - team_cost_sek)


def _row(key: str, label: str, settings: list[tuple[str, float]]) -> dict:
    nets = [net for _, net in settings]
    return {
        "input": key,
        "label": label,
        "settings": [{"label": text, "net_savings_sek": net} for text, net in settings],
        "low_sek": min(nets),
        "high_sek": max(nets),
        "swing_sek": max(nets) - min(nets),
    }


def _unit_cost_rows(use, costs, team_cost_sek, basis) -> list[dict]:
    rows = []
    for k, item in enumerate(ITEMS):
        settings = []
        for key in ("low_sek", "high_sek"):
            vector = _cost_vector(costs)
            vector[k] = costs[item][key]
            settings.append((fmt.sek(vector[k]), _net_point(use, vector, team_cost_sek, basis)))
        label = f"Kostnad per {COST_ITEM_NAMES[item].lower()}"
        rows.append(_row(item, label, settings))
    return rows


SCALE_FACTORS = (1.0 - SENSITIVITY_SHARE, 1.0 + SENSITIVITY_SHARE)


def _scaled_label(value: float, factor: float, unit: str) -> str:
    """'9,6 mnkr (−25 %)' or '21 patienter/år (+25 %)' for value × factor."""
    change = fmt.percent(100 * (factor - 1.0), signed=True)
    amount = _mnkr(value * factor) if unit == "sek" else f"{fmt.number(value * factor)} {unit}"
    return f"{amount} ({change})"


def _scaled_rows(use, costs, team_cost_sek, basis) -> list[dict]:
    vector = _cost_vector(costs)
    team = [
        (
            _scaled_label(team_cost_sek, f, "sek"),
            _net_point(use, vector, team_cost_sek * f, basis),
        )
        for f in SCALE_FACTORS
    ]
    volume = [
        (
            _scaled_label(use.patients_per_year, f, "patienter/år"),
            _net_point(use, vector, team_cost_sek, basis, volume_factor=f),
        )
        for f in SCALE_FACTORS
    ]
    return [
        _row("team_cost", "Teamens årliga kostnad", team),
        _row("patients_per_year", "Antal nya patienter per år", volume),
    ]


BASIS_LABELS = {  # read as "med <label> blir nettot …"
    "crude": "enkel före/efter-jämförelse",
    "adjusted": "matchad jämförelsegrupp",
    "person_time": "räkning per dag i livet",
}


def _method_rows(use, costs, team_cost_sek, basis) -> list[dict]:
    if not use.has_comparison:
        return []
    vector = _cost_vector(costs)
    rows = [
        _row(
            "method",
            "Beräkningsmetod",
            [(BASIS_LABELS[b], _net_point(use, vector, team_cost_sek, b)) for b in BASES[:2]],
        )
    ]
    weights = use.comparison_weights
    if basis == "adjusted" and not np.allclose(weights, 1.0):
        everyone = replace(use, comparison_weights=np.ones(len(weights)))
        settings = [
            (BASIS_LABELS["adjusted"], _net_point(use, vector, team_cost_sek, "adjusted")),
            ("alla jämförelsepatienter", _net_point(everyone, vector, team_cost_sek, "adjusted")),
        ]
        rows.append(_row("comparison", "Jämförelsegrupp", settings))
    if basis == "adjusted":
        rows.append(
            _row(
                "deaths",
                "Dödsfall efter inskrivning",
                [
                    (
                        "dödsfall räknade som minskad vård",
                        _net_point(use, vector, team_cost_sek, "adjusted"),
                    ),
                    (
                        BASIS_LABELS["person_time"],
                        _net_point(use, vector, team_cost_sek, "person_time"),
                    ),
                ],
            )
        )
    return rows


def _window_rows(use, costs, team_cost_sek, basis, windows) -> list[dict]:
    if not windows:
        return []
    uses = {use.window_days: use, **{int(w): u for w, u in windows.items()}}
    if len(uses) < 2:
        return []
    vector = _cost_vector(costs)
    settings = []
    for days, other in sorted(uses.items()):
        other_basis = basis if basis == "crude" or other.has_comparison else "crude"
        settings.append((f"{days} dagar", _net_point(other, vector, team_cost_sek, other_basis)))
    return [_row("window_days", "Uppföljningstid efter inskrivning", settings)]


def tornado(
    use: CohortUse,
    costs: Mapping[str, Mapping],
    team_cost_sek: float,
    basis: str | None = None,
    windows: Mapping[int, CohortUse] | None = None,
) -> dict:
    """Net savings per year when each input takes its low and high value, others at base.

    Rows (largest swing first): each unit cost at low_sek/high_sek, team cost ±25 %,
    patients per year ±25 %, crude vs adjusted, matched vs all comparison patients
    (unweighted), deaths (adjusted vs per day alive) and the window lengths in
    ``windows`` (W → CohortUse for that window).
    Returns {"base_net_savings_sek", "basis", "rows": [{"input", "label", "settings":
    [{"label", "net_savings_sek"}], "low_sek", "high_sek", "swing_sek"}]}.
    """
    basis = basis or _best_basis(use)
    rows = (
        _unit_cost_rows(use, costs, team_cost_sek, basis)
        + _scaled_rows(use, costs, team_cost_sek, basis)
        + _method_rows(use, costs, team_cost_sek, basis)
        + _window_rows(use, costs, team_cost_sek, basis, windows)
    )
    rows.sort(key=lambda row: -row["swing_sek"])
    return {
        "base_net_savings_sek": _net_point(use, _cost_vector(costs), team_cost_sek, basis),
        "basis": basis,
        "rows": rows,
    }


# ---------------------------------------------------------------------------------------
# The costs block of one group in one area
# ---------------------------------------------------------------------------------------


class CostBlock(dict):
    """A plain dict (JSON-ready) that also carries its PSA draws as ``draws``.

    ``json.dump`` writes only the dict; ``region_costs`` sums ``draws`` when present.
    """

    draws: dict[str, np.ndarray] | None = None


def avoided_use(use: CohortUse) -> dict:
    """Per measure: totals, the comparison ratio, expected and avoided events (cohort and
    per year), crude and adjusted."""
    team_sums = use.team.sum(axis=0)
    comparison = _comparison_sums(use)
    crude = avoided(team_sums, None, "crude")
    adjusted = avoided(team_sums, comparison, "adjusted") if comparison is not None else None
    ratio = comparison_ratio(comparison, "adjusted") if comparison is not None else None
    per_year = use.patients_per_year / use.n_patients
    result = {}
    for k, measure in enumerate(MEASURES):
        expected = None if adjusted is None else float(team_sums[_AFTER][k] + adjusted[k])
        entry = {
            "before_total": float(team_sums[_BEFORE][k]),
            "after_total": float(team_sums[_AFTER][k]),
            "avoided_crude": float(crude[k]),
            "avoided_crude_per_year": float(crude[k] * per_year),
            "comparison_ratio": None if ratio is None else float(ratio[k]),
            "expected_after": expected,
            "avoided_adjusted": None if adjusted is None else float(adjusted[k]),
            "avoided_adjusted_per_year": None
            if adjusted is None
            else float(adjusted[k] * per_year),
            "change_vs_expected_pct": None,
        }
        if expected:
            entry["change_vs_expected_pct"] = 100.0 * (entry["after_total"] - expected) / expected
        result[measure] = entry
    return result


def _money(use: CohortUse, costs: Mapping[str, Mapping], team: Mapping | None) -> dict:
    team_sums, comparison = use.team.sum(axis=0), _comparison_sums(use)
    crude = avoided(team_sums, None, "crude")
    vector, n, ppy = _cost_vector(costs), use.n_patients, use.patients_per_year
    adjusted = avoided(team_sums, comparison, "adjusted") if comparison is not None else None
    basis_events = adjusted if adjusted is not None else crude
    annual = float(_annual_gross(basis_events, vector, n, ppy))
    cost = None if team is None else float(team["annual_cost_sek"])
    per_patient = annual / ppy if ppy else None
    bed_days = float(basis_events[BED_DAYS] / n * ppy)
    return {
        "gross_savings_sek": float(crude @ _cost_vector(costs, "nominal_cost_sek")),
        "gross_savings_adjusted_sek": None if adjusted is None else float(adjusted @ vector),
        "annual_gross_savings_sek": float(_annual_gross(crude, vector, n, ppy)),
        "annual_gross_savings_adjusted_sek": None
        if adjusted is None
        else float(_annual_gross(adjusted, vector, n, ppy)),
        "gross_savings_per_patient_sek": per_patient,
        "avoided_bed_days_per_year": bed_days,
        "team_cost_sek": cost,
        "net_savings_sek": None if cost is None else annual - cost,
        "return_per_krona": _safe_div(annual, cost),
        "cost_per_avoided_bed_day_sek": _positive_div(cost, bed_days),
        "break_even_patients_per_year": _positive_div(cost, per_patient),
    }


def _per_100k(block: Mapping, population: float | None) -> dict | None:
    if not population:
        return None
    keys = (
        "patients_per_year",
        "team_cost_sek",
        "annual_gross_savings_sek",
        "annual_gross_savings_adjusted_sek",
        "net_savings_sek",
        "avoided_bed_days_per_year",
        "break_even_patients_per_year",
    )
    scale = PER_INHABITANTS / population
    result = {"population": float(population)}
    for key in keys:
        value = block.get(key)
        result[key] = None if value is None else float(value) * scale
    return result


def group_costs(
    use: CohortUse,
    costs: Mapping[str, Mapping],
    team: Mapping | None = None,
    *,
    population: float | None = None,
    area_id: str = "",
    group: str = "",
    windows: Mapping[int, CohortUse] | None = None,
    n_draws: int = N_DRAWS,
    seed: int = DEFAULT_SEED,
) -> CostBlock | None:
    """The ``costs.<group>`` block of one team group in one area (None without patients).

    ``costs`` from ``unit_costs()``, ``team`` from ``team_cost()`` (None: no net figures),
    ``windows`` (W → CohortUse) adds the window-length tornado row. Keys: see
    docs/costs.md. The PSA draws ride along as ``block.draws`` (not serialised).
    """
    if use.n_patients == 0:
        return None
    basis = _best_basis(use)
    cost = None if team is None else float(team["annual_cost_sek"])
    block = CostBlock(
        area_id=area_id,
        group=group,
        window_days=use.window_days,
        basis=basis,
        price_year=costs[ITEMS[0]]["price_year"],
        n_patients=use.n_patients,
        enrolment_years=use.enrolment_years,
        patients_per_year=use.patients_per_year,
        avoided_use=avoided_use(use),
        **_money(use, costs, team),
    )
    block["per_100k"] = _per_100k(block, population)
    block["team_cost"] = None if team is None else dict(team)
    block["unit_costs"] = {item: dict(costs[item]) for item in ITEMS}
    block.update(_psa_block(use, costs, cost, basis, n_draws, seed, f"{area_id}/{group}", block))
    block["tornado"] = None if cost is None else tornado(use, costs, cost, basis, windows)
    return block


def _psa_block(use, costs, cost, basis, n_draws, seed, stream, block: CostBlock) -> dict:
    if n_draws <= 0:
        return {"net_savings_ci": None, "prob_net_positive": None, "psa": None}
    draws = psa_draws(use, costs, cost, basis, n_draws, seed, stream)
    block.draws = draws
    return {
        **psa_summary(draws, cost),
        "psa": {
            "n_draws": n_draws,
            "seed": seed,
            "basis": basis,
            "unit_costs": "Beta-PERT (λ = 4) mellan low_sek och high_sek, typvärde cost_sek",
            "resampling": "team- och jämförelsepatienter dras om med återläggning (bootstrap)",
            "fixed": ["team_cost_sek", "patients_per_year", "matching_weights"],
        },
    }


# ---------------------------------------------------------------------------------------
# One area and the region
# ---------------------------------------------------------------------------------------


def area_costs(
    windows: pd.DataFrame,
    area_id: str,
    window_days: int,
    costs: Mapping[str, Mapping],
    *,
    population: float,
    extract: tuple[dt.date | str, dt.date | str],
    team_costs: pd.DataFrame | None = None,
    staffing: pd.DataFrame | None = None,
    comparison_weights: Mapping[str, Mapping[str, float]] | None = None,
    windows_by_length: Mapping[int, pd.DataFrame] | None = None,
    weights_by_length: Mapping[int, Mapping[str, Mapping[str, float]]] | None = None,
    price_index: pd.DataFrame | None = None,
    price_year: int | None = None,
    n_draws: int = N_DRAWS,
    seed: int = DEFAULT_SEED,
) -> dict[str, CostBlock]:
    """``costs`` of one area: {group: CostBlock} for HSVT and NSVT where present.

    ``windows`` holds the whole region (``patient_windows``); the comparison pool is every
    comparison patient of it. ``comparison_weights`` gives, per group, the matching
    weights (``MatchResult.comparison_weights``); a group without them is matched here
    (``matching.match_comparison``, same defaults, so the same weights as in effects).
    ``windows_by_length`` (W → region windows) and ``weights_by_length`` add the
    window-length tornado row. ``extract`` = (contacts_from, contacts_to).
    """
    result = {}
    for group in TEAM_GROUPS:
        use = _group_use(windows, area_id, group, window_days, extract, comparison_weights)
        if use is None:
            continue
        others = {}
        for days, table in (windows_by_length or {}).items():
            given = (weights_by_length or {}).get(days)
            other = _group_use(table, area_id, group, days, extract, given)
            if other is not None:
                others[int(days)] = other
        team = team_cost(group, area_id, population, team_costs, staffing, price_index, price_year)
        block = group_costs(
            use,
            costs,
            team,
            population=population,
            area_id=area_id,
            group=group,
            windows=others,
            n_draws=n_draws,
            seed=seed,
        )
        if block is not None:
            result[group] = block
    return result


def _group_use(windows, area_id, group, window_days, extract, weights_by_group):
    team = _included(windows[(windows["area_id"] == area_id) & (windows["group"] == group)])
    if team.empty:
        return None
    pool = _included(windows[windows["group"] == "comparison"])
    weights = (weights_by_group or {}).get(group)
    if weights is None and not pool.empty:
        weights = match_comparison(team, pool).comparison_weights
    return cohort_use(
        team,
        window_days,
        enrolment_years=enrolment_years(extract[0], extract[1], window_days),
        comparison_windows=pool if not pool.empty else None,
        comparison_weights=weights,
    )


_SUMMED = (
    "n_patients",
    "patients_per_year",
    "gross_savings_sek",
    "gross_savings_adjusted_sek",
    "annual_gross_savings_sek",
    "annual_gross_savings_adjusted_sek",
    "avoided_bed_days_per_year",
    "team_cost_sek",
    "net_savings_sek",
)


def _sum(blocks: list[Mapping], key: str) -> float | None:
    values = [block.get(key) for block in blocks]
    if not values or any(value is None for value in values):
        return None
    return float(sum(values))


def _summed_avoided_use(blocks: list[Mapping]) -> dict:
    result = {}
    for measure in MEASURES:
        entries = [block["avoided_use"][measure] for block in blocks]
        entry = {key: _sum(entries, key) for key in entries[0] if key != "comparison_ratio"}
        entry["comparison_ratio"] = None
        expected = entry.get("expected_after")
        entry["change_vs_expected_pct"] = (
            100.0 * (entry["after_total"] - expected) / expected if expected else None
        )
        result[measure] = entry
    return result


def _tornado_signature(table: Mapping) -> list[tuple[str, int]]:
    return sorted((row["input"], len(row["settings"])) for row in table["rows"])


def _summed_tornado(blocks: list[Mapping], total: Mapping) -> dict | None:
    """Sum of the blocks' tornado rows (every setting is applied in every area alike);
    None unless all blocks have the same rows."""
    tornados = [block.get("tornado") for block in blocks]
    if not tornados or any(t is None for t in tornados):
        return None
    if any(_tornado_signature(t) != _tornado_signature(tornados[0]) for t in tornados):
        return None
    keyed = [{r["input"]: r for r in t["rows"]} for t in tornados]
    rows = []
    for row in tornados[0]["rows"]:
        parts = [k[row["input"]]["settings"] for k in keyed]
        nets = [sum(p[i]["net_savings_sek"] for p in parts) for i in range(len(row["settings"]))]
        labels = [s["label"] for s in row["settings"]]
        if row["input"] == "team_cost":
            labels = [_scaled_label(total["team_cost_sek"], f, "sek") for f in SCALE_FACTORS]
        elif row["input"] == "patients_per_year":
            ppy = total["patients_per_year"]
            labels = [_scaled_label(ppy, f, "patienter/år") for f in SCALE_FACTORS]
        rows.append(_row(row["input"], row["label"], list(zip(labels, nets, strict=True))))
    rows.sort(key=lambda row: -row["swing_sek"])
    base = sum(t["base_net_savings_sek"] for t in tornados)
    return {"base_net_savings_sek": base, "basis": tornados[0]["basis"], "rows": rows}


def _summed_draws(blocks: list[CostBlock]) -> dict[str, np.ndarray] | None:
    draws = [getattr(block, "draws", None) for block in blocks]
    if not draws or any(d is None for d in draws):
        return None
    if len({len(d["gross"]) for d in draws}) != 1 or len({b["psa"]["seed"] for b in blocks}) != 1:
        return None
    keys = set.intersection(*(set(d) for d in draws))
    return {key: np.sum([d[key] for d in draws], axis=0) for key in keys}


def combine_blocks(blocks: list[CostBlock], population: float | None) -> CostBlock:
    """One block summing the annual amounts of several group blocks (areas or groups)."""
    total = CostBlock({key: _sum(blocks, key) for key in _SUMMED})
    bases = {block["basis"] for block in blocks}
    total["basis"] = bases.pop() if len(bases) == 1 else "mixed"
    total["window_days"] = blocks[0]["window_days"]
    total["price_year"] = blocks[0]["price_year"]
    total["avoided_use"] = _summed_avoided_use(blocks)
    annual, cost = _annual_basis(total), total["team_cost_sek"]
    per_patient = _safe_div(annual, total["patients_per_year"])
    total["gross_savings_per_patient_sek"] = per_patient
    total["return_per_krona"] = _safe_div(annual, cost)
    total["cost_per_avoided_bed_day_sek"] = _positive_div(cost, total["avoided_bed_days_per_year"])
    total["break_even_patients_per_year"] = _positive_div(cost, per_patient)
    total["per_100k"] = _per_100k(total, population)
    draws = _summed_draws(blocks)
    total.draws = draws
    total.update(_summed_psa(draws, cost, blocks))
    total["tornado"] = _summed_tornado(blocks, total)
    return total


def _annual_basis(block: Mapping) -> float | None:
    if block["basis"] == "crude":
        return block["annual_gross_savings_sek"]
    return block.get("annual_gross_savings_adjusted_sek")


def _summed_psa(draws, cost, blocks) -> dict:
    if draws is None:
        return {
            "net_savings_ci": None,
            "prob_net_positive": None,
            "psa": {"interval": "unavailable: blocks without PSA draws"},
        }
    psa = dict(blocks[0]["psa"])
    psa["interval"] = "summed draws (shared unit costs and comparison resamples)"
    return {**psa_summary(draws, cost), "psa": psa}


def region_costs(
    per_area_blocks: Mapping[str, Mapping[str, CostBlock]],
    populations: Mapping[str, float] | None = None,
) -> dict:
    """Region totals: {"HSVT": block, "NSVT": block, "total": block, "areas": [...]}.

    ``per_area_blocks`` is {area_id: {group: block}} as returned by ``area_costs`` (or
    ``group_costs``). Annual amounts are summed; ratios are recomputed from the sums;
    intervals come from the summed PSA draws (None when a block lacks them).
    ``populations`` (area_id → inhabitants) gives the per-100 000 figures; otherwise the
    blocks' own ``per_100k.population`` is used.
    """
    populations = dict(populations or {})
    for area_id, groups in per_area_blocks.items():
        for block in groups.values():
            if area_id not in populations and block.get("per_100k"):
                populations[area_id] = block["per_100k"]["population"]
    result: dict = {"areas": sorted(per_area_blocks)}
    everything = []
    for group in TEAM_GROUPS:
        areas = [a for a, groups in per_area_blocks.items() if groups.get(group) is not None]
        blocks = [per_area_blocks[a][group] for a in areas]
        if blocks:
            result[group] = combine_blocks(blocks, _population(populations, areas))
            everything += blocks
    if everything:
        result["total"] = combine_blocks(
            everything, _population(populations, list(per_area_blocks))
        )
    return result


def _population(populations: Mapping[str, float], areas: list[str]) -> float | None:
    if not areas or any(a not in populations for a in areas):
        return None
    return float(sum(populations[a] for a in areas))


# ---------------------------------------------------------------------------------------
# Plain Swedish
# ---------------------------------------------------------------------------------------


TEAM_NAMES = {
    "HSVT": "Hemsjukvårdsteamen (HSVT)",
    "NSVT": "Närsjukvårdsteamen (NSVT)",
    "total": "Hemsjukvårds- och närsjukvårdsteamen tillsammans",
    "all": "Hemsjukvårds- och närsjukvårdsteamen tillsammans",
}


def _mnkr(value: float) -> str:
    return fmt.sek(value, millions=True)


def _relative_change(block: Mapping, measure: str) -> float | None:
    """After vs expected (adjusted) or vs before (crude), in percent."""
    entry = block["avoided_use"][measure]
    if block["basis"] != "crude":
        return entry.get("change_vs_expected_pct")
    before = entry["before_total"]
    return 100.0 * (entry["after_total"] - before) / before if before else None


def _change_sentence(block: Mapping) -> str:
    parts = []
    for measure, noun in (("inpatient_days", "vårddagar"), ("er_visits", "akutbesök")):
        pct = _relative_change(block, measure)
        if pct is not None:
            direction = "färre" if pct < 0 else "fler"
            parts.append(f"{fmt.percent(abs(pct))} {direction} {noun}")
    if not parts:
        return ""
    days = block["window_days"]
    if block["basis"] != "crude":
        return (
            f"Jämfört med en matchad jämförelsegrupp hade patienterna under de första {days} "
            f"dagarna efter inskrivningen {' och '.join(parts)} än väntat."
        )
    return (
        f"Under de första {days} dagarna efter inskrivningen hade patienterna "
        f"{' och '.join(parts)} än under {days} dagar före."
    )


def _savings_sentence(block: Mapping) -> str:
    bed_days = block.get("avoided_bed_days_per_year")
    annual = _annual_basis(block)
    if annual is None:
        return ""
    amount = "mindre" if annual >= 0 else "mer"
    text = (
        f"Med omkring {fmt.number(block['patients_per_year'])} nya patienter per år betyder det "
        f"att sjukhusvården kostar ungefär {_mnkr(abs(annual))} {amount} per år"
    )
    if bed_days is not None and bed_days > 0:
        text += f" (cirka {fmt.number(bed_days)} färre vårddagar)"
    return text + "."


def _net_sentence(block: Mapping) -> str:
    net, ratio = block.get("net_savings_sek"), block.get("return_per_krona")
    if net is None:
        return "Teamens kostnad saknas i underlaget, så något netto kan inte beräknas."
    text = f"Efter teamens kostnad blir nettot {_signed_mnkr(net)} per år"
    if ratio is not None and ratio > 0:
        return text + f": varje satsad krona ger {fmt.number(ratio, 2)} kr tillbaka."
    return text + ": sjukhusvården minskade inte, så satsningen ger inget tillbaka i pengar."


def _signed_mnkr(value: float) -> str:
    text = _mnkr(value)
    return "+" + text if round(value / 1e6, 1) > 0 else text


def _certainty_sentence(block: Mapping) -> str:
    interval, prob = block.get("net_savings_ci"), block.get("prob_net_positive")
    if interval is None or prob is None:
        return ""
    if prob >= 0.95:
        lead = "Det är mycket sannolikt att teamen sparar mer än de kostar"
    elif prob <= 0.05:
        lead = "Det är mycket sannolikt att teamen kostar mer än de sparar"
    else:
        lead = "Osäkerheten är stor"
    return (
        f"{lead}: nettot ligger med 95 % säkerhet mellan {_mnkr(interval[0])} och "
        f"{_mnkr(interval[1])} per år, och sannolikheten att teamen sparar mer än de kostar "
        f"är {_probability(prob)}."
    )


def _probability(prob: float) -> str:
    """'62 %', or 'under 1 %' / 'över 99 %' at the ends (a finite number of draws)."""
    if prob < 0.005:
        return "under 1" + fmt.NBSP + "%"
    if prob > 0.995:
        return "över 99" + fmt.NBSP + "%"
    return fmt.share(prob)


def _tornado_sentence(block: Mapping) -> str:
    table = block.get("tornado")
    if not table or not table["rows"]:
        return ""
    row = table["rows"][0]
    settings = sorted(row["settings"], key=lambda s: s["net_savings_sek"])
    low, high = settings[0], settings[-1]
    return (
        f"Mest beror svaret på {row['label'].lower()}: med {low['label']} blir nettot "
        f"{_mnkr(low['net_savings_sek'])}, med {high['label']} {_mnkr(high['net_savings_sek'])}."
    )


def _break_even_sentence(block: Mapping) -> str:
    net, volume = block.get("net_savings_sek"), block.get("break_even_patients_per_year")
    if net is None or net >= 0:
        return ""
    if volume is None:
        return "Eftersom sjukhusvården inte minskade går satsningen inte att räkna hem i pengar."
    return (
        f"För att gå jämnt ut skulle teamen med samma effekt behöva ta emot omkring "
        f"{fmt.number(volume)} nya patienter per år."
    )


def _caveat_sentence(block: Mapping) -> str:
    if block["basis"] == "crude":
        return (
            "Beräkningen bygger på en enkel jämförelse före och efter inskrivning utan "
            "jämförelsegrupp och överskattar troligen besparingen, eftersom patienter ofta "
            "skrivs in när vårdbehovet är som störst."
        )
    return ""


def cost_paragraph(costs_block: Mapping, area_name: str, group: str) -> str:
    """One paragraph in plain Swedish: what the teams cost, what they save, how sure we
    are and what would change the answer (the largest tornado bar)."""
    team_cost = costs_block.get("team_cost_sek")
    opening = f"{TEAM_NAMES.get(group, group_name(group))} i {area_name}"
    opening += (
        f" kostar omkring {_mnkr(team_cost)} per år."
        if team_cost is not None
        else " har ingen uppgift om kostnad."
    )
    sentences = [
        opening,
        _change_sentence(costs_block),
        _savings_sentence(costs_block),
        _net_sentence(costs_block),
        _certainty_sentence(costs_block),
        _tornado_sentence(costs_block),
        _break_even_sentence(costs_block),
        _caveat_sentence(costs_block),
    ]
    return " ".join(s for s in sentences if s)
