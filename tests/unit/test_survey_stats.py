"""Survey statistics against hand computations and published examples (docs/surveys.md)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from narvard.report.survey_text import LOW_RESPONSE_NOTE, comparison_sentence, response_note
from narvard.stats.disclosure.cells import PRIVATE
from narvard.stats.survey_comparisons import (
    adjust_report_family,
    compare_area_to_rest,
    compare_groups,
    short_question,
)
from narvard.stats.survey_components import component_comparison, component_profile, wave_trends
from narvard.stats.survey_intervals import (
    holm_adjust,
    item_intervals,
    item_missing,
    newcombe_interval,
    response_summary,
    two_by_two_test,
    wilson_interval,
)
from narvard.stats.survey_stats import deep_merge, survey_details
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

NBSP = "\u00a0"
CERTAIN = "skillnaden är statistiskt säkerställd."
CHANCE = "skillnaden kan bero på slumpen."
Z = 1.959963984540054
AGREE = ["Stämmer inte alls", "Stämmer ganska dåligt", "Neutral", "Stämmer ganska bra"]


def _questions(rows: list[tuple], survey: str = "managers", **extra) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {"survey_id": survey, "question_id": q, "question_text": f"Fråga {q}", "scale": s}
            for q, s in rows
        ]
    )
    frame["order"] = range(1, len(frame) + 1)
    for column, values in extra.items():
        frame[column] = values
    return frame


def _answers(
    question: str, group: str, answers: list[str], survey="managers", area="x", start=0, **extra
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "survey_id": survey,
            "question_id": question,
            "respondent_id": [f"{group}-{start + i}" for i in range(len(answers))],
            "area_id": area,
            "respondent_group": group,
            "answer": answers,
        }
    )
    for column, value in extra.items():
        frame[column] = value
    return frame


def _agree(positive: int, negative: int) -> list[str]:
    return ["Stämmer helt"] * positive + ["Stämmer ganska dåligt"] * negative


# --------------------------------------------------------------------------- Wilson


def test_wilson_by_hand_for_122_of_130():
    p, n = 122 / 130, 130
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n))
    low, high = wilson_interval(122, 130)
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-12)
    assert (round(low, 4), round(high, 4)) == (0.8833, 0.9685)


@pytest.mark.parametrize(
    ("positive", "n", "published"),
    [
        # Newcombe (1998), Stat Med 17:857, Table I, method 3 (Wilson score)
        (81, 263, (0.2553, 0.3662)),
        (15, 148, (0.0624, 0.1605)),
        (0, 20, (0.0, 0.1611)),
        (1, 29, (0.0061, 0.1718)),
        # Closed forms: 0/n -> [0, z²/(n+z²)], n/n -> [n/(n+z²), 1]
        (0, 10, (0.0, 0.2775)),
        (10, 10, (0.7225, 1.0)),
    ],
)
def test_wilson_matches_published_values_and_statsmodels(positive, n, published):
    interval = wilson_interval(positive, n)
    assert [round(v, 4) for v in interval] == list(published)
    reference = proportion_confint(positive, n, alpha=0.05, method="wilson")
    assert interval == pytest.approx(list(reference), abs=1e-10)


def test_wilson_edges_are_exact():
    assert wilson_interval(0, 10) == [0.0, pytest.approx(Z**2 / (10 + Z**2))]
    assert wilson_interval(10, 10) == [pytest.approx(10 / (10 + Z**2)), 1.0]
    assert wilson_interval(0, 0) is None


# --------------------------------------------------------------------------- Newcombe


@pytest.mark.parametrize(
    ("counts", "published"),
    [
        # Newcombe (1998), Stat Med 17:873, Table II, method 10 (hybrid score)
        ((56, 70, 48, 80), (0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.1705, 0.8090)),
        ((6, 7, 2, 7), (0.0582, 0.8062)),
        ((5, 56, 0, 29), (-0.0381, 0.1926)),
        ((0, 10, 0, 20), (-0.1611, 0.2775)),
        ((10, 10, 0, 20), (0.6791, 1.0)),
    ],
)
def test_newcombe_matches_published_values_and_statsmodels(counts, published):
    interval = newcombe_interval(*counts)
    assert [round(v, 4) for v in interval] == list(published)
    reference = confint_proportions_2indep(*counts, method="newcomb", compare="diff")
    assert interval == pytest.approx([float(v) for v in reference], abs=1e-10)


def test_newcombe_needs_answers_in_both_groups():
    assert newcombe_interval(3, 10, 0, 0) is None


# --------------------------------------------------------------------------- tests


def test_fisher_on_the_lady_tasting_tea():
    # Margins 4/4/4 of 8: P(a) = C(4,a)C(4,4-a)/70 = 1,16,36,16,1 /70; two-sided p = 34/70
    result = two_by_two_test(3, 4, 1, 4)
    assert result == {"p_value": pytest.approx(34 / 70), "test": "fisher"}


def test_chi_square_by_hand_when_expected_counts_are_large():
    # 60/100 vs 40/100: chi² = 200 (60·60 − 40·40)² / 100⁴ = 8; P(chi²₁ > 8) = erfc(2)
    result = two_by_two_test(60, 100, 40, 100)
    assert result == {"p_value": pytest.approx(math.erfc(2.0), rel=1e-9), "test": "chi2"}
    # 4/10 vs 6/10: every expected count is exactly 5 -> chi² = 0.8
    result = two_by_two_test(4, 10, 6, 10)
    assert result == {"p_value": pytest.approx(math.erfc(math.sqrt(0.4))), "test": "chi2"}


def test_fisher_when_an_expected_count_is_below_five():
    # 9/10 vs 5/10: expected "no" count (6 · 10 / 20 = 3) < 5
    result = two_by_two_test(9, 10, 5, 10)
    assert result["test"] == "fisher"
    # Hypergeometric by hand: P(a) = C(10,a) C(10,14−a) / C(20,14), a = 4..10
    probs = {a: math.comb(10, a) * math.comb(10, 14 - a) / math.comb(20, 14) for a in range(4, 11)}
    expected = sum(p for p in probs.values() if p <= probs[9] * (1 + 1e-7))
    assert result["p_value"] == pytest.approx(expected)
    # a = 4..10 weights 210, 2520, 9450, 14400, 9450, 2520, 210 (sum 38760); a = 9 observed
    assert result["p_value"] == pytest.approx((210 + 2520 + 2520 + 210) / 38760)


def test_holm_by_hand_and_against_statsmodels():
    p = [0.01, 0.04, 0.03, 0.005]
    # sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, max(0.04·1, 0.06) = 0.06
    assert holm_adjust(p) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm_adjust(p) == pytest.approx(list(multipletests(p, method="holm")[1]))
    assert holm_adjust([0.5, None, 0.9]) == [pytest.approx(1.0), None, pytest.approx(1.0)]
    assert holm_adjust([None, 0.02]) == [None, pytest.approx(0.02)]


# --------------------------------------------------------------------------- response


def test_response_rates_and_low_response_note():
    responses = pd.concat(
        [_answers("m1", "vårdcentral", ["Neutral"] * 3), _answers("m1", "kommun", ["Neutral"] * 6)]
    )
    invitations = pd.DataFrame(
        {
            "survey_id": ["managers"] * 3,
            "area_id": ["x"] * 3,
            "respondent_group": ["vårdcentral", "kommun", "kommun"],
            "invited": [10, 4, 4],
        }
    )
    summary = response_summary(responses, invitations, "managers")
    assert summary["threshold"] == 0.5
    assert summary["groups"]["vårdcentral"] == {
        "invited": 10,
        "respondents": 3,
        "response_rate": 0.3,
        "low": True,
    }
    assert response_note(summary["groups"]["vårdcentral"]) == (
        "Svarsfrekvensen är låg, så resultaten är osäkra."
    )
    assert summary["groups"]["kommun"]["response_rate"] == 0.75
    assert response_note(summary["groups"]["kommun"]) is None
    assert summary["all"]["response_rate"] == pytest.approx(9 / 18)
    assert summary["all"]["low"] is False  # exactly 50 % is not low


def test_invited_group_without_answers_and_missing_frame():
    responses = _answers("m1", "kommun", ["Neutral"])
    invitations = pd.DataFrame(
        {"survey_id": ["managers"] * 2, "area_id": ["x"] * 2,
         "respondent_group": ["kommun", "vårdcentral"], "invited": [1, 5]}
    )  # fmt: skip
    summary = response_summary(responses, invitations, "managers")
    assert summary["groups"]["vårdcentral"]["respondents"] == 0
    assert response_note(summary["groups"]["vårdcentral"]) == LOW_RESPONSE_NOTE
    without = response_summary(responses, None, "managers")
    assert without["all"] == {
        "invited": None, "respondents": 1, "response_rate": None, "low": False,
    }  # fmt: skip


def test_item_missing_counts_empty_answers_and_absent_rows():
    questions = _questions([("m1", "agree5"), ("m2", "agree5")])
    responses = pd.concat(
        [
            _answers("m1", "kommun", ["Neutral", "", "Ingen uppfattning", "Stämmer helt"]),
            _answers("m2", "kommun", ["Neutral"]),  # kommun-1..3 have no row for m2
            _answers("m1", "vårdcentral", ["Neutral", "Neutral"]),
        ]
    )
    missing = item_missing(questions, responses, "managers")
    assert missing["m1"]["kommun"] == {
        "respondents": 4, "answered": 3, "missing": 1, "no_opinion": 1,
    }  # fmt: skip
    assert missing["m2"]["kommun"]["missing"] == 3
    assert missing["m2"]["vårdcentral"]["missing"] == 2
    assert missing["m2"]["all"] == {"respondents": 6, "answered": 1, "missing": 5, "no_opinion": 0}


def test_item_intervals_add_ci_to_the_share_positive():
    questions = _questions([("m1", "agree5"), ("m9", "open")])
    responses = pd.concat(
        [
            _answers("m1", "kommun", _agree(6, 4) + ["Ingen uppfattning", ""]),
            _answers("m1", "vårdcentral", _agree(0, 10)),
        ]
    )
    items = item_intervals(questions, responses, "managers")
    assert list(items) == ["m1"]
    assert items["m1"]["kommun"] == {
        "n": 10,
        "positive": 6,
        "share_positive": 0.6,
        "ci": pytest.approx(list(proportion_confint(6, 10, method="wilson"))),
    }
    assert items["m1"]["vårdcentral"]["ci"] == [0.0, pytest.approx(0.2775, abs=1e-4)]
    assert items["m1"]["all"]["n"] == 20
    merged = deep_merge({"m1": {"kommun": {"n": 10, "extra": 1}}}, items)
    assert merged["m1"]["kommun"]["extra"] == 1 and "ci" in merged["m1"]["kommun"]


# --------------------------------------------------------------------------- comparisons


def test_compare_groups_shares_interval_test_holm_and_sentence():
    questions = _questions([("m1", "agree5"), ("m2", "agree5")])
    responses = pd.concat(
        [
            _answers("m1", "vårdcentral", _agree(4, 6)),
            _answers("m1", "kommun", _agree(6, 4)),
            _answers("m2", "vårdcentral", _agree(40, 60), start=100),
            _answers("m2", "kommun", _agree(60, 40), start=100),
        ]
    )
    first, second = compare_groups(questions, responses, "managers")
    assert first["groups"] == ["vårdcentral", "kommun"]
    assert first["shares"] == [0.4, 0.6]
    assert first["difference"] == pytest.approx(-0.2)
    assert first["ci"] == pytest.approx(newcombe_interval(4, 10, 6, 10))
    assert first["test"] == "chi2"
    p1, p2 = math.erfc(math.sqrt(0.4)), math.erfc(2.0)  # chi² 0.8 and 8 (see above)
    assert (first["p_value"], second["p_value"]) == (pytest.approx(p1), pytest.approx(p2))
    # Holm over the two items of this call: the smaller p doubled, the larger max(p, 2·smaller)
    assert second["p_holm"] == pytest.approx(2 * p2)
    assert first["p_holm"] == pytest.approx(max(p1, 2 * p2))
    assert (first["n_tests"], second["n_tests"]) == (2, 2)
    assert first["question"] == "Fråga m1"
    assert comparison_sentence(first) == (
        "\u201dFråga m1\u201d \u2013 En större andel i kommunerna än på vårdcentralerna instämmer "
        f"(60{NBSP}% mot 40{NBSP}%); {CHANCE}"
    )
    assert comparison_sentence(second).endswith(f"(60{NBSP}% mot 40{NBSP}%); {CERTAIN}")


def test_patient_groups_and_too_few_answers():
    questions = _questions([("q1", "frequency5"), ("q2", "yes_no")], survey="patient")
    responses = pd.concat(
        [
            _answers("q1", "HSVT", ["Alltid"] * 9 + ["Aldrig"], survey="patient"),
            _answers("q1", "NSVT", ["Ofta"] * 5 + ["Ibland"] * 5, survey="patient"),
            _answers("q2", "HSVT", ["Ja", "Nej"], survey="patient"),
            _answers("q2", "NSVT", ["Vet ej"], survey="patient"),
        ]
    )
    first, second = compare_groups(questions, responses, "patient")
    assert first["groups"] == ["HSVT", "NSVT"] and first["test"] == "fisher"
    assert first["p_value"] == pytest.approx(5460 / 38760)  # the same table as above
    assert first["p_holm"] == first["p_value"]  # the only item with a test
    assert first["n_tests"] == 1 and second["n_tests"] == 1  # q2 has no test
    assert comparison_sentence(first).startswith(
        "\u201dFråga q1\u201d \u2013 En större andel bland HSVT-patienterna än bland "
        "NSVT-patienterna svarar ofta eller alltid"
    )
    assert (second["difference"], second["p_value"], second["p_holm"]) == (None, None, None)
    assert (
        comparison_sentence(second)
        == "\u201dFråga q2\u201d \u2013 För få svar för att jämföra grupperna."
    )
    few = compare_groups(questions, responses, "patient", min_n=11)
    assert few[0]["difference"] is None


def test_sentence_for_equal_shares():
    text = comparison_sentence(
        {"groups": ["vårdcentral", "kommun"], "shares": [0.501, 0.499], "p_holm": 0.9}, "yes_no"
    )
    assert text == (
        f"Andelen som svarar ja är ungefär lika stor på vårdcentralerna och i kommunerna "
        f"(båda 50{NBSP}%)."
    )


def test_area_against_rest_of_region():
    questions = _questions([("m1", "agree5")])
    area = pd.concat(
        [_answers("m1", "kommun", _agree(3, 1)), _answers("m1", "vårdcentral", _agree(5, 1))]
    )
    rest = _answers("m1", "kommun", _agree(10, 10), area="y", start=50)
    (entry,) = compare_area_to_rest(questions, area, rest, "managers")
    assert entry["groups"] == ["area", "rest_of_region"]
    assert entry["n"] == [10, 20]
    assert entry["difference"] == pytest.approx(0.8 - 0.5)
    assert entry["test"] == "fisher"  # expected "no" count in the area: 10 · 12 / 30 = 4
    assert comparison_sentence(entry).startswith(
        "\u201dFråga m1\u201d \u2013 En större andel i området än i övriga regionen instämmer"
    )


def test_short_question_cuts_at_a_word_boundary():
    text = "Jag vet vem jag ska kontakta i kommunen när en patient i teamet behöver hjälp"
    # 77 characters; the first 61 end inside "teamet": cut at the last space before it
    assert short_question(text) == "Jag vet vem jag ska kontakta i kommunen när en patient i…"
    assert short_question("  Tydlig\n start ") == "Tydlig start"
    assert short_question("x" * 70, limit=10) == "x" * 10 + "…"
    assert short_question("Vem gör vad, när", limit=12) == "Vem gör vad…"  # no "vad,…"


# --------------------------------------------------------------------------- one family


def _two_surveys() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two surveys × two comparison types in area x, with one question each.

    managers m1: vårdcentral 25/100 vs kommun 75/100 -> χ² = 200·50²/(100·100) = 50,
                 p = erfc(√25) = erfc(5) ≈ 1.54e-12 (a very strong difference);
                 area 100/200 vs rest (area y) 50/100 -> equal shares, χ² = 0, p = 1.
    staff s1:    vårdcentral 15/40 vs kommun 25/40 -> χ² = 80·10²/(40·40) = 5,
                 p = erfc(√2.5) ≈ 0.02535 (significant on its own);
                 area 40/80 vs rest 40/80 -> χ² = 0, p = 1.
    (χ² for n per group, a and b positive: 2n(a − b)² / (s(2n − s)), s = a + b;
    P(χ²₁ > c) = erfc(√(c/2)). Every expected count is ≥ 5, so all four are χ² tests.)
    """
    questions = pd.concat(
        [
            _questions([("m1", "agree5")]).assign(question_text="Det är tydligt vem som gör vad"),
            _questions([("s1", "agree5")], survey="staff").assign(
                question_text="Jag vet vem jag ska kontakta i kommunen när en patient behöver hjälp"
            ),
        ],
        ignore_index=True,
    )
    responses = pd.concat(
        [
            _answers("m1", "vårdcentral", _agree(25, 75)),
            _answers("m1", "kommun", _agree(75, 25)),
            _answers("m1", "kommun", _agree(50, 50), area="y", start=500),
            _answers("s1", "vårdcentral", _agree(15, 25), survey="staff"),
            _answers("s1", "kommun", _agree(25, 15), survey="staff"),
            _answers("s1", "kommun", _agree(40, 40), survey="staff", area="y", start=500),
        ],
        ignore_index=True,
    )
    return questions, responses


def test_one_holm_family_across_surveys_and_comparison_types():
    questions, responses = _two_surveys()
    p_strong, p_staff = math.erfc(5.0), math.erfc(math.sqrt(2.5))
    # Per family (one survey × one comparison type, m = 1): p_holm = p, so the staff
    # difference would be called significant.
    (alone,) = compare_groups(questions, responses[responses["area_id"] == "x"], "staff")
    assert alone["p_holm"] == pytest.approx(p_staff) and alone["n_tests"] == 1
    assert alone["p_holm"] < 0.05 and comparison_sentence(alone).endswith(CERTAIN)
    # Report-wide family, m = 4. Sorted p: erfc(5), erfc(√2.5), 1, 1.
    #   1st: 4 · erfc(5)              ≈ 6.15e-12
    #   2nd: max(6.15e-12, 3 · 0.025347) = 0.076042 -> not below 0.05
    #   3rd: max(0.076042, min(1, 2 · 1)) = 1;  4th: max(1, 1 · 1) = 1
    details = survey_details(questions, responses, None, "x")
    managers, staff = details["managers"], details["staff"]
    assert managers["comparisons"][0]["p_holm"] == pytest.approx(4 * p_strong)
    assert staff["comparisons"][0]["p_value"] == pytest.approx(p_staff)
    assert staff["comparisons"][0]["p_holm"] == pytest.approx(3 * p_staff)
    assert staff["comparisons"][0]["p_holm"] == pytest.approx(0.076042, abs=1e-6)
    assert managers["area_vs_rest"][0]["p_holm"] == pytest.approx(1.0)
    assert staff["area_vs_rest"][0]["p_holm"] == pytest.approx(1.0)
    entries = [e for b in details.values() for k in ("comparisons", "area_vs_rest") for e in b[k]]
    assert [e["n_tests"] for e in entries] == [4, 4, 4, 4]
    assert comparison_sentence(staff["comparisons"][0]) == (
        "\u201dJag vet vem jag ska kontakta i kommunen när en patient\u2026\u201d \u2013 "
        "En större andel i kommunerna än på vårdcentralerna instämmer "
        f"(62{NBSP}% mot 38{NBSP}%); {CHANCE}"  # 62,5 and 37,5 %: formatting rounds half to even
    )
    # The very strong difference survives the report-wide correction.
    assert comparison_sentence(managers["comparisons"][0]) == (
        "\u201dDet är tydligt vem som gör vad\u201d \u2013 En större andel i kommunerna än på "
        f"vårdcentralerna instämmer (75{NBSP}% mot 25{NBSP}%); {CERTAIN}"
    )
    assert sum(CERTAIN in comparison_sentence(e) for e in entries) == 1


def test_adjust_report_family_skips_missing_p_values():
    def entry(p: float | None) -> dict:
        shares = [0.9, 0.1] if p is not None else [None, None]
        difference = 0.8 if p is not None else None
        return {"question": "Q", "scale": "yes_no", "groups": ["HSVT", "NSVT"],
                "shares": shares, "difference": difference, "p_value": p}  # fmt: skip

    surveys = {
        "patient": {"comparisons": [entry(0.01), entry(None)], "area_vs_rest": [entry(0.04)]},
        "staff": {"comparisons": [entry(0.03)], "components": {}},
    }
    record = adjust_report_family(surveys)
    assert record == {"method": "holm", "n_tests": 3, "alpha": 0.05}
    # sorted 0.01·3 = 0.03, 0.03·2 = 0.06, max(0.04·1, 0.06) = 0.06; None stays None
    first, missing = surveys["patient"]["comparisons"]
    assert first["p_holm"] == pytest.approx(0.03) and comparison_sentence(first).endswith(CERTAIN)
    assert missing["p_holm"] is None and missing["n_tests"] == 3
    assert (
        comparison_sentence(missing)
        == "\u201dQ\u201d \u2013 För få svar för att jämföra grupperna."
    )
    assert surveys["staff"]["comparisons"][0]["p_holm"] == pytest.approx(0.06)
    assert surveys["patient"]["area_vs_rest"][0]["p_holm"] == pytest.approx(0.06)
    assert comparison_sentence(surveys["patient"]["area_vs_rest"][0]).endswith(CHANCE)


def test_question_text_is_escaped_in_the_report():
    from narvard.report.notebook import comparison_sentences_html

    evil = "<b onmouseover=alert(1)>x</b>"
    questions = _questions([("m1", "agree5")]).assign(question_text=evil)
    responses = pd.concat(
        [_answers("m1", "vårdcentral", _agree(4, 6)), _answers("m1", "kommun", _agree(6, 4))]
    )
    comparisons = compare_groups(questions, responses, "managers")
    assert comparison_sentence(comparisons[0]).startswith(
        f"\u201d{evil}\u201d \u2013 "
    )  # data: raw
    markup = comparison_sentences_html("Skillnader <mellan> grupper", comparisons)
    assert "<b" not in markup and "alert(1)>" not in markup
    assert "\u201d&lt;b onmouseover=alert(1)&gt;x&lt;/b&gt;\u201d \u2013 En större" in markup
    assert markup.startswith("<p><strong>Skillnader &lt;mellan&gt; grupper</strong></p><ul><li>")
    assert comparison_sentences_html("T", [{**comparisons[0], "difference": None}]) == ""


# --------------------------------------------------------------------------- components


def test_component_profile_with_a_reversed_item():
    questions = _questions(
        [("m1", "agree5"), ("m2", "agree5"), ("m3", "agree5")],
        component=["gemensam_malbild;B", "gemensam_malbild", "tillit_relationer"],
        reversed=["0", "1", ""],
    )
    responses = pd.concat(
        [
            _answers("m1", "kommun", _agree(3, 1)),  # 3/4 positive
            _answers("m2", "kommun", _agree(1, 3)),  # reversed: 3/4 disagree = favourable
            _answers("m3", "kommun", ["Neutral", "Stämmer helt"]),  # 1/2
            _answers("m1", "vårdcentral", _agree(1, 1)),  # 1/2, vårdcentral has no m2
        ]
    )
    profile = component_profile(questions, responses, "managers")
    assert list(profile) == ["gemensam_malbild", "tillit_relationer", "B"]
    goal = profile["gemensam_malbild"]
    assert (goal["label"], goal["kind"], goal["items"]) == (
        "Gemensam målbild",
        "component",
        ["m1", "m2"],
    )
    assert (goal["n_items"], goal["n_reversed"]) == (2, 1)
    assert goal["by_group"]["kommun"] == {
        "mean_share_favourable": 0.75,
        "n_items_with_data": 2,
        PRIVATE: [(3, 4)],  # m2: 3 of 4 on the favourable (disagree) side
    }
    assert goal["by_group"]["vårdcentral"] == {
        "mean_share_favourable": 0.5,
        "n_items_with_data": 1,
        PRIVATE: [],
    }
    # all: m1 4/6 positive, m2 3/4 favourable -> (2/3 + 3/4) / 2
    assert goal["by_group"]["all"]["mean_share_favourable"] == pytest.approx((2 / 3 + 0.75) / 2)
    assert profile["B"]["label"] == "Samverkan och utveckling"
    assert profile["B"]["by_group"]["all"]["mean_share_favourable"] == pytest.approx(4 / 6)
    assert profile["tillit_relationer"]["by_group"]["all"]["mean_share_favourable"] == 0.5
    assert component_profile(_questions([("m1", "agree5")]), responses, "managers") == {}


def test_a_component_mean_over_a_reversed_item_with_few_on_one_side_is_hidden():
    """A one-item component of a reversed item: 1 of 19 favourable is 5 %, a count the
    item table (74 % positive of 19) does not show."""
    from narvard.stats.disclosure.primary import apply_consequences

    def survey(favourable):
        item = {"n": 19, "positive": 14, "share_positive": 14 / 19, "ci": [0.51, 0.88]}
        cell = {"mean_share_favourable": favourable / 19, PRIVATE: [(favourable, 19)]}
        components = {"resurser": {"items": ["m2"], "by_group": {"all": cell}}}
        return {"surveys": {"managers": {"items": {"m2": {"all": item}}, "components": components}}}

    for favourable, shown in ((1, False), (18, False), (5, True)):
        results = survey(favourable)
        apply_consequences(results, 5)
        mean = results["surveys"]["managers"]["components"]["resurser"]["by_group"]["all"]
        assert (mean["mean_share_favourable"] is not None) == shown, favourable


def test_component_comparison_across_areas():
    questions = _questions([("m1", "agree5"), ("m2", "yes_no")], skr_area=["A", "A"])
    responses = pd.concat(
        [
            _answers("m1", "kommun", _agree(1, 1), area="x"),
            _answers("m2", "kommun", ["Ja"] * 3 + ["Nej"], area="x"),
            _answers("m1", "kommun", _agree(2, 0), area="y", start=10),
        ]
    )
    comparison = component_comparison(questions, responses, "managers")
    assert comparison["A"]["label"] == "Behov och förutsättningar"
    assert comparison["A"]["areas"] == {"x": pytest.approx((0.5 + 0.75) / 2), "y": 1.0}
    assert comparison["A"]["region"] == pytest.approx((3 / 4 + 3 / 4) / 2)


# --------------------------------------------------------------------------- waves


def test_wave_trends_order_numerically():
    questions = _questions([("m1", "agree5")])
    responses = pd.concat(
        [
            _answers("m1", "kommun", _agree(1, 3), wave="10"),
            _answers("m1", "kommun", _agree(3, 1), wave="2", start=10),
        ]
    )
    trends = wave_trends(questions, responses, "managers")
    assert trends["waves"] == ["2", "10"]
    assert trends["items"]["m1"]["2"]["kommun"]["share_positive"] == 0.75
    assert trends["items"]["m1"]["10"]["all"]["share_positive"] == 0.25
    assert trends["items"]["m1"]["10"]["all"]["ci"] == pytest.approx(
        list(proportion_confint(1, 4, method="wilson"))
    )
    assert wave_trends(questions, responses.drop(columns="wave"), "managers") == {}


# --------------------------------------------------------------------------- all in one


def test_survey_details_for_one_area():
    from narvard.stats.open_answers import load_codebook

    questions = _questions([("m1", "agree5"), ("m6", "open")])
    responses = pd.concat(
        [
            _answers("m1", "kommun", _agree(6, 4)),
            _answers("m1", "vårdcentral", _agree(4, 6)),
            _answers("m6", "kommun", ["Ring Karin på 070-123 45 67 om journalen."]),
            _answers("m1", "kommun", _agree(5, 5), area="y", start=50),
        ]
    )
    invitations = pd.DataFrame(
        {"survey_id": ["managers"] * 2, "area_id": ["x"] * 2,
         "respondent_group": ["kommun", "vårdcentral"], "invited": [20, 10]}
    )  # fmt: skip
    details = survey_details(questions, responses, invitations, "x", codebook=load_codebook())
    block = details["managers"]
    assert block["response"]["groups"]["kommun"]["response_rate"] == 0.5
    assert block["items"]["m1"]["kommun"]["ci"] == pytest.approx(wilson_interval(6, 10))
    assert [c["groups"] for c in block["comparisons"]] == [["vårdcentral", "kommun"]]
    assert block["area_vs_rest"][0]["n"] == [20, 10]
    # one family for the area: the group comparison and area-vs-rest of m1
    assert [e["n_tests"] for e in block["comparisons"] + block["area_vs_rest"]] == [2, 2]
    assert block["themes"]["journal_it"]["by_group"] == {"kommun": 1}
    assert block["themes"]["journal_it"]["quotes"] == ["Ring [namn] på [telefon] om journalen."]
    assert block["open_answers"]["n_answers"] == {"kommun": 1, "all": 1}
    assert block["missing"]["m6"]["kommun"]["missing"] == 9
    assert block["components"] == {} and block["waves"] == {}
    quiet = survey_details(questions, responses, invitations, "x", load_codebook(), min_cell=5)
    assert quiet["managers"]["themes"]["journal_it"]["quotes"] == []
