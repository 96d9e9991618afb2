"""Each sound's count of videos on all of TikTok, cached with its fetch time: a mixin of `Store`
(it uses the store's transactions); the rows are core.reach.SongReach."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from tiktune_tui.core.reach import SongReach
from tiktune_tui.library.store.rows import epoch, moment


class SongReachMixin:
    """Store methods for the song-wide figures (each write one transaction)."""

    def save_song_reach(self, counts: Mapping[str, int], fetched_at: datetime) -> None:
        """Keep each sound's count (music id -> videos) as of `fetched_at`; a newer one stays."""
        if not counts:
            return
        when = epoch(fetched_at)
        with self._write() as db:  # type: ignore[attr-defined]
            for music_id, videos in sorted(counts.items()):
                db.execute(
                    "INSERT INTO song_reach (music_id, videos, fetched_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (music_id) DO UPDATE SET videos = excluded.videos,"
                    " fetched_at = excluded.fetched_at WHERE excluded.fetched_at >= song_reach.fetched_at",
                    (music_id, videos, when),
                )

    def song_reach(self, music_ids: Sequence[str]) -> dict[str, SongReach]:
        """The cached counts of these sounds (unknown ones left out)."""
        found: dict[str, SongReach] = {}
        ids = list(dict.fromkeys(music_ids))
        with self._read() as db:  # type: ignore[attr-defined]
            for start in range(0, len(ids), 500):  # under SQLite's limit on parameters
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for music_id, videos, when in db.execute(
                    f"SELECT music_id, videos, fetched_at FROM song_reach WHERE music_id IN ({marks})", chunk
                ):
                    found[music_id] = SongReach(music_id, videos, moment(when))  # type: ignore[arg-type]
        return found

    def all_song_reach(self) -> list[SongReach]:
        """Every cached count (for `tiktune store copy`), by music id."""
        with self._read() as db:  # type: ignore[attr-defined]
            rows = db.execute("SELECT music_id, videos, fetched_at FROM song_reach ORDER BY music_id").fetchall()
        return [SongReach(music_id, videos, moment(when)) for music_id, videos, when in rows]  # type: ignore[arg-type]
