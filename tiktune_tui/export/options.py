"""What an export is asked to do (`ExportOptions`), and the one place it is checked (`validate`).

The modal shows every `Problem` beside its field as the user types; the CLI and `Exporter.run`
raise the first one. What the options alone settle is a `BadRequest` (a usage error, exit 2);
what needs the probed inputs (an offset past the song's end) is an `ExportError` (exit 1).
Also the small parsers both front ends share (`parse_clock`...), and output naming.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tiktune_tui.errors import TiktuneError
from tiktune_tui.text import format_clock

if TYPE_CHECKING:
    from tiktune_tui.export.probe import MediaInfo

Mode = Literal["replace", "mix"]
MODES: tuple[str, ...] = ("replace", "mix")

VIDEO_EXTENSIONS = frozenset(
    {
        ".mp4",
        ".m4v",
        ".mov",
        ".mkv",
        ".webm",
        ".avi",
        ".3gp",
        ".ts",
        ".mts",
        ".m2ts",
        ".wmv",
        ".flv",
        ".mpg",
        ".mpeg",
        ".ogv",
    }
)
AUDIO_EXTENSIONS = frozenset(
    {".mp3", ".m4a", ".aac", ".wav", ".flac", ".ogg", ".oga", ".opus", ".wma", ".aif", ".aiff", ".mka", ".webm", ".mp4"}
)

# Output suffix -> ffmpeg muxer. WebM is deliberately absent: it cannot carry AAC.
OUTPUT_FORMATS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska"}
# Video codecs each muxer accepts by stream copy (None: any codec).
COPYABLE: dict[str, frozenset[str] | None] = {
    "mp4": frozenset({"h264", "hevc", "mpeg4", "av1", "vp9", "mpeg2video", "mpeg1video", "mjpeg"}),
    "mov": frozenset({"h264", "hevc", "mpeg4", "mpeg2video", "mpeg1video", "mjpeg", "prores", "dnxhd"}),
    "matroska": None,
}

MAX_VOLUME = 4.0  # 400 %: louder than that only clips
# The integrated loudness short-video platforms normalize to; what the CLI and the modal default to.
DEFAULT_LOUDNESS_LUFS = -14.0
LOUDNESS_RANGE_LUFS = (-40.0, -5.0)
TRUE_PEAK_DBTP = -1.0  # the ceiling the export promises
DEFAULT_DUCK_DB = 12.0  # how far mix mode turns the song down under speech
MAX_DUCK_DB = 40.0


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
class ExportOptions:
    video: Path
    audio: Path
    output: Path
    mode: Mode = "replace"
    offset_s: float = 0.0
    loop: bool = False
    fade_s: float = 0.0  # the song's fade-out at the end of the video
    song_volume: float = 1.0
    original_volume: float = 1.0
    overwrite: bool = False
    fade_in_s: float = 0.0  # the song's fade-in from the start of the video
    # Target integrated loudness of the exported sound (LUFS), measured in a first pass and
    # applied in a second; None: the sound is left at its own level (a raw overlay).
    loudness_lufs: float | None = None
    duck_db: float = 0.0  # mix mode: the song turned down this far while the video's sound plays


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the options: which field (an `ExportOptions` field name) and why.

    `subject` is the file the message is about: the form shows the message beside the field that
    already names it; a command line says `subject: message`. `error` is what raising it means.
    """

    field: str
    message: str
    subject: Path | None = None
    error: type[ExportError] = BadRequest

    @property
    def text(self) -> str:
        return f"{self.subject}: {self.message}" if self.subject is not None else self.message

    def exception(self) -> ExportError:
        if self.error is OutputExists and self.subject is not None:
            return OutputExists(self.subject)
        return self.error(self.text)


def same_file(a: Path, b: Path) -> bool:
    """`a` and `b` name the same file (the same path, or two names of one file)."""
    if a.absolute() == b.absolute():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def validate(
    options: ExportOptions, video_info: MediaInfo | None = None, audio_info: MediaInfo | None = None
) -> list[Problem]:
    """Everything wrong with `options`, at most one problem per field, in the order a user reads them.

    Without the probed inputs only what the options settle is checked; with them (either one)
    also what depends on the song's and the video's lengths.
    """
    problems: dict[str, Problem] = {}

    def add(problem: Problem) -> None:
        problems.setdefault(problem.field, problem)

    output = options.output
    suffix = output.suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        hint = " (WebM cannot carry AAC audio; use .mkv)" if suffix == ".webm" else ""
        add(Problem("output", f"the output must end in one of {', '.join(OUTPUT_FORMATS)}{hint}", Path(output.name)))
    if options.mode not in MODES:
        add(Problem("mode", f"mode must be replace or mix, not {options.mode!r}"))
    for name, what, volume in (
        ("song_volume", "song volume", options.song_volume),
        ("original_volume", "original volume", options.original_volume),
    ):
        if not 0 <= volume <= MAX_VOLUME:
            add(Problem(name, f"{what} must be between 0 and {MAX_VOLUME * 100:.0f} %"))
    if not options.offset_s >= 0:
        add(Problem("offset_s", "the offset must be 0 or more seconds"))
    elif audio_info is not None and options.offset_s >= audio_info.duration_s:
        add(
            Problem(
                "offset_s",
                f"offset {format_clock(options.offset_s)} is past the end of the song ({format_clock(audio_info.duration_s)})",
                error=ExportError,
            )
        )
    for field, name in (("fade_s", "fade-out"), ("fade_in_s", "fade-in")):
        seconds = getattr(options, field)
        if not seconds >= 0:
            add(Problem(field, f"the {name} must be 0 or more seconds"))
        elif video_info is not None and seconds > video_info.duration_s:
            add(
                Problem(
                    field,
                    f"{name} {seconds:g} s is longer than the video ({format_clock(video_info.duration_s)})",
                    error=ExportError,
                )
            )
    low, high = LOUDNESS_RANGE_LUFS
    if options.loudness_lufs is not None and not low <= options.loudness_lufs <= high:
        add(Problem("loudness_lufs", f"the loudness must be between {low:g} and {high:g} LUFS (or off)"))
    if not 0 <= options.duck_db <= MAX_DUCK_DB:
        add(Problem("duck_db", f"ducking must be between 0 and {MAX_DUCK_DB:g} dB"))
    elif options.duck_db > 0 and options.mode != "mix":
        add(Problem("duck_db", "ducking needs mix mode: in replace mode there is no voice to duck under"))
    if output.absolute() == options.video.absolute() or same_file(output, options.video):
        add(Problem("output", "that is the input video; tiktune never overwrites it", output))
    if output.absolute() == options.audio.absolute() or same_file(output, options.audio):
        add(Problem("output", "that is the song's audio file; choose another output", output))
    if output.is_dir():
        add(Problem("output", "is a directory; give a file name", output))
    elif not output.absolute().parent.is_dir():
        add(Problem("output", f"no folder {output.absolute().parent}", error=ExportError))
    elif output.exists() and not options.overwrite:
        add(Problem("output", "already exists", output, error=OutputExists))
    order = (
        "video",
        "audio",
        "mode",
        "song_volume",
        "original_volume",
        "offset_s",
        "fade_in_s",
        "fade_s",
        "loudness_lufs",
        "duck_db",
        "output",
    )
    return sorted(problems.values(), key=lambda p: order.index(p.field) if p.field in order else len(order))


def raise_first(problems: list[Problem]) -> None:
    if problems:
        raise problems[0].exception()


# -- small parsers shared by the CLI and the modal ---------------------------------------


def parse_clock(text: str) -> float:
    """ "1:15" -> 75.0; also "75", "1:02:03", "0:07.5". Raises ValueError with a user message."""
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


def parse_loudness(text: str, what: str = "loudness") -> float | None:
    """ "-14" or "-14 LUFS" -> -14.0; "off" -> None."""
    text = text.strip().lower().removesuffix("lufs").strip()
    if text in ("off", "none", "no"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what} must be a level in LUFS like -14, or off, not {text!r}") from None
    low, high = LOUDNESS_RANGE_LUFS
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{what} must be between {low:g} and {high:g} LUFS (or off)")
    return value


def parse_decibels(text: str, what: str) -> float:
    try:
        value = float(text.strip().lower().removesuffix("db").strip())
    except ValueError:
        raise ValueError(f"{what} must be a number of dB like 12, not {text!r}") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_DUCK_DB:
        raise ValueError(f"{what} must be between 0 and {MAX_DUCK_DB:g} dB")
    return value


def parse_percent(text: str, what: str) -> float:
    """ "80" or "80%" -> 0.8, capped at MAX_VOLUME."""
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
    copyable = COPYABLE["mp4"]
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
