"""A throwaway PostgreSQL server and a local Spark session for the source tests.

Each test module makes a session fixture of these generators: started once per test
session (per xdist worker that needs them) and stopped at its end. Without Debian's
postgresql package or Java and PySpark the tests are skipped locally; when CI is set they
fail (.ci/run installs both).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PASSWORD = "narvard-test"  # of the throwaway cluster only
USER = "narvard"
DATABASE = "warehouse"


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI: the source tests must run there."""
    if os.environ.get("CI"):
        pytest.fail(f"source tests must run in CI: {reason}")
    pytest.skip(reason)


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(folder: Path) -> list[str]:
    """PostgreSQL refuses to run as root (CI is root): run it as the postgres user then."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        os.chown(folder, user.pw_uid, user.pw_gid)
        return ["runuser", "-u", name, "--"]
    unavailable("no unprivileged user to run PostgreSQL as")
    return []


def postgres_cluster():
    """A PostgreSQL cluster on 127.0.0.1, password login (scram) for user narvard."""
    bindir = _postgres_bin()
    if bindir is None:
        unavailable("PostgreSQL server binaries (Debian package postgresql) are missing")
    folder = Path(tempfile.mkdtemp(prefix="narvard-pg-"))
    owner = _as_owner(folder)
    data, port = folder / "data", _free_port()
    run = lambda *args: subprocess.run([*owner, *args], check=True, capture_output=True)  # noqa: E731
    run(str(bindir / "initdb"), "-D", str(data), "-U", USER, "--auth-local=trust",
        "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C")  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = str(bindir / "pg_ctl")
    run(pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
    try:
        import psycopg

        with psycopg.connect(host=str(folder), port=port, user=USER, dbname="postgres",
                             autocommit=True) as con:  # fmt: skip
            con.execute(f"ALTER ROLE {USER} PASSWORD '{PASSWORD}'")
            con.execute(f"CREATE DATABASE {DATABASE}")
        yield {"host": "127.0.0.1", "port": port, "user": USER, "dbname": DATABASE}
    finally:
        run(pg_ctl, "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def postgres_url(server: dict, schema: str) -> str:
    return f"postgresql://{server['user']}@{server['host']}:{server['port']}/{server['dbname']}?schema={schema}"


# Column types of the tables as a warehouse would hold them; others are text.
TYPES = {
    "index_date": "date",
    "death_date": "date",
    "start_date": "date",
    "end_date": "date",
    "birth_year": "integer",
    "admitted": "integer",
    "unplanned": "integer",
    "population": "integer",
}


def copy_tables(server: dict, schema: str, folder: Path, names, typed: bool = True) -> None:
    """Load folder/NAME.csv into schema.NAME with COPY (typed columns, or all text)."""
    import psycopg

    params = {k: server[k] for k in ("host", "port", "user", "dbname")}
    with psycopg.connect(**params, password=PASSWORD, autocommit=True) as con:
        con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        con.execute(f'CREATE SCHEMA "{schema}"')
        for name in names:
            path = folder / f"{name}.csv"
            header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
            columns = ", ".join(
                f'"{c}" {TYPES.get(c, "text") if typed else "text"}' for c in header
            )
            con.execute(f'CREATE TABLE "{schema}"."{name}" ({columns})')
            copy = f'COPY "{schema}"."{name}" FROM STDIN (FORMAT csv, HEADER true)'
            with con.cursor().copy(copy) as sink:
                sink.write(path.read_bytes())


def point_at(folder: Path, url: str, moved=("areas", "cohort", "contacts")) -> Path:
    """The dataset folder with its `moved` tables removed and dataset.yml naming the source."""
    for name in moved:
        (folder / f"{name}.csv").unlink()
    spec = folder / "dataset.yml"
    spec.write_text(spec.read_text(encoding="utf-8") + f'source: "{url}"\n', encoding="utf-8")
    return folder


def spark_local():
    """A local-mode SparkSession (two cores) for the whole test session."""
    if shutil.which("java") is None:
        unavailable("Java (Debian package openjdk-17-jre-headless) is missing")
    try:
        from narvard.data.sources.spark import local_session
    except ImportError as error:
        unavailable(f"PySpark is missing: {error}")
    session = local_session("local[2]")
    try:
        yield session
    finally:
        session.stop()


def write_parquet(folder: Path, target: Path, names) -> Path:
    """folder/NAME.csv as target/NAME.parquet, every column text (as a lake keeps extracts)."""
    from narvard.data.tables import read_table_text

    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        read_table_text(folder / f"{name}.csv").to_parquet(target / f"{name}.parquet")
    return target
