"""Fresh audio URLs for songs that have none (the catalog) or whose URL expired (TikTok's do in hours).

The player calls this on its fetch thread; the TikTok lookup runs on the app's
background loop, where the browser sessions live.
"""

from __future__ import annotations

from tiktune_tui.background_loop import BackgroundLoop
from tiktune_tui.config import Settings
from tiktune_tui.core.models import Song
from tiktune_tui.paths import database_path

RESOLVE_TIMEOUT_S = 90


class TikTokSongResolver:
    def __init__(self, loop: BackgroundLoop, settings: Settings, data_dir: str | None = None) -> None:
        self._loop = loop
        self._settings = settings
        self._data_dir = data_dir

    def __call__(self, song: Song) -> tuple[Song, dict[str, str]]:
        return self._loop.run(self._resolve(song), RESOLVE_TIMEOUT_S)

    async def _resolve(self, song: Song) -> tuple[Song, dict[str, str]]:
        from tiktune_tui.library.sources.tiktok import TikTokSource
        from tiktune_tui.library.store import Store

        with Store(database_path(self._data_dir)) as store:
            source = TikTokSource(store=store, settings=self._settings)
            fresh = await source.resolve_song(song.id)
            headers = await source.media_headers()
        return fresh, headers
