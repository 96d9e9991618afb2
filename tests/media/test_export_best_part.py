"""`--offset auto` and the modal's Best part: the start of the song's most energetic stretch."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.export_media import H264, _testsrc, ffmpeg
from tiktune_tui import cli
from tiktune_tui.export.best_part import best_window, find_best_part

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")

LOUD_AT_S = 23.0


def planted_song(path: Path, loud_at: float = LOUD_AT_S, loud_s: float = 10, total_s: float = 60) -> Path:
    """Quiet pink noise for `total_s`, with a loud tone from `loud_at` for `loud_s`."""
    ffmpeg(
        "-f", "lavfi", "-i", f"anoisesrc=color=pink:amplitude=0.03:duration={total_s}:sample_rate=44100",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={total_s}:sample_rate=44100",
        "-filter_complex",
        f"[1]volume='if(between(t,{loud_at},{loud_at + loud_s}),0.8,0)':eval=frame[l];[0][l]amix=inputs=2:normalize=0",
        "-c:a", "libmp3lame", str(path),
    )  # fmt: skip
    return path


def test_best_window_prefers_the_most_energy_and_the_earliest_of_equals():
    assert best_window([1, 1, 9, 9, 1, 1], 2) == 2
    assert best_window([5, 5, 5, 5], 2) == 0
    assert best_window([1, 2], 5) == 0  # a window longer than the song: its start


def test_a_loud_stretch_planted_in_a_song_is_found_within_a_second(tmp_path):
    best = find_best_part(planted_song(tmp_path / "song.mp3"), 10.0)
    assert abs(best.offset_s - LOUD_AT_S) <= 1.0
    assert best.length_s == 10.0 and abs(best.song_s - 60) <= 0.5


def test_cli_offset_auto_says_what_it_chose_and_exports_from_there(tmp_path, capsys):
    video = tmp_path / "clip.mp4"
    ffmpeg(*_testsrc(10), *H264, str(video))
    song = planted_song(tmp_path / "song.mp3")
    args = ["export", "--video", str(video), "--audio", str(song), "--offset", "auto", "--no-open", "--json"]
    assert cli.main([*args, "--loudness", "off"]) == 0
    captured = capsys.readouterr()
    assert abs(json.loads(captured.out)["offset_s"] - LOUD_AT_S) <= 1.0
    assert "--offset auto: the song starts at 0:2" in captured.err and "most energetic 0:10 of 1:00" in captured.err
