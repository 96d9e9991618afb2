"""Loudness normalization and ducking, measured on the outputs with ffmpeg's ebur128 (issue 13).

The inputs are made here: speech from espeak-ng laid into a video's sound with silent gaps
around it, and "music" from sine and noise mixtures at different levels.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.export_media import (
    H264,
    _testsrc,
    audio_filter_stderr,
    ebur128,
    ffmpeg,
    streams,
    video_packet_hashes,
)
from tiktune_tui import cli
from tiktune_tui.export.exporter import Exporter
from tiktune_tui.export.options import ExportOptions
from tiktune_tui.export.probe import probe_video

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng (scripts/setup.sh)")

MUSIC_HZ = 5000  # the music's tone, measured through a narrow band-pass: little speech energy up there
SPEECH_AT_S = 3.0  # the speech starts here in the video's sound; silence before it
VIDEO_S = 12.0


def music(path: Path, seconds: float, volume: float, noise: float = 0.05) -> Path:
    """A tone plus pink noise, `volume` and `noise` as amplitudes."""
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency={MUSIC_HZ}:sample_rate=44100:duration={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"anoisesrc=color=pink:amplitude={noise}:sample_rate=44100:duration={seconds}",
        "-filter_complex",
        f"[0]volume={volume}[t];[t][1]amix=inputs=2:normalize=0",
        "-c:a",
        "libmp3lame",
        str(path),
    )
    return path


@pytest.fixture(scope="module")
def speech_video(tmp_path_factory) -> tuple[Path, float]:
    """A 9-s H.264 video whose sound is silence, then speech from SPEECH_AT_S, then silence; and the speech's length."""
    d = tmp_path_factory.mktemp("speech")
    if shutil.which("espeak-ng") is None:
        pytest.skip("needs espeak-ng")
    words = d / "words.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-s",
            "150",
            "-w",
            str(words),
            "This is the creator talking over the music, and the song should duck under my voice",
        ],
        check=True,
    )
    length = float(streams(words)["format"]["duration"])
    assert SPEECH_AT_S + length + 1.5 < VIDEO_S
    video = d / "talk.mp4"
    ffmpeg(
        *_testsrc(VIDEO_S),
        "-i",
        str(words),
        "-filter_complex",
        f"[1]adelay={int(SPEECH_AT_S * 1000)}:all=1,apad,atrim=duration={VIDEO_S}[a]",
        "-map",
        "0:v",
        "-map",
        "[a]",
        *H264,
        "-c:a",
        "aac",
        str(video),
    )
    return video, length


def band_level_db(path: Path, start: float, end: float, hz: int = MUSIC_HZ) -> float:
    """RMS level (dB) of the output's audio between `start` and `end` s, in a narrow band around `hz`."""
    err = audio_filter_stderr(path, f"atrim={start}:{end},bandpass=f={hz}:width_type=q:w=10,volumedetect")
    return float(re.search(r"mean_volume: (-?[\d.]+) dB", err).group(1))


@pytest.mark.parametrize(
    ("target", "volume", "noise"), [(-14.0, 0.05, 0.01), (-14.0, 0.9, 0.1), (-16.0, 0.3, 0.3), (-23.0, 0.6, 0.05)]
)
def test_the_sound_is_brought_to_the_target_loudness_under_the_true_peak_ceiling(tmp_path, target, volume, noise):
    # Quiet and loud songs, tonal and noisy: each ends within 1 LU of the target, peaks <= -1 dBTP.
    video = tmp_path / "clip.mp4"
    ffmpeg(*_testsrc(6), *H264, str(video))
    song = music(tmp_path / "song.mp3", 8, volume, noise)
    before, _ = ebur128(song)
    result = Exporter().run(ExportOptions(video=video, audio=song, output=tmp_path / "out.mp4", loudness_lufs=target))
    integrated, peak = ebur128(tmp_path / "out.mp4")
    assert abs(integrated - target) <= 1.0, (before, integrated)
    assert peak <= -1.0
    assert result.loudness_lufs == target and abs(result.measured_lufs - before) <= 1.0
    assert video_packet_hashes(tmp_path / "out.mp4") == video_packet_hashes(video)


def test_loudness_off_leaves_the_level_alone(tmp_path):
    video = tmp_path / "clip.mp4"
    ffmpeg(*_testsrc(4), *H264, str(video))
    song = music(tmp_path / "song.mp3", 5, 0.05, 0.01)
    result = Exporter().run(ExportOptions(video=video, audio=song, output=tmp_path / "out.mp4"))
    assert result.loudness_lufs is None and result.measured_lufs is None
    assert abs(ebur128(tmp_path / "out.mp4")[0] - ebur128(song)[0]) <= 1.0


def test_the_measuring_pass_reports_progress_before_the_export(tmp_path):
    video = tmp_path / "clip.mp4"
    ffmpeg(*_testsrc(4), *H264, str(video))
    song = music(tmp_path / "song.mp3", 5, 0.3)
    seen = []
    Exporter().run(
        ExportOptions(video=video, audio=song, output=tmp_path / "out.mp4", loudness_lufs=-14), on_progress=seen.append
    )
    phases = [p.phase for p in seen]
    assert "loudness" in phases and phases[-1] == "export"
    assert phases.index("export") > max(i for i, phase in enumerate(phases) if phase == "loudness")
    assert max(p.fraction for p in seen if p.phase == "loudness") == 1.0


@needs_espeak
@pytest.mark.parametrize("duck_db", [12.0, 0.0])
def test_ducking_turns_the_music_down_under_speech_and_back_up_in_the_gaps(speech_video, tmp_path, duck_db):
    video, speech_s = speech_video
    song = music(tmp_path / "song.mp3", VIDEO_S + 1, 0.3, 0.0)
    output = tmp_path / "out.mp4"
    result = Exporter().run(
        ExportOptions(video=video, audio=song, output=output, mode="mix", duck_db=duck_db, loudness_lufs=-14)
    )
    assert result.duck_db == duck_db
    gap = band_level_db(output, 0.5, SPEECH_AT_S - 0.3)
    after = band_level_db(output, SPEECH_AT_S + speech_s + 1.0, VIDEO_S - 0.3)  # back up once the voice stops
    during = band_level_db(output, SPEECH_AT_S + 0.3, SPEECH_AT_S + speech_s - 0.3)
    if duck_db:
        assert during <= gap - 6 and during <= after - 6, (gap, during, after)
    else:
        assert during > gap - 6, (gap, during)
    assert abs(after - gap) <= 1.5
    assert video_packet_hashes(output) == video_packet_hashes(video)
    assert abs(float(streams(output)["format"]["duration"]) - probe_video(video).duration_s) <= 1024 / 48000


@pytest.mark.parametrize("fixture_name", ["webm", "mp4"])
def test_a_normalized_ducked_export_keeps_the_video_and_its_length(tmp_path, fixture_name):
    from tests.support.export_media import make_media

    media = make_media(tmp_path)
    video = getattr(media, fixture_name)
    output = tmp_path / ("out.mkv" if fixture_name == "webm" else "out.mp4")
    Exporter().run(
        ExportOptions(video=video, audio=media.long_song, output=output, mode="mix", duck_db=12, loudness_lufs=-14)
    )
    assert video_packet_hashes(output) == video_packet_hashes(video)
    assert abs(float(streams(output)["format"]["duration"]) - probe_video(video).duration_s) <= 1024 / 44100


def test_cli_loudness_and_duck_arguments(tmp_path, capsys):
    video = tmp_path / "clip.mp4"
    ffmpeg(*_testsrc(3), "-f", "lavfi", "-i", "sine=frequency=220:duration=3", *H264, "-c:a", "aac", str(video))
    song = music(tmp_path / "song.mp3", 4, 0.3)
    base = ["export", "--video", str(video), "--audio", str(song), "--no-open", "--json"]
    assert cli.main([*base, "--loudness", "loud"]) == 2
    assert "--loudness must be a level in LUFS" in capsys.readouterr().err
    assert cli.main([*base, "--duck", "6"]) == 2  # replace mode: no voice to duck under
    assert "--duck only applies with --mode mix" in capsys.readouterr().err
    assert cli.main([*base, "--out", str(tmp_path / "a.mp4")]) == 0  # default: -14 LUFS
    assert '"loudness_lufs": -14.0' in capsys.readouterr().out
    assert abs(ebur128(tmp_path / "a.mp4")[0] + 14) <= 1.0
    assert cli.main([*base, "--out", str(tmp_path / "b.mp4"), "--loudness", "off", "--mode", "mix"]) == 0
    out = capsys.readouterr().out
    assert '"loudness_lufs": null' in out and '"duck_db": 12.0' in out  # ducking on by default in mix mode
    assert cli.main([*base, "--out", str(tmp_path / "c.mp4"), "--mode", "mix", "--duck", "0"]) == 0
    assert '"duck_db": 0.0' in capsys.readouterr().out


def test_a_silent_sound_is_exported_as_it_is_with_a_warning(tmp_path):
    # ebur128 reports silence as its -70 LUFS gate, not as -inf: still nothing to bring to -14.
    video = tmp_path / "clip.mp4"
    ffmpeg(*_testsrc(3), *H264, str(video))
    song = tmp_path / "silence.mp3"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=sample_rate=44100:channel_layout=stereo", "-t", "4", str(song))
    result = Exporter().run(ExportOptions(video=video, audio=song, output=tmp_path / "out.mp4", loudness_lufs=-14))
    assert result.loudness_lufs is None and result.measured_lufs is None
    assert any("silent" in warning for warning in result.warnings)
