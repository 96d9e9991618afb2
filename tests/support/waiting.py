"""Waiting for a condition, never for a fixed time: the one deadline every test shares.

The deadline only bounds a failure; a passing test returns as soon as its condition holds. It is
generous because a loaded 2-core CI machine running the suite in parallel can take many times
longer than a quiet one to reach the same point.
"""

from __future__ import annotations

import time
from collections.abc import Callable

DEADLINE_S = 60.0


async def until(pilot, condition: Callable[[], object], timeout: float = DEADLINE_S, what: str = "") -> None:
    """Let the app run until `condition()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what or 'the condition'}")
        await pilot.pause(0.02)


def eventually(condition: Callable[[], object], timeout: float = DEADLINE_S, what: str = "") -> None:
    """Wait, off any event loop (a player's threads), until `condition()` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what or 'the condition'}")
        time.sleep(0.02)
