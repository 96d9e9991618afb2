"""The player service with real libVLC (audio output dummy) on tones served over local HTTP."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.support.player_support import make_tone, playing, serve_directory, song
from tests.support.waiting import eventually
from tiktune_tui.playback import vlc_setup
from tiktune_tui.playback.audio_cache import AudioCache, AudioUnavailable
from tiktune_tui.playback.player import Player, PlayerState
from tiktune_tui.playback.song_audio import NO_PREVIEW, NoPreview, find_audio, local_path
from tiktune_tui.playback.vlc_setup import INSTALL_HINT, find_audio_problem

PLAYING = PlayerState.PLAYING


@pytest.fixture(scope="module")
def tones(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tones")
    make_tone(directory / "a.mp3", 1.5, 440)
    make_tone(directory / "b.mp3", 1.5, 550)
    make_tone(directory / "c.mp3", 1.5, 660)
    make_tone(directory / "long.mp3", 10, 330)
    (directory / "garbage.mp3").write_bytes(os.urandom(4096))
    return directory


@pytest.fixture(scope="module")
def base_url(tones):
    with serve_directory(tones) as url:
        yield url


def test_play_reports_playing_and_the_position_advances(make_player, base_url, recorder):
    player = make_player()
    player.play_songs([song("1", base_url + "a.mp3")], 0)
    status = player.wait_for(playing(0))
    assert status.song.id == "1" and status.count == 1
    status = player.wait_for(lambda s: s.position_s > 0.3)
    assert 0 < status.duration_s <= 2.0  # libVLC estimates the length early, then refines it
    assert PlayerState.LOADING in recorder.states


def test_pause_then_resume(make_player, base_url):
    player = make_player()
    player.play_songs([song("long", base_url + "long.mp3")], 0)
    player.wait_for(lambda s: s.state == PLAYING and s.position_s > 0.2)
    player.toggle_pause()
    paused = player.wait_for(lambda s: s.state == PlayerState.PAUSED)
    player.toggle_pause()
    player.wait_for(lambda s: s.state == PLAYING and s.position_s > paused.position_s)


def test_seek_absolute_and_relative_moves_libvlc(make_player, base_url):
    player = make_player()
    player.play_songs([song("long", base_url + "long.mp3")], 0)
    player.wait_for(lambda s: s.state == PLAYING and s.duration_s and s.duration_s > 9)
    player.seek_to(6)
    player.wait_for(lambda s: s.position_s == 6.0)
    # The next poll reports libVLC's own clock: it is past 6 s only if libVLC really seeked.
    after = player.wait_for(lambda s: s.position_s != 6.0)
    assert 6.0 < after.position_s < 9.0
    player.seek_relative(-5)
    back = player.wait_for(lambda s: s.position_s < 5.0)
    assert back.position_s >= 0.9
    player.seek_relative(-30)
    assert player.wait_for(lambda s: s.position_s < 1.0).position_s >= 0.0


def test_seek_while_paused_stays_paused(make_player, base_url):
    player = make_player()
    player.play_songs([song("long", base_url + "long.mp3")], 0)
    player.wait_for(lambda s: s.state == PLAYING and s.duration_s and s.duration_s > 9)
    player.toggle_pause()
    player.wait_for(lambda s: s.state == PlayerState.PAUSED)
    player.seek_relative(5)
    status = player.wait_for(lambda s: s.position_s >= 5.0)
    assert status.state == PlayerState.PAUSED
    assert player.status.position_s < 7.0


def test_next_and_previous_over_three_songs(make_player, base_url, recorder):
    songs = [song(name, base_url + f"{name}.mp3") for name in ("a", "b", "c")]
    player = make_player()
    player.play_songs(songs, 0)
    player.wait_for(playing(0))
    player.next()
    assert player.wait_for(playing(1)).song.id == "b"
    player.previous()  # early in the song: the previous song
    assert player.wait_for(playing(0)).song.id == "a"
    player.previous()  # first song: restarts it
    player.wait_for(lambda s: s.position_s == 0.0 and s.index == 0)
    player.next()
    player.wait_for(playing(1))
    player.next()
    assert player.wait_for(playing(2)).song.id == "c"
    player.next()  # last song: stays, says so
    player.wait_for(lambda s: s.index == 2)
    player.toggle_pause()
    player.wait_for(lambda s: s.state == PlayerState.PAUSED)
    assert any("last song" in text for text in recorder.notices)


def test_previous_restarts_a_song_past_three_seconds(make_player, base_url):
    songs = [song("a", base_url + "a.mp3"), song("long", base_url + "long.mp3")]
    player = make_player()
    player.play_songs(songs, 1)
    player.wait_for(lambda s: s.state == PLAYING and s.index == 1 and (s.duration_s or 0) > 9)
    player.seek_to(4)
    player.wait_for(lambda s: s.position_s >= 4)
    player.previous()
    status = player.wait_for(lambda s: s.position_s < 3)
    assert status.index == 1 and status.song.id == "long"


def test_end_of_song_advances_then_stops_at_the_end(make_player, base_url, recorder):
    songs = [song("a", base_url + "a.mp3"), song("b", base_url + "b.mp3")]
    player = make_player()
    player.play_songs(songs, 0)
    player.wait_for(playing(0))
    player.wait_for(playing(1))
    stopped = player.wait_for(lambda s: s.state == PlayerState.STOPPED)
    assert stopped.index == 1
    assert recorder.notices == []


def test_a_404_url_is_an_error_and_the_next_song_plays(make_player, base_url, recorder):
    songs = [song("gone", base_url + "missing.mp3", title="Gone"), song("b", base_url + "b.mp3")]
    player = make_player()
    player.play_songs(songs, 0)
    player.wait_for(playing(1))
    assert PlayerState.ERROR in recorder.states
    assert any("Gone" in text and "404" in text for text in recorder.notices)


def test_unplayable_audio_is_an_error_skipped_and_dropped_from_the_cache(make_player, base_url, recorder, tmp_path):
    cache = AudioCache(tmp_path / "audio")
    garbage = song("junk", base_url + "garbage.mp3")
    player = make_player(cache=cache)
    player.play_songs([garbage, song("b", base_url + "b.mp3")], 0)
    player.wait_for(playing(1))
    assert PlayerState.ERROR in recorder.states
    assert any("cannot be played" in text for text in recorder.notices)
    assert cache.path_for(garbage) is None


def test_failures_in_a_row_stop_skipping(make_player, base_url, recorder):
    songs = [song(str(n), base_url + f"missing{n}.mp3") for n in range(5)]
    player = make_player(skip_limit=2)
    player.play_songs(songs, 0)
    player.wait_for(lambda s: s.state == PlayerState.ERROR and s.index == 1)
    eventually(lambda: any("2 failures in a row" in t for t in recorder.notices))
    assert player.status.index == 1


def test_song_without_url_and_no_resolver_says_why_and_stays(make_player, recorder):
    player = make_player()
    player.play_songs([song("catalog", None), song("other", None)], 0)
    status = player.wait_for(lambda s: s.state == PlayerState.ERROR)
    assert status.message == NO_PREVIEW and status.index == 0
    eventually(lambda: NO_PREVIEW in recorder.notices)


def test_no_preview_is_told_by_its_type_not_its_words(make_player, recorder):
    # A resolver that knows there is no audio anywhere raises NoPreview in its own words:
    # the player stays on the song as for the catalog's, instead of skipping along.
    def resolve(s):
        raise NoPreview("TikTok keeps no audio for this sound")

    player = make_player(resolve=resolve)
    player.play_songs([song("catalog", None), song("other", None)], 0)
    status = player.wait_for(lambda s: s.state == PlayerState.ERROR)
    assert status.message == "TikTok keeps no audio for this sound" and status.index == 0
    eventually(lambda: "TikTok keeps no audio for this sound" in recorder.notices)
    assert player.status.index == 0


def test_find_audio_without_a_link_or_resolver_raises_no_preview(tmp_path):
    with pytest.raises(NoPreview, match="No preview"):
        find_audio(song("catalog", None), AudioCache(tmp_path / "audio"))
    assert issubclass(NoPreview, AudioUnavailable)


def test_a_resolver_supplies_a_fresh_url(make_player, base_url):
    asked = []

    def resolve(s):
        asked.append(s.id)
        return base_url + "a.mp3"

    player = make_player(resolve=resolve)
    player.play_songs([song("7001", None)], 0)
    player.wait_for(playing(0))
    assert asked == ["7001"]


def test_an_async_resolver_returning_a_song(make_player, base_url):
    async def resolve(s):
        return song(s.id, base_url + "b.mp3")

    player = make_player(resolve=resolve)
    player.play_songs([song("7002", None)], 0)
    player.wait_for(playing(0))


def test_a_resolver_may_add_download_headers_and_its_errors_are_reported(make_player, base_url, recorder, tmp_path):
    from tiktune_tui.errors import TiktuneError

    seen_headers = []

    class Cache(AudioCache):
        def fetch(self, song, url=None, headers=None, timeout=30, cancel=None):
            seen_headers.append(headers)
            return super().fetch(song, url, headers, timeout, cancel)

    def resolve(s):
        if s.id == "gone":
            raise TiktuneError("sound gone: TikTok has no such sound (removed?)")
        return song(s.id, base_url + "a.mp3"), {"Cookie": "tt=1"}

    player = make_player(resolve=resolve, cache=Cache(tmp_path / "resolved"))
    player.play_songs([song("gone", None, title="Gone"), song("7003", None)], 0)
    player.wait_for(playing(1))
    assert seen_headers == [{"Cookie": "tt=1"}]
    assert any("TikTok has no such sound" in text and "Gone" in text for text in recorder.notices)


EXPIRED_ANSWERS = {
    "/stale-403.mp3": (403, "text/plain"),
    "/stale-410.mp3": (410, "text/plain"),
    "/stale-page.mp3": (200, "text/html; charset=utf-8"),
}


@pytest.fixture(scope="module")
def expiring_url(tones):
    """Like base_url, but some paths answer as TikTok's CDN does once a link has expired."""
    with serve_directory(tones, refusals=EXPIRED_ANSWERS) as url:
        yield url


class RecordingCache(AudioCache):
    def __init__(self, directory) -> None:
        super().__init__(directory)
        self.downloads: list[tuple[str | None, dict | None]] = []

    def fetch(self, song, url=None, headers=None, timeout=30, cancel=None):
        self.downloads.append((url, headers))
        return super().fetch(song, url, headers, timeout, cancel)


@pytest.mark.parametrize("stale", ["stale-403.mp3", "missing.mp3", "stale-410.mp3", "stale-page.mp3"])
def test_an_expired_link_is_resolved_again_and_plays(make_player, expiring_url, recorder, tmp_path, stale):
    asked = []

    def resolve(s):
        asked.append(s.id)
        return song(s.id, expiring_url + "a.mp3"), {"Cookie": "tt=1"}

    cache = RecordingCache(tmp_path / "audio")
    player = make_player(resolve=resolve, cache=cache)
    player.play_songs([song("old", expiring_url + stale, title="Old"), song("b", expiring_url + "b.mp3")], 0)
    player.wait_for(playing(0))
    assert asked == ["old"]
    assert cache.downloads == [(expiring_url + stale, None), (expiring_url + "a.mp3", {"Cookie": "tt=1"})]
    assert PlayerState.ERROR not in recorder.states and recorder.notices == []


def test_a_fresh_link_that_fails_too_is_given_up_after_one_try(make_player, expiring_url, recorder):
    asked = []

    def resolve(s):
        asked.append(s.id)
        return expiring_url + "stale-410.mp3"

    player = make_player(resolve=resolve)
    player.play_songs([song("old", expiring_url + "stale-403.mp3", title="Old"), song("b", expiring_url + "b.mp3")], 0)
    player.wait_for(playing(1))
    assert asked == ["old"]
    assert any("Old" in text and "410" in text for text in recorder.notices)


def test_an_unreachable_server_is_not_an_expired_link(make_player, tmp_path, recorder):
    asked = []
    with serve_directory(tmp_path) as url:
        pass  # the port is closed again: connection refused, the link itself may be fine
    player = make_player(resolve=lambda s: asked.append(s.id))
    player.play_songs([song("down", url + "a.mp3", title="Down")], 0)
    player.wait_for(lambda s: s.state == PlayerState.ERROR)
    eventually(lambda: any("Down" in text for text in recorder.notices))
    assert asked == []


def test_played_audio_replays_from_the_cache_without_its_url(make_player, base_url, tmp_path):
    cache = AudioCache(tmp_path / "audio")
    player = make_player(cache=cache)
    player.play_songs([song("a", base_url + "a.mp3")], 0)
    player.wait_for(playing(0))
    assert cache.path_for(song("a", None)) is not None
    player.play_songs([song("a", None)], 0)  # no URL now: offline replay
    player.wait_for(lambda s: s.state == PLAYING and s.song.play_url is None)


def test_local_files_play_and_other_schemes_are_refused(make_player, tones, recorder):
    player = make_player()
    player.play_songs([song("p", str(tones / "a.mp3")), song("u", (tones / "b.mp3").as_uri())], 0)
    player.wait_for(playing(0))
    player.next()
    player.wait_for(playing(1))
    player.play_songs([song("x", "ftp://127.0.0.1/a.mp3")], 0)
    status = player.wait_for(lambda s: s.state == PlayerState.ERROR)
    assert "only http and https" in status.message


def test_volume_and_mute(make_player, base_url):
    player = make_player()
    start = player.status.volume
    player.change_volume(10)
    assert player.wait_for(lambda s: s.volume != start).volume == min(100, start + 10)
    player.change_volume(500)
    player.wait_for(lambda s: s.volume == 100)
    player.toggle_mute()
    player.wait_for(lambda s: s.muted)
    player.change_volume(-30)  # changing the volume unmutes, as players do
    status = player.wait_for(lambda s: s.volume == 70)
    assert not status.muted
    player.change_volume(-500)
    player.wait_for(lambda s: s.volume == 0)


def test_libvlc_missing_leaves_the_player_usable_and_says_how_to_install(monkeypatch, recorder):
    def broken():
        raise vlc_setup.PlaybackUnavailable(
            f"Playback unavailable: libVLC not found (libvlc.so.5: cannot open). Install it: {INSTALL_HINT}"
        )

    monkeypatch.setattr(vlc_setup, "_import_vlc", broken)
    player = Player(listener=recorder, audio_output="dummy")
    try:
        status = player.wait_for(lambda s: s.state == PlayerState.UNAVAILABLE)
        assert "apt-get install libvlc5 vlc-plugin-base" in status.message
        player.play_songs([song("a", "http://127.0.0.1:9/a.mp3")], 0)
        player.toggle_pause()
        eventually(lambda: len(recorder.notices) >= 2)
    finally:
        player.close()
    assert player.threads == []


def test_the_import_failure_itself_becomes_playback_unavailable(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_vlc(name, *args, **kwargs):
        if name == "vlc":
            raise OSError("libvlc.so.5: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_vlc)
    with pytest.raises(vlc_setup.PlaybackUnavailable, match="libvlc5 vlc-plugin-base"):
        vlc_setup._import_vlc()


def test_close_stops_playback_and_leaves_no_thread(make_player, base_url):
    before = {t.name for t in threading.enumerate()}
    player = make_player()
    player.play_songs([song("long", base_url + "long.mp3")], 0)
    player.wait_for(playing(0))
    native_playing = len(os.listdir("/proc/self/task"))
    player.close()
    assert player.threads == []
    assert not [t for t in threading.enumerate() if t.name.startswith("tiktune") and t.name not in before]
    # libVLC's input and audio threads end with the media player.
    assert len(os.listdir("/proc/self/task")) < native_playing
    player.play_songs([song("a", base_url + "a.mp3")], 0)  # ignored after close, no error
    player.close()


def test_unknown_audio_output_is_reported(make_player, recorder):
    make_player(audio_output="no-such-output")
    assert any("Unknown audio output 'no-such-output'" in text for text in recorder.notices)


def test_find_audio_problem(tmp_path):
    missing = tmp_path / "no-snd"
    runtime = tmp_path / "run"
    (runtime / "pulse").mkdir(parents=True)
    message = find_audio_problem({"XDG_RUNTIME_DIR": str(runtime)}, missing)
    assert message and "--audio-output" in message
    assert find_audio_problem({"PULSE_SERVER": "tcp:host", "XDG_RUNTIME_DIR": str(runtime)}, missing) is None
    (runtime / "pulse" / "native").touch()
    assert find_audio_problem({"XDG_RUNTIME_DIR": str(runtime)}, missing) is None
    cards = tmp_path / "snd"
    cards.mkdir()
    (cards / "pcmC0D0p").touch()
    assert find_audio_problem({"XDG_RUNTIME_DIR": str(tmp_path / "none")}, cards) is None


def test_local_path():
    assert local_path("file:///tmp/a%20b.mp3") == Path("/tmp/a b.mp3")
    assert local_path("/srv/x.mp3") == Path("/srv/x.mp3")
    assert local_path("https://example.com/x.mp3") is None
    assert local_path("file://otherhost/x.mp3") is None
    assert local_path("x.mp3") is None
