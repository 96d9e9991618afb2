"""How much of fit's cross-validated HR@10 comes from tuning its constants on that same CV?

Nested cross-validation: for each of the 5 outer folds, fit's constants (tag weight power,
saturation k1, song prior) are chosen on a 4-fold CV inside the outer training split only,
then measured on the outer held-out fold. Prints the constants each fold chose, the nested
HR@10 and, on the same cases, the HR@10 of the shipped constants (which must equal
`tiktune eval --folds 5`'s fit figure: a check that the fast scorer here is fit's formula).

The tallies do not depend on the constants, so each case's candidates are counted once and
every grid point re-scores them. About 7 minutes on 2 cores.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tiktune_tui.core import modes  # noqa: E402
from tiktune_tui.core.evaluation import FOLD_SEED, folds  # noqa: E402
from tiktune_tui.core.weights import DEFAULT_WEIGHTS  # noqa: E402
from tiktune_tui.library.catalog import load_catalog  # noqa: E402

GRID = list(itertools.product((1.0, 1.5, 2.0, 2.5), (0.5, 1.5, 3.0), (0.0, 2.0, 5.0, 8.0)))
SHIPPED = (modes.TAG_WEIGHT_POWER, modes.TAG_SATURATION, modes.SONG_PRIOR)
INNER_FOLDS = 4
INNER_SEED = 7
K = 10

# A case: per candidate song, (is the real song, [(idf, videos) per shared tag], ln uses, damped popularity).
Case = list[tuple[bool, list[tuple[float, int]], float, float]]


def cases_of(train, holdout) -> list[Case]:
    by_tag = defaultdict(list)
    uses = Counter()
    for video in train:
        uses[video.song.id] += 1
        for tag in video.hashtags:
            by_tag[tag].append(video)
    total = len(train)
    cases = []
    for video in holdout:
        if not video.hashtags or video.song.id not in uses:
            continue
        wanted = set(video.hashtags)
        counts: dict[str, Counter] = defaultdict(Counter)
        popular: Counter = Counter()
        for match in {m.id: m for tag in wanted for m in by_tag.get(tag, ())}.values():
            popular[match.song.id] += DEFAULT_WEIGHTS.score(match.stats)
            counts[match.song.id].update(wanted.intersection(match.hashtags))
        cases.append(
            [
                (
                    song == video.song.id,
                    [(math.log((total + 1) / len(by_tag[tag])), n) for tag, n in shared.items()],
                    math.log(uses[song]),
                    modes.POPULARITY_DAMPING * math.log10(1 + popular[song]),
                )
                for song, shared in counts.items()
            ]
        )
    return cases


def hits(cases: list[Case], power: float, k1: float, prior: float) -> int:
    found = 0
    for case in cases:
        scores, truth = [], None
        for is_truth, shared, ln_uses, popularity in case:
            score = sum(w**power * n * (k1 + 1) / (n + k1) for w, n in shared) + prior * ln_uses + popularity
            scores.append(score)
            if is_truth:
                truth = score
        if truth is not None and sum(1 for s in scores if s > truth) < K:
            found += 1
    return found


def outer_fold(split) -> tuple[tuple[float, float, float], int, int, int]:
    train, holdout = split
    inner = [cases_of(a, b) for a, b in folds(train, INNER_FOLDS, INNER_SEED)]
    chosen = max(GRID, key=lambda point: sum(hits(c, *point) for c in inner))
    outer = cases_of(train, holdout)
    return chosen, hits(outer, *chosen), hits(outer, *SHIPPED), len(outer)


def main() -> None:
    videos = load_catalog().videos
    splits = folds(videos, 5, FOLD_SEED)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        results = pool.map(outer_fold, splits, chunksize=1)
    for number, (chosen, nested, shipped, cases) in enumerate(results, start=1):
        print(
            f"fold {number}: chose power {chosen[0]}, k1 {chosen[1]}, prior {chosen[2]}: "
            f"HR@{K} {nested / cases:.3f} (shipped constants {shipped / cases:.3f})"
        )
    cases = sum(r[3] for r in results)
    print(
        f"nested HR@{K} {sum(r[1] for r in results) / cases:.3f}, shipped constants "
        f"{sum(r[2] for r in results) / cases:.3f}, over {cases:,} cases"
    )


if __name__ == "__main__":
    main()
