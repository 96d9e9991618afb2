"""Running `tiktune` with no subcommand: every argument checked here, then the Textual app.

Start-up problems are said before the screen switches; the UI gets ready objects.
"""

from __future__ import annotations

import argparse
import sys

from tiktune_tui.commands import args as checks
from tiktune_tui.errors import UsageError

HEADLESS_HINT = "tiktune recommend TAG..., tiktune tags, tiktune saved, tiktune export (see: tiktune --help)"


def check_terminal(stdin=None, stdout=None) -> None:
    """The app draws a full screen and reads keys: with input from a file or output to one it
    would write escape codes nobody sees and wait for keys that never come."""
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    for name, stream in (("input", stdin), ("output", stdout)):
        try:
            tty = stream is not None and stream.isatty()
        except (ValueError, OSError):  # closed or detached
            tty = False
        if not tty:
            raise UsageError(f"the app needs a terminal but its {name} is not one; headless commands: {HEADLESS_HINT}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tags", nargs="*", metavar="TAG", help="hashtags to search for at start")
    checks.add_source_options(parser)
    parser.add_argument("--audio-output", metavar="NAME", help="libVLC audio output: pulse, alsa, dummy, ...")
    parser.add_argument(
        "--rank", metavar="MODE", help="ranking mode at start: popular (default), fit, uses, momentum, rising"
    )


def run(args: argparse.Namespace) -> int:
    from tiktune_tui.config import load_settings

    settings = load_settings()
    tags = checks.tags_from(args.tags) if args.tags else ()
    weights = checks.weights_from(settings.weights or "", where=str(settings.path))
    source = checks.source_options(args)
    checks.check_source(source)
    settings = checks.with_region(args, settings)
    mode = checks.mode_from(args.rank) if args.rank else None  # None: the remembered mode, else popular

    check_terminal()  # after the arguments: a bad tag is said as such, with or without one
    from tiktune_tui.ui.app import run_app

    return run_app(
        tags=tags,
        source=source,
        mode=mode,
        settings=settings,
        weights=weights,
        audio_output=args.audio_output,
        command_hint=getattr(args, "command_hint", None),
    )
