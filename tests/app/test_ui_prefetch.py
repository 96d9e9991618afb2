"""The app prefetches the top songs of a live answer, and a new search cancels that."""

from __future__ import annotations

import json
import threading

import pytest

from tests.support import ui_catalog
from tests.support.player_support import make_tone
from tests.support.slow_cdn import serve_cdn
from tests.support.tiktok_fakes import cooking
from tests.support.ui_catalog import wait_for_search
from tests.support.waiting import until
from tiktune_tui.config import Settings
from tiktune_tui.playback import audio_cache
from tiktune_tui.playback.audio_cache import AudioCache
from tiktune_tui.playback.player import PlayerState
from tiktune_tui.ui.app import TiktuneApp


@pytest.fixture(scope="module")
def tone(tmp_path_factory):
    return make_tone(tmp_path_factory.mktemp("tone") / "tone.mp3", 1.0)


@pytest.fixture(scope="module")
def long_tone(tmp_path_factory):
    """Long enough to be seen playing (the 1 s tone is over before a check comes round)."""
    return make_tone(tmp_path_factory.mktemp("long-tone") / "tone.mp3", 20.0)


def local_cdn(base: str):
    """`cooking`, with every song's play URL on the local CDN."""

    def respond(path, query):
        status, body = cooking(path, query)
        if path.endswith("/item_list/"):
            page = json.loads(body)
            for item in page["itemList"]:
                if isinstance(item.get("music"), dict) and item["music"].get("id"):
                    item["music"]["playUrl"] = f"{base}/{item['music']['id']}.mp3"
            body = json.dumps(page)
        return status, body

    return respond


def live_app(monkeypatch, tmp_path, respond, prefetch: int = 3) -> TiktuneApp:
    return ui_catalog.live_app(monkeypatch, tmp_path, respond, settings=Settings(ms_token="tok", prefetch=prefetch))


async def test_live_results_prefetch_the_top_songs_with_the_session_cookies(monkeypatch, tmp_path, tone):
    with serve_cdn({}, cookie="tt_chain_token=chain", default=tone) as (base, log):
        app = live_app(monkeypatch, tmp_path, local_cdn(base))
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for_search(pilot)
            top = [row.song for row in app.recommendation.rows[:4]]
            report = app._prefetcher.report
            await until(pilot, lambda: report.done.is_set())
            await pilot.pause()
            assert report.fetched == [song.id for song in top[:3]], report
            assert app.status.parts["prefetch"].plain == "prefetched: 3 songs ready"
    cache = AudioCache.default(str(tmp_path))
    assert [cache.path_for(song) is not None for song in top] == [True, True, True, False]
    assert all("tt_chain_token=chain" in headers["Cookie"] for _, headers in log.requests)


async def test_a_new_search_cancels_the_prefetch(monkeypatch, tmp_path, tone):
    with serve_cdn({}, default=tone) as (base, log):
        log.hold_all = True  # the CDN answers nothing until the gate opens: mid-download
        app = live_app(monkeypatch, tmp_path, local_cdn(base))
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for_search(pilot)
            first = app._prefetcher.report
            await until(pilot, lambda: log.arrived.is_set())
            assert log.arrived.is_set() and not first.done.is_set()
            app.table.focus()
            await pilot.press("ctrl+r")  # search again
            assert first.cancelled
            log.gate.set()
            await wait_for_search(pilot)
            await until(pilot, lambda: first.done.is_set())
            assert first.done.is_set() and first.fetched == []
            # The second search's own prefetch ran after it, not during it.
            assert app._prefetcher.report is not first


async def test_enter_on_a_song_being_prefetched_plays_that_download_not_a_second_one(monkeypatch, tmp_path, long_tone):
    waiting = threading.Event()
    real_wait = audio_cache._wait

    def wait(download, cancel):
        waiting.set()  # a fetch found the song's download in progress and waits for it
        real_wait(download, cancel)

    monkeypatch.setattr(audio_cache, "_wait", wait)
    with serve_cdn({}, default=long_tone) as (base, log):
        log.hold_all = True  # the prefetch's first download stays in progress until the gate opens
        app = live_app(monkeypatch, tmp_path, local_cdn(base))
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for_search(pilot)
            await until(pilot, log.arrived.is_set, what="the prefetch's first download")
            first = app.recommendation.rows[0].song
            path = f"/{first.id}.mp3"
            assert log.paths() == [path]
            app.table.focus()
            assert app.table.current_song_id == first.id
            await pilot.press("enter")
            # The player waits for that download, or (as it did) asks the CDN for the song again.
            await until(pilot, lambda: waiting.is_set() or log.paths().count(path) > 1, what="the player's fetch")
            log.gate.set()
            bar = app.music_bar
            await until(
                pilot,
                lambda: bar.status and bar.status.state == PlayerState.PLAYING and bar.status.song.id == first.id,
                what="the song playing",
            )
            assert log.paths().count(path) == 1
