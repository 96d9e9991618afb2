"""The lean SQL ranking the benchmarks measure the store against.

Popular (core.modes.rank) inside SQLite the lean way: no explanations and no other
modes' totals. The app never runs it (the engine uses Store.rank_modes); bench/rank.py
and bench/modes.py time it as the baseline, and tests/unit/test_store.py checks that
it answers exactly as core does, so the baseline is a fair one.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tiktune_tui.core.models import Stats
from tiktune_tui.core.results import SongRank
from tiktune_tui.core.weights import DEFAULT_WEIGHTS, Weights
from tiktune_tui.library.store import Store
from tiktune_tui.library.store.rows import song_from


def rank_songs(
    store: Store,
    tags: Sequence[str],
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    require_all: bool = False,
    limit: int | None = None,
) -> list[SongRank]:
    if not tags:
        return []
    # A song's matched tags are the OR of its videos' masks; SQLite has no bit_or
    # aggregate, so OR bit by bit with max(): one pass over the videos instead of two.
    bits = [f"max((p.mask >> {i}) & 1)" for i in range(len(tags))]
    song_mask = " + ".join(f"{bit} * {1 << i}" for i, bit in enumerate(bits))
    matched = " + ".join(bits)
    known = store._tags(tags)
    matching, params = store.ranking_sql.matching_videos([known[tag][0] if tag in known else None for tag in tags])
    with store._read() as db:
        rows = db.execute(
            f"""
            {matching},
            per_song AS (
                SELECT v.song_id,
                       sum(v.play_count) AS play, sum(v.digg_count) AS digg,
                       sum(v.comment_count) AS comment, sum(v.share_count) AS share,
                       count(*) AS uses, {song_mask} AS mask, {matched} AS matched
                FROM per_video p JOIN videos v ON v.id = p.video_id GROUP BY v.song_id
            )
            SELECT s.music_id, s.title, s.author, s.duration_s, s.play_url, s.cover_url,
                   s.original, p.play, p.digg, p.comment, p.share, p.uses, p.mask, p.matched,
                   {weights.sql("p.")} AS score
            FROM per_song p JOIN songs s ON s.id = p.song_id
            WHERE p.matched >= ?
            ORDER BY score DESC, p.matched DESC, s.music_id
            LIMIT ?
            """,
            [*params, len(tags) if require_all else 1, store.ranking_sql.limit(limit)],
        ).fetchall()
    return [
        SongRank(
            rank=position,
            song=song_from(row[0:7]),
            score=row[14],
            stats=Stats(row[7], row[8], row[9], row[10]),
            videos=row[11],
            matched_tags=tuple(tag for i, tag in enumerate(tags) if row[12] >> i & 1),
        )
        for position, row in enumerate(rows, start=1)
    ]
