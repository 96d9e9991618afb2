"""`tiktune trend MUSIC_ID [TAG...] [--json]`: a song's uses over time in a niche, from the store."""

from __future__ import annotations

import argparse
import sys

BAR_WIDTH = 40


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from tiktune_tui.commands.args import add_global_options

    parser = subparsers.add_parser(
        "trend",
        help="a song's videos per day or week and its plays per snapshot, within some hashtags",
        description="How a stored song is used over time within the hashtags (all of its stored "
        "videos without any): videos per day (per week past 60 days) by post date, and, where "
        "the store holds snapshots (`tiktune watch`), the summed plays of those videos at each.",
        epilog="examples:\n  tiktune trend 7068898866070129434 cooking\n  tiktune trend 7068898866070129434 --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("music_id", metavar="MUSIC_ID", help="the song's TikTok music id")
    parser.add_argument("tags", nargs="*", metavar="TAG", help="hashtags of the niche (default: every video)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--data-dir", metavar="DIR", help="where the database lives ($TIKTUNE_DATA_DIR)")
    from tiktune_tui.commands.args import add_store_option

    add_store_option(parser)
    add_global_options(parser)


def run(args: argparse.Namespace) -> int:
    from tiktune_tui.commands.args import tags_from
    from tiktune_tui.errors import TiktuneError
    from tiktune_tui.library.store import open_store, store_exists, store_location
    from tiktune_tui.text import terminal_safe, write_json

    tags = tags_from(args.tags) if args.tags else ()
    path = store_location(args.data_dir)
    if not store_exists(path):
        raise TiktuneError(f"no database at {path}: search or `tiktune watch` some tags first")
    with open_store(path) as store:
        song = store.song(args.music_id)
        trend = store.song_trend(args.music_id, tags)
        reach = store.song_reach([args.music_id]).get(args.music_id)
    if song is None:
        raise TiktuneError(f"the store holds no song {terminal_safe(args.music_id)!r}")
    if args.json:
        everywhere = reach.as_dict() if reach is not None else None
        write_json(
            {"title": song.title, "author": song.author, **trend.as_dict(), "all_tiktok": everywhere}, sys.stdout
        )
        return 0
    within = " ".join("#" + terminal_safe(t) for t in tags) or "all stored videos"
    print(f"{terminal_safe(song.credit)} within {within}")
    if reach is not None:  # as a search of live TikTok last counted it
        print(reach.describe())
    unit, series = trend.series()
    if not series:
        print("no matching videos with a post date")
    else:
        print(f"videos posted per {unit}:")
        print_bars([(day.isoformat(), count) for day, count in series])
    if trend.undated:
        print(f"({trend.undated} matching video{'s' if trend.undated != 1 else ''} without a post date)")
    if trend.plays:
        print("summed plays per snapshot:")
        print_bars([(f"{at:%Y-%m-%d %H:%M}", plays) for at, plays in trend.plays], short=True)
    return 0


def print_bars(rows: list[tuple[str, int]], *, short: bool = False) -> None:
    """One line per row: label, the count and a bar scaled to the largest (fits 80 columns)."""
    from tiktune_tui.text import short_count

    top = max((count for _, count in rows), default=0) or 1
    for label, count in rows:
        bar = "█" * round(BAR_WIDTH * count / top) if count else ""
        number = short_count(count) if short else f"{count:,}"
        print(f"  {label:<16} {number:>7}  {bar}")
