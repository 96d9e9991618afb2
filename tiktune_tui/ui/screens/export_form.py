"""The export modal's form: its fields, and each option checked as it is typed, beside its field.

A mixin of `ExportScreen` (export_screen.py). The check is the exporter's own (`validate`); what
the form adds is a field not filled in yet, a text that does not parse, an input still being
probed, and saying what holds an export (or a preview) up when one is asked for too early.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static

from tiktune_tui.export import options as export
from tiktune_tui.export.options import (
    ExportOptions,
)
from tiktune_tui.export.plan import song_runs_out_warning
from tiktune_tui.text import terminal_safe
from tiktune_tui.ui.screens.export_remembered import remembered_text
from tiktune_tui.ui.widgets.safe_input import SafeInput
from tiktune_tui.ui.widgets.shaped_toggles import ShapedCheckbox, ShapedRadioButton


def _row(label: str, *widgets, id: str | None = None) -> Horizontal:
    return Horizontal(Label(label, classes="export-label"), *widgets, classes="export-row", id=id)


class ExportForm:
    """Needs from the screen: `song`, `remembered`, `offset_auto`, `audio_cache`, `song_audio`,
    `video_info`, `audio_info`, `state`, `ready`, `output_edited`, `_setting_output`,
    `_auto_offset_text`, `_preview_options`, `_probe_video`, `_probe_audio`, `_show_span`,
    `_show_message`."""

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
            return remembered_text(value, lambda text: export.parse_percent(text, "volume"), "100")

        def seconds(value: float | None) -> str:
            return remembered_text(value, lambda text: export.parse_seconds(text, "fade"), "0")

        offset = "0:00" if self.offset_auto else remembered_text(kept.offset, export.parse_clock, "0:00")
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
                remembered_text(kept.loudness, export.parse_loudness, f"{export.DEFAULT_LOUDNESS_LUFS:g}"),
                id="export-loudness",
                classes="export-short",
                placeholder="off",
            ),
            Label("Duck dB", classes="export-label"),
            SafeInput(
                remembered_text(
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
