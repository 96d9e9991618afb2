"""How fast a 3-tag recommendation is on a 1,000,000-video store.

Prints, for a "typical" query (tags of zipf rank 10, 100, 1000) and a "head"
query (the three most used tags), the SQL ranking in the store and the
in-memory ranking, each next to a bare scan of the same rows measured in the
same run, as a ratio. Also `tiktune --version` cold start against `python -c pass`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baseline_sql import rank_songs  # noqa: E402
from synthetic import ROOT, synthetic_store_path, tag_name  # noqa: E402

from tiktune_tui.core.models import Song, Stats, Video  # noqa: E402
from tiktune_tui.core.modes import rank  # noqa: E402
from tiktune_tui.library.store import Store  # noqa: E402

QUERIES = {"typical": [tag_name(r) for r in (10, 100, 1000)], "head": [tag_name(r) for r in (1, 2, 3)]}


def best_of(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def sql_bare_scan(store: Store, tags: list[str]) -> int:
    marks = ",".join("?" * len(tags))
    with store._read() as db:  # the same rows the ranking reads, without the aggregation
        return db.execute(
            f"SELECT count(*), sum(v.play_count) FROM (SELECT DISTINCT vh.video_id FROM video_hashtags vh"
            f" JOIN hashtags h ON h.id = vh.hashtag_id WHERE h.name IN ({marks})) m"
            f" JOIN videos v ON v.id = m.video_id",
            tags,
        ).fetchone()[0]


def load_memory(store: Store) -> dict[str, list[Video]]:
    """Every video in memory with a tag index, as the catalog source holds them."""
    with store._read() as db:
        songs = {
            row[0]: Song(id=row[1], title=row[2], author=row[3])
            for row in db.execute("SELECT id, music_id, title, author FROM songs")
        }
        tags_of: dict[int, list[str]] = {}
        names = dict(db.execute("SELECT id, name FROM hashtags"))
        for tag_id, video_id in db.execute("SELECT hashtag_id, video_id FROM video_hashtags"):
            tags_of.setdefault(video_id, []).append(names[tag_id])
        by_tag: dict[str, list[Video]] = {}
        for row in db.execute(
            "SELECT id, video_id, song_id, play_count, digg_count, comment_count, share_count FROM videos"
        ):
            video = Video(
                id=row[1],
                song=songs[row[2]],
                hashtags=tuple(tags_of.get(row[0], ())),
                stats=Stats(row[3], row[4], row[5], row[6]),
            )
            for tag in video.hashtags:
                by_tag.setdefault(tag, []).append(video)
    return by_tag


def matching(by_tag: dict[str, list[Video]], tags: list[str]) -> list[Video]:
    seen: dict[str, Video] = {}
    for tag in tags:
        for video in by_tag.get(tag, ()):
            seen.setdefault(video.id, video)
    return list(seen.values())


def cold_start(command: list[str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    path = synthetic_store_path()
    store = Store(path)
    print(f"store: {store.counts()}")
    for name, tags in QUERIES.items():
        rows = sql_bare_scan(store, tags)
        ranked = best_of(lambda: rank_songs(store, tags, limit=50))
        bare = best_of(lambda: sql_bare_scan(store, tags))
        print(
            f"store  {name:8} {tags}: {rows:,} videos  rank {ranked * 1000:7.1f} ms  "
            f"bare scan {bare * 1000:7.1f} ms  ratio {ranked / bare:.2f}x"
        )
    started = time.perf_counter()
    by_tag = load_memory(store)
    print(f"memory: loaded in {time.perf_counter() - started:.1f} s")
    for name, tags in QUERIES.items():
        ranked = best_of(lambda: rank(matching(by_tag, tags), tags, limit=50), runs=3)
        bare = best_of(lambda: sum(v.stats.play for v in matching(by_tag, tags)), runs=3)
        print(
            f"memory {name:8} {tags}: rank {ranked * 1000:7.1f} ms  bare scan {bare * 1000:7.1f} ms  "
            f"ratio {ranked / bare:.2f}x"
        )
    tiktune = str(ROOT / ".venv" / "bin" / "tiktune")
    ours = cold_start([tiktune, "--version"])
    python = cold_start([sys.executable, "-c", "pass"])
    print(f"tiktune --version {ours * 1000:.0f} ms, python -c pass {python * 1000:.0f} ms, ratio {ours / python:.1f}x")


if __name__ == "__main__":
    main()
