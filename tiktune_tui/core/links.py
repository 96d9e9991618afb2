"""TikTok's web addresses for a song and a video, built from their ids."""

from __future__ import annotations

import re

from tiktune_tui.core.models import Song, Video

_HANDLE = re.compile(r"^[A-Za-z0-9._]{1,64}$")


def song_link(song: Song) -> str | None:
    """The song's page (TikTok redirects any slug before the id to the right one)."""
    return f"https://www.tiktok.com/music/sound-{song.id}" if song.id.isdigit() else None


def video_link(video: Video) -> str | None:
    if not video.id.isdigit():
        return None
    # Without its author's handle, TikTok's short form still finds the video.
    if _HANDLE.match(video.author or ""):
        return f"https://www.tiktok.com/@{video.author}/video/{video.id}"
    return f"https://m.tiktok.com/v/{video.id}.html"
