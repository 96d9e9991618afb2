"""The `tiktune` command: the TUI when run alone or with tags, headless subcommands otherwise.

Imports stay lazy: `tiktune --version` must not pay for Textual, SQLite or the catalog.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from tiktune_tui import __version__
from tiktune_tui.commands.args import (  # noqa: F401 - re-exported
    add_global_options,
    add_source_options,
    add_store_option,
    near_command,
    refuse_mistyped_command,
    use_store_option,
)

# Subcommand modules under tiktune_tui.commands; each has add_parser(subparsers) and run(args).
COMMANDS = ("recommend", "tags", "export", "eval", "doctor", "saved", "save", "unsave", "watch", "trend", "store")
# Commands that share a module with others (the shortlist's three live in commands/saved.py).
COMMAND_MODULES = {"save": "saved", "unsave": "saved"}

EPILOG = """\
examples:
  tiktune                          open the app on the bundled catalog
  tiktune cooking diy              open the app with that query already run
  tiktune recommend cooking --json top songs for #cooking as JSON
  tiktune recommend fyp viral --all --limit 5
  tiktune tags xu                  known hashtags starting with "xu"

the app: tiktune [TAG ...] [--rank MODE] [--source auto|catalog|store|tiktok] [--catalog PATH]
         [--data-dir DIR] [--store URL] [--per-tag N] [--refresh] [--region CC] [--audio-output NAME]
  (the same data options as recommend; press ? in the app for its keys)
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but its usage errors are our one-line errors (exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        from tiktune_tui.errors import UsageError

        raise UsageError(f"{message} (see: {self.prog} --help)")


def _top_parser(description: str) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tiktune",
        description=description,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tiktune {__version__}")
    add_global_options(parser)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = _top_parser("Find the TikTok songs that fit your hashtags, play them, and put one over your video.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in dict.fromkeys(COMMAND_MODULES.get(name, name) for name in COMMANDS):
        importlib.import_module(f"tiktune_tui.commands.{name}").add_parser(subparsers)
    return parser


def build_app_parser() -> argparse.ArgumentParser:
    from tiktune_tui.commands import app as app_command

    parser = _top_parser("Open the tiktune app, optionally with a query already run.")
    app_command.add_arguments(parser)
    return parser


def _wants_subcommand(argv: Sequence[str]) -> bool:
    for word in argv:
        if word in COMMANDS:
            return True
        if not word.startswith("-") or word == "--":
            return False
        if word in ("-h", "--help", "--version"):
            return True
    return False


def _near_command(words: Sequence[str]) -> str | None:
    return near_command(words, COMMANDS)


def _one_line(exc: BaseException) -> str:
    """An error message as one safe line: it may quote paths, tags or ffmpeg's own words."""
    from tiktune_tui.text import terminal_safe

    return " ".join(terminal_safe(str(exc)).split())


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get("TIKTUNE_DEBUG") == "1"
    from tiktune_tui.errors import TiktuneError, UsageError

    try:
        if _wants_subcommand(argv):
            args = build_parser().parse_args(argv)
            use_store_option(args)
            module = importlib.import_module(f"tiktune_tui.commands.{COMMAND_MODULES.get(args.command, args.command)}")
            return module.run(args)
        args = build_app_parser().parse_args(argv)
        use_store_option(args)
        args.command_hint = _near_command(args.tags)
        refuse_mistyped_command(args, args.command_hint)
        from tiktune_tui.commands import app as app_command

        return app_command.run(args)
    except UsageError as exc:
        if debug:
            raise
        print(f"tiktune: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except TiktuneError as exc:
        if debug:
            raise
        print(f"tiktune: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tiktune: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `tiktune recommend ... | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if debug:
            raise
        print(
            f"tiktune: error: {exc.__class__.__name__}: {_one_line(exc)} (run with --debug for details)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
