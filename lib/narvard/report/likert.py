"""Diverging stacked bars for Likert and frequency items (plot-likert breaks on pandas 3).

Percentages are of the substantive answers, so the right-hand side adds up to the share
positive shown elsewhere in the report. Negative answers extend left of zero, positive
answers right, and the neutral middle answer straddles zero. "Ingen uppfattning" and
"Vet ej" (not substantive) are shown apart in a narrow panel, as a share of all answers.

Colours: ColorBrewer PuOr (orange–purple), safe for the common colour-vision deficiencies;
the negative side is also hatched and the neutral is light grey, so the bars read in
greyscale print.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from narvard.domain import OPEN_SCALE, SCALES, Scale, group_name
from narvard.report import formatting as fmt
from narvard.report.figures import wrap_label
from narvard.stats.surveys import survey_label_counts

NEGATIVE_COLOURS = ("#b35806", "#f1a340")  # strong, mild
NEUTRAL_COLOUR = "#d9d9d9"
POSITIVE_COLOURS = ("#998ec3", "#542788")  # mild, strong
NO_OPINION_COLOUR = "#8c8c8c"
NEGATIVE_HATCH, NO_OPINION_HATCH = "///", "..."
DARK_FILLS = {"#b35806", "#542788", "#8c8c8c"}
MIN_LABELLED_PERCENT = 8.0  # segments narrower than this carry no text
GROUP_GAP = 0.5  # extra space between items when rows are split by group


def _scale(scale: Scale | str) -> Scale:
    return SCALES[scale] if isinstance(scale, str) else scale


def scale_parts(scale: Scale | str) -> tuple[tuple[str, ...], str | None, tuple[str, ...]]:
    """(negative labels, neutral label or None, positive labels) in questionnaire order."""
    scale = _scale(scale)
    rest = [label for label in scale.labels if label not in scale.positive]
    neutral = None
    if len(scale.labels) % 2 == 1 and len(rest) == len(scale.positive) + 1:
        neutral = rest.pop()
    return tuple(rest), neutral, tuple(scale.positive)


def bar_segments(counts: Mapping[str, int], scale: Scale | str) -> dict:
    """Where each answer's bar goes: {label: (left, width)} in percent of substantive
    answers, plus "n" (substantive) and "no_opinion" ({label: percent of all answers})."""
    negative, neutral, positive = scale_parts(scale)
    scale = _scale(scale)
    n = sum(counts.get(label, 0) for label in scale.labels)
    total = n + sum(counts.get(label, 0) for label in scale.not_substantive)
    pct = {label: (100.0 * counts.get(label, 0) / n if n else 0.0) for label in scale.labels}
    segments: dict[str, tuple[float, float]] = {}
    half = pct[neutral] / 2 if neutral else 0.0
    if neutral:
        segments[neutral] = (-half, pct[neutral])
    edge = -half
    for label in reversed(negative):  # the mildest negative answer sits next to zero
        edge -= pct[label]
        segments[label] = (edge, pct[label])
    edge = half
    for label in positive:
        segments[label] = (edge, pct[label])
        edge += pct[label]
    no_opinion = {
        label: (100.0 * counts.get(label, 0) / total if total else 0.0)
        for label in scale.not_substantive
    }
    return {"segments": segments, "n": n, "no_opinion": no_opinion}


def _colours(scale: Scale | str) -> dict[str, tuple[str, str]]:
    negative, neutral, positive = scale_parts(scale)
    colours = {}
    for label, colour in zip(negative, NEGATIVE_COLOURS[-len(negative) :], strict=True):
        colours[label] = (colour, NEGATIVE_HATCH)
    if neutral:
        colours[neutral] = (NEUTRAL_COLOUR, "")
    for label, colour in zip(positive, POSITIVE_COLOURS[: len(positive)], strict=True):
        colours[label] = (colour, "")
    return colours


def _rows(counts: Mapping[str, Mapping], labels: Mapping[str, str]) -> list[tuple]:
    """(y, row id, tick text, counts) per row: one per item, or per item and group (the
    question text then heads the item's first row, and items are set apart by a gap)."""
    rows, y = [], 0.0
    for item, value in counts.items():
        text = _wrap(labels.get(item, item))
        nested = bool(value) and all(isinstance(v, Mapping) for v in value.values())
        if not nested:
            rows.append((y, item, text, value))
            y += 1
            continue
        for k, (group, group_counts) in enumerate(value.items()):
            tick = f"{text}\n{group_name(group)}" if k == 0 else group_name(group)
            rows.append((y, f"{item}|{group}", tick, group_counts))
            y += 1
        y += GROUP_GAP
    return rows


def _text_colour(fill: str) -> str:
    return "white" if fill in DARK_FILLS else "black"


def _draw_row(ax, y: float, row_id: str, counts: Mapping[str, int], scale, colours) -> dict:
    layout = bar_segments(counts, scale)
    for label, (left, width) in layout["segments"].items():
        fill, hatch = colours[label]
        bar = ax.barh(
            y,
            width,
            left=left,
            height=0.7,
            color=fill,
            hatch=hatch,
            edgecolor="#404040",
            linewidth=0.4,
            label=label,
        )
        bar.patches[0].set_gid(f"{row_id}|{label}")
        if width >= MIN_LABELLED_PERCENT:
            ax.text(
                left + width / 2,
                y,
                fmt.percent(width),
                ha="center",
                va="center",
                fontsize=7,
                color=_text_colour(fill),
            )
    return layout


def likert_chart(
    counts: Mapping[str, Mapping],
    scale: Scale | str,
    labels: Mapping[str, str] | None = None,
    title: str = "",
    show_n: bool = True,
) -> Figure:
    """Diverging stacked bars, one row per item (per item and group for nested counts).

    show_n=False leaves "(n = …)" out of the row labels, for counts given as shares.

    counts: {item: {label: n}} or {item: {group: {label: n}}} (from survey_label_counts),
    all on one scale; rows keep the order of `counts`. labels: item -> question text.
    Each bar rectangle has gid "<item>[|<group>]|<answer label>" for tests and tooling.
    """
    scale = _scale(scale)
    rows = _rows(counts, labels or {})
    side = bool(scale.not_substantive)
    fig, axes = plt.subplots(
        1,
        2 if side else 1,
        figsize=(10, 1.0 + 0.55 * len(rows)),
        sharey=True,
        layout="constrained",
        squeeze=False,
        gridspec_kw={"width_ratios": [6, 1] if side else [1]},
    )
    ax = axes[0][0]
    colours = _colours(scale)
    ticks = []
    for y, row_id, text, row_counts in rows:
        layout = _draw_row(ax, y, row_id, row_counts, scale, colours)
        ticks.append(f"{text} (n\u00a0=\u00a0{fmt.number(layout['n'])})" if show_n else text)
        if side:
            _draw_no_opinion(axes[0][1], y, row_id, layout["no_opinion"])
    ax.set_yticks([row[0] for row in rows], ticks, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="#404040", linewidth=0.8)
    ax.set_xlim(-100, 100)
    ax.xaxis.set_major_formatter(lambda v, _p: fmt.percent(abs(v)))
    ax.set_xlabel("Andel av dem som svarat i sak")
    ax.spines[["top", "right"]].set_visible(False)
    _legend(fig, scale, colours)
    if title:
        ax.set_title(title, fontsize=11, loc="left")
    return fig


def _draw_no_opinion(ax, y: float, row_id: str, shares: Mapping[str, float]) -> None:
    for label, percent in shares.items():
        bar = ax.barh(
            y,
            percent,
            height=0.5,
            color=NO_OPINION_COLOUR,
            hatch=NO_OPINION_HATCH,
            edgecolor="#404040",
            linewidth=0.4,
        )
        bar.patches[0].set_gid(f"{row_id}|{label}")
        ax.text(percent + 2, y, fmt.percent(percent), va="center", fontsize=7)
    ax.set_xlim(0, 60)
    ax.set_title("\n".join(label.replace(" ", "\n", 1) for label in shares), fontsize=8)
    ax.xaxis.set_major_formatter(lambda v, _p: fmt.percent(v))
    ax.tick_params(axis="y", left=False)
    ax.spines[["top", "right"]].set_visible(False)


def _legend(fig: Figure, scale: Scale, colours: Mapping) -> None:
    handles = [
        plt.Rectangle(
            (0, 0),
            1,
            1,
            facecolor=colours[label][0],
            hatch=colours[label][1],
            edgecolor="#404040",
            linewidth=0.4,
        )
        for label in scale.labels
    ]
    fig.legend(
        handles,
        scale.labels,
        ncols=len(scale.labels),
        loc="outside lower center",
        frameon=False,
        fontsize=8,
    )


def survey_likert_charts(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    survey_id: str,
    by_group: bool = False,
    title: str = "",
) -> list[Figure]:
    """One likert_chart per scale used in the survey (questionnaire order within each)."""
    rows = questions[(questions["survey_id"] == survey_id) & (questions["scale"] != OPEN_SCALE)]
    rows = rows.sort_values("order", kind="stable")
    counts = survey_label_counts(questions, responses, survey_id, by_group)
    texts = dict(zip(rows["question_id"], rows["question_text"], strict=True))
    figures = []
    for scale_name in dict.fromkeys(rows["scale"]):
        items = rows.loc[rows["scale"] == scale_name, "question_id"]
        figures.append(likert_chart({q: counts[q] for q in items}, scale_name, texts, title))
    return figures


def _wrap(text: str, width: int = 52) -> str:
    return wrap_label(text, width)
