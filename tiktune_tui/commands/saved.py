"""`tiktune saved`, `tiktune save MUSIC_ID`, `tiktune unsave MUSIC_ID`: the shortlist, headless.

The shortlist lives in the store (the database in the data dir), whatever the source of
the searches: the app's `b` key and these commands read and write the same rows.
"""

from __future__ import annotations

import argparse
import sys

from tiktune_tui.errors import TiktuneError, UsageError

NAMES = ("saved", "save", "unsave")


def _data_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR", help="where the database lives ($TIKTUNE_DATA_DIR)")
    from tiktune_tui.commands.args import add_store_option

    add_store_option(parser)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from tiktune_tui.commands.args import add_global_options

    listing = subparsers.add_parser(
        "saved",
        help="the songs you saved (b in the app), newest first",
        description="List the shortlist: the songs saved in the app (b) or with `tiktune save`.",
        epilog="examples:\n  tiktune saved\n  tiktune saved --json\n  tiktune saved --csv > shortlist.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    output = listing.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON")
    output.add_argument("--csv", action="store_true", help="print CSV")
    _data_dir_option(listing)
    add_global_options(listing)

    save = subparsers.add_parser(
        "save",
        help="add a song to the shortlist by its TikTok music id",
        description="Save a song (found in the store or the catalog) to the shortlist.",
        epilog="example:\n  tiktune save 7012345678901234567 --tags cooking diy",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    save.add_argument("music_id", metavar="MUSIC_ID", help="the song's TikTok music id")
    save.add_argument("--tags", nargs="*", default=[], metavar="TAG", help="the hashtags it is for")
    save.add_argument("--catalog", metavar="PATH", help="a CSV in the bundled catalog's schema")
    _data_dir_option(save)
    add_global_options(save)

    unsave = subparsers.add_parser(
        "unsave", help="take a song off the shortlist", description="Take a song off the shortlist."
    )
    unsave.add_argument("music_id", metavar="MUSIC_ID", help="the song's TikTok music id")
    _data_dir_option(unsave)
    add_global_options(unsave)


def _open_store(data_dir: str | None):
    from tiktune_tui.library.store import open_store, store_location

    return open_store(store_location(data_dir))


def run(args: argparse.Namespace) -> int:
    if args.command == "saved":
        return _list(args)
    music_id = args.music_id.strip()
    if not music_id.isdigit():
        raise UsageError(f"{args.music_id!r} is not a music id (TikTok's are digits)")
    if args.command == "save":
        return _save(args, music_id)
    return _unsave(args, music_id)


def _list(args: argparse.Namespace) -> int:
    from tiktune_tui.library.store import store_exists, store_location
    from tiktune_tui.text import terminal_safe, write_csv, write_json

    if not store_exists(store_location(args.data_dir)):
        saved = []  # asking never creates a database
    else:
        with _open_store(args.data_dir) as store:
            saved = store.saved_songs()
    rows = [entry.as_dict() for entry in saved]
    if args.json:
        write_json(rows, sys.stdout)
    elif args.csv:
        fields = ["music_id", "title", "author", "duration_s", "saved_at", "tags", "score", "play_count", "videos"]
        for row in rows:
            row["tags"] = " ".join(row["tags"])
        write_csv(rows, fields, sys.stdout)
    elif not saved:
        print(
            "tiktune: nothing saved yet (press b on a song in the app, or run: tiktune save MUSIC_ID)", file=sys.stderr
        )
    else:
        for entry in saved:
            song = terminal_safe(entry.song.display_title)
            if entry.song.author:
                song += " — " + terminal_safe(entry.song.author)
            tags = " ".join("#" + terminal_safe(t) for t in entry.tags)
            when = entry.saved_at.strftime("%Y-%m-%d %H:%M")
            print(f"{when}  {terminal_safe(entry.song.id):>19}  {song}" + (f"  [{tags}]" if tags else ""))
    return 0


def _find_song(music_id: str, args: argparse.Namespace, store):
    """The song as the store knows it, else as the catalog does."""
    song = store.song(music_id)
    if song is not None:
        return song
    from tiktune_tui.library.catalog import load_catalog

    for video in load_catalog(args.catalog).videos:
        if video.song.id == music_id:
            return video.song
    return None


def _save(args: argparse.Namespace, music_id: str) -> int:
    from tiktune_tui.commands.args import tags_from
    from tiktune_tui.text import terminal_safe

    tags = list(tags_from(args.tags)) if args.tags else []
    with _open_store(args.data_dir) as store:
        song = _find_song(music_id, args, store)
        if song is None:
            raise TiktuneError(f"no song {music_id} in the store or the catalog; search for it first")
        store.save_song(song, tags=tags)
    print(f"tiktune: saved {terminal_safe(song.display_title)} ({music_id})", file=sys.stderr)
    return 0


def _unsave(args: argparse.Namespace, music_id: str) -> int:
    from tiktune_tui.library.store import store_exists, store_location

    removed = False
    if store_exists(store_location(args.data_dir)):
        with _open_store(args.data_dir) as store:
            removed = store.unsave_song(music_id)
    if not removed:
        raise TiktuneError(f"{music_id} is not on the shortlist (see: tiktune saved)")
    print(f"tiktune: removed {music_id} from the shortlist", file=sys.stderr)
    return 0
