"""A synthetic tiktune store of realistic shape, shared by the benchmarks.

1,000,000 videos, 100,000 songs, 50,000 hashtags. Tag and song popularity are
zipf-like, as on TikTok: a few tags (fyp) are everywhere, most are rare. Built
once with bulk inserts straight into the real schema and cached in .bench/.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tiktune_tui.library.store import Store  # noqa: E402

VIDEOS = 1_000_000
SONGS = 100_000
TAGS = 50_000
CACHE = ROOT / ".bench"


def zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank**s) for rank in range(1, n + 1)))


def tag_name(rank: int) -> str:
    return f"tag{rank}"


def build(path: Path, videos: int = VIDEOS, songs: int = SONGS, tags: int = TAGS, seed: int = 1) -> Path:
    if path.exists():
        return path
    started = time.perf_counter()
    print(f"building {path.name}: {videos:,} videos, {songs:,} songs, {tags:,} tags ...", file=sys.stderr)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    Store(partial).close()
    rng = random.Random(seed)
    db = sqlite3.connect(partial)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    now = 1_750_000_000
    db.executemany(
        "INSERT INTO songs (id, music_id, title, author, updated_at) VALUES (?, ?, ?, ?, ?)",
        ((i, str(7_000_000_000_000_000_000 + i), f"song {i}", f"artist {i % 5000}", now) for i in range(1, songs + 1)),
    )
    db.executemany("INSERT INTO hashtags (id, name) VALUES (?, ?)", ((i, tag_name(i)) for i in range(1, tags + 1)))
    song_cum = zipf_weights(songs, 0.9)
    tag_cum = zipf_weights(tags, 1.0)
    song_ids = range(1, songs + 1)
    tag_ids = range(1, tags + 1)
    chunk = 100_000
    for start in range(1, videos + 1, chunk):
        ids = range(start, min(start + chunk, videos + 1))
        chosen_songs = rng.choices(song_ids, cum_weights=song_cum, k=len(ids))
        rows = []
        links = []
        for vid, song in zip(ids, chosen_songs):
            plays = int(rng.paretovariate(1.2) * 1000)
            rows.append(
                (
                    vid,
                    str(7_400_000_000_000_000_000 + vid),
                    song,
                    now - rng.randrange(0, 86400 * 365),
                    plays,
                    plays // rng.randint(5, 50),
                    plays // rng.randint(50, 500),
                    plays // rng.randint(50, 1000),
                    now,
                )
            )
            for tag in set(rng.choices(tag_ids, cum_weights=tag_cum, k=rng.randint(1, 5))):
                links.append((tag, vid))
        db.executemany(
            "INSERT INTO videos (id, video_id, song_id, create_time, play_count, digg_count, comment_count,"
            " share_count, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.executemany(
            "INSERT INTO stats_snapshots (video_id, fetched_at, play_count, digg_count, comment_count, share_count)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            ((r[0], now, r[4], r[5], r[6], r[7]) for r in rows),
        )
        db.executemany("INSERT OR IGNORE INTO video_hashtags (hashtag_id, video_id) VALUES (?, ?)", links)
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    partial.rename(path)
    print(f"built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def synthetic_store_path() -> Path:
    return build(CACHE / f"synthetic-{VIDEOS}-{SONGS}-{TAGS}.sqlite3")
