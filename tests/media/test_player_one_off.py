"""A one-off (an export's preview) with real libVLC (dummy output): it interrupts the queue and
leaves it as it was, back at its song and paused where it was, whichever way the one-off ends."""

from __future__ import annotations

import pytest

from tests.support.player_support import make_tone, song
from tiktune_tui.core.models import Song
from tiktune_tui.playback.player import PlayerState
from tiktune_tui.playback.queue import Repeat


@pytest.fixture(scope="module")
def tones(tmp_path_factory):
    directory = tmp_path_factory.mktemp("one-off tones")
    for name, frequency in (("a", 440), ("b", 550), ("c", 660)):
        make_tone(directory / f"{name}.mp3", 20, frequency)
    make_tone(directory / "preview.mp3", 3.0, 880)  # libVLC ends a 1-s file before it reports playing
    return directory


def queue_of(tones) -> list[Song]:
    return [song(name, str(tones / f"{name}.mp3")) for name in ("a", "b", "c")]


def preview(tones, n: int = 1) -> Song:
    return Song(id=f"tiktune-file-{n}", title="Preview: a", play_url=str(tones / "preview.mp3"))


def start_queue(player, tones, index: int = 1):
    player.set_shuffle(True)  # the shuffled order and the modes must come back as they were
    player.set_repeat(Repeat.ALL)
    player.play_songs(queue_of(tones), index)
    before = player.wait_for(lambda s: s.state == PlayerState.PLAYING and s.position_s >= 0.5)
    return before


def playing_one_off(status) -> bool:
    return status.one_off and status.state == PlayerState.PLAYING


def test_a_one_off_that_ends_leaves_the_queue_paused_where_it_was_and_play_resumes_it(make_player, tones):
    player = make_player()
    before = start_queue(player, tones)
    player.play_one_off(preview(tones))
    during = player.wait_for(playing_one_off)
    # While it plays, the queue is still reported as it was: a queue view keeps showing it.
    assert during.song.id == "tiktune-file-1"
    assert (during.songs, during.index, during.shuffle, during.repeat) == (
        before.songs,
        before.index,
        True,
        Repeat.ALL,
    )
    after = player.wait_for(lambda s: not s.one_off and s.state == PlayerState.PAUSED)
    assert after.songs == before.songs and after.index == before.index
    assert after.song.id == before.song.id
    assert (after.shuffle, after.repeat) == (True, Repeat.ALL)
    assert after.position_s >= before.position_s  # its place, not 0:00
    player.seek_to(5.0)  # a seek while it is paused moves where play resumes it
    player.wait_for(lambda s: s.position_s == 5.0)
    player.toggle_pause()  # play resumes the queue's song there
    resumed = player.wait_for(lambda s: s.state == PlayerState.PLAYING and s.position_s > 0)
    assert resumed.song.id == before.song.id and resumed.index == before.index
    assert resumed.position_s >= 4.5


def test_play_pause_next_and_enter_during_a_one_off_go_back_to_the_queue(make_player, tones):
    player = make_player()
    player.play_songs(queue_of(tones), 0)
    before = player.wait_for(lambda s: s.state == PlayerState.PLAYING)
    # Play/pause ends it: the queue is back, paused at its song.
    player.play_one_off(preview(tones))
    player.wait_for(lambda s: s.one_off)
    player.toggle_pause()
    after = player.wait_for(lambda s: not s.one_off and s.state == PlayerState.PAUSED)
    assert (after.songs, after.index, after.song.id) == (before.songs, 0, "a")
    # A second preview over the first keeps the queue's moment, not the first preview's.
    player.play_one_off(preview(tones, 1))
    player.wait_for(playing_one_off)
    player.play_one_off(preview(tones, 2))
    player.wait_for(lambda s: s.one_off and s.song.id == "tiktune-file-2")
    # Next ends it and moves on in the queue, as from the queue's own song.
    player.next()
    moved = player.wait_for(lambda s: s.state == PlayerState.PLAYING and not s.one_off)
    assert (moved.songs, moved.index, moved.song.id) == (before.songs, 1, "b")
    # Enter on a song (a new list) plays it: the one-off simply ends.
    player.play_one_off(preview(tones, 3))
    player.wait_for(playing_one_off)
    player.play_at(2)
    jumped = player.wait_for(lambda s: s.state == PlayerState.PLAYING and not s.one_off)
    assert (jumped.index, jumped.song.id) == (2, "c")


def test_a_one_off_before_anything_played_leaves_the_player_idle(make_player, tones):
    player = make_player()
    player.play_one_off(preview(tones))
    assert player.wait_for(playing_one_off).songs == ()
    after = player.wait_for(lambda s: not s.one_off and s.state != PlayerState.PLAYING)
    assert after.state == PlayerState.IDLE and after.song is None


def test_a_one_off_that_cannot_play_leaves_the_queue_and_marks_nothing_dead(make_player, tones, recorder):
    player = make_player()
    before = start_queue(player, tones, 0)
    player.play_one_off(Song(id="tiktune-file-9", title="Preview: gone", play_url=str(tones / "missing.mp3")))
    after = player.wait_for(lambda s: not s.one_off and s.state == PlayerState.PAUSED)
    assert (after.songs, after.index, after.song.id, after.dead) == (before.songs, 0, before.song.id, frozenset())
    assert any("Preview: gone" in notice for notice in recorder.notices)
