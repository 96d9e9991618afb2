"""Search everything tiktune ever fetched, offline, from its own database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from tiktune_tui.library.sources.base import SearchEvent, Source, TagProgress, VideosFound
from tiktune_tui.library.store import Store


class StoreSource(Source):
    label = "stored data"

    def __init__(self, store: Store, region: str | None = None) -> None:
        self.store = store
        # Set: only what was fetched for that country (--region); None: everything stored.
        self.region = region

    async def search(self, tags: Sequence[str]) -> AsyncIterator[SearchEvent]:
        for tag in tags:
            yield TagProgress(tag, 0, "running")
            videos = tuple(self.store.videos_with_any([tag], self.region))
            if videos:
                yield VideosFound(tag, videos)
            yield TagProgress(tag, len(videos), "done")

    def fetched_at(self, tags: Sequence[str]) -> datetime | None:
        return self.store.newest_fetch(tags) or self.store.newest_fetch()

    async def aclose(self) -> None:
        self.store.close()
