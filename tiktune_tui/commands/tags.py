"""`tiktune tags [PREFIX]`: the hashtags tiktune knows, most used first."""

from __future__ import annotations

import argparse
import sys


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from tiktune_tui.commands.args import add_global_options, add_source_options

    parser = subparsers.add_parser(
        "tags",
        help="list known hashtags with their video counts",
        description="List the hashtags in the catalog and the store, most used first.",
        epilog="examples:\n  tiktune tags            the 30 most used tags\n  tiktune tags cook --limit 0",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("prefix", nargs="?", default="", metavar="PREFIX", help="only tags starting with this")
    parser.add_argument("--limit", type=int, default=30, metavar="N", help="rows to show (default 30; 0 = all)")
    parser.add_argument("--related", metavar="TAG", help="tags that appear together with TAG more than chance (NPMI)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_source_options(parser)
    add_global_options(parser)


def run(args: argparse.Namespace) -> int:
    from tiktune_tui.commands.args import limit_of, one_tag
    from tiktune_tui.library.tag_index import known_tags

    limit = limit_of(args.limit)
    if args.related is not None:
        return _related(args)
    # A bare "#" or nothing at all asks for every tag; anything else is checked as recommend checks a tag.
    prefix = one_tag(args.prefix, "PREFIX") if args.prefix.strip().lstrip("#") else ""
    counts = known_tags(prefix, catalog=args.catalog, data_dir=args.data_dir, source_kind=_kind(args))
    rows = counts[:limit]
    return _print(args, [(t, n) for t, n in rows], "videos", "{:>7}")


def _related(args: argparse.Namespace) -> int:
    from tiktune_tui.commands.args import limit_of, one_tag
    from tiktune_tui.core.related import MIN_SUPPORT
    from tiktune_tui.library.tag_index import related_tags
    from tiktune_tui.text import terminal_safe

    tag = one_tag(args.related, "--related")
    rows = related_tags(
        tag,
        limit_of(args.limit),
        catalog=args.catalog,
        data_dir=args.data_dir,
        source_kind=_kind(args),
    )
    if not rows:  # an empty answer, not an error: say why it is empty, beside the (empty) output
        print(
            f"tiktune: no related tags for #{terminal_safe(tag)} (a related tag shares at least "
            f"{MIN_SUPPORT} videos with it, more often than chance)",
            file=sys.stderr,
        )
    return _print(args, [(t, round(v, 4)) for t, v in rows], "npmi", "{:7.3f}")


def _kind(args: argparse.Namespace) -> str:
    """The source a search would use with these options (TikTok only with a token)."""
    from tiktune_tui.commands.args import source_options
    from tiktune_tui.config import load_settings

    return source_options(args).resolved_kind(load_settings())


def _print(args: argparse.Namespace, rows: list[tuple[str, int | float]], key: str, number: str) -> int:
    """(tag, number) rows as JSON objects {"tag", key} or as aligned text lines."""
    from tiktune_tui.text import terminal_safe, write_json

    if args.json:
        write_json([{"tag": t, key: n} for t, n in rows], sys.stdout)
    else:
        for tag, value in rows:
            print(f"{number.format(value)}  #{terminal_safe(tag)}")
    return 0
