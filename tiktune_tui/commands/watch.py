"""`tiktune watch TAG... [--every 6h] [--once]`: fetch a niche from live TikTok round after round.

Exit status of `--once`, for cron and systemd: 0 every tag was fetched and stored; 1 the round
failed (its reason on stderr; the next run tries again); 75 (EX_TEMPFAIL) another watcher is
running on the database, so this run did nothing; 2 a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC

from tiktune_tui.errors import UsageError
from tiktune_tui.library.alerts import DEFAULT_THRESHOLD

DEFAULT_EVERY = "6h"
MIN_EVERY_S = 5 * 60  # TikTok's feeds change over hours; a tighter loop only invites its bot wall
EXIT_FAILED = 1
EXIT_BUSY = 75  # sysexits.h EX_TEMPFAIL: try again later


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from tiktune_tui.commands.args import add_global_options, positive_int, region

    parser = subparsers.add_parser(
        "watch",
        help="fetch hashtags from live TikTok on a schedule, keeping their history",
        description="Fetch the hashtags from live TikTok every --every, storing each round "
        "(videos, a stats snapshot per video, a fetch record per tag) so the rising mode and "
        "trends can see growth. A failed round is reported and retried at the next one.",
        epilog="examples:\n  tiktune watch cooking recipe --every 6h\n"
        "  tiktune watch @cooking --once        (a [watch] list from the config; for cron/systemd)\n"
        "  tiktune watch --lists\n\n"
        "exit status with --once: 0 stored, 1 the round failed, 75 another watcher is running",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("tags", nargs="*", metavar="TAG", help="hashtags, or @NAME for a [watch] list of the config")
    parser.add_argument(
        "--list",
        action="append",
        default=[],
        metavar="NAME",
        dest="lists",
        help="watch the config's [watch] list NAME (repeatable; same as @NAME)",
    )
    parser.add_argument("--lists", action="store_true", dest="show_lists", help="print the config's watch lists")
    parser.add_argument(
        "--every",
        default=DEFAULT_EVERY,
        metavar="SPAN",
        help=f"time between rounds, start to start: 30m, 6h, 1d (default {DEFAULT_EVERY})",
    )
    parser.add_argument("--once", action="store_true", help="run one round and exit (for a scheduler)")
    parser.add_argument(
        "--alert",
        nargs="?",
        type=int,
        const=DEFAULT_THRESHOLD,
        metavar="PLAYS_PER_DAY",
        help=f"after each round, report each song whose rising score (plays gained per day in the niche) "
        f"crosses this (default {DEFAULT_THRESHOLD:,}): a line on stdout, a desktop notification where "
        "notify-send exists; once per crossing",
    )
    parser.add_argument(
        "--alert-cmd",
        metavar="CMD",
        help="with alerts, also run CMD (split like a shell would, but run without one) with the "
        "alert as JSON on its stdin, e.g. for a webhook you script",
    )
    parser.add_argument(
        "--since",
        metavar="PERIOD",
        help="with alerts: only videos posted in the period count for them: 7d, 30d, 120d (back "
        "from each round), a date YYYY-MM-DD, or all (the default)",
    )
    group = parser.add_argument_group("data")
    group.add_argument("--data-dir", metavar="DIR", help="where the database lives ($TIKTUNE_DATA_DIR)")
    from tiktune_tui.commands.args import add_store_option

    add_store_option(group)
    group.add_argument(
        "--per-tag",
        type=positive_int,
        default=60,
        metavar="N",
        help="videos to fetch per hashtag each round (default 60)",
    )
    group.add_argument(
        "--region",
        metavar="CC",
        type=region,
        help="the country to ask TikTok for, e.g. GB (default: [tiktok] region, else US)",
    )
    add_global_options(parser)


def watched_tags(words: list[str], lists: list[str], settings) -> tuple[str, ...]:
    """TAG words and @NAME / --list NAME watch lists, as one checked tag list."""
    from tiktune_tui.commands.args import tags_from
    from tiktune_tui.text import terminal_safe

    plain: list[str] = []
    names = list(lists)
    for word in words:
        if word.startswith("@"):
            names.append(word[1:])
        else:
            plain.append(word)
    chosen: list[str] = []
    for name in names:
        if name not in settings.watch_lists:
            known = ", ".join(sorted(terminal_safe(n) for n in settings.watch_lists)) or "none"
            raise UsageError(f"no watch list {terminal_safe(name)!r} in the config's [watch] (lists: {known})")
        chosen += settings.watch_lists[name]
    if plain:
        chosen += tags_from(plain)
    if not chosen:
        raise UsageError("give hashtags to watch, e.g. tiktune watch cooking recipe, or @NAME for a [watch] list")
    return tags_from(chosen)


def run(args: argparse.Namespace) -> int:
    from tiktune_tui.commands.args import with_region
    from tiktune_tui.config import load_settings
    from tiktune_tui.core.period import PeriodError, parse_duration

    settings = load_settings()
    if args.show_lists:
        return _print_lists(settings)
    tags = watched_tags(args.tags, args.lists, settings)
    try:
        every = parse_duration(args.every)
    except PeriodError as exc:
        raise UsageError(f"--every: {exc}") from None
    if every.total_seconds() < MIN_EVERY_S:
        raise UsageError(f"--every must be at least {MIN_EVERY_S // 60} minutes")
    alert = args.alert if args.alert is not None else (DEFAULT_THRESHOLD if args.alert_cmd else None)
    if alert is not None and alert < 1:
        raise UsageError("--alert takes a threshold of 1 play per day or more")
    if args.since is not None:
        from tiktune_tui.commands.args import since_from

        since_from(args.since)  # a usage error now, not at the first round
        if alert is None:
            raise UsageError("--since goes with --alert: it limits the videos the alerts count")
    if args.alert_cmd is not None:
        import shlex

        try:
            if not shlex.split(args.alert_cmd):
                raise ValueError("it is empty")
        except ValueError as exc:
            raise UsageError(f"--alert-cmd cannot be read as a command: {exc}") from None
    return watch(
        tags,
        every,
        once=args.once,
        settings=with_region(args, settings),
        data_dir=args.data_dir,
        per_tag=args.per_tag,
        alert=alert,
        alert_cmd=args.alert_cmd,
        since=args.since,
    )


def watch(
    tags,
    every,
    *,
    once: bool,
    settings,
    data_dir=None,
    per_tag: int = 60,
    sessions=None,
    clock=None,
    sleep=None,
    alert: int | None = None,
    alert_cmd: str | None = None,
    notify: bool = True,
    since: str | None = None,
) -> int:
    """The command's work, with the browser sessions, clock and sleep injectable for tests.
    `since` (--since's text): the alerts count only videos posted in that period, read back
    from each round's start."""
    from datetime import datetime

    from tiktune_tui.core.period import describe_duration
    from tiktune_tui.library.sources import close_shared_sessions
    from tiktune_tui.library.store import open_store, store_location
    from tiktune_tui.library.watch import Watcher, WatcherRunning, WatchLock
    from tiktune_tui.paths import database_path
    from tiktune_tui.text import terminal_safe

    clock = clock or (lambda: datetime.now(UTC))
    path = database_path(data_dir)
    lock = WatchLock(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire(tags, clock())
    except WatcherRunning as exc:
        print(f"tiktune: error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    failed = 0
    alerts = None
    if alert is not None:
        from tiktune_tui.library.alerts import Alerts, state_path

        alerts = Alerts(state_path(path), tags, alert, since=since)
    shown = " ".join("#" + terminal_safe(tag) for tag in tags)

    def on_round(report) -> None:
        nonlocal failed
        stamp = f"{report.started_at:%Y-%m-%d %H:%M} UTC"
        if report.videos:
            counts = ", ".join(f"#{terminal_safe(t)} {n}" for t, n in report.videos.items())
            print(f"{stamp}  round {report.number}: stored {report.stored} videos ({counts})", flush=True)
        if not report.ok:
            failed += 1
            later = "" if once else f"; next round in {describe_duration(every)}"
            print(f"tiktune: watch: round {report.number} failed: {report.reason}{later}", file=sys.stderr, flush=True)
        else:
            failed = 0
        if alerts is not None and report.videos:
            from tiktune_tui.core.period import parse_since
            from tiktune_tui.library.alerts import deliver

            rows = store.rank_modes(tags, "rising", since=parse_since(since, report.started_at))
            for crossing in alerts.crossings(rows):
                deliver(
                    crossing,
                    command=alert_cmd,
                    notify=notify,
                    say=lambda line: print(line, flush=True),
                    warn=lambda line: print(line, file=sys.stderr, flush=True),
                )

    try:
        with lock, open_store(store_location(data_dir)) as store:
            if not once:
                window = f", alerts counting videos posted since {terminal_safe(since)}" if since and alerts else ""
                print(
                    f"tiktune: watching {shown} every {describe_duration(every)}{window} (Ctrl-C stops)",
                    file=sys.stderr,
                    flush=True,
                )
            watcher = Watcher(
                store,
                settings,
                tags,
                per_tag=per_tag,
                sessions=sessions,
                clock=clock,
                **({"sleep": sleep} if sleep else {}),
            )

            async def rounds() -> None:
                try:
                    await watcher.run(every, on_round, rounds=1 if once else None)
                finally:
                    await close_shared_sessions()

            try:
                asyncio.run(rounds())
            except KeyboardInterrupt:
                # asyncio.run cancelled the rounds at an await: between writes, never in one.
                print(
                    f"tiktune: watch stopped after {watcher.rounds} round{'' if watcher.rounds == 1 else 's'}",
                    file=sys.stderr,
                )
                return 130
    finally:
        lock.release()
    return EXIT_FAILED if once and failed else 0


def _print_lists(settings) -> int:
    from tiktune_tui.text import terminal_safe

    if not settings.watch_lists:
        print(
            'tiktune: no watch lists: add e.g. [watch] cooking = ["cooking", "recipe"] to the config', file=sys.stderr
        )
    for name, tags in settings.watch_lists.items():
        print(f"@{terminal_safe(name)}  " + " ".join("#" + terminal_safe(tag) for tag in tags))
    return 0
