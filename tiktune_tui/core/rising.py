"""Rising in the niche: which songs grow between two stats snapshots of the query's videos.

The two snapshots are the latest two moments the matching videos were fetched at (two
rounds of `tiktune watch`, or two searches): `earlier` and `latest`. A song's growth is
the plays its matching videos gained between them, per day: a video seen at `latest`
gains its plays minus those of its last snapshot at or before `earlier`, and a video
first seen after `earlier` (new in the niche since then) gains all of them. A song none
of whose matching videos was seen before the last NEW_IN_NICHE_DAYS days, and none in
the niche's first snapshot, is marked new.

Whole numbers throughout (plays gained are summed exactly, then divided per day and
truncated as SQLite divides), so the store's SQL gives the very same scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tiktune_tui.core.models import SECONDS_PER_DAY

NEW_IN_NICHE_DAYS = 7


@dataclass(frozen=True)
class RisingWindow:
    """The snapshots rising compares for one query, as epoch seconds: `first` (the niche's
    first), `earlier` and `latest`; `videos` maps each matching video id to (first seen,
    last seen, plays at its last snapshot at or before `earlier`, None when it had none)."""

    first: int
    earlier: int
    latest: int
    videos: Mapping[str, tuple[int, int, int | None]] = field(default_factory=dict)

    @classmethod
    def from_times(cls, times: list[int], videos: Mapping[str, tuple[int, int, int | None]] | None = None):
        """The window over these distinct snapshot times (any order); None for fewer than two."""
        ordered = sorted(set(times))
        if len(ordered) < 2:
            return None
        return cls(ordered[0], ordered[-2], ordered[-1], videos or {})

    @property
    def span(self) -> int:
        return self.latest - self.earlier

    @property
    def new_after(self) -> int:
        """A video first seen before this moment makes its song not new in the niche (the
        store's ranking says the same in SQL: library.store.ranking_sql, `rising_window`)."""
        return max(self.first + 1, self.latest - NEW_IN_NICHE_DAYS * SECONDS_PER_DAY)

    def video(self, video_id: str, plays: int) -> tuple[int, int, int] | None:
        """(plays gained, 1 if new since `earlier`, 1 if seen before `new_after`) for a
        stored video; None for one the store does not hold."""
        seen = self.videos.get(video_id)
        if seen is None:
            return None
        first_seen, last_seen, base = seen
        old = int(first_seen < self.new_after)
        if last_seen <= self.earlier:
            return 0, 0, old
        return plays - (base or 0), int(first_seen > self.earlier), old


def per_day(gained: int, seconds: int) -> int:
    """`gained` over `seconds`, per day, truncated toward zero (as SQLite divides)."""
    whole = abs(gained) * SECONDS_PER_DAY // seconds
    return -whole if gained < 0 else whole


def when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M")
