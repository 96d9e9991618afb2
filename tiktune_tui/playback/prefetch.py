"""The top songs' audio fetched ahead, so Enter plays at once and no hours-old link is needed.

When live results arrive, the app hands the first few songs (`[tiktok] prefetch`, default 3)
to a `Prefetcher`. It downloads them one after another on its own thread into the audio
cache, with the TikTok session's headers (its User-Agent, cookies and referer: the CDN
refuses requests without them). It starts only once a search has finished, so it never
competes with one, and a new search cancels it (the download in progress stops between
chunks). Songs without a playable sound (a removed sound, an item with no link) are
skipped and counted, never a failure of the whole.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tiktune_tui.core.models import Song
from tiktune_tui.playback.audio_cache import AudioCache, AudioUnavailable

HeadersFor = Callable[[], dict[str, str] | None]


@dataclass
class PrefetchReport:
    """What one prefetch did; `done` is set when it has finished or was cancelled."""

    fetched: list[str] = field(default_factory=list)  # music ids downloaded now
    cached: list[str] = field(default_factory=list)  # already in the cache
    without_sound: int = 0  # no link to fetch: a removed sound, a LIVE item's placeholder
    failed: dict[str, str] = field(default_factory=dict)  # music id -> why
    cancelled: bool = False
    done: threading.Event = field(default_factory=threading.Event)

    def summary(self) -> str:
        parts = [
            f"{len(self.fetched) + len(self.cached)} song{'s' if len(self.fetched) + len(self.cached) != 1 else ''} ready"
        ]
        if self.without_sound:
            parts.append(f"{self.without_sound} without a sound skipped")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return ", ".join(parts)


class Prefetcher:
    """One prefetch at a time: `start` cancels the previous one, `cancel` stops the current."""

    def __init__(self, cache: AudioCache, headers_for: HeadersFor | None = None) -> None:
        self.cache = cache
        self.headers_for = headers_for
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.report: PrefetchReport | None = None

    def start(
        self,
        songs: Sequence[Song],
        count: int,
        on_done: Callable[[PrefetchReport], None] | None = None,
    ) -> PrefetchReport:
        """Fetch the first `count` distinct songs of `songs` in the background."""
        with self._lock:
            self._stop_locked()
            wanted = list({song.id: song for song in songs}.values())[: max(0, count)]
            report = self.report = PrefetchReport()
            cancel = self._cancel = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(wanted, report, cancel, on_done), name="tiktune-prefetch", daemon=True
            )
            self._thread.start()
            return report

    def cancel(self) -> None:
        """Stop the prefetch in progress (a new search started); returns at once."""
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        self._cancel.set()
        if self.report is not None and not self.report.done.is_set():
            self.report.cancelled = True

    def join(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(
        self,
        songs: list[Song],
        report: PrefetchReport,
        cancel: threading.Event,
        on_done: Callable[[PrefetchReport], None] | None,
    ) -> None:
        try:
            headers: dict[str, str] | None = None
            for song in songs:
                if cancel.is_set():
                    report.cancelled = True
                    break
                if self.cache.path_for(song) is not None:
                    report.cached.append(song.id)
                    continue
                if not song.play_url:
                    report.without_sound += 1
                    continue
                if headers is None and self.headers_for is not None:
                    try:
                        headers = self.headers_for() or {}
                    except Exception as exc:  # noqa: BLE001 - without the session, the CDN says no
                        report.failed[song.id] = f"no session headers: {exc}"
                        break
                try:
                    self.cache.fetch(song, song.play_url, headers=headers, cancel=cancel)
                except AudioUnavailable as exc:
                    if cancel.is_set():
                        report.cancelled = True
                        break
                    report.failed[song.id] = str(exc)
                    continue
                if cancel.is_set() and self.cache.path_for(song) is None:
                    report.cancelled = True
                    break
                report.fetched.append(song.id)
        finally:
            report.done.set()
            if on_done is not None and not report.cancelled:
                on_done(report)
