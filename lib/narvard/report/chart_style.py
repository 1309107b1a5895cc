"""The look every report chart shares: Swedish tick labels, type that stays readable on
screen and on A4, and the settings under which figures are drawn and saved as SVG.

Sizes. Figures are embedded as SVG at their natural size (1 pt = 1/72 in), so a chart no
wider than a figure's room in the printed A4 column (``PRINT_COLUMN_IN``) is shown unscaled
both on screen (the report's column is wider) and on paper: a 9 pt label is 9 pt. Every
text is at least ``MIN_PT``.

Fonts. Text stays text in the SVG (searchable, crisp, and text in the printed PDF).
Matplotlib lays it out with DejaVu Sans, which ships with matplotlib, so the layout is the
same on every machine; the SVG names fallbacks after it for Windows and Mac, which have no
DejaVu: Arial, and the fonts with Arial's widths (Liberation Sans, Helvetica). Measured at
9 pt, Swedish labels set in Arial's widths are 12–19 % narrower than in DejaVu Sans and
never wider, so substituted text never outgrows the room it was laid out in; SVG text
anchors keep centred and right-aligned labels in place.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib import ticker
from matplotlib.axis import Axis
from matplotlib.figure import Figure

from narvard.report import formatting as fmt

# A4 less the 15 mm page margins of narvard.css is 680 CSS px; the cell's padding (5 px a
# side) and the output's right padding (20 px) leave 650 px = 6,77 in for a figure in print
# (measured in Chromium; tests/browser checks it). The screen column is wider (930 px).
PRINT_COLUMN_IN = 650 / 96
FIGURE_WIDTH_IN = 6.75  # every chart is drawn this wide or narrower
MIN_PT = 9.0  # smallest type in any chart, at 100 % zoom and on paper
TEXT_PT, TITLE_PT = 9.0, 10.0
FONT_FAMILY = ("DejaVu Sans", "Arial", "Liberation Sans", "Helvetica")
NICE_STEPS = (1, 2, 2.5, 5, 10)  # tick steps (× a power of ten) MaxNLocator may use
MONTH_STEPS = (1, 2, 3, 6, 10)  # months: 3 or 6 months between ticks rather than 5
PERCENT = fmt.NBSP + "%"  # tick suffix: "25 %"


def rc() -> dict:
    """Matplotlib settings for the report's charts (seaborn's 'ticks' style underneath)."""
    return {
        **sns.axes_style("ticks"),
        "font.family": "sans-serif",
        "font.sans-serif": list(FONT_FAMILY),
        "font.size": TEXT_PT,
        "axes.titlesize": TITLE_PT,
        "axes.labelsize": TEXT_PT,
        "xtick.labelsize": TEXT_PT,
        "ytick.labelsize": TEXT_PT,
        "legend.fontsize": TEXT_PT,
        "legend.title_fontsize": TEXT_PT,
        "figure.titlesize": TITLE_PT,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.unicode_minus": True,
        "text.parse_math": False,  # "$" in a name or question is just a dollar
        "hatch.linewidth": 0.8,
        "figure.dpi": 100,
        "svg.fonttype": "none",  # text stays text (see the module docstring)
        "svg.hashsalt": "narvard",  # the same figure gives the same SVG on every run
    }


@contextmanager
def styled() -> Iterator[None]:
    """Draw (and save) inside this: the report's style, whatever the caller's settings."""
    with plt.rc_context(rc()):
        yield


def chart(function: Callable[..., Figure]) -> Callable[..., Figure]:
    """Decorator for a function that returns a Figure: built in the report's style. It is
    drawn when saved (``html.svg_document``, in the same style); a caller that reads tick
    labels first draws it (``fig.draw_without_rendering()``). Not drawing here saves one
    full layout per chart; the saved SVG moves by under 0,02 pt."""

    @functools.wraps(function)
    def build(*args, **kwargs) -> Figure:
        with styled():
            fig = function(*args, **kwargs)
        return fig

    return build


def decimals_needed(values: Iterable[float], step: float | None = None) -> int:
    """Fewest decimals (0–6) that show every value exactly, to within a millionth of the
    step between them: 0.25, 0.5, 0.75 need 2; 0, 5, 10 need none."""
    values = [v for v in values if math.isfinite(v)]
    if step is None:
        gaps = [b - a for a, b in zip(sorted(values), sorted(values)[1:], strict=False) if b > a]
        step = min(gaps) if gaps else max((abs(v) for v in values), default=1.0) or 1.0
    tolerance = 1e-6 * step
    for decimals in range(7):
        if all(abs(v - round(v, decimals)) < tolerance for v in values):
            return decimals
    return 6


def trim_zeros(text: str) -> str:
    """'1,50' → '1,5', '2,0' → '2' (the decimal comma goes with its last zero)."""
    if "," not in text:
        return text
    return text.rstrip("0").removesuffix(",")


class SwedishTicks(ticker.Formatter):
    """Tick labels in Swedish number format (decimal comma, true minus, non-breaking space
    between thousands) with as many decimals as the ticks need and no trailing zeros:
    0, 0,25, 0,5, 0,75 never turns into 0, 0,2, 0,5, 0,8."""

    def __init__(self, suffix: str = "", absolute: bool = False) -> None:
        self.suffix = suffix
        self.absolute = absolute
        self.decimals: int | None = None

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        self.decimals = decimals_needed(locs) if len(locs) else None

    def __call__(self, x: float, pos: int | None = None) -> str:
        decimals = self.decimals if self.decimals is not None else decimals_needed([x])
        value = abs(x) if self.absolute else x
        return trim_zeros(fmt.number(value, decimals)) + self.suffix


def swedish_ticks(
    axis: Axis,
    suffix: str = "",
    absolute: bool = False,
    steps: Sequence[float] = NICE_STEPS,
    integer: bool = False,
    nbins: int | str = "auto",
) -> None:
    """Nice tick positions (multiples of 1, 2, 2,5 or 5 × a power of ten, unless `steps`
    says otherwise) labelled in Swedish; suffix e.g. '\u00a0%'; absolute drops the sign."""
    axis.set_major_locator(
        ticker.MaxNLocator(nbins=nbins, steps=list(steps), integer=integer, min_n_ticks=3)
    )
    axis.set_major_formatter(SwedishTicks(suffix, absolute))


def row_major(handles: list, labels: list[str], ncols: int) -> tuple[list, list[str]]:
    """Legend entries reordered so that a legend of `ncols` columns (which matplotlib fills
    column by column) reads left to right, row by row, in the given order."""
    nrows = math.ceil(len(handles) / ncols)
    order = [
        r * ncols + c for c in range(ncols) for r in range(nrows) if r * ncols + c < len(handles)
    ]
    return [handles[i] for i in order], [labels[i] for i in order]


def fit_texts_in_x(ax, texts: Sequence, rounds: int = 12) -> None:
    """Widen the x-limits of ax until every text in `texts` lies inside the axes, measured
    with the renderer (texts keep their data position; a few rounds reach a fixed point)."""
    fig = ax.figure
    for _ in range(rounds):
        renderer = fig.canvas.get_renderer()
        box = ax.get_window_extent(renderer)
        boxes = [t.get_window_extent(renderer) for t in texts if t.get_text()]
        if not boxes:
            return
        over_left = max(0.0, box.x0 - min(b.x0 for b in boxes))
        over_right = max(0.0, max(b.x1 for b in boxes) - box.x1)
        if over_left <= 0 and over_right <= 0:
            return
        low, high = ax.get_xlim()
        per_pixel = (high - low) / box.width
        ax.set_xlim(low - (over_left + 4) * per_pixel, high + (over_right + 4) * per_pixel)
        fig.draw_without_rendering()
