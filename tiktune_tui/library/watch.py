"""Watching a niche: fetch its tags from live TikTok round after round, keeping each round.

A round fetches every tag (refreshing, never answered from the store) and stores what the
tags that came back whole returned, in one transaction: the videos, a stats snapshot per
video and a fetch record per tag. A tag that failed part way keeps nothing, so no round
leaves half a snapshot behind; a round where every tag failed leaves the store as it was.
A failed round is reported with its reason and the next one simply tries again.

One watcher per database: `WatchLock` holds an flock on a file beside it (released by the
kernel when the process dies, so a crash leaves no stale lock), naming the holder's pid.
The clock and the sleep are injected, so tests run rounds without waiting.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tiktune_tui.config import Settings
from tiktune_tui.core.models import Video
from tiktune_tui.errors import TiktuneError
from tiktune_tui.library.sources.base import TagProgress, VideosFound
from tiktune_tui.library.store import Store
from tiktune_tui.text import terminal_safe

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


class WatcherRunning(TiktuneError):
    """Another watcher holds this database's lock; the message names it."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".watch.lock")


class WatchLock:
    """The one-watcher-per-database lock: an exclusive flock, with the holder's pid and tags in
    the file so a refused second watcher can say which one runs."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = lock_path(database)
        self._fd: int | None = None

    def acquire(self, tags: Sequence[str], now: datetime) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
            os.close(fd)
            raise WatcherRunning(
                f"another watcher is running on {self.database} ({terminal_safe(holder) or 'pid unknown'}); "
                "stop it first, or give this one another --data-dir"
            ) from None
        except OSError:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        tag_list = " ".join("#" + tag for tag in tags)
        os.pwrite(fd, f"pid {os.getpid()}, since {now:%Y-%m-%d %H:%M} UTC, watching {tag_list}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            # Emptied first: a reader between unlock and close must not name a gone watcher.
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> WatchLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@dataclass
class RoundReport:
    """What one round did: videos stored per tag, and why the tags that failed did."""

    number: int
    started_at: datetime
    finished_at: datetime | None = None
    videos: dict[str, int] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    stored: int = 0  # distinct videos (and so snapshots) this round added or refreshed

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def reason(self) -> str:
        return "; ".join(f"#{terminal_safe(tag)}: {terminal_safe(why)}" for tag, why in self.failures.items())

    def as_dict(self) -> dict[str, object]:
        return {
            "round": self.number,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "ok": self.ok,
            "videos": dict(self.videos),
            "stored": self.stored,
            "failures": dict(self.failures),
        }


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Watcher:
    """Rounds over `tags` into `store` through live TikTok (`sessions`: the browser sessions,
    injected by tests; default the shared ones)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        tags: Sequence[str],
        *,
        per_tag: int = 60,
        sessions: object | None = None,
        clock: Clock = _utc_now,
        sleep: Sleep = asyncio.sleep,
        backoff_s: float = 1.0,
    ) -> None:
        self.store = store
        self.settings = settings
        self.tags = list(dict.fromkeys(tags))
        self.per_tag = per_tag
        self.sessions = sessions
        self.clock = clock
        self.sleep = sleep
        self.backoff_s = backoff_s
        self.rounds = 0

    def _source(self):
        from tiktune_tui.library.sources.tiktok import TikTokSource

        return TikTokSource(
            store=self.store,
            settings=self.settings,
            per_tag=self.per_tag,
            refresh=True,
            sessions=self.sessions,
            backoff_s=self.backoff_s,
            now=self.clock,
            keep=False,  # type: ignore[arg-type]
        )

    async def run_round(self) -> RoundReport:
        """One round; never raises for TikTok's or the network's failures (they are in the report)."""
        from tiktune_tui.library.sources.base import collect
        from tiktune_tui.library.sources.tiktok import SOURCE_NAME
        from tiktune_tui.library.sources.tiktok_errors import describe

        self.rounds += 1
        report = RoundReport(self.rounds, self.clock())
        found: dict[str, dict[str, Video]] = {tag: {} for tag in self.tags}
        done: dict[str, int] = {}

        def on_event(event: object) -> None:
            if isinstance(event, VideosFound):
                for video in event.videos:
                    found[event.tag].setdefault(video.id, video)
            elif isinstance(event, TagProgress):
                if event.state == "done":
                    done[event.tag] = event.videos
                elif event.state == "failed":
                    report.failures[event.tag] = event.message

        source = self._source()
        try:
            await collect(source, self.tags, on_event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - no browser, no network: this round fails, the next tries
            why = describe(exc)
            for tag in self.tags:
                if tag not in done:
                    report.failures.setdefault(tag, why)
        kept = {tag: count for tag, count in done.items() if tag not in report.failures}
        videos = [video for tag in kept for video in found[tag].values()]
        when = self.clock()
        if videos or kept:
            try:
                # One transaction, run on the loop's thread: a Ctrl-C (a cancellation) lands
                # at the next await, after the commit, never inside it.
                report.stored = self.store.save_videos(
                    videos, fetched_at=when, source=SOURCE_NAME, region=source.region, tag_fetches=kept
                )
            except TiktuneError as exc:
                for tag in kept:
                    report.failures[tag] = f"not saved: {exc}"
                kept = {}
        report.videos = kept
        report.finished_at = when
        return report

    async def run(
        self,
        every: timedelta,
        on_round: Callable[[RoundReport], None],
        *,
        rounds: int | None = None,
    ) -> None:
        """Round after round, `every` apart from start to start (at once when a round ran
        longer), until cancelled or `rounds` have run."""
        ran = 0
        while True:
            report = await self.run_round()
            on_round(report)
            ran += 1
            if rounds is not None and ran >= rounds:
                return
            due = report.started_at + every
            wait = (due - self.clock()).total_seconds()
            if wait > 0:
                await self.sleep(wait)
