"""The play queue as data: order, dead songs both ways, repeat, shuffle, edits."""

from __future__ import annotations

import random

from tiktune_tui.core.models import Song
from tiktune_tui.playback.queue import PlayQueue, Repeat


def songs(*ids: str) -> list[Song]:
    return [Song(id=i, title=i.upper(), author="x") for i in ids]


def ids(queue: PlayQueue) -> list[str]:
    return [s.id for s in queue.songs]


def test_dead_songs_are_skipped_both_ways():
    queue = PlayQueue()
    queue.current = queue.replace(songs("a", "b", "c", "d"), 0)
    queue.mark_dead(1, "404")
    queue.mark_dead(2, "404")
    assert queue.next_index() == 3
    queue.current = 3
    assert queue.previous_index() == 0
    queue.current = 0
    assert queue.previous_index() is None
    assert queue.first_live(1, -1) == 0 and queue.first_live(2, +1) == 3


def test_repeat():
    queue = PlayQueue()
    queue.current = queue.replace(songs("a", "b"), 1)
    assert queue.next_index() is None
    queue.repeat = Repeat.ALL
    assert queue.next_index() == 0
    queue.current = 0
    assert queue.previous_index() == 1
    queue.repeat = Repeat.ONE
    assert queue.next_index(auto=True) == 0 and queue.next_index() == 1  # n still moves on
    assert Repeat.OFF.next() is Repeat.ALL and Repeat.ONE.next() is Repeat.OFF


def test_every_song_dead_with_repeat_all_ends():
    queue = PlayQueue()
    queue.repeat = Repeat.ALL
    queue.current = queue.replace(songs("a", "b"), 0)
    queue.mark_dead(0, "x")
    queue.mark_dead(1, "x")
    assert queue.next_index() is None and queue.first_live(0) is None


def test_add_remove_move_keep_the_playing_song():
    queue = PlayQueue()
    queue.current = queue.replace(songs("a", "b", "c"), 1)
    queue.add(songs("x"), after_current=True)
    queue.add(songs("y"), after_current=False)
    assert ids(queue) == ["a", "b", "x", "c", "y"] and queue.song.id == "b"
    queue.add(songs("a"), after_current=True)  # already queued: moves, not twice
    assert ids(queue) == ["b", "a", "x", "c", "y"] and queue.current == 0
    queue.move(4, 0)
    assert ids(queue) == ["y", "b", "a", "x", "c"] and queue.current == 1
    queue.remove(0)
    assert queue.current == 0
    queue.remove(0)
    assert queue.current is None and ids(queue) == ["a", "x", "c"]


def test_shuffle_reorders_what_is_to_come_and_unshuffle_restores_it():
    queue = PlayQueue(rng=random.Random(3))
    queue.current = queue.replace(songs(*"abcdefgh"), 2)
    queue.set_shuffle(True)
    assert ids(queue)[:3] == ["a", "b", "c"] and sorted(ids(queue)[3:]) == list("defgh")
    assert ids(queue)[3:] != list("defgh")
    queue.set_shuffle(False)
    assert ids(queue) == list("abcdefgh") and queue.current == 2
