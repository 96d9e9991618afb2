"""`tiktune doctor`: what works here, what does not, and the one line that fixes each problem.

The checks live next to what they check (export, playback, library, library/sources);
this command runs them all at once, each with its own time limit, and prints the table.
Exit 0 when everything the main job needs works (warnings allowed), 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import time

MARKS = {"ok": "ok", "warn": "WARN", "fail": "FAIL"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from tiktune_tui.commands.args import add_global_options, add_store_option

    parser = subparsers.add_parser(
        "doctor",
        help="check what tiktune needs (ffmpeg, libVLC, Chromium, TikTok, data) and say how to fix it",
        description="Check everything tiktune needs and print check / result / fix. "
        "Exit 0 when the main job works (warnings allowed), 1 otherwise.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--data-dir", metavar="DIR", help="the data dir to check ($TIKTUNE_DATA_DIR, else the default)")
    parser.add_argument("--audio-output", metavar="NAME", help="the libVLC audio output to check")
    add_store_option(parser)
    add_global_options(parser)


def python_check():
    import platform

    from tiktune_tui import __version__
    from tiktune_tui.health import ok

    # pip refuses to install tiktune on a Python older than 3.11, so this only reports the versions.
    return ok("Python", f"{platform.python_version()}, tiktune {__version__}")


def all_checks(args: argparse.Namespace):
    from tiktune_tui.config import ConfigError, Settings, load_settings
    from tiktune_tui.export import doctor_checks as export_checks
    from tiktune_tui.health import Check
    from tiktune_tui.library import doctor_checks as library_checks
    from tiktune_tui.library.sources import doctor_checks as tiktok_checks
    from tiktune_tui.playback import doctor_checks as playback_checks

    try:
        settings = load_settings()
    except ConfigError:
        settings = Settings()  # the config check names the problem; the rest use the defaults
    audio_output = args.audio_output or settings.audio_output
    return [
        Check("Python", python_check),
        *export_checks.checks(),
        *playback_checks.checks(audio_output, args.data_dir),
        *tiktok_checks.checks(settings),
        *library_checks.checks(args.data_dir),
    ]


def run(args: argparse.Namespace) -> int:
    from tiktune_tui.health import healthy, run_checks

    started = time.monotonic()
    results = run_checks(all_checks(args))
    seconds = time.monotonic() - started
    good = healthy(results)
    if args.json:
        from tiktune_tui.text import write_json  # paths and messages in it are outside text

        write_json(
            {"healthy": good, "seconds": round(seconds, 3), "checks": [r.as_dict() for r in results]}, sys.stdout
        )
    else:
        print_table(results, good, seconds)
    return 0 if good else 1


def print_table(results, good: bool, seconds: float) -> None:
    from tiktune_tui.text import terminal_safe

    name_width = max(len(r.name) for r in results)
    for r in results:
        mark = MARKS[r.status]
        print(f"{mark:<4}  {r.name:<{name_width}}  {terminal_safe(r.result)}")
        if r.fix:
            print(f"{'':<4}  {'':<{name_width}}  fix: {terminal_safe(r.fix)}")
    failed = sum(r.status == "fail" for r in results)
    warned = sum(r.status == "warn" for r in results)
    summary = "everything tiktune needs works" if good else f"{failed} problem{'s' if failed != 1 else ''} to fix"
    if warned:
        summary += f" ({warned} warning{'s' if warned != 1 else ''})"
    print(f"{summary}; checked in {seconds:.1f} s")
