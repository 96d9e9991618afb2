"""The export modal: pick a video, set the options (each checked as it is typed), run, see progress.

The work itself is `tiktune_tui.export.exporter`; this screen only gathers options, runs it in a
thread worker, shows progress, and offers to open the result or copy its path. It returns
the `ExportResult` (or None when nothing was exported). The preview (ctrl+l) is export_preview.py's
mixin; the form starts from the settings it had when it last closed (`remembered`, kept by the
app in state.json) and gives them back as it closes (`closing_settings`).

It is over 500 lines because one form holds every option with its own live check and note;
splitting the form from its checks would make each field's message travel between modules.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.clock import Clock
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, RadioButton, RadioSet, Static

from tiktune_tui.core.models import Song
from tiktune_tui.export import opener
from tiktune_tui.export import options as export
from tiktune_tui.export import probe as probing
from tiktune_tui.export.best_part import BestPart, find_best_part
from tiktune_tui.export.exporter import Exporter, ExportResult
from tiktune_tui.export.ffmpeg_process import Progress
from tiktune_tui.export.options import (
    AUDIO_EXTENSIONS,
    VIDEO_EXTENSIONS,
    ExportCancelled,
    ExportError,
    ExportOptions,
)
from tiktune_tui.export.plan import damaged_video_warning, song_runs_out_warning
from tiktune_tui.export.preview import PreviewFiles, preview_directory
from tiktune_tui.export.probe import MediaInfo
from tiktune_tui.library.state import ExportSettings
from tiktune_tui.text import file_size, format_clock, terminal_safe
from tiktune_tui.ui.screens.export_preview import PreviewControls
from tiktune_tui.ui.screens.file_picker import FilePicker
from tiktune_tui.ui.widgets.safe_input import SafeInput
from tiktune_tui.ui.widgets.shaped_toggles import ShapedCheckbox, ShapedRadioButton

AUTO_OFFSET = "auto"  # the remembered offset mode: the best part, found for each song


def _remembered_text(value: object, parse: Callable[[str], object], default: str) -> str:
    """A field's text from a remembered value, or its default when the value no longer parses."""
    if value is None:
        return default
    candidate = f"{value:g}" if isinstance(value, int | float) else str(value)
    try:
        parse(candidate)
    except ValueError:
        return default
    return candidate


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


def _row(label: str, *widgets, id: str | None = None) -> Horizontal:
    return Horizontal(Label(label, classes="export-label"), *widgets, classes="export-row", id=id)


class ExportScreen(PreviewControls, ModalScreen[ExportResult | None]):
    """`song` may be None: then the user must pick an audio file."""

    # ctrl+s from any field, so the button at the bottom is never 11 Tabs away. Priority: an
    # Input would otherwise keep the key. ctrl+l ("listen") renders and plays the preview.
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export-cancel"),
        Binding("ctrl+s", "run_export", "Export", id="export-run", priority=True),
        Binding("ctrl+l", "preview", "Preview", id="export-preview", priority=True),
    ]

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
    ) -> None:
        """`play_preview(path, title)` plays a rendered preview (the app's music bar; None: no
        player, so no preview). `previews` keeps the preview files (the app's, cleared when it
        ends; None: the modal's own, cleared when it closes). `remembered`: the settings the
        modal had when it last closed (`settings()`), which it starts with."""
        super().__init__()
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
            box.border_subtitle = "ctrl+l previews · ctrl+s exports · esc cancels"
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
                    yield Button("Export  ctrl+s", id="export-run", variant="primary")
                    yield Button("Preview  ctrl+l", id="export-preview")
                    yield Button("Open", id="export-open", variant="primary")
                    yield Button("Copy path", id="export-copy")
                    yield Button("Cancel", id="export-close")

    def _compose_form(self) -> ComposeResult:
        title = Text("Song: ", style="bold")
        if self.song is not None:
            # TikTok's text: an ESC in a title must not reach the terminal.
            title.append(terminal_safe(self.song.credit))
        else:
            title.append("none selected: pick an audio file", style="italic")
        yield Static(title, id="export-song")
        yield Static(id="export-audio-status")
        yield _row(
            "Video",
            SafeInput(str(self.initial_video or ""), id="export-video", placeholder="path to your video"),
            Button("Browse…", id="export-browse-video", classes="export-browse"),
        )
        yield Static(id="export-video-note", classes="export-note")
        yield _row(
            "Audio file",
            SafeInput(id="export-audio", placeholder="(the song's audio)"),
            Button("Browse…", id="export-browse-audio", classes="export-browse"),
        )
        yield Static(id="export-audio-note", classes="export-note")
        kept = self.remembered
        mix = kept.mode == "mix"
        yield _row(
            "Sound",
            RadioSet(
                ShapedRadioButton("Replace the video's sound", id="export-mode-replace", value=not mix),
                ShapedRadioButton("Mix with it", id="export-mode-mix", value=mix),
                id="export-mode",
            ),
        )

        def percent(value: float | None) -> str:
            return _remembered_text(value, lambda text: export.parse_percent(text, "volume"), "100")

        def seconds(value: float | None) -> str:
            return _remembered_text(value, lambda text: export.parse_seconds(text, "fade"), "0")

        offset = "0:00" if self.offset_auto else _remembered_text(kept.offset, export.parse_clock, "0:00")
        yield _row(
            "Song volume %",
            SafeInput(percent(kept.song_volume_pct), id="export-song-volume", classes="export-short"),
            Label("Original %", classes="export-label"),
            SafeInput(
                percent(kept.original_volume_pct), id="export-original-volume", classes="export-short", disabled=not mix
            ),
        )
        yield _row(
            "Loudness LUFS",
            SafeInput(
                _remembered_text(kept.loudness, export.parse_loudness, f"{export.DEFAULT_LOUDNESS_LUFS:g}"),
                id="export-loudness",
                classes="export-short",
                placeholder="off",
            ),
            Label("Duck dB", classes="export-label"),
            SafeInput(
                _remembered_text(
                    kept.duck_db, lambda text: export.parse_decibels(text, "ducking"), f"{export.DEFAULT_DUCK_DB:g}"
                ),
                id="export-duck",
                classes="export-short",
                disabled=not mix,
            ),
        )
        yield Static(id="export-volume-note", classes="export-note")
        yield _row(
            "Start at",
            SafeInput(offset, id="export-offset", classes="export-short", placeholder="m:ss"),
            Button("Best part", id="export-best-part", classes="export-browse"),
            ShapedCheckbox("Loop the song", id="export-loop", value=bool(kept.loop)),
        )
        yield Static(id="export-span", classes="export-note")
        # Fades on their own line: beside the start, the fade-out was cut off at 80 columns.
        yield _row(
            "Fade-in s",
            SafeInput(seconds(kept.fade_in_s), id="export-fade-in", classes="export-short"),
            Label("Fade-out s", classes="export-label"),
            SafeInput(seconds(kept.fade_s), id="export-fade", classes="export-short"),
        )
        yield Static(id="export-timing-note", classes="export-note")
        yield _row("Output", SafeInput(id="export-output", placeholder="where to write the result"))
        yield Static(id="export-output-note", classes="export-note")

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

    # --- the song's audio ---------------------------------------------------

    def _set_audio_status(self, text: Text) -> None:
        self.query_one("#export-audio-status", Static).update(text)

    def _find_song_audio(self) -> None:
        audio_input = self.query_one("#export-audio", Input)
        if self.song is None:
            audio_input.placeholder = "path to an audio file"
            return
        cached = self.audio_cache.path_for(self.song) if self.audio_cache is not None else None
        if cached is not None:
            self._song_audio_ready(cached)
        elif self.audio_cache is not None and self.song.play_url:
            self._set_audio_status(Text("Downloading the song's audio…", style="italic"))
            self._fetch_song_audio()
        else:
            reason = "no audio cache" if self.audio_cache is None else "the catalog has no audio for it"
            self._song_audio_missing(reason)

    @work(thread=True, exclusive=True, group="export-fetch", exit_on_error=False)
    def _fetch_song_audio(self) -> None:
        try:
            path = self.audio_cache.fetch(self.song, cancel=self._fetch_cancel)
        except Exception as exc:  # noqa: BLE001 - AudioUnavailable and anything else: offer a local file
            if not self._fetch_cancel.is_set():
                self.app.call_from_thread(self._song_audio_missing, str(exc))
            return
        self.app.call_from_thread(self._song_audio_ready, path)

    def _song_audio_ready(self, path: Path) -> None:
        self.song_audio = path
        self._set_audio_status(Text("Song audio: ready. Type an audio file below only to use another."))
        self.query_one("#export-audio-status").remove_class("-warning")
        self.query_one("#export-audio", Input).placeholder = "(the song's audio)"
        self._probe_audio(path)
        self._validate()

    def _song_audio_missing(self, reason: str) -> None:
        self.song_audio = None
        self._set_audio_status(
            Text.assemble(
                ("The song's audio is not available", "bold"),
                f" ({terminal_safe(reason)}). Pick a local audio file below.",
            )
        )
        self.query_one("#export-audio-status").add_class("-warning")
        self.query_one("#export-audio", Input).placeholder = "path to an audio file (required)"
        self._validate()

    # --- probing (off the UI thread: ffprobe takes a moment) -----------------

    @work(thread=True, exclusive=True, group="export-probe-video", exit_on_error=False)
    def _probe_video(self, path: Path) -> None:
        try:
            info: MediaInfo | str = probing.probe_video(path)
        except ExportError as exc:
            info = str(exc)
        self.app.call_from_thread(self._video_probed, path, info)

    def _video_probed(self, path: Path, info: MediaInfo | str) -> None:
        if self._video_path() != path:
            return  # the user has typed on since
        if isinstance(info, str):
            self.video_info = None
            self._note("#export-video-note", info, error=True)
        else:
            self.video_info = info
            size = f"{info.width}×{info.height}, " if info.width else ""
            sound = "with sound" if info.has_audio else "no sound"
            summary = f"{format_clock(info.duration_s)}, {size}{info.video_codec}, {sound}"
            if info.video_end_s is not None:  # exportable, but the user must know before posting it
                self._note("#export-video-note", f"{summary}. Warning: {damaged_video_warning(info)}", error=True)
            else:
                self._note("#export-video-note", summary)
            self._suggest_output()
        self._validate()
        self._find_auto_offset()

    def _suggest_output(self) -> None:
        """`<video>.<song>.mp4`, named after the audio the user chose if any (as the CLI does),
        else the song; never over a name the user typed."""
        video, info = self._video_path(), self.video_info
        if self.output_edited or video is None or info is None:
            return
        audio = self._audio_path()
        label = audio.stem if audio is not None else (self.song.title or self.song.id) if self.song else video.stem
        self._setting_output = True
        self.query_one("#export-output", Input).value = str(export.default_output(video, label, info.video_codec))

    @work(thread=True, exclusive=True, group="export-probe-audio", exit_on_error=False)
    def _probe_audio(self, path: Path) -> None:
        try:
            info: MediaInfo | str = probing.probe_audio(path)
        except ExportError as exc:
            info = str(exc)
        self.app.call_from_thread(self._audio_probed, path, info)

    def _audio_probed(self, path: Path, info: MediaInfo | str) -> None:
        if (self._audio_path() or self.song_audio) != path:
            return
        if isinstance(info, str):
            self.audio_info = None
            self._note("#export-audio-note", info, error=True)
        else:
            self.audio_info = info
            if self._audio_path() is not None:
                self._note("#export-audio-note", f"{format_clock(info.duration_s)} of audio")
                self._suggest_output()
        self._validate()
        self._find_auto_offset()

    def _find_auto_offset(self) -> None:
        """Offset mode "auto" (remembered, or Best part pressed): the best part of this song over
        this video, once both are known, found again when either changes."""
        video, audio = self._video_path(), self._audio_path() or self.song_audio
        if not self.offset_auto or video is None or audio is None or self.video_info is None or not self.audio_info:
            return
        if self._auto_offset_for != (video, audio) and self.state == "form":
            self._auto_offset_for = (video, audio)
            self.pick_best_part()

    # --- inline validation --------------------------------------------------

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    @property
    def video_path(self) -> Path | None:
        """The video the form names, if it is a file: the app offers it again next time."""
        path = self._video_path()
        return path if path is not None and path.is_file() else None

    def _video_path(self) -> Path | None:
        text = self._value("#export-video")
        return Path(text).expanduser().absolute() if text else None

    def _audio_path(self) -> Path | None:
        text = self._value("#export-audio")
        return Path(text).expanduser().absolute() if text else None

    def _note(self, selector: str, message: str, *, error: bool = False) -> None:
        """`message` may quote a file name or ffprobe: shown literally, control characters escaped."""
        note = self.query_one(selector, Static)
        note.update(Text(terminal_safe(message)))
        note.set_class(error, "-error")

    @on(Input.Changed, "#export-video")
    def video_changed(self) -> None:
        self.video_info = None
        path = self._video_path()
        if path is None:
            self._note("#export-video-note", "")
        elif not path.exists():
            self._note("#export-video-note", "no such file", error=True)
        elif path.is_dir():
            self._note("#export-video-note", "that is a folder; pick a video file (Browse…)", error=True)
        else:
            self._note("#export-video-note", "checking…")
            self._probe_video(path)
        self._validate()

    @on(Input.Changed, "#export-audio")
    def audio_changed(self) -> None:
        self.audio_info = None
        path = self._audio_path()
        if path is None:
            self._note("#export-audio-note", "")
            if self.song_audio is not None:
                self._probe_audio(self.song_audio)
        elif not path.is_file():
            self._note("#export-audio-note", "no such file", error=True)
        else:
            self._note("#export-audio-note", "checking…")
            self._probe_audio(path)
        self._validate()

    @on(Input.Changed, "#export-output")
    def output_changed(self) -> None:
        if self._setting_output:
            self._setting_output = False
        else:
            self.output_edited = True
        self._validate()

    @on(Input.Changed, "#export-offset")
    def offset_changed(self) -> None:
        if self._value("#export-offset") != self._auto_offset_text:
            self.offset_auto = False  # a time the user typed
        self._validate()

    @on(
        Input.Changed,
        "#export-song-volume, #export-original-volume, #export-fade, #export-fade-in, #export-loudness, #export-duck",
    )
    @on(Checkbox.Changed)
    def option_changed(self) -> None:
        self._validate()

    @on(RadioSet.Changed, "#export-mode")
    def mode_changed(self) -> None:
        self._mix_fields_follow_mode()
        self._validate()

    def _mix_fields_follow_mode(self) -> None:
        for selector in ("#export-original-volume", "#export-duck"):
            self.query_one(selector, Input).disabled = self._mode() != "mix"

    def _mode(self) -> str:
        return "mix" if self.query_one("#export-mode-mix", RadioButton).value else "replace"

    # Where each `validate` problem is shown: beside its field, two fields sharing a line.
    _NOTES = {
        "video": "#export-video-note",
        "audio": "#export-audio-note",
        "mode": "#export-volume-note",
        "song_volume": "#export-volume-note",
        "original_volume": "#export-volume-note",
        "loudness_lufs": "#export-volume-note",
        "duck_db": "#export-volume-note",
        "offset_s": "#export-timing-note",
        "fade_s": "#export-timing-note",
        "fade_in_s": "#export-timing-note",
        "output": "#export-output-note",
    }

    def _validate(self) -> ExportOptions | None:
        """Every option checked by `validate` (the exporter's own rule), each message beside its
        field; the options when all are good. Only what a form has on top: a field not filled in
        yet, a text that does not parse, an input still being probed."""
        incomplete = False
        video = self._video_path()
        if video is None or self.video_info is None:
            incomplete = True
        audio = self._audio_path() or self.song_audio
        if audio is None:
            incomplete = True
            if self.song is None or self.audio_cache is None or not self.song.play_url:
                if not self._value("#export-audio"):
                    self._note("#export-audio-note", "pick an audio file for the song", error=True)
        elif self.audio_info is None:
            incomplete = True

        problems: dict[str, list[str]] = {}  # note selector -> messages

        def parsed(field: str, parse: Callable[[], float], fallback: float) -> float:
            try:
                return parse()
            except ValueError as exc:
                problems.setdefault(self._NOTES[field], []).append(str(exc))
                return fallback

        def percent(selector: str, what: str) -> Callable[[], float]:
            return lambda: export.parse_percent(self._value(selector), what)

        song_volume = parsed("song_volume", percent("#export-song-volume", "song volume"), 1.0)
        original_volume = parsed("original_volume", percent("#export-original-volume", "original volume"), 1.0)
        offset = parsed("offset_s", lambda: export.parse_clock(self._value("#export-offset")), 0.0)
        fade = parsed("fade_s", lambda: export.parse_seconds(self._value("#export-fade"), "fade-out"), 0.0)
        loudness = parsed(
            "loudness_lufs", lambda: export.parse_loudness(self._value("#export-loudness") or "off"), None
        )
        mix = self._mode() == "mix"
        duck = parsed("duck_db", lambda: export.parse_decibels(self._value("#export-duck") or "0", "ducking"), 0.0)
        fade_in = parsed("fade_in_s", lambda: export.parse_seconds(self._value("#export-fade-in"), "fade-in"), 0.0)

        output_text = self._value("#export-output")
        output = Path(output_text).expanduser().absolute() if output_text else None
        options = ExportOptions(
            # A field not given yet stands in as the null device: nothing an output can be.
            video=video or Path(os.devnull),
            audio=audio or Path(os.devnull),
            output=output or Path(os.devnull),
            mode="mix" if self._mode() == "mix" else "replace",
            offset_s=offset,
            loop=self.query_one("#export-loop", Checkbox).value,
            fade_s=fade,
            fade_in_s=fade_in,
            song_volume=song_volume,
            original_volume=original_volume,
            loudness_lufs=loudness,
            duck_db=duck if mix else 0.0,
        )
        # An existing output is not a problem here: the user is asked before it is replaced.
        for problem in export.validate(replace(options, overwrite=True), self.video_info, self.audio_info):
            if problem.field != "output" or output is not None:
                problems.setdefault(self._NOTES[problem.field], []).append(problem.message)

        # What the exporter would warn about afterwards (the song running out), said before.
        timing_warning = None
        if not problems and self.video_info is not None and self.audio_info is not None:
            timing_warning = song_runs_out_warning(options, self.video_info, self.audio_info)

        out_message = ""
        if output is None and video is not None:
            problems.setdefault("#export-output-note", []).append("give an output file")
        elif output is not None and "#export-output-note" not in problems and output.exists():
            out_message = "exists: you will be asked before it is replaced"
        fine = {
            "#export-output-note": out_message,
            "#export-timing-note": f"Note: {timing_warning}" if timing_warning else "",
        }
        for selector in ("#export-volume-note", "#export-timing-note", "#export-output-note"):
            messages = problems.get(selector, [])
            self._note(selector, "; ".join(messages) or fine.get(selector, ""), error=bool(messages))
        self.query_one("#export-timing-note").set_class(bool(timing_warning) and not problems, "-warning")
        for selector in ("#export-video-note", "#export-audio-note"):  # else they hold the probe's answer
            if selector in problems:
                self._note(selector, "; ".join(problems[selector]), error=True)

        ready = not problems and not incomplete and output is not None and self.state == "form"
        self.ready = ready
        # Never disabled while the form is open: a disabled button drops out of the Tab order,
        # and Tab from a wrong field landed on Cancel. Pressed when not ready, it says what is missing.
        self.query_one("#export-run", Button).set_class(not ready, "-not-ready")
        self._show_span(options)
        # A preview needs everything but the output: it is written in tiktune's own folder.
        previewable = not incomplete and not (problems.keys() - {"#export-output-note"})
        self._preview_options = options if previewable else None
        if not ready:
            return None
        return options

    def _show_span(self, options: ExportOptions) -> None:
        """The song's length against the video's, and the part of the song the export uses."""
        span = self.query_one("#export-span", Static)
        if self.video_info is None or self.audio_info is None:
            span.update("")
            return
        song_s, video_s = self.audio_info.duration_s, self.video_info.duration_s
        start = min(options.offset_s, song_s)
        end = min(song_s, start + video_s)
        used = f"uses {format_clock(start)}–{format_clock(end)} of the song ({format_clock(song_s)})"
        if options.loop and start + video_s > song_s:
            used += ", then repeats it"
        span.update(Text(f"Video {format_clock(video_s)}: {used}"))

    @on(Button.Pressed, "#export-best-part")
    def pick_best_part(self) -> None:
        audio = self._audio_path() or self.song_audio
        if audio is None or self.video_info is None or self.audio_info is None:
            self._note("#export-timing-note", "pick the video and the song first", error=True)
            return
        video = self._video_path()
        if video is not None:
            self._auto_offset_for = (video, audio)
        self.offset_auto = True  # from now: an export started before the answer waits for it
        self._note("#export-timing-note", "finding the song's most energetic part…")
        self._find_best_part((video, audio), self.video_info.duration_s)

    @work(thread=True, exclusive=True, group="export-best-part", exit_on_error=False)
    def _find_best_part(self, inputs: tuple[Path | None, Path], video_s: float) -> None:
        audio = inputs[1]
        try:
            best = find_best_part(audio, video_s, cancel=self._fetch_cancel)
        except ExportError as exc:
            self.app.call_from_thread(self._note, "#export-timing-note", str(exc), error=True)
            return
        self.app.call_from_thread(self._best_part_found, best, inputs)

    def _best_part_found(self, best: BestPart, inputs: tuple[Path | None, Path]) -> None:
        if self.state != "form":
            return  # an export that started meanwhile found it itself (`_offset_pending`)
        self._show_best_part(best, inputs)
        self.app.notify(
            f"Best part: the song starts at {format_clock(best.offset_s)} (its most energetic {format_clock(best.length_s)})",
            markup=False,
        )

    def _show_best_part(self, best: BestPart, inputs: tuple[Path | None, Path]) -> None:
        tenths = round(best.offset_s * 10)
        clock = format_clock(tenths // 10)
        self.offset_auto = True  # kept as "auto" for the next song, until the user types a time
        self._auto_offset_text = f"{clock}.{tenths % 10}" if tenths % 10 else clock
        self.query_one("#export-offset", Input).value = self._auto_offset_text
        self.best_part = best
        self._best_part_for = inputs if inputs[0] is not None else None

    def _offset_pending(self) -> bool:
        """Offset "auto" whose best part is not in the field yet (still being found, or for other
        inputs): an export or preview started now finds it first, rather than start at 0:00."""
        return self.offset_auto and self._best_part_for != (self._video_path(), self._audio_path() or self.song_audio)

    def _at_best_part(self, options: ExportOptions, cancel: threading.Event) -> ExportOptions:
        """On a worker: `options` started at the song's best part (the rule of `--offset auto`),
        shown in the field too. ExportCancelled if `cancel` is set meanwhile."""
        assert self.video_info is not None
        try:
            best = find_best_part(options.audio, self.video_info.duration_s, cancel=cancel)
        except ExportError:
            if cancel.is_set():
                raise ExportCancelled from None
            raise
        if not self._unmounted:
            self.app.call_from_thread(self._show_best_part, best, (options.video, options.audio))
        return replace(options, offset_s=best.offset_s)

    # --- what is remembered -------------------------------------------------

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

    # --- pickers ------------------------------------------------------------

    def _picker_start(self, current: Path | None) -> Path:
        if current is not None and current.parent.is_dir():
            return current.parent
        for folder in (self.start_directory, self.video_folder):
            if folder is not None and folder.is_dir():
                return folder
        return Path.cwd()

    @on(Button.Pressed, "#export-browse-video")
    def browse_video(self) -> None:
        def chosen(path: Path | None) -> None:
            if path is not None:
                self.video_folder = path.parent
                self.query_one("#export-video", Input).value = str(path)

        start = self._picker_start(self._video_path())
        self.app.push_screen(FilePicker("Pick a video", start, VIDEO_EXTENSIONS), chosen)

    @on(Button.Pressed, "#export-browse-audio")
    def browse_audio(self) -> None:
        def chosen(path: Path | None) -> None:
            if path is not None:
                self.query_one("#export-audio", Input).value = str(path)

        start = self._picker_start(self._audio_path() or self._video_path())
        self.app.push_screen(FilePicker("Pick an audio file", start, AUDIO_EXTENSIONS), chosen)

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

    # The field each note is about, to take the user there.
    _FIELD_OF_NOTE = {
        "#export-video-note": "#export-video",
        "#export-audio-note": "#export-audio",
        "#export-volume-note": "#export-song-volume",
        "#export-timing-note": "#export-offset",
        "#export-output-note": "#export-output",
    }

    def _explain_not_ready(self, doing: str = "export") -> None:
        """Export pressed (or ctrl+s) before the form is complete: say why, and go to the field.
        A preview (`doing`) needs no output, so the output's note does not hold it up."""
        for note_id, field_id in self._FIELD_OF_NOTE.items():
            if doing == "preview" and note_id == "#export-output-note":
                continue
            note = self.query_one(note_id, Static)
            if note.has_class("-error") or (field_id == "#export-video" and self._video_path() is None):
                said = str(note.render()).strip() or "give the video to put the song over"
                # The note is already terminal-safe text.
                self._show_message(Text(f"Not ready to {doing}: {said}"), error=True)
                self.query_one(field_id).focus()
                return
        waiting = "the video" if self.video_info is None else "the song's audio"
        self._show_message(Text(f"Not ready to {doing}: still checking {waiting}…"), error=True)

    def action_preview(self) -> None:
        if self.state == "form" and not isinstance(self.app.screen, (ConfirmOverwrite, FilePicker)):
            self.run_preview()

    @on(Button.Pressed, "#export-preview")
    def preview_pressed(self) -> None:
        self.run_preview()  # export_preview.PreviewControls; a mixin's own @on would not register

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

    @on(Button.Pressed, "#export-close")
    def action_cancel(self) -> None:
        if self.state == "running":
            self._cancel.set()
            self.query_one("#export-progress-label", Static).update(Text("Cancelling…"))
            return
        self._fetch_cancel.set()
        self.closing_settings = self.settings()  # read while the form is still there
        self.dismiss(self.result)
