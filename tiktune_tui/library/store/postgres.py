"""The team store: the same `Store` on a PostgreSQL server, through psycopg 3.

Everything but the connection, the schema's bookkeeping and the bulk writes is `Store`'s own
code (its queries are the shared ones in PostgreSQL's dialect, `dialect_postgres`): the shared SQL is written with `?` placeholders, which `Connection` turns into psycopg's.
A statement outside a transaction on a connection the server has closed since (a restart)
reconnects first; a write that meets a deadlock or a lost connection is run again whole
(it is one transaction of idempotent upserts, so running it twice stores it once).

Errors name the server and the database, never the password: `describe()`.
"""

from __future__ import annotations

import functools
import json
import select
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import psycopg
from psycopg import errors

from tiktune_tui.core.models import Song, Video
from tiktune_tui.library.store import is_url, schema_postgres
from tiktune_tui.library.store.database import PREVIOUS_ON_NEWER, TOTALS, Store, _checked, tag_fetch_statements
from tiktune_tui.library.store.dialect_postgres import POSTGRES
from tiktune_tui.library.store.ranking_sql import RankingSQL
from tiktune_tui.library.store.rows import epoch
from tiktune_tui.library.store.schema import SCHEMA_VERSION, StoreError

T = TypeVar("T")

# tiktune's own sessions, measured on the 1,000,000-video bench (bench/postgres.py): a ranking
# is one query of about a second, for which JIT compilation costs more than it saves; and a
# commonest-tag query sorts and hashes a few hundred thousand rows, which spill to disk at the
# default 4 MB of work_mem. work_mem is only ever raised, never lowered below the server's.
SESSION_SETTINGS = """
    SELECT set_config('jit', 'off', false),
           CASE WHEN pg_size_bytes(current_setting('work_mem')) < pg_size_bytes('64MB')
                THEN set_config('work_mem', '64MB', false) END
"""
# A write that meets a deadlock (two writers' counters) is run again, this many times at most.
WRITE_ATTEMPTS = 8
# A save of this many videos or more is a bulk load: the tables' statistics are refreshed after it.
ANALYZE_AFTER = 1000


@functools.lru_cache(maxsize=512)
def placeholders(sql: str) -> str:
    """`sql` with SQLite's `?` placeholders as psycopg's `%s`, and literal `%` doubled;
    text inside quotes is left as it is."""
    out = []
    quote = ""
    for char in sql:
        if quote:
            out.append("%%" if char == "%" else char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


def where(url: str) -> str:
    """The server and database of `url`, for messages: never the password."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the PostgreSQL store (its URL cannot be read)"
    host = str(info.get("host") or "localhost")
    port = info.get("port")
    database = info.get("dbname") or info.get("user") or "?"
    return f"database {database} on {host}{':' + str(port) if port else ''}"


def describe(exc: BaseException, url: str) -> str:
    """One line saying what went wrong with the server of `url`, without its password."""
    text = str(exc).strip()
    lowered = text.lower()
    place = where(url)
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        why = "the server refused the user name or password"
    elif "does not exist" in lowered and "database" in lowered:
        why = "the database does not exist on that server (create it, or check the URL)"
    elif "connection refused" in lowered or "no such file or directory" in lowered:
        why = "the connection was refused: is the server running, and on that host and port?"
    elif "could not translate host name" in lowered or "name or service not known" in lowered:
        why = "the server's host name is unknown"
    elif (
        isinstance(exc, errors.AdminShutdown)
        or "terminat" in lowered
        or "closed the connection" in lowered
        or "server closed" in lowered
        or "consuming input failed" in lowered
        or "connection is lost" in lowered
    ):
        why = "the server went away during the query"
    elif "timeout" in lowered:
        why = "the server did not answer in time"
    else:
        why = text.splitlines()[0] if text else type(exc).__name__
    password = psycopg.conninfo.conninfo_to_dict(url).get("password") if is_url(url) else None
    line = f"PostgreSQL {place}: {why}"
    return line.replace(str(password), "***") if password else line


# The oldest server the schema runs on: EXECUTE FUNCTION in its triggers came with PostgreSQL 11.
OLDEST_SERVER = 110000
# What a client must be allowed on each table to write what it fetches (the counter triggers
# run as the writer: they update totals, songs and hashtags); saved songs are also removed.
WRITES = {
    "songs": ("SELECT", "INSERT", "UPDATE"),
    "videos": ("SELECT", "INSERT", "UPDATE"),
    "hashtags": ("SELECT", "INSERT", "UPDATE"),
    "video_hashtags": ("SELECT", "INSERT"),
    "stats_snapshots": ("SELECT", "INSERT", "UPDATE"),
    "tag_fetches": ("SELECT", "INSERT", "UPDATE"),
    "totals": ("SELECT", "UPDATE"),
    "saved_songs": ("SELECT", "INSERT", "UPDATE", "DELETE"),
    "video_regions": ("SELECT", "INSERT", "UPDATE"),
    "tag_region_fetches": ("SELECT", "INSERT", "UPDATE"),
    "tiktune_schema": ("SELECT",),
}


@dataclass(frozen=True)
class ServerState:
    """What `tiktune doctor` reports of a PostgreSQL store: read without writing anything."""

    where: str  # the database and server, never the password
    server: str  # the server's version, as it says it
    server_number: int  # e.g. 160004
    schema: int  # 0: an empty database (the first client creates the schema)
    cannot_write: str | None  # why this role cannot store what tiktune fetches (None: it can)
    videos: int
    snapshots: int
    size: int  # bytes


def inspect_server(url: str, timeout_s: int = 5) -> ServerState:
    """Connect to the store at `url` and read its state: the server's version, the schema's,
    and whether this role may write (or, on an empty or older schema, create what is missing).
    A StoreError, one line naming the server and database, when it cannot be read."""
    place = where(url)
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=timeout_s) as db:
            found = schema_postgres.version(db, place)
            server, number = db.execute(
                "SELECT current_setting('server_version'), current_setting('server_version_num')::int"
            ).fetchone()
            cannot_write = _cannot_write(db, found)
            videos = snapshots = 0
            if found:
                videos = db.execute(TOTALS).fetchone()[0]
                snapshots = db.execute("SELECT count(*) FROM stats_snapshots").fetchone()[0]
            size = db.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    except psycopg.Error as exc:
        raise StoreError(describe(exc, url)) from None
    return ServerState(place, server, number, found, cannot_write, videos, snapshots, size)


def _cannot_write(db: psycopg.Connection, version: int) -> str | None:
    """Why the connected role cannot write the store at schema `version` (None: it can)."""
    (recovery, read_only) = db.execute(
        "SELECT pg_is_in_recovery(), current_setting('default_transaction_read_only') = 'on'"
    ).fetchone()
    if recovery:
        return "the server is a read-only standby (a replica): point the URL at the primary"
    if read_only:
        return "the role's sessions are read-only (default_transaction_read_only is on)"
    if version < SCHEMA_VERSION:
        # The first client creates the schema (or brings it up to date): it needs CREATE in the
        # schema, and to own the tables a migration alters.
        (create, owner) = db.execute(
            "SELECT has_schema_privilege(current_schema(), 'CREATE'),"
            " coalesce(bool_and(pg_has_role(c.relowner, 'USAGE')), true)"
            " FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"
        ).fetchone()
        if not create:
            return f"the role may not create tables in schema {db.execute('SELECT current_schema()').fetchone()[0]}"
        if not owner:
            return "the role does not own the store's tables, which the schema upgrade alters"
        if version == 0:
            return None
    pairs = [(table, privilege) for table, privileges in WRITES.items() for privilege in privileges]
    denied = db.execute(
        "SELECT DISTINCT t FROM unnest(%s::text[], %s::text[]) AS u(t, p)"
        " WHERE to_regclass(t) IS NOT NULL AND NOT has_table_privilege(t, p) ORDER BY t",
        ([t for t, _ in pairs], [p for _, p in pairs]),
    ).fetchall()
    missing = [table for (table,) in denied]
    if missing:
        return f"the role may not write the tables {', '.join(missing)}"
    return None


class Connection:
    """The psycopg connection as the shared Store code uses SQLite's: execute and executemany
    with `?`, results to fetch or iterate. Reconnects once when a statement outside a
    transaction finds the connection gone."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn = self._connect()
        self.in_transaction = False

    def _connect(self) -> psycopg.Connection:
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
            conn.execute(SESSION_SETTINGS)
            return conn
        except psycopg.Error as exc:
            raise StoreError(f"cannot open the store: {describe(exc, self.url)}") from None

    def reconnect(self) -> None:
        try:
            self.conn.close()
        except psycopg.Error:
            pass
        self.conn = self._connect()

    def stale(self) -> bool:
        """Whether the idle connection is gone: closed, or its socket has something to read
        (the server's goodbye or end of file; an idle session is sent nothing else)."""
        if self.conn.closed:
            return True
        try:
            readable, _, _ = select.select([self.conn.fileno()], [], [], 0)
        except (OSError, ValueError, psycopg.Error):
            return True
        return bool(readable)

    def execute(self, sql: str, params: Sequence[object] = ()) -> psycopg.Cursor:
        # A server restarted since the last statement: reconnect once, before sending. A
        # connection lost while a statement runs is an error (the caller says it in one line).
        if not self.in_transaction and self.stale():
            self.reconnect()
        query = placeholders(sql) if params else sql
        return self.conn.execute(query, list(params) if params else None)

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        rows = list(rows)
        if rows:
            with self.conn.cursor() as cursor:
                cursor.executemany(placeholders(sql), rows)

    def execute_script(self, statements: Sequence[tuple[str, Sequence[object]]]) -> None:
        """`statements`, their parameters bound here (psycopg quotes them), sent as one message:
        the server runs them as one implicit transaction (all or nothing), without waiting on
        this client between them. Outside a transaction only."""
        if self.stale():
            self.reconnect()
        binder = psycopg.ClientCursor(self.conn)
        self.conn.execute(";\n".join(binder.mogrify(placeholders(sql), list(params)) for sql, params in statements))

    def close(self) -> None:
        self.conn.close()


class PostgresStore(Store):
    """`Store` on the PostgreSQL database at `url` (any libpq URL, sslmode and all)."""

    ranking_sql: RankingSQL = RankingSQL(POSTGRES)

    def __init__(self, url: str) -> None:  # noqa: D107 - Store's __init__ is SQLite's; not called
        self.url = url
        self.path = where(url)  # what the shared messages name: "reading {path} failed"
        self.read_only = None
        self._lock = threading.RLock()
        self._db = Connection(url)  # type: ignore[assignment]
        try:
            schema_postgres.migrate(self._db.conn, self.path)
        except psycopg.Error as exc:
            self._db.close()
            raise StoreError(f"cannot prepare the store: {describe(exc, url)}") from None
        except BaseException:
            self._db.close()
            raise

    def __repr__(self) -> str:
        return f"PostgresStore({self.path})"

    @property
    def schema_version(self) -> int:
        with self._read() as db:
            return db.execute("SELECT version FROM tiktune_schema").fetchone()[0]

    @contextmanager
    def _transaction(self, own: bool = False) -> Iterator[Connection]:  # type: ignore[override]
        """A transaction on the connection (`own`: none, the body's one message is its own)."""
        with self._lock:
            db: Connection = self._db  # type: ignore[assignment]
            if own:
                yield db
                return
            if db.stale():
                db.reconnect()
            db.in_transaction = True
            try:
                with db.conn.transaction():
                    yield db
            finally:
                db.in_transaction = False

    @contextmanager
    def _read(self) -> Iterator[Connection]:  # type: ignore[override]
        with self._lock:
            try:
                yield self._db  # type: ignore[misc]
            except psycopg.Error as exc:
                raise StoreError(f"reading the store failed: {describe(exc, self.url)}") from None

    @contextmanager
    def _write(self) -> Iterator[Connection]:  # type: ignore[override]
        try:
            with self._transaction() as db:
                yield db
        except psycopg.Error as exc:
            raise StoreError(f"writing the store failed, nothing was saved: {describe(exc, self.url)}") from None

    def _write_all(self, body: Callable[[Connection], T], own: bool = False) -> T:  # type: ignore[override]
        """`body` in one transaction (`own`: the body sends one execute_script, a transaction of
        its own), run again after a deadlock or a lost connection."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self._transaction(own) as db:
                    return body(db)
            except (errors.DeadlockDetected, errors.SerializationFailure):
                if attempt == WRITE_ATTEMPTS:
                    raise StoreError(
                        f"writing the store failed, nothing was saved: {where(self.url)}: other writers kept it locked"
                    ) from None
            except psycopg.OperationalError as exc:
                if attempt > 1 or not self._db.conn.closed:  # type: ignore[attr-defined]
                    raise StoreError(
                        f"writing the store failed, nothing was saved: {describe(exc, self.url)}"
                    ) from None
            except psycopg.Error as exc:
                raise StoreError(f"writing the store failed, nothing was saved: {describe(exc, self.url)}") from None
        raise AssertionError("unreachable")

    def save_videos(
        self,
        videos: Iterable[Video],
        *,
        fetched_at: datetime | None = None,
        source: str = "",
        region: str | None = None,
        tag_fetches: Mapping[str, int] | None = None,
    ) -> int:
        """Store.save_videos as a few set-based statements sent as one message, a transaction of
        its own (Connection.execute_script): one round trip, and the transaction's locks are
        never held while this client works or waits for a core. Each statement's rows are one
        JSON parameter (the json module is far quicker than adapting lists to arrays); each
        statement finds the rows the ones before it stored by their TikTok ids (a new statement
        sees them), so none needs an answer back. The same upserts, the same rules; the
        counters' hot rows (the hashtags') are updated last."""
        now = epoch(fetched_at or datetime.now(UTC))
        unique = {video.id: video for video in videos}
        for video in unique.values():
            _checked(video.stats, video.id)
        songs: dict[str, Song] = {}
        for video in unique.values():
            songs.setdefault(video.song.id, video.song)
        rows = list(unique.values())  # in the order given: see VIDEOS_UPSERT
        stats = [[v.id, v.stats.play, v.stats.digg, v.stats.comment, v.stats.share] for v in rows]
        tagged = sorted([v.id, tag, i] for v in rows for i, tag in enumerate(v.hashtags))
        statements: list[tuple[str, Sequence[object]]] = [
            (HASHTAGS_INSERT, [_json(sorted({tag for _, tag, _ in tagged}))]),
            (
                SONGS_UPSERT,
                [
                    now,
                    _json(
                        [
                            [s.id, s.title, s.author, s.duration_s, s.play_url, s.cover_url]
                            + [None if s.original is None else int(s.original)]
                            for s in (songs[key] for key in sorted(songs))  # one lock order for every writer
                        ]
                    ),
                ],
            ),
            (
                VIDEOS_UPSERT,
                [
                    now,
                    source,
                    _json(
                        [
                            [v.id, v.song.id, v.author, v.description, epoch(v.create_time), *s[1:]]
                            for v, s in zip(rows, stats, strict=True)
                        ]
                    ),
                ],
            ),
            (PREVIOUS_ON_OLDER_ALL, [now, _json(stats), now, now]),  # older fetches: only their snapshots
            (SNAPSHOTS_UPSERT, [now, _json(stats)]),
        ]
        if region:
            statements.append((REGIONS_UPSERT, [region, now, _json([v.id for v in rows])]))
        if tagged:
            statements.append((VIDEO_HASHTAGS_INSERT, [_json(tagged)]))

        if not unique:
            statements.clear()
        for tag, count in sorted((tag_fetches or {}).items()):
            statements += tag_fetch_statements(tag, count, source, now, region)
        if statements:
            self._write_all(lambda db: db.execute_script(statements), own=True)
        if len(unique) >= ANALYZE_AFTER:
            # A bulk load (an import, a copy) into tables the planner has no statistics of yet gets
            # nested loops over thousands of rows; autovacuum would analyse them only later.
            with self._read() as db:
                db.execute("ANALYZE songs, videos, hashtags, video_hashtags, stats_snapshots")
        return len(unique)

    def checkpoint_in_background(self) -> None:
        """The server runs its checkpoints apart from the clients' commits already."""

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _json(rows: object) -> str:
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


# Each statement's rows arrive as a JSON array of arrays; `r->>0` is a row's first field as text.
# Only the tags not stored yet: a stored tag's row that another writer's counter is updating
# would hold the insert's conflict check until that writer commits.
HASHTAGS_INSERT = """
    INSERT INTO hashtags (name) SELECT j.value FROM json_array_elements_text(?::json) j
    WHERE NOT EXISTS (SELECT 1 FROM hashtags h WHERE h.name = j.value)
    ON CONFLICT DO NOTHING
"""
SONGS_UPSERT = """
    INSERT INTO songs (music_id, title, author, duration_s, play_url, cover_url, original, updated_at)
    SELECT r->>0, r->>1, r->>2, (r->>3)::bigint, r->>4, r->>5, (r->>6)::int, ?::bigint FROM json_array_elements(?::json) r
    ON CONFLICT (music_id) DO UPDATE SET
        title = CASE WHEN excluded.title <> '' THEN excluded.title ELSE songs.title END,
        author = CASE WHEN excluded.author <> '' THEN excluded.author ELSE songs.author END,
        duration_s = coalesce(excluded.duration_s, songs.duration_s),
        play_url = coalesce(excluded.play_url, songs.play_url),
        cover_url = coalesce(excluded.cover_url, songs.cover_url),
        original = coalesce(excluded.original, songs.original),
        updated_at = excluded.updated_at
"""
# In the order given (WITH ORDINALITY): a new video's row id says when it was stored, the newest
# the largest, as related_tags' sample reads them. Writers of overlapping fetches in opposite
# orders may deadlock on the videos: the write is run again (_write_all).
VIDEOS_UPSERT = f"""
    INSERT INTO videos (video_id, song_id, author, description, create_time, play_count, digg_count,
                        comment_count, share_count, fetched_at, source)
    SELECT r->>0, s.id, r->>2, r->>3, (r->>4)::bigint, (r->>5)::bigint, (r->>6)::bigint, (r->>7)::bigint,
           (r->>8)::bigint, ?::bigint, ?::text
    FROM json_array_elements(?::json) WITH ORDINALITY AS u(r, n)
    JOIN songs s ON s.music_id = r->>1
    ORDER BY u.n
    ON CONFLICT (video_id) DO UPDATE SET
        song_id = excluded.song_id,
        author = CASE WHEN excluded.author <> '' THEN excluded.author ELSE videos.author END,
        description = CASE WHEN excluded.description <> '' THEN excluded.description ELSE videos.description END,
        create_time = coalesce(excluded.create_time, videos.create_time),
        play_count = excluded.play_count, digg_count = excluded.digg_count,
        comment_count = excluded.comment_count, share_count = excluded.share_count,
        fetched_at = excluded.fetched_at, source = excluded.source,
        {PREVIOUS_ON_NEWER}
    WHERE excluded.fetched_at >= videos.fetched_at
"""
# PREVIOUS_ON_OLDER for every video of the fetch at once, after the upsert: it changes only the
# rows the upsert left alone, those whose stored fetch is newer than this one.
PREVIOUS_ON_OLDER_ALL = """
    UPDATE videos v SET prev_fetched_at = ?::bigint, prev_play_count = (r->>1)::bigint
    FROM json_array_elements(?::json) r
    WHERE v.video_id = r->>0 AND v.fetched_at > ?::bigint
      AND (v.prev_fetched_at IS NULL OR v.prev_fetched_at <= ?::bigint)
"""
SNAPSHOTS_UPSERT = """
    INSERT INTO stats_snapshots (video_id, fetched_at, play_count, digg_count, comment_count, share_count)
    SELECT v.id, ?::bigint, (r->>1)::bigint, (r->>2)::bigint, (r->>3)::bigint, (r->>4)::bigint
    FROM json_array_elements(?::json) r JOIN videos v ON v.video_id = r->>0
    ON CONFLICT (video_id, fetched_at) DO UPDATE SET
        play_count = excluded.play_count, digg_count = excluded.digg_count,
        comment_count = excluded.comment_count, share_count = excluded.share_count
"""
REGIONS_UPSERT = """
    INSERT INTO video_regions (region, video_id, fetched_at)
    SELECT ?::text, v.id, ?::bigint FROM json_array_elements_text(?::json) r JOIN videos v ON v.video_id = r.value
    ON CONFLICT (region, video_id) DO UPDATE SET fetched_at = greatest(video_regions.fetched_at, excluded.fetched_at)
"""
# Last before the commit: its counter trigger updates the hashtags' rows that every writer shares.
VIDEO_HASHTAGS_INSERT = """
    INSERT INTO video_hashtags (hashtag_id, video_id, position)
    SELECT h.id, v.id, (r->>2)::int
    FROM json_array_elements(?::json) WITH ORDINALITY AS u(r, n)
    JOIN videos v ON v.video_id = r->>0 JOIN hashtags h ON h.name = r->>1
    ORDER BY u.n
    ON CONFLICT DO NOTHING
"""
