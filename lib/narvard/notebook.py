"""Helpers the area notebook calls, so that the notebook itself stays thin.

Figures are embedded as PNG inside HTML <figure> elements with alt text and a caption:
the rendered report then needs no external file and screen readers get a description.
"""

from __future__ import annotations

import base64
import html
import io
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display
from matplotlib.figure import Figure

from narvard import formatting as fmt
from narvard.paths import DEFAULT_PROCESSED
from narvard.processed import ProcessedDataset, latest_processed
from narvard.report_tables import to_html
from narvard.results import area_results, write_results


def setup() -> None:
    """Quiet, print-friendly defaults for a report run."""
    warnings.filterwarnings("ignore")
    plt.rcParams.update({"figure.dpi": 100, "font.size": 9, "axes.titlesize": 10})


def open_dataset(processed_dir: str, window_days: int) -> ProcessedDataset:
    """The prepared dataset the runner passed, or the latest one for interactive use."""
    if processed_dir:
        return ProcessedDataset(Path(processed_dir))
    return latest_processed(DEFAULT_PROCESSED, window_days)


def load_results(
    area_id: str, processed_dir: str, window_days: int, min_cell: int, results_path: str
) -> dict:
    """Compute an area's results (first area when none is named) and save results.json."""
    dataset = open_dataset(processed_dir, window_days)
    if dataset.manifest["window_days"] != window_days:
        raise ValueError(
            f"the prepared data uses {dataset.manifest['window_days']} days, not {window_days}"
        )
    area_id = area_id or str(dataset.areas()["area_id"].iloc[0])
    results = area_results(dataset, area_id, min_cell)
    if results_path:
        write_results(results, Path(results_path))
    return results


def show_markdown(text: str) -> None:
    display(Markdown(text))


def show_html(markup: str) -> None:
    display(HTML(markup))


def show_table(table: pd.DataFrame, caption: str = "") -> None:
    title = f"<p class='narvard-caption'>{html.escape(caption)}</p>" if caption else ""
    display(HTML(title + to_html(table)))


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


def show_figure(fig: Figure, alt: str, caption: str = "") -> None:
    display(HTML(figure_html(fig, alt, caption)))


def header_html(results: dict) -> str:
    """Title block with dataset, area, period and a banner when the data are synthetic."""
    d = results["dataset"]
    banner = ""
    if d["synthetic"]:
        banner = (
            '<div class="narvard-banner" role="note"><strong>Syntetiska data.</strong> '
            "Rapporten bygger på påhittade uppgifter för demonstration och test. "
            "Siffrorna beskriver inga verkliga patienter eller verksamheter.</div>"
        )
    return (
        f"{banner}<p class='narvard-meta'>Datamaterial: {html.escape(d['dataset_name'])} · "
        f"Region: {html.escape(results['region'])} · Invånare: "
        f"{fmt.number(results['population'])} · Uttag av vårdkontakter: "
        f"{fmt.date(d['contacts_from'])} – {fmt.date(d['contacts_to'])} · "
        f"Jämförelseperiod: {results['window_days']} dagar före och efter</p>"
    )
