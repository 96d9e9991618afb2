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
from tiktune_tui.core.period import in_period
from tiktune_tui.core.query import Query
from tiktune_tui.library.recommend import Recommendation, recommend
from tiktune_tui.library.sources import SourceOptions
from tiktune_tui.library.sources.base import SearchEvent, TagProgress, VideosFound
from tiktune_tui.ui.messages import PartialResults, SearchProgress

# Preloading and the first search would otherwise both parse the same catalog at once.
catalog_lock = threading.Lock()


class SearchCancelled(Exception):
    """A newer query replaced this one; raised from inside the engine's callback to stop it."""


@dataclass(frozen=True)
class Search:
    """One query as the app runs it, numbered so that the answer to an older one is dropped."""

    serial: int
    query: Query
    source: SourceOptions
    settings: Settings


def warm_catalog(source: SourceOptions, settings: Settings) -> None:
    """Parse the catalog ahead of the first query, so its results come at once."""
    if source.resolved_kind(settings) != "catalog":
        return
    from tiktune_tui.library.catalog import load_catalog

    with catalog_lock:
        load_catalog(source.catalog)


def run_search(
    search: Search,
    post: Callable[[Message], object],
    cancelled: Callable[[], bool],
    loop: BackgroundLoop,
) -> Recommendation:
    query = search.query
    found: dict[str, Video] = {}
    finished: set[str] = set()

    def on_event(event: SearchEvent) -> None:
        if cancelled():
            raise SearchCancelled
        if isinstance(event, VideosFound):
            for video in event.videos:
                found.setdefault(video.id, video)
            return
        post(SearchProgress(search.serial, event))
        if isinstance(event, TagProgress) and event.state != "running":
            finished.add(event.tag)
            # The last tag's ranking is the final result; no partial needed. Until then the
            # videos found so far stand in for the collection's statistics (fit's tag weights,
            # momentum's "now"): the order is provisional, and the status line says so.
            if found and len(finished) < len(query.tags):
                videos = [v for v in found.values() if in_period(v.create_time, query.since)]
                rows = modes.rank(videos, query.tags, query.mode, query.weights)
                post(PartialResults(search.serial, rows, videos))

    if search.source.resolved_kind(search.settings) == "catalog":
        warm_catalog(search.source, search.settings)
    future = loop.submit(recommend(query, search.source, on_event, settings=search.settings))
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
