"""The `unlearnflow` command."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def tofu_summary(args: argparse.Namespace) -> None:
    from .metrics.tofu_logs import summarize_tofu_logs

    json.dump(summarize_tofu_logs(args.checkpoint, args.retain), sys.stdout, indent=2)
    print()


def methods(args: argparse.Namespace) -> None:
    from .methods import describe_methods

    described = describe_methods()
    if args.json:
        json.dump(described, sys.stdout, indent=2)
        print()
        return
    rows = [
        (m["name"], m["paper"], ", ".join(f"{k}={v}" for k, v in m["hyperparameters"].items()))
        for m in described
    ]
    header = ("method", "paper", "hyperparameters (defaults)")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(2)]
    for name, paper, hyperparameters in [header, *rows]:
        print(f"{name:{widths[0]}}  {paper:{widths[1]}}  {hyperparameters or '-'}")


def snapshot(args: argparse.Namespace) -> None:
    from .snapshot import quote
    from .snapshot import snapshot as take

    target = take(args.name, args.run_dir, args.into, args.replace)
    for document in args.quote_in:
        quote(document, target)
    print(target)


def check_yaml(args: argparse.Namespace) -> None:
    from .yaml_syntax import yaml_syntax_problem

    problems = [problem for path in args.files if (problem := yaml_syntax_problem(path))]
    if problems:
        sys.exit("\n".join(problems))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="unlearnflow", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser(
        "methods", help="every registered unlearning method and its hyperparameters"
    )
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(run=methods)
    summary = commands.add_parser(
        "tofu-summary",
        help="model utility, forget quality and the nine utility components from TOFU eval logs",
    )
    summary.add_argument(
        "checkpoint", type=Path, metavar="CKPT_DIR", help="folder with the model's TOFU eval logs"
    )
    summary.add_argument(
        "retain",
        type=Path,
        metavar="RETAIN_DIR",
        help="folder with the retain (gold) model's TOFU eval logs",
    )
    summary.set_defaults(run=tofu_summary)
    snapshotting = commands.add_parser(
        "snapshot",
        help="copy a finished run's tables, figures and provenance into docs/runs/NAME",
    )
    snapshotting.add_argument("name", help="the snapshot's folder name, e.g. default")
    snapshotting.add_argument(
        "--run", dest="run_dir", type=Path, default=Path("."), help="the run's folder"
    )
    snapshotting.add_argument("--into", type=Path, default=Path("docs/runs"))
    snapshotting.add_argument(
        "--replace", action="store_true", help="replace an existing snapshot of that name"
    )
    snapshotting.add_argument(
        "--quote-in",
        type=Path,
        action="append",
        default=[],
        metavar="DOCUMENT",
        help="rewrite the document's summary block of this snapshot (e.g. README.md)",
    )
    snapshotting.set_defaults(run=snapshot)
    checking = commands.add_parser(
        "check-yaml",
        help="name the file, line and column of a YAML syntax error in config files"
        " (Snakemake reads a --configfile before the workflow and names none of them)",
    )
    checking.add_argument("files", type=Path, nargs="+", metavar="FILE")
    checking.set_defaults(run=check_yaml)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (FileNotFoundError, FileExistsError, ValueError) as error:
        parser.exit(2, f"unlearnflow: error: {error}\n")


if __name__ == "__main__":
    main()
