"""The export modal's preview: ctrl+l renders the first seconds of the export's sound and plays them.

A mixin of `ExportScreen` (export_screen.py): the form, its checks and the message line are the
screen's; what is here is starting the render in a worker and handing the file to the player
the app gave the screen (`play_preview`), whose files `previews` keeps in tiktune's own folder.
"""

from __future__ import annotations

import threading
from pathlib import Path

from rich.text import Text
from textual import work
from textual.widgets import ProgressBar, Static

from tiktune_tui.export.ffmpeg_process import Progress
from tiktune_tui.export.options import ExportCancelled, ExportError, ExportOptions
from tiktune_tui.export.preview import Preview
from tiktune_tui.text import format_clock, terminal_safe


class PreviewControls:
    """Needs from the screen: `state`, `play_preview`, `previews`, `exporter`, `song`,
    `_preview_cancel`, `_preview_options`, `_validate`, `_explain_not_ready`, `_show_message`,
    `_show_progress`, `_audio_path`, `_unmounted`, `_offset_pending`, `_at_best_part`."""

    preview_state = "idle"  # idle | rendering | playing | failed: tests wait on it too

    def run_preview(self) -> None:
        """Render the first seconds of the export's sound (in a worker) and play them in the bar."""
        if self.state != "form":
            return
        if self.play_preview is None:
            self._show_message(Text("No player to play a preview on."), error=True)
            return
        self._validate()
        options = self._preview_options
        if options is None:
            self._explain_not_ready("preview")
            return
        self._preview_cancel.set()  # a preview still rendering is of the settings before
        self._preview_cancel = threading.Event()
        self.preview_state = "rendering"
        self.query_one("#export-running").display = True
        self.query_one("#export-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#export-progress-label", Static).update(Text("Rendering the preview…"))
        self._show_message(Text(""), error=False)
        self._render_preview(options, self._preview_cancel, self._offset_pending())

    @work(thread=True, exclusive=True, group="export-preview", exit_on_error=False)
    def _render_preview(self, options: ExportOptions, cancel: threading.Event, find_offset: bool = False) -> None:
        def progress(update: Progress) -> None:
            if not cancel.is_set():
                self.app.call_from_thread(self._show_progress, update)

        target: Path | None = None
        try:
            if find_offset:  # offset "auto" not found yet: the preview starts at the best part too
                options = self._at_best_part(options, cancel)
            target = self.previews.new_path()
            preview: Preview | str = self.exporter.preview(options, target, on_progress=progress, cancel_event=cancel)
        except ExportCancelled:
            preview = ""
        except ExportError as exc:
            preview = str(exc)
        except Exception as exc:  # noqa: BLE001 - never crash the app over a preview
            preview = f"{exc.__class__.__name__}: {exc}"
        if isinstance(preview, str) and target is not None:
            self.previews.discard(target)
        if not cancel.is_set() and not self._unmounted:
            self.app.call_from_thread(self._preview_done, preview)

    def _preview_done(self, preview: Preview | str) -> None:
        self.query_one("#export-running").display = self.state == "running"
        if isinstance(preview, str):
            self.preview_state = "failed"
            self._show_message(Text(terminal_safe(f"No preview: {preview}")), error=True)
            return
        audio = self._audio_path()  # a file the user chose over the song's own audio names the preview
        name = audio.stem if audio is not None else self.song.credit if self.song is not None else "song"
        assert self.play_preview is not None
        self.play_preview(preview.path, f"Preview: {name}")
        self.preview_state = "playing"
        start = format_clock(preview.offset_s)
        text = f"Preview playing in the music bar: {format_clock(preview.length_s)} from {start} of the song"
        if preview.loudness_lufs is not None:
            text += f", at {preview.loudness_lufs:g} LUFS as exported"
        self._show_message(Text(terminal_safe(text)), error=False)
