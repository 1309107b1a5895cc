"""Tornado chart of the cost-effect sensitivity analysis (``stats.cost_effect.tornado``).

One horizontal bar per input, largest swing on top: the bar spans the net savings per
year over the input's settings, drawn from the base case; a setting between the two ends
(the window lengths, when both other lengths fall on one side of the base) is a tick on
the bar with its label above it. The part where the net is
worse than the base is vermillion and hatched, the part where it is better is blue
(Okabe–Ito: distinguishable with colour-blindness and, through the hatching, in grey).
Amounts are in mnkr with Swedish number format.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from narvard.report import net_text
from narvard.report.chart_style import FIGURE_WIDTH_IN, chart, fit_texts_in_x, swedish_ticks
from narvard.report.cost_text import row_label, setting_label

WORSE_COLOUR, BETTER_COLOUR = "#D55E00", "#0072B2"  # Okabe–Ito vermillion and blue
BASE_COLOUR, ZERO_COLOUR = "#000000", "#999999"
MILLION = 1e6
LABEL_GAP_PT = 4.0  # between a bar's end and its setting label
BAR_HEIGHT = 0.55  # of a row's pitch: room above each bar for a middle setting's label
# Worse and better whatever the base case's sign: "a lower net" read as a lower cost.
WORSE_LABEL = "Sämre för ekonomin än basfallet"
BETTER_LABEL = "Bättre för ekonomin än basfallet"
CAPTION = (
    "Varje stapel visar nettot per år när ett antagande ändras. Längre åt vänster betyder "
    "att teamen kostar mer (eller sparar mindre) än i basfallet; längst stapel betyder "
    "störst betydelse."
)


def _mnkr_axis(ax) -> None:
    swedish_ticks(ax.xaxis)
    ax.set_xlabel(net_text.NET_AXIS)


def _draw_row(ax, y: float, row: Mapping, base: float) -> list:
    """The worse and better parts of one bar, and the setting labels at the ends."""
    low, high = row["low_sek"] / MILLION, row["high_sek"] / MILLION
    bar = {"height": BAR_HEIGHT, "edgecolor": "white"}
    if low < base:
        ax.barh(y, base - low, left=low, color=WORSE_COLOUR, hatch="//", **bar)
    if high > base:
        ax.barh(y, high - base, left=base, color=BETTER_COLOUR, **bar)
    settings = sorted(row["settings"], key=lambda s: s["net_savings_sek"])
    # A middle setting at the base case is the base line itself: not marked again.
    middle = [s for s in settings[1:-1] if s["net_savings_sek"] / MILLION != base]
    texts = [_middle_setting(ax, y, s) for s in middle]
    for setting, value, align, sign in (
        (settings[0], low, "right", -1),
        (settings[-1], high, "left", 1),
    ):
        texts.append(
            ax.annotate(
                _end_label(setting, base),
                (value, y),
                xytext=(sign * LABEL_GAP_PT, 0),
                textcoords="offset points",
                va="center",
                ha=align,
                annotation_clip=False,
            )
        )
    return texts


BASE_MARK = " (basfall)"


def _end_label(setting: Mapping, base: float) -> str:
    """A setting's label; the base case's window length says it is the base (a unit
    cost's or a team cost's two ends are both other than the base; the method's and the
    comparison's base settings name themselves as the report's)."""
    label = setting_label(setting)
    at_base = setting["net_savings_sek"] / MILLION == base
    return label + BASE_MARK if at_base and setting["kind"] == "days" else label


def _middle_setting(ax, y: float, setting: Mapping):
    """A setting between the bar's ends: a tick across the bar, its label just above."""
    value = setting["net_savings_sek"] / MILLION
    half = BAR_HEIGHT / 2
    ax.plot([value, value], [y - half, y + half], color=BASE_COLOUR, linewidth=1.5)
    return ax.annotate(
        setting_label(setting),
        (value, y + half),
        xytext=(0, 1),
        textcoords="offset points",
        va="bottom",
        ha="center",
        annotation_clip=False,
    )


@chart
def tornado_chart(tornado: Mapping, title: str | None = None, max_rows: int = 10) -> Figure:
    """Horizontal tornado bars of a results.json tornado (Swedish labels).

    A black line marks the base case, a dashed grey line zero (the teams pay for
    themselves). At most ``max_rows`` bars, largest swing on top. The x-axis is widened
    until every setting label lies inside the axes (measured, not guessed).
    """
    rows = list(tornado["rows"])[:max_rows]
    base = tornado["base_net_savings_sek"] / MILLION
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH_IN, 0.5 * len(rows) + 1.8), layout="constrained")
    texts = []
    for position, row in enumerate(rows):
        texts += _draw_row(ax, len(rows) - 1 - position, row, base)
    ax.set_yticks(range(len(rows)), [textwrap.fill(row_label(row), 26) for row in reversed(rows)])
    ax.axvline(base, color=BASE_COLOUR, linewidth=1)
    ax.axvline(0, color=ZERO_COLOUR, linewidth=1, linestyle="--")
    _mnkr_axis(ax)
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(handles=_legend(base), frameon=False, loc="outside lower center", ncols=2)
    if title:
        ax.set_title(title)
    _pad_limits(ax, rows, base)
    ax.set_ylim(-0.5, len(rows) - 0.3)  # room for a middle label above the top bar
    fig.draw_without_rendering()
    fit_texts_in_x(ax, texts)
    return fig


def _pad_limits(ax, rows, base: float) -> None:
    """The bars, the base case and zero, with a little room on both sides."""
    values = [base, 0.0] + [r["low_sek"] / MILLION for r in rows]
    values += [r["high_sek"] / MILLION for r in rows]
    low, high = min(values), max(values)
    span = max(high - low, 0.1)
    ax.set_xlim(low - 0.05 * span, high + 0.05 * span)


def _legend(base: float) -> list:
    return [
        Patch(facecolor=WORSE_COLOUR, hatch="//", edgecolor="white", label=WORSE_LABEL),
        Patch(facecolor=BETTER_COLOUR, edgecolor="white", label=BETTER_LABEL),
        plt.Line2D([], [], color=BASE_COLOUR, label=f"Basfall: {net_text.short(base * MILLION)}"),
        plt.Line2D([], [], color=ZERO_COLOUR, linestyle="--", label="Går jämnt ut (0)"),
    ]
