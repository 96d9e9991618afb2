"""Regions in the store: each video remembers the country it was fetched for, and no answer
for one region is ever made of what was fetched for another."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from tests.support.tiktok_fakes import FakeTikTok
from tests.unit.test_tiktok_source import DETAIL, ITEMS, T0, Clock
from tiktune_tui.config import Settings
from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.library.sources import collect
from tiktune_tui.library.sources.store import StoreSource
from tiktune_tui.library.sources.tiktok import TikTokSource
from tiktune_tui.library.store import MIGRATIONS, SCHEMA_VERSION, Store


def video(video_id: str, song: str, plays: int) -> Video:
    return Video(
        id=video_id, song=Song(id=song, title=f"song {song}"), hashtags=("dance",), stats=Stats(plays, 0, 0, 0)
    )


@pytest.fixture
def store(tmp_path, make_store):
    with make_store(tmp_path / "tiktune.db") as store:
        yield store


def test_videos_and_tag_fetches_are_kept_per_region(store):
    store.save_videos([video("1", "10", 100), video("2", "20", 200)], fetched_at=T0, source="tiktok", region="US")
    store.save_videos([video("2", "20", 250), video("3", "30", 300)], fetched_at=T0, source="tiktok", region="GB")
    store.record_tag_fetch("dance", videos=2, source="tiktok", fetched_at=T0, region="GB")
    assert [v.id for v in store.videos_with_any(["dance"], "US")] == ["1", "2"]
    assert [v.id for v in store.videos_with_any(["dance"], "GB")] == ["2", "3"]
    assert [v.id for v in store.videos_with_any(["dance"])] == ["1", "2", "3"]  # no region: all of it
    assert store.last_tag_fetch("dance", "GB") == T0 and store.last_tag_fetch("dance", "US") is None
    gb = store.rank_modes_counted(["dance"], region="GB")[0]
    assert [row.song.id for row in gb] == ["30", "20"]
    assert [row.song.id for row in store.rank_modes_counted(["dance"], region="BR")[0]] == []


def test_migration_4_files_what_was_fetched_before_under_the_us(tmp_path):
    path = tmp_path / "old.sqlite3"
    with Store(path) as store:
        store.save_videos([video("1", "10", 100)], fetched_at=T0, source="tiktok")
        store.record_tag_fetch("dance", videos=1, source="tiktok", fetched_at=T0)
    db = sqlite3.connect(path)
    # Back to schema 3: what migrations 4 and later added goes.
    db.executescript(
        "DROP TABLE video_regions; DROP TABLE tag_region_fetches; DROP TABLE song_reach;"
        " DROP INDEX videos_numbers; DROP INDEX videos_by_song_posted; CREATE INDEX videos_by_song ON videos(song_id);"
        " ALTER TABLE videos DROP COLUMN prev_fetched_at; ALTER TABLE videos DROP COLUMN prev_play_count;"
        " PRAGMA user_version = 3;"
    )
    db.close()
    assert MIGRATIONS[3].count("CREATE TABLE") == 2 and SCHEMA_VERSION >= 4
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert [v.id for v in store.videos_with_any(["dance"], "US")] == ["1"]
        assert store.last_tag_fetch("dance", "US") == T0


async def test_a_region_is_never_answered_from_another_regions_fetch(store):
    clock = Clock()

    def source(fake: FakeTikTok, region: str | None) -> TikTokSource:
        settings = Settings(ms_token="tok", region=region)
        return TikTokSource(store=store, settings=settings, sessions=fake.manager(settings), now=clock, backoff_s=0.001)

    await collect(source(FakeTikTok(), None), ["cooking"])  # the default region, the US
    clock.now = T0 + timedelta(minutes=5)
    gb = FakeTikTok()
    result = await collect(source(gb, "GB"), ["cooking"])
    assert gb.paths() == [DETAIL, ITEMS, ITEMS]  # fetched for GB, not answered with the US data
    assert {q["region"] for _, q in gb.requests} == {"GB"} and result.label == "TikTok"
    again = FakeTikTok()
    result = await collect(source(again, "GB"), ["cooking"])
    assert again.requests == [] and result.label == "TikTok (stored)" and len(result.videos) == 59
    assert len(store.videos_with_any(["cooking"], "GB")) == 59
    assert len(store.videos_with_any(["cooking"], "US")) == 59
    assert await _stored_ids(store, "BR") == []


async def _stored_ids(store: Store, region: str) -> list[str]:
    result = await collect(StoreSource(store, region=region), ["cooking"])
    return [v.id for v in result.videos]


def _fetches() -> tuple[list[Video], list[Video]]:
    """A GB fetch and a larger, later US one sharing its songs and tag: the US videos would
    change fit's tag weight and song prior and momentum's "now" if they were counted for GB."""
    posted = T0 - timedelta(days=3)

    def made(video_id: str, song: str, plays: int, tags: tuple[str, ...]) -> Video:
        return Video(video_id, Song(song, title=f"song {song}"), tags, Stats(plays, plays // 10, 1, 1), posted)

    gb = [made(str(n), str(10 + n % 3), 1000 * n, ("dance", "gb") if n % 2 else ("dance",)) for n in range(1, 7)]
    us = [made(str(n), str(10 + n % 5), 700 * n, ("dance", "us") if n % 3 else ("us",)) for n in range(100, 130)]
    return gb, us


@pytest.mark.parametrize("mode", ["fit", "momentum", "popular"])
def test_a_regions_ranking_counts_only_that_regions_videos(tmp_path, make_store, mode):
    gb, us = _fetches()

    def ranked(store):
        rows, total = store.rank_modes_counted(["dance", "gb"], mode, region="GB")
        return [(r.song.id, r.score, r.videos) for r in rows], total

    with make_store(tmp_path / "gb-only.db") as store:  # what GB holds, alone
        store.save_videos(gb, fetched_at=T0, source="tiktok", region="GB")
        alone = ranked(store)
        alone_corpus = store.corpus(["dance", "gb"], region="GB")
    with make_store(tmp_path / "both.db") as store:
        store.save_videos(gb, fetched_at=T0, source="tiktok", region="GB")
        store.save_videos(us, fetched_at=T0 + timedelta(days=1), source="tiktok", region="US")
        assert ranked(store) == alone
        corpus = store.corpus(["dance", "gb"], region="GB")
        whole = store.corpus(["dance", "gb"])
    assert (corpus.total, dict(corpus.tag_videos), dict(corpus.song_videos), corpus.now) == (
        alone_corpus.total,
        dict(alone_corpus.tag_videos),
        dict(alone_corpus.song_videos),
        alone_corpus.now,
    )
    assert whole.total == len(gb) + len(us)  # without a region: the whole store, as before
