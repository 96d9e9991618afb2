"""The one interface every song source speaks: catalog, store and TikTok alike.

A search streams events as it goes, so the UI can show per-tag progress and
results as they arrive; `collect` turns the stream into one result for callers
that just want the answer.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from tiktune_tui.core.models import Video

TagState = Literal["running", "done", "failed"]


@dataclass(frozen=True, slots=True)
class TagProgress:
    """Where the search for one tag stands. `videos` counts what it found so far."""

    tag: str
    videos: int
    state: TagState
    message: str = ""


@dataclass(frozen=True, slots=True)
class VideosFound:
    """A batch of videos found under `tag` (they may repeat across tags and batches)."""

    tag: str
    videos: tuple[Video, ...]


SearchEvent = TagProgress | VideosFound


class Source(abc.ABC):
    """Where songs come from. `label` is what the user is told ("bundled catalog")."""

    label: str = "source"

    @abc.abstractmethod
    def search(self, tags: Sequence[str]) -> AsyncIterator[SearchEvent]:
        """Stream progress and videos for `tags`. One failing tag never stops the others."""

    def fetched_at(self, tags: Sequence[str]) -> datetime | None:
        """When the data behind these tags was fetched; None when it has no age (a catalog)."""
        return None

    async def aclose(self) -> None:  # noqa: B027 (optional: most sources hold nothing)
        """Release what the source holds (browser sessions, connections)."""


@dataclass
class SearchResult:
    label: str
    videos: list[Video]
    failures: dict[str, str] = field(default_factory=dict)
    per_tag: dict[str, int] = field(default_factory=dict)
    fetched_at: datetime | None = None


async def collect(
    source: Source,
    tags: Sequence[str],
    on_event: Callable[[SearchEvent], None] | None = None,
) -> SearchResult:
    """Run a search to the end; videos de-duplicated by id, in the order first seen."""
    seen: dict[str, Video] = {}
    result = SearchResult(label=source.label, videos=[])
    # aclosing: when on_event stops the search (a newer query), the stream and the
    # fetches it started end here, before the caller closes the store they write to.
    async with contextlib.aclosing(source.search(tags)) as events:
        async for event in events:
            if on_event is not None:
                on_event(event)
            if isinstance(event, VideosFound):
                for video in event.videos:
                    seen.setdefault(video.id, video)
            elif event.state == "failed":
                result.failures[event.tag] = event.message
            elif event.state == "done":
                result.per_tag[event.tag] = event.videos
    result.videos = list(seen.values())
    # A source may learn during the search what answered (live, or partly from its store).
    result.label = source.label
    result.fetched_at = source.fetched_at(tags)
    return result
