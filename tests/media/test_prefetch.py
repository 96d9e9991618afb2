"""Prefetch: the top songs' audio in the cache before Enter, through the session's headers;
cancelled by a new search; songs without a sound skipped with a count."""

from __future__ import annotations

import pytest

from tests.support.player_support import make_tone, song
from tests.support.slow_cdn import serve_cdn
from tiktune_tui.playback.audio_cache import AudioCache
from tiktune_tui.playback.prefetch import Prefetcher

SESSION = {
    "User-Agent": "Mozilla/5.0 Chrome/156",
    "Referer": "https://www.tiktok.com/",
    "Cookie": "tt_chain_token=chain; msToken=m",
}


@pytest.fixture(scope="module")
def tone(tmp_path_factory):
    return make_tone(tmp_path_factory.mktemp("tone") / "tone.mp3", 2.0)


def test_the_top_songs_are_fetched_into_the_cache_with_the_session_headers(tmp_path, tone):
    files = {f"/s{n}.mp3": tone for n in range(5)}
    with serve_cdn(files, cookie="tt_chain_token=chain") as (base, log):
        songs = [song(str(n), f"{base}/s{n}.mp3") for n in range(5)]
        cache = AudioCache(tmp_path / "audio")
        prefetcher = Prefetcher(cache, headers_for=lambda: SESSION)
        report = prefetcher.start(songs, 3)
        assert report.done.wait(30)
    assert report.fetched == ["0", "1", "2"] and not report.failed and not report.cancelled
    assert [cache.path_for(s) is not None for s in songs] == [True, True, True, False, False]
    assert log.paths() == ["/s0.mp3", "/s1.mp3", "/s2.mp3"]
    assert all(h["Cookie"] == SESSION["Cookie"] and h["User-Agent"] == SESSION["User-Agent"] for _, h in log.requests)


def test_without_the_session_headers_the_cdn_refuses_and_that_is_counted(tmp_path, tone):
    with serve_cdn({"/a.mp3": tone}, cookie="tt_chain_token=chain") as (base, _):
        report = Prefetcher(AudioCache(tmp_path / "audio")).start([song("a", f"{base}/a.mp3")], 3)
        assert report.done.wait(30)
    assert report.fetched == [] and "HTTP 403" in report.failed["a"]


def test_songs_without_a_sound_are_skipped_with_a_count_and_cached_ones_kept(tmp_path, tone):
    cache = AudioCache(tmp_path / "audio")
    with serve_cdn({"/a.mp3": tone, "/c.mp3": tone}) as (base, log):
        cache.fetch(song("a", f"{base}/a.mp3"))
        songs = [song("a", f"{base}/a.mp3"), song("removed", None), song("c", f"{base}/c.mp3")]
        report = Prefetcher(cache).start(songs, 3)
        assert report.done.wait(30)
    assert (report.cached, report.without_sound, report.fetched) == (["a"], 1, ["c"])
    assert report.summary() == "2 songs ready, 1 without a sound skipped"


def test_a_new_search_cancels_the_prefetch_in_progress(tmp_path, tone):
    cache = AudioCache(tmp_path / "audio")
    with serve_cdn({f"/s{n}.mp3": tone for n in range(3)}) as (base, log):
        log.held.add("/s0.mp3")
        songs = [song(str(n), f"{base}/s{n}.mp3") for n in range(3)]
        prefetcher = Prefetcher(cache)
        first = prefetcher.start(songs, 3)
        assert log.arrived.wait(10)  # the first download is under way
        prefetcher.cancel()  # the user searched again
        log.gate.set()
        assert first.done.wait(30)
    assert first.cancelled and first.fetched == []
    assert log.paths() == ["/s0.mp3"]  # nothing after the cancel was asked for
    assert all(cache.path_for(s) is None for s in songs)
