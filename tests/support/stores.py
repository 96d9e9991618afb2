"""One store fixture for both engines: `make_store(path)` opens an SQLite file at `path`, or,
for the PostgreSQL run of the same test, a database of the test's own on the test server.

For PostgreSQL the first path opens a fresh database; the same path again reopens it (a
reopened store, as with a file); another path empties it first (as a new file would be), which
keeps Hypothesis's many examples quick: no database is created per example.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.postgres import fresh_database

TABLES = (
    "video_regions, tag_region_fetches, saved_songs, song_reach, stats_snapshots, video_hashtags, videos, "
    "hashtags, songs, tag_fetches"
)


class PostgresStores:
    def __init__(self, url: str) -> None:
        self.url = url
        self.path: object = None

    def __call__(self, path):
        from tiktune_tui.library.store import open_store

        if self.path is not None and path != self.path:
            self.empty()
        self.path = path
        return open_store(self.url)

    def empty(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db:
            db.execute(f"TRUNCATE {TABLES} RESTART IDENTITY")
            db.execute("UPDATE totals SET videos = 0, newest_fetch = NULL")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request) -> str:
    return request.param


@pytest.fixture
def make_store(engine) -> Iterator:
    if engine == "sqlite":
        from tiktune_tui.library.store import Store

        yield Store
        return
    with fresh_database() as url:
        yield PostgresStores(url)
