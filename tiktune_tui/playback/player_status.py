"""What the player reports: its state, its status at one moment, and the events a listener gets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from tiktune_tui.core.models import Song
from tiktune_tui.playback.queue import Repeat

DEFAULT_VOLUME = 80


class PlayerState(str, Enum):
    STARTING = "starting"  # libVLC is being loaded
    UNAVAILABLE = "unavailable"  # libVLC could not be loaded
    IDLE = "idle"  # nothing chosen yet
    LOADING = "loading"  # fetching or opening the audio
    PLAYING = "playing"
    PAUSED = "paused"
    STOPPED = "stopped"  # the list played to its end
    ERROR = "error"  # the current song cannot play; `message` says why


@dataclass(frozen=True, slots=True)
class PlayerStatus:
    state: PlayerState = PlayerState.STARTING
    song: Song | None = None
    index: int | None = None
    count: int = 0
    position_s: float = 0.0
    duration_s: float | None = None
    volume: int = DEFAULT_VOLUME
    muted: bool = False
    message: str = ""
    songs: tuple[Song, ...] = ()  # the queue, in play order; `index` is the playing one
    shuffle: bool = False
    repeat: Repeat = Repeat.OFF
    dead: frozenset[str] = frozenset()  # ids of songs that failed this session
    one_off: bool = False  # `song` plays as an interruption (a preview), outside the queue

    @property
    def has_media(self) -> bool:
        return self.state in (PlayerState.PLAYING, PlayerState.PAUSED)


@dataclass(frozen=True, slots=True)
class StatusChanged:
    status: PlayerStatus


@dataclass(frozen=True, slots=True)
class Notice:
    message: str
    severity: Literal["information", "warning", "error"] = "warning"
    # A standing fact (no audio device) rather than news: a UI shows it once, quietly.
    quiet: bool = False


PlayerEvent = StatusChanged | Notice
Listener = Callable[[PlayerEvent], None]


__all__ = ["DEFAULT_VOLUME", "Listener", "Notice", "PlayerEvent", "PlayerState", "PlayerStatus", "StatusChanged"]
