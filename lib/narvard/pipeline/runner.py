"""`narvard report`: validate, aggregate once, render every area, publish atomically.

The run matrix (areas × area notebook) is checked before anything runs. Each area renders
into a private staging folder; failures are collected and reported at the end. Only
complete areas are moved under OUT (each replacing its old folder in one rename), so a
failed or interrupted run never leaves a half-written or mixed report.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from narvard.paths import DATA_ENV, PROCESSED_ENV, area_notebook

if TYPE_CHECKING:  # the heavy modules are imported after the first message (a quick start)
    from narvard.data.dataset import Dataset
    from narvard.data.processed import ProcessedDataset
    from narvard.pipeline.settings import ReportSettings

EXIT_OK, EXIT_AREA_FAILED, EXIT_INVALID_INPUT = 0, 1, 2


@dataclass(frozen=True)
class AreaOutcome:
    area_id: str
    seconds: float
    error: str | None = None


def say(message: str) -> None:
    print(message, flush=True)


def complain(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_prepare(data_dir: Path, processed_root: Path, window_days: int) -> int:
    """The whole `narvard prepare` command: validate and aggregate once, no reports."""
    say(f"Kontrollerar indata i {data_dir} …")
    from narvard.pipeline.prepare import prepare_command

    return prepare_command(data_dir, processed_root, window_days)


def run_report(settings: ReportSettings) -> int:
    """The whole `narvard report` command; returns the exit status."""
    say(f"Kontrollerar indata i {settings.data_dir} …")
    from narvard.pipeline.prepare import checked_input
    from narvard.report.render import ensure_kernel

    unchanged = f"Inget under {settings.out_dir} har ändrats."
    source = checked_input(settings.data_dir, settings.processed_root, unchanged)
    if source is None:
        return EXIT_INVALID_INPUT
    areas = _run_matrix(settings, source)
    if isinstance(areas, str):
        complain(areas)
        return EXIT_INVALID_INPUT
    try:
        dataset = _prepare(settings, source, areas)
    except Exception as error:  # noqa: BLE001 - one clear message instead of a traceback
        complain(
            f"Bearbetningen av {settings.data_dir} misslyckades: {type(error).__name__}: "
            f"{error}. {unchanged}"
        )
        return EXIT_AREA_FAILED
    ensure_kernel()  # once, before parallel workers would race to register it
    staging = Path(tempfile.mkdtemp(prefix=".narvard-", dir=_staging_parent(settings.out_dir)))
    outcomes = _render_all(settings, dataset, areas, staging)
    failed = [o for o in outcomes if o.error]
    if len(failed) < len(outcomes):
        done = [o for o in outcomes if not o.error]
        index = _publish(settings.out_dir, staging, done, dataset)
        say(f"Översikt: {index}")
    for outcome in failed:
        complain(f"{outcome.area_id}: rapporten kunde inte skapas: {outcome.error}")
    if failed:
        complain(
            f"{len(failed)} av {len(outcomes)} områden misslyckades; deras körda "
            f"notebooks finns för felsökning i {staging} (publiceras inte)."
        )
        return EXIT_AREA_FAILED
    shutil.rmtree(staging, ignore_errors=True)
    return EXIT_OK


def _run_matrix(settings: ReportSettings, source: Dataset) -> list[str] | str:
    """The areas to render, or a message naming what cannot run."""
    known = list(source.text("areas").frame["area_id"])
    unknown = [a for a in settings.areas if a not in known]
    if unknown:
        return f"--areas: okänt område {', '.join(unknown)}; areas.csv har {', '.join(known)}."
    try:
        area_notebook()
    except FileNotFoundError as error:
        return str(error)
    return list(settings.areas) or known


def rendering_message(areas: int, jobs: int) -> str:
    """'Skapar 6 områdesrapporter med 2 parallella processer …', in the singular for one."""
    if areas == 1:
        return "Skapar 1 områdesrapport …"
    workers = min(areas, jobs)
    processes = "1 process" if workers == 1 else f"{workers} parallella processer"
    return f"Skapar {areas} områdesrapporter med {processes} …"


def _render_all(
    settings: ReportSettings, dataset: ProcessedDataset, areas: list[str], staging: Path
) -> list[AreaOutcome]:
    from narvard.report import formatting as fmt

    say(rendering_message(len(areas), settings.jobs))
    jobs = [
        (
            a,
            staging / a,
            dataset.manifest["key"],
            {
                DATA_ENV: str(Path(settings.data_dir).resolve()),
                PROCESSED_ENV: str(Path(settings.processed_root).resolve()),
            },
            settings.window_days,
            settings.min_cell,
            settings.comparison,
        )
        for a in _largest_first(dataset, areas)
    ]
    outcomes = []
    context = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(
        max_workers=min(settings.jobs, len(areas)), mp_context=context
    ) as pool:
        futures = [pool.submit(render_area, *job) for job in jobs]
        for k, future in enumerate(cf.as_completed(futures), start=1):
            outcome = future.result()
            state = "klart" if not outcome.error else "MISSLYCKADES"
            say(
                f"[{k}/{len(areas)}] {outcome.area_id}: {state} "
                f"({fmt.number(outcome.seconds, 1)} s)"
            )
            outcomes.append(outcome)
    return outcomes


def _largest_first(dataset: ProcessedDataset, areas: list[str]) -> list[str]:
    """The areas in order of falling patient count: the longest runs start first, so that
    no worker is left with a large area at the end while the others wait."""
    patients = dataset.windows()["area_id"].value_counts()
    return sorted(areas, key=lambda a: -int(patients.get(a, 0)))


def _prepare(settings: ReportSettings, source: Dataset, areas: list[str]) -> ProcessedDataset:
    """Aggregate once per dataset, then the region cost totals every area report shows."""
    from narvard.pipeline.prepare import prepared

    dataset = prepared(source, settings.processed_root, settings.window_days)
    _prepare_region_totals(dataset, areas, settings.comparison)
    return dataset


def _prepare_region_totals(dataset: ProcessedDataset, areas: list[str], comparison: str) -> None:
    """Region cost totals need every area: computed once here, before parallel workers."""
    from narvard.report import formatting as fmt
    from narvard.results.costs import region_totals

    table = dataset.areas()
    for region in sorted(set(table.loc[table["area_id"].isin(areas), "region"])):
        started = time.monotonic()
        region_totals(dataset, region, comparison)
        say(f"Regionens kostnader ({region}): {fmt.number(time.monotonic() - started, 1)} s")


def _staging_parent(out_dir: Path) -> Path:
    parent = Path(out_dir).resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    return parent


def render_area(
    area_id: str,
    area_dir: Path,
    dataset_key: str,
    environment: dict[str, str],
    window_days: int,
    min_cell: int,
    comparison: str = "balanced",
) -> AreaOutcome:
    """Execute, check and export one area's report into area_dir (runs in a worker process)."""
    from narvard.pipeline.checks import check_area_output
    from narvard.report.render import execute_area_notebook, export_html, notebook_error
    from narvard.results.schema import read_results

    started = time.monotonic()
    area_dir.mkdir(parents=True, exist_ok=True)
    parameters = {
        "area_id": area_id,
        "dataset_key": dataset_key,
        "results_path": "results.json",
        "window_days": window_days,
        "min_cell": min_cell,
        "comparison": comparison,
    }
    try:
        notebook = execute_area_notebook(area_dir, parameters, environment=environment)
        results = read_results(area_dir / "results.json")
        export_html(
            notebook,
            area_dir / "report.html",
            f"Uppföljning av mobil närvård – {results['area_name']}",
        )
        check_area_output(area_dir, area_id)
    except Exception as error:  # noqa: BLE001 - collected and reported at the end
        detail = notebook_error(area_dir / "report.ipynb") or f"{type(error).__name__}: {error}"
        return AreaOutcome(area_id, time.monotonic() - started, detail)
    return AreaOutcome(area_id, time.monotonic() - started)


def _publish(
    out_dir: Path, staging: Path, done: list[AreaOutcome], dataset: ProcessedDataset
) -> Path:
    """Move finished areas under out_dir (one rename each) and rewrite index.html."""
    from narvard.report.index_page import write_index
    from narvard.results.schema import read_results

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for outcome in done:
        target = out_dir / outcome.area_id
        old = out_dir / f".{outcome.area_id}.old-{os.getpid()}"
        if target.exists():
            target.rename(old)
        (staging / outcome.area_id).rename(target)
        shutil.rmtree(old, ignore_errors=True)
    key = dataset.manifest["key"]
    published = [read_results(p) for p in sorted(out_dir.glob("*/results.json"))]
    same_run = [r for r in published if r.get("dataset", {}).get("key") == key]
    index = out_dir / "index.html"
    tmp = out_dir / f".index.html.{os.getpid()}"
    write_index(same_run, tmp)
    tmp.replace(index)
    return index
