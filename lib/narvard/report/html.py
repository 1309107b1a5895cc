"""HTML pieces shared by the area reports and the overview page: figures as inline SVG, and
Jinja2 templates (report/templates/narvard/*.j2) with every input text escaped."""

from __future__ import annotations

import base64
import html
import io
import re
from functools import cache

import matplotlib.pyplot as plt
from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.figure import Figure

from narvard.paths import TEMPLATES_DIR
from narvard.report.chart_style import styled

CSS_PX_PER_PT = 96 / 72
_SVG_SIZE = re.compile(rb'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"')


def svg_document(fig: Figure) -> bytes:
    """The figure as SVG, cropped to its content, text kept as text, no timestamp."""
    buffer = io.BytesIO()
    with styled():
        fig.savefig(
            buffer, format="svg", bbox_inches="tight", pad_inches=0.04, metadata={"Date": None}
        )
    return buffer.getvalue()


def svg_size_pt(svg: bytes) -> tuple[float, float]:
    """(width, height) of an SVG written by matplotlib, in points (1/72 in)."""
    found = _SVG_SIZE.search(svg)
    if not found:
        raise ValueError("no width/height in pt on the <svg> element")
    return float(found[1]), float(found[2])


def figure_html(fig: Figure, alt: str, caption: str = "") -> str:
    """A <figure> with the chart as an SVG image (data: URI, allowed by the pages'
    Content-Security-Policy), alt text and an optional caption. The image's width and
    height are its natural size in CSS pixels, so type keeps its size in points."""
    svg = svg_document(fig)
    plt.close(fig)
    width, height = (round(v * CSS_PX_PER_PT) for v in svg_size_pt(svg))
    data = base64.b64encode(svg).decode("ascii")
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (
        f'<figure class="narvard-figure"><img src="data:image/svg+xml;base64,{data}" '
        f'width="{width}" height="{height}" alt="{html.escape(alt, quote=True)}">{cap}</figure>'
    )


@cache
def templates() -> Environment:
    """The report templates; autoescape on, so text from the inputs shows as text."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR / "narvard"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context) -> str:
    return templates().get_template(template).render(**context)
