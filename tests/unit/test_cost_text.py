"""The cost-effect in Swedish (``narvard.report.cost_text``) and its tornado chart
(``narvard.report.tornado``).

The blocks come from ``narvard.stats.cost_effect`` on one hand-made cohort (see
tests/unit/stats/test_cost_effect.py): 4 patients with after totals 2 ER visits, 10 bed
days and 2 specialist visits, rate ratios 2/3, 2/3 and 1/2, and 800 new patients a year
(× 200 per cohort figure). Avoided a year: 400 ER visits, 1 000 bed days and 800
specialist visits; gross 400 × 4 000 + 1 000 × 9 000 + 800 × 2 000 = 10,6 mnkr a year.
"""

from __future__ import annotations

import dataclasses
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from chart_checks import chart_problems
from narvard.report import formatting as fmt
from narvard.report.cost_text import cost_paragraph, row_label, setting_label
from narvard.report.formatting import MINUS, NBSP
from narvard.report.net_text import NET_AXIS
from narvard.report.tornado import tornado_chart
from narvard.stats import cost_effect as ce

COSTS = {
    item: {"cost_sek": cost, "low_sek": low, "high_sek": high, "price_year": 2019}
    for item, cost, low, high in (
        ("er_visit", 4000.0, 3000.0, 5000.0),
        ("inpatient_day", 9000.0, 7000.0, 11000.0),
        ("specialist_visit", 2000.0, 1000.0, 3000.0),
    )
}
RATE_RATIOS = (2 / 3, 2 / 3, 1 / 2)
ESTIMATES = {m: {"rate_ratio": r, "ci": None} for m, r in zip(ce.COSTED, RATE_RATIOS, strict=True)}
USE = ce.TeamUse(
    window_days=180,
    n_patients=4,
    before=np.array([4.0, 20.0, 4.0]),
    after=np.array([2.0, 10.0, 2.0]),
    log_rate_ratio=np.log(RATE_RATIOS),
    cov=np.diag([0.2**2, 0.1**2, 0.3**2]),
    patients_per_year=800.0,
    enrolment_years=0.5,
)
CRUDE_USE = dataclasses.replace(USE, log_rate_ratio=np.full(3, np.nan), cov=np.full((3, 3), np.nan))


def team(annual: float) -> dict:
    return {"annual_cost_sek": annual, "low_sek": 0.8 * annual, "high_sek": 1.2 * annual}


def block(annual: float | None, use: ce.TeamUse = USE, name: str = "a/NSVT") -> ce.CostBlock:
    """A costs block as results.json holds it, with its tornado when it has a team cost."""
    cost = None if annual is None else team(annual)
    result = ce.group_costs(use, ESTIMATES, COSTS, cost, n_draws=1000, seed=1, name=name)
    if cost is not None and use.adjusted:
        result["tornado"] = ce.tornado(use, COSTS, cost)
    return result


def sentence(text: str, start: str) -> str:
    """The sentence of ``text`` that begins with ``start``."""
    found = [s for s in re.split(r"(?<=\.) ", text) if s.startswith(start)]
    assert len(found) == 1, text
    return found[0]


# ------------------------------------------------------------------ the paragraph


def test_paragraph_when_the_teams_save_more_than_they_cost():
    costs = block(5_600_000)
    assert costs["net_savings_sek"] == pytest.approx(5_000_000)  # 10,6 − 5,6 mnkr
    text = cost_paragraph(costs, "Södra Älvsborg", "NSVT")
    assert text.startswith("Närsjukvårdsteamen (NSVT) i Södra Älvsborg kostar omkring 5,6")
    assert f"5,6{NBSP}mnkr per år." in text
    # RR 2/3 = 33 % fewer bed days and ER visits per day alive than expected.
    assert f"33{NBSP}% färre vårddagar och 33{NBSP}% färre akutbesök per levd dag" in text
    assert f"ungefär 10,6{NBSP}mnkr mindre per år (cirka 1{NBSP}000 färre vårddagar)" in text
    net = sentence(text, "Efter teamens kostnad")
    # 10,6 / 5,6 = 1,89 kr back for every krona.
    assert net == (
        f"Efter teamens kostnad sparar satsningen netto 5,0{NBSP}mnkr per år: varje satsad "
        "krona ger 1,89 kr tillbaka i sjukhusvård."
    )
    low, high = costs["net_savings_ci"]
    assert low < 0 < 5_000_000 < high  # the interval reaches a small net cost
    interval = (
        f"allt från en nettokostnad på {fmt.sek(-low, millions=True)} till en nettobesparing "
        f"på {fmt.sek(high, millions=True)} per år"
    )
    assert f"med 95 % sannolikhet blir det {interval}" in text
    assert "Svaret påverkas mest av" in text
    assert "jämnt ut" not in text  # no break-even sentence when the net is positive


def test_paragraph_uses_decimal_comma_and_mnkr():
    text = cost_paragraph(block(5_600_000), "Södra Älvsborg", "NSVT")
    assert "mnkr" in text and "MSEK" not in text
    assert re.search(r"\d\.\d", text) is None  # no decimal point anywhere
    assert re.search(r"\d,\d", text)


def test_a_negative_net_is_worded_as_a_cost():
    costs = block(15_000_000)
    assert costs["net_savings_sek"] == pytest.approx(-4_400_000)  # 10,6 − 15 mnkr
    text = cost_paragraph(costs, "Södra Älvsborg", "NSVT")
    net = sentence(text, "Efter teamens kostnad")
    # 10,6 / 15 = 0,71 kr back for every krona.
    assert net == (
        f"Efter teamens kostnad kostar satsningen netto 4,4{NBSP}mnkr per år: varje satsad "
        "krona ger 0,71 kr tillbaka i sjukhusvård."
    )
    # No double negative ("kostar … netto −4,4 mnkr") and no minus in the net sentence.
    assert MINUS not in net and "-" not in net
    assert re.search(f"{MINUS}[0-9 ,{NBSP}]*mnkr", net) is None
    # Break-even: 15 mnkr / 13 250 kr per patient = 1 132 patients a year.
    assert (
        f"oförändrad kostnad behöva ta emot omkring 1{NBSP}132 nya patienter per år, mot " in text
    )


def test_a_break_even_volume_on_savings_that_may_be_nil_says_no_volume_may_do():
    costs = block(15_000_000)
    assert costs["annual_gross_savings_ci"][0] > 0  # here the avoided care is sure
    assert "räcker inget antal" not in cost_paragraph(costs, "Södra Älvsborg", "NSVT")
    uncertain = ce.CostBlock(costs, annual_gross_savings_ci=[-1.4e6, 21.0e6])
    text = cost_paragraph(uncertain, "Södra Älvsborg", "NSVT")
    assert (
        f"behöva ta emot omkring 1{NBSP}132 nya patienter per år, mot omkring 800 i dag; men "
        "värdet av den undvikna vården kan vara noll, och då räcker inget antal patienter."
    ) in text


def test_an_interval_of_the_savings_starting_near_zero_reads_no_reduction():
    costs = ce.CostBlock(block(15_000_000), annual_gross_savings_ci=[-0.02e6, 2.2e6])
    text = cost_paragraph(costs, "Södra Älvsborg", "NSVT")
    assert f"mellan ingen minskning och 2,2{NBSP}mnkr mindre" in text  # not "0,0 mnkr mer"
    costs = ce.CostBlock(block(15_000_000), annual_gross_savings_ci=[-1.4e6, 2.2e6])
    assert f"mellan 1,4{NBSP}mnkr mer och 2,2{NBSP}mnkr mindre" in cost_paragraph(
        costs, "Södra Älvsborg", "NSVT"
    )


def test_probability_below_one_percent_reads_under_1_percent():
    costs = block(30_000_000)  # net −19,4 mnkr: no draw saves more than the teams cost
    assert costs["prob_net_positive"] == 0.0
    text = cost_paragraph(costs, "Södra Älvsborg", "NSVT")
    assert "Det är mycket sannolikt att teamen kostar mer än de sparar" in text
    assert f"sparar mer än de kostar är under 1{NBSP}%." in text
    assert f" 0{NBSP}%" not in text
    assert "kostar satsningen netto 19,4" in text


def test_paragraph_names_the_largest_tornado_bar_with_its_values():
    costs = block(5_600_000)
    top = costs["tornado"]["rows"][0]
    assert top["input"] == "effect_inpatient_days"  # the largest swing here
    text = cost_paragraph(costs, "Södra Älvsborg", "NSVT")
    # Lower-case first letter only: the interval stays "KI".
    assert "Svaret påverkas mest av effekten på vårddagar i slutenvård (95 % KI): med " in text
    low, high = sorted(top["settings"], key=lambda s: s["net_savings_sek"])
    assert f"med {setting_label(low)} blir det en netto" in text
    assert setting_label(low) == f"{MINUS}19{NBSP}%"  # RR 2/3 · e^{+1,96·0,1} = 0,81
    assert setting_label(high) == f"{MINUS}45{NBSP}%"  # RR 2/3 · e^{−1,96·0,1} = 0,55


def test_crude_paragraph_with_and_without_a_team_cost():
    no_cost = cost_paragraph(block(None, CRUDE_USE), "Exempelby", "HSVT")
    assert no_cost.startswith("Hemsjukvårdsteamen (HSVT) i Exempelby har ingen uppgift om kostnad")
    assert "Teamens kostnad saknas i underlaget" in no_cost
    assert "utan jämförelsegrupp" in no_cost
    # Crude: 50 % fewer than before; (20 − 10) × 200 × 9 000 + … = 20,4 mnkr.
    assert f"50{NBSP}% färre vårddagar" in no_cost and f"20,4{NBSP}mnkr mindre" in no_cost
    # With a team cost but no adjusted effect the text must not say the cost is missing.
    with_cost = cost_paragraph(block(5_600_000, CRUDE_USE), "Exempelby", "HSVT")
    assert f"kostar omkring 5,6{NBSP}mnkr per år." in with_cost
    assert "saknas" not in with_cost
    assert "något netto beräknas inte" in with_cost
    assert "utan jämförelsegrupp" in with_cost


def test_paragraph_of_hsvt_and_nsvt_together():
    parts = [block(15_000_000, name="r/HSVT"), block(15_000_000, name="r/NSVT")]
    total = ce.combined(parts, population=None)
    text = cost_paragraph(total, "Västra Götaland", "total")
    assert text.startswith(
        f"Hemsjukvårds- och närsjukvårdsteamen tillsammans i Västra Götaland kostar omkring "
        f"30,0{NBSP}mnkr per år."
    )
    assert f"ungefär 21,2{NBSP}mnkr mindre per år" in text
    assert "kostar satsningen netto 8,8" in text
    # The hospital use did decrease: no claim that it did not.
    assert "inte minskade" not in text and "minskade inte" not in text


# ------------------------------------------------------------------ tornado labels

OTHER = dataclasses.replace(USE, log_rate_ratio=np.log([0.8, 0.8, 0.8]))
SHORT = dataclasses.replace(USE, window_days=90, after=np.array([1.0, 5.0, 1.0]))
ROW_LABELS = {
    "er_visit": "Kostnad per akutbesök",
    "inpatient_day": "Kostnad per vårddag",
    "specialist_visit": "Kostnad per specialistbesök",
    "team_cost": "Teamens årliga kostnad",
    "patients_per_year": "Antal nya patienter per år",
    "effect_er_visits": "Effekten på akutbesök utan inläggning (95 % KI)",
    "effect_inpatient_days": "Effekten på vårddagar i slutenvård (95 % KI)",
    "effect_specialist_visits": "Effekten på besök i öppen specialistvård (95 % KI)",
    "method": "Beräkningsmetod",
    "comparison": "Jämförelsegrupp",
    "window_days": "Uppföljningstid efter inskrivning",
}


@pytest.fixture(scope="module")
def full_tornado() -> dict:
    """Every kind of row: unit costs, team cost, volume, effects, method, comparison, window."""
    return ce.tornado(USE, COSTS, team(5_600_000), OTHER, {90: SHORT})


def test_every_tornado_row_has_a_swedish_label(full_tornado):
    labels = {row["input"]: row_label(row) for row in full_tornado["rows"]}
    assert labels == ROW_LABELS


def test_setting_labels_by_kind(full_tornado):
    rows = {row["input"]: row for row in full_tornado["rows"]}

    def labels(key: str) -> list[str]:
        return [setting_label(s) for s in rows[key]["settings"]]

    assert labels("inpatient_day") == [f"7{NBSP}000{NBSP}kr", f"11{NBSP}000{NBSP}kr"]
    assert labels("team_cost") == [f"4,5{NBSP}mnkr", f"6,7{NBSP}mnkr"]  # 5,6 ∓ 20 %
    assert labels("patients_per_year") == ["600 patienter/år", f"1{NBSP}000 patienter/år"]
    assert labels("effect_inpatient_days") == [f"{MINUS}45{NBSP}%", f"{MINUS}19{NBSP}%"]
    assert labels("method") == ["jämfört med liknande patienter", "enkel före/efter (överskattar)"]
    assert labels("comparison") == ["som i rapporten", "annan viktning av jämförelsen"]
    assert labels("window_days") == ["180 dagar", "90 dagar"]
    assert setting_label({"kind": "rate_ratio", "value": 1.1}) == f"+10{NBSP}%"


# ------------------------------------------------------------------ the chart


def _bars_by_row(ax) -> dict[float, list]:
    bars: dict[float, list] = {}
    for patch in ax.patches:
        centre = round(patch.get_y() + patch.get_height() / 2, 6)
        bars.setdefault(centre, []).append(patch)
    return bars


def test_tornado_chart_draws_one_bar_per_row(full_tornado):
    rows = full_tornado["rows"]
    base = full_tornado["base_net_savings_sek"] / 1e6
    fig = tornado_chart(full_tornado, "Test", max_rows=len(rows))
    try:
        ax = fig.axes[0]
        bars = _bars_by_row(ax)
        assert sorted(bars) == list(range(len(rows)))  # one bar at every row position
        # Each bar is split at the base case: a worse part (hatched) and a better part.
        worse = sum(r["low_sek"] / 1e6 < base for r in rows)
        better = sum(r["high_sek"] / 1e6 > base for r in rows)
        assert len(ax.patches) == worse + better
        assert sum(p.get_hatch() == "//" for p in ax.patches) == worse
        # The largest swing on top; every bar spans the row's lowest to highest net.
        for position, row in enumerate(rows):
            patches = bars[len(rows) - 1 - position]
            left = min(p.get_x() for p in patches)
            right = max(p.get_x() + p.get_width() for p in patches)
            assert (left, right) == pytest.approx((row["low_sek"] / 1e6, row["high_sek"] / 1e6))
        labels = [tick.get_text().replace("\n", " ") for tick in ax.get_yticklabels()]
        assert labels == [row_label(row) for row in reversed(rows)]
        assert ax.xaxis.get_major_formatter().format_ticks([-1, -0.5, 0]) == [
            f"{MINUS}1",
            f"{MINUS}0,5",
            "0",
        ]
        assert ax.get_xlabel() == NET_AXIS
    finally:
        plt.close(fig)


def test_tornado_chart_shows_at_most_max_rows(full_tornado):
    assert len(full_tornado["rows"]) == 11
    fig = tornado_chart(full_tornado)
    try:
        ax = fig.axes[0]
        assert len(ax.get_yticklabels()) == 10
        assert sorted(_bars_by_row(ax)) == list(range(10))
    finally:
        plt.close(fig)


def test_tornado_labels_lie_inside_the_axes_and_type_is_readable(full_tornado):
    fig = tornado_chart(full_tornado, "HSVT: vad avgör nettot?")
    try:
        assert chart_problems(fig) == []
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        frame = ax.get_window_extent(renderer)
        labels = [t for t in ax.texts if t.get_text()]
        assert len(labels) == 2 * len(ax.get_yticks())  # a setting label at each end
        for label in labels:
            box = label.get_window_extent(renderer)
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1, label.get_text()
        ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert all("." not in t for t in ticks), ticks
    finally:
        plt.close(fig)


def test_a_setting_between_the_ends_is_marked_and_named_on_its_bar():
    # Both other window lengths cost more than the base 180 days: 90 days −2 mnkr, 365
    # days −1 mnkr against a base of +1 mnkr. The bar runs from −2 to +1 and 365 days,
    # in the middle, is named at its own net, not lost between the ends.
    base = 1_000_000.0
    window = ce.tornado_row(
        "window_days", [("days", 180, base), ("days", 90, -2e6), ("days", 365, -1e6)]
    )
    team_row = ce.tornado_row("team_cost", [("sek", 4e6, 2e6), ("sek", 6e6, 0.0)])
    fig = tornado_chart({"base_net_savings_sek": base, "rows": [window, team_row]})
    try:
        assert chart_problems(fig) == []
        ax = fig.axes[0]
        renderer = fig.canvas.get_renderer()
        texts = {t.get_text(): t for t in ax.texts}
        assert set(texts) == {
            "90 dagar",
            "180 dagar (basfall)",
            "365 dagar",
            f"4,0{NBSP}mnkr",
            f"6,0{NBSP}mnkr",
        }
        middle = texts["365 dagar"]
        assert middle.xy[0] == pytest.approx(-1.0)  # at its own net, in mnkr
        top_of_bar = max(p.get_y() + p.get_height() for p in _bars_by_row(ax)[1])
        box = middle.get_window_extent(renderer)
        frame = ax.get_window_extent(renderer)
        assert ax.transData.transform((0, top_of_bar))[1] <= box.y0  # above its bar
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1
        # The ends keep their labels: 90 days at the low end, the base's 180 at the high.
        assert texts["90 dagar"].xy[0] == pytest.approx(-2.0)
        assert texts["180 dagar (basfall)"].xy[0] == pytest.approx(1.0)
    finally:
        plt.close(fig)
    # With the base between the other two lengths, it is the base line: no tick, no label.
    around = ce.tornado_row(
        "window_days", [("days", 180, base), ("days", 90, -2e6), ("days", 365, 2e6)]
    )
    fig = tornado_chart({"base_net_savings_sek": base, "rows": [around, team_row]})
    try:
        labels = [t.get_text() for t in fig.axes[0].texts]
        assert sorted(labels) == sorted(
            ["90 dagar", "365 dagar", f"4,0{NBSP}mnkr", f"6,0{NBSP}mnkr"]
        )
        assert len(fig.axes[0].lines) == 2  # the base line and zero: no tick
    finally:
        plt.close(fig)


def test_an_unchanged_measure_reads_as_as_many_not_zero_percent_fewer():
    from narvard.report.cost_text import _change_sentence

    costs = dict(block(5_600_000))
    costs["avoided_use"] = {
        "inpatient_days": {"change_vs_expected_pct": -33.3},
        "er_visits": {"change_vs_expected_pct": 0.2},
    }
    assert _change_sentence(costs) == (
        "Jämfört med liknande patienter utan team hade patienterna under de första 180 dagarna "
        f"efter inskrivningen 33{NBSP}% färre vårddagar per levd dag än väntat, och lika många "
        "akutbesök som väntat."
    )
    costs["avoided_use"]["inpatient_days"]["change_vs_expected_pct"] = -0.4
    assert _change_sentence(costs).endswith(
        "lika många vårddagar och akutbesök per levd dag som väntat."
    )


def test_the_cost_section_explains_patients_per_year_and_a_hidden_net():
    from narvard.report.cost_text import hidden_net_note, patients_per_year_note
    from narvard.report.verdict import COST_HIDDEN

    costs = {"HSVT": dict(block(5_600_000))}
    years = costs["HSVT"]["enrolment_years"]
    assert years == pytest.approx(0.5)  # USE's enrolment
    note = patients_per_year_note(costs)
    assert "delat med de 0,5 år då en inskrivning kunde följas" in note
    # göteborgsområdet HSVT: 973 followed over 3,017 years = 322 a year, not 973 / 3,0
    costs["HSVT"]["enrolment_years"] = 3.0171115674195756
    assert "delat med de 3,02 år då" in patients_per_year_note(costs)
    assert "Besparingen räknas för varje ny patients första 180 dagar efter inskrivningen" in note
    assert patients_per_year_note({}) is None
    hidden = {"net_savings_sek": None, "n_patients": 231, "basis": "adjusted"}
    assert hidden_net_note(hidden | {"team_cost_sek": 7.1e6}, "HSVT") == f"**HSVT.** {COST_HIDDEN}"
    assert hidden_net_note(hidden | {"team_cost_sek": None}, "HSVT") is None  # not computable


def test_the_cost_table_notes_rounding_only_with_both_teams():
    from narvard.report.cost_text import ROUNDING_NOTE, cost_table_notes

    one = {"HSVT": dict(block(5_600_000))}
    assert ROUNDING_NOTE not in cost_table_notes(one)
    both = one | {"NSVT": dict(block(2_000_000)), "total": {"net_savings_sek": 1.0}}
    notes = cost_table_notes(both)
    assert notes[-1] == ROUNDING_NOTE and notes[0].startswith("Nya patienter per år")


def test_an_uncertain_saving_is_said_to_be_uncertain():
    """The gross saving a year is a point in an interval: where the interval reaches from
    more hospital care to less, the sentence says so (in the same mnkr)."""
    from narvard.report.cost_text import _savings_sentence

    costs = dict(block(5_600_000))
    sure = _savings_sentence(costs)
    assert sure.endswith("färre vårddagar).") and "osäkert" not in sure
    costs["annual_gross_savings_ci"] = [-480_000.0, 1_320_000.0]
    assert _savings_sentence(costs).endswith(
        f"färre vårddagar), men det är osäkert: med 95 % sannolikhet mellan 0,5{NBSP}mnkr mer "
        f"och 1,3{NBSP}mnkr mindre."
    )
