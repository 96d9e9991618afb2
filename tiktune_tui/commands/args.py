"""The argument helpers and usage checks every command shares, the app command included.

Each check turns a malformed value into a UsageError (exit 2) worded the same wherever it
was typed, and builds what the engine takes: a `Query` and `SourceOptions`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC
from typing import TYPE_CHECKING

from tiktune_tui.errors import UsageError

if TYPE_CHECKING:  # imported where used: `tiktune --help` builds every parser and should stay quick
    from tiktune_tui.config import Settings
    from tiktune_tui.core.query import Query
    from tiktune_tui.core.weights import Weights
    from tiktune_tui.library.sources import SourceOptions

MAX_PER_TAG = 2000


def add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="URL",
        help="the store: a postgresql:// URL (a team's server) or an SQLite file's path "
        "($TIKTUNE_STORE, else [store] url in the config, else the file in the data dir)",
    )


def use_store_option(args: argparse.Namespace) -> None:
    """--store, for every part of the program that opens the store: passed on as $TIKTUNE_STORE."""
    import os

    if getattr(args, "store", None):
        os.environ["TIKTUNE_STORE"] = args.store


def near_command(words: Sequence[str], commands: Sequence[str]) -> str | None:
    """`tiktune tag xu` searches #tag #xu, as asked; the app then says which command was
    probably meant (a hint, not a guess acted on: #tag is a fine hashtag too)."""
    if not words or words[0].startswith("#"):
        return None
    import difflib

    near = difflib.get_close_matches(words[0].lower(), commands, n=1, cutoff=0.8)
    return f"tiktune {near[0]} {' '.join(words[1:])}".rstrip() if near else None


def refuse_mistyped_command(args: argparse.Namespace, hint: str | None) -> None:
    """`tiktune recomend fyp` is a typo, not a search for #recomend: a first word close to a
    command (`hint`, from near_command) that no known hashtag spells is a usage error. A known
    tag (#export, say) is searched as asked, with the hint shown in the app."""
    if hint is None:
        return
    from tiktune_tui.library.tag_index import known_tags

    word = args.tags[0].lower()
    kind = args.source or "tiktok"  # unresolved: count the catalog and the store alike
    if any(tag == word for tag, _ in known_tags(word, catalog=args.catalog, data_dir=args.data_dir, source_kind=kind)):
        return
    command = hint.split()[1]
    raise UsageError(f"{args.tags[0]!r} is not a command: did you mean `{command}`? (run: {hint})")


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that searches for songs."""
    group = parser.add_argument_group("data")
    group.add_argument(
        "--source",
        choices=("auto", "catalog", "store", "tiktok"),
        help="where songs come from (default auto: live TikTok when tiktok.com is reachable, "
        "with your token or an anonymous session; else the bundled catalog)",
    )
    group.add_argument(
        "--region",
        metavar="CC",
        type=region,
        help="live TikTok: the country to ask for, e.g. GB or BR (default: [tiktok] region, else US)",
    )
    group.add_argument("--catalog", metavar="PATH", help="a CSV in the bundled catalog's schema")
    group.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the database and audio cache live ($TIKTUNE_DATA_DIR)",
    )
    add_store_option(group)
    group.add_argument(
        "--per-tag",
        type=positive_int,
        default=60,
        metavar="N",
        help="live TikTok: videos to fetch per tag (default 60; TikTok pages hold 30)",
    )
    group.add_argument(
        "--refresh",
        action="store_true",
        help="live TikTok: fetch again even tags fetched in the last 15 minutes",
    )


def positive_int(text: str) -> int:
    """An argparse type: a whole number from 1 to MAX_PER_TAG."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_PER_TAG:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_PER_TAG}")
    return value


def region(text: str) -> str:
    """An argparse type: a country code for live TikTok (core.region)."""
    from tiktune_tui.core.region import RegionError, parse_region

    try:
        return parse_region(text)
    except RegionError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def with_region(args: argparse.Namespace, settings: Settings) -> Settings:
    """The settings a search runs with: `--region` overrides the config's."""
    if getattr(args, "region", None):
        import dataclasses

        return dataclasses.replace(settings, region=args.region)
    return settings


def limit_of(value: int, option: str = "--limit") -> int | None:
    """A row limit as the engine takes it: None for 0 (all rows) and for numbers past any
    collection's size (SQLite cannot hold 10**30)."""
    if value < 0:
        raise UsageError(f"{option} must be 0 or more")
    return value if 0 < value <= sys.maxsize else None


def tags_from(words: str | Sequence[str]) -> tuple[str, ...]:
    """The hashtags of a query as typed (one string or command-line words), checked."""
    from tiktune_tui.core.tags import TagError, parse_tags

    try:
        return tuple(parse_tags(words))
    except TagError as exc:
        raise UsageError(str(exc)) from None


def one_tag(text: str, what: str) -> str:
    """`text` as one hashtag, through the parser a query uses; a usage error otherwise."""
    from tiktune_tui.text import terminal_safe

    tags = tags_from(text)
    if len(tags) != 1:
        raise UsageError(f"{what} takes one tag, got {terminal_safe(text)!r}")
    return tags[0]


def weights_from(text: str, where: str | None = None) -> Weights:
    """Score weights ("play=1,share=4"); `where` names a config file they came from."""
    from tiktune_tui.core.weights import Weights, WeightsError

    try:
        return Weights.parse(text)
    except WeightsError as exc:
        raise UsageError(f"{where}: [ranking] {exc}" if where else str(exc)) from None


def mode_from(name: str) -> str:
    """A ranking mode name, any case; a usage error listing the known ones otherwise."""
    from tiktune_tui.core.modes import ModeError, check_mode

    try:
        return check_mode(name)
    except ModeError as exc:
        raise UsageError(str(exc)) from None


def modes_from(words: Sequence[str] | None) -> tuple[str, ...]:
    """Several modes, as words or comma-separated, in the order given; all of them for none."""
    from tiktune_tui.core.modes import MODE_NAMES

    if not words:
        return MODE_NAMES
    chosen: list[str] = []
    for word in words:
        for part in filter(None, word.split(",")):
            mode = mode_from(part)
            if mode not in chosen:
                chosen.append(mode)
    return tuple(chosen)


def source_options(args: argparse.Namespace) -> SourceOptions:
    """The source the data options (add_source_options) describe."""
    from tiktune_tui.library.sources import SourceOptions

    return SourceOptions(
        kind=getattr(args, "source", None),
        catalog=getattr(args, "catalog", None),
        data_dir=getattr(args, "data_dir", None),
        per_tag=getattr(args, "per_tag", 60),
        refresh=getattr(args, "refresh", False),
    )


def check_source(options: SourceOptions) -> None:
    """What can be said about a source before searching it: said before a screen switches.
    (Live TikTok needs no token: without one it opens an anonymous session.)"""
    from pathlib import Path

    if options.catalog and options.kind not in (None, "catalog"):
        raise UsageError("--catalog goes with --source catalog")
    if options.catalog and not Path(options.catalog).is_file():
        from tiktune_tui.library.catalog import CatalogError

        raise CatalogError(f"{options.catalog}: no such file")


def query_from(args: argparse.Namespace, settings: Settings) -> Query:
    """`recommend`'s query: TAG..., --rank, --weights (else the config's), --all, --limit."""
    from tiktune_tui.core.query import Query

    tags = tags_from(args.tags)
    limit = limit_of(args.limit)
    weights = weights_from(args.weights or settings.weights or "")
    return Query(
        tags,
        mode=mode_from(args.rank),
        weights=weights,
        require_all=args.require_all,
        limit=limit,
        since=since_from(getattr(args, "since", None)),
    )


def since_from(text: str | None, now=None):
    """`--since 7d|30d|120d|YYYY-MM-DD|all` as the moment from which videos count (None: all)."""
    from datetime import datetime

    from tiktune_tui.core.period import PeriodError, parse_since

    try:
        return parse_since(text, now or datetime.now(UTC))
    except PeriodError as exc:
        raise UsageError(f"--since: {exc}") from None


def add_since_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--since",
        metavar="PERIOD",
        help="only videos posted in the period count: 7d, 30d, 120d (back from now), "
        "a date YYYY-MM-DD, or all (the default)",
    )
