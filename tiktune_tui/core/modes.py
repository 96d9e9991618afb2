"""The ranking modes: four answers to "which song fits these hashtags?".

- popular: the seed formula, unchanged: the weighted engagement of the matching videos, summed per song.
- uses: how many matching videos use the song.
- fit: relevance to the query. For each query tag, the song's videos carrying it
  vote with the tag's weight, its squared inverse document frequency (a tag on 20
  videos says far more than #fyp on 2,000); the votes saturate as in BM25, so many
  videos sharing one tag do not drown a song that shares several. A prior, the log
  of how many videos in the collection use the song, and a damped popularity term
  (a tenth of log10 of the popular score) settle the many near-ties.
  Related tags (co-occurring with the query's) may add votes at a reduced weight.
- momentum: engagement per day since each video was posted or, where several
  stats snapshots exist, per day between the first and the last: what rises now.
- rising: plays gained per day by the song's matching videos between the latest two
  snapshots of the niche, new videos included (core.rising); songs new in the niche marked.

Everything is computed in one pass over the matching videos (`tally`); a mode is
only a score and an order over the same per-song totals. The evaluation ranks
through the same functions, so what it measures is what users get. The store's
SQL versions are tested against this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tiktune_tui.core.models import SECONDS_PER_DAY, Song, Stats, Video
from tiktune_tui.core.results import Explanation, SongRank, TagTerm
from tiktune_tui.core.rising import RisingWindow
from tiktune_tui.core.rising import per_day as rising_per_day
from tiktune_tui.core.weights import DEFAULT_WEIGHTS, Weights, order_key

MODE_NAMES = ("popular", "fit", "uses", "momentum", "rising")
DEFAULT_MODE = "popular"

# Chosen by 5-fold cross-validation on the bundled catalog (bench/quality.py).
TAG_WEIGHT_POWER = 2.0
TAG_SATURATION = 1.5  # BM25's k1: a song's 2nd video with a tag adds less than its 1st, its 10th little
SONG_PRIOR = 5.0  # × ln(the song's videos in the collection): a sound many videos use is a likelier answer
POPULARITY_DAMPING = 0.1
RELATED_WEIGHT = 0.05
RELATED_PER_TAG = 3
MIN_AGE_SECONDS = SECONDS_PER_DAY  # a video posted today counts as a day old


class ModeError(ValueError):
    """A mode name tiktune does not know; the message lists the known ones."""


def check_mode(name: str) -> str:
    mode = name.strip().lower()
    if mode not in MODE_NAMES:
        raise ModeError(f"unknown ranking mode {name!r}: use one of {', '.join(MODE_NAMES)}")
    return mode


def next_mode(mode: str) -> str:
    """The mode after `mode`, wrapping round: what a "cycle mode" key shows next."""
    return MODE_NAMES[(MODE_NAMES.index(mode) + 1) % len(MODE_NAMES)]


@dataclass(frozen=True)
class Corpus:
    """What a mode knows about the whole collection, not just the matching videos.

    `total` videos, of which `tag_videos[t]` carry tag t (the document frequency) and
    `song_videos[s]` use song s (fit's prior; songs left out count their matching videos);
    `related` maps tags that are not in the query to the weight (0..1] a vote through
    them keeps; `now` is when momentum is measured; `growth` holds, per video id,
    the engagement gained per day between its first and last stats snapshot.
    Without a corpus, the matching videos stand in for the collection.
    """

    total: int = 0
    tag_videos: Mapping[str, int] = field(default_factory=dict)
    related: Mapping[str, float] = field(default_factory=dict)
    now: datetime | None = None
    growth: Mapping[str, int] = field(default_factory=dict)
    song_videos: Mapping[str, int] = field(default_factory=dict)
    rising: RisingWindow | None = None  # the two snapshots the rising mode compares
    _weights: dict[str, float] = field(default_factory=dict, init=False, repr=False, compare=False)
    _ages: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_videos(cls, videos: Iterable[Video], **extra: object) -> Corpus:
        counts: dict[str, int] = {}
        songs: dict[str, int] = {}
        total = 0
        newest: datetime | None = None
        for video in videos:
            total += 1
            songs[video.song.id] = songs.get(video.song.id, 0) + 1
            for tag in video.hashtags:
                counts[tag] = counts.get(tag, 0) + 1
            if video.create_time is not None and (newest is None or video.create_time > newest):
                newest = video.create_time
        extra.setdefault("now", newest)
        extra.setdefault("song_videos", songs)
        return cls(total=total, tag_videos=counts, **extra)  # type: ignore[arg-type]

    def tag_weight(self, tag: str) -> float:
        """How much one vote through `tag` counts in fit: rare tags say more."""
        weight = self._weights.get(tag)
        if weight is None:
            carrying = self.tag_videos.get(tag, 0)
            if carrying <= 0 or self.total <= 0:
                weight = 0.0
            else:
                weight = math.log((self.total + 1) / carrying) ** TAG_WEIGHT_POWER
            self._weights[tag] = weight
        return weight

    def with_related(self, related: Mapping[str, float]) -> Corpus:
        copy = Corpus(self.total, self.tag_videos, dict(related), self.now, self.growth, self.song_videos, self.rising)
        copy._weights.update(self._weights)
        copy._ages.update(self._ages)
        return copy


class Tally:
    """Per-song totals over the matching videos; every mode scores from these."""

    __slots__ = (
        "song",
        "play",
        "digg",
        "comment",
        "share",
        "videos",
        "video_ids",
        "tag_counts",
        "rate",
        "growth",
        "related_counts",
        "related_popular",
        "gained",
        "new_videos",
        "old_videos",
    )

    def __init__(self, song: Song) -> None:
        self.song = song
        self.play = self.digg = self.comment = self.share = self.related_popular = self.videos = 0
        # Engagement per day since posting / between snapshots, summed; whole units per
        # video (truncated) so that any summing order, SQL's included, gives the same total.
        self.rate = self.growth = 0
        # rising: plays gained in its window, videos new since its earlier snapshot, and
        # videos seen before it counts a song as new (any of those: not new in the niche).
        self.gained = self.new_videos = self.old_videos = 0
        self.video_ids: list[str] = []  # videos carrying a query tag (the store names only the top one)
        self.tag_counts: dict[str, int] = {}  # query tag -> videos of this song carrying it, in query order
        self.related_counts: dict[str, int] = {}  # related tag -> videos reached only through related tags

    @property
    def stats(self) -> Stats:
        return Stats(self.play, self.digg, self.comment, self.share)

    @property
    def literal(self) -> bool:
        """Whether a video carrying a query tag uses the song (else only fit sees it)."""
        return bool(self.videos)


def tally(
    videos: Iterable[Video],
    tags: Sequence[str],
    weights: Weights = DEFAULT_WEIGHTS,
    corpus: Corpus | None = None,
) -> dict[str, Tally]:
    """One pass over `videos`: totals per song id for the videos carrying a query tag
    (or, for fit only, a related tag). A video seen twice counts once."""
    wanted = set(tags)
    related = corpus.related if corpus is not None else {}
    now = corpus.now if corpus is not None else None
    growth = corpus.growth if corpus is not None else {}
    window = corpus.rising if corpus is not None else None
    # Days since posting, per video id: the same for every query against this corpus.
    ages = corpus._ages if corpus is not None else {}
    engagement = weights.score
    seen: set[str] = set()
    mark_seen = seen.add
    tallies: dict[str, Tally] = {}
    find = tallies.get
    for video in videos:
        video_id = video.id
        if video_id in seen:
            continue
        hits = [tag for tag in video.hashtags if tag in wanted]
        if not hits and not (related and any(tag in related for tag in video.hashtags)):
            continue
        mark_seen(video_id)
        song = video.song
        entry = find(song.id)
        if entry is None:
            entry = tallies[song.id] = Tally(song)
        stats = video.stats
        if not hits:
            counts = entry.related_counts
            for tag in video.hashtags:
                if tag in related:
                    counts[tag] = counts.get(tag, 0) + 1
            entry.related_popular += engagement(stats)
            continue
        entry.play += stats.play
        entry.digg += stats.digg
        entry.comment += stats.comment
        entry.share += stats.share
        entry.videos += 1
        entry.video_ids.append(video_id)
        counts = entry.tag_counts
        for tag in hits:
            counts[tag] = counts.get(tag, 0) + 1
        if window is not None and (seen := window.video(video_id, stats.play)) is not None:
            entry.gained += seen[0]
            entry.new_videos += seen[1]
            entry.old_videos += seen[2]
        if not (growth or now):
            continue
        gained = growth.get(video_id) if growth else None
        if gained is not None:
            entry.growth += gained
        elif now is not None:
            seconds = ages.get(video_id)
            if seconds is None:
                posted = video.create_time
                seconds = ages[video_id] = (
                    0 if posted is None else max(MIN_AGE_SECONDS, int((now - posted).total_seconds()))
                )
            if seconds:
                entry.rate += engagement(stats) * SECONDS_PER_DAY // seconds
    if len(wanted) > 1:
        order = list(dict.fromkeys(tags))
        for entry in tallies.values():
            if len(entry.tag_counts) > 1:
                counts = entry.tag_counts
                entry.tag_counts = {tag: counts[tag] for tag in order if tag in counts}
    return tallies


def per_day(gained: int, seconds: int) -> int:
    """Engagement gained over `seconds`, per day, truncated toward zero (as SQLite divides)."""
    whole = abs(gained) * SECONDS_PER_DAY // seconds
    return -whole if gained < 0 else whole


def expansion(tags: Sequence[str], related_of: Callable[[str], Sequence[tuple[str, float]]]) -> dict[str, float]:
    """Related tags fit may also vote through, each with the weight (0..1] its votes keep.

    `related_of(tag)` gives (tag, NPMI) pairs best first (core.related); the best
    few per query tag are kept, scaled down so a literal match always counts more.
    """
    query = set(tags)
    chosen: dict[str, float] = {}
    for tag in tags:
        taken = 0
        for other, strength in related_of(tag):
            if taken == RELATED_PER_TAG:
                break
            if other in query:
                continue
            taken += 1
            chosen[other] = max(chosen.get(other, 0.0), RELATED_WEIGHT * strength)
    return chosen


def popular_score(entry: Tally, weights: Weights) -> int:
    """The seed formula over the song's summed counts (a Tally has a Stats' four fields)."""
    return weights.score(entry)


def fit_score(entry: Tally, corpus: Corpus, weights: Weights) -> float:
    """The sum of fit_terms, without building them: the evaluation's hot path.

    Summed in the same order as Store.rank_modes sums it in SQL, so both give identical floats.
    """
    weight = corpus.tag_weight
    points = 0.0
    for tag, count in entry.tag_counts.items():
        points += weight(tag) * saturated(count)
    if entry.related_counts:
        related = corpus.related
        points += sum(
            related.get(tag, 0.0) * weight(tag) * saturated(count) for tag, count in entry.related_counts.items()
        )
    popularity = POPULARITY_DAMPING * math.log10(1 + popular_score(entry, weights) + entry.related_popular)
    return points + prior(entry, corpus) + popularity


def saturated(count: int) -> float:
    """How much `count` videos sharing a tag count for: 1 for one, approaching k1 + 1 for many."""
    return count * (TAG_SATURATION + 1) / (count + TAG_SATURATION)


def prior(entry: Tally, corpus: Corpus) -> float:
    """Fit's prior for a song: the log of how many videos in the collection use it."""
    return SONG_PRIOR * math.log(max(corpus.song_videos.get(entry.song.id, 0), entry.videos, 1))


def fit_terms(entry: Tally, corpus: Corpus, weights: Weights) -> tuple[tuple[TagTerm, ...], float]:
    """The per-tag points of a fit score and its damped popularity term."""
    terms = [
        TagTerm(tag, weight, count, weight * saturated(count), saturated=saturated(count))
        for tag, count in entry.tag_counts.items()
        for weight in (corpus.tag_weight(tag),)
    ]
    terms += [
        TagTerm(tag, weight, count, weight * saturated(count), related=True, saturated=saturated(count))
        for tag, count in entry.related_counts.items()
        for weight in (corpus.related.get(tag, 0.0) * corpus.tag_weight(tag),)
    ]
    popularity = POPULARITY_DAMPING * math.log10(1 + popular_score(entry, weights) + entry.related_popular)
    return tuple(terms), popularity


def score(entry: Tally, mode: str, weights: Weights, corpus: Corpus) -> float:
    if mode == "popular":
        return popular_score(entry, weights)
    if mode == "uses":
        return entry.videos
    if mode == "momentum":
        return entry.rate + entry.growth
    if mode == "rising":
        window = corpus.rising
        return rising_per_day(entry.gained, window.span) if window is not None else 0
    return fit_score(entry, corpus, weights)


def sort_key(entry: Tally, mode: str, weights: Weights, corpus: Corpus) -> tuple:
    """Best first. Ties fall back to the popular score, then matched tags, then song id."""
    matched = len(entry.tag_counts)
    if mode == "popular":
        return order_key(popular_score(entry, weights), matched, entry.song.id)
    if mode == "rising":
        return (
            -score(entry, mode, weights, corpus),
            -entry.new_videos,
            -popular_score(entry, weights),
            -matched,
            entry.song.id,
        )
    return (-score(entry, mode, weights, corpus), -popular_score(entry, weights), -matched, entry.song.id)


def ranked_keys(tallies: Mapping[str, Tally], mode: str, weights: Weights, corpus: Corpus) -> list[str]:
    """Song ids in rank order. Songs reached only through related tags count in fit alone."""
    keys = [k for k, entry in tallies.items() if mode == "fit" or entry.literal]
    keys.sort(key=lambda k: sort_key(tallies[k], mode, weights, corpus))
    return keys


def explain(entry: Tally, mode: str, weights: Weights, corpus: Corpus) -> Explanation:
    value = score(entry, mode, weights, corpus)
    if mode == "popular":
        return Explanation(mode, value, popularity=value, terms=tuple(weights.breakdown(entry.stats).items()))
    if mode == "uses":
        return Explanation(mode, value, popularity=popular_score(entry, weights), terms=(("videos", float(value)),))
    if mode == "momentum":
        return Explanation(
            mode,
            value,
            popularity=popular_score(entry, weights),
            terms=(("per_day_since_posted", entry.rate), ("per_day_between_snapshots", entry.growth)),
        )
    if mode == "rising":
        window = corpus.rising
        new = window is not None and not entry.old_videos
        return Explanation(
            mode,
            value,
            popularity=popular_score(entry, weights),
            terms=(
                ("plays_gained", entry.gained),
                ("new_videos", entry.new_videos),
                ("earlier", window.earlier if window else 0),
                ("latest", window.latest if window else 0),
                ("new_in_niche", float(new)),
            ),
        )
    terms, popularity = fit_terms(entry, corpus, weights)
    ordered = tuple(sorted(terms, key=lambda t: (-t.points, t.tag)))
    return Explanation(mode, value, tags=ordered, popularity=popularity, terms=(("song_prior", prior(entry, corpus)),))


def rank(
    videos: Iterable[Video],
    tags: Sequence[str],
    mode: str = DEFAULT_MODE,
    weights: Weights = DEFAULT_WEIGHTS,
    corpus: Corpus | None = None,
    *,
    require_all: bool = False,
    limit: int | None = None,
) -> list[SongRank]:
    """Rank the songs of `videos` for the query `tags` in `mode`, each row explained.

    A video seen twice (under two tags, on two feed pages) counts once. With `require_all`,
    only songs whose matching videos cover every tag remain.
    Without a corpus, the given videos stand in for the collection (fit and momentum
    need one; popular and uses look at the matching videos alone).
    """
    return rank_counted(videos, tags, mode, weights, corpus, require_all=require_all, limit=limit)[0]


def rank_counted(
    videos: Iterable[Video],
    tags: Sequence[str],
    mode: str = DEFAULT_MODE,
    weights: Weights = DEFAULT_WEIGHTS,
    corpus: Corpus | None = None,
    *,
    require_all: bool = False,
    limit: int | None = None,
) -> tuple[list[SongRank], int]:
    """`rank`, and how many songs the ranking holds before `limit` cuts it (only the rows
    kept are built and explained)."""
    mode = check_mode(mode)
    if corpus is None:
        if mode in ("popular", "uses"):
            corpus = Corpus()
        else:
            videos = list(videos)
            corpus = Corpus.from_videos(videos)
    tallies = tally(videos, tags, weights, corpus)
    keys = ranked_keys(tallies, mode, weights, corpus)
    if require_all:
        keys = [k for k in keys if len(tallies[k].tag_counts) == len(set(tags))]
    total = len(keys)
    if limit is not None:
        keys = keys[:limit]
    rows = [song_rank(position, tallies[key], mode, weights, corpus) for position, key in enumerate(keys, start=1)]
    return rows, total


def song_rank(position: int, entry: Tally, mode: str, weights: Weights, corpus: Corpus) -> SongRank:
    """The result row for a song's totals at `position`, explained; the store builds its rows here too."""
    explanation = explain(entry, mode, weights, corpus)
    value = explanation.score
    return SongRank(
        rank=position,
        song=entry.song,
        score=value if mode == "fit" else int(value),
        stats=entry.stats,
        videos=entry.videos,
        matched_tags=tuple(entry.tag_counts),  # in query order (tally)
        video_ids=tuple(entry.video_ids),
        mode=mode,
        explanation=explanation,
    )
