"""`tiktune recommend TAG...`: the ranked songs for some hashtags, as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import asyncio
import sys

from tiktune_tui.errors import UsageError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from tiktune_tui.commands.args import add_global_options, add_since_option, add_source_options
    from tiktune_tui.core.modes import MODE_NAMES

    parser = subparsers.add_parser(
        "recommend",
        help="rank the songs used by videos with these hashtags",
        description="Rank the songs used by videos carrying any of the given hashtags.",
        epilog="examples:\n  tiktune recommend cooking diy --limit 5\n"
        "  tiktune recommend '#fyp,#viral' --all --json\n"
        "  tiktune recommend dance --weights play=1,share=10 --csv > songs.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("tags", nargs="+", metavar="TAG", help="hashtags (with or without #)")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="rows to show (default 20; 0 = all)")
    parser.add_argument("--all", action="store_true", dest="require_all", help="only songs matched by every tag")
    parser.add_argument(
        "--weights", metavar="W", help="score weights, e.g. play=1,digg=2,comment=3,share=4 (the default)"
    )
    parser.add_argument(
        "--rank",
        default="popular",
        metavar="MODE",
        choices=MODE_NAMES,
        help="ranking mode: popular (summed engagement, the default), fit (relevance to the tags), "
        "uses (matching videos using the song), momentum (engagement per day), "
        "rising (plays gained per day between the latest two snapshots, e.g. of `tiktune watch`)",
    )
    parser.add_argument("--explain", action="store_true", help="add a line per song saying why it ranks there")
    output = parser.add_mutually_exclusive_group()
    output.add_argument(
        "--json",
        action="store_true",
        help="print JSON; each song's all_tiktok says how many videos use it on all of TikTok "
        "(asked for the top 10 of a live search, cached for a day; else what the store holds, or null)",
    )
    output.add_argument("--csv", action="store_true", help="print CSV")
    parser.add_argument(
        "--raw",
        action="store_true",
        help="with --csv: write titles, artists and tags byte for byte, control characters "
        "included (for pipelines; still escaped when stdout is a terminal)",
    )
    add_since_option(parser)
    add_source_options(parser)
    add_global_options(parser)


def run(args: argparse.Namespace) -> int:
    from tiktune_tui.commands.args import query_from, source_options, with_region
    from tiktune_tui.config import load_settings
    from tiktune_tui.library.recommend import recommend
    from tiktune_tui.library.sources import close_shared_sessions
    from tiktune_tui.text import terminal_safe, write_json

    if args.raw and not args.csv:
        raise UsageError("--raw goes with --csv (the table always escapes; JSON escapes losslessly)")
    settings = load_settings()
    query = query_from(args, settings)
    settings = with_region(args, settings)

    async def answer():
        try:
            outcome = await recommend(query, source_options(args), settings=settings)
            reach = {}
            if args.json:  # each song's videos on all of TikTok: asked for once the ranking is in
                from tiktune_tui.library.reach import top_reach

                ids = [row.song.id for row in outcome.rows]
                reach = await top_reach(ids, source_options(args), settings, live=outcome.stored and not outcome.notice)
            return outcome, reach
        finally:
            await close_shared_sessions()  # no Chromium outlives the command, Ctrl-C included

    outcome, reach = asyncio.run(answer())
    if args.source in (None, "auto") and not args.catalog:
        from tiktune_tui.library.sources import auto

        print(f"tiktune: {auto.choice(settings).describe()}", file=sys.stderr)
    for tag, message in outcome.failures.items():
        print(f"tiktune: warning: #{terminal_safe(tag)}: {terminal_safe(message)}", file=sys.stderr)
    if outcome.notice:
        print(f"tiktune: warning: {terminal_safe(outcome.notice)}", file=sys.stderr)
    rows = [row.as_dict() for row in outcome.rows]
    if args.json or args.csv:  # the table says it in its title; machine output stays pure
        print(f"tiktune: answered by {terminal_safe(outcome.describe())}", file=sys.stderr)
    if args.json:
        for row in rows:  # null: TikTok was not asked (offline) or would not say
            known = reach.get(str(row["music_id"]))
            row["all_tiktok"] = known.as_dict() if known is not None else None
        write_json(rows, sys.stdout)
    elif args.csv:
        write_csv(rows, raw=_raw_wanted(args.raw))
    else:
        print_table(outcome, explain=args.explain, mode=args.rank, since=query.since)
    return 0


def _raw_wanted(raw: bool) -> bool:
    """--raw, unless stdout is a terminal: raw bytes there are the attack, not the data."""
    if raw and sys.stdout.isatty():
        print(
            "tiktune: --raw ignored: stdout is a terminal (pipe or redirect the output for raw bytes)", file=sys.stderr
        )
        return False
    return raw


def write_csv(rows: list[dict[str, object]], *, raw: bool = False) -> None:
    """The rows as CSV: one line a song, its matched tags joined by spaces."""
    from tiktune_tui import text

    fields = [name for name in rows[0] if name != "explain"] if rows else ["rank"]
    for row in rows:
        row.pop("explain", None)  # nested; --json carries it
        row["matched_tags"] = " ".join(row["matched_tags"])
    text.write_csv(rows, fields, sys.stdout, raw=raw)


def print_table(outcome, *, explain: bool = False, mode: str = "popular", since=None) -> None:
    from tiktune_tui.core.results import explain_text
    from tiktune_tui.text import display_width, short_count, short_score, terminal_safe

    tags = " ".join("#" + terminal_safe(t) for t in outcome.tags)
    ranked = "" if mode == "popular" else f", ranked by {mode}"
    if since is not None:
        ranked += f", videos posted since {since:%Y-%m-%d %H:%M} UTC"
    print(f"{terminal_safe(outcome.describe())}: {song_count(len(outcome.rows), outcome.total)} for {tags}{ranked}")
    if not outcome.rows:
        return
    header = f"{'#':>3}  {'score':>7}  {'plays':>7}  {'likes':>7}  {'cmts':>6}  {'shares':>6}  {'uses':>4}  song — artist  [tags]"
    print(header)
    for row in outcome.rows:
        song = terminal_safe(row.song.credit)
        if display_width(song) > 60:
            while display_width(song) > 59:
                song = song[:-1]
            song += "…"
        tags = " ".join("#" + terminal_safe(t) for t in row.matched_tags)
        s = row.stats
        print(
            f"{row.rank:>3}  {short_score(row.score):>7}  {short_count(s.play):>7}  {short_count(s.digg):>7}"
            f"  {short_count(s.comment):>6}  {short_count(s.share):>6}  {row.videos:>4}  {song}  [{tags}]"
        )
        if explain:
            print(f"     {terminal_safe(explain_text(row))}")


def song_count(shown: int, total: int | None) -> str:
    """How many songs the table holds: 'top 20 of 2,244 songs' when the limit cut the list,
    else '1 song', '0 songs'."""
    if total is not None and total > shown:
        return f"top {shown:,} of {total:,} songs"
    return f"{shown:,} song{'' if shown == 1 else 's'}"
