"""SIGTERM and SIGHUP (the terminal closed) handled as a clean stop, not a kill.

Killed by the default action, tiktune would leave a running export's part file behind and skip
the clean-up that stops its children. The app and `tiktune export` each turn the signal into
their own way of stopping; installing and restoring the handlers is the same for both.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def on_stop_signals(stop: Callable[[int], None]) -> Iterator[list[int]]:
    """While the block runs, SIGTERM/SIGHUP call `stop(signum)`; yields the signals caught.

    A signal the user set to be ignored (`nohup tiktune ...`) stays ignored, and off the main
    thread (an embedding caller) the handlers are left alone: Python allows them only there."""
    caught: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)
        stop(signum)

    previous = {}
    for number in STOP_SIGNALS:
        if signal.getsignal(number) == signal.SIG_IGN:
            continue
        try:
            previous[number] = signal.signal(number, handler)
        except (ValueError, OSError):
            pass
    try:
        yield caught
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
