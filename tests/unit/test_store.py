import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.bench_baseline import rank_songs
from tests.support.factories import video
from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.core.modes import rank
from tiktune_tui.core.weights import Weights
from tiktune_tui.library.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path, make_store):
    with make_store(tmp_path / "db" / "tiktune.sqlite3") as s:
        yield s


def test_round_trip_keeps_everything(store):
    original = Video(
        id="9990000000000000005",  # above int64: ids stay text
        song=Song(
            id="9991000000000000001",
            title="Kitchen [b]Groove[/b]",
            author="A",
            duration_s=31,
            play_url="https://example.invalid/a.mp3",
            cover_url="https://example.invalid/c.jpg",
            original=False,
        ),
        hashtags=("cooking", "fyp"),
        stats=Stats(10, 2, 1, 0),
        create_time=T0,
        author="chef",
        description="#cooking tonight",
    )
    assert store.save_videos([original], fetched_at=T0, source="tiktok") == 1
    assert store.videos_with_any(["fyp"]) == [original]
    assert store.song("9991000000000000001") == original.song
    assert store.counts() == {"videos": 1, "songs": 1, "hashtags": 2, "stats_snapshots": 1}


def test_repeated_fetches_build_a_stats_history_and_keep_the_latest(store):
    store.save_videos([video("1", "A", "t", play=10)], fetched_at=T0)
    store.save_videos([video("1", "A", "t", play=25)], fetched_at=T0 + timedelta(hours=1))
    store.save_videos([video("1", "A", "t", play=5)], fetched_at=T0 - timedelta(hours=1))  # a late, older fetch
    assert [s.play for _, s in store.snapshots("1")] == [5, 10, 25]
    assert store.videos_with_any(["t"])[0].stats.play == 25


def test_a_song_title_learned_once_is_not_erased_by_a_blank_one(store):
    store.save_videos([video("1", "A", "t", title="Real title")])
    store.save_videos([video("2", "A", "t", title="")])
    assert store.song("A").title == "Real title"


def test_a_failed_write_saves_nothing(store):
    good = video("1", "A", "t", play=1)
    too_big = video("2", "B", "t", play=2**63)
    with pytest.raises(StoreError, match="cannot be stored"):
        store.save_videos([good, too_big])
    assert store.counts()["videos"] == 0


def test_tag_fetch_bookkeeping(store):
    assert store.last_tag_fetch("t") is None
    store.record_tag_fetch("t", videos=3, source="tiktok", fetched_at=T0)
    assert store.last_tag_fetch("t") == T0
    assert store.newest_fetch(["t"]) == T0


def test_tag_counts_by_prefix_most_used_first(store):
    store.save_videos([video("1", "A", "xuhuong xh"), video("2", "A", "xuhuong"), video("3", "B", "fyp")])
    assert store.tag_counts("x") == [("xuhuong", 2), ("xh", 1)]
    assert store.tag_counts("", limit=1) == [("xuhuong", 2)]


def test_wal_and_schema_version(store, engine):
    assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
    if engine != "sqlite":
        return  # WAL is SQLite's
    with store._read() as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrates_an_older_schema_forward(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    db.close()
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION


def test_a_corrupt_file_is_reported_and_left_untouched(tmp_path):
    path = tmp_path / "tiktune.sqlite3"
    junk = b"this is not a database at all" * 100
    path.write_bytes(junk)
    with pytest.raises(StoreError, match="not a readable tiktune database.*left untouched"):
        Store(path)
    assert path.read_bytes() == junk


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "tiktune.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    with pytest.raises(StoreError, match="newer tiktune"):
        Store(path)


def test_a_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (x)")
    db.close()
    with pytest.raises(StoreError, match="not a tiktune database"):
        Store(path)


def test_an_unwritable_place_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot open the database .*: a file is in the way of its folder"):
        Store(blocker / "sub" / "tiktune.sqlite3")


def test_sql_ranking_matches_the_reference_on_the_bundled_catalog(store):
    from tiktune_tui.library.catalog import load_catalog

    catalog = load_catalog()
    store.save_videos(catalog.videos)
    for tags in (["fyp", "viral"], ["xuhuong", "capcut", "nosuchtag"], ["douyin抖音"]):
        for require_all in (False, True):
            assert rank_songs(store, tags, require_all=require_all, limit=100) == rank(
                catalog.videos, tags, require_all=require_all, limit=100
            )


small_videos = st.lists(
    st.builds(
        lambda vid, song, tags, p, d, c, s: video(str(vid), song, " ".join(tags), p, d, c, s),
        st.integers(0, 25),
        st.sampled_from("ABCDE"),
        st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True),
        *[st.integers(0, 10**9)] * 4,
    ),
    max_size=30,
    unique_by=lambda v: v.id,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    small_videos,
    st.lists(st.sampled_from(["a", "b", "c", "z"]), min_size=1, max_size=3, unique=True),
    st.booleans(),
    st.sampled_from(["", "play=1,digg=0,comment=0,share=0", "share=9"]),
)
def test_sql_ranking_matches_the_reference(tmp_path_factory, make_store, videos, tags, require_all, weights):
    with make_store(tmp_path_factory.mktemp("p") / "db.sqlite3") as s:
        s.save_videos(videos)
        w = Weights.parse(weights)
        assert rank_songs(s, tags, w, require_all=require_all) == rank(videos, tags, weights=w, require_all=require_all)


def test_connections_racing_to_create_a_database_all_succeed(tmp_path):
    import threading

    for attempt in range(40):  # the race lost about 1 time in 50 before the WAL switch waited
        path = tmp_path / f"race{attempt}.sqlite3"
        errors = []
        barrier = threading.Barrier(4)

        def open_store():
            barrier.wait()
            try:
                Store(path).close()
            except Exception as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

        threads = [threading.Thread(target=open_store) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with Store(path) as store:
            assert store.schema_version == SCHEMA_VERSION
