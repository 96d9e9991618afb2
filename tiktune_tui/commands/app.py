"""Running `tiktune` with no subcommand: the Textual app."""

from __future__ import annotations

import argparse
import sys

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


def run(args: argparse.Namespace) -> int:
    # run_app checks the arguments first (a bad tag is said as such), then the terminal.
    from tiktune_tui.ui.app import run_app

    return run_app(args)
