"""A song's trend in a niche: its videos per day or week (from post dates) and its summed plays
per stats snapshot, as the store counts them; drawn as bars by whoever shows it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from tiktune_tui.core.models import Video

# More days than this and the posts are shown per week (a chart 80 columns wide stays readable).
MAX_DAYS_SHOWN = 60


@dataclass(frozen=True)
class SongTrend:
    music_id: str
    tags: tuple[str, ...]
    posts: tuple[tuple[date, int], ...] = ()  # (day, videos posted that day), days with none left out
    plays: tuple[tuple[datetime, int], ...] = ()  # (snapshot moment, summed plays of the videos in it)
    undated: int = 0  # matching videos without a post date
    unit: str = field(default="day", init=False)

    @classmethod
    def from_videos(cls, music_id: str, tags: Sequence[str], videos: Iterable[Video]) -> SongTrend:
        """The trend of a collection held in memory (a catalog: one snapshot, so no plays), counted
        as the store counts it: videos using the song with any of `tags` (all of them without),
        by their post day at UTC."""
        wanted = set(tags)
        days: Counter[date] = Counter()
        undated = 0
        for video in {v.id: v for v in videos}.values():
            if video.song.id != music_id or (wanted and wanted.isdisjoint(video.hashtags)):
                continue
            if video.create_time is None:
                undated += 1
            else:
                posted = video.create_time
                days[(posted.replace(tzinfo=UTC) if posted.tzinfo is None else posted.astimezone(UTC)).date()] += 1
        return cls(music_id, tuple(tags), tuple(sorted(days.items())), (), undated)

    def series(self) -> tuple[str, list[tuple[date, int]]]:
        """("day" | "week", every day or week from the first post to the last, zeros included)."""
        if not self.posts:
            return "day", []
        counts = dict(self.posts)
        first, last = self.posts[0][0], self.posts[-1][0]
        if (last - first).days < MAX_DAYS_SHOWN:
            return "day", [
                (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
                for i in range((last - first).days + 1)
            ]
        start = first - timedelta(days=first.weekday())  # weeks from Monday
        weeks: dict[date, int] = {}
        for day, count in self.posts:
            monday = day - timedelta(days=day.weekday())
            weeks[monday] = weeks.get(monday, 0) + count
        spans = (last - start).days // 7 + 1
        return "week", [(start + timedelta(weeks=i), weeks.get(start + timedelta(weeks=i), 0)) for i in range(spans)]

    def as_dict(self) -> dict[str, object]:
        unit, series = self.series()
        return {
            "music_id": self.music_id,
            "tags": list(self.tags),
            "unit": unit,
            "posts": [{"from": day.isoformat(), "videos": count} for day, count in series],
            "undated_videos": self.undated,
            "plays": [{"at": moment.isoformat(), "plays": plays} for moment, plays in self.plays],
        }
