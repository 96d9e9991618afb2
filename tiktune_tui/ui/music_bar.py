"""The bar at the bottom of the app. For now it shows the selected song; playback comes with the player."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from tiktune_tui.core.models import Song


class MusicBar(Static):
    """Public API the app calls (kept stable while playback is filled in)."""

    def __init__(self, *, id: str = "music-bar") -> None:
        super().__init__(Text("No song selected"), id=id)

    def show_song(self, song: Song | None) -> None:
        if song is None:
            self.update(Text("No song selected"))
            return
        label = Text(song.display_title)
        if song.author:
            label.append(" — " + song.author)
        self.update(label)

    def play_songs(self, songs: Sequence[Song], index: int) -> None:
        self.show_song(songs[index] if songs else None)

    def toggle_pause(self) -> None: ...
    def next_song(self) -> None: ...
    def previous_song(self) -> None: ...
    def seek_relative(self, seconds: float) -> None: ...
    def change_volume(self, delta: int) -> None: ...
    def toggle_mute(self) -> None: ...
    def shutdown(self) -> None: ...
