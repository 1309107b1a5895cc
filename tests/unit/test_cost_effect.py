"""Cost-effect (issue 5): hand-computed arithmetic, PSA behaviour, staffing, region sums."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from narvard import cost_effect as ce
from narvard.costs import gross_savings
from narvard.tornado import tornado_chart

W = 180

# Team: four patients. Totals before/after: ER 4/2, bed days 20/10, specialist 4/2.
TEAM = {
    "er_visits": ([2, 1, 0, 1], [1, 0, 0, 1]),
    "inpatient_days": ([10, 0, 5, 5], [4, 0, 2, 4]),
    "specialist_visits": ([1, 1, 1, 1], [1, 1, 0, 0]),
}
# Comparison: c1 (weight 0.5), c2 (weight 1.5), c3 (weight 0, must not count).
# Weighted before/after: ER 2/1.5 (ratio 0.75), bed days 8/6 (0.75), specialist 4/4 (1).
COMPARISON = {
    "er_visits": ([4, 0, 50], [3, 0, 0]),
    "inpatient_days": ([4, 4, 100], [0, 4, 0]),
    "specialist_visits": ([2, 2, 9], [2, 2, 0]),
}
WEIGHTS = {"c1": 0.5, "c2": 1.5, "c3": 0.0}
UNIT_COSTS = pd.DataFrame(
    {
        "item": ["er_visit", "inpatient_day", "specialist_visit"],
        "cost_sek": [4000, 9000, 2000],
        "low_sek": [3000, 7000, 1000],
        "high_sek": [5000, 11000, 3000],
        "year": [2019, 2019, 2019],
        "source": ["test"] * 3,
    }
)
TEAM_COST = {"annual_cost_sek": 50_000.0, "basis": "team_costs", "source": "test"}


def windows(
    counts: dict, prefix: str, group: str, days_after: list[int] | None = None
) -> pd.DataFrame:
    n = len(next(iter(counts.values()))[0])
    frame = pd.DataFrame(
        {
            "patient_id": [f"{prefix}{i + 1}" for i in range(n)],
            "area_id": "a",
            "group": group,
            "included": True,
            "person_days_after": days_after or [W] * n,
        }
    )
    for measure, (before, after) in counts.items():
        frame[f"{measure}_before"] = before
        frame[f"{measure}_after"] = after
    frame["unplanned_readmissions_before"] = 0
    frame["unplanned_readmissions_after"] = 0
    return frame


def hand_use(comparison: dict | None = COMPARISON, weights=WEIGHTS, **kwargs) -> ce.CohortUse:
    return ce.cohort_use(
        windows(TEAM, "t", "HSVT"),
        W,
        enrolment_years=kwargs.pop("enrolment_years", 0.5),  # 4 patients → 8 a year
        comparison_windows=None if comparison is None else windows(comparison, "c", "comparison"),
        comparison_weights=weights,
        **kwargs,
    )


@pytest.fixture(scope="module")
def costs() -> dict:
    return ce.unit_costs(UNIT_COSTS)


def test_avoided_use_crude_and_adjusted_by_hand(costs):
    use = ce.avoided_use(hand_use())
    assert use["er_visits"]["avoided_crude"] == 2
    assert use["inpatient_days"]["comparison_ratio"] == pytest.approx(0.75)
    # expected after = before × ratio: ER 4 × 0.75 = 3, bed days 20 × 0.75 = 15, spec 4 × 1.
    assert use["er_visits"]["expected_after"] == pytest.approx(3)
    assert use["er_visits"]["avoided_adjusted"] == pytest.approx(1)
    assert use["inpatient_days"]["avoided_adjusted"] == pytest.approx(5)
    assert use["specialist_visits"]["avoided_adjusted"] == pytest.approx(2)
    assert use["inpatient_days"]["avoided_adjusted_per_year"] == pytest.approx(10)  # 5 / 4 × 8
    assert use["inpatient_days"]["change_vs_expected_pct"] == pytest.approx(-100 / 3)


def test_money_by_hand(costs):
    block = ce.group_costs(hand_use(), costs, TEAM_COST, population=200_000, n_draws=0)
    # Crude: 2 × 4000 + 10 × 9000 + 2 × 2000 = 102 000 for the cohort (4 patients).
    assert block["gross_savings_sek"] == 102_000
    # Adjusted: 1 × 4000 + 5 × 9000 + 2 × 2000 = 53 000.
    assert block["gross_savings_adjusted_sek"] == pytest.approx(53_000)
    # Annual = per patient × patients per year (4 / 0.5 = 8).
    assert block["patients_per_year"] == pytest.approx(8)
    assert block["annual_gross_savings_sek"] == pytest.approx(204_000)
    assert block["annual_gross_savings_adjusted_sek"] == pytest.approx(106_000)
    assert block["net_savings_sek"] == pytest.approx(56_000)
    assert block["return_per_krona"] == pytest.approx(2.12)
    assert block["avoided_bed_days_per_year"] == pytest.approx(10)
    assert block["cost_per_avoided_bed_day_sek"] == pytest.approx(5_000)
    assert block["break_even_patients_per_year"] == pytest.approx(50_000 / 13_250)
    assert block["per_100k"]["net_savings_sek"] == pytest.approx(28_000)
    assert block["per_100k"]["team_cost_sek"] == pytest.approx(25_000)
    assert block["basis"] == "adjusted"


def test_contract_gross_savings_agree_with_costs_module(costs):
    team = windows(TEAM, "t", "HSVT")
    measures = {
        m: {"before_total": team[f"{m}_before"].sum(), "after_total": team[f"{m}_after"].sum()}
        for m in TEAM
    }
    prices = {"er_visit": 4000.0, "inpatient_day": 9000.0, "specialist_visit": 2000.0}
    block = ce.group_costs(hand_use(None), costs, None, n_draws=0)
    assert block["gross_savings_sek"] == gross_savings(measures, prices)["gross_savings_sek"]
    assert block["basis"] == "crude" and block["net_savings_sek"] is None
    assert block["gross_savings_adjusted_sek"] is None


def test_crude_and_adjusted_agree_when_comparison_does_not_change(costs):
    flat = {m: (before, before) for m, (before, _) in COMPARISON.items()}
    block = ce.group_costs(hand_use(flat), costs, TEAM_COST, n_draws=0)
    assert block["gross_savings_adjusted_sek"] == pytest.approx(block["gross_savings_sek"])
    assert block["annual_gross_savings_adjusted_sek"] == pytest.approx(
        block["annual_gross_savings_sek"]
    )


def test_none_where_nothing_is_avoided(costs):
    worse = {m: (after, before) for m, (before, after) in TEAM.items()}  # use rises
    use = ce.cohort_use(windows(worse, "t", "HSVT"), W, patients_per_year=8)
    block = ce.group_costs(use, costs, TEAM_COST, n_draws=0)
    assert block["avoided_bed_days_per_year"] < 0
    assert block["cost_per_avoided_bed_day_sek"] is None
    assert block["break_even_patients_per_year"] is None
    assert block["return_per_krona"] < 0


def test_person_time_basis_does_not_count_deaths_as_savings():
    team = windows(TEAM, "t", "HSVT", days_after=[90, 180, 180, 180])  # one death
    comparison = windows(COMPARISON, "c", "comparison")
    use = ce.cohort_use(
        team, W, patients_per_year=8, comparison_windows=comparison, comparison_weights=WEIGHTS
    )
    sums = use.team.sum(axis=0)
    adjusted = ce.avoided(sums, use.comparison_weights @ use.comparison, "adjusted")
    per_day = ce.avoided(sums, use.comparison_weights @ use.comparison, "person_time")
    # Team days alive: 630 of 720, comparison all alive → expected × 0.875.
    assert per_day[1] == pytest.approx(15 * 0.875 - 10)
    assert per_day[1] < adjusted[1]


def test_annualisation_and_enrolment_years():
    # Index dates 2016-06-29 … 2019-07-04 give included patients: 1 102 days.
    years = ce.enrolment_years("2016-01-01", "2019-12-31", 180)
    assert years == pytest.approx(1102 / 365.25)
    assert ce.enrolment_years("2016-01-01", "2019-12-31", 365) == pytest.approx(732 / 365.25)
    use = hand_use(None, enrolment_years=years)
    block = ce.group_costs(use, ce.unit_costs(UNIT_COSTS), None, n_draws=0)
    assert block["patients_per_year"] == pytest.approx(4 / years)
    assert block["annual_gross_savings_sek"] == pytest.approx(102_000 / years)
    with pytest.raises(ValueError):
        ce.enrolment_years("2016-01-01", "2016-06-30", 180)


def test_price_indexing():
    index = pd.DataFrame({"year": [2019, 2020, 2022], "index": [100.0, 103.0, 112.0]})
    costs = ce.unit_costs(UNIT_COSTS, index)
    bed = costs["inpatient_day"]
    assert bed["price_year"] == 2022 and bed["index_factor"] == pytest.approx(1.12)
    assert (bed["cost_sek"], bed["low_sek"], bed["high_sek"]) == pytest.approx((10080, 7840, 12320))
    assert bed["nominal_cost_sek"] == 9000
    block = ce.group_costs(hand_use(), costs, TEAM_COST, n_draws=0)
    assert block["gross_savings_sek"] == 102_000  # the contract's figure stays nominal
    assert block["gross_savings_adjusted_sek"] == pytest.approx(53_000 * 1.12)
    assert block["price_year"] == 2022
    to_2020 = ce.unit_costs(UNIT_COSTS, index, price_year=2020)
    assert to_2020["er_visit"]["cost_sek"] == pytest.approx(4120)
    with pytest.raises(ValueError, match="price_index"):
        ce.unit_costs(UNIT_COSTS, index, price_year=2021)


def test_staffing_derived_team_cost_by_hand():
    hsvt = ce.team_cost("HSVT", "a", population=100_000)
    assert hsvt["annual_cost_sek"] == pytest.approx(5_600_000)  # 3,5 × 1,6 MSEK
    assert hsvt["basis"] == "staffing"
    assert hsvt["derivation"][0]["fte"] == pytest.approx(3.5)
    nsvt = ce.team_cost("NSVT", "a", population=100_000)
    assert nsvt["annual_cost_sek"] == pytest.approx(3_200_000)  # 1 × 1,6 + 2 × 0,8 MSEK
    assert [row["role"] for row in nsvt["derivation"]] == ["doctor", "nurse"]
    staffing = pd.DataFrame(
        {
            "group": ["HSVT", "HSVT"],
            "role": ["doctor", "nurse"],
            "fte_per_100k": [2.0, 4.0],
            "cost_per_fte_sek": [1_500_000, 700_000],
            "source": ["x", "y"],
        }
    )
    custom = ce.team_cost("HSVT", "a", population=50_000, staffing=staffing)
    assert custom["annual_cost_sek"] == pytest.approx(1 * 1_500_000 + 2 * 700_000)
    table = pd.DataFrame(
        {"area_id": ["a"], "group": ["HSVT"], "annual_cost_sek": [4_000_000], "source": ["s"]}
    )
    given = ce.team_cost("HSVT", "a", population=100_000, team_costs=table)
    assert (given["annual_cost_sek"], given["basis"]) == (4_000_000, "team_costs")
    assert ce.team_cost("NSVT", "a", team_costs=table) is None  # no row, no population


def poisson_windows(rng, n: int, means: dict, prefix: str, group: str) -> pd.DataFrame:
    counts = {m: (rng.poisson(b, n), rng.poisson(a, n)) for m, (b, a) in means.items()}
    return windows(counts, prefix, group)


# Mean use per patient and 180 days like the demo's NSVT patients (before, after).
NSVT_LIKE = {
    "er_visits": (1.4, 0.65),
    "inpatient_days": (19.4, 7.8),
    "specialist_visits": (2.1, 1.7),
}
COMPARISON_LIKE = {
    "er_visits": (1.4, 1.2),
    "inpatient_days": (19.0, 11.0),
    "specialist_visits": (2.0, 1.9),
}


def psa_use(n_team: int, replicate: int = 1) -> ce.CohortUse:
    rng = np.random.default_rng(1)
    team = poisson_windows(rng, n_team, NSVT_LIKE, "t", "NSVT")
    comparison = poisson_windows(rng, 3 * n_team, COMPARISON_LIKE, "c", "comparison")
    team = pd.concat(
        [team.assign(patient_id=team["patient_id"] + f"-{k}") for k in range(replicate)]
    )
    comparison = pd.concat(
        [comparison.assign(patient_id=comparison["patient_id"] + f"-{k}") for k in range(replicate)]
    )
    return ce.cohort_use(team, W, patients_per_year=30, comparison_windows=comparison)


def test_psa_interval_narrows_with_more_patients(costs):
    small = ce.group_costs(psa_use(60), costs, TEAM_COST, n_draws=1000)
    large = ce.group_costs(psa_use(60, replicate=4), costs, TEAM_COST, n_draws=1000)
    # Same point estimate, 4× the patients: the sampling part of the spread halves.
    assert large["net_savings_sek"] == pytest.approx(small["net_savings_sek"])
    width = {
        k: b["net_savings_ci"][1] - b["net_savings_ci"][0] for k, b in [("s", small), ("l", large)]
    }
    assert width["l"] < 0.65 * width["s"]
    assert small["net_savings_ci"][0] < small["net_savings_sek"] < small["net_savings_ci"][1]
    assert 0.0 <= small["prob_net_positive"] <= 1.0


def test_psa_is_reproducible_with_a_seed(costs):
    use = psa_use(40)
    first = ce.group_costs(use, costs, TEAM_COST, n_draws=300, seed=5, area_id="a", group="NSVT")
    again = ce.group_costs(use, costs, TEAM_COST, n_draws=300, seed=5, area_id="a", group="NSVT")
    other = ce.group_costs(use, costs, TEAM_COST, n_draws=300, seed=6, area_id="a", group="NSVT")
    assert first["net_savings_ci"] == again["net_savings_ci"]
    assert first["prob_net_positive"] == again["prob_net_positive"]
    np.testing.assert_array_equal(first.draws["net"], again.draws["net"])
    assert first["net_savings_ci"] != other["net_savings_ci"]


def test_pert_draws_stay_in_range_with_the_pert_mean():
    draws = ce.pert_draws(7800, 9300, 11000, 20_000, np.random.default_rng(0))
    assert draws.min() >= 7800 and draws.max() <= 11000
    assert draws.mean() == pytest.approx((7800 + 4 * 9300 + 11000) / 6, rel=0.005)
    assert np.all(ce.pert_draws(5, 5, 5, 3, np.random.default_rng(0)) == 5)


def test_tornado_rows_by_hand(costs):
    use = hand_use()
    table = ce.tornado(use, costs, 50_000)
    rows = {row["input"]: row for row in table["rows"]}
    assert table["base_net_savings_sek"] == pytest.approx(56_000)
    team = [s["net_savings_sek"] for s in rows["team_cost"]["settings"]]
    assert team == pytest.approx([56_000 + 12_500, 56_000 - 12_500])
    volume = [s["net_savings_sek"] for s in rows["patients_per_year"]["settings"]]
    assert volume == pytest.approx([106_000 * 0.75 - 50_000, 106_000 * 1.25 - 50_000])
    # Bed day at 7 000 / 11 000: 5 avoided × 8 / 4 = 10 bed days a year × ∓2 000.
    bed = [s["net_savings_sek"] for s in rows["inpatient_day"]["settings"]]
    assert bed == pytest.approx([56_000 - 20_000, 56_000 + 20_000])
    method = [s["net_savings_sek"] for s in rows["method"]["settings"]]
    assert method == pytest.approx([204_000 - 50_000, 56_000])
    # All comparison patients unweighted (c3 included): ratios 3/54, 4/108, 4/13.
    everyone = 2 * (4000 * (4 * 3 / 54 - 2) + 9000 * (20 * 4 / 108 - 10) + 2000 * (16 / 13 - 2))
    comparison = [s["net_savings_sek"] for s in rows["comparison"]["settings"]]
    assert comparison == pytest.approx([56_000, everyone - 50_000])
    swings = [row["swing_sek"] for row in table["rows"]]
    assert swings == sorted(swings, reverse=True)


def test_window_rows_when_the_caller_passes_windows(costs):
    use = hand_use()
    shorter = hand_use(enrolment_years=0.25)  # same cohort, twice the patients a year
    table = ce.tornado(use, costs, 50_000, windows={90: shorter})
    row = next(r for r in table["rows"] if r["input"] == "window_days")
    assert [s["label"] for s in row["settings"]] == ["90 dagar", "180 dagar"]
    assert row["settings"][0]["net_savings_sek"] == pytest.approx(212_000 - 50_000)


def test_region_sums_blocks_and_draws(costs):
    blocks = {}
    for area, n in (("a", 40), ("b", 80)):
        use = psa_use(n)
        block = ce.group_costs(
            use, costs, TEAM_COST, population=100_000, area_id=area, group="NSVT", n_draws=400
        )
        blocks[area] = {"NSVT": block}
    region = ce.region_costs(blocks)
    a, b = blocks["a"]["NSVT"], blocks["b"]["NSVT"]
    total = region["NSVT"]
    assert total["net_savings_sek"] == pytest.approx(a["net_savings_sek"] + b["net_savings_sek"])
    assert total["team_cost_sek"] == pytest.approx(100_000)
    assert total["per_100k"]["population"] == 200_000
    assert total["return_per_krona"] == pytest.approx(
        total["annual_gross_savings_adjusted_sek"] / total["team_cost_sek"]
    )
    summed = a.draws["net"] + b.draws["net"]
    assert total["net_savings_ci"] == pytest.approx(
        [np.percentile(summed, 2.5), np.percentile(summed, 97.5)]
    )
    assert region["total"]["net_savings_sek"] == pytest.approx(total["net_savings_sek"])
    base = sum(x["tornado"]["base_net_savings_sek"] for x in (a, b))
    assert total["tornado"]["base_net_savings_sek"] == pytest.approx(base)
    json.dumps(region)  # plain data; draws are not part of it
    plain = ce.region_costs({k: {g: dict(v) for g, v in g_.items()} for k, g_ in blocks.items()})
    assert plain["NSVT"]["net_savings_ci"] is None  # no draws, no made-up interval


def test_blocks_are_plain_json(costs):
    block = ce.group_costs(hand_use(), costs, TEAM_COST, n_draws=50)
    text = json.dumps(block)
    assert "draws" not in json.loads(text)
    assert json.loads(text)["net_savings_sek"] == pytest.approx(56_000)


def test_cost_paragraph_is_swedish(costs):
    use = psa_use(60)
    block = ce.group_costs(use, costs, {"annual_cost_sek": 4_200_000}, n_draws=300)
    text = ce.cost_paragraph(block, "Södra Älvsborg", "NSVT")
    assert text.startswith("Närsjukvårdsteamen (NSVT) i Södra Älvsborg kostar omkring 4,2")
    assert "mnkr" in text and "95" in text and "sannolikheten" in text
    assert block["tornado"]["rows"][0]["label"].lower() in text
    assert "%" in text and "färre vårddagar" in text
    crude = ce.group_costs(hand_use(None), costs, None, n_draws=0)
    crude_text = ce.cost_paragraph(crude, "Exempelby", "HSVT")
    assert "saknas" in crude_text and "utan jämförelsegrupp" in crude_text


def test_tornado_chart_draws_a_bar_per_input(costs):
    table = ce.tornado(hand_use(), costs, 50_000)
    fig = tornado_chart(table, "Test")
    ax = fig.axes[0]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert len(labels) == len(table["rows"]) and "Kostnad per vårddag" in labels
    assert "," in ax.xaxis.get_major_formatter()(0.5, 0)
    plt.close(fig)


def test_skr_sodra_alvsborg_order_of_magnitude(costs):
    """SKR: three NSVT teams in Södra Älvsborg, ~90 patients, 16–24 MSEK a year less
    hospital use and 8–16 MSEK net, so running costs of about 8 MSEK (docs/costs.md)."""
    team = ce.team_cost("NSVT", "sodra-alvsborg", population=229_232)
    assert team["annual_cost_sek"] == pytest.approx(7_335_000, rel=0.001)
    assert 0.8 * 8e6 < team["annual_cost_sek"] < 1.2 * 8e6
    rng = np.random.default_rng(3)
    cohort = poisson_windows(rng, 90, NSVT_LIKE, "t", "NSVT")
    use = ce.cohort_use(cohort, W, patients_per_year=90)
    block = ce.group_costs(use, costs, team, n_draws=0)
    # One 180-day window per patient gives about half of SKR's yearly figure.
    assert 5e6 < block["annual_gross_savings_sek"] < 24e6
    assert block["annual_gross_savings_sek"] > 0.3 * 16e6
