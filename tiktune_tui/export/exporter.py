"""Lay a song over the user's video with ffmpeg: the video copied as is, the audio encoded, nothing lost.

No Textual import: the CLI and the TUI both drive `Exporter.run`. The pieces: `options`
(what is asked, `validate`), `probe` (what the inputs are), `plan` (what ffmpeg is asked to
do), `ffmpeg_process` (the child process), `part_file` (the hidden file ffmpeg writes).

Nothing is lost: ffmpeg writes a hidden temp file in the target directory, which is then
linked (no clobber) or renamed (overwrite) to the output name; any failure or cancel removes
the temp file. It is fsynced first only when it replaces an existing file, whose old bytes
a crash must not leave the name without; a new name risks no one's data, so it skips that cost.
To hide ffprobe's start-up (~0.1 s, as long as a whole stream copy), ffmpeg starts on a plan
guessed from the files' headers while ffprobe checks them, and goes on only if the probed plan
is the same (see `Exporter`).
"""

from __future__ import annotations

import errno
import os
import queue
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

from tiktune_tui.export import part_file
from tiktune_tui.export import probe as probing
from tiktune_tui.export.ffmpeg_process import (
    WRITE_FAILURE,
    FfmpegProcess,
    ProgressCallback,
    disk_error,
    ffmpeg_failure,
    read_progress,
)
from tiktune_tui.export.options import (
    ExportCancelled,
    ExportError,
    ExportOptions,
    Mode,
    OutputExists,
    raise_first,
    validate,
)
from tiktune_tui.export.plan import (
    Loudness,
    Plan,
    build_args,
    guess_plan,
    measure_args,
    needs_limiter,
    parse_loudness,
    plan_for,
    preview_args,
)
from tiktune_tui.export.preview import PREVIEW_S, Preview, preview_length
from tiktune_tui.export.probe import MediaInfo


@dataclass(frozen=True)
class ExportResult:
    output: Path
    duration_s: float
    container: str
    video_codec: str
    video_copied: bool
    audio_codec: str
    audio_copied: bool
    mode: Mode
    size_bytes: int
    elapsed_s: float
    warnings: tuple[str, ...] = field(default_factory=tuple)
    loudness_lufs: float | None = None  # the target the sound was normalized to, if it was
    measured_lufs: float | None = None  # what the measuring pass found before
    duck_db: float = 0.0

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["output"] = str(self.output)
        data["warnings"] = list(self.warnings)
        return data


class Exporter:
    """Runs one export at a time; thread-safe to cancel through the event passed to `run`.

    Speculative start: ffprobe needs ~0.1 s just to start, which would double a stream-copy
    export. So when an input has not been probed yet, `run` guesses the plan from the files'
    headers (`guess_plan`) and starts ffmpeg on it at once, while ffprobe checks both inputs
    side by side. The plan built from ffprobe's answer is the one that counts: if its ffmpeg
    arguments are the guess's, the running ffmpeg already does exactly that job and goes on;
    otherwise it is stopped and the real plan runs on the same temp file. Either way the result,
    the checks and the output are those of the probed plan. `last_guess` says what happened:
    "hit", "miss", or None (no guess made).
    """

    def __init__(
        self, ffmpeg_cmd: str = "ffmpeg", poll_s: float = 0.1, check_space: bool = True, speculate: bool = True
    ) -> None:
        self.ffmpeg_cmd = ffmpeg_cmd
        self.poll_s = poll_s
        # The free-space check is only an estimate; a full disk mid-run is still caught (ENOSPC).
        self.check_space = check_space
        self.speculate = speculate
        self.last_guess: Literal["hit", "miss"] | None = None

    def run(
        self,
        options: ExportOptions,
        on_progress: ProgressCallback | None = None,
        cancel_event: threading.Event | None = None,
    ) -> ExportResult:
        started = time.monotonic()
        self.last_guess = None
        if shutil.which(self.ffmpeg_cmd) is None:
            raise ExportError("ffmpeg not found: install ffmpeg (scripts/setup.sh does)")
        raise_first(validate(options))
        output = options.output.absolute()
        directory = output.parent
        cold = probing.known_probe(options.video) is None or probing.known_probe(options.audio) is None
        # With loudness the final run needs the measuring pass's answer: nothing to start early.
        guess = guess_plan(options) if self.speculate and cold and options.loudness_lufs is None else None
        part_file.sweep(directory)  # what a crashed export left here, once nothing holds it
        try:
            part = part_file.PartFile.create(directory, prefix=f".{output.stem[:60]}.")
        except OSError as exc:
            raise disk_error(exc, directory) from None
        temp = part.path
        running: FfmpegProcess | None = None
        try:
            if guess is not None and self._has_room(guess, directory):
                running = FfmpegProcess(build_args(guess, temp, self.ffmpeg_cmd), lock_fd=part.fd)
            checked = plan_for(options, *self._probe_inputs(options, cancel_event))
            if self.check_space:
                self._check_space(checked, directory)
            if checked.normalize:
                checked = self._measure(checked, directory, on_progress, cancel_event)
            args = build_args(checked, temp, self.ffmpeg_cmd)
            if running is not None:
                self.last_guess = "hit" if running.args == args else "miss"
                if self.last_guess == "miss":
                    running.stop()  # the real run below truncates the temp file (-y)
                    running = None
            if running is None:
                running = FfmpegProcess(args, lock_fd=part.fd)
            self._follow(running, checked, directory, on_progress, cancel_event)
            self._publish(temp, output, options.overwrite, directory)
        finally:
            if running is not None:
                running.stop()
            part.remove()
        return ExportResult(
            output=output,
            duration_s=checked.duration_s,
            container=checked.container,
            video_codec=checked.video.video_codec or "?",
            video_copied=checked.copy_video,
            audio_codec="aac",
            audio_copied=checked.copy_audio,
            mode="mix" if checked.mix else "replace",
            size_bytes=output.stat().st_size,
            elapsed_s=time.monotonic() - started,
            warnings=checked.warnings,
            loudness_lufs=options.loudness_lufs if checked.measured is not None else None,
            measured_lufs=checked.measured.integrated_lufs if checked.measured is not None else None,
            duck_db=options.duck_db if checked.duck else 0.0,
        )

    def preview(
        self,
        options: ExportOptions,
        target: Path,
        length_s: float = PREVIEW_S,
        on_progress: ProgressCallback | None = None,
        cancel_event: threading.Event | None = None,
    ) -> Preview:
        """The first `length_s` of the sound `run(options)` would export, as WAV at `target`
        (a file of tiktune's own: `options.output` is not touched, and need not be set).

        The loudness is measured over the whole export, as `run` does, so the preview is as
        loud as that stretch of the export will be. On failure `target` may hold a partial file.
        """
        if shutil.which(self.ffmpeg_cmd) is None:
            raise ExportError("ffmpeg not found: install ffmpeg (scripts/setup.sh does)")
        # The plan needs an output it may write: the preview's own folder (its container is unused).
        options = replace(options, output=target.with_suffix(".mkv"), overwrite=True)
        raise_first(validate(options))
        directory = target.parent
        checked = plan_for(options, *self._probe_inputs(options, cancel_event))
        if checked.normalize:
            checked = self._measure(checked, directory, on_progress, cancel_event)
        length = preview_length(checked, length_s)
        if length <= 0:
            raise ExportError("nothing to preview: the song has no sound after its start")
        running = FfmpegProcess(preview_args(checked, target, length, self.ffmpeg_cmd))
        try:
            self._follow(running, checked, directory, on_progress, cancel_event, phase="preview", total=length)
        finally:
            running.stop()
        return Preview(
            path=target,
            length_s=length,
            offset_s=options.offset_s,
            loudness_lufs=options.loudness_lufs if checked.measured is not None else None,
            measured_lufs=checked.measured.integrated_lufs if checked.measured is not None else None,
            warnings=checked.warnings,
        )

    def _probe_inputs(
        self, options: ExportOptions, cancel_event: threading.Event | None
    ) -> tuple[MediaInfo, MediaInfo]:
        """Both inputs probed side by side (each ffprobe mostly starts up), cancellable while they run."""
        pool = ThreadPoolExecutor(max_workers=2)
        try:
            video_future = pool.submit(probing.probe_video, options.video)
            audio_future = pool.submit(probing.probe_audio, options.audio)
            pending = {video_future, audio_future}
            while pending:
                if cancel_event is not None and cancel_event.is_set():
                    raise ExportCancelled("export cancelled; nothing was written")
                _, pending = wait(pending, timeout=self.poll_s)
            return video_future.result(), audio_future.result()
        finally:
            # A cancel does not wait for ffprobe: it ends on its own within a moment.
            pool.shutdown(wait=False, cancel_futures=True)

    def _has_room(self, checked: Plan, directory: Path) -> bool:
        if not self.check_space:
            return True
        try:
            self._check_space(checked, directory)
        except ExportError:
            return False  # the probed plan's own check says so, if it holds
        return True

    @staticmethod
    def _check_space(checked: Plan, directory: Path) -> None:
        # Copied video is about the input's size; re-encoded video has no bound, so guess the same.
        needed = checked.video.size_bytes + int(checked.duration_s * 192_000 / 8) + 256_000
        try:
            free = shutil.disk_usage(directory).free
        except OSError:
            return
        if free < needed:
            raise ExportError(
                f"not enough free space in {directory}: about {needed / 1e6:.1f} MB needed, {free / 1e6:.1f} MB free"
            )

    def _measure(
        self,
        checked: Plan,
        directory: Path,
        on_progress: ProgressCallback | None,
        cancel_event: threading.Event | None,
    ) -> Plan:
        """The measuring pass: the finished sound's loudness, which the final pass corrects to the target.

        Audio only, so it costs a decode of the sound, not of the video. When the gain needs the
        peak limiter, which takes some loudness away, a second measuring pass (through the
        limiter) finds how much, and the gain makes up for it. A silent result has no loudness
        to correct: it is exported as it is, with a warning.
        """
        target = checked.options.loudness_lufs
        assert target is not None
        found = self._loudness_of(checked, directory, on_progress, cancel_event)
        if found is None:
            warning = "the sound is silent: there is no loudness to normalize"
            return replace(
                checked, options=replace(checked.options, loudness_lufs=None), warnings=(*checked.warnings, warning)
            )
        checked = replace(checked, measured=found, gain_db=target - found.integrated_lufs)
        if needs_limiter(checked, checked.gain_db):
            limited = self._loudness_of(checked, directory, on_progress, cancel_event)
            if limited is not None:
                checked = replace(checked, gain_db=checked.gain_db + target - limited.integrated_lufs)
        return checked

    def _loudness_of(
        self,
        checked: Plan,
        directory: Path,
        on_progress: ProgressCallback | None,
        cancel_event: threading.Event | None,
    ) -> Loudness | None:
        measuring = FfmpegProcess(measure_args(checked, self.ffmpeg_cmd))
        try:
            self._follow(measuring, checked, directory, on_progress, cancel_event, phase="loudness")
        finally:
            measuring.stop()
        return parse_loudness(list(measuring.stderr_tail))

    def _follow(
        self,
        running: FfmpegProcess,
        checked: Plan,
        directory: Path,
        on_progress: ProgressCallback | None,
        cancel_event: threading.Event | None,
        phase: str = "export",
        total: float | None = None,
    ) -> None:
        """Reports progress until ffmpeg ends; ExportError unless it wrote the whole video
        (or `total` seconds of it: a preview)."""
        total = checked.duration_s if total is None else total
        report: dict[str, str] = {}
        while True:
            if cancel_event is not None and cancel_event.is_set():
                raise ExportCancelled("export cancelled; nothing was written")
            try:
                line = running.lines.get(timeout=self.poll_s)
            except queue.Empty:
                continue
            if line is None:
                break
            key, _, value = line.partition("=")
            report[key] = value
            if key == "progress" and on_progress is not None:
                on_progress(read_progress(report, total, time.monotonic() - running.started, phase))
        returncode = running.finish()
        stderr_tail = list(running.stderr_tail)
        # ffmpeg can exit 0 after a failed write (a full disk while muxing): its messages count too.
        if returncode != 0 or (phase != "loudness" and any(WRITE_FAILURE.search(line) for line in stderr_tail)):
            raise ffmpeg_failure(stderr_tail, directory)
        # The last guard before the file gets its name: ffmpeg must have reached the end.
        done = read_progress(report, total, 0).done_s if report.get("progress") == "end" else None
        final = report.get("out_time_us", "")
        written = int(final) / 1e6 if final.lstrip("-").isdigit() else None
        if done is None or (written is not None and written < total - 0.5):
            raise ExportError("ffmpeg stopped before the end of the video; nothing was written")

    @staticmethod
    def _publish(temp: Path, output: Path, overwrite: bool, directory: Path) -> None:
        try:
            if temp.stat().st_size == 0:
                raise ExportError("ffmpeg wrote nothing; the output was not created")
            if overwrite:
                if output.exists():
                    # Replacing a file the user had: make sure the new bytes are on disk before the
                    # old ones lose their name. (A new name risks nothing, so it skips this cost.)
                    with open(temp, "rb") as handle:
                        os.fsync(handle.fileno())
                os.replace(temp, output)
                return
            try:
                # link() refuses to clobber a file that appeared while ffmpeg ran.
                os.link(temp, output)
            except FileExistsError:
                raise OutputExists(output) from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
                    raise
                if output.exists():
                    raise OutputExists(output) from None
                os.replace(temp, output)
        except ExportError:
            raise
        except OSError as exc:
            raise disk_error(exc, directory) from None
