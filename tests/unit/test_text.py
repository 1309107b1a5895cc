"""The effect section's sentences (``narvard.report.text``): the pre-trend test in words."""

from __future__ import annotations

from narvard.report.text import pre_trend_text


def block(**tests) -> dict:
    """An event study whose pre-trend tests are given per measure as (ratio, low, high, p)."""
    measures = {
        m: {"pre_trend": {"months": [-18, -7], "ratio_per_year": r, "ci": [lo, hi], "p_value": p}}
        for m, (r, lo, hi, p) in tests.items()
    }
    return {"event_study": {"measures": measures}}


def test_narrow_intervals_without_a_sure_difference_read_as_alike():
    text = pre_trend_text(block(inpatient_days=(1.05, 0.9, 1.2, 0.5)), "HSVT")
    assert text.startswith("Före inskrivningsperioden (månad −18 till −7) utvecklades vården")
    assert "Det stöder antagandet bakom effektskattningen." in text


def test_wide_intervals_are_not_read_as_alike():
    # Fyrbodal HSVT bed days in the demo: ×1,20 a year (0,85–1,71); not sure, not alike.
    text = pre_trend_text(
        block(inpatient_days=(1.20, 0.85, 1.71, 0.3), er_visits=(1.0, 0.9, 1.1, 0.9)), "HSVT"
    )
    assert "utvecklades vården likartat" not in text and "stöder" not in text
    assert "för vårddagar i slutenvård är osäkerheten så stor" in text
    assert "akutbesök" not in text  # its interval is narrow


def test_a_sure_difference_is_named_with_its_change_per_year():
    text = pre_trend_text(block(er_visits=(1.5, 1.2, 1.9, 0.001)), "NSVT")
    assert "utvecklades vården olika" in text and "akutbesök utan inläggning (+50" in text
