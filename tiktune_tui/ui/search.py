"""One search as the app runs it: in a worker thread, streaming progress and partial rankings.

It runs in a thread because loading a catalog is CPU-bound (~0.4 s) and would
freeze the screen on the event loop. The engine's coroutine runs on the app's
background loop, where TikTok's browser sessions live from one query to the next;
the worker waits for it and cancels it when a newer query replaces this one.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message

from tiktune_tui.background_loop import BackgroundLoop
from tiktune_tui.config import Settings
from tiktune_tui.core import modes
from tiktune_tui.core.models import Video
from tiktune_tui.core.weights import Weights
from tiktune_tui.library.recommend import Recommendation, recommend
from tiktune_tui.library.sources import SourceOptions, default_kind
from tiktune_tui.library.sources.base import SearchEvent, TagProgress, VideosFound
from tiktune_tui.ui.messages import PartialResults, SearchProgress

# Preloading and the first search would otherwise both parse the same catalog at once.
catalog_lock = threading.Lock()


class SearchCancelled(Exception):
    """A newer query replaced this one; raised from inside the engine's callback to stop it."""


@dataclass(frozen=True)
class SourceChoice:
    """The `--source`, `--catalog` and `--data-dir` the app was started with."""

    kind: str | None = None
    catalog: str | None = None
    data_dir: str | None = None
    per_tag: int = 60
    refresh: bool = False

    @property
    def is_auto(self) -> bool:
        return self.kind in (None, "auto") and self.catalog is None

    def resolved_kind(self, settings: Settings) -> str:
        """Waits for auto's verdict (a short time at most): call it off the event loop."""
        return default_kind(SourceOptions(kind=self.kind, catalog=self.catalog, data_dir=self.data_dir), settings)

    def label(self, settings: Settings) -> str:
        """What to call the source before it has answered once; never waits for auto's verdict."""
        if self.is_auto:
            from tiktune_tui.library.sources import auto

            choice = auto.choice(settings, wait=False)
            return choice.describe() if choice is not None else "auto: checking tiktok.com…"
        kind = self.resolved_kind(settings)
        if kind == "catalog":
            from tiktune_tui.library.catalog import catalog_label

            return catalog_label(self.catalog)
        return {"store": "stored data", "tiktok": "TikTok live"}.get(kind, kind)


@dataclass(frozen=True)
class Query:
    serial: int
    tags: tuple[str, ...]
    source: SourceChoice
    weights: Weights
    settings: Settings
    mode: str = modes.DEFAULT_MODE


def warm_catalog(source: SourceChoice, settings: Settings) -> None:
    """Parse the catalog ahead of the first query, so its results come at once."""
    if source.resolved_kind(settings) != "catalog":
        return
    from tiktune_tui.library.catalog import load_catalog

    with catalog_lock:
        load_catalog(source.catalog)


def run_search(
    query: Query,
    post: Callable[[Message], object],
    cancelled: Callable[[], bool],
    loop: BackgroundLoop,
) -> Recommendation:
    found: dict[str, Video] = {}
    finished: set[str] = set()

    def on_event(event: SearchEvent) -> None:
        if cancelled():
            raise SearchCancelled
        if isinstance(event, VideosFound):
            for video in event.videos:
                found.setdefault(video.id, video)
            return
        post(SearchProgress(query.serial, event))
        if isinstance(event, TagProgress) and event.state != "running":
            finished.add(event.tag)
            # The last tag's ranking is the final result; no partial needed. Until then the
            # videos found so far stand in for the collection's statistics (fit's tag weights,
            # momentum's "now"): the order is provisional, and the status line says so.
            if found and len(finished) < len(query.tags):
                videos = list(found.values())
                rows = modes.rank(videos, query.tags, query.mode, query.weights)
                post(PartialResults(query.serial, rows, videos))

    if query.source.resolved_kind(query.settings) == "catalog":
        warm_catalog(query.source, query.settings)
    future = loop.submit(
        recommend(
            list(query.tags),
            source_kind=query.source.kind,
            catalog=query.source.catalog,
            data_dir=query.source.data_dir,
            weights=query.weights,
            settings=query.settings,
            on_event=on_event,
            mode=query.mode,
            per_tag=query.source.per_tag,
            refresh=query.source.refresh,
        )
    )
    while True:
        try:
            return future.result(timeout=0.1)
        except concurrent.futures.TimeoutError:
            # A request in flight sends no event; poll so a newer query stops it at once.
            if cancelled():
                future.cancel()
                raise SearchCancelled from None
        except concurrent.futures.CancelledError:
            raise SearchCancelled from None
