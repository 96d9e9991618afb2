"""The rising mode: growth between the niche's latest two snapshots, in SQL and in core alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tiktune_tui.cli import main
from tiktune_tui.core import modes
from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.core.results import explain_text
from tiktune_tui.library.store import Store
from tiktune_tui.paths import database_path

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def video(vid, song, plays, tags=("cooking",)):
    return Video(vid, Song(song, title=f"song {song}"), tags, Stats(play=plays), create_time=T0 - 30 * DAY)


def planted(store):
    """BIG: five static videos of a million plays. GROW: one video growing 1,000 -> 50,000 and a
    new one of 20,000 plays a day later. FRESH: first seen in the second round."""
    store.save_videos(
        [video(f"b{i}", "BIG", 1_000_000) for i in range(5)] + [video("g1", "GROW", 1_000)], fetched_at=T0
    )
    store.save_videos(
        [video(f"b{i}", "BIG", 1_000_000) for i in range(5)]
        + [video("g1", "GROW", 50_000), video("g2", "GROW", 20_000), video("f1", "FRESH", 5_000)],
        fetched_at=T0 + 2 * DAY,
    )


def test_a_growing_song_rises_above_a_bigger_static_one(tmp_path):
    with Store(tmp_path / "db.sqlite3") as store:
        planted(store)
        assert store.rank_modes(["cooking"], "popular")[0].song.id == "BIG"
        rising = store.rank_modes(["cooking"], "rising")
        assert [row.song.id for row in rising] == ["GROW", "FRESH", "BIG"]
        grow, fresh, big = rising
        assert grow.score == (49_000 + 20_000) // 2 and big.score == 0 and fresh.score == 2_500
        terms = dict(grow.explanation.terms)
        assert terms["plays_gained"] == 69_000 and terms["new_videos"] == 1 and not terms["new_in_niche"]
        assert dict(fresh.explanation.terms)["new_in_niche"] == 1.0
        line = explain_text(grow)
        assert "+34,500 plays/day" in line and "2026-01-05 12:00 and 2026-01-07 12:00 UTC" in line
        assert "(1 new since the earlier)" in line and "new in this niche" in explain_text(fresh)
        reference = modes.rank(
            store.videos_with_any(["cooking"]), ["cooking"], "rising", corpus=store.corpus(["cooking"])
        )
        assert [(r.song.id, r.score, r.explanation) for r in reference] == [
            (r.song.id, r.score, r.explanation) for r in rising
        ]


def test_the_window_is_the_latest_two_snapshots(tmp_path):
    with Store(tmp_path / "db.sqlite3") as store:
        planted(store)
        # A third round where nothing grows: the growth of the second no longer counts.
        store.save_videos(
            [video(f"b{i}", "BIG", 1_000_000) for i in range(5)]
            + [video("g1", "GROW", 50_000), video("g2", "GROW", 20_000), video("f1", "FRESH", 5_000)],
            fetched_at=T0 + 3 * DAY,
        )
        rows = store.rank_modes(["cooking"], "rising")
        assert [row.score for row in rows] == [0, 0, 0]
        assert rows[0].song.id == "BIG"  # ties fall back to the popular score


def test_one_snapshot_says_what_rising_needs(tmp_path):
    with Store(tmp_path / "db.sqlite3") as store:
        store.save_videos([video("a", "A", 10)], fetched_at=T0)
        row = store.rank_modes(["cooking"], "rising")[0]
        assert row.score == 0 and "needs two snapshots" in explain_text(row)


def test_recommend_rank_rising_from_the_store(tmp_path, capsys):
    with Store(database_path(str(tmp_path))) as store:
        planted(store)
    status = main(
        ["recommend", "cooking", "--source", "store", "--data-dir", str(tmp_path), "--rank", "rising", "--explain"]
    )
    out = capsys.readouterr().out
    assert status == 0 and "ranked by rising" in out
    assert out.index("song GROW") < out.index("song FRESH") < out.index("song BIG")


def test_new_in_the_niche_ends_a_week_before_the_latest_snapshot(tmp_path, make_store):
    # The ranking finds its window in SQL (new_after included): a song first seen exactly a week
    # before the latest snapshot is new in the niche, one seen a second earlier is not.
    latest = T0 + 10 * DAY
    rounds = [
        (T0, [video("o", "OLD", 100)]),
        (latest - 7 * DAY - timedelta(seconds=1), [video("o", "OLD", 100), video("x", "EDGE_OUT", 100)]),
        (latest - 7 * DAY, [video("o", "OLD", 100), video("x", "EDGE_OUT", 100), video("i", "EDGE_IN", 100)]),
        (latest, [video("o", "OLD", 150), video("x", "EDGE_OUT", 300), video("i", "EDGE_IN", 200)]),
    ]
    with make_store(tmp_path / "db.sqlite3") as store:
        for when, videos in rounds:
            store.save_videos(videos, fetched_at=when)
        rising = store.rank_modes(["cooking"], "rising")
        new = {row.song.id: dict(row.explanation.terms)["new_in_niche"] for row in rising}
        assert new == {"EDGE_OUT": 0.0, "EDGE_IN": 1.0, "OLD": 0.0}
        reference = modes.rank(
            store.videos_with_any(["cooking"]), ["cooking"], "rising", corpus=store.corpus(["cooking"])
        )
        assert [(r.song.id, r.score, r.explanation) for r in reference] == [
            (r.song.id, r.score, r.explanation) for r in rising
        ]
