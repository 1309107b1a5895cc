"""Complementary suppression, one relation at a time (docs/disclosure.md, "Relations").

Each test is a small table where one count below N = 5 is hidden and, without a second
hidden cell, adding or subtracting the published numbers would give it back. The numbers
are those the review of the rendered demo found (alingsås-lerum, göteborgsområdet, simba).
"""

from __future__ import annotations

import copy

from disclosure_audit import area_leaks
from narvard.report.cost_text import tornado_shown
from narvard.stats.disclosure import PRIVATE, declare, suppress_results
from narvard.stats.disclosure.complementary import protect

N = 5


def consumption(n: int, excluded: int = 10, measures: dict | None = None, **more) -> dict:
    return {
        "n_patients": n,
        "n_excluded": excluded,
        "deaths_after": 9,
        "measures": measures or {},
    } | more


def totals(before: int, after: int, n: int) -> dict:
    return {
        "before_total": before,
        "after_total": after,
        "before_mean": before / n,
        "after_mean": after / n,
        "change_pct": 100 * (after - before) / before,
    }


def level(n: int, before: int | None = None, after: int | None = None) -> dict:
    """A subgroup level: n patients, and ER visits before/after given as means."""
    measures = {}
    if before is not None:
        measures["er_visits"] = {
            "before_mean": before / n,
            "after_mean": after / n,
            "change_pct": 100 * (after - before) / before,
            "rate_ratio": after / before,
            "rate_ratio_ci": [0.5, 2.0],
        }
    return {"n_patients": n, "measures": measures}


# --------------------------------------------------------------------- enrolment


def nsvt_profile() -> dict:
    """alingsås-lerum NSVT: 24 enrolled, 23 included, 1 excluded; age and sex are of the
    23 included (the subgroup table's patients)."""
    return {
        "groups": {
            "NSVT": {
                "n_enrolled": 24,
                "n_included": 23,
                "mean_age": 84.0,
                "n_women": 14,
                "share_women": 14 / 23,
                "age_bands": {"<75": 6, "75–84": 8, "85+": 9},
                "per_year": {"2017": 8, "2018": 16},
            }
        },
        "coverage": {
            "NSVT": {"patients_reached": 24, "expected_target_group": 80.0, "coverage": 0.3}
        },
    }


def test_excluded_is_not_enrolled_minus_included():
    results = {
        "exclusions": {"NSVT": {"after_window_outside_extract": 1}},
        "consumption": {"NSVT": consumption(23, excluded=1)},
        "profile": nsvt_profile(),
    }
    out = suppress_results(results, N)
    group = out["profile"]["groups"]["NSVT"]
    assert out["consumption"]["NSVT"]["n_excluded"] is None
    assert out["exclusions"]["NSVT"]["after_window_outside_extract"] is None
    # 24 − 23 would give the 1 excluded patient: the enrolled are hidden, and with them
    # the coverage ...
    assert group["n_enrolled"] is None
    assert out["profile"]["coverage"]["NSVT"]["patients_reached"] is None
    # ... and then the index years would add up to the enrolled: the smallest is hidden.
    assert group["per_year"] == {"2017": None, "2018": 16}
    # Age and sex describe the 23 included, who stay published: nothing hides them.
    assert group["age_bands"] == {"<75": 6, "75–84": 8, "85+": 9}
    assert (group["n_included"], group["n_women"], group["mean_age"]) == (23, 14, 84.0)
    assert out["consumption"]["NSVT"]["n_patients"] == 23


def test_complementary_suppression_cascades_to_a_fixed_point():
    """One hidden count, two relations: excluded → enrolled → index year."""
    results = {
        "consumption": {"NSVT": consumption(23, excluded=1)},
        "profile": nsvt_profile(),
    }
    shown = copy.deepcopy(results)
    complements = protect(shown, declare(results), N)
    assert complements == [
        "profile/groups/NSVT/n_enrolled",  # enrolled = included + excluded
        "profile/groups/NSVT/per_year/2017",  # enrolled = Σ index years
    ]


def test_one_small_exclusion_reason_hides_the_other():
    results = {
        "exclusions": {
            "HSVT": {"before_window_outside_extract": 2, "after_window_outside_extract": 5}
        },
        "consumption": {"HSVT": consumption(100, excluded=7)},
    }
    out = suppress_results(results, N)
    # 7 − 5 would give the 2: both reasons are hidden, the total of 7 stays.
    assert out["exclusions"]["HSVT"] == {
        "before_window_outside_extract": None,
        "after_window_outside_extract": None,
    }
    assert out["consumption"]["HSVT"]["n_excluded"] == 7


def test_few_men_hide_the_number_of_women():
    profile = nsvt_profile()
    profile["groups"]["NSVT"]["n_women"] = 20
    profile["groups"]["NSVT"]["share_women"] = 20 / 23
    results = {"consumption": {"NSVT": consumption(23, excluded=1)}, "profile": profile}
    group = suppress_results(results, N)["profile"]["groups"]["NSVT"]
    assert group["n_women"] is None and group["share_women"] is None  # 23 − 20 = 3 men


# --------------------------------------------------------------------- subgroups


def test_a_small_kommun_hides_the_next_smallest():
    """göteborgsområdet NSVT: Öckerö 4 = 173 − the other four kommuner."""
    levels = {"Göteborg": 132, "Härryda": 10, "Mölndal": 21, "Partille": 6, "Öckerö": 4}
    block = consumption(173, subgroups={"kommun": {k: level(n) for k, n in levels.items()}})
    out = suppress_results({"consumption": {"NSVT": block}}, N)
    sizes = {
        k: v["n_patients"] for k, v in out["consumption"]["NSVT"]["subgroups"]["kommun"].items()
    }
    assert sizes == {
        "Göteborg": 132,
        "Härryda": 10,
        "Mölndal": 21,
        "Partille": None,
        "Öckerö": None,
    }


def test_two_small_hidden_levels_whose_sum_is_small_hide_a_third():
    """Öckerö 1 and Tjörn 1 hidden, the others shown: 173 − the rest = 2 tells that both
    hidden kommuner have one patient. The next smallest level goes too (2 + 6 = 8)."""
    levels = {"Göteborg": 132, "Härryda": 13, "Mölndal": 21, "Partille": 6}
    levels |= {"Öckerö": 1, "Tjörn": 1}
    block = consumption(174, subgroups={"kommun": {k: level(n) for k, n in levels.items()}})
    out = suppress_results({"consumption": {"NSVT": block}}, N)
    sizes = {
        k: v["n_patients"] for k, v in out["consumption"]["NSVT"]["subgroups"]["kommun"].items()
    }
    assert sizes == {
        "Göteborg": 132,
        "Härryda": 13,
        "Mölndal": 21,
        "Partille": None,
        "Öckerö": None,
        "Tjörn": None,
    }


def test_a_small_implied_event_count_hides_another_levels_mean():
    """simba NSVT by sex: the men's mean ER visits × 18 men = 3 visits = 20 − 17."""
    er = {"er_visits": totals(20, 11, 36)}
    sexes = {"F": level(18, before=17, after=8), "M": level(18, before=3, after=3)}
    block = consumption(36, measures=er, subgroups={"sex": sexes})
    out = suppress_results({"consumption": {"NSVT": block}}, N)
    sex = out["consumption"]["NSVT"]["subgroups"]["sex"]
    for name in ("F", "M"):
        measure = sex[name]["measures"]["er_visits"]
        assert measure["before_mean"] is None and measure["after_mean"] is None, name
        assert measure["change_pct"] is None and measure["rate_ratio"] is None, name
        assert sex[name]["n_patients"] == 18
    assert out["consumption"]["NSVT"]["measures"]["er_visits"]["before_total"] == 20


def test_a_shorter_window_with_a_few_more_patients_is_hidden():
    """162 patients at 90 days, 158 at 180: the 4 more would be counted by subtraction."""
    windows = {
        days: {"n_patients": n, "measures": {"er_visits": {"before_mean": 0.5, "after_mean": 0.5}}}
        for days, n in (("90", 162), ("180", 158), ("365", 113))
    }
    er = {"er_visits": totals(79, 79, 158)}
    block = consumption(158, measures=er, sensitivity=windows)
    out = suppress_results({"window_days": 180, "consumption": {"HSVT": block}}, N)
    shown = {d: w["n_patients"] for d, w in out["consumption"]["HSVT"]["sensitivity"].items()}
    assert shown == {"90": None, "180": 158, "365": 113}


def test_person_days_do_not_give_away_that_nobody_died():
    """20 patients × 180 days = 3 600 person-days exactly when none of them died."""
    er = totals(30, 12, 20) | {"rate_after_per_180d": 0.6, "rate_ratio": 0.4}

    def shown(deaths: int, days: int) -> dict:
        block = consumption(20, measures={"er_visits": er}, person_days_after=days)
        block["deaths_after"] = deaths
        results = {"window_days": 180, "consumption": {"HSVT": block}}
        return suppress_results(results, N)["consumption"]["HSVT"]

    nobody = shown(0, 3600)
    assert nobody["deaths_after"] is None and nobody["person_days_after"] is None
    assert nobody["measures"]["er_visits"]["rate_after_per_180d"] is None  # 12 / rate
    assert nobody["measures"]["er_visits"]["after_total"] == 12
    two = shown(2, 3500)  # how many died cannot be told from 100 lost days
    assert two["deaths_after"] is None and two["person_days_after"] == 3500


# --------------------------------------------------------------------- adjusted estimate


def adjusted_area(n_team: int, er_after: int = 15) -> dict:
    """alingsås-lerum NSVT: 23 included patients with 37 ER visits before and 15 after, of
    whom n_team are in the adjusted estimate. The cost-effect applies the estimate's rate
    ratio to all 23 and their totals (docs/costs.md §2)."""
    did = {"rate_ratio": 0.9, "ci": [0.5, 1.5], "n_team": n_team, "n_comparison": 2879}
    use = {
        "n_patients": 23,
        "rate_ratio": 0.9,
        "ci": [0.5, 1.5],
        "change_vs_expected_pct": -10.0,
        "before_total": 37,
        "after_total": er_after,
        "expected_after": er_after / 0.9,
        "avoided": er_after / 0.9 - er_after,
        "avoided_per_year": 1.0,
        "avoided_crude": 37 - er_after,
        "avoided_crude_per_year": 5.0,
    }
    money = {"annual_gross_savings_adjusted_sek": 4000.0, "net_savings_sek": -100.0}
    costs = {"n_patients": 23, "patients_per_year": 7.6, "avoided_use": {"er_visits": use}}
    measures = {"er_visits": totals(37, er_after, 23)}
    block = consumption(23, measures=measures, did={"er_visits": did})
    return {"consumption": {"NSVT": block}, "costs": {"NSVT": costs | money}}


def test_one_patient_outside_the_adjusted_estimate_hides_its_size_not_the_money():
    """23 included, 22 in the adjusted estimate: 23 − 22 = 1 patient, so the estimate's
    size goes. The money rests on the 23 and their totals, never on the 22: it stays."""
    out = suppress_results(adjusted_area(22), N)
    block, cost = out["consumption"]["NSVT"], out["costs"]["NSVT"]
    assert block["did"]["er_visits"]["n_team"] is None
    assert block["did"]["er_visits"]["rate_ratio"] == 0.9
    use = cost["avoided_use"]["er_visits"]
    assert (cost["n_patients"], use["n_patients"]) == (23, 23)
    assert (use["before_total"], use["after_total"], use["avoided_crude"]) == (37, 15, 22)
    assert cost["annual_gross_savings_adjusted_sek"] == 4000.0
    assert cost["net_savings_sek"] == -100.0
    assert (block["n_patients"], block["measures"]["er_visits"]["before_total"]) == (23, 37)


def test_the_money_goes_with_a_small_costed_total():
    """3 ER visits after: hidden in the group's table and in the cost block, which repeats
    it, and the money, which is linear in it (after × (1/RR − 1) × cost / years)."""
    out = suppress_results(adjusted_area(23, er_after=3), N)
    block, cost = out["consumption"]["NSVT"], out["costs"]["NSVT"]
    use = cost["avoided_use"]["er_visits"]
    assert block["measures"]["er_visits"]["after_total"] is None
    assert use["after_total"] is None and use["expected_after"] is None
    assert use["avoided"] is None and use["avoided_crude"] is None
    assert cost["annual_gross_savings_adjusted_sek"] is None and cost["net_savings_sek"] is None
    assert cost["n_patients"] == 23


def test_an_estimate_on_few_patients_takes_its_rate_ratio_out_of_the_money():
    """4 of the 23 in the adjusted estimate: the estimate is hidden whole, and its rate
    ratio must not come back through the cost block's copy or the money built on it."""
    out = suppress_results(adjusted_area(4), N)
    block, cost = out["consumption"]["NSVT"], out["costs"]["NSVT"]
    use = cost["avoided_use"]["er_visits"]
    assert block["did"]["er_visits"]["rate_ratio"] is None
    assert use["rate_ratio"] is None and use["ci"] is None and use["avoided"] is None
    assert use["change_vs_expected_pct"] is None
    assert cost["annual_gross_savings_adjusted_sek"] is None and cost["net_savings_sek"] is None
    # the included patients and their totals are not about the estimate: they stay
    assert (cost["n_patients"], use["before_total"], use["after_total"]) == (23, 37, 15)


def test_nobody_outside_the_adjusted_estimate_hides_nothing():
    """A zero that only says two sets of patients coincide is not hidden."""
    out = suppress_results(adjusted_area(23), N)
    cost = out["costs"]["NSVT"]
    assert out["consumption"]["NSVT"]["did"]["er_visits"]["n_team"] == 23
    assert cost["avoided_use"]["er_visits"]["after_total"] == 15
    assert cost["annual_gross_savings_adjusted_sek"] == 4000.0


def test_contract_savings_do_not_give_back_a_small_after_total():
    """avoided = before − after: with 3 specialist visits after, 12 − 3 = 9 would give it."""
    measures = {"er_visits": totals(40, 25, 30), "specialist_visits": totals(12, 3, 30)}
    items = {
        "er_visit": {"avoided": 15, "cost_sek": 4000.0, "savings_sek": 60000.0},
        "specialist_visit": {"avoided": 9, "cost_sek": 4500.0, "savings_sek": 40500.0},
    }
    results = {
        "consumption": {"HSVT": consumption(30, measures=measures)},
        "costs": {"HSVT": {"gross_savings_sek": 100500.0, "items": items}},
    }
    out = suppress_results(results, N)
    cost = out["costs"]["HSVT"]
    assert cost["items"]["specialist_visit"] == {
        "avoided": None,
        "cost_sek": 4500.0,
        "savings_sek": None,
    }
    assert cost["gross_savings_sek"] is None  # 100 500 − 60 000 = 4 500 × 9
    assert cost["items"]["er_visit"]["avoided"] == 15


# --------------------------------------------------------------------- surveys


def item(n: int, positive: int) -> dict:
    return {"n": n, "positive": positive, "share_positive": positive / n, "ci": [0.1, 0.9]}


def missing(respondents: int, answered: int, no_opinion: int = 0) -> dict:
    return {
        "respondents": respondents,
        "answered": answered,
        "missing": respondents - answered,
        "no_opinion": no_opinion,
    }


def survey(groups: dict, items: dict, missing_rows: dict | None = None, **more) -> dict:
    block = {
        "respondents": sum(groups.values()),
        "invited": 2 * sum(groups.values()),
        "response_rate": 0.5,
        "groups": {
            g: {"respondents": n, "invited": 2 * n, "response_rate": 0.5} for g, n in groups.items()
        },
        "questions": {q: {"text": q, "scale": "agree5", "order": 1} for q in items},
        "items": items,
        "missing": missing_rows or {},
    }
    return block | more


def test_a_small_respondent_group_is_hidden_everywhere_it_is_repeated():
    """alingsås-lerum managers: 2 kommun respondents = 9 − 7 in the missing-answers table."""
    rows = {"kommun": missing(2, 2), "vårdcentral": missing(7, 7, 1), "all": missing(9, 9, 1)}
    s = survey({"kommun": 2, "vårdcentral": 7}, {"m1": {"all": item(8, 6)}}, {"m1": rows})
    out = suppress_results({"surveys": {"managers": s}}, N)["surveys"]["managers"]
    assert out["groups"]["kommun"]["respondents"] is None
    assert out["groups"]["vårdcentral"]["respondents"] is None  # 9 − 7 = 2
    assert out["missing"]["m1"]["kommun"]["respondents"] is None
    assert out["missing"]["m1"]["vårdcentral"]["respondents"] is None
    assert out["respondents"] == 9 and out["missing"]["m1"]["all"]["respondents"] == 9


def test_few_answers_other_than_positive_hide_the_positive_count():
    """staff s1: 10 of 12 positive, so 12 − 10 = 2 answered otherwise."""
    s = survey({"kommun": 11, "vårdcentral": 2}, {"s1": {"all": item(12, 10)}})
    cell = suppress_results({"surveys": {"staff": s}}, N)["surveys"]["staff"]["items"]["s1"]["all"]
    assert cell == {"n": 12, "positive": None, "share_positive": None, "ci": None}


def test_a_small_group_of_an_item_hides_another_group():
    cells = {"HSVT": item(3, 2), "NSVT": item(12, 6), "KOMB": item(15, 7), "all": item(30, 15)}
    s = survey({"HSVT": 3, "NSVT": 12, "KOMB": 15}, {"q1": cells})
    out = suppress_results({"surveys": {"patient": s}}, N)["surveys"]["patient"]["items"]["q1"]
    assert out["HSVT"]["n"] is None and out["NSVT"]["n"] is None  # 30 − 15 − 12 = 3
    assert out["KOMB"]["n"] == 15 and out["all"] == item(30, 15)


def test_no_opinion_is_not_answered_minus_answers():
    """20 answered, 19 substantive answers: 1 "Ingen uppfattning" (an answer, protected).
    Answered and missing go with it; missing answers themselves are not protected."""
    rows = {"all": missing(22, 20, 1)}
    s = survey({"kommun": 22}, {"m1": {"all": item(19, 10)}}, {"m1": rows})
    out = suppress_results({"surveys": {"managers": s}}, N)["surveys"]["managers"]
    assert out["missing"]["m1"]["all"] == {
        "respondents": 22,
        "answered": None,  # 19 + no opinion
        "missing": None,  # 22 − answered
        "no_opinion": None,
    }
    frequency = survey(
        {"HSVT": 22}, {"q1": {"all": item(20, 10)}}, {"q1": {"all": missing(22, 20)}}
    )
    frequency["questions"]["q1"]["scale"] = "frequency5"  # no "no opinion" answer
    out = suppress_results({"surveys": {"patient": frequency}}, N)["surveys"]["patient"]
    assert out["missing"]["q1"]["all"] == missing(22, 20)  # 2 missing = 22 − 20 anyway


def distribution_survey(counts: dict) -> dict:
    answered = sum(counts.values())
    substantive = answered - counts["Ingen uppfattning"]
    positive = counts["Stämmer ganska bra"] + counts["Stämmer helt"]
    s = survey(
        {"kommun": answered},
        {"s1": {"all": item(substantive, positive)}},
        {"s1": {"all": missing(answered, answered, counts["Ingen uppfattning"])}},
    )
    s["distribution"] = {"s1": {label: n / answered for label, n in counts.items()}}
    return s


def test_an_answer_distribution_is_published_only_when_every_label_has_n_answers():
    """Shares × answered give a count per label (staff s1: 0, 0, 2, 7, 3, 0)."""
    small = dict(zip(AGREE, (0, 0, 2, 7, 3, 0), strict=True))
    out = suppress_results({"surveys": {"staff": distribution_survey(small)}}, N)
    assert out["surveys"]["staff"]["distribution"]["s1"] is None
    large = dict(zip(AGREE, (5, 6, 8, 12, 9, 5), strict=True))
    out = suppress_results({"surveys": {"staff": distribution_survey(large)}}, N)
    assert out["surveys"]["staff"]["distribution"]["s1"] == {k: n / 45 for k, n in large.items()}


AGREE = (
    "Stämmer inte alls",
    "Stämmer ganska dåligt",
    "Neutral",
    "Stämmer ganska bra",
    "Stämmer helt",
    "Ingen uppfattning",
)


# --------------------------------------------------------------------- across reports


def region_results(included_here: int, outside_there: int) -> dict:
    """Two areas' NSVT patients behind the region's cost block (22 + 30 = 52 included);
    the other area has 30 in its adjusted estimate."""
    part = {"totals": {"er_visits": {"before": 40.0, "after": 20.0}}}
    parts = {
        "here": part | {"included": included_here, "adjusted": min(included_here, 22)},
        "there": part | {"included": 30 + outside_there, "adjusted": 30},
    }
    region = {
        "n_patients": 52,
        "patients_per_year": 20.0,
        "avoided_use": {"er_visits": {"n_patients": 52, "before_total": 80.0, "after_total": 40.0}},
        "annual_gross_savings_adjusted_sek": 1e6,
        "net_savings_sek": -1e6,
    }
    effects = {"NSVT": {"er_visits": {"rate_ratio": 0.8, "n_team": 52, "n_comparison": 2879}}}
    return {
        "window_days": 180,
        "costs": {"region": {"NSVT": region}},
        "region_effects": effects,
        PRIVATE: {"region": {"NSVT": parts}},
    }


def test_a_region_sum_is_hidden_when_one_area_hides_its_part():
    """The other area's report hides its 30 in the adjusted estimate (1 patient outside):
    52 − 22 would give it back, so the region's estimate size is hidden in every report;
    the money rests on the areas' included patients, which both publish."""
    out = suppress_results(region_results(22, 1), N)
    region = out["costs"]["region"]["NSVT"]
    assert out["region_effects"]["NSVT"]["er_visits"]["n_team"] is None
    assert region["annual_gross_savings_adjusted_sek"] == 1e6
    assert PRIVATE not in out
    # an area with 3 included NSVT patients hides them, and its totals: the region's
    # patients, totals and money go
    out = suppress_results(region_results(3, 0), N)
    region = out["costs"]["region"]["NSVT"]
    assert region["n_patients"] is None and region["net_savings_sek"] is None
    assert region["avoided_use"]["er_visits"]["before_total"] is None
    kept = suppress_results(region_results(22, 0), N)["costs"]["region"]["NSVT"]
    assert kept["n_patients"] == 52 and kept["avoided_use"]["er_visits"]["before_total"] == 80.0


def test_the_comparison_pool_does_not_count_patients_without_history():
    """The estimates' 100 comparison patients (in every report) against the areas' 60 + 42
    comparison patients: 2 without enough history would be counted by subtraction."""

    def shown(there: int) -> int | None:
        did = {"rate_ratio": 0.9, "n_team": 30, "n_comparison": 100}
        block = consumption(30, measures={}, did={"er_visits": did})
        pool = {"pool": 100, "included": {"here": 60, "there": there}}
        results = {"consumption": {"HSVT": block}, PRIVATE: {"region": {"comparison_pool": pool}}}
        out = suppress_results(results, N)
        return out["consumption"]["HSVT"]["did"]["er_visits"]["n_comparison"]

    assert shown(42) is None
    assert shown(40) == 100  # the same patients: nothing to subtract


def area_vs_rest(other: dict) -> dict:
    comparison = {
        "question_id": "m1",
        "groups": ["area", "rest_of_region"],
        "n": [20, 30],
        "shares": [0.5, 0.5],
        "difference": 0.0,
        "ci": [-0.2, 0.2],
        "p_value": 1.0,
        "p_holm": 1.0,
        PRIVATE: {"other": other},
    }
    return survey({"kommun": 20}, {"m1": {"all": item(20, 10)}}, area_vs_rest=[comparison])


def test_the_rest_of_the_region_follows_what_the_other_areas_hide():
    def compared(other: dict, min_cell: int = N) -> dict:
        results = {"surveys": {"managers": area_vs_rest(other)}}
        return suppress_results(results, min_cell)["surveys"]["managers"]["area_vs_rest"][0]

    assert compared({"n": 30, "positive": 15})["shares"] == [0.5, 0.5]
    hidden_share = compared({"n": 30, "positive": 28})  # 30 − 28 = 2 answered otherwise
    assert hidden_share["shares"] is None and hidden_share["n"] == [20, 30]
    assert compared({"n": 3, "positive": 1})["n"] is None
    assert PRIVATE not in compared({"n": 3, "positive": 1}, min_cell=0)


def over_time(unit: str, sizes: dict[str, int]) -> dict:
    """Periods of index date, each with its enrolled all in the estimate (n_team = n)."""
    periods = [
        {"period": p, "n_enrolled": n, "n_team": n, "n_comparison": 40, "measures": {}}
        for p, n in sizes.items()
    ]
    return {"unit": unit, "periods": periods}


def test_half_years_hidden_together_are_not_a_small_count():
    """göteborgsområdet HSVT: the estimate has 918 patients and the shown half-years add
    up to 916, so the two hidden ones (1 each) are known together: a third goes."""
    sizes = {"2016H2": 1, "2017H1": 300, "2017H2": 250, "2018H1": 366, "2019H2": 1}
    did = {"inpatient_days": {"n_team": 918, "n_comparison": 400, "rate_ratio": 0.8}}
    block = consumption(918, excluded=0, did=did, over_time=over_time("half_year", sizes))
    out = suppress_results({"consumption": {"HSVT": block}}, N)
    shown = [p["n_team"] for p in out["consumption"]["HSVT"]["over_time"]["periods"]]
    assert shown == [None, 300, None, 366, None]  # 918 − 666 = 252: no small sum left
    assert out["consumption"]["HSVT"]["did"]["inpatient_days"]["n_team"] == 918


def test_a_years_enrolled_are_hidden_in_both_tables_or_neither():
    """alingsås-lerum NSVT: 2017 was '7' in section A's table of enrolled per year and '–'
    in the effect per year (hidden there to protect 2016's 3)."""
    per_year = {"2016": 3, "2017": 7, "2018": 7, "2019": 9}
    profile = nsvt_profile()
    profile["groups"]["NSVT"] |= {"n_enrolled": 26, "n_included": 26, "per_year": per_year}
    profile["groups"]["NSVT"]["age_bands"] = {"<75": 6, "75–84": 11, "85+": 9}
    profile["groups"]["NSVT"]["share_women"] = 14 / 26
    profile["coverage"]["NSVT"]["patients_reached"] = 26
    block = consumption(26, excluded=0, over_time=over_time("year", per_year))
    results = {"consumption": {"NSVT": block}, "profile": profile}
    assert declare(results).mismatches == []
    out = suppress_results(results, N)
    shown = out["profile"]["groups"]["NSVT"]["per_year"]
    effect = {
        p["period"]: p["n_enrolled"] for p in out["consumption"]["NSVT"]["over_time"]["periods"]
    }
    assert shown == effect
    assert shown["2016"] is None and area_leaks(results, out, N) == []
    # nobody excluded: the enrolled are the included, and 26 − 7 − 7 − 9 would give the 3,
    # so one more year goes, not the enrolled total
    assert out["profile"]["groups"]["NSVT"]["n_enrolled"] == 26
    assert sum(v is None for v in shown.values()) == 2


def test_a_group_hidden_whole_keeps_section_a_years():
    """A team that started late: 30 enrolled but 3 included, so its consumption block (with
    the effect per year) is hidden whole; its 12 and 18 enrolled per year stay."""
    from narvard.stats.disclosure.primary import apply_consequences

    periods = [{"period": y, "n_enrolled": None, "n_team": None} for y in ("2017", "2018")]
    block = {"n_patients": None, "over_time": {"unit": "year", "periods": periods}}
    results = {
        "consumption": {"NSVT": block},
        "profile": {"groups": {"NSVT": {"per_year": {"2017": 12, "2018": 18}}}},
    }
    apply_consequences(results, N)
    assert results["profile"]["groups"]["NSVT"]["per_year"] == {"2017": 12, "2018": 18}


def test_a_total_without_both_groups_is_hidden():
    from narvard.stats.disclosure.costs import protect_area_total

    costs = {"HSVT": {"net_savings_sek": -2e6, "n_patients": 150, "team_cost_sek": 2e6}}
    costs["total"] = {"net_savings_sek": -3e6, "n_patients": 160, "team_cost_sek": 4e6}
    protect_area_total({"costs": costs})
    assert costs["total"] == dict.fromkeys(("net_savings_sek", "n_patients", "team_cost_sek"))


def test_a_hidden_region_estimate_takes_its_rate_ratio_out_of_the_regions_money():
    """The region's estimate on 4 comparison patients is hidden whole; the region's cost
    block repeats its rate ratio and builds its money on it: both go too."""
    results = region_results(22, 0)
    results["region_effects"]["NSVT"]["er_visits"]["n_comparison"] = 4
    entry = results["costs"]["region"]["NSVT"]["avoided_use"]["er_visits"]
    entry |= {"rate_ratio": 0.8, "ci": [0.6, 1.1], "avoided": 10.0}
    results["costs"]["region"]["total"] = {"net_savings_sek": -2e6}
    out = suppress_results(results, N)
    region = out["costs"]["region"]["NSVT"]
    assert out["region_effects"]["NSVT"]["er_visits"]["rate_ratio"] is None
    use = region["avoided_use"]["er_visits"]
    assert use["rate_ratio"] is None and use["ci"] is None and use["avoided"] is None
    assert region["net_savings_sek"] is None and region["annual_gross_savings_adjusted_sek"] is None
    assert out["costs"]["region"]["total"]["net_savings_sek"] is None
    assert region["n_patients"] == 52 and use["before_total"] == 80.0


def test_a_small_before_total_takes_only_the_crude_figures():
    """3 ER visits before: hidden with the crude differences built on it; the adjusted
    money is after × (1/RR − 1), which does not contain it, and stays."""
    area = adjusted_area(23)
    area["consumption"]["NSVT"]["measures"]["er_visits"] = totals(3, 15, 23)
    cost = area["costs"]["NSVT"]
    cost["avoided_use"]["er_visits"] |= {"before_total": 3, "avoided_crude": -12}
    crude = [
        {"kind": "method", "value": v, "net_savings_sek": n}
        for v, n in (("adjusted", -100.0), ("crude", -50.0))
    ]
    row = {"input": "method", "low_sek": -100.0, "high_sek": -50.0, "settings": crude}
    tornado = {"base_net_savings_sek": -100.0, "rows": [row]}
    cost |= {"annual_gross_savings_crude_sek": -1000.0, "tornado": tornado}
    out = suppress_results(area, N)
    cost = out["costs"]["NSVT"]
    assert cost["avoided_use"]["er_visits"]["before_total"] is None
    assert cost["annual_gross_savings_crude_sek"] is None
    assert not tornado_shown(cost)  # its crude row gives the before total back
    assert cost["net_savings_sek"] == -100.0
    assert cost["annual_gross_savings_adjusted_sek"] == 4000.0


def test_a_tornado_setting_on_a_hidden_estimate_goes():
    """The 90-day window's estimate and the other comparison's are hidden in the report:
    their nets leave the tornado, and the window row is redrawn from 180 and 365 days."""
    area = adjusted_area(23)
    block = area["consumption"]["NSVT"]
    block["did_other"] = {"er_visits": {"rate_ratio": None}}
    hidden = {"n_patients": 25, "measures": {"er_visits": {"did": {"rate_ratio": None}}}}
    costed = ("er_visits", "inpatient_days", "specialist_visits")
    shown = {"n_patients": 23, "measures": {m: {"did": {"rate_ratio": 0.9}} for m in costed}}
    block["sensitivity"] = {"90": hidden, "180": shown, "365": shown}
    days = [(180, -100.0), (90, -300.0), (365, -40.0)]
    rows = [
        {"input": "window_days", "low_sek": -300.0, "high_sek": -40.0, "swing_sek": 260.0,
         "settings": [{"kind": "days", "value": d, "net_savings_sek": n} for d, n in days]},
        {"input": "comparison", "low_sek": -100.0, "high_sek": -90.0, "swing_sek": 10.0,
         "settings": [{"kind": "comparison", "value": v, "net_savings_sek": n}
                      for v, n in (("main", -100.0), ("other", -90.0))]},
    ]  # fmt: skip
    area["costs"]["NSVT"]["tornado"] = {"base_net_savings_sek": -100.0, "rows": rows}
    area["window_days"] = 180
    out = suppress_results(area, N)["costs"]["NSVT"]["tornado"]
    (row,) = out["rows"]
    assert [s["value"] for s in row["settings"]] == [180, 365]
    assert (row["low_sek"], row["high_sek"], row["swing_sek"]) == (-100.0, -40.0, 60.0)


def skaraborg_nsvt() -> dict:
    """skaraborg NSVT: 117 included, 116 of them in the adjusted estimate (so its size is
    hidden: 1 patient outside it), and the estimate's years 1 + 37 + 48 + 30."""
    sizes = {"2016": 1, "2017": 37, "2018": 48, "2019": 30}
    did = {"inpatient_days": {"n_team": 116, "n_comparison": 400, "rate_ratio": 0.6}}
    block = consumption(117, excluded=0, did=did, over_time=over_time("year", sizes))
    return {"consumption": {"NSVT": block}}


def test_two_hidden_counts_in_different_relations_whose_sum_is_small_hide_a_third():
    """No single relation gives a small count away, but two together do: 117 − 37 − 48 − 30
    = 2 is the 2016 patient plus the one outside the estimate. One more year goes."""
    results = skaraborg_nsvt()
    out = suppress_results(copy.deepcopy(results), N)
    nsvt = out["consumption"]["NSVT"]
    assert nsvt["n_patients"] == 117 and nsvt["did"]["inpatient_days"]["n_team"] is None
    shown = {p["period"]: p["n_team"] for p in nsvt["over_time"]["periods"]}
    assert shown["2016"] is None
    assert sum(v is None for v in shown.values()) == 2  # 2016 and one more year
    assert 117 - sum(v for v in shown.values() if v is not None) >= N
    assert area_leaks(results, out, N) == []


def test_the_audit_finds_a_small_sum_across_two_relations():
    """The same counts with only primary suppression: the audit, which does not use the
    suppression's linear algebra, finds 117 − 37 − 48 − 30 = 2."""
    from disclosure_audit import small_hidden_sums

    results = skaraborg_nsvt()
    primary_only = copy.deepcopy(results)
    nsvt = primary_only["consumption"]["NSVT"]
    nsvt["did"]["inpatient_days"]["n_team"] = None  # 117 − 116 = 1 outside
    nsvt["over_time"]["periods"][0]["n_team"] = None  # the 2016 patient
    nsvt["over_time"]["periods"][0]["n_enrolled"] = None
    found = small_hidden_sums(declare(results), primary_only, N)
    assert any(line.endswith(": 2") and "&" in line for line in found), found
    out = suppress_results(copy.deepcopy(results), N)
    assert small_hidden_sums(declare(results), out, N) == []
