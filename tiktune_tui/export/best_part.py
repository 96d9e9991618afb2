"""The song's most energetic stretch as long as the video: where `--offset auto` starts it.

ffmpeg decodes the song to 8 kHz mono 16-bit PCM (cheap: a 3-min song is 2.9 MB), the energy of
each 0.1-s block is summed, and a window the video's length slides over those sums. The start of
the window with the most energy wins; among near-equal ones (within 1 %), the earliest, so a song
that is loud throughout starts at its beginning. Energy, not loudness in LU: a mean over the
window, where a stretch of silence must count against it.
"""

from __future__ import annotations

import array
import operator
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from tiktune_tui.export.options import ExportError
from tiktune_tui.export.probe import ffmpeg_path

RATE = 8000
BLOCK_S = 0.1
_BLOCK = int(RATE * BLOCK_S)


@dataclass(frozen=True)
class BestPart:
    offset_s: float
    length_s: float  # the window (the video's length, or the whole song when shorter)
    song_s: float  # the song's length as decoded


def block_energies(song: Path, ffmpeg_cmd: str = "ffmpeg", cancel: threading.Event | None = None) -> list[float]:
    """Sum of squares of each BLOCK_S of the song (first audio stream, mixed to mono)."""
    args = [
        ffmpeg_cmd,
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-i",
        ffmpeg_path(song),
        "-map",
        "0:a:0",
        "-ac",
        "1",
        "-ar",
        str(RATE),
        "-f",
        "s16le",
        "-acodec",
        "pcm_s16le",
        "-",
    ]
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    energies: list[float] = []
    assert process.stdout is not None
    try:
        while chunk := process.stdout.read(_BLOCK * 2 * 50):
            if cancel is not None and cancel.is_set():
                raise ExportError("cancelled")
            samples = array.array("h", chunk[: len(chunk) // 2 * 2])
            if sys.byteorder == "big":
                samples.byteswap()
            for start in range(0, len(samples), _BLOCK):
                block = samples[start : start + _BLOCK]
                energies.append(float(sum(map(operator.mul, block, block))))
    finally:
        if process.poll() is None:
            process.kill()
        _, stderr = process.communicate()
    if process.returncode not in (0, None) and not energies:
        message = stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExportError(f"cannot read the song: {message[-1] if message else 'ffmpeg failed'}")
    return energies


def best_window(energies: list[float], window_blocks: int) -> int:
    """Index of the first block of the window with the most energy (the earliest of near-equals)."""
    if window_blocks >= len(energies):
        return 0
    total = sum(energies[:window_blocks])
    sums = [total]
    for index in range(window_blocks, len(energies)):
        total += energies[index] - energies[index - window_blocks]
        sums.append(total)
    best = max(sums)
    return next(index for index, value in enumerate(sums) if value >= best * 0.99)


def find_best_part(
    song: Path, video_s: float, ffmpeg_cmd: str = "ffmpeg", cancel: threading.Event | None = None
) -> BestPart:
    energies = block_energies(song, ffmpeg_cmd, cancel)
    if not energies:
        raise ExportError(f"{song.name}: no audio to choose a start from")
    window = max(1, round(video_s / BLOCK_S))
    start = best_window(energies, window)
    song_s = len(energies) * BLOCK_S
    return BestPart(offset_s=round(start * BLOCK_S, 1), length_s=min(video_s, song_s), song_s=song_s)
