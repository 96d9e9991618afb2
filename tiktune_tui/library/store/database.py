"""tiktune's own database: every video and song ever fetched, with stats history.

SQLite in WAL mode. Every write is one transaction, so a crash leaves either the
whole fetch or none of it. The schema is in `schema` (its checks on SQLite in `schema_sqlite`),
the ranking SQL in `ranking_sql`, rows to models in `rows`; this module holds the connection, the
reads and the writes.

A store this user may not write (a read-only file or folder, a read-only disk) is
opened read-only: searches read it, and each write says that writes are off and why.

It is over 500 lines because both engines share it: the PostgreSQL store subclasses `Store` and
overrides only the connection and the SQL dialect, so the reads and writes must stay in one class.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from tiktune_tui.core.models import MAX_COUNT, Song, Stats, Video
from tiktune_tui.core.results import SongRank
from tiktune_tui.core.weights import DEFAULT_WEIGHTS, Weights
from tiktune_tui.library.store import schema_sqlite
from tiktune_tui.library.store.checkpoints import COMMIT_CHECKPOINT_PAGES, BackgroundCheckpoints
from tiktune_tui.library.store.dialect_sqlite import SQLITE
from tiktune_tui.library.store.ranking_sql import RankingSQL
from tiktune_tui.library.store.reach import SongReachMixin
from tiktune_tui.library.store.rows import (
    epoch,
    moment,
    song_from,
    videos_from,
)
from tiktune_tui.library.store.saved import SavedSongsMixin
from tiktune_tui.library.store.schema import SCHEMA_VERSION, StoreError
from tiktune_tui.library.store.transfer import TransferMixin

if TYPE_CHECKING:
    from tiktune_tui.core.modes import Corpus
    from tiktune_tui.core.rising import RisingWindow
    from tiktune_tui.core.trend import SongTrend

T = TypeVar("T")
SQLITE_MAX_INT = MAX_COUNT
# A video's snapshot before its latest (schema 6), kept in the statement that moves its row on:
# a newer fetch makes the row's latest the previous one (SET reads the row as it was); a fetch
# older than the latest but newer than the previous one (a copy, a late save) takes its place.
PREVIOUS_ON_NEWER = """prev_fetched_at = CASE WHEN excluded.fetched_at > videos.fetched_at
                            THEN videos.fetched_at ELSE videos.prev_fetched_at END,
        prev_play_count = CASE WHEN excluded.fetched_at > videos.fetched_at
                            THEN videos.play_count ELSE videos.prev_play_count END"""
# Parameters: the older fetch's time and plays, the video's row id, the time twice more.
PREVIOUS_ON_OLDER = (
    "UPDATE videos SET prev_fetched_at = ?, prev_play_count = ? WHERE id = ? AND fetched_at > ?"
    " AND (prev_fetched_at IS NULL OR prev_fetched_at <= ?)"
)
# The store's video total and newest fetch: the sum of `totals`' rows (migration 7).
TOTALS = "SELECT CAST(sum(videos) AS BIGINT), max(newest_fetch) FROM totals"
# Related tags of a tag on more videos than this are estimated from a sample (related_tags).
RELATED_SAMPLE = 20_000


def tag_fetch_statements(
    tag: str, videos: int, source: str, when: int | None, region: str | None
) -> list[tuple[str, tuple[object, ...]]]:
    """The statements (with their parameters) recording that `tag` was fetched whole."""
    statements: list[tuple[str, tuple[object, ...]]] = [
        (
            "INSERT INTO tag_fetches (tag, fetched_at, source, videos) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (tag) DO UPDATE SET fetched_at = excluded.fetched_at, source = excluded.source,"
            " videos = excluded.videos",
            (tag, when, source, videos),
        )
    ]
    if region:
        statements.append(
            (
                "INSERT INTO tag_region_fetches (tag, region, fetched_at, source, videos)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (tag, region) DO UPDATE SET"
                " fetched_at = excluded.fetched_at, source = excluded.source, videos = excluded.videos",
                (tag, region, when, source, videos),
            )
        )
    return statements


def _checked(stats: Stats, video_id: str) -> Stats:
    for name, value in stats.as_dict().items():
        if not 0 <= value <= SQLITE_MAX_INT:
            raise StoreError(f"video {video_id}: {name} count {value} cannot be stored")
    return stats


def why_read_only(path: Path) -> str | None:
    """Why this user cannot write the store at `path` (None: they can). WAL needs to
    create files beside the database, so its folder must be writable too. os.access
    answers for the real user and for a read-only file system (EROFS)."""
    if path.exists() and not os.access(path, os.W_OK):
        return f"the file {path} is read-only"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"its folder {path.parent} is read-only"
    return None


def _uri(path: Path, **options: str) -> str:
    from urllib.parse import quote

    query = "&".join(f"{key}={value}" for key, value in options.items())
    return f"file:{quote(str(path.resolve()))}?{query}"


class Store(SavedSongsMixin, SongReachMixin, TransferMixin):
    """One SQLite file. Safe to share between threads: calls are serialised."""

    # The store's queries in the engine's dialect; everything else of the Store is written once.
    ranking_sql: RankingSQL = RankingSQL(SQLITE)
    _checkpoints: BackgroundCheckpoints | None = None

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise StoreError(
                f"cannot open the database {self.path}: a file is in the way of its folder "
                f"{self.path.parent}; choose another --data-dir"
            ) from None
        except OSError as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc.strerror or exc}") from None
        # Why writes are off (None when they are on): said once by whoever shows the store.
        self.read_only: str | None = why_read_only(self.path)
        if self.read_only is not None:
            if not self.path.exists():
                raise StoreError(f"cannot create the database {self.path}: {self.read_only}; choose another --data-dir")
            self._db = self._open_read_only()
            return
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from None
        try:
            # Checked before anything is written: another application's file stays as it was.
            schema_sqlite.migrate(self._db, self.path, schema_sqlite.check(self._db, self.path))
        except BaseException:
            self._db.close()
            raise

    def _open_read_only(self) -> sqlite3.Connection:
        """The store, read-only. mode=ro reads a WAL store only if its -shm file exists or
        can be created; failing that, immutable=1 reads the file as it is (nobody can be
        writing it: this user cannot, and its folder does not take new files)."""
        problem: Exception | None = None
        for options in ({"mode": "ro"}, {"mode": "ro", "immutable": "1"}):
            try:
                db = sqlite3.connect(
                    _uri(self.path, **options), uri=True, check_same_thread=False, isolation_level=None, timeout=10
                )
            except (OSError, sqlite3.Error) as exc:
                problem = exc
                continue
            try:
                version = schema_sqlite.check(db, self.path)
            except StoreError as exc:
                db.close()
                problem = exc
                continue
            if version != SCHEMA_VERSION:
                db.close()
                raise StoreError(
                    f"{self.path} needs upgrading to schema {SCHEMA_VERSION} (it has {version}) but "
                    f"{self.read_only}; {schema_sqlite.UNTOUCHED}"
                )
            return db
        if isinstance(problem, StoreError):
            raise problem
        raise StoreError(f"cannot open the database {self.path} read-only ({problem}); {schema_sqlite.UNTOUCHED}")

    def checkpoint_in_background(self) -> None:
        """Keep the WAL's checkpoints out of this store's commits (checkpoints.py): for a store
        whose writes a user waits on, one at a time."""
        if self.read_only is None and self._checkpoints is None:
            with self._lock:
                self._db.execute(f"PRAGMA wal_autocheckpoint={COMMIT_CHECKPOINT_PAGES}").fetchall()
                self._checkpoints = BackgroundCheckpoints(self.path)

    def close(self) -> None:
        with self._lock:
            if self._checkpoints is not None:
                self._checkpoints.wait()
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._read() as db:
            return db.execute("PRAGMA user_version").fetchone()[0]

    # -- plumbing -----------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            if self._checkpoints is not None:
                self._checkpoints.after_commit()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"reading {self.path} failed: {exc}") from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self.read_only is not None:
            # The reason names the file; the path said first would push it past a cut-off line.
            raise StoreError(f"writes are off, nothing was saved: {self.read_only}")
        try:
            with self._transaction() as db:
                yield db
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"writing {self.path} failed, nothing was saved: {exc}") from None

    def _write_all(self, body: Callable[[sqlite3.Connection], T]) -> T:
        """`body` in one write transaction (an engine may run it again: it must be idempotent)."""
        with self._write() as db:
            return body(db)

    # -- writes -------------------------------------------------------------------

    def save_videos(
        self,
        videos: Iterable[Video],
        *,
        fetched_at: datetime | None = None,
        source: str = "",
        region: str | None = None,
        tag_fetches: Mapping[str, int] | None = None,
    ) -> int:
        """Upsert videos, their songs and hashtags, and add a stats snapshot each.

        `region`: the country TikTok was asked for; the video is then found by searches of it.
        `tag_fetches`: tags fetched whole (tag -> videos), recorded as record_tag_fetch does.
        All or nothing: one transaction. Returns the number of distinct videos saved.
        """
        now = epoch(fetched_at or datetime.now(UTC))
        unique = {video.id: video for video in videos}

        def store(db) -> None:
            song_ids: dict[str, int] = {}
            for video in unique.values():
                song = video.song
                if song.id not in song_ids:
                    song_ids[song.id] = db.execute(
                        """
                        INSERT INTO songs (music_id, title, author, duration_s, play_url,
                                           cover_url, original, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(music_id) DO UPDATE SET
                            title = CASE WHEN excluded.title <> '' THEN excluded.title ELSE songs.title END,
                            author = CASE WHEN excluded.author <> '' THEN excluded.author ELSE songs.author END,
                            duration_s = coalesce(excluded.duration_s, songs.duration_s),
                            play_url = coalesce(excluded.play_url, songs.play_url),
                            cover_url = coalesce(excluded.cover_url, songs.cover_url),
                            original = coalesce(excluded.original, songs.original),
                            updated_at = excluded.updated_at
                        RETURNING id
                        """,
                        (
                            song.id,
                            song.title,
                            song.author,
                            song.duration_s,
                            song.play_url,
                            song.cover_url,
                            None if song.original is None else int(song.original),
                            now,
                        ),
                    ).fetchone()[0]
            tag_ids = self._hashtag_ids(db, {tag for v in unique.values() for tag in v.hashtags})
            for video in unique.values():
                stats = _checked(video.stats, video.id)
                row_id = db.execute(
                    f"""
                    INSERT INTO videos (video_id, song_id, author, description, create_time,
                                        play_count, digg_count, comment_count, share_count,
                                        fetched_at, source)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(video_id) DO UPDATE SET
                        song_id = excluded.song_id,
                        author = CASE WHEN excluded.author <> '' THEN excluded.author ELSE videos.author END,
                        description = CASE WHEN excluded.description <> '' THEN excluded.description
                                           ELSE videos.description END,
                        create_time = coalesce(excluded.create_time, videos.create_time),
                        play_count = excluded.play_count,
                        digg_count = excluded.digg_count,
                        comment_count = excluded.comment_count,
                        share_count = excluded.share_count,
                        fetched_at = excluded.fetched_at,
                        source = excluded.source,
                        {PREVIOUS_ON_NEWER}
                    WHERE excluded.fetched_at >= videos.fetched_at
                    RETURNING id
                    """,
                    (
                        video.id,
                        song_ids[video.song.id],
                        video.author,
                        video.description,
                        epoch(video.create_time),
                        stats.play,
                        stats.digg,
                        stats.comment,
                        stats.share,
                        now,
                        source,
                    ),
                ).fetchone()
                if row_id is None:  # an older fetch than what we hold: keep only its snapshot
                    row_id = db.execute("SELECT id FROM videos WHERE video_id = ?", (video.id,)).fetchone()
                    db.execute(PREVIOUS_ON_OLDER, (now, stats.play, row_id[0], now, now))
                db.executemany(
                    "INSERT INTO video_hashtags (hashtag_id, video_id, position) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    sorted((tag_ids[tag], row_id[0], i) for i, tag in enumerate(video.hashtags)),
                )
                db.execute(
                    """
                    INSERT INTO stats_snapshots
                        (video_id, fetched_at, play_count, digg_count, comment_count, share_count)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (video_id, fetched_at) DO UPDATE SET
                        play_count = excluded.play_count, digg_count = excluded.digg_count,
                        comment_count = excluded.comment_count, share_count = excluded.share_count
                    """,
                    (row_id[0], now, stats.play, stats.digg, stats.comment, stats.share),
                )
                if region:
                    db.execute(
                        "INSERT INTO video_regions (region, video_id, fetched_at) VALUES (?, ?, ?)"
                        " ON CONFLICT (region, video_id) DO UPDATE SET fetched_at = CASE"
                        " WHEN excluded.fetched_at > video_regions.fetched_at THEN excluded.fetched_at"
                        " ELSE video_regions.fetched_at END",
                        (region, row_id[0], now),
                    )
            for tag, count in (tag_fetches or {}).items():
                self._record_tag_fetch(db, tag, count, source, now, region)

        self._write_all(store)
        return len(unique)

    @staticmethod
    def _hashtag_ids(db: sqlite3.Connection, tags: set[str]) -> dict[str, int]:
        db.executemany("INSERT INTO hashtags (name) VALUES (?) ON CONFLICT DO NOTHING", [(t,) for t in sorted(tags)])
        ids: dict[str, int] = {}
        ordered = sorted(tags)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            marks = ",".join("?" * len(chunk))
            ids.update(db.execute(f"SELECT name, id FROM hashtags WHERE name IN ({marks})", chunk))
        return ids

    def record_tag_fetch(
        self,
        tag: str,
        *,
        videos: int,
        source: str,
        fetched_at: datetime | None = None,
        region: str | None = None,
    ) -> None:
        when = epoch(fetched_at or datetime.now(UTC))
        with self._write() as db:
            self._record_tag_fetch(db, tag, videos, source, when, region)

    @staticmethod
    def _record_tag_fetch(
        db: sqlite3.Connection, tag: str, videos: int, source: str, when: int | None, region: str | None
    ) -> None:
        for sql, params in tag_fetch_statements(tag, videos, source, when, region):
            db.execute(sql, params)

    # -- reads --------------------------------------------------------------------

    def last_tag_fetch(self, tag: str, region: str | None = None) -> datetime | None:
        """When `tag` was last fetched whole (for `region`, when given)."""
        with self._read() as db:
            if region:
                row = db.execute(
                    "SELECT fetched_at FROM tag_region_fetches WHERE tag = ? AND region = ?", (tag, region)
                ).fetchone()
            else:
                row = db.execute("SELECT fetched_at FROM tag_fetches WHERE tag = ?", (tag,)).fetchone()
        return moment(row[0]) if row else None

    def newest_fetch(self, tags: Sequence[str] | None = None) -> datetime | None:
        """When the newest of these tags' data (or of any data) was fetched."""
        with self._read() as db:
            if tags:
                marks = ",".join("?" * len(tags))
                row = db.execute(
                    f"SELECT max(fetched_at) FROM tag_fetches WHERE tag IN ({marks})", list(tags)
                ).fetchone()
            else:
                row = db.execute("SELECT max(fetched_at) FROM videos").fetchone()
        return moment(row[0]) if row and row[0] is not None else None

    def counts(self) -> dict[str, int]:
        with self._read() as db:
            return {
                table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("videos", "songs", "hashtags", "stats_snapshots")
            }

    def song(self, music_id: str) -> Song | None:
        with self._read() as db:
            row = db.execute(
                "SELECT music_id, title, author, duration_s, play_url, cover_url, original "
                "FROM songs WHERE music_id = ?",
                (music_id,),
            ).fetchone()
        return song_from(row) if row else None

    def videos_with_any(self, tags: Sequence[str], region: str | None = None) -> list[Video]:
        """Every stored video carrying at least one of `tags`, with all its hashtags
        (only those fetched for `region`, when given)."""
        if not tags:
            return []
        marks = ",".join("?" * len(tags))
        in_region = "JOIN video_regions r ON r.video_id = vh.video_id AND r.region = ?" if region else ""
        with self._read() as db:
            rows = db.execute(
                f"""
                WITH matched AS (
                    SELECT DISTINCT vh.video_id FROM video_hashtags vh
                    JOIN hashtags h ON h.id = vh.hashtag_id {in_region} WHERE h.name IN ({marks})
                )
                {self.ranking_sql.video_select} JOIN matched m ON m.video_id = v.id ORDER BY v.id
                """,
                ([region] if region else []) + list(tags),
            ).fetchall()
        return videos_from(rows)

    def snapshots(self, video_id: str) -> list[tuple[datetime, Stats]]:
        with self._read() as db:
            rows = db.execute(
                """
                SELECT s.fetched_at, s.play_count, s.digg_count, s.comment_count, s.share_count
                FROM stats_snapshots s JOIN videos v ON v.id = s.video_id
                WHERE v.video_id = ? ORDER BY s.fetched_at
                """,
                (video_id,),
            ).fetchall()
        return [(moment(r[0]), Stats(*r[1:])) for r in rows]  # type: ignore[misc]

    def tag_counts(self, prefix: str = "", limit: int | None = None) -> list[tuple[str, int]]:
        """Known hashtags starting with `prefix`, most used first."""
        with self._read() as db:
            rows = db.execute(
                """
                SELECT h.name, count(*) AS uses FROM hashtags h
                JOIN video_hashtags vh ON vh.hashtag_id = h.id
                WHERE substr(h.name, 1, ?) = ?
                GROUP BY h.id ORDER BY uses DESC, h.name LIMIT ?
                """,
                (len(prefix), prefix, self.ranking_sql.limit(limit)),
            ).fetchall()
        return [(name, uses) for name, uses in rows]

    def totals(self, region: str | None = None) -> tuple[int, datetime | None]:
        """How many videos the store holds and when the newest was fetched (kept by triggers);
        with `region`, of the videos fetched for it (counted)."""
        with self._read() as db:
            if region:
                videos, newest = db.execute(
                    "SELECT count(*), max(fetched_at) FROM video_regions WHERE region = ?", (region,)
                ).fetchone()
            else:
                videos, newest = db.execute(TOTALS).fetchone()
        return videos, moment(newest)

    def _tags(self, tags: Sequence[str], region: str | None = None) -> dict[str, tuple[int, int]]:
        """The id and stored videos (fetched for `region`, when given) of each of `tags` the store knows."""
        if not tags:
            return {}
        marks = ",".join("?" * len(tags))
        with self._read() as db:
            if region:
                rows = db.execute(
                    "SELECT h.name, h.id, (SELECT count(*) FROM video_hashtags vh JOIN video_regions r"
                    " ON r.video_id = vh.video_id AND r.region = ? WHERE vh.hashtag_id = h.id)"
                    f" FROM hashtags h WHERE h.name IN ({marks})",
                    [region, *tags],
                )
            else:
                rows = db.execute(f"SELECT name, id, videos FROM hashtags WHERE name IN ({marks})", list(tags))
            return {name: (tag_id, videos) for name, tag_id, videos in rows}

    def tag_videos(self, tags: Sequence[str]) -> dict[str, int]:
        """How many stored videos carry each of `tags`; unknown tags are left out."""
        if not tags:
            return {}
        marks = ",".join("?" * len(tags))
        with self._read() as db:
            return dict(
                db.execute(f"SELECT name, videos FROM hashtags WHERE name IN ({marks}) AND videos > 0", list(tags))
            )

    def rank_modes(
        self,
        tags: Sequence[str],
        mode: str = "popular",
        weights: Weights = DEFAULT_WEIGHTS,
        *,
        require_all: bool = False,
        limit: int | None = None,
        since: datetime | None = None,
    ) -> list[SongRank]:
        """core.modes.rank over the stored videos carrying any of `tags`, with the store's
        corpus, computed inside SQLite in one pass; rows carry their explanation.

        Only the most played matching video of each song is named in `video_ids` (the
        count is in `videos`): listing them all would cost more than the ranking.
        """
        return self.rank_modes_counted(tags, mode, weights, require_all=require_all, limit=limit, since=since)[0]

    def rank_modes_counted(
        self,
        tags: Sequence[str],
        mode: str = "popular",
        weights: Weights = DEFAULT_WEIGHTS,
        *,
        require_all: bool = False,
        limit: int | None = None,
        region: str | None = None,
        since: datetime | None = None,
    ) -> tuple[list[SongRank], int]:
        """rank_modes, and how many songs the ranking holds before `limit` cuts it.

        The count reads the per-song totals the ranking has already made (a scalar
        subquery over the same CTE), not a second pass over the videos.
        """
        from tiktune_tui.core import modes

        mode = modes.check_mode(mode)
        tags = list(dict.fromkeys(tags))
        if not tags:
            return [], 0
        # The corpus is the region's videos when one is asked for, as the ranking is.
        total, newest = self.totals(region)
        known = self._tags(tags, region)
        if not any(videos for _, videos in known.values()):
            return [], 0
        tag_ids = [known[tag][0] if tag in known else None for tag in tags]
        song_videos: dict[str, int] = {}  # fit's prior, filled for the rows below
        # About which part of the store's videos carry the tags (an upper bound: a video may carry several).
        share = min(1.0, sum(videos for _, videos in known.values()) / max(total, 1))
        tag_videos = {tag: videos for tag, (_, videos) in known.items() if videos}
        corpus = modes.Corpus(total=total, tag_videos=tag_videos, now=newest, song_videos=song_videos)
        count = len(tags)
        sql, params = self.ranking_sql.modes(
            tag_ids,
            mode,
            weights,
            [corpus.tag_weight(tag) for tag in tags],
            epoch(newest) or 0,
            require_all=require_all,
            limit=limit,
            region=region,
            since=epoch(since),
            share=share,
        )
        with self._read() as db:
            rows = db.execute(sql, params).fetchall()
        if rows and mode == "rising":
            from tiktune_tui.core.rising import RisingWindow

            # The ranking found the window it compares (the last columns): its explanations name it.
            first, earlier, latest = rows[0][-3:]
            window = None if earlier is None else RisingWindow(first, earlier, latest)
            corpus = dataclasses.replace(corpus, rising=window)
        ranked = []
        for position, row in enumerate(rows, start=1):
            entry = modes.Tally(song_from(row[0:7]))
            entry.play, entry.digg, entry.comment, entry.share = row[7:11]
            entry.videos = row[11]
            entry.video_ids = [row[12]]
            entry.rate, entry.growth = row[13], row[14]
            entry.gained, entry.new_videos, entry.old_videos = row[15:18]
            entry.tag_counts = {tag: c for tag, c in zip(tags, row[18 : 18 + count]) if c}
            song_videos[entry.song.id] = row[-5]
            ranked.append(modes.song_rank(position, entry, mode, weights, corpus))
        return ranked, rows[0][-4] if rows else 0

    def corpus(self, tags: Sequence[str] = (), weights: Weights = DEFAULT_WEIGHTS, region: str | None = None) -> Corpus:
        """What the ranking modes need to know of the whole store (of the videos fetched for
        `region`, when given) for a query on `tags`: the number of videos, how many carry each
        of `tags`, how many use each song of the videos carrying them, the newest fetch as "now",
        and, for videos with two or more snapshots, engagement gained per day between
        their first and last snapshot (momentum)."""
        from tiktune_tui.core.modes import Corpus, per_day

        total, newest = self.totals(region)
        counts = {tag: videos for tag, (_, videos) in self._tags(list(dict.fromkeys(tags)), region).items() if videos}
        growth: dict[str, int] = {}
        song_videos: dict[str, int] = {}
        if tags:
            with self._read() as db:
                growth = {
                    video_id: per_day(gained, span)
                    for video_id, gained, span in db.execute(*self.ranking_sql.growth(tags, weights))
                }
                song_videos = dict(db.execute(*self.ranking_sql.song_videos(tags, region)))
        return Corpus(
            total=total,
            tag_videos=counts,
            now=newest,
            growth=growth,
            song_videos=song_videos,
            rising=self.rising_window(tags, region, with_videos=True) if tags else None,
        )

    def song_trend(self, music_id: str, tags: Sequence[str] = ()) -> SongTrend:
        """The song's videos per day posted and summed plays per snapshot, within `tags` (all of its
        videos without tags): core.trend.SongTrend."""
        from tiktune_tui.core.trend import SongTrend

        tags = list(dict.fromkeys(tags))
        with self._read() as db:
            rows = db.execute(*self.ranking_sql.song_trend(music_id, tags)).fetchall()
        posts = [(moment_, count) for kind, moment_, count in rows if kind == 0]
        plays = [(moment_, count) for kind, moment_, count in rows if kind == 1]
        dated = tuple((moment(day).date(), count) for day, count in posts if day is not None)  # type: ignore[union-attr]
        undated = sum(count for day, count in posts if day is None)
        return SongTrend(music_id, tuple(tags), dated, tuple((moment(at), total) for at, total in plays), undated)  # type: ignore[misc]

    def rising_window(
        self, tags: Sequence[str], region: str | None = None, *, with_videos: bool = False
    ) -> RisingWindow | None:
        """The two snapshots the rising mode compares for `tags` (None: fewer than two), with,
        `with_videos`, what each matching video needs (core.rising.RisingWindow)."""
        tags = list(dict.fromkeys(tags))
        known = self._tags(tags)
        return self._rising_window([known[tag][0] if tag in known else None for tag in tags], region, with_videos)

    def _rising_window(
        self, tag_ids: Sequence[int | None], region: str | None = None, with_videos: bool = False, share: float = 0.0
    ) -> RisingWindow | None:
        from tiktune_tui.core.rising import RisingWindow

        if not any(tag_id is not None for tag_id in tag_ids):
            return None
        with self._read() as db:
            first, earlier, latest = db.execute(*self.ranking_sql.rising_ends(tag_ids, region, share)).fetchone()
            window = None if earlier is None else RisingWindow(first, earlier, latest)
            if window is None or not with_videos:
                return window
            videos = {
                video_id: (first, last, base)
                for video_id, first, last, base in db.execute(
                    *self.ranking_sql.rising_videos(tag_ids, window.earlier, share)
                )
            }
        return RisingWindow(window.first, window.earlier, window.latest, videos)

    def related_tags(self, tag: str, limit: int | None = 10) -> list[tuple[str, float]]:
        """Tags that co-occur with `tag` on stored videos, best first, as (tag, NPMI).

        Exact for a tag on up to RELATED_SAMPLE videos. For a commoner tag the co-occurrences
        are counted on its RELATED_SAMPLE most recently stored videos and scaled up to all
        of them (a companion must still meet the minimum support within the sample), which
        keeps #fyp on a million-video store as quick as a niche tag.
        """
        from tiktune_tui.core.related import MIN_SUPPORT, related_tags

        total, _ = self.totals()
        with self._read() as db:
            target = db.execute("SELECT id, videos FROM hashtags WHERE name = ?", (tag,)).fetchone()
            if target is None or not target[1]:
                return []
            tag_id, carrying = target
            rows = db.execute(*self.ranking_sql.related(tag_id, RELATED_SAMPLE, MIN_SUPPORT)).fetchall()
        sampled = min(carrying, RELATED_SAMPLE)
        together = {
            name: both if sampled == carrying else min(videos, round(both * carrying / sampled))
            for name, both, videos in rows
        }
        tag_videos = {name: videos for name, _, videos in rows} | {tag: carrying}
        return related_tags(tag, together, tag_videos, total, limit=limit)

    def videos_by_id(self, video_ids: Sequence[str]) -> list[Video]:
        """Stored videos by TikTok id, in the order asked; unknown ids are left out."""
        if not video_ids:
            return []
        rows = []
        with self._read() as db:
            for start in range(0, len(video_ids), 500):  # under SQLite's limit on parameters
                chunk = list(video_ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                rows += db.execute(f"{self.ranking_sql.video_select} WHERE v.video_id IN ({marks})", chunk).fetchall()
        found = {video.id: video for video in videos_from(rows)}
        return [found[i] for i in video_ids if i in found]
