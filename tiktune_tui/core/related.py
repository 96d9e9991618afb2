"""Related hashtags: tags that appear together on videos more often than chance.

Scored by normalised pointwise mutual information (NPMI, in [-1, 1]): 1 when two
tags always come together, 0 when independent. Unlike raw PMI it does not crown
every tag seen once beside the query; a minimum support (videos carrying both)
keeps one-off coincidences out. They are ordered by NPMI × ln(videos together):
NPMI alone puts a shop's or a creator's private tags first (18 of 18 videos, all
with #trending), where a user wants #viral (288 videos with #trending).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

MIN_SUPPORT = 3
DEFAULT_LIMIT = 10


def co_counts(tag: str, hashtags_of_videos: Iterable[Sequence[str]]) -> Counter[str]:
    """For the videos carrying `tag` (given as their hashtag lists): how many carry each other tag."""
    counts: Counter[str] = Counter()
    for hashtags in hashtags_of_videos:
        counts.update(other for other in set(hashtags) if other != tag)
    return counts


def npmi(together: int, carrying_a: int, carrying_b: int, total: int) -> float:
    """Normalised PMI of two tags from video counts; -1 when they never meet."""
    if together <= 0 or carrying_a <= 0 or carrying_b <= 0 or total <= 0:
        return -1.0
    if together >= total:
        return 1.0
    joint = together / total
    pmi = math.log(joint / ((carrying_a / total) * (carrying_b / total)))
    return max(-1.0, min(1.0, pmi / -math.log(joint)))


def related_tags(
    tag: str,
    together: Mapping[str, int],
    tag_videos: Mapping[str, int],
    total: int,
    *,
    limit: int | None = DEFAULT_LIMIT,
    min_support: int = MIN_SUPPORT,
    exclude: Iterable[str] = (),
) -> list[tuple[str, float]]:
    """Tags related to `tag`, best first (NPMI × ln(together)), as (tag, NPMI) with NPMI > 0.

    `together[t]` counts the videos carrying both `tag` and t; `tag_videos[t]` the
    videos carrying t; `total` the videos in the collection. Ties go to the tag
    seen with it more often, then by name, so the answer is stable.
    """
    carrying = tag_videos.get(tag, 0)
    skip = set(exclude) | {tag}
    scored = []
    for other, both in together.items():
        if both < min_support or other in skip:
            continue
        value = npmi(both, carrying, tag_videos.get(other, 0), total)
        if value > 0:
            scored.append((-value * math.log(both), -both, other, value))
    scored.sort()
    if limit is not None:
        scored = scored[:limit]
    return [(other, value) for _, _, other, value in scored]
