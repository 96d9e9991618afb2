"""Small media files the export tests generate with real ffmpeg (lavfi testsrc + sine), once per session."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

VIDEO_TONE_HZ = 220  # the videos' own sound
SONG_TONE_HZ = 880  # the song's


def put_in_cache(cache, song, source: Path) -> Path:
    """`source` as `song`'s cached audio, as if it had been downloaded before (the cache's naming)."""
    from tiktune_tui.playback.audio_cache import song_key

    cache.directory.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(source, cache.directory / (song_key(song) + source.suffix)))


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def _testsrc(seconds: float, size: str = "160x120") -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc=size={size}:rate=15:duration={seconds}"]


def _sine(hz: int, seconds: float) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=frequency={hz}:sample_rate=44100:duration={seconds}"]


H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "15"]


@dataclass(frozen=True)
class Media:
    mp4: Path  # H.264 + AAC, 2 s
    mov: Path  # H.264 + AAC in QuickTime, 2 s
    webm: Path  # VP8 + Opus, 2 s: cannot be stream-copied into MP4
    vp9_webm: Path  # VP9, no audio
    silent: Path  # H.264, no audio stream
    song: Path  # 880 Hz, 1.5 s: shorter than the videos
    long_song: Path  # 880 Hz, 6 s
    text: Path  # not media at all
    noise_webm: Path  # VP8 of noise at a tiny bitrate: re-encoding it to H.264 makes a big file


def make_media(directory: Path) -> Media:
    d = directory
    ffmpeg(*_testsrc(2), *_sine(VIDEO_TONE_HZ, 2), *H264, "-c:a", "aac", "-shortest", str(d / "clip.mp4"))
    ffmpeg(*_testsrc(2), *_sine(VIDEO_TONE_HZ, 2), *H264, "-c:a", "aac", "-shortest", str(d / "clip.mov"))
    ffmpeg(
        *_testsrc(2),
        *_sine(VIDEO_TONE_HZ, 2),
        "-c:v",
        "libvpx",
        "-b:v",
        "150k",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-c:a",
        "libopus",
        "-shortest",
        str(d / "clip.webm"),
    )
    ffmpeg(
        *_testsrc(2),
        "-c:v",
        "libvpx-vp9",
        "-b:v",
        "150k",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        str(d / "vp9.webm"),
    )
    ffmpeg(*_testsrc(2), *H264, str(d / "silent.mp4"))
    ffmpeg(*_sine(SONG_TONE_HZ, 1.5), "-c:a", "aac", str(d / "song.m4a"))
    ffmpeg(*_sine(SONG_TONE_HZ, 6), "-c:a", "libmp3lame", str(d / "long song.mp3"))
    (d / "notes.txt").write_text("not a video\n" * 50)
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=320x240:rate=25:duration=2,noise=alls=100:allf=t",
        "-c:v",
        "libvpx",
        "-b:v",
        "30k",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        str(d / "noise.webm"),
    )
    return Media(
        mp4=d / "clip.mp4",
        mov=d / "clip.mov",
        webm=d / "clip.webm",
        vp9_webm=d / "vp9.webm",
        silent=d / "silent.mp4",
        song=d / "song.m4a",
        long_song=d / "long song.mp3",
        text=d / "notes.txt",
        noise_webm=d / "noise.webm",
    )


def make_clip(path: Path, seconds: float) -> Path:
    """An H.264 + AAC clip of `seconds` (the one of `make_media` is 2 s): a preview of it plays
    long enough to be seen playing, where libVLC's dummy output ends a short file early."""
    ffmpeg(*_testsrc(seconds), *_sine(VIDEO_TONE_HZ, seconds), *H264, "-c:a", "aac", "-shortest", str(path))
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def streams(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", "file:" + str(path)],
        check=True,
        capture_output=True,
    ).stdout
    return json.loads(out)


def video_packet_hashes(path: Path) -> list[tuple[str, str]]:
    """(size, md5) of every packet of the first video stream, read without decoding."""
    out = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-i",
            "file:" + str(path),
            "-map",
            "0:v:0",
            "-c",
            "copy",
            "-f",
            "framemd5",
            "-",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = [line.split(",") for line in out.splitlines() if line and not line.startswith("#")]
    return [(row[4].strip(), row[5].strip()) for row in rows]


def audio_filter_stderr(path: Path, audio_filter: str) -> str:
    """What ffmpeg says on stderr after running the file's first audio stream through `audio_filter`
    (a measuring filter: ebur128, volumedetect...) to nowhere."""
    return subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-hide_banner",
            "-i",
            "file:" + str(path),
            "-map",
            "0:a:0",
            "-af",
            audio_filter,
            "-f",
            "null",
            "-",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stderr


def ebur128(path: Path, audio_filter: str = "") -> tuple[float, float]:
    """(integrated loudness in LUFS, true peak in dBTP) of the file's audio, after `audio_filter` if given."""
    err = audio_filter_stderr(path, f"{audio_filter}{',' if audio_filter else ''}ebur128=peak=true")
    summary = err[err.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak


def tone_level_db(path: Path, hz: int) -> float:
    """Mean loudness (dB) of the output's audio in a narrow band around `hz`."""
    err = audio_filter_stderr(path, f"bandpass=f={hz}:width_type=q:w=8,volumedetect")
    found = re.search(r"mean_volume: (-?[\d.]+|-inf) dB", err)
    assert found, err
    return float(found.group(1)) if found.group(1) != "-inf" else -200.0


def make_truncated_mp4(directory: Path) -> Path:
    """A 10-s H.264 + AAC clip (index first, +faststart) cut after 50,000 bytes, as a broken
    download leaves it: ffprobe still says 10 s, but the pictures stop after about 2 s."""
    whole = directory / "whole-10s.mp4"
    ffmpeg(
        *_testsrc(10),
        *_sine(VIDEO_TONE_HZ, 10),
        *H264,
        "-c:a",
        "aac",
        "-shortest",
        "-movflags",
        "+faststart",
        str(whole),
    )
    cut = directory / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[:50_000])
    return cut
