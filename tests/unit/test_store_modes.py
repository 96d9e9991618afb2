"""The store ranks every mode in SQL exactly as core.modes ranks the same videos, and the
counts it keeps for that (migration 2's triggers) always equal a fresh count."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiktune_tui.core import modes
from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.core.weights import DEFAULT_WEIGHTS, Weights
from tiktune_tui.library.store import MIGRATIONS, Store

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def comparable(rows):
    return [
        (r.rank, r.song.id, r.score, r.stats, r.videos, r.matched_tags, r.mode, r.explanation.as_dict()) for r in rows
    ]


def reference(store, tags, mode, weights=DEFAULT_WEIGHTS, **options):
    """What the engine computed before the SQL path: matching videos, store corpus, core.modes."""
    return modes.rank(store.videos_with_any(tags), tags, mode, weights, store.corpus(tags, weights), **options)


def fresh_counts(store):
    """Every count migration 2 keeps, counted from scratch."""
    with store._read() as db:
        return {
            "totals": db.execute("SELECT count(*), max(fetched_at) FROM videos").fetchone(),
            # The sum of its rows (migration 7: PostgreSQL's writers add to one row each).
            "kept_totals": db.execute("SELECT CAST(sum(videos) AS BIGINT), max(newest_fetch) FROM totals").fetchone(),
            "tags": db.execute(
                "SELECT h.name, count(vh.video_id) FROM hashtags h LEFT JOIN video_hashtags vh"
                " ON vh.hashtag_id = h.id GROUP BY h.id ORDER BY h.name"
            ).fetchall(),
            "kept_tags": db.execute("SELECT name, videos FROM hashtags ORDER BY name").fetchall(),
            "songs": db.execute(
                "SELECT s.music_id, count(v.id) FROM songs s LEFT JOIN videos v ON v.song_id = s.id"
                " GROUP BY s.id ORDER BY s.music_id"
            ).fetchall(),
            "kept_songs": db.execute("SELECT music_id, videos FROM songs ORDER BY music_id").fetchall(),
            "first": db.execute(
                "SELECT video_id, CASE WHEN count(*) > 1 THEN min(fetched_at) END FROM stats_snapshots"
                " GROUP BY video_id ORDER BY video_id"
            ).fetchall(),
            "kept_first": db.execute("SELECT id, first_fetched_at FROM videos ORDER BY id").fetchall(),
            # Migration 6: each video's snapshot before its latest (when, and its plays).
            "previous": db.execute(
                "SELECT v.id, (SELECT max(s.fetched_at) FROM stats_snapshots s WHERE s.video_id = v.id"
                " AND s.fetched_at < v.fetched_at), (SELECT s.play_count FROM stats_snapshots s WHERE"
                " s.video_id = v.id AND s.fetched_at < v.fetched_at ORDER BY s.fetched_at DESC LIMIT 1)"
                " FROM videos v ORDER BY v.id"
            ).fetchall(),
            "kept_previous": db.execute(
                "SELECT id, prev_fetched_at, prev_play_count FROM videos ORDER BY id"
            ).fetchall(),
        }


def assert_counts_current(store):
    counts = fresh_counts(store)
    for name in ("totals", "tags", "songs", "first", "previous"):
        assert counts[f"kept_{name}"] == counts[name], name


def test_every_mode_matches_core_on_the_bundled_catalog(tmp_path, make_store):
    from tiktune_tui.library.catalog import load_catalog

    catalog = load_catalog()
    with make_store(tmp_path / "db.sqlite3") as store:
        store.save_videos(catalog.videos, fetched_at=T0)
        # A second, later fetch of some videos gives them two snapshots: momentum uses the growth.
        later = [
            Video(
                v.id,
                v.song,
                v.hashtags,
                Stats(v.stats.play * 2, v.stats.digg, v.stats.comment, v.stats.share + 7),
                create_time=v.create_time,
            )
            for v in catalog.videos[::7]
        ]
        store.save_videos(later, fetched_at=T0 + timedelta(days=3))
        assert_counts_current(store)
        for tags in (["fyp", "xuhuong", "viral"], ["dance"], ["capcut", "trend", "nosuchtag"], ["douyin抖音"]):
            for mode in modes.MODE_NAMES:
                for require_all in (False, True):
                    got = store.rank_modes(tags, mode, require_all=require_all, limit=60)
                    assert comparable(got) == comparable(
                        reference(store, tags, mode, require_all=require_all, limit=60)
                    )
        momentum = store.rank_modes(["fyp"], "momentum", limit=400)
        assert any(dict(r.explanation.terms)["per_day_between_snapshots"] for r in momentum)
        # The store names the most played matching video of each song.
        top = store.rank_modes(["dance"], "popular", limit=1)[0]
        assert top.video_ids == (
            max(
                (v for v in catalog.videos if v.song.id == top.song.id and "dance" in v.hashtags),
                key=lambda v: v.stats.play,
            ).id,
        )


def test_a_page_that_ends_inside_a_tie_is_cut_by_song_id_as_core_cuts_it(tmp_path, make_store):
    # Songs equal on every ranking key, so that only the song's id (byte-wise: upper case first)
    # orders them: a page ending inside the tie must hold the same songs as core's.
    ids = ["z", "b", "B", "a9", "A", "aa", "ä", "0"]
    videos = [Video(f"v{i}", Song(song), ("t",), Stats(10, 2, 1, 1)) for i, song in enumerate(ids)]
    videos.append(Video("top", Song("first"), ("t",), Stats(99, 0, 0, 0)))
    with make_store(tmp_path / "db.sqlite3") as store:
        store.save_videos(videos, fetched_at=T0)
        for mode in modes.MODE_NAMES:
            for limit in (1, 2, 4, len(videos) - 1, len(videos)):
                got = store.rank_modes(["t"], mode, limit=limit)
                assert comparable(got) == comparable(reference(store, ["t"], mode, limit=limit)), (mode, limit)
                assert len(got) == limit


def test_sums_of_counts_past_32_bits_are_exact(tmp_path, make_store):
    # PostgreSQL sums the counts as two 31-bit halves (dialect_postgres.sum64): counts on both
    # sides of 2**31 and near 2**61, summed per song, must come out as Python sums them.
    big = [2**31 - 1, 2**31, 2**31 + 1, 3 * 10**12 + 7, 2**61 + 12345, 2**40]
    videos = [Video(f"v{i}", Song(f"s{i % 2}"), ("t",), Stats(n, n // 3, i, 2**33 - i)) for i, n in enumerate(big)]
    with make_store(tmp_path / "db.sqlite3") as store:
        store.save_videos(videos, fetched_at=T0)
        for mode in ("popular", "uses"):
            got = store.rank_modes(["t"], mode, Weights.parse("play=1,digg=1,comment=1,share=1"))
            assert comparable(got) == comparable(
                reference(store, ["t"], mode, Weights.parse("play=1,digg=1,comment=1,share=1"))
            )
        assert {r.song.id: r.stats.play for r in got} == {
            "s0": sum(big[0::2]),
            "s1": sum(big[1::2]),
        }


def test_the_top_video_is_the_most_played_whatever_its_plays_and_id(tmp_path, make_store, engine):
    # PostgreSQL packs (plays, id) into one bigint where they fit and compares arrays where they
    # do not (dialect_postgres.top): each song's top video must be its most played either way.
    def top_videos(store):
        return {r.song.id: r.video_ids for r in store.rank_modes(["t"], "popular")}

    first = [
        Video("small", Song("packed"), ("t",), Stats(7, 0, 0, 0)),
        Video("most", Song("packed"), ("t",), Stats(2**32 - 1, 0, 0, 0)),
        Video("wide", Song("mixed"), ("t",), Stats(2**32 + 3, 0, 0, 0)),
        Video("narrow", Song("mixed"), ("t",), Stats(2**32 - 2, 0, 0, 0)),
        Video("huge", Song("huge"), ("t",), Stats(2**61, 0, 0, 0)),
        Video("huger", Song("huge"), ("t",), Stats(2**61 + 1, 0, 0, 0)),
        Video("old-high", Song("old-wins"), ("t",), Stats(80, 0, 0, 0)),
        Video("old-low", Song("new-wins"), ("t",), Stats(50, 0, 0, 0)),
    ]
    with make_store(tmp_path / "db.sqlite3") as store:
        store.save_videos(first, fetched_at=T0)
        expected = {"packed": ("most",), "mixed": ("wide",), "huge": ("huger",)}
        if engine == "postgresql":
            # Stored ids past 2**31 (a long-lived store's upserts use up its sequence).
            with store._write() as db:
                db.execute("ALTER TABLE videos ALTER COLUMN id RESTART WITH 2147483650")
            later = [
                Video("new-low", Song("old-wins"), ("t",), Stats(70, 0, 0, 0)),
                Video("new-high", Song("new-wins"), ("t",), Stats(60, 0, 0, 0)),
                Video("only", Song("far"), ("t",), Stats(3, 0, 0, 0)),
            ]
            store.save_videos(later, fetched_at=T0)
            with store._read() as db:
                assert db.execute("SELECT min(id) FROM videos WHERE video_id = 'new-low'").fetchone()[0] > 2**31
            expected |= {"old-wins": ("old-high",), "new-wins": ("new-high",), "far": ("only",)}
            # Equal plays: the first stored of them, whichever way each is compared.
            store.save_videos([Video("tie-late", Song("packed"), ("t",), Stats(2**32 - 1, 0, 0, 0))], fetched_at=T0)
        got = top_videos(store)
        assert {song: got[song] for song in expected} == expected


def test_rare_and_common_tags_rank_as_core_ranks_them(tmp_path, make_store):
    # PostgreSQL probes the videos of tags on a small share of the store one by one and joins
    # those of common tags (dialect_postgres.LOOKUP_SHARE): both forms must rank as core does.
    from tiktune_tui.library.store.dialect_postgres import LOOKUP_SHARE

    videos = [
        Video(f"v{i}", Song(f"s{i % 7}"), ("common",) + (("rare",) if i % 20 == 3 else ()), Stats(i * 31 % 17, i, 1, 2))
        for i in range(60)
    ]
    later = [Video(v.id, v.song, v.hashtags, Stats(v.stats.play + 5, v.stats.digg, 1, 2)) for v in videos[::3]]
    with make_store(tmp_path / "db.sqlite3") as store:
        store.save_videos(videos, fetched_at=T0)
        store.save_videos(later, fetched_at=T0 + timedelta(days=1))
        assert store.tag_videos(["rare"])["rare"] < LOOKUP_SHARE * len(videos) <= store.tag_videos(["common"])["common"]
        for tags in (["rare"], ["common"], ["rare", "common"]):
            for mode in modes.MODE_NAMES:
                got = store.rank_modes(tags, mode, limit=5)
                assert comparable(got) == comparable(reference(store, tags, mode, limit=5)), (tags, mode)


def window_from_snapshots(store, tags):
    """core.rising's window over every distinct snapshot moment of the videos carrying `tags`."""
    from tiktune_tui.core.rising import RisingWindow
    from tiktune_tui.library.store.rows import epoch

    times = [epoch(at) for video in store.videos_with_any(tags) for at, _ in store.snapshots(video.id)]
    return RisingWindow.from_times(times)


def stamp(day):
    return T0 + timedelta(days=day)


fetches = st.lists(
    st.tuples(
        st.integers(0, 4),  # fetch day
        st.lists(
            st.builds(
                lambda vid, song, tags, stats, age: Video(
                    str(vid),
                    Song(song),
                    tuple(tags),
                    Stats(*stats),
                    create_time=None if age is None else T0 - timedelta(hours=age),
                ),
                st.integers(0, 12),
                st.sampled_from("ABCD"),
                st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=3, unique=True),
                st.tuples(*[st.integers(0, 10**9)] * 4),
                st.one_of(st.none(), st.integers(-30, 24 * 400)),
            ),
            max_size=10,
        ),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fetches,
    st.lists(st.sampled_from(["a", "b", "c", "z"]), min_size=1, max_size=3, unique=True),
    st.sampled_from(modes.MODE_NAMES),
    st.booleans(),
    st.sampled_from(["", "play=1,digg=0,comment=0,share=0", "share=9"]),
    st.sampled_from([None, 1, 2, 3]),
)
def test_sql_modes_match_core(tmp_path_factory, make_store, saves, tags, mode, require_all, weights, limit):
    with make_store(tmp_path_factory.mktemp("m") / "db.sqlite3") as store:
        for day, videos in saves:
            store.save_videos(videos, fetched_at=stamp(day))
        assert_counts_current(store)
        assert store.rising_window(tags) == window_from_snapshots(store, tags)
        w = Weights.parse(weights)
        got = store.rank_modes(tags, mode, w, require_all=require_all, limit=limit)
        assert comparable(got) == comparable(reference(store, tags, mode, w, require_all=require_all, limit=limit))


def test_a_fit_page_holds_a_song_that_only_its_stored_videos_lift(tmp_path, make_store):
    # A page of fit reads the prior (stored videos) of the songs that can reach it only
    # (ranking_sql: fit_bounds): a song with one matching video and many stored elsewhere must
    # still come on top of songs that match more but are stored less.
    videos = [Video("h0", Song("HEAD"), ("t",), Stats(1, 0, 0, 0))]
    videos += [Video(f"h{i}", Song("HEAD"), ("other",), Stats(1, 0, 0, 0)) for i in range(1, 400)]
    videos += [Video(f"s{i}", Song(f"S{i % 5}"), ("t",), Stats(1, 0, 0, 0)) for i in range(10)]
    with make_store(tmp_path / "db.sqlite3") as store:
        store.save_videos(videos, fetched_at=T0)
        for limit in (1, 2, 6, None):
            got = store.rank_modes(["t"], "fit", limit=limit)
            assert comparable(got) == comparable(reference(store, ["t"], "fit", limit=limit)), limit
            assert got[0].song.id == "HEAD"


def test_migration_2_counts_what_an_older_store_holds(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    db.executescript(
        """
        INSERT INTO songs (id, music_id, updated_at) VALUES (1, 's1', 0), (2, 's2', 0);
        INSERT INTO videos (id, video_id, song_id, play_count, digg_count, comment_count, share_count, fetched_at)
            VALUES (1, 'v1', 1, 10, 0, 0, 0, 200), (2, 'v2', 1, 5, 0, 0, 0, 100), (3, 'v3', 2, 1, 0, 0, 0, 100);
        INSERT INTO hashtags (id, name) VALUES (1, 'a'), (2, 'b');
        INSERT INTO video_hashtags (hashtag_id, video_id) VALUES (1, 1), (1, 2), (2, 2);
        INSERT INTO stats_snapshots VALUES (1, 100, 4, 0, 0, 0), (1, 200, 10, 0, 0, 0), (2, 100, 5, 0, 0, 0),
                                           (3, 100, 1, 0, 0, 0);
        """
    )
    db.close()
    with Store(path) as store:
        assert store.totals() == (3, datetime.fromtimestamp(200, tz=UTC))
        assert store.tag_videos(["a", "b", "c"]) == {"a": 2, "b": 1}
        assert_counts_current(store)
        with store._read() as db:
            assert db.execute("SELECT first_fetched_at FROM videos ORDER BY id").fetchall() == [
                (100,),
                (None,),
                (None,),
            ]
            # Migration 6 filled in each video's snapshot before its latest.
            assert db.execute("SELECT prev_fetched_at, prev_play_count FROM videos ORDER BY id").fetchall() == [
                (100, 4),
                (None, None),
                (None, None),
            ]
        # Growth between the two snapshots of v1: 6 plays in 100 s.
        row = store.rank_modes(["a"], "momentum")[0]
        assert row.song.id == "s1" and dict(row.explanation.terms)["per_day_between_snapshots"] == 6 * 86400 // 100


def test_an_older_refetch_and_a_song_change_keep_the_counts(tmp_path, make_store):
    with make_store(tmp_path / "db.sqlite3") as store:
        store.save_videos([Video("1", Song("A"), ("x", "y"), Stats(5))], fetched_at=stamp(2))
        store.save_videos([Video("1", Song("A"), ("x",), Stats(3))], fetched_at=stamp(1))  # older: snapshot only
        store.save_videos([Video("1", Song("B"), ("x", "z"), Stats(9))], fetched_at=stamp(3))
        store.save_videos([Video("1", Song("B"), ("x",), Stats(9))], fetched_at=stamp(3))  # same moment again
        assert_counts_current(store)
        assert store.totals() == (1, stamp(3))
        assert store.tag_videos(["x", "y", "z"]) == {"x": 1, "y": 1, "z": 1}


def test_unknown_tags_and_modes(tmp_path, make_store):
    with make_store(tmp_path / "db.sqlite3") as store:
        assert store.rank_modes(["nothing"], "fit") == [] and store.rank_modes([], "uses") == []
        with pytest.raises(modes.ModeError):
            store.rank_modes(["a"], "best")


def test_the_engine_ranks_a_store_search_in_sql(tmp_path):
    import asyncio

    from tiktune_tui.config import Settings
    from tiktune_tui.core.query import Query
    from tiktune_tui.library.recommend import recommend
    from tiktune_tui.library.sources import SourceOptions
    from tiktune_tui.paths import database_path

    videos = [
        Video(str(i), Song("AB"[i % 2]), ("x",) if i % 3 else ("x", "y"), Stats(play=i), create_time=T0)
        for i in range(1, 10)
    ]
    with Store(database_path(str(tmp_path))) as store:
        store.save_videos(videos, fetched_at=T0)
        expected = {mode: comparable(reference(store, ["x", "y"], mode)) for mode in modes.MODE_NAMES}
    for mode in modes.MODE_NAMES:
        events = []
        outcome = asyncio.run(
            recommend(
                Query(("x", "y"), mode=mode),
                SourceOptions(kind="store", data_dir=str(tmp_path)),
                events.append,
                settings=Settings(),
            )
        )
        assert comparable(outcome.rows) == expected[mode]
        assert [(e.tag, e.videos, e.state) for e in events if e.state == "done"] == [("x", 9, "done"), ("y", 3, "done")]
        # The details pane gets each song's top video.
        assert {v.id for v in outcome.videos} == {row.video_ids[0] for row in outcome.rows} == {"8", "9"}
