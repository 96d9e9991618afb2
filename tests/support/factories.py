"""Small hand-made videos and catalogs for tests."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.library.catalog import REQUIRED_COLUMNS

CSV_COLUMNS = (*REQUIRED_COLUMNS, "music_duration_s", "music_play_url", "source")


def video(
    vid: str, song: str, tags: str, play=0, digg=0, comment=0, share=0, title=None, author="", created=None
) -> Video:
    return Video(
        id=vid,
        song=Song(id=song, title=title if title is not None else f"Song {song}", author=author),
        hashtags=tuple(tags.split()),
        stats=Stats(play, digg, comment, share),
        create_time=created or datetime(2025, 5, 1, tzinfo=UTC),
    )


def write_catalog(path: Path, videos: list[Video]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for v in videos:
            writer.writerow(
                {
                    "video_id": v.id,
                    "hashtags": " ".join(v.hashtags),
                    "music_id": v.song.id,
                    "music_title": v.song.title,
                    "music_author": v.song.author,
                    "music_duration_s": "",
                    "music_play_url": "",
                    "play_count": v.stats.play,
                    "digg_count": v.stats.digg,
                    "comment_count": v.stats.comment,
                    "share_count": v.stats.share,
                    "create_time": (v.create_time or datetime(2025, 1, 1, tzinfo=UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "source": "test",
                }
            )
    return path
