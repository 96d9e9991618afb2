"""The player's queue with real libVLC (dummy output): dead links, edits, repeat, audio outputs."""

from __future__ import annotations

import pytest

from tests.support.player_support import make_tone, playing, serve_directory, song
from tests.support.waiting import eventually
from tiktune_tui.playback.player import PlayerState
from tiktune_tui.playback.queue import Repeat


@pytest.fixture(scope="module")
def tones(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tones")
    for name, frequency in (("a", 440), ("b", 550), ("c", 660)):
        make_tone(directory / f"{name}.mp3", 1.5, frequency)
    make_tone(directory / "long.mp3", 10, 330)
    return directory


@pytest.fixture
def served(tones):
    requested: list[str] = []
    with serve_directory(tones, requested=requested) as url:
        yield url, requested


def test_previous_goes_back_past_a_dead_link_without_asking_for_it_again(make_player, served):
    url, requested = served
    songs = [song("a", url + "long.mp3"), song("dead", url + "missing.mp3"), song("c", url + "c.mp3")]
    player = make_player()
    player.play_songs(songs, 0)
    player.wait_for(playing(0))
    player.next()  # onto the dead link: skipped to c
    player.wait_for(playing(2))
    assert requested.count("/missing.mp3") == 1
    assert player.status.dead == {"dead"}
    player.previous()  # back past the dead one, to a
    assert player.wait_for(playing(0)).song.id == "a"
    player.next()  # forward past it again
    player.wait_for(playing(2))
    assert requested.count("/missing.mp3") == 1  # remembered: never requested again
    # Playing a new list that holds it still skips it.
    player.play_songs([song("dead", url + "missing.mp3"), song("b", url + "b.mp3")], 0)
    player.wait_for(lambda s: s.state == PlayerState.PLAYING and s.song.id == "b")
    assert requested.count("/missing.mp3") == 1


def test_queue_add_next_add_at_end_remove_and_move(make_player, served):
    url, _ = served
    a, b, c, long = (song(n, url + f"{n}.mp3") for n in ("a", "b", "c", "long"))
    player = make_player()
    player.play_songs([long], 0)
    player.wait_for(playing(0))
    player.enqueue([a], next_up=False)
    player.enqueue([b], next_up=True)
    status = player.wait_for(lambda s: len(s.songs) == 3)
    assert [s.id for s in status.songs] == ["long", "b", "a"]
    player.move_in_queue(2, 1)
    status = player.wait_for(lambda s: [x.id for x in s.songs] == ["long", "a", "b"])
    player.enqueue([c], next_up=False)
    player.remove_from_queue(1)
    status = player.wait_for(lambda s: [x.id for x in s.songs] == ["long", "b", "c"])
    assert status.index == 0 and status.state == PlayerState.PLAYING
    player.next()
    assert player.wait_for(playing(1)).song.id == "b"


def test_repeat_one_replays_and_repeat_all_wraps(make_player, served, recorder):
    url, requested = served
    player = make_player()
    player.set_repeat(Repeat.ONE)
    player.play_songs([song("a", url + "a.mp3"), song("b", url + "b.mp3")], 0)
    player.wait_for(playing(0))
    starts = len([e for e in recorder.states if e == PlayerState.LOADING])
    eventually(lambda: len([e for e in recorder.states if e == PlayerState.LOADING]) > starts)
    assert player.wait_for(lambda s: s.state == PlayerState.PLAYING).index == 0  # the same song again
    player.set_repeat(Repeat.ALL)
    player.wait_for(lambda s: s.repeat == Repeat.ALL)
    player.next()
    player.wait_for(playing(1))
    player.next()  # past the end: back to the first
    assert player.wait_for(playing(0)).song.id == "a"


def test_an_unknown_audio_output_is_named_with_libvlcs_outputs(make_player, recorder):
    make_player(audio_output="bogus")
    eventually(lambda: recorder.notices)
    message = next(m for m in recorder.notices if "bogus" in m)
    assert "Unknown audio output 'bogus'" in message and "alsa" in message
    assert not any("No audio device" in m for m in recorder.notices if m != message and "bogus" in m)


def test_no_audio_device_is_a_quiet_notice(make_player, recorder, monkeypatch):
    from tiktune_tui.playback import vlc_setup as player_module

    monkeypatch.setattr(player_module, "find_audio_problem", lambda: "No audio device found (over SSH?)")
    make_player(audio_output=None)
    eventually(lambda: recorder.notices)
    notices = [e for e in recorder.events if getattr(e, "message", "").startswith("No audio device")]
    assert len(notices) == 1 and notices[0].quiet
