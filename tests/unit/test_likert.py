"""Diverging stacked bars: widths are the percentages, neutral straddles zero."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from chart_checks import chart_problems
from narvard.report.likert import (
    REVERSED_NOTE,
    bar_segments,
    colours,
    likert_chart,
    scale_parts,
    sides,
    survey_likert_charts,
)
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


def assert_labels_fit(fig) -> None:
    """Every percent label lies inside the bar segment it names (measured)."""
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    for text in ax.texts:
        box = text.get_window_extent(renderer)
        x, y = ax.transData.inverted().transform(((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))
        (patch,) = [p for p in ax.patches if p.contains_point(ax.transData.transform((x, y)))]
        assert box.width <= patch.get_window_extent(renderer).width, text.get_text()


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
    assert {f"40{NBSP}%", f"20{NBSP}%"} <= texts
    assert_labels_fit(fig)
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


# 10 substantive answers: 20 % disagree fully, 30 % rather, 10 % neutral, 10 % rather agree,
# 30 % agree fully; plus 2 "Ingen uppfattning".
AGREE = {
    "Stämmer inte alls": 2,
    "Stämmer ganska dåligt": 3,
    "Neutral": 1,
    "Stämmer ganska bra": 1,
    "Stämmer helt": 3,
    "Ingen uppfattning": 2,
}
FAVOURABLE_IF_REVERSED = ("Stämmer inte alls", "Stämmer ganska dåligt")


def _right_side(bars: dict, row: str) -> dict[str, float]:
    """Answers of a row drawn right of zero (the neutral middle excluded): label -> width."""
    return {
        gid.split("|")[-1]: width
        for gid, (left, width) in bars.items()
        if gid.startswith(f"{row}|")
        and left >= -1e-9
        and not gid.endswith("|Neutral")
        and not gid.endswith("|Ingen uppfattning")
    }


def test_reversed_item_has_its_favourable_answers_on_the_right():
    counts = {"m1": AGREE, "m2": AGREE}  # m1 negatively worded, m2 not
    fig = likert_chart(counts, "agree5", reversed_items={"m1"})
    bars = _bars(fig)
    # The favourable share is on the right in both rows: for m2 agreeing (40 %), for the
    # negatively worded m1 disagreeing (50 %).
    assert set(_right_side(bars, "m2")) == {"Stämmer ganska bra", "Stämmer helt"}
    assert sum(_right_side(bars, "m2").values()) == pytest.approx(40.0)
    assert set(_right_side(bars, "m1")) == set(FAVOURABLE_IF_REVERSED)
    assert sum(_right_side(bars, "m1").values()) == pytest.approx(50.0)
    # the mildest answer next to zero, the neutral still straddling it
    assert bars["m1|Stämmer ganska dåligt"] == pytest.approx((5.0, 30.0))
    assert bars["m1|Stämmer inte alls"] == pytest.approx((35.0, 20.0))
    assert bars["m1|Stämmer helt"] == pytest.approx((-45.0, 30.0))
    assert bars["m1|Neutral"] == bars["m2|Neutral"] == pytest.approx((-5.0, 10.0))
    plt.close(fig)


def test_colour_means_favourable_in_every_row():
    fig = likert_chart({"m1": AGREE, "m2": AGREE}, "agree5", reversed_items={"m1"})
    fills = {
        patch.get_gid(): (patch.get_facecolor(), patch.get_hatch()) for patch in fig.axes[0].patches
    }
    assert fills["m1|Stämmer inte alls"] == fills["m2|Stämmer helt"]  # strongest favourable
    assert fills["m1|Stämmer helt"] == fills["m2|Stämmer inte alls"]  # hatched, unfavourable
    assert fills["m1|Stämmer helt"][1] and not fills["m1|Stämmer inte alls"][1]
    plt.close(fig)


def test_reversed_rows_and_legend_say_so_in_swedish():
    fig = likert_chart(
        {"m1": AGREE, "m2": AGREE}, "agree5", {"m1": "Brister", "m2": "Bra"}, reversed_items={"m1"}
    )
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert REVERSED_NOTE in ticks[0] and REVERSED_NOTE not in ticks[1]
    (legend,) = fig.legends
    assert "negativt formulerade" in legend.get_title().get_text()
    labels = [t.get_text().replace("\n", " ") for t in legend.get_texts()]
    # column by column: each colour's answer for ordinary items, then for reversed ones
    assert labels[:2] == ["Stämmer inte alls", "Stämmer helt"]
    assert labels[-2:] == ["Stämmer helt", "Stämmer inte alls"]
    plt.close(fig)
    plain = likert_chart({"m2": AGREE}, "agree5")
    assert plain.legends[0].get_title().get_text() == ""
    plt.close(plain)


def test_a_chart_of_negatively_worded_items_only_has_one_legend_row_in_their_terms():
    # Only a reversed item is drawn: the legend names each colour by that item's answers
    # (dark hatched, unfavourable = "Stämmer helt"), with no row for ordinary items.
    fig = likert_chart({"m1": AGREE}, "agree5", {"m1": "Brister"}, reversed_items={"m1"})
    (legend,) = fig.legends
    labels = [t.get_text().replace("\n", " ") for t in legend.get_texts()]
    assert labels == [
        "Stämmer helt",
        "Stämmer ganska bra",
        "Neutral",
        "Stämmer ganska dåligt",
        "Stämmer inte alls",
    ]
    bars = {p.get_gid(): p for p in fig.axes[0].patches}
    swatches = legend.legend_handles
    assert swatches[0].get_facecolor() == bars["m1|Stämmer helt"].get_facecolor()
    assert swatches[-1].get_facecolor() == bars["m1|Stämmer inte alls"].get_facecolor()
    assert "vänd" in legend.get_title().get_text()
    plt.close(fig)
    # The caption points at the legend's lower row only where there is one.
    from narvard.report.notebook import likert_caption

    assert "nedre rad" in likert_caption(True) and "nedre rad" not in likert_caption(True, True)
    assert "vänd skala" in likert_caption(True, True)
    assert "vänd skala" not in likert_caption(False)


def test_sides_and_colours_of_a_reversed_frequency_item():
    assert sides("frequency5", reverse=True) == (("Alltid", "Ofta"), "Ibland", ("Sällan", "Aldrig"))
    assert colours("frequency5", reverse=True)["Aldrig"] == colours("frequency5")["Alltid"]
    assert sides("yes_no", reverse=True) == (("Ja",), None, ("Nej",))


def test_survey_charts_read_the_reversed_column():
    questions = pd.DataFrame(
        {
            "survey_id": "managers",
            "question_id": ["m1", "m2"],
            "question_text": ["Det finns brister", "Det fungerar"],
            "scale": "agree5",
            "order": [1, 2],
            "reversed": ["1", ""],
        }
    )
    answers = [label for label, n in AGREE.items() for _ in range(n)]
    responses = pd.DataFrame(
        {
            "survey_id": "managers",
            "question_id": ["m1"] * len(answers) + ["m2"] * len(answers),
            "respondent_group": "kommun",
            "answer": answers * 2,
        }
    )
    (fig,) = survey_likert_charts(questions, responses, "managers")
    bars = _bars(fig)
    assert set(_right_side(bars, "m1")) == set(FAVOURABLE_IF_REVERSED)
    assert set(_right_side(bars, "m2")) == {"Stämmer ganska bra", "Stämmer helt"}
    plt.close(fig)


def test_likert_chart_checks():
    labels = {
        "m1": "Det finns ett bristande intresse från motparten (vårdcentral respektive kommun) "
        "att samverka i mobila vårdteam.",
        "m2": "Läkarstödet i mobila vårdteam fungerar bättre när det ges av ett fåtal läkare.",
    }
    fig = likert_chart(
        {"m1": AGREE, "m2": AGREE}, "agree5", labels, "Chefsenkät", reversed_items={"m1"}
    )
    assert chart_problems(fig) == []
    assert_labels_fit(fig)
    plt.close(fig)
