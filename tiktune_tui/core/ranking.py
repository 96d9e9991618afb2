"""The ranking users know: score videos by engagement, sum per song.

A video's score is play + 2*digg + 3*comment + 4*share by default; a song's score
sums the distinct matching videos that use it. This module is the reference
implementation: the store's SQL ranking is tested against it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tiktune_tui.core.models import STAT_NAMES, Song, Stats, Video

if TYPE_CHECKING:
    from tiktune_tui.core.modes import Explanation


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


def rank_songs(
    videos: Iterable[Video],
    tags: Sequence[str],
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    require_all: bool = False,
    limit: int | None = None,
) -> list[SongRank]:
    """Rank the songs of the videos that carry at least one of `tags`.

    A video seen twice (found under two tags, or on two feed pages) counts once.
    With `require_all`, only songs whose matching videos cover every tag remain.
    """
    wanted = {tag: position for position, tag in enumerate(tags)}
    seen_videos: set[str] = set()
    # Per song: [song, play, digg, comment, share, tag mask, member ids]; plain ints
    # and lists keep this loop cheap on large stores.
    acc: dict[str, list] = {}
    for video in videos:
        if video.id in seen_videos:
            continue
        mask = 0
        for tag in video.hashtags:
            position = wanted.get(tag)
            if position is not None:
                mask |= 1 << position
        if not mask:
            continue
        seen_videos.add(video.id)
        entry = acc.get(video.song.id)
        if entry is None:
            entry = acc[video.song.id] = [video.song, 0, 0, 0, 0, 0, []]
        stats = video.stats
        entry[1] += stats.play
        entry[2] += stats.digg
        entry[3] += stats.comment
        entry[4] += stats.share
        entry[5] |= mask
        entry[6].append(video.id)

    everything = (1 << len(wanted)) - 1
    rows = []
    for key, (song, play, digg, comment, share, mask, members) in acc.items():
        if require_all and mask != everything:
            continue
        total = Stats(play, digg, comment, share)
        rows.append((weights.score(total), mask.bit_count(), key, song, total, mask, members))
    rows.sort(key=lambda r: order_key(r[0], r[1], r[2]))
    if limit is not None:
        rows = rows[:limit]
    return [
        SongRank(
            rank=position,
            song=song,
            score=score,
            stats=total,
            videos=len(members),
            matched_tags=tuple(tag for tag, bit in wanted.items() if mask >> bit & 1),
            video_ids=tuple(members),
        )
        for position, (score, _, _, song, total, mask, members) in enumerate(rows, start=1)
    ]
