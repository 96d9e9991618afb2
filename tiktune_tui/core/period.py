"""Spans of time as users type them: a watcher's interval ("6h", "1h30m", "2d").

Pure parsing, so the command line and the app word a bad value the same way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_PART = re.compile(r"(\d+)\s*(min|[smhdw])")


class PeriodError(ValueError):
    """A span tiktune cannot read; the message says what it takes."""


def parse_duration(text: str) -> timedelta:
    """ "6h", "90m", "1h30m", "2d", "1w" (whole numbers, units s m h d w) as a timedelta."""
    spec = text.strip().lower().replace(" ", "")
    if not spec:
        raise PeriodError("an interval cannot be empty: use e.g. 6h, 30m, 1d")
    seconds = 0
    at = 0
    for match in _PART.finditer(spec):
        if match.start() != at:
            break
        seconds += int(match[1]) * _UNITS[match[2]]
        at = match.end()
    if at != len(spec):
        raise PeriodError(f"{text!r} is not an interval: use e.g. 6h, 30m, 1h30m, 1d")
    if seconds <= 0:
        raise PeriodError(f"{text!r} is not a positive interval")
    return timedelta(seconds=seconds)


def describe_duration(span: timedelta) -> str:
    """A span in its largest whole units: "6 h", "1 h 30 min", "2 d"."""
    seconds = int(span.total_seconds())
    parts = []
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min"), (1, "s")):
        if seconds >= size:
            parts.append(f"{seconds // size} {unit}")
            seconds %= size
    return " ".join(parts) or "0 s"


# What the app's period key cycles through, as Creative Center offers them (None: all time).
SINCE_CYCLE: tuple[str | None, ...] = (None, "120d", "30d", "7d")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_since(text: str | None, now: datetime) -> datetime | None:
    """`--since`: "7d", "30d", "120d" (any span parse_duration reads) back from `now`, or a
    date YYYY-MM-DD (from its midnight, UTC); "all" or nothing for no limit."""
    if text is None or text.strip().lower() in ("", "all"):
        return None
    spec = text.strip()
    if _DATE.fullmatch(spec):
        try:
            return datetime.strptime(spec, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise PeriodError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    try:
        return now - parse_duration(spec)
    except PeriodError:
        raise PeriodError(f"{text!r} is not a period: use 7d, 30d, 120d, all or a date YYYY-MM-DD") from None


def next_since(current: str | None) -> str | None:
    """The period after `current` in SINCE_CYCLE, wrapping round (any other value starts it over)."""
    index = SINCE_CYCLE.index(current) if current in SINCE_CYCLE else -1
    return SINCE_CYCLE[(index + 1) % len(SINCE_CYCLE)]


def in_period(posted: datetime | None, since: datetime | None) -> bool:
    """Whether a video posted at `posted` counts for a period from `since` (an unknown post
    date counts only without a period)."""
    return since is None or (posted is not None and posted >= since)
