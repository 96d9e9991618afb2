"""Messages the search thread posts to the app (post_message is thread safe), and the guard
for the handlers of what arrives late."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from textual.app import App
from textual.message import Message

from tiktune_tui.core.models import Video
from tiktune_tui.core.results import SongRank
from tiktune_tui.library.sources.base import TagProgress


class SearchProgress(Message):
    """One tag of query `serial` started, finished or failed."""

    def __init__(self, serial: int, progress: TagProgress) -> None:
        super().__init__()
        self.serial = serial
        self.progress = progress


class PartialResults(Message):
    """The ranking so far, while later tags are still being searched."""

    def __init__(self, serial: int, rows: list[SongRank], videos: list[Video]) -> None:
        super().__init__()
        self.serial = serial
        self.rows = rows
        self.videos = videos

    def can_replace(self, message: Message) -> bool:
        # A newer ranking of the same query makes an unprocessed older one pointless.
        return isinstance(message, PartialResults) and message.serial == self.serial


class KnownTagsLoaded(Message):
    """Hashtags for completion, most used first."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__()
        self.tags = tags


class RelatedTagsFound(Message):
    """Tags that often go with the query's, best first, to offer as one-key additions."""

    def __init__(self, query: tuple[str, ...], tags: list[str]) -> None:
        super().__init__()
        self.query = query
        self.tags = tags


def while_running(handler: Callable[..., None]) -> Callable[..., None]:
    """For the handlers of what arrives by message (search results, completions, related
    tags, highlights): once the app has stopped running it is closing, its widgets are
    gone, and what arrives late is dropped."""

    @wraps(handler)
    def guarded(self: App, *args: object) -> None:
        if self.is_running:
            handler(self, *args)

    return guarded
