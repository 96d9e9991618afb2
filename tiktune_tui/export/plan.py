"""The plan of an export (what ffmpeg will be asked to do, and why) and its ffmpeg arguments.

Container rule (why the default output is not always .mp4): stream copy only works when the
output container can carry the video's codec. MP4 carries H.264, HEVC, MPEG-4, AV1 and VP9
(ffmpeg >= 4.x); it cannot carry VP8, and QuickTime .mov carries neither VP8 nor VP9 nor AV1.
So the default output is `.mp4` when the codec fits MP4 and `.mkv` otherwise (Matroska
carries every codec and AAC). When the user explicitly asks for a container that cannot carry
the codec, the video is re-encoded to H.264 instead of failing, and the result says so
(`video_copied=False`). WebM is never an output: it cannot carry AAC audio.

The audio is always AAC: encoded from the song, or copied when the song is AAC already and
needs no processing (replace mode, 100 % volume, no fade, long enough from the offset).
The output always has exactly the video's duration: the song is offset (input seek), looped
(`-stream_loop -1`, repeats start at the song's beginning) or padded with silence, then cut
to the video's length in the filter graph, so the audio ends with the video.

ffmpeg always gets an argument list with `file:`-prefixed absolute paths, so names with
spaces, quotes, unicode, `:` or a leading `-` are taken literally.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from tiktune_tui.export import probe as probing
from tiktune_tui.export.options import (
    COPYABLE,
    OUTPUT_FORMATS,
    TRUE_PEAK_DBTP,
    ExportError,
    ExportOptions,
    output_suffix_for,
    raise_first,
    validate,
)
from tiktune_tui.export.probe import MediaInfo, ffmpeg_path
from tiktune_tui.text import format_clock

AUDIO_BITRATE = "192k"
# The limiter's true-peak ceiling sits below the promised one: AAC encoding adds a few tenths of a dB
# of overshoot, and the file, not the filter's output, must stay under TRUE_PEAK_DBTP.
_LIMITER_DBTP = TRUE_PEAK_DBTP - 0.5
SILENCE_LUFS = -70.0  # ebur128's absolute gate: quieter than this there is nothing to normalize


@dataclass(frozen=True)
class Loudness:
    """What the measuring pass found (ffmpeg's ebur128 summary)."""

    integrated_lufs: float
    true_peak_dbtp: float
    range_lu: float


_FASTSTART_FORMATS = frozenset({"mp4", "mov"})


@dataclass(frozen=True)
class Plan:
    """A checked export: what ffmpeg will be asked to do, and why."""

    options: ExportOptions
    video: MediaInfo
    audio: MediaInfo
    container: str
    copy_video: bool
    mix: bool
    loop: bool  # the song actually needs repeating
    copy_audio: bool
    warnings: tuple[str, ...]
    duck: bool = False  # mix mode with ducking: the song is keyed down by the video's sound
    measured: Loudness | None = None  # what the first measuring pass found
    gain_db: float | None = None  # the gain the final pass applies (before the peak limiter)

    @property
    def normalize(self) -> bool:
        """The sound is brought to the target loudness (two passes)."""
        return self.options.loudness_lufs is not None

    @property
    def duration_s(self) -> float:
        return self.video.duration_s


def damaged_video_warning(video: MediaInfo) -> str:
    return (
        f"the video is damaged: its pictures stop at {format_clock(video.video_end_s or 0)} of "
        f"{format_clock(video.duration_s)} (was the file cut short?); the rest of the output has no picture"
    )


def song_runs_out_warning(options: ExportOptions, video: MediaInfo, audio: MediaInfo) -> str | None:
    """What the CLI and the modal say when the song, from its offset, ends before the video (no loop)."""
    remaining = audio.duration_s - options.offset_s
    if options.loop or remaining + 0.05 >= video.duration_s:
        return None
    return (
        f"the song runs out at {format_clock(remaining)} of {format_clock(video.duration_s)}: "
        "the rest is silent (turn on loop to repeat it)"
    )


def plan_for(options: ExportOptions, video: MediaInfo, audio: MediaInfo) -> Plan:
    """The plan for `options` given what the inputs are; the first `validate` problem if any."""
    raise_first(validate(options, video, audio))
    output = options.output
    container = OUTPUT_FORMATS[output.suffix.lower()]
    warnings: list[str] = []
    if video.video_end_s is not None:
        warnings.append(damaged_video_warning(video))
    mix = options.mode == "mix"
    if mix and not video.has_audio:
        mix = False
        warnings.append("the video has no sound of its own: the song alone is used")
    remaining = audio.duration_s - options.offset_s
    short = song_runs_out_warning(options, video, audio)
    if short is not None:
        warnings.append(short)
    copyable = COPYABLE[container]
    copy_video = copyable is None or video.video_codec in copyable
    if not copy_video:
        warnings.append(
            f"{output.suffix} cannot carry {video.video_codec} video as is: it is re-encoded to H.264 "
            f"(choose {output_suffix_for(video.video_codec)} to keep it untouched)"
        )
    loop = options.loop and remaining < video.duration_s
    # An AAC song that needs no processing (no mix, volume, fade, loop or padding) is copied
    # as is: no generation loss, and the export runs at remux speed. It is cut at an AAC frame
    # (23 ms at 44.1 kHz), well within a video frame of the video's length.
    copy_audio = (
        audio.audio_codec == "aac"
        and not mix
        and options.loudness_lufs is None
        and options.song_volume == 1.0
        and options.fade_s == 0
        and options.fade_in_s == 0
        and remaining >= video.duration_s
    )
    duck = mix and options.duck_db > 0
    return Plan(options, video, audio, container, copy_video, mix, loop, copy_audio, tuple(warnings), duck)


# ffmpeg-python hashes its graph's text as UTF-8, so a file name that is not valid UTF-8 (a
# surrogate-escaped str from os.fsdecode) fails inside it. It builds the graph on stand-ins;
# the real paths go into the finished list, which subprocess encodes back to the file's bytes.
_VIDEO, _SONG, _TARGET = (f"tiktune-path-{name}-stand-in" for name in ("video", "song", "target"))


def _with_paths(args: list[str], plan: Plan, target: Path) -> list[str]:
    real = {_VIDEO: ffmpeg_path(plan.video.path), _SONG: ffmpeg_path(plan.audio.path), _TARGET: ffmpeg_path(target)}
    return [real.get(arg, arg) for arg in args]


def _inputs(plan: Plan, *, audio_only: bool = False):
    """The video and song inputs; `audio_only` (the measuring and preview passes): the video's
    pictures dropped as they are read (-vn), so they are neither decoded nor passed on."""
    options = plan.options
    song_kwargs: dict[str, object] = {}
    if options.offset_s > 0:
        song_kwargs["ss"] = f"{options.offset_s:.3f}"
    if plan.loop:
        song_kwargs["stream_loop"] = -1
    video_kwargs: dict[str, object] = {"vn": None} if audio_only else {}
    return ffmpeg.input(_VIDEO, **video_kwargs), ffmpeg.input(_SONG, **song_kwargs)


def _duck_mix(plan: Plan) -> float:
    """sidechaincompress's dry/wet share for a reduction of `duck_db`.

    A compressor's reduction grows with the key's level; "how far" is a fixed depth. So the
    compressor itself squashes the song almost to nothing under any speech (a low threshold,
    a high ratio), and only this share of it replaces the song: the rest stays at full level.
    The song then sits `duck_db` lower (a little less when speech is faint).
    """
    return 1 - 10 ** (-plan.options.duck_db / 20)


def _audio(plan: Plan, video_in, song_in):
    """The exported sound before loudness: the song (offset, looped, cut, faded), mixed and ducked."""
    options = plan.options
    duration = plan.duration_s
    song = song_in[str(plan.audio.audio_index)]
    if plan.loop:
        # With -ss, each repeat's timestamps restart before the last one ended, and atrim (which
        # cuts by time) let through 20 s of samples for a 14-s video. Counted in samples instead.
        song = song.filter("asetpts", "N/SR/TB")
    if plan.mix:
        # amix takes its format from the first input: without this a mono song would turn the
        # video's stereo sound mono. (Replace mode keeps the song's own format: no resampling.)
        song = song.filter("aformat", sample_rates=48000, channel_layouts="stereo", sample_fmts="fltp")
    if options.song_volume != 1.0:
        song = song.filter("volume", f"{options.song_volume:.3f}")
    song = song.filter("apad").filter("atrim", duration=f"{duration:.6f}")
    if options.fade_in_s > 0:
        song = song.filter("afade", t="in", st="0", d=f"{options.fade_in_s:.6f}")
    if options.fade_s > 0:
        song = song.filter("afade", t="out", st=f"{max(0.0, duration - options.fade_s):.6f}", d=f"{options.fade_s:.6f}")
    if plan.copy_audio:
        return song_in[str(plan.audio.audio_index)]
    if not plan.mix:
        return song
    original = video_in[str(plan.video.audio_index)].filter(
        "aformat", sample_rates=48000, channel_layouts="stereo", sample_fmts="fltp"
    )
    if options.original_volume != 1.0:
        original = original.filter("volume", f"{options.original_volume:.3f}")
    if plan.duck:
        split = original.filter_multi_output("asplit", 2)
        original, key = split.stream(0), split.stream(1)
        song = ffmpeg.filter(
            [song, key],
            "sidechaincompress",
            threshold="0.003",
            ratio=20,
            attack=20,
            release=400,
            mix=f"{_duck_mix(plan):.4f}",
        )
    # normalize=0: amix would otherwise halve both; the user sets the volumes.
    return ffmpeg.filter([song, original], "amix", inputs=2, duration="first", normalize=0)


def needs_limiter(plan: Plan, gain_db: float) -> bool:
    return plan.measured is not None and plan.measured.true_peak_dbtp + gain_db > _LIMITER_DBTP


def _loudness(audio, plan: Plan, *, measure: bool):
    """The sound brought to the target: one fixed gain, and a true-peak limiter only when that
    gain would push peaks over the ceiling; with `measure`, ebur128 then measures (and prints)
    the result, with no gain yet (`plan.gain_db` None) the sound as it is.

    Not loudnorm's own second pass: when its linear gain would clip, it falls back to a
    dynamic mode that rides the gain over 3-s windows, which undoes ducking (the song came
    back 6 dB lower after the speech than before it). A fixed gain keeps every level the user
    set relative to the others; the limiter (at 4x the rate, so inter-sample peaks count) only
    touches the peaks.
    """
    # Both passes see what is encoded: a mono song counts 3 LU quieter than the same as stereo.
    audio = audio.filter("aformat", channel_layouts="stereo")
    if plan.gain_db is not None:
        audio = audio.filter("volume", f"{plan.gain_db:.2f}dB")
        if needs_limiter(plan, plan.gain_db):
            ceiling = 10 ** (_LIMITER_DBTP / 20)
            audio = (
                audio.filter("aresample", 192000)
                .filter("alimiter", limit=f"{ceiling:.4f}", attack=5, release=50, level="disabled")
                .filter("aresample", 48000)
            )
    if measure:
        # ebur128, not loudnorm: the same BS.1770 loudness and 4x-oversampled true peak, measured
        # 3x faster (loudnorm also runs its dynamic normalizer at 192 kHz, whose output we drop).
        # Its per-frame log goes to the verbose level, below what the pass prints.
        return audio.filter("ebur128", peak="true", framelog="verbose")
    return audio.filter("aformat", sample_rates=48000, channel_layouts="stereo")


def _run_args(ffmpeg_cmd: str, loglevel: str, stream, plan: Plan, target: Path | None) -> list[str]:
    return [
        ffmpeg_cmd,
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        loglevel,
        "-nostats",
        "-progress",
        "pipe:1",
        "-y",  # the target is our own fresh temp file
        *_with_paths(ffmpeg.get_args(stream), plan, target or Path(_TARGET)),
    ]


def measure_args(plan: Plan, ffmpeg_cmd: str = "ffmpeg") -> list[str]:
    """A measuring pass: the finished sound (with `plan.gain_db` and its limiter, if set) through
    ebur128 to nowhere, which prints its loudness.

    Audio only: no video is read past the container's packets, so it runs at decoding speed.
    """
    video_in, song_in = _inputs(plan, audio_only=True)
    audio = _loudness(_audio(plan, video_in, song_in), plan, measure=True)
    stream = ffmpeg.output(audio, "-", f="null", t=f"{plan.duration_s:.6f}")
    # ebur128 prints its summary at the info level.
    return _run_args(ffmpeg_cmd, "info", stream, plan, None)


_NUMBER = r"(-?[\d.]+|-?inf)"
_SUMMARY = re.compile(
    rf"Integrated loudness:\s+I:\s+{_NUMBER} LUFS.*?Loudness range:\s+LRA:\s+{_NUMBER} LU"
    rf".*?True peak:\s+Peak:\s+{_NUMBER} dBFS",
    re.S,
)


def parse_loudness(stderr_lines: list[str]) -> Loudness | None:
    """ebur128's summary from the measuring pass's messages; None if absent or the sound is silent."""
    text = "\n".join(stderr_lines)
    at = text.rfind("Summary:")
    found = _SUMMARY.search(text, at) if at >= 0 else None
    if found is None:
        return None
    integrated, loudness_range, peak = (float(value) for value in found.groups())
    # ebur128 reports silence as its gate, -70 LUFS: nothing to normalize.
    if not math.isfinite(integrated) or integrated <= SILENCE_LUFS:
        return None
    return Loudness(integrated, peak, loudness_range)


def build_args(plan: Plan, target: Path, ffmpeg_cmd: str = "ffmpeg") -> list[str]:
    """The ffmpeg argument list for `plan`, writing to `target`, reporting on stdout (-progress)."""
    duration = plan.duration_s
    video_in, song_in = _inputs(plan)
    audio = _audio(plan, video_in, song_in)
    if plan.normalize and plan.gain_db is not None:
        audio = _loudness(audio, plan, measure=False)

    output_kwargs: dict[str, object] = {
        "f": plan.container,
        "t": f"{duration:.6f}",
        # Phone videos carry the GPS position in container tags; a file made to be posted drops them.
        "map_metadata": "-1",
    }
    if plan.copy_audio:
        output_kwargs["acodec"] = "copy"
    else:
        # The "fast" coder is about twice as fast as the default two-loop search on 2 cores and
        # transparent enough at 192 kbit/s; AAC encoding is most of an export's time.
        output_kwargs.update(acodec="aac", audio_bitrate=AUDIO_BITRATE, aac_coder="fast")
    if plan.copy_video:
        output_kwargs["vcodec"] = "copy"
    else:
        output_kwargs.update(vcodec="libx264", preset="veryfast", crf=20, pix_fmt="yuv420p")
    if plan.container in _FASTSTART_FORMATS:
        output_kwargs["movflags"] = "+faststart"
    else:
        # AAC starts with one frame of encoder priming at a negative time. MP4 hides it in an edit
        # list; Matroska has none, so ffmpeg would shift every stream later by that frame and the
        # file would run 23 ms past the video. Matroska can hold the negative time as it is.
        output_kwargs["avoid_negative_ts"] = "disabled"
    stream = ffmpeg.output(video_in[str(plan.video.video_index)], audio, _TARGET, **output_kwargs)
    return _run_args(ffmpeg_cmd, "error", stream, plan, target)


def preview_args(plan: Plan, target: Path, length_s: float, ffmpeg_cmd: str = "ffmpeg") -> list[str]:
    """The first `length_s` of the export's sound (the same graph: offset, volumes, ducking, fades,
    the measured gain) as 16-bit WAV at `target`: no encoder, and no video stream is mapped, so
    the video is never decoded and a 10-s preview takes a moment."""
    video_in, song_in = _inputs(plan, audio_only=True)
    audio = _audio(plan, video_in, song_in)
    if plan.normalize and plan.gain_db is not None:
        audio = _loudness(audio, plan, measure=False)
    audio = audio.filter("atrim", duration=f"{length_s:.6f}")
    stream = ffmpeg.output(audio, _TARGET, f="wav", acodec="pcm_s16le", t=f"{length_s:.6f}", map_metadata="-1")
    return _run_args(ffmpeg_cmd, "error", stream, plan, target)


def guess_plan(options: ExportOptions) -> Plan | None:
    """The plan most likely for `options`, from remembered probes and file headers; None when unsure."""
    video = probing.known_probe(options.video) or probing.guess_media(options.video)
    audio = probing.known_probe(options.audio) or probing.guess_media(options.audio)
    if video is None or audio is None or not video.has_video or not audio.has_audio:
        return None
    if options.loop and math.isinf(audio.duration_s):
        return None  # whether the song repeats depends on its length, which the guess lacks
    try:
        return plan_for(options, video, audio)
    except ExportError:
        return None
