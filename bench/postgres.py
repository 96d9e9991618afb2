"""The team store against the personal one: PostgreSQL / SQLite on the synthetic store, and
PostgreSQL's ingest throughput with 1 and 4 concurrent writers.

Needs a server: $TIKTUNE_BENCH_PG_URL (a database this may fill and empty), or, when unset, a
throwaway one that scripts/postgres.sh starts and removes. The synthetic store is loaded into
PostgreSQL with COPY (counters recomputed as migration 2 does), not through the app's writes,
which are what the ingest half measures.

$TIKTUNE_BENCH_PG_VIDEOS sets the store's size (default 1,000,000, bench/synthetic.py's; a
smaller one loads faster on a busy 2-core machine and is said in the output).
Targets (issue 16): typical queries within 1.5x of SQLite's; 4 writers at least 1.5x one's.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rank import QUERIES, best_of  # noqa: E402
from synthetic import CACHE, SONGS, TAGS, VIDEOS, build  # noqa: E402

from tiktune_tui.core.modes import MODE_NAMES  # noqa: E402
from tiktune_tui.library.store import Store, open_store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUERY_TARGET = 1.5
WRITERS_TARGET = 1.5
COLUMNS = {
    "songs": "id, music_id, title, author, duration_s, play_url, cover_url, original, updated_at",
    "hashtags": "id, name",
    "videos": "id, video_id, song_id, author, description, create_time, play_count, digg_count, comment_count,"
    " share_count, fetched_at, source",
    "video_hashtags": "hashtag_id, video_id, position",
    "stats_snapshots": "video_id, fetched_at, play_count, digg_count, comment_count, share_count",
}


def load(sqlite_path: Path, url: str) -> None:
    import psycopg

    open_store(url).close()  # the schema
    source = sqlite3.connect(sqlite_path)
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("SET session_replication_role = replica")  # no triggers: the counts are set below
        for table, columns in COLUMNS.items():
            with db.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {columns} FROM {table}"):
                    copy.write_row(row)
        for table in ("songs", "hashtags", "videos"):
            db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        db.execute(
            "UPDATE totals SET videos = (SELECT count(*) FROM videos), newest_fetch = (SELECT max(fetched_at) FROM videos)"
        )
        db.execute(
            "UPDATE hashtags SET videos = c.n FROM (SELECT hashtag_id, count(*) AS n FROM video_hashtags"
            " GROUP BY hashtag_id) c WHERE c.hashtag_id = hashtags.id"
        )
        db.execute(
            "UPDATE songs SET videos = c.n FROM (SELECT song_id, count(*) AS n FROM videos GROUP BY song_id) c"
            " WHERE c.song_id = songs.id"
        )
        db.execute("VACUUM ANALYZE")


WRITER = """
import sys, time
from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.library.store import open_store

url, writer, batches = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open_store(url) as store:
    for b in range(batches):  # a fetch of 30 videos (one TikTok page), overlapping the other writers' by a third
        base = 10_000_000 + (writer * 20 + b * 80) * 30
        store.save_videos([Video(str(base + i), Song(str(8_000_000 + (base + i) % 5000)),
                                 (f"bench{i % 40}", "benchfyp"), Stats(i, 1, 1, 1)) for i in range(30)],
                          source="tiktok")
"""


def ingest(url: str, writers: int, batches: int) -> float:
    """Videos stored per second by `writers` processes at once."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, url, str(w), str(batches)], env=env) for w in range(writers)
    ]
    assert all(p.wait() == 0 for p in procs)
    return writers * batches * 30 / (time.perf_counter() - started)


def run(url: str, videos: int) -> None:
    sqlite_path = build(CACHE / f"synthetic-{videos}-{SONGS}-{TAGS}.sqlite3", videos=videos)
    started = time.perf_counter()
    load(sqlite_path, url)
    print(f"loaded {videos:,} videos into PostgreSQL in {time.perf_counter() - started:.0f} s", flush=True)
    sqlite_store, pg_store = Store(sqlite_path), open_store(url)
    worst_typical = 0.0
    for name, tags in QUERIES.items():
        for mode in MODE_NAMES:
            lite = best_of(lambda: sqlite_store.rank_modes(tags, mode, limit=50), runs=3)
            pg = best_of(lambda: pg_store.rank_modes(tags, mode, limit=50), runs=3)
            if name == "typical":
                worst_typical = max(worst_typical, pg / lite)
            print(
                f"{name:8} {mode:9} SQLite {lite * 1000:8.1f} ms  PostgreSQL {pg * 1000:8.1f} ms  "
                f"ratio {pg / lite:.2f}x",
                flush=True,
            )
    one = ingest(url, 1, 40)
    four = ingest(url, 4, 40)
    print(f"ingest: 1 writer {one:,.0f} videos/s, 4 writers {four:,.0f} videos/s ({four / one:.2f}x)")
    print(
        f"summary: {videos:,} videos; worst typical query PostgreSQL/SQLite {worst_typical:.2f}x "
        f"(target {QUERY_TARGET}x: {'met' if worst_typical <= QUERY_TARGET else 'MISSED'}); 4 writers {four / one:.2f}x "
        f"one (target {WRITERS_TARGET}x: {'met' if four / one >= WRITERS_TARGET else 'MISSED'})"
    )


def main() -> None:
    videos = int(os.environ.get("TIKTUNE_BENCH_PG_VIDEOS", VIDEOS))
    url = os.environ.get("TIKTUNE_BENCH_PG_URL")
    if url:
        run(url, videos)
        return
    folder = tempfile.mkdtemp(prefix="tiktune-pg-bench.", dir="/tmp")
    os.rmdir(folder)
    script = str(ROOT / "scripts" / "postgres.sh")
    started = subprocess.run(["bash", script, "start", folder], capture_output=True, text=True)
    if started.returncode != 0:
        sys.exit(f"bench: no PostgreSQL server to measure ({started.stderr.strip()})")
    try:
        run(dict(line.split("=", 1) for line in started.stdout.split())["URL"], videos)
    finally:
        subprocess.run(["bash", script, "stop", folder])


if __name__ == "__main__":
    main()
