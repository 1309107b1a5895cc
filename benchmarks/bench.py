"""`make bench`: narvard's per-patient windows beside a hand-written pandas version and a bare
DuckDB scan, at three sizes of the national demo, each run in a fresh process.

Writes the generated section of docs/performance.md (between the markers) and prints the
table. Data are generated once into benchmarks/.data/ (outside git) and reused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / ".data"
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
WINDOW = 180
SEED = 2019
# (label, demo-data arguments): one region, about a fifth of the country, the whole country.
SIZES = {
    "one region (Uppsala)": ("--regions", "uppsala"),
    "1/5 national": ("--size", "0.2"),
    "national": ("--size", "1"),
}
METHODS = ("narvard", "pandas", "narvard_prepare", "pandas_prepare", "duckdb_floor")
NAMES = {
    "narvard": "narvard `patient_windows` (one window length)",
    "pandas": "pandas by hand (one window length)",
    "narvard_prepare": "`narvard prepare`: validation, 3 window lengths, months, tables",
    "pandas_prepare": "pandas by hand: 3 window lengths, months (no validation)",
    "duckdb_floor": "floor: one DuckDB scan of contacts",
}
PEER = {"narvard": "pandas", "narvard_prepare": "pandas_prepare"}


# A small go-between process runs each measured command and reads its peak memory with
# RUSAGE_CHILDREN. Linux counts the memory of the process that starts a command in the
# command's peak (exec keeps the old high-water mark), so the benchmark itself, which holds
# data, must not start the commands directly. The go-between also samples the summed memory
# of the command's whole process tree (the generator runs worker processes): an upper bound,
# since pages the processes share count once in each.
TRAMPOLINE = """
import json, os, resource, subprocess, sys, time
PAGE = os.sysconf("SC_PAGE_SIZE")

def tree_rss(root):
    parent, rss = {}, {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(name)], rss[int(name)] = int(fields[1]), int(fields[21]) * PAGE
    total = 0
    for pid, size in rss.items():
        up = pid
        while up > 1 and up != root:
            up = parent.get(up, 0)
        total += size if up == root else 0
    return total

start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)
total = 0
while child.poll() is None:
    total = max(total, tree_rss(child.pid))
    time.sleep(0.2)
out = child.stdout.read().decode()
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "kb": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime,
                  "total": total / 2**20, "rc": child.returncode, "out": out}))
"""


def measured(command: list[str]) -> dict:
    """Run a command in a fresh process: wall and CPU seconds, peak RSS of its largest
    process and of its whole tree (MB), and its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", TRAMPOLINE, *command], stdout=subprocess.PIPE, cwd=ROOT, check=True
    )
    report = json.loads(done.stdout)
    if report["rc"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({report['rc']})")
    return {
        "wall": report["wall"],
        "cpu": report["cpu"],
        "rss": report["kb"] / 1024,
        "total": report["total"],
        "out": report["out"],
    }


def narvard_cli() -> str:
    return str(Path(sys.executable).with_name("narvard"))


def generate(label: str, arguments: tuple[str, ...]) -> tuple[Path, dict]:
    """The dataset of one size (generated once; the generation itself is measured)."""
    folder = DATA / "_".join(a.strip("-") for a in arguments)
    info = folder / "bench-info.json"
    if not info.exists():
        command = [narvard_cli(), "demo-data", "--scale", "national", "--out", str(folder)]
        run = measured([*command, "--seed", str(SEED), *arguments])
        run.pop("out")
        info.write_text(json.dumps(run | row_counts(folder)), encoding="utf-8")
    return folder, json.loads(info.read_text(encoding="utf-8"))


def row_counts(folder: Path) -> dict:
    import duckdb

    with duckdb.connect() as con:
        count = {
            name: con.execute(f"SELECT count(*) FROM '{folder / name}.parquet'").fetchone()[0]
            for name in ("cohort", "contacts")
        }
    count["mb"] = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    return count


def check_same_numbers(folder: Path) -> int:
    """narvard and pandas give the same count per patient, measure and window for every
    window length, and the same months; returns the number of patients compared (raises
    on any difference)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from methods import MEASURES, PERIODS, pandas_prepare
    from narvard.data.consumption import consumption
    from narvard.data.processed import SENSITIVITY_WINDOWS

    theirs = pandas_prepare(folder, WINDOW)
    ours = consumption(folder, (WINDOW, *SENSITIVITY_WINDOWS))
    columns = ["patient_id"] + [f"{m}_{p}" for m in MEASURES for p in PERIODS]
    for length, frame in theirs["windows"].items():
        mine = _comparable(ours.windows[length][columns], ["patient_id"])
        pd.testing.assert_frame_equal(mine, _comparable(frame[columns], ["patient_id"]))
    keys = ["patient_id", "month", "measure"]
    pd.testing.assert_frame_equal(
        _comparable(ours.months, keys), _comparable(theirs["months"], keys), check_dtype=False
    )
    return len(ours.windows[WINDOW])


def _comparable(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    frame = frame.astype({k: str for k in keys if k != "month"})
    return frame.sort_values(keys).reset_index(drop=True).astype({"patient_id": object})


def run(sizes: dict, methods: tuple[str, ...]) -> list[dict]:
    rows = []
    for label, arguments in sizes.items():
        folder, info = generate(label, arguments)
        print(f"{label}: {info['cohort']} patients, {info['contacts']} contacts", flush=True)
        rows.append({"size": label, "method": "generate", **info})
        for method in methods:
            script = str(ROOT / "benchmarks" / "methods.py")
            run = measured([sys.executable, script, method, str(folder), str(WINDOW)])
            seconds = json.loads(run.pop("out").strip().splitlines()[-1])["seconds"]
            row = {"size": label, "method": method, "seconds": seconds, **run}
            print(
                f"  {method:16} {seconds:8.1f} s {run['wall']:8.1f} s {run['cpu']:8.1f} s CPU"
                f" {run['rss']:8.0f} MB {run['total']:8.0f} MB",
                flush=True,
            )
            rows.append(row | {k: info[k] for k in ("cohort", "contacts")})
    return rows


def sv(x: float, decimals: int = 0) -> str:
    """A number as docs/ write them: thin groups of three digits, decimal point."""
    return f"{x:,.{decimals}f}".replace(",", " ")


def markdown(rows: list[dict], checked: int) -> str:
    """The generated section of docs/performance.md."""
    machine = (
        f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"{_memory_gb()} GB memory, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at the end, {dt.date.today().isoformat()}"
    )
    lines = [
        BEGIN,
        "## Measured (written by `make bench`)",
        "",
        f"Machine: {machine}. Window W = {WINDOW} days, seed {SEED}. Each method runs in a "
        "fresh process: *compute* is the wall time of the work inside it (after start-up and "
        "imports), *process* the wall time of the whole process, *CPU* its user + system "
        "seconds (less sensitive to a busy machine than wall time), *peak* the highest "
        "resident memory of its largest process (RUSAGE_CHILDREN) and *all* the sampled sum "
        "over its processes.",
        "",
        f"The pandas version gave exactly narvard's numbers for all {sv(checked)} patients of "
        "the smallest size (4 measures × 3 periods × 3 window lengths each, and every "
        "patient's months). Each narvard row's ratios are to the pandas row below it, which "
        "does the same work, and to the floor.",
        "",
        "| size | patients | contacts | method | compute s | process s | CPU s | peak MB "
        "| ÷ pandas | ÷ floor |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    by = {(r["size"], r["method"]): r for r in rows}
    for r in rows:
        if r["method"] == "generate":
            continue
        ratios = ["", ""]
        if r["method"] in PEER:
            pandas = by.get((r["size"], PEER[r["method"]]))
            floor = by.get((r["size"], "duckdb_floor"))
            ratios = [
                sv(r["seconds"] / pandas["seconds"], 2) if pandas else "",
                sv(r["seconds"] / floor["seconds"], 1) if floor else "",
            ]
        cells = [r["size"], sv(r["cohort"]), sv(r["contacts"]), NAMES[r["method"]]]
        cells += [sv(r["seconds"], 1), sv(r["wall"], 1), sv(r["cpu"], 1), sv(r["rss"]), *ratios]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Generating the data (`narvard demo-data --scale national`, whole process):",
        "",
        "| size | patients | contacts | wall s | CPU s | peak MB | all MB | files MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r["method"] == "generate":
            cells = [r["size"], sv(r["cohort"]), sv(r["contacts"]), sv(r["wall"], 1)]
            cells += [sv(r["cpu"], 1), sv(r["rss"]), sv(r["total"]), sv(r["mb"])]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join([*lines, END]) + "\n"


def _memory_gb() -> int:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return round(pages / 2**30)


def write_section(section: str) -> None:
    """Replace the generated section of docs/performance.md; keep everything else."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section.rstrip("\n") + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated size labels")
    parser.add_argument("--no-doc", action="store_true", help="print only")
    args = parser.parse_args()
    sizes = {k: SIZES[k] for k in args.sizes.split(",")}
    first, _ = generate(*next(iter(sizes.items())))
    checked = check_same_numbers(first)
    print(f"pandas = narvard for {checked} patients.", flush=True)
    section = markdown(run(sizes, METHODS), checked)
    print(section)
    if not args.no_doc:
        write_section(section)


if __name__ == "__main__":
    main()
