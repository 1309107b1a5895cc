"""Swedish tick labels: decimal comma, true minus, decimals that follow the tick step."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from narvard.report.chart_style import (
    SwedishTicks,
    chart,
    decimals_needed,
    row_major,
    swedish_ticks,
    trim_zeros,
)

NBSP, MINUS = "\u00a0", "\u2212"


def tick_labels(low: float, high: float, axis: str = "y", **options) -> list[str]:
    """The labels of the visible major ticks of an axis spanning low..high."""

    @chart
    def build():
        fig, ax = plt.subplots(figsize=(4, 3))
        getattr(ax, f"set_{axis}lim")(low, high)
        swedish_ticks(getattr(ax, f"{axis}axis"), **options)
        return fig

    fig = build()
    try:
        ticks = getattr(fig.axes[0], f"get_{axis}ticklabels")()
        locations = getattr(fig.axes[0], f"get_{axis}ticks")()
        return [t.get_text() for t, v in zip(ticks, locations, strict=True) if low <= v <= high]
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    ("low", "high", "nbins", "expected"),
    [
        (0, 1.6, 4, ["0", "0,5", "1", "1,5"]),
        (0, 1.0, 4, ["0", "0,25", "0,5", "0,75", "1"]),
        (-10, 10, 4, [f"{MINUS}10", f"{MINUS}5", "0", "5", "10"]),
        (0, 0.24, 5, ["0", "0,05", "0,1", "0,15", "0,2"]),
        (0, 4200, 5, ["0", f"1{NBSP}000", f"2{NBSP}000", f"3{NBSP}000", f"4{NBSP}000"]),
    ],
)
def test_ticks_of_a_known_range_are_exact_swedish_strings(low, high, nbins, expected):
    assert tick_labels(low, high, nbins=nbins) == expected


def test_the_rounding_the_reviewer_found_cannot_happen():
    # 0,25 / 0,5 / 0,75 once came out as "0,2 0,5 0,8"; every label must be distinct
    # and name its tick exactly.
    for low, high in [(0, 1), (0, 0.75), (0.1, 0.9), (0, 2.5), (-0.3, 0.3), (0, 0.012)]:
        labels = tick_labels(low, high)
        assert len(set(labels)) == len(labels), labels
        assert not any("." in label for label in labels), labels
        for text in labels:
            value = float(text.replace(MINUS, "-").replace(NBSP, "").replace(",", "."))
            assert low - 1e-9 <= value <= high + 1e-9


def test_months_step_in_sixes():
    assert tick_labels(-18.5, 11.5, axis="x", steps=(1, 2, 3, 6, 10), integer=True) == [
        f"{MINUS}18",
        f"{MINUS}12",
        f"{MINUS}6",
        "0",
        "6",
    ]


def test_percent_suffix_and_absolute_values():
    labels = tick_labels(-100, 100, axis="x", suffix=f"{NBSP}%", absolute=True, nbins=4)
    assert labels == [f"100{NBSP}%", f"50{NBSP}%", f"0{NBSP}%", f"50{NBSP}%", f"100{NBSP}%"]


def test_formatter_called_alone_keeps_the_value():
    formatter = SwedishTicks()
    assert formatter(0.5) == "0,5"
    assert formatter(-5.0) == f"{MINUS}5"
    assert formatter(-1e-17) == "0"  # no "−0" from floating-point noise
    formatter.set_locs([-0.5, -0.25, 0.0, 0.25])
    assert [formatter(v) for v in (-0.5, -0.25, 0.0, 0.25)] == [
        f"{MINUS}0,5",
        f"{MINUS}0,25",
        "0",
        "0,25",
    ]


def test_decimals_and_trimming():
    assert decimals_needed([0, 0.25, 0.5]) == 2
    assert decimals_needed([0, 5, 10]) == 0
    assert decimals_needed([0.1 * 3, 0.6]) == 1  # 0.30000000000000004 is 0,3
    assert trim_zeros("1,50") == "1,5"
    assert trim_zeros("2,0") == "2"
    assert trim_zeros("100") == "100"


def test_row_major_legend_order():
    handles, labels = row_major(list("abcde"), list("ABCDE"), ncols=3)
    # matplotlib fills columns top to bottom: columns (a, d), (b, e), (c) read as rows a b c / d e
    assert labels == ["A", "D", "B", "E", "C"]
    assert handles == ["a", "d", "b", "e", "c"]
