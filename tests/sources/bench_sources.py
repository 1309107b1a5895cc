"""Time the aggregation (windows of 90, 180 and 365 days and the monthly table) on DuckDB,
PostgreSQL and local Spark for one dataset folder of CSV files (docs/sources.md).

    .venv/bin/python tests/sources/bench_sources.py tests/data/contract_example /tmp/demo

Starts a throwaway PostgreSQL server and a local Spark session as the tests do. Timings
are printed, never asserted; load times (COPY, Parquet) are shown apart.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd  # noqa: E402
from narvard.data.consumption import consumption  # noqa: E402
from narvard.data.sources.spark import SparkEngine  # noqa: E402
from servers import (  # noqa: E402
    PASSWORD,
    copy_tables,
    point_at,
    postgres_cluster,
    postgres_url,
    spark_local,
    write_parquet,
)

TABLES = ("areas", "cohort", "contacts")


def aggregate(folder: Path, engine=None) -> tuple[float, list[pd.DataFrame]]:
    """Everything `prepare` aggregates, in its one pass over the contacts."""
    started = time.perf_counter()
    tables = consumption(folder, (90, 180, 365), engine=engine)
    frames = [tables.windows[w] for w in (90, 180, 365)] + [tables.months]
    return time.perf_counter() - started, frames


def main(folders: list[str]) -> None:
    os.environ["PGPASSWORD"] = PASSWORD
    postgres, spark = postgres_cluster(), spark_local()
    server, session = next(postgres), next(spark)
    scratch = Path(tempfile.mkdtemp(prefix="narvard-bench-"))
    try:
        for n, name in enumerate(folders):
            folder = Path(name)
            seconds, expected = aggregate(folder)
            print(f"{folder}: DuckDB {seconds:.2f} s")
            started = time.perf_counter()
            copy_tables(server, f"bench{n}", folder, TABLES)
            in_pg = point_at(
                shutil.copytree(folder, scratch / f"pg{n}"), postgres_url(server, f"bench{n}")
            )
            print(f"  PostgreSQL COPY {time.perf_counter() - started:.2f} s")
            seconds, got = aggregate(in_pg)
            assert all(a.equals(b) for a, b in zip(got, expected, strict=True))
            print(f"  PostgreSQL {seconds:.2f} s (same results)")
            lake = write_parquet(folder, scratch / f"lake{n}", ("cohort", "contacts"))
            engine = SparkEngine(session, path=str(lake))
            aggregate(folder, engine)  # Spark compiles its first queries slowly: warm up once
            seconds, got = aggregate(folder, engine)
            assert all(a.equals(b) for a, b in zip(got, expected, strict=True))
            print(f"  Spark local[2] {seconds:.2f} s (same results; second run)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        for generator in (spark, postgres):
            generator.close()


if __name__ == "__main__":
    main(sys.argv[1:])
