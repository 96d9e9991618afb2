"""SIGTERM and SIGHUP (the terminal closed) end the app as quitting does, instead of killing it.

Killed by the default action, the app would leave a running export's part file behind (its
ffmpeg dies with it: see `export.ffmpeg_process`). Quitting unmounts the export modal, which
cancels its export and waits for the exporter to stop ffmpeg and remove the part file.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from textual.app import App

from tiktune_tui.stop_signals import on_stop_signals


@contextlib.contextmanager
def exit_on_signals(app: App) -> Iterator[list[int]]:
    """While the block runs, SIGTERM/SIGHUP make `app` exit with status 128 + the signal."""

    def stop(signum: int) -> None:
        try:
            # The handler runs on the main thread, inside the app's loop: call_soon_threadsafe
            # also wakes the loop if it sleeps in select().
            asyncio.get_running_loop().call_soon_threadsafe(lambda: app.exit(return_code=128 + signum))
        except RuntimeError:  # the loop is not running (yet, or any more)
            app.exit(return_code=128 + signum)

    with on_stop_signals(stop) as caught:
        yield caught
