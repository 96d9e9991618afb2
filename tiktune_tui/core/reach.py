"""A song's reach on all of TikTok: the sound's own count of the videos using it, with when it
was asked, shown beside the niche's uses so that "big in my niche" and "big everywhere" differ."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tiktune_tui.core.models import SECONDS_PER_DAY

# Older than this and the count is asked for again (a sound's count moves by the day, not the minute).
REFETCH_AFTER = timedelta(hours=24)


def age(moment: datetime, now: datetime | None = None) -> str:
    """How long ago `moment` was: "3 d ago", "2 h ago", "just now"."""
    seconds = max(0, int(((now or datetime.now(UTC)) - moment).total_seconds()))
    for size, unit in ((SECONDS_PER_DAY, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


@dataclass(frozen=True, slots=True)
class SongReach:
    music_id: str
    videos: int  # videos using the sound on all of TikTok
    fetched_at: datetime

    def is_stale(self, now: datetime) -> bool:
        return now - self.fetched_at >= REFETCH_AFTER

    def describe(self, now: datetime | None = None) -> str:
        return f"{self.videos:,} video{'' if self.videos == 1 else 's'} on all of TikTok (fetched {age(self.fetched_at, now)})"

    def as_dict(self) -> dict[str, object]:
        return {"videos": self.videos, "fetched_at": self.fetched_at.isoformat()}
