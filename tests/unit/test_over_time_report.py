"""The over-time part of the report (narvard.report.over_time), from a results block whose
numbers are written out here: table cells, the figure and the cautious Swedish text."""

from __future__ import annotations

import copy

import matplotlib.pyplot as plt
from chart_checks import chart_problems
from narvard.domain import MEASURES
from narvard.report import over_time as ot
from narvard.report.chart_style import FIGURE_WIDTH_IN
from narvard.report.formatting import NBSP


def estimate(ratio, low, high) -> dict:
    return {"rate_ratio": ratio, "ci": [low, high], "estimated": True}


NONE = {"rate_ratio": None, "ci": None, "estimated": False}


def period(name, enrolled, team, estimated, **measures) -> dict:
    return {
        "period": name,
        "first_date": "",
        "last_date": "",
        "n_enrolled": enrolled,
        "n_team": team,
        "n_comparison": 400,
        "estimated": estimated,
        "measures": {m: measures.get(m, NONE) for m in MEASURES},
    }


def block() -> dict:
    """ER: −10 % (−30 to +15 %) in 2017H2, −40 % (−50 to −32 %) in 2018H1: the intervals
    do not overlap. Bed days overlap. Readmissions: too few events in 2017H2."""
    return {
        "did": {m: {"rate_ratio": 0.8, "ci": [0.7, 0.9], "n_team": 246} for m in MEASURES},
        "over_time": {
            "unit": "half_year",
            "min_patients": 30,
            "min_events": 10,
            "comparison": "balanced",
            "periods": [
                period("2017H1", 10, 0, False),
                period(
                    "2017H2", 120, 118, True,
                    er_visits=estimate(0.9, 0.7, 1.15),
                    inpatient_days=estimate(0.95, 0.8, 1.1),
                    specialist_visits=estimate(1.0, 0.9, 1.1),
                ),
                period(
                    "2018H1", 130, 128, True,
                    er_visits=estimate(0.6, 0.5, 0.68),
                    inpatient_days=estimate(0.85, 0.7, 1.0),
                    unplanned_readmissions=estimate(0.7, 0.4, 1.2),
                    specialist_visits=estimate(0.95, 0.85, 1.05),
                ),
                period("2018H2", 25, 25, False),
            ],
        },
    }  # fmt: skip


def plain(text: str) -> str:
    return text.replace(NBSP, " ")


def test_period_labels_in_swedish():
    assert [ot.period_label(p) for p in ("2018H1", "2018H2", "2018")] == [
        "jan–jun 2018",
        "jul–dec 2018",
        "2018",
    ]


def test_table_rows_per_period_and_the_whole_period():
    table = ot.over_time_table(block()).map(plain)
    assert list(table["Period"]) == [
        "jan–jun 2017",
        "jul–dec 2017",
        "jan–jun 2018",
        "jul–dec 2018",
        "Hela perioden",
    ]
    rows = table.set_index("Period").to_dict("index")
    assert rows["jan–jun 2017"]["Akutbesök utan inläggning"] == "·"  # nobody to estimate
    second = rows["jul–dec 2017"]
    assert (second["Inskrivna"], second["I effektskattningen"]) == ("120", "118")
    assert second["Akutbesök utan inläggning"] == "−10 % (−30 till +15 %)"
    assert second["Oplanerade återinskrivningar"] == "för få händelser"
    assert rows["jul–dec 2018"]["Vårddagar i slutenvård"] == "för få patienter"
    assert rows["Hela perioden"]["I effektskattningen"] == "246"
    assert rows["Hela perioden"]["Vårddagar i slutenvård"] == "−20 % (−30 till −10 %)"


def test_text_names_only_intervals_that_do_not_overlap_and_stays_cautious():
    text = plain(ot.over_time_text(block(), "HSVT"))
    # The patients each period's estimate rests on (118 and 128 of 120 and 130 enrolled).
    assert text.startswith(
        "Antal HSVT-patienter i effektskattningen per halvår: 118 (jul–dec 2017) och 128 "
        "(jan–jun 2018). "
    )
    assert (
        "För akutbesök utan inläggning (jul–dec 2017: −10 %, jan–jun 2018: −40 %) "
        "överlappar intervallen inte: effekten kan ha förändrats." in text
    )
    assert "vårddagar" not in text.lower()  # its intervals overlap
    assert "inte som ett säkert resultat" in text
    overlapping = block()
    er = overlapping["over_time"]["periods"][2]["measures"]["er_visits"]
    er["ci"] = [0.5, 0.75]
    text = plain(ot.over_time_text(overlapping, "HSVT"))
    assert "vi kan inte säga att effekten har förändrats över tid" in text
    one = block()
    one["over_time"]["periods"][2]["estimated"] = False
    # One period estimated (jul–dec 2017, 118 patients): named, not "too few to estimate".
    assert plain(ot.over_time_text(one, "NSVT")) == (
        "För NSVT kan effekten bara skattas för jul–dec 2017 (118 patienter i skattningen); "
        "en enda period räcker inte för att se om effekten förändras över tid."
    )
    none = copy.deepcopy(one)
    none["over_time"]["periods"][1]["estimated"] = False
    assert plain(ot.over_time_text(none, "NSVT")) == (
        "För NSVT finns för få patienter för att skatta effekten per halvår: effekten "
        "redovisas bara för hela perioden."
    )
    assert not ot.has_chart(one) and ot.has_chart(block())


def test_hidden_estimates_and_counts_are_never_quoted_and_are_explained():
    """Disclosure control may hide a period's estimates (its team count would be a
    complement) or only its count of enrolled: the text lists the periods whose effects
    the table shows, a hidden count by name only, and a note under the table says why an
    estimated period shows –."""
    hidden = block()
    periods = hidden["over_time"]["periods"]
    for estimate in periods[1]["measures"].values():
        estimate["rate_ratio"] = estimate["ci"] = None
    assert ot.hidden_estimate_note(block()) is None
    assert ot.hidden_estimate_note(hidden) == ot.HIDDEN_ESTIMATE_NOTE
    periods.append(copy.deepcopy(periods[2]) | {"period": "2019H1", "n_team": None})
    text = plain(ot.over_time_text(hidden, "HSVT"))
    assert "118 (jul–dec 2017)" not in text
    assert "128 (jan–jun 2018) och jan–jun 2019 (antalet döljs). " in text


def test_chart_shows_the_estimated_periods_only():
    fig = ot.over_time_chart(block(), "HSVT")
    try:
        axes = fig.axes
        assert len(axes) == 4
        labels = [t.get_text() for t in axes[0].get_xticklabels()]
        assert labels == ["jul–dec 2017", "jan–jun 2018"]
        # one error bar per estimate: ER 2, bed days 2, readmissions 1, specialist 2
        assert [len(ax.containers) for ax in axes] == [2, 2, 1, 2]
        assert chart_problems(fig) == []  # Swedish ticks, 9 pt, nothing overlapping
        assert fig.get_figwidth() <= FIGURE_WIDTH_IN
    finally:
        plt.close(fig)


def test_intro_states_the_minimums_from_results():
    results = {"consumption": {"HSVT": block()}}
    intro = plain(ot.over_time_intro(results))
    assert "färre än 30 patienter" in intro and "färre än 10 händelser" in intro
    hidden = copy.deepcopy(results)
    hidden["consumption"]["HSVT"]["over_time"]["min_patients"] = None
    assert ot.over_time_intro(hidden) == ""


def test_a_hidden_count_is_not_quoted_in_the_text():
    hidden = block()
    hidden["over_time"]["periods"][2]["n_team"] = None  # jan–jun 2018, estimated
    text = plain(ot.over_time_text(hidden, "HSVT"))
    assert text.startswith(
        "Antal HSVT-patienter i effektskattningen per halvår: 118 (jul–dec 2017) och jan–jun "
        "2018 (antalet döljs). "
    )
    # A hidden enrolled count does not hide the estimate's own, which the table shows
    # (Skaraborg's NSVT 2019 in the demo: enrolled –, in the estimate 30).
    enrolled_hidden = block()
    enrolled_hidden["over_time"]["periods"][2]["n_enrolled"] = None
    assert "och 128 (jan–jun 2018). " in plain(ot.over_time_text(enrolled_hidden, "HSVT"))
