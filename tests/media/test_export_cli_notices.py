"""`tiktune export` says it wrote under another name only when it wrote something:
a refused export is one error line, nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.export_media import H264, SONG_TONE_HZ, VIDEO_TONE_HZ, _sine, _testsrc, ffmpeg
from tiktune_tui import cli

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    """A 2-s H.264 video and a 1.5-s song."""
    d = tmp_path_factory.mktemp("notice-media")
    ffmpeg(*_testsrc(2), *_sine(VIDEO_TONE_HZ, 2), *H264, "-c:a", "aac", "-shortest", str(d / "in.mp4"))
    ffmpeg(*_sine(SONG_TONE_HZ, 1.5), "-c:a", "aac", str(d / "song.m4a"))
    return d / "in.mp4", d / "song.m4a"


@pytest.fixture
def taken(tmp_path, inputs) -> list[str]:
    """The export arguments for a folder where the default output name is already taken."""
    video, song = (Path(shutil.copy(p, tmp_path / p.name)) for p in inputs)
    (tmp_path / "in.song.mp4").write_bytes(b"the user's earlier export")
    return ["export", "--video", str(video), "--audio", str(song), "--no-open"]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--offset", "0:15"], "tiktune: error: offset 0:15 is past the end of the song (0:01)\n"),
        (["--fade", "10"], "tiktune: error: fade-out 10 s is longer than the video (0:02)\n"),
    ],
)
def test_a_refused_export_announces_no_other_name(taken, tmp_path, capsys, extra, message):
    assert cli.main([*taken, *extra]) == 1
    captured = capsys.readouterr()
    assert captured.err == message and captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.mp4", "in.song.mp4", "song.m4a"]


@pytest.mark.parametrize("json_output", [False, True])
def test_an_export_under_another_name_says_so_after_writing_it(taken, tmp_path, capsys, json_output):
    assert cli.main([*taken, *(["--json"] if json_output else [])]) == 0
    captured = capsys.readouterr()
    assert f"tiktune: {tmp_path / 'in.song.mp4'} exists; wrote in.song-2.mp4\n" in captured.err
    assert (tmp_path / "in.song-2.mp4").stat().st_size > 0
    assert (tmp_path / "in.song.mp4").read_bytes() == b"the user's earlier export"
    if not json_output:
        assert captured.out.startswith(f"wrote {tmp_path / 'in.song-2.mp4'} (0:02")
        assert " KB in " in captured.out  # a small file reads in KB, not as 0.0 MB
