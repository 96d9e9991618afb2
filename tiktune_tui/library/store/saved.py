"""The shortlist: songs the user saved, kept in the store with when and for which tags.

A mixin of `Store` (it uses the store's transactions); the rows are `SavedSong`s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tiktune_tui.core.models import Song
from tiktune_tui.library.store.rows import epoch, moment


@dataclass(frozen=True, slots=True)
class SavedSong:
    song: Song
    saved_at: datetime
    tags: tuple[str, ...] = ()  # the query's hashtags when it was saved
    score: float | None = None  # its score then, in that query's ranking
    play_count: int | None = None
    videos: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "music_id": self.song.id,
            "title": self.song.title,
            "author": self.song.author,
            "duration_s": self.song.duration_s,
            "saved_at": self.saved_at.isoformat(),
            "tags": list(self.tags),
            "score": self.score,
            "play_count": self.play_count,
            "videos": self.videos,
        }


_COLUMNS = "music_id, title, author, duration_s, play_url, cover_url, tags, score, play_count, videos, saved_at"


_UPDATE = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS.split(", ") if c != "music_id")


def _saved_from(row: Sequence) -> SavedSong:
    music_id, title, author, duration, url, cover, tags, score, plays, videos, saved_at = row
    song = Song(id=music_id, title=title, author=author, duration_s=duration, play_url=url, cover_url=cover)
    return SavedSong(song, moment(saved_at) or datetime.now(UTC), tuple(tags.split()), score, plays, videos)


class SavedSongsMixin:
    """Store methods for the shortlist (each write one transaction)."""

    def save_song(
        self,
        song: Song,
        *,
        tags: Sequence[str] = (),
        score: float | None = None,
        play_count: int | None = None,
        videos: int | None = None,
        saved_at: datetime | None = None,
    ) -> SavedSong:
        """Save (or save again: the time and tags are the latest) one song."""
        saved = SavedSong(song, saved_at or datetime.now(UTC), tuple(tags), score, play_count, videos)
        with self._write() as db:  # type: ignore[attr-defined]
            db.execute(
                f"INSERT INTO saved_songs ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                f" ON CONFLICT (music_id) DO UPDATE SET {_UPDATE}",
                (
                    song.id,
                    song.title,
                    song.author,
                    song.duration_s,
                    song.play_url,
                    song.cover_url,
                    " ".join(saved.tags),
                    score,
                    play_count,
                    videos,
                    epoch(saved.saved_at),
                ),
            )
            row = db.execute(f"SELECT {_COLUMNS} FROM saved_songs WHERE music_id = ?", (song.id,)).fetchone()
        # Known as the row it wrote: the next saved_songs() builds no SavedSong for it.
        known = self._saved_by_row if self._saved_by_row is not None else {}
        known[tuple(row)] = _saved_from(row)
        self._saved_by_row = known
        return saved

    def unsave_song(self, music_id: str) -> bool:
        """Take a song off the shortlist; False if it was not on it."""
        with self._write() as db:  # type: ignore[attr-defined]
            return db.execute("DELETE FROM saved_songs WHERE music_id = ?", (music_id,)).rowcount > 0

    # The songs of the last read, by their row as read: a row unchanged since gives the same
    # (immutable) SavedSong, so opening a 1,000-song shortlist again builds none anew.
    _saved_by_row: dict[tuple, SavedSong] | None = None

    def saved_songs(self) -> list[SavedSong]:
        """The shortlist, newest first (read afresh each time: another tiktune may have saved)."""
        with self._read() as db:  # type: ignore[attr-defined]
            rows = db.execute(f"SELECT {_COLUMNS} FROM saved_songs ORDER BY saved_at DESC, music_id").fetchall()
        known = self._saved_by_row or {}
        by_row = {}
        for row in rows:
            key = tuple(row)
            saved = known.get(key)
            by_row[key] = saved if saved is not None else _saved_from(row)
        self._saved_by_row = by_row  # only this read's rows: it never outgrows the shortlist
        return list(by_row.values())

    def saved_ids(self) -> set[str]:
        with self._read() as db:  # type: ignore[attr-defined]
            return {row[0] for row in db.execute("SELECT music_id FROM saved_songs")}
