"""Diverging stacked bars: widths are the percentages, neutral straddles zero."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from narvard.report.likert import bar_segments, likert_chart, scale_parts, survey_likert_charts
from narvard.stats.surveys import label_counts, survey_label_counts

NBSP = "\u00a0"
# 10 substantive answers: 10 %, 10 %, 20 %, 40 %, 20 %
FREQUENCY = {"Aldrig": 1, "Sällan": 1, "Ibland": 2, "Ofta": 4, "Alltid": 2}


def _bars(fig) -> dict[str, tuple[float, float]]:
    """gid -> (left, width) of every bar rectangle in the figure."""
    return {
        patch.get_gid(): (patch.get_x(), patch.get_width())
        for ax in fig.axes
        for patch in ax.patches
        if patch.get_gid()
    }


def test_scale_parts():
    assert scale_parts("frequency5") == (("Aldrig", "Sällan"), "Ibland", ("Ofta", "Alltid"))
    negative, neutral, positive = scale_parts("agree5")
    assert (neutral, positive[-1]) == ("Neutral", "Stämmer helt")
    assert scale_parts("yes_no") == (("Nej",), None, ("Ja",))


def test_label_counts_in_questionnaire_order():
    answers = ["Ja", "Nej", "", "Ja", "Vet ej", "kanske", None]
    assert label_counts(answers, "yes_no") == {"Ja": 2, "Nej": 1, "Vet ej": 1}
    assert list(label_counts([], "agree5"))[-1] == "Ingen uppfattning"


def test_segments_by_hand():
    layout = bar_segments(FREQUENCY, "frequency5")
    assert layout["n"] == 10
    assert layout["segments"] == {
        "Ibland": pytest.approx((-10.0, 20.0)),
        "Sällan": pytest.approx((-20.0, 10.0)),
        "Aldrig": pytest.approx((-30.0, 10.0)),
        "Ofta": pytest.approx((10.0, 40.0)),
        "Alltid": pytest.approx((50.0, 20.0)),
    }


def test_figure_bar_widths_equal_the_percentages():
    fig = likert_chart({"q1": FREQUENCY}, "frequency5", {"q1": "Får du den vård du behöver?"})
    bars = _bars(fig)
    assert bars["q1|Ibland"] == pytest.approx((-10.0, 20.0))  # neutral centred on zero
    assert bars["q1|Aldrig"] == pytest.approx((-30.0, 10.0))
    assert bars["q1|Ofta"] == pytest.approx((10.0, 40.0))
    assert bars["q1|Alltid"] == pytest.approx((50.0, 20.0))
    # the positive side adds up to the share positive (6 of 10)
    assert bars["q1|Ofta"][1] + bars["q1|Alltid"][1] == pytest.approx(60.0)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {f"40{NBSP}%", f"20{NBSP}%", f"10{NBSP}%"} <= texts
    tick = fig.axes[0].get_yticklabels()[0].get_text()
    assert tick.endswith(f"(n{NBSP}={NBSP}10)")
    assert len(fig.axes) == 1  # frequency5 has no "no opinion" answer
    plt.close(fig)


def test_no_opinion_is_shown_apart_and_groups_get_rows():
    counts = {
        "m1": {
            "kommun": {
                "Stämmer inte alls": 1,
                "Neutral": 2,
                "Stämmer helt": 1,
                "Ingen uppfattning": 1,
            },
            "vårdcentral": {"Stämmer ganska dåligt": 3, "Stämmer ganska bra": 1},
        }
    }
    fig = likert_chart(counts, "agree5")
    bars = _bars(fig)
    assert bars["m1|kommun|Neutral"] == pytest.approx((-25.0, 50.0))
    assert bars["m1|kommun|Stämmer inte alls"] == pytest.approx((-50.0, 25.0))
    assert bars["m1|kommun|Stämmer helt"] == pytest.approx((25.0, 25.0))
    assert bars["m1|vårdcentral|Stämmer ganska dåligt"] == pytest.approx((-75.0, 75.0))
    assert bars["m1|vårdcentral|Neutral"] == pytest.approx((0.0, 0.0))
    # Ingen uppfattning: 1 of all 5 answers, in its own panel
    assert bars["m1|kommun|Ingen uppfattning"] == pytest.approx((0.0, 20.0))
    assert len(fig.axes) == 2
    assert fig.axes[1].get_title() == "Ingen\nuppfattning"
    plt.close(fig)


def test_yes_no_has_no_neutral():
    fig = likert_chart({"q": {"Ja": 3, "Nej": 1, "Vet ej": 4}}, "yes_no")
    bars = _bars(fig)
    assert bars["q|Nej"] == pytest.approx((-25.0, 25.0))
    assert bars["q|Ja"] == pytest.approx((0.0, 75.0))
    assert bars["q|Vet ej"] == pytest.approx((0.0, 50.0))
    plt.close(fig)


def test_survey_charts_from_long_answers():
    questions = pd.DataFrame(
        {
            "survey_id": "patient",
            "question_id": ["q2", "q1", "q3"],
            "question_text": ["Andra", "Första", "Öppen"],
            "scale": ["frequency5", "frequency5", "open"],
            "order": [2, 1, 3],
        }
    )
    responses = pd.DataFrame(
        {
            "survey_id": "patient",
            "question_id": ["q1", "q1", "q2", "q2", "q3"],
            "respondent_group": ["HSVT", "NSVT", "HSVT", "HSVT", "HSVT"],
            "answer": ["Ofta", "Aldrig", "Alltid", "", "fritext"],
        }
    )
    assert survey_label_counts(questions, responses, "patient") == {
        "q1": {"Aldrig": 1, "Sällan": 0, "Ibland": 0, "Ofta": 1, "Alltid": 0},
        "q2": {"Aldrig": 0, "Sällan": 0, "Ibland": 0, "Ofta": 0, "Alltid": 1},
    }
    by_group = survey_label_counts(questions, responses, "patient", by_group=True)
    assert by_group["q1"]["NSVT"]["Aldrig"] == 1
    (fig,) = survey_likert_charts(questions, responses, "patient", by_group=True)
    bars = _bars(fig)
    assert bars["q1|NSVT|Aldrig"] == pytest.approx((-100.0, 100.0))
    assert bars["q2|HSVT|Alltid"] == pytest.approx((0.0, 100.0))
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[0].startswith("Första\nHemsjukvårdsteam (HSVT)")  # questionnaire order
    plt.close(fig)
