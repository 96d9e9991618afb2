"""`--source auto`, the default: live TikTok when tiktok.com is reachable, else the bundled catalog.

The probe starts as early as possible (the app starts it before its first frame, without
waiting) and is read when a search needs the answer. Offline, the name lookup fails within
milliseconds, so the catalog answers as fast as with `--source catalog`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from tiktune_tui.config import Settings
from tiktune_tui.library.sources.reachability import BackgroundProbe, probe_address

# An "unreachable" verdict older than this is asked again: the network may be back.
RECHECK_AFTER_S = 30.0


@dataclass(frozen=True)
class AutoChoice:
    kind: str  # "tiktok" | "catalog"
    reason: str  # why, in words: "tiktok.com answered in 40 ms"

    def describe(self) -> str:
        """For the status line and stderr: "auto: live TikTok: tiktok.com answered in 40 ms; ..."."""
        which = "live TikTok" if self.kind == "tiktok" else "bundled catalog"
        return f"auto: {which}: {self.reason}"


_lock = threading.Lock()
_probes: dict[tuple, tuple[BackgroundProbe, float]] = {}


def _key(settings: Settings) -> tuple:
    try:
        return probe_address(settings.proxy)
    except ValueError:
        return ("invalid",)


def start(settings: Settings) -> BackgroundProbe:
    """The probe for these settings, started now if none is running or its answer is stale."""
    key = _key(settings)
    with _lock:
        known = _probes.get(key)
        if known is not None:
            probe, started = known
            verdict = probe.peek()
            stale = verdict is not None and not verdict.reachable and time.monotonic() - started > RECHECK_AFTER_S
            if not stale:
                return probe
        probe = BackgroundProbe(settings.proxy)
        _probes[key] = (probe, time.monotonic())
        return probe


def choice(settings: Settings, *, wait: bool = True) -> AutoChoice | None:
    """What auto picks; with wait=False, None while the probe has not answered yet."""
    probe = start(settings)
    verdict = probe.result() if wait else probe.peek()
    if verdict is None:
        return None
    if verdict.reachable:
        how = "with your token" if settings.ms_token else "anonymous session"
        return AutoChoice("tiktok", f"{verdict.reason}; {how}")
    return AutoChoice("catalog", verdict.reason)


def forget() -> None:
    """Drop every verdict (tests; a user who just connected)."""
    with _lock:
        _probes.clear()
