"""The one m:ss formatter the music bar, the details pane and the exporter share."""

from __future__ import annotations

import math

import pytest

from tiktune_tui.text import format_clock


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "0:00"), (62.9, "1:02"), (75.4, "1:15"), (3599, "59:59"), (3600, "1:00:00"), (3723, "1:02:03")],
)
def test_minutes_and_seconds_then_hours(seconds, shown):
    assert format_clock(seconds) == shown


@pytest.mark.parametrize("seconds", [None, -1, math.nan, math.inf])
def test_no_length_is_shown_as_unknown_in_the_callers_words(seconds):
    assert format_clock(seconds) == "-:--"
    assert format_clock(seconds, unknown="length unknown") == "length unknown"
