"""The scoring users know and the rows every ranking returns.

A video's score is play + 2*digg + 3*comment + 4*share by default (`Weights`); a
song's score in the popular mode sums the distinct matching videos that use it
(core.modes ranks; the store's SQL is tested against it). `SongRank` is one result row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tiktune_tui.core.models import STAT_NAMES, Song, Stats

if TYPE_CHECKING:
    from tiktune_tui.core.modes import Explanation


# Scores only order songs, so only the weights' ratios matter; a cap keeps the numbers
# shown (12.3M, 1.2B) readable instead of 12340000000000000T.
MAX_WEIGHT = 1_000_000


class WeightsError(ValueError):
    """A --weights value that cannot be read; the message says which part."""


@dataclass(frozen=True, slots=True)
class Weights:
    play: int = 1
    digg: int = 2
    comment: int = 3
    share: int = 4

    @classmethod
    def parse(cls, text: str) -> Weights:
        """Read "play=1,digg=2,comment=3,share=4"; unnamed stats keep their default."""
        values = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, sep, number = part.partition("=")
            name = name.strip().lower()
            if not sep or name not in STAT_NAMES:
                raise WeightsError(
                    f"bad weight {part!r}: use NAME=INT with NAME one of {', '.join(STAT_NAMES)}"
                )
            try:
                value = int(number.strip())
            except ValueError:
                raise WeightsError(f"bad weight {part!r}: {number.strip()!r} is not a whole number") from None
            if value < 0:
                raise WeightsError(f"bad weight {part!r}: weights cannot be negative")
            if value > MAX_WEIGHT:
                raise WeightsError(f"bad weight {part!r}: use at most {MAX_WEIGHT:,} (only the ratios matter)")
            values[name] = value
        return cls(**values)

    def score(self, stats: Stats) -> int:
        return (
            self.play * stats.play
            + self.digg * stats.digg
            + self.comment * stats.comment
            + self.share * stats.share
        )

    def breakdown(self, stats: Stats) -> dict[str, int]:
        """What each stat contributes to the score; the values sum to `score`."""
        return {name: getattr(self, name) * getattr(stats, name) for name in STAT_NAMES}

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in STAT_NAMES}


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True, slots=True)
class SongRank:
    """One row of a recommendation: a song, why it scores, and where it ranks.

    `score` is an int in the popular, uses and momentum modes, a float in fit
    (core.modes); `explanation` says how the active mode arrived at it.
    """

    rank: int
    song: Song
    score: int | float
    stats: Stats
    videos: int
    matched_tags: tuple[str, ...]
    video_ids: tuple[str, ...] = field(default=(), compare=False)
    mode: str = field(default="popular", compare=False)
    explanation: Explanation | None = field(default=None, compare=False)

    def breakdown(self, weights: Weights = DEFAULT_WEIGHTS) -> dict[str, int]:
        return weights.breakdown(self.stats)

    def as_dict(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "music_id": self.song.id,
            "title": self.song.title,
            "author": self.song.author,
            "score": self.score,
            "play_count": self.stats.play,
            "digg_count": self.stats.digg,
            "comment_count": self.stats.comment,
            "share_count": self.stats.share,
            "videos": self.videos,
            "matched_tags": list(self.matched_tags),
            **(
                {"mode": self.mode, "explain": self.explanation.as_dict()}
                if self.explanation is not None
                else {}
            ),
        }


def order_key(score: int, matched: int, song_id: str) -> tuple[int, int, str]:
    """Score desc, then matched-tag count desc, then song id: deterministic."""
    return (-score, -matched, song_id)
