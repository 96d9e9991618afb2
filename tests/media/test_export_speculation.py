"""The speculative start: ffmpeg runs on a guessed plan while ffprobe checks; only the probed plan counts.

Each ffmpeg the exporter starts goes through a small wrapper that notes its pid, so the tests
see how many real ffmpeg runs an export took and can check that none is left running.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
import threading
from pathlib import Path

import pytest

from tests.support.export_media import Media, make_media, streams, video_packet_hashes
from tiktune_tui.export import probe as probing
from tiktune_tui.export.exporter import Exporter
from tiktune_tui.export.options import ExportCancelled, ExportError, ExportOptions
from tiktune_tui.export.probe import forget_probes

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Media:
    return make_media(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def cold():
    """Every test starts as a first export would: nothing probed yet."""
    forget_probes()
    yield
    forget_probes()


class CountedFfmpeg:
    def __init__(self, folder: Path, realtime: bool = False) -> None:
        self.log = folder / "ffmpeg-runs"
        self.path = folder / "ffmpeg-counted"
        # exec keeps the pid: the one noted is ffmpeg's own. -re reads at real-time speed, for cancel.
        self.path.write_text(
            f'#!/bin/sh\necho $$ >> "{self.log}"\nexec {shutil.which("ffmpeg")} {"-re" if realtime else ""} "$@"\n'
        )
        self.path.chmod(self.path.stat().st_mode | stat.S_IXUSR)

    @property
    def pids(self) -> list[int]:
        return [int(line) for line in self.log.read_text().split()] if self.log.exists() else []


@pytest.fixture
def out(tmp_path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def assert_only(folder: Path, *names: str) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)  # no temp file left behind


def duration(path: Path) -> float:
    return float(streams(path)["format"]["duration"])


def assert_gone(pid: int) -> None:
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_right_guess_keeps_the_ffmpeg_started_before_ffprobe_answered(media, tmp_path, out):
    ffmpeg = CountedFfmpeg(tmp_path)
    runner = Exporter(ffmpeg_cmd=str(ffmpeg.path))
    # clip.mov's AAC sound is exactly as long as silent.mp4: the copy path.
    result = runner.run(ExportOptions(video=media.silent, audio=media.mov, output=out / "copy.mp4"))
    assert runner.last_guess == "hit" and result.audio_copied and len(ffmpeg.pids) == 1
    assert_only(out, "copy.mp4")
    assert abs(duration(out / "copy.mp4") - 2.0) <= 0.05
    assert video_packet_hashes(out / "copy.mp4") == video_packet_hashes(media.silent)


def test_an_mp3_song_with_a_fade_is_guessed_too(media, tmp_path, out):
    ffmpeg = CountedFfmpeg(tmp_path)
    runner = Exporter(ffmpeg_cmd=str(ffmpeg.path))
    result = runner.run(ExportOptions(video=media.mp4, audio=media.long_song, output=out / "o.mp4", fade_s=0.5))
    assert runner.last_guess == "hit" and not result.audio_copied and len(ffmpeg.pids) == 1
    assert_only(out, "o.mp4")


def test_inputs_already_probed_need_no_guess(media, tmp_path, out):
    probing.probe(media.mp4)
    probing.probe(media.song)
    runner = Exporter()
    runner.run(ExportOptions(video=media.mp4, audio=media.song, output=out / "o.mp4"))
    assert runner.last_guess is None
    assert_only(out, "o.mp4")


def test_looping_an_mp3_of_unknown_length_is_not_guessed(media, out):
    runner = Exporter()
    runner.run(ExportOptions(video=media.mp4, audio=media.long_song, output=out / "o.mp4", loop=True))
    assert runner.last_guess is None


@pytest.mark.parametrize(
    "wrong",
    [
        {"duration_s": 1.0},  # ffmpeg would stop a second early: a valid-looking but wrong file
        {"video_index": 7},  # ffmpeg fails at once: no such stream
    ],
)
def test_a_wrong_guess_is_stopped_and_the_probed_plan_runs(media, tmp_path, out, monkeypatch, wrong):
    guess = probing.guess_media

    def wrong_guess(path):
        info = guess(path)
        return dataclasses.replace(info, **wrong) if info is not None and info.has_video else info

    monkeypatch.setattr(probing, "guess_media", wrong_guess)
    ffmpeg = CountedFfmpeg(tmp_path)
    runner = Exporter(ffmpeg_cmd=str(ffmpeg.path))
    result = runner.run(ExportOptions(video=media.mp4, audio=media.song, output=out / "o.mp4"))
    assert runner.last_guess == "miss" and len(ffmpeg.pids) == 2
    assert result.duration_s == 2.0 and abs(duration(out / "o.mp4") - 2.0) <= 0.05
    assert video_packet_hashes(out / "o.mp4") == video_packet_hashes(media.mp4)
    assert_only(out, "o.mp4")
    for pid in ffmpeg.pids:
        assert_gone(pid)


def test_headers_the_reader_declines_fall_back_to_waiting_for_ffprobe(media, tmp_path, out):
    ffmpeg = CountedFfmpeg(tmp_path)
    runner = Exporter(ffmpeg_cmd=str(ffmpeg.path))
    runner.run(ExportOptions(video=media.webm, audio=media.song, output=out / "o.mkv"))  # WebM: no guess
    assert runner.last_guess is None and len(ffmpeg.pids) == 1
    broken = tmp_path / "broken.mp4"
    data = media.mp4.read_bytes()
    moov = data.index(b"moov")
    broken.write_bytes(data[:moov] + b"m00v" + data[moov + 4 :])  # an ftyp, then no moov anywhere
    with pytest.raises(ExportError, match="not a media file"):
        runner.run(ExportOptions(video=broken, audio=media.song, output=out / "b.mp4"))
    assert runner.last_guess is None and len(ffmpeg.pids) == 1
    assert_only(out, "o.mkv")


def test_a_probed_plan_that_fails_its_checks_stops_the_guess_and_leaves_nothing(media, tmp_path, out):
    # The MP3's length is unknown to the guess: an offset past its end is only caught by ffprobe,
    # while the guessed ffmpeg (at real-time speed) still runs.
    ffmpeg = CountedFfmpeg(tmp_path, realtime=True)
    runner = Exporter(ffmpeg_cmd=str(ffmpeg.path))
    with pytest.raises(ExportError, match="past the end of the song"):
        runner.run(ExportOptions(video=media.mp4, audio=media.long_song, output=out / "o.mp4", offset_s=6.5))
    assert len(ffmpeg.pids) == 1
    assert_gone(ffmpeg.pids[0])
    assert_only(out)


def test_cancel_while_the_guess_runs_and_ffprobe_has_not_answered(media, tmp_path, out, monkeypatch):
    ffmpeg = CountedFfmpeg(tmp_path, realtime=True)  # 2 s of video takes 2 s: still running at cancel
    cancel = threading.Event()
    release = threading.Event()
    real_probe = probing._probe

    def slow_probe(path):
        # ffprobe "takes" until the test ends; the guessed ffmpeg is running meanwhile.
        for _ in range(200):
            if ffmpeg.pids:
                cancel.set()
                break
            release.wait(0.01)
        release.wait(10)
        return real_probe(path)

    monkeypatch.setattr(probing, "_probe", slow_probe)
    runner = Exporter(ffmpeg_cmd=str(ffmpeg.path), poll_s=0.02)
    try:
        with pytest.raises(ExportCancelled):
            runner.run(ExportOptions(video=media.mp4, audio=media.song, output=out / "o.mp4"), cancel_event=cancel)
    finally:
        release.set()
    assert len(ffmpeg.pids) == 1
    assert_gone(ffmpeg.pids[0])
    assert_only(out)
