"""Song-wide figures for a query's top songs: each sound's count of videos on all of TikTok.

After a live TikTok search (never before its results: the caller asks once they are out) the
top songs whose cached count is missing or older than core.reach.REFETCH_AFTER are asked for
again, a few at a time, and kept in the store with their fetch time. Any other source shows
what the store holds, if anything: nothing is fetched and no database is created for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from tiktune_tui.config import Settings
from tiktune_tui.core.reach import SongReach
from tiktune_tui.library.sources import SourceOptions, default_kind, open_source
from tiktune_tui.library.sources.tiktok_errors import TikTokError
from tiktune_tui.library.store import Store, StoreError, open_store, store_exists, store_location

TOP_SONGS = 10  # the songs of a query whose figure is fetched
CONCURRENCY = 3  # /api/music/detail/ requests in flight at once (the sessions bound them too)


async def refresh_reach(source, music_ids: Sequence[str], now: datetime) -> dict[str, SongReach]:
    """Ask TikTok (`source`, a TikTokSource) for each sound whose count the store lacks or holds
    from too long ago; keep what it answers. Returns the store's figures for `music_ids`. A
    sound TikTok will not count is left as it was (its old figure, or none)."""
    store: Store = source.store
    held = await asyncio.to_thread(store.song_reach, music_ids)
    wanted = [m for m in dict.fromkeys(music_ids) if m not in held or held[m].is_stale(now)]
    slots = asyncio.Semaphore(CONCURRENCY)
    counts: dict[str, int] = {}

    async def ask(music_id: str) -> None:
        async with slots:
            try:
                counts[music_id] = await source.song_video_count(music_id)
            except TikTokError:
                return  # shown as unknown (or as the figure fetched before)

    await asyncio.gather(*(ask(m) for m in wanted))
    if counts:
        await asyncio.to_thread(store.save_song_reach, counts, now)
    return await asyncio.to_thread(store.song_reach, music_ids)


def cached_reach(music_ids: Sequence[str], data_dir: str | None = None) -> dict[str, SongReach]:
    """The store's figures for `music_ids`; none when there is no store (nothing is created)."""
    location = store_location(data_dir)
    if not music_ids or not store_exists(location):
        return {}
    try:
        with open_store(location) as store:
            return store.song_reach(music_ids)
    except StoreError:
        return {}


async def top_reach(
    music_ids: Sequence[str],
    options: SourceOptions,
    settings: Settings,
    *,
    live: bool,
    now: datetime | None = None,
) -> dict[str, SongReach]:
    """The figures for a query's songs (`music_ids`, best first): the first TOP_SONGS refreshed
    from TikTok when the answer was `live` and the source is TikTok, the cached ones otherwise.
    Run it on the loop the TikTok sessions live on."""
    if live and default_kind(options, settings) == "tiktok":
        source = open_source(options, settings)
        try:
            return await refresh_reach(source, list(music_ids)[:TOP_SONGS], now or datetime.now(UTC))
        except StoreError:
            return {}
        finally:
            await source.aclose()
    return await asyncio.to_thread(cached_reach, music_ids, options.data_dir)
