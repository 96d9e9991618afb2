"""PostgreSQL's words for what the shared SQL leaves to the engine (see `dialect.Dialect`).

The schema version lives in a one-row table `tiktune_schema`. Migration 2's counters are kept
by statement-level triggers over transition tables: one set-based update per statement (the
store writes a fetch in a few statements over arrays), not one per row.
"""

from __future__ import annotations

from tiktune_tui.library.store.dialect import PAGE_SONG_COLUMNS, Dialect, Query
from tiktune_tui.library.store.dialect_sqlite import MAX_LIMIT

VERSION_TABLE = """
    CREATE TABLE tiktune_schema (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
    );
    INSERT INTO tiktune_schema (id, version) VALUES (1, 0);
"""

# The counters' updates that migration 2's triggers make and migration 7's make again.
HASHTAGS_ADDED = """\
        UPDATE hashtags h SET videos = h.videos + n.added
        FROM (SELECT hashtag_id, count(*) AS added FROM new_rows GROUP BY hashtag_id) n
        WHERE h.id = n.hashtag_id;
"""
SONGS_ADDED = """\
            UPDATE songs s SET videos = s.videos + n.added
            FROM (SELECT song_id, count(*) AS added FROM new_rows GROUP BY song_id) n
            WHERE s.id = n.song_id;
"""
SONGS_MOVED = """\
            UPDATE songs s SET videos = s.videos + c.change
            FROM (SELECT song_id, sum(change) AS change FROM (
                      SELECT o.song_id, -1 AS change FROM old_rows o JOIN new_rows n ON n.id = o.id
                      WHERE o.song_id <> n.song_id
                      UNION ALL
                      SELECT n.song_id, 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                      WHERE o.song_id <> n.song_id) moves
                  GROUP BY song_id) c
            WHERE s.id = c.song_id;
"""

COUNTER_TRIGGERS = f"""
    CREATE FUNCTION tiktune_hashtag_videos_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
{HASHTAGS_ADDED}        RETURN NULL;
    END $$;
    CREATE TRIGGER hashtag_videos_count AFTER INSERT ON video_hashtags
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiktune_hashtag_videos_count();
    CREATE FUNCTION tiktune_videos_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_rows) THEN
            UPDATE totals SET videos = videos + (SELECT count(*) FROM new_rows),
                              newest_fetch = greatest(newest_fetch, (SELECT max(fetched_at) FROM new_rows));
{SONGS_ADDED}        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER videos_count AFTER INSERT ON videos
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiktune_videos_count();
    CREATE FUNCTION tiktune_videos_refetched() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_rows) THEN
            UPDATE totals SET newest_fetch = greatest(newest_fetch, (SELECT max(fetched_at) FROM new_rows))
            WHERE newest_fetch IS NULL OR newest_fetch < (SELECT max(fetched_at) FROM new_rows);
{SONGS_MOVED}        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER videos_refetched AFTER UPDATE ON videos
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION tiktune_videos_refetched();
    CREATE FUNCTION tiktune_snapshot_first() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE videos v SET first_fetched_at = f.first
        FROM (SELECT s.video_id, min(s.fetched_at) AS first FROM stats_snapshots s
              WHERE s.video_id IN (SELECT video_id FROM new_rows)
              GROUP BY s.video_id HAVING count(*) > 1) f
        WHERE v.id = f.video_id AND v.first_fetched_at IS DISTINCT FROM f.first;
        RETURN NULL;
    END $$;
    CREATE TRIGGER snapshot_first AFTER INSERT ON stats_snapshots
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiktune_snapshot_first();
"""

# Migration 7: the video total in TOTAL_SHARDS rows, each write adding to the row of its
# transaction's id, summed on read. One row was a lock that every concurrent writer queued on
# from its videos' insert to its commit. A refetch moves its shard's newest fetch only when it
# is newer than the store's (the other shards are read, not locked). And the hashtags' counts,
# rows that every writer of a niche shares (#fyp), are locked in one order, by id: writers of
# the same tags queue there instead of deadlocking (which costs a second's wait and a retry).
TOTAL_SHARDS = 64
TOTALS_SHARDS = f"""
    CREATE OR REPLACE FUNCTION tiktune_hashtag_videos_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM hashtags WHERE id IN (SELECT hashtag_id FROM new_rows) ORDER BY id FOR NO KEY UPDATE;
{HASHTAGS_ADDED}        RETURN NULL;
    END $$;
    ALTER TABLE totals DROP CONSTRAINT totals_id_check;
    ALTER TABLE totals ADD CONSTRAINT totals_shard CHECK (id BETWEEN 1 AND {TOTAL_SHARDS});
    INSERT INTO totals (id, videos, newest_fetch) SELECT shard, 0, NULL FROM generate_series(2, {TOTAL_SHARDS}) shard;
    CREATE OR REPLACE FUNCTION tiktune_videos_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_rows) THEN
            UPDATE totals SET videos = videos + (SELECT count(*) FROM new_rows),
                              newest_fetch = greatest(newest_fetch, (SELECT max(fetched_at) FROM new_rows))
            WHERE id = 1 + txid_current() % {TOTAL_SHARDS};
{SONGS_ADDED}        END IF;
        RETURN NULL;
    END $$;
    CREATE OR REPLACE FUNCTION tiktune_videos_refetched() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_rows) THEN
            UPDATE totals SET newest_fetch = greatest(newest_fetch, (SELECT max(fetched_at) FROM new_rows))
            WHERE id = 1 + txid_current() % {TOTAL_SHARDS}
              AND coalesce((SELECT max(t.newest_fetch) FROM totals t), -1) < (SELECT max(fetched_at) FROM new_rows);
{SONGS_MOVED}        END IF;
        RETURN NULL;
    END $$;
"""


# The low 31 bits of a bigint (top's packed pairs).
LOW = 2**31 - 1
# Below this share of a table's rows, a lookup probes its index row by row (`lookup`).
LOOKUP_SHARE = 0.1


class PostgresDialect:
    """greatest(), casts where PostgreSQL would widen or guess (sums of bigints are numeric,
    a bare `?` has no type), an ordered array_agg for SQLite's bare column, byte-wise order
    (COLLATE "C") as SQLite orders text, LIMIT NULL for all. Placeholders are written `?`
    here too; the store's connection adapts them."""

    name = "postgresql"

    def ddl(self) -> dict[str, str]:
        return {
            "key": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "int64": "BIGINT",
            "real": "DOUBLE PRECISION",
            "include": ") INCLUDE (",
            "without_rowid": "",
            "version_table": VERSION_TABLE,
            "counter_triggers": COUNTER_TRIGGERS,
            "totals_shards": TOTALS_SHARDS,
        }

    def param(self, type_: str) -> str:
        return f"?::{type_}"

    def int64(self, expr: str) -> str:
        return f"({expr})::bigint"

    def sum64(self, column: str) -> str:
        # sum(bigint) keeps a 128-bit state and ends in numeric, several times the cost of
        # sum(integer)'s bigint one: the column is summed as two 31-bit halves instead, exact
        # for any value below 2**62 (a larger one fails the cast, as a larger sum the product).
        return f"(sum(({column} >> 31)::int) * 2147483648 + sum(({column} & 2147483647)::int))"

    def sum32(self, expr: str) -> str:
        return f"sum(({expr})::int)"

    def float8(self, expr: str) -> str:
        return f"({expr})::float8"

    def flag(self, condition: str) -> str:
        return f"({condition})::int"

    def greatest(self, *exprs: str) -> str:
        return f"greatest({', '.join(exprs)})"

    def bytewise(self, expr: str) -> str:
        return f'{expr} COLLATE "C"'

    def top(self, key: str, by: str) -> str:
        # The largest (by, -key) pair, the smallest key on a tie, as max() of one bigint where
        # the pair fits (by below 2**32, key below 2**31: by in the high bits, the key's
        # complement in the low 31), of arrays for the other rows (an array per row costs a
        # tenth of a typical ranking); the larger of the two wins. PostgreSQL computes each
        # repeated aggregate once. max() keeps the aggregate a hashed one, where an ordered
        # array_agg would sort every group.
        fits = f"{by} BETWEEN 0 AND {2**32 - 1} AND {key} BETWEEN 0 AND {LOW}"
        packed = f"max(CASE WHEN {fits} THEN {by} * {LOW + 1} + ({LOW} - {key}) END)"
        wide = f"max(CASE WHEN NOT ({fits}) THEN ARRAY[{by}, -{key}] END)"
        unpacked = f"{LOW} - ({packed} & {LOW})"
        return (
            f"CASE WHEN {wide} IS NULL THEN {unpacked}"
            f" WHEN {packed} IS NULL OR {wide} > ARRAY[{packed} >> 31, ({packed} & {LOW}) - {LOW}] THEN -({wide})[2]"
            f" ELSE {unpacked} END AS top_id"
        )

    def joined(self, value: str, order: str, source: str) -> str:
        return f"(SELECT string_agg({value}, ' ' ORDER BY {order}) {source})"

    def limit(self, limit: int | None) -> int | None:
        return None if limit is None or limit > MAX_LIMIT else limit

    # A ranking's cost on PostgreSQL is its row lookups (measured on the 1,000,000-video bench,
    # bench/postgres.py). Its planner would hash the matching videos against a scan of every
    # video, and join every grouped song for the page's tie-break; instead the videos of tags
    # holding a small share of the store are probed by primary key in key order (a lateral
    # subquery it cannot flatten into a hash join), and the songs' rows are read for the page's
    # rows only. Tags on much of the store (the commonest) are joined as the planner likes: a
    # scan of every video, in parallel, beats probing 40% of them one by one.

    def in_order(self, key: str, share: float) -> str:
        return f"ORDER BY {key}" if share < LOOKUP_SHARE else ""

    def lookup(self, table: str, alias: str, condition: str, share: float) -> str:
        if share >= LOOKUP_SHARE:
            return f"JOIN {table} {alias} ON {condition}"
        return f"CROSS JOIN LATERAL (SELECT * FROM {table} {alias} WHERE {condition} OFFSET 0) {alias}"

    def song(self, column: str) -> str:
        return f"(SELECT s.{column} FROM songs s WHERE s.id = p.song_id)"

    def page(
        self,
        columns: Query,
        song_videos: str,
        keys: str,
        least: int,
        limit: int | None,
        songs: str = "per_song",
    ) -> Query:
        columns, params = columns
        # The first `limit` rows by `keys` and all rows tied with the last of them hold the page
        # whatever the songs' ids: only those are joined to their songs for the tie-break. The
        # last of them (`cut`) is found by a sort that keeps `limit` rows, not by FETCH FIRST
        # ... WITH TIES, which sorts every song (a twentieth of a typical ranking); the tied
        # rows are those whose keys are at or above its keys (all descending: tuple order).
        page = f"""page AS (
                SELECT {PAGE_SONG_COLUMNS}, p.*,
                       {song_videos} AS song_videos
                FROM tied p JOIN songs s ON s.id = p.song_id
                ORDER BY {keys}, {self.bytewise("s.music_id")} LIMIT ?
            )"""
        ranked = f"ranked AS (SELECT p.song_id, {columns} FROM {songs} p)"
        if self.limit(limit) is None or limit < 1:
            tied = "tied AS (SELECT * FROM ranked WHERE matched >= ?)"
            return f"{ranked},\n            {tied},\n            {page}", [*params, least, self.limit(limit)]
        assert all(key.endswith(" DESC") for key in keys.split(", ")), keys
        names = [key.removesuffix(" DESC") for key in keys.split(", ")]
        row = ", ".join(f"c.{name}" for name in names)
        sql = f"""{ranked},
            cut AS (
                SELECT {row} FROM (SELECT {columns} FROM {songs} p) c WHERE c.matched >= ?
                ORDER BY {keys} LIMIT 1 OFFSET ?::bigint
            ),
            tied AS (
                SELECT * FROM ranked c
                WHERE c.matched >= ? AND (NOT EXISTS (SELECT 1 FROM cut) OR ({row}) >= (SELECT {row} FROM cut c))
            ),
            {page}"""
        return sql, [*params, *params, least, limit - 1, least, limit]


POSTGRES: Dialect = PostgresDialect()
