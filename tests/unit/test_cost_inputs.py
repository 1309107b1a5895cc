"""Cost inputs (``narvard.data.cost_inputs``): price indexing, team costs and ranges, by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import write_csv
from narvard.data import cost_inputs as ci

UNIT_COSTS = pd.DataFrame(
    {
        "item": ["er_visit", "inpatient_day", "specialist_visit"],
        "cost_sek": [4000, 9000, 2000],
        "low_sek": [3000, 7000, None],  # no range for specialist visits
        "high_sek": [5000, 11000, None],
        "year": [2019, 2019, 2019],
        "source": ["test"] * 3,
    }
)
# A price index: 2019 = 100, 2020 = 103, 2022 = 112 (no 2021).
PRICE_INDEX = pd.DataFrame({"year": [2019, 2020, 2022], "index": [100.0, 103.0, 112.0]})


def test_unit_costs_without_an_index_stay_as_written():
    costs = ci.unit_costs(UNIT_COSTS)
    bed = costs["inpatient_day"]
    assert (bed["cost_sek"], bed["low_sek"], bed["high_sek"]) == (9000, 7000, 11000)
    assert (bed["index_factor"], bed["price_year"], bed["source"]) == (1.0, 2019, "test")
    # An empty low or high becomes the cost itself.
    spec = costs["specialist_visit"]
    assert (spec["low_sek"], spec["cost_sek"], spec["high_sek"]) == (2000, 2000, 2000)
    # A price year without an index cannot re-price: the amounts keep their own year.
    asked = ci.unit_costs(UNIT_COSTS, None, price_year=2024)
    assert asked["er_visit"]["cost_sek"] == 4000 and asked["er_visit"]["price_year"] == 2019


def test_price_indexing_by_hand():
    costs = ci.unit_costs(UNIT_COSTS, PRICE_INDEX)
    bed = costs["inpatient_day"]
    # Default price year = the index's last year, 2022: factor 112 / 100 = 1,12.
    assert bed["price_year"] == 2022 and bed["index_factor"] == pytest.approx(1.12)
    # 9 000 × 1,12 = 10 080; 7 000 × 1,12 = 7 840; 11 000 × 1,12 = 12 320.
    assert (bed["cost_sek"], bed["low_sek"], bed["high_sek"]) == pytest.approx(
        (10_080, 7_840, 12_320)
    )
    assert bed["nominal_cost_sek"] == 9000 and bed["year"] == 2019
    # To 2020: 4 000 × 103 / 100 = 4 120.
    to_2020 = ci.unit_costs(UNIT_COSTS, PRICE_INDEX, price_year=2020)
    assert to_2020["er_visit"]["cost_sek"] == pytest.approx(4120)
    assert to_2020["er_visit"]["price_year"] == 2020
    with pytest.raises(ValueError, match="price_index"):
        ci.unit_costs(UNIT_COSTS, PRICE_INDEX, price_year=2021)
    assert ci.index_factor(PRICE_INDEX, 2020, 2022) == pytest.approx(112 / 103)
    assert ci.index_factor(None, 2019, 2022) == 1.0


def test_unit_costs_need_every_item():
    with pytest.raises(ValueError, match="specialist_visit"):
        ci.unit_costs(UNIT_COSTS.iloc[:2])


def test_staffing_derived_team_cost_by_hand():
    # VGR keys, 100 000 inhabitants: HSVT 3,5 doctors × 1,6 MSEK = 5,6 MSEK.
    hsvt = ci.team_cost("HSVT", "a", population=100_000)
    assert hsvt["annual_cost_sek"] == pytest.approx(5_600_000)
    assert hsvt["basis"] == "staffing" and hsvt["price_year"] == 2022
    assert hsvt["derivation"][0]["fte"] == pytest.approx(3.5)
    # Asking for a price year without an index re-prices nothing: still 2022 amounts.
    asked = ci.team_cost("HSVT", "a", population=100_000, price_year=2024)
    assert (asked["annual_cost_sek"], asked["price_year"]) == (pytest.approx(5_600_000), 2022)
    # NSVT: 1 doctor × 1,6 + 2 nurses × 0,8 MSEK = 3,2 MSEK.
    nsvt = ci.team_cost("NSVT", "a", population=100_000)
    assert nsvt["annual_cost_sek"] == pytest.approx(3_200_000)
    assert [(r["role"], r["cost_sek"]) for r in nsvt["derivation"]] == [
        ("doctor", pytest.approx(1_600_000)),
        ("nurse", pytest.approx(1_600_000)),
    ]
    # The source cites the staffing rows' own sources (the report words the derivation).
    assert nsvt["source"].startswith("VGR:s nyckeltal för närsjukvårdsteam, 1 läkare")
    assert "2 sjuksköterskor" in nsvt["source"]
    # Scales with the population: 250 000 inhabitants → 2,5 × 3,2 = 8 MSEK.
    assert ci.team_cost("NSVT", "a", population=250_000)["annual_cost_sek"] == pytest.approx(8e6)


def test_skr_sodra_alvsborg_team_cost_order_of_magnitude():
    """SKR: three NSVT teams in Södra Älvsborg with running costs of about 8 MSEK a year
    (docs/costs.md); the VGR keys give 3,2 MSEK × 2,29232 = 7,34 MSEK."""
    team = ci.team_cost("NSVT", "sodra-alvsborg", population=229_232)
    assert team["annual_cost_sek"] == pytest.approx(7_335_424)
    assert 0.8 * 8e6 < team["annual_cost_sek"] < 1.2 * 8e6


def test_custom_staffing_and_its_price_index():
    staffing = pd.DataFrame(
        {
            "group": ["HSVT", "HSVT", "NSVT"],
            "role": ["doctor", "nurse", "doctor"],
            "fte_per_100k": [2.0, 4.0, 9.0],
            "cost_per_fte_sek": [1_500_000, 700_000, 1_000_000],
            "year": [2020, 2020, 2020],
            "source": ["x", "y", "z"],
        }
    )
    # 50 000 inhabitants: 1 doctor × 1,5 + 2 nurses × 0,7 MSEK = 2,9 MSEK (2020 prices).
    custom = ci.team_cost("HSVT", "a", population=50_000, staffing=staffing)
    assert custom["annual_cost_sek"] == pytest.approx(2_900_000)
    assert custom["price_year"] == 2020
    # In 2022 prices: × 112 / 103.
    indexed = ci.team_cost(
        "HSVT", "a", population=50_000, staffing=staffing, price_index=PRICE_INDEX
    )
    assert indexed["annual_cost_sek"] == pytest.approx(2_900_000 * 112 / 103)
    assert indexed["price_year"] == 2022


def test_team_cost_from_the_table_with_its_range(tmp_path):
    write_csv(
        tmp_path,
        "unit_costs",
        """
        item,cost_sek,low_sek,high_sek,year,source
        er_visit,4000,3000,5000,2019,test
        inpatient_day,9000,7000,11000,2019,test
        specialist_visit,2000,1000,3000,2019,test
        """,
    )
    write_csv(
        tmp_path,
        "team_costs",
        """
        area_id,group,annual_cost_sek,low_sek,high_sek,year,source
        a,HSVT,4000000,3000000,6000000,2019,budget
        a,NSVT,2500000,,,2019,budget
        """,
    )
    write_csv(tmp_path, "price_index", "year,index\n2019,100\n2022,112")
    tables = ci.load_cost_tables(tmp_path)
    assert tables["staffing"] is None
    assert list(tables["team_costs"]["area_id"]) == ["a", "a"]
    # The table's own range, re-priced to 2022 like the cost: × 1,12.
    hsvt = ci.team_cost(
        "HSVT",
        "a",
        population=100_000,
        team_costs=tables["team_costs"],
        price_index=tables["price_index"],
    )
    assert hsvt["basis"] == "team_costs" and hsvt["source"] == "budget"
    assert hsvt["annual_cost_sek"] == pytest.approx(4_480_000)
    assert (hsvt["low_sek"], hsvt["high_sek"]) == pytest.approx((3_360_000, 6_720_000))
    assert hsvt["range_basis"] == "team_costs" and hsvt["price_year"] == 2022
    # No range in the table: ± 20 % around the cost (2,5 MSEK → 2,0 … 3,0 MSEK).
    nsvt = ci.team_cost("NSVT", "a", population=100_000, team_costs=tables["team_costs"])
    assert ci.TEAM_COST_SPREAD == 0.20
    assert nsvt["annual_cost_sek"] == pytest.approx(2_500_000)
    assert (nsvt["low_sek"], nsvt["high_sek"]) == pytest.approx((2_000_000, 3_000_000))
    assert nsvt["range_basis"] == "±20 %"
    # An area without a row falls back to the staffing keys, with the default range.
    other = ci.team_cost("HSVT", "b", population=100_000, team_costs=tables["team_costs"])
    assert other["basis"] == "staffing"
    assert (other["low_sek"], other["high_sek"]) == pytest.approx((4_480_000, 6_720_000))
    # No row and no population: no team cost at all.
    assert ci.team_cost("HSVT", "b", team_costs=tables["team_costs"]) is None
