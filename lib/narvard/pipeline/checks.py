"""Checks that follow each rendering stage: a report is published only when they pass."""

from __future__ import annotations

import re
from pathlib import Path

from narvard.domain import MEASURES
from narvard.results.schema import read_results

MEASURE_KEYS = ("before_total", "after_total", "before_mean", "after_mean", "change_pct")
GROUP_KEYS = ("n_patients", "n_excluded", "deaths_after", "person_days_after", "measures")
# Attributes and CSS that would make a browser fetch something.
_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']*)["']|url\(\s*["']?([^"')]*)""", re.I)


class OutputError(RuntimeError):
    """A rendered area is incomplete or would not open offline."""


def results_problems(results: dict, area_id: str) -> list[str]:
    """Contract keys missing from an area's results.json (docs/contract.md §4)."""
    problems = []
    for key in ("schema_version", "area_id", "window_days", "consumption", "surveys", "costs"):
        if key not in results:
            problems.append(f"results.json lacks {key}")
    if results.get("area_id") != area_id:
        problems.append(f"results.json is for {results.get('area_id')!r}, not {area_id!r}")
    for group, block in results.get("consumption", {}).items():
        problems += [f"consumption.{group} lacks {k}" for k in GROUP_KEYS if k not in block]
        for measure in MEASURES:
            got = block.get("measures", {}).get(measure, {})
            problems += [
                f"consumption.{group}.measures.{measure} lacks {k}"
                for k in MEASURE_KEYS
                if k not in got
            ]
    return problems


def external_references(page: str) -> list[str]:
    """Every src/href/url() in an HTML page that is not inline data or an in-page anchor."""
    found = []
    for match in _REFERENCE.finditer(page):
        ref = (match.group(1) or match.group(2) or "").strip()
        if ref and not ref.startswith(("data:", "#")):
            found.append(ref)
    return found


OVERVIEW_LINK = "../index.html"


def is_own_link(ref: str, area_dir: Path) -> bool:
    """Links an area report may carry: back to the overview, and its own take-away tables
    (which must exist beside it)."""
    if ref == OVERVIEW_LINK:
        return True
    return ref.startswith("tables/") and ".." not in ref and (Path(area_dir) / ref).is_file()


def check_area_output(area_dir: Path, area_id: str) -> None:
    """Raise OutputError unless the area has a complete, self-contained report."""
    area_dir = Path(area_dir)
    for name in ("report.ipynb", "results.json", "report.html"):
        if not (area_dir / name).is_file():
            raise OutputError(f"{name} was not written")
    problems = results_problems(read_results(area_dir / "results.json"), area_id)
    page = (area_dir / "report.html").read_text(encoding="utf-8")
    problems += [
        f"report.html refers to {ref}"
        for ref in external_references(page)
        if not is_own_link(ref, area_dir)
    ]
    if "Traceback" in page or 'class="highlight' in page:
        problems.append("report.html shows code or an error")
    if problems:
        raise OutputError("; ".join(problems))
