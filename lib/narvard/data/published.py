"""Published reference figures (VGR's final report, Region Skåne's evaluation) as data.

``data/reference/published.yaml`` holds each figure with its citation: source, section,
table or slide, the measure and group, before/after/change as published, who it is about
and the source's own words. This module reads it once, checks it and returns immutable
objects; an unknown key, a missing key, an unknown measure or group, or a change that
does not follow from the published means is refused with the figure's id.

The figures are crude: none has a comparison group (docs/benchmarks.md).
"""

from __future__ import annotations

import functools
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from types import MappingProxyType

import yaml

from narvard.domain import ALL_GROUPS, MEASURES, TEAM_GROUPS

PUBLISHED_FILE = Path(__file__).parent / "reference" / "published.yaml"
KINDS = ("consumption", "response_rate", "share")
SURVEY_GROUPS = (*TEAM_GROUPS, ALL_GROUPS, "vårdcentral", "kommun")
CHANGE_TOLERANCE = 1.5  # percentage points: published changes come from unrounded means


@dataclass(frozen=True)
class Source:
    """A publication: what it is, who published it, and how it measured."""

    id: str
    short: str  # Swedish short name shown in tables ("VGR:s slutrapport 2019")
    title: str
    publisher: str
    year: int
    date: str | None
    identifier: str | None
    design: str
    note: str

    def citation(self) -> str:
        """'Publisher (year). Title. Identifier.' as shown under a table (Swedish)."""
        parts = [f"{self.publisher} ({self.year}). {self.title}."]
        if self.identifier:
            parts.append(f"{self.identifier}.")
        return " ".join(parts)


@dataclass(frozen=True)
class Figure:
    """One published figure with where it was published (keys: see published.yaml)."""

    id: str
    source: str
    location: str
    kind: str
    group: str
    quote: str
    population: str
    n: int | None = None
    measure: str | None = None
    survey: str | None = None
    before_mean: float | None = None
    after_mean: float | None = None
    change_pct: float | None = None
    percent: float | None = None
    window_days: int | None = None
    window: str | None = None
    question: str | None = None
    statement: str | None = None
    note: str | None = None

    @property
    def share(self) -> float | None:
        """percent as a fraction 0–1 (results.json's unit for shares and response rates)."""
        return None if self.percent is None else self.percent / 100.0


@dataclass(frozen=True)
class Published:
    """Every source and figure of published.yaml."""

    sources: MappingProxyType  # id -> Source
    figures: tuple[Figure, ...]

    def consumption(self, group: str, measure: str) -> tuple[Figure, ...]:
        return tuple(
            f
            for f in self.figures
            if f.kind == "consumption" and f.group == group and f.measure == measure
        )

    def of_kind(self, kind: str) -> tuple[Figure, ...]:
        return tuple(f for f in self.figures if f.kind == kind)


REQUIRED = {
    "consumption": ("measure", "change_pct", "window_days", "window"),
    "response_rate": ("survey", "percent"),
    "share": ("survey", "percent"),
}


def _build(cls, raw: dict, where: str):
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping")
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - names)
    if unknown:
        raise ValueError(f"{where}: unknown keys {unknown}")
    required = {f.name for f in fields(cls) if f.default is MISSING}
    missing = sorted(required - set(raw))
    if missing:
        raise ValueError(f"{where}: missing keys {missing}")
    return cls(**raw)


def _check_figure(figure: Figure, sources: dict) -> None:
    where = f"published figure {figure.id!r}"
    if figure.source not in sources:
        raise ValueError(f"{where}: unknown source {figure.source!r}")
    if figure.kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {KINDS}, not {figure.kind!r}")
    for key in REQUIRED[figure.kind]:
        if getattr(figure, key) is None:
            raise ValueError(f"{where}: {key} is required for kind {figure.kind!r}")
    if figure.kind == "consumption":
        if figure.measure not in MEASURES:
            raise ValueError(f"{where}: measure {figure.measure!r} is not a contract measure")
        if figure.group not in TEAM_GROUPS:
            raise ValueError(f"{where}: group must be one of {TEAM_GROUPS}")
        if (figure.before_mean is None) != (figure.after_mean is None):
            raise ValueError(f"{where}: give both before_mean and after_mean, or neither")
        if figure.before_mean is not None:
            implied = 100.0 * (figure.after_mean - figure.before_mean) / figure.before_mean
            if abs(implied - figure.change_pct) > CHANGE_TOLERANCE:
                raise ValueError(
                    f"{where}: change_pct {figure.change_pct} does not follow from "
                    f"{figure.before_mean} -> {figure.after_mean} ({implied:.1f})"
                )
    else:
        if figure.group not in SURVEY_GROUPS:
            raise ValueError(f"{where}: group must be one of {SURVEY_GROUPS}")
        if not 0 <= figure.percent <= 100:
            raise ValueError(f"{where}: percent must lie in 0–100")
        if figure.kind == "share" and not (figure.question or figure.statement):
            raise ValueError(f"{where}: a share needs its question or statement")


def parse_published(raw: dict) -> Published:
    """Published from the parsed YAML (checked; see the module docstring)."""
    if not isinstance(raw, dict) or set(raw) != {"sources", "figures"}:
        raise ValueError("published.yaml must have exactly the keys 'sources' and 'figures'")
    sources = {
        key: _build(Source, {"id": key} | dict(value or {}), f"published source {key!r}")
        for key, value in raw["sources"].items()
    }
    figures = tuple(
        _build(Figure, item, f"published figure {k + 1}") for k, item in enumerate(raw["figures"])
    )
    ids = [f.id for f in figures]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"published figures with the same id: {duplicated}")
    for figure in figures:
        _check_figure(figure, sources)
    return Published(MappingProxyType(sources), figures)


@functools.cache
def load_published(path: Path = PUBLISHED_FILE) -> Published:
    """The published figures of ``path`` (read and checked once per process)."""
    return parse_published(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
