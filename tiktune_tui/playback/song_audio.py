"""Finding a song's audio: the cache, a local file, its play URL, or a fresh URL from TikTok.

The one place that knows where a song's audio comes from. The player calls `find_audio` on
its fetch thread; `tiktune export --song` calls it too. The TikTok lookup (the resolver)
runs on the app's background loop, where the browser sessions live.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tiktune_tui.background_loop import BackgroundLoop
from tiktune_tui.config import Settings
from tiktune_tui.core.models import Song
from tiktune_tui.playback.audio_cache import AudioCache, AudioUnavailable, LinkExpired

NO_PREVIEW = (
    "No preview: the bundled catalog has no audio for this song. "
    "Configure a TikTok token (TIKTUNE_MS_TOKEN) to stream it."
)
RESOLVE_TIMEOUT_S = 90

# resolve(song) -> Song | str | None, or (that, headers), or an awaitable of either.
Resolver = Callable[[Song], Any]


class NoPreview(AudioUnavailable):
    """The song has no audio link and nothing can find one (no resolver): nothing to retry.

    Unlike a dead link, the next song of the same source is just as silent; the player
    says so once instead of skipping along.
    """

    def __init__(self, message: str = NO_PREVIEW) -> None:
        super().__init__(message)


def local_path(url: str) -> Path | None:
    """The file a play URL names, if it names a local file (file: URL or absolute path)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            return None
        return Path(urllib.request.url2pathname(parts.path))
    if not parts.scheme and url.startswith("/"):
        return Path(url)
    return None


def find_audio(
    song: Song,
    cache: AudioCache,
    resolve: Resolver | None = None,
    cancel: threading.Event | None = None,
) -> tuple[Path, bool]:
    """(the audio file of `song`, whether it is in `cache`), fetching it into `cache` if need be.

    Raises NoPreview when the song has no link and no `resolve`, AudioUnavailable when the
    audio cannot be had, and whatever `resolve` raises (TikTok said no).
    """
    # A download of it in progress (the prefetch's) is waited for: no second download, and
    # no fresh link asked of TikTok for a song that is arriving.
    cached = cache.wait_for(song, cancel)
    if cached is not None:
        return cached, True
    url = song.play_url
    if not url:
        url, headers = resolve_url(resolve, song)
        return cache.fetch(song, url, headers=headers, cancel=cancel), True
    local = local_path(url)
    if local is not None:
        if not local.is_file():
            raise AudioUnavailable(f"no such file: {local}")
        return local, False
    try:
        return cache.fetch(song, url, cancel=cancel), True
    except LinkExpired as exc:
        if resolve is None:
            raise
        expired = exc
    # TikTok's links die within hours; the resolver knows the song's current one. Once only:
    # a fresh link that fails too is a real failure, not an old one.
    fresh, headers = resolve_url(resolve, song)
    if fresh == url and not headers:
        raise expired
    return cache.fetch(song, fresh, headers=headers, cancel=cancel), True


def resolve_url(resolve: Resolver | None, song: Song) -> tuple[str, dict[str, str] | None]:
    """Ask `resolve`: a Song or URL, or a (Song or URL, headers) pair when the CDN wants cookies."""
    if resolve is None:
        raise NoPreview
    result = resolve(song)
    if inspect.isawaitable(result):
        result = asyncio.run(_awaited(result))
    headers = None
    if isinstance(result, tuple):
        result, headers = result
    url = result.play_url if isinstance(result, Song) else result
    if not url:
        raise AudioUnavailable("TikTok has no audio for this song.")
    return url, headers


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


class TikTokSongResolver:
    """Fresh audio URLs for songs that have none (the catalog) or whose URL expired (TikTok's do in hours)."""

    def __init__(self, loop: BackgroundLoop, settings: Settings, data_dir: str | None = None) -> None:
        self._loop = loop
        self._settings = settings
        self._data_dir = data_dir

    def __call__(self, song: Song) -> tuple[Song, dict[str, str]]:
        return self._loop.run(self._resolve(song), RESOLVE_TIMEOUT_S)

    async def _resolve(self, song: Song) -> tuple[Song, dict[str, str]]:
        from tiktune_tui.library.sources.tiktok import TikTokSource
        from tiktune_tui.library.store import open_store, store_location

        with open_store(store_location(self._data_dir)) as store:
            source = TikTokSource(store=store, settings=self._settings)
            fresh = await source.resolve_song(song.id)
            headers = await source.media_headers()
        return fresh, headers


__all__ = [
    "NO_PREVIEW",
    "NoPreview",
    "Resolver",
    "TikTokSongResolver",
    "find_audio",
    "local_path",
    "resolve_url",
]
