"""The store's schema: its migrations, and what is checked before a file is touched.

The schema carries a version (PRAGMA user_version) and is migrated forward step by
step. Before anything is changed (not even the switch to WAL, which rewrites the
file's header) the file is read to make sure it is tiktune's: an SQLite file of
another application, a corrupt one or one from a newer tiktune is reported and left
exactly as it was.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tiktune_tui.errors import TiktuneError


class StoreError(TiktuneError):
    """The database cannot be used; the message says why and what to do."""


# Each entry moves the schema from version i to i+1. Append, never edit.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE songs (
        id          INTEGER PRIMARY KEY,
        music_id    TEXT NOT NULL UNIQUE,
        title       TEXT NOT NULL DEFAULT '',
        author      TEXT NOT NULL DEFAULT '',
        duration_s  INTEGER,
        play_url    TEXT,
        cover_url   TEXT,
        original    INTEGER,
        updated_at  INTEGER NOT NULL
    );
    CREATE TABLE videos (
        id            INTEGER PRIMARY KEY,
        video_id      TEXT NOT NULL UNIQUE,
        song_id       INTEGER NOT NULL REFERENCES songs(id),
        author        TEXT NOT NULL DEFAULT '',
        description   TEXT NOT NULL DEFAULT '',
        create_time   INTEGER,
        play_count    INTEGER NOT NULL,
        digg_count    INTEGER NOT NULL,
        comment_count INTEGER NOT NULL,
        share_count   INTEGER NOT NULL,
        fetched_at    INTEGER NOT NULL,
        source        TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX videos_by_song ON videos(song_id);
    CREATE TABLE hashtags (
        id   INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE video_hashtags (
        hashtag_id INTEGER NOT NULL REFERENCES hashtags(id),
        video_id   INTEGER NOT NULL REFERENCES videos(id),
        position   INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (hashtag_id, video_id)
    ) WITHOUT ROWID;
    CREATE INDEX video_hashtags_by_video ON video_hashtags(video_id, hashtag_id);
    CREATE TABLE stats_snapshots (
        video_id      INTEGER NOT NULL REFERENCES videos(id),
        fetched_at    INTEGER NOT NULL,
        play_count    INTEGER NOT NULL,
        digg_count    INTEGER NOT NULL,
        comment_count INTEGER NOT NULL,
        share_count   INTEGER NOT NULL,
        PRIMARY KEY (video_id, fetched_at)
    ) WITHOUT ROWID;
    CREATE TABLE tag_fetches (
        tag        TEXT PRIMARY KEY,
        fetched_at INTEGER NOT NULL,
        source     TEXT NOT NULL,
        videos     INTEGER NOT NULL
    );
    """,
    # 2: counts the ranking modes read on every query, kept current by triggers so that
    # no query has to count a million rows: videos per hashtag and per song, the store's
    # video total and newest fetch, and each video's first snapshot time once it has two.
    """
    ALTER TABLE hashtags ADD COLUMN videos INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE songs ADD COLUMN videos INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE videos ADD COLUMN first_fetched_at INTEGER;
    CREATE TABLE totals (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        videos       INTEGER NOT NULL,
        newest_fetch INTEGER
    );
    INSERT INTO totals (id, videos, newest_fetch) SELECT 1, count(*), max(fetched_at) FROM videos;
    UPDATE hashtags SET videos = c.n
        FROM (SELECT hashtag_id, count(*) AS n FROM video_hashtags GROUP BY hashtag_id) AS c
        WHERE c.hashtag_id = hashtags.id;
    UPDATE songs SET videos = c.n
        FROM (SELECT song_id, count(*) AS n FROM videos GROUP BY song_id) AS c
        WHERE c.song_id = songs.id;
    UPDATE videos SET first_fetched_at = f.first
        FROM (SELECT video_id, min(fetched_at) AS first FROM stats_snapshots
              GROUP BY video_id HAVING count(*) > 1) AS f
        WHERE f.video_id = videos.id;
    CREATE TRIGGER hashtag_videos_count AFTER INSERT ON video_hashtags BEGIN
        UPDATE hashtags SET videos = videos + 1 WHERE id = NEW.hashtag_id;
    END;
    CREATE TRIGGER videos_count AFTER INSERT ON videos BEGIN
        UPDATE totals SET videos = videos + 1,
                          newest_fetch = max(coalesce(newest_fetch, NEW.fetched_at), NEW.fetched_at);
        UPDATE songs SET videos = videos + 1 WHERE id = NEW.song_id;
    END;
    CREATE TRIGGER videos_refetched AFTER UPDATE OF fetched_at, song_id ON videos BEGIN
        UPDATE totals SET newest_fetch = max(coalesce(newest_fetch, NEW.fetched_at), NEW.fetched_at);
        UPDATE songs SET videos = videos - 1 WHERE id = OLD.song_id AND OLD.song_id <> NEW.song_id;
        UPDATE songs SET videos = videos + 1 WHERE id = NEW.song_id AND OLD.song_id <> NEW.song_id;
    END;
    CREATE TRIGGER snapshot_first AFTER INSERT ON stats_snapshots
    WHEN EXISTS (SELECT 1 FROM stats_snapshots o
                 WHERE o.video_id = NEW.video_id AND o.fetched_at <> NEW.fetched_at) BEGIN
        UPDATE videos SET first_fetched_at = (SELECT min(fetched_at) FROM stats_snapshots
                                              WHERE video_id = NEW.video_id)
        WHERE id = NEW.video_id;
    END;
    """,
    # 3: the shortlist: songs the user saved, when, and for which query's tags. Its own
    # copy of the song, since a catalog song has no row in `songs`.
    """
    CREATE TABLE saved_songs (
        music_id   TEXT PRIMARY KEY,
        title      TEXT NOT NULL DEFAULT '',
        author     TEXT NOT NULL DEFAULT '',
        duration_s INTEGER,
        play_url   TEXT,
        cover_url  TEXT,
        tags       TEXT NOT NULL DEFAULT '',
        score      REAL,
        play_count INTEGER,
        videos     INTEGER,
        saved_at   INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX saved_songs_by_time ON saved_songs(saved_at);
    """,
    # 4: the region each video was fetched for, and each tag's last fetch per region, so
    # that a search for GB is never answered with what was fetched for the US. What was
    # fetched before came from TikTokApi's fixed default, the US.
    """
    CREATE TABLE video_regions (
        region     TEXT NOT NULL,
        video_id   INTEGER NOT NULL REFERENCES videos(id),
        fetched_at INTEGER NOT NULL,
        PRIMARY KEY (region, video_id)
    ) WITHOUT ROWID;
    INSERT INTO video_regions (region, video_id, fetched_at)
        SELECT 'US', id, fetched_at FROM videos WHERE source = 'tiktok';
    CREATE TABLE tag_region_fetches (
        tag        TEXT NOT NULL,
        region     TEXT NOT NULL,
        fetched_at INTEGER NOT NULL,
        source     TEXT NOT NULL,
        videos     INTEGER NOT NULL,
        PRIMARY KEY (tag, region)
    ) WITHOUT ROWID;
    INSERT INTO tag_region_fetches (tag, region, fetched_at, source, videos)
        SELECT tag, 'US', fetched_at, source, videos FROM tag_fetches WHERE source = 'tiktok';
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

# The tables of the first schema: every tiktune store has them, whatever its version.
# A file whose user_version is set but lacks them belongs to another application
# (user_version is free for any application to use, and many set it to 1 or 2).
CORE_TABLES = frozenset({"songs", "videos", "hashtags", "video_hashtags", "stats_snapshots", "tag_fetches"})
UNTOUCHED = "it was left untouched; move it aside or choose another --data-dir"


def check(db: sqlite3.Connection, path: Path) -> int:
    """The schema version of the tiktune store in `db` (0: a new, empty file), read without
    writing anything; a StoreError when the file is not one this tiktune may use."""
    try:
        # One statement, one snapshot: another connection may be creating the schema now.
        # fetchall, not fetchone: a statement left unfinished keeps its read lock, and
        # switching to WAL afterwards would then deadlock with another opener (SQLITE_BUSY at once).
        ((version, objects, tables),) = db.execute(
            "SELECT (SELECT user_version FROM pragma_user_version),"
            " (SELECT count(*) FROM sqlite_master),"
            " (SELECT group_concat(name, char(31)) FROM sqlite_master WHERE type = 'table')"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a readable tiktune database ({exc}); {UNTOUCHED}") from None
    names = set((tables or "").split("\x1f"))
    if (version == 0 and objects) or (version != 0 and not CORE_TABLES <= names):
        raise StoreError(f"{path} is an SQLite file but not a tiktune database; {UNTOUCHED}")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer tiktune (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade tiktune or choose another --data-dir"
        )
    return version


def migrate(db: sqlite3.Connection, path: Path, version: int) -> None:
    """Switch the checked file `db` (at `version`) to WAL and bring it to SCHEMA_VERSION."""
    try:
        _use_wal(db)
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with _transaction(db):
                # Another connection (a worker thread, a second tiktune) may have migrated
                # since the version was read: read it again under the write lock.
                if db.execute("PRAGMA user_version").fetchone()[0] >= target:
                    continue
                for statement in statements(MIGRATIONS[target - 1]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {target}")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot prepare {path} ({exc}); {UNTOUCHED}") from None


def _use_wal(db: sqlite3.Connection, patience_s: float = 10.0) -> None:
    """Switch to WAL, waiting for other openers: SQLite answers a journal-mode change
    that meets another connection's lock with "locked" at once, not after the busy timeout."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL").fetchall()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def statements(script: str) -> list[str]:
    """Split a script into statements; a trigger body's semicolons stay inside its statement."""
    found: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                found.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        found.append(pending.strip())
    return found
