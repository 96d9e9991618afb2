"""tiktune's own database: every video and song ever fetched, with stats history.

SQLite in WAL mode. Every write is one transaction, so a crash leaves either the
whole fetch or none of it. The schema carries a version (PRAGMA user_version)
and is migrated forward step by step; a file that is corrupt, foreign or from a
newer tiktune is reported and never touched.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from tiktune_tui.core.models import SECONDS_PER_DAY, Song, Stats, Video
from tiktune_tui.core.results import SongRank
from tiktune_tui.core.weights import DEFAULT_WEIGHTS, Weights

if TYPE_CHECKING:
    from tiktune_tui.core.modes import Corpus
from tiktune_tui.errors import TiktuneError

SQLITE_MAX_INT = 2**63 - 1
# Related tags of a tag on more videos than this are estimated from a sample (related_tags).
RELATED_SAMPLE = 20_000

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
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(TiktuneError):
    """The database cannot be used; the message says why and what to do."""


def _epoch(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


def _moment(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, tz=timezone.utc)


def _checked(stats: Stats, video_id: str) -> Stats:
    for name, value in stats.as_dict().items():
        if not 0 <= value <= SQLITE_MAX_INT:
            raise StoreError(f"video {video_id}: {name} count {value} cannot be stored")
    return stats


class Store:
    """One SQLite file. Safe to share between threads: calls are serialised."""

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
        try:
            self._db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=10
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from None
        try:
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -----------------------------------------------------------------

    def _migrate(self) -> None:
        advice = "it was left untouched; move it aside or choose another --data-dir"
        try:
            # One statement, one snapshot: another connection may be creating the schema now.
            # fetchall, not fetchone: a statement left unfinished keeps its read lock, and
            # switching to WAL below would then deadlock with another opener (SQLITE_BUSY at once).
            ((version, tables),) = self._db.execute(
                "SELECT (SELECT user_version FROM pragma_user_version),"
                " (SELECT count(*) FROM sqlite_master)"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a readable tiktune database ({exc}); {advice}") from None
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer tiktune (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade tiktune or choose another --data-dir"
            )
        if version == 0 and tables:
            raise StoreError(f"{self.path} is an SQLite file but not a tiktune database; {advice}")
        try:
            self._use_wal()
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")
            for target in range(version + 1, SCHEMA_VERSION + 1):
                with self._transaction():
                    # Another connection (a worker thread, a second tiktune) may have migrated
                    # since the version was read: read it again under the write lock.
                    if self._db.execute("PRAGMA user_version").fetchone()[0] >= target:
                        continue
                    for statement in _statements(MIGRATIONS[target - 1]):
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {target}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot prepare {self.path} ({exc}); {advice}") from None

    def _use_wal(self, patience_s: float = 10.0) -> None:
        """Switch to WAL, waiting for other openers: SQLite answers a journal-mode change
        that meets another connection's lock with "locked" at once, not after the busy timeout."""
        deadline = time.monotonic() + patience_s
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL").fetchall()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

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

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"reading {self.path} failed: {exc}") from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._transaction() as db:
                yield db
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"writing {self.path} failed, nothing was saved: {exc}") from None

    # -- writes -------------------------------------------------------------------

    def save_videos(
        self, videos: Iterable[Video], *, fetched_at: datetime | None = None, source: str = ""
    ) -> int:
        """Upsert videos, their songs and hashtags, and add a stats snapshot each.

        All or nothing: one transaction. Returns the number of distinct videos saved.
        """
        now = _epoch(fetched_at or datetime.now(timezone.utc))
        unique = {video.id: video for video in videos}
        with self._write() as db:
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
                            title = CASE WHEN excluded.title <> '' THEN excluded.title ELSE title END,
                            author = CASE WHEN excluded.author <> '' THEN excluded.author ELSE author END,
                            duration_s = coalesce(excluded.duration_s, duration_s),
                            play_url = coalesce(excluded.play_url, play_url),
                            cover_url = coalesce(excluded.cover_url, cover_url),
                            original = coalesce(excluded.original, original),
                            updated_at = excluded.updated_at
                        RETURNING id
                        """,
                        (
                            song.id, song.title, song.author, song.duration_s, song.play_url,
                            song.cover_url, None if song.original is None else int(song.original), now,
                        ),
                    ).fetchone()[0]
            tag_ids = self._hashtag_ids(db, {tag for v in unique.values() for tag in v.hashtags})
            for video in unique.values():
                stats = _checked(video.stats, video.id)
                row_id = db.execute(
                    """
                    INSERT INTO videos (video_id, song_id, author, description, create_time,
                                        play_count, digg_count, comment_count, share_count,
                                        fetched_at, source)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(video_id) DO UPDATE SET
                        song_id = excluded.song_id,
                        author = CASE WHEN excluded.author <> '' THEN excluded.author ELSE author END,
                        description = CASE WHEN excluded.description <> '' THEN excluded.description
                                           ELSE description END,
                        create_time = coalesce(excluded.create_time, create_time),
                        play_count = excluded.play_count,
                        digg_count = excluded.digg_count,
                        comment_count = excluded.comment_count,
                        share_count = excluded.share_count,
                        fetched_at = excluded.fetched_at,
                        source = excluded.source
                    WHERE excluded.fetched_at >= videos.fetched_at
                    RETURNING id
                    """,
                    (
                        video.id, song_ids[video.song.id], video.author, video.description,
                        _epoch(video.create_time), stats.play, stats.digg, stats.comment,
                        stats.share, now, source,
                    ),
                ).fetchone()
                if row_id is None:  # an older fetch than what we hold: keep only its snapshot
                    row_id = db.execute(
                        "SELECT id FROM videos WHERE video_id = ?", (video.id,)
                    ).fetchone()
                db.executemany(
                    "INSERT OR IGNORE INTO video_hashtags (hashtag_id, video_id, position) VALUES (?, ?, ?)",
                    [(tag_ids[tag], row_id[0], i) for i, tag in enumerate(video.hashtags)],
                )
                db.execute(
                    """
                    INSERT OR REPLACE INTO stats_snapshots
                        (video_id, fetched_at, play_count, digg_count, comment_count, share_count)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                    (row_id[0], now, stats.play, stats.digg, stats.comment, stats.share),
                )
        return len(unique)

    @staticmethod
    def _hashtag_ids(db: sqlite3.Connection, tags: set[str]) -> dict[str, int]:
        db.executemany("INSERT OR IGNORE INTO hashtags (name) VALUES (?)", [(t,) for t in tags])
        ids: dict[str, int] = {}
        ordered = sorted(tags)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            marks = ",".join("?" * len(chunk))
            ids.update(db.execute(f"SELECT name, id FROM hashtags WHERE name IN ({marks})", chunk))
        return ids

    def record_tag_fetch(
        self, tag: str, *, videos: int, source: str, fetched_at: datetime | None = None
    ) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO tag_fetches (tag, fetched_at, source, videos) VALUES (?, ?, ?, ?)",
                (tag, _epoch(fetched_at or datetime.now(timezone.utc)), source, videos),
            )

    # -- reads --------------------------------------------------------------------

    def last_tag_fetch(self, tag: str) -> datetime | None:
        with self._read() as db:
            row = db.execute("SELECT fetched_at FROM tag_fetches WHERE tag = ?", (tag,)).fetchone()
        return _moment(row[0]) if row else None

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
        return _moment(row[0]) if row and row[0] is not None else None

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
        return _song(row) if row else None

    def videos_with_any(self, tags: Sequence[str]) -> list[Video]:
        """Every stored video carrying at least one of `tags`, with all its hashtags."""
        if not tags:
            return []
        marks = ",".join("?" * len(tags))
        with self._read() as db:
            rows = db.execute(
                f"""
                WITH matched AS (
                    SELECT DISTINCT vh.video_id FROM video_hashtags vh
                    JOIN hashtags h ON h.id = vh.hashtag_id WHERE h.name IN ({marks})
                )
                {_VIDEO_SELECT} JOIN matched m ON m.video_id = v.id ORDER BY v.id
                """,
                list(tags),
            ).fetchall()
        return _videos(rows)

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
        return [(_moment(r[0]), Stats(*r[1:])) for r in rows]  # type: ignore[misc]

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
                (len(prefix), prefix, -1 if limit is None else limit),
            ).fetchall()
        return [(name, uses) for name, uses in rows]

    def rank_songs(
        self,
        tags: Sequence[str],
        weights: Weights = DEFAULT_WEIGHTS,
        *,
        require_all: bool = False,
        limit: int | None = None,
    ) -> list[SongRank]:
        """The popular ranking (core.modes.rank) inside SQLite, the lean way: no explanations
        and no other modes' totals. The engine uses rank_modes; this is the baseline
        bench/rank.py and bench/modes.py measure against."""
        if not tags:
            return []
        # A song's matched tags are the OR of its videos' masks; SQLite has no bit_or
        # aggregate, so OR bit by bit with max(): one pass over the videos instead of two.
        bits = [f"max((p.mask >> {i}) & 1)" for i in range(len(tags))]
        song_mask = " + ".join(f"{bit} * {1 << i}" for i, bit in enumerate(bits))
        matched = " + ".join(bits)
        with self._read() as db:
            rows = db.execute(
                f"""
                {_matching_videos(len(tags))},
                per_song AS (
                    SELECT v.song_id,
                           sum(v.play_count) AS play, sum(v.digg_count) AS digg,
                           sum(v.comment_count) AS comment, sum(v.share_count) AS share,
                           count(*) AS uses, {song_mask} AS mask, {matched} AS matched
                    FROM per_video p JOIN videos v ON v.id = p.video_id GROUP BY v.song_id
                )
                SELECT s.music_id, s.title, s.author, s.duration_s, s.play_url, s.cover_url,
                       s.original, p.play, p.digg, p.comment, p.share, p.uses, p.mask, p.matched,
                       p.play * ? + p.digg * ? + p.comment * ? + p.share * ? AS score
                FROM per_song p JOIN songs s ON s.id = p.song_id
                WHERE p.matched >= ?
                ORDER BY score DESC, p.matched DESC, s.music_id
                LIMIT ?
                """,
                [
                    *tags,
                    weights.play, weights.digg, weights.comment, weights.share,
                    len(tags) if require_all else 1,
                    -1 if limit is None else limit,
                ],
            ).fetchall()
        return [
            SongRank(
                rank=position,
                song=_song(row[0:7]),
                score=row[14],
                stats=Stats(row[7], row[8], row[9], row[10]),
                videos=row[11],
                matched_tags=tuple(tag for i, tag in enumerate(tags) if row[12] >> i & 1),
            )
            for position, row in enumerate(rows, start=1)
        ]


    def totals(self) -> tuple[int, datetime | None]:
        """How many videos the store holds and when the newest was fetched (kept by triggers)."""
        with self._read() as db:
            videos, newest = db.execute("SELECT videos, newest_fetch FROM totals").fetchone()
        return videos, _moment(newest)

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
    ) -> list[SongRank]:
        """core.modes.rank over the stored videos carrying any of `tags`, with the store's
        corpus, computed inside SQLite in one pass; rows carry their explanation.

        Only the most played matching video of each song is named in `video_ids` (the
        count is in `videos`): listing them all would cost more than the ranking.
        """
        return self.rank_modes_counted(tags, mode, weights, require_all=require_all, limit=limit)[0]

    def rank_modes_counted(
        self,
        tags: Sequence[str],
        mode: str = "popular",
        weights: Weights = DEFAULT_WEIGHTS,
        *,
        require_all: bool = False,
        limit: int | None = None,
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
        total, newest = self.totals()
        song_videos: dict[str, int] = {}  # fit's prior, filled for the rows below
        corpus = modes.Corpus(total=total, tag_videos=self.tag_videos(tags), now=newest, song_videos=song_videos)
        now = _epoch(newest) or 0
        count = len(tags)
        counts = ", ".join(f"sum((p.mask >> {i}) & 1) AS c{i}" for i in range(count))

        def matched(alias: str) -> str:
            return " + ".join(f"({alias}.c{i} > 0)" for i in range(count))

        popular = "(p.play * ? + p.digg * ? + p.comment * ? + p.share * ?)"
        engagement = "(v.play_count * ? + v.digg_count * ? + v.comment_count * ? + v.share_count * ?)"
        first = (
            "(SELECT f.play_count * ? + f.digg_count * ? + f.comment_count * ? + f.share_count * ?"
            " FROM stats_snapshots f WHERE f.video_id = v.id AND f.fetched_at = v.first_fetched_at)"
        )
        stat_weights = list(weights.as_dict().values())
        params: list[object] = list(tags)
        if mode == "momentum":
            # Whole units per day, truncated as in core.modes, so that sums are exact in both.
            rates = (
                f", sum(CASE WHEN v.first_fetched_at IS NULL AND v.create_time IS NOT NULL"
                f" THEN {engagement} * {SECONDS_PER_DAY} / max({SECONDS_PER_DAY}, ? - v.create_time)"
                f" ELSE 0 END) AS rate"
                f", sum(CASE WHEN v.first_fetched_at IS NOT NULL AND v.fetched_at > v.first_fetched_at"
                f" THEN ({engagement} - {first}) * {SECONDS_PER_DAY} / (v.fetched_at - v.first_fetched_at)"
                f" ELSE 0 END) AS growth"
            )
            params += [*stat_weights, now, *stat_weights, *stat_weights]
        else:
            rates = ", 0 AS rate, 0 AS growth"
        params += stat_weights
        if mode == "popular":
            order = "popular DESC, matched DESC, s.music_id"
            score = "0"
        else:
            order = "score DESC, popular DESC, matched DESC, s.music_id"
            if mode == "uses":
                score = "p.uses"
            elif mode == "momentum":
                score = "p.rate + p.growth"
            else:
                # The same sums in the same order as core.modes.fit_score: identical floats.
                points = " + ".join(f"? * (p.c{i} * ? / (p.c{i} + ?))" for i in range(count))
                score = f"({points}) + ? * ln(max(s.videos, p.uses, 1)) + ? * log10(1 + {popular})"
                for tag in tags:
                    params += [corpus.tag_weight(tag), modes.TAG_SATURATION + 1, modes.TAG_SATURATION]
                params += [modes.SONG_PRIOR, modes.POPULARITY_DAMPING, *stat_weights]
        least = count if require_all else 1
        params += [least, least, -1 if limit is None else limit]
        with self._read() as db:
            rows = db.execute(
                f"""
                {_matching_videos(len(tags))},
                per_song AS (
                    -- max() is the only min/max aggregate here, so SQLite takes the bare
                    -- v.video_id from the row holding it: the song's most played match.
                    SELECT v.song_id,
                           sum(v.play_count) AS play, sum(v.digg_count) AS digg,
                           sum(v.comment_count) AS comment, sum(v.share_count) AS share,
                           count(*) AS uses, max(v.play_count) AS top_play, v.video_id AS top_video,
                           {counts} {rates}
                    FROM per_video p JOIN videos v ON v.id = p.video_id GROUP BY v.song_id
                )
                SELECT s.music_id, s.title, s.author, s.duration_s, s.play_url, s.cover_url, s.original,
                       p.play, p.digg, p.comment, p.share, p.uses, p.top_video, p.rate, p.growth,
                       {", ".join(f"p.c{i}" for i in range(count))},
                       {popular} AS popular, {score} AS score, {matched("p")} AS matched, s.videos,
                       (SELECT count(*) FROM per_song q WHERE {matched("q")} >= ?) AS total
                FROM per_song p JOIN songs s ON s.id = p.song_id
                WHERE matched >= ?
                ORDER BY {order}
                LIMIT ?
                """,
                params,
            ).fetchall()
        ranked = []
        for position, row in enumerate(rows, start=1):
            entry = modes.Tally(_song(row[0:7]))
            entry.play, entry.digg, entry.comment, entry.share = row[7:11]
            entry.videos = row[11]
            entry.video_ids = [row[12]]
            entry.rate, entry.growth = row[13], row[14]
            entry.tag_counts = {tag: c for tag, c in zip(tags, row[15 : 15 + count]) if c}
            song_videos[entry.song.id] = row[-2]
            ranked.append(modes.song_rank(position, entry, mode, weights, corpus))
        return ranked, rows[0][-1] if rows else 0

    def corpus(self, tags: Sequence[str] = (), weights: Weights = DEFAULT_WEIGHTS) -> Corpus:
        """What the ranking modes need to know of the whole store for a query on `tags`:
        the number of videos, how many carry each of `tags`, how many use each song of the
        videos carrying them, the newest fetch as "now",
        and, for videos with two or more snapshots, engagement gained per day between
        their first and last snapshot (momentum)."""
        from tiktune_tui.core.modes import Corpus, per_day

        marks = ",".join("?" * len(tags))
        total, newest = self.totals()
        counts = self.tag_videos(tags)
        with self._read() as db:
            growth = {
                video_id: per_day(gained, span)
                for video_id, gained, span in db.execute(
                    f"""
                    WITH matched AS (
                        SELECT DISTINCT vh.video_id FROM video_hashtags vh
                        JOIN hashtags h ON h.id = vh.hashtag_id WHERE h.name IN ({marks})
                    ),
                    ends AS (
                        SELECT s.video_id, min(s.fetched_at) AS first, max(s.fetched_at) AS last
                        FROM matched m JOIN stats_snapshots s ON s.video_id = m.video_id
                        GROUP BY s.video_id HAVING count(*) > 1
                    )
                    SELECT v.video_id,
                           (b.play_count * ? + b.digg_count * ? + b.comment_count * ? + b.share_count * ?)
                         - (a.play_count * ? + a.digg_count * ? + a.comment_count * ? + a.share_count * ?),
                           e.last - e.first
                    FROM ends e JOIN videos v ON v.id = e.video_id
                    JOIN stats_snapshots a ON a.video_id = e.video_id AND a.fetched_at = e.first
                    JOIN stats_snapshots b ON b.video_id = e.video_id AND b.fetched_at = e.last
                    """,
                    [*tags, *(list(weights.as_dict().values()) * 2)],
                )
            } if tags else {}
            song_videos = dict(
                db.execute(
                    f"""
                    SELECT s.music_id, s.videos FROM songs s WHERE s.id IN (
                        SELECT v.song_id FROM video_hashtags vh JOIN hashtags h ON h.id = vh.hashtag_id
                        JOIN videos v ON v.id = vh.video_id WHERE h.name IN ({marks}))
                    """,
                    list(tags),
                )
            ) if tags else {}
        return Corpus(total=total, tag_videos=counts, now=newest, growth=growth, song_videos=song_videos)

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
            rows = db.execute(
                """
                WITH sample AS (
                    SELECT video_id FROM video_hashtags WHERE hashtag_id = ?
                    ORDER BY video_id DESC LIMIT ?
                )
                SELECT h.name, g.both_, h.videos FROM (
                    SELECT vh.hashtag_id, count(*) AS both_ FROM sample s
                    JOIN video_hashtags vh ON vh.video_id = s.video_id
                    WHERE vh.hashtag_id <> ?
                    GROUP BY vh.hashtag_id HAVING count(*) >= ?
                ) g JOIN hashtags h ON h.id = g.hashtag_id
                """,
                (tag_id, RELATED_SAMPLE, tag_id, MIN_SUPPORT),
            ).fetchall()
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
                rows += db.execute(f"{_VIDEO_SELECT} WHERE v.video_id IN ({marks})", chunk).fetchall()
        found = {video.id: video for video in _videos(rows)}
        return [found[i] for i in video_ids if i in found]

_VIDEO_SELECT = """
    SELECT v.id, v.video_id, v.author, v.description, v.create_time,
           v.play_count, v.digg_count, v.comment_count, v.share_count,
           s.music_id, s.title, s.author, s.duration_s, s.play_url, s.cover_url, s.original,
           (SELECT group_concat(name, ' ') FROM (
                SELECT h2.name FROM video_hashtags vh2 JOIN hashtags h2 ON h2.id = vh2.hashtag_id
                WHERE vh2.video_id = v.id ORDER BY vh2.position))
    FROM videos v JOIN songs s ON s.id = v.song_id
"""


def _videos(rows: Iterable[Sequence]) -> list[Video]:
    songs: dict[str, Song] = {}
    videos = []
    for row in rows:
        song = songs.get(row[9]) or songs.setdefault(row[9], _song(row[9:16]))
        videos.append(
            Video(
                id=row[1],
                song=song,
                hashtags=tuple((row[16] or "").split()),
                stats=Stats(row[5], row[6], row[7], row[8]),
                create_time=_moment(row[4]),
                author=row[2],
                description=row[3],
            )
        )
    return videos


def _matching_videos(count: int) -> str:
    """CTEs `query` (the tags and their bit positions) and `per_video` (each video carrying
    one of them, with the mask of those it carries); the caller binds the tags first."""
    positions = ",".join(f"(?, {i})" for i in range(count))
    return f"""WITH query(name, pos) AS (VALUES {positions}),
                per_video AS (
                    SELECT vh.video_id, sum(1 << q.pos) AS mask FROM query q
                    JOIN hashtags h ON h.name = q.name
                    JOIN video_hashtags vh ON vh.hashtag_id = h.id
                    GROUP BY vh.video_id
                )"""


def _song(row: Sequence[object]) -> Song:
    music_id, title, author, duration_s, play_url, cover_url, original = row
    return Song(
        id=str(music_id),
        title=str(title or ""),
        author=str(author or ""),
        duration_s=duration_s,  # type: ignore[arg-type]
        play_url=play_url,  # type: ignore[arg-type]
        cover_url=cover_url,  # type: ignore[arg-type]
        original=None if original is None else bool(original),
    )


def _statements(script: str) -> list[str]:
    """Split a script into statements; a trigger body's semicolons stay inside its statement."""
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending.strip())
    return statements
