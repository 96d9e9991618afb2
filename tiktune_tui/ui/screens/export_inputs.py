"""The export modal's inputs: the song's audio (cached, downloaded, or a file the user picks),
the probes of the video and the audio, the output's suggested name, and the file pickers.

A mixin of `ExportScreen` (export_screen.py). ffprobe and downloads run in thread workers; their
answers come back to the UI thread, and one for a path the user has typed on from is dropped.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.widgets import Button, Input, Static

from tiktune_tui.export import options as export
from tiktune_tui.export import probe as probing
from tiktune_tui.export.options import (
    AUDIO_EXTENSIONS,
    VIDEO_EXTENSIONS,
    ExportError,
)
from tiktune_tui.export.plan import damaged_video_warning
from tiktune_tui.export.probe import MediaInfo
from tiktune_tui.text import format_clock, terminal_safe
from tiktune_tui.ui.screens.file_picker import FilePicker


class ExportInputs:
    """Needs from the screen: `song`, `audio_cache`, `song_audio`, `video_info`, `audio_info`,
    `output_edited`, `_setting_output`, `_fetch_cancel`, `start_directory`, `video_folder`,
    `_video_path`, `_audio_path`, `_note`, `_validate`, `_find_auto_offset`."""

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
