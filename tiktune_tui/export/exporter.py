"""Lay a song over the user's video with ffmpeg: the video copied as is, the audio encoded, nothing lost.

No Textual import: the CLI and the TUI both drive `Exporter.run`.

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

Nothing is lost: ffmpeg writes a hidden temp file in the target directory, which is then
linked (no clobber) or renamed (overwrite) to the output name; any failure or cancel removes
the temp file. It is fsynced first only when it replaces an existing file, whose old bytes
a crash must not leave the name without; a new name risks no one's data, so it skips that cost. To hide ffprobe's start-up (~0.1 s, as long as a whole stream copy),
ffmpeg starts on a plan guessed from the files' headers while ffprobe checks them, and goes on
only if the probed plan is the same (see `Exporter`).

ffmpeg always gets an argument list with `file:`-prefixed absolute paths, so names with
spaces, quotes, unicode, `:` or a leading `-` are taken literally.
"""

from __future__ import annotations

import errno
import math
import os
import queue
import re
import secrets
import shutil
import subprocess
import threading
import time
import unicodedata
from collections import deque
from concurrent.futures import ThreadPoolExecutor, wait
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import ffmpeg

from tiktune_tui.export import mp4_header
from tiktune_tui.text import format_clock
from tiktune_tui.errors import TiktuneError

Mode = Literal["replace", "mix"]
MODES: tuple[str, ...] = ("replace", "mix")

VIDEO_EXTENSIONS = frozenset(
    {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".3gp", ".ts", ".mts", ".m2ts", ".wmv", ".flv", ".mpg", ".mpeg", ".ogv"}
)
AUDIO_EXTENSIONS = frozenset(
    {".mp3", ".m4a", ".aac", ".wav", ".flac", ".ogg", ".oga", ".opus", ".wma", ".aif", ".aiff", ".mka", ".webm", ".mp4"}
)

# Output suffix -> ffmpeg muxer. WebM is deliberately absent: it cannot carry AAC.
OUTPUT_FORMATS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska"}
# Video codecs each muxer accepts by stream copy (None: any codec).
_COPYABLE: dict[str, frozenset[str] | None] = {
    "mp4": frozenset({"h264", "hevc", "mpeg4", "av1", "vp9", "mpeg2video", "mpeg1video", "mjpeg"}),
    "mov": frozenset({"h264", "hevc", "mpeg4", "mpeg2video", "mpeg1video", "mjpeg", "prores", "dnxhd"}),
    "matroska": None,
}
_FASTSTART_FORMATS = frozenset({"mp4", "mov"})
# Codecs ffprobe reports for still images: a picture is not a video to lay a song over.
_STILL_IMAGE_CODECS = frozenset({"png", "bmp", "gif", "webp", "tiff", "jpegls", "ppm", "pgm", "pam"})

# ffmpeg plays any text file as an "ANSI art" video; that is never what the user meant.
_TEXT_FORMATS = frozenset({"tty", "bin", "xbin", "idf", "srt", "ass", "webvtt", "subviewer", "microdvd"})

AUDIO_BITRATE = "192k"
MAX_VOLUME = 4.0  # 400 %: louder than that only clips


class ExportError(TiktuneError):
    """An export that cannot start or did not finish; the message says why and what to do."""


class ExportCancelled(ExportError):
    """The user cancelled; the partial file has been removed."""


class BadRequest(ExportError):
    """The request itself is wrong (what the options alone settle, before any probing):
    the CLI reports it as a usage error."""


class OutputExists(ExportError):
    """The output file exists and overwriting was not allowed."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists (overwrite it with --force, or choose another --out)")
        self.path = path


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    format_name: str
    duration_s: float
    video_codec: str | None = None
    video_index: int | None = None
    width: int | None = None
    height: int | None = None
    audio_codec: str | None = None
    audio_index: int | None = None
    size_bytes: int = 0

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


@dataclass(frozen=True)
class ExportOptions:
    video: Path
    audio: Path
    output: Path
    mode: Mode = "replace"
    offset_s: float = 0.0
    loop: bool = False
    fade_s: float = 0.0
    song_volume: float = 1.0
    original_volume: float = 1.0
    overwrite: bool = False


@dataclass(frozen=True)
class Progress:
    done_s: float
    total_s: float
    speed: float | None = None
    eta_s: float | None = None

    @property
    def fraction(self) -> float:
        return min(1.0, self.done_s / self.total_s) if self.total_s > 0 else 0.0


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

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["output"] = str(self.output)
        data["warnings"] = list(self.warnings)
        return data


# -- small parsers shared by the CLI and the modal ---------------------------------------


def parse_clock(text: str) -> float:
    """"1:15" -> 75.0; also "75", "1:02:03", "0:07.5". Raises ValueError with a user message."""
    text = text.strip()
    if not re.fullmatch(r"\d+(\.\d+)?|\d+:[0-5]\d(\.\d+)?|\d+:[0-5]\d:[0-5]\d(\.\d+)?", text):
        raise ValueError(f"{text!r} is not a time like 0:15 or 1:02:03")
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def parse_seconds(text: str, what: str) -> float:
    try:
        value = float(text.strip().removesuffix("s"))
    except ValueError:
        raise ValueError(f"{what} must be a number of seconds, not {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{what} must be 0 or more seconds")
    return value


def parse_percent(text: str, what: str) -> float:
    """"80" or "80%" -> 0.8, capped at MAX_VOLUME."""
    try:
        value = float(text.strip().removesuffix("%"))
    except ValueError:
        raise ValueError(f"{what} must be a percentage like 80, not {text!r}") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_VOLUME * 100:
        raise ValueError(f"{what} must be between 0 and {MAX_VOLUME * 100:.0f} %")
    return value / 100


def slug(text: str, limit: int = 40) -> str:
    """A file-name-safe form of a song title: letters (any script), digits and dashes."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w]+|_+", "-", text).strip("-")
    return text[:limit].rstrip("-") or "song"


def output_suffix_for(video_codec: str | None) -> str:
    """.mp4 when the codec can be stream-copied into MP4, else .mkv (see the module docstring)."""
    copyable = _COPYABLE["mp4"]
    return ".mp4" if video_codec is None or (copyable is not None and video_codec in copyable) else ".mkv"


def default_output(video: Path, song_label: str, video_codec: str | None = None) -> Path:
    """`<video stem>.<song slug>.mp4` (or .mkv) beside the video."""
    return video.with_name(f"{video.stem}.{slug(song_label)}{output_suffix_for(video_codec)}")


def unique_path(path: Path) -> Path:
    """`path`, or `stem-2.ext`, `stem-3.ext`... the first that does not exist."""
    if not path.exists():
        return path
    for number in range(2, 10_000):
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise ExportError(f"too many files named like {path}")


def _create_temp(directory: Path, prefix: str, suffix: str) -> Path:
    """A new empty file in `directory` for ffmpeg to write, with a name no one else has.

    Created with mode 0666 so the kernel applies the umask (and any default ACL), as for
    any file the user makes: mkstemp's 0600 needed a chmod after, and reading the umask
    for it means os.umask, which changes it for every thread of the process meanwhile.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        path = directory / f"{prefix}{secrets.token_hex(6)}{suffix}"
        try:
            os.close(os.open(path, flags, 0o666))
        except FileExistsError:
            continue
        return path
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(directory))


def _ffmpeg_path(path: Path) -> str:
    # "file:" stops ffmpeg reading a protocol ("a:b.mp4") and the absolute path a leading "-".
    return "file:" + str(path.absolute())


# -- probing ------------------------------------------------------------------------------


def _duration(stream: dict, fmt: dict) -> float | None:
    for text in (stream.get("duration"), (stream.get("tags") or {}).get("DURATION"), fmt.get("duration")):
        if not text or text == "N/A":
            continue
        try:
            value = parse_clock(text[:15]) if ":" in text else float(text)
        except ValueError:
            continue
        if value > 0:
            return value
    return None


_probe_cache: dict[tuple, MediaInfo] = {}
_probe_lock = threading.Lock()


def probe(path: str | os.PathLike[str]) -> MediaInfo:
    """What ffprobe says about a file; ExportError when it is missing or not media at all.

    Remembered per file identity (inode, size, mtime): the modal probes while the user types,
    and the export then does not pay ffprobe's ~0.1 s start-up again for the same file.
    """
    path = Path(path).expanduser()
    key = _probe_key(path)
    with _probe_lock:
        known = _probe_cache.get(key) if key else None
    if known is not None:
        return known
    info = _probe(path)
    if key is not None:
        with _probe_lock:
            if len(_probe_cache) > 256:
                _probe_cache.clear()
            _probe_cache[key] = info
    return info


def forget_probes() -> None:
    with _probe_lock:
        _probe_cache.clear()


def _probe_key(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path.absolute()), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def known_probe(path: str | os.PathLike[str]) -> MediaInfo | None:
    """What `probe` would answer without running ffprobe, if it has already run on this file."""
    key = _probe_key(Path(path).expanduser())
    with _probe_lock:
        return _probe_cache.get(key) if key else None


# -- guesses: a head start while ffprobe runs, never trusted (see Exporter.run) -----------

_MP4_FORMAT = "mov,mp4,m4a,3gp,3g2,mj2"


def guess_media(path: str | os.PathLike[str]) -> MediaInfo | None:
    """What ffprobe will most likely say about `path`, from its first bytes; None when unsure.

    MP4/MOV/M4A: the track list from the box headers (mp4_header). MP3: one audio stream,
    index 0, length unknown (math.inf) -- enough for a plan whose arguments do not depend on
    the song's length.
    """
    path = Path(path).expanduser()
    try:
        size = path.stat().st_size
        if mp4_header.looks_like_mp4(path):
            header = mp4_header.read_header(path)
        elif path.suffix.lower() == ".mp3" and _looks_like_mp3(path):
            return MediaInfo(path, "mp3", math.inf, audio_codec="mp3", audio_index=0, size_bytes=size)
        else:
            return None
    except (OSError, mp4_header.HeaderError):
        return None
    video, audio = header.first("video"), header.first("audio")
    if video is None and audio is None:
        return None
    return MediaInfo(
        path=path,
        format_name=_MP4_FORMAT,
        duration_s=(video or audio).duration_s,
        video_codec=video.codec if video else None,
        video_index=video.index if video else None,
        audio_codec=audio.codec if audio else None,
        audio_index=audio.index if audio else None,
        size_bytes=size,
    )


def _looks_like_mp3(path: Path) -> bool:
    """An MPEG audio layer III frame header first, after an ID3v2 tag if there is one."""
    with open(path, "rb") as handle:
        head = handle.read(10)
        start = 0
        if len(head) == 10 and head[:3] == b"ID3" and all(b < 0x80 for b in head[6:10]):
            size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
            start = 10 + size + (10 if head[5] & 0x10 else 0)  # the footer flag adds 10 bytes
        handle.seek(start)
        frame = handle.read(4)
    # 11 sync bits, a known MPEG version (not 01), layer III (01), a real bitrate and rate.
    return (
        len(frame) == 4
        and frame[0] == 0xFF
        and frame[1] & 0xE0 == 0xE0
        and (frame[1] >> 3) & 0x3 != 0x1
        and (frame[1] >> 1) & 0x3 == 0x1
        and (frame[2] >> 4) not in (0x0, 0xF)
        and (frame[2] >> 2) & 0x3 != 0x3
    )


def _probe(path: Path) -> MediaInfo:
    if not path.exists():
        raise ExportError(f"{path}: no such file")
    if path.is_dir():
        raise ExportError(f"{path}: is a directory, not a media file")
    if not os.access(path, os.R_OK):
        raise ExportError(f"{path}: permission denied")
    if shutil.which("ffprobe") is None:
        raise ExportError("ffprobe not found: install ffmpeg (scripts/setup.sh does)")
    try:
        data = ffmpeg.probe(_ffmpeg_path(path))
    except ffmpeg.Error as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1].split(": ", 1)[-1] if detail else "unreadable"
        raise ExportError(f"{path}: not a media file ffmpeg can read ({reason})") from None
    fmt = data.get("format") or {}
    if fmt.get("format_name") in _TEXT_FORMATS:
        raise ExportError(f"{path}: not a media file (it looks like text)")
    streams = data.get("streams") or []
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video"
            and not (s.get("disposition") or {}).get("attached_pic")
            and s.get("codec_name") not in _STILL_IMAGE_CODECS
        ),
        None,
    )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None and audio is None:
        raise ExportError(f"{path}: not a media file (no video or audio stream)")
    duration = _duration(video or audio, fmt)
    if duration is None:
        raise ExportError(f"{path}: ffmpeg cannot tell how long it is (a still image?)")
    return MediaInfo(
        path=path,
        format_name=fmt.get("format_name", "?"),
        duration_s=duration,
        video_codec=video.get("codec_name") if video else None,
        video_index=video.get("index") if video else None,
        width=video.get("width") if video else None,
        height=video.get("height") if video else None,
        audio_codec=audio.get("codec_name") if audio else None,
        audio_index=audio.get("index") if audio else None,
        size_bytes=path.stat().st_size,
    )


def probe_video(path: str | os.PathLike[str]) -> MediaInfo:
    info = probe(path)
    if not info.has_video:
        raise ExportError(f"{info.path}: has no video stream (an audio file?); pick a video")
    return info


def probe_audio(path: str | os.PathLike[str]) -> MediaInfo:
    info = probe(path)
    if not info.has_audio:
        raise ExportError(f"{info.path}: has no audio stream")
    return info


# -- the export ---------------------------------------------------------------------------


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

    @property
    def duration_s(self) -> float:
        return self.video.duration_s


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def plan(options: ExportOptions) -> Plan:
    """Probe and validate everything before a byte is written."""
    container = check_request(options)
    video, audio = _probe_both(options)
    return plan_for(options, container, video, audio)


def check_request(options: ExportOptions) -> str:
    """The checks that need no probing; returns the output's muxer."""
    output = options.output
    container = OUTPUT_FORMATS.get(output.suffix.lower())
    if container is None:
        allowed = ", ".join(OUTPUT_FORMATS)
        hint = " (WebM cannot carry AAC audio; use .mkv)" if output.suffix.lower() == ".webm" else ""
        raise BadRequest(f"{output.name}: the output must end in one of {allowed}{hint}")
    if options.mode not in MODES:
        raise BadRequest(f"mode must be replace or mix, not {options.mode!r}")
    for name, volume in (("song volume", options.song_volume), ("original volume", options.original_volume)):
        if not 0 <= volume <= MAX_VOLUME:
            raise BadRequest(f"{name} must be between 0 and {MAX_VOLUME * 100:.0f} %")
    if options.offset_s < 0 or options.fade_s < 0:
        raise BadRequest("offset and fade must be 0 or more seconds")
    if output.absolute() == options.video.absolute() or _same_file(output, options.video):
        raise BadRequest(f"{output}: that is the input video; tiktune never overwrites it")
    if output.absolute() == options.audio.absolute() or _same_file(output, options.audio):
        raise BadRequest(f"{output}: that is the song's audio file; choose another output")
    if output.is_dir():
        raise BadRequest(f"{output}: is a directory; give a file name")
    if output.exists() and not options.overwrite:
        raise OutputExists(output)
    return container


def _probe_both(options: ExportOptions) -> tuple[MediaInfo, MediaInfo]:
    # Two ffprobe processes side by side: each spends most of its ~0.1 s just starting.
    with ThreadPoolExecutor(max_workers=2) as pool:
        video_future = pool.submit(probe_video, options.video)
        audio_future = pool.submit(probe_audio, options.audio)
        return video_future.result(), audio_future.result()


def plan_for(options: ExportOptions, container: str, video: MediaInfo, audio: MediaInfo) -> Plan:
    """The plan for `options` given what the inputs are (`check_request` passed)."""
    output = options.output
    if options.offset_s >= audio.duration_s:
        raise ExportError(
            f"offset {format_clock(options.offset_s)} is past the end of the song ({format_clock(audio.duration_s)})"
        )
    if options.fade_s > video.duration_s:
        raise ExportError(
            f"fade-out {options.fade_s:g} s is longer than the video ({format_clock(video.duration_s)})"
        )
    warnings: list[str] = []
    mix = options.mode == "mix"
    if mix and not video.has_audio:
        mix = False
        warnings.append("the video has no sound of its own: the song alone is used")
    remaining = audio.duration_s - options.offset_s
    if not options.loop and remaining + 0.05 < video.duration_s:
        warnings.append(
            f"the song runs out at {format_clock(remaining)} of {format_clock(video.duration_s)}: "
            "the rest is silent (turn on loop to repeat it)"
        )
    copyable = _COPYABLE[container]
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
        and options.song_volume == 1.0
        and options.fade_s == 0
        and remaining >= video.duration_s
    )
    return Plan(options, video, audio, container, copy_video, mix, loop, copy_audio, tuple(warnings))


def build_args(plan: Plan, target: Path, ffmpeg_cmd: str = "ffmpeg") -> list[str]:
    """The ffmpeg argument list for `plan`, writing to `target`, reporting on stdout (-progress)."""
    options = plan.options
    duration = plan.duration_s
    video_in = ffmpeg.input(_ffmpeg_path(plan.video.path))
    song_kwargs: dict[str, object] = {}
    if options.offset_s > 0:
        song_kwargs["ss"] = f"{options.offset_s:.3f}"
    if plan.loop:
        song_kwargs["stream_loop"] = -1
    song_in = ffmpeg.input(_ffmpeg_path(plan.audio.path), **song_kwargs)

    song = song_in[str(plan.audio.audio_index)]
    if plan.mix:
        # amix takes its format from the first input: without this a mono song would turn the
        # video's stereo sound mono. (Replace mode keeps the song's own format: no resampling.)
        song = song.filter("aformat", sample_rates=48000, channel_layouts="stereo", sample_fmts="fltp")
    if options.song_volume != 1.0:
        song = song.filter("volume", f"{options.song_volume:.3f}")
    song = song.filter("apad").filter("atrim", duration=f"{duration:.6f}")
    if options.fade_s > 0:
        song = song.filter("afade", t="out", st=f"{max(0.0, duration - options.fade_s):.6f}", d=f"{options.fade_s:.6f}")
    audio = song_in[str(plan.audio.audio_index)] if plan.copy_audio else song
    if plan.mix:
        original = video_in[str(plan.video.audio_index)].filter(
            "aformat", sample_rates=48000, channel_layouts="stereo", sample_fmts="fltp"
        )
        if options.original_volume != 1.0:
            original = original.filter("volume", f"{options.original_volume:.3f}")
        # normalize=0: amix would otherwise halve both; the user sets the volumes.
        audio = ffmpeg.filter([song, original], "amix", inputs=2, duration="first", normalize=0)

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
    stream = ffmpeg.output(
        video_in[str(plan.video.video_index)], audio, _ffmpeg_path(target), **output_kwargs
    )
    return [
        ffmpeg_cmd,
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-nostats",
        "-progress",
        "pipe:1",
        "-y",  # the target is our own fresh temp file
        *ffmpeg.get_args(stream),
    ]


def _disk_error(exc: OSError, directory: Path) -> ExportError:
    if exc.errno == errno.ENOSPC:
        return ExportError(f"the disk holding {directory} is full; free some space and try again")
    if exc.errno == errno.EROFS:
        return ExportError(f"cannot write in {directory}: read-only file system; choose another output folder")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return ExportError(f"cannot write in {directory}: permission denied; choose another output folder")
    return ExportError(f"cannot write in {directory}: {exc.strerror or exc}")


_WRITE_FAILURE = re.compile(r"No space left on device|Read-only file system|Error writing|I/O error")


def _ffmpeg_failure(stderr_lines: list[str], directory: Path) -> ExportError:
    text = "\n".join(stderr_lines)
    if "No space left on device" in text:
        return ExportError(f"the disk holding {directory} is full; free some space and try again")
    if "Read-only file system" in text:
        return ExportError(f"cannot write in {directory}: read-only file system; choose another output folder")
    last = next((line for line in reversed(stderr_lines) if line.strip()), "no message")
    return ExportError(f"ffmpeg failed: {last.strip()}")


def _parse_speed(text: str) -> float | None:
    try:
        return float(text.strip().removesuffix("x"))
    except ValueError:
        return None


ProgressCallback = Callable[[Progress], None]


def guess_plan(options: ExportOptions, container: str) -> Plan | None:
    """The plan most likely for `options`, from remembered probes and file headers; None when unsure."""
    video = known_probe(options.video) or guess_media(options.video)
    audio = known_probe(options.audio) or guess_media(options.audio)
    if video is None or audio is None or not video.has_video or not audio.has_audio:
        return None
    if options.loop and math.isinf(audio.duration_s):
        return None  # whether the song repeats depends on its length, which the guess lacks
    try:
        return plan_for(options, container, video, audio)
    except ExportError:
        return None


class _FfmpegProcess:
    """One ffmpeg run, its stdout (-progress lines) and stderr read by threads as it goes."""

    def __init__(self, args: list[str]) -> None:
        self.args = args
        self.started = time.monotonic()
        # A new session: Ctrl-C in the terminal reaches us, and we stop ffmpeg ourselves.
        self.process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr_tail: deque[str] = deque(maxlen=40)
        self.readers = [threading.Thread(target=pump, daemon=True) for pump in (self._pump_stdout, self._pump_stderr)]
        for reader in self.readers:
            reader.start()

    def _pump_stdout(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self.lines.put(raw.decode("utf-8", "replace").strip())
        self.lines.put(None)

    def _pump_stderr(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            self.stderr_tail.append(raw.decode("utf-8", "replace").rstrip())

    def finish(self) -> int:
        """Waits for ffmpeg to exit (its stdout has ended) and for the readers; its exit status."""
        self.process.wait()
        self._close()
        return self.process.returncode

    def stop(self) -> None:
        """Kills ffmpeg if it still runs and reaps it; its pipes are closed.

        SIGKILL, not SIGTERM: on SIGTERM ffmpeg would first finish the file (trailer, the
        faststart pass) that is thrown away anyway: a wrong guess, a cancel, an error.
        """
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close()

    def _close(self) -> None:
        for reader in self.readers:
            reader.join(timeout=5)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


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
        container = check_request(options)
        output = options.output.absolute()
        directory = output.parent
        if not directory.is_dir():
            raise ExportError(f"{directory}: no such folder")
        cold = known_probe(options.video) is None or known_probe(options.audio) is None
        guess = guess_plan(options, container) if self.speculate and cold else None
        try:
            temp = _create_temp(directory, prefix=f".{output.stem[:60]}.", suffix=".tiktune-part")
        except OSError as exc:
            raise _disk_error(exc, directory) from None
        running: _FfmpegProcess | None = None
        try:
            if guess is not None and self._has_room(guess, directory):
                running = _FfmpegProcess(build_args(guess, temp, self.ffmpeg_cmd))
            checked = plan_for(options, container, *self._probe_inputs(options, cancel_event))
            if self.check_space:
                self._check_space(checked, directory)
            args = build_args(checked, temp, self.ffmpeg_cmd)
            if running is not None:
                self.last_guess = "hit" if running.args == args else "miss"
                if self.last_guess == "miss":
                    running.stop()  # the real run below truncates the temp file (-y)
                    running = None
            if running is None:
                running = _FfmpegProcess(args)
            self._follow(running, checked, directory, on_progress, cancel_event)
            self._publish(temp, output, options.overwrite, directory)
        finally:
            if running is not None:
                running.stop()
            temp.unlink(missing_ok=True)
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
        )

    def _probe_inputs(
        self, options: ExportOptions, cancel_event: threading.Event | None
    ) -> tuple[MediaInfo, MediaInfo]:
        """Both inputs probed side by side (each ffprobe mostly starts up), cancellable while they run."""
        pool = ThreadPoolExecutor(max_workers=2)
        try:
            video_future = pool.submit(probe_video, options.video)
            audio_future = pool.submit(probe_audio, options.audio)
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

    def _follow(
        self,
        running: _FfmpegProcess,
        checked: Plan,
        directory: Path,
        on_progress: ProgressCallback | None,
        cancel_event: threading.Event | None,
    ) -> None:
        """Reports progress until ffmpeg ends; ExportError unless it wrote the whole video."""
        total = checked.duration_s
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
                on_progress(self._progress(report, total, time.monotonic() - running.started))
        returncode = running.finish()
        stderr_tail = list(running.stderr_tail)
        # ffmpeg can exit 0 after a failed write (a full disk while muxing): its messages count too.
        if returncode != 0 or any(_WRITE_FAILURE.search(line) for line in stderr_tail):
            raise _ffmpeg_failure(stderr_tail, directory)
        # The last guard before the file gets its name: ffmpeg must have reached the end.
        done = self._progress(report, total, 0).done_s if report.get("progress") == "end" else None
        final = report.get("out_time_us", "")
        written = int(final) / 1e6 if final.lstrip("-").isdigit() else None
        if done is None or (written is not None and written < total - 0.5):
            raise ExportError("ffmpeg stopped before the end of the video; nothing was written")

    @staticmethod
    def _progress(report: dict[str, str], total: float, elapsed: float) -> Progress:
        done = 0.0
        for key, scale in (("out_time_us", 1e6), ("out_time_ms", 1e6)):  # ffmpeg's out_time_ms is µs too
            value = report.get(key, "N/A")
            if value.lstrip("-").isdigit():
                done = max(0.0, int(value) / scale)
                break
        if report.get("progress") == "end":
            done = total
        done = min(done, total)
        # Below 1 % the rate is mostly ffmpeg's start-up time: no ETA rather than a wild one.
        eta = elapsed * (total - done) / done if done >= 0.01 * total and elapsed > 0 else None
        return Progress(done_s=done, total_s=total, speed=_parse_speed(report.get("speed", "")), eta_s=eta)

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
            raise _disk_error(exc, directory) from None
