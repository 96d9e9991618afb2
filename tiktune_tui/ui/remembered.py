"""The app's remembered settings: restored at start, kept at exit (library/state.py's file).

A mixin of `TiktuneApp`: it reads the theme, the table's sort, the ranking mode, the music
bar's volume, mute, shuffle and repeat, and the export modal's last video and settings.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text

from tiktune_tui.core import modes
from tiktune_tui.library.state import AppState, load_state, save_state, state_path
from tiktune_tui.playback.player_status import DEFAULT_VOLUME
from tiktune_tui.playback.queue import Repeat
from tiktune_tui.ui.app_host import MixinBase
from tiktune_tui.ui.widgets.song_table import COLUMN_BY_KEY


class RememberedState(MixinBase):
    _state_restored = False

    def restore_state(self) -> None:
        state, warning = load_state(state_path(self.source.data_dir))
        self._state_restored = True
        if warning:
            # Longer than a pop-up's 5 s: it explains settings that are suddenly gone.
            self.notify(warning, title="settings", severity="warning", markup=False, timeout=20)
        if state.theme and state.theme in self.available_themes:
            self.theme = state.theme
        if state.sort_column in COLUMN_BY_KEY:
            self.table.sort_by(state.sort_column, bool(state.sort_reverse))
        if state.mode in modes.MODE_NAMES and not self.mode_asked:
            # A --rank given, even --rank popular, keeps what was asked for.
            self.rank_mode = state.mode
            self.status.set_part("mode", Text(f"ranked by {self.rank_mode}"))
        player = self.music_bar.player
        if player is not None:
            if state.volume is not None and state.volume != DEFAULT_VOLUME:
                player.set_volume(state.volume)
            if state.muted:
                player.set_muted(True)
            if state.shuffle:
                player.set_shuffle(True)
            if state.repeat in {r.value for r in Repeat} and state.repeat != Repeat.OFF.value:
                player.set_repeat(state.repeat)
        if state.export_video:
            self._last_export_video = Path(state.export_video)
        self._export_settings = state.export

    def remember_state(self) -> None:
        """Keep the settings for the next start (quietly: quitting must not fail on a full disk)."""
        if not self._state_restored:
            return
        self._state_restored = False  # once per run
        try:
            status = self.music_bar.status if self._music_bar is not None else None
            table = self.table
        except Exception:  # noqa: BLE001 - torn down already (closed without `q`): nothing to read
            return
        video = self._last_export_video
        state = AppState(
            theme=self.theme,
            sort_column=table.sort_column,
            sort_reverse=table.sort_reverse,
            mode=self.rank_mode,
            export_video=str(video) if video else None,
            export=self._export_settings,
        )
        if status is not None and status.state.value not in ("starting", "unavailable"):
            state.volume, state.muted = status.volume, status.muted
            state.shuffle, state.repeat = status.shuffle, status.repeat.value
        try:
            save_state(state_path(self.source.data_dir), state)
        except OSError as exc:
            self.log.warning(f"settings not kept: {exc}")
