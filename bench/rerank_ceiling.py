"""How far can any re-ranking of fit's candidates go? A learned ranker as an upper estimate.

fit's HR@10 on 5-fold cross-validation stopped at about 2.1x popular's. This asks whether a
better formula over the same evidence could reach the issue's 2.5x: a gradient-boosted
ranker (LightGBM lambdarank) re-orders the top 150 songs of fit for every case, from 20
features of the query, the song and their shared tags (fit's own score and its parts,
P(tag|song), P(song|tag), the best single matching video, a naive-Bayes likelihood, the
cosine of the song's tag profile with the query...). The model for a fold's cases is
trained on the other folds' cases, so its figure is, if anything, optimistic.

It also prints how many cases are reachable at all (a training video of the real song
shares a hashtag with the case): the ceiling of any mode that ranks matching videos.

Needs numpy and lightgbm, which tiktune itself does not: `.venv/bin/pip install numpy
lightgbm`, then `.venv/bin/python bench/rerank_ceiling.py` (about 3 minutes on 2 cores).
"""

from __future__ import annotations

import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

try:
    import lightgbm
    import numpy
except ImportError:  # not tiktune's dependencies: `make bench` skips this one without them
    print("skipped: bench/rerank_ceiling.py needs numpy and lightgbm (.venv/bin/pip install numpy lightgbm)")
    sys.exit(0)

from tiktune_tui.core.evaluation import TrainingIndex, folds, is_case  # noqa: E402
from tiktune_tui.core.modes import fit_score, popular_score, tally  # noqa: E402
from tiktune_tui.core.weights import DEFAULT_WEIGHTS  # noqa: E402
from tiktune_tui.library.catalog import load_catalog  # noqa: E402

TOP = 150
FEATURES = 20
FOLDS = 5
KS = (1, 10, 50)


class FoldData:
    """One fold's training index plus the per-song tag profiles the features need."""

    def __init__(self, train) -> None:
        self.index = TrainingIndex(train)
        self.corpus = self.index.corpus
        self.profile: dict[str, Counter] = defaultdict(Counter)
        for video in train:
            self.profile[video.song.id].update(set(video.hashtags))
        self.norm = {song: math.sqrt(sum(c * c for c in tags.values())) for song, tags in self.profile.items()}

    def idf(self, tag: str) -> float:
        return math.log((self.corpus.total + 1) / self.corpus.tag_videos[tag])


def features(data: FoldData, tags: tuple[str, ...]) -> dict[str, list[float]]:
    query = list(dict.fromkeys(tags))
    wanted = set(query)
    known = [t for t in query if t in data.corpus.tag_videos]
    candidates = data.index.videos_with_any(query)
    tallies = tally(candidates, query, DEFAULT_WEIGHTS, data.corpus)
    best_video: dict[str, tuple[float, float]] = {}
    for video in candidates:
        shared = wanted.intersection(video.hashtags)
        weight = sum(data.idf(t) for t in shared)
        jaccard = len(shared) / len(wanted | set(video.hashtags))
        old = best_video.get(video.song.id, (0.0, 0.0))
        best_video[video.song.id] = (max(old[0], weight), max(old[1], jaccard))
    query_idf = sum(data.idf(t) for t in known) or 1.0
    rows = {}
    for song, entry in tallies.items():
        counts = entry.tag_counts
        uses = data.corpus.song_videos[song]
        idfs = [data.idf(t) for t in counts]
        p_tag = [counts[t] / uses for t in counts]
        p_song = [counts[t] / data.corpus.tag_videos[t] for t in counts]
        profile = data.profile[song]
        naive_bayes = sum(
            math.log((profile.get(t, 0) + 0.5 * data.corpus.tag_videos[t] / data.corpus.total) / (uses + 0.5))
            for t in known
        )
        cosine = sum(profile[t] for t in counts) / data.norm[song] / math.sqrt(len(wanted))
        rows[song] = [
            fit_score(entry, data.corpus, DEFAULT_WEIGHTS),
            sum(i * i for i in idfs),
            sum(idfs),
            len(counts),
            len(counts) / len(wanted),
            sum(idfs) / query_idf,
            math.log(uses),
            math.log10(1 + popular_score(entry, DEFAULT_WEIGHTS)),
            max(idfs),
            sum(p_tag),
            max(p_tag),
            sum(p_song),
            max(p_song),
            *best_video[song],
            naive_bayes,
            cosine,
            len(wanted),
            len(tallies),
            entry.videos / uses,
        ]
    return rows


def hit_rates(cases, scores) -> dict[int, float]:
    hits = dict.fromkeys(KS, 0)
    for (_, _, truth), values in zip(cases, scores):
        if truth is None:
            continue
        position = 1 + int((values > values[truth]).sum())
        for k in KS:
            hits[k] += position <= k
    return {k: hits[k] / len(cases) for k in KS}


def main() -> None:
    videos = load_catalog().videos
    cases = []  # (fold, features of fit's top songs, index of the real song there or None)
    reachable = 0
    for fold, (train, holdout) in enumerate(folds(videos, FOLDS)):
        data = FoldData(train)
        for video in holdout:
            if not is_case(video, data.index):
                continue
            rows = features(data, video.hashtags)
            reachable += video.song.id in rows
            top = sorted(rows, key=lambda song: (-rows[song][0], song))[:TOP]
            matrix = numpy.array([rows[s] for s in top], dtype=float).reshape(len(top), FEATURES)
            cases.append((fold, matrix, top.index(video.song.id) if video.song.id in top else None))
        print(f"fold {fold + 1}/{FOLDS}: features built", flush=True)
    fit_only = [matrix[:, 0] if len(matrix) else numpy.zeros(0) for _, matrix, _ in cases]
    learned: list = [None] * len(cases)
    for fold in range(FOLDS):
        train = [c for c in cases if c[0] != fold and len(c[1])]
        labels = [numpy.eye(len(m))[t] if t is not None else numpy.zeros(len(m)) for _, m, t in train]
        model = lightgbm.LGBMRanker(n_estimators=300, learning_rate=0.05, num_leaves=15, verbose=-1)
        model.fit(
            numpy.vstack([m for _, m, _ in train]), numpy.concatenate(labels), group=[len(m) for _, m, _ in train]
        )
        for i, (f, matrix, _) in enumerate(cases):
            if f == fold:
                learned[i] = model.predict(matrix) if len(matrix) else numpy.zeros(0)
    print(f"{len(cases):,} cases, {reachable:,} reachable ({reachable / len(cases):.1%})")
    for name, scores in (("fit", fit_only), ("learned re-ranker", learned)):
        rates = hit_rates(cases, scores)
        print(f"{name:>17}: " + "  ".join(f"HR@{k} {rates[k]:.3f}" for k in KS))


if __name__ == "__main__":
    main()
