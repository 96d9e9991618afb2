"""Running `tiktune` with no subcommand: the Textual app."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from tiktune_tui.ui.app import run_app

    return run_app(args)
