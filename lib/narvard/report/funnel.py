"""Funnel plot of the overview page: each area's adjusted change against its number of
patients followed before and after (the overview table's count: the estimate's own count,
a few patients fewer, is often hidden to protect those few), with control limits around the
region's own estimate (the overview table's region row; the areas' pooled change where the
region has none).

Labels never overlap. After the layout is fixed, each area's name is tried at a few
positions around its point, in a fixed order, and kept at the first where it lies inside
the axes and clear of every other label and point (measured with the renderer). Areas
furthest from the pooled change are placed first, so the points a reader looks for get the
best places. An area whose name finds no place gets a number instead, explained in a key
under the chart; the result depends only on the data, never on chance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from narvard.domain import MEASURE_NAMES
from narvard.report.chart_style import FIGURE_WIDTH_IN, PERCENT, chart, swedish_ticks

POINT_COLOUR, LIMIT_COLOUR, POOLED_COLOUR = "#0072B2", "#777777", "#333333"
LIMITS = ((1.96, "--", "95"), (3.09, ":", "99,8"))  # z, line style, coverage in percent
MARKER_PT = 6.0
CLEARANCE_PX = 2.0  # least gap between a label and anything else
# A label crossing a control limit stays legible: the line is hidden behind it (the pad,
# 0,1 em, is less than the clearance, so no marker is hidden).
LABEL_BACKGROUND = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"}
# Offsets from the point (points) with the text's alignment, tried in this order.
_DIRECTIONS = (
    (1, 0, "left", "center"),
    (-1, 0, "right", "center"),
    (0, 1, "center", "bottom"),
    (0, -1, "center", "top"),
    (1, 1, "left", "bottom"),
    (-1, 1, "right", "bottom"),
    (1, -1, "left", "top"),
    (-1, -1, "right", "top"),
)
DISTANCES = (
    5.0,
    12.0,
    20.0,
    30.0,
    45.0,
    60.0,
)  # points; from the third ring on a leader line is drawn
LEADER_FROM = 20.0
CANDIDATES = tuple(
    (dx * distance, dy * distance, ha, va)
    for distance in DISTANCES
    for dx, dy, ha, va in _DIRECTIONS
)


@dataclass(frozen=True)
class Point:
    name: str
    n: int
    log_ratio: float
    se: float

    @property
    def change(self) -> float:
        """Adjusted change in percent (rate ratio 0,79 → −21)."""
        return 100 * (math.exp(self.log_ratio) - 1)


def funnel_points(all_results: list[dict], group: str, measure: str) -> list[Point]:
    """Areas with an adjusted effect for the group and measure (SE from the 95 % CI), at
    their number of patients followed before and after."""
    points = []
    for results in all_results:
        block = results["consumption"].get(group, {})
        did = block.get("did", {}).get(measure, {})
        ratio, ci, n = did.get("rate_ratio"), did.get("ci"), block.get("n_patients")
        if ratio and ci and n and ci[0] and ci[1] and ratio > 0:
            se = (math.log(ci[1]) - math.log(ci[0])) / (2 * 1.96)
            points.append(Point(results["area_name"], n, math.log(ratio), se))
    return points


def region_log_ratio(all_results: list[dict], group: str, measure: str) -> float | None:
    """The region's own adjusted estimate (all its patients, the overview table's region
    row), the centre of the control limits; None without one."""
    effects = (all_results[0].get("region_effects") or {}) if all_results else {}
    ratio = ((effects.get(group) or {}).get(measure) or {}).get("rate_ratio")
    return math.log(ratio) if ratio else None


def pooled_and_spread(points: Sequence[Point]) -> tuple[float, float]:
    """Inverse-variance pooled log ratio, and the median of se·√n (the SE of one patient)."""
    weights = [1 / p.se**2 for p in points]
    pooled = sum(w * p.log_ratio for w, p in zip(weights, points, strict=True)) / sum(weights)
    spread = sorted(p.se * math.sqrt(p.n) for p in points)[len(points) // 2]
    return pooled, spread


@chart
def funnel_chart(all_results: list[dict], group: str, measure: str = "inpatient_days") -> Figure:
    """Adjusted change per area against its number of patients, with 95 % and 99,8 %
    control limits around the pooled estimate, so that small areas are not ranked on noise."""
    points = funnel_points(all_results, group, measure)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH_IN, 4.6), layout="constrained")
    pooled = spread = None
    region = region_log_ratio(all_results, group, measure)
    if points:
        pooled, spread = pooled_and_spread(points)
        pooled = pooled if region is None else region
        _draw_limits(ax, points, pooled, spread)
        ax.plot(
            [p.n for p in points],
            [p.change for p in points],
            "o",
            color=POINT_COLOUR,
            markersize=MARKER_PT,
        )
    low, high = ax.get_ylim()
    ax.set_ylim(max(low, -100), min(high, 200))  # limits for tiny areas would dwarf the rest
    ax.set_xlabel(f"Antal {group}-patienter följda före och efter")
    ax.set_ylabel("Justerad förändring")
    swedish_ticks(ax.xaxis, integer=True)
    swedish_ticks(ax.yaxis, suffix=PERCENT)
    ax.set_title(
        f"{MEASURE_NAMES[measure]}, {group}: förändring jämfört med liknande patienter", loc="left"
    )
    legend = fig.legend(
        handles=_legend_handles(region is not None),
        loc="outside lower center",
        ncols=2,
        frameon=False,
    )
    fig.draw_without_rendering()
    fig.set_layout_engine("none")  # positions are final: labels are placed against them
    _pin(legend)
    if points:
        order = sorted(points, key=lambda p: (-abs(p.log_ratio - pooled) * math.sqrt(p.n), p.name))
        numbered = place_labels(ax, [(p.n, p.change, p.name) for p in order])
        _key(fig, legend, numbered)
    return fig


def _draw_limits(ax, points: Sequence[Point], pooled: float, spread: float) -> None:
    smallest, largest = min(p.n for p in points), max(p.n for p in points)
    start = max(5, smallest // 2)
    ns = np.arange(start, max(largest * 6 // 5, start + 2))
    for z, style, _coverage in LIMITS:
        for sign in (-1, 1):
            ax.plot(
                ns,
                100 * (np.exp(pooled + sign * z * spread / np.sqrt(ns)) - 1),
                color=LIMIT_COLOUR,
                linestyle=style,
                linewidth=1,
            )
    ax.axhline(100 * (math.exp(pooled) - 1), color=POOLED_COLOUR, linewidth=1)


def _legend_handles(region: bool = True) -> list:
    limits = [
        Line2D(
            [],
            [],
            color=LIMIT_COLOUR,
            linestyle=style,
            linewidth=1,
            label=f"{coverage}{PERCENT} kontrollgräns",
        )
        for _z, style, coverage in LIMITS
    ]
    return [
        Line2D([], [], color=POINT_COLOUR, marker="o", linestyle="", label="Område"),
        *limits[:1],
        Line2D(
            [],
            [],
            color=POOLED_COLOUR,
            linewidth=1,
            label="Hela regionen" if region else "Områdenas genomsnitt",
        ),
        *limits[1:],
    ]


def _pin(legend) -> None:
    """Keep the legend where the layout put it, also when the figure is saved cropped to its
    content (which otherwise re-anchors a figure legend to the new edges)."""
    fig = legend.figure
    box = legend.get_window_extent(fig.canvas.get_renderer())
    legend.set_bbox_to_anchor(box.transformed(fig.transFigure.inverted()), fig.transFigure)
    legend.borderaxespad = 0.0


@dataclass
class Occupied:
    """Display boxes already in use: the points' markers and the labels placed so far."""

    points: list[Bbox]
    labels: list[Bbox]
    frame: Bbox  # the axes: labels stay inside

    def fits(self, box: Bbox) -> bool:
        """Inside the axes and at least CLEARANCE_PX from every marker and label."""
        frame = self.frame
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
        padded = box.padded(CLEARANCE_PX)
        return (
            inside
            and box.y1 <= frame.y1
            and not any(padded.overlaps(other) for other in [*self.points, *self.labels])
        )

    def leader_fits(self, start: tuple[float, float], box: Bbox) -> bool:
        """A leader line from the point to the label's centre crosses no other label (it
        may pass over a marker: points can lie on top of each other)."""
        x0, y0 = start
        x1, y1 = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        for k in range(1, 20):
            x, y = x0 + (x1 - x0) * k / 20, y0 + (y1 - y0) * k / 20
            if box.contains(x, y):
                return True
            if any(other.padded(CLEARANCE_PX).contains(x, y) for other in self.labels):
                return False
        return True


def _leader() -> dict:
    return {
        "arrowstyle": "-",
        "color": LIMIT_COLOUR,
        "lw": 0.6,
        "shrinkA": 1,
        "shrinkB": MARKER_PT / 2,
    }


def label_box(label, renderer) -> Bbox:
    """The box of an annotation's text alone (its own extent includes the leader line)."""
    label.update_positions(renderer)
    return Text.get_window_extent(label, renderer)


def _try_place(ax, renderer, xy, text: str, occupied: Occupied):
    """The first candidate position where `text` fits, as an annotation; None if none.
    Only the text's own box is measured (an annotation's extent includes its leader)."""
    start = ax.transData.transform(xy)
    for dx, dy, ha, va in CANDIDATES:
        leader = max(abs(dx), abs(dy)) >= LEADER_FROM
        label = ax.annotate(
            text,
            xy,
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            annotation_clip=False,
            arrowprops=_leader() if leader else None,
            bbox=LABEL_BACKGROUND,
        )
        box = label_box(label, renderer)
        if occupied.fits(box) and (not leader or occupied.leader_fits(start, box)):
            occupied.labels.append(box)
            return label
        label.remove()
    return None


def place_labels(ax, points: Sequence[tuple[float, float, str]]) -> list[tuple[str, str]]:
    """Label each (x, y, name) in the given order without overlaps; names that find no
    place get a number (or, failing that, nothing). Returns the key: [(number or "", name)]
    for every point not labelled by name."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    radius = MARKER_PT / 2 * fig.dpi / 72 + 1
    centres = ax.transData.transform([(x, y) for x, y, _ in points])
    occupied = Occupied(
        points=[
            Bbox.from_extents(x - radius, y - radius, x + radius, y + radius) for x, y in centres
        ],
        labels=[],
        frame=ax.get_window_extent(renderer),
    )
    unnamed = [
        (x, y, name)
        for x, y, name in points
        if not _try_place(ax, renderer, (x, y), name, occupied)
    ]
    key = []
    for number, (x, y, name) in enumerate(unnamed, start=1):
        placed = _try_place(ax, renderer, (x, y), str(number), occupied)
        key.append((str(number) if placed else "", name))
    return key


def _key(fig: Figure, legend, key: list[tuple[str, str]]) -> None:
    """The names of numbered (or unlabelled) points, under the legend."""
    if not key:
        return
    parts = [
        f"{number} = {name}" if number else f"{name} (ej märkt i diagrammet)"
        for number, name in key
    ]
    bottom = legend.get_window_extent(fig.canvas.get_renderer()).y0 / fig.bbox.height
    fig.text(
        0.01,
        bottom - 0.01,
        "Numrerade punkter: " + "; ".join(parts) + ".",
        ha="left",
        va="top",
        wrap=True,
    )
