"""`tiktune store copy --from A --to B` and `tiktune store import CATALOG.csv`: data into and
between stores (an SQLite file's path or a postgresql:// URL); see library.store_copy."""

from __future__ import annotations

import argparse
import sys

from tiktune_tui.errors import TiktuneError, UsageError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from tiktune_tui.commands.args import add_global_options, add_store_option

    parser = subparsers.add_parser(
        "store",
        help="copy a store to another (SQLite <-> PostgreSQL), or import a catalog CSV into one",
        description="Move data into and between stores: an SQLite file's path or a postgresql:// URL.",
        epilog="examples:\n"
        "  tiktune store copy --from ~/.local/share/tiktune/tiktune.sqlite3 --to postgresql://me@db/tiktune\n"
        "  tiktune store import research.csv --store postgresql://me@db/tiktune",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    copy = actions.add_parser("copy", help="copy videos, songs, tags, snapshots and saved songs; run again to resume")
    copy.add_argument("--from", dest="source", metavar="PATH_OR_URL", required=True, help="the store to read")
    copy.add_argument("--to", dest="target", metavar="PATH_OR_URL", required=True, help="the store to fill")
    copy.add_argument("--batch", type=_batch, default=2000, metavar="N", help="videos per batch (default 2000)")
    add_global_options(copy)
    load = actions.add_parser("import", help="load a catalog CSV into the store, as a fetch would store it")
    load.add_argument("csv", metavar="CATALOG.csv", help="a CSV in the bundled catalog's schema")
    load.add_argument("--data-dir", metavar="DIR", help="where the SQLite store lives ($TIKTUNE_DATA_DIR)")
    add_store_option(load)
    add_global_options(load)


def _batch(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError("must be between 1 and 100000")
    return value


def _progress_printer():
    """A one-line progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        return None

    def show(progress) -> None:
        width = 30
        filled = width * progress.done // max(progress.total, 1)
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {progress.done:,}/{progress.total:,} {progress.what}"
        )
        if progress.done >= progress.total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _where(location: str) -> str:
    from tiktune_tui.library.store import is_url
    from tiktune_tui.text import terminal_safe

    if is_url(location):
        from tiktune_tui.library.store.postgres import where

        return terminal_safe(where(location))
    return terminal_safe(location)


def run(args: argparse.Namespace) -> int:
    from tiktune_tui.library.store import open_store, store_exists

    if args.action == "copy":
        from tiktune_tui.library.store_copy import copy_store

        if args.source == args.target:
            raise UsageError("--from and --to name the same store")
        if not store_exists(args.source):  # opening it would create an empty one there
            raise TiktuneError(f"--from: no store at {_where(args.source)}: nothing to copy")
        with open_store(args.source) as source, open_store(args.target) as target:
            report = copy_store(source, target, batch=args.batch, on_progress=_progress_printer())
        counts = ", ".join(f"{report.target_counts[name]:,} {name.replace('_', ' ')}" for name in report.source_counts)
        print(
            f"tiktune: copied {report.copied_snapshots:,} snapshots into {_where(args.target)}; "
            f"verified, it holds {counts}",
            file=sys.stderr,
        )
        return 0
    from tiktune_tui.library.store import store_location
    from tiktune_tui.library.store_copy import import_catalog
    from tiktune_tui.text import terminal_safe

    location = store_location(args.data_dir)
    with open_store(location) as store:
        count = import_catalog(store, args.csv, on_progress=_progress_printer())
    print(
        f"tiktune: imported {count:,} videos from {terminal_safe(args.csv)} into {_where(str(location))}",
        file=sys.stderr,
    )
    return 0
