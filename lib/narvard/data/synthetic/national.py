"""The national demo at real size: 21 regions, a register-sized comparison pool, and the
big tables (`cohort`, `contacts`) as Parquet, streamed region by region.

The process is the demo's (``narvard.data.synthetic.demo.PROCESS``), simulated one region at
a time on the region's own random stream, so memory stays at one region's events and a run
limited to some regions (``regions=``) gives exactly those regions' rows of the full run.
Each region is simulated twice on the same random numbers, with and without the teams, for
truth.json (``narvard.data.synthetic.truth``).

Team patients follow the VGR figures per inhabitant (as the regional demo). The comparison
pool is a register extract — municipal home health care without a team, as the reports
describe it (``narvard.stats.balance``) — and is therefore much larger than the regional
demo's hand-picked 3 000 (``COMPARISON_FACTOR``, an assumption of the demo).
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

from narvard.data.consumption import patient_windows
from narvard.data.synthetic import demo
from narvard.data.synthetic.process import (
    ER,
    INPATIENT,
    Process,
    allocate,
    build_cohort,
    patient_ids,
    patient_parameters,
    simulate,
)
from narvard.data.synthetic.truth import effects_from_pairs, pair_windows, write_tables, write_truth
from narvard.domain import CONTACT_TYPES, GROUPS

# Comparison patients per inhabitant relative to the regional demo (assumption: a national
# register extract of municipal home health care holds ~24 times VGR's hand-picked pool).
COMPARISON_FACTOR = 24.0
ROW_GROUP = 1_000_000

CONTACTS_SCHEMA = pa.schema(
    [
        ("patient_id", pa.string()),
        ("contact_type", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("admitted", pa.int8()),
        ("unplanned", pa.int8()),
    ]
)
COHORT_SCHEMA = pa.schema(
    [
        ("patient_id", pa.string()),
        ("area_id", pa.string()),
        ("group", pa.string()),
        ("index_date", pa.date32()),
        ("birth_year", pa.int32()),
        ("sex", pa.string()),
        ("death_date", pa.date32()),
        ("kommun", pa.string()),
    ]
)


@dataclass(frozen=True)
class Region:
    """One simulated region: its contract rows as Arrow tables, and its included team
    patients' after-window events with and without the teams (for truth.json)."""

    area_id: str
    cohort: pa.Table
    contacts: pa.Table
    pairs: pd.DataFrame | None = None


@dataclass(frozen=True)
class _Outcome:
    """What the daily simulation leaves per patient (process.simulate's state)."""

    index_day: np.ndarray
    death_day: np.ndarray


def national_targets(areas: pd.DataFrame, size: float = 1.0) -> dict[str, np.ndarray]:
    """Included patients per group and area (arrays in area order).

    Team groups: the VGR numbers per inhabitant; comparison: COMPARISON_FACTOR times that.
    Each group is spread over the areas by population × the area's reach for the group.
    """
    spec = yaml.safe_load((demo.DATA_DIR / "areas.yml").read_text(encoding="utf-8"))
    factor = (
        size * areas["population"].sum() / sum(a["population"] for a in spec["region"]["areas"])
    )
    reach = {"HSVT": areas["hsvt_reach"].to_numpy(), "NSVT": areas["nsvt_reach"].to_numpy()}
    targets = {}
    for group, n in demo.REGION_TARGETS.items():
        total = round(n * factor * (COMPARISON_FACTOR if group == "comparison" else 1.0))
        targets[group] = allocate(total, areas["population"].to_numpy() * reach.get(group, 1.0))
    return targets


def _patients_per_area(process: Process, targets: dict[str, np.ndarray]) -> np.ndarray:
    """Cohort rows per area: included patients plus build_cohort's excluded extra ones."""
    return sum(n + np.round(process.excluded_share * n).astype(int) for n in targets.values())


def _id_blocks(rng: np.random.Generator, sizes: np.ndarray) -> list[np.ndarray]:
    """Unique pseudonymous ids, ascending from one area to the next (so the region-by-region
    files are sorted by patient id) and in random order within an area."""
    ids = np.sort(patient_ids(rng, int(sizes.sum())))
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    return [rng.permutation(ids[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _dates(process: Process, days: np.ndarray) -> np.ndarray:
    return (process.start + days.astype("timedelta64[D]")).astype("datetime64[D]")


def _contacts_arrow(process: Process, events: pd.DataFrame, ids: np.ndarray) -> pa.Table:
    """Contact rows sorted by patient id, date and contact type, typed for Parquet."""
    rank = np.argsort(np.argsort(ids, kind="stable"), kind="stable")
    e = {k: events[k].to_numpy() for k in ("pid", "type", "start", "end", "flag")}
    order = np.lexsort((e["end"], e["type"], e["start"], rank[e["pid"]]))
    e = {k: v[order] for k, v in e.items()}
    is_er, is_stay = e["type"] == ER, e["type"] == INPATIENT
    types = pa.array(np.array(CONTACT_TYPES, dtype=object))
    return pa.table(
        {
            "patient_id": pa.array(ids[e["pid"]], pa.string()),
            "contact_type": pa.DictionaryArray.from_arrays(e["type"].astype(np.int32), types).cast(
                pa.string()
            ),
            "start_date": pa.array(_dates(process, e["start"]), pa.date32()),
            "end_date": pa.array(_dates(process, e["end"]), pa.date32(), mask=~is_stay),
            "admitted": pa.array(e["flag"].astype(np.int8), pa.int8(), mask=~is_er),
            "unplanned": pa.array(e["flag"].astype(np.int8), pa.int8(), mask=~is_stay),
        },
        schema=CONTACTS_SCHEMA,
    )


def _cohort_arrow(
    process: Process, cohort: pd.DataFrame, state: _Outcome, area_id: str, ids: np.ndarray
) -> pa.Table:
    """The contract's cohort rows of one area, sorted by patient id, typed for Parquet."""
    index = _dates(process, state.index_day)
    index_year = index.astype("datetime64[Y]").astype(int) + 1970
    dead = state.death_day >= 0
    order = np.argsort(ids, kind="stable")
    columns = {
        "patient_id": pa.array(ids, pa.string()),
        "area_id": pa.array(np.full(len(ids), area_id, dtype=object), pa.string()),
        "group": pa.array(np.array(GROUPS, dtype=object)[cohort["group"].to_numpy()]),
        "index_date": pa.array(index, pa.date32()),
        "birth_year": pa.array(index_year - np.floor(cohort["age"].to_numpy()).astype(int)),
        "sex": pa.array(np.where(cohort["female"].to_numpy(), "F", "M").astype(object)),
        "death_date": pa.array(_dates(process, np.maximum(state.death_day, 0)), mask=~dead),
        "kommun": pa.nulls(len(ids), pa.string()),
    }
    table = pa.table(columns).cast(COHORT_SCHEMA)
    return table.take(pa.array(order))


def _subset(params: dict, rows: np.ndarray) -> dict:
    """The per-patient parameters of some patients (shared arrays kept as they are)."""
    out = {}
    for key, value in params.items():
        if key == "effects":
            out[key] = {k: v[rows] for k, v in value.items()}
        elif key in ("calendar", "tau"):
            out[key] = value
        else:
            out[key] = value[rows]
    return out


def _run(process: Process, cohort: pd.DataFrame, effect: float, seeds, rows: list) -> tuple:
    """Simulate the patients of each index array in ``rows`` on its own stream; return the
    events (pid = row of ``cohort``) and every patient's index and death day."""
    params = patient_parameters(
        process, cohort, np.array([effect]), np.random.default_rng(seeds[0])
    )
    index_day = np.zeros(len(cohort), np.int64)
    death_day = np.zeros(len(cohort), np.int64)
    frames = []
    for part, seq in zip(rows, seeds[1:], strict=False):
        events, state = simulate(process, _subset(params, part), np.random.default_rng(seq))
        events["pid"] = part[events["pid"].to_numpy()]
        frames.append(events)
        index_day[part], death_day[part] = state.index_day, state.death_day
    return pd.concat(frames, ignore_index=True), _Outcome(index_day, death_day)


def simulate_region(
    area: pd.Series,
    targets: dict[str, int],
    seed: np.random.SeedSequence,
    ids: np.ndarray,
    truth_window_days: int | None = 180,
) -> Region:
    """Simulate one area's patients; team and comparison patients on streams of their own,
    so that the counterfactual twin (no team effects, same random numbers) needs only the
    team patients. ``truth_window_days=None`` skips the twin."""
    cohort_seq, params_seq, team_seq, comparison_seq = seed.spawn(4)
    cohort = build_cohort(
        demo.PROCESS,
        np.array([area["population"]]),
        {"HSVT": np.array([area["hsvt_reach"]]), "NSVT": np.array([area["nsvt_reach"]])},
        [area["kommuner"]],
        targets,
        np.random.default_rng(cohort_seq),
    )
    team = np.flatnonzero(cohort["group"].to_numpy() < 2)
    comparison = np.flatnonzero(cohort["group"].to_numpy() == 2)
    events, outcome = _run(
        demo.PROCESS,
        cohort,
        area["effect"],
        (params_seq, team_seq, comparison_seq),
        [team, comparison],
    )
    region = Region(
        area["area_id"],
        _cohort_arrow(demo.PROCESS, cohort, outcome, area["area_id"], ids),
        _contacts_arrow(demo.PROCESS, events, ids),
    )
    if truth_window_days is None:
        return region
    twin_events, twin = _run(
        demo.PROCESS.untreated(), cohort, area["effect"], (params_seq, team_seq), [team]
    )
    team_ids = ids[team]
    twin_region = Region(
        area["area_id"],
        _cohort_arrow(
            demo.PROCESS,
            cohort.iloc[team],
            _Outcome(twin.index_day[team], twin.death_day[team]),
            area["area_id"],
            team_ids,
        ),
        _contacts_arrow(demo.PROCESS, _renumber(twin_events, team), team_ids),
    )
    pairs = _region_pairs(region, twin_region, truth_window_days)
    return Region(region.area_id, region.cohort, region.contacts, pairs)


def _renumber(events: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Events of the patients ``rows`` with pid renumbered to positions in ``rows``."""
    position = np.full(rows.max() + 1 if len(rows) else 0, -1)
    position[rows] = np.arange(len(rows))
    return events.assign(pid=position[events["pid"].to_numpy()])


def national_areas(seed: int, regions: Sequence[str] | None = None) -> pd.DataFrame:
    """The 21 regions (or the named ones) with reach and effect drawn as the demo draws them."""
    area_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(4)[0])
    areas = demo._load_areas("national", area_rng)
    if regions:
        unknown = set(regions) - set(areas["area_id"])
        if unknown:
            known = ", ".join(areas["area_id"])
            raise ValueError(f"Okänd region: {', '.join(sorted(unknown))}; välj bland {known}.")
        areas = areas.assign(selected=areas["area_id"].isin(regions))
    else:
        areas = areas.assign(selected=True)
    return areas


def _tasks(seed: int, size: float, only: Sequence[str] | None) -> list[tuple]:
    """simulate_region's arguments for each selected area, in area order. Targets, ids and
    random streams are those of the full national run whatever ``only`` selects."""
    _, cohort_seq, id_seq, _ = np.random.SeedSequence(seed).spawn(4)
    areas = national_areas(seed, only)
    targets = national_targets(areas, size)
    ids = _id_blocks(np.random.default_rng(id_seq), _patients_per_area(demo.PROCESS, targets))
    return [
        (areas.iloc[i], {g: int(targets[g][i]) for g in GROUPS}, seq, ids[i])
        for i, seq in enumerate(cohort_seq.spawn(len(areas)))
        if areas.iloc[i]["selected"]
    ]


def regions(
    seed: int,
    size: float = 1.0,
    only: Sequence[str] | None = None,
    truth_window_days: int | None = None,
    jobs: int = 1,
) -> Iterator[Region]:
    """Simulated regions in area order, ``jobs`` at a time in worker processes."""
    tasks = _tasks(seed, size, only)
    if jobs <= 1 or len(tasks) <= 1:
        yield from (simulate_region(*task, truth_window_days) for task in tasks)
        return
    context = multiprocessing.get_context("spawn")  # no fork of Arrow/DuckDB threads
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        done = [pool.submit(simulate_region, *task, truth_window_days) for task in tasks]
        for future in done:
            yield future.result()


# --------------------------------------------------------------------------- tables


def small_tables(seed: int, areas: pd.DataFrame, cohort: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """areas, surveys and costs of the selected areas (CSV-sized tables)."""
    survey_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(4)[3])
    chosen = areas[areas["selected"]].reset_index(drop=True)
    return {
        "areas": chosen[["area_id", "area_name", "region", "population"]].copy(),
        **demo._survey_tables(survey_rng, chosen, cohort),
        "unit_costs": demo._unit_costs(),
        "team_costs": demo._team_costs(chosen),
    }


def national_tables(
    seed: int = 2019, size: float = 1.0, only: Sequence[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Every contract table in memory (for small sizes: tests, calibration)."""
    parts = list(regions(seed, size, only))
    cohort = pa.concat_tables([r.cohort for r in parts]).to_pandas()
    contacts = pa.concat_tables([r.contacts for r in parts]).to_pandas()
    tables = {"cohort": cohort, "contacts": contacts}
    tables |= small_tables(seed, national_areas(seed, only), cohort)
    return {name: tables[name] for name in demo.TABLE_ORDER}


def _dataset_yml(seed: int, size: float, only: Sequence[str] | None) -> str:
    text = demo._dataset_yml(seed, "national") + f"size: {size:g}\n"
    return text + (f"regions: [{', '.join(only)}]\n" if only else "")


def _write_region_folder(folder: Path, region: Region) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(region.cohort, folder / "cohort.parquet")
    pq.write_table(region.contacts, folder / "contacts.parquet")
    (folder / "dataset.yml").write_text(demo.PROCESS.dataset_yml(region.area_id), encoding="utf-8")


def _region_pairs(region: Region, twin: Region, window_days: int) -> pd.DataFrame:
    """One region's included team patients with events with and without the teams, each
    counted by the project's own aggregation (``narvard.data.consumption``)."""
    team = pc.is_in(region.cohort["patient_id"], twin.cohort["patient_id"])
    treated = Region(region.area_id, region.cohort.filter(team), region.contacts)
    with tempfile.TemporaryDirectory(prefix="narvard-truth-") as tmp:
        _write_region_folder(Path(tmp) / "with", treated)
        _write_region_folder(Path(tmp) / "without", twin)
        return pair_windows(
            patient_windows(Path(tmp) / "with", window_days),
            patient_windows(Path(tmp) / "without", window_days),
        )


def write_national_dataset(
    out_dir: Path,
    seed: int = 2019,
    size: float = 1.0,
    only: Sequence[str] | None = None,
    truth_window_days: int = 180,
    jobs: int = 2,
) -> dict[str, int]:
    """Write the national dataset folder: cohort and contacts as Parquet (one region at a
    time, ``jobs`` regions simulated at once), the other tables as CSV, dataset.yml, the
    codebook and truth.json.

    Returns row counts per table. Identical arguments give identical files (whatever jobs).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    yml = _dataset_yml(seed, size, only)
    cohorts, pairs, n_contacts = [], [], 0
    with pq.ParquetWriter(
        out_dir / "contacts.parquet", CONTACTS_SCHEMA, compression="zstd"
    ) as writer:
        for region in regions(seed, size, only, truth_window_days, jobs):
            writer.write_table(region.contacts, row_group_size=ROW_GROUP)
            n_contacts += region.contacts.num_rows
            cohorts.append(region.cohort)
            pairs.append(region.pairs)
    cohort = pa.concat_tables(cohorts)
    pq.write_table(cohort, out_dir / "cohort.parquet", compression="zstd")
    team_counts = cohort.select(["area_id", "group"]).to_pandas()
    small = small_tables(seed, national_areas(seed, only), team_counts)
    write_tables(out_dir, small, yml)
    shutil.copyfile(demo.DATA_DIR / "codebook.yml", out_dir / "codebook.yml")
    truth = effects_from_pairs(pd.concat(pairs, ignore_index=True), truth_window_days)
    write_truth(out_dir, truth)
    counts = {"cohort": cohort.num_rows, "contacts": n_contacts}
    counts |= {name: len(table) for name, table in small.items()}
    return {name: counts[name] for name in demo.TABLE_ORDER}
