"""Command line: `narvard demo-data` and `narvard report` (CONTRACT.md section 3)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from narvard.paths import DEFAULT_PROCESSED
from narvard.settings import ReportSettings, SettingsError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="narvard", description="Evaluation reports for Nära vård mobile care teams."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo-data", help="write a synthetic demo dataset folder")
    demo.add_argument("--out", required=True, type=Path, help="folder to write")
    demo.add_argument("--seed", type=int, default=2019)
    demo.add_argument("--scale", choices=("region", "national"), default="region")

    report = commands.add_parser("report", help="validate a dataset and render area reports")
    report.add_argument("--data", required=True, type=Path, help="dataset folder")
    report.add_argument("--out", required=True, type=Path, help="report folder")
    report.add_argument("--areas", default="", help="comma-separated area_id values")
    report.add_argument("--window-days", type=int, default=180)
    report.add_argument("--min-cell", type=int, default=5)
    report.add_argument("--jobs", type=int, default=min(os.cpu_count() or 1, 4))
    report.add_argument(
        "--comparison",
        choices=("matched", "all"),
        default="matched",
        help="difference-in-differences against matched (default) or all comparison patients",
    )
    report.add_argument(
        "--processed",
        type=Path,
        default=DEFAULT_PROCESSED,
        help=f"where aggregated data are kept (default {DEFAULT_PROCESSED})",
    )
    verify = commands.add_parser("verify", help="recompute a report folder's figures and compare")
    verify.add_argument("out", type=Path, help="report folder made by `narvard report`")
    verify.add_argument("--data", required=True, type=Path, help="the dataset folder it used")
    return parser


def _verify(args: argparse.Namespace) -> int:
    from narvard.reproduce import verify_reports

    problems = verify_reports(args.out, args.data)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} avvikelser.", file=sys.stderr)
        return 1
    areas = len(list(args.out.glob("*/results.json")))
    print(f"Alla siffror i {areas} områden återskapades exakt från {args.data}.")
    return 0


def _demo_data(args: argparse.Namespace) -> int:
    from narvard.synthetic.demo import write_demo_dataset

    counts = write_demo_dataset(args.out, seed=args.seed, scale=args.scale)
    rows = ", ".join(f"{name} {n}" for name, n in counts.items())
    print(f"Syntetiskt demodata skrivet till {args.out} ({rows}).")
    return 0


def _report(args: argparse.Namespace) -> int:
    from narvard.runner import run_report

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
    if args.command == "verify":
        return _verify(args)
    return _report(args)
