"""The player's queue editing: jump to, add, remove, reorder, shuffle and repeat.

A mixin of `Player` (player.py): the public methods queue a command for the player thread,
the `_do_` commands run there and report the new queue. Kept apart from the transport
(play, pause, next, seek) so that player.py stays one idea: the thread and its media.
"""

from __future__ import annotations

from collections.abc import Sequence

from tiktune_tui.core.models import Song
from tiktune_tui.playback.player_status import PlayerState
from tiktune_tui.playback.queue import Repeat


class QueueCommands:
    """Needs from the player: `_send`, `_publish`, `_queue`, `_queue_changes`, `_index`,
    `_failures`, `_direction`, `_one_off`, `_load_live`, `_do_stop`."""

    # -- public API (any thread) --------------------------------------------------------

    def play_at(self, index: int) -> None:
        """Jump to the queue's `index`th song."""
        self._send(self._do_play_at, index)

    def enqueue(self, songs: Sequence[Song], *, next_up: bool) -> None:
        """Add songs after the playing one (`next_up`) or at the end of the queue."""
        self._send(self._do_enqueue, tuple(songs), next_up)

    def remove_from_queue(self, index: int) -> None:
        self._send(self._do_remove, index)

    def move_in_queue(self, index: int, to: int) -> None:
        self._send(self._do_move, index, to)

    def set_shuffle(self, on: bool) -> None:
        self._send(self._do_set_shuffle, on)

    def set_repeat(self, repeat: Repeat | str) -> None:
        self._send(self._do_set_repeat, Repeat(repeat))

    # -- commands (player thread) -------------------------------------------------------

    def _do_play_at(self, index: int) -> None:
        if 0 <= index < len(self._queue):
            self._failures = 0
            self._direction = +1
            self._load_live(index)

    def _do_enqueue(self, songs: tuple[Song, ...], next_up: bool) -> None:
        self._queue.add(songs, after_current=next_up)
        self._publish(**self._queue_changes())

    def _do_remove(self, index: int) -> None:
        # During a one-off (a preview) nothing of the queue plays: removing its current song
        # only leaves the queue with no current song when the one-off ends.
        playing = index == self._index and self._one_off is None
        self._queue.remove(index)
        if playing:
            # The playing song left the queue: stop it; what follows it now sits at `index`.
            self._do_stop()
            self._publish(state=PlayerState.IDLE, song=None, message="", **self._queue_changes())
            if index < len(self._queue):
                self._load_live(index)
            return
        self._publish(**self._queue_changes())

    def _do_move(self, index: int, to: int) -> None:
        self._queue.move(index, to)
        self._publish(**self._queue_changes())

    def _do_set_shuffle(self, on: bool) -> None:
        self._queue.set_shuffle(on)
        self._publish(**self._queue_changes())

    def _do_set_repeat(self, repeat: Repeat) -> None:
        self._queue.repeat = repeat
        self._publish(**self._queue_changes())
