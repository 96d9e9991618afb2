"""Rows and the models they hold, both ways: the same for every engine.

Times are stored as epoch seconds (UTC); a video row is read with
`RankingSQL.video_select`, whose column layout `videos_from` knows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from tiktune_tui.core.models import Song, Stats, Video


def epoch(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def moment(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, tz=UTC)


def videos_from(rows: Iterable[Sequence]) -> list[Video]:
    songs: dict[str, Song] = {}
    videos = []
    for row in rows:
        song = songs.get(row[9]) or songs.setdefault(row[9], song_from(row[9:16]))
        videos.append(
            Video(
                id=row[1],
                song=song,
                hashtags=tuple((row[16] or "").split()),
                stats=Stats(row[5], row[6], row[7], row[8]),
                create_time=moment(row[4]),
                author=row[2],
                description=row[3],
            )
        )
    return videos


def song_from(row: Sequence[object]) -> Song:
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
