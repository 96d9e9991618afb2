"""What the details pane adds to a song once the search is in, each off the UI thread: its trend
(the chart) and its videos on all of TikTok (library.reach: the top songs of a live search).

A mixin of `TiktuneApp`. The numbers come from Recommendation.song_trend, the rule `tiktune
trend` follows; each song's trend is counted once per search and kept until the next one: from
the store on a worker thread, from a catalog's videos (in hand, indexed by song) at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from tiktune_tui.core.results import SongRank
from tiktune_tui.ui.app_host import MixinBase
from tiktune_tui.ui.messages import while_running

if TYPE_CHECKING:
    from tiktune_tui.core.reach import SongReach
    from tiktune_tui.core.trend import SongTrend
    from tiktune_tui.library.recommend import Recommendation


class TrendCounted(Message):
    """Song `music_id`'s trend for search `serial` (None: it could not be counted)."""

    def __init__(self, serial: int, music_id: str, trend: SongTrend | None) -> None:
        super().__init__()
        self.serial = serial
        self.music_id = music_id
        self.trend = trend


class ReachFound(Message):
    """Song-wide figures (music id -> SongReach) for search `serial`."""

    def __init__(self, serial: int, reach: dict[str, SongReach]) -> None:
        super().__init__()
        self.serial = serial
        self.reach = reach


class TrendFlow(MixinBase):
    """Which trend the chart shows, and counting the ones it has not got yet; song-wide figures."""

    reach: dict[str, SongReach] = {}  # noqa: RUF012 - replaced whole, never changed in place
    _trends: dict[str, SongTrend | None] | None = None
    _trends_serial = -1

    def show_trend(self, row: SongRank) -> None:
        chart = self.details.chart
        recommendation = self.recommendation
        if (
            recommendation is None
            or self.search_state != "done"
            or self.view != "results"  # the shortlist is no query's
        ):
            chart.show(None)
            return
        if self._trends is None or self._trends_serial != self._serial:
            self._trends, self._trends_serial = {}, self._serial
        music_id = row.song.id
        if music_id in self._trends:
            chart.show(self._trends[music_id])
            return
        if not recommendation.stored:  # the videos are in hand: counted at once
            self._trends[music_id] = trend = recommendation.song_trend(music_id, self.saved_store)
            chart.show(trend)
            return
        chart.show_pending()
        self._count_trend(self._serial, recommendation, music_id)

    @work(thread=True, exclusive=True, group="trend", exit_on_error=False)
    def _count_trend(self, serial: int, recommendation: Recommendation, music_id: str) -> None:
        from tiktune_tui.errors import TiktuneError

        try:
            trend = recommendation.song_trend(music_id, self.saved_store)
        except TiktuneError:  # the store went away: no chart, the search said what it could
            trend = None
        self.post_message(TrendCounted(serial, music_id, trend))

    @while_running
    def on_trend_counted(self, message: TrendCounted) -> None:
        if message.serial != self._serial or self._trends is None or self._trends_serial != message.serial:
            return
        self._trends[message.music_id] = message.trend
        row = self.table.current_row
        if row is not None and row.song.id == message.music_id:
            self.details.chart.show(message.trend)

    def fetch_reach(self, recommendation: Recommendation) -> None:
        """After a search's results are shown: its songs' figures, cached or (live) asked for."""
        self.reach = {}
        if recommendation.rows:
            self._fetch_reach(self._serial, recommendation)

    @work(thread=True, exclusive=True, group="reach", exit_on_error=False)
    def _fetch_reach(self, serial: int, recommendation: Recommendation) -> None:
        from tiktune_tui.library.reach import top_reach

        ids = [row.song.id for row in recommendation.rows]
        live = recommendation.stored and not recommendation.notice
        found = self.engine_loop.submit(
            top_reach(ids, self.source, self.settings, live=live, now=self.clock())
        ).result()
        self.post_message(ReachFound(serial, found))

    @while_running
    def on_reach_found(self, message: ReachFound) -> None:
        if message.serial != self._serial or not message.reach:
            return
        self.reach = message.reach
        row = self.table.current_row
        if row is not None and row.song.id in self.reach and self.view == "results":
            self.details.show_row(
                row,
                self.weights,
                self.videos_by_id,
                self.reach[row.song.id],
                self.clock(),
                scroll_home=False,
            )


__all__ = ["ReachFound", "TrendCounted", "TrendFlow"]
