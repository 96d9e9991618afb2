"""The team store against the personal one: PostgreSQL / SQLite on the synthetic store, and
PostgreSQL's ingest throughput with 1 and 4 concurrent writers.

Needs a server: $TIKTUNE_BENCH_PG_URL (a database this may fill and empty), or, when unset, a
throwaway one that scripts/postgres.sh starts and removes. The synthetic store is loaded into
PostgreSQL with COPY (counters recomputed as migration 2 does), not through the app's writes,
which are what the ingest half measures.

$TIKTUNE_BENCH_PG_VIDEOS sets the store's size (default 1,000,000, bench/synthetic.py's; a
smaller one loads faster on a busy 2-core machine and is said in the output).
`bench/postgres.py ingest` runs only the ingest half (on the loaded store: index size matters to
an insert). It times each writer's writing alone, after all have started and connected, as
videos / (last end - first start), in ROUNDS rounds of 1 writer then 4 side by side
($TIKTUNE_BENCH_PG_BATCHES fetches of 30 videos per writer); the time from spawning the writers
to their exit (start-ups included, the measure of the first version) is printed beside it.
Each query runs on both engines in turn (medians of QUERY_RUNS, after a warm-up; the best of
each is printed beside). Targets (issue 16): typical queries within 1.5x of SQLite's; 4 writers
at least 1.5x one's.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rank import QUERIES  # noqa: E402
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
        db.execute("UPDATE totals SET videos = 0, newest_fetch = NULL")  # its rows are summed: all in one
        db.execute(
            "UPDATE totals SET videos = (SELECT count(*) FROM videos), newest_fetch = (SELECT max(fetched_at) FROM videos)"
            " WHERE id = 1"
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


# A writer connects (Python, imports, the schema check), says it is ready and waits for the
# word to start, so that only the writing is timed; then it prints when it started and ended
# (time.monotonic: the same clock in every process). Each fetch is 30 videos (one TikTok page)
# at 20-video steps between writers: a third of each overlaps the next writer's fetch, as
# watchers of neighbouring niches do. Every video carries the niche's hot tag.
WRITER = """
import sys, time
from datetime import datetime, timedelta, timezone
from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.library.store import open_store

url, writer, batches, first, step = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
when = datetime.now(timezone.utc) + timedelta(seconds=writer)
with open_store(url) as store:
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.monotonic()
    for b in range(batches):
        base = first + b * 4 * step + writer * step
        store.save_videos([Video(str(base + i), Song(str(8_000_000 + (base + i) % 5000)),
                                 (f"bench{(base + i) % 40}", "benchfyp"), Stats(i, 1, 1, 1)) for i in range(30)],
                          fetched_at=when, source="tiktok")
    print(started, time.monotonic(), flush=True)
"""
BATCHES = int(os.environ.get("TIKTUNE_BENCH_PG_BATCHES", 150))
# Each typical query this many times on each engine, the two taking turns: a busy moment of a
# shared machine then lands on both, and the ratio of the medians is what is reported.
QUERY_RUNS = 9


def side_by_side(first, second, runs: int) -> tuple[list[float], list[float]]:
    """The times of `first()` and `second()`, `runs` each, called in turn (after one warm-up each)."""
    first(), second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for fn, spent in zip((first, second), times):
            started = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - started)
    return times


ROUNDS = 3


@dataclass(frozen=True)
class Ingest:
    videos: int
    spawn_to_exit_s: float  # the whole run, start-ups included (the first bench's measure)
    writing_s: float  # the first writer's start to the last one's end, after all connected

    def per_second(self, whole: bool = False) -> float:
        return self.videos / (self.spawn_to_exit_s if whole else self.writing_s)


def ingest(url: str, writers: int, batches: int, first: int, step: int = 20) -> Ingest:
    """`writers` processes storing `batches` fetches each at once, from video id `first` on, each
    fetch `step` videos after the previous writer's (20: a third of each overlaps; 30: none)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    spawned = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, str(w), str(batches), str(first), str(step)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(writers)
    ]
    assert all(p.stdout.readline().strip() == "ready" for p in procs)
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    spans = [tuple(map(float, p.stdout.readline().split())) for p in procs]
    assert all(p.wait() == 0 for p in procs)
    spawn_to_exit = time.perf_counter() - spawned
    writing = max(end for _, end in spans) - min(start for start, _ in spans)
    return Ingest(writers * batches * 30, spawn_to_exit, writing)


def ingest_rounds(url: str, batches: int = BATCHES, rounds: int = ROUNDS) -> float:
    """1 writer then 4, `rounds` times, each on videos of its own; prints each round and the
    median ratio with its spread; returns the median ratio of the write intervals."""
    ratios, whole_ratios = [], []
    for r in range(rounds):
        first = 10_000_000 + r * 2 * batches * 100
        one = ingest(url, 1, batches, first)
        four = ingest(url, 4, batches, first + batches * 100)
        ratios.append(four.per_second() / one.per_second())
        whole_ratios.append(four.per_second(True) / one.per_second(True))
        print(
            f"ingest round {r + 1}: 1 writer {one.per_second():,.0f} videos/s, 4 writers {four.per_second():,.0f}"
            f" ({ratios[-1]:.2f}x); spawn to exit: {one.per_second(True):,.0f}, {four.per_second(True):,.0f}"
            f" ({whole_ratios[-1]:.2f}x)",
            flush=True,
        )
    print(
        f"ingest: 4 writers / 1 over {rounds} rounds of {batches} fetches each: median {statistics.median(ratios):.2f}x"
        f" ({min(ratios):.2f}-{max(ratios):.2f}); spawn to exit median {statistics.median(whole_ratios):.2f}x"
        f" ({min(whole_ratios):.2f}-{max(whole_ratios):.2f})",
        flush=True,
    )
    return statistics.median(ratios)


def run(url: str, videos: int, part: str = "all") -> None:
    sqlite_path = build(CACHE / f"synthetic-{videos}-{SONGS}-{TAGS}.sqlite3", videos=videos)
    started = time.perf_counter()
    load(sqlite_path, url)
    print(f"loaded {videos:,} videos into PostgreSQL in {time.perf_counter() - started:.0f} s", flush=True)
    if part == "ingest":
        writers = ingest_rounds(url)
        print(
            f"summary: {videos:,} videos; 4 writers {writers:.2f}x one"
            f" (target {WRITERS_TARGET}x: {'met' if writers >= WRITERS_TARGET else 'MISSED'})"
        )
        return
    sqlite_store, pg_store = Store(sqlite_path), open_store(url)
    worst_typical = 0.0
    for name, tags in QUERIES.items():
        for mode in MODE_NAMES:
            lite, pg = side_by_side(
                lambda: sqlite_store.rank_modes(tags, mode, limit=50),
                lambda: pg_store.rank_modes(tags, mode, limit=50),
                runs=QUERY_RUNS if name == "typical" else 3,
            )
            ratio = statistics.median(pg) / statistics.median(lite)
            if name == "typical":
                worst_typical = max(worst_typical, ratio)
            print(
                f"{name:8} {mode:9} SQLite {statistics.median(lite) * 1000:8.1f} ms  PostgreSQL"
                f" {statistics.median(pg) * 1000:8.1f} ms  ratio {ratio:.2f}x (medians of {len(lite)};"
                f" best {min(pg) / min(lite):.2f}x)",
                flush=True,
            )
    writers = ingest_rounds(url)
    print(
        f"summary: {videos:,} videos; worst typical query PostgreSQL/SQLite {worst_typical:.2f}x "
        f"(target {QUERY_TARGET}x: {'met' if worst_typical <= QUERY_TARGET else 'MISSED'}); 4 writers {writers:.2f}x "
        f"one (target {WRITERS_TARGET}x: {'met' if writers >= WRITERS_TARGET else 'MISSED'})"
    )


def main() -> None:
    part = sys.argv[1] if len(sys.argv) > 1 else "all"
    if part not in ("all", "ingest"):
        sys.exit("usage: bench/postgres.py [ingest]")
    videos = int(os.environ.get("TIKTUNE_BENCH_PG_VIDEOS", VIDEOS))
    url = os.environ.get("TIKTUNE_BENCH_PG_URL")
    if url:
        run(url, videos, part)
        return
    folder = tempfile.mkdtemp(prefix="tiktune-pg-bench.", dir="/tmp")
    os.rmdir(folder)
    script = str(ROOT / "scripts" / "postgres.sh")
    started = subprocess.run(["bash", script, "start", folder], capture_output=True, text=True)
    if started.returncode != 0:
        sys.exit(f"bench: no PostgreSQL server to measure ({started.stderr.strip()})")
    try:
        run(dict(line.split("=", 1) for line in started.stdout.split())["URL"], videos, part)
    finally:
        subprocess.run(["bash", script, "stop", folder])


if __name__ == "__main__":
    main()
