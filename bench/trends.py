"""Issue 14's figures: a watch round's store cost per 1,000 videos; the rising mode on the
1,000,000-video synthetic store with three snapshots per video, as a ratio to popular
(target within 2x); a song's trend query there (target under 50 ms).

The three-snapshot store is the synthetic one (bench/synthetic.py) copied once, with two
later snapshots per video (plays grown by a random factor) and the videos row moved to the
newest, as `tiktune watch` would leave it; cached in .bench/.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rank import QUERIES, best_of  # noqa: E402
from synthetic import CACHE, synthetic_store_path  # noqa: E402

from tiktune_tui.core.models import Song, Stats, Video  # noqa: E402
from tiktune_tui.library.store import Store  # noqa: E402

RATIO_TARGET = 2.0
TREND_TARGET_MS = 50.0
ROUND = 6 * 3600


def three_snapshot_store() -> Path:
    path = CACHE / "synthetic-3-snapshots.sqlite3"
    if path.exists():
        return path
    source = synthetic_store_path()
    Store(source).close()  # migrated to the current schema before the copy
    partial = path.with_suffix(".partial")
    shutil.copyfile(source, partial)
    started = time.perf_counter()
    print("adding two snapshots per video ...", file=sys.stderr)
    rng = random.Random(3)
    db = sqlite3.connect(partial)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    rows = db.execute(
        "SELECT id, fetched_at, play_count, digg_count, comment_count, share_count FROM videos"
    ).fetchall()
    for round_ in (1, 2):
        grown = []
        for vid, at, play, digg, comment, share in rows:
            factor = 1 + rng.random() * 0.2 * round_
            grown.append((vid, at + round_ * ROUND, int(play * factor), digg, comment, share))
        db.executemany("INSERT INTO stats_snapshots VALUES (?, ?, ?, ?, ?, ?)", grown)
    db.executemany("UPDATE videos SET fetched_at = ?, play_count = ? WHERE id = ?", ((g[1], g[2], g[0]) for g in grown))
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    partial.rename(path)
    print(f"done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def round_cost() -> float:
    """Seconds per 1,000 videos for a watch round's write: videos, snapshots, tag fetch records,
    one transaction, into a store that already holds the previous round."""
    base = datetime(2026, 1, 5, tzinfo=UTC)
    videos = [
        Video(str(i), Song(str(i % 300)), (f"t{i % 7}", "fyp"), Stats(play=i * 10, digg=i), create_time=base)
        for i in range(1000)
    ]
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "db.sqlite3") as store:
        store.save_videos(videos, fetched_at=base, tag_fetches={"fyp": 1000})
        times = []
        for n in range(1, 6):
            grown = [Video(v.id, v.song, v.hashtags, Stats(play=v.stats.play + n * 100)) for v in videos]
            started = time.perf_counter()
            store.save_videos(grown, fetched_at=base + n * timedelta(hours=6), tag_fetches={"fyp": 1000})
            times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    print(f"watch round store cost: {round_cost() * 1000:.1f} ms per 1,000 videos")
    store = Store(three_snapshot_store())
    worst = 0.0
    for name, tags in QUERIES.items():
        popular = best_of(lambda: store.rank_modes(tags, "popular", limit=50), runs=3)
        rising = best_of(lambda: store.rank_modes(tags, "rising", limit=50), runs=3)
        worst = max(worst, rising / popular)
        print(
            f"{name:8} {tags}: popular {popular * 1000:8.1f} ms, rising {rising * 1000:8.1f} ms,"
            f" ratio {rising / popular:.2f}x"
        )
    slowest = 0.0
    for name, tags in QUERIES.items():
        top = store.rank_modes(tags, "rising", limit=1)[0].song.id
        took = best_of(lambda: store.song_trend(top, tags), runs=5)
        slowest = max(slowest, took)
        print(f"trend of the top rising song for {name}: {took * 1000:.1f} ms")
    verdict = "meets" if worst <= RATIO_TARGET and slowest * 1000 < TREND_TARGET_MS else "misses"
    print(
        f"worst rising/popular {worst:.2f}x (target {RATIO_TARGET}x), slowest trend {slowest * 1000:.1f} ms "
        f"(target {TREND_TARGET_MS:.0f} ms): {verdict}"
    )


if __name__ == "__main__":
    main()
