"""The play queue: which song plays now, which comes next, and the songs that cannot play.

Pure data, no libVLC and no threads: the player owns one and asks it where to go; the
app shows a copy of it. The list is the play order itself: shuffling reorders what is
still to come (visibly, in the queue view) and turning shuffle off puts it back.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from enum import Enum

from tiktune_tui.core.models import Song


class Repeat(str, Enum):
    OFF = "off"
    ALL = "all"
    ONE = "one"

    def next(self) -> Repeat:
        order = list(Repeat)
        return order[(order.index(self) + 1) % len(order)]


class PlayQueue:
    def __init__(self, songs: Iterable[Song] = (), *, rng: random.Random | None = None) -> None:
        self.songs: list[Song] = list(songs)
        self.current: int | None = None
        self.shuffle = False
        self.repeat = Repeat.OFF
        # Songs whose audio failed this session (song id -> why): skipped both ways, never
        # fetched again, even after a new list is played.
        self.dead: dict[str, str] = {}
        self._rng = rng or random.Random()
        self._original: dict[str, int] = {}  # song id -> place before shuffling

    # -- what plays ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.songs)

    @property
    def song(self) -> Song | None:
        return self.songs[self.current] if self.current is not None else None

    def replace(self, songs: Sequence[Song], start: int) -> int | None:
        """A new list to play from `start` on (the first song there that is not dead)."""
        self.songs = list(songs)
        self.current = None
        self._original = {}
        if not self.songs:
            return None
        start = min(max(start, 0), len(self.songs) - 1)
        if self.shuffle:
            self._shuffle_after(start)
        return start

    def is_dead(self, index: int) -> bool:
        return self.songs[index].id in self.dead

    def mark_dead(self, index: int, reason: str) -> None:
        self.dead[self.songs[index].id] = reason

    def next_index(self, *, auto: bool = False) -> int | None:
        """Where `n` goes (or the end of a song, `auto`): the next live song, or None at the end."""
        if self.current is None:
            return None
        if auto and self.repeat == Repeat.ONE and not self.is_dead(self.current):
            return self.current
        return self._step(self.current, +1)

    def previous_index(self) -> int | None:
        """Where `p` goes: the previous live song, or None at the start."""
        if self.current is None:
            return None
        return self._step(self.current, -1)

    def first_live(self, index: int, direction: int = +1) -> int | None:
        """`index` if it can play, else the next live song that way (None if there is none)."""
        if not self.songs:
            return None
        if not self.is_dead(index):
            return index
        return self._step(index, direction)

    def _step(self, index: int, direction: int) -> int | None:
        count = len(self.songs)
        position = index
        for _ in range(count):
            position += direction
            if not 0 <= position < count:
                if self.repeat != Repeat.ALL:
                    return None
                position %= count
            if position == index and self.repeat != Repeat.ALL:
                return None
            if not self.is_dead(position):
                return position
        return None

    # -- editing -------------------------------------------------------------------------

    def add(self, songs: Sequence[Song], *, after_current: bool) -> None:
        """Add songs to play next (after the playing one) or at the end; a song already in the
        queue moves there rather than appearing twice."""
        ids = {song.id for song in songs}
        playing = self.song
        kept = [s for s in self.songs if s.id not in ids or (playing is not None and s.id == playing.id)]
        new = [s for s in songs if playing is None or s.id != playing.id]
        self.songs = kept
        self.current = self._index_of(playing)
        at = (self.current + 1) if after_current and self.current is not None else len(self.songs)
        self.songs[at:at] = new

    def remove(self, index: int) -> None:
        """Take a song out; removing the playing one leaves nothing current (the player moves on)."""
        if not 0 <= index < len(self.songs):
            return
        del self.songs[index]
        if self.current is not None:
            if index == self.current:
                self.current = None
            elif index < self.current:
                self.current -= 1

    def move(self, index: int, to: int) -> int:
        """Move the song at `index` to `to` (clamped); returns where it is now."""
        if not 0 <= index < len(self.songs):
            return index
        to = min(max(to, 0), len(self.songs) - 1)
        playing = self.song
        song = self.songs.pop(index)
        self.songs.insert(to, song)
        self.current = self._index_of(playing)
        return to

    def set_shuffle(self, on: bool) -> None:
        if on == self.shuffle:
            return
        self.shuffle = on
        start = self.current if self.current is not None else -1
        if on:
            self._shuffle_after(start)
        elif self._original:
            playing = self.song
            rest = self.songs[start + 1 :]
            rest.sort(key=lambda s: self._original.get(s.id, len(self._original)))
            self.songs[start + 1 :] = rest
            self._original = {}
            self.current = self._index_of(playing)

    def _shuffle_after(self, index: int) -> None:
        self._original = {song.id: n for n, song in enumerate(self.songs)}
        rest = self.songs[index + 1 :]
        self._rng.shuffle(rest)
        self.songs[index + 1 :] = rest

    def _index_of(self, song: Song | None) -> int | None:
        if song is None:
            return None
        for index, candidate in enumerate(self.songs):
            if candidate.id == song.id:
                return index
        return None
