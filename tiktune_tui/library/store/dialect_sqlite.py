"""SQLite's words for what the shared SQL leaves to the engine (see `dialect.Dialect`).

The schema version lives in PRAGMA user_version, so there is no version table. Migration 2's
counters are kept by row triggers: SQLite writes a fetch one row at a time anyway.
"""

from __future__ import annotations

from tiktune_tui.library.store.dialect import PAGE_SONG_COLUMNS, Dialect, Query

# The largest LIMIT SQLite takes (a signed 64-bit integer); a larger one means "all".
MAX_LIMIT = 2**63 - 1

COUNTER_TRIGGERS = """
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
"""


class SQLiteDialect:
    """ln, log10, max of two, bare columns, untyped placeholders, LIMIT -1 for all; a ranking
    joins every grouped song to its row."""

    name = "sqlite"

    def ddl(self) -> dict[str, str]:
        return {
            "key": "INTEGER PRIMARY KEY",
            "int64": "INTEGER",
            "real": "REAL",
            "include": ",",  # no INCLUDE: the carried columns are keys after the key,
            "without_rowid": " WITHOUT ROWID",
            "version_table": "",
            "counter_triggers": COUNTER_TRIGGERS,
            # Migration 7 shards PostgreSQL's total for its concurrent writers; SQLite writes one
            # transaction at a time, and its one row is the sum that the reads take.
            "totals_shards": "",
        }

    def param(self, type_: str) -> str:
        return "?"

    def int64(self, expr: str) -> str:
        return expr

    def sum64(self, column: str) -> str:
        return f"sum({column})"

    def sum32(self, expr: str) -> str:
        return f"sum({expr})"

    def float8(self, expr: str) -> str:
        return expr

    def flag(self, condition: str) -> str:
        return f"({condition})"

    def greatest(self, *exprs: str) -> str:
        return f"max({', '.join(exprs)})"

    def bytewise(self, expr: str) -> str:
        return expr  # BINARY, SQLite's default collation

    def top(self, key: str, by: str) -> str:
        # max() is the only min/max aggregate of the select, so SQLite takes the bare `key`
        # from the row holding it. No other min()/max() may join it there.
        return f"max({by}) AS top_by, {key} AS top_id"

    def joined(self, value: str, order: str, source: str) -> str:
        # group_concat keeps the order of a subquery's rows (SQLite < 3.44 has no ORDER BY in it).
        return (
            f"(SELECT group_concat(joined_value, ' ') FROM (SELECT {value} AS joined_value {source} ORDER BY {order}))"
        )

    def limit(self, limit: int | None) -> int | None:
        return -1 if limit is None or limit > MAX_LIMIT else limit

    # SQLite's planner walks the matching videos and probes videos and songs by rowid, in
    # whatever order: a plain join is that already.

    def in_order(self, key: str, share: float) -> str:
        return ""

    def lookup(self, table: str, alias: str, condition: str, share: float) -> str:
        return f"JOIN {table} {alias} ON {condition}"

    def song(self, column: str) -> str:
        return f"s.{column}"

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
        sql = f"""ranked AS (
                SELECT {PAGE_SONG_COLUMNS}, {columns}, {song_videos} AS song_videos
                FROM {songs} p JOIN songs s ON s.id = p.song_id
            ),
            page AS (SELECT * FROM ranked WHERE matched >= ? ORDER BY {keys}, music_id LIMIT ?)"""
        return sql, [*params, least, self.limit(limit)]


SQLITE: Dialect = SQLiteDialect()
