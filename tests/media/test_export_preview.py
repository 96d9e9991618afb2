"""The export's preview, rendered with real ffmpeg: its length, its loudness, and where it is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.export_media import H264, _testsrc, ebur128, ffmpeg, streams
from tiktune_tui.export.exporter import Exporter
from tiktune_tui.export.options import ExportOptions
from tiktune_tui.export.preview import PREVIEW_S, PreviewFiles

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


def talking_video(path: Path, seconds: float) -> Path:
    """A video whose own sound is a tone switching on and off, as speech with gaps would."""
    ffmpeg(
        *_testsrc(seconds),
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=300:duration={seconds},volume='if(lt(mod(t,4),2),0.5,0)':eval=frame",
        *H264,
        "-c:a",
        "aac",
        "-shortest",
        str(path),
    )
    return path


def song(path: Path, seconds: float) -> Path:
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=2000:duration={seconds},volume=0.08",
        "-c:a",
        "libmp3lame",
        str(path),
    )
    return path


def duration(path: Path) -> float:
    return float(streams(path)["format"]["duration"])


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("preview-inputs")
    return talking_video(d / "clip.mp4", 16), song(d / "song.mp3", 30)


def test_the_preview_is_the_first_10_s_of_the_export_at_its_loudness(inputs, tmp_path):
    video, music = inputs
    folder = tmp_path / "videos"
    folder.mkdir()
    clip = Path(shutil.copy(video, folder / "clip.mp4"))
    before = sorted(folder.iterdir())
    options = ExportOptions(
        video=clip,
        audio=music,
        output=folder / "out.mp4",
        mode="mix",
        offset_s=4,
        fade_in_s=1,
        song_volume=0.7,
        duck_db=12,
        loudness_lufs=-14,
    )
    previews = PreviewFiles(tmp_path / "data" / "previews")
    target = previews.new_path()
    preview = Exporter().preview(options, target)
    assert preview.path == target and preview.length_s == PREVIEW_S and preview.offset_s == 4
    assert abs(duration(target) - PREVIEW_S) <= 0.01
    assert sorted(folder.iterdir()) == before  # nothing beside the user's files

    Exporter().run(options)
    exported, _ = ebur128(folder / "out.mp4", f"atrim=0:{PREVIEW_S}")
    heard, peak = ebur128(target)
    assert abs(heard - exported) <= 0.5, (heard, exported)
    assert preview.measured_lufs is not None and preview.loudness_lufs == -14
    assert peak <= -1.0

    second = previews.new_path()  # the next preview takes the last one's place
    assert not target.exists() and second.exists()
    previews.clear()
    assert not second.exists() and list((tmp_path / "data" / "previews").iterdir()) == []


@pytest.mark.parametrize(
    ("video_s", "song_s", "offset_s", "loop", "expected_s"),
    [
        (16, 30, 0, False, PREVIEW_S),
        (4, 30, 0, False, 4.0),  # the video is shorter than a preview
        (16, 6, 2, False, 4.0),  # the song runs out 4 s after its start
        (16, 6, 2, True, PREVIEW_S),  # unless it loops
    ],
)
def test_the_preview_is_no_longer_than_the_video_or_the_song_left(
    tmp_path, video_s, song_s, offset_s, loop, expected_s
):
    video = talking_video(tmp_path / "clip.mp4", video_s)
    music = song(tmp_path / "song.mp3", song_s)
    options = ExportOptions(video=video, audio=music, output=tmp_path / "out.mp4", offset_s=offset_s, loop=loop)
    target = tmp_path / "preview" / "p.wav"
    target.parent.mkdir()
    preview = Exporter().preview(options, target)
    assert preview.length_s == pytest.approx(expected_s, abs=0.05)
    assert abs(duration(target) - expected_s) <= 0.05
    assert not (tmp_path / "out.mp4").exists()


@pytest.mark.parametrize("mode", ["replace", "mix"])
def test_a_looped_song_started_late_holds_the_videos_length_of_sound(tmp_path, mode):
    # Found by the preview: with an offset, each repeat's timestamps went back in time, and the
    # export's audio decoded to 20 s of samples under a 14-s stream (players skipped or stuttered).
    video = talking_video(tmp_path / "clip.mp4", 14)
    music = song(tmp_path / "song.mp3", 6)
    output = tmp_path / "out.mp4"
    Exporter().run(ExportOptions(video=video, audio=music, output=output, mode=mode, offset_s=2, loop=True))
    decoded = tmp_path / "decoded.wav"
    ffmpeg("-i", str(output), "-vn", str(decoded))
    assert abs(duration(decoded) - 14) <= 0.05
