"""What the input files are: ffprobe's answer (`probe`, remembered per file), and quick guesses.

The guesses (`guess_media`, from the MP4 box headers in `mp4_header` or an MP3 frame header)
give the exporter a head start while ffprobe runs; they are never trusted (see `Exporter`).
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from tiktune_tui.export import mp4_header
from tiktune_tui.export.options import ExportError, parse_clock

# Codecs ffprobe reports for still images: a picture is not a video to lay a song over.
_STILL_IMAGE_CODECS = frozenset({"png", "bmp", "gif", "webp", "tiff", "jpegls", "ppm", "pgm", "pam"})

# ffmpeg plays any text file as an "ANSI art" video; that is never what the user meant.
_TEXT_FORMATS = frozenset({"tty", "bin", "xbin", "idf", "srt", "ass", "webvtt", "subviewer", "microdvd"})


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
    # Where the video's pictures really end, when the file holds less than its index says
    # (a download or copy cut short whose MP4 index survived); None when whole.
    video_end_s: float | None = None

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


def ffmpeg_path(path: Path) -> str:
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
        data = ffmpeg.probe(ffmpeg_path(path))
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
        video_end_s=_real_video_end(path, data, video) if video else None,
    )


def _real_video_end(path: Path, data: dict, video: dict) -> float | None:
    """The time of the last video packet the file really holds, when it is cut short; else None.

    Cheap first: the streams' bit rates (from the index) times the duration say how big the
    file should be; only a file much smaller than that has its packets listed (ffprobe stops
    at the first one past the end of the data).
    """
    fmt = data.get("format") or {}
    try:
        duration = float(fmt.get("duration") or video.get("duration"))
        size = int(fmt["size"])
        expected = sum(int(s["bit_rate"]) for s in data.get("streams") or [] if s.get("bit_rate")) * duration / 8
    except (KeyError, TypeError, ValueError):
        return None
    if not expected or size >= 0.9 * expected:
        return None
    try:
        done = subprocess.run(
            [
                "ffprobe",
                "-v",
                "quiet",
                "-select_streams",
                str(video.get("index", 0)),
                "-show_entries",
                "packet=pts_time,duration_time",
                "-of",
                "csv=p=0",
                ffmpeg_path(path),
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    end = 0.0
    for line in done.stdout.decode("ascii", "replace").splitlines():
        fields = line.strip().strip(",").split(",")
        try:
            end = max(end, float(fields[0]) + (float(fields[1]) if len(fields) > 1 and fields[1] else 0.0))
        except ValueError:
            continue
    return end if end < duration - 0.5 else None


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
