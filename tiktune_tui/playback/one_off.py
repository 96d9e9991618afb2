"""A one-off: one song played as an interruption of the queue (an export's preview).

A mixin of `Player` (player.py). While a one-off plays, the queue (its songs, order,
current song, shuffle and repeat) is left exactly as it was and is still reported, so a
queue view keeps showing it; the status's `song` is the one-off and `one_off` is set.
When the one-off ends, fails, or the user presses play/pause, the queue is back at the song
that was current, paused at the place it had reached (its media is loaded again only when
play resumes it there: it does not start by itself, the user was listening to the preview).
Stop ends a one-off the same way.
Next, previous, Enter on a song or on a queue row end the one-off and do what they say.
"""

from __future__ import annotations

from dataclasses import dataclass

from tiktune_tui.core.models import Song
from tiktune_tui.playback.player_status import PlayerState, PlayerStatus

# States in which the queue's song had started (or was starting): it comes back paused at
# its place, to be resumed by play.
_UNDERWAY = (PlayerState.LOADING, PlayerState.PLAYING, PlayerState.PAUSED)


@dataclass(frozen=True, slots=True)
class QueueMoment:
    """Where the queue was when a one-off interrupted it."""

    song: Song | None
    state: PlayerState
    position_s: float
    duration_s: float | None
    message: str

    @classmethod
    def of(cls, status: PlayerStatus) -> QueueMoment:
        return cls(status.song, status.state, status.position_s, status.duration_s, status.message)


class OneOffPlayback:
    """Needs from the player: `_send`, `_publish`, `_status`, `_queue`, `_queue_changes`,
    `_load_song`, `_stop_media`, `_failures`, `_resume_s`."""

    _one_off: QueueMoment | None = None  # set while a one-off plays: the queue's moment before

    def play_one_off(self, song: Song) -> None:
        """Play `song` once, as an interruption: the queue is not touched (see the module)."""
        self._send(self._do_play_one_off, song)

    def _do_play_one_off(self, song: Song) -> None:
        if self._one_off is None:  # a second one-off replaces the first, not the queue's moment
            self._one_off = QueueMoment.of(self._status)
        self._failures = 0
        self._load_song(song)

    def _end_one_off(self) -> bool:
        """Stop the one-off, if one plays, and report the queue where it was; whether one did."""
        moment, self._one_off = self._one_off, None
        if moment is None:
            return False
        self._stop_media()
        song = self._queue.song
        same = song is not None and moment.song is not None and song.id == moment.song.id
        if song is None:
            state, position, message = PlayerState.IDLE, 0.0, ""
        elif not same:  # the queue was edited meanwhile: its current song is another one
            state, position, message = PlayerState.STOPPED, 0.0, ""
        elif moment.state in _UNDERWAY:
            state, position, message = PlayerState.PAUSED, moment.position_s, ""
        else:
            state, position, message = moment.state, moment.position_s, moment.message
        self._resume_s = position if state == PlayerState.PAUSED else 0.0
        duration = moment.duration_s if same else (float(song.duration_s) if song and song.duration_s else None)
        self._publish(
            **self._queue_changes(),
            state=state,
            song=song,
            position_s=position,
            duration_s=duration,
            message=message,
            one_off=False,
        )
        return True
