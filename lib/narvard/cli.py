"""Command line (docs/contract.md §3): demo-data, prepare, report, verify, pseudonymise,
and the method study's simulate and method-check."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from narvard import DEFAULT_MIN_CELL
from narvard.paths import DEFAULT_PROCESSED

# Only the standard library and narvard.paths at the top: `narvard --help` and the first
# message of every command come at once; pandas, DuckDB, statsmodels, matplotlib and
# papermill are imported by the command that uses them (tests/unit/test_startup.py).


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="narvard", description="Evaluation reports for Nära vård mobile care teams."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo-data", help="write a synthetic demo dataset folder")
    demo.add_argument("--out", required=True, type=Path, help="folder to write")
    demo.add_argument("--seed", type=int, default=2019)
    demo.add_argument("--scale", choices=("region", "national"), default="region")
    demo.add_argument(
        "--size", type=float, default=1.0, help="national scale: scales the patient numbers"
    )
    demo.add_argument(
        "--regions", default="", help="national scale: comma-separated area_id values only"
    )

    prepare = commands.add_parser(
        "prepare", help="validate and aggregate a dataset once, without rendering reports"
    )
    prepare.add_argument("--data", required=True, type=Path, help="dataset folder")
    _processed_option(prepare)
    prepare.add_argument("--window-days", type=int, default=180)

    report = commands.add_parser("report", help="validate a dataset and render area reports")
    report.add_argument("--data", required=True, type=Path, help="dataset folder")
    report.add_argument("--out", required=True, type=Path, help="report folder")
    report.add_argument("--areas", default="", help="comma-separated area_id values")
    report.add_argument("--window-days", type=int, default=180)
    report.add_argument("--min-cell", type=int, default=DEFAULT_MIN_CELL)
    report.add_argument("--jobs", type=int, default=min(os.cpu_count() or 1, 4))
    report.add_argument(
        "--comparison",
        choices=("balanced", "all"),
        default="balanced",
        help="comparison patients balanced on age, sex and index date (default), or all",
    )
    _processed_option(report)
    verify = commands.add_parser("verify", help="recompute a report folder's figures and compare")
    verify.add_argument("out", type=Path, help="report folder made by `narvard report`")
    verify.add_argument("--data", required=True, type=Path, help="the dataset folder it used")

    pseudo = commands.add_parser(
        "pseudonymise",
        help="copy a dataset folder with personal identity numbers replaced by keyed pseudonyms",
    )
    pseudo.add_argument("--data", required=True, type=Path, help="dataset folder (IN)")
    pseudo.add_argument("--out", required=True, type=Path, help="new folder to write (OUT)")
    pseudo.add_argument(
        "--key-file", required=True, type=Path, help="secret key, >= 32 bytes, outside IN"
    )
    pseudo.add_argument(
        "--force", action="store_true", help="replace an existing dataset folder OUT"
    )

    simulate = commands.add_parser(
        "simulate", help="write a simulated dataset with a known true effect (truth.json)"
    )
    simulate.add_argument("--out", required=True, type=Path, help="folder to write")
    simulate.add_argument("--scenario", required=True, help="crisis, frailty, trends, ...")
    simulate.add_argument("--seed", type=int, default=1)
    simulate.add_argument("--size", type=float, default=1.0, help="scales the patient numbers")

    check = commands.add_parser(
        "method-check", help="run the simulation study and write its table (docs)"
    )
    check.add_argument("--replicates", type=int, default=20, help="datasets per scenario")
    check.add_argument("--size", type=float, default=1.0)
    check.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    check.add_argument("--out", type=Path, default=Path("docs/method-validation.md"))
    return parser


def _processed_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--processed",
        type=Path,
        default=DEFAULT_PROCESSED,
        help=f"where validated and aggregated data are kept (default {DEFAULT_PROCESSED})",
    )


def _prepare(args: argparse.Namespace) -> int:
    from narvard.pipeline.runner import run_prepare

    if not 1 <= args.window_days <= 730:  # as ReportSettings
        print("Ogiltig inställning: window_days must be between 1 and 730 days", file=sys.stderr)
        return 2
    return run_prepare(args.data, args.processed, args.window_days)


def _simulate(args: argparse.Namespace) -> int:
    from narvard.data.synthetic.scenarios import SCENARIOS, write_scenario

    if args.scenario not in SCENARIOS:
        print(f"Okänt scenario {args.scenario!r}; välj bland {', '.join(SCENARIOS)}.")
        return 2
    write_scenario(args.out, args.scenario, args.seed, args.size)
    print(f"Simulerat datamaterial ({args.scenario}, seed {args.seed}) skrivet till {args.out}.")
    return 0


def _method_check(args: argparse.Namespace) -> int:
    from narvard.pipeline.method_study import markdown, passes, run_study, score

    seeds = range(1, args.replicates + 1)

    def progress(k: int, n: int, name: str, seed: int) -> None:
        print(f"[{k}/{n}] {name}, seed {seed}", flush=True)

    scored = score(run_study(seeds=seeds, size=args.size, jobs=args.jobs, progress=progress))
    settings = {"replicates": args.replicates, "seeds": f"1–{args.replicates}", "size": args.size}
    args.out.write_text(markdown(scored, settings | {"window_days": 180}), encoding="utf-8")
    print(f"Tabellen skriven till {args.out}.")
    return 0 if passes(scored) else 1


def _verify(args: argparse.Namespace) -> int:
    from narvard.results.reproduce import verify_reports

    problems = verify_reports(args.out, args.data)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} avvikelser.", file=sys.stderr)
        return 1
    areas = len(list(args.out.glob("*/results.json")))
    print(f"Alla siffror i {areas} områden återskapades exakt från {args.data}.")
    return 0


def _pseudonymise(args: argparse.Namespace) -> int:
    from narvard.data.pseudonymise import PseudonymiseError, pseudonymise_dataset

    try:
        summary = pseudonymise_dataset(args.data, args.out, args.key_file, force=args.force)
    except PseudonymiseError as error:
        print(error, file=sys.stderr)
        return 2
    except OSError as error:  # e.g. a full disk or a folder without write permission
        print(
            f"Kunde inte skriva {args.out}: {error.strerror} ({error.filename}).", file=sys.stderr
        )
        return 1
    for line in summary.lines():
        print(line)
    for warning in summary.warnings:
        print(warning, file=sys.stderr)
    print(f"Pseudonymiserat datamaterial skrivet till {args.out}.")
    return 0


def _demo_data(args: argparse.Namespace) -> int:
    from narvard.data.synthetic.demo import write_demo_dataset

    regions = tuple(r.strip() for r in args.regions.split(",") if r.strip())
    if args.scale == "region" and (regions or args.size != 1.0):
        print("--size och --regions gäller bara --scale national.", file=sys.stderr)
        return 2
    if args.size <= 0:
        print("--size måste vara större än 0.", file=sys.stderr)
        return 2
    try:
        counts = write_demo_dataset(
            args.out, seed=args.seed, scale=args.scale, size=args.size, regions=regions or None
        )
    except ValueError as error:  # an unknown region
        print(error, file=sys.stderr)
        return 2
    rows = ", ".join(f"{name} {n:,}".replace(",", " ") for name, n in counts.items())
    print(f"Syntetiskt demodata skrivet till {args.out} ({rows}).")
    return 0


def _report(args: argparse.Namespace) -> int:
    from narvard.pipeline.runner import run_report
    from narvard.pipeline.settings import ReportSettings, SettingsError

    if not args.data.is_dir():
        print(f"{args.data}: mappen finns inte.", file=sys.stderr)
        return 2
    try:
        settings = ReportSettings(
            data_dir=args.data,
            out_dir=args.out,
            processed_root=args.processed,
            areas=tuple(a.strip() for a in args.areas.split(",") if a.strip()),
            window_days=args.window_days,
            min_cell=args.min_cell,
            jobs=args.jobs,
            comparison=args.comparison,
        )
    except SettingsError as error:
        print(f"Ogiltig inställning: {error}", file=sys.stderr)
        return 2
    return run_report(settings)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo-data":
        return _demo_data(args)
    commands = {
        "verify": _verify,
        "pseudonymise": _pseudonymise,
        "simulate": _simulate,
        "method-check": _method_check,
        "prepare": _prepare,
    }
    return commands.get(args.command, _report)(args)
