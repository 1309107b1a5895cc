"""Report figures, each a function of an area's results (never of raw data).

Colours come from the Okabe–Ito palette, which stays distinguishable with colour-blindness
and in greyscale; bars also carry hatching so before/after read in print.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from narvard.domain import MEASURE_NAMES, MEASURES, group_name
from narvard.report import formatting as fmt

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
BEFORE_COLOUR, AFTER_COLOUR = "#999999", "#0072B2"


def _swedish_axis(ax, decimals: int = 1) -> None:
    ax.yaxis.set_major_formatter(lambda value, _pos: fmt.number(value, decimals))


def consumption_chart(results: dict) -> Figure:
    """Mean use per patient before and after the index date, one panel per measure."""
    groups = list(results["consumption"])
    fig, axes = plt.subplots(1, len(MEASURES), figsize=(12, 3.6), layout="constrained")
    for ax, measure in zip(axes, MEASURES, strict=True):
        positions = range(len(groups))
        for offset, period, colour, hatch in (
            (-0.2, "before", BEFORE_COLOUR, ""),
            (0.2, "after", AFTER_COLOUR, "//"),
        ):
            values = [
                results["consumption"][g]["measures"][measure][f"{period}_mean"] for g in groups
            ]
            heights = [v if v is not None else 0 for v in values]
            ax.bar(
                [p + offset for p in positions],
                heights,
                width=0.4,
                color=colour,
                hatch=hatch,
                edgecolor="white",
                label="Före" if period == "before" else "Efter",
            )
        ax.set_xticks(list(positions), [g if g != "comparison" else "Jämf." for g in groups])
        ax.set_title(MEASURE_NAMES[measure], fontsize=10)
        _swedish_axis(ax)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylabel("Medel per patient och period")
    axes[0].legend(frameon=False)
    return fig


def wrap_label(text: str, width: int = 48) -> str:
    """Break a long question text into lines of at most `width` characters (axis labels)."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def event_study_chart(block: dict, group: str) -> Figure:
    """Care use per 30 days alive, month by month around the index date: the team's patients
    (with 95 % band) and the comparison patients scaled to the team's baseline level."""
    study = block["event_study"]
    months = study["months"]
    window_months = study["window_days"] / 30
    fig, axes = plt.subplots(1, len(MEASURES), figsize=(12, 3.4), layout="constrained")
    for ax, measure in zip(axes, MEASURES, strict=True):
        data = study["measures"][measure]
        ax.axvspan(-2 * window_months - 0.5, -window_months - 0.5, color="#E8E8E8", lw=0)
        ax.axvline(-0.5, color="#999999", linewidth=0.8)
        _band(ax, months, data["team"]["rate"], data["team"]["ci"], OKABE_ITO[0], "-", "o")
        scaled = data.get("comparison_scaled")
        if scaled:
            ax.plot(
                months,
                _values(scaled),
                color="#555555",
                linestyle="--",
                marker="s",
                markersize=2.5,
                linewidth=1,
            )
        ax.set_title(MEASURE_NAMES[measure], fontsize=10)
        ax.set_xlabel("Månad från indexdatum")
        ax.xaxis.set_major_formatter(lambda value, _pos: fmt.number(value))
        _swedish_axis(ax, 2)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylabel("Per 30 levda dagar")
    axes[0].legend(handles=_event_legend(group), frameon=False, fontsize=8, loc="upper left")
    return fig


def _values(series: list) -> list[float]:
    return [v if v is not None else float("nan") for v in series]


def _band(ax, months, rates, cis, colour, line, marker) -> None:
    ax.plot(months, _values(rates), color=colour, linestyle=line, marker=marker, markersize=2.5)
    low = [c[0] if c else float("nan") for c in cis]
    high = [c[1] if c else float("nan") for c in cis]
    ax.fill_between(months, low, high, color=colour, alpha=0.18, linewidth=0)


def _event_legend(group: str) -> list:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    return [
        Line2D([], [], color=OKABE_ITO[0], marker="o", markersize=3, label=group_name(group)),
        Patch(color=OKABE_ITO[0], alpha=0.18, label="95 % KI"),
        Line2D(
            [],
            [],
            color="#555555",
            linestyle="--",
            marker="s",
            markersize=3,
            label="Jämförelsepatienter, i teamets nivå",
        ),
        Patch(color="#E8E8E8", label="Jämförelseperiod"),
    ]


def funnel_chart(all_results: list[dict], group: str, measure: str = "inpatient_days") -> Figure:
    """Adjusted change per area against its number of patients, with 95 % and 99,8 % limits
    around the pooled estimate, so that small areas are not ranked on noise."""
    import math

    points = []
    for results in all_results:
        block = results["consumption"].get(group, {})
        did = block.get("did", {}).get(measure, {})
        ratio, ci, n = did.get("rate_ratio"), did.get("ci"), did.get("n_team")
        if ratio and ci and n and ci[0] and ci[1] and ratio > 0:
            se = (math.log(ci[1]) - math.log(ci[0])) / (2 * 1.96)
            points.append((results["area_name"], n, math.log(ratio), se))
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    if points:
        weights = [1 / p[3] ** 2 for p in points]
        pooled = sum(w * p[2] for w, p in zip(weights, points, strict=True)) / sum(weights)
        spread = sorted(p[3] * math.sqrt(p[1]) for p in points)[len(points) // 2]
        ns = range(max(5, min(p[1] for p in points) // 2), max(p[1] for p in points) * 6 // 5)
        for z, style in ((1.96, "--"), (3.09, ":")):
            for sign in (-1, 1):
                ax.plot(
                    list(ns),
                    [100 * (math.exp(pooled + sign * z * spread / math.sqrt(n)) - 1) for n in ns],
                    color="#777777",
                    linestyle=style,
                    linewidth=1,
                )
        ax.axhline(100 * (math.exp(pooled) - 1), color="#333333", linewidth=1)
        for name, n, log_ratio, _se in points:
            ax.plot(n, 100 * (math.exp(log_ratio) - 1), "o", color=OKABE_ITO[0])
            ax.annotate(
                name,
                (n, 100 * (math.exp(log_ratio) - 1)),
                fontsize=8,
                xytext=(4, 3),
                textcoords="offset points",
            )
    low, high = ax.get_ylim()
    ax.set_ylim(max(low, -100), min(high, 200))  # limits for tiny areas would dwarf the rest
    ax.set_xlabel(f"Antal {group}-patienter i jämförelsen")
    ax.set_ylabel("Justerad förändring, %")
    ax.yaxis.set_major_formatter(lambda v, _p: fmt.percent(v))
    ax.set_title(
        f"{MEASURE_NAMES[measure]}, {group}: förändring jämfört med liknande patienter",
        fontsize=10,
        loc="left",
    )
    ax.spines[["top", "right"]].set_visible(False)
    return fig
