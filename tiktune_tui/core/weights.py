"""The engagement formula users know: a video's score is play + 2*digg + 3*comment + 4*share by default.

It is written once, here (`Weights.score`); the store's SQL is generated from the same
weights (`Weights.sql`), and every ranking orders its ties with `order_key`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tiktune_tui.core.models import STAT_NAMES, Stats


class Counts(Protocol):
    """What the formula reads: Stats has these, and so has a song's tally of its videos."""

    play: int
    digg: int
    comment: int
    share: int


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
                raise WeightsError(f"bad weight {part!r}: use NAME=INT with NAME one of {', '.join(STAT_NAMES)}")
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

    def score(self, stats: Counts) -> int:
        """The engagement of `stats`: a video's Stats, or a song's summed counts (modes.Tally)."""
        return self.play * stats.play + self.digg * stats.digg + self.comment * stats.comment + self.share * stats.share

    def sql(self, prefix: str = "", suffix: str = "") -> str:
        """`score` as an SQL expression over columns named prefix + stat + suffix
        (`sql("v.", "_count")` reads v.play_count ...). The weights are written in as
        integer literals, so the text is safe to splice and sums stay exact integers."""
        terms = " + ".join(f"{prefix}{name}{suffix} * {int(getattr(self, name))}" for name in STAT_NAMES)
        return f"({terms})"

    def breakdown(self, stats: Stats) -> dict[str, int]:
        """What each stat contributes to the score; the values sum to `score`."""
        return {name: getattr(self, name) * getattr(stats, name) for name in STAT_NAMES}

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in STAT_NAMES}


DEFAULT_WEIGHTS = Weights()


def order_key(score: int, matched: int, song_id: str) -> tuple[int, int, str]:
    """Score desc, then matched-tag count desc, then song id: deterministic."""
    return (-score, -matched, song_id)
