"""Lengths and positions as a clock shows them: 75 s is "1:15", past an hour "1:02:03"."""

from __future__ import annotations

import math

UNKNOWN = "-:--"


def format_clock(seconds: float | None, unknown: str = UNKNOWN) -> str:
    """`m:ss`, or `h:mm:ss` past an hour, seconds cut (not rounded) as a clock shows them.

    `unknown` stands for a length no one knows: None, and values that are no length at all
    (negative, NaN, infinite).
    """
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return unknown
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
