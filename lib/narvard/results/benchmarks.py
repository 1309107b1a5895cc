"""The `benchmarks` block of results.json: the region's crude figures and the published ones.

An area report sets its own crude figures (``consumption``, ``surveys``) beside the same
figures for its whole region and beside published figures with their citations
(``narvard.data.published``). All three are crude before/after comparisons (or response
rates): none has a comparison group, so they are compared with the report's crude change,
never with its adjusted effect (docs/benchmarks.md).
"""

from __future__ import annotations

from narvard.data.processed import ProcessedDataset
from narvard.data.published import Figure, Published, load_published
from narvard.results.analysis import region_windows
from narvard.stats.benchmarks import region_consumption, region_response

FIGURE_KEYS = (
    "id",
    "source",
    "location",
    "kind",
    "group",
    "measure",
    "survey",
    "question",
    "statement",
    "before_mean",
    "after_mean",
    "change_pct",
    "n",
    "window_days",
)


def published_figure(figure: Figure) -> dict:
    """One published figure as plain data (shares as fractions 0–1, as in results.json)."""
    return {key: getattr(figure, key) for key in FIGURE_KEYS} | {"share": figure.share}


def published_block(published: Published) -> dict:
    sources = {
        key: {
            "short": s.short,
            "title": s.title,
            "publisher": s.publisher,
            "year": s.year,
            "identifier": s.identifier,
            "citation": s.citation(),
        }
        for key, s in published.sources.items()
    }
    return {"sources": sources, "figures": [published_figure(f) for f in published.figures]}


def compared_surveys(published: Published) -> list[str]:
    """The surveys whose response rate has a published counterpart."""
    return sorted({f.survey for f in published.of_kind("response_rate")})


def region_benchmarks(dataset: ProcessedDataset, region: str, min_cell: int) -> dict:
    """The region's crude consumption per team group and its response rates."""
    windows = region_windows(dataset, region)
    areas = dataset.areas()
    in_region = set(areas.loc[areas["region"] == region, "area_id"])
    responses = dataset.table("survey_responses")
    invitations = dataset.table("survey_invitations")
    surveys = {}
    if responses is not None:
        responses = responses[responses["area_id"].isin(in_region)]
        if invitations is not None:
            invitations = invitations[invitations["area_id"].isin(in_region)]
        for survey_id in compared_surveys(load_published()):
            block = region_response(responses, invitations, survey_id, min_cell)
            if block is not None:
                surveys[survey_id] = block
    return {
        "n_areas": len(in_region),
        "window_days": int(dataset.manifest["window_days"]),
        "consumption": region_consumption(windows, min_cell),
        "surveys": surveys,
    }


def benchmarks(dataset: ProcessedDataset, region: str, min_cell: int) -> dict:
    """{"region": ..., "published": {"sources", "figures"}} for results.json."""
    return {
        "region": region_benchmarks(dataset, region, min_cell),
        "published": published_block(load_published()),
    }
