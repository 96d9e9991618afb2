"""What a ranking returns: a row per song (`SongRank`) and why it scores what it does (`Explanation`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tiktune_tui.core.models import Song, Stats
from tiktune_tui.core.weights import DEFAULT_WEIGHTS, Weights


@dataclass(frozen=True, slots=True)
class TagTerm:
    """One matched tag's part in a fit score: weight × saturated(videos) = points."""

    tag: str
    weight: float
    videos: int
    points: float
    related: bool = False
    saturated: float = 0.0  # saturated(videos), so the explanation can say weight × saturated

    def as_dict(self) -> dict[str, object]:
        return {
            "tag": self.tag,
            "weight": round(self.weight, 4),
            "videos": self.videos,
            "points": round(self.points, 4),
            "related": self.related,
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a song scores what it does in `mode`: the terms of the score, summed."""

    mode: str
    score: float
    tags: tuple[TagTerm, ...] = ()
    popularity: float = 0.0  # the damped popularity term (fit) or the raw score (popular)
    terms: tuple[tuple[str, float], ...] = ()  # other named parts: stats, videos, rate, growth

    def as_dict(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "score": round(self.score, 4),
            "tags": [term.as_dict() for term in self.tags],
            "popularity": round(self.popularity, 4),
            "terms": {name: round(value, 4) for name, value in self.terms},
        }


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
            **({"mode": self.mode, "explain": self.explanation.as_dict()} if self.explanation is not None else {}),
        }


def explain_text(row: SongRank) -> str:
    """One line saying why `row` ranks where it does, for a details pane or a table."""
    explanation = row.explanation
    if explanation is None:
        return f"score {row.score:,} from {row.videos} video{'s' if row.videos != 1 else ''}"
    mode = explanation.mode
    if mode == "popular":
        parts = " + ".join(f"{name} {value:,}" for name, value in explanation.terms if value)
        return f"popular {int(explanation.score):,} = {parts or '0'} over {row.videos} video{_s(row.videos)}"
    if mode == "uses":
        return f"uses: {row.videos} matching video{_s(row.videos)} {'uses' if row.videos == 1 else 'use'} it (popular score {int(explanation.popularity):,} breaks ties)"
    if mode == "momentum":
        terms = dict(explanation.terms)
        posted, between = terms.get("per_day_since_posted", 0), terms.get("per_day_between_snapshots", 0)
        over = f"{row.videos} matching video{_s(row.videos)}"
        if not between:
            return f"momentum {explanation.score:,.0f}/day: engagement per day since posting, summed over {over}"
        return (
            f"momentum {explanation.score:,.0f}/day = {posted:,.0f} per day since posting"
            f" + {between:,.0f} per day between snapshots, over {over}"
        )
    if mode == "rising":
        return _rising_text(row)
    # points = tag weight × the saturated count of videos (BM25): spelled out so it adds up.
    parts = [
        f"#{t.tag}{' (related)' if t.related else ''} {t.points:.1f}"
        f" ({t.weight:.2f} × {t.saturated:.2f} for {t.videos} video{_s(t.videos)})"
        for t in explanation.tags
    ]
    song_prior = dict(explanation.terms).get("song_prior", 0.0)
    if song_prior:
        parts.append(f"song prior {song_prior:.1f}")
    parts.append(f"popularity {explanation.popularity:.2f}")
    return f"fit {explanation.score:.1f} = " + " + ".join(parts)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _rising_text(row: SongRank) -> str:
    from tiktune_tui.core.rising import when

    explanation = row.explanation
    assert explanation is not None
    terms = dict(explanation.terms)
    if not terms.get("latest"):
        return "rising: needs two snapshots of these tags (run `tiktune watch` over them); popular score breaks ties"
    new = int(terms.get("new_videos", 0))
    line = (
        f"rising {explanation.score:+,.0f} plays/day: {terms.get('plays_gained', 0):+,.0f} plays"
        f" between the snapshots of {when(terms['earlier'])} and {when(terms['latest'])} UTC,"
        f" over {row.videos} matching video{_s(row.videos)} ({new} new since the earlier)"
    )
    return line + ("; new in this niche" if terms.get("new_in_niche") else "")
