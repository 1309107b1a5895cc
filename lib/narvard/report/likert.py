"""Diverging stacked bars for Likert and frequency items (plot-likert breaks on pandas 3).

Percentages are of the substantive answers. Unfavourable answers extend left of zero,
favourable answers right, and the neutral middle answer straddles zero, so "good" is on
the right in every row. For most items the favourable answers are the scale's positive
ones, so the right-hand side adds up to the share positive shown elsewhere in the report.
A negatively worded item (survey_questions.reversed = 1, e.g. "Det finns ett bristande
intresse …") is drawn the other way round: its disagreeing answers are favourable and go
right; its row says so, and the legend's second row names its answers. "Ingen uppfattning"
and "Vet ej" (not substantive) are shown apart in a narrow panel, as a share of all answers.

Colours follow favourability, not the wording: ColorBrewer PuOr (orange–purple), safe
for the common colour-vision deficiencies; the unfavourable side is also hatched and the
neutral is light grey, so the bars read in greyscale print; no-opinion bars are dark grey
in their own panel.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator

from narvard.domain import OPEN_SCALE, SCALES, Scale, group_name
from narvard.report import formatting as fmt
from narvard.report.chart_style import (
    FIGURE_WIDTH_IN,
    PERCENT,
    SwedishTicks,
    chart,
    fit_texts_in_x,
    row_major,
    swedish_ticks,
)
from narvard.report.figures import wrap_label
from narvard.stats.surveys import is_reversed, survey_label_counts

NEGATIVE_COLOURS = ("#b35806", "#f1a340")  # strong, mild (unfavourable)
NEUTRAL_COLOUR = "#d9d9d9"
POSITIVE_COLOURS = ("#998ec3", "#542788")  # mild, strong (favourable)
NO_OPINION_COLOUR = "#8c8c8c"
NEGATIVE_HATCH = "///"
# No-opinion bars sit in a panel of their own, so they need no hatching to be told apart in
# grey print; a dotted hatch ("...") would also cost ~150 kB per chart in the SVG.
NO_OPINION_HATCH = ""
DARK_FILLS = {"#b35806", "#542788", "#8c8c8c"}
LABEL_PADDING_PX = 3.0  # a percent label is drawn only where it fits with this margin
GROUP_GAP = 0.5  # extra space between items when rows are split by group
QUESTION_WIDTH = 36  # characters per line of a question text
REVERSED_NOTE = "(negativt formulerat: vänd skala)"
LINE_IN = 0.17  # height of one line of 9 pt row text


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


def sides(
    scale: Scale | str, reverse: bool = False
) -> tuple[tuple[str, ...], str | None, tuple[str, ...]]:
    """(unfavourable labels, neutral, favourable labels), each side ordered as drawn from
    left to right: the strongest unfavourable answer first, the strongest favourable last.
    For a reversed (negatively worded) item the negative answers are the favourable ones."""
    negative, neutral, positive = scale_parts(scale)
    if not reverse:
        return negative, neutral, positive
    return tuple(reversed(positive)), neutral, tuple(reversed(negative))


def bar_segments(counts: Mapping[str, int], scale: Scale | str, reverse: bool = False) -> dict:
    """Where each answer's bar goes: {label: (left, width)} in percent of substantive
    answers, plus "n" (substantive) and "no_opinion" ({label: percent of all answers}).
    Favourable answers go right of zero (for a reversed item: the negative answers)."""
    unfavourable, neutral, favourable = sides(scale, reverse)
    scale = _scale(scale)
    n = sum(counts.get(label, 0) for label in scale.labels)
    total = n + sum(counts.get(label, 0) for label in scale.not_substantive)
    pct = {label: (100.0 * counts.get(label, 0) / n if n else 0.0) for label in scale.labels}
    segments: dict[str, tuple[float, float]] = {}
    half = pct[neutral] / 2 if neutral else 0.0
    if neutral:
        segments[neutral] = (-half, pct[neutral])
    edge = -half
    for label in reversed(unfavourable):  # the mildest unfavourable answer sits next to zero
        edge -= pct[label]
        segments[label] = (edge, pct[label])
    edge = half
    for label in favourable:
        segments[label] = (edge, pct[label])
        edge += pct[label]
    no_opinion = {
        label: (100.0 * counts.get(label, 0) / total if total else 0.0)
        for label in scale.not_substantive
    }
    return {"segments": segments, "n": n, "no_opinion": no_opinion}


def colours(scale: Scale | str, reverse: bool = False) -> dict[str, tuple[str, str]]:
    """(fill, hatch) per answer label, by how favourable the answer is."""
    unfavourable, neutral, favourable = sides(scale, reverse)
    found = {}
    for label, colour in zip(unfavourable, NEGATIVE_COLOURS[-len(unfavourable) :], strict=True):
        found[label] = (colour, NEGATIVE_HATCH)
    if neutral:
        found[neutral] = (NEUTRAL_COLOUR, "")
    for label, colour in zip(favourable, POSITIVE_COLOURS[: len(favourable)], strict=True):
        found[label] = (colour, "")
    return found


def _rows(
    counts: Mapping[str, Mapping], labels: Mapping[str, str], reversed_items: Collection[str]
) -> list[tuple]:
    """(y, row id, tick text, counts, reversed) per row: one per item, or per item and group
    (the question text then heads the item's first row, and items are set apart by a gap)."""
    rows, y = [], 0.0
    for item, value in counts.items():
        text = _wrap(labels.get(item, item))
        reverse = item in reversed_items
        if reverse:
            text = f"{text}\n{REVERSED_NOTE}"
        nested = bool(value) and all(isinstance(v, Mapping) for v in value.values())
        if not nested:
            rows.append((y, item, text, value, reverse))
            y += 1
            continue
        for k, (group, group_counts) in enumerate(value.items()):
            tick = f"{text}\n{group_name(group)}" if k == 0 else group_name(group)
            rows.append((y, f"{item}|{group}", tick, group_counts, reverse))
            y += 1
        y += GROUP_GAP
    return rows


def _text_colour(fill: str) -> str:
    return "white" if fill in DARK_FILLS else "black"


def _draw_row(ax, y: float, row_id: str, counts, scale, reverse: bool) -> tuple[dict, list]:
    """One row's segments; returns its layout and [(percent label, segment)]."""
    layout = bar_segments(counts, scale, reverse)
    fills = colours(scale, reverse)
    labelled = []
    for label, (left, width) in layout["segments"].items():
        fill, hatch = fills[label]
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
        if width > 0:
            text = ax.text(
                left + width / 2,
                y,
                fmt.percent(width),
                ha="center",
                va="center",
                color=_text_colour(fill),
            )
            labelled.append((text, bar.patches[0]))
    return layout, labelled


def _drop_labels_that_do_not_fit(fig: Figure, labelled: list) -> None:
    """Percent labels stay only inside segments wide enough for them (measured)."""
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    for text, patch in labelled:
        room = patch.get_window_extent(renderer).width
        if text.get_window_extent(renderer).width + 2 * LABEL_PADDING_PX > room:
            text.remove()


def _x_limits(layouts: list[dict]) -> tuple[float, float]:
    """From the widest left to the widest right extent, in steps of 25 %."""
    spans = [(left, left + width) for lay in layouts for left, width in lay["segments"].values()]
    left = max((-start for start, _ in spans), default=0)
    right = max((end for _, end in spans), default=0)
    return -25 * max(1, math.ceil(left / 25 - 1e-9)), 25 * max(1, math.ceil(right / 25 - 1e-9))


@chart
def likert_chart(
    counts: Mapping[str, Mapping],
    scale: Scale | str,
    labels: Mapping[str, str] | None = None,
    title: str = "",
    show_n: bool = True,
    reversed_items: Collection[str] = (),
) -> Figure:
    """Diverging stacked bars, one row per item (per item and group for nested counts).

    show_n=False leaves "(n = …)" out of the row labels, for counts given as shares.
    reversed_items: negatively worded items, drawn with their disagreeing answers on the
    favourable (right) side.

    counts: {item: {label: n}} or {item: {group: {label: n}}} (from survey_label_counts),
    all on one scale; rows keep the order of `counts`. labels: item -> question text.
    Each bar rectangle has gid "<item>[|<group>]|<answer label>" for tests and tooling.
    """
    scale = _scale(scale)
    rows = _rows(counts, labels or {}, reversed_items)
    side = bool(scale.not_substantive)
    lines = max((row[2].count("\n") + 1 for row in rows), default=1)
    row_in = max(0.42, LINE_IN * lines + 0.1)
    fig, axes = plt.subplots(
        1,
        2 if side else 1,
        figsize=(FIGURE_WIDTH_IN, 1.9 + row_in * (rows[-1][0] + 1 if rows else 1)),
        sharey=True,
        layout="constrained",
        squeeze=False,
        gridspec_kw={"width_ratios": [5, 1.3] if side else [1]},
    )
    ax = axes[0][0]
    ticks, layouts, labelled, side_texts = [], [], [], []
    for y, row_id, text, row_counts, reverse in rows:
        layout, texts = _draw_row(ax, y, row_id, row_counts, scale, reverse)
        layouts.append(layout)
        labelled += texts
        ticks.append(f"{text} (n\u00a0=\u00a0{fmt.number(layout['n'])})" if show_n else text)
        if side:
            _draw_no_opinion(axes[0][1], y, row_id, layout["no_opinion"], side_texts)
    ax.set_yticks([row[0] for row in rows], ticks)
    ax.invert_yaxis()
    ax.axvline(0, color="#404040", linewidth=0.8)
    ax.set_xlim(*_x_limits(layouts))
    swedish_ticks(ax.xaxis, suffix=PERCENT, absolute=True, nbins=4)
    ax.set_xlabel("Andel av dem som svarat i sak\n← ogynnsamma svar  |  gynnsamma svar →")
    ax.spines[["top", "right"]].set_visible(False)
    _legend(fig, scale, {bool(row[4]) for row in rows})
    if title:
        ax.set_title(title, loc="left")
    _drop_labels_that_do_not_fit(fig, labelled)
    if side:
        fit_texts_in_x(axes[0][1], side_texts)
    return fig


def _draw_no_opinion(ax, y: float, row_id: str, shares: Mapping[str, float], texts: list) -> None:
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
        texts.append(ax.text(percent + 3, y, fmt.percent(percent), va="center"))
    ax.set_xlim(0, 60)
    ax.xaxis.set_major_locator(FixedLocator([0, 50]))
    ax.xaxis.set_major_formatter(SwedishTicks(PERCENT))
    ax.set_title("\n".join(label.replace(" ", "\n", 1) for label in shares))
    ax.tick_params(axis="y", left=False)
    ax.spines[["top", "right"]].set_visible(False)


def _legend(fig: Figure, scale: Scale, reversed_rows: set[bool]) -> None:
    """The answers in the order drawn (unfavourable left). With both kinds of items a second
    row gives, under each colour, the answer it stands for in a negatively worded item;
    with negatively worded items only, their answers are the one row."""
    unfavourable, neutral, favourable = sides(scale)
    order = [*unfavourable, *([neutral] if neutral else []), *favourable]
    flipped = sides(scale, reverse=True)
    reversed_order = [*flipped[0], *([neutral] if neutral else []), *flipped[2]]
    fills = colours(scale)
    both = reversed_rows == {True, False}
    if both:
        columns = [[a, b] for a, b in zip(order, reversed_order, strict=True)]
    else:
        shown = reversed_order if True in reversed_rows else order
        columns = [[label] for label in shown]
    handles, texts = [], []
    for column, label in zip(columns, order, strict=True):
        for text in column:
            handles.append(_swatch(*fills[label]))
            texts.append(wrap_label(text, 14))
    ncols = len(order)
    if not both:
        handles, texts = row_major(handles, texts, ncols)
    fig.legend(
        handles,
        texts,
        ncols=ncols,
        loc="outside lower center",
        frameon=False,
        handlelength=1.2,
        handletextpad=0.4,
        columnspacing=0.9,
        title=_LEGEND_TITLES[(both, True in reversed_rows)],
    )


# The legend's title by (both kinds of items shown, any negatively worded item shown).
_LEGEND_TITLES = {
    (True, True): "Nedre raden: svaren på negativt formulerade påståenden (vänd skala)",
    (False, True): "Negativt formulerade påståenden: skalan är vänd, gynnsamma svar till höger",
    (False, False): None,
}


def _swatch(fill: str, hatch: str):
    return plt.Rectangle(
        (0, 0), 1, 1, facecolor=fill, hatch=hatch, edgecolor="#404040", linewidth=0.4
    )


def survey_likert_charts(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    survey_id: str,
    by_group: bool = False,
    title: str = "",
) -> list[Figure]:
    """One likert_chart per scale used in the survey (questionnaire order within each);
    items with survey_questions.reversed = 1 are drawn reversed."""
    rows = questions[(questions["survey_id"] == survey_id) & (questions["scale"] != OPEN_SCALE)]
    rows = rows.sort_values("order", kind="stable")
    counts = survey_label_counts(questions, responses, survey_id, by_group)
    texts = dict(zip(rows["question_id"], rows["question_text"], strict=True))
    flags = rows["reversed"] if "reversed" in rows.columns else [None] * len(rows)
    reversed_items = {
        q for q, flag in zip(rows["question_id"], flags, strict=True) if is_reversed(flag)
    }
    figures = []
    for scale_name in dict.fromkeys(rows["scale"]):
        items = rows.loc[rows["scale"] == scale_name, "question_id"]
        figures.append(
            likert_chart(
                {q: counts[q] for q in items},
                scale_name,
                texts,
                title,
                reversed_items=reversed_items,
            )
        )
    return figures


def _wrap(text: str, width: int = QUESTION_WIDTH) -> str:
    return wrap_label(text, width)
