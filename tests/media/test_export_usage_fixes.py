"""Headless rough edges of issue 13: the input as --out, --original-volume outside mix mode, WebM length."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.export_media import Media, make_media, streams
from tiktune_tui import cli
from tiktune_tui.export.exporter import Exporter
from tiktune_tui.export.options import ExportOptions
from tiktune_tui.export.probe import probe_video

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")

AAC_FRAME_S = 1024 / 44100  # one AAC frame at the songs' 44.1 kHz


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Media:
    return make_media(tmp_path_factory.mktemp("usage-media"))


@pytest.fixture
def workdir(tmp_path, media) -> Path:
    for path in (media.mp4, media.song):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize("which", ["clip.mp4", "song.m4a"])
def test_out_naming_an_input_is_a_usage_error_with_or_without_force(workdir, capsys, force, which):
    args = [
        "export",
        "--video",
        str(workdir / "clip.mp4"),
        "--audio",
        str(workdir / "song.m4a"),
        "--out",
        str(workdir / which),
        "--no-open",
    ]
    assert cli.main([*args, *(["--force"] if force else [])]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tiktune: error: ") and err.count("\n") == 1
    assert sorted(p.name for p in workdir.iterdir()) == ["clip.mp4", "song.m4a"]  # no clip-2.mp4


def test_original_volume_without_mix_mode_is_a_usage_error(workdir, capsys):
    args = ["export", "--video", str(workdir / "clip.mp4"), "--audio", str(workdir / "song.m4a"), "--no-open"]
    assert cli.main([*args, "--original-volume", "50"]) == 2
    err = capsys.readouterr().err
    assert "--original-volume only applies with --mode mix" in err and err.count("\n") == 1
    assert sorted(p.name for p in workdir.iterdir()) == ["clip.mp4", "song.m4a"]
    assert cli.main([*args, "--original-volume", "50", "--mode", "mix", "--json"]) == 0


@pytest.mark.parametrize("mode", ["replace", "mix"])
def test_a_vp8_webm_comes_out_as_long_as_the_video_within_one_audio_frame(media, tmp_path, mode):
    output = tmp_path / "out.mkv"
    Exporter().run(ExportOptions(video=media.webm, audio=media.long_song, output=output, mode=mode))
    expected = probe_video(media.webm).duration_s
    assert abs(float(streams(output)["format"]["duration"]) - expected) <= AAC_FRAME_S
