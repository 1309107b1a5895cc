"""HTML pieces shared by the area reports and the overview page: figures as inline PNG, and
Jinja2 templates (report/templates/narvard/*.j2) with every input text escaped."""

from __future__ import annotations

import base64
import html
import io
from functools import cache

import matplotlib.pyplot as plt
from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.figure import Figure

from narvard.paths import TEMPLATES_DIR


def figure_html(fig: Figure, alt: str, caption: str = "") -> str:
    """A <figure> with the PNG inline (base64), alt text and an optional caption."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (
        f'<figure class="narvard-figure"><img src="data:image/png;base64,{data}" '
        f'alt="{html.escape(alt, quote=True)}">{cap}</figure>'
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
