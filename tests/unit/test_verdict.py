"""The area's answer in words and its cards: the same numbers, a change read as a change
against comparison patients (not a difference in level), a net cost never a negative saving."""

from narvard.report import cards, verdict
from narvard.report.formatting import NBSP
from narvard.report.tables import cost_effect_table


def results(ratio=0.86, ci=(0.75, 0.98), net=-42.6e6, net_ci=(-49.3e6, -35.8e6), n=79):
    return {
        "consumption": {"HSVT": {"did": {"inpatient_days": {"rate_ratio": ratio, "ci": list(ci)}}}},
        "costs": {
            "HSVT": {
                "n_patients": n,
                "net_savings_sek": net,
                "net_savings_ci": list(net_ci) if net_ci else None,
                "prob_net_positive": 0.0,
                "window_days": 180,
            }
        },
        "surveys": {},
    }


def test_the_sentence_reads_the_effect_as_a_change_with_its_interval():
    (line,) = verdict.verdict(results())
    assert line.startswith(
        f"Efter första besöket hade hemsjukvårdsteamens (HSVT) patienter 14{NBSP}% färre "
        "vårddagar per levd dag än om deras vård hade utvecklats som hos liknande patienter "
        f"utan team (2–25{NBSP}% färre); skillnaden är statistiskt säkerställd."
    )
    assert f"kostar teamen omkring 42,6{NBSP}mnkr per år mer än de sparar" in line
    assert line.endswith(
        "Teamens kostnad är en uppskattning, och besparingen räknar bara sjukhusvård under "
        "varje patients första 180 dagar; se avsnittet om kostnader."
    )


def test_an_uncertain_effect_says_so_and_names_both_ends():
    (line,) = verdict.verdict(results(ratio=1.05, ci=(0.8, 1.3)))
    assert f"5{NBSP}% fler vårddagar" in line
    assert f"skillnaden är osäker: den kan ligga från 20{NBSP}% färre till 30{NBSP}% fler" in line


def test_a_hidden_cost_is_explained_and_an_effect_without_interval_gives_no_verdict():
    hidden = results(net=None, n=None)
    (line,) = verdict.verdict(hidden)
    assert line.endswith(verdict.COST_HIDDEN)
    assert verdict.verdict(results(ci=(None, None))) == []


def test_a_net_hidden_with_its_patients_shown_is_explained_too():
    """Complementary suppression can hide the money of 231 patients (simba HSVT in the
    demo): the sentence still says why, while a net that cannot be computed (no team
    cost) says nothing."""
    hidden = results(net=None)
    hidden["costs"]["HSVT"] |= {"basis": "adjusted", "team_cost_sek": 7.1e6}
    (line,) = verdict.verdict(hidden)
    assert line.endswith(verdict.COST_HIDDEN)
    no_cost = results(net=None)
    no_cost["costs"]["HSVT"] |= {"basis": "adjusted", "team_cost_sek": None}
    (line,) = verdict.verdict(no_cost)
    assert line.endswith("statistiskt säkerställd.")


def test_cards_show_the_same_change_and_the_net_as_a_cost():
    effect, cost = cards.effect_cards(results()) + cards.cost_cards(results())
    assert (effect["value"], effect["interval"]) == (
        f"\u221214{NBSP}%",
        f"95 % KI \u221225 till \u22122{NBSP}%",
    )
    assert cost["title"] == "Nettokostnad per år, HSVT"
    assert (cost["value"], cost["interval"]) == (f"42,6{NBSP}mnkr", f"95 % KI 35,8–49,3{NBSP}mnkr")


def test_a_hidden_survey_share_gets_no_card():
    survey = {
        "response_rate": 0.5,
        "respondents": 60,
        "invited": 120,
        "questions": {"q1": {"text": "Får du den vård du behöver?"}},
        "items": {"q1": {"all": {"share_positive": None, "n": 60, "ci": None}}},
    }
    shown = cards.survey_cards({"surveys": {"patient": survey}})
    assert [c["title"] for c in shown] == ["Svarsfrekvens, patientenkäten"]


def test_the_cost_table_names_the_net_as_a_cost_in_one_convention():
    table = cost_effect_table(results()["costs"]).set_index("")
    column = table.columns[0]
    assert table.loc["Netto per år (justerat)", column] == f"kostar 42,6{NBSP}mnkr"
    assert table.loc["95 % KI för nettot", column] == f"kostar 35,8–49,3{NBSP}mnkr"
    crossing = cost_effect_table(results(net=-4e6, net_ci=(-9e6, 2e6))["costs"]).set_index("")
    assert crossing.loc["95 % KI för nettot", column] == (
        f"från en besparing på 2,0{NBSP}mnkr till en kostnad på 9,0{NBSP}mnkr"
    )


def test_no_change_reads_as_as_many_not_zero_percent_fewer():
    (line,) = verdict.verdict(results(ratio=1.002, ci=(0.8, 1.25)))
    assert "lika många vårddagar per levd dag som om deras vård" in line
    assert f"0{NBSP}%" not in line.split("(")[0] and "osäker" in line


def test_a_sure_change_that_rounds_to_zero_keeps_a_decimal():
    (line,) = verdict.verdict(results(ratio=0.996, ci=(0.992, 0.999)))
    assert f"0,4{NBSP}% färre vårddagar per levd dag än" in line and "säkerställd" in line


def test_the_other_measures_follow_with_whether_each_change_is_sure():
    r = results()
    r["consumption"]["HSVT"]["did"] |= {
        "er_visits": {"rate_ratio": 0.8, "ci": [0.7, 0.9]},  # −20 %, interval below 1
        "unplanned_readmissions": {"rate_ratio": None, "ci": None},  # hidden: left out
        "specialist_visits": {"rate_ratio": 1.05, "ci": [0.9, 1.2]},  # +5 %, spans 1
    }
    (line,) = verdict.verdict(r)
    assert (
        f"Övriga mått, räknade på samma sätt: akutbesök utan inläggning −20{NBSP}% "
        f"(säkerställd) och besök i öppen specialistvård +5{NBSP}% (osäker)."
    ) in line
    assert "återinskrivningar" not in line
    assert "Övriga mått" not in verdict.verdict(results())[0]  # inpatient days only


def test_the_money_names_the_team_cost_it_assumes_and_the_break_even_cost():
    r = results()
    # Avoided care worth 2,3 mnkr a year against a team cost of 24,8 mnkr: net −22,5.
    r["costs"]["HSVT"] |= {"team_cost_sek": 24.8e6, "annual_gross_savings_adjusted_sek": 2.3e6}
    r["costs"]["HSVT"]["net_savings_sek"] = -22.5e6
    (line,) = verdict.verdict(r)
    assert (
        f"Med en teamkostnad på 24,8{NBSP}mnkr per år kostar teamen omkring 22,5{NBSP}mnkr "
        "per år mer än de sparar i sjukhusvård"
    ) in line
    assert (
        f"Den sjukhusvård teamen undviker är värd omkring 2,3{NBSP}mnkr per år, så för att gå "
        "jämnt ut får teamen kosta högst så mycket."
    ) in line
    assert "kan vara noll" not in line
    # Its interval −0,5 … +5,1 mnkr reaches zero: the value may be nothing.
    r["costs"]["HSVT"]["annual_gross_savings_ci"] = [-0.5e6, 5.1e6]
    (line,) = verdict.verdict(r)
    assert "får teamen kosta högst så mycket. Det värdet är osäkert och kan vara noll." in line
    r["costs"]["HSVT"]["annual_gross_savings_adjusted_sek"] = 0.03e6  # not "0,0 mnkr"
    (line,) = verdict.verdict(r)
    assert f"värd mindre än 0,1{NBSP}mnkr per år" in line
    r["costs"]["HSVT"]["annual_gross_savings_adjusted_sek"] = -0.4e6  # more care, not less
    (line,) = verdict.verdict(r)
    assert "Enligt skattningen minskade kostnaden för sjukhusvården inte" in line
    assert "täcker ingen del av teamens kostnad" in line and "jämnt ut" not in line


def test_a_sure_other_measure_that_rounds_to_zero_keeps_a_decimal():
    r = results()
    r["consumption"]["HSVT"]["did"] |= {
        "er_visits": {"rate_ratio": 0.997, "ci": [0.995, 0.999]},  # −0,3 %, sure
        "specialist_visits": {"rate_ratio": 1.002, "ci": [0.9, 1.1]},  # 0 %, not sure
    }
    (line,) = verdict.verdict(r)
    assert f"akutbesök utan inläggning −0,3{NBSP}% (säkerställd)" in line
    assert f"besök i öppen specialistvård 0{NBSP}% (osäker)" in line


def test_a_group_of_few_followed_patients_says_so():
    r = results()
    r["consumption"]["HSVT"]["n_patients"] = 23  # alingsås-lerum NSVT in the demo
    (line,) = verdict.verdict(r)
    assert "Det bygger på bara 23 patienter, så resultatet kan ändras mycket" in line
    r["consumption"]["HSVT"]["n_patients"] = 30
    assert "bygger på bara" not in verdict.verdict(r)[0]
    r["consumption"]["HSVT"]["n_patients"] = None  # hidden: not quoted
    assert "bygger på bara" not in verdict.verdict(r)[0]


def test_a_sure_effect_whose_groups_may_not_have_moved_alike_before_says_so():
    def with_trend(low: float, high: float, p: float) -> dict:
        r = results()  # bed days −14 % (2–25 % färre): sure
        trend = {"months": [-18, -7], "ratio_per_year": 1.1, "ci": [low, high], "p_value": p}
        r["consumption"]["HSVT"]["event_study"] = {
            "measures": {"inpatient_days": {"pre_trend": trend}}
        }
        return r

    # ×0,43–×2,8 a year (simba NSVT in the demo): alike cannot be shown.
    (line,) = verdict.verdict(with_trend(0.43, 2.8, 0.8))
    assert f"skillnaden är statistiskt säkerställd. {verdict.UNCLEAR_TREND}" in line
    # ×0,9–×1,3 a year and no sure difference: the months before support the estimate.
    (line,) = verdict.verdict(with_trend(0.9, 1.3, 0.4))
    assert verdict.UNCLEAR_TREND not in line
    # a sure difference in trend (p = 0,001) is unclear too
    (line,) = verdict.verdict(with_trend(1.1, 1.4, 0.001))
    assert verdict.UNCLEAR_TREND in line
    # an uncertain effect is already read as uncertain: no second warning
    uncertain = with_trend(0.43, 2.8, 0.8)
    uncertain["consumption"]["HSVT"]["did"]["inpatient_days"]["ci"] = [0.7, 1.1]
    assert verdict.UNCLEAR_TREND not in verdict.verdict(uncertain)[0]


def test_a_longer_follow_up_that_changes_the_certainty_is_in_the_summary():
    def with_365(ratio: float, ci: list, n_team: int | None = 38) -> dict:
        r = results(ratio=0.85, ci=(0.58, 1.24))  # södra älvsborg NSVT: −15 %, not sure
        r["window_days"] = 180
        did = {"rate_ratio": ratio, "ci": ci, "n_team": n_team}
        r["consumption"]["HSVT"]["sensitivity"] = {
            "90": {"measures": {"inpatient_days": {"did": {"rate_ratio": 0.5, "ci": [0.3, 0.8]}}}},
            "365": {"measures": {"inpatient_days": {"did": did}}},
        }
        return r

    (line,) = verdict.verdict(with_365(0.55, [0.34, 0.88]))
    assert (
        f"Med 365 dagars uppföljning är förändringen i vårddagar −45{NBSP}% (−66 till "
        f"−12{NBSP}%) och säkerställd, på 38 patienter."
    ) in line
    assert "Med 90 dagars" not in line  # shorter windows are not the question here
    (line,) = verdict.verdict(with_365(0.8, [0.5, 1.3]))  # uncertain too: nothing new
    assert "dagars uppföljning" not in line
    (line,) = verdict.verdict(with_365(0.55, [0.34, 0.88], n_team=None))  # hidden n
    assert "och säkerställd." in line and "patienter." not in line.split("uppföljning")[1][:80]
