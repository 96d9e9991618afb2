"""`tiktune trend` and Store.song_trend: the chart's numbers are the store's, counted another way."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tiktune_tui.cli import main
from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.library.store import Store
from tiktune_tui.paths import database_path

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def planted(store):
    song = Song("S", title="Song \x1b[31mS", author="Ann")
    videos = [
        Video(
            f"v{i}",
            song,
            ("cooking",) if i % 3 else ("diy",),
            Stats(play=100 * i),
            create_time=T0 - (i % 4) * DAY + timedelta(hours=i),
        )
        for i in range(12)
    ] + [Video("undated", song, ("cooking",), Stats(play=5)), Video("other", Song("O"), ("cooking",), Stats(9))]
    store.save_videos(videos, fetched_at=T0)
    store.save_videos(
        [Video(v.id, v.song, v.hashtags, Stats(play=v.stats.play * 2), create_time=v.create_time) for v in videos[:6]],
        fetched_at=T0 + DAY,
    )
    return videos


def test_the_trend_counts_what_the_store_holds(tmp_path):
    with Store(tmp_path / "db.sqlite3") as store:
        videos = planted(store)
        trend = store.song_trend("S", ["cooking"])
        mine = [v for v in videos if v.song.id == "S" and "cooking" in v.hashtags]
        expected_days = {}
        for v in mine:
            if v.create_time:
                expected_days[v.create_time.date()] = expected_days.get(v.create_time.date(), 0) + 1
        assert dict(trend.posts) == expected_days and trend.undated == 1
        expected_plays = {}
        for v in mine:
            for at, stats in store.snapshots(v.id):
                expected_plays[at] = expected_plays.get(at, 0) + stats.play
        assert dict(trend.plays) == expected_plays and len(trend.plays) == 2
        unit, series = trend.series()
        assert unit == "day" and sum(n for _, n in series) == len(mine) - 1
        assert len(series) == (max(expected_days) - min(expected_days)).days + 1  # empty days shown as 0
        everything = store.song_trend("S")
        assert sum(n for _, n in everything.posts) + everything.undated == 13


def test_a_long_history_is_shown_per_week(tmp_path):
    with Store(tmp_path / "db.sqlite3") as store:
        store.save_videos(
            [Video(str(i), Song("S"), ("a",), Stats(1), create_time=T0 - i * 10 * DAY) for i in range(12)],
            fetched_at=T0,
        )
        unit, series = store.song_trend("S", ["a"]).series()
        assert unit == "week" and sum(n for _, n in series) == 12
        assert all(day.weekday() == 0 for day, _ in series)


def test_trend_command(tmp_path, capsys):
    with Store(database_path(str(tmp_path))) as store:
        planted(store)
    assert main(["trend", "S", "cooking", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "within #cooking" in out and "videos posted per day:" in out
    assert "summed plays per snapshot:" in out and "(1 matching video without a post date)" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert main(["trend", "S", "cooking", "--json", "--data-dir", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["unit"] == "day" and len(data["plays"]) == 2 and data["undated_videos"] == 1
    assert main(["trend", "nosuch", "--data-dir", str(tmp_path)]) == 1
    assert "no song 'nosuch'" in capsys.readouterr().err


def test_a_trend_counted_from_videos_in_hand_matches_the_stores(tmp_path):
    """The catalog's chart (SongTrend.from_videos) counts as the store does, plays aside."""
    from tiktune_tui.core.trend import SongTrend

    with Store(tmp_path / "db.sqlite3") as store:
        videos = planted(store)
        for tags in (["cooking"], ["diy", "cooking"], []):
            stored = store.song_trend("S", tags)
            in_hand = SongTrend.from_videos("S", tags, videos)
            assert (in_hand.posts, in_hand.undated) == (stored.posts, stored.undated)
            assert in_hand.series() == stored.series() and in_hand.plays == ()
