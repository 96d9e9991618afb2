"""`tiktune eval`: how often each ranking mode puts a held-out video's real song in its top K."""

from __future__ import annotations

import argparse
import os
import sys

from tiktune_tui.errors import UsageError

DEFAULT_FOLDS = 5


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from tiktune_tui.commands.args import add_global_options
    from tiktune_tui.core.modes import MODE_NAMES

    parser = subparsers.add_parser(
        "eval",
        help="measure the ranking modes offline (hit rate at K)",
        description=(
            "A case is a held-out video with at least one hashtag whose song occurs in the training\n"
            "catalog. Each mode ranks the training songs for that video's hashtags; a hit@K is the\n"
            "real song in the top K. Prints the cases and HR@K per mode. Without --holdout or\n"
            f"--folds: {DEFAULT_FOLDS}-fold cross-validation."
        ),
        epilog="examples:\n  tiktune eval                           5-fold cross-validation on the bundled catalog\n"
        "  tiktune eval --catalog train.csv --holdout test.csv --k 1,10 --rank popular fit --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--catalog", metavar="TRAIN", help="training CSV (default: the bundled catalog)")
    parser.add_argument("--holdout", metavar="TEST", help="held-out CSV in the same schema")
    parser.add_argument("--folds", type=int, metavar="N", help="N-fold cross-validation over the training catalog")
    parser.add_argument("--k", default="1,10,50", metavar="K,...", help="cut-offs (default 1,10,50)")
    parser.add_argument(
        "--rank", nargs="+", metavar="MODE", help=f"modes to measure (default all: {' '.join(MODE_NAMES)})"
    )
    parser.add_argument("--expand", action="store_true", help="let fit also vote through related tags")
    parser.add_argument("--seed", type=int, metavar="S", help="fold shuffle seed (default fixed)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_global_options(parser)


def _ks(text: str) -> tuple[int, ...]:
    try:
        ks = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise UsageError(f"--k {text!r}: use whole numbers separated by commas, e.g. 1,10,50") from None
    if not ks or ks[0] < 1:
        raise UsageError("--k values must be 1 or more")
    return tuple(ks)


def run(args: argparse.Namespace) -> int:
    from tiktune_tui.commands.args import modes_from
    from tiktune_tui.core import evaluation
    from tiktune_tui.library.catalog import load_catalog
    from tiktune_tui.text import terminal_safe, write_json

    ks = _ks(args.k)
    modes = modes_from(args.rank)
    if args.holdout is not None and args.folds is not None:
        raise UsageError("give either --holdout TEST.csv or --folds N, not both")
    if args.holdout is None and args.folds is None:
        args.folds = DEFAULT_FOLDS
    if args.folds is not None and args.folds < 2:
        raise UsageError("--folds must be 2 or more")
    train = load_catalog(args.catalog)
    if args.folds is not None:
        report = evaluation.cross_validate(
            train.videos,
            args.folds,
            modes,
            ks,
            seed=evaluation.FOLD_SEED if args.seed is None else args.seed,
            expand=args.expand,
            workers=os.cpu_count() or 1,
        )
        where = f"{args.folds}-fold cross-validation over the {train.label}"
    else:
        holdout = load_catalog(args.holdout)
        report = evaluation.evaluate(train.videos, holdout.videos, modes, ks, expand=args.expand)
        where = f"{holdout.label} against {train.label}"
    if args.json:
        write_json(report.as_dict(), sys.stdout)
        return 0
    share = report.reachable / report.cases if report.cases else 0.0
    print(
        f"{terminal_safe(where)}: {report.cases} cases, {report.reachable} reachable ({share:.1%}: a training video "
        "of the real song shares one of their hashtags, the ceiling for any mode)"
    )
    print(format_table(report))
    return 0


def format_table(report) -> str:
    """The HR@K table as markdown, ready for a README."""
    header = "| mode | " + " | ".join(f"HR@{k}" for k in report.ks) + " |"
    rule = "| --- | " + " | ".join("---:" for _ in report.ks) + " |"
    lines = [header, rule]
    for mode in report.hits:
        cells = " | ".join(f"{report.hr(mode, k):.3f}" for k in report.ks)
        lines.append(f"| {mode} | {cells} |")
    return "\n".join(lines)
