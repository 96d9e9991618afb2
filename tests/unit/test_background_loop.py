import asyncio
import threading

import pytest

from tiktune_tui.background_loop import BackgroundLoop
from tiktune_tui.config import Settings
from tiktune_tui.core.models import Song
from tiktune_tui.playback.song_audio import TikTokSongResolver


def test_coroutines_share_one_loop_across_calls_and_threads():
    loop = BackgroundLoop()
    try:

        async def which():
            return asyncio.get_running_loop()

        first = loop.run(which())
        seen = []
        worker = threading.Thread(target=lambda: seen.append(loop.run(which())))
        worker.start()
        worker.join()
        assert seen == [first]  # the same loop: what a browser session needs
    finally:
        loop.close()
    assert not loop.running


def test_close_cancels_what_is_still_running():
    loop = BackgroundLoop()
    cancelled = threading.Event()

    async def forever():
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    future = loop.submit(forever())
    loop.run(asyncio.sleep(0))
    loop.close()
    assert cancelled.is_set() and future.cancelled()


def test_errors_come_back_to_the_caller():
    loop = BackgroundLoop()
    try:

        async def fail():
            raise ValueError("boom")

        with pytest.raises(ValueError, match="boom"):
            loop.run(fail())
    finally:
        loop.close()


def test_resolver_asks_tiktok_on_the_background_loop(monkeypatch, tmp_path):
    from tiktune_tui.library.sources.tiktok import TikTokSource

    loop = BackgroundLoop()
    threads = []

    async def resolve_song(self, music_id):
        threads.append(threading.current_thread().name)
        return Song(id=music_id, title="Fresh", play_url="https://cdn.example/a.mp3")

    async def media_headers(self):
        return {"Referer": "https://www.tiktok.com/"}

    monkeypatch.setattr(TikTokSource, "resolve_song", resolve_song)
    monkeypatch.setattr(TikTokSource, "media_headers", media_headers)
    try:
        resolver = TikTokSongResolver(loop, Settings(ms_token="t"), str(tmp_path))
        song, headers = resolver(Song(id="42"))
        assert song.play_url == "https://cdn.example/a.mp3" and headers["Referer"].startswith("https://")
        assert threads == ["tiktune-engine"]
    finally:
        loop.close()
