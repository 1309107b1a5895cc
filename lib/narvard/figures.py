"""Report figures, each a function of an area's results (never of raw data).

Colours come from the Okabe–Ito palette, which stays distinguishable with colour-blindness
and in greyscale; bars also carry hatching so before/after read in print.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from narvard import formatting as fmt
from narvard.consumption import MEASURES
from narvard.labels import MEASURE_NAMES, group_name

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


def survey_chart(survey: dict, title: str) -> Figure:
    """Share positive per question and respondent group (horizontal bars, questionnaire order)."""
    items = list(survey["items"].items())
    groups = sorted({g for _, item in items for g in item if g != "all"})
    height = 0.8 / max(len(groups), 1)
    fig, ax = plt.subplots(
        figsize=(10, 0.6 + 0.55 * len(items) * max(len(groups), 1) ** 0.5), layout="constrained"
    )
    for k, group in enumerate(groups):
        shares = [item.get(group, {}).get("share_positive") for _, item in items]
        ys = [i + (k - (len(groups) - 1) / 2) * height for i in range(len(items))]
        ax.barh(
            ys,
            [100 * s if s is not None else 0 for s in shares],
            height=height,
            color=OKABE_ITO[k % len(OKABE_ITO)],
            label=group_name(group),
        )
        for y, s in zip(ys, shares, strict=True):
            label = fmt.share(s) if s is not None else fmt.SUPPRESSED
            ax.text((100 * s if s is not None else 0) + 1, y, label, va="center", fontsize=8)
    ax.set_yticks(range(len(items)), [_wrap(survey["questions"][q]["text"]) for q, _ in items])
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.xaxis.set_major_formatter(lambda v, _p: fmt.percent(v) if v <= 100 else "")
    ax.set_xlabel("Andel positiva svar")
    ax.set_title(title, fontsize=11, loc="left")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _wrap(text: str, width: int = 48) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def event_study_chart(block: dict, group: str) -> Figure:
    """Monthly use per patient alive, −6 to +5 months around the index date: the team's
    patients against their matched comparison patients."""
    series = block["event_study"]
    fig, axes = plt.subplots(1, len(MEASURES), figsize=(12, 3.2), layout="constrained")
    styles = {
        group: (OKABE_ITO[0], "-", "o"),
        f"{group}_matched_comparison": ("#666666", "--", "s"),
    }
    names = {
        group: group_name(group),
        f"{group}_matched_comparison": "Matchade jämförelsepatienter",
    }
    for ax, measure in zip(axes, MEASURES, strict=True):
        for label, data in series.items():
            colour, line, marker = styles.get(label, ("#000000", ":", "x"))
            values = [v if v is not None else float("nan") for v in data["measures"][measure]]
            ax.plot(
                data["months"],
                values,
                color=colour,
                linestyle=line,
                marker=marker,
                markersize=3,
                label=names.get(label, label),
            )
        ax.axvline(-0.5, color="#999999", linewidth=0.8)
        ax.set_title(MEASURE_NAMES[measure], fontsize=10)
        ax.set_xlabel("Månad från indexdatum")
        _swedish_axis(ax, 2)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylabel("Per patient och månad")
    axes[0].legend(frameon=False, fontsize=8)
    return fig
