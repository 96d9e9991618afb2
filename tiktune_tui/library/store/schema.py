"""The store's schema, written once for both engines: its migrations and its version.

Each migration is shared SQL with the few words an engine spells its own way left open as
`{name}` (`dialect.Dialect.ddl`: column types, and the parts only one engine has: PostgreSQL's
version table, each engine's counter triggers). `migrations(dialect)` renders them;
`schema_sqlite` and `schema_postgres` apply them and keep each engine's version.
"""

from __future__ import annotations

from tiktune_tui.errors import TiktuneError
from tiktune_tui.library.store.dialect import Dialect
from tiktune_tui.library.store.dialect_sqlite import SQLITE


class StoreError(TiktuneError):
    """The database cannot be used; the message says why and what to do."""


# Each entry moves the schema from version i to i+1. Append, never edit: a store that has a
# step keeps it as it was written then.
SHARED_MIGRATIONS: tuple[str, ...] = (
    """{version_table}
    CREATE TABLE songs (
        id          {key},
        music_id    TEXT NOT NULL UNIQUE,
        title       TEXT NOT NULL DEFAULT '',
        author      TEXT NOT NULL DEFAULT '',
        duration_s  {int64},
        play_url    TEXT,
        cover_url   TEXT,
        original    INTEGER,
        updated_at  {int64} NOT NULL
    );
    CREATE TABLE videos (
        id            {key},
        video_id      TEXT NOT NULL UNIQUE,
        song_id       {int64} NOT NULL REFERENCES songs(id),
        author        TEXT NOT NULL DEFAULT '',
        description   TEXT NOT NULL DEFAULT '',
        create_time   {int64},
        play_count    {int64} NOT NULL,
        digg_count    {int64} NOT NULL,
        comment_count {int64} NOT NULL,
        share_count   {int64} NOT NULL,
        fetched_at    {int64} NOT NULL,
        source        TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX videos_by_song ON videos(song_id);
    CREATE TABLE hashtags (
        id   {key},
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE video_hashtags (
        hashtag_id {int64} NOT NULL REFERENCES hashtags(id),
        video_id   {int64} NOT NULL REFERENCES videos(id),
        position   INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (hashtag_id, video_id)
    ){without_rowid};
    CREATE INDEX video_hashtags_by_video ON video_hashtags(video_id, hashtag_id);
    CREATE TABLE stats_snapshots (
        video_id      {int64} NOT NULL REFERENCES videos(id),
        fetched_at    {int64} NOT NULL,
        play_count    {int64} NOT NULL,
        digg_count    {int64} NOT NULL,
        comment_count {int64} NOT NULL,
        share_count   {int64} NOT NULL,
        PRIMARY KEY (video_id, fetched_at)
    ){without_rowid};
    CREATE TABLE tag_fetches (
        tag        TEXT PRIMARY KEY,
        fetched_at {int64} NOT NULL,
        source     TEXT NOT NULL,
        videos     {int64} NOT NULL
    );
    """,
    # 2: counts the ranking modes read on every query, kept current by triggers so that
    # no query has to count a million rows: videos per hashtag and per song, the store's
    # video total and newest fetch, and each video's first snapshot time once it has two.
    """
    ALTER TABLE hashtags ADD COLUMN videos {int64} NOT NULL DEFAULT 0;
    ALTER TABLE songs ADD COLUMN videos {int64} NOT NULL DEFAULT 0;
    ALTER TABLE videos ADD COLUMN first_fetched_at {int64};
    CREATE TABLE totals (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        videos       {int64} NOT NULL,
        newest_fetch {int64}
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
    {counter_triggers}""",
    # 3: the shortlist: songs the user saved, when, and for which query's tags. Its own
    # copy of the song, since a catalog song has no row in `songs`.
    """
    CREATE TABLE saved_songs (
        music_id   TEXT PRIMARY KEY,
        title      TEXT NOT NULL DEFAULT '',
        author     TEXT NOT NULL DEFAULT '',
        duration_s {int64},
        play_url   TEXT,
        cover_url  TEXT,
        tags       TEXT NOT NULL DEFAULT '',
        score      {real},
        play_count {int64},
        videos     {int64},
        saved_at   {int64} NOT NULL
    ){without_rowid};
    CREATE INDEX saved_songs_by_time ON saved_songs(saved_at);
    """,
    # 4: the region each video was fetched for, and each tag's last fetch per region, so
    # that a search for GB is never answered with what was fetched for the US. What was
    # fetched before came from TikTokApi's fixed default, the US.
    """
    CREATE TABLE video_regions (
        region     TEXT NOT NULL,
        video_id   {int64} NOT NULL REFERENCES videos(id),
        fetched_at {int64} NOT NULL,
        PRIMARY KEY (region, video_id)
    ){without_rowid};
    INSERT INTO video_regions (region, video_id, fetched_at)
        SELECT 'US', id, fetched_at FROM videos WHERE source = 'tiktok';
    CREATE TABLE tag_region_fetches (
        tag        TEXT NOT NULL,
        region     TEXT NOT NULL,
        fetched_at {int64} NOT NULL,
        source     TEXT NOT NULL,
        videos     {int64} NOT NULL,
        PRIMARY KEY (tag, region)
    ){without_rowid};
    INSERT INTO tag_region_fetches (tag, region, fetched_at, source, videos)
        SELECT tag, 'US', fetched_at, source, videos FROM tag_fetches WHERE source = 'tiktok';
    """,
    # 5: each sound's count of videos on all of TikTok (/api/music/detail/) and when it was
    # asked, so that "big in my niche" and "big everywhere" can be told apart offline too.
    # Keyed by TikTok's id: a catalog song (no row in `songs`) shows a figure fetched before.
    """
    CREATE TABLE song_reach (
        music_id   TEXT PRIMARY KEY,
        videos     {int64} NOT NULL,
        fetched_at {int64} NOT NULL
    ){without_rowid};
    """,
    # 6: each video's snapshot before its latest (when and its plays), kept by every write in
    # the same statement as the video's row: the rising mode reads a video's growth and the
    # niche's two latest snapshots from the videos alone, not from three snapshots a video.
    # An index of each song's videos by post date makes a song's trend an index range.
    """
    ALTER TABLE videos ADD COLUMN prev_fetched_at {int64};
    ALTER TABLE videos ADD COLUMN prev_play_count {int64};
    UPDATE videos SET prev_fetched_at = p.at, prev_play_count = p.plays
        FROM (SELECT s.video_id, s.fetched_at AS at, s.play_count AS plays
              FROM videos v JOIN stats_snapshots s ON s.video_id = v.id
              WHERE v.first_fetched_at IS NOT NULL
                AND s.fetched_at = (SELECT max(b.fetched_at) FROM stats_snapshots b
                                    WHERE b.video_id = v.id AND b.fetched_at < v.fetched_at)) AS p
        WHERE p.video_id = videos.id;
    CREATE INDEX videos_by_song_posted ON videos(song_id, create_time);
    DROP INDEX videos_by_song;
    """,
    # 7: the store's video total and newest fetch as rows of `totals` that a write adds to by
    # its transaction, summed on read (`Store.totals`), where the engine has concurrent writers
    # (PostgreSQL's queued on the one row until they committed); SQLite keeps its one row.
    """{totals_shards}""",
    # 8: every number of a video by its id, in an index that a ranking's lookups of the matching
    # videos read alone, without the video's row (its text): on PostgreSQL the columns are carried
    # besides the key (INCLUDE), on SQLite they are keys after it. Measured on the 1,000,000-video
    # bench (bench/postgres.py): a third off PostgreSQL's typical queries, SQLite's unchanged.
    """
    CREATE INDEX videos_numbers ON videos(id{include} song_id, play_count, digg_count, comment_count, share_count,
        create_time, fetched_at, first_fetched_at, prev_fetched_at, prev_play_count);
    """,
)
SCHEMA_VERSION = len(SHARED_MIGRATIONS)


def migrations(dialect: Dialect) -> tuple[str, ...]:
    """The migrations as scripts in `dialect`'s words, step for step."""
    words = dialect.ddl()
    return tuple(step.format(**words) for step in SHARED_MIGRATIONS)


# The scripts SQLite runs (tests build old stores from them).
MIGRATIONS: tuple[str, ...] = migrations(SQLITE)
