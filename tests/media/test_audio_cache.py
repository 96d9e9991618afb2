"""The audio cache: downloads once, over http(s) only, LRU within its size cap."""

from __future__ import annotations

import http.server
import os
import threading
import time

import pytest

from tiktune_tui.core.models import Song
from tiktune_tui.paths import data_dir
from tiktune_tui.playback.audio_cache import DEFAULT_HEADERS, AudioCache, AudioUnavailable, LinkExpired, song_key

AUDIO = b"ID3" + bytes(range(256)) * 40  # ~10 KB that claims to be mp3


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves a few canned answers and records what each request sent."""

    seen: list[dict] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        Handler.seen.append({"path": self.path, **dict(self.headers)})
        if self.path.startswith("/song"):
            self._answer(200, "audio/mpeg", AUDIO)
        elif self.path == "/m4a":
            self._answer(200, "audio/mp4", AUDIO)
        elif self.path == "/html":
            self._answer(200, "text/html; charset=utf-8", b"<html>Access denied</html>")
        elif self.path == "/gone":
            self._answer(410, "text/plain", b"gone")
        elif self.path == "/broken":
            self._answer(500, "text/plain", b"oops")
        elif self.path == "/empty":
            self._answer(200, "audio/mpeg", b"")
        elif self.path == "/big":
            self._answer(200, "audio/mpeg", AUDIO * 10)
        elif self.path == "/redirect-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/x.mp3")
            self.end_headers()
        else:
            self._answer(404, "text/plain", b"not found")

    def _answer(self, code, kind, body):
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def cache(tmp_path):
    return AudioCache(tmp_path / "audio")


def requests_for(path: str) -> list[dict]:
    return [r for r in Handler.seen if r["path"] == path]


def test_fetch_downloads_once_with_tiktok_headers(cache, server):
    song = Song(id="111", title="A", play_url=server + "/song1.mp3")
    path = cache.fetch(song)
    assert path.read_bytes() == AUDIO
    assert path.parent == cache.directory and path.name == "111.mp3"
    again = cache.fetch(song)
    assert again == path
    sent = requests_for("/song1.mp3")
    assert len(sent) == 1
    assert sent[0]["User-Agent"] == DEFAULT_HEADERS["User-Agent"]
    assert sent[0]["Referer"] == "https://www.tiktok.com/"
    assert cache.path_for(Song(id="111")) == path


def test_explicit_url_and_headers_win(cache, server):
    song = Song(id="222", play_url="http://127.0.0.1:9/dead")
    path = cache.fetch(song, url=server + "/song2", headers={"Referer": "https://example.test/"})
    assert path.exists()
    assert requests_for("/song2")[-1]["Referer"] == "https://example.test/"


def test_the_suffix_follows_the_content_type(cache, server):
    assert cache.fetch(Song(id="m4"), url=server + "/m4a").suffix == ".m4a"


def test_path_for_misses_and_touches(cache, server):
    song = Song(id="333", play_url=server + "/song3")
    assert cache.path_for(song) is None
    path = cache.fetch(song)
    os.utime(path, (1, 1))
    assert cache.path_for(song) == path
    assert path.stat().st_mtime > 1_000_000


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (None, "no audio URL"),
        ("/missing", "HTTP 404"),
        ("/html", "not audio"),
        ("/gone", "HTTP 410"),
        ("/broken", "HTTP 500"),
        ("/empty", "empty"),
        ("/redirect-ftp", "ftp"),
        ("ftp://127.0.0.1/a.mp3", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http://127.0.0.1:9/refused", "cannot download"),
    ],
)
def test_failures_raise_audio_unavailable_and_leave_nothing(cache, server, url, message):
    if url and url.startswith("/"):
        url = server + url
    with pytest.raises(AudioUnavailable, match=message) as raised:
        cache.fetch(Song(id="bad", title="Bad"), url=url, timeout=5)
    assert not cache.directory.exists() or list(cache.directory.iterdir()) == []
    # Only answers that a fresh link could cure make the player ask for one.
    assert isinstance(raised.value, LinkExpired) == (message in ("HTTP 404", "not audio", "HTTP 410"))


def test_least_recently_used_files_go_beyond_the_cap(tmp_path, server):
    cache = AudioCache(tmp_path / "audio", max_bytes=len(AUDIO) * 2 + 10)
    first = cache.fetch(Song(id="1", play_url=server + "/song-a"))
    second = cache.fetch(Song(id="2", play_url=server + "/song-b"))
    os.utime(first, (time.time() - 100, time.time() - 100))
    os.utime(second, (time.time() - 200, time.time() - 200))
    assert cache.path_for(Song(id="2")) == second  # used now: the newest
    third = cache.fetch(Song(id="3", play_url=server + "/song-c"))
    assert not first.exists()
    assert second.exists() and third.exists()
    assert sum(p.stat().st_size for p in cache.directory.iterdir()) <= cache.max_bytes


def test_a_download_larger_than_the_cache_is_refused(tmp_path, server):
    cache = AudioCache(tmp_path / "audio", max_bytes=len(AUDIO) * 2)
    with pytest.raises(AudioUnavailable, match="larger than"):
        cache.fetch(Song(id="big"), url=server + "/big")
    assert list(cache.directory.iterdir()) == []


def test_odd_ids_stay_inside_the_cache(cache, server):
    song = Song(id="../../etc/passwd")
    path = cache.fetch(song, url=server + "/m4a")
    assert path.parent == cache.directory
    assert path.suffix == ".m4a" and path.read_bytes() == AUDIO
    assert cache.path_for(song) == path
    assert song_key(song) != song.id and "/" not in song_key(song)


def test_two_downloads_of_one_song_in_two_formats_leave_one_file(cache, server, monkeypatch):
    song = Song(id="444")
    old = cache.fetch(song, url=server + "/song4")
    # Two threads that both looked before either had stored: the second must not leave two files.
    monkeypatch.setattr(cache, "path_for", lambda s: None)
    new = cache.fetch(song, url=server + "/m4a")
    monkeypatch.undo()
    assert new.suffix == ".m4a" and not old.exists()
    assert cache.path_for(song) == new


def test_forget_and_stale_temp_files(cache, server):
    song = Song(id="555", play_url=server + "/song5")
    cache.fetch(song)
    stale = cache.directory / ".fetch-abc.part"
    stale.write_bytes(b"x")
    os.utime(stale, (1, 1))
    cache.forget(song)
    assert cache.path_for(song) is None
    cache.fetch(Song(id="556", play_url=server + "/song6"))
    assert not stale.exists()


def test_default_directory_is_in_the_data_dir():
    assert AudioCache.default().directory == data_dir() / "audio"
    assert AudioCache.default().max_bytes == 500 * 1024 * 1024


def test_a_second_fetch_of_a_song_being_downloaded_waits_for_that_download(tmp_path, monkeypatch):
    """The prefetch and the player have an AudioCache each on one directory: the song the
    prefetch is downloading is not downloaded again when the player asks for it."""
    from tests.support.slow_cdn import serve_cdn
    from tiktune_tui.playback import audio_cache

    tone = tmp_path / "tone.mp3"
    tone.write_bytes(AUDIO)
    waiting = threading.Event()
    real_wait = audio_cache._wait

    def wait(download, cancel):
        waiting.set()  # the second fetch found the first in progress
        real_wait(download, cancel)

    monkeypatch.setattr(audio_cache, "_wait", wait)
    with serve_cdn({}, default=tone) as (base, log):
        log.held.add("/song7.mp3")
        song = Song(id="777", play_url=base + "/song7.mp3")
        prefetch, player = AudioCache(tmp_path / "audio"), AudioCache(tmp_path / "audio")
        results: dict[str, object] = {}
        first = threading.Thread(target=lambda: results.update(first=prefetch.fetch(song)))
        first.start()
        assert log.arrived.wait(10)
        second = threading.Thread(target=lambda: results.update(second=player.fetch(song)))
        second.start()
        assert waiting.wait(10)
        log.gate.set()
        first.join(10)
        second.join(10)
        assert results["first"] == results["second"] == player.path_for(song)
        assert log.paths().count("/song7.mp3") == 1


def test_a_fetch_waiting_for_another_download_can_be_cancelled_and_retries_after_a_failure(
    tmp_path, server, monkeypatch
):
    from tiktune_tui.playback import audio_cache

    waiting = threading.Event()
    real_wait = audio_cache._wait

    def wait(download, cancel):
        waiting.set()
        real_wait(download, cancel)

    monkeypatch.setattr(audio_cache, "_wait", wait)
    song = Song(id="888", play_url=server + "/song8")
    cache = AudioCache(tmp_path / "audio")
    running = threading.Event()
    key = cache._download_key(song)
    monkeypatch.setitem(audio_cache._downloads, key, running)  # another thread's download, in progress
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(AudioUnavailable, match="cancelled"):
        cache.fetch(song, cancel=cancel)
    waiting.clear()
    waiter = threading.Thread(target=lambda: cache.fetch(song))
    waiter.start()
    assert waiting.wait(10)
    # That download ends without a file (it failed): the waiting fetch downloads the song itself.
    del audio_cache._downloads[key]
    running.set()
    waiter.join(10)
    assert cache.path_for(song) is not None
    assert len(requests_for("/song8")) == 1
