"""Playing songs with libVLC, away from the UI thread.

One thread ("tiktune-player") owns the libVLC media player: every public method only
queues a command for it, so callers never block and libVLC is never called from inside
one of its own event callbacks (those just queue a command too). Audio is fetched into
the audio cache by a short-lived thread before it plays: a dead link then fails as an
HTTP error, where libVLC 3 would report a 404 as an ordinary end a second later, and
the song replays and exports offline afterwards.

What happens is reported to one `listener` as `StatusChanged` and `Notice` events
(player_status.py), on the player's threads: a UI must hand them over to its own thread
(post a message). libVLC's set-up is in vlc_setup.py, finding a song's audio in
song_audio.py, the queue's order in queue.py, editing the queue in queue_commands.py and
one-offs that interrupt it (an export's preview) in one_off.py; what is left here is the
player thread, its media and the transport commands.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from tiktune_tui.core.models import Song
from tiktune_tui.errors import TiktuneError
from tiktune_tui.playback import vlc_setup
from tiktune_tui.playback.audio_cache import AudioCache, AudioUnavailable
from tiktune_tui.playback.one_off import OneOffPlayback
from tiktune_tui.playback.player_status import (
    DEFAULT_VOLUME,
    Listener,
    Notice,
    PlayerEvent,
    PlayerState,
    PlayerStatus,
    StatusChanged,
)
from tiktune_tui.playback.queue import PlayQueue
from tiktune_tui.playback.queue_commands import QueueCommands
from tiktune_tui.playback.song_audio import NoPreview, Resolver, find_audio
from tiktune_tui.playback.vlc_setup import PlaybackUnavailable

POLL_S = 0.25
RESTART_AFTER_S = 3.0
SKIP_LIMIT = 3


_CLOSE = object()


class Player(QueueCommands, OneOffPlayback):
    """Plays a list of songs. Every method is thread-safe and returns at once."""

    def __init__(
        self,
        *,
        audio_output: str | None = None,
        cache: AudioCache | None = None,
        resolve: Resolver | None = None,
        listener: Listener | None = None,
        skip_limit: int = SKIP_LIMIT,
    ) -> None:
        self.audio_output = audio_output or None
        self.cache = cache or AudioCache.default()
        self.resolve = resolve
        self._listener = listener
        self._skip_limit = skip_limit
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._status = PlayerStatus()
        self._changed = threading.Condition()
        self._closing = False
        self._cancel = threading.Event()
        self._fetchers: list[threading.Thread] = []
        # Owned by the player thread only:
        self._vlc: Any = None
        self._instance: Any = None
        self._mp: Any = None
        self._media: Any = None
        self._queue = PlayQueue()
        self._direction = +1  # which way the user was going: a failure keeps going that way
        self._generation = 0
        self._finished_generation = -1
        self._played = False
        self._from_cache = False
        self._failures = 0
        self._volume_applied = False
        self._resume_s = 0.0  # where play resumes the queue's song after a one-off
        self._thread = threading.Thread(target=self._run, name="tiktune-player", daemon=True)
        self._thread.start()

    # -- public API ---------------------------------------------------------------------

    @property
    def status(self) -> PlayerStatus:
        return self._status

    def play_songs(self, songs: Sequence[Song], index: int) -> None:
        self._send(self._do_play_songs, tuple(songs), index)

    def toggle_pause(self) -> None:
        self._send(self._do_toggle_pause)

    def next(self) -> None:
        self._send(self._do_next)

    def previous(self) -> None:
        self._send(self._do_previous)

    def seek_relative(self, seconds: float) -> None:
        self._send(self._do_seek_relative, seconds)

    def seek_to(self, seconds: float) -> None:
        self._send(self._do_seek_to, seconds)

    def set_volume(self, volume: int) -> None:
        self._send(self._do_set_volume, volume)

    def change_volume(self, delta: int) -> None:
        self._send(self._do_change_volume, delta)

    def toggle_mute(self) -> None:
        self._send(self._do_toggle_mute)

    def stop(self) -> None:
        self._send(self._do_stop)

    def set_muted(self, muted: bool) -> None:
        self._send(self._do_set_muted, muted)

    def close(self, timeout: float = 5.0) -> None:
        """Stop playing and end every thread the player started. Blocks up to ~`timeout`."""
        if self._closing:
            return
        self._closing = True
        self._cancel.set()
        self._commands.put(_CLOSE)
        deadline = time.monotonic() + timeout
        if self._thread is not threading.current_thread():
            self._thread.join(max(0.0, deadline - time.monotonic()))
        for fetcher in list(self._fetchers):
            fetcher.join(max(0.0, deadline - time.monotonic()))

    @property
    def threads(self) -> list[threading.Thread]:
        """The threads this player started that are still alive (empty after `close`)."""
        return [t for t in (self._thread, *self._fetchers) if t.is_alive()]

    def wait_for(self, predicate: Callable[[PlayerStatus], bool], timeout: float = 10.0) -> PlayerStatus:
        """Block until the status satisfies `predicate`; TimeoutError with the last status if not."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self._status):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"player status still {self._status}")
                self._changed.wait(left)
            return self._status

    # -- plumbing -----------------------------------------------------------------------

    def _send(self, command: Callable[..., None], *args: Any) -> None:
        if not self._closing:
            self._commands.put((command, args))

    def _emit(self, event: PlayerEvent) -> None:
        listener = self._listener
        if listener is None or self._closing:
            return
        try:
            listener(event)
        except Exception:  # noqa: BLE001 - a broken listener must not stop the music thread
            pass

    def _publish(self, **changes: Any) -> None:
        with self._changed:
            new = replace(self._status, **changes)
            if new == self._status:
                return
            self._status = new
            self._changed.notify_all()
        self._emit(StatusChanged(new))

    def _notify(
        self, message: str, severity: Literal["information", "warning", "error"] = "warning", *, quiet: bool = False
    ) -> None:
        self._emit(Notice(message, severity, quiet))

    def _run(self) -> None:
        try:
            self._vlc, self._instance = vlc_setup.vlc_instance()
            self._mp = self._instance.media_player_new()
            self._choose_audio_output()
        except PlaybackUnavailable as exc:
            self._publish(state=PlayerState.UNAVAILABLE, message=str(exc))
            self._drain_until_close()
            return
        self._publish(state=PlayerState.IDLE)
        next_poll = time.monotonic()
        while True:
            timeout = max(0.0, next_poll - time.monotonic()) if self._polling() else None
            try:
                item = self._commands.get(timeout=timeout)
            except queue.Empty:
                item = None
            if item is _CLOSE:
                break
            try:
                if item is not None:
                    command, args = item
                    command(*args)
                if self._polling() and time.monotonic() >= next_poll:
                    next_poll = time.monotonic() + POLL_S
                    self._poll()
            except Exception as exc:  # noqa: BLE001 - report, keep the player alive
                self._notify(f"Player error: {exc.__class__.__name__}: {exc}", "error")
        self._shutdown_vlc()

    def _polling(self) -> bool:
        return self._media is not None and self._status.state in (PlayerState.LOADING, PlayerState.PLAYING)

    def _drain_until_close(self) -> None:
        while self._commands.get() is not _CLOSE:
            if not self._closing:
                self._notify(self._status.message, "error")

    def _choose_audio_output(self) -> None:
        vlc_setup.choose_audio_output(self._mp, self.audio_output, self._notify, instance=self._instance)

    def _shutdown_vlc(self) -> None:
        try:
            self._mp.stop()
            self._mp.set_media(None)
            self._mp.release()
        finally:
            self._release_media()
            self._mp = None

    def _stop_media(self) -> None:
        """Stop what plays; news of it still on its way (an end, a fetch) is then ignored."""
        self._generation += 1
        self._mp.stop()
        self._mp.set_media(None)
        self._release_media()

    def _release_media(self) -> None:
        if self._media is not None:
            self._media.release()
            self._media = None

    # -- commands (player thread) -------------------------------------------------------

    @property
    def _index(self) -> int | None:
        return self._queue.current

    def _queue_changes(self) -> dict[str, Any]:
        queue_ = self._queue
        return dict(
            songs=tuple(queue_.songs),
            index=queue_.current,
            count=len(queue_),
            shuffle=queue_.shuffle,
            repeat=queue_.repeat,
            dead=frozenset(queue_.dead),
        )

    def _do_play_songs(self, songs: tuple[Song, ...], index: int) -> None:
        start = self._queue.replace(songs, index)
        if start is None:
            self._end_one_off()
            self._do_stop()
            self._publish(state=PlayerState.IDLE, song=None, message="", **self._queue_changes())
            return
        self._failures = 0
        self._direction = +1
        self._load_live(start)

    def _load_live(self, index: int, start_s: float = 0.0) -> None:
        """Load `index`, or past it (the way the user is going) if its link died this session."""
        live = self._queue.first_live(index, self._direction)
        if live is None:
            self._end_one_off()
            self._queue.current = index
            reason = self._queue.dead.get(self._queue.songs[index].id, "")
            self._publish(state=PlayerState.ERROR, song=self._queue.song, message=reason, **self._queue_changes())
            self._notify("No song left in the queue that can play.", "information")
            return
        self._load(live, start_s if live == index else 0.0)

    def _load(self, index: int, start_s: float = 0.0) -> None:
        """Play the queue's `index`th song (from `start_s`); a one-off playing ends for it."""
        self._one_off = None
        self._queue.current = index
        self._load_song(self._queue.songs[index], start_s)

    def _load_song(self, song: Song, start_s: float = 0.0) -> None:
        self._stop_media()
        self._resume_s = 0.0
        self._played = False
        self._publish(
            **self._queue_changes(),
            state=PlayerState.LOADING,
            song=song,
            position_s=start_s,
            duration_s=float(song.duration_s) if song.duration_s else None,
            message="loading…",
            one_off=self._one_off is not None,
        )
        self._fetchers = [t for t in self._fetchers if t.is_alive()]
        fetcher = threading.Thread(
            target=self._fetch, args=(self._generation, song, start_s), name="tiktune-audio-fetch", daemon=True
        )
        self._fetchers.append(fetcher)
        fetcher.start()

    def _fetch(self, generation: int, song: Song, start_s: float) -> None:
        """On a fetch thread: find the audio file for `song`, then hand it to the player thread."""
        try:
            path, from_cache = find_audio(song, self.cache, self.resolve, self._cancel)
        except NoPreview as exc:  # the next song of the same source is just as silent
            self._send(self._fetch_failed, generation, str(exc), False)
        except AudioUnavailable as exc:
            self._send(self._fetch_failed, generation, str(exc), True)
        except TiktuneError as exc:  # the resolver's own errors (TikTok said no) read well as they are
            self._send(self._fetch_failed, generation, str(exc), True)
        except Exception as exc:  # noqa: BLE001 - a resolver or the disk failed
            self._send(self._fetch_failed, generation, f"{exc.__class__.__name__}: {exc}", True)
        else:
            self._send(self._start_media, generation, path, from_cache, start_s)

    def _fetch_failed(self, generation: int, message: str, skip: bool) -> None:
        if generation != self._generation:
            return
        self._fail(message, skip)

    def _fail(self, message: str, skip: bool) -> None:
        song = self._status.song
        title = song.display_title if song else "this song"
        if self._end_one_off():  # a one-off's failure is its own: the queue is as it was
            self._notify(f"Cannot play “{title}”: {message}.")
            return
        if skip and self._index is not None:
            # Remembered for the session: `n` and `p` pass over it, nothing fetches it again.
            self._queue.mark_dead(self._index, message)
        self._publish(state=PlayerState.ERROR, message=message, **self._queue_changes())
        if not skip:
            self._notify(message)
            return
        self._failures += 1
        onward = self._queue.next_index() if self._direction > 0 else self._queue.previous_index()
        has_next = onward is not None
        if has_next and self._failures < self._skip_limit:
            where = "next" if self._direction > 0 else "previous"
            self._notify(f"Cannot play “{title}”: {message}. Playing the {where} song.")
            self._load(onward)
        elif has_next:
            self._notify(f"Cannot play “{title}”: {message}. Stopped after {self._failures} failures in a row.")
        else:
            self._notify(f"Cannot play “{title}”: {message}.")

    def _start_media(self, generation: int, path: Path, from_cache: bool, start_s: float = 0.0) -> None:
        if generation != self._generation:
            return
        media = self._instance.media_new_path(str(path))
        if media is None:
            self._fail(f"libVLC cannot open {path.name}", True)
            return
        if start_s > 0:
            media.add_option(f":start-time={start_s:.3f}")
        ended = {self._vlc.State.Ended.value, self._vlc.State.Error.value}

        def on_state(event: Any) -> None:
            # libVLC's own thread: queue the news, never call libVLC from here.
            state = int(event.u.new_state)
            if state in ended:
                self._send(self._media_finished, generation)

        media.event_manager().event_attach(self._vlc.EventType.MediaStateChanged, on_state)
        self._media = media
        self._from_cache = from_cache
        self._volume_applied = False
        self._mp.set_media(media)
        if self._mp.play() != 0:
            self._fail(f"libVLC cannot play {path.name}", True)

    def _media_finished(self, generation: int) -> None:
        if generation != self._generation or generation == self._finished_generation:
            return
        self._finished_generation = generation
        state = self._mp.get_state()
        played = self._played or self._mp.get_length() > 0
        if state == self._vlc.State.Error or not played:
            if self._from_cache and self._status.song is not None:
                self.cache.forget(self._status.song)
            self._fail("the audio file cannot be played", True)
            return
        if self._end_one_off():
            return
        self._failures = 0
        self._direction = +1
        following = self._queue.next_index(auto=True)
        if following is not None:
            self._load(following)
        else:
            end = self._status.duration_s or self._status.position_s
            self._publish(state=PlayerState.STOPPED, position_s=end, message="")

    def _poll(self) -> None:
        state = self._mp.get_state()
        if state in (self._vlc.State.Ended, self._vlc.State.Error):
            # The event normally got here first; this covers one lost in a stop/start race.
            self._media_finished(self._generation)
            return
        length_ms = self._mp.get_length()
        time_ms = self._mp.get_time()
        changes: dict[str, Any] = {}
        if length_ms > 0:
            changes["duration_s"] = length_ms / 1000
        if time_ms >= 0:
            changes["position_s"] = time_ms / 1000
        if state == self._vlc.State.Playing:
            self._played = True
            if not self._volume_applied:
                self._apply_volume()
            if self._status.state == PlayerState.LOADING:
                changes.update(state=PlayerState.PLAYING, message="")
        self._publish(**changes)

    def _apply_volume(self) -> None:
        self._volume_applied = True
        self._mp.audio_set_volume(self._status.volume)
        self._mp.audio_set_mute(self._status.muted)

    def _do_toggle_pause(self) -> None:
        if self._end_one_off():  # play/pause ends a one-off: the queue comes back, paused
            return
        state = self._status.state
        if state == PlayerState.PLAYING:
            self._mp.set_pause(1)
            self._publish(state=PlayerState.PAUSED)
        elif state == PlayerState.PAUSED and self._media is None and self._index is not None:
            # Paused by a one-off, which took its media: load it again where it was.
            self._failures = 0
            self._direction = +1
            self._load_live(self._index, self._resume_s)
        elif state == PlayerState.PAUSED:
            self._mp.set_pause(0)
            self._publish(state=PlayerState.PLAYING)
        elif state in (PlayerState.STOPPED, PlayerState.ERROR) and self._index is not None:
            self._failures = 0
            self._direction = +1
            self._load_live(self._index)

    def _do_next(self) -> None:
        self._end_one_off()
        if self._index is None:
            return
        following = self._queue.next_index()
        if following is not None:
            self._failures = 0
            self._direction = +1
            self._load(following)
        else:
            self._notify("This is the last song of the list.", "information")

    def _do_previous(self) -> None:
        self._end_one_off()
        if self._index is None:
            return
        status = self._status
        earlier = self._queue.previous_index()
        if status.has_media and (status.position_s > RESTART_AFTER_S or earlier is None):
            self._do_seek_to(0.0)
        elif earlier is not None:
            self._failures = 0
            self._direction = -1
            self._load(earlier)
        elif not self._queue.is_dead(self._index):
            self._load(self._index)

    def _do_set_muted(self, muted: bool) -> None:
        if self._mp is not None:
            self._mp.audio_set_mute(muted)
        self._publish(muted=muted)

    def _do_seek_relative(self, seconds: float) -> None:
        self._do_seek_to(self._status.position_s + seconds)

    def _do_seek_to(self, seconds: float) -> None:
        if not self._status.has_media:
            return
        duration = self._status.duration_s
        target = max(0.0, seconds)
        if duration:
            target = min(target, duration)
        if self._media is None:  # paused by a one-off: where play will resume it
            self._resume_s = target
        else:
            self._mp.set_time(int(target * 1000))
        self._publish(position_s=target)

    def _do_set_volume(self, volume: int) -> None:
        volume = max(0, min(100, int(volume)))
        if self._mp is not None:
            self._mp.audio_set_volume(volume)
            self._mp.audio_set_mute(False)
        self._publish(volume=volume, muted=False)

    def _do_change_volume(self, delta: int) -> None:
        self._do_set_volume(self._status.volume + delta)

    def _do_toggle_mute(self) -> None:
        muted = not self._status.muted
        self._mp.audio_set_mute(muted)
        self._publish(muted=muted)

    def _do_stop(self) -> None:
        if self._end_one_off():
            return
        self._stop_media()
        self._resume_s = 0.0
        if self._status.state not in (PlayerState.IDLE, PlayerState.UNAVAILABLE):
            self._publish(state=PlayerState.STOPPED, position_s=0.0, message="")


__all__ = [
    "DEFAULT_VOLUME",
    "Notice",
    "PlaybackUnavailable",
    "Player",
    "PlayerEvent",
    "PlayerState",
    "PlayerStatus",
    "Resolver",
    "StatusChanged",
]
