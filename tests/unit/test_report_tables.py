"""Report tables read by a coordinator: balance in words, hidden figures as dashes."""

from narvard.report.tables import balance_table


def test_balance_table_says_whether_each_characteristic_is_alike():
    rows = [
        {"variable": "age", "mean_team": 84.2, "mean_comparison": 81.0,
         "mean_comparison_weighted": 84.2, "smd_before": 0.42, "smd_after": 0.01},
        {"variable": "share_women", "mean_team": 0.55, "mean_comparison": 0.6,
         "mean_comparison_weighted": 0.52, "smd_before": -0.1, "smd_after": -0.13},
        {"variable": "inpatient_days_history", "mean_team": 12.3, "mean_comparison": 3.3,
         "mean_comparison_weighted": 3.4, "smd_before": 0.89, "smd_after": 0.89},
        {"variable": "er_visits_history", "mean_team": None, "mean_comparison": 0.4,
         "mean_comparison_weighted": None, "smd_before": None, "smd_after": None},
    ]  # fmt: skip
    table = balance_table({"comparison_group": {"balance": rows}})
    assert list(table["Lika nog?"]) == [
        "ja",
        "nej",
        "nej, men effekten mäts från egen tidigare nivå",
        "–",
    ]
    assert list(table["Skillnad efter viktning (SMD)"])[:3] == ["0,01", "\u22120,13", "0,89"]
    assert list(table["Team"])[:2] == ["84,2", "55\u00a0%"]


def test_a_year_in_the_balance_table_has_no_thousands_space():
    row = {"variable": "index_time", "mean_team": 2018.43, "mean_comparison": 2018.1,
           "mean_comparison_weighted": 2018.4, "smd_before": 0.2, "smd_after": 0.0}  # fmt: skip
    table = balance_table({"comparison_group": {"balance": [row]}})
    assert table.iloc[0]["Team"] == "2018,4"


def test_the_age_table_shows_every_band_the_profile_counts():
    """Ages 70, 80, 81 and 90 at the index date: one, two and one patient per band (an
    excluded patient of 60 is enrolled, but not in the table of those followed)."""
    import pandas as pd
    from narvard.report.tables import profile_table
    from narvard.stats.profile import group_profile

    patients = pd.DataFrame(
        {
            "index_date": pd.to_datetime(["2019-03-01"] * 5),
            "birth_year": [1949, 1939, 1938, 1929, 1959],
            "sex": ["F", "M", "F", "F", "M"],
            "included": [True] * 4 + [False],
        }
    )
    table = profile_table({"profile": {"groups": {"HSVT": group_profile(patients)}}})
    row = table.iloc[0]
    assert [row["Under 75 år"], row["75–84 år"], row["85 år och äldre"]] == ["1", "2", "1"]
    assert row["Följda före och efter"] == "4" and row["Andel kvinnor"] == "75\u00a0%"
    assert row["Medelålder"] == "80"


def test_the_adjusted_table_sets_the_crude_change_per_day_alive_beside_the_effect():
    """Deaths shorten the after window: 20 → 17 bed days per patient is −15 %, but per day
    alive (rate ratio 1,00) nothing changed; the table says the latter, as its effect."""
    from narvard.domain import MEASURES
    from narvard.report.tables import adjusted_table

    measure = {"before_mean": 20.0, "after_mean": 17.0, "change_pct": -15.0, "rate_ratio": 1.0}
    did = {"rate_ratio": 0.8, "ci": [0.7, 0.9], "n_team": 80, "n_comparison": 300}
    block = {"measures": dict.fromkeys(MEASURES, measure), "did": dict.fromkeys(MEASURES, did)}
    table = adjusted_table({"consumption": {"HSVT": block}})
    row = table.iloc[0]
    assert row["Enkel förändring per levd dag (före–efter)"] == "0\u00a0%"
    assert row["Effekt jämfört med liknande patienter utan team (95 % KI)"].startswith("\u221220")


def test_a_share_hidden_among_many_answers_is_explained():
    """58 of 60 positive: the share would show the 2 others, so it is hidden while n=60
    stays; the table shows '– (n=60)' and the report explains it is not too few."""
    from narvard.report.survey_tables import has_hidden_share_with_n, survey_table

    def survey(share):
        cell = {"n": 60, "positive": None if share is None else 58, "share_positive": share}
        return {
            "items": {"q1": {"all": cell}},
            "questions": {"q1": {"text": "Känner du dig trygg?"}},
        }

    hidden = survey(None)
    assert survey_table(hidden).iloc[0]["Samtliga"] == "– (n=60)"
    assert has_hidden_share_with_n(hidden)
    assert not has_hidden_share_with_n(survey(58 / 60))


def test_the_cost_table_adds_both_teams_from_results_json():
    from narvard.report.tables import cost_effect_table

    def block(net, cost):
        return {
            "net_savings_sek": net,
            "team_cost_sek": cost,
            "break_even_patients_per_year": 90,
            "avoided_use": {},
        }

    costs = {"HSVT": block(-42.6e6, 50e6), "NSVT": block(-22.4e6, 30e6)}
    costs["total"] = {"net_savings_sek": -64.9e6, "team_cost_sek": 80e6}  # costs.total
    table = cost_effect_table(costs).set_index("")
    assert table.loc["Netto per år (justerat)", "Båda teamen"] == "kostar 64,9\u00a0mnkr"
    assert table.loc["Teamens kostnad per år", "Båda teamen"] == "80,0\u00a0mnkr"
    assert table.loc["Patienter per år för att gå jämnt ut", "Båda teamen"] == "·"
    assert table.loc["Patienter per år för att gå jämnt ut", "Hemsjukvårdsteam (HSVT)"] == "90"
    assert "Båda teamen" not in cost_effect_table({"HSVT": costs["HSVT"]})


def test_figures_divided_by_something_that_may_be_nil_are_marked_uncertain():
    from narvard.report.cost_text import UNCERTAIN_RATIO_NOTE, cost_table_notes
    from narvard.report.tables import cost_effect_table

    def block(savings_ci, bed_days_ci):
        return {
            "net_savings_sek": -42.6e6,
            "team_cost_sek": 43.4e6,
            "annual_gross_savings_ci": savings_ci,
            "avoided_bed_days_per_year_ci": bed_days_ci,
            "return_per_krona": 0.02,
            "cost_per_avoided_bed_day_sek": 734_261.0,
            "break_even_patients_per_year": 17_746.6,
            "avoided_use": {},
        }

    # HSVT: the avoided care is worth −1,4 … +3,2 mnkr and −40 … +150 bed days are
    # avoided: both may be nothing. NSVT: its bed days may be nothing (−13 … +90) although
    # the value is sure (0,2 … 4,4 mnkr, e.g. through fewer ER visits).
    costs = {
        "HSVT": block([-1.42e6, 3.19e6], [-40.0, 150.0]),
        "NSVT": block([0.15e6, 4.37e6], [-13.0, 90.0]),
    }
    table = cost_effect_table(costs).set_index("")
    hsvt, nsvt = table["Hemsjukvårdsteam (HSVT)"], table["Närsjukvårdsteam (NSVT)"]
    assert hsvt["Kostnad per undviken vårddag"] == "cirka 734\u00a0000\u00a0kr (osäker)"
    assert hsvt["Patienter per år för att gå jämnt ut"] == "17\u00a0747 (osäker)"
    assert nsvt["Kostnad per undviken vårddag"] == "cirka 734\u00a0000\u00a0kr (osäker)"
    assert nsvt["Patienter per år för att gå jämnt ut"] == "17\u00a0747"
    # value / team cost is bounded by its own interval: never marked
    assert hsvt["Tillbaka per satsad krona"] == nsvt["Tillbaka per satsad krona"] == "0,02 kr"
    assert UNCERTAIN_RATIO_NOTE in cost_table_notes(costs)
    sure = {"HSVT": block([0.15e6, 4.37e6], [20.0, 90.0])}
    assert cost_effect_table(sure).set_index("").iloc[-1, 0] == "17\u00a0747"
    assert UNCERTAIN_RATIO_NOTE not in cost_table_notes(sure)


def test_the_regions_cost_table_names_the_interval_as_a_cost_like_its_net():
    from narvard.report.tables import region_cost_table

    region = {
        "HSVT": {"team_cost_sek": 99.3e6, "net_savings_sek": -42.6e6,
                 "net_savings_ci": [-49.3e6, -35.8e6], "prob_net_positive": 0.0},
        "total": {"team_cost_sek": 156.0e6, "net_savings_sek": -4e6,
                  "net_savings_ci": [-9e6, 2e6], "prob_net_positive": 0.2},
    }  # fmt: skip
    table = region_cost_table({"region": region}).set_index("Team")
    assert table.loc["HSVT", "Netto per år"] == "kostar 42,6\u00a0mnkr"
    assert table.loc["HSVT", "95 % KI"] == "kostar 35,8–49,3\u00a0mnkr"
    assert table.loc["Båda", "95 % KI"] == (
        "från en besparing på 2,0\u00a0mnkr till en kostnad på 9,0\u00a0mnkr"
    )


def test_a_window_length_hidden_whole_is_explained():
    from narvard.report.tables import hidden_lengths_note

    block = {
        "n_patients": 158,
        "sensitivity": {"90": {"n_patients": None}, "180": {"n_patients": 158}},
    }
    assert hidden_lengths_note(block).startswith("Raden för 90 dagar visas inte: den bygger")
    block["sensitivity"]["365"] = {"n_patients": None}
    assert hidden_lengths_note(block).startswith(
        "Raderna för 90 dagar och 365 dagar visas inte: de"
    )
    block["sensitivity"] |= {"90": {"n_patients": 162}, "365": {"n_patients": 150}}
    assert hidden_lengths_note(block) is None


def test_the_method_text_names_the_threshold_and_the_small_counts_it_shows():
    from narvard.report.text import suppression_text

    assert suppression_text(5).startswith("Antal under 5 visas inte (–)")
    assert "antal inbjudna" in suppression_text(5)
    assert suppression_text(0).startswith("Skyddet av små tal är avstängt")


def test_a_hidden_team_balance_says_why():
    from narvard.report.tables import balance_hidden_note

    row = {"variable": "age", "mean_team": None, "smd_after": None}
    hidden = {"comparison_group": {"n_team": None, "balanced": True, "balance": [row]}}
    note = balance_hidden_note(hidden, "NSVT")
    assert note.startswith("NSVT: teamets sida av jämförelsen döljs för att skydda enskilda")
    assert note.endswith("lika teamets i ålder, kön och tidpunkt för första besöket.")
    hidden["comparison_group"]["balanced"] = False  # no weights: nothing to claim
    assert balance_hidden_note(hidden, "NSVT").endswith("ur andra tal).")
    shown = {"comparison_group": {"n_team": 79, "balanced": True, "balance": [row]}}
    assert balance_hidden_note(shown, "NSVT") is None


def test_each_question_names_the_cooperation_components_it_counts_in():
    from narvard.report.survey_tables import COMPONENT_COLUMN, survey_table

    cell = {"n": 40, "positive": 20, "share_positive": 0.5, "ci": [0.35, 0.65]}
    survey = {
        "items": {q: {"all": cell} for q in ("m1", "m2", "m3")},
        "questions": {q: {"text": f"Påstående {q}"} for q in ("m1", "m2", "m3")},
        "components": {
            "ledning": {"label": "Ledning och styrning", "kind": "component", "items": ["m1"]},
            "malbild": {"label": "Gemensam målbild", "kind": "component", "items": ["m1", "m2"]},
            "A": {"label": "Behov och förutsättningar", "kind": "skr_area", "items": ["m2"]},
        },
    }
    table = survey_table(survey).set_index("Fråga")[COMPONENT_COLUMN]
    assert table.to_dict() == {
        "Påstående m1": "Ledning och styrning · Gemensam målbild",
        "Påstående m2": "Gemensam målbild · A. Behov och förutsättningar",
        "Påstående m3": "·",  # in no component
    }
    del survey["components"]
    assert COMPONENT_COLUMN not in survey_table(survey)  # surveys without components


def test_the_positive_answers_are_named_per_scale_in_questionnaire_order():
    from narvard.report.survey_tables import positive_answers

    survey = {
        "items": {"q1": {}, "q2": {}, "q3": {}},
        "questions": {
            "q1": {"scale": "frequency5"},
            "q2": {"scale": "yes_no"},
            "q3": {"scale": "frequency5"},
        },
    }
    assert positive_answers(survey) == "”Alltid” eller ”Ofta”; ”Ja”"
    survey["questions"] = {q: {"scale": "agree5"} for q in survey["items"]}
    assert positive_answers(survey) == "”Stämmer helt” eller ”Stämmer ganska bra”"
