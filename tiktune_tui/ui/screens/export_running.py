"""The export modal's run: confirming an overwrite, the export in a worker, its progress, and
the done state (open the result, copy its path) or the message of a run that wrote nothing.

A mixin of `ExportScreen` (export_screen.py), with the small overwrite question it asks.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, ProgressBar, Static

from tiktune_tui.export import opener
from tiktune_tui.export.exporter import ExportResult
from tiktune_tui.export.ffmpeg_process import Progress
from tiktune_tui.export.options import (
    ExportCancelled,
    ExportError,
    ExportOptions,
)
from tiktune_tui.text import file_size, format_clock, terminal_safe
from tiktune_tui.ui.screens.file_picker import FilePicker


class ConfirmOverwrite(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "no", "Keep it", id="overwrite-no")]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(id="overwrite"):
            yield Static(Text.assemble(("Replace the existing file?\n", "bold"), terminal_safe(str(self.path))))
            with Horizontal(id="overwrite-buttons"):
                yield Button("Replace", id="overwrite-yes", variant="warning")
                yield Button("Keep it", id="overwrite-no-button")

    def on_mount(self) -> None:
        self.query_one("#overwrite-no-button", Button).focus()

    @on(Button.Pressed, "#overwrite-yes")
    def yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#overwrite-no-button")
    def action_no(self) -> None:
        self.dismiss(False)


class ExportRun:
    """Needs from the screen: `state`, `result`, `exporter`, `video_info`, `desktop`, `open_file`,
    `preview_state`, `_cancel`, `_preview_cancel`, `_export_idle`, `_unmounted`, `_validate`,
    `_explain_not_ready`, `_mix_fields_follow_mode`, `_refit_later`, `_offset_pending`, `_at_best_part`."""

    # --- running ------------------------------------------------------------

    def action_run_export(self) -> None:
        if self.state == "form" and not isinstance(self.app.screen, (ConfirmOverwrite, FilePicker)):
            self.run_export()

    @on(Button.Pressed, "#export-run")
    def run_export(self) -> None:
        if self.state != "form":
            return
        options = self._validate()
        if options is None:
            self._explain_not_ready()
            return
        if options.output.exists():

            def answered(confirmed: bool | None) -> None:
                if confirmed:
                    self._start(replace(options, overwrite=True))

            self.app.push_screen(ConfirmOverwrite(options.output), answered)
            return
        self._start(options)

    def _start(self, options: ExportOptions) -> None:
        self.state = "running"
        self._preview_cancel.set()  # the export's progress takes the bar
        if self.preview_state == "rendering":
            self.preview_state = "idle"
        self._cancel.clear()
        self.set_class(True, "-running")
        for widget in self.query(".export-row Input, .export-row Button, .export-row Checkbox, #export-mode"):
            widget.disabled = True
        self.query_one("#export-run", Button).disabled = True
        self.query_one("#export-preview", Button).disabled = True
        self.query_one("#export-close", Button).label = "Cancel export"
        self.query_one("#export-running").display = True
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=self.video_info.duration_s if self.video_info else 100, progress=0)
        self._show_message(Text(""), error=False)
        self._export_idle.clear()
        self._refit_later()
        find_offset = self._offset_pending()
        if find_offset:
            self.query_one("#export-progress-label", Static).update(Text("Finding the song's best part…"))
        self._export(options, find_offset)

    @work(thread=True, exclusive=True, group="export-run", exit_on_error=False)
    def _export(self, options: ExportOptions, find_offset: bool = False) -> None:
        def progress(update: Progress) -> None:
            # Not once cancelled: the UI thread may be waiting in on_unmount for this export.
            if not self._cancel.is_set():
                self.app.call_from_thread(self._show_progress, update)

        try:
            if find_offset:
                options = self._at_best_part(options, self._cancel)
            result = self.exporter.run(options, on_progress=progress, cancel_event=self._cancel)
        except ExportCancelled:
            outcome, args = self._finished_without_file, ("Cancelled: nothing was written.",)
        except ExportError as exc:
            outcome, args = self._finished_without_file, (str(exc),)
        except Exception as exc:  # noqa: BLE001 - never crash the app over an export
            outcome, args = self._finished_without_file, (f"{exc.__class__.__name__}: {exc}",)
        else:
            outcome, args = self._finished, (result,)
        finally:
            self._export_idle.set()  # ffmpeg stopped, part file gone: the app may end now
        if not self._unmounted:  # else the app is closing: no one to tell, and no loop to wait for
            self.app.call_from_thread(outcome, *args)

    def _show_progress(self, update: Progress) -> None:
        if self.state != "running" and self.preview_state != "rendering":
            return
        self.query_one("#export-progress", ProgressBar).update(total=update.total_s, progress=update.done_s)
        speed = f" · {update.speed:g}× real time" if update.speed else ""
        doing = "Measuring loudness… " if update.phase == "loudness" else ""
        if self.state != "running":
            doing = f"Preview: {doing or 'rendering… '}"
        self.query_one("#export-progress-label", Static).update(
            Text(f"{doing}{format_clock(update.done_s)} / {format_clock(update.total_s)}{speed}")
        )

    def _finished_without_file(self, message: str) -> None:
        self.state = "form"
        self.set_class(False, "-running")
        for widget in self.query(".export-row Input, .export-row Button, .export-row Checkbox, #export-mode"):
            widget.disabled = False
        self._mix_fields_follow_mode()
        self.query_one("#export-run", Button).disabled = False
        self.query_one("#export-preview", Button).disabled = False
        self.query_one("#export-running").display = False
        self.query_one("#export-close", Button).label = "Cancel"
        self._show_message(Text(terminal_safe(message)), error=True)
        self._validate()

    def _finished(self, result: ExportResult) -> None:
        self.state = "done"
        self.result = result
        self.set_class(False, "-running")
        self.query_one("#export-progress", ProgressBar).update(total=result.duration_s, progress=result.duration_s)
        text = Text.assemble(("Saved ", "bold"), terminal_safe(str(result.output)))
        video_note = "video copied untouched" if result.video_copied else "video re-encoded to H.264"
        text.append(f"\n{format_clock(result.duration_s)}, {video_note}, {file_size(result.size_bytes)}")
        if result.loudness_lufs is not None and result.measured_lufs is not None:
            text.append(f"\nLoudness {result.measured_lufs:.1f} → {result.loudness_lufs:g} LUFS")
        if result.duck_db:
            text.append(f"; song ducked {result.duck_db:g} dB under the video's sound")
        for warning in result.warnings:
            text.append(f"\nNote: {terminal_safe(warning)}", style="italic")
        self._show_message(text, error=False)
        self.query_one("#export-run").display = False
        self.query_one("#export-preview").display = False
        self.query_one("#export-close", Button).label = "Close"
        copy = self.query_one("#export-copy", Button)
        copy.display = True
        if self.desktop:
            self.query_one("#export-open", Button).display = True
            target = self.query_one("#export-open", Button)
        else:
            # Over SSH there is nothing to open the video on; its path is what the user needs.
            target = copy
        target.focus()
        # Once laid out too: hiding Export (which may hold the focus again after the overwrite
        # question) makes Textual move the focus on at the next layout, which could undo this.
        self.call_after_refresh(target.focus)

    def _show_message(self, text: Text, *, error: bool) -> None:
        message = self.query_one("#export-message", Static)
        message.update(text)
        message.display = bool(text.plain)
        message.set_class(error, "-error")
        self._refit_later()

    @on(Button.Pressed, "#export-open")
    def open_result(self) -> None:
        if self.result is None:
            return
        try:
            self.open_file(self.result.output)
        except opener.OpenError as exc:
            self._show_message(Text(terminal_safe(str(exc))), error=True)

    @on(Button.Pressed, "#export-copy")
    def copy_path(self) -> None:
        if self.result is not None:
            self.app.copy_to_clipboard(str(self.result.output))
            self.app.notify("Path copied to the clipboard (if your terminal allows it).", markup=False)
