"""The selected song's trend in the details pane: its videos per day or week within the query's
tags and, where the store holds two or more snapshots, its summed plays at each (Sparklines).

The numbers are core.trend.SongTrend's, as `tiktune trend` prints them; this widget only draws.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

from tiktune_tui.core.trend import SongTrend
from tiktune_tui.text import short_count, terminal_safe

PENDING = Text("trend: counting…", style="dim")


def span_text(first: date, last: date) -> str:
    """ "5 Jan–13 Apr 2026", "Dec 2025–Apr 2026": short enough for a label line of the narrow pane."""
    if first == last:
        return f"{first.day} {first:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b}–{last.day} {last:%b %Y}"
    return f"{first:%b %Y}–{last:%b %Y}"


def posts_label(unit: str, series: list[tuple[date, int]]) -> Text:
    top = max(count for _, count in series)
    label = Text(f"videos/{unit} ", style="bold")
    label.append(span_text(series[0][0], series[-1][0]))
    label.append(f" · max {top:,}", style="dim")
    return label


def plays_label(plays: tuple) -> Text:
    label = Text("plays ", style="bold")
    label.append(f"at {len(plays)} snapshots")
    label.append(f" · max {short_count(max(total for _, total in plays))}", style="dim")
    return label


class TrendChart(Vertical):
    """Label, bars; label, bars. Hidden until a trend arrives for the song shown."""

    def compose(self) -> ComposeResult:
        yield Static(id="trend-posts-label")
        yield Sparkline([], id="trend-posts")
        yield Static(id="trend-plays-label")
        yield Sparkline([], id="trend-plays")

    def on_mount(self) -> None:
        self.show(None)

    def show_pending(self) -> None:
        """A trend is being counted for the song now shown: the old song's bars go at once."""
        self.display = True
        self._set("posts", PENDING, None)
        self._set("plays", None, None)

    def show(self, trend: SongTrend | None) -> None:
        if trend is None:
            self.display = False
            return
        self.display = True
        unit, series = trend.series()
        if series:
            self._set("posts", posts_label(unit, series), [count for _, count in series])
        else:
            note = f"no post dates ({trend.undated} videos)" if trend.undated else "no videos with a post date"
            self._set("posts", Text(terminal_safe(note), style="dim"), None)
        if len(trend.plays) >= 2:
            self._set("plays", plays_label(trend.plays), [total for _, total in trend.plays])
        else:
            self._set("plays", None, None)

    def _set(self, name: str, label: Text | None, data: list[int] | None) -> None:
        label_widget = self.query_one(f"#trend-{name}-label", Static)
        label_widget.update(label or "")
        label_widget.display = label is not None
        bars = self.query_one(f"#trend-{name}", Sparkline)
        bars.data = data or []
        bars.display = data is not None
