"""The export modal: pick a video, set the options (each checked as it is typed), run, see progress.

The work itself is `tiktune_tui.export.exporter`; this screen only gathers options, runs it in a
thread worker, shows progress, and offers to open the result or copy its path. It returns
the `ExportResult` (or None when nothing was exported). The preview (ctrl+l) is export_preview.py's
mixin; the form starts from the settings it had when it last closed (`remembered`, kept by the
app in state.json) and gives them back as it closes (`closing_settings`).

The screen is its layout, its state and its keys; each idea of it is a mixin of its own module:
the fields and their checks (export_form.py), the song's audio, the probes and the pickers
(export_inputs.py), where the song starts and the Best part (export_span.py), the run and its
progress and done state (export_running.py), the remembered settings (export_remembered.py),
and the preview (export_preview.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.clock import Clock
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, ProgressBar, Static

from tiktune_tui.core.models import Song
from tiktune_tui.export import opener
from tiktune_tui.export.exporter import Exporter, ExportResult
from tiktune_tui.export.options import (
    ExportOptions,
)
from tiktune_tui.export.preview import PreviewFiles, preview_directory
from tiktune_tui.export.probe import MediaInfo
from tiktune_tui.library.state import ExportSettings
from tiktune_tui.text import terminal_safe
from tiktune_tui.ui.keymap import EXPORT_BINDINGS, effective_keys
from tiktune_tui.ui.screens.export_form import ExportForm
from tiktune_tui.ui.screens.export_inputs import ExportInputs
from tiktune_tui.ui.screens.export_preview import PreviewControls
from tiktune_tui.ui.screens.export_remembered import AUTO_OFFSET, RememberedSettings
from tiktune_tui.ui.screens.export_running import ConfirmOverwrite, ExportRun
from tiktune_tui.ui.screens.export_span import SongSpan
from tiktune_tui.ui.screens.file_picker import FilePicker


class ExportScreen(
    ExportForm,
    ExportInputs,
    SongSpan,
    ExportRun,
    RememberedSettings,
    PreviewControls,
    ModalScreen[ExportResult | None],
):
    """`song` may be None: then the user must pick an audio file."""

    BINDINGS = EXPORT_BINDINGS

    def __init__(
        self,
        song: Song | None,
        *,
        video: Path | None = None,
        audio_cache=None,
        start_directory: Path | None = None,
        exporter_service: Exporter | None = None,
        open_file: Callable[[Path], None] = opener.open_path,
        desktop: bool | None = None,
        clock: Clock | None = None,
        play_preview: Callable[[Path, str], None] | None = None,
        previews: PreviewFiles | None = None,
        remembered: ExportSettings | None = None,
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        """`play_preview(path, title)` plays a rendered preview (the app's music bar; None: no
        player, so no preview). `previews` keeps the preview files (the app's, cleared when it
        ends; None: the modal's own, cleared when it closes). `remembered`: the settings the
        modal had when it last closed (`settings()`), which it starts with. `keymap`: the
        user's [keys], so that the labels name the keys that work."""
        super().__init__()
        self.keymap = dict(keymap or {})
        self.remembered = remembered or ExportSettings()
        # The offset is the best part, found again for each song, until the user types another.
        self.offset_auto = self.remembered.offset == AUTO_OFFSET
        self._auto_offset_text = "0:00"  # what the offset field holds while offset_auto
        self._auto_offset_for: tuple[Path, Path] | None = None  # the (video, song) it was sought for
        self._best_part_for: tuple[Path, Path] | None = None  # the (video, song) the field holds it for
        self.video_folder = (
            Path(self.remembered.video_folder) if self.remembered.video_folder else None
        )  # where the video picker opens
        self.play_preview = play_preview
        self._own_previews = previews is None
        self.previews = previews if previews is not None else PreviewFiles(preview_directory())
        self.preview_state = "idle"  # idle | rendering | playing | failed: tests wait on it too
        self._preview_cancel = threading.Event()
        self.song = song
        self.initial_video = video if video is not None and video.is_file() else None  # the last one used
        self.audio_cache = audio_cache
        self.start_directory = start_directory
        self.exporter = exporter_service or Exporter()
        self.open_file = open_file
        self.desktop = opener.has_desktop() if desktop is None else desktop
        self.clock = clock
        self.song_audio: Path | None = None  # the song's own audio, once had
        self.video_info: MediaInfo | None = None
        self.audio_info: MediaInfo | None = None
        self.output_edited = False
        self._setting_output = False
        self.state = "form"  # form | running | done: tests wait on it too
        self.ready = False  # every field filled in and checked: Export would start
        self.best_part = None  # what "Best part" found last
        self._preview_options: ExportOptions | None = None  # what a preview would render now
        self.closing_settings: ExportSettings | None = None  # the settings when it closed, to remember
        self.result: ExportResult | None = None
        self._cancel = threading.Event()
        self._fetch_cancel = threading.Event()
        self._export_idle = threading.Event()  # no exporter running (set when run has returned)
        self._export_idle.set()
        self._unmounted = False

    # --- layout -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="export") as box:
            box.border_title = "Export to a video"
            key = {binding.id: self._key_label(binding) for binding in EXPORT_BINDINGS}
            # Text, not a str: the keys come from the user's config, never read as markup.
            box.border_subtitle = Text(
                f"{key['export-preview']} previews · {key['export-run']} exports · {key['export-cancel']} cancels"
            )
            with VerticalScroll(id="export-form"):
                yield from self._compose_form()
            # Outside the scrolling form: the progress, message and buttons stay in sight
            # however small the terminal (at 120x36 Export was below the fold).
            with Vertical(id="export-footer"):
                with Vertical(id="export-running"):
                    yield ProgressBar(total=100, show_eta=True, id="export-progress", clock=self.clock)
                    yield Static(id="export-progress-label")
                yield Static(id="export-message")
                with Horizontal(id="export-buttons"):
                    # Export first: Tab from the last field lands on it.
                    yield Button(Text(f"Export  {key['export-run']}"), id="export-run", variant="primary")
                    yield Button(Text(f"Preview  {key['export-preview']}"), id="export-preview")
                    yield Button("Open", id="export-open", variant="primary")
                    yield Button("Copy path", id="export-copy")
                    yield Button("Cancel", id="export-close")

    def _key_label(self, binding: Binding) -> str:
        """The first key that triggers `binding` with the user's keymap: a chord spelt out
        (ctrl+s reads better in a sentence than ^s), a single key as the footer names it."""
        key = effective_keys(binding, self.keymap)[0]
        return terminal_safe(key if "+" in key else self.app.get_key_display(binding.with_key(key)))

    def on_unmount(self) -> None:
        """The app quits (a key, SIGTERM, SIGHUP) while an export runs: cancel it, and give the
        exporter a moment to stop ffmpeg and remove the part file before the process ends."""
        self._unmounted = True
        self._fetch_cancel.set()
        self._preview_cancel.set()
        self._cancel.set()
        self._export_idle.wait(timeout=5)
        if self._own_previews:
            self.previews.clear()

    def on_resize(self) -> None:
        self._fit_form()

    def _fit_form(self) -> None:
        """The form gets what the footer leaves of the screen (CSS has no `100% - footer`)."""
        footer = self.query_one("#export-footer")
        box = self.query_one("#export")
        chrome = box.styles.gutter.height  # border and padding
        self.query_one("#export-form").styles.max_height = max(3, self.size.height - chrome - footer.outer_size.height)

    def _refit_later(self) -> None:
        self.call_after_refresh(self._fit_form)

    def on_mount(self) -> None:
        self.query_one("#export-running").display = False
        self.query_one("#export-message").display = False
        self.query_one("#export-open").display = False
        self.query_one("#export-copy").display = False
        self.query_one("#export-video", Input).focus()
        self._find_song_audio()
        self._validate()

    # Textual registers the @on handlers it finds in the screen class's own namespace, not in a
    # plain mixin's: each mixin's handler (with its own @on) is named here.
    video_changed = ExportForm.video_changed
    audio_changed = ExportForm.audio_changed
    output_changed = ExportForm.output_changed
    offset_changed = ExportForm.offset_changed
    option_changed = ExportForm.option_changed
    mode_changed = ExportForm.mode_changed
    browse_video = ExportInputs.browse_video
    browse_audio = ExportInputs.browse_audio
    pick_best_part = SongSpan.pick_best_part
    run_export = ExportRun.run_export
    open_result = ExportRun.open_result
    copy_path = ExportRun.copy_path

    def action_preview(self) -> None:
        if self.state == "form" and not isinstance(self.app.screen, (ConfirmOverwrite, FilePicker)):
            self.run_preview()

    @on(Button.Pressed, "#export-preview")
    def preview_pressed(self) -> None:
        self.run_preview()  # export_preview.PreviewControls

    @on(Button.Pressed, "#export-close")
    def action_cancel(self) -> None:
        if self.state == "running":
            self._cancel.set()
            self.query_one("#export-progress-label", Static).update(Text("Cancelling…"))
            return
        self._fetch_cancel.set()
        self.closing_settings = self.settings()  # read while the form is still there
        self.dismiss(self.result)


__all__ = ["AUTO_OFFSET", "ConfirmOverwrite", "ExportScreen"]
