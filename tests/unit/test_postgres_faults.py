"""The team store under concurrency and faults, on the real server: writers racing on the same
videos, a client killed inside a transaction, and a server restart between two queries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.postgres import fresh_database, server_url
from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.library.store import open_store

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from tiktune_tui.core.models import Song, Stats, Video
    from tiktune_tui.library.store import open_store

    url, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open_store(url) as store:
        for round_ in range(4):  # four fetches, each overlapping the other writers' videos
            videos = [
                Video(str(1000 + i), Song(str(7000 + i % 13), title=f"song {i % 13}"),
                      (f"tag{i % 7}", f"tag{i % 5}", "shared"), Stats(i + round_, i, 1, 0))
                for i in range(first + round_ * 5, first + round_ * 5 + count)
            ]
            when = datetime(2025, 6, 1, tzinfo=timezone.utc) + timedelta(hours=round_)
            store.save_videos(videos, fetched_at=when, source="tiktok", region="US")
    """
)


def python(*args: str, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, *args], env=env, cwd=ROOT, **kwargs)


def test_four_processes_ingesting_overlapping_fetches_end_with_exactly_the_union():
    from tests.unit.test_store_modes import assert_counts_current

    with fresh_database() as url:
        open_store(url).close()  # the schema first: the race under test is the writers'
        starts = (0, 40, 80, 120)
        writers = [python("-c", WRITER, url, str(first), "80") for first in starts]
        assert [writer.wait(timeout=240) for writer in writers] == [0, 0, 0, 0]
        union = {1000 + i for first in starts for r in range(4) for i in range(first + r * 5, first + r * 5 + 80)}
        with open_store(url) as store:
            counts = store.counts()
            assert counts["videos"] == len(union)
            assert counts["songs"] == 13
            assert store.totals()[0] == len(union)
            assert_counts_current(store)
            with store._read() as db:
                assert db.execute("SELECT count(*) FROM video_regions").fetchone()[0] == len(union)
                assert {int(v) for (v,) in db.execute("SELECT video_id FROM videos").fetchall()} == union


def test_a_client_killed_inside_a_transaction_leaves_nothing_half_written():
    with fresh_database() as url:
        open_store(url).close()
        child = python(
            "-c",
            textwrap.dedent(
                """
                import sys, time
                from tiktune_tui.core.models import Song, Stats, Video
                from tiktune_tui.library.store import open_store

                store = open_store(sys.argv[1])
                videos = [Video(str(1000 + i), Song("7001"), ("dance",), Stats(i, 0, 0, 0)) for i in range(50)]

                def half_then_hang(db):
                    db.execute("INSERT INTO songs (music_id, updated_at) VALUES ('7002', 0)")
                    db.execute("INSERT INTO hashtags (name) VALUES ('half')")
                    print("inside", flush=True)
                    time.sleep(600)

                store.save_videos(videos[:10])  # a whole write first: it stays
                store._write_all(half_then_hang)
                """
            ),
            url,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout.readline().strip() == "inside"
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        with open_store(url) as store:
            assert store.counts() == {"videos": 10, "songs": 1, "hashtags": 1, "stats_snapshots": 10}
            assert store.tag_videos(["dance", "half"]) == {"dance": 10}
            assert store.totals()[0] == 10


@pytest.fixture
def own_server(tmp_path_factory):
    """A PostgreSQL server of this test's own (the shared one serves other tests meanwhile)."""
    server_url()
    import tempfile

    folder = tempfile.mkdtemp(prefix="tiktune-pg-own.", dir="/tmp")  # a short path: the socket's
    os.rmdir(folder)
    started = subprocess.run(
        ["bash", str(ROOT / "scripts" / "postgres.sh"), "start", folder], capture_output=True, text=True, timeout=120
    )
    assert started.returncode == 0, started.stderr
    info = dict(line.split("=", 1) for line in started.stdout.split())
    try:
        yield info
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "postgres.sh"), "stop", folder], timeout=120)


def test_a_server_restart_between_two_queries_is_survived_by_reconnecting_once(own_server):
    from tiktune_tui.core.models import Song, Stats, Video

    url = own_server["URL"]
    with open_store(url) as store:
        store.save_videos([Video("1001", Song("7001"), ("dance",), Stats(5, 0, 0, 0))])
        assert store.counts()["videos"] == 1
        owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*owner, f"{own_server['BIN']}/pg_ctl", "-D", own_server["DATA"], "-m", "fast", "-w", "-s", "restart"],
            check=True,
            timeout=120,
            stdout=subprocess.DEVNULL,
        )
        assert store.counts()["videos"] == 1
        store.save_videos([Video("1002", Song("7001"), ("dance",), Stats(5, 0, 0, 0))])
        assert store.tag_videos(["dance"]) == {"dance": 2}


def test_a_write_failing_inside_its_one_message_saves_nothing_and_the_store_writes_on():
    from tiktune_tui.library.store import StoreError

    with fresh_database() as url, open_store(url) as store:
        # The tags and the song are stored by the message's first statements; the video's
        # description (a NUL, which PostgreSQL's text cannot hold) fails the third.
        broken = Video("1", Song("7001"), ("dance",), Stats(1, 0, 0, 0), description="a\x00b")
        with pytest.raises(StoreError, match="nothing was saved") as caught:
            store.save_videos([broken])
        assert "\n" not in str(caught.value)
        assert store.counts() == {"videos": 0, "songs": 0, "hashtags": 0, "stats_snapshots": 0}
        store.save_videos([Video("2", Song("7001"), ("dance",), Stats(1, 0, 0, 0))])
        assert store.counts() == {"videos": 1, "songs": 1, "hashtags": 1, "stats_snapshots": 1}
        assert store.tag_videos(["dance"]) == {"dance": 1}


def test_a_write_sent_as_one_message_that_meets_a_deadlock_is_run_again_whole_and_stores_once():
    attempts = []

    def body(db) -> None:
        attempts.append(1)
        # What the server says to the loser of a deadlock, after the script's first statement.
        loser = "DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected'; END $$"
        db.execute_script(
            [("INSERT INTO hashtags (name) VALUES (?)", ["once"])]
            + ([(loser, [])] if len(attempts) == 1 else [])
            + [("INSERT INTO hashtags (name) VALUES (?)", ["after"])]
        )

    with fresh_database() as url, open_store(url) as store:
        store._write_all(body, own=True)
        assert len(attempts) == 2
        with store._read() as db:
            assert db.execute("SELECT name FROM hashtags ORDER BY name").fetchall() == [("after",), ("once",)]


def test_a_writer_holds_one_row_of_the_video_total_until_it_commits_leaving_the_rest_to_others():
    import psycopg

    from tiktune_tui.library.store.dialect_postgres import TOTAL_SHARDS

    with fresh_database() as url:
        with open_store(url) as store:
            store.save_videos([Video("1", Song("7001"), ("dance",), Stats(1, 0, 0, 0))])
        with psycopg.connect(url) as writer, psycopg.connect(url, autocommit=True) as other:
            # A write's transaction, still open: its videos' insert has added to the total.
            writer.execute(
                "INSERT INTO songs (music_id, updated_at) VALUES ('7002', 0);"
                " INSERT INTO videos (video_id, song_id, play_count, digg_count, comment_count, share_count,"
                " fetched_at) SELECT '2', id, 0, 0, 0, 0, 5 FROM songs WHERE music_id = '7002'"
            )
            free = other.execute("SELECT id FROM totals FOR UPDATE SKIP LOCKED").fetchall()
            assert len(free) == TOTAL_SHARDS - 1  # one row held: another writer adds to any other
            assert other.execute("SELECT sum(videos) FROM totals").fetchone()[0] == 1  # not yet committed
            writer.commit()
        with open_store(url) as store:
            assert store.totals()[0] == 2
            assert store.totals()[1] is not None


def test_the_same_write_sent_many_times_is_stored_once():
    from datetime import UTC, datetime

    # psycopg prepares a statement it has run five times; a write's one message must never be.
    fetched = datetime(2025, 6, 1, tzinfo=UTC)
    with fresh_database() as url, open_store(url) as store:
        for _ in range(8):
            store.save_videos(
                [Video("1", Song("7001"), ("dance",), Stats(1, 0, 0, 0))], fetched_at=fetched, tag_fetches={"dance": 1}
            )
        assert store.counts() == {"videos": 1, "songs": 1, "hashtags": 1, "stats_snapshots": 1}
        assert store.totals()[0] == 1
