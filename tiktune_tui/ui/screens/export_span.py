"""Where in the song the export starts: the song/video span line and the Best part (offset "auto").

A mixin of `ExportScreen` (export_screen.py). The best part is `find_best_part`, the rule of
`tiktune export --offset auto`, run in a worker; with the offset on "auto" it is found again for
each song and video, and an export or preview started before it answered finds it first.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.widgets import Button, Input, Static

from tiktune_tui.export.best_part import BestPart, find_best_part
from tiktune_tui.export.options import (
    ExportCancelled,
    ExportError,
    ExportOptions,
)
from tiktune_tui.text import format_clock


class SongSpan:
    """Needs from the screen: `offset_auto`, `video_info`, `audio_info`, `song_audio`, `state`,
    `best_part`, `_auto_offset_text`, `_auto_offset_for`, `_best_part_for`, `_fetch_cancel`,
    `_unmounted`, `_video_path`, `_audio_path`, `_note`."""

    def _find_auto_offset(self) -> None:
        """Offset mode "auto" (remembered, or Best part pressed): the best part of this song over
        this video, once both are known, found again when either changes."""
        video, audio = self._video_path(), self._audio_path() or self.song_audio
        if not self.offset_auto or video is None or audio is None or self.video_info is None or not self.audio_info:
            return
        if self._auto_offset_for != (video, audio) and self.state == "form":
            self._auto_offset_for = (video, audio)
            self.pick_best_part()

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
