"""The app's player keys and its closing: what the transport actions ask of the music bar.

A mixin of `TiktuneApp` (it reads the app's `music_bar`, `table` and engine loop), kept
apart so the app module holds the composition and the wiring, not every key's body.
"""

from __future__ import annotations

from tiktune_tui.playback.player import PlayerState
from tiktune_tui.ui.app_host import MixinBase


class PlayerControls(MixinBase):
    """Actions for the player keys (see keymap.PLAYER_BINDINGS) and the shutdown on exit."""

    def action_play(self) -> None:
        table = self.table
        if table.row_count:
            self.music_bar.play_songs(table.songs_in_view_order(), table.cursor_row)

    def action_play_pause(self) -> None:
        # With nothing loaded (nothing chosen yet, or the list played out), space plays the
        # selected song, as in most players, rather than doing nothing.
        status = self.music_bar.status
        if (status is None or status.state in (PlayerState.IDLE, PlayerState.STOPPED)) and self.table.row_count:
            self.action_play()
        else:
            self.music_bar.toggle_pause()

    def action_next_song(self) -> None:
        self.music_bar.next_song()

    def action_previous_song(self) -> None:
        self.music_bar.previous_song()

    def action_seek(self, seconds: float) -> None:
        self.music_bar.seek_relative(seconds)

    def action_volume(self, delta: int) -> None:
        self.music_bar.change_volume(delta)

    def action_mute(self) -> None:
        self.music_bar.toggle_mute()

    def close_player(self) -> None:
        """Stop playback, close TikTok's browser and the engine loop: nothing left behind on exit."""
        if not self._player_closed and self._music_bar is not None:
            self._player_closed = True
            try:
                self._music_bar.shutdown()
            except Exception:  # noqa: BLE001, S110 - the bar may already be gone when the app is torn down
                pass
        loop, self._engine_loop = self._engine_loop, None
        if loop is not None:
            from tiktune_tui.library.sources import close_shared_sessions

            try:
                loop.run(close_shared_sessions(), timeout=15)
            except Exception:  # noqa: BLE001, S110 - quitting must not fail on a browser that died already
                pass
            loop.close()


__all__ = ["PlayerControls"]
