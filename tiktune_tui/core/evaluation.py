"""Offline evaluation: can a mode guess a held-out video's song from its hashtags?

A case is a held-out video with at least one hashtag whose song occurs in the
training videos. Each mode ranks the training songs for that video's hashtags,
with corpus statistics from the training videos only; a hit@K is the video's
real song in the top K. HR@K is hits over cases. A case is reachable when some
training video of its real song carries one of its hashtags: no ranking of the
matching videos can hit more than the reachable cases, so that share is the
ceiling every tag-matching mode is measured against.

Ranking goes through core.modes (the same tally, scores and order users get), but
only the real song's position is needed, so no result rows are built.
"""

from __future__ import annotations

import multiprocessing
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tiktune_tui.core.models import Video
from tiktune_tui.core.modes import MODE_NAMES, Corpus, expansion, score, sort_key, tally
from tiktune_tui.core.related import co_counts, related_tags
from tiktune_tui.core.weights import DEFAULT_WEIGHTS, Weights

DEFAULT_KS = (1, 10, 50)
FOLD_SEED = 20250615


@dataclass
class Report:
    """Cases and hits per mode and K; HR@K = hits / cases."""

    cases: int = 0
    reachable: int = 0  # cases whose real song shares a hashtag with them in the training videos
    ks: tuple[int, ...] = DEFAULT_KS
    hits: dict[str, dict[int, int]] = field(default_factory=dict)

    def hr(self, mode: str, k: int) -> float:
        return self.hits[mode][k] / self.cases if self.cases else 0.0

    def add(self, other: Report) -> None:
        self.cases += other.cases
        self.reachable += other.reachable
        for mode, per_k in other.hits.items():
            mine = self.hits.setdefault(mode, dict.fromkeys(self.ks, 0))
            for k, count in per_k.items():
                mine[k] += count

    def as_dict(self) -> dict[str, object]:
        return {
            "cases": self.cases,
            "reachable": self.reachable,
            "modes": {
                mode: {
                    "hr": {str(k): round(self.hr(mode, k), 4) for k in self.ks},
                    "hits": {str(k): self.hits[mode][k] for k in self.ks},
                }
                for mode in self.hits
            },
        }


class TrainingIndex:
    """The training videos, indexed once per fold: tag -> videos, corpus stats, related tags."""

    def __init__(self, videos: Sequence[Video]) -> None:
        self.by_tag: dict[str, list[Video]] = {}
        for video in videos:
            for tag in video.hashtags:
                self.by_tag.setdefault(tag, []).append(video)
        self.songs = {video.song.id for video in videos}
        self.corpus = Corpus.from_videos(videos)
        self._related: dict[str, list[tuple[str, float]]] = {}

    def related(self, tag: str) -> list[tuple[str, float]]:
        found = self._related.get(tag)
        if found is None:
            together = co_counts(tag, (v.hashtags for v in self.by_tag.get(tag, ())))
            found = self._related[tag] = related_tags(
                tag, together, self.corpus.tag_videos, self.corpus.total, limit=None
            )
        return found

    def videos_with_any(self, tags: Iterable[str]) -> list[Video]:
        found: dict[str, Video] = {}
        for tag in tags:
            for video in self.by_tag.get(tag, ()):
                found.setdefault(video.id, video)
        return list(found.values())


def is_case(video: Video, index: TrainingIndex) -> bool:
    return bool(video.hashtags) and video.song.id in index.songs


def evaluate(
    train: Sequence[Video],
    holdout: Iterable[Video],
    modes: Sequence[str] = MODE_NAMES,
    ks: Sequence[int] = DEFAULT_KS,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    expand: bool = False,
) -> Report:
    """HR@K of each mode, ranking `train`'s songs for each held-out case.

    With `expand`, fit also votes through related tags (modes.expansion).
    """
    index = TrainingIndex(train)
    return _evaluate(index, holdout, modes, tuple(ks), weights, expand)


def _evaluate(
    index: TrainingIndex,
    holdout: Iterable[Video],
    modes: Sequence[str],
    ks: tuple[int, ...],
    weights: Weights,
    expand: bool,
) -> Report:
    report = Report(ks=ks, hits={mode: dict.fromkeys(ks, 0) for mode in modes})
    base = index.corpus
    for video in holdout:
        if not is_case(video, index):
            continue
        report.cases += 1
        tags = video.hashtags
        related = expansion(tags, index.related) if expand and "fit" in modes else {}
        corpus = base.with_related(related) if related else base
        candidates = index.videos_with_any([*tags, *related])
        tallies = tally(candidates, tags, weights, corpus)
        truth = tallies.get(video.song.id)
        if truth is not None and truth.literal:
            report.reachable += 1
        for mode in modes:
            position = _position(tallies, truth, mode, weights, corpus)
            if position is None:
                continue
            for k in ks:
                if position <= k:
                    report.hits[mode][k] += 1
    return report


def _position(tallies, truth, mode, weights, corpus) -> int | None:
    """1-based rank of the real song, or None when the mode does not rank it at all.

    The mode's score decides most comparisons; the full order key (ties) is built
    only for the songs whose score equals the real song's.
    """
    if truth is None or (mode != "fit" and not truth.literal):
        return None
    target_score = score(truth, mode, weights, corpus)
    target = sort_key(truth, mode, weights, corpus)
    position = 1
    for entry in tallies.values():
        if mode != "fit" and not entry.literal:
            continue
        value = score(entry, mode, weights, corpus)
        if value > target_score or (
            value == target_score and entry is not truth and sort_key(entry, mode, weights, corpus) < target
        ):
            position += 1
    return position


def folds(videos: Sequence[Video], count: int, seed: int = FOLD_SEED) -> list[tuple[list[Video], list[Video]]]:
    """(train, held-out) pairs: the videos shuffled with a fixed seed and dealt into `count` folds."""
    if count < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    order = list(range(len(videos)))
    random.Random(seed).shuffle(order)
    parts = [[videos[i] for i in order[f::count]] for f in range(count)]
    return [([video for g, part in enumerate(parts) if g != f for video in part], parts[f]) for f in range(count)]


def cross_validate(
    videos: Sequence[Video],
    count: int = 5,
    modes: Sequence[str] = MODE_NAMES,
    ks: Sequence[int] = DEFAULT_KS,
    weights: Weights = DEFAULT_WEIGHTS,
    seed: int = FOLD_SEED,
    *,
    expand: bool = False,
    workers: int = 1,
) -> Report:
    """Cases and hits summed over `count` folds split by video.

    With `workers` > 1 the folds run in forked processes (they share nothing but the
    videos, which the fork inherits); the sums are the same either way.
    """
    global _FOLD_JOB
    splits = folds(videos, count, seed)
    job = (splits, tuple(modes), tuple(ks), weights, expand)
    total = Report(ks=tuple(ks), hits={mode: dict.fromkeys(ks, 0) for mode in modes})
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        _FOLD_JOB = job
        try:
            with multiprocessing.get_context("fork").Pool(min(workers, count)) as pool:
                reports = pool.map(_run_fold, range(count))
        finally:
            _FOLD_JOB = None
    else:
        _FOLD_JOB = job
        try:
            reports = [_run_fold(f) for f in range(count)]
        finally:
            _FOLD_JOB = None
    for report in reports:
        total.add(report)
    return total


_FOLD_JOB: tuple | None = None


def _run_fold(fold: int) -> Report:
    splits, modes, ks, weights, expand = _FOLD_JOB  # type: ignore[misc]
    train, holdout = splits[fold]
    return evaluate(train, holdout, modes, ks, weights, expand=expand)
