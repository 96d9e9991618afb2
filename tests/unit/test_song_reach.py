"""Song-wide figures: each sound's videos on all of TikTok (/api/music/detail/, through TikTokApi's
real request path with recorded-shape responses), cached in the store with their fetch time."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.tiktok_fakes import FakeTikTok, cooking, fixture, music_detail
from tiktune_tui.cli import main
from tiktune_tui.config import Settings
from tiktune_tui.core.reach import SongReach
from tiktune_tui.library.reach import CONCURRENCY, TOP_SONGS, refresh_reach
from tiktune_tui.library.sources.tiktok import TikTokSource
from tiktune_tui.library.sources.tiktok_items import music_video_count
from tiktune_tui.library.store import Store
from tiktune_tui.paths import database_path

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
MUSIC = "/api/music/detail/"


def test_the_count_is_read_from_the_recorded_shape():
    detail = json.loads(fixture("music_detail_kitchen_groove.json"))
    assert music_video_count(detail) == 1_234_000
    detail["musicInfo"]["statsV2"] = {"videoCount": "1234567"}  # exact, where TikTok sends it
    assert music_video_count(detail) == 1_234_567
    assert music_video_count({"musicInfo": {"music": {}}}) is None
    assert music_video_count({"musicInfo": {"stats": {"videoCount": -1}}}) is None


def test_the_store_keeps_the_newest_figure(make_store, tmp_path):
    with make_store(tmp_path / "db.sqlite3") as store:
        store.save_song_reach({"a": 10, "b": 20}, T0)
        store.save_song_reach({"a": 5}, T0 - timedelta(hours=1))  # older: ignored
        store.save_song_reach({"b": 25}, T0 + timedelta(hours=1))
        assert store.song_reach(["a", "b", "c"]) == {
            "a": SongReach("a", 10, T0),
            "b": SongReach("b", 25, T0 + timedelta(hours=1)),
        }


class Counting:
    """A TikTok whose sounds count 1000 x their last digit, logging the requests in flight."""

    def __init__(self, refused=()) -> None:
        self.in_flight = 0
        self.most = 0
        self.refused = set(refused)

    async def __call__(self, path, query):
        if path != MUSIC:
            return cooking(path, query)
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        music_id = query["musicId"]
        if music_id in self.refused:
            return 200, json.dumps({"statusCode": 10203, "status_msg": "", "extra": {}})
        return 200, music_detail(music_id, 1000 * int(music_id[-1]))


def source_for(fake, store) -> TikTokSource:
    return TikTokSource(store=store, settings=Settings(ms_token="tok"), sessions=fake.manager(slots=8), backoff_s=0.001)


async def test_stale_or_missing_figures_are_fetched_a_few_at_a_time_and_cached(tmp_path):
    tiktok = Counting(refused={"s7"})
    fake = FakeTikTok(tiktok)
    ids = [f"s{i}" for i in range(1, 9)]
    with Store(tmp_path / "db.sqlite3") as store:
        store.save_song_reach({"s2": 1, "s3": 1}, T0 - timedelta(hours=30))  # s2, s3 stale
        store.save_song_reach({"s4": 4}, T0 - timedelta(hours=2))  # s4 fresh
        found = await refresh_reach(source_for(fake, store), ids, T0)
        asked = sorted(q["musicId"] for p, q in fake.requests if p == MUSIC)
        assert asked == sorted(set(ids) - {"s4"})
        assert 1 < tiktok.most <= CONCURRENCY
        assert found["s1"] == SongReach("s1", 1000, T0) and found["s3"].videos == 3000
        assert found["s4"] == SongReach("s4", 4, T0 - timedelta(hours=2))  # fresh: not asked again
        assert "s7" not in found  # TikTok would not count it: unknown
        assert store.song_reach(ids) == found
        fake.requests.clear()
        again = await refresh_reach(source_for(fake, store), ids, T0 + timedelta(hours=1))
        assert [q["musicId"] for p, q in fake.requests if p == MUSIC] == ["s7"] and again == found
        fake.requests.clear()
        later = await refresh_reach(source_for(fake, store), ids, T0 + timedelta(hours=25))
        assert len([1 for p, _ in fake.requests if p == MUSIC]) == 8 and later["s4"].videos == 4000


@pytest.fixture
def live_tiktok(monkeypatch):
    tiktok = Counting()
    fake = FakeTikTok(tiktok)
    monkeypatch.setenv("TIKTUNE_MS_TOKEN", "tok")
    monkeypatch.setattr("tiktune_tui.library.sources.tiktok.shared_sessions", lambda settings: fake.manager(settings))
    tiktok_com = socket.create_server(("127.0.0.1", 0))  # reachable: auto goes live
    monkeypatch.setenv("TIKTUNE_TIKTOK_ADDRESS", f"127.0.0.1:{tiktok_com.getsockname()[1]}")
    with tiktok_com:
        yield fake


def test_recommend_json_carries_the_figure_for_the_top_songs(live_tiktok, capsys, tmp_path):
    assert main(["recommend", "cooking", "--limit", "12", "--json", "--data-dir", str(tmp_path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    asked = [q["musicId"] for p, q in live_tiktok.requests if p == MUSIC]
    assert sorted(asked) == sorted(row["music_id"] for row in rows[:TOP_SONGS])  # after the ranking, top 10
    for row in rows[:TOP_SONGS]:
        assert row["all_tiktok"]["videos"] == 1000 * int(row["music_id"][-1])
        assert datetime.fromisoformat(row["all_tiktok"]["fetched_at"]).tzinfo is not None
    assert [row["all_tiktok"] for row in rows[TOP_SONGS:]] == [None, None]
    live_tiktok.requests.clear()
    # Offline, the store answers with the cached figures and nothing is asked.
    assert (
        main(["recommend", "cooking", "--limit", "12", "--json", "--source", "store", "--data-dir", str(tmp_path)]) == 0
    )
    offline = json.loads(capsys.readouterr().out)
    assert [r["all_tiktok"] for r in offline] == [r["all_tiktok"] for r in rows] and not live_tiktok.requests
    top = rows[0]["music_id"]
    assert main(["trend", top, "cooking", "--data-dir", str(tmp_path)]) == 0
    assert f"{1000 * int(top[-1]):,} videos on all of TikTok (fetched " in capsys.readouterr().out
    assert main(["trend", top, "--json", "--data-dir", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)["all_tiktok"] == rows[0]["all_tiktok"]


def test_a_catalog_answer_has_no_figure_and_creates_no_store(tmp_path, capsys):
    assert main(["recommend", "cooking", "--json", "--source", "catalog", "--data-dir", str(tmp_path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(row["all_tiktok"] is None for row in rows)
    assert not database_path(str(tmp_path)).exists()
