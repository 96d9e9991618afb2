"""What tiktune reasons about: songs (TikTok "sounds"), videos and their stats."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

STAT_NAMES = ("play", "digg", "comment", "share")
SECONDS_PER_DAY = 86400
CREDIT_SEPARATOR = " — "
# The largest engagement count tiktune takes in: SQLite's largest integer, so that
# whatever a catalog or TikTok gives can also be stored; larger counts are refused.
MAX_COUNT = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Stats:
    """Engagement counts of one video, or the sum over several.

    Python ints, so sums never overflow however many videos are added up.
    """

    play: int = 0
    digg: int = 0
    comment: int = 0
    share: int = 0

    def __add__(self, other: Stats) -> Stats:
        return Stats(
            self.play + other.play,
            self.digg + other.digg,
            self.comment + other.comment,
            self.share + other.share,
        )

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in STAT_NAMES}


@dataclass(frozen=True, slots=True)
class Song:
    """A TikTok sound. `id` is TikTok's music id, kept as text: some exceed int64."""

    id: str
    title: str = ""
    author: str = ""
    duration_s: int | None = None
    play_url: str | None = None
    cover_url: str | None = None
    original: bool | None = None

    @property
    def display_title(self) -> str:
        return self.title or f"sound {self.id}"

    @property
    def credit_parts(self) -> tuple[str, str]:
        """`title — artist` in two parts, the title and " — artist" ("" with no artist known),
        for a view that styles the title; plain text, to be made safe by whoever shows it."""
        return self.display_title, f"{CREDIT_SEPARATOR}{self.author}" if self.author else ""

    @property
    def credit(self) -> str:
        """`title — artist`, or the title alone: how every view names a song."""
        return "".join(self.credit_parts)


@dataclass(frozen=True, slots=True)
class Video:
    """One TikTok video: the hashtags it carries, the song it uses, its stats."""

    id: str
    song: Song
    hashtags: tuple[str, ...] = ()
    stats: Stats = field(default_factory=Stats)
    create_time: datetime | None = None
    author: str = ""
    description: str = ""
