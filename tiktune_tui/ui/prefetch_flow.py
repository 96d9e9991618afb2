"""The app's prefetch: when live results are in, the top songs' audio is fetched ahead.

A mixin of `TiktuneApp`. It starts only once a search is done (never competing with one),
and the next search cancels it. The downloads use the TikTok session's headers, read on
the engine loop where the browser sessions live.
"""

from __future__ import annotations

from collections.abc import Sequence

from tiktune_tui.core.results import SongRank
from tiktune_tui.playback.prefetch import Prefetcher, PrefetchReport
from tiktune_tui.ui.app_host import MixinBase

SESSION_HEADERS_TIMEOUT_S = 30


class PrefetchFlow(MixinBase):
    _prefetcher: Prefetcher | None = None

    def prefetch_top(self, rows: Sequence[SongRank], label: str) -> None:
        """Fetch the first `[tiktok] prefetch` songs' audio if the answer came from TikTok."""
        if self.settings.prefetch <= 0 or not label.startswith("TikTok") or not rows:
            return
        if self._prefetcher is None:
            from tiktune_tui.playback.audio_cache import AudioCache

            self._prefetcher = Prefetcher(AudioCache.default(self.source.data_dir), headers_for=self._session_headers)
        self._prefetcher.start([row.song for row in rows], self.settings.prefetch, on_done=self._prefetch_done)

    def stop_prefetch(self) -> None:
        """A new search (or quitting): the download in progress stops between chunks."""
        self.cancel_prefetch()
        self.status.set_part("prefetch", None)

    def cancel_prefetch(self) -> None:
        if self._prefetcher is not None:
            self._prefetcher.cancel()

    def _session_headers(self) -> dict[str, str]:
        from tiktune_tui.library.sources import tiktok

        # The sessions the search used (tiktok.shared_sessions), with their cookies and User-Agent.
        sessions = tiktok.shared_sessions(self.settings)
        return self.engine_loop.run(sessions.media_headers(), SESSION_HEADERS_TIMEOUT_S)

    def _prefetch_done(self, report: PrefetchReport) -> None:
        # On the prefetch thread: hand the line to the app's thread, if it still runs.
        if not self.is_running:
            return
        try:
            self.call_from_thread(self._show_prefetched, report)
        except RuntimeError:  # the app has closed meanwhile
            pass

    def _show_prefetched(self, report: PrefetchReport) -> None:
        if self.is_running and not report.cancelled and self.screen.query("#status"):
            self.status.set_part("prefetch", f"prefetched: {report.summary()}")
