"""What every report chart must satisfy, as a list of problems (empty when all is well):
Swedish numbers, type of at least 9 pt as the page shows it, tick labels that do not
collide. Used by the chart tests of tests/unit."""

from __future__ import annotations

import re

from matplotlib.figure import Figure
from matplotlib.text import Text
from narvard.report.chart_style import MIN_PT, PRINT_COLUMN_IN
from narvard.report.html import svg_document, svg_size_pt

ENGLISH_DECIMAL = re.compile(r"\d\.\d")
HYPHEN_MINUS = re.compile(r"(?<![\w])-\d")
SVG_FONT_SIZE = re.compile(rb"font-size: ?([\d.]+)px")


def visible_texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def tick_labels(ax, which: str) -> list[Text]:
    """The labelled major ticks of ax's x or y axis inside its view limits."""
    axis = getattr(ax, f"{which}axis")
    low, high = sorted(getattr(ax, f"get_{which}lim")())
    locations = axis.get_majorticklocs()
    return [
        tick.label1
        for tick, at in zip(axis.get_major_ticks(), locations, strict=False)
        if low - 1e-9 <= at <= high + 1e-9 and tick.label1.get_visible() and tick.label1.get_text()
    ]


def number_problems(fig: Figure) -> list[str]:
    fig.draw_without_rendering()
    problems = []
    for ax in fig.axes:
        for which in "xy":
            for label in tick_labels(ax, which):
                text = label.get_text()
                if ENGLISH_DECIMAL.search(text) or HYPHEN_MINUS.search(text) or text == "-":
                    problems.append(f"{which} tick {text!r} is not Swedish")
    for text in visible_texts(fig):
        if ENGLISH_DECIMAL.search(text.get_text()) or HYPHEN_MINUS.search(text.get_text()):
            problems.append(f"text {text.get_text()!r} has an English number")
    return problems


def type_problems(fig: Figure) -> list[str]:
    """Type as shown: the SVG's font sizes (pt, as the SVG is drawn in pt) times the scale
    the page shows the image at: 1 when it is no wider than the printed A4 column (the
    screen column is wider), the column's width over the image's otherwise."""
    svg = svg_document(fig)
    width_pt, _height = svg_size_pt(svg)
    scale = min(1.0, PRINT_COLUMN_IN * 72 / width_pt)
    sizes = [float(v) for v in SVG_FONT_SIZE.findall(svg)]
    problems = []
    if width_pt / 72 > PRINT_COLUMN_IN:
        problems.append(f"{width_pt / 72:.2f} in wide, scaled to {scale:.2f} on A4")
    if not sizes or b"<text" not in svg:
        problems.append("no text elements in the SVG (text must stay text)")
    elif min(sizes) * scale < MIN_PT:
        problems.append(f"smallest type {min(sizes) * scale:.1f} pt as shown")
    return problems


def collision_problems(fig: Figure) -> list[str]:
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    problems = []
    for ax in fig.axes:
        for which in "xy":
            labels = tick_labels(ax, which)
            boxes = [t.get_window_extent(renderer) for t in labels]
            for (a, ta), (b, tb) in zip(
                zip(boxes, labels, strict=True),
                list(zip(boxes, labels, strict=True))[1:],
                strict=False,
            ):
                if a.overlaps(b):
                    problems.append(
                        f"{which} ticks {ta.get_text()!r} and {tb.get_text()!r} collide"
                    )
    return problems


def chart_problems(fig: Figure) -> list[str]:
    return number_problems(fig) + type_problems(fig) + collision_problems(fig)
