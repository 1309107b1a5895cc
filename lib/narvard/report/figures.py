"""Report figures, each a function of an area's results (never of raw data).

Colours come from the Okabe–Ito palette, which stays distinguishable with colour-blindness
and in greyscale; bars also carry hatching so before/after read in print. Seaborn draws
what it can from a tidy table (the bars, the monthly lines); the intervals of the monthly
chart are computed elsewhere (results.json), so their bands are drawn with matplotlib.
Every chart is at most ``FIGURE_WIDTH_IN`` wide with type of at least 9 pt
(``chart_style``), and its ticks are labelled in Swedish.
"""

from __future__ import annotations

import math
import re

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from narvard.domain import MEASURE_NAMES, MEASURES, group_name
from narvard.report import formatting as fmt
from narvard.report.chart_style import FIGURE_WIDTH_IN, MONTH_STEPS, chart, swedish_ticks

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
BEFORE_COLOUR, AFTER_COLOUR = "#999999", "#0072B2"
PERIODS = {"before": "Före", "after": "Efter"}
AFTER_HATCH = "//"
BAR_WIDTH = 0.8  # seaborn's default: two bars per group at −0,2 and +0,2
# Three groups share a half-width panel: the comparison group (Jämförelsegrupp i området)
# named by what it is, on two short lines (the caption says it is the comparison group).
GROUP_TICKS = {"comparison": "Utan team\ni området"}
COMPARISON_COLOUR, BAND_ALPHA, PERIOD_SHADE = "#555555", 0.18, "#E8E8E8"
TEAM_SERIES, COMPARISON_SERIES = "team", "comparison"


def _panels(height: float) -> tuple[Figure, list]:
    """A 2 × 2 grid, one panel per measure, as wide as a chart may be."""
    fig, axes = plt.subplots(2, 2, figsize=(FIGURE_WIDTH_IN, height), layout="constrained")
    return fig, list(axes.flat)


def consumption_frame(results: dict) -> pd.DataFrame:
    """Mean use per patient as a tidy table: measure, group, period (Före/Efter), mean
    (NaN where disclosure control hid the figure)."""
    rows = []
    for group, block in results["consumption"].items():
        for measure in MEASURES:
            for period, name in PERIODS.items():
                value = block["measures"][measure][f"{period}_mean"]
                rows.append(
                    {
                        "measure": measure,
                        "group": GROUP_TICKS.get(group, group),
                        "period": name,
                        "mean": float("nan") if value is None else float(value),
                    }
                )
    return pd.DataFrame(rows, columns=["measure", "group", "period", "mean"])


@chart
def consumption_chart(results: dict) -> Figure:
    """Mean use per patient before and after the index date, one panel per measure
    (seaborn bars; a hidden figure shows as "–" instead of a bar)."""
    frame = consumption_frame(results)
    groups = list(dict.fromkeys(frame["group"]))
    fig, axes = _panels(5.2)
    for k, (ax, measure) in enumerate(zip(axes, MEASURES, strict=True)):
        data = frame[frame["measure"] == measure]
        sns.barplot(
            data=data,
            x="group",
            y="mean",
            hue="period",
            order=groups,
            hue_order=list(PERIODS.values()),
            palette=[BEFORE_COLOUR, AFTER_COLOUR],
            errorbar=None,
            width=BAR_WIDTH,
            saturation=1,
            legend=False,
            ax=ax,
        )
        for patch in ax.containers[-1].patches if len(ax.containers) > 1 else ():
            patch.set_hatch(AFTER_HATCH)
        _mark_hidden(ax, data, groups)
        ax.set_title(MEASURE_NAMES[measure])
        ax.set_xlabel("")
        ax.set_ylabel("Medel per patient" if k % 2 == 0 else "")
        swedish_ticks(ax.yaxis)
    fig.legend(
        handles=[
            Patch(facecolor=BEFORE_COLOUR, edgecolor="white", label=PERIODS["before"]),
            Patch(
                facecolor=AFTER_COLOUR, edgecolor="white", hatch=AFTER_HATCH, label=PERIODS["after"]
            ),
        ],
        loc="outside upper center",
        ncols=2,
        frameon=False,
    )
    return fig


def _mark_hidden(ax, data: pd.DataFrame, groups: list[str]) -> None:
    """A "–" at the foot of every bar that disclosure control hid."""
    for row in data[data["mean"].isna()].itertuples():
        offset = BAR_WIDTH / 4 * (1 if row.period == PERIODS["after"] else -1)
        ax.text(groups.index(row.group) + offset, 0, fmt.SUPPRESSED, ha="center", va="bottom")


def wrap_label(text: str, width: int = 48) -> str:
    """Break a long question text into lines of at most `width` characters (axis labels).
    Only ordinary spaces break: "n = 12" and "21 %" stay on one line."""
    words, lines, line = [w for w in re.split(r"[ \t\r\n]+", text) if w], [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def event_frame(block: dict) -> pd.DataFrame:
    """The monthly event study as a tidy table: measure, series (team / comparison scaled
    to the team's level), month, rate, ci_low, ci_high and segment, a run of months with a
    rate (a hidden month breaks the line instead of being bridged)."""
    study = block["event_study"]
    rows = []
    for measure in MEASURES:
        data = study["measures"][measure]
        series = {TEAM_SERIES: (data["team"]["rate"], data["team"]["ci"])}
        if data.get("comparison_scaled"):
            series[COMPARISON_SERIES] = (data["comparison_scaled"], [None] * len(study["months"]))
        for name, (rates, cis) in series.items():
            segment = 0
            for month, rate, ci in zip(study["months"], rates, cis, strict=True):
                segment += rate is None
                rows.append(
                    {
                        "measure": measure,
                        "series": name,
                        "month": month,
                        "rate": math.nan if rate is None else rate,
                        "ci_low": ci[0] if ci and ci[0] is not None else math.nan,
                        "ci_high": ci[1] if ci and ci[1] is not None else math.nan,
                        "segment": f"{name}-{segment}",
                    }
                )
    columns = ["measure", "series", "month", "rate", "ci_low", "ci_high", "segment"]
    return pd.DataFrame(rows, columns=columns)


@chart
def event_study_chart(block: dict, group: str) -> Figure:
    """Care use per 30 days alive, month by month around the index date: the team's patients
    (with 95 % band) and the comparison patients scaled to the team's baseline level."""
    frame = event_frame(block)
    window_months = block["event_study"]["window_days"] / 30
    fig, axes = _panels(5.4)
    for k, (ax, measure) in enumerate(zip(axes, MEASURES, strict=True)):
        data = frame[frame["measure"] == measure]
        ax.axvspan(-2 * window_months - 0.5, -window_months - 0.5, color=PERIOD_SHADE, lw=0)
        ax.axvline(-0.5, color="#999999", linewidth=0.8)
        team = data[data["series"] == TEAM_SERIES]
        ax.fill_between(
            team["month"],
            team["ci_low"],
            team["ci_high"],
            color=OKABE_ITO[0],
            alpha=BAND_ALPHA,
            linewidth=0,
        )
        sns.lineplot(
            data=data.dropna(subset=["rate"]),
            x="month",
            y="rate",
            hue="series",
            style="series",
            units="segment",
            estimator=None,
            palette={TEAM_SERIES: OKABE_ITO[0], COMPARISON_SERIES: COMPARISON_COLOUR},
            dashes={TEAM_SERIES: "", COMPARISON_SERIES: (4, 2)},
            markers={TEAM_SERIES: "o", COMPARISON_SERIES: "s"},
            markersize=3.5,
            markeredgewidth=0,
            linewidth=1.2,
            legend=False,
            ax=ax,
        )
        ax.set_title(MEASURE_NAMES[measure])
        ax.set_xlabel("Månad från inskrivningen" if k >= 2 else "")
        ax.set_ylabel("Per 30 levda dagar" if k % 2 == 0 else "")
        swedish_ticks(ax.xaxis, steps=MONTH_STEPS, integer=True)
        swedish_ticks(ax.yaxis)
    fig.legend(handles=_event_legend(group), loc="outside lower center", ncols=2, frameon=False)
    return fig


def _event_legend(group: str) -> list:
    return [
        Line2D([], [], color=OKABE_ITO[0], marker="o", markersize=4, label=group_name(group)),
        Patch(color=OKABE_ITO[0], alpha=BAND_ALPHA, label=f"95{fmt.NBSP}% KI"),
        Line2D(
            [],
            [],
            color=COMPARISON_COLOUR,
            linestyle="--",
            marker="s",
            markersize=4,
            label="Liknande utan team, omräknade till teamets nivå",
        ),
        Patch(color=PERIOD_SHADE, label="Referensperiod (före inskrivningen)"),
    ]
