"""The export modal's remembered settings: what the form had when it last closed.

A mixin of `ExportScreen` (export_screen.py): the app keeps `settings()` in state.json as the
modal closes and gives them back (`remembered`) the next time; a value that no longer parses
falls back to the field's default (`remembered_text`).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Checkbox

from tiktune_tui.export import options as export
from tiktune_tui.library.state import ExportSettings

AUTO_OFFSET = "auto"  # the remembered offset mode: the best part, found for each song


def remembered_text(value: object, parse: Callable[[str], object], default: str) -> str:
    """A field's text from a remembered value, or its default when the value no longer parses."""
    if value is None:
        return default
    candidate = f"{value:g}" if isinstance(value, int | float) else str(value)
    try:
        parse(candidate)
    except ValueError:
        return default
    return candidate


class RememberedSettings:
    """Needs from the screen: `offset_auto`, `video_folder`, `_value`, `_video_path`, `_mode`."""

    def settings(self) -> ExportSettings:
        """The form's settings as they stand, for the next time the modal opens (a field that does
        not parse is not remembered: the next modal has its default)."""

        def number(parse: Callable[[], float | None], scale: float = 1.0) -> float | None:
            try:
                value = parse()
            except ValueError:
                return None
            return round(value * scale, 4) if value is not None else None

        try:
            loudness: float | str | None = export.parse_loudness(self._value("#export-loudness") or "off")
            loudness = "off" if loudness is None else loudness
        except ValueError:
            loudness = None
        offset = AUTO_OFFSET if self.offset_auto else self._value("#export-offset")
        try:
            export.parse_clock(offset) if offset != AUTO_OFFSET else None
        except ValueError:
            offset = None
        video = self._video_path()
        folder = video.parent if video is not None and video.parent.is_dir() else self.video_folder
        return ExportSettings(
            mode=self._mode(),
            song_volume_pct=number(lambda: export.parse_percent(self._value("#export-song-volume"), "v"), 100),
            original_volume_pct=number(lambda: export.parse_percent(self._value("#export-original-volume"), "v"), 100),
            loop=self.query_one("#export-loop", Checkbox).value,
            fade_in_s=number(lambda: export.parse_seconds(self._value("#export-fade-in"), "fade-in")),
            fade_s=number(lambda: export.parse_seconds(self._value("#export-fade"), "fade-out")),
            loudness=loudness,
            duck_db=number(lambda: export.parse_decibels(self._value("#export-duck") or "0", "ducking")),
            offset=offset,
            video_folder=str(folder) if folder is not None else None,
        )
