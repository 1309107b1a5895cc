"""The cost inputs: unit costs in one price year, and each team's annual cost.

Unit costs come from ``unit_costs.csv`` (contract) with an optional ``price_index.csv``
(``year,index``) to bring every amount to one price year. The annual team cost comes from
``team_costs.csv`` (contract; optional ``low_sek``/``high_sek`` give its uncertainty), or,
where that has no row, is derived from staffing keys (``staffing.csv`` or the VGR keys
below). Only the staffing *added* by the teams is a cost of the teams (docs/costs.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from narvard.domain import COSTED_MEASURES

ITEMS = tuple(COSTED_MEASURES.values())  # er_visit, inpatient_day, specialist_visit
PER_INHABITANTS = 100_000
# The team cost's range when team_costs.csv gives none (a stated default, docs/costs.md).
TEAM_COST_SPREAD = 0.20

DEFAULT_STAFFING = (
    {
        "group": "HSVT",
        "role": "doctor",
        "fte_per_100k": 3.5,
        "cost_per_fte_sek": 1_600_000.0,
        "year": 2022,
        "source": "VGR:s nyckeltal 3,5 hemsjukvårdsläkare per 100 000 invånare (slutrapport "
        "Breddinförande av Mobil närvård 2019); specialistläkare ca 1,6 mnkr per "
        "årsarbete inkl. arbetsgivaravgifter (antagande)",
    },
    {
        "group": "NSVT",
        "role": "doctor",
        "fte_per_100k": 1.0,
        "cost_per_fte_sek": 1_600_000.0,
        "year": 2022,
        "source": "VGR:s nyckeltal för närsjukvårdsteam, 1 läkare per 100 000 invånare; "
        "ca 1,6 mnkr per årsarbete inkl. arbetsgivaravgifter (antagande)",
    },
    {
        "group": "NSVT",
        "role": "nurse",
        "fte_per_100k": 2.0,
        "cost_per_fte_sek": 800_000.0,
        "year": 2022,
        "source": "VGR:s nyckeltal för närsjukvårdsteam, 2 sjuksköterskor per 100 000 "
        "invånare; ca 0,8 mnkr per årsarbete inkl. arbetsgivaravgifter (antagande)",
    },
)


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
    # Without a price index nothing is re-priced: the amounts stay in their own year.
    indexed = price_index is not None and price_year is not None
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
            "price_year": price_year if indexed else year,
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
    or None, "low_sek", "high_sek", "range_basis"}; None when neither is possible (no row
    and no population). The range is the row's low_sek/high_sek when given, else ± 20 %.
    """
    price_year = price_year if price_year is not None else default_price_year(price_index)
    row = _team_cost_row(team_costs, area_id, group)
    if row is not None:
        year = _year(row.get("year"))
        factor = index_factor(price_index, year, price_year)
        cost = float(row["annual_cost_sek"]) * factor
        low, high = _number(row.get("low_sek")), _number(row.get("high_sek"))
        return _with_range(
            {
                "annual_cost_sek": cost,
                "basis": "team_costs",
                "source": _text(row.get("source")),
                "year": year,
                "price_year": price_year if factor != 1.0 else year,
                "derivation": None,
            },
            None if low is None else low * factor,
            None if high is None else high * factor,
        )
    if population is None:
        return None
    derived = staffing_cost(group, population, staffing, price_index, price_year)
    return None if derived is None else _with_range(derived, None, None)


def _with_range(cost: dict, low: float | None, high: float | None) -> dict:
    """Add low_sek/high_sek: as given, else ± TEAM_COST_SPREAD around the cost."""
    amount = cost["annual_cost_sek"]
    given = low is not None and high is not None
    cost["low_sek"] = low if given else amount * (1 - TEAM_COST_SPREAD)
    cost["high_sek"] = high if given else amount * (1 + TEAM_COST_SPREAD)
    cost["range_basis"] = "team_costs" if given else f"±{round(100 * TEAM_COST_SPREAD)} %"
    return cost


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
    indexed = price_index is not None and price_year is not None
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
        "source": "; ".join(dict.fromkeys(r["source"] for r in derivation if r["source"])) or None,
        "year": derivation[0]["year"],
        "price_year": price_year if indexed else derivation[0]["year"],
        "population": float(population),
        "derivation": derivation,
    }


def _staffing_rows(staffing, group: str) -> list[dict]:
    if staffing is None:
        staffing = DEFAULT_STAFFING
    if isinstance(staffing, pd.DataFrame):
        staffing = staffing.to_dict("records")
    return [dict(row) for row in staffing if row["group"] == group]
