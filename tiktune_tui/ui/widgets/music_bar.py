"""The bar at the bottom of the app: what plays, where it is, and how loud.

It owns a `Player` (libVLC on its own thread). The player reports on its threads; the
bar turns each report into a message, so the widgets only ever change on the UI thread.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Label

from tiktune_tui.core.models import Song
from tiktune_tui.playback.audio_cache import AudioCache
from tiktune_tui.playback.player import Notice, Player, PlayerEvent, PlayerState, PlayerStatus, StatusChanged
from tiktune_tui.playback.song_audio import Resolver
from tiktune_tui.text import format_clock, terminal_safe

STATE_ICONS = {
    PlayerState.PLAYING: "▶",
    PlayerState.PAUSED: "⏸",
    PlayerState.LOADING: "…",
    PlayerState.ERROR: "!",
}
IDLE_ICON = "■"
# States in which the bar shows the player's message instead of the progress line.
_MESSAGE_STATES = (PlayerState.STARTING, PlayerState.UNAVAILABLE, PlayerState.LOADING, PlayerState.ERROR)


def song_label(song: Song) -> Text:
    """`title — artist`, literally: TikTok's text is never markup nor terminal escapes."""
    title, by = song.credit_parts
    label = Text(terminal_safe(title), style="bold")
    label.append(terminal_safe(by))
    return label


class SeekBar(Widget):
    """A one-line progress bar; a click on it asks to seek there."""

    # Its styles live in ui/tiktune.tcss, with every other rule of the app.
    COMPONENT_CLASSES = {"seek-bar--done", "seek-bar--rest"}

    position: reactive[float] = reactive(0.0)
    duration: reactive[float | None] = reactive(None)

    class Seek(Message):
        """The user clicked at `fraction` (0..1) of the bar."""

        def __init__(self, fraction: float) -> None:
            super().__init__()
            self.fraction = fraction

    @property
    def fraction(self) -> float:
        if not self.duration:
            return 0.0
        return max(0.0, min(1.0, self.position / self.duration))

    def render(self) -> Text:
        width = self.content_size.width
        done = round(width * self.fraction)
        bar = Text("━" * done, style=self.get_component_rich_style("seek-bar--done", partial=True))
        bar.append("─" * (width - done), style=self.get_component_rich_style("seek-bar--rest", partial=True))
        return bar

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        width = self.content_size.width
        if offset is None or width <= 0 or not self.duration:
            return
        event.stop()
        # The middle of the clicked cell: the first cell seeks near 0, the last near the end.
        self.post_message(self.Seek(min(1.0, (offset.x + 0.5) / width)))


class MusicBar(Widget):
    """Public API the app calls: show_song, play_songs and the transport methods below."""

    status: reactive[PlayerStatus | None] = reactive(None, init=False, always_update=True)

    class QuietNote(Message):
        """A standing fact about playback (no audio device): for the status line, not a pop-up."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class QueueChanged(Message):
        """What plays or the queue changed (not merely the position): the app marks the song."""

        def __init__(self, status: PlayerStatus) -> None:
            super().__init__()
            self.status = status

    class PlayerReport(Message):
        """A player event, carried from the player's thread to the UI thread."""

        def __init__(self, event: PlayerEvent) -> None:
            super().__init__()
            self.event = event

    def __init__(
        self,
        *,
        id: str = "music-bar",  # noqa: A002 - Textual's name
        player: Player | None = None,
        audio_output: str | None = None,
        resolve: Resolver | None = None,
        cache: AudioCache | None = None,
        start_player: bool = True,
    ) -> None:
        """Everything the player needs is given here; the bar never reads the app or the environment.

        `audio_output` is libVLC's output (None: its default, or silence where nothing could
        be heard); `cache` keeps the fetched audio (None: the one in the default data dir).
        `resolve(song)` gives a fresh play URL for songs without one or whose link expired (a
        Song, a URL or None; it may be async); it runs on a fetch thread, never on the UI thread.
        """
        super().__init__(id=id)
        self._player = player
        self._audio_output = audio_output
        self._resolve = resolve
        self._cache = cache
        self._start_player = start_player
        self._last_notice: tuple[str, float] = ("", 0.0)  # message, when: a repeat is not stacked
        self._selected: Song | None = None
        self._title_shown: Text | None = None  # what #bar-title says (drawn again only when it changes)
        self._queue_shown: tuple | None = None
        self._files_played = 0

    def compose(self) -> ComposeResult:
        with Horizontal(id="bar-top", classes="bar-row"):
            yield Label(IDLE_ICON, id="bar-state")
            yield Label(Text("No song selected"), id="bar-title")
            yield Label("", id="bar-place")
            yield Label("", id="bar-volume")
        with Horizontal(id="bar-bottom", classes="bar-row"):
            yield SeekBar(id="bar-progress")
            yield Label(format_clock(0) + " / " + format_clock(None), id="bar-time")
            yield Label("", id="bar-message")

    def on_mount(self) -> None:
        if self._player is None and self._start_player:
            self._player = Player(
                audio_output=self._audio_output,
                cache=self._cache or AudioCache.default(),
                resolve=self._resolve,
                listener=self._report,
            )
        self.apply_status(self._player.status if self._player else PlayerStatus(state=PlayerState.IDLE))

    def on_unmount(self) -> None:
        self.shutdown()

    # -- the API the app calls --------------------------------------------------------

    @property
    def player(self) -> Player | None:
        return self._player

    def set_resolver(self, resolve: Resolver | None) -> None:
        """Give (or take away) the way to find play URLs for songs that have none."""
        self._resolve = resolve
        if self._player is not None:
            self._player.resolve = resolve

    def show_song(self, song: Song | None) -> None:
        """The song selected in the table; shown while nothing plays."""
        self._selected = song
        self._render_title(self.status)

    def play_songs(self, songs: Sequence[Song], index: int) -> None:
        """Play `songs[index]`, then the rest of `songs` in order."""
        if self._player is not None and songs:
            self._player.play_songs(songs, index)

    def play_file(self, path: Path, title: str) -> None:
        """Play a local file of tiktune's own (an export's preview), named `title`, as a one-off:
        the queue stays as it is and comes back, stopped where it was, when the file ends."""
        if self._player is not None:
            self._files_played += 1
            # An id of its own each time: the player tells songs apart by id.
            song = Song(id=f"tiktune-file-{self._files_played}", title=title, play_url=str(path.absolute()))
            self._player.play_one_off(song)

    def toggle_pause(self) -> None:
        if self._player is not None:
            self._player.toggle_pause()

    def next_song(self) -> None:
        if self._player is not None:
            self._player.next()

    def previous_song(self) -> None:
        if self._player is not None:
            self._player.previous()

    def seek_relative(self, seconds: float) -> None:
        if self._player is not None:
            self._player.seek_relative(seconds)

    def seek_to(self, seconds: float) -> None:
        if self._player is not None:
            self._player.seek_to(seconds)

    def change_volume(self, delta: int) -> None:
        if self._player is not None:
            self._player.change_volume(delta)

    def toggle_mute(self) -> None:
        if self._player is not None:
            self._player.toggle_mute()

    def shutdown(self) -> None:
        """Stop playing and end the player's threads (idempotent)."""
        if self._player is not None:
            self._player.close()

    # -- from the player --------------------------------------------------------------

    def _report(self, event: PlayerEvent) -> None:
        """Called on the player's threads: hand over to the UI thread, nothing more."""
        try:
            self.post_message(self.PlayerReport(event))
        except RuntimeError:
            pass  # the app's event loop is already closed

    def on_music_bar_player_report(self, message: MusicBar.PlayerReport) -> None:
        message.stop()
        event = message.event
        if isinstance(event, StatusChanged):
            self.apply_status(event.status)
        elif isinstance(event, Notice):
            self.notice(event)

    def notice(self, event: Notice) -> None:
        """A player notice as a notification, unless the same one is still on screen:
        skipping through songs without audio would otherwise stack identical pop-ups."""
        message = terminal_safe(event.message)
        if event.quiet:
            self.post_message(self.QuietNote(message))
            return
        now = time.monotonic()
        last, when = self._last_notice
        if message == last and now - when < self.app.NOTIFICATION_TIMEOUT:
            return
        self._last_notice = (message, now)
        self.app.notify(message, title="player", severity=event.severity, markup=False)

    def on_seek_bar_seek(self, message: SeekBar.Seek) -> None:
        message.stop()
        status = self.status
        if status is not None and status.duration_s and status.has_media:
            self.seek_to(message.fraction * status.duration_s)

    def apply_status(self, status: PlayerStatus) -> None:
        """Show `status` (also how tests show a fixed moment)."""
        self.status = status

    def watch_status(self, status: PlayerStatus | None) -> None:
        if status is None or not self.is_mounted:
            return
        state = status.state
        self.set_class(state == PlayerState.PLAYING, "-playing")
        self.set_class(state == PlayerState.PAUSED, "-paused")
        self.set_class(state in (PlayerState.ERROR, PlayerState.UNAVAILABLE), "-problem")
        self.query_one("#bar-state", Label).update(STATE_ICONS.get(state, IDLE_ICON))
        self._render_title(status)
        # A one-off (a preview) is no place in the queue: "2/3" beside it would say it is.
        counted = status.index is not None and status.count > 1 and not status.one_off
        place = f"{status.index + 1}/{status.count}" if counted else ""
        # Shuffle and repeat are named only when on: the bar of a plain list is unchanged.
        modes = [
            name
            for name, on in (
                ("shuffle", status.shuffle),
                (f"repeat {status.repeat.value}", status.repeat.value != "off"),
            )
            if on
        ]
        place = " · ".join(filter(None, [place, *modes]))
        queue_key = (
            status.song.id if status.song else None,
            status.state,
            status.songs,
            status.index,
            status.dead,
            status.one_off,
        )
        if queue_key != self._queue_shown:
            self._queue_shown = queue_key
            self.post_message(self.QueueChanged(status))
        self.query_one("#bar-place", Label).update(place)
        volume = "muted" if status.muted else f"vol {status.volume}%"
        if state in (PlayerState.STARTING, PlayerState.UNAVAILABLE):
            volume = ""
        self.query_one("#bar-volume", Label).update(volume)
        progress = self.query_one("#bar-progress", SeekBar)
        progress.duration = status.duration_s
        progress.position = status.position_s
        time_text = f"{format_clock(status.position_s)} / {format_clock(status.duration_s)}"
        self.query_one("#bar-time", Label).update(time_text)
        show_message = state in _MESSAGE_STATES and bool(status.message)
        self.set_class(show_message, "-message")
        self.query_one("#bar-message", Label).update(Text(terminal_safe(status.message)))

    def _render_title(self, status: PlayerStatus | None) -> None:
        if not self.is_mounted:
            return
        song = status.song if status is not None else None
        if song is None:
            song = self._selected
        title = song_label(song) if song is not None else Text("No song selected")
        if title != self._title_shown:
            self._title_shown = title
            # One line, as wide as the bar leaves it (1fr), whatever it says: no layout.
            self.query_one("#bar-title", Label).update(title, layout=False)


__all__ = ["MusicBar", "SeekBar", "song_label"]
